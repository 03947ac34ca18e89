/*
 * osmotic-nbctl: ACL, port group, address set and meter commands.  Load
 * balancers have their own file, nbctl-lb.c.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/idl-pending.h"
#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "ovsdb-data.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* Returns the value of option 'name' of the current command, or NULL. */
static const char *
option_value(const struct ctl_context *ctx, const char *name)
{
    struct shash_node *node = shash_find(&ctx->options, name);
    return node ? node->data : NULL;
}

/* The switch or port group an ACL command works on. */
struct acl_entity {
    const struct nbrec_logical_switch *ls;  /* The switch, or NULL. */
    const struct nbrec_port_group *pg;      /* The port group, or NULL. */
};

/* Finds the ACL entity 'id' per the --type option.  Without it, 'id' may
 * name a switch or a port group, but not both. */
static bool
find_acl_entity(struct ctl_context *ctx, const char *id,
                struct acl_entity *e)
{
    const char *type = option_value(ctx, "--type");
    e->ls = NULL;
    e->pg = NULL;
    if (type && strcmp(type, "switch") && strcmp(type, "port-group")) {
        ctl_error(ctx, "Invalid value '%s' for option --type", type);
        return false;
    }
    if (!type || !strcmp(type, "switch")) {
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch, "switch", id,
                                         !!type, &e->ls))) {
            return false;
        }
    }
    if (!type || !strcmp(type, "port-group")) {
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, port_group, "port group", id,
                                         !!type, &e->pg))) {
            return false;
        }
    }
    if (e->ls && e->pg) {
        ctl_error(ctx, "Same name '%s' exists in both port-groups and "
                  "logical switches. Specify --type=port-group or switch, "
                  "or use a UUID.", id);
        return false;
    } else if (!e->ls && !e->pg) {
        ctl_error(ctx, "'%s' is not found for port-group or switch.", id);
        return false;
    }
    return true;
}

/* Returns the ACLs of column 'col' of 'row' (a switch's or port group's
 * "acls") as the open transaction leaves them, in a malloc()'d array with
 * room for at least one more, and stores their number in '*n'.  ACLs
 * join and leave their switch or group by mutations, so that clients that
 * add ACLs to one group at the same time all keep theirs; the row's
 * parsed members show those only after commit. */
struct nbrec_acl **
nbctl_pending_acls(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_column *col, size_t *n)
{
    struct ovsdb_datum datum;
    idl_pending_read_set(row, col, &datum);
    struct nbrec_acl **acls = xmalloc((datum.n + 1) * sizeof *acls);
    *n = 0;
    for (size_t i = 0; i < datum.n; i++) {
        const struct nbrec_acl *acl
            = nbrec_acl_get_for_uuid(idl, &datum.keys[i].uuid);
        if (acl && acl->header_.new_datum) {
            acls[(*n)++] = CONST_CAST(struct nbrec_acl *, acl);
        }
    }
    ovsdb_datum_destroy(&datum, &col->type);
    return acls;
}

/* Returns the ACLs of 'e' as nbctl_pending_acls() does. */
static struct nbrec_acl **
entity_acls(struct ovsdb_idl *idl, const struct acl_entity *e, size_t *n)
{
    return (e->ls
            ? nbctl_pending_acls(idl, &e->ls->header_,
                                 &nbrec_logical_switch_col_acls, n)
            : nbctl_pending_acls(idl, &e->pg->header_,
                                 &nbrec_port_group_col_acls, n));
}

/* Adds 'acl' to the ACLs of 'e'. */
static void
entity_add_acl(const struct acl_entity *e, const struct nbrec_acl *acl)
{
    if (e->ls) {
        nbrec_logical_switch_update_acls_addvalue(e->ls, acl);
    } else {
        nbrec_port_group_update_acls_addvalue(e->pg, acl);
    }
}

