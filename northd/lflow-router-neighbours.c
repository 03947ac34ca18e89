#include <config.h>

#include "northd/lflow-router-neighbours.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-table.h"
#include "northd/router-ports.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "packets.h"
#include "sset.h"
#include "util.h"

/* Priorities of lr_in_arp_resolve. */
enum {
    PRI_RESOLVE = 100,          /* A known neighbour. */
    PRI_RESOLVE_ASK = 1,        /* ARP or ND for the rest. */
};

/* Neighbours of one router port: MAC -> their addresses. */
struct rn_neighbours {
    struct shash by_mac;        /* MAC -> struct rn_neighbour_ips. */
    struct sset seen;           /* Addresses (as text) given a MAC. */
};

/* The addresses of one neighbour MAC. */
struct rn_neighbour_ips {
    struct lr_addr *addrs;
    size_t n;
};

/* The router port whose flows are being built. */
struct rn_build {
    struct nd_build_ctx *ctx;
    const struct nd_datapath *od;  /* Its router. */
    const struct lr_port *ports;   /* The router's enabled ports. */
    size_t n_ports;
    const struct lr_port *p;       /* The port, among 'ports'. */
};

/* Adds address 'a' with MAC 'ea' to 'n', unless 'a' has a MAC already. */
static void
neighbour_add(struct rn_neighbours *n, const struct eth_addr *ea,
              const struct lr_addr *a)
{
    struct ds text = DS_EMPTY_INITIALIZER;
    lr_addr_format(a, &text);
    bool first = sset_add(&n->seen, ds_cstr(&text));
    ds_destroy(&text);
    if (!first) {
        return;                 /* The first MAC of an address wins. */
    }
    char mac[ETH_ADDR_STRLEN + 1];
    snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(*ea));
    struct rn_neighbour_ips *ips = shash_find_data(&n->by_mac, mac);
    if (!ips) {
        ips = xzalloc(sizeof *ips);
        shash_add(&n->by_mac, mac, ips);
    }
    ips->addrs = xrealloc(ips->addrs, (ips->n + 1) * sizeof *ips->addrs);
    ips->addrs[ips->n++] = *a;
}

/* Adds the addresses of 'la' as neighbours. */
static void
neighbours_add_addresses(struct rn_neighbours *n,
                         const struct lport_addresses *la)
{
    for (size_t i = 0; i < la->n_ipv4; i++) {
        struct lr_addr a = { .ip4 = la->ipv4[i].addr };
        neighbour_add(n, &la->ea, &a);
    }
    for (size_t i = 0; i < la->n_ipv6; i++) {
        struct lr_addr a = { .v6 = true, .ip6 = la->ipv6[i].addr };
        neighbour_add(n, &la->ea, &a);
    }
}

/* Adds as neighbours the MAC and networks of the router port named
 * 'name' (another router's), with its link-local address if it has IPv6.
 * A name that is no router port adds nothing. */
static void
neighbours_add_router_port(struct rn_build *b, struct rn_neighbours *n,
                           const char *name)
{
    struct nd_build_ctx *ctx = b->ctx;
    nd_owner_depends_on_name(ctx, &nbrec_table_logical_router_port, name);
    const struct nd_port *rp = nd_port_find_by_name(ctx->dps, name);
    const struct nbrec_logical_router_port *lrp
        = (rp && rp->dp->kind == &nd_dp_router
           ? nbrec_logical_router_port_get_for_uuid(ctx->nb_idl,
                                                    &rp->nb_uuid)
           : NULL);
    if (!lrp) {
        return;
    }
    nd_owner_depends_on_row(ctx, &nbrec_table_logical_router_port,
                            &lrp->header_.uuid);
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, lrp->mac);
    for (size_t i = 0; i < lrp->n_networks; i++) {
        ds_put_format(&s, " %s", lrp->networks[i]);
    }
    struct lport_addresses la;
    char *error = lport_addresses_parse(ds_cstr(&s), true, &la);
    ds_destroy(&s);
    if (error) {
        free(error);
        return;
    }
    neighbours_add_addresses(n, &la);
    if (la.n_ipv6) {
        struct lr_addr lla = { .v6 = true };
        in6_generate_lla(la.ea, &lla.ip6);
        neighbour_add(n, &la.ea, &lla);
    }
    lport_addresses_destroy(&la);
}

