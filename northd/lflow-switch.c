#include <config.h>

#include "northd/lflow-switch.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow_switch);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Priorities, highest first.  Documented in Documentation/pipeline.md. */
enum {
    PRI_PORT_SEC_DROP = 100,    /* Multicast source, disabled port. */
    PRI_PORT_SEC_ND_ALLOW = 92, /* Neighbor discovery port security allows. */
    PRI_PORT_SEC_ND_DENY = 91,  /* Other neighbor discovery of a secured
                                 * IPv6 port. */
    PRI_PORT_SEC_ALLOW = 90,    /* Traffic port security allows. */
    PRI_PORT_SEC_DENY = 80,     /* Anything else of a secured port. */
    PRI_L2_MCAST = 70,          /* Broadcast/multicast destination. */
    PRI_ND_REPLY_TLL = 70,      /* Second pass of an ND reply. */
    PRI_ARP_OWN = 60,           /* A port asking for its own address. */
    PRI_ARP_REPLY = 50,         /* ARP request for a known address. */
    PRI_L2_UNICAST = 50,        /* Destination MAC of a port. */
    PRI_DEFAULT = 0,            /* Stage default. */
};

/* Match a neighbor solicitation and a neighbor advertisement. */
#define ND_NS "icmp6,icmpv6_type=135,icmpv6_code=0"
#define ND_NA "icmp6,icmpv6_type=136,icmpv6_code=0"

/* Matches a multicast (including broadcast) Ethernet address. */
#define MCAST_MASK "01:00:00:00:00:00/01:00:00:00:00:00"

/* Appends a printf-formatted alternative to match 'm', after
 * PIPELINE_MATCH_OR if 'm' already has one. */
static void OVS_PRINTF_FORMAT(2, 3)
match_or(struct ds *m, const char *format, ...)
{
    if (m->length) {
        ds_put_cstr(m, PIPELINE_MATCH_OR);
    }
    va_list args;
    va_start(args, format);
    ds_put_format_valist(m, format, args);
    va_end(args);
}

/* The flows that drop what port security does not allow, one per
 * direction for switch 'od' if any of its enabled ports has port
 * security.  They match the pipeline flags that physical ingress and
 * physical output to local ports set for a port with port security
 * (MLF_INPORT_SECURED_BIT, MLF_OUTPORT_SECURED_BIT), not the ports' keys,
 * so adding or removing a secured port leaves them as they are, and they
 * are the same in every switch. */
static void
build_port_sec_deny(struct lflow_table *table, const struct nd_datapath *od)
{
    if (!nd_datapath_has(od, ND_PF_IN_SEC)) {
        return;
    }
    char *match = xasprintf(REG_FLAGS"=%#x/%#x",
                            1u << MLF_INPORT_SECURED_BIT,
                            1u << MLF_INPORT_SECURED_BIT);
    lflow_table_add_shared(table, &od->sb_uuid, S_SWITCH_INGRESS_PORT_SEC,
                           PRI_PORT_SEC_DENY, match, "drop;");
    free(match);
    match = xasprintf(REG_FLAGS"=%#x/%#x", 1u << MLF_OUTPORT_SECURED_BIT,
                      1u << MLF_OUTPORT_SECURED_BIT);
    lflow_table_add_shared(table, &od->sb_uuid, S_SWITCH_EGRESS_PORT_SEC,
                           PRI_PORT_SEC_DENY, match, "drop;");
    free(match);
}

/* The datapath-wide flows of switch 'od': the same in every switch that
 * has them, so each is a shared flow (one SB row, with a datapath group,
 * for all switches).  Which ones 'od' has depends only on the facts of
 * its ports (see lflow-switch.h). */