/* Removes 'acl' from the ACLs of 'e'. */
static void
entity_del_acl(const struct acl_entity *e, const struct nbrec_acl *acl)
{
    if (e->ls) {
        nbrec_logical_switch_update_acls_delvalue(e->ls, acl);
    } else {
        nbrec_port_group_update_acls_delvalue(e->pg, acl);
    }
}

/* Checks the options of acl-add. */
static bool
check_acl_options(struct ctl_context *ctx, const char **severity)
{
    static const char *const severities[] = {
        "alert", "warning", "notice", "info", "debug",
    };
    const char *name = option_value(ctx, "--name");
    const char *meter = option_value(ctx, "--meter");
    *severity = option_value(ctx, "--severity");

    if (name && strlen(name) > 63) {
        ctl_error(ctx, "--name=%s: name is longer than 63 characters",
                  name);
        return false;
    }
    if (*severity) {
        bool ok = false;
        for (size_t i = 0; i < ARRAY_SIZE(severities); i++) {
            ok = ok || !strcmp(*severity, severities[i]);
        }
        if (!ok) {
            ctl_error(ctx, "bad severity: %s", *severity);
            return false;
        }
    }
    if (meter) {
        const struct nbrec_meter *m;
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, meter, "meter", meter, true,
                                         &m))) {
            return false;
        }
    }
    return true;
}

/* Parses the --label option of acl-add, for an ACL with 'verdict', into
 * '*label' (0 without the option). */
static bool
parse_acl_label(struct ctl_context *ctx, const char *verdict,
                int64_t *label)
{
    const char *s = option_value(ctx, "--label");
    *label = 0;
    if (!s) {
        return true;
    }
    if (strcmp(verdict, "allow") && strcmp(verdict, "allow-related")) {
        ctl_error(ctx, "label can only be set with actions \"allow\" or "
                  "\"allow-related\"");
        return false;
    }
    long long int l;
    if (!str_to_llong(s, 10, &l) || l < 0 || l > UINT32_MAX) {
        ctl_error(ctx, "%s: label must in range 0...4294967295", s);
        return false;
    }
    *label = l;
    return true;
}

/* Returns true if 'acl' is evaluated after load balancing. */
static bool
acl_after_lb(const struct nbrec_acl *acl)
{
    return smap_get_bool(&acl->options, "apply-after-lb", false);
}

/* "acl-add ENTITY DIRECTION PRIORITY MATCH VERDICT".  Two ACLs of an
 * entity that agree in direction, stage (before or after load
 * balancing), priority and match are the same rule. */
