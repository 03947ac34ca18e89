/*
 * osmotic-nbctl: colour, flow class and ramp-out rule commands.
 *
 * A colour says what its traffic gets (DSCP mark, underlay lane, meter,
 * ramp-out chassis); a flow class puts the connections that match it into
 * a colour and may promote them to another; a ramp-out rule pins the
 * traffic a router routes from some source subnets to an ordered list of
 * gateway chassis.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/rampout.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

/* Positional arguments and options of a command that also accepts its
 * options after its arguments ("class-add bulk 100 MATCH mice
 * --promote-to=elephants"). */
struct split_args {
    struct svec args;           /* Positional arguments, without argv[0]. */
    struct shash options;       /* "--name" -> value (or NULL). */
};

/* Splits the arguments of the current command into 'sa'.  Trailing
 * arguments that start with "--" must be options in 'allowed': "--name"
 * for an option without a value, "--name=VALUE" for one with a value,
 * where VALUE is the placeholder that messages show.  Options given
 * before the command are included. */
static bool
split_args(struct ctl_context *ctx, const char *const allowed[],
           struct split_args *sa)
{
    svec_init(&sa->args);
    shash_init(&sa->options);

    struct shash_node *node;
    SHASH_FOR_EACH (node, &ctx->options) {
        shash_add(&sa->options, node->name, node->data);
    }
    for (int i = 1; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        if (strncmp(arg, "--", 2)) {
            svec_add(&sa->args, arg);
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? eq - arg : strlen(arg);
        const char *option = NULL;
        for (size_t j = 0; allowed[j]; j++) {
            const char *aeq = strchr(allowed[j], '=');
            size_t alen = aeq ? aeq - allowed[j] : strlen(allowed[j]);
            if (alen == len && !strncmp(arg, allowed[j], len)) {
                option = allowed[j];
            }
        }
        if (!option) {
            ctl_error(ctx, "%s: unknown option", arg);
            return false;
        } else if (strchr(option, '=') && !eq) {
            ctl_error(ctx, "%s: option needs a value after '=' (%s)", arg,
                      option);
            return false;
        } else if (!strchr(option, '=') && eq) {
            ctl_error(ctx, "%s: option takes no value", arg);
            return false;
        }
        char *name = xmemdup0(arg, len);
        if (shash_find(&sa->options, name)) {
            ctl_error(ctx, "%s: option given twice", name);
            free(name);
            return false;
        }
        shash_add_nocopy(&sa->options, name,
                         CONST_CAST(char *, eq ? eq + 1 : NULL));
    }
    return true;
}

/* Frees what 'sa' holds. */
static void
split_args_destroy(struct split_args *sa)
{
    svec_destroy(&sa->args);
    shash_destroy(&sa->options);
}

/* Appends the comma-separated items of 's' to 'items', empty ones
 * included, so that callers can refuse them. */
static void
split_commas(const char *s, struct svec *items)
{
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        if (!comma) {
            svec_add(items, p);
            return;
        }
        svec_add_nocopy(items, xmemdup0(p, comma - p));
        p = comma + 1;
    }
}

/* Returns option 'name' of 'sa', or NULL. */
static const char *
sa_option(const struct split_args *sa, const char *name)
{
    return shash_find_data(&sa->options, name);
}

/* Looks up colour 'name'. */
static char *
find_color(struct ctl_context *ctx, const char *name, bool must_exist,
           const struct nbrec_color **colorp)
{
    return NBCTL_FIND(ctx, color, "colour", name, must_exist, colorp);
}

/* Finds colour 'name' for a flow class.  The two colours that always exist,
 * "mouse" and "elephant", are created (with no settings) if the database
 * has no row for them yet.  Returns NULL or an error. */
static char * OVS_WARN_UNUSED_RESULT
find_class_color(struct ctl_context *ctx, const char *name,
                 const struct nbrec_color **colorp)
{
    char *error = find_color(ctx, name, false, colorp);
    if (error || *colorp) {
        return error;
    }
    if (!strcmp(name, "mouse") || !strcmp(name, "elephant")) {
        struct nbrec_color *new = nbrec_color_insert(ctx->txn);
        nbrec_color_set_name(new, name);
        *colorp = new;
        return NULL;
    }
    return find_color(ctx, name, true, colorp);
}

/* Checks a chassis name. */
static bool
check_chassis_name(struct ctl_context *ctx, const char *name)
{
    if (!name[0] || strpbrk(name, " \t,:")) {
        ctl_error(ctx, "\"%s\": invalid chassis name",
                  name);
        return false;
    }
    return true;
}

/* Parses a colour's gateways "CHASSIS[:PRIORITY][,...]" in 's' into
 * 'out' as the strings NB stores, "CHASSIS:PRIORITY" (an OVSDB set keeps
 * no order, so the order of preference is written out): without explicit
 * priorities, earlier chassis get higher ones, as in rampout-add.
 * Returns false, having reported an error, if 's' is invalid. */
