/*
 * osmotic-nbctl: load balancer commands (lb-add, lb-del, lb-list, and
 * ls-lb-* and lr-lb-* that attach them to switches and routers), with
 * ovn-nbctl's arguments, output and messages.  Load balancers are stored
 * and validated; nothing applies them to traffic yet (lib/nb-unapplied.c).
 *
 * VIPs and backends are stored in canonical form (lib/lb-vips.h), so that
 * two spellings of one VIP are one VIP.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/lb-vips.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* Looks up load balancer 'id'. */
static char *
find_lb(struct ctl_context *ctx, const char *id, bool must_exist,
        const struct nbrec_load_balancer **lbp)
{
    return NBCTL_FIND(ctx, load_balancer, "load balancer", id, must_exist,
                      lbp);
}

/* "lb-add LB VIP BACKENDS [PROTOCOL]".  A load balancer of that name gets
 * the VIP too (an error if it has it, unless --may-exist, which replaces
 * its backends); --add-duplicate makes a new one of the same name. */
static void
cmd_lb_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *protocol = ctx->argc > 4 ? ctx->argv[4] : NULL;
    bool may_exist = nbctl_has_option(ctx, "--may-exist");
    bool add_duplicate = nbctl_has_option(ctx, "--add-duplicate");
    bool reject = nbctl_has_option(ctx, "--reject");
    bool event = nbctl_has_option(ctx, "--event");

    if (reject && event) {
        ctl_error(ctx, "--reject and --event can't specified at the same "
                  "time");
        return;
    } else if (may_exist && add_duplicate) {
        ctl_error(ctx, "--may-exist and --add-duplicate may not be used "
                  "together");
        return;
    } else if (protocol && strcmp(protocol, "tcp") && strcmp(protocol, "udp")
               && strcmp(protocol, "sctp")) {
        ctl_error(ctx, "%s: protocol must be one of \"tcp\", \"udp\",  or "
                  "\"sctp\".", protocol);
        return;
    } else if (!name[0]) {
        ctl_error(ctx, "empty load balancer name");
        return;
    }

    char *vip, *backends;
    bool has_port;
    if (!nbctl_check(ctx, lb_vip_normalize(ctx->argv[2], ctx->argv[3], &vip,
                                           &backends, &has_port))) {
        return;
    }
    if (protocol && !has_port) {
        ctl_error(ctx, "Protocol is unnecessary when no port of vip is "
                  "given.");
        goto out;
    }

    const struct nbrec_load_balancer *lb = NULL;
    if (!add_duplicate && !nbctl_check(ctx, find_lb(ctx, name, false, &lb))) {
        goto out;
    }
    if (lb) {
        if (smap_get(&lb->vips, vip) && !may_exist) {
            ctl_error(ctx, "%s: a load balancer with this vip (%s) already "
                      "exists", name, vip);
            goto out;
        }
        struct smap vips = SMAP_INITIALIZER(&vips);
        smap_clone(&vips, &lb->vips);
        smap_replace(&vips, vip, backends);
        nbrec_load_balancer_set_vips(lb, &vips);
        smap_destroy(&vips);
        if (protocol) {
            nbrec_load_balancer_set_protocol(lb, protocol);
        }
        goto out;
    }

    struct nbrec_load_balancer *new = nbrec_load_balancer_insert(ctx->txn);
    nbrec_load_balancer_set_name(new, name);
    nbrec_load_balancer_set_protocol(new, protocol ? protocol : "tcp");
    const struct smap vips = SMAP_CONST1(&vips, vip, backends);
    nbrec_load_balancer_set_vips(new, &vips);
    struct smap options = SMAP_INITIALIZER(&options);
    if (reject) {
        smap_add(&options, "reject", "true");
    }
    if (event) {
        smap_add(&options, "event", "true");
    }
    if (nbctl_has_option(ctx, "--add-route")) {
        smap_add(&options, "add_route", "true");
    }
    nbrec_load_balancer_set_options(new, &options);
    smap_destroy(&options);

out:
    free(vip);
    free(backends);
}

/* "lb-del LB [VIP]".  Deleting a load balancer's last VIP deletes it. */
static void
cmd_lb_del(struct ctl_context *ctx)
{
    bool if_exists = nbctl_has_option(ctx, "--if-exists");
    const struct nbrec_load_balancer *lb;
    if (!nbctl_check(ctx, find_lb(ctx, ctx->argv[1], !if_exists, &lb))
        || !lb) {
        return;
    }
    if (ctx->argc == 2) {
        nbrec_load_balancer_delete(lb);
        return;
    }

    /* The VIP as written, or in canonical form. */
    const char *vip = ctx->argv[2];
    char *canonical = NULL;
    if (!smap_get(&lb->vips, vip)) {
        char *backends;
        bool has_port;
        char *error = lb_vip_normalize(vip, "", &canonical, &backends,
                                       &has_port);
        free(error);
        free(backends);
        vip = canonical;
    }
    if (!vip || !smap_get(&lb->vips, vip)) {
        if (!if_exists) {
            ctl_error(ctx, "vip %s is not part of the load balancer.",
                      ctx->argv[2]);
        }
    } else if (smap_count(&lb->vips) == 1) {
        nbrec_load_balancer_delete(lb);
    } else {
        struct smap vips = SMAP_INITIALIZER(&vips);
        smap_clone(&vips, &lb->vips);
        smap_remove(&vips, vip);
        nbrec_load_balancer_set_vips(lb, &vips);
        smap_destroy(&vips);
    }
    free(canonical);
}