static void
build_switch(struct lflow_table *table, const struct nd_datapath *od)
{
    const struct uuid *dp = &od->sb_uuid;
    bool arp_rsp = nd_datapath_has(od, ND_PF_ARP);
    bool nd_rsp = nd_datapath_has(od, ND_PF_ND);

    lflow_table_add_shared(table, dp, S_SWITCH_INGRESS_PORT_SEC,
                           PRI_PORT_SEC_DROP, "dl_src="MCAST_MASK, "drop;");
    lflow_table_add_shared(table, dp, S_SWITCH_INGRESS_PORT_SEC, PRI_DEFAULT,
                           "", "next;");
    if (arp_rsp || nd_rsp) {
        lflow_table_add_shared(table, dp, S_SWITCH_INGRESS_ARP_RSP,
                               PRI_DEFAULT, "", "next;");
    }
    if (nd_rsp) {
        /* A solicitation without a source link-layer address option (as in
         * duplicate address detection) has no option to turn into the
         * target link-layer address: it is not answered. */
        lflow_table_add_shared(table, dp, S_SWITCH_INGRESS_ARP_RSP,
                               PRI_ARP_OWN, ND_NS",nd_sll=00:00:00:00:00:00",
                               "next;");
        /* Second pass of an ND reply (see build_nd_reply()): the target
         * link-layer address, which only an advertisement has. */
        char *match = xasprintf(REG_FLAGS"=%#x/%#x,"ND_NA,
                                1u << MLF_ALLOW_LOOPBACK_BIT,
                                1u << MLF_ALLOW_LOOPBACK_BIT);
        lflow_table_add_shared(table, dp, S_SWITCH_INGRESS_ARP_RSP,
                               PRI_ND_REPLY_TLL, match,
                               "nd.tll = eth.src; output;");
        free(match);
    }

    char *actions = xasprintf("outport = %d; output;", MC_FLOOD_KEY);
    lflow_table_add_shared(table, dp, S_SWITCH_INGRESS_L2_LKUP, PRI_L2_MCAST,
                           "dl_dst="MCAST_MASK, actions);
    free(actions);
    actions = (nd_datapath_has(od, ND_PF_UNKNOWN)
               ? xasprintf("outport = %d; output;", MC_UNKNOWN_KEY)
               : xstrdup("drop;"));
    lflow_table_add_shared(table, dp, S_SWITCH_INGRESS_L2_LKUP, PRI_DEFAULT,
                           "", actions);
    free(actions);

    if (nd_datapath_has(od, ND_PF_OUT_SEC)) {
        lflow_table_add_shared(table, dp, S_SWITCH_EGRESS_PORT_SEC,
                               PRI_DEFAULT, "", "output;");
    }
    build_port_sec_deny(table, od);
}

/* Formats an IPv4 address with its prefix length (omitted for /32). */
static char *
format_ipv4(const struct lport_ipv4 *ip)
{
    return (ip->plen == 32
            ? xasprintf(IP_FMT, IP_ARGS(ip->addr))
            : xasprintf(IP_FMT"/%u", IP_ARGS(ip->addr), ip->plen));
}

/* Formats an IPv6 address with its prefix length (omitted for /128). */
static char *
format_ipv6(const struct lport_ipv6 *ip)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &ip->addr, buf, sizeof buf);
    return (ip->plen == 128
            ? xstrdup(buf)
            : xasprintf("%s/%u", buf, ip->plen));
}

/* The matches of the flows that a bucket of ports (see lflow-switch.h)
 * shares: the flows whose priority and
 * actions are the same for every port, one logical flow each, with one
 * group of alternatives per port. */
struct port_sec_matches {
    struct ds in_allow;         /* Ingress: what a port may send. */
    struct ds in_nd_allow;      /* Ingress: neighbor discovery it may send. */
    struct ds in_nd_deny;       /* Ingress: any other neighbor discovery. */
    struct ds out_allow;        /* Egress: what a port may receive. */
    struct ds in_disabled;      /* Ingress: disabled ports. */
    struct ds out_disabled;     /* Egress: disabled ports. */
    struct ds arp_own;          /* A port asking for its own address. */
};

/* Ingress IPv6 port security of one "MAC IPv6..." entry 'ps' of port
 * 'key', whose MAC is 'mac' and link-local address (EUI-64 of the MAC)
 * 'lla': IPv6 from the listed addresses and 'lla'; neighbor solicitations
 * from those or from :: (duplicate address detection) with no source
 * link-layer address or 'mac'; neighbor advertisements from those, for a
 * target among those, with no target link-layer address or 'mac'; no other
 * neighbor discovery. */
