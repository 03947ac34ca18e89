#include <config.h>

#include "northd/lflow-router-lb.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lb-vips.h"
#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "lib/rampout.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-lb.h"
#include "northd/lflow-table.h"
#include "northd/svc-monitors.h"
#include "northd/router-ports.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow_router_lb);

/* Priorities (northd/lflow-router-lb.h). */
enum {
    PRI_RLB_ARP = 99,           /* lr_in_admission: ARP for a VIP, below
                                 * the router's own answers (100). */
    PRI_RLB_VIP_PORT_CT = 84,   /* lr_in_admission: to a VIP with a port,
                                 * below TTL expiry (85), */
    PRI_RLB_VIP_CT = 83,        /* to one without, above the router's own
                                 * addresses' flows (79 to 81). */
    PRI_RLB_VIP_PORT = 120,     /* lr_in_lb: a VIP with a port. */
    PRI_RLB_VIP = 110,          /* lr_in_lb: a VIP without a port. */
    PRI_RLB_REDIRECT_PORT = 111, /* lr_in_gw_redirect: a backend's replies,
                                 * above ramp-out rules (100), from its
                                 * port, */
    PRI_RLB_REDIRECT = 110,     /* or from any (a VIP without a port). */
    PRI_RLB_UNDNAT_PORT = 99,   /* lr_out_snat: a backend's replies, below
                                 * the NAT rules (100 + prefix), whose SNAT
                                 * applies a connection's existing NAT, */
    PRI_RLB_UNDNAT = 98,        /* the same without a port. */
    PRI_RLB_FSNAT_REPLY = 86,   /* lr_in_admission: a backend's reply to
                                 * a forced SNAT address, below the echo
                                 * replies (90), above the port
                                 * unreachables and drops of traffic to
                                 * the router (80, 79). */
    PRI_RLB_FSNAT_LABEL = 100,  /* lr_in_ip_input: a new forced-SNAT
                                 * connection's client MAC. */
    PRI_RLB_FSNAT = 97,         /* lr_out_snat: forced SNAT, out of a
                                 * port toward backends. */
    PRI_RLB_FSNAT_UNSNAT = 150, /* lr_out_snat: its replies' un-SNAT,
                                 * above the NAT rules (100 + prefix). */
    PRI_RLB_FSNAT_UNDNAT = 100, /* lr_out_lb_undnat: their un-DNAT. */
    PRI_RLB_FSNAT_DELIVERY = 110, /* lr_out_delivery: out the gateway
                                 * port, to the client's MAC, above the
                                 * redirect key's own flow (100). */
};

/* The match of a packet with flags.force_snat_for_lb. */
#define FSNAT_FLAG_MATCH REG_FLAGS"=0x20/0x20"
BUILD_ASSERT_DECL(MLF_FORCE_SNAT_FOR_LB_BIT == 5);

/* The router being built. */
struct rlb_build {
    struct nd_build_ctx *ctx;
    const struct nd_datapath *od;
    struct lr_port *ports;      /* Its enabled ports (router-ports.h). */
    size_t n_ports;
    struct sset vips;           /* "PROTO VIP" applied so far. */
    struct sset backends;       /* Backend matches (replies) added. */
    bool any;                   /* A VIP got flows. */
    const struct lr_port *gw;   /* Its gateway port. */
    bool force_snat;            /* options:lb_force_snat_ip is valid. */
    struct lb_force_snat fsnat; /* Its value. */
    struct sset fsnat_flows;    /* Forced SNAT reply flows added. */
    bool any_affinity;          /* A VIP got session affinity flows. */
};

/* Returns true if the address of endpoint 'e' is in one of the networks
 * of 'p'. */
static bool
port_network_has(const struct lr_port *p, const struct lb_endpoint *e)
{
    if (!e->is_ipv6) {
        ovs_be32 ip = in6_addr_get_mapped_ipv4(&e->ip);
        for (size_t i = 0; i < p->la.n_ipv4; i++) {
            ovs_be32 mask = be32_prefix_mask(p->la.ipv4[i].plen);
            if (!((ip ^ p->la.ipv4[i].addr) & mask)) {
                return true;
            }
        }
        return false;
    }
    for (size_t i = 0; i < p->la.n_ipv6; i++) {
        struct in6_addr mask = ipv6_create_mask(p->la.ipv6[i].plen);
        struct in6_addr a = ipv6_addr_bitand(&e->ip, &mask);
        struct in6_addr b = ipv6_addr_bitand(&p->la.ipv6[i].addr, &mask);
        if (ipv6_addr_equals(&a, &b)) {
            return true;
        }
    }
    return false;
}

