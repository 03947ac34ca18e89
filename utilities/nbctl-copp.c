/*
 * osmotic-nbctl: control plane protection commands (copp-add, copp-del,
 * copp-list, ls-copp-add, lr-copp-add), with ovn-nbctl's arguments, output
 * and messages.  A Copp row names, per kind of packet that the control
 * plane handles, the meter that limits it; it is stored and validated, and
 * nothing meters those packets yet (lib/nb-unapplied.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

/* Finds the Copp row named (or with UUID) 'id'. */
static char *
find_copp(struct ctl_context *ctx, const char *id, bool must_exist,
          const struct nbrec_copp **coppp)
{
    return NBCTL_FIND(ctx, copp, "copp", id, must_exist, coppp);
}

/* "copp-add NAME PROTO METER": creates Copp NAME if needed, and makes
 * METER limit the packets of PROTO. */
static void
cmd_copp_add(struct ctl_context *ctx)
{
    const char *proto = ctx->argv[2];
    const char *meter = ctx->argv[3];
    const struct nbrec_copp *copp;
    if (!nbctl_check(ctx, nb_validate_copp_proto(proto))
        || !nbctl_check(ctx, find_copp(ctx, ctx->argv[1], false, &copp))) {
        return;
    }
    if (!copp) {
        struct uuid uuid;
        if (uuid_from_string(&uuid, ctx->argv[1])) {
            ctl_error(ctx, "%s: copp UUID not found", ctx->argv[1]);
            return;
        }
        struct nbrec_copp *new = nbrec_copp_insert(ctx->txn);
        nbrec_copp_set_name(new, ctx->argv[1]);
        copp = new;
    }
    /* The whole column, not a map mutation, so that the validation before
     * commit sees the new value. */
    struct smap meters;
    smap_clone(&meters, &copp->meters);
    smap_replace(&meters, proto, meter);
    nbrec_copp_set_meters(copp, &meters);
    smap_destroy(&meters);
}

/* "copp-del NAME [PROTO]": deletes PROTO's meter from Copp NAME, or the
 * whole row without PROTO or when it has no meter left.  A missing row is
 * not an error, as in ovn-nbctl. */
static void
cmd_copp_del(struct ctl_context *ctx)
{
    const char *proto = ctx->argc > 2 ? ctx->argv[2] : NULL;
    const struct nbrec_copp *copp;
    if ((proto && !nbctl_check(ctx, nb_validate_copp_proto(proto)))
        || !nbctl_check(ctx, find_copp(ctx, ctx->argv[1], false, &copp))
        || !copp) {
        return;
    }
    if (proto && (smap_count(&copp->meters) > 1
                  || !smap_get(&copp->meters, proto))) {
        struct smap meters;
        smap_clone(&meters, &copp->meters);
        smap_remove(&meters, proto);
        nbrec_copp_set_meters(copp, &meters);
        smap_destroy(&meters);
    } else {
        nbrec_copp_delete(copp);
    }
}

/* "copp-list NAME": "PROTO: METER" lines. */
static void
cmd_copp_list(struct ctl_context *ctx)
{
    const struct nbrec_copp *copp;
    if (!nbctl_check(ctx, find_copp(ctx, ctx->argv[1], false, &copp))
        || !copp) {
        return;
    }
    const struct smap_node **nodes = smap_sort(&copp->meters);
    for (size_t i = 0; i < smap_count(&copp->meters); i++) {
        ds_put_format(&ctx->output, "%s: %s\n", nodes[i]->key,
                      nodes[i]->value);
    }
    free(nodes);
}

/* "ls-copp-add NAME SWITCH". */
static void
cmd_ls_copp_add(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch *ls;
    const struct nbrec_copp *copp;
    if (nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch, "switch",
                                    ctx->argv[2], true, &ls))
        && nbctl_check(ctx, find_copp(ctx, ctx->argv[1], true, &copp))) {
        nbrec_logical_switch_set_copp(ls, copp);
    }
}

/* "lr-copp-add NAME ROUTER". */
static void
cmd_lr_copp_add(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr;
    const struct nbrec_copp *copp;
    if (nbctl_check(ctx, NBCTL_FIND(ctx, logical_router, "router",
                                    ctx->argv[2], true, &lr))
        && nbctl_check(ctx, find_copp(ctx, ctx->argv[1], true, &copp))) {
        nbrec_logical_router_set_copp(lr, copp);
    }
}

/* The CoPP commands. */
static const struct ctl_command_syntax copp_commands[] = {
    { "copp-add", 3, 3, "NAME PROTO METER", NULL, cmd_copp_add, NULL, "",
      RW },
    { "copp-del", 1, 2, "NAME [PROTO]", NULL, cmd_copp_del, NULL, "", RW },
    { "copp-list", 1, 1, "NAME", NULL, cmd_copp_list, NULL, "", RO },
    { "ls-copp-add", 2, 2, "NAME SWITCH", NULL, cmd_ls_copp_add, NULL, "",
      RW },
    { "lr-copp-add", 2, 2, "NAME ROUTER", NULL, cmd_lr_copp_add, NULL, "",
      RW },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the CoPP commands. */
void
nbctl_copp_register(void)
{
    ctl_register_commands(copp_commands);
}