static bool
parse_color_gateways(struct ctl_context *ctx, const char *s,
                     struct svec *out)
{
    struct svec items = SVEC_EMPTY_INITIALIZER;
    struct sset seen = SSET_INITIALIZER(&seen);
    split_commas(s, &items);
    bool ok = true;
    for (size_t i = 0; ok && i < items.n; i++) {
        char *chassis = items.names[i];
        char *colon = strchr(chassis, ':');
        int64_t priority = items.n - i;
        if (colon) {
            *colon = '\0';
            ok = nbctl_parse_int(ctx, "chassis priority", colon + 1, 0,
                                 32767, &priority);
        }
        ok = ok && check_chassis_name(ctx, chassis);
        if (ok && !sset_add(&seen, chassis)) {
            ctl_error(ctx, "%s: chassis listed twice", chassis);
            ok = false;
        }
        if (ok) {
            svec_add_nocopy(out, xasprintf("%s:%"PRId64, chassis,
                                           priority));
        }
    }
    svec_sort(out);
    svec_destroy(&items);
    sset_destroy(&seen);
    return ok;
}

/* The settings of a colour, as color-add and color-set take them. */
enum color_key {
    CK_DSCP,
    CK_LANE,
    CK_RATE,
    CK_BURST,
    CK_RAMPOUT,
    CK_SNAT_IP,
    N_COLOR_KEYS
};

/* The integer settings' names, what messages call them, and ranges. */
static const struct {
    const char *key;            /* "dscp". */
    const char *what;           /* "DSCP". */
    int64_t min, max;           /* Range of an integer setting. */
} color_keys[N_COLOR_KEYS] = {
    [CK_DSCP] = { "dscp", "DSCP", 0, 63 },
    [CK_LANE] = { "lane", "lane", 0, 15 },
    [CK_RATE] = { "rate", "rate", 1, UINT32_MAX },
    [CK_BURST] = { "burst", "burst", 0, UINT32_MAX },
    [CK_RAMPOUT] = { "rampout", "rampout", 0, 0 },
    [CK_SNAT_IP] = { "snat-ip", "SNAT address", 0, 0 },
};

/* Colour settings parsed from "KEY=VALUE" arguments. */
struct color_settings {
    bool given[N_COLOR_KEYS];   /* The key was given. */
    bool clear[N_COLOR_KEYS];   /* Given with an empty value: clear it. */
    int64_t value[N_COLOR_KEYS];  /* Integer settings' values. */
    struct svec rampout;        /* CK_RAMPOUT's "CHASSIS:PRIORITY". */
    char *snat_ip;              /* CK_SNAT_IP's address. */
};
#define COLOR_SETTINGS_INITIALIZER { .rampout = SVEC_EMPTY_INITIALIZER }

/* Parses the 'n' settings "KEY=VALUE" in 'args' into 'cs', which must be
 * initialized to COLOR_SETTINGS_INITIALIZER and which the caller must
 * destroy with color_settings_destroy() whatever this returns.
 * Each key may be given once; an empty value clears a setting, if
 * 'may_clear'.  Returns false, having reported an error, if a setting is
 * invalid. */
static bool
color_settings_parse(struct ctl_context *ctx, int n, char *args[],
                     bool may_clear, struct color_settings *cs)
{
    for (int i = 0; i < n; i++) {
        const char *setting = args[i];
        const char *eq = strchr(setting, '=');
        if (!eq) {
            ctl_error(ctx, "%s: invalid setting (expected KEY=VALUE)",
                      setting);
            return false;
        }
        char *key = xmemdup0(setting, eq - setting);
        const char *value = eq + 1;
        int k;
        for (k = 0; k < N_COLOR_KEYS; k++) {
            if (!strcmp(key, color_keys[k].key)) {
                break;
            }
        }
        bool ok = false;
        if (k >= N_COLOR_KEYS) {
            ctl_error(ctx, "%s: unknown setting (expected dscp, lane, "
                      "rate, burst, rampout or snat-ip)", key);
        } else if (cs->given[k]) {
            ctl_error(ctx, "%s: setting given twice", key);
        } else if (!value[0] && !may_clear) {
            ctl_error(ctx, "%s=: empty value (color-set clears a "
                      "setting with an empty value)", key);
        } else if (!value[0]) {
            ok = cs->clear[k] = true;
        } else if (k == CK_RAMPOUT) {
            ok = parse_color_gateways(ctx, value, &cs->rampout);
        } else if (k == CK_SNAT_IP) {
            ok = nbctl_check(ctx, nb_validate_ipv4(value));
            cs->snat_ip = ok ? xstrdup(value) : NULL;
        } else {
            ok = nbctl_parse_int(ctx, color_keys[k].what, value,
                                 color_keys[k].min, color_keys[k].max,
                                 &cs->value[k]);
        }
        free(key);
        if (!ok) {
            return false;
        }
        cs->given[k] = true;
    }
    return true;
}

/* Frees what 'cs' holds. */
static void
color_settings_destroy(struct color_settings *cs)
{
    svec_destroy(&cs->rampout);
    free(cs->snat_ip);
}

