#include <config.h>

#include "northd/lflow-router.h"

#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr-compile.h"
#include "lib/expr.h"
#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "lib/rampout.h"
#include "northd/colors.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/gateways.h"
#include "northd/lflow-table.h"
#include "northd/nb-match.h"
#include "northd/bfd.h"
#include "northd/router-ports.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow_router);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Priorities of lr_in_admission. */
enum {
    PRI_ADM_MCAST_SRC = 110,    /* Multicast source: drop. */
    PRI_ADM_ND_SECOND = 105,    /* Second pass of an ND reply. */
    PRI_ADM_ND_NO_SLL = 101,    /* Solicitation without an SLL: drop. */
    PRI_ADM_ARP_REPLY = 100,    /* ARP or ND for a router address. */
    PRI_ADM_BFD = 95,           /* BFD to a port with sessions. */
    PRI_ADM_ECHO = 90,          /* ICMP echo request to the router. */
    PRI_ADM_TTL = 85,           /* TTL 0 or 1: time exceeded. */
    PRI_ADM_NAT = 81,           /* To a NAT address on a gateway port. */
    PRI_ADM_UDP_TO_ROUTER = 80, /* UDP to the router: port unreachable. */
    PRI_ADM_TO_ROUTER = 79,     /* Anything else to the router: drop. */
    PRI_ADM_ACCEPT = 50,        /* Frames to a router MAC: on. */
};

/* Priorities of the other stages. */
enum {
    PRI_DNAT = 100,             /* lr_in_dnat: a NAT address. */
    PRI_DNAT_ECMP_CT = 50,      /* lr_in_dnat: from a next hop of a route
                                 * with symmetric replies. */
    PRI_ECMP_STATEFUL = 100,    /* lr_in_ecmp_stateful: commit. */
    PRI_SNAT_ECMP_CT = 1,       /* lr_out_snat: to such a next hop. */
    PRI_ECMP_REPLY = 100,       /* lr_out_ecmp_reply: to the next hop the
                                 * connection came from. */
    PRI_REDIRECT_DNAT = 105,    /* lr_in_gw_redirect: from a DNAT
                                 * rule's logical IP. */
    PRI_REDIRECT_RULE = 100,    /* lr_in_gw_redirect: a ramp-out rule. */
    PRI_REDIRECT_PORT = 50,     /* lr_in_gw_redirect: the port's own. */
    PRI_SNAT_RULE = 200,        /* lr_out_snat: a rule's address. */
    PRI_DELIVERY = 100,         /* lr_out_delivery: redirect -> port. */
};

/* One ramp-out rule of the router being built (a colour's gateways are
 * one too, northd/gateways.h). */
struct lr_rule {
    const struct nd_rampout *ro;
    uint32_t number;            /* 1, 2, ... by name. */
    char mac[ETH_ADDR_STRLEN + 1];
};

struct lr_route;
struct lr_sym;

/* The router being built. */
struct lr_build {
    struct nd_build_ctx *ctx;
    const struct nd_datapath *od;
    const struct nbrec_logical_router *lr;
    struct lr_port *ports;      /* Its enabled ports (router-ports.h). */
    size_t n_ports;
    struct nd_rampout *rampouts;    /* nd_rampouts_of_router(). */
    size_t n_rampouts;
    struct lr_rule *rules;
    size_t n_rules;
    bool has_gateway;           /* Some port has gateway chassis. */
    bool has_tables;            /* Some port chooses a route table: the
                                 * static routes match REG_ROUTE_TABLE. */
    bool has_nat;               /* NAT rules or ramp-out rules with an
                                 * address, on a router with a gateway. */
    char **ip4s, **ip6s;        /* Every address of every port. */
    size_t n_ip4s, n_ip6s;
    bool has_ecmp;              /* Static routes of one prefix and policy
                                 * with several next hops. */
    bool has_policies;          /* Routing policies (Logical_Router_Policy):
                                 * lr_in_policy after routing. */
    struct lr_route *routes;    /* The static routes that compile. */
    size_t n_routes;
    struct lr_sym *syms;        /* Gateway ports and prefixes of ECMP
                                 * routes with symmetric replies. */
    size_t n_syms;
};

/* Appends 'ip' to the array '*ips' of '*n'. */
static void
add_ip(char ***ips, size_t *n, char *ip)
{
    *ips = xrealloc(*ips, (*n + 1) * sizeof **ips);
    (*ips)[(*n)++] = ip;
}

/* Adds a flow to the router's own datapath. */
static void OVS_PRINTF_FORMAT(5, 6)
lr_add(struct lr_build *b, enum pipeline_stage stage, uint16_t priority,
       const char *actions, const char *match_format, ...)
{
    va_list args;
    va_start(args, match_format);
    char *match = xvasprintf(match_format, args);
    va_end(args);
    lflow_table_add(b->ctx->lflows, &b->od->sb_uuid, stage, priority, match,
                    actions);
    free(match);
}

/* Appends alternative 'format' to 'ds', separated from what it holds. */
static void OVS_PRINTF_FORMAT(2, 3)
match_or(struct ds *ds, const char *format, ...)
{
    if (ds->length) {
        ds_put_cstr(ds, PIPELINE_MATCH_OR);
    }
    va_list args;
    va_start(args, format);
    ds_put_format_valist(ds, format, args);
    va_end(args);
}

/* Returns the IPv4 network of 'a' (its host bits cleared). */
static ovs_be32
ipv4_network(const struct lport_ipv4 *a)
{
    return a->addr & be32_prefix_mask(a->plen);
}

/* --- Gathering ---------------------------------------------------------- */

/* Fills 'b' with the enabled ports and the rules of router 'od'. */
static void
lr_gather(struct lr_build *b)
{
    b->ports = lr_ports_gather(b->od, b->ctx->nb_idl, true, &b->n_ports);
    for (size_t i = 0; i < b->n_ports; i++) {
        struct lr_port *p = &b->ports[i];
        lr_port_depends(b->ctx, p);
        b->has_gateway |= p->gateway;
        b->has_tables |= p->route_table != 0;
        for (size_t j = 0; j < p->n_ip4s; j++) {
            add_ip(&b->ip4s, &b->n_ip4s, p->ip4s[j]);
        }
        for (size_t j = 0; j < p->n_ip6s; j++) {
            add_ip(&b->ip6s, &b->n_ip6s, p->ip6s[j]);
        }
    }

    /* Whether the router has a gateway port decides whether colours'
     * gateways are ramp-outs of it, and so the numbers of its rules, as
     * SB's Rampout rows number them: it reads every port, enabled or not
     * (the ports above are the enabled ones), and their HA chassis
     * groups. */
    for (size_t i = 0; i < b->lr->n_ports; i++) {
        const struct nbrec_logical_router_port *lrp = b->lr->ports[i];
        if (lrp->ha_chassis_group) {
            nd_owner_depends_on_row(b->ctx, &nbrec_table_ha_chassis_group,
                                    &lrp->ha_chassis_group->header_.uuid);
        }
    }
    /* A colour may gain or lose gateways of its own at any time: a router
     * with a gateway port reads them all. */
    if (nd_router_has_gateway_port(b->lr)) {
        nd_owner_depends_on_table(b->ctx, &nbrec_table_color);
    }
    b->rampouts = nd_rampouts_of_router(b->lr, b->ctx->nb_idl,
                                        &b->n_rampouts);
    size_t n = MIN(b->n_rampouts, RAMPOUT_MAX_RULES);
    b->rules = xcalloc(n + 1, sizeof *b->rules);
    for (size_t i = 0; i < n; i++) {
        struct lr_rule *r = &b->rules[i];
        r->ro = &b->rampouts[i];
        r->number = i + 1;
        struct eth_addr ea = rampout_rule_mac(b->od->tunnel_key, r->number);
        snprintf(r->mac, sizeof r->mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ea));
        if (r->ro->rule) {
            nd_owner_depends_on_row(b->ctx, &nbrec_table_rampout_rule,
                                    &r->ro->rule->header_.uuid);
        }
    }
    b->n_rules = n;

    for (size_t i = 0; i < b->lr->n_nat; i++) {
        nd_owner_depends_on_row(b->ctx, &nbrec_table_nat,
                                &b->lr->nat[i]->header_.uuid);
    }
    b->has_nat = b->has_gateway && (b->lr->n_nat > 0 || n > 0);
    b->has_policies = b->lr->n_policies > 0;
}

static void lr_routes_destroy(struct lr_route *, size_t n);

static void
lr_build_destroy(struct lr_build *b)
{
    free(b->ip4s);             /* The strings are the ports'. */
    free(b->ip6s);
    lr_ports_destroy(b->ports, b->n_ports);
    free(b->rules);
    nd_rampouts_destroy(b->rampouts, b->n_rampouts);
    lr_routes_destroy(b->routes, b->n_routes);
    free(b->syms);
}