static void
cmd_acl_add(struct ctl_context *ctx)
{
    static const char *const verdicts[] = {
        "allow", "allow-related", "allow-stateless", "drop", "reject",
    };
    struct acl_entity e;
    const char *direction;
    const char *match = ctx->argv[4];
    const char *verdict = ctx->argv[5];
    const char *severity;
    int64_t priority, label;

    if (!find_acl_entity(ctx, ctx->argv[1], &e)
        || !nbctl_parse_direction(ctx, ctx->argv[2], &direction)
        || !nbctl_parse_priority(ctx, ctx->argv[3], &priority)) {
        return;
    }
    bool verdict_ok = false;
    for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++) {
        verdict_ok = verdict_ok || !strcmp(verdict, verdicts[i]);
    }
    if (!verdict_ok) {
        ctl_error(ctx, "%s: action must be one of \"allow\", "
                  "\"allow-related\", \"allow-stateless\", \"drop\", "
                  "and \"reject\"", verdict);
        return;
    }
    if (!check_acl_options(ctx, &severity)
        || !parse_acl_label(ctx, verdict, &label)) {
        return;
    }
    char *error = nb_validate_match(ctx->idl, match);
    if (error) {
        ctl_error(ctx, "%s: %s", match, error);
        free(error);
        return;
    }
    bool after_lb = (!strcmp(direction, "from-lport")
                     && nbctl_has_option(ctx, "--apply-after-lb"));

    size_t n;
    struct nbrec_acl **acls = entity_acls(ctx->idl, &e, &n);
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_acl *acl = acls[i];
        if (acl->priority == priority && !strcmp(acl->direction, direction)
            && !strcmp(acl->match, match) && acl_after_lb(acl) == after_lb) {
            if (!nbctl_has_option(ctx, "--may-exist")) {
                ctl_error(ctx, "Same ACL already existed on the ls %s.",
                          ctx->argv[1]);
            }
            free(acls);
            return;
        }
    }
    free(acls);

    struct nbrec_acl *acl = nbrec_acl_insert(ctx->txn);
    nbrec_acl_set_direction(acl, direction);
    nbrec_acl_set_priority(acl, priority);
    nbrec_acl_set_match(acl, match);
    nbrec_acl_set_action(acl, verdict);
    nbrec_acl_set_log(acl, (nbctl_has_option(ctx, "--log") || severity
                            || option_value(ctx, "--name")
                            || option_value(ctx, "--meter")));
    if (severity) {
        nbrec_acl_set_severity(acl, severity);
    }
    nbrec_acl_set_name(acl, option_value(ctx, "--name"));
    nbrec_acl_set_meter(acl, option_value(ctx, "--meter"));
    if (label) {
        nbrec_acl_set_label(acl, label);
    }
    if (after_lb) {
        const struct smap options = SMAP_CONST1(&options, "apply-after-lb",
                                                "true");
        nbrec_acl_set_options(acl, &options);
    }

    entity_add_acl(&e, acl);
}

/* "acl-del ENTITY [DIRECTION [PRIORITY MATCH]]". */
static void
cmd_acl_del(struct ctl_context *ctx)
{
    struct acl_entity e;
    const char *direction = NULL;
    const char *match = ctx->argc > 4 ? ctx->argv[4] : NULL;
    int64_t priority = -1;
    if (!find_acl_entity(ctx, ctx->argv[1], &e)
        || (ctx->argc > 2
            && !nbctl_parse_direction(ctx, ctx->argv[2],
                                      &direction))
        || (ctx->argc > 3 && !nbctl_parse_priority(ctx, ctx->argv[3],
                                             &priority))) {
        return;
    }
    if (ctx->argc == 4) {
        ctl_error(ctx, "cannot specify priority without match");
        return;
    }

    size_t n;
    struct nbrec_acl **acls = entity_acls(ctx->idl, &e, &n);
    size_t n_hits = 0;
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_acl *acl = acls[i];
        bool hit = ((!direction || !strcmp(acl->direction, direction))
                    && (!match || (acl->priority == priority
                                   && !strcmp(acl->match, match))));
        if (hit) {
            acls[n_hits++] = acls[i];
        }
    }
    if (match && !n_hits && !nbctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "no %s ACL with priority %"PRId64" and match "
                  "\"%s\"", direction, priority, match);
    } else {
        for (size_t i = 0; i < n_hits; i++) {
            entity_del_acl(&e, acls[i]);
        }
    }
    free(acls);
}

/* Orders ACLs as ovn-nbctl lists them: direction (from-lport first),
 * those before load balancing first, descending priority, then match. */
