/*
 * osmotic-nbctl: QoS rule commands (qos-add, qos-del, qos-list), with
 * ovn-nbctl's arguments, output and messages.  QoS rules are stored and
 * validated; nothing applies them to traffic yet (lib/nb-unapplied.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

/* Looks up the switch named by the current command's first argument. */
static const struct nbrec_logical_switch *
arg_ls(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch *ls;
    return (nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch, "switch",
                                        ctx->argv[1], true, &ls))
            ? ls : NULL);
}

/* Returns the value of 'key' in the map of 'n' 'keys' and 'values', or -1
 * if it has none. */
static int64_t
map_get(char **keys, const int64_t *values, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(keys[i], key)) {
            return values[i];
        }
    }
    return -1;
}

/* Orders QoS rules as qos-list prints them: direction (from-lport first),
 * descending priority, then match.  Two rules of a switch that compare
 * equal are the same rule. */
static int
compare_qos(const void *a_, const void *b_)
{
    const struct nbrec_qos *a = *(const struct nbrec_qos *const *) a_;
    const struct nbrec_qos *b = *(const struct nbrec_qos *const *) b_;
    int cmp = strcmp(a->direction, b->direction);
    if (cmp) {
        return cmp;
    } else if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return strcmp(a->match, b->match);
}

/* Parses "KEY=N" argument 'arg' whose key is 'key' ("dscp=") into
 * '*value', which must lie in [min, max]. */
static bool
parse_setting(struct ctl_context *ctx, const char *arg, const char *key,
              const char *what, int64_t min, int64_t max, int64_t *value)
{
    const char *s = arg + strlen(key);
    long long int v;
    if (!str_to_llong(s, 10, &v) || v < min || v > max) {
        ctl_error(ctx, "%s: %s must be in the range %"PRId64"...%"PRId64,
                  s, what, min, max);
        return false;
    }
    *value = v;
    return true;
}

/* "qos-add SWITCH DIRECTION PRIORITY MATCH [dscp=D] [rate=R [burst=B]]". */
static void
cmd_qos_add(struct ctl_context *ctx)
{
    const char *direction;
    int64_t priority;
    if (!nbctl_parse_direction(ctx, ctx->argv[2], &direction)
        || !nbctl_parse_priority(ctx, ctx->argv[3], &priority)) {
        return;
    }
    const struct nbrec_logical_switch *ls = arg_ls(ctx);
    if (!ls) {
        return;
    }

    int64_t dscp = -1, rate = -1, burst = -1;
    for (int i = 5; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        bool ok;
        if (!strncmp(arg, "dscp=", 5)) {
            ok = parse_setting(ctx, arg, "dscp=", "dscp", 0, 63, &dscp);
        } else if (!strncmp(arg, "rate=", 5)) {
            ok = parse_setting(ctx, arg, "rate=", "rate", 1, UINT32_MAX,
                               &rate);
        } else if (!strncmp(arg, "burst=", 6)) {
            ok = parse_setting(ctx, arg, "burst=", "burst", 1, UINT32_MAX,
                               &burst);
        } else {
            ctl_error(ctx, "%s: supported arguments are \"dscp=\", "
                      "\"rate=\", and \"burst=\"", arg);
            ok = false;
        }
        if (!ok) {
            return;
        }
    }
    if (dscp < 0 && rate < 0) {
        ctl_error(ctx, "Either \"rate\" and/or \"dscp\" must be specified");
        return;
    }
    const char *match = ctx->argv[4];
    char *error = nb_validate_match(ctx->idl, match);
    if (error) {
        ctl_error(ctx, "%s: %s", match, error);
        free(error);
        return;
    }

    for (size_t i = 0; i < ls->n_qos_rules; i++) {
        const struct nbrec_qos *qos = ls->qos_rules[i];
        if (qos->priority == priority && !strcmp(qos->direction, direction)
            && !strcmp(qos->match, match)) {
            if (!nbctl_has_option(ctx, "--may-exist")) {
                ctl_error(ctx, "Same qos already existed on the ls %s.",
                          ctx->argv[1]);
            }
            return;
        }
    }

    struct nbrec_qos *qos = nbrec_qos_insert(ctx->txn);
    nbrec_qos_set_priority(qos, priority);
    nbrec_qos_set_direction(qos, direction);
    nbrec_qos_set_match(qos, match);
    if (dscp >= 0) {
        const char *key = "dscp";
        nbrec_qos_set_action(qos, &key, &dscp, 1);
    }
    if (rate >= 0) {
        /* Without a rate, a burst means nothing: ovn-nbctl drops it too. */
        const char *keys[2] = { "rate", "burst" };
        const int64_t values[2] = { rate, burst };
        nbrec_qos_set_bandwidth(qos, keys, values, burst >= 0 ? 2 : 1);
    }
    nbrec_logical_switch_update_qos_rules_addvalue(ls, qos);
}