/* Adds to gateway port 'p' the answer to ARP (IPv4) or neighbor
 * solicitations (IPv6) for the address of 'vip', 'ip' as text, as the
 * router answers for the port's own addresses (lflow-router.c): an ARP
 * reply, or the solicitation turned into the advertisement in place and
 * back to lr_in_admission for its target link-layer address.  The asker
 * is learned. */
static void
build_vip_neighbour(struct rlb_build *b, const struct lr_port *p,
                    const struct lb_endpoint *vip, const char *ip)
{
    uint32_t key = p->op->tunnel_key;
    char *actions;
    if (!vip->is_ipv6) {
        actions = xasprintf(
            "put_arp(inport, arp.spa, arp.sha); eth.dst = eth.src; "
            "eth.src = %s; arp.op = 2; arp.tha = arp.sha; arp.sha = %s; "
            "arp.tpa = arp.spa; arp.spa = %s; outport = inport; "
            "flags.loopback = 1; output;", p->mac, p->mac, ip);
        lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                               S_ROUTER_INGRESS_ADMISSION, PRI_RLB_ARP,
                               actions, REG_INPORT"=%"PRIu32",arp,"
                               "arp_op=1,arp_tpa=%s", key, ip);
    } else {
        actions = xasprintf(
            "put_nd(inport, ip6.src, nd.sll); eth.dst = eth.src; "
            "eth.src = %s; ip6.dst = ip6.src; ip6.src = %s; "
            "nd.reserved = 0xe0000000; nd.options_type = 2; "
            "icmp6.type = 136; outport = inport; flags.loopback = 1; "
            "next(lr_in_admission);", p->mac, ip);
        lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                               S_ROUTER_INGRESS_ADMISSION, PRI_RLB_ARP,
                               actions, REG_INPORT"=%"PRIu32",icmp6,"
                               "icmpv6_type=135,icmpv6_code=0,"
                               "nd_target=%s", key, ip);
    }
    free(actions);
}

/* Returns the address that the router's options:lb_force_snat_ip gives
 * its load-balanced connections of family 'ipv6' that leave by port 'p'
 * (router_ip: the port's first address of the family), or NULL if none. */
static const char *
fsnat_address(const struct rlb_build *b, const struct lr_port *p, bool ipv6)
{
    if (!b->force_snat) {
        return NULL;
    } else if (b->fsnat.router_ip) {
        return (ipv6 ? (p->la.n_ipv6 ? p->ip6s[0] : NULL)
                : p->n_ip4s ? p->ip4s[0] : NULL);
    }
    return ipv6 ? b->fsnat.ip6 : b->fsnat.ip4;
}

/* Adds the flows of the replies (match 'reply', of family 'ipv6') of a
 * backend to the forced SNAT addresses of its connections: wherever they
 * enter the router, by a port toward backends, they go straight to the
 * gateway chassis, whose conntrack knows them, without routing (an
 * address of the router's own it would answer or drop); there the SNAT
 * zone un-SNATs them, and lr_out_lb_undnat and lr_out_delivery do the
 * rest (build_force_snat()). */
static void
build_backend_fsnat(struct rlb_build *b, const char *reply, bool ipv6)
{
    uint32_t rkey = rampout_port_redirect_key(b->gw->op->tunnel_key);
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        const char *addr = fsnat_address(b, p, ipv6);
        if (p->gateway || !addr) {
            continue;
        }
        char *m = xasprintf("%s,%s=%s", reply, ipv6 ? "ipv6_dst" : "nw_dst",
                            addr);
        char *key = xasprintf("%"PRIu32" %s", p->op->tunnel_key, m);
        if (sset_add(&b->fsnat_flows, key)) {
            char *actions = xasprintf("outport = %"PRIu32"; output;", rkey);
            lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                                   S_ROUTER_INGRESS_ADMISSION,
                                   PRI_RLB_FSNAT_REPLY, actions,
                                   REG_INPORT"=%"PRIu32",%s",
                                   p->op->tunnel_key, m);
            free(actions);
        }
        free(key);
        if (sset_add(&b->fsnat_flows, m)) {
            lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                                   S_ROUTER_EGRESS_SNAT, PRI_RLB_FSNAT_UNSNAT,
                                   "flags.force_snat_for_lb = 1; "
                                   "ct_snat_lb;",
                                   REG_OUTPORT"=%"PRIu32",%s", rkey, m);
        }
        free(m);
    }
}

