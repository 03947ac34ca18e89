/*
 * osmotic-nbctl: HA chassis group commands (ha-chassis-group-add, -del,
 * -list, -add-chassis, -remove-chassis, -set-chassis-prio), with
 * ovn-nbctl's arguments, output and messages (those of OVN 24.03 and
 * later: "ha-chassis-group-list [GROUP]").  A router port whose
 * ha_chassis_group names a group has the group's chassis as its gateway
 * chassis (lib/nb-gateways.h); a switch port's group (external ports) is
 * stored but not applied (lib/nb-unapplied.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/nb-gateways.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"
#include "uuid.h"

/* Finds the HA chassis group named (or with UUID) 'id'. */
static const struct nbrec_ha_chassis_group *
find_group(struct ctl_context *ctx, const char *id)
{
    const struct nbrec_ha_chassis_group *group;
    return (nbctl_check(ctx, NBCTL_FIND(ctx, ha_chassis_group,
                                        "ha_chassis_group", id, true,
                                        &group))
            ? group : NULL);
}

/* Returns the HA_Chassis of 'group' for chassis 'name', or NULL, counting
 * the chassis that earlier commands of the batch added or removed. */
static const struct nbrec_ha_chassis *
find_chassis(struct ctl_context *ctx,
             const struct nbrec_ha_chassis_group *group, const char *name)
{
    size_t n;
    const struct nbrec_ha_chassis **hcs = nb_ha_group_chassis(ctx->idl,
                                                              group, &n);
    const struct nbrec_ha_chassis *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        if (!strcmp(hcs[i]->chassis_name, name)) {
            found = hcs[i];
        }
    }
    free(hcs);
    return found;
}

/* "ha-chassis-group-add NAME". */
static void
cmd_ha_chassis_group_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    if (!nbctl_name_is_free(ctx, &nbrec_table_ha_chassis_group,
                            "HA chassis group", name)) {
        return;
    }
    struct nbrec_ha_chassis_group *group
        = nbrec_ha_chassis_group_insert(ctx->txn);
    nbrec_ha_chassis_group_set_name(group, name);
}

/* Returns the name of a router or switch port whose ha_chassis_group is
 * 'group', or NULL. */
static const char *
group_user(struct ctl_context *ctx,
           const struct nbrec_ha_chassis_group *group)
{
    const struct nbrec_logical_router_port *lrp;
    NBREC_LOGICAL_ROUTER_PORT_FOR_EACH (lrp, ctx->idl) {
        if (lrp->ha_chassis_group == group) {
            return lrp->name;
        }
    }
    const struct nbrec_logical_switch_port *lsp;
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH (lsp, ctx->idl) {
        if (lsp->ha_chassis_group == group) {
            return lsp->name;
        }
    }
    return NULL;
}

/* "ha-chassis-group-del GROUP": refused while a port uses the group (the
 * database would refuse it too, less clearly). */
static void
cmd_ha_chassis_group_del(struct ctl_context *ctx)
{
    const struct nbrec_ha_chassis_group *group
        = find_group(ctx, ctx->argv[1]);
    if (!group) {
        return;
    }
    const char *user = group_user(ctx, group);
    if (user) {
        ctl_error(ctx, "%s: HA chassis group is in use by port %s",
                  ctx->argv[1], user);
        return;
    }
    nbrec_ha_chassis_group_delete(group);
}

/* Appends group 'group', then its chassis and their priorities, in
 * ovn-nbctl's layout. */
static void
list_group(struct ctl_context *ctx,
           const struct nbrec_ha_chassis_group *group)
{
    ds_put_format(&ctx->output, UUID_FMT" (%s)\n",
                  UUID_ARGS(&group->header_.uuid), group->name);
    size_t n;
    const struct nbrec_ha_chassis **hcs = nb_ha_group_chassis(ctx->idl,
                                                              group, &n);
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_ha_chassis *ch = hcs[i];
        ds_put_format(&ctx->output,
                      "    "UUID_FMT" (%s)\n    priority %"PRId64"\n\n",
                      UUID_ARGS(&ch->header_.uuid), ch->chassis_name,
                      ch->priority);
    }
    free(hcs);
    ds_put_char(&ctx->output, '\n');
}