static void
build_in_port_sec_ipv6(struct port_sec_matches *m, uint32_t key,
                       const char *mac, const char *lla,
                       const struct lport_addresses *ps)
{
    size_t n = ps->n_ipv6 + 1;
    char **srcs = xmalloc(n * sizeof *srcs);
    srcs[0] = xstrdup(lla);
    for (size_t i = 0; i < ps->n_ipv6; i++) {
        srcs[i + 1] = format_ipv6(&ps->ipv6[i]);
    }
    const char *lls[] = { "00:00:00:00:00:00", mac };
    const char *nd = REG_INPORT"=%"PRIu32",dl_src=%s,icmp6,ipv6_src=%s,"
                     "icmpv6_type=%d,icmpv6_code=0";

    for (size_t i = 0; i < n; i++) {
        match_or(&m->in_allow, REG_INPORT"=%"PRIu32",dl_src=%s,ipv6,"
                 "ipv6_src=%s", key, mac, srcs[i]);
    }
    for (size_t i = 0; i <= n; i++) {
        for (size_t l = 0; l < ARRAY_SIZE(lls); l++) {
            match_or(&m->in_nd_allow, nd, key, mac, i ? srcs[i - 1] : "::",
                     135);
            ds_put_format(&m->in_nd_allow, ",nd_sll=%s", lls[l]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < n; t++) {
            for (size_t l = 0; l < ARRAY_SIZE(lls); l++) {
                match_or(&m->in_nd_allow, nd, key, mac, srcs[i], 136);
                ds_put_format(&m->in_nd_allow, ",nd_target=%s,nd_tll=%s",
                              srcs[t], lls[l]);
            }
        }
    }
    for (int type = 135; type <= 136; type++) {
        match_or(&m->in_nd_deny, REG_INPORT"=%"PRIu32",dl_src=%s,icmp6,"
                 "icmpv6_type=%d", key, mac, type);
    }
    for (size_t i = 0; i < n; i++) {
        free(srcs[i]);
    }
    free(srcs);
}

/* Ingress port security of one "MAC [IP...]" entry of port 'key'. */
static void
build_in_port_sec(struct port_sec_matches *m, uint32_t key,
                  const struct lport_addresses *ps)
{
    char mac[ETH_ADDR_STRLEN + 1];
    snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ps->ea));

    if (!ps->n_ipv4 && !ps->n_ipv6) {
        match_or(&m->in_allow, REG_INPORT"=%"PRIu32",dl_src=%s", key, mac);
        return;
    }
    for (size_t i = 0; i < ps->n_ipv4; i++) {
        char *ip = format_ipv4(&ps->ipv4[i]);
        match_or(&m->in_allow, REG_INPORT"=%"PRIu32",dl_src=%s,ip,"
                 "nw_src=%s", key, mac, ip);
        match_or(&m->in_allow, REG_INPORT"=%"PRIu32",dl_src=%s,arp,"
                 "arp_spa=%s,arp_sha=%s", key, mac, ip, mac);
        free(ip);
    }
    if (ps->n_ipv4) {
        match_or(&m->in_allow, REG_INPORT"=%"PRIu32",dl_src=%s,udp,"
                 "nw_src=0.0.0.0,nw_dst=255.255.255.255,tp_src=68,tp_dst=67",
                 key, mac);
    }
    if (ps->n_ipv6) {
        struct in6_addr lla_addr;
        in6_generate_lla(ps->ea, &lla_addr);
        char lla[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &lla_addr, lla, sizeof lla);
        build_in_port_sec_ipv6(m, key, mac, lla, ps);
    }
}

/* Egress port security of one "MAC [IP...]" entry of port 'key', for
 * destination MAC match 'dl_dst' (the port's MAC or multicast), or for
 * any destination MAC if 'dl_dst' is NULL. */
static void
build_out_port_sec_dst(struct port_sec_matches *m, uint32_t key,
                       const struct lport_addresses *ps, const char *dl_dst)
{
    struct ds prefix = DS_EMPTY_INITIALIZER;
    ds_put_format(&prefix, REG_OUTPORT"=%"PRIu32, key);
    if (dl_dst) {
        ds_put_format(&prefix, ",dl_dst=%s", dl_dst);
    }
    const char *p = ds_cstr(&prefix);

    if (!ps->n_ipv4 && !ps->n_ipv6) {
        match_or(&m->out_allow, "%s", p);
    }
    if (ps->n_ipv4) {
        static const char *const extra[] = { "255.255.255.255",
                                             "224.0.0.0/4" };
        match_or(&m->out_allow, "%s,arp", p);
        for (size_t i = 0; i < ps->n_ipv4 + ARRAY_SIZE(extra); i++) {
            char *ip = (i < ps->n_ipv4
                        ? format_ipv4(&ps->ipv4[i])
                        : xstrdup(extra[i - ps->n_ipv4]));
            match_or(&m->out_allow, "%s,ip,nw_dst=%s", p, ip);
            free(ip);
        }
    }
    if (ps->n_ipv6) {
        static const char *const extra[] = { "ff00::/8", "fe80::/10" };
        for (size_t i = 0; i < ps->n_ipv6 + ARRAY_SIZE(extra); i++) {
            char *ip = (i < ps->n_ipv6
                        ? format_ipv6(&ps->ipv6[i])
                        : xstrdup(extra[i - ps->n_ipv6]));
            match_or(&m->out_allow, "%s,ipv6,ipv6_dst=%s", p, ip);
            free(ip);
        }
    }
    ds_destroy(&prefix);
}