/* Adds the flows of one backend (its replies' match 'reply', of family
 * 'ipv6', with the backend's port if 'has_port') to every gateway port:
 * its replies go to the port's gateway chassis and are un-DNATed there.
 * Where a NAT rule SNATs the backend, its flow does it: conntrack
 * applies the existing NAT of a connection (the un-DNAT) instead of a
 * new one, and the backend's own outbound connections are SNATed as
 * before. */
static void
build_backend(struct rlb_build *b, const char *reply, bool ipv6,
              bool has_port)
{
    if (!sset_add(&b->backends, reply)) {
        return;
    }
    if (b->force_snat) {
        build_backend_fsnat(b, reply, ipv6);
    }
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        if (!p->gateway) {
            continue;
        }
        uint32_t key = p->op->tunnel_key;
        uint32_t rkey = rampout_port_redirect_key(key);
        char *actions = xasprintf("outport = %"PRIu32"; output;", rkey);
        lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                               S_ROUTER_INGRESS_GW_REDIRECT,
                               (has_port ? PRI_RLB_REDIRECT_PORT
                                : PRI_RLB_REDIRECT), actions,
                               REG_OUTPORT"=%"PRIu32",%s", key, reply);
        free(actions);
        lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                               S_ROUTER_EGRESS_SNAT,
                               (has_port ? PRI_RLB_UNDNAT_PORT
                                : PRI_RLB_UNDNAT), "ct_dnat;",
                               REG_OUTPORT"=%"PRIu32",%s", rkey, reply);
    }
}

/* Adds the admission flows of VIP 'vip' (match 'vip_match', address
 * 'ip' as text) to every gateway port: its packets go through conntrack
 * on to lr_in_lb, or, without backends, get 'no_backend' (reject or drop,
 * as its load balancer's options:reject says), and, for the first VIP of
 * its address ('first_of_ip'), ARP or neighbor solicitations for the
 * address are answered where it is on the port's networks. */
static void
build_vip_admission(struct rlb_build *b, const struct lb_endpoint *vip,
                    const char *vip_match, const char *ip,
                    const char *no_backend, bool first_of_ip)
{
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        if (!p->gateway) {
            continue;
        }
        uint32_t key = p->op->tunnel_key;
        /* The port's route table routes the balanced traffic too
         * (router-ports.h). */
        char *table = lr_port_route_table_action(p);
        char *actions = (no_backend ? xstrdup(no_backend)
                         : xasprintf("%s%sct_dnat;",
                                     (b->force_snat
                                      ? "flags.force_snat_for_lb = 1; " : ""),
                                     table));
        lflow_table_add_format(b->ctx->lflows, &b->od->sb_uuid,
                               S_ROUTER_INGRESS_ADMISSION,
                               (vip->port ? PRI_RLB_VIP_PORT_CT
                                : PRI_RLB_VIP_CT),
                               actions,
                               REG_INPORT"=%"PRIu32",dl_dst=%s,%s", key,
                               p->mac, vip_match);
        free(actions);
        free(table);
        if (first_of_ip && port_network_has(p, vip)) {
            build_vip_neighbour(b, p, vip, ip);
        }
    }
}

/* Adds the flows of VIP 'vip_text' with backends 'backends_text' of load
 * balancer 'lb' (protocol 'proto', flows' source 'source'). */