/* Writes the settings in 'cs' to 'color'. */
static void
color_settings_apply(const struct color_settings *cs,
                     const struct nbrec_color *color)
{
    void (*const setters[])(const struct nbrec_color *, const int64_t *,
                            size_t) = {
        [CK_DSCP] = nbrec_color_set_dscp,
        [CK_LANE] = nbrec_color_set_lane,
        [CK_RATE] = nbrec_color_set_meter_rate,
        [CK_BURST] = nbrec_color_set_meter_burst,
    };
    for (int k = 0; k < N_COLOR_KEYS; k++) {
        if (!cs->given[k]) {
            continue;
        }
        if (k == CK_RAMPOUT) {
            nbrec_color_set_rampout_chassis(
                color, (const char **) cs->rampout.names,
                cs->clear[k] ? 0 : cs->rampout.n);
        } else if (k == CK_SNAT_IP && cs->clear[k]) {
            nbrec_color_update_options_delkey(color, "snat_ip");
        } else if (k == CK_SNAT_IP) {
            nbrec_color_update_options_setkey(color, "snat_ip", cs->snat_ip);
        } else {
            setters[k](color, &cs->value[k], !cs->clear[k]);
        }
    }
}

/* Returns true if 'color' already has every setting in 'cs'. */
static bool
color_settings_hold(const struct color_settings *cs,
                    const struct nbrec_color *color)
{
    const int64_t *values[] = {
        [CK_DSCP] = color->dscp,
        [CK_LANE] = color->lane,
        [CK_RATE] = color->meter_rate,
        [CK_BURST] = color->meter_burst,
    };
    const size_t ns[] = {
        [CK_DSCP] = color->n_dscp,
        [CK_LANE] = color->n_lane,
        [CK_RATE] = color->n_meter_rate,
        [CK_BURST] = color->n_meter_burst,
    };
    for (int k = 0; k < N_COLOR_KEYS; k++) {
        if (!cs->given[k]) {
            continue;
        }
        if (k == CK_RAMPOUT) {
            struct sset given = SSET_INITIALIZER(&given);
            struct sset held = SSET_INITIALIZER(&held);
            for (size_t i = 0; !cs->clear[k] && i < cs->rampout.n; i++) {
                sset_add(&given, cs->rampout.names[i]);
            }
            for (size_t i = 0; i < color->n_rampout_chassis; i++) {
                sset_add(&held, color->rampout_chassis[i]);
            }
            bool same = sset_equals(&given, &held);
            sset_destroy(&given);
            sset_destroy(&held);
            if (!same) {
                return false;
            }
        } else if (k == CK_SNAT_IP) {
            const char *held = smap_get(&color->options, "snat_ip");
            if (cs->clear[k] ? held != NULL
                : !held || strcmp(held, cs->snat_ip)) {
                return false;
            }
        } else if (cs->clear[k]
                   ? ns[k] != 0
                   : ns[k] != 1 || values[k][0] != cs->value[k]) {
            return false;
        }
    }
    return true;
}

/* "color-add NAME [KEY=VALUE]...". */
static void
cmd_color_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    struct color_settings cs = COLOR_SETTINGS_INITIALIZER;
    if (!nbctl_check(ctx, nb_validate_name(name))
        || !color_settings_parse(ctx, ctx->argc - 2, ctx->argv + 2, false,
                                 &cs)
        || !nbctl_name_is_free(ctx, &nbrec_table_color, "colour", name)) {
        goto out;
    }
    struct nbrec_color *new = nbrec_color_insert(ctx->txn);
    nbrec_color_set_name(new, name);
    color_settings_apply(&cs, new);
    if (cs.given[CK_BURST] && !cs.given[CK_RATE]) {
        ctl_error(ctx, "burst=%"PRId64": a burst needs a rate",
                  cs.value[CK_BURST]);
    }
out:
    color_settings_destroy(&cs);
}

/* Postprocess of "color-add": with --may-exist, says on stderr that an
 * existing colour kept settings other than those given (ovn-nbctl's
 * --may-exist leaves an existing row as it is). */
static void
post_color_add(struct ctl_context *ctx)
{
    const struct nbrec_color *color;
    struct color_settings cs = COLOR_SETTINGS_INITIALIZER;
    char *error = find_color(ctx, ctx->argv[1], false, &color);
    free(error);
    if (color && nbctl_has_option(ctx, "--may-exist")
        && color_settings_parse(ctx, ctx->argc - 2, ctx->argv + 2, false,
                                &cs)
        && !color_settings_hold(&cs, color)) {
        fprintf(stderr, "%s: color-add: %s: the colour exists with other "
                "settings, which --may-exist leaves unchanged (color-set "
                "changes them)\n", program_name, color->name);
    }
    color_settings_destroy(&cs);
}

/* "color-set NAME KEY=VALUE...".  "mouse" and "elephant" always exist:
 * their row is created if the database has none yet. */
static void
cmd_color_set(struct ctl_context *ctx)
{
    const struct nbrec_color *color;
    struct color_settings cs = COLOR_SETTINGS_INITIALIZER;
    if (nbctl_check(ctx, find_class_color(ctx, ctx->argv[1], &color))
        && color_settings_parse(ctx, ctx->argc - 2, ctx->argv + 2, true,
                                &cs)) {
        color_settings_apply(&cs, color);
    }
    color_settings_destroy(&cs);
}