static int
compare_acls(const void *a_, const void *b_)
{
    const struct nbrec_acl *a = *(const struct nbrec_acl *const *) a_;
    const struct nbrec_acl *b = *(const struct nbrec_acl *const *) b_;
    int cmp = strcmp(a->direction, b->direction);
    if (cmp) {
        return cmp;
    }
    if (acl_after_lb(a) != acl_after_lb(b)) {
        return acl_after_lb(a) ? 1 : -1;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return strcmp(a->match, b->match);
}

/* "acl-list ENTITY". */
static void
cmd_acl_list(struct ctl_context *ctx)
{
    struct acl_entity e;
    if (!find_acl_entity(ctx, ctx->argv[1], &e)) {
        return;
    }
    size_t n;
    struct nbrec_acl **sorted = entity_acls(ctx->idl, &e, &n);
    qsort(sorted, n, sizeof *sorted, compare_acls);
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_acl *acl = sorted[i];
        ds_put_format(&ctx->output, "%10s %5"PRId64" (%s) %s",
                      acl->direction, acl->priority, acl->match,
                      acl->action);
        if (acl->log) {
            ds_put_cstr(&ctx->output, " log(");
            const char *sep = "";
            if (acl->name) {
                ds_put_format(&ctx->output, "name=%s", acl->name);
                sep = ",";
            }
            if (acl->severity) {
                ds_put_format(&ctx->output, "%sseverity=%s", sep,
                              acl->severity);
                sep = ",";
            }
            if (acl->meter) {
                ds_put_format(&ctx->output, "%smeter=\"%s\"", sep,
                              acl->meter);
            }
            ds_put_char(&ctx->output, ')');
        }
        if (acl->label) {
            ds_put_format(&ctx->output, " label=%"PRId64, acl->label);
        }
        if (acl_after_lb(acl)) {
            ds_put_cstr(&ctx->output, " [after-lb]");
        }
        ds_put_char(&ctx->output, '\n');
    }
    free(sorted);
}

/* Port groups. */

/* Looks up the 'n' ports named in 'names' into a new array. */
static struct nbrec_logical_switch_port **
find_ports(struct ctl_context *ctx, char **names, size_t n)
{
    struct nbrec_logical_switch_port **ports
        = xmalloc((n + 1) * sizeof *ports);
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_logical_switch_port *lsp;
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch_port,
                                         "port", names[i],
                                         true, &lsp))) {
            free(ports);
            return NULL;
        }
        ports[i] = CONST_CAST(struct nbrec_logical_switch_port *, lsp);
    }
    return ports;
}

/* "pg-add PG [PORT]...". */
static void
cmd_pg_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    if (!nbctl_check(ctx, nb_validate_name(name))
        || !nbctl_name_is_free(ctx, &nbrec_table_port_group, "port group",
                               name)) {
        return;
    }
    struct nbrec_logical_switch_port **ports
        = find_ports(ctx, ctx->argv + 2, ctx->argc - 2);
    if (ports) {
        struct nbrec_port_group *new = nbrec_port_group_insert(ctx->txn);
        nbrec_port_group_set_name(new, name);
        nbrec_port_group_set_ports(new, ports, ctx->argc - 2);
        free(ports);
    }
}

/* "pg-set-ports PG PORT...". */
static void
cmd_pg_set_ports(struct ctl_context *ctx)
{
    const struct nbrec_port_group *pg;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, port_group, "port group",
                                     ctx->argv[1], true, &pg))) {
        return;
    }
    struct nbrec_logical_switch_port **ports
        = find_ports(ctx, ctx->argv + 2, ctx->argc - 2);
    if (ports) {
        nbrec_port_group_set_ports(pg, ports, ctx->argc - 2);
        free(ports);
    }
}

/* "pg-del PG". */
static void
cmd_pg_del(struct ctl_context *ctx)
{
    const struct nbrec_port_group *pg;
    if (nbctl_check(ctx, NBCTL_FIND(ctx, port_group, "port group",
                                    ctx->argv[1],
                                    !nbctl_has_option(ctx, "--if-exists"),
                                    &pg))
        && pg) {
        /* The database would delete the group's ACLs with it; deleting
         * them here too keeps validation from checking their matches. */
        size_t n;
        struct nbrec_acl **acls = nbctl_pending_acls(
            ctx->idl, &pg->header_, &nbrec_port_group_col_acls, &n);
        for (size_t i = 0; i < n; i++) {
            nbrec_acl_delete(acls[i]);
        }
        free(acls);
        nbrec_port_group_delete(pg);
    }
}

/* Address sets. */