static void
build_vip(struct rlb_build *b, const struct nbrec_load_balancer *lb,
          const char *proto, const char *vip_text, const char *backends_text,
          const char *source, struct sset *ips)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    char *vip_norm, *backends_norm;
    bool has_port;
    char *error = lb_vip_normalize(vip_text, backends_text, &vip_norm,
                                   &backends_norm, &has_port);
    if (error) {
        VLOG_WARN_RL(&rl, "load balancer %s: VIP skipped: %s", lb->name,
                     error);
        free(error);
        return;
    }
    struct lb_endpoint vip;
    ovs_assert(lb_endpoint_parse(vip_norm, &vip));
    char *key = xasprintf("%s %s", has_port ? proto : "ip", vip_norm);
    if (!sset_add(&b->vips, key)) {
        /* A VIP that a load balancer of lower UUID has on this router is
         * its. */
        goto out;
    }
    b->any = true;

    struct ds vip_match = DS_EMPTY_INITIALIZER;
    lflow_lb_put_endpoint_match(&vip, proto, true, &vip_match);
    struct ds ip = DS_EMPTY_INITIALIZER;
    lflow_lb_put_endpoint_ip(&vip, &ip);
    bool first_of_ip = sset_add(ips, ds_cstr(&ip));

    /* A backend that the VIP's health check found offline leaves the
     * rotation (northd/svc-monitors.h) but keeps its flows for the
     * connections it has. */
    const struct nbrec_load_balancer_health_check *hc
        = has_port ? nd_svc_lb_vip_health_check(lb, vip_norm) : NULL;
    if (hc) {
        nd_owner_depends_on_row(b->ctx,
                                &nbrec_table_load_balancer_health_check,
                                &hc->header_.uuid);
    }
    struct ds actions = DS_EMPTY_INITIALIZER;
    struct ds live = DS_EMPTY_INITIALIZER;
    char *save_ptr = NULL;
    for (char *be_text = strtok_r(backends_norm, ",", &save_ptr); be_text;
         be_text = strtok_r(NULL, ",", &save_ptr)) {
        struct lb_endpoint be;
        ovs_assert(lb_endpoint_parse(be_text, &be));
        if (!hc || !b->ctx->svc
            || !nd_svc_backend_is_offline(b->ctx->svc, lb, proto, &be)) {
            ds_put_format(&actions, "%s%s",
                          actions.length ? ", " : "ct_lb(", be_text);
            ds_put_format(&live, "%s%s", live.length ? "," : "", be_text);
        }
        struct ds m = DS_EMPTY_INITIALIZER;
        lflow_lb_put_endpoint_match(&be, proto, false, &m);
        build_backend(b, ds_cstr(&m), be.is_ipv6, has_port);
        ds_destroy(&m);
    }

    /* Session affinity, as on switches (lflow-lb.h), in lr_in_lb_aff_check
     * and lr_in_lb: a client's new connections to the VIP go to the
     * backend it had, while it is one in rotation. */
    unsigned int affinity = lflow_lb_affinity_timeout(lb);
    if (affinity && live.length) {
        lflow_lb_build_affinity(b->ctx, b->od, S_ROUTER_INGRESS_LB_AFF_CHECK,
                                S_ROUTER_INGRESS_LB, &vip,
                                ds_cstr(&vip_match), proto, ds_cstr(&live),
                                affinity, source);
        ds_put_format(&actions, ", affinity=%u", affinity);
        if (has_port) {
            ds_put_format(&actions, ", proto=%s", proto);
        }
        b->any_affinity = true;
    }
    ds_destroy(&live);
    build_vip_admission(b, &vip, ds_cstr(&vip_match), ds_cstr(&ip),
                        (actions.length ? NULL
                         : smap_get_bool(&lb->options, "reject", true)
                         ? "reject;" : "drop;"),
                        first_of_ip);
    ds_destroy(&ip);
    if (actions.length) {
        ds_put_cstr(&actions, ");");
        char *match = xasprintf("ct_state=+new+trk,%s", ds_cstr(&vip_match));
        lflow_table_add_shared_from(b->ctx->lflows, &b->od->sb_uuid,
                                    S_ROUTER_INGRESS_LB,
                                    has_port ? PRI_RLB_VIP_PORT : PRI_RLB_VIP,
                                    match, ds_cstr(&actions), source);
        free(match);
    }
    ds_destroy(&actions);
    ds_destroy(&vip_match);
out:
    free(key);
    free(vip_norm);
    free(backends_norm);
}

/* Adds the flows of load balancer 'lb'. */
static void
build_lb(struct rlb_build *b, const struct nbrec_load_balancer *lb,
         struct sset *ips)
{
    const char *proto = lflow_lb_protocol(lb);
    if (!proto) {
        return;
    }
    char *source = xasprintf("Load_Balancer:"UUID_FMT,
                             UUID_ARGS(&lb->header_.uuid));
    const struct smap_node **vips = smap_sort(&lb->vips);
    for (size_t i = 0; i < smap_count(&lb->vips); i++) {
        build_vip(b, lb, proto, vips[i]->key, vips[i]->value, source, ips);
    }
    free(vips);
    free(source);
}

