/*
 * osmotic-nbctl: logical router, router port and gateway chassis
 * commands.  NAT (nbctl-nat.c) and static routes and policies
 * (nbctl-route.c) have files of their own.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

/* Looks up router 'id'. */
static char *
find_lr(struct ctl_context *ctx, const char *id, bool must_exist,
        const struct nbrec_logical_router **lrp)
{
    return NBCTL_FIND(ctx, logical_router, "router", id, must_exist,
                      lrp);
}

/* Looks up router port 'id'. */
static char *
find_lrp(struct ctl_context *ctx, const char *id, bool must_exist,
         const struct nbrec_logical_router_port **lrpp)
{
    return NBCTL_FIND(ctx, logical_router_port, "port", id,
                      must_exist, lrpp);
}

/* Returns the router named by argument 'i', or NULL after reporting an
 * error. */
static const struct nbrec_logical_router *
arg_lr(struct ctl_context *ctx, int i)
{
    const struct nbrec_logical_router *lr;
    return nbctl_check(ctx, find_lr(ctx, ctx->argv[i], true, &lr)) ? lr
           : NULL;
}

/* Returns the router port named by argument 'i', or NULL after reporting
 * an error. */
static const struct nbrec_logical_router_port *
arg_lrp(struct ctl_context *ctx, int i)
{
    const struct nbrec_logical_router_port *lrp;
    return nbctl_check(ctx, find_lrp(ctx, ctx->argv[i], true, &lrp)) ? lrp
           : NULL;
}

/* "lr-add [ROUTER]": as "ls-add", names need not be unique. */
static void
cmd_lr_add(struct ctl_context *ctx)
{
    const char *name = ctx->argc > 1 ? ctx->argv[1] : NULL;
    if (!nbctl_check_add_options(ctx, name)
        || (name && !nbctl_name_is_free(ctx, &nbrec_table_logical_router,
                                        "router", name))) {
        return;
    }
    struct nbrec_logical_router *lr = nbrec_logical_router_insert(ctx->txn);
    if (name) {
        nbrec_logical_router_set_name(lr, name);
    }
}

/* Deletes router port 'lrp' and what belongs to it alone: its gateway
 * chassis (which the database would delete with it, but the replica
 * should not show them to later commands of the batch, which may reuse
 * their names) and its static MAC bindings (which name it). */
static void
delete_lrp(struct ctl_context *ctx,
           const struct nbrec_logical_router_port *lrp)
{
    for (size_t i = 0; i < lrp->n_gateway_chassis; i++) {
        nbrec_gateway_chassis_delete(lrp->gateway_chassis[i]);
    }
    const struct nbrec_static_mac_binding *smb;
    NBREC_STATIC_MAC_BINDING_FOR_EACH_SAFE (smb, ctx->idl) {
        if (!strcmp(smb->logical_port, lrp->name)) {
            nbrec_static_mac_binding_delete(smb);
        }
    }
    nbrec_logical_router_port_delete(lrp);
}

/* "lr-del ROUTER". */
static void
cmd_lr_del(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr;
    if (nbctl_check(ctx, find_lr(ctx, ctx->argv[1],
                                 !nbctl_has_option(ctx, "--if-exists"),
                                 &lr))
        && lr) {
        /* As for ls-del, delete the ports explicitly for validation. */
        for (size_t i = 0; i < lr->n_ports; i++) {
            delete_lrp(ctx, lr->ports[i]);
        }
        nbrec_logical_router_delete(lr);
    }
}

/* "lr-list". */
static void
cmd_lr_list(struct ctl_context *ctx)
{
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, ctx->idl) {
        svec_add_nocopy(&lines, xasprintf("%s\t"UUID_FMT, lr->name,
                                          UUID_ARGS(&lr->header_.uuid)));
    }
    svec_sort(&lines);
    const char *line;
    size_t i;
    SVEC_FOR_EACH (i, line, &lines) {
        const char *tab = strchr(line, '\t');
        ds_put_format(&ctx->output, "%s (%.*s)\n", tab + 1,
                      (int) (tab - line), line);
    }
    svec_destroy(&lines);
}