/* Adds the addresses of the ports of switch 'sw', the other side of the
 * port being built, as neighbours: a switch port's addresses, or the
 * router port that a switch port of type "router" names (other than
 * this one). */
static void
neighbours_add_switch(struct rn_build *b, struct rn_neighbours *n,
                      const struct nd_datapath *sw)
{
    struct nd_build_ctx *ctx = b->ctx;
    nd_owner_depends_on_row(ctx, &nbrec_table_logical_switch, &sw->nb_uuid);
    const struct nd_port *sp;
    LIST_FOR_EACH (sp, dp_node, &sw->ports) {
        const struct nbrec_logical_switch_port *lsp
            = nbrec_logical_switch_port_get_for_uuid(ctx->nb_idl,
                                                     &sp->nb_uuid);
        if (!lsp) {
            continue;
        }
        nd_owner_depends_on_row(ctx, &nbrec_table_logical_switch_port,
                                &lsp->header_.uuid);
        if (!strcmp(lsp->type, "router")) {
            if (sp->peer && strcmp(sp->peer, b->p->lrp->name)) {
                neighbours_add_router_port(b, n, sp->peer);
            }
            continue;
        }
        for (size_t i = 0; i < lsp->n_addresses; i++) {
            struct lport_addresses la;
            char *error = lport_addresses_parse(lsp->addresses[i], false,
                                                &la);
            if (error) {
                free(error);
                continue;
            }
            neighbours_add_addresses(n, &la);
            lport_addresses_destroy(&la);
        }
    }
}

/* Appends alternative 'alt' to 'ds', separated from what it holds. */
static void
match_or(struct ds *ds, const char *alt)
{
    if (ds->length) {
        ds_put_cstr(ds, PIPELINE_MATCH_OR);
    }
    ds_put_cstr(ds, alt);
}

/* The flows of the neighbours 'n' of the port: resolution in
 * lr_in_arp_resolve, and host routes for those on its own networks.
 * Frees the neighbours. */
static void
resolve_neighbours(struct rn_build *b, struct rn_neighbours *n)
{
    const struct lr_port *p = b->p;
    const char *then = p->gateway ? "next;" : "output;";
    struct shash_node *node;
    SHASH_FOR_EACH (node, &n->by_mac) {
        struct rn_neighbour_ips *ips = node->data;
        struct ds m = DS_EMPTY_INITIALIZER;
        struct ds direct[2] = { DS_EMPTY_INITIALIZER, DS_EMPTY_INITIALIZER };
        for (size_t i = 0; i < ips->n; i++) {
            const struct lr_addr *a = &ips->addrs[i];
            char *nh = lr_addr_nexthop_match(a);
            char *alt = xasprintf(REG_OUTPORT"=%"PRIu32",%s",
                                  p->op->tunnel_key, nh);
            match_or(&m, alt);
            free(alt);
            free(nh);
            if (lr_ports_for_addr(b->ports, b->n_ports, a) == p) {
                match_or(&direct[a->v6],
                         a->v6 ? "ipv6,ipv6_dst=" : "ip,nw_dst=");
                lr_addr_format(a, &direct[a->v6]);
            }
        }
        char *actions = xasprintf("eth.dst = %s; %s", node->name, then);
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ARP_RESOLVE, PRI_RESOLVE,
                        ds_cstr(&m), actions);
        free(actions);
        for (int v6 = 0; v6 < 2; v6++) {
            if (!direct[v6].length) {
                continue;
            }
            /* A known host on a connected network is routed and resolved
             * in one lookup (a host route above the network's):
             * lr_in_arp_resolve is skipped.  (A policy candidate takes
             * the twin of the network's route instead, whose priority is
             * above.) */
            actions = xasprintf(
                "ip.ttl--; eth.src = %s; eth.dst = %s; outport = %"PRIu32
                "; flags.loopback = 1; %s", p->mac, node->name,
                p->op->tunnel_key,
                p->gateway ? "next(lr_in_gw_redirect);" : "output;");
            lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                            S_ROUTER_INGRESS_IP_ROUTING,
                            lr_route_priority(v6 ? 128 : 32, false, true),
                            ds_cstr(&direct[v6]), actions);
            free(actions);
            ds_destroy(&direct[v6]);
        }
        ds_destroy(&m);
        free(ips->addrs);
        free(ips);
    }
    shash_destroy(&n->by_mac);
    sset_destroy(&n->seen);
}