/* Checks the addresses in arguments 2 and later. */
static bool
check_addresses(struct ctl_context *ctx)
{
    for (int i = 2; i < ctx->argc; i++) {
        if (!nbctl_check(ctx, nb_validate_ip_or_cidr(ctx->argv[i]))) {
            return false;
        }
    }
    return true;
}

/* "as-add NAME [ADDRESS]...". */
static void
cmd_as_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    if (!nbctl_check(ctx, nb_validate_name(name)) || !check_addresses(ctx)
        || !nbctl_name_is_free(ctx, &nbrec_table_address_set, "Address Set",
                               name)) {
        return;
    }
    struct nbrec_address_set *new = nbrec_address_set_insert(ctx->txn);
    nbrec_address_set_set_name(new, name);
    nbrec_address_set_set_addresses(new, (const char **) ctx->argv + 2,
                                    ctx->argc - 2);
}

/* "as-set-addresses NAME ADDRESS...". */
static void
cmd_as_set_addresses(struct ctl_context *ctx)
{
    const struct nbrec_address_set *as;
    if (nbctl_check(ctx, NBCTL_FIND(ctx, address_set, "Address Set",
                                    ctx->argv[1], true, &as))
        && check_addresses(ctx)) {
        nbrec_address_set_set_addresses(as, (const char **) ctx->argv + 2,
                                        ctx->argc - 2);
    }
}

/* "as-del NAME".  An address set that a NAT rule refers to stays: the
 * rule would lose its meaning (lr-nat-update-ext-ip). */
static void
cmd_as_del(struct ctl_context *ctx)
{
    const struct nbrec_address_set *as;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, address_set, "Address Set",
                                     ctx->argv[1],
                                     !nbctl_has_option(ctx, "--if-exists"),
                                     &as))
        || !as) {
        return;
    }
    const struct nbrec_nat *nat;
    NBREC_NAT_FOR_EACH (nat, ctx->idl) {
        if (nat->allowed_ext_ips == as || nat->exempted_ext_ips == as) {
            ctl_error(ctx, "%s: Address Set is used by the NAT rule for %s "
                      "%s", as->name, nat->type, nat->external_ip);
            return;
        }
    }
    nbrec_address_set_delete(as);
}

/* "as-list". */
static void
cmd_as_list(struct ctl_context *ctx)
{
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    const struct nbrec_address_set *as;
    NBREC_ADDRESS_SET_FOR_EACH (as, ctx->idl) {
        struct ds line = DS_EMPTY_INITIALIZER;
        ds_put_format(&line, "%s:", as->name);
        struct svec addrs = SVEC_EMPTY_INITIALIZER;
        for (size_t i = 0; i < as->n_addresses; i++) {
            svec_add(&addrs, as->addresses[i]);
        }
        svec_sort(&addrs);
        for (size_t i = 0; i < addrs.n; i++) {
            ds_put_format(&line, " %s", addrs.names[i]);
        }
        svec_destroy(&addrs);
        svec_add_nocopy(&lines, ds_steal_cstr(&line));
    }
    nbctl_print_lines(&ctx->output, &lines);
}

/* Meters. */

/* "meter-add NAME drop RATE kbps|pktps [BURST]".  With --may-exist, an
 * existing meter of that name gets the new settings. */