/* Returns the name of router 'lr' for messages: its UUID if it has no
 * name.  The result is valid until the next call. */
static const char *
lr_display_name(const struct nbrec_logical_router *lr)
{
    static char uuid_s[UUID_LEN + 1];
    if (lr->name[0]) {
        return lr->name;
    }
    snprintf(uuid_s, sizeof uuid_s, UUID_FMT, UUID_ARGS(&lr->header_.uuid));
    return uuid_s;
}

/* Returns true if the 'n' networks 'a' and the 'm' networks 'b' are the
 * same, whatever their order and spelling. */
static bool
same_networks(char **a, size_t n, char **b, size_t m)
{
    struct sset sa = SSET_INITIALIZER(&sa);
    struct sset sb = SSET_INITIALIZER(&sb);
    for (size_t i = 0; i < n; i++) {
        sset_add_and_free(&sa, nbctl_normalize_network(a[i]));
    }
    for (size_t i = 0; i < m; i++) {
        sset_add_and_free(&sb, nbctl_normalize_network(b[i]));
    }
    bool same = sset_equals(&sa, &sb);
    sset_destroy(&sa);
    sset_destroy(&sb);
    return same;
}

/* Checks an existing port 'lrp' against "lrp-add --may-exist" with the
 * current arguments. */
static void
check_existing_lrp(struct ctl_context *ctx,
                   const struct nbrec_logical_router *lr,
                   const struct nbrec_logical_router_port *lrp,
                   const struct eth_addr *mac, char **networks,
                   size_t n_networks, const char *peer)
{
    const char *name = ctx->argv[2];
    if (!nbctl_has_option(ctx, "--may-exist")) {
        ctl_error(ctx, "%s: a port with this name already exists", name);
        return;
    }
    const struct nbrec_logical_router *old = nbctl_lrp_to_lr(ctx->idl, lrp);
    if (old != lr) {
        ctl_error(ctx, "%s: port already exists but in router %s", name,
                  old ? lr_display_name(old) : "(none)");
        return;
    }
    struct eth_addr old_mac;
    char *error = lport_parse_mac(lrp->mac, &old_mac);
    bool same_mac = !error && eth_addr_equals(*mac, old_mac);
    free(error);
    if (!same_mac) {
        ctl_error(ctx, "%s: port already exists with mac %s", name,
                  lrp->mac);
    } else if (!same_networks(networks, n_networks, lrp->networks,
                              lrp->n_networks)) {
        ctl_error(ctx, "%s: port already exists with different network",
                  name);
    } else if (!nullable_string_is_equal(peer, lrp->peer)) {
        ctl_error(ctx, "%s: port already exists with mismatching peer",
                  name);
    }
}

/* "lrp-add ROUTER PORT MAC NETWORK... [COLUMN[:KEY]=VALUE]...": the
 * settings after the networks (such as "peer=PORT") set columns of the
 * new port, as with the generic "set" command. */