/* The flows that ask for an unknown next hop of the port: the controller
 * sends an ARP request or neighbor solicitation for it (the packet itself
 * is dropped), from the port's first address of the family. */
static void
ask_neighbours(struct rn_build *b)
{
    const struct lr_port *p = b->p;
    const char *then = p->gateway ? "next;" : "output;";
    for (int v6 = 0; v6 < 2; v6++) {
        if (!(v6 ? p->n_ip6s : p->n_ip4s)) {
            continue;
        }
        char *actions = (v6
                         ? xasprintf("nd_ns { ip6.src = %s; %s };",
                                     p->ip6s[0], then)
                         : xasprintf("arp { eth.dst = ff:ff:ff:ff:ff:ff; "
                                     "arp.spa = %s; arp.tpa = reg0; "
                                     "arp.op = 1; %s };", p->ip4s[0], then));
        lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                               S_ROUTER_INGRESS_ARP_RESOLVE, PRI_RESOLVE_ASK,
                               actions, REG_OUTPORT"=%"PRIu32",%s",
                               p->op->tunnel_key, v6 ? "ipv6" : "ip");
        free(actions);
    }
}

/* Builds the flows of port 'b->p'. */
static void
build_port(struct rn_build *b)
{
    struct rn_neighbours n;
    shash_init(&n.by_mac);
    sset_init(&n.seen);
    const struct lr_port *p = b->p;
    if (p->lrp->peer && p->lrp->peer[0]) {
        neighbours_add_router_port(b, &n, p->lrp->peer);
    } else {
        const struct nd_port *namer = nd_port_namer(b->ctx->dps, p->op);
        if (namer && namer->dp->kind == &nd_dp_switch) {
            neighbours_add_switch(b, &n, namer->dp);
        }
    }
    resolve_neighbours(b, &n);
    ask_neighbours(b);
}

/* Builds owner 'id', a port of router 'od' whose enabled ports are
 * 'ports' (of 'n_ports'): its flows if it is one of them, else none. */
static void
build_owner(struct nd_build_ctx *ctx, const struct lflow_owner_id *id,
            const struct nd_datapath *od, const struct lr_port *ports,
            size_t n_ports)
{
    nd_owner_begin(ctx, id);
    for (size_t i = 0; i < n_ports; i++) {
        if (uuid_equals(&ports[i].op->nb_uuid, &id->uuid)) {
            lr_port_depends(ctx, &ports[i]);
            struct rn_build b = { .ctx = ctx, .od = od, .ports = ports,
                                  .n_ports = n_ports, .p = &ports[i] };
            build_port(&b);
            break;
        }
    }
    nd_owner_end(ctx);
}

/* Returns the enabled ports of router 'od' (none if it is disabled or
 * gone), for build_owner(); the caller frees them with
 * lr_ports_destroy(). */
static struct lr_port *
gather_ports(struct nd_build_ctx *ctx, const struct nd_datapath *od,
             size_t *n_ports)
{
    const struct nbrec_logical_router *lr
        = nbrec_logical_router_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
    if (!lr || lr_is_disabled(lr)) {
        *n_ports = 0;
        return NULL;
    }
    /* The router's own owner warns about the ports it leaves out. */
    return lr_ports_gather(od, ctx->nb_idl, false, n_ports);
}

