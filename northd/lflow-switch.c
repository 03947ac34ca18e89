#include <config.h>

#include "northd/lflow-switch.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "northd/datapaths.h"
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
    PRI_PORT_SEC_ALLOW = 90,    /* Traffic port security allows. */
    PRI_PORT_SEC_DENY = 80,     /* Anything else of a secured port. */
    PRI_L2_MCAST = 70,          /* Broadcast/multicast destination. */
    PRI_ARP_OWN = 60,           /* A port asking for its own address. */
    PRI_ARP_REPLY = 50,         /* ARP request for a known address. */
    PRI_L2_UNICAST = 50,        /* Destination MAC of a port. */
    PRI_DEFAULT = 0,            /* Stage default. */
};

/* Matches a multicast (including broadcast) Ethernet address. */
#define MCAST_MASK "01:00:00:00:00:00/01:00:00:00:00:00"

/* Datapath-wide flows of switch 'od'. */
void
lflow_switch_build_datapath(struct lflow_table *table,
                            const struct nd_datapath *od)
{
    const struct uuid *dp = &od->sb_uuid;
    bool arp_rsp = false, unknown = false, out_sec = false;
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        arp_rsp |= op->enabled && op->has_ipv4;
        unknown |= op->enabled && op->has_unknown;
        out_sec |= !op->enabled || op->has_port_security;
    }

    lflow_table_add(table, dp, S_SWITCH_INGRESS_PORT_SEC, PRI_PORT_SEC_DROP,
                    "dl_src="MCAST_MASK, "drop");
    lflow_table_add(table, dp, S_SWITCH_INGRESS_PORT_SEC, PRI_DEFAULT,
                    "", "next");
    if (arp_rsp) {
        lflow_table_add(table, dp, S_SWITCH_INGRESS_ARP_RSP, PRI_DEFAULT,
                        "", "next");
    }

    char *actions = xasprintf("load:%d->"REG_OUTPORT"[],output",
                              MC_FLOOD_KEY);
    lflow_table_add(table, dp, S_SWITCH_INGRESS_L2_LKUP, PRI_L2_MCAST,
                    "dl_dst="MCAST_MASK, actions);
    free(actions);
    actions = (unknown
               ? xasprintf("load:%d->"REG_OUTPORT"[],output", MC_UNKNOWN_KEY)
               : xstrdup("drop"));
    lflow_table_add(table, dp, S_SWITCH_INGRESS_L2_LKUP, PRI_DEFAULT,
                    "", actions);
    free(actions);

    if (out_sec) {
        lflow_table_add(table, dp, S_SWITCH_EGRESS_PORT_SEC, PRI_DEFAULT,
                        "", "output");
    }
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

/* Ingress port security of one "MAC [IP...]" entry of port 'key'. */
static void
build_in_port_sec(struct lflow_table *table, const struct uuid *dp,
                  uint32_t key, const struct lport_addresses *ps)
{
    char mac[ETH_ADDR_STRLEN + 1];
    snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ps->ea));
    enum pipeline_stage s = S_SWITCH_INGRESS_PORT_SEC;

    if (!ps->n_ipv4 && !ps->n_ipv6) {
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "next",
                               REG_INPORT"=%"PRIu32",dl_src=%s", key, mac);
        return;
    }
    for (size_t i = 0; i < ps->n_ipv4; i++) {
        char *ip = format_ipv4(&ps->ipv4[i]);
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "next",
                               REG_INPORT"=%"PRIu32",dl_src=%s,ip,nw_src=%s",
                               key, mac, ip);
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "next",
                               REG_INPORT"=%"PRIu32",dl_src=%s,arp,"
                               "arp_spa=%s,arp_sha=%s", key, mac, ip, mac);
        free(ip);
    }
    if (ps->n_ipv4) {
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "next",
                               REG_INPORT"=%"PRIu32",dl_src=%s,udp,"
                               "nw_src=0.0.0.0,nw_dst=255.255.255.255,"
                               "tp_src=68,tp_dst=67", key, mac);
    }
    for (size_t i = 0; i < ps->n_ipv6; i++) {
        char *ip = format_ipv6(&ps->ipv6[i]);
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "next",
                               REG_INPORT"=%"PRIu32",dl_src=%s,ipv6,"
                               "ipv6_src=%s", key, mac, ip);
        free(ip);
    }
    if (ps->n_ipv6) {
        /* Neighbor discovery and duplicate address detection. */
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "next",
                               REG_INPORT"=%"PRIu32",dl_src=%s,ipv6,"
                               "ipv6_src=fe80::/10", key, mac);
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "next",
                               REG_INPORT"=%"PRIu32",dl_src=%s,ipv6,"
                               "ipv6_src=::", key, mac);
    }
}