/* Returns a description of a row that refers to 'color', or NULL. */
static char *
color_user(struct ovsdb_idl *idl, const struct nbrec_color *color)
{
    const struct nbrec_flow_class *fc;
    NBREC_FLOW_CLASS_FOR_EACH (fc, idl) {
        if (fc->color == color || fc->promote_color == color) {
            return xasprintf("flow class %s", fc->name);
        }
    }
    const struct nbrec_rampout_rule *rule;
    NBREC_RAMPOUT_RULE_FOR_EACH (rule, idl) {
        if (rule->color == color) {
            return xasprintf("ramp-out rule %s", rule->name);
        }
    }
    return NULL;
}

/* "color-del NAME". */
static void
cmd_color_del(struct ctl_context *ctx)
{
    const struct nbrec_color *color;
    if (!nbctl_check(ctx, find_color(ctx, ctx->argv[1],
                                     !nbctl_has_option(ctx, "--if-exists"),
                                     &color)) || !color) {
        return;
    }
    char *user = color_user(ctx->idl, color);
    if (user) {
        ctl_error(ctx, "%s: colour is used by %s",
                  color->name, user);
        free(user);
        return;
    }
    nbrec_color_delete(color);
}

/* Appends " KEY=N" for an optional integer column. */
static void
put_optional_int(struct ds *ds, const char *key, const int64_t *value,
                 size_t n)
{
    if (n) {
        ds_put_format(ds, " %s=%"PRId64, key, value[0]);
    }
}

/* A colour's gateway, for put_color_gateways(). */
struct color_gateway {
    const char *entry;          /* As NB holds it. */
    int64_t priority;
    char *chassis;
};

/* Orders colour gateways by preference: highest priority first, then, as
 * osmotic-northd ranks chassis of equal priority, the name that sorts
 * last first, so that the first listed is the one a host chooses. */
static int
color_gateway_cmp(const void *a_, const void *b_)
{
    const struct color_gateway *a = a_, *b = b_;
    return (a->priority != b->priority
            ? (a->priority < b->priority ? 1 : -1)
            : strcmp(b->chassis, a->chassis));
}

/* Appends " rampout=CHASSIS:PRIORITY,..." to 'line' for 'color''s
 * gateways, in order of preference (nothing if it has none). */
static void
put_color_gateways(struct ds *line, const struct nbrec_color *color)
{
    size_t n = color->n_rampout_chassis;
    struct color_gateway *gws = xcalloc(n + 1, sizeof *gws);
    for (size_t i = 0; i < n; i++) {
        gws[i].entry = color->rampout_chassis[i];
        char *error = rampout_color_gateway_parse(gws[i].entry,
                                                  &gws[i].chassis,
                                                  &gws[i].priority);
        if (error) {
            /* Validation refuses it; list it as it is. */
            gws[i].chassis = xstrdup(gws[i].entry);
            free(error);
        }
    }
    qsort(gws, n, sizeof *gws, color_gateway_cmp);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(line, "%s%s", i ? "," : " rampout=", gws[i].entry);
        free(gws[i].chassis);
    }
    free(gws);
}

/* Appends " active=ACTIVE" to 'line': the gateway a ramp-out's traffic
 * leaves by now, as osmotic-northd reports it from the southbound
 * database, or "none" if 'active' is NULL (no gateway registered, or no
 * report yet). */
static void
put_active(struct ds *line, const char *active)
{
    ds_put_format(line, " active=%s", active ? active : "none");
}

/* Appends " active=ROUTER:CHASSIS,..." to 'line' for 'color''s own
 * gateways: the active one on each router, in router name order, as
 * osmotic-northd reports them (Color:status, keys
 * "active-chassis:ROUTER"); nothing for a colour without gateways. */
static void
put_color_active(struct ds *line, const struct nbrec_color *color)
{
    if (!color->n_rampout_chassis) {
        return;
    }
    static const char prefix[] = "active-chassis:";
    struct ds active = DS_EMPTY_INITIALIZER;
    const struct smap_node **nodes = smap_sort(&color->status);
    for (size_t i = 0; i < smap_count(&color->status); i++) {
        const char *key = nodes[i]->key;
        if (!strncmp(key, prefix, strlen(prefix))) {
            ds_put_format(&active, "%s%s:%s", active.length ? "," : "",
                          key + strlen(prefix), nodes[i]->value);
        }
    }
    free(nodes);
    put_active(line, active.length ? ds_cstr(&active) : NULL);
    ds_destroy(&active);
}