/* --- lr_in_admission ---------------------------------------------------- */

/* Adds an ARP reply on port 'p' for 'ip' with 'mac'; a gateway port also
 * learns the asker's binding (on an external network, the requests of a
 * neighbour that talks to the router keep its binding fresh). */
static void
lr_arp_reply(struct lr_build *b, const struct lr_port *p, const char *ip,
             const char *mac)
{
    char *actions = xasprintf(
        "%seth.dst = eth.src; eth.src = %s; arp.op = 2; arp.tha = arp.sha; "
        "arp.sha = %s; arp.tpa = arp.spa; arp.spa = %s; outport = inport; "
        "flags.loopback = 1; output;",
        p->gateway ? "put_arp(inport, arp.spa, arp.sha); " : "",
        mac, mac, ip);
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ARP_REPLY, actions,
           REG_INPORT"=%"PRIu32",arp,arp_op=1,arp_tpa=%s",
           p->op->tunnel_key, ip);
    free(actions);
}

/* Adds a neighbor advertisement on port 'p' for 'ip': the solicitation
 * becomes the advertisement in place and comes back to this stage
 * (PRI_ADM_ND_SECOND) for its target link-layer address, as the switch's
 * ND responder does (Documentation/pipeline.md, ls_in_arp_rsp). */
static void
lr_nd_reply(struct lr_build *b, const struct lr_port *p, const char *ip)
{
    char *actions = xasprintf(
        "%seth.dst = eth.src; eth.src = %s; ip6.dst = ip6.src; "
        "ip6.src = %s; nd.reserved = 0xe0000000; nd.options_type = 2; "
        "icmp6.type = 136; outport = inport; flags.loopback = 1; "
        "next(lr_in_admission);",
        p->gateway ? "put_nd(inport, ip6.src, nd.sll); " : "", p->mac, ip);
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ARP_REPLY, actions,
           REG_INPORT"=%"PRIu32",icmp6,icmpv6_type=135,icmpv6_code=0,"
           "nd_target=%s", p->op->tunnel_key, ip);
    free(actions);
}

/* The stage a packet accepted on port 'p' goes on to. */
static const char *
lr_first_stage(const struct lr_build *b, const struct lr_port *p)
{
    enum pipeline_stage s = (p->gateway && (b->has_nat || b->n_syms)
                             ? S_ROUTER_INGRESS_DNAT
                             : b->n_rules ? S_ROUTER_INGRESS_RAMPOUT
                             : S_ROUTER_INGRESS_IP_ROUTING);
    return pipeline_stage_info(s)->name;
}

/* Returns true if NAT rule 'nat' is valid enough to compile. */
static bool
nat_ok(const struct nbrec_nat *nat)
{
    struct lport_ipv4 ext;
    bool v6;
    struct lport_ipv6 ext6;
    char *error = lport_parse_ip(nat->external_ip, false, &v6, &ext, &ext6);
    if (error || v6) {
        free(error);
        return false;
    }
    return true;
}

/* The actions that turn a packet that came in on port 'p' into an ICMP
 * error of 'type' and 'code' (ICMPv6 with 'ipv6') from the port's first
 * address of the family, sent back out the port. */
static char *
lr_icmp_error(const struct lr_port *p, bool ipv6, int type, int code)
{
    return xasprintf("%s { eth.dst = eth.src; eth.src = %s; "
                     "%s = %s; %s = %s; ip.ttl = 255; %s = %d; %s = %d; "
                     "outport = inport; flags.loopback = 1; output; };",
                     ipv6 ? "icmp6" : "icmp4", p->mac,
                     ipv6 ? "ip6.dst" : "ip4.dst",
                     ipv6 ? "ip6.src" : "ip4.src",
                     ipv6 ? "ip6.src" : "ip4.src",
                     ipv6 ? p->ip6s[0] : p->ip4s[0],
                     ipv6 ? "icmp6.type" : "icmp4.type", type,
                     ipv6 ? "icmp6.code" : "icmp4.code", code);
}

/* Adds to 'm' one alternative per address in 'ips' (of 'n'), each
 * 'prefix' followed by 'field'=ADDRESS and 'suffix'. */
static void
match_each_ip(struct ds *m, const char *prefix, const char *field,
              char **ips, size_t n, const char *suffix)
{
    for (size_t i = 0; i < n; i++) {
        match_or(m, "%s,%s=%s%s", prefix, field, ips[i], suffix);
    }
}

/* The flows of port 'p' for traffic to the router's own addresses
 * ('b->ip4s', 'b->ip6s'): echo replies, port unreachable for UDP, drop. */
static void
lr_admission_to_router(struct lr_build *b, const struct lr_port *p)
{
    uint32_t key = p->op->tunnel_key;
    char *prefix4 = xasprintf(REG_INPORT"=%"PRIu32",dl_dst=%s,ip", key,
                              p->mac);
    char *prefix6 = xasprintf(REG_INPORT"=%"PRIu32",dl_dst=%s,ipv6", key,
                              p->mac);
    struct ds m = DS_EMPTY_INITIALIZER;
    char *actions;

    /* Echo requests to any of the router's addresses. */
    for (size_t i = 0; i < b->n_ip4s; i++) {
        match_or(&m, REG_INPORT"=%"PRIu32",dl_dst=%s,icmp,nw_dst=%s,"
                 "icmp_type=8,icmp_code=0", key, p->mac, b->ip4s[i]);
    }
    if (m.length) {
        actions = xasprintf(
            "eth.dst = eth.src; eth.src = %s; ip4.src <-> ip4.dst; "
            "ip.ttl = 255; icmp4.type = 0; outport = inport; "
            "flags.loopback = 1; output;", p->mac);
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ECHO,
                        ds_cstr(&m), actions);
        free(actions);
    }
    ds_clear(&m);
    for (size_t i = 0; i < b->n_ip6s; i++) {
        match_or(&m, REG_INPORT"=%"PRIu32",dl_dst=%s,icmp6,ipv6_dst=%s,"
                 "icmpv6_type=128,icmpv6_code=0", key, p->mac, b->ip6s[i]);
    }
    if (m.length) {
        actions = xasprintf(
            "eth.dst = eth.src; eth.src = %s; ip6.src <-> ip6.dst; "
            "ip.ttl = 255; icmp6.type = 129; outport = inport; "
            "flags.loopback = 1; output;", p->mac);
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ECHO,
                        ds_cstr(&m), actions);
        free(actions);
    }

    /* UDP to the router: port unreachable (traceroute's last hop). */
    for (int v6 = 0; v6 < 2; v6++) {
        size_t n_own = v6 ? p->n_ip6s : p->n_ip4s;
        size_t n_all = v6 ? b->n_ip6s : b->n_ip4s;
        if (!n_own || !n_all) {
            continue;
        }
        ds_clear(&m);
        char *udp = xasprintf(REG_INPORT"=%"PRIu32",dl_dst=%s,%s", key,
                              p->mac, v6 ? "udp6" : "udp");
        match_each_ip(&m, udp, v6 ? "ipv6_dst" : "nw_dst",
                      v6 ? b->ip6s : b->ip4s, n_all, "");
        free(udp);
        actions = lr_icmp_error(p, v6, v6 ? 1 : 3, v6 ? 4 : 3);
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_UDP_TO_ROUTER,
                        ds_cstr(&m), actions);
        free(actions);
    }

    /* Anything else to the router: drop. */
    ds_clear(&m);
    match_each_ip(&m, prefix4, "nw_dst", b->ip4s, b->n_ip4s, "");
    match_each_ip(&m, prefix6, "ipv6_dst", b->ip6s, b->n_ip6s, "");
    if (m.length) {
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_TO_ROUTER,
                        ds_cstr(&m), "drop;");
    }
    ds_destroy(&m);
    free(prefix4);
    free(prefix6);
}

/* The flow of port 'p' for the BFD control packets of its sessions
 * (single hop, RFC 5881: to UDP port 3784 with TTL 255), which go to
 * the controller that runs them (controller/bfd.h).  Sessions are IPv4. */
static void
lr_admission_bfd(struct lr_build *b, const struct lr_port *p)
{
    if (!b->ctx->bfd
        || !nd_bfd_port_has_sessions(b->ctx->bfd, p->lrp->name)) {
        return;
    }
    struct ds m = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < p->n_ip4s; i++) {
        match_or(&m, REG_INPORT"=%"PRIu32",dl_dst=%s,udp,nw_dst=%s,"
                 "nw_ttl=255,tp_dst=%d", p->op->tunnel_key, p->mac,
                 p->ip4s[i], ND_BFD_DST_PORT);
    }
    if (m.length) {
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_BFD,
                        ds_cstr(&m), "handle_bfd_msg;");
    }
    ds_destroy(&m);
}