/* Egress port security of one "MAC [IP...]" entry of port 'key', for
 * destination MAC match 'dl_dst' (the port's MAC or multicast). */
static void
build_out_port_sec_dst(struct lflow_table *table, const struct uuid *dp,
                       uint32_t key, const struct lport_addresses *ps,
                       const char *dl_dst)
{
    enum pipeline_stage s = S_SWITCH_EGRESS_PORT_SEC;
    if (!ps->n_ipv4 && !ps->n_ipv6) {
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "output",
                               REG_OUTPORT"=%"PRIu32",dl_dst=%s",
                               key, dl_dst);
        return;
    }
    if (ps->n_ipv4) {
        static const char *const extra[] = { "255.255.255.255",
                                             "224.0.0.0/4" };
        lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW, "output",
                               REG_OUTPORT"=%"PRIu32",dl_dst=%s,arp",
                               key, dl_dst);
        for (size_t i = 0; i < ps->n_ipv4 + ARRAY_SIZE(extra); i++) {
            char *ip = (i < ps->n_ipv4
                        ? format_ipv4(&ps->ipv4[i])
                        : xstrdup(extra[i - ps->n_ipv4]));
            lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW,
                                   "output", REG_OUTPORT"=%"PRIu32
                                   ",dl_dst=%s,ip,nw_dst=%s",
                                   key, dl_dst, ip);
            free(ip);
        }
    }
    if (ps->n_ipv6) {
        static const char *const extra[] = { "ff00::/8", "fe80::/10" };
        for (size_t i = 0; i < ps->n_ipv6 + ARRAY_SIZE(extra); i++) {
            char *ip = (i < ps->n_ipv6
                        ? format_ipv6(&ps->ipv6[i])
                        : xstrdup(extra[i - ps->n_ipv6]));
            lflow_table_add_format(table, dp, s, PRI_PORT_SEC_ALLOW,
                                   "output", REG_OUTPORT"=%"PRIu32
                                   ",dl_dst=%s,ipv6,ipv6_dst=%s",
                                   key, dl_dst, ip);
            free(ip);
        }
    }
}

/* Port security flows of 'op', in both directions. */
static void
build_port_security(struct lflow_table *table, const struct nd_port *op,
                    const struct nbrec_logical_switch_port *lsp)
{
    const struct uuid *dp = &op->dp->sb_uuid;
    for (size_t i = 0; i < lsp->n_port_security; i++) {
        struct lport_addresses ps;
        char *error = lport_addresses_parse(lsp->port_security[i], true, &ps);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: bad port_security entry: %s",
                         lsp->name, error);
            free(error);
            continue;
        }
        char mac[ETH_ADDR_STRLEN + 1];
        snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(ps.ea));
        build_in_port_sec(table, dp, op->tunnel_key, &ps);
        build_out_port_sec_dst(table, dp, op->tunnel_key, &ps, mac);
        build_out_port_sec_dst(table, dp, op->tunnel_key, &ps, MCAST_MASK);
        lport_addresses_destroy(&ps);
    }
    lflow_table_add_format(table, dp, S_SWITCH_INGRESS_PORT_SEC,
                           PRI_PORT_SEC_DENY, "drop",
                           REG_INPORT"=%"PRIu32, op->tunnel_key);
    lflow_table_add_format(table, dp, S_SWITCH_EGRESS_PORT_SEC,
                           PRI_PORT_SEC_DENY, "drop",
                           REG_OUTPORT"=%"PRIu32, op->tunnel_key);
}