/* nd_owner_kind 'build': the flows of router port 'id'. */
static void
neighbours_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_port *op = nd_port_find(ctx->dps, &id->uuid);
    if (!op || !nd_dp_is_router(op->dp)) {
        build_owner(ctx, id, NULL, NULL, 0);
        return;
    }
    size_t n_ports;
    struct lr_port *ports = gather_ports(ctx, op->dp, &n_ports);
    build_owner(ctx, id, op->dp, ports, n_ports);
    lr_ports_destroy(ports, n_ports);
}

/* nd_owner_kind 'build_datapath': the flows of every port of router 'od',
 * which read its ports once. */
static void
neighbours_build_datapath(struct nd_build_ctx *ctx,
                          const struct nd_datapath *od)
{
    if (!nd_dp_is_router(od)) {
        return;
    }
    size_t n_ports;
    struct lr_port *ports = gather_ports(ctx, od, &n_ports);
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        struct lflow_owner_id id = nd_owner_id(&lflow_router_neighbours_kind,
                                               &op->nb_uuid, 0);
        build_owner(ctx, &id, od, ports, n_ports);
    }
    lr_ports_destroy(ports, n_ports);
}

/* Adds the owner of port 'op' to 'owners'. */
static void
add_port(const struct nd_port *op, struct lflow_owner_set *owners)
{
    struct lflow_owner_id id = nd_owner_id(&lflow_router_neighbours_kind,
                                           &op->nb_uuid, 0);
    lflow_owner_set_add(owners, &id);
}

/* Adds the owners of every port of router 'od' to 'owners'. */
static void
add_router(const struct nd_datapath *od, struct lflow_owner_set *owners)
{
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        add_port(op, owners);
    }
}

/* nd_owner_kind 'collect': a router port that came, went or changed
 * (its row, or its Port_Binding: the switch port that names it) rebuilds
 * every port of its router, whose host routes depend on its networks. */
static void
neighbours_collect(const struct nd_changes *changes,
                   struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->ports) {
        const struct nd_port *op = node->data;
        if (nd_dp_is_router(op->dp)) {
            add_router(op->dp, owners);
        }
    }
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &changes->removed_ports) {
        if (nd_dp_is_router(op->dp)) {
            add_port(op, owners);
            add_router(op->dp, owners);
        }
    }
}

/* nd_owner_kind 'collect_nb': a router enabled or disabled rebuilds its
 * ports' flows (its other changes do not concern them; a router that
 * comes or goes brings or takes its ports). */
static void
neighbours_collect_nb(const struct nd_build_ctx *ctx,
                      struct lflow_owner_set *owners)
{
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH_TRACKED (lr, ctx->nb_idl) {
        if (nbrec_logical_router_is_updated(
                lr, NBREC_LOGICAL_ROUTER_COL_ENABLED)) {
            const struct nd_datapath *od
                = nd_datapath_find(ctx->dps, &lr->header_.uuid);
            if (od && nd_dp_is_router(od)) {
                add_router(od, owners);
            }
        }
    }
}

/* The tables a router port's neighbour flows read besides its own. */
static const struct nd_owner_dep_table neighbours_dep_tables[] = {
    { &nbrec_table_logical_router_port,
      &nbrec_logical_router_port_col_name },
    { &nbrec_table_logical_switch, NULL },
    { &nbrec_table_logical_switch_port, &nbrec_logical_switch_port_col_name },
    { &nbrec_table_ha_chassis_group, NULL },
};

/* Neighbour flows of each Logical_Router_Port. */
const struct nd_owner_kind lflow_router_neighbours_kind = {
    .name = "router-neighbours",
    .nb_table = "Logical_Router_Port",
    .dep_tables = neighbours_dep_tables,
    .n_dep_tables = ARRAY_SIZE(neighbours_dep_tables),
    .build_datapath = neighbours_build_datapath,
    .collect = neighbours_collect,
    .collect_nb = neighbours_collect_nb,
    .build = neighbours_build,
};