/* The flows of port 'p' for packets whose TTL (hop limit) runs out here:
 * ICMP time exceeded, from the port's address of the family (drop if it
 * has none).  'macs' lists the MACs the port accepts. */
static void
lr_admission_ttl(struct lr_build *b, const struct lr_port *p,
                 const struct sset *macs)
{
    uint32_t key = p->op->tunnel_key;
    for (int v6 = 0; v6 < 2; v6++) {
        struct ds m = DS_EMPTY_INITIALIZER;
        const char *mac;
        SSET_FOR_EACH (mac, macs) {
            for (int ttl = 0; ttl < 2; ttl++) {
                match_or(&m, REG_INPORT"=%"PRIu32",dl_dst=%s,%s,nw_ttl=%d",
                         key, mac, v6 ? "ipv6" : "ip", ttl);
            }
        }
        bool has_ip = v6 ? p->n_ip6s : p->n_ip4s;
        char *actions = (has_ip ? lr_icmp_error(p, v6, v6 ? 3 : 11, 0)
                         : xstrdup("drop;"));
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_TTL,
                        ds_cstr(&m), actions);
        free(actions);
        ds_destroy(&m);
    }
}

/* The admission flows of port 'p'. */
static void
lr_admission_port(struct lr_build *b, const struct lr_port *p)
{
    uint32_t key = p->op->tunnel_key;
    for (size_t i = 0; i < p->n_ip4s; i++) {
        lr_arp_reply(b, p, p->ip4s[i], p->mac);
    }
    for (size_t i = 0; i < p->n_ip6s; i++) {
        lr_nd_reply(b, p, p->ip6s[i]);
    }
    /* ARP replies and neighbor advertisements to the router: learn the
     * sender's binding. */
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ARP_REPLY,
           "put_arp(inport, arp.spa, arp.sha);",
           REG_INPORT"=%"PRIu32",arp,arp_op=2", key);
    if (p->n_ip6s) {
        lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ARP_REPLY,
               "put_nd(inport, nd.target, nd.tll);",
               REG_INPORT"=%"PRIu32",icmp6,icmpv6_type=136,icmpv6_code=0",
               key);
    }

    /* The MACs the port accepts: its own, and on a gateway port those of
     * the ramp-out rules. */
    struct sset macs = SSET_INITIALIZER(&macs);
    sset_add(&macs, p->mac);
    if (p->gateway) {
        /* The addresses the gateway answers for besides its own: NAT
         * external addresses and the ramp-out rules'. */
        for (size_t i = 0; i < b->lr->n_nat; i++) {
            const struct nbrec_nat *nat = b->lr->nat[i];
            if (nat_ok(nat)) {
                lr_arp_reply(b, p, nat->external_ip, p->mac);
            }
        }
        for (size_t i = 0; i < b->n_rules; i++) {
            const struct lr_rule *r = &b->rules[i];
            if (r->ro->snat_ip) {
                lr_arp_reply(b, p, r->ro->snat_ip, r->mac);
            }
            sset_add(&macs, r->mac);
        }
    }

    if (p->gateway && b->has_nat) {
        /* Traffic to NAT and ramp-out addresses (which may be the port's
         * own) is for conntrack to un-NAT, not for the router. */
        struct ds m = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < b->lr->n_nat; i++) {
            if (nat_ok(b->lr->nat[i])) {
                match_or(&m, REG_INPORT"=%"PRIu32",ip,nw_dst=%s", key,
                         b->lr->nat[i]->external_ip);
            }
        }
        for (size_t i = 0; i < b->n_rules; i++) {
            if (b->rules[i].ro->snat_ip) {
                match_or(&m, REG_INPORT"=%"PRIu32",ip,nw_dst=%s", key,
                         b->rules[i].ro->snat_ip);
            }
        }
        if (m.length) {
            char *table = lr_port_route_table_action(p);
            char *actions = xasprintf("%snext(%s);", table,
                                      pipeline_stage_info(
                                          S_ROUTER_INGRESS_DNAT)->name);
            free(table);
            lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                            S_ROUTER_INGRESS_ADMISSION, PRI_ADM_NAT,
                            ds_cstr(&m), actions);
            free(actions);
        }
        ds_destroy(&m);
    }

    lr_admission_to_router(b, p);
    lr_admission_bfd(b, p);
    lr_admission_ttl(b, p, &macs);

    struct ds accept = DS_EMPTY_INITIALIZER;
    const char *mac;
    SSET_FOR_EACH (mac, &macs) {
        match_or(&accept, REG_INPORT"=%"PRIu32",dl_dst=%s", key, mac);
    }
    /* The traffic of a port that chooses a route table is routed by it. */
    char *table = lr_port_route_table_action(p);
    char *actions = xasprintf("%snext(%s);", table, lr_first_stage(b, p));
    lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                    S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ACCEPT,
                    ds_cstr(&accept), actions);
    free(actions);
    free(table);
    ds_destroy(&accept);
    sset_destroy(&macs);
}

/* lr_in_admission. */
static void
lr_admission(struct lr_build *b)
{
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_MCAST_SRC, "drop;",
           "dl_src=01:00:00:00:00:00/01:00:00:00:00:00");
    if (b->n_ip6s) {
        /* The second pass of a neighbor advertisement (lr_nd_reply());
         * the loopback flag is set only within the router's ingress, so
         * no packet that arrives matches.  A solicitation without a
         * source link-layer address has no option to turn into the
         * target's, and gets no answer (the asker retries with one). */
        lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ND_SECOND,
               "nd.tll = eth.src; output;",
               REG_FLAGS"=0x1/0x1,icmp6,icmpv6_type=136,icmpv6_code=0");
        lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ND_NO_SLL, "drop;",
               "icmp6,icmpv6_type=135,icmpv6_code=0,"
               "nd_sll=00:00:00:00:00:00");
    }
    for (size_t i = 0; i < b->n_ports; i++) {
        lr_admission_port(b, &b->ports[i]);
    }
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, 0, "drop;", "%s", "");
}

/* --- lr_in_dnat --------------------------------------------------------- */

static void
lr_dnat(struct lr_build *b)
{
    if (!b->has_nat && !b->n_syms) {
        return;
    }
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        if (!p->gateway) {
            continue;
        }
        uint32_t key = p->op->tunnel_key;
        for (size_t j = 0; j < b->lr->n_nat; j++) {
            const struct nbrec_nat *nat = b->lr->nat[j];
            if (!nat_ok(nat)) {
                continue;
            }
            char *actions = (!strcmp(nat->type, "snat")
                             ? xstrdup("ct_snat;")
                             : xasprintf("ct_dnat(%s);", nat->logical_ip));
            lr_add(b, S_ROUTER_INGRESS_DNAT, PRI_DNAT, actions,
                   REG_INPORT"=%"PRIu32",ip,nw_dst=%s", key,
                   nat->external_ip);
            free(actions);
        }
        for (size_t j = 0; j < b->n_rules; j++) {
            const struct lr_rule *r = &b->rules[j];
            if (r->ro->snat_ip) {
                lr_add(b, S_ROUTER_INGRESS_DNAT, PRI_DNAT, "ct_snat;",
                       REG_INPORT"=%"PRIu32",ip,nw_dst=%s", key,
                       r->ro->snat_ip);
            }
        }
    }
    char *actions = xasprintf("next(%s);",
                              pipeline_stage_info(
                                  b->n_rules ? S_ROUTER_INGRESS_RAMPOUT
                                  : S_ROUTER_INGRESS_IP_ROUTING)->name);
    lr_add(b, S_ROUTER_INGRESS_DNAT, 0, actions, "%s", "");
    free(actions);
}

/* --- lr_in_rampout ------------------------------------------------------ */

/* Highest rule priority with flow priorities of their own. */
#define RULE_MAX_PRIORITY 32766

/* The flow priority of a colour's own gateways: below every rule. */
#define PRI_RAMPOUT_COLOR 1