static void
cmd_lrp_add(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx, 1);
    if (!lr) {
        return;
    }
    const char *name = ctx->argv[2];
    const char *mac = ctx->argv[3];
    char **networks = ctx->argv + 4;
    int n_networks = 0;
    while (4 + n_networks < ctx->argc && !strchr(networks[n_networks], '=')) {
        n_networks++;
    }
    char **settings = networks + n_networks;
    int n_settings = ctx->argc - 4 - n_networks;
    const char *peer = NULL;
    for (int i = 0; i < n_settings; i++) {
        if (!strncmp(settings[i], "peer=", 5)) {
            peer = settings[i] + 5;
        }
    }

    if (!n_networks) {
        ctl_error(ctx, "%s: router port requires specifying a network",
                  name);
        return;
    }
    struct eth_addr ea;
    char *error = lport_parse_mac(mac, &ea);
    if (error) {
        free(error);
        ctl_error(ctx, "%s: invalid mac address %s", name, mac);
        return;
    }
    if (!name[0]) {
        ctl_error(ctx, "empty port name");
        return;
    }

    const struct nbrec_logical_router_port *lrp;
    if (!nbctl_check(ctx, find_lrp(ctx, name, false, &lrp))) {
        return;
    }
    if (lrp) {
        check_existing_lrp(ctx, lr, lrp, &ea, networks, n_networks, peer);
        return;
    }
    for (int i = 0; i < n_networks; i++) {
        error = lrp_networks_validate(networks[i]);
        if (error) {
            /* ovn-nbctl's words, then what is wrong. */
            ctl_error(ctx, "%s: invalid network address: %s", name, error);
            free(error);
            return;
        }
    }

    struct nbrec_logical_router_port *new
        = nbrec_logical_router_port_insert(ctx->txn);
    nbrec_logical_router_port_set_name(new, name);
    nbrec_logical_router_port_set_mac(new, mac);
    nbrec_logical_router_port_set_networks(new, (const char **) networks,
                                           n_networks);
    for (int i = 0; i < n_settings; i++) {
        error = ctl_set_column("Logical_Router_Port", &new->header_,
                               settings[i], ctx->symtab);
        if (error) {
            ctx->error = error;
            return;
        }
    }
    nbrec_logical_router_update_ports_addvalue(lr, new);
}

/* "lrp-del PORT". */
static void
cmd_lrp_del(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp;
    if (!nbctl_check(ctx, find_lrp(ctx, ctx->argv[1],
                                   !nbctl_has_option(ctx, "--if-exists"),
                                   &lrp))
        || !lrp) {
        return;
    }
    const struct nbrec_logical_router *lr = nbctl_lrp_to_lr(ctx->idl, lrp);
    if (lr) {
        nbrec_logical_router_update_ports_delvalue(lr, lrp);
    }
    delete_lrp(ctx, lrp);
}

/* "lrp-list ROUTER". */
static void
cmd_lrp_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx, 1);
    if (!lr) {
        return;
    }
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < lr->n_ports; i++) {
        svec_add_nocopy(&lines, xasprintf("%s\t"UUID_FMT,
                                          lr->ports[i]->name,
                                          UUID_ARGS(&lr->ports[i]->header_.
                                                    uuid)));
    }
    svec_sort(&lines);
    const char *line;
    size_t i;
    SVEC_FOR_EACH (i, line, &lines) {
        const char *tab = strchr(line, '\t');
        ds_put_format(&ctx->output, "%s (%.*s)\n", tab + 1,
                      (int) (tab - line), line);
    }
    svec_destroy(&lines);
}

/* "lrp-set-enabled PORT enabled|disabled". */
static void
cmd_lrp_set_enabled(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    bool enabled;
    if (lrp && nbctl_parse_enabled(ctx, ctx->argv[2], &enabled)) {
        nbrec_logical_router_port_set_enabled(lrp, &enabled, 1);
    }
}

/* "lrp-get-enabled PORT". */
static void
cmd_lrp_get_enabled(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    if (lrp) {
        ds_put_format(&ctx->output, "%s\n",
                      !lrp->n_enabled || lrp->enabled[0]
                      ? "enabled" : "disabled");
    }
}

/* Returns the gateway chassis of 'lrp' on 'chassis', or NULL. */
static const struct nbrec_gateway_chassis *
lrp_find_gateway(const struct nbrec_logical_router_port *lrp,
                 const char *chassis)
{
    for (size_t i = 0; i < lrp->n_gateway_chassis; i++) {
        if (!strcmp(lrp->gateway_chassis[i]->chassis_name, chassis)) {
            return lrp->gateway_chassis[i];
        }
    }
    return NULL;
}