/* Adds a logical flow for match 'm' unless it is empty. */
static void
add_if_any(struct lflow_table *table, const struct uuid *dp,
           enum pipeline_stage stage, uint16_t priority, const struct ds *m,
           const char *actions)
{
    if (m->length) {
        lflow_table_add(table, dp, stage, priority, ds_cstr_ro(m), actions);
    }
}

/* Returns true if egress port security of 'op' (NB row 'lsp') must check
 * the destination MAC.  It need not when the port has one port security
 * entry and every MAC of its addresses is that entry's: the port is then
 * the outport only of unicast to that MAC (L2 lookup) and of broadcast and
 * multicast (flooding).  It must when the port also receives unknown
 * unicast, has a MAC in its addresses that port security does not list,
 * or has several entries (each MAC goes with its own IPs). */
static bool
out_port_sec_needs_dl_dst(const struct nd_port *op,
                          const struct nbrec_logical_switch_port *lsp,
                          const struct eth_addr ps_mac)
{
    if (nd_port_has(op, ND_PF_UNKNOWN) || lsp->n_port_security != 1) {
        return true;
    }
    for (size_t i = 0; i < lsp->n_addresses; i++) {
        const char *a = lsp->addresses[i];
        if (!strcmp(a, "router") || !strcmp(a, "dynamic")) {
            continue;
        }
        struct lport_addresses la;
        char *error = lport_addresses_parse(a, false, &la);
        if (error) {
            free(error);
            continue;
        }
        bool same = eth_addr_equals(la.ea, ps_mac);
        lport_addresses_destroy(&la);
        if (!same) {
            return true;
        }
    }
    return false;
}

/* Appends the port security alternatives of 'op', in both directions, to
 * 'm'. */
static void
build_port_security(struct port_sec_matches *m, const struct nd_port *op,
                    const struct nbrec_logical_switch_port *lsp)
{
    for (size_t i = 0; i < lsp->n_port_security; i++) {
        struct lport_addresses ps;
        char *error = lport_addresses_parse(lsp->port_security[i], true, &ps);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: bad port_security entry: %s",
                         lsp->name, error);
            free(error);
            continue;
        }
        build_in_port_sec(m, op->tunnel_key, &ps);
        if (out_port_sec_needs_dl_dst(op, lsp, ps.ea)) {
            char mac[ETH_ADDR_STRLEN + 1];
            snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ps.ea));
            build_out_port_sec_dst(m, op->tunnel_key, &ps, mac);
            build_out_port_sec_dst(m, op->tunnel_key, &ps, MCAST_MASK);
        } else {
            build_out_port_sec_dst(m, op->tunnel_key, &ps, NULL);
        }
        lport_addresses_destroy(&ps);
    }
}

/* ARP reply for IPv4 address 'ip' of 'mac': the request is turned into the
 * reply in place and sent back out the port it came from. */
static void
build_arp_reply(struct lflow_table *table, const struct uuid *dp,
                const char *mac, const char *ip)
{
    char *actions = xasprintf(
        "eth.dst = eth.src; eth.src = %s; arp.op = 2; arp.tha = arp.sha; "
        "arp.sha = %s; arp.tpa = arp.spa; arp.spa = %s; outport = inport; "
        "flags.loopback = 1; output;", mac, mac, ip);
    lflow_table_add_format(table, dp, S_SWITCH_INGRESS_ARP_RSP,
                           PRI_ARP_REPLY, actions,
                           "arp,arp_op=1,arp_tpa=%s", ip);
    free(actions);
}

