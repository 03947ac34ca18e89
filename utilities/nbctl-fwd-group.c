/*
 * osmotic-nbctl: forwarding group commands (fwd-group-add, fwd-group-del,
 * fwd-group-list), with ovn-nbctl's arguments, output and messages.
 * Forwarding groups are stored and validated; nothing applies them to
 * traffic yet (lib/nb-unapplied.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Returns the switch that lists forwarding group 'fg', or NULL. */
static const struct nbrec_logical_switch *
fwd_group_switch(struct ovsdb_idl *idl,
                 const struct nbrec_forwarding_group *fg)
{
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
        for (size_t i = 0; i < ls->n_forwarding_groups; i++) {
            if (ls->forwarding_groups[i] == fg) {
                return ls;
            }
        }
    }
    return NULL;
}

/* "[--liveness] fwd-group-add GROUP SWITCH VIP VMAC PORT...". */
static void
cmd_fwd_group_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *vip = ctx->argv[3];
    const char *vmac = ctx->argv[4];

    const struct nbrec_forwarding_group *fg;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, forwarding_group,
                                     "forwarding group", name, false, &fg))) {
        return;
    } else if (fg) {
        ctl_error(ctx, "%s: a forwarding group by this name already exists",
                  name);
        return;
    }
    const struct nbrec_logical_switch *ls;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch, "switch",
                                     ctx->argv[2], true, &ls))) {
        return;
    }
    ovs_be32 ip;
    if (!ip_parse(vip, &ip)) {
        ctl_error(ctx, "invalid ip address %s", vip);
        return;
    }
    struct eth_addr ea;
    if (!eth_addr_from_string(vmac, &ea)) {
        ctl_error(ctx, "invalid mac address %s", vmac);
        return;
    }
    for (int i = 5; i < ctx->argc; i++) {
        const struct nbrec_logical_switch_port *lsp;
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch_port, "port",
                                         ctx->argv[i], false, &lsp))) {
            return;
        } else if (!lsp) {
            ctl_error(ctx, "%s: logical switch port does not exist",
                      ctx->argv[i]);
            return;
        }
        const struct nbrec_logical_switch *owner
            = nbctl_lsp_to_ls(ctx->idl, lsp);
        if (owner != ls) {
            ctl_error(ctx, "%s: port already exists but in logical switch "
                      "%s", ctx->argv[i], owner ? owner->name : "(none)");
            return;
        }
    }

    struct nbrec_forwarding_group *new
        = nbrec_forwarding_group_insert(ctx->txn);
    nbrec_forwarding_group_set_name(new, name);
    nbrec_forwarding_group_set_vip(new, vip);
    nbrec_forwarding_group_set_vmac(new, vmac);
    nbrec_forwarding_group_set_child_port(
        new, (const char **) &ctx->argv[5], ctx->argc - 5);
    nbrec_forwarding_group_set_liveness(new,
                                        nbctl_has_option(ctx, "--liveness"));
    nbrec_logical_switch_update_forwarding_groups_addvalue(ls, new);
}

/* "[--if-exists] fwd-group-del GROUP". */
static void
cmd_fwd_group_del(struct ctl_context *ctx)
{
    const struct nbrec_forwarding_group *fg;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, forwarding_group,
                                     "forwarding group", ctx->argv[1],
                                     !nbctl_has_option(ctx, "--if-exists"),
                                     &fg))
        || !fg) {
        return;
    }
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, ctx->idl) {
        nbrec_logical_switch_update_forwarding_groups_delvalue(ls, fg);
    }
    nbrec_forwarding_group_delete(fg);
}

/* Orders forwarding groups by name. */
static int
compare_fwd_groups(const void *a_, const void *b_)
{
    const struct nbrec_forwarding_group *const *a = a_;
    const struct nbrec_forwarding_group *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* "fwd-group-list [SWITCH]": ovn-nbctl's columns, groups by name. */
static void
cmd_fwd_group_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch *only = NULL;
    if (ctx->argc > 1
        && !nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch, "switch",
                                        ctx->argv[1], true, &only))) {
        return;
    }

    size_t n = 0, allocated = 0;
    const struct nbrec_forwarding_group **groups = NULL;
    const struct nbrec_forwarding_group *fg;
    NBREC_FORWARDING_GROUP_FOR_EACH (fg, ctx->idl) {
        if (n >= allocated) {
            groups = x2nrealloc(groups, &allocated, sizeof *groups);
        }
        groups[n++] = fg;
    }
    if (n) {
        qsort(groups, n, sizeof *groups, compare_fwd_groups);
    }

    struct ds *s = &ctx->output;
    ds_put_format(s, "%-16.16s%-14.16s%-16.7s%-22.21s%s\n",
                  "FWD_GROUP", "LS", "VIP", "VMAC", "CHILD_PORTS");
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_logical_switch *ls
            = fwd_group_switch(ctx->idl, groups[i]);
        if (!ls || (only && ls != only)) {
            continue;
        }
        ds_put_format(s, "%-16.16s%-14.18s%-15.16s%-9.18s     ",
                      groups[i]->name, ls->name, groups[i]->vip,
                      groups[i]->vmac);
        for (size_t j = 0; j < groups[i]->n_child_port; j++) {
            ds_put_format(s, " %s", groups[i]->child_port[j]);
        }
        ds_put_char(s, '\n');
    }
    free(groups);
}

/* The forwarding group commands. */
static const struct ctl_command_syntax fwd_group_commands[] = {
    { "fwd-group-add", 5, INT_MAX, "GROUP SWITCH VIP VMAC PORT...", NULL,
      cmd_fwd_group_add, NULL, "--liveness", RW },
    { "fwd-group-del", 1, 1, "GROUP", NULL, cmd_fwd_group_del, NULL,
      "--if-exists", RW },
    { "fwd-group-list", 0, 1, "[SWITCH]", NULL, cmd_fwd_group_list, NULL,
      "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the forwarding group commands. */
void
nbctl_fwd_group_register(void)
{
    ctl_register_commands(fwd_group_commands);
}