/* ARP responder for IPv4 address 'ip' of 'mac' owned by port 'key':
 * the request is turned into the reply in place and sent back out the
 * port it came from. */
static void
build_arp_reply(struct lflow_table *table, const struct uuid *dp,
                uint32_t key, const char *mac, const char *ip)
{
    enum pipeline_stage s = S_SWITCH_INGRESS_ARP_RSP;
    lflow_table_add_format(table, dp, s, PRI_ARP_OWN, "next",
                           REG_INPORT"=%"PRIu32",arp,arp_op=1,arp_tpa=%s",
                           key, ip);
    char *actions = xasprintf(
        "move:eth_src[]->eth_dst[],set_field:%s->eth_src,"
        "set_field:2->arp_op,move:arp_sha[]->arp_tha[],"
        "set_field:%s->arp_sha,move:arp_spa[]->arp_tpa[],"
        "set_field:%s->arp_spa,move:"REG_INPORT"[]->"REG_OUTPORT"[],"
        "load:1->"REG_FLAGS"[%d],output",
        mac, mac, ip, MLF_ALLOW_LOOPBACK_BIT);
    lflow_table_add_format(table, dp, s, PRI_ARP_REPLY, actions,
                           "arp,arp_op=1,arp_tpa=%s", ip);
    free(actions);
}

/* L2 lookup and ARP responder flows of the addresses of 'op'. */
static void
build_port_addresses(struct lflow_table *table, const struct nd_port *op,
                     const struct nbrec_logical_switch_port *lsp)
{
    const struct uuid *dp = &op->dp->sb_uuid;
    for (size_t i = 0; i < lsp->n_addresses; i++) {
        const char *a = lsp->addresses[i];
        if (!strcmp(a, "unknown") || !strcmp(a, "router")
            || !strcmp(a, "dynamic")) {
            continue;
        }
        struct lport_addresses la;
        char *error = lport_addresses_parse(a, false, &la);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: bad address: %s", lsp->name, error);
            free(error);
            continue;
        }
        char mac[ETH_ADDR_STRLEN + 1];
        snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(la.ea));
        char *actions = xasprintf("load:%"PRIu32"->"REG_OUTPORT"[],output",
                                  op->tunnel_key);
        lflow_table_add_format(table, dp, S_SWITCH_INGRESS_L2_LKUP,
                               PRI_L2_UNICAST, actions, "dl_dst=%s", mac);
        free(actions);
        for (size_t j = 0; j < la.n_ipv4; j++) {
            char *ip = format_ipv4(&la.ipv4[j]);
            build_arp_reply(table, dp, op->tunnel_key, mac, ip);
            free(ip);
        }
        lport_addresses_destroy(&la);
    }
}

/* Flows of switch port 'op' whose NB row is 'lsp'. */
void
lflow_switch_build_port(struct lflow_table *table, const struct nd_port *op,
                        const struct nbrec_logical_switch_port *lsp)
{
    const struct uuid *dp = &op->dp->sb_uuid;
    if (!op->enabled) {
        lflow_table_add_format(table, dp, S_SWITCH_INGRESS_PORT_SEC,
                               PRI_PORT_SEC_DROP, "drop",
                               REG_INPORT"=%"PRIu32, op->tunnel_key);
        lflow_table_add_format(table, dp, S_SWITCH_EGRESS_PORT_SEC,
                               PRI_PORT_SEC_DROP, "drop",
                               REG_OUTPORT"=%"PRIu32, op->tunnel_key);
        return;
    }
    if (op->has_port_security) {
        build_port_security(table, op, lsp);
    }
    build_port_addresses(table, op, lsp);
}