/* ND reply for IPv6 address 'ip' of 'mac': the neighbor solicitation is
 * turned into a solicited advertisement in place and sent back out the
 * port it came from.  OpenFlow lets only an advertisement set the target
 * link-layer address, so this flow makes the packet an advertisement and
 * sends it through the stage again, where the PRI_ND_REPLY_TLL flow of
 * the datapath (which matches the loopback flag, set only here within
 * ingress) fills in the address and outputs it.  The userspace datapath
 * keeps the ICMPv6 checksum right. */
static void
build_nd_reply(struct lflow_table *table, const struct uuid *dp,
               const char *mac, const char *ip)
{
    char *actions = xasprintf(
        "eth.dst = eth.src; eth.src = %s; ip6.dst = ip6.src; ip6.src = %s; "
        "nd.reserved = 0x60000000; nd.options_type = 2; icmp6.type = 136; "
        "outport = inport; flags.loopback = 1; next(%s);", mac, ip,
        pipeline_stage_info(S_SWITCH_INGRESS_ARP_RSP)->name);
    lflow_table_add_format(table, dp, S_SWITCH_INGRESS_ARP_RSP,
                           PRI_ARP_REPLY, actions, ND_NS",nd_target=%s", ip);
    free(actions);
}

/* Parses the MAC and networks of router port 'lrp' into 'la', each
 * network as the router's own address (without its prefix).  Returns an
 * error message, or NULL. */
static char *
parse_router_port(const struct nbrec_logical_router_port *lrp,
                  struct lport_addresses *la)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, lrp->mac);
    for (size_t i = 0; i < lrp->n_networks; i++) {
        ds_put_format(&s, " %s", lrp->networks[i]);
    }
    char *error = lport_addresses_parse(ds_cstr(&s), true, la);
    ds_destroy(&s);
    if (!error) {
        for (size_t i = 0; i < la->n_ipv4; i++) {
            la->ipv4[i].plen = 32;
        }
        for (size_t i = 0; i < la->n_ipv6; i++) {
            la->ipv6[i].plen = 128;
        }
    }
    return error;
}

/* Returns the router port that switch port 'op' of type "router" names in
 * options:router-port, or NULL, and declares that the owner being built
 * depends on it: on its name, so that a router port created later under
 * that name rebuilds the owner, and on the row found. */
static const struct nbrec_logical_router_port *
router_port_of(struct nd_build_ctx *ctx, const struct nd_port *op)
{
    if (!op->peer) {
        return NULL;
    }
    nd_owner_depends_on_name(ctx, &nbrec_table_logical_router_port,
                             op->peer);
    const struct nd_port *rp = nd_port_find_by_name(ctx->dps, op->peer);
    if (!rp || rp->dp->kind != &nd_dp_router) {
        return NULL;
    }
    const struct nbrec_logical_router_port *lrp
        = nbrec_logical_router_port_get_for_uuid(ctx->nb_idl, &rp->nb_uuid);
    if (lrp) {
        nd_owner_depends_on_row(ctx, &nbrec_table_logical_router_port,
                                &lrp->header_.uuid);
    }
    return lrp;
}

/* The flows of one address entry 'la' of port 'op': appends its MAC to the
 * L2 lookup match 'l2' and adds an ARP reply per IPv4 and an ND reply per
 * IPv6 address; with 'own', only appends to it the alternatives that let
 * the port's requests for its own addresses pass unanswered. */
static void
build_address(struct lflow_table *table, const struct nd_port *op,
              const struct lport_addresses *la, struct ds *l2,
              struct ds *own)
{
    const struct uuid *dp = &op->dp->sb_uuid;
    char mac[ETH_ADDR_STRLEN + 1];
    snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(la->ea));
    match_or(l2, "dl_dst=%s", mac);
    for (size_t j = 0; j < la->n_ipv4; j++) {
        char *ip = format_ipv4(&la->ipv4[j]);
        if (own) {
            match_or(own, REG_INPORT"=%"PRIu32",arp,arp_op=1,arp_tpa=%s",
                     op->tunnel_key, ip);
        } else {
            build_arp_reply(table, dp, mac, ip);
        }
        free(ip);
    }
    for (size_t j = 0; j < la->n_ipv6; j++) {
        char *ip = format_ipv6(&la->ipv6[j]);
        if (own) {
            match_or(own, REG_INPORT"=%"PRIu32","ND_NS",nd_target=%s",
                     op->tunnel_key, ip);
        } else {
            build_nd_reply(table, dp, mac, ip);
        }
        free(ip);
    }
}