static void
cmd_meter_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *action = ctx->argv[2];
    const char *unit = ctx->argv[4];
    long long int rate, burst = 0;

    const struct nbrec_meter *meter;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, meter, "meter", name, false,
                                     &meter))) {
        return;
    }
    if (meter && !nbctl_has_option(ctx, "--may-exist")) {
        ctl_error(ctx, "meter with name \"%s\" already exists", name);
        return;
    }
    if (!name[0]) {
        ctl_error(ctx, "empty meter name");
        return;
    } else if (!strncmp(name, "__", 2)) {
        ctl_error(ctx, "meter names that begin with \"__\" are reserved");
        return;
    } else if (strcmp(action, "drop")) {
        ctl_error(ctx, "action must be \"drop\"");
        return;
    } else if (!str_to_llong(ctx->argv[3], 10, &rate) || rate < 1
               || rate > UINT32_MAX) {
        ctl_error(ctx, "rate must be in the range 1...4294967295");
        return;
    } else if (strcmp(unit, "kbps") && strcmp(unit, "pktps")) {
        ctl_error(ctx, "unit must be \"kbps\" or \"pktps\"");
        return;
    } else if (ctx->argc > 5
               && (!str_to_llong(ctx->argv[5], 10, &burst) || burst < 0
                   || burst > UINT32_MAX)) {
        ctl_error(ctx, "burst must be in the range 0...4294967295");
        return;
    }
    struct nbrec_meter *m = (meter ? CONST_CAST(struct nbrec_meter *, meter)
                             : nbrec_meter_insert(ctx->txn));
    nbrec_meter_set_name(m, name);
    nbrec_meter_set_unit(m, unit);
    nbrec_meter_set_rate(m, rate);
    nbrec_meter_set_burst_size(m, burst);
    if (nbctl_has_option(ctx, "--fair")) {
        bool fair = true;
        nbrec_meter_set_fair(m, &fair, 1);
    }
}

/* Returns the name of an ACL that uses meter 'name', or NULL. */
static const char *
meter_user(struct ovsdb_idl *idl, const char *name)
{
    const struct nbrec_acl *acl;
    NBREC_ACL_FOR_EACH (acl, idl) {
        if (acl->meter && !strcmp(acl->meter, name)) {
            return acl->match;
        }
    }
    return NULL;
}

/* "meter-del [NAME]". */
static void
cmd_meter_del(struct ctl_context *ctx)
{
    if (ctx->argc == 1) {
        const struct nbrec_meter *meter;
        NBREC_METER_FOR_EACH_SAFE (meter, ctx->idl) {
            const char *user = meter_user(ctx->idl, meter->name);
            if (user) {
                ctl_error(ctx, "%s: meter is used by the ACL \"%s\"",
                          meter->name, user);
                return;
            }
            nbrec_meter_delete(meter);
        }
        return;
    }
    const struct nbrec_meter *meter;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, meter, "meter", ctx->argv[1],
                                     !nbctl_has_option(ctx, "--if-exists"),
                                     &meter)) || !meter) {
        return;
    }
    const char *user = meter_user(ctx->idl, meter->name);
    if (user) {
        ctl_error(ctx, "%s: meter is used by the ACL \"%s\"",
                  meter->name, user);
        return;
    }
    nbrec_meter_delete(meter);
}

/* "meter-list", in ovn-nbctl's format: a meter's single drop band on a
 * line of its own. */
static void
cmd_meter_list(struct ctl_context *ctx)
{
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    const struct nbrec_meter *meter;
    NBREC_METER_FOR_EACH (meter, ctx->idl) {
        struct ds line = DS_EMPTY_INITIALIZER;
        ds_put_format(&line, "%s:", meter->name);
        if (meter->n_fair) {
            ds_put_format(&line, " (%s)", meter->fair[0] ? "fair" : "shared");
        }
        ds_put_format(&line, " bands:\n  drop: %"PRId64" %s", meter->rate,
                      meter->unit);
        if (meter->burst_size) {
            ds_put_format(&line, ", %"PRId64" %s burst", meter->burst_size,
                          !strcmp(meter->unit, "kbps") ? "kb" : "packet");
        }
        svec_add_nocopy(&lines, ds_steal_cstr(&line));
    }
    nbctl_print_lines(&ctx->output, &lines);
}