/* "color-list". */
static void
cmd_color_list(struct ctl_context *ctx)
{
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    const struct nbrec_color *color;
    NBREC_COLOR_FOR_EACH (color, ctx->idl) {
        struct ds line = DS_EMPTY_INITIALIZER;
        ds_put_format(&line, "%s:", color->name);
        put_optional_int(&line, "dscp", color->dscp, color->n_dscp);
        put_optional_int(&line, "lane", color->lane, color->n_lane);
        put_optional_int(&line, "rate", color->meter_rate,
                         color->n_meter_rate);
        put_optional_int(&line, "burst", color->meter_burst,
                         color->n_meter_burst);
        put_color_gateways(&line, color);
        const char *snat_ip = smap_get(&color->options, "snat_ip");
        if (snat_ip) {
            ds_put_format(&line, " snat-ip=%s", snat_ip);
        }
        put_color_active(&line, color);
        svec_add_nocopy(&lines, ds_steal_cstr(&line));
    }
    nbctl_print_lines(&ctx->output, &lines);
}

/* Flow classes. */

/* The options of class-add. */
static const char *const class_options[] = {
    "--may-exist", "--promote-to=COLOR", "--promote-bytes=BYTES",
    "--promote-rate=BYTES_PER_S", "--interval=MS", "--demote-idle=SECONDS",
    NULL,
};

/* Parses integer option 'name' of 'sa' into 'value' (with 'n' set to 1)
 * if it is present. */
static bool
parse_int_option(struct ctl_context *ctx, const struct split_args *sa,
                 const char *name, int64_t min, int64_t max,
                 int64_t *value, size_t *n)
{
    const char *s = sa_option(sa, name);
    *n = 0;
    if (!s) {
        return true;
    }
    if (!nbctl_parse_int(ctx, name + 2, s, min, max, value)) {
        return false;
    }
    *n = 1;
    return true;
}

/* The promotion settings of a flow class. */
struct promotion {
    const struct nbrec_color *color;    /* --promote-to, or NULL. */
    int64_t bytes;                      /* --promote-bytes, if n_bytes. */
    int64_t rate;                       /* --promote-rate, if n_rate. */
    int64_t interval;                   /* --interval, if n_interval. */
    int64_t idle;                       /* --demote-idle, if n_idle. */
    size_t n_bytes, n_rate, n_interval, n_idle; /* 1 if given, else 0. */
};

/* Parses and checks the promotion options of class-add. */
static bool
parse_promotion(struct ctl_context *ctx, const struct split_args *sa,
                const struct nbrec_color *color, struct promotion *p)
{
    memset(p, 0, sizeof *p);
    const char *to = sa_option(sa, "--promote-to");
    if (to && !nbctl_check(ctx, find_class_color(ctx, to, &p->color))) {
        return false;
    }
    if (!parse_int_option(ctx, sa, "--promote-bytes", 1, INT64_MAX,
                          &p->bytes, &p->n_bytes)
        || !parse_int_option(ctx, sa, "--promote-rate", 1, INT64_MAX,
                             &p->rate, &p->n_rate)
        || !parse_int_option(ctx, sa, "--interval", 100, 3600000,
                             &p->interval, &p->n_interval)
        || !parse_int_option(ctx, sa, "--demote-idle", 1, 86400,
                             &p->idle, &p->n_idle)) {
        return false;
    }
    if (p->color && !p->n_bytes && !p->n_rate) {
        ctl_error(ctx, "--promote-to=%s needs --promote-bytes or "
                  "--promote-rate", to);
        return false;
    }
    if (!p->color && (p->n_bytes || p->n_rate || p->n_interval
                      || p->n_idle)) {
        ctl_error(ctx, "promotion options need --promote-to");
        return false;
    }
    if (p->color && p->color == color) {
        ctl_error(ctx, "--promote-to=%s: a class cannot promote to its "
                  "own colour", to);
        return false;
    }
    return true;
}

/* "class-add NAME PRIORITY MATCH COLOR [OPTIONS]". */
static void
cmd_class_add(struct ctl_context *ctx)
{
    struct split_args sa;
    if (!split_args(ctx, class_options, &sa)) {
        goto out;
    }
    if (sa.args.n != 4) {
        ctl_error(ctx, "expected NAME PRIORITY MATCH COLOR, got %"
                  PRIuSIZE" arguments", sa.args.n);
        goto out;
    }
    const char *name = sa.args.names[0];
    const char *match = sa.args.names[2];
    int64_t priority;
    const struct nbrec_color *color;
    const struct nbrec_flow_class *fc;
    struct promotion p;
    if (!nbctl_check(ctx, nb_validate_name(name))
        || !nbctl_parse_int(ctx, "priority", sa.args.names[1], 0, 32767,
                            &priority)) {
        goto out;
    }
    char *error = nb_validate_class_match(ctx->idl, match);
    if (error) {
        ctl_error(ctx, "%s: %s", match, error);
        free(error);
        goto out;
    }
    if (!nbctl_check(ctx, find_class_color(ctx, sa.args.names[3], &color))
        || !parse_promotion(ctx, &sa, color, &p)
        || !nbctl_check(ctx, NBCTL_FIND(ctx, flow_class, "flow class", name,
                                        false, &fc))) {
        goto out;
    }
    if (fc) {
        if (!shash_find(&sa.options, "--may-exist")) {
            ctl_error(ctx, "%s: a flow class with this name already "
                      "exists", name);
        }
        goto out;
    }

    struct nbrec_flow_class *new = nbrec_flow_class_insert(ctx->txn);
    nbrec_flow_class_set_name(new, name);
    nbrec_flow_class_set_priority(new, priority);
    nbrec_flow_class_set_match(new, match);
    nbrec_flow_class_set_color(new, color);
    nbrec_flow_class_set_promote_color(new, p.color);
    nbrec_flow_class_set_promote_bytes(new, &p.bytes, p.n_bytes);
    nbrec_flow_class_set_promote_rate(new, &p.rate, p.n_rate);
    nbrec_flow_class_set_promote_interval(new, &p.interval, p.n_interval);
    nbrec_flow_class_set_demote_idle(new, &p.idle, p.n_idle);
out:
    split_args_destroy(&sa);
}