/* "ha-chassis-group-list [GROUP]": group GROUP, or every group. */
static void
cmd_ha_chassis_group_list(struct ctl_context *ctx)
{
    if (ctx->argc > 1) {
        const struct nbrec_ha_chassis_group *group
            = find_group(ctx, ctx->argv[1]);
        if (group) {
            list_group(ctx, group);
        }
        return;
    }
    const struct nbrec_ha_chassis_group *group;
    NBREC_HA_CHASSIS_GROUP_FOR_EACH (group, ctx->idl) {
        list_group(ctx, group);
    }
}

/* "ha-chassis-group-add-chassis GROUP CHASSIS PRIORITY": adds CHASSIS or
 * changes its priority. */
static void
cmd_ha_chassis_group_add_chassis(struct ctl_context *ctx)
{
    const struct nbrec_ha_chassis_group *group
        = find_group(ctx, ctx->argv[1]);
    int64_t priority;
    if (!group || !nbctl_parse_priority(ctx, ctx->argv[3], &priority)) {
        return;
    }
    const char *name = ctx->argv[2];
    const struct nbrec_ha_chassis *ch = find_chassis(ctx, group, name);
    if (!ch) {
        struct nbrec_ha_chassis *new = nbrec_ha_chassis_insert(ctx->txn);
        nbrec_ha_chassis_set_chassis_name(new, name);
        nbrec_ha_chassis_group_update_ha_chassis_addvalue(group, new);
        ch = new;
    }
    nbrec_ha_chassis_set_priority(ch, priority);
}

/* Finds chassis argv[2] in group argv[1], reporting an error if either is
 * missing. */
static const struct nbrec_ha_chassis *
find_group_chassis(struct ctl_context *ctx,
                   const struct nbrec_ha_chassis_group **groupp)
{
    const struct nbrec_ha_chassis_group *group
        = find_group(ctx, ctx->argv[1]);
    const struct nbrec_ha_chassis *ch
        = group ? find_chassis(ctx, group, ctx->argv[2]) : NULL;
    if (group && !ch) {
        ctl_error(ctx, "%s: ha chassis not found in %s ha chassis group",
                  ctx->argv[2], ctx->argv[1]);
    }
    *groupp = group;
    return ch;
}

/* "ha-chassis-group-remove-chassis GROUP CHASSIS". */
static void
cmd_ha_chassis_group_remove_chassis(struct ctl_context *ctx)
{
    const struct nbrec_ha_chassis_group *group;
    const struct nbrec_ha_chassis *ch = find_group_chassis(ctx, &group);
    if (ch) {
        nbrec_ha_chassis_group_update_ha_chassis_delvalue(group, ch);
        nbrec_ha_chassis_delete(ch);
    }
}

/* "ha-chassis-group-set-chassis-prio GROUP CHASSIS PRIORITY". */
static void
cmd_ha_chassis_group_set_chassis_prio(struct ctl_context *ctx)
{
    const struct nbrec_ha_chassis_group *group;
    int64_t priority;
    if (!find_group(ctx, ctx->argv[1])
        || !nbctl_parse_priority(ctx, ctx->argv[3], &priority)) {
        return;
    }
    const struct nbrec_ha_chassis *ch = find_group_chassis(ctx, &group);
    if (ch) {
        nbrec_ha_chassis_set_priority(ch, priority);
    }
}

/* The HA chassis group commands. */
static const struct ctl_command_syntax ha_chassis_commands[] = {
    { "ha-chassis-group-add", 1, 1, "GROUP", NULL, cmd_ha_chassis_group_add,
      NULL, "", RW },
    { "ha-chassis-group-del", 1, 1, "GROUP", NULL, cmd_ha_chassis_group_del,
      NULL, "", RW },
    { "ha-chassis-group-list", 0, 1, "[GROUP]", NULL,
      cmd_ha_chassis_group_list, NULL, "", RO },
    { "ha-chassis-group-add-chassis", 3, 3, "GROUP CHASSIS PRIORITY", NULL,
      cmd_ha_chassis_group_add_chassis, NULL, "", RW },
    { "ha-chassis-group-remove-chassis", 2, 2, "GROUP CHASSIS", NULL,
      cmd_ha_chassis_group_remove_chassis, NULL, "", RW },
    { "ha-chassis-group-set-chassis-prio", 3, 3, "GROUP CHASSIS PRIORITY",
      NULL, cmd_ha_chassis_group_set_chassis_prio, NULL, "", RW },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the HA chassis group commands. */
void
nbctl_ha_chassis_register(void)
{
    ctl_register_commands(ha_chassis_commands);
}