/* "lrp-set-gateway-chassis PORT CHASSIS [PRIORITY]". */
static void
cmd_lrp_set_gateway_chassis(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    const char *chassis = ctx->argv[2];
    int64_t priority = 0;
    if (!lrp || (ctx->argc > 3
                 && !nbctl_parse_int(ctx, "priority", ctx->argv[3], 0,
                                     32767, &priority))) {
        return;
    }
    if (!chassis[0]) {
        ctl_error(ctx, "empty chassis name");
        return;
    }

    const struct nbrec_gateway_chassis *gc = lrp_find_gateway(lrp, chassis);
    if (gc) {
        nbrec_gateway_chassis_set_priority(gc, priority);
        return;
    }

    char *name = xasprintf("%s-%s", lrp->name, chassis);
    const struct nbrec_gateway_chassis *other;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, gateway_chassis, "gateway chassis",
                                     name, false, &other))) {
        free(name);
        return;
    }
    if (other) {
        ctl_error(ctx, "%s: a gateway chassis with this name already "
                  "exists", name);
        free(name);
        return;
    }
    struct nbrec_gateway_chassis *new = nbrec_gateway_chassis_insert(
        ctx->txn);
    nbrec_gateway_chassis_set_name(new, name);
    nbrec_gateway_chassis_set_chassis_name(new, chassis);
    nbrec_gateway_chassis_set_priority(new, priority);
    free(name);

    struct nbrec_gateway_chassis **gcs
        = xmalloc((lrp->n_gateway_chassis + 1) * sizeof *gcs);
    memcpy(gcs, lrp->gateway_chassis, lrp->n_gateway_chassis * sizeof *gcs);
    gcs[lrp->n_gateway_chassis] = new;
    nbrec_logical_router_port_set_gateway_chassis(lrp, gcs,
                                                  lrp->n_gateway_chassis + 1);
    free(gcs);
}

/* "lrp-del-gateway-chassis PORT CHASSIS". */
static void
cmd_lrp_del_gateway_chassis(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    if (!lrp) {
        return;
    }
    const struct nbrec_gateway_chassis *gc
        = lrp_find_gateway(lrp, ctx->argv[2]);
    if (!gc) {
        if (!nbctl_has_option(ctx, "--if-exists")) {
            ctl_error(ctx, "chassis %s is not added to logical port %s",
                      ctx->argv[2], ctx->argv[1]);
        }
        return;
    }
    size_t n;
    struct nbrec_gateway_chassis **gcs
        = nbctl_ptrs_without(lrp->gateway_chassis, lrp->n_gateway_chassis,
                             gc, &n);
    nbrec_logical_router_port_set_gateway_chassis(lrp, gcs, n);
    nbrec_gateway_chassis_delete(gc);
    free(gcs);
}

/* Orders gateway chassis by descending priority, then by name. */
static int
compare_gateways(const void *a_, const void *b_)
{
    const struct nbrec_gateway_chassis *const *a = a_;
    const struct nbrec_gateway_chassis *const *b = b_;
    if ((*a)->priority != (*b)->priority) {
        return (*a)->priority > (*b)->priority ? -1 : 1;
    }
    return strcmp((*a)->name, (*b)->name);
}

/* "lrp-get-gateway-chassis PORT". */
static void
cmd_lrp_get_gateway_chassis(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    if (!lrp) {
        return;
    }
    size_t n = lrp->n_gateway_chassis;
    struct nbrec_gateway_chassis **gcs = xmalloc((n + 1) * sizeof *gcs);
    memcpy(gcs, lrp->gateway_chassis, n * sizeof *gcs);
    qsort(gcs, n, sizeof *gcs, compare_gateways);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s %5"PRId64"\n", gcs[i]->name,
                      gcs[i]->priority);
    }
    free(gcs);
}

/* "lrp-set-options PORT KEY=VALUE...": replaces the port's options. */
static void
cmd_lrp_set_options(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    if (!lrp) {
        return;
    }
    struct smap options = SMAP_INITIALIZER(&options);
    if (nbctl_parse_key_values(ctx, ctx->argc - 2, ctx->argv + 2,
                               &options)) {
        nbrec_logical_router_port_set_options(lrp, &options);
    }
    smap_destroy(&options);
}