/* Adds the lr_in_rampout flow of rule 'r'. */
static void
lr_rampout_rule(struct lr_build *b, const struct lr_rule *r)
{
    const struct nd_rampout *ro = r->ro;
    int64_t color = 0;
    if (ro->color) {
        nd_owner_depends_on_row(b->ctx, &nbrec_table_color,
                                &ro->color->header_.uuid);
        color = nd_colors_color_id(b->ctx->colors, ro->color->name);
        if (!color) {
            return;
        }
    }
    struct ds m = DS_EMPTY_INITIALIZER;
    uint16_t pri;
    if (ro->rule) {
        for (size_t j = 0; j < ro->rule->n_subnets; j++) {
            bool v6 = strchr(ro->rule->subnets[j], ':') != NULL;
            match_or(&m, "%s=%s", v6 ? "ipv6,ipv6_src" : "ip,nw_src",
                     ro->rule->subnets[j]);
            if (color) {
                ds_put_format(&m, ","REG_COLOR"=%"PRId64"/%#x", color,
                              PIPELINE_COLOR_MASK);
            }
        }
        pri = (2 * MIN(ro->rule->priority, RULE_MAX_PRIORITY) + 2
               + (color != 0));
    } else {
        /* A colour's gateways: every source of the colour.  "mouse" is
         * also the colour of traffic that no switch coloured (none does
         * while no flow class exists). */
        for (int v6 = 0; v6 < 2; v6++) {
            match_or(&m, "%s,"REG_COLOR"=%"PRId64"/%#x", v6 ? "ipv6" : "ip",
                     color, PIPELINE_COLOR_MASK);
            if (!strcmp(ro->color->name, COLORS_MOUSE)) {
                match_or(&m, "%s,"REG_COLOR"=0/%#x", v6 ? "ipv6" : "ip",
                         PIPELINE_COLOR_MASK);
            }
        }
        pri = PRI_RAMPOUT_COLOR;
    }
    if (m.length) {
        char *actions = xasprintf("reg7 = %"PRIu32"; next;", r->number);
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_RAMPOUT, pri, ds_cstr(&m), actions);
        free(actions);
    }
    ds_destroy(&m);
}

static void
lr_rampout(struct lr_build *b)
{
    if (!b->n_rules) {
        return;
    }
    for (size_t i = 0; i < b->n_rules; i++) {
        lr_rampout_rule(b, &b->rules[i]);
    }
    lr_add(b, S_ROUTER_INGRESS_RAMPOUT, 0, "next;", "%s", "");
}

/* --- lr_in_ip_routing, lr_in_ip_routing_ecmp ---------------------------- */

/* Returns the logical action that loads next hop 'a' (reg0 for IPv4,
 * xxreg0 for IPv6), malloc'd. */
static char *
lr_addr_nexthop(const struct lr_addr *a)
{
    if (a->v6) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, "xxreg0 = ");
        ipv6_format_addr(&a->ip6, &s);
        return ds_steal_cstr(&s);
    }
    return xasprintf("reg0 = %#"PRIx32, ntohl(a->ip4));
}

/* Returns the port of 'b' whose network holds 'a', or NULL. */
static const struct lr_port *
lr_port_for_addr(const struct lr_build *b, const struct lr_addr *a)
{
    return lr_ports_for_addr(b->ports, b->n_ports, a);
}

/* Returns the port of 'b' named 'name', or NULL. */
static const struct lr_port *
lr_port_by_name(const struct lr_build *b, const char *name)
{
    for (size_t i = 0; i < b->n_ports; i++) {
        if (!strcmp(b->ports[i].lrp->name, name)) {
            return &b->ports[i];
        }
    }
    return NULL;
}

/* Below every route (router-ports.h): the router's answers for
 * destinations it has no route to. */
#define PRI_NO_ROUTE 1

/* lr_in_ip_routing on a router with routing policies: the twins of the
 * routes for policy candidates at PRI_ROUTE_CAND + the route's priority
 * (above every route: at most 2 + 4 x 128 + 3), and above them the
 * flows that find the candidates. */
#define PRI_ROUTE_CAND 1000
#define PRI_POLICY_CAND 2000

/* In a router: 1 once lr_in_ip_routing has found that a routing policy
 * may match the packet (a policy candidate). */
#define REG_POLICY_CAND "reg6"

/* The routing actions towards port 'p' with next hop 'nexthop' (an
 * action that sets reg0 or xxreg0), then 'then'. */
static char *
route_actions(const struct lr_port *p, const char *nexthop, const char *then)
{
    return xasprintf("%s; eth.src = %s; outport = %"PRIu32"; "
                     "flags.loopback = 1; %s", nexthop, p->mac,
                     p->op->tunnel_key, then);
}

/* One static route, parsed. */
struct lr_route {
    const struct nbrec_logical_router_static_route *nb;
    struct lr_addr prefix;      /* Network (host bits cleared). */
    unsigned int plen;
    bool src_ip;                /* Policy src-ip. */
    bool discard;               /* Next hop "discard". */
    bool on_link;               /* No next hop: the destination is on
                                 * 'port''s link, the packet's own
                                 * destination is its next hop. */
    struct lr_addr nexthop;     /* Unless 'discard' or 'on_link'. */
    const struct lr_port *port; /* Port towards the next hop. */
    uint32_t table;             /* Its route table's number (router-ports.h),
                                 * 0 for the main table. */
    char *source;               /* "Logical_Router_Static_Route:UUID", the
                                 * source of its flows, which the trace
                                 * names with the route's table. */
    bool done;                  /* Compiled already (in its ECMP group). */
};

/* Parses 'nb' into 'r'.  Returns false (and logs) if it cannot be
 * compiled. */
static bool
lr_route_parse(struct lr_build *b,
               const struct nbrec_logical_router_static_route *nb,
               struct lr_route *r)
{
    nd_owner_depends_on_row(b->ctx, &nbrec_table_logical_router_static_route,
                            &nb->header_.uuid);
    memset(r, 0, sizeof *r);
    r->nb = nb;
    if (nb->bfd && nd_bfd_applies(nb->bfd)
        && !(b->ctx->bfd && nd_bfd_is_up(b->ctx->bfd, nb->bfd))) {
        /* Withdrawn while its BFD session is not up (a change of the
         * session's state rebuilds the router, northd/bfd.h). */
        return false;
    }
    if (!lr_ports_find_route_table(b->ports, b->n_ports, nb->route_table,
                                   &r->table)) {
        /* No enabled port chooses its table: no packet is routed by it
         * (until a port does, which rebuilds the router). */
        return false;
    }
    struct lport_ipv4 p4, nh4;
    struct lport_ipv6 p6, nh6;
    bool v6, nh_v6;
    char *error = lport_parse_ip(nb->ip_prefix, true, &v6, &p4, &p6);
    if (error) {
        VLOG_WARN_RL(&rl, "route %s: %s", nb->ip_prefix, error);
        free(error);
        return false;
    }
    struct lr_addr a = { .v6 = v6, .ip4 = p4.addr, .ip6 = p6.addr };
    r->plen = v6 ? p6.plen : p4.plen;
    r->prefix = lr_addr_network(&a, r->plen);
    r->src_ip = nb->policy && !strcmp(nb->policy, "src-ip");
    if (!strcmp(nb->nexthop, "discard")) {
        r->discard = true;
        return true;
    }
    if (!nb->nexthop[0] && nb->output_port) {
        r->on_link = true;
        r->port = lr_port_by_name(b, nb->output_port);
        if (!r->port) {
            VLOG_WARN_RL(&rl, "route %s: output port %s is not an enabled "
                         "port of the router", nb->ip_prefix,
                         nb->output_port);
            return false;
        }
        return true;
    }
    error = lport_parse_ip(nb->nexthop, false, &nh_v6, &nh4, &nh6);
    if (error || nh_v6 != v6) {
        VLOG_WARN_RL(&rl, "route %s: next hop %s: %s", nb->ip_prefix,
                     nb->nexthop, error ? error : "not of the prefix's family");
        free(error);
        return false;
    }
    r->nexthop = (struct lr_addr) { .v6 = v6, .ip4 = nh4.addr,
                                    .ip6 = nh6.addr };
    r->port = (nb->output_port ? lr_port_by_name(b, nb->output_port)
               : lr_port_for_addr(b, &r->nexthop));
    if (!r->port) {
        VLOG_WARN_RL(&rl, "route %s: no port reaches next hop %s",
                     nb->ip_prefix, nb->nexthop);
        return false;
    }
    return true;
}

/* Returns the logical action that loads route 'r''s next hop: for a
 * route without one, the packet's destination, malloc'd. */
static char *
lr_route_nexthop(const struct lr_route *r)
{
    return (!r->on_link ? lr_addr_nexthop(&r->nexthop)
            : xstrdup(r->prefix.v6 ? "xxreg0 = ip6.dst" : "reg0 = ip4.dst"));
}

/* Returns true if 'a' and 'b' leave by the same port to the same next
 * hop. */
static bool
lr_route_same_nexthop(const struct lr_route *a, const struct lr_route *b)
{
    return (a->port == b->port && a->on_link == b->on_link
            && lr_addr_equals(&a->nexthop, &b->nexthop));
}

/* Returns true if 'a' and 'b' route the same destinations, whatever
 * their tables. */
static bool
lr_route_same_prefix(const struct lr_route *a, const struct lr_route *b)
{
    return (a->plen == b->plen && a->src_ip == b->src_ip
            && !a->discard && !b->discard
            && lr_addr_equals(&a->prefix, &b->prefix));
}

/* Returns true if 'a' and 'b' route the same destinations of the same
 * traffic (an ECMP group): a group never spans route tables. */
static bool
lr_route_same_group(const struct lr_route *a, const struct lr_route *b)
{
    return a->table == b->table && lr_route_same_prefix(a, b);
}

