#include <config.h>

#include "northd/lflow-router.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "lib/rampout.h"
#include "northd/colors.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-table.h"
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
    PRI_ADM_ARP_REPLY = 100,    /* ARP request for a router address. */
    PRI_ADM_ECHO = 90,          /* ICMP echo request to the router. */
    PRI_ADM_TTL = 85,           /* TTL 0 or 1: drop. */
    PRI_ADM_NAT = 81,           /* To a NAT address on a gateway port. */
    PRI_ADM_TO_ROUTER = 80,     /* Anything else to the router: drop. */
    PRI_ADM_ACCEPT = 50,        /* Frames to a router MAC: on. */
};

/* Priorities of the other stages. */
enum {
    PRI_DNAT = 100,             /* lr_in_dnat: a NAT address. */
    PRI_RESOLVE = 100,          /* lr_in_arp_resolve: a known neighbour. */
    PRI_RESOLVE_ASK = 1,        /* lr_in_arp_resolve: ARP for the rest. */
    PRI_REDIRECT_RULE = 100,    /* lr_in_gw_redirect: a ramp-out rule. */
    PRI_REDIRECT_PORT = 50,     /* lr_in_gw_redirect: the port's own. */
    PRI_SNAT_RULE = 200,        /* lr_out_snat: a rule's address. */
    PRI_DELIVERY = 100,         /* lr_out_delivery: redirect -> port. */
};

/* One enabled port of the router being built. */
struct lr_port {
    const struct nd_port *op;
    const struct nbrec_logical_router_port *lrp;
    struct lport_addresses la;  /* MAC and networks, with prefixes. */
    char mac[ETH_ADDR_STRLEN + 1];
    bool gateway;               /* Has gateway chassis. */
};

/* One ramp-out rule of the router being built. */
struct lr_rule {
    const struct nbrec_rampout_rule *rule;
    uint32_t number;            /* 1, 2, ... by name. */
    char mac[ETH_ADDR_STRLEN + 1];
};

/* The router being built. */
struct lr_build {
    struct nd_build_ctx *ctx;
    const struct nd_datapath *od;
    const struct nbrec_logical_router *lr;
    struct lr_port *ports;
    size_t n_ports;
    struct lr_rule *rules;
    size_t n_rules;
    bool has_gateway;           /* Some port has gateway chassis. */
    bool has_nat;               /* NAT rules or ramp-out rules with an
                                 * address, on a router with a gateway. */
};

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

/* Compares ramp-out rules by name, for qsort(). */
static int
rule_cmp(const void *a_, const void *b_)
{
    const struct nbrec_rampout_rule *const *a = a_, *const *b = b_;
    return rampout_name_cmp((*a)->name, (*b)->name);
}

/* Fills 'b' with the enabled ports and the rules of router 'od'. */
static void
lr_gather(struct lr_build *b)
{
    const struct nd_port *op;
    b->ports = xcalloc(b->od->n_ports + 1, sizeof *b->ports);
    LIST_FOR_EACH (op, dp_node, &b->od->ports) {
        const struct nbrec_logical_router_port *lrp
            = nbrec_logical_router_port_get_for_uuid(b->ctx->nb_idl,
                                                     &op->nb_uuid);
        if (!lrp || !nd_port_has(op, ND_PF_ENABLED)) {
            continue;
        }
        struct lr_port *p = &b->ports[b->n_ports];
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, lrp->mac);
        for (size_t i = 0; i < lrp->n_networks; i++) {
            ds_put_format(&s, " %s", lrp->networks[i]);
        }
        char *error = lport_addresses_parse(ds_cstr(&s), true, &p->la);
        ds_destroy(&s);
        if (error) {
            VLOG_WARN_RL(&rl, "router port %s: %s", lrp->name, error);
            free(error);
            continue;
        }
        p->op = op;
        p->lrp = lrp;
        snprintf(p->mac, sizeof p->mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(p->la.ea));
        p->gateway = lrp->n_gateway_chassis > 0;
        if (p->gateway && op->tunnel_key > RAMPOUT_MAX_PORT_KEY) {
            VLOG_WARN_RL(&rl, "router port %s: a gateway port needs a key "
                         "below %d", lrp->name, RAMPOUT_MAX_PORT_KEY + 1);
            p->gateway = false;
        }
        b->has_gateway |= p->gateway;
        b->n_ports++;
    }

    size_t n = MIN(b->lr->n_rampout_rules, RAMPOUT_MAX_RULES);
    const struct nbrec_rampout_rule **sorted = xcalloc(n + 1,
                                                       sizeof *sorted);
    for (size_t i = 0; i < n; i++) {
        sorted[i] = b->lr->rampout_rules[i];
    }
    qsort(sorted, n, sizeof *sorted, rule_cmp);
    b->rules = xcalloc(n + 1, sizeof *b->rules);
    for (size_t i = 0; i < n; i++) {
        struct lr_rule *r = &b->rules[i];
        r->rule = sorted[i];
        r->number = i + 1;
        struct eth_addr ea = rampout_rule_mac(b->od->tunnel_key, r->number);
        snprintf(r->mac, sizeof r->mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ea));
        nd_owner_depends_on_row(b->ctx, &nbrec_table_rampout_rule,
                                &r->rule->header_.uuid);
    }
    b->n_rules = n;
    free(sorted);

    for (size_t i = 0; i < b->lr->n_nat; i++) {
        nd_owner_depends_on_row(b->ctx, &nbrec_table_nat,
                                &b->lr->nat[i]->header_.uuid);
    }
    b->has_nat = b->has_gateway && (b->lr->n_nat > 0 || n > 0);
}