/* "class-del NAME". */
static void
cmd_class_del(struct ctl_context *ctx)
{
    const struct nbrec_flow_class *fc;
    if (nbctl_check(ctx, NBCTL_FIND(ctx, flow_class, "flow class",
                                    ctx->argv[1],
                                    !nbctl_has_option(ctx, "--if-exists"),
                                    &fc))
        && fc) {
        nbrec_flow_class_delete(fc);
    }
}

/* Orders flow classes by descending priority, then name. */
static int
compare_classes(const void *a_, const void *b_)
{
    const struct nbrec_flow_class *const *a = a_;
    const struct nbrec_flow_class *const *b = b_;
    if ((*a)->priority != (*b)->priority) {
        return (*a)->priority > (*b)->priority ? -1 : 1;
    }
    return strcmp((*a)->name, (*b)->name);
}

/* "class-list". */
static void
cmd_class_list(struct ctl_context *ctx)
{
    size_t n = 0, allocated = 0;
    const struct nbrec_flow_class **classes = NULL;
    const struct nbrec_flow_class *fc;
    NBREC_FLOW_CLASS_FOR_EACH (fc, ctx->idl) {
        if (n >= allocated) {
            classes = x2nrealloc(classes, &allocated, sizeof *classes);
        }
        classes[n++] = fc;
    }
    if (n) {
        qsort(classes, n, sizeof *classes, compare_classes);
    }
    for (size_t i = 0; i < n; i++) {
        fc = classes[i];
        ds_put_format(&ctx->output, "%s: priority=%"PRId64" match=(%s) "
                      "color=%s", fc->name, fc->priority, fc->match,
                      fc->color->name);
        if (fc->promote_color) {
            ds_put_format(&ctx->output, " promote-to=%s",
                          fc->promote_color->name);
        }
        put_optional_int(&ctx->output, "promote-bytes", fc->promote_bytes,
                         fc->n_promote_bytes);
        put_optional_int(&ctx->output, "promote-rate", fc->promote_rate,
                         fc->n_promote_rate);
        put_optional_int(&ctx->output, "interval", fc->promote_interval,
                         fc->n_promote_interval);
        put_optional_int(&ctx->output, "demote-idle", fc->demote_idle,
                         fc->n_demote_idle);
        ds_put_char(&ctx->output, '\n');
    }
    free(classes);
}

/* Ramp-out rules. */

/* The options of rampout-add. */
static const char *const rampout_options[] = {
    "--may-exist", "--snat-ip=IP", "--color=COLOR", "--priority=N", NULL,
};

/* Looks up router 'id'. */
static const struct nbrec_logical_router *
find_router(struct ctl_context *ctx, const char *id)
{
    const struct nbrec_logical_router *lr;
    return nbctl_check(ctx, NBCTL_FIND(ctx, logical_router, "router",
                                       id, true, &lr)) ? lr : NULL;
}

/* Returns the ramp-out rule of 'lr' named 'name', or NULL. */
static const struct nbrec_rampout_rule *
lr_find_rampout(const struct nbrec_logical_router *lr, const char *name)
{
    for (size_t i = 0; i < lr->n_rampout_rules; i++) {
        if (!strcmp(lr->rampout_rules[i]->name, name)) {
            return lr->rampout_rules[i];
        }
    }
    return NULL;
}

/* Parses "SUBNET[,SUBNET]..." into 'subnets'. */
static bool
parse_subnets(struct ctl_context *ctx, const char *s, struct svec *subnets)
{
    split_commas(s, subnets);
    for (size_t i = 0; i < subnets->n; i++) {
        if (!nbctl_check(ctx, nb_validate_ip_or_cidr(subnets->names[i]))) {
            return false;
        }
    }
    return true;
}

/* Creates the Gateway_Chassis rows of rule 'rule_name' on router 'lr'
 * from "CHASSIS[:PRIORITY][,...]" in 's'.  Without explicit priorities,
 * earlier chassis get higher priorities.  Returns the rows in '*gcsp' and
 * their number in '*np', or false on error. */