/* Prerequisites of "acl-add", "acl-del" and "acl-list" (see
 * nbctl_monitor()): the switches' and port groups' names and ACLs, the
 * ACLs, and what validating an ACL before commit reads (nb-validate.h):
 * meter names, port group names ("@PG", "$PG_ip4"), address sets' names
 * and addresses (a set must hold an address of the family of the field it
 * is compared with).  Not the ports: on a large database they are most of
 * it.  (Which rows of these tables are read, see nbctl-partial.c.) */
static void
pre_acl(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_col_name);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_col_acls);
    ovsdb_idl_add_column(ctx->idl, &nbrec_port_group_col_name);
    ovsdb_idl_add_column(ctx->idl, &nbrec_port_group_col_acls);
    for (size_t i = 0; i < NBREC_ACL_N_COLUMNS; i++) {
        ovsdb_idl_add_column(ctx->idl, &nbrec_acl_columns[i]);
    }
    ovsdb_idl_add_column(ctx->idl, &nbrec_meter_col_name);
    ovsdb_idl_add_column(ctx->idl, &nbrec_address_set_col_name);
    ovsdb_idl_add_column(ctx->idl, &nbrec_address_set_col_addresses);
}

/* Prerequisites of "as-add" and "as-set-addresses": address sets' names
 * (lookup, and validation that a name is used once) and addresses (what
 * validation checks of the set written). */
static void
pre_address_set(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &nbrec_address_set_col_name);
    ovsdb_idl_add_column(ctx->idl, &nbrec_address_set_col_addresses);
}

/* ACL, port group, address set and meter commands. */
static const struct ctl_command_syntax policy_commands[] = {
    { "acl-add", 5, 5, "{SWITCH | PORTGROUP} DIRECTION PRIORITY MATCH "
      "VERDICT", pre_acl, cmd_acl_add, NULL,
      "--log,--may-exist,--type=,--name=,--severity=,--meter=,--label=,"
      "--apply-after-lb", RW },
    { "acl-del", 1, 4, "{SWITCH | PORTGROUP} [DIRECTION [PRIORITY MATCH]]",
      pre_acl, cmd_acl_del, NULL, "--type=,--if-exists", RW },
    { "acl-list", 1, 1, "{SWITCH | PORTGROUP}", pre_acl, cmd_acl_list, NULL,
      "--type=", RO },
    { "pg-add", 1, INT_MAX, "PG [PORT]...", NULL, cmd_pg_add, NULL,
      "--may-exist", RW },
    { "pg-set-ports", 2, INT_MAX, "PG PORT...", NULL, cmd_pg_set_ports, NULL,
      "", RW },
    { "pg-del", 1, 1, "PG", NULL, cmd_pg_del, NULL, "--if-exists", RW },
    { "as-add", 1, INT_MAX, "NAME [ADDRESS]...", pre_address_set,
      cmd_as_add, NULL, "--may-exist", RW },
    { "as-set-addresses", 2, INT_MAX, "NAME ADDRESS...", pre_address_set,
      cmd_as_set_addresses, NULL, "", RW },
    { "as-del", 1, 1, "NAME", NULL, cmd_as_del, NULL, "--if-exists", RW },
    { "as-list", 0, 0, "", NULL, cmd_as_list, NULL, "", RO },
    { "meter-add", 4, 5, "NAME drop RATE kbps|pktps [BURST]", NULL,
      cmd_meter_add, NULL, "--may-exist,--fair", RW },
    { "meter-del", 0, 1, "[NAME]", NULL, cmd_meter_del, NULL, "--if-exists",
      RW },
    { "meter-list", 0, 0, "", NULL, cmd_meter_list, NULL, "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Returns true if 'syntax' is one of the ACL, port group, address set and
 * meter commands. */
bool
nbctl_policy_has_command(const struct ctl_command_syntax *syntax)
{
    return (syntax >= policy_commands
            && syntax < &policy_commands[ARRAY_SIZE(policy_commands)]);
}

/* Registers the ACL, port group, address set and meter commands. */
void
nbctl_policy_register(void)
{
    ctl_register_commands(policy_commands);
}