/* L2 lookup and ARP/ND responder flows of the addresses of 'op': one L2
 * lookup flow for all of its MACs, one ARP reply per IPv4 address and one
 * ND reply per IPv6 address.  The "router" address of a port of type
 * "router" stands for the MAC and networks of its router port.  With
 * 'own', only appends to it the alternatives that let the port's requests
 * for its own addresses pass unanswered (a router does not ask the switch
 * for its own addresses), and adds no flow. */
static void
build_port_addresses(struct nd_build_ctx *ctx, const struct nd_port *op,
                     const struct nbrec_logical_switch_port *lsp,
                     struct ds *own)
{
    struct ds l2 = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < lsp->n_addresses; i++) {
        const char *a = lsp->addresses[i];
        if (!strcmp(a, "unknown") || !strcmp(a, "dynamic")) {
            continue;
        }
        struct lport_addresses la;
        char *error;
        if (!strcmp(a, "router")) {
            const struct nbrec_logical_router_port *lrp
                = (own || strcmp(lsp->type, "router") ? NULL
                   : router_port_of(ctx, op));
            if (!lrp) {
                continue;
            }
            error = parse_router_port(lrp, &la);
        } else {
            error = lport_addresses_parse(a, false, &la);
        }
        if (error) {
            if (!own) {
                VLOG_WARN_RL(&rl, "%s: bad address: %s", lsp->name, error);
            }
            free(error);
            continue;
        }
        build_address(ctx->lflows, op, &la, &l2, own);
        lport_addresses_destroy(&la);
    }
    if (l2.length && !own) {
        char *actions = xasprintf("outport = %"PRIu32"; output;",
                                  op->tunnel_key);
        lflow_table_add(ctx->lflows, &op->dp->sb_uuid,
                        S_SWITCH_INGRESS_L2_LKUP, PRI_L2_UNICAST,
                        ds_cstr(&l2), actions);
        free(actions);
    }
    ds_destroy(&l2);
}

/* Appends the alternatives of port 'op' (NB row 'lsp') to the flows of
 * its bucket, 'm'. */
static void
build_bucket_port(struct nd_build_ctx *ctx, struct port_sec_matches *m,
                  const struct nd_port *op,
                  const struct nbrec_logical_switch_port *lsp)
{
    if (!nd_port_has(op, ND_PF_ENABLED)) {
        match_or(&m->in_disabled, REG_INPORT"=%"PRIu32, op->tunnel_key);
        match_or(&m->out_disabled, REG_OUTPORT"=%"PRIu32, op->tunnel_key);
        return;
    }
    if (nd_port_has(op, ND_PF_IN_SEC)) {
        build_port_security(m, op, lsp);
    }
    build_port_addresses(ctx, op, lsp, &m->arp_own);
}