/* Returns the match of route 'r's destinations, malloc'd. */
static char *
lr_route_prefix_match(const struct lr_route *r)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s,%s=", r->prefix.v6 ? "ipv6" : "ip",
                  (r->prefix.v6 ? (r->src_ip ? "ipv6_src" : "ipv6_dst")
                   : (r->src_ip ? "nw_src" : "nw_dst")));
    lr_addr_format(&r->prefix, &s);
    ds_put_format(&s, "/%u", r->plen);
    return ds_steal_cstr(&s);
}

/* Returns the match of the packets that route 'r' routes, malloc'd: its
 * destinations and, on a router whose ports choose route tables, the
 * traffic of its table only (the main table's is that of the other
 * ports, as in OVN). */
static char *
lr_route_match(const struct lr_build *b, const struct lr_route *r)
{
    char *prefix = lr_route_prefix_match(r);
    if (!b->has_tables) {
        return prefix;
    }
    char *match = xasprintf(REG_ROUTE_TABLE"=%#"PRIx32",%s", r->table,
                            prefix);
    free(prefix);
    return match;
}

/* Returns the match of the packets that come from route 'r's
 * destinations (their source in its prefix; for a src-ip route, their
 * destination), malloc'd. */
static char *
lr_route_reverse_match(const struct lr_route *r)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s,%s=", r->prefix.v6 ? "ipv6" : "ip",
                  (r->prefix.v6 ? (r->src_ip ? "ipv6_dst" : "ipv6_src")
                   : (r->src_ip ? "nw_dst" : "nw_src")));
    lr_addr_format(&r->prefix, &s);
    ds_put_format(&s, "/%u", r->plen);
    return ds_steal_cstr(&s);
}

/* Symmetric ECMP replies (Logical_Router_Static_Route
 * options:ecmp_symmetric_reply): a gateway port and the destinations of
 * an ECMP group whose routes through that port ask for them. */
struct lr_sym {
    const struct lr_port *port;
    const struct lr_route *route;   /* A route of the group, through
                                     * 'port'. */
};

static bool lr_route_in_ecmp_group(const struct lr_route *, size_t n,
                                   size_t i);

/* Fills 'b->syms' from 'b->routes': every route with symmetric replies
 * that is a member of an ECMP group, once per gateway port and group.
 * Such a route through a port that is not a gateway port is compiled as
 * any ECMP route (its replies follow the hash), with a warning: only a
 * gateway chassis sees both directions of a connection. */
static void
lr_syms_gather(struct lr_build *b)
{
    b->syms = xcalloc(b->n_routes + 1, sizeof *b->syms);
    for (size_t i = 0; i < b->n_routes; i++) {
        const struct lr_route *r = &b->routes[i];
        if (r->discard
            || !smap_get_bool(&r->nb->options, "ecmp_symmetric_reply", false)
            || !lr_route_in_ecmp_group(b->routes, b->n_routes, i)) {
            continue;
        }
        if (!r->port->gateway) {
            VLOG_WARN_RL(&rl, "route %s via %s: symmetric ECMP replies need "
                         "a gateway port and %s is not one: its replies "
                         "take any route of the group", r->nb->ip_prefix,
                         r->nb->nexthop, r->port->lrp->name);
            continue;
        }
        size_t j;
        for (j = 0; j < b->n_syms; j++) {
            if (b->syms[j].port == r->port
                && lr_route_same_prefix(b->syms[j].route, r)) {
                break;
            }
        }
        if (j == b->n_syms) {
            b->syms[b->n_syms++] = (struct lr_sym) { r->port, r };
        }
    }
}

/* What the routing flows do after choosing a next hop: on to
 * lr_in_policy for a policy candidate ('cand'), else to lr_in_arp_resolve
 * (named, on a router with ECMP routes or policies, so that the stages
 * between cost the packet no lookup). */
static const char *
lr_route_then(const struct lr_build *b, bool cand)
{
    return (cand ? "next(lr_in_policy);"
            : b->has_ecmp || b->has_policies ? "next(lr_in_arp_resolve);"
            : "next;");
}

/* What an ECMP member does after setting its next hop: as
 * lr_route_then(), from lr_in_ip_routing_ecmp. */
static const char *
lr_route_ecmp_then(bool cand)
{
    return cand ? "next;" : "next(lr_in_arp_resolve);";
}

/* Returns 'match' (alternatives of a logical flow's match) with 'field'
 * (an ovs-ofctl "FIELD=VALUE") added to every alternative, malloc'd. */
static char *
match_and_each(const char *field, const char *match)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    char *copy = xstrdup(match);
    char *alt = copy;
    for (;;) {
        char *end = strstr(alt, PIPELINE_MATCH_OR);
        if (end) {
            *end = '\0';
        }
        if (out.length) {
            ds_put_cstr(&out, PIPELINE_MATCH_OR);
        }
        ds_put_format(&out, "%s%s%s", field,
                      (!alt[0] ? ""
                       : alt[0] == '[' ? PIPELINE_MATCH_AND : ","), alt);
        if (!end) {
            break;
        }
        alt = end + strlen(PIPELINE_MATCH_OR);
    }
    free(copy);
    return ds_steal_cstr(&out);
}

/* Adds a flow to the router's own datapath whose source is 'source' (a
 * static route's row: the trace names it), or the router's if 'source'
 * is NULL. */
static void
lr_add_from(struct lr_build *b, enum pipeline_stage stage,
            uint16_t priority, const char *match, const char *actions,
            const char *source)
{
    lflow_table_add_from(b->ctx->lflows, &b->od->sb_uuid, stage, priority,
                         match, actions, source);
}

/* Adds a routing flow to lr_in_ip_routing: for every packet or, with
 * 'cand', its twin for the candidates of routing policies, which match
 * reg6=1, in a band of priorities above every other route, so that among
 * candidates the longest prefix wins as among other packets.  Its source
 * is 'source', as for lr_add_from(). */
static void
lr_add_route_from(struct lr_build *b, bool cand, uint16_t priority,
                  const char *match, const char *actions, const char *source)
{
    if (cand) {
        char *m = match_and_each(REG_POLICY_CAND"=0x1", match);
        lr_add_from(b, S_ROUTER_INGRESS_IP_ROUTING, PRI_ROUTE_CAND + priority,
                    m, actions, source);
        free(m);
    } else {
        lr_add_from(b, S_ROUTER_INGRESS_IP_ROUTING, priority, match, actions,
                    source);
    }
}

/* Adds a routing flow, as lr_add_route_from(), from the router. */
static void
lr_add_route(struct lr_build *b, bool cand, uint16_t priority,
             const char *match, const char *actions)
{
    lr_add_route_from(b, cand, priority, match, actions, NULL);
}

/* Compiles route 'routes[i]' and the other routes of its ECMP group
 * (among 'routes[i + 1]'... ), the group getting number '*n_groups'; on
 * a router with policies, also their twins for policy candidates. */
static void
lr_route_compile(struct lr_build *b, struct lr_route *routes, size_t n,
                 size_t i, uint32_t *n_groups)
{
    struct lr_route *r = &routes[i];
    char *match = lr_route_match(b, r);
    uint16_t pri = lr_route_priority(r->plen, r->src_ip, false);
    if (r->discard) {
        for (int cand = 0; cand <= b->has_policies; cand++) {
            lr_add_route_from(b, cand, pri, match, "drop;", r->source);
        }
        free(match);
        return;
    }

    /* The routes of the group, with distinct next hops. */
    struct lr_route **members = xmalloc(n * sizeof *members);
    size_t n_members = 0;
    for (size_t j = i; j < n; j++) {
        struct lr_route *o = &routes[j];
        if (j != i && (o->done || !lr_route_same_group(r, o))) {
            continue;
        }
        o->done = true;
        bool dup = false;
        for (size_t k = 0; k < n_members; k++) {
            dup |= lr_route_same_nexthop(members[k], o);
        }
        if (!dup) {
            members[n_members++] = o;
        }
    }

    uint32_t group = n_members > 1 ? ++*n_groups : 0;
    for (int cand = 0; cand <= b->has_policies; cand++) {
        char *actions;
        if (n_members == 1) {
            char *nh = lr_route_nexthop(r);
            char *route = route_actions(r->port, nh, lr_route_then(b, cand));
            actions = xasprintf("ip.ttl--; %s", route);
            free(route);
            free(nh);
        } else {
            /* ECMP: a select group picks a member per connection (its
             * hash covers addresses and ports, symmetric in both
             * directions), and lr_in_ip_routing_ecmp turns the member
             * into its next hop (its twin, at priority 101, for policy
             * candidates). */
            struct ds a = DS_EMPTY_INITIALIZER;
            ds_put_cstr(&a, "ip.ttl--; reg1 = select(");
            for (size_t k = 0; k < n_members; k++) {
                uint32_t v = (group << 16) | (k + 1);
                ds_put_format(&a, "%s%"PRIu32, k ? ", " : "", v);
                char *nh = lr_route_nexthop(members[k]);
                char *member = route_actions(members[k]->port, nh,
                                             lr_route_ecmp_then(cand));
                char *m = xasprintf("reg1=%#"PRIx32"%s", v,
                                    cand ? ","REG_POLICY_CAND"=0x1" : "");
                lr_add_from(b, S_ROUTER_INGRESS_IP_ROUTING_ECMP, 100 + cand,
                            m, member, members[k]->source);
                free(m);
                free(member);
                free(nh);
            }
            ds_put_cstr(&a, ");");
            actions = ds_steal_cstr(&a);
        }
        lr_add_route_from(b, cand, pri, match, actions, r->source);
        free(actions);
    }
    free(members);
    free(match);
}