static void
lr_build_destroy(struct lr_build *b)
{
    for (size_t i = 0; i < b->n_ports; i++) {
        lport_addresses_destroy(&b->ports[i].la);
    }
    free(b->ports);
    free(b->rules);
}

/* --- lr_in_admission ---------------------------------------------------- */

/* Adds an ARP reply on port 'p' for 'ip' with 'mac'. */
static void
lr_arp_reply(struct lr_build *b, const struct lr_port *p, const char *ip,
             const char *mac)
{
    char *actions = xasprintf(
        "eth.dst = eth.src; eth.src = %s; arp.op = 2; arp.tha = arp.sha; "
        "arp.sha = %s; arp.tpa = arp.spa; arp.spa = %s; outport = inport; "
        "flags.loopback = 1; output;", mac, mac, ip);
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ARP_REPLY, actions,
           REG_INPORT"=%"PRIu32",arp,arp_op=1,arp_tpa=%s",
           p->op->tunnel_key, ip);
    free(actions);
}

/* The stage a packet accepted on port 'p' goes on to. */
static const char *
lr_first_stage(const struct lr_build *b, const struct lr_port *p)
{
    enum pipeline_stage s = (p->gateway && b->has_nat
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

/* The admission flows of port 'p'. */
static void
lr_admission_port(struct lr_build *b, const struct lr_port *p,
                  const struct ds *router_ips)
{
    uint32_t key = p->op->tunnel_key;
    for (size_t i = 0; i < p->la.n_ipv4; i++) {
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &p->la.ipv4[i].addr, ip, sizeof ip);
        lr_arp_reply(b, p, ip, p->mac);
    }
    /* ARP replies to the router: learn the sender's binding. */
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ARP_REPLY,
           "put_arp(inport, arp.spa, arp.sha);",
           REG_INPORT"=%"PRIu32",arp,arp_op=2", key);

    struct ds macs = DS_EMPTY_INITIALIZER;
    match_or(&macs, REG_INPORT"=%"PRIu32",dl_dst=%s", key, p->mac);
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
            if (r->rule->snat_ip) {
                lr_arp_reply(b, p, r->rule->snat_ip, r->mac);
            }
            match_or(&macs, REG_INPORT"=%"PRIu32",dl_dst=%s", key, r->mac);
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
            if (b->rules[i].rule->snat_ip) {
                match_or(&m, REG_INPORT"=%"PRIu32",ip,nw_dst=%s", key,
                         b->rules[i].rule->snat_ip);
            }
        }
        if (m.length) {
            char *actions = xasprintf("next(%s);", pipeline_stage_info(
                                          S_ROUTER_INGRESS_DNAT)->name);
            lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                            S_ROUTER_INGRESS_ADMISSION, PRI_ADM_NAT,
                            ds_cstr(&m), actions);
            free(actions);
        }
        ds_destroy(&m);
    }

    if (router_ips->length) {
        /* Echo requests to any of the router's addresses. */
        struct ds m = DS_EMPTY_INITIALIZER;
        const char *ip = ds_cstr_ro(router_ips);
        while (*ip) {
            size_t len = strcspn(ip, " ");
            match_or(&m, REG_INPORT"=%"PRIu32",dl_dst=%s,icmp,nw_dst=%.*s,"
                     "icmp_type=8,icmp_code=0", key, p->mac, (int) len, ip);
            ip += len + (ip[len] == ' ');
        }
        char *actions = xasprintf(
            "eth.dst = eth.src; eth.src = %s; ip4.src <-> ip4.dst; "
            "ip.ttl = 255; icmp4.type = 0; outport = inport; "
            "flags.loopback = 1; output;", p->mac);
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ECHO,
                        ds_cstr(&m), actions);
        free(actions);
        ds_clear(&m);

        ip = ds_cstr_ro(router_ips);
        while (*ip) {
            size_t len = strcspn(ip, " ");
            match_or(&m, REG_INPORT"=%"PRIu32",dl_dst=%s,ip,nw_dst=%.*s",
                     key, p->mac, (int) len, ip);
            ip += len + (ip[len] == ' ');
        }
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, PRI_ADM_TO_ROUTER,
                        ds_cstr(&m), "drop;");
        ds_destroy(&m);
    }
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_TTL, "drop;",
           REG_INPORT"=%"PRIu32",ip,nw_ttl=0"PIPELINE_MATCH_OR
           REG_INPORT"=%"PRIu32",ip,nw_ttl=1"PIPELINE_MATCH_OR
           REG_INPORT"=%"PRIu32",ipv6,nw_ttl=0"PIPELINE_MATCH_OR
           REG_INPORT"=%"PRIu32",ipv6,nw_ttl=1", key, key, key, key);

    char *actions = xasprintf("next(%s);", lr_first_stage(b, p));
    lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                    S_ROUTER_INGRESS_ADMISSION, PRI_ADM_ACCEPT,
                    ds_cstr(&macs), actions);
    free(actions);
    ds_destroy(&macs);
}