/* Adds the router-wide flows of the forced SNAT of load-balanced
 * connections (options:lb_force_snat_ip), whose packets to the VIP carry
 * flags.force_snat_for_lb from lr_in_admission on: a new connection's
 * client MAC is kept in its conntrack entry (lr_in_ip_input, right after
 * ct_lb, before routing changes the Ethernet source); its packets that
 * leave by a port toward backends are SNATed in the router's second zone
 * to the address of that port (router_ip) or the configured one.  Their
 * replies (build_backend_fsnat()), un-SNATed on the gateway chassis, are
 * un-DNATed in the router's zone (lr_out_lb_undnat) and leave by the
 * gateway port to the client's MAC (lr_out_delivery): routing, done where
 * they entered the router, could not see their destination. */
static void
build_force_snat(struct rlb_build *b)
{
    const struct uuid *dp = &b->od->sb_uuid;
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct lr_port *p = &b->ports[i];
        for (int ipv6 = 0; ipv6 < 2 && !p->gateway; ipv6++) {
            const char *addr = fsnat_address(b, p, ipv6);
            if (addr) {
                char *actions = xasprintf("ct_snat_lb(%s);", addr);
                lflow_table_add_format(b->ctx->lflows, dp,
                                       S_ROUTER_EGRESS_SNAT, PRI_RLB_FSNAT,
                                       actions, FSNAT_FLAG_MATCH","
                                       REG_OUTPORT"=%"PRIu32",%s",
                                       p->op->tunnel_key,
                                       ipv6 ? "ipv6" : "ip");
                free(actions);
            }
        }
    }
    uint32_t key = b->gw->op->tunnel_key;
    uint32_t rkey = rampout_port_redirect_key(key);
    /* Conntrack takes IP only: one flow per family. */
    for (int ipv6 = 0; ipv6 < 2; ipv6++) {
        const char *l3 = ipv6 ? "ipv6" : "ip";
        lflow_table_add_format(b->ctx->lflows, dp, S_ROUTER_INGRESS_IP_INPUT,
                               PRI_RLB_FSNAT_LABEL,
                               "ct_commit { ct_label.ecmp_reply_eth = "
                               "eth.src; }; next;",
                               "ct_state=+new+trk,"FSNAT_FLAG_MATCH",%s", l3);
        lflow_table_add_format(b->ctx->lflows, dp, S_ROUTER_EGRESS_LB_UNDNAT,
                               PRI_RLB_FSNAT_UNDNAT, "ct_dnat;",
                               FSNAT_FLAG_MATCH","REG_OUTPORT"=%"PRIu32",%s",
                               rkey, l3);
    }
    lflow_table_add(b->ctx->lflows, dp, S_ROUTER_INGRESS_IP_INPUT, 0, "",
                    "next;");
    lflow_table_add(b->ctx->lflows, dp, S_ROUTER_EGRESS_LB_UNDNAT, 0, "",
                    "next;");
    char *actions = xasprintf("eth.dst = ct_label.ecmp_reply_eth; "
                              "eth.src = %s; outport = %"PRIu32"; output;",
                              b->gw->mac, key);
    lflow_table_add_format(b->ctx->lflows, dp, S_ROUTER_EGRESS_DELIVERY,
                           PRI_RLB_FSNAT_DELIVERY, actions,
                           FSNAT_FLAG_MATCH","REG_OUTPORT"=%"PRIu32, rkey);
    free(actions);
}