/* Adds the flows of one bucket of ports, 'm', to datapath 'dp'. */
static void
add_bucket_flows(struct lflow_table *table, const struct uuid *dp,
                 const struct port_sec_matches *m)
{
    enum pipeline_stage in = S_SWITCH_INGRESS_PORT_SEC;
    enum pipeline_stage out = S_SWITCH_EGRESS_PORT_SEC;
    const struct {
        const struct ds *match;
        enum pipeline_stage stage;
        uint16_t priority;
        const char *actions;
    } flows[] = {
        { &m->in_disabled, in, PRI_PORT_SEC_DROP, "drop;" },
        { &m->in_nd_allow, in, PRI_PORT_SEC_ND_ALLOW, "next;" },
        { &m->in_nd_deny, in, PRI_PORT_SEC_ND_DENY, "drop;" },
        { &m->in_allow, in, PRI_PORT_SEC_ALLOW, "next;" },
        { &m->arp_own, S_SWITCH_INGRESS_ARP_RSP, PRI_ARP_OWN, "next;" },
        { &m->out_disabled, out, PRI_PORT_SEC_DROP, "drop;" },
        { &m->out_allow, out, PRI_PORT_SEC_ALLOW, "output;" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(flows); i++) {
        add_if_any(table, dp, flows[i].stage, flows[i].priority,
                   flows[i].match, flows[i].actions);
    }
}

/* The flows of bucket 'index' of switch 'od': its ports, in key order,
 * are those with keys index * LFLOW_SWITCH_BUCKET_PORTS and the
 * LFLOW_SWITCH_BUCKET_PORTS - 1 keys after it. */
static void
build_bucket(struct nd_build_ctx *ctx, const struct nd_datapath *od,
             uint32_t index)
{
    struct port_sec_matches m = {
        DS_EMPTY_INITIALIZER, DS_EMPTY_INITIALIZER, DS_EMPTY_INITIALIZER,
        DS_EMPTY_INITIALIZER, DS_EMPTY_INITIALIZER, DS_EMPTY_INITIALIZER,
        DS_EMPTY_INITIALIZER,
    };
    uint32_t first = index * LFLOW_SWITCH_BUCKET_PORTS;
    for (uint32_t key = first; key < first + LFLOW_SWITCH_BUCKET_PORTS;
         key++) {
        const struct nd_port *op = nd_port_at_key(od, key);
        const struct nbrec_logical_switch_port *lsp
            = (op
               ? nbrec_logical_switch_port_get_for_uuid(ctx->nb_idl,
                                                        &op->nb_uuid)
               : NULL);
        if (lsp) {
            build_bucket_port(ctx, &m, op, lsp);
        }
    }
    add_bucket_flows(ctx->lflows, &od->sb_uuid, &m);
    ds_destroy(&m.in_allow);
    ds_destroy(&m.in_nd_allow);
    ds_destroy(&m.in_nd_deny);
    ds_destroy(&m.out_allow);
    ds_destroy(&m.in_disabled);
    ds_destroy(&m.out_disabled);
    ds_destroy(&m.arp_own);
}

/* Returns the bucket of the port with tunnel key 'key'. */
static uint32_t
bucket_of(uint32_t key)
{
    return key / LFLOW_SWITCH_BUCKET_PORTS;
}

/* Returns true if 'od' is a switch. */
static bool
is_switch(const struct nd_datapath *od)
{
    return od->kind == &nd_dp_switch;
}

/* --- Owner kind "switch": the datapath-wide flows ------------------------ */

/* nd_owner_kind 'build' of the switch kind. */
static void
switch_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    if (od && is_switch(od)) {
        build_switch(ctx->lflows, od);
    }
    nd_owner_end(ctx);
}

/* nd_owner_kind 'build_datapath' of the switch kind. */
static void
switch_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (is_switch(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_switch_kind,
                                               &od->nb_uuid, 0);
        switch_build(ctx, &id);
    }
}

/* nd_owner_kind 'collect' of the switch kind: switches that are new or
 * gone, whose row changed or whose ports' facts summary did. */
static void
switch_collect(const struct nd_changes *changes,
               struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->datapaths) {
        const struct nd_datapath *od = node->data;
        if (is_switch(od)) {
            struct lflow_owner_id id = nd_owner_id(&lflow_switch_kind,
                                                   &od->nb_uuid, 0);
            lflow_owner_set_add(owners, &id);
        }
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        if (is_switch(od)) {
            struct lflow_owner_id id = nd_owner_id(&lflow_switch_kind,
                                                   &od->nb_uuid, 0);
            lflow_owner_set_add(owners, &id);
        }
    }
}

/* Datapath-wide flows of each Logical_Switch. */
const struct nd_owner_kind lflow_switch_kind = {
    .name = "switch",
    .nb_table = "Logical_Switch",
    .build_datapath = switch_build_datapath,
    .collect = switch_collect,
    .build = switch_build,
};

/* --- Owner kind "switch-bucket": flows a bucket of ports shares ---------- */

/* nd_owner_kind 'build' of the bucket kind. */
static void
bucket_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    if (od && is_switch(od)) {
        build_bucket(ctx, od, id->index);
    }
    nd_owner_end(ctx);
}

/* nd_owner_kind 'build_datapath' of the bucket kind: every bucket of 'od'
 * that has a port. */
static void
bucket_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (!is_switch(od)) {
        return;
    }
    for (uint32_t index = 0;
         index * LFLOW_SWITCH_BUCKET_PORTS < od->n_by_key; index++) {
        uint32_t first = index * LFLOW_SWITCH_BUCKET_PORTS;
        for (uint32_t key = first; key < first + LFLOW_SWITCH_BUCKET_PORTS;
             key++) {
            if (nd_port_at_key(od, key)) {
                struct lflow_owner_id id = nd_owner_id(
                    &lflow_switch_bucket_kind, &od->nb_uuid, index);
                bucket_build(ctx, &id);
                break;
            }
        }
    }
}