/* lr_in_admission. */
static void
lr_admission(struct lr_build *b)
{
    /* Every IPv4 address of the router, blank-separated. */
    struct ds ips = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < b->n_ports; i++) {
        for (size_t j = 0; j < b->ports[i].la.n_ipv4; j++) {
            ds_put_format(&ips, "%s"IP_FMT, ips.length ? " " : "",
                          IP_ARGS(b->ports[i].la.ipv4[j].addr));
        }
    }
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, PRI_ADM_MCAST_SRC, "drop;",
           "dl_src=01:00:00:00:00:00/01:00:00:00:00:00");
    for (size_t i = 0; i < b->n_ports; i++) {
        lr_admission_port(b, &b->ports[i], &ips);
    }
    lr_add(b, S_ROUTER_INGRESS_ADMISSION, 0, "drop;", "%s", "");
    ds_destroy(&ips);
}

/* --- lr_in_dnat --------------------------------------------------------- */

static void
lr_dnat(struct lr_build *b)
{
    if (!b->has_nat) {
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
            if (r->rule->snat_ip) {
                lr_add(b, S_ROUTER_INGRESS_DNAT, PRI_DNAT, "ct_snat;",
                       REG_INPORT"=%"PRIu32",ip,nw_dst=%s", key,
                       r->rule->snat_ip);
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

static void
lr_rampout(struct lr_build *b)
{
    if (!b->n_rules) {
        return;
    }
    for (size_t i = 0; i < b->n_rules; i++) {
        const struct lr_rule *r = &b->rules[i];
        const struct nbrec_rampout_rule *rule = r->rule;
        int64_t color = 0;
        if (rule->color) {
            nd_owner_depends_on_row(b->ctx, &nbrec_table_color,
                                    &rule->color->header_.uuid);
            color = nd_colors_color_id(b->ctx->colors, rule->color->name);
            if (!color) {
                continue;
            }
        }
        struct ds m = DS_EMPTY_INITIALIZER;
        for (size_t j = 0; j < rule->n_subnets; j++) {
            if (strchr(rule->subnets[j], ':')) {
                continue;       /* IPv6 is not routed yet. */
            }
            match_or(&m, "ip,nw_src=%s", rule->subnets[j]);
            if (color) {
                ds_put_format(&m, ","REG_COLOR"=%"PRId64"/%#x", color,
                              PIPELINE_COLOR_MASK);
            }
        }
        if (m.length) {
            uint16_t pri = 2 * MIN(rule->priority, RULE_MAX_PRIORITY) + 1
                           + (color != 0);
            char *actions = xasprintf("reg7 = %"PRIu32"; next;", r->number);
            lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                            S_ROUTER_INGRESS_RAMPOUT, pri, ds_cstr(&m),
                            actions);
            free(actions);
        }
        ds_destroy(&m);
    }
    lr_add(b, S_ROUTER_INGRESS_RAMPOUT, 0, "next;", "%s", "");
}

/* --- lr_in_ip_routing --------------------------------------------------- */

/* Returns the port of 'b' whose network holds 'ip', or NULL. */
static const struct lr_port *
lr_port_for_ip(const struct lr_build *b, ovs_be32 ip)
{
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        for (size_t j = 0; j < p->la.n_ipv4; j++) {
            ovs_be32 mask = be32_prefix_mask(p->la.ipv4[j].plen);
            if ((ip & mask) == ipv4_network(&p->la.ipv4[j])) {
                return p;
            }
        }
    }
    return NULL;
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

/* Returns the flow priority of a route of prefix length 'plen': longer
 * prefixes first, dst-ip above src-ip at the same length, connected
 * networks above static routes of the same prefix. */
static uint16_t
route_priority(unsigned int plen, bool src_ip, bool connected)
{
    return 4 * plen + (src_ip ? 0 : 2) + connected;
}

/* The routing actions towards port 'p' with next hop 'nexthop' (an
 * action that sets reg0). */
static char *
route_actions(const struct lr_port *p, const char *nexthop)
{
    return xasprintf("ip.ttl--; %s; eth.src = %s; outport = %"PRIu32"; "
                     "flags.loopback = 1; next;", nexthop, p->mac,
                     p->op->tunnel_key);
}

static void
lr_static_route(struct lr_build *b,
                const struct nbrec_logical_router_static_route *route)
{
    nd_owner_depends_on_row(b->ctx, &nbrec_table_logical_router_static_route,
                            &route->header_.uuid);
    if (route->route_table[0]) {
        /* A route of a route table other than the main one is for the
         * traffic of the ports that choose that table, which is not
         * applied yet (lib/nb-unapplied.c): rather than route everyone's
         * traffic by it, leave it out. */
        return;
    }
    struct lport_ipv4 prefix, nh;
    struct lport_ipv6 prefix6;
    bool v6;
    char *error = lport_parse_ip(route->ip_prefix, true, &v6, &prefix,
                                 &prefix6);
    if (error || v6) {
        if (error) {
            VLOG_WARN_RL(&rl, "route %s: %s", route->ip_prefix, error);
        }
        free(error);
        return;
    }
    bool src_ip = route->policy && !strcmp(route->policy, "src-ip");
    uint16_t pri = route_priority(prefix.plen, src_ip, false);
    char *match = xasprintf("ip,%s="IP_FMT"/%u", src_ip ? "nw_src" : "nw_dst",
                            IP_ARGS(ipv4_network(&prefix)), prefix.plen);
    if (!strcmp(route->nexthop, "discard")) {
        lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                        S_ROUTER_INGRESS_IP_ROUTING, pri, match, "drop;");
        free(match);
        return;
    }
    error = lport_parse_ip(route->nexthop, false, &v6, &nh, &prefix6);
    if (error || v6) {
        VLOG_WARN_RL(&rl, "route %s: next hop %s: %s", route->ip_prefix,
                     route->nexthop, error ? error : "not IPv4");
        free(error);
        free(match);
        return;
    }
    const struct lr_port *p = (route->output_port
                               ? lr_port_by_name(b, route->output_port)
                               : lr_port_for_ip(b, nh.addr));
    if (!p) {
        VLOG_WARN_RL(&rl, "route %s: no port reaches next hop %s",
                     route->ip_prefix, route->nexthop);
        free(match);
        return;
    }
    char *nexthop = xasprintf("reg0 = %#"PRIx32, ntohl(nh.addr));
    char *actions = route_actions(p, nexthop);
    lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                    S_ROUTER_INGRESS_IP_ROUTING, pri, match, actions);
    free(actions);
    free(nexthop);
    free(match);
}