/* A list of load balancers to print, as ovn-nbctl prints them. */
struct lb_listing {
    struct svec lines;          /* "NAME\tTEXT", sorted on printing. */
    int vip_width;              /* Width of the VIP column. */
};

/* Widens the VIP column of 'l' for the VIPs of 'lb'. */
static void
lb_listing_measure(struct lb_listing *l, const struct nbrec_load_balancer *lb)
{
    const struct smap_node *node;
    SMAP_FOR_EACH (node, &lb->vips) {
        l->vip_width = MAX(l->vip_width, strlen(node->key));
    }
}

/* Adds the lines of 'lb' to 'l': its UUID, name and first VIP, then a
 * line for each other VIP.  The protocol goes with VIPs that have a
 * port. */
static void
lb_listing_add(struct lb_listing *l, const struct nbrec_load_balancer *lb)
{
    const struct smap_node **nodes = smap_sort(&lb->vips);
    struct ds text = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < smap_count(&lb->vips); i++) {
        const struct smap_node *node = nodes[i];
        struct lb_endpoint e;
        const char *proto = (lb_endpoint_parse(node->key, &e) && e.port
                             && lb->protocol ? lb->protocol : "");
        if (!i) {
            ds_put_format(&text, UUID_FMT"    %-20.16s",
                          UUID_ARGS(&lb->header_.uuid), lb->name);
        } else {
            ds_put_format(&text, "\n%60s", "");
        }
        ds_put_format(&text, "%-11.7s%-*.*s%s", proto, l->vip_width + 4,
                      l->vip_width, node->key, node->value);
    }
    free(nodes);
    if (text.length) {
        svec_add_nocopy(&l->lines, xasprintf("%-20.16s\t%s", lb->name,
                                             ds_cstr(&text)));
    }
    ds_destroy(&text);
}

/* Prints 'l', sorted by load balancer name, under its heading, and frees
 * it. */
static void
lb_listing_print(struct ds *out, struct lb_listing *l)
{
    if (l->lines.n) {
        ds_put_format(out, "%-40.36s%-20.16s%-11.7s%-*.*s%s\n", "UUID", "LB",
                      "PROTO", l->vip_width + 4, l->vip_width, "VIP", "IPs");
        svec_sort(&l->lines);
        const char *line;
        size_t i;
        SVEC_FOR_EACH (i, line, &l->lines) {
            ds_put_format(out, "%s\n", strchr(line, '\t') + 1);
        }
    }
    svec_destroy(&l->lines);
}

/* "lb-list [LB]". */
static void
cmd_lb_list(struct ctl_context *ctx)
{
    struct lb_listing l = { .lines = SVEC_EMPTY_INITIALIZER };
    const char *name = ctx->argc > 1 ? ctx->argv[1] : NULL;
    const struct nbrec_load_balancer *lb;
    for (int pass = 0; pass < 2; pass++) {
        NBREC_LOAD_BALANCER_FOR_EACH (lb, ctx->idl) {
            if (!name || !strcmp(lb->name, name)) {
                if (!pass) {
                    lb_listing_measure(&l, lb);
                } else {
                    lb_listing_add(&l, lb);
                }
            }
        }
    }
    lb_listing_print(&ctx->output, &l);
}

/* The load balancers of a switch or router, for ls-lb-* and lr-lb-*. */
struct lb_owner {
    const struct nbrec_logical_switch *ls;  /* The switch, or NULL. */
    const struct nbrec_logical_router *lr;  /* The router, or NULL. */
    struct nbrec_load_balancer **lbs;       /* Its load balancers. */
    size_t n_lbs;                           /* Number of 'lbs'. */
    struct nbrec_load_balancer_group **groups; /* Its groups. */
    size_t n_groups;                        /* Number of 'groups'. */
};

/* Finds the switch (for "ls-lb-*") or router named by argument 1. */
static bool
find_lb_owner(struct ctl_context *ctx, struct lb_owner *o)
{
    memset(o, 0, sizeof *o);
    if (!strncmp(ctx->argv[0], "ls-", 3)) {
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch, "switch",
                                         ctx->argv[1], true, &o->ls))) {
            return false;
        }
        o->lbs = o->ls->load_balancer;
        o->n_lbs = o->ls->n_load_balancer;
        o->groups = o->ls->load_balancer_group;
        o->n_groups = o->ls->n_load_balancer_group;
    } else {
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_router, "router",
                                         ctx->argv[1], true, &o->lr))) {
            return false;
        }
        o->lbs = o->lr->load_balancer;
        o->n_lbs = o->lr->n_load_balancer;
        o->groups = o->lr->load_balancer_group;
        o->n_groups = o->lr->n_load_balancer_group;
    }
    return true;
}

