#include <config.h>

#include "northd/router-ports.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nb-gateways.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/rampout.h"
#include "northd/datapaths.h"
#include "northd/owners.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(router_ports);

/* Returns the network of 'a' with prefix length 'plen'. */
struct lr_addr
lr_addr_network(const struct lr_addr *a, unsigned int plen)
{
    struct lr_addr n = *a;
    if (a->v6) {
        struct in6_addr mask = ipv6_create_mask(plen);
        n.ip6 = ipv6_addr_bitand(&a->ip6, &mask);
    } else {
        n.ip4 = a->ip4 & be32_prefix_mask(plen);
    }
    return n;
}

/* Returns true if 'a' and 'b' are the same address. */
bool
lr_addr_equals(const struct lr_addr *a, const struct lr_addr *b)
{
    return (a->v6 == b->v6
            && (a->v6 ? ipv6_addr_equals(&a->ip6, &b->ip6)
                : a->ip4 == b->ip4));
}

/* Appends 'a' to 's' as text. */
void
lr_addr_format(const struct lr_addr *a, struct ds *s)
{
    if (a->v6) {
        ipv6_format_addr(&a->ip6, s);
    } else {
        ds_put_format(s, IP_FMT, IP_ARGS(a->ip4));
    }
}

/* Returns the match of the next-hop register holding 'a' (reg0 for IPv4,
 * xxreg0 for IPv6, with the Ethernet type, so that an IPv4 next hop never
 * matches the start of an IPv6 one), malloc'd. */
char *
lr_addr_nexthop_match(const struct lr_addr *a)
{
    if (a->v6) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, "ipv6,xxreg0=0x");
        for (int i = 0; i < 16; i++) {
            ds_put_format(&s, "%02x", a->ip6.s6_addr[i]);
        }
        return ds_steal_cstr(&s);
    }
    return xasprintf("ip,reg0=%#"PRIx32, ntohl(a->ip4));
}

/* Appends 'ip' to the array '*ips' of '*n'. */
static void
add_ip(char ***ips, size_t *n, char *ip)
{
    *ips = xrealloc(*ips, (*n + 1) * sizeof **ips);
    (*ips)[(*n)++] = ip;
}

/* Returns 'addr' as text (malloc'd). */
static char *
ipv6_text(const struct in6_addr *addr)
{
    char s[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, addr, s, sizeof s);
    return xstrdup(s);
}

/* Fills the address texts of 'p'. */
static void
lr_port_addresses(struct lr_port *p)
{
    for (size_t i = 0; i < p->la.n_ipv4; i++) {
        add_ip(&p->ip4s, &p->n_ip4s, xasprintf(IP_FMT,
                                              IP_ARGS(p->la.ipv4[i].addr)));
    }
    for (size_t i = 0; i < p->la.n_ipv6; i++) {
        add_ip(&p->ip6s, &p->n_ip6s, ipv6_text(&p->la.ipv6[i].addr));
    }
    if (p->la.n_ipv6) {
        struct in6_addr lla;
        in6_generate_lla(p->la.ea, &lla);
        add_ip(&p->ip6s, &p->n_ip6s, ipv6_text(&lla));
    }
}

/* Fills 'p' from port 'op' of a router and its NB row 'lrp'.  Returns
 * false, with 'p' holding nothing to free, if its MAC or networks do not
 * parse; 'warn' logs why, and also a gateway port whose key is too big
 * for a redirect key (which is then an ordinary port). */
static bool
lr_port_init(struct lr_port *p, const struct nd_port *op,
             const struct nbrec_logical_router_port *lrp, bool warn)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    memset(p, 0, sizeof *p);
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, lrp->mac);
    for (size_t i = 0; i < lrp->n_networks; i++) {
        ds_put_format(&s, " %s", lrp->networks[i]);
    }
    char *error = lport_addresses_parse(ds_cstr(&s), true, &p->la);
    ds_destroy(&s);
    if (error) {
        if (warn) {
            VLOG_WARN_RL(&rl, "router port %s: %s", lrp->name, error);
        }
        free(error);
        return false;
    }
    p->op = op;
    p->lrp = lrp;
    snprintf(p->mac, sizeof p->mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(p->la.ea));
    p->gateway = nb_lrp_n_gateways(lrp) > 0;
    if (p->gateway && op->tunnel_key > RAMPOUT_MAX_PORT_KEY) {
        if (warn) {
            VLOG_WARN_RL(&rl, "router port %s: a gateway port needs a key "
                         "below %d", lrp->name, RAMPOUT_MAX_PORT_KEY + 1);
        }
        p->gateway = false;
    }
    lr_port_addresses(p);
    return true;
}

/* Declares that the owner being built read what makes 'p' a gateway port
 * or not: its HA chassis group, if it has one (the port's own row is a
 * dependency of every router owner already). */
void
lr_port_depends(struct nd_build_ctx *ctx, const struct lr_port *p)
{
    if (p->lrp->ha_chassis_group) {
        nd_owner_depends_on_row(ctx, &nbrec_table_ha_chassis_group,
                                &p->lrp->ha_chassis_group->header_.uuid);
    }
}

/* qsort() comparison of two router ports by name. */
static int
lr_port_cmp_name(const void *a_, const void *b_)
{
    const struct lr_port *a = a_;
    const struct lr_port *b = b_;
    return strcmp(a->lrp->name, b->lrp->name);
}

static void lr_ports_number_tables(struct lr_port *, size_t n);