static void
lr_routing(struct lr_build *b)
{
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        for (size_t j = 0; j < p->la.n_ipv4; j++) {
            const struct lport_ipv4 *a = &p->la.ipv4[j];
            char *actions = route_actions(p, "reg0 = ip4.dst");
            lr_add(b, S_ROUTER_INGRESS_IP_ROUTING,
                   route_priority(a->plen, false, true), actions,
                   "ip,nw_dst="IP_FMT"/%u", IP_ARGS(ipv4_network(a)),
                   a->plen);
            free(actions);
        }
    }
    for (size_t i = 0; i < b->lr->n_static_routes; i++) {
        lr_static_route(b, b->lr->static_routes[i]);
    }
    /* No route: drop (ICMP unreachable comes with the packet-in
     * handlers). */
    lr_add(b, S_ROUTER_INGRESS_IP_ROUTING, 0, "drop;", "%s", "");
}

/* --- lr_in_arp_resolve -------------------------------------------------- */

/* Neighbours of one router port: MAC -> IPv4 addresses ("0x..." values of
 * reg0). */
struct lr_neighbours {
    struct shash by_mac;        /* MAC -> struct sset of reg0 values. */
    struct sset seen;           /* reg0 values given a MAC already. */
};

static void
neighbour_add(struct lr_neighbours *n, const struct eth_addr *ea,
              ovs_be32 ip)
{
    char value[16];
    snprintf(value, sizeof value, "%#"PRIx32, ntohl(ip));
    if (!sset_add(&n->seen, value)) {
        return;                 /* The first MAC of an address wins. */
    }
    char mac[ETH_ADDR_STRLEN + 1];
    snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(*ea));
    struct sset *ips = shash_find_data(&n->by_mac, mac);
    if (!ips) {
        ips = xmalloc(sizeof *ips);
        sset_init(ips);
        shash_add(&n->by_mac, mac, ips);
    }
    sset_add(ips, value);
}