/* "lrp-get-options PORT". */
static void
cmd_lrp_get_options(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    if (!lrp) {
        return;
    }
    const struct smap_node **nodes = smap_sort(&lrp->options);
    for (size_t i = 0; i < smap_count(&lrp->options); i++) {
        ds_put_format(&ctx->output, "%s=%s\n", nodes[i]->key,
                      nodes[i]->value);
    }
    free(nodes);
}

/* "lrp-set-redirect-type PORT TYPE": how the port's traffic reaches its
 * gateway chassis, "overlay" (tunnelled, the default) or "bridged" (over
 * the physical network). */
static void
cmd_lrp_set_redirect_type(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    const char *type = ctx->argv[2];
    if (!lrp) {
        return;
    } else if (strcasecmp(type, "bridged") && strcasecmp(type, "overlay")) {
        ctl_error(ctx, "Invalid redirect type: %s", type);
        return;
    }
    struct smap options = SMAP_INITIALIZER(&options);
    smap_clone(&options, &lrp->options);
    smap_replace(&options, "redirect-type", type);
    nbrec_logical_router_port_set_options(lrp, &options);
    smap_destroy(&options);
}

/* "lrp-get-redirect-type PORT". */
static void
cmd_lrp_get_redirect_type(struct ctl_context *ctx)
{
    const struct nbrec_logical_router_port *lrp = arg_lrp(ctx, 1);
    if (lrp) {
        const char *type = smap_get(&lrp->options, "redirect-type");
        ds_put_format(&ctx->output, "%s\n", type ? type : "overlay");
    }
}

/* Logical router commands. */
static const struct ctl_command_syntax router_commands[] = {
    { "lr-add", 0, 1, "[ROUTER]", NULL, cmd_lr_add, NULL,
      "--may-exist,--add-duplicate", RW },
    { "lr-del", 1, 1, "ROUTER", NULL, cmd_lr_del, NULL, "--if-exists", RW },
    { "lr-list", 0, 0, "", NULL, cmd_lr_list, NULL, "", RO },
    { "lrp-add", 4, INT_MAX,
      "ROUTER PORT MAC NETWORK... [COLUMN[:KEY]=VALUE]...", NULL,
      cmd_lrp_add, NULL, "--may-exist", RW },
    { "lrp-del", 1, 1, "PORT", NULL, cmd_lrp_del, NULL, "--if-exists", RW },
    { "lrp-list", 1, 1, "ROUTER", NULL, cmd_lrp_list, NULL, "", RO },
    { "lrp-set-enabled", 2, 2, "PORT STATE", NULL, cmd_lrp_set_enabled,
      NULL, "", RW },
    { "lrp-get-enabled", 1, 1, "PORT", NULL, cmd_lrp_get_enabled, NULL, "",
      RO },
    { "lrp-set-gateway-chassis", 2, 3, "PORT CHASSIS [PRIORITY]", NULL,
      cmd_lrp_set_gateway_chassis, NULL, "--may-exist", RW },
    { "lrp-del-gateway-chassis", 2, 2, "PORT CHASSIS", NULL,
      cmd_lrp_del_gateway_chassis, NULL, "--if-exists", RW },
    { "lrp-get-gateway-chassis", 1, 1, "PORT", NULL,
      cmd_lrp_get_gateway_chassis, NULL, "", RO },
    { "lrp-set-options", 1, INT_MAX, "PORT KEY=VALUE...", NULL,
      cmd_lrp_set_options, NULL, "", RW },
    { "lrp-get-options", 1, 1, "PORT", NULL, cmd_lrp_get_options, NULL, "",
      RO },
    { "lrp-set-redirect-type", 2, 2, "PORT TYPE", NULL,
      cmd_lrp_set_redirect_type, NULL, "", RW },
    { "lrp-get-redirect-type", 1, 1, "PORT", NULL,
      cmd_lrp_get_redirect_type, NULL, "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the logical router commands. */
void
nbctl_router_register(void)
{
    ctl_register_commands(router_commands);
}