/* Builds the load balancer flows of router 'od'. */
static void
build_router(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    const struct nbrec_logical_router *lr
        = nbrec_logical_router_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
    if (!lr || lr_is_disabled(lr)) {
        return;
    }
    size_t n;
    const struct nbrec_load_balancer **lbs
        = lflow_lb_gather(ctx, lr->load_balancer, lr->n_load_balancer,
                          lr->load_balancer_group, lr->n_load_balancer_group,
                          &n);
    if (!n) {
        /* Without load balancers, nothing else matters: a router that
         * gets one changes its row. */
        free(lbs);
        return;
    }

    /* The ports: which are gateways, their keys, MACs and networks.  A
     * port added or removed changes the router's ports column, which
     * does not make the router a changed datapath (collect), but is a
     * change of its row; a port that changes (becomes a gateway, say)
     * changes its own row. */
    struct rlb_build b = { .ctx = ctx, .od = od };
    nd_owner_depends_on_row(ctx, &nbrec_table_logical_router,
                            &lr->header_.uuid);
    b.ports = lr_ports_gather(od, ctx->nb_idl, false, &b.n_ports);
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        nd_owner_depends_on_row(ctx, &nbrec_table_logical_router_port,
                                &op->nb_uuid);
    }
    size_t n_gateways = 0;
    for (size_t i = 0; i < b.n_ports; i++) {
        /* A port with an HA chassis group is a gateway port only while
         * the group has a chassis: the group's row decides too. */
        lr_port_depends(ctx, &b.ports[i]);
        n_gateways += b.ports[i].gateway;
        if (b.ports[i].gateway) {
            b.gw = &b.ports[i];
        }
    }
    const char *fsnat = smap_get(&lr->options, "lb_force_snat_ip");
    if (fsnat) {
        char *error = lb_force_snat_parse(fsnat, &b.fsnat);
        if (error) {
            /* nb-validate.c refuses it: a row written past it. */
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "router %s: options:lb_force_snat_ip not "
                         "applied: %s", lr->name, error);
            free(error);
        } else if (n_gateways > 1) {
            /* The replies to the SNAT address would not tell which
             * gateway chassis SNATed their connection. */
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "router %s: options:lb_force_snat_ip not "
                         "applied: the router has %"PRIuSIZE" gateway "
                         "ports, forced SNAT needs one", lr->name,
                         n_gateways);
            lb_force_snat_destroy(&b.fsnat);
        } else {
            b.force_snat = true;
        }
    }
    if (n_gateways) {
        sset_init(&b.vips);
        sset_init(&b.backends);
        sset_init(&b.fsnat_flows);
        struct sset ips = SSET_INITIALIZER(&ips);
        for (size_t i = 0; i < n; i++) {
            build_lb(&b, lbs[i], &ips);
        }
        if (b.any) {
            char *actions = xasprintf("next(%s);", pipeline_stage_info(
                                          S_ROUTER_INGRESS_IP_ROUTING)->name);
            lflow_table_add(ctx->lflows, &od->sb_uuid, S_ROUTER_INGRESS_LB,
                            0, "", actions);
            free(actions);
        }
        if (b.any && b.force_snat) {
            build_force_snat(&b);
        }
        if (b.any_affinity) {
            lflow_table_add(ctx->lflows, &od->sb_uuid,
                            S_ROUTER_INGRESS_LB_AFF_CHECK, 0, "", "next;");
        }
        sset_destroy(&ips);
        sset_destroy(&b.vips);
        sset_destroy(&b.backends);
        sset_destroy(&b.fsnat_flows);
    }
    lb_force_snat_destroy(&b.fsnat);
    lr_ports_destroy(b.ports, b.n_ports);
    free(lbs);
}

/* nd_owner_kind 'build': the load balancer flows of router 'id'. */
static void
rlb_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    if (od && nd_dp_is_router(od)) {
        build_router(ctx, od);
    }
    nd_owner_end(ctx);
}

/* nd_owner_kind 'build_datapath'. */
static void
rlb_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (nd_dp_is_router(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_router_lb_kind,
                                               &od->nb_uuid, 0);
        rlb_build(ctx, &id);
    }
}

static void
rlb_collect_dp(const struct nd_datapath *od, struct lflow_owner_set *owners)
{
    if (nd_dp_is_router(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_router_lb_kind,
                                               &od->nb_uuid, 0);
        lflow_owner_set_add(owners, &id);
    }
}

/* nd_owner_kind 'collect': routers that came, went or changed (their
 * load_balancer, load_balancer_group and ports columns among others).
 * A change of one of a router's ports reaches it through the change
 * index, and only if the router has load balancers. */
static void
rlb_collect(const struct nd_changes *changes, struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->datapaths) {
        rlb_collect_dp(node->data, owners);
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        rlb_collect_dp(od, owners);
    }
}

/* The tables a router's load balancer flows read besides its own. */
static const struct nd_owner_dep_table rlb_dep_tables[] = {
    { &nbrec_table_load_balancer, NULL },
    { &nbrec_table_load_balancer_group, NULL },
    { &nbrec_table_load_balancer_health_check, NULL },
    { &nbrec_table_logical_router_port, NULL },
    { &nbrec_table_logical_router, NULL },
    { &nbrec_table_ha_chassis_group, NULL },
};

/* Load balancer flows of each Logical_Router. */
const struct nd_owner_kind lflow_router_lb_kind = {
    .name = "router-lb",
    .nb_table = "Logical_Router",
    .dep_tables = rlb_dep_tables,
    .n_dep_tables = ARRAY_SIZE(rlb_dep_tables),
    .build_datapath = rlb_build_datapath,
    .collect = rlb_collect,
    .build = rlb_build,
};