/* Adds the MAC and IPv4 networks of router port 'lrp' (another router's)
 * as neighbours. */
static void
neighbours_add_router_port(struct lr_build *b, struct lr_neighbours *n,
                           const struct nbrec_logical_router_port *lrp)
{
    nd_owner_depends_on_row(b->ctx, &nbrec_table_logical_router_port,
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
    for (size_t i = 0; i < la.n_ipv4; i++) {
        neighbour_add(n, &la.ea, la.ipv4[i].addr);
    }
    lport_addresses_destroy(&la);
}

/* Adds the addresses of the ports of switch 'sw', the other side of
 * router port 'p', as neighbours. */
static void
neighbours_add_switch(struct lr_build *b, struct lr_neighbours *n,
                      const struct nd_datapath *sw, const struct lr_port *p)
{
    nd_owner_depends_on_row(b->ctx, &nbrec_table_logical_switch,
                            &sw->nb_uuid);
    const struct nd_port *sp;
    LIST_FOR_EACH (sp, dp_node, &sw->ports) {
        const struct nbrec_logical_switch_port *lsp
            = nbrec_logical_switch_port_get_for_uuid(b->ctx->nb_idl,
                                                     &sp->nb_uuid);
        if (!lsp) {
            continue;
        }
        nd_owner_depends_on_row(b->ctx, &nbrec_table_logical_switch_port,
                                &lsp->header_.uuid);
        if (!strcmp(lsp->type, "router")) {
            if (sp->peer && strcmp(sp->peer, p->lrp->name)) {
                nd_owner_depends_on_name(b->ctx,
                                         &nbrec_table_logical_router_port,
                                         sp->peer);
                const struct nd_port *rp = nd_port_find_by_name(b->ctx->dps,
                                                                sp->peer);
                const struct nbrec_logical_router_port *lrp
                    = (rp && rp->dp->kind == &nd_dp_router
                       ? nbrec_logical_router_port_get_for_uuid(
                           b->ctx->nb_idl, &rp->nb_uuid)
                       : NULL);
                if (lrp) {
                    neighbours_add_router_port(b, n, lrp);
                }
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
            for (size_t j = 0; j < la.n_ipv4; j++) {
                neighbour_add(n, &la.ea, la.ipv4[j].addr);
            }
            lport_addresses_destroy(&la);
        }
    }
}

static void
lr_arp_resolve(struct lr_build *b)
{
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        struct lr_neighbours n;
        shash_init(&n.by_mac);
        sset_init(&n.seen);

        if (p->lrp->peer && p->lrp->peer[0]) {
            nd_owner_depends_on_name(b->ctx, &nbrec_table_logical_router_port,
                                     p->lrp->peer);
            const struct nd_port *rp = nd_port_find_by_name(b->ctx->dps,
                                                            p->lrp->peer);
            const struct nbrec_logical_router_port *lrp
                = (rp && rp->dp->kind == &nd_dp_router
                   ? nbrec_logical_router_port_get_for_uuid(b->ctx->nb_idl,
                                                            &rp->nb_uuid)
                   : NULL);
            if (lrp) {
                neighbours_add_router_port(b, &n, lrp);
            }
        } else {
            const struct nd_port *namer = nd_port_namer(b->ctx->dps, p->op);
            if (namer && namer->dp->kind == &nd_dp_switch) {
                neighbours_add_switch(b, &n, namer->dp, p);
            }
        }

        const char *then = p->gateway ? "next;" : "output;";
        struct shash_node *node;
        SHASH_FOR_EACH (node, &n.by_mac) {
            struct sset *ips = node->data;
            struct ds m = DS_EMPTY_INITIALIZER;
            struct ds direct = DS_EMPTY_INITIALIZER;
            const char *ip;
            SSET_FOR_EACH (ip, ips) {
                match_or(&m, REG_OUTPORT"=%"PRIu32",reg0=%s",
                         p->op->tunnel_key, ip);
                ovs_be32 addr = htonl(strtoul(ip, NULL, 16));
                if (lr_port_for_ip(b, addr) == p) {
                    match_or(&direct, "ip,nw_dst="IP_FMT, IP_ARGS(addr));
                }
            }
            char *actions = xasprintf("eth.dst = %s; %s", node->name, then);
            lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                            S_ROUTER_INGRESS_ARP_RESOLVE, PRI_RESOLVE,
                            ds_cstr(&m), actions);
            free(actions);
            if (direct.length) {
                /* A known host on a connected network is routed and
                 * resolved in one lookup (a /32 route above the
                 * network's): lr_in_arp_resolve is skipped. */
                actions = xasprintf(
                    "ip.ttl--; eth.src = %s; eth.dst = %s; outport = %"PRIu32
                    "; flags.loopback = 1; %s", p->mac, node->name,
                    p->op->tunnel_key,
                    p->gateway ? "next(lr_in_gw_redirect);" : "output;");
                lflow_table_add(b->ctx->lflows, &b->od->sb_uuid,
                                S_ROUTER_INGRESS_IP_ROUTING,
                                route_priority(32, false, true),
                                ds_cstr(&direct), actions);
                free(actions);
            }
            ds_destroy(&direct);
            ds_destroy(&m);
            sset_destroy(ips);
            free(ips);
        }
        shash_destroy(&n.by_mac);
        sset_destroy(&n.seen);

        /* An unknown IPv4 next hop: the controller asks for it (the packet
         * itself is dropped), sourced from the port's first address. */
        if (p->la.n_ipv4) {
            char *actions = xasprintf(
                "arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = "IP_FMT"; "
                "arp.tpa = reg0; arp.op = 1; %s };", IP_ARGS(
                    p->la.ipv4[0].addr), then);
            lr_add(b, S_ROUTER_INGRESS_ARP_RESOLVE, PRI_RESOLVE_ASK, actions,
                   REG_OUTPORT"=%"PRIu32",ip", p->op->tunnel_key);
            free(actions);
        }
    }
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

            if (r->rule->snat_ip) {
                actions = xasprintf("ct_snat(%s);", r->rule->snat_ip);
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

static bool
is_router(const struct nd_datapath *od)
{
    return od->kind == &nd_dp_router;
}

/* nd_owner_kind 'build': every flow of router 'id'. */
static void
router_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    const struct nbrec_logical_router *lr
        = (od && is_router(od)
           ? nbrec_logical_router_get_for_uuid(ctx->nb_idl, &od->nb_uuid)
           : NULL);
    if (lr && lr->n_enabled && !lr->enabled[0]) {
        /* A disabled router drops everything. */
        lflow_table_add(ctx->lflows, &od->sb_uuid,
                        S_ROUTER_INGRESS_ADMISSION, 0, "", "drop;");
    } else if (lr) {
        struct lr_build b = { .ctx = ctx, .od = od, .lr = lr };
        lr_gather(&b);
        lr_admission(&b);
        lr_dnat(&b);
        lr_rampout(&b);
        lr_routing(&b);
        lr_arp_resolve(&b);
        lr_gateways(&b);
        lr_gateway_switch_flows(&b);
        lr_build_destroy(&b);
    }
    nd_owner_end(ctx);
}

static void
router_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (is_router(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_router_kind,
                                               &od->nb_uuid, 0);
        router_build(ctx, &id);
    }
}

static void
router_collect_dp(const struct nd_datapath *od,
                  struct lflow_owner_set *owners)
{
    if (is_router(od)) {
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
    { &nbrec_table_logical_switch, NULL },
    { &nbrec_table_logical_switch_port, NULL },
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