/* Returns true if 'routes[i]' (of 'n') is a member of an ECMP group:
 * another route of its group has another next hop or port. */
static bool
lr_route_in_ecmp_group(const struct lr_route *routes, size_t n, size_t i)
{
    for (size_t j = 0; j < n; j++) {
        if (j != i && lr_route_same_group(&routes[i], &routes[j])
            && !lr_route_same_nexthop(&routes[i], &routes[j])) {
            return true;
        }
    }
    return false;
}

/* Frees the 'n' 'routes' that lr_routes_gather() parsed. */
static void
lr_routes_destroy(struct lr_route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(routes[i].source);
    }
    free(routes);
}

/* Parses the router's static routes into 'b->routes', and finds whether
 * it has ECMP groups and routes with symmetric replies, which the stages
 * before routing need to know. */
static void
lr_routes_gather(struct lr_build *b)
{
    size_t n = b->lr->n_static_routes;
    b->routes = xcalloc(n + 1, sizeof *b->routes);
    for (size_t i = 0; i < n; i++) {
        struct lr_route *r = &b->routes[b->n_routes];
        if (lr_route_parse(b, b->lr->static_routes[i], r)) {
            r->source = xasprintf("Logical_Router_Static_Route:"UUID_FMT,
                                  UUID_ARGS(&r->nb->header_.uuid));
            b->n_routes++;
        }
    }
    for (size_t i = 0; i < b->n_routes && !b->has_ecmp; i++) {
        b->has_ecmp = lr_route_in_ecmp_group(b->routes, b->n_routes, i);
    }
    lr_syms_gather(b);
}

static void
lr_routing(struct lr_build *b)
{
    struct lr_route *routes = b->routes;
    size_t n_ok = b->n_routes;

    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        for (int cand = 0; cand <= b->has_policies; cand++) {
            for (size_t j = 0; j < p->la.n_ipv4; j++) {
                const struct lport_ipv4 *a = &p->la.ipv4[j];
                char *route = route_actions(p, "reg0 = ip4.dst",
                                            lr_route_then(b, cand));
                char *actions = xasprintf("ip.ttl--; %s", route);
                char *m = xasprintf("ip,nw_dst="IP_FMT"/%u",
                                    IP_ARGS(ipv4_network(a)), a->plen);
                lr_add_route(b, cand, lr_route_priority(a->plen, false, true),
                             m, actions);
                free(m);
                free(actions);
                free(route);
            }
            for (size_t j = 0; j < p->la.n_ipv6; j++) {
                const struct lport_ipv6 *a6 = &p->la.ipv6[j];
                struct lr_addr a = { .v6 = true, .ip6 = a6->addr };
                a = lr_addr_network(&a, a6->plen);
                struct ds m = DS_EMPTY_INITIALIZER;
                ds_put_cstr(&m, "ipv6,ipv6_dst=");
                lr_addr_format(&a, &m);
                ds_put_format(&m, "/%u", a6->plen);
                char *route = route_actions(p, "xxreg0 = ip6.dst",
                                            lr_route_then(b, cand));
                char *actions = xasprintf("ip.ttl--; %s", route);
                lr_add_route(b, cand, lr_route_priority(a6->plen, false, true),
                             ds_cstr(&m), actions);
                free(actions);
                free(route);
                ds_destroy(&m);
            }
        }
    }

    uint32_t n_groups = 0;
    for (size_t i = 0; i < n_ok; i++) {
        if (!routes[i].done) {
            lr_route_compile(b, routes, n_ok, i, &n_groups);
        }
    }

    /* No route: ICMP destination unreachable (network unreachable; no
     * route to destination) back out the port the packet came in by. */
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        for (int v6 = 0; v6 < 2; v6++) {
            if (v6 ? p->n_ip6s : p->n_ip4s) {
                char *actions = lr_icmp_error(p, v6, v6 ? 1 : 3, 0);
                lr_add(b, S_ROUTER_INGRESS_IP_ROUTING, PRI_NO_ROUTE, actions,
                       REG_INPORT"=%"PRIu32",%s", p->op->tunnel_key,
                       v6 ? "ipv6" : "ip");
                free(actions);
            }
        }
    }
    lr_add(b, S_ROUTER_INGRESS_IP_ROUTING, 0, "drop;", "%s", "");
}

/* --- lr_in_policy, lr_in_policy_ecmp ------------------------------------ */

/* Compares routing policies by descending priority, then match, then
 * UUID, for qsort(): the order that numbers their ECMP groups, so that
 * the same NB gives the same flows. */
static int
policy_cmp(const void *a_, const void *b_)
{
    const struct nbrec_logical_router_policy *const *ap = a_, *const *bp = b_;
    const struct nbrec_logical_router_policy *a = *ap, *b = *bp;
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    int cmp = strcmp(a->match, b->match);
    return cmp ? cmp : uuid_compare_3way(&a->header_.uuid, &b->header_.uuid);
}

/* Parses the next hops of reroute policy 'policy' into 'nhs' (room for
 * every one) with the port that reaches each.  Returns their number, or 0
 * (and logs) if one cannot be used: the policy then has no flow. */
static size_t
lr_policy_nexthops(const struct lr_build *b,
                   const struct nbrec_logical_router_policy *policy,
                   struct lr_addr *nhs, const struct lr_port **ports)
{
    size_t n = policy->n_nexthops ? policy->n_nexthops : !!policy->nexthop;
    for (size_t i = 0; i < n; i++) {
        const char *text = (policy->n_nexthops ? policy->nexthops[i]
                            : policy->nexthop);
        struct lport_ipv4 nh4;
        struct lport_ipv6 nh6;
        bool v6;
        char *error = lport_parse_ip(text, false, &v6, &nh4, &nh6);
        if (error || (i && v6 != nhs[0].v6)) {
            VLOG_WARN_RL(&rl, "routing policy \"%s\": next hop %s: %s",
                         policy->match, text,
                         error ? error : "not of the first one's family");
            free(error);
            return 0;
        }
        nhs[i] = (struct lr_addr) { .v6 = v6, .ip4 = nh4.addr,
                                    .ip6 = nh6.addr };
        ports[i] = lr_port_for_addr(b, &nhs[i]);
        if (!ports[i]) {
            VLOG_WARN_RL(&rl, "routing policy \"%s\": no port of router %s "
                         "reaches next hop %s", policy->match, b->lr->name,
                         text);
            return 0;
        }
    }
    return n;
}

/* Compiles routing policy 'policy': its flow in lr_in_policy (and, for a
 * reroute with several next hops, the members' flows in
 * lr_in_policy_ecmp, as group number ++'*n_groups').  The flows' source
 * is the policy's row, which the trace names. */