static bool
parse_gateways(struct ctl_context *ctx,
               const struct nbrec_logical_router *lr, const char *rule_name,
               const char *s, struct nbrec_gateway_chassis ***gcsp,
               size_t *np)
{
    struct svec items = SVEC_EMPTY_INITIALIZER;
    struct sset seen = SSET_INITIALIZER(&seen);
    split_commas(s, &items);
    struct nbrec_gateway_chassis **gcs = xmalloc((items.n + 1)
                                                 * sizeof *gcs);
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < items.n; i++) {
        char *chassis = items.names[i];
        char *colon = strchr(chassis, ':');
        int64_t priority = items.n - i;
        if (colon) {
            *colon = '\0';
            ok = nbctl_parse_int(ctx, "chassis priority", colon + 1, 0,
                                 32767, &priority);
        }
        ok = ok && check_chassis_name(ctx, chassis);
        if (ok && !sset_add(&seen, chassis)) {
            ctl_error(ctx, "%s: chassis listed twice",
                      chassis);
            ok = false;
        }
        if (ok) {
            char *name = xasprintf("rampout-%s-%s-%s", lr->name, rule_name,
                                   chassis);
            gcs[n] = nbrec_gateway_chassis_insert(ctx->txn);
            nbrec_gateway_chassis_set_name(gcs[n], name);
            nbrec_gateway_chassis_set_chassis_name(gcs[n], chassis);
            nbrec_gateway_chassis_set_priority(gcs[n], priority);
            n++;
            free(name);
        }
    }
    svec_destroy(&items);
    sset_destroy(&seen);
    *gcsp = gcs;
    *np = n;
    return ok;
}

/* Sets the ramp-out rules of 'lr' to those in 'rules'. */
static void
lr_set_rampouts(const struct nbrec_logical_router *lr,
                struct nbrec_rampout_rule **rules, size_t n)
{
    nbrec_logical_router_set_rampout_rules(lr, rules, n);
}

/* Fills in the new rule 'rule' from 'sa'. */
static bool
fill_rampout(struct ctl_context *ctx, const struct split_args *sa,
             const struct nbrec_logical_router *lr,
             struct nbrec_rampout_rule *rule)
{
    const char *name = sa->args.names[1];
    const char *snat_ip = sa_option(sa, "--snat-ip");
    const char *color_name = sa_option(sa, "--color");
    const char *prio = sa_option(sa, "--priority");
    int64_t priority = 0;
    const struct nbrec_color *color = NULL;
    struct svec subnets = SVEC_EMPTY_INITIALIZER;
    struct nbrec_gateway_chassis **gcs = NULL;
    size_t n_gcs = 0;

    bool ok = (parse_subnets(ctx, sa->args.names[2], &subnets)
               && (!snat_ip || nbctl_check(ctx, nb_validate_ipv4(snat_ip)))
               && (!color_name
                   || nbctl_check(ctx, find_color(ctx, color_name, true,
                                                  &color)))
               && (!prio || nbctl_parse_int(ctx, "priority", prio, 0, 32767,
                                            &priority))
               && parse_gateways(ctx, lr, name, sa->args.names[3], &gcs,
                                 &n_gcs));
    if (ok) {
        nbrec_rampout_rule_set_name(rule, name);
        nbrec_rampout_rule_set_subnets(rule, (const char **) subnets.names,
                                       subnets.n);
        nbrec_rampout_rule_set_gateway_chassis(rule, gcs, n_gcs);
        nbrec_rampout_rule_set_snat_ip(rule, snat_ip);
        nbrec_rampout_rule_set_color(rule, color);
        nbrec_rampout_rule_set_priority(rule, priority);
    }
    svec_destroy(&subnets);
    free(gcs);
    return ok;
}

/* "rampout-add ROUTER NAME SUBNETS CHASSIS[:PRIO][,...] [OPTIONS]". */
static void
cmd_rampout_add(struct ctl_context *ctx)
{
    struct split_args sa;
    if (!split_args(ctx, rampout_options, &sa)) {
        goto out;
    }
    if (sa.args.n != 4) {
        ctl_error(ctx, "expected ROUTER NAME SUBNET[,SUBNET]... "
                  "CHASSIS[:PRIORITY][,...], got %"PRIuSIZE" arguments",
                  sa.args.n);
        goto out;
    }
    const struct nbrec_logical_router *lr = find_router(ctx,
                                                        sa.args.names[0]);
    const char *name = sa.args.names[1];
    if (!lr) {
        goto out;
    }
    if (!name[0]) {
        ctl_error(ctx, "empty rule name");
        goto out;
    }
    if (lr_find_rampout(lr, name)) {
        if (!shash_find(&sa.options, "--may-exist")) {
            ctl_error(ctx, "%s: router %s already has a ramp-out rule "
                      "with this name", name, lr->name);
        }
        goto out;
    }

    struct nbrec_rampout_rule *rule = nbrec_rampout_rule_insert(ctx->txn);
    if (fill_rampout(ctx, &sa, lr, rule)) {
        struct nbrec_rampout_rule **rules
            = xmalloc((lr->n_rampout_rules + 1) * sizeof *rules);
        memcpy(rules, lr->rampout_rules,
               lr->n_rampout_rules * sizeof *rules);
        rules[lr->n_rampout_rules] = rule;
        lr_set_rampouts(lr, rules, lr->n_rampout_rules + 1);
        free(rules);
    }
out:
    split_args_destroy(&sa);
}