/* Adds the bucket of the port with key 'key' in 'od' to 'owners'. */
static void
bucket_add(struct lflow_owner_set *owners, const struct nd_datapath *od,
           uint32_t key)
{
    struct lflow_owner_id id = nd_owner_id(&lflow_switch_bucket_kind,
                                           &od->nb_uuid, bucket_of(key));
    lflow_owner_set_add(owners, &id);
}

/* nd_owner_kind 'collect' of the bucket kind: the buckets of the ports
 * that changed, came or went, and every bucket of a switch that went. */
static void
bucket_collect(const struct nd_changes *changes,
               struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->ports) {
        const struct nd_port *op = node->data;
        if (is_switch(op->dp)) {
            bucket_add(owners, op->dp, op->tunnel_key);
        }
    }
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &changes->removed_ports) {
        if (is_switch(op->dp)) {
            bucket_add(owners, op->dp, op->tunnel_key);
        }
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        if (is_switch(od)) {
            for (uint32_t key = 0; key < od->n_by_key;
                 key += LFLOW_SWITCH_BUCKET_PORTS) {
                bucket_add(owners, od, key);
            }
        }
    }
}

/* Flows that the ports of a bucket of each Logical_Switch share. */
const struct nd_owner_kind lflow_switch_bucket_kind = {
    .name = "switch-bucket",
    .nb_table = "Logical_Switch",
    .build_datapath = bucket_build_datapath,
    .collect = bucket_collect,
    .build = bucket_build,
};

/* --- Owner kind "switch-port": flows whose actions name a port ----------- */

/* Builds owner 'id' of the switch port kind, whose port is 'op' (NULL if
 * gone): the flows whose actions name the port or its addresses (its other
 * flows belong to its bucket). */
static void
port_build__(struct nd_build_ctx *ctx, const struct lflow_owner_id *id,
             const struct nd_port *op)
{
    const struct nbrec_logical_switch_port *lsp
        = (op && is_switch(op->dp)
           ? nbrec_logical_switch_port_get_for_uuid(ctx->nb_idl, &id->uuid)
           : NULL);
    nd_owner_begin(ctx, id);
    if (lsp && nd_port_has(op, ND_PF_ENABLED)) {
        build_port_addresses(ctx, op, lsp, NULL);
    }
    nd_owner_end(ctx);
}

/* nd_owner_kind 'build' of the switch port kind. */
static void
port_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    port_build__(ctx, id, nd_port_find(ctx->dps, &id->uuid));
}

/* nd_owner_kind 'build_datapath' of the switch port kind. */
static void
port_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (is_switch(od)) {
        const struct nd_port *op;
        LIST_FOR_EACH (op, dp_node, &od->ports) {
            struct lflow_owner_id id = nd_owner_id(&lflow_switch_port_kind,
                                                   &op->nb_uuid, 0);
            port_build__(ctx, &id, op);
        }
    }
}

/* Adds the owner of switch port 'op' to 'owners'. */
static void
port_add(struct lflow_owner_set *owners, const struct nd_port *op)
{
    if (is_switch(op->dp)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_switch_port_kind,
                                               &op->nb_uuid, 0);
        lflow_owner_set_add(owners, &id);
    }
}

/* nd_owner_kind 'collect' of the switch port kind: ports that changed,
 * came or went. */
static void
port_collect(const struct nd_changes *changes, struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->ports) {
        port_add(owners, node->data);
    }
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &changes->removed_ports) {
        port_add(owners, op);
    }
}

/* The tables a switch port's flows read besides its own: the router port
 * a port of type "router" names. */
static const struct nd_owner_dep_table port_dep_tables[] = {
    { &nbrec_table_logical_router_port, &nbrec_logical_router_port_col_name },
};

/* Flows of each Logical_Switch_Port. */
const struct nd_owner_kind lflow_switch_port_kind = {
    .name = "switch-port",
    .nb_table = "Logical_Switch_Port",
    .dep_tables = port_dep_tables,
    .n_dep_tables = ARRAY_SIZE(port_dep_tables),
    .build_datapath = port_build_datapath,
    .collect = port_collect,
    .build = port_build,
};