static void
lr_policy_compile(struct lr_build *b,
                  const struct nbrec_logical_router_policy *policy,
                  uint32_t *n_groups)
{
    struct lflow_table *t = b->ctx->lflows;
    const struct uuid *dp = &b->od->sb_uuid;
    char *source = xasprintf("Logical_Router_Policy:"UUID_FMT,
                             UUID_ARGS(&policy->header_.uuid));
    size_t n_nhs = policy->n_nexthops + 1;
    struct lr_addr *nhs = xcalloc(n_nhs, sizeof *nhs);
    const struct lr_port **ports = xcalloc(n_nhs, sizeof *ports);
    char *text = NULL;
    char *match = NULL;
    char *actions = NULL;

    bool reroute = !strcmp(policy->action, "reroute");
    if (reroute) {
        n_nhs = lr_policy_nexthops(b, policy, nhs, ports);
        if (!n_nhs) {
            goto out;
        }
        /* A next hop of one family reroutes the packets of that family:
         * the others go on as routing decided. */
        text = xasprintf("(%s) && %s", policy->match,
                         nhs[0].v6 ? "ip6" : "ip4");
    } else {
        text = xasprintf("(%s) && ip", policy->match);
    }
    char *error = nd_match_compile_string(b->ctx, b->od, text, 0, &match);
    if (error) {
        VLOG_WARN_RL(&rl, "routing policy \"%s\" of router %s: %s",
                     policy->match, b->lr->name, error);
        free(error);
        goto out;
    } else if (!match) {
        /* It never matches (e.g. inport of a port the router lacks). */
        goto out;
    }

    /* Before routing, the packets the policy may match become candidates
     * (routing then sends them on to lr_in_policy): all of the family,
     * for a policy that matches what routing chooses, the outport. */
    struct expr *e = NULL;
    error = expr_parse_string(policy->match, NULL, &e);
    bool uses_outport = !error && expr_uses_symbol(e, "outport");
    free(error);
    expr_destroy(e);
    char *cand = match_and_each(REG_POLICY_CAND"=0",
                                !uses_outport ? match
                                : !reroute ? "ip" PIPELINE_MATCH_OR "ipv6"
                                : nhs[0].v6 ? "ipv6" : "ip");
    lflow_table_add_shared_from(t, dp, S_ROUTER_INGRESS_IP_ROUTING,
                                PRI_POLICY_CAND + policy->priority, cand,
                                REG_POLICY_CAND" = 1; next(lr_in_ip_routing);",
                                source);
    free(cand);

    if (!strcmp(policy->action, "drop")) {
        actions = xstrdup("drop;");
    } else if (!reroute) {
        actions = xstrdup("next(lr_in_arp_resolve);");
    } else if (n_nhs == 1) {
        char *nh = lr_addr_nexthop(&nhs[0]);
        actions = route_actions(ports[0], nh, "next(lr_in_arp_resolve);");
        free(nh);
    } else {
        /* Several next hops: a select group picks one per connection, as
         * for ECMP routes, and lr_in_policy_ecmp sets it. */
        uint32_t group = ++*n_groups;
        struct ds a = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&a, "reg1 = select(");
        for (size_t k = 0; k < n_nhs; k++) {
            uint32_t v = (group << 16) | (k + 1);
            ds_put_format(&a, "%s%"PRIu32, k ? ", " : "", v);
            char *nh = lr_addr_nexthop(&nhs[k]);
            char *member = route_actions(ports[k], nh, "next;");
            char *m = xasprintf("reg1=%#"PRIx32, v);
            lflow_table_add_shared_from(t, dp, S_ROUTER_INGRESS_POLICY_ECMP,
                                        100, m, member, source);
            free(m);
            free(member);
            free(nh);
        }
        ds_put_cstr(&a, ");");
        actions = ds_steal_cstr(&a);
    }
    lflow_table_add_shared_from(t, dp, S_ROUTER_INGRESS_POLICY,
                                policy->priority, match, actions, source);

out:
    free(actions);
    free(match);
    free(text);
    free(ports);
    free(nhs);
    free(source);
}

/* lr_in_policy: the router's routing policies, after routing, highest
 * priority first, as in OVN: "allow" keeps routing's decision, "drop"
 * drops, "reroute" replaces the next hop (and output port) by its own,
 * or one of its own per connection.  A packet no policy matches keeps
 * routing's decision. */
static void
lr_policies(struct lr_build *b)
{
    if (!b->has_policies) {
        return;
    }
    size_t n = b->lr->n_policies;
    struct nbrec_logical_router_policy **sorted
        = xmemdup(b->lr->policies, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, policy_cmp);
    uint32_t n_groups = 0;
    for (size_t i = 0; i < n; i++) {
        nd_owner_depends_on_row(b->ctx, &nbrec_table_logical_router_policy,
                                &sorted[i]->header_.uuid);
        lr_policy_compile(b, sorted[i], &n_groups);
    }
    free(sorted);
    lr_add(b, S_ROUTER_INGRESS_POLICY, 0, "next(lr_in_arp_resolve);",
           "%s", "");
}

/* --- lr_in_arp_resolve -------------------------------------------------- */

/* lr_in_arp_resolve: the next hops each port knows, and the ARP or ND for
 * the others, are the port's (lflow-router-neighbours.c); anything else
 * (a next hop on no port) is dropped. */
static void
lr_arp_resolve(struct lr_build *b)
{
    lr_add(b, S_ROUTER_INGRESS_ARP_RESOLVE, 0, "drop;", "%s", "");
}

/* --- Gateways: lr_in_gw_redirect, lr_out_snat, lr_out_delivery ---------- */

/* Adds the SNAT flows of the router's NAT rules for packets to redirect
 * key 'rkey'. */
static void
lr_snat_nat_rules(struct lr_build *b, uint32_t rkey)
{
    for (size_t i = 0; i < b->lr->n_nat; i++) {
        const struct nbrec_nat *nat = b->lr->nat[i];
        if (!nat_ok(nat)) {
            continue;
        }
        struct lport_ipv4 lip;
        struct lport_ipv6 lip6;
        bool v6;
        char *error = lport_parse_ip(nat->logical_ip, true, &v6, &lip, &lip6);
        if (error || v6) {
            free(error);
            continue;
        }
        /* Replies of DNATed connections are un-DNATed by either action:
         * conntrack applies a connection's existing NAT. */
        char *actions = (!strcmp(nat->type, "dnat")
                         ? xstrdup("ct_dnat;")
                         : xasprintf("ct_snat(%s);", nat->external_ip));
        lr_add(b, S_ROUTER_EGRESS_SNAT, 100 + lip.plen, actions,
               REG_OUTPORT"=%"PRIu32",ip,nw_src="IP_FMT"/%u", rkey,
               IP_ARGS(ipv4_network(&lip)), lip.plen);
        free(actions);
    }
}

/* Sends what the logical IPs of the router's dnat and dnat_and_snat
 * rules send out of gateway port 'key' to the port's own chassis
 * (redirect key 'port_rkey'), above the ramp-out rules and colours'
 * gateways: the connections DNATed on the way in live in that chassis'
 * conntrack, so their replies must be un-DNATed there, and the SNAT
 * address of a dnat_and_snat rule is answered for there.  Like a load
 * balancer backend without a port, the address's own connections go
 * there too: the pod's host cannot tell a reply from a new one. */
static void
lr_redirect_dnat(struct lr_build *b, uint32_t key, uint32_t port_rkey)
{
    char *actions = xasprintf("outport = %"PRIu32"; output;", port_rkey);
    for (size_t i = 0; i < b->lr->n_nat; i++) {
        const struct nbrec_nat *nat = b->lr->nat[i];
        if (!nat_ok(nat) || !strcmp(nat->type, "snat")) {
            continue;
        }
        struct lport_ipv4 lip;
        struct lport_ipv6 lip6;
        bool v6;
        char *error = lport_parse_ip(nat->logical_ip, true, &v6, &lip, &lip6);
        if (error || v6) {
            free(error);
            continue;
        }
        lr_add(b, S_ROUTER_INGRESS_GW_REDIRECT, PRI_REDIRECT_DNAT, actions,
               REG_OUTPORT"=%"PRIu32",ip,nw_src="IP_FMT"/%u", key,
               IP_ARGS(ipv4_network(&lip)), lip.plen);
    }
    free(actions);
}

static void
lr_gateways(struct lr_build *b)
{
    if (!b->has_gateway) {
        return;
    }
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        if (!p->gateway) {
            continue;
        }
        uint32_t key = p->op->tunnel_key;
        uint32_t port_rkey = rampout_port_redirect_key(key);
        char *actions;

        for (size_t j = 0; j < b->n_rules; j++) {
            const struct lr_rule *r = &b->rules[j];
            uint32_t rkey = rampout_rule_redirect_key(r->number);
            actions = xasprintf("eth.src = %s; outport = %"PRIu32"; output;",
                                r->mac, rkey);
            lr_add(b, S_ROUTER_INGRESS_GW_REDIRECT, PRI_REDIRECT_RULE,
                   actions, REG_OUTPORT"=%"PRIu32",reg7=%"PRIu32, key,
                   r->number);
            free(actions);

            if (r->ro->snat_ip) {
                actions = xasprintf("ct_snat(%s);", r->ro->snat_ip);
                lr_add(b, S_ROUTER_EGRESS_SNAT, PRI_SNAT_RULE, actions,
                       REG_OUTPORT"=%"PRIu32",ip", rkey);
                free(actions);
            } else {
                lr_snat_nat_rules(b, rkey);
            }
            actions = xasprintf("outport = %"PRIu32"; output;", key);
            lr_add(b, S_ROUTER_EGRESS_DELIVERY, PRI_DELIVERY, actions,
                   REG_OUTPORT"=%"PRIu32, rkey);
            free(actions);
        }

        if (b->n_rules) {
            lr_redirect_dnat(b, key, port_rkey);
        }
        actions = xasprintf("outport = %"PRIu32"; output;", port_rkey);
        lr_add(b, S_ROUTER_INGRESS_GW_REDIRECT, PRI_REDIRECT_PORT, actions,
               REG_OUTPORT"=%"PRIu32, key);
        free(actions);
        lr_snat_nat_rules(b, port_rkey);
        actions = xasprintf("outport = %"PRIu32"; output;", key);
        lr_add(b, S_ROUTER_EGRESS_DELIVERY, PRI_DELIVERY, actions,
               REG_OUTPORT"=%"PRIu32, port_rkey);
        free(actions);
    }
    lr_add(b, S_ROUTER_INGRESS_GW_REDIRECT, 0, "output;", "%s", "");
    lr_add(b, S_ROUTER_EGRESS_SNAT, 0, "next;", "%s", "");
    lr_add(b, S_ROUTER_EGRESS_DELIVERY, 0, "output;", "%s", "");
}