/* "ls-lb-add SWITCH LB", "lr-lb-add ROUTER LB". */
static void
cmd_xx_lb_add(struct ctl_context *ctx)
{
    struct lb_owner o;
    const struct nbrec_load_balancer *lb;
    if (!find_lb_owner(ctx, &o)
        || !nbctl_check(ctx, find_lb(ctx, ctx->argv[2], true, &lb))) {
        return;
    }
    for (size_t i = 0; i < o.n_lbs; i++) {
        if (o.lbs[i] == lb) {
            if (!nbctl_has_option(ctx, "--may-exist")) {
                ctl_error(ctx, UUID_FMT" : a load balancer with this UUID "
                          "already exists", UUID_ARGS(&lb->header_.uuid));
            }
            return;
        }
    }
    if (o.ls) {
        nbrec_logical_switch_update_load_balancer_addvalue(o.ls, lb);
    } else {
        nbrec_logical_router_update_load_balancer_addvalue(o.lr, lb);
    }
}

/* "ls-lb-del SWITCH [LB]", "lr-lb-del ROUTER [LB]". */
static void
cmd_xx_lb_del(struct ctl_context *ctx)
{
    struct lb_owner o;
    const struct nbrec_load_balancer *lb = NULL;
    if (!find_lb_owner(ctx, &o)) {
        return;
    }
    if (ctx->argc == 2) {
        if (o.ls) {
            nbrec_logical_switch_set_load_balancer(o.ls, NULL, 0);
        } else {
            nbrec_logical_router_set_load_balancer(o.lr, NULL, 0);
        }
        return;
    }
    if (!nbctl_check(ctx, find_lb(ctx, ctx->argv[2], true, &lb))) {
        return;
    }
    for (size_t i = 0; i < o.n_lbs; i++) {
        if (o.lbs[i] == lb) {
            if (o.ls) {
                nbrec_logical_switch_update_load_balancer_delvalue(o.ls, lb);
            } else {
                nbrec_logical_router_update_load_balancer_delvalue(o.lr, lb);
            }
            return;
        }
    }
    if (!nbctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "load balancer %s is not part of any logical %s.",
                  lb->name, o.ls ? "switch" : "router");
    }
}

/* "ls-lb-list SWITCH", "lr-lb-list ROUTER": its load balancers and those
 * of its load balancer groups. */
static void
cmd_xx_lb_list(struct ctl_context *ctx)
{
    struct lb_owner o;
    if (!find_lb_owner(ctx, &o)) {
        return;
    }
    struct lb_listing l = { .lines = SVEC_EMPTY_INITIALIZER };
    for (int pass = 0; pass < 2; pass++) {
        void (*visit)(struct lb_listing *,
                      const struct nbrec_load_balancer *)
            = pass ? lb_listing_add : lb_listing_measure;
        for (size_t i = 0; i < o.n_lbs; i++) {
            visit(&l, o.lbs[i]);
        }
        for (size_t i = 0; i < o.n_groups; i++) {
            for (size_t j = 0; j < o.groups[i]->n_load_balancer; j++) {
                visit(&l, o.groups[i]->load_balancer[j]);
            }
        }
    }
    lb_listing_print(&ctx->output, &l);
}

/* The load balancer commands. */
static const struct ctl_command_syntax lb_commands[] = {
    { "lb-add", 3, 4, "LB VIP[:PORT] IP[:PORT][,IP[:PORT]]... [PROTOCOL]",
      NULL, cmd_lb_add, NULL,
      "--may-exist,--add-duplicate,--reject,--event,--add-route", RW },
    { "lb-del", 1, 2, "LB [VIP]", NULL, cmd_lb_del, NULL, "--if-exists",
      RW },
    { "lb-list", 0, 1, "[LB]", NULL, cmd_lb_list, NULL, "", RO },
    { "ls-lb-add", 2, 2, "SWITCH LB", NULL, cmd_xx_lb_add, NULL,
      "--may-exist", RW },
    { "ls-lb-del", 1, 2, "SWITCH [LB]", NULL, cmd_xx_lb_del, NULL,
      "--if-exists", RW },
    { "ls-lb-list", 1, 1, "SWITCH", NULL, cmd_xx_lb_list, NULL, "", RO },
    { "lr-lb-add", 2, 2, "ROUTER LB", NULL, cmd_xx_lb_add, NULL,
      "--may-exist", RW },
    { "lr-lb-del", 1, 2, "ROUTER [LB]", NULL, cmd_xx_lb_del, NULL,
      "--if-exists", RW },
    { "lr-lb-list", 1, 1, "ROUTER", NULL, cmd_xx_lb_list, NULL, "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the load balancer commands. */
void
nbctl_lb_register(void)
{
    ctl_register_commands(lb_commands);
}