/* "rampout-del ROUTER NAME". */
static void
cmd_rampout_del(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = find_router(ctx, ctx->argv[1]);
    if (!lr) {
        return;
    }
    const struct nbrec_rampout_rule *rule = lr_find_rampout(lr,
                                                            ctx->argv[2]);
    if (!rule) {
        if (!nbctl_has_option(ctx, "--if-exists")) {
            ctl_error(ctx, "%s: router %s has no ramp-out rule with "
                      "this name", ctx->argv[2], lr->name);
        }
        return;
    }
    size_t n;
    struct nbrec_rampout_rule **rules
        = nbctl_ptrs_without(lr->rampout_rules, lr->n_rampout_rules, rule,
                             &n);
    lr_set_rampouts(lr, rules, n);
    free(rules);
}

/* Orders gateway chassis by descending priority, then chassis name. */
static int
compare_gateways(const void *a_, const void *b_)
{
    const struct nbrec_gateway_chassis *const *a = a_;
    const struct nbrec_gateway_chassis *const *b = b_;
    if ((*a)->priority != (*b)->priority) {
        return (*a)->priority > (*b)->priority ? -1 : 1;
    }
    return strcmp((*a)->chassis_name, (*b)->chassis_name);
}

/* Appends one line describing 'rule' to 'ds'. */
static void
print_rampout(struct ds *ds, const struct nbrec_rampout_rule *rule)
{
    ds_put_format(ds, "%s: priority=%"PRId64" subnets=", rule->name,
                  rule->priority);
    for (size_t i = 0; i < rule->n_subnets; i++) {
        ds_put_format(ds, "%s%s", i ? "," : "", rule->subnets[i]);
    }
    size_t n = rule->n_gateway_chassis;
    struct nbrec_gateway_chassis **gcs = xmalloc((n + 1) * sizeof *gcs);
    memcpy(gcs, rule->gateway_chassis, n * sizeof *gcs);
    qsort(gcs, n, sizeof *gcs, compare_gateways);
    ds_put_cstr(ds, " gateways=");
    for (size_t i = 0; i < n; i++) {
        ds_put_format(ds, "%s%s:%"PRId64, i ? "," : "", gcs[i]->chassis_name,
                      gcs[i]->priority);
    }
    free(gcs);
    if (rule->snat_ip) {
        ds_put_format(ds, " snat-ip=%s", rule->snat_ip);
    }
    if (rule->color) {
        ds_put_format(ds, " color=%s", rule->color->name);
    }
    put_active(ds, smap_get(&rule->status, "active-chassis"));
    ds_put_char(ds, '\n');
}

/* "rampout-list ROUTER". */
static void
cmd_rampout_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = find_router(ctx, ctx->argv[1]);
    if (!lr) {
        return;
    }
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < lr->n_rampout_rules; i++) {
        struct ds line = DS_EMPTY_INITIALIZER;
        print_rampout(&line, lr->rampout_rules[i]);
        ds_chomp(&line, '\n');
        svec_add_nocopy(&lines, ds_steal_cstr(&line));
    }
    nbctl_print_lines(&ctx->output, &lines);
}

/* Colour, flow class and ramp-out commands. */
static const struct ctl_command_syntax color_commands[] = {
    { "color-add", 1, INT_MAX, "NAME [KEY=VALUE]...", NULL, cmd_color_add,
      post_color_add, "--may-exist", RW },
    { "color-set", 2, INT_MAX, "NAME KEY=VALUE...", NULL, cmd_color_set,
      NULL, "", RW },
    { "color-del", 1, 1, "NAME", NULL, cmd_color_del, NULL, "--if-exists",
      RW },
    { "color-list", 0, 0, "", NULL, cmd_color_list, NULL, "", RO },
    { "class-add", 4, INT_MAX, "NAME PRIORITY MATCH COLOR [OPTIONS]", NULL,
      cmd_class_add, NULL, "--may-exist,--promote-to=,--promote-bytes=,"
      "--promote-rate=,--interval=,--demote-idle=", RW },
    { "class-del", 1, 1, "NAME", NULL, cmd_class_del, NULL, "--if-exists",
      RW },
    { "class-list", 0, 0, "", NULL, cmd_class_list, NULL, "", RO },
    { "rampout-add", 4, INT_MAX,
      "ROUTER NAME SUBNET[,SUBNET]... CHASSIS[:PRIORITY][,...] [OPTIONS]",
      NULL, cmd_rampout_add, NULL,
      "--may-exist,--snat-ip=,--color=,--priority=", RW },
    { "rampout-del", 2, 2, "ROUTER NAME", NULL, cmd_rampout_del, NULL,
      "--if-exists", RW },
    { "rampout-list", 1, 1, "ROUTER", NULL, cmd_rampout_list, NULL, "",
      RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the colour, flow class and ramp-out commands. */
void
nbctl_color_register(void)
{
    ctl_register_commands(color_commands);
}