/* --- Symmetric ECMP replies: lr_in_ecmp_stateful, lr_out_ecmp_reply ---- */

/* The flows of symmetric ECMP replies, on the gateway chassis, in the
 * router's conntrack zone: a connection whose first packet comes in by
 * gateway port P from the destinations of an ECMP group with symmetric
 * replies through P is committed with P's key (ct_mark) and the sending
 * next hop's MAC (ct_label); its replies that leave by P go to that MAC,
 * whichever member the sending host's routing chose.  Routing itself
 * happens on the host that sends the reply, which has no conntrack entry
 * of the connection: only the gateway, where both directions pass, can
 * put the reply back on its path. */
static void
lr_ecmp_symmetric(struct lr_build *b)
{
    if (!b->n_syms) {
        return;
    }
    bool *reply_done = xcalloc(b->n_ports + 1, sizeof *reply_done);
    for (size_t i = 0; i < b->n_syms; i++) {
        const struct lr_port *p = b->syms[i].port;
        uint32_t key = p->op->tunnel_key;

        /* In: conntrack (lr_in_dnat, unless a NAT flow does it there
         * first), then commit, with the port and the sender's MAC. */
        char *in = lr_route_reverse_match(b->syms[i].route);
        lr_add(b, S_ROUTER_INGRESS_DNAT, PRI_DNAT_ECMP_CT, "ct_next;",
               REG_INPORT"=%"PRIu32",%s", key, in);
        char *actions = xasprintf(
            "ct_commit { ct_mark = %#"PRIx32"/"CT_MARK_ECMP_REPLY_PORT_MASK
            "; ct_label.ecmp_reply_eth = eth.src; }; next;",
            key << CT_MARK_ECMP_REPLY_PORT_SHIFT);
        lr_add(b, S_ROUTER_INGRESS_ECMP_STATEFUL, PRI_ECMP_STATEFUL, actions,
               REG_INPORT"=%"PRIu32",ct_state=-rpl-inv+trk,%s", key, in);
        free(actions);
        free(in);

        /* Out, by the port's redirect key or a ramp-out rule's (which
         * leave by the port): conntrack (lr_out_snat, unless a NAT flow
         * does it there first), then the recorded next hop. */
        struct ds keys = DS_EMPTY_INITIALIZER;
        match_or(&keys, REG_OUTPORT"=%"PRIu32,
                 rampout_port_redirect_key(key));
        for (size_t j = 0; j < b->n_rules; j++) {
            match_or(&keys, REG_OUTPORT"=%"PRIu32,
                     rampout_rule_redirect_key(b->rules[j].number));
        }
        char *out = lr_route_prefix_match(b->syms[i].route);
        char *m = match_and_each(out, ds_cstr(&keys));
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid, S_ROUTER_EGRESS_SNAT,
                        PRI_SNAT_ECMP_CT, m, "ct_next;");
        free(m);
        free(out);
        size_t pi = p - b->ports;
        if (!reply_done[pi]) {
            reply_done[pi] = true;
            char *mark = xasprintf("ct_state=+rpl+trk,ct_mark=%#"PRIx32"/"
                                   CT_MARK_ECMP_REPLY_PORT_MASK,
                                   key << CT_MARK_ECMP_REPLY_PORT_SHIFT);
            m = match_and_each(mark, ds_cstr(&keys));
            lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                            S_ROUTER_EGRESS_ECMP_REPLY, PRI_ECMP_REPLY, m,
                            "eth.dst = ct_label.ecmp_reply_eth; next;");
            free(m);
            free(mark);
        }
        ds_destroy(&keys);
    }
    free(reply_done);
    lr_add(b, S_ROUTER_INGRESS_ECMP_STATEFUL, 0, "next;", "%s", "");
    lr_add(b, S_ROUTER_EGRESS_ECMP_REPLY, 0, "next;", "%s", "");
}

/* The L2 lookup, in the switch on the other side of each gateway port, of
 * the ramp-out rules' MACs: frames to them go to the router. */
static void
lr_gateway_switch_flows(struct lr_build *b)
{
    for (size_t i = 0; i < b->n_ports && b->n_rules; i++) {
        const struct lr_port *p = &b->ports[i];
        const struct nd_port *namer = (p->gateway
                                       ? nd_port_namer(b->ctx->dps, p->op)
                                       : NULL);
        if (!namer || namer->dp->kind != &nd_dp_switch) {
            continue;
        }
        struct ds m = DS_EMPTY_INITIALIZER;
        for (size_t j = 0; j < b->n_rules; j++) {
            match_or(&m, "dl_dst=%s", b->rules[j].mac);
        }
        char *actions = xasprintf("outport = %"PRIu32"; output;",
                                  namer->tunnel_key);
        lflow_table_add(b->ctx->lflows, &namer->dp->sb_uuid,
                        S_SWITCH_INGRESS_L2_LKUP, 50, ds_cstr(&m), actions);
        free(actions);
        ds_destroy(&m);
    }
}

/* --- The owner kind ----------------------------------------------------- */

/* nd_owner_kind 'build': every flow of router 'id'. */
static void
router_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    const struct nbrec_logical_router *lr
        = (od && nd_dp_is_router(od)
           ? nbrec_logical_router_get_for_uuid(ctx->nb_idl, &od->nb_uuid)
           : NULL);
    if (lr && lr_is_disabled(lr)) {
        /* A disabled router drops everything. */
        lflow_table_add(ctx->lflows, &od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, 0, "", "drop;");
    } else if (lr) {
        struct lr_build b = { .ctx = ctx, .od = od, .lr = lr };
        lr_gather(&b);
        lr_routes_gather(&b);
        lr_admission(&b);
        lr_dnat(&b);
        lr_rampout(&b);
        lr_routing(&b);
        lr_policies(&b);
        lr_arp_resolve(&b);
        lr_gateways(&b);
        lr_ecmp_symmetric(&b);
        lr_gateway_switch_flows(&b);
        lr_build_destroy(&b);
    }
    nd_owner_end(ctx);
}

static void
router_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (nd_dp_is_router(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_router_kind,
                                               &od->nb_uuid, 0);
        router_build(ctx, &id);
    }
}

static void
router_collect_dp(const struct nd_datapath *od,
                  struct lflow_owner_set *owners)
{
    if (nd_dp_is_router(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_router_kind,
                                               &od->nb_uuid, 0);
        lflow_owner_set_add(owners, &id);
    }
}

/* nd_owner_kind 'collect': routers that came, went or changed, and those
 * whose ports did. */
static void
router_collect(const struct nd_changes *changes,
               struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->datapaths) {
        router_collect_dp(node->data, owners);
    }
    HMAPX_FOR_EACH (node, &changes->ports) {
        const struct nd_port *op = node->data;
        router_collect_dp(op->dp, owners);
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        router_collect_dp(od, owners);
    }
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &changes->removed_ports) {
        router_collect_dp(op->dp, owners);
    }
}

/* The tables a router's flows read besides its own. */
static const struct nd_owner_dep_table router_dep_tables[] = {
    { &nbrec_table_logical_router_port,
      &nbrec_logical_router_port_col_name },
    { &nbrec_table_logical_router_static_route, NULL },
    { &nbrec_table_nat, NULL },
    { &nbrec_table_rampout_rule, NULL },
    { &nbrec_table_color, NULL },
    { &nbrec_table_logical_switch_port, &nbrec_logical_switch_port_col_name },
    { &nbrec_table_logical_router_policy, NULL },
    { &nbrec_table_port_group, &nbrec_port_group_col_name },
    { &nbrec_table_address_set, &nbrec_address_set_col_name },
    { &nbrec_table_ha_chassis_group, NULL },
};

/* Flows of each Logical_Router. */
const struct nd_owner_kind lflow_router_kind = {
    .name = "router",
    .nb_table = "Logical_Router",
    .dep_tables = router_dep_tables,
    .n_dep_tables = ARRAY_SIZE(router_dep_tables),
    .build_datapath = router_build_datapath,
    .collect = router_collect,
    .build = router_build,
};