/* Returns the enabled ports of router 'router' whose MAC and networks
 * parse, sorted by name, with their number in '*n_ports'.  (By name, not
 * in the order northd learnt them: an incremental update appends a port
 * added again, a full recompute does not, and the flows must not depend
 * on which of the two built them.)
 * With 'warn', logs (rate-limited) the ports left out for a bad address
 * and gateway ports that cannot be gateways.  The caller frees them with
 * lr_ports_destroy(). */
struct lr_port *
lr_ports_gather(const struct nd_datapath *router, struct ovsdb_idl *nb_idl,
                bool warn, size_t *n_ports)
{
    struct lr_port *ports = xcalloc(router->n_ports + 1, sizeof *ports);
    size_t n = 0;
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &router->ports) {
        const struct nbrec_logical_router_port *lrp
            = nbrec_logical_router_port_get_for_uuid(nb_idl, &op->nb_uuid);
        if (lrp && nd_port_has(op, ND_PF_ENABLED)
            && lr_port_init(&ports[n], op, lrp, warn)) {
            n++;
        }
    }
    qsort(ports, n, sizeof *ports, lr_port_cmp_name);
    lr_ports_number_tables(ports, n);
    *n_ports = n;
    return ports;
}

/* Returns the route table that port 'lrp' chooses, or NULL for the main
 * table. */
static const char *
lrp_route_table(const struct nbrec_logical_router_port *lrp)
{
    const char *table = smap_get(&lrp->options, "route_table");
    return table && table[0] ? table : NULL;
}

/* Numbers the route tables that the 'n' 'ports' choose 1, 2, ... in the
 * order of their names, in 'route_table' of each port (0: the main
 * table).  The numbers depend only on the ports, so that every owner that
 * gathers them agrees (lflow-router-lb.c sets them too). */
static void
lr_ports_number_tables(struct lr_port *ports, size_t n)
{
    struct sset names = SSET_INITIALIZER(&names);
    for (size_t i = 0; i < n; i++) {
        const char *table = lrp_route_table(ports[i].lrp);
        if (table) {
            sset_add(&names, table);
        }
    }
    const char **sorted = sset_sort(&names);
    for (size_t i = 0; i < n; i++) {
        const char *table = lrp_route_table(ports[i].lrp);
        for (size_t j = 0; table && j < sset_count(&names); j++) {
            if (!strcmp(sorted[j], table)) {
                ports[i].route_table = j + 1;
                break;
            }
        }
    }
    free(sorted);
    sset_destroy(&names);
}

/* Finds the number of route table 'name' among those that the 'n'
 * 'ports' choose, into '*id'.  The main table, "", is 0.  Returns false
 * if no port chooses 'name': its routes can match no packet. */
bool
lr_ports_find_route_table(const struct lr_port *ports, size_t n,
                          const char *name, uint32_t *id)
{
    *id = 0;
    if (!name[0]) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        const char *table = lrp_route_table(ports[i].lrp);
        if (table && !strcmp(table, name)) {
            *id = ports[i].route_table;
            return true;
        }
    }
    return false;
}

/* Returns the action that loads the route table of the traffic that
 * enters by 'p' into REG_ROUTE_TABLE, with a space after it, or "" for a
 * port of the main table (the register is 0 as a packet enters a
 * router). */
char *
lr_port_route_table_action(const struct lr_port *p)
{
    return (p->route_table
            ? xasprintf(REG_ROUTE_TABLE" = %"PRIu32"; ", p->route_table)
            : xstrdup(""));
}

/* Frees 'ports' (of 'n_ports') that lr_ports_gather() returned. */
void
lr_ports_destroy(struct lr_port *ports, size_t n_ports)
{
    for (size_t i = 0; i < n_ports; i++) {
        struct lr_port *p = &ports[i];
        lport_addresses_destroy(&p->la);
        for (size_t j = 0; j < p->n_ip4s; j++) {
            free(p->ip4s[j]);
        }
        for (size_t j = 0; j < p->n_ip6s; j++) {
            free(p->ip6s[j]);
        }
        free(p->ip4s);
        free(p->ip6s);
    }
    free(ports);
}

/* Returns the port of 'ports' (of 'n_ports') whose network holds 'a'
 * with the longest prefix (the first of them, by name, when several
 * networks of that length hold it), or NULL. */
const struct lr_port *
lr_ports_for_addr(const struct lr_port *ports, size_t n_ports,
                  const struct lr_addr *a)
{
    const struct lr_port *best = NULL;
    int best_plen = -1;
    for (size_t i = 0; i < n_ports; i++) {
        const struct lr_port *p = &ports[i];
        if (a->v6) {
            for (size_t j = 0; j < p->la.n_ipv6; j++) {
                struct lr_addr net = { .v6 = true, .ip6 = p->la.ipv6[j].addr };
                unsigned int plen = p->la.ipv6[j].plen;
                struct lr_addr x = lr_addr_network(a, plen);
                net = lr_addr_network(&net, plen);
                if ((int) plen > best_plen && lr_addr_equals(&x, &net)) {
                    best = p;
                    best_plen = plen;
                }
            }
        } else {
            for (size_t j = 0; j < p->la.n_ipv4; j++) {
                unsigned int plen = p->la.ipv4[j].plen;
                ovs_be32 mask = be32_prefix_mask(plen);
                if ((int) plen > best_plen
                    && (a->ip4 & mask) == (p->la.ipv4[j].addr & mask)) {
                    best = p;
                    best_plen = plen;
                }
            }
        }
    }
    return best;
}

/* Returns true if router 'lr' is administratively disabled (it then
 * drops everything and has no other flow). */
bool
lr_is_disabled(const struct nbrec_logical_router *lr)
{
    return lr->n_enabled && !lr->enabled[0];
}