/* "qos-del SWITCH [{DIRECTION | UUID} [PRIORITY MATCH]]". */
static void
cmd_qos_del(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch *ls = arg_ls(ctx);
    if (!ls) {
        return;
    }
    if (ctx->argc == 2) {
        nbrec_logical_switch_set_qos_rules(ls, NULL, 0);
        return;
    }

    struct uuid uuid;
    if (uuid_from_string(&uuid, ctx->argv[2])) {
        if (ctx->argc > 3) {
            ctl_error(ctx, "uuid must be the only argument");
            return;
        }
        for (size_t i = 0; i < ls->n_qos_rules; i++) {
            if (uuid_equals(&uuid, &ls->qos_rules[i]->header_.uuid)) {
                nbrec_logical_switch_update_qos_rules_delvalue(
                    ls, ls->qos_rules[i]);
                return;
            }
        }
        if (!nbctl_has_option(ctx, "--if-exists")) {
            ctl_error(ctx, "uuid is not found");
        }
        return;
    }

    const char *direction;
    int64_t priority = -1;
    if (!nbctl_parse_direction(ctx, ctx->argv[2], &direction)
        || (ctx->argc > 3
            && !nbctl_parse_priority(ctx, ctx->argv[3], &priority))) {
        return;
    }
    if (ctx->argc == 4) {
        ctl_error(ctx, "cannot specify priority without match");
        return;
    }
    const char *match = ctx->argc > 4 ? ctx->argv[4] : NULL;
    bool found = false;
    for (size_t i = 0; i < ls->n_qos_rules; i++) {
        const struct nbrec_qos *qos = ls->qos_rules[i];
        if (!strcmp(qos->direction, direction)
            && (!match || (qos->priority == priority
                           && !strcmp(qos->match, match)))) {
            nbrec_logical_switch_update_qos_rules_delvalue(ls, qos);
            found = true;
        }
    }
    if (match && !found && !nbctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "no %s QoS rule with priority %"PRId64" and match "
                  "\"%s\"", direction, priority, match);
    }
}

/* "qos-list SWITCH". */
static void
cmd_qos_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch *ls = arg_ls(ctx);
    if (!ls) {
        return;
    }
    size_t n = ls->n_qos_rules;
    struct nbrec_qos **rules = xmalloc((n + 1) * sizeof *rules);
    memcpy(rules, ls->qos_rules, n * sizeof *rules);
    qsort(rules, n, sizeof *rules, compare_qos);
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_qos *qos = rules[i];
        ds_put_format(&ctx->output, "%10s %5"PRId64" (%s)", qos->direction,
                      qos->priority, qos->match);
        int64_t rate = map_get(qos->key_bandwidth, qos->value_bandwidth,
                               qos->n_bandwidth, "rate");
        int64_t burst = map_get(qos->key_bandwidth, qos->value_bandwidth,
                                qos->n_bandwidth, "burst");
        int64_t dscp = map_get(qos->key_action, qos->value_action,
                               qos->n_action, "dscp");
        if (rate >= 0) {
            ds_put_format(&ctx->output, " rate=%"PRId64, rate);
        }
        if (burst >= 0) {
            ds_put_format(&ctx->output, " burst=%"PRId64, burst);
        }
        if (dscp >= 0) {
            ds_put_format(&ctx->output, " dscp=%"PRId64, dscp);
        }
        ds_put_char(&ctx->output, '\n');
    }
    free(rules);
}

/* The QoS commands. */
static const struct ctl_command_syntax qos_commands[] = {
    { "qos-add", 5, 7,
      "SWITCH DIRECTION PRIORITY MATCH [rate=RATE [burst=BURST]] "
      "[dscp=DSCP]", NULL, cmd_qos_add, NULL, "--may-exist", RW },
    { "qos-del", 1, 4, "SWITCH [{DIRECTION | UUID} [PRIORITY MATCH]]", NULL,
      cmd_qos_del, NULL, "--if-exists", RW },
    { "qos-list", 1, 1, "SWITCH", NULL, cmd_qos_list, NULL, "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the QoS commands. */
void
nbctl_qos_register(void)
{
    ctl_register_commands(qos_commands);
}
