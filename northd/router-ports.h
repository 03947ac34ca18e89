/*
 * A logical router as its flow builders see it: its enabled ports with
 * their MAC, networks and addresses, which port's network holds an
 * address, and the priorities of lr_in_ip_routing.
 *
 * Two owner kinds write a router's flows: lflow-router.c (the router's
 * own, one owner per router) and lflow-router-neighbours.c (the next-hop
 * MACs each router port knows, one owner per router port).  Both read the
 * router's ports through this module, so that they agree on which ports
 * count (enabled, with a MAC and networks that parse), in which order
 * (by name), which port reaches an address (the one whose network holds
 * it with the longest prefix, the first by name among equals), and on
 * where a host route sits among the routes of lr_in_ip_routing.
 *
 * Whether a port is a gateway port also depends on a row other than the
 * port's own, its HA chassis group (whose chassis may come and go): an
 * owner that reads 'gateway' declares it with lr_port_depends().
 */
#ifndef NORTHD_ROUTER_PORTS_H
#define NORTHD_ROUTER_PORTS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/lport-addresses.h"
#include "openvswitch/types.h"
#include "packets.h"

struct ds;
struct nbrec_logical_router;
struct nd_build_ctx;
struct nd_datapath;
struct nd_port;
struct ovsdb_idl;

/* An IPv4 or IPv6 address, as routing reads it. */
struct lr_addr {
    bool v6;                    /* IPv6 ('ip6'), else IPv4 ('ip4'). */
    ovs_be32 ip4;               /* The IPv4 address. */
    struct in6_addr ip6;        /* The IPv6 address. */
};

struct lr_addr lr_addr_network(const struct lr_addr *, unsigned int plen);
bool lr_addr_equals(const struct lr_addr *, const struct lr_addr *);
void lr_addr_format(const struct lr_addr *, struct ds *);
char *lr_addr_nexthop_match(const struct lr_addr *);

/* One enabled port of a router. */
struct lr_port {
    const struct nd_port *op;   /* Its port (key, namer). */
    const struct nbrec_logical_router_port *lrp; /* Its NB row. */
    struct lport_addresses la;  /* MAC and networks, with prefixes. */
    char mac[ETH_ADDR_STRLEN + 1]; /* 'la''s MAC as text. */
    bool gateway;               /* Has gateway chassis, of its HA chassis
                                 * group or its own (lib/nb-gateways.h),
                                 * and a key that a redirect key can
                                 * hold. */
    char **ip4s, **ip6s;        /* Its addresses as text (IPv6: the
                                 * networks', then the link-local address
                                 * of the MAC, if it has IPv6). */
    size_t n_ip4s, n_ip6s;
    uint32_t route_table;       /* The route table its traffic is routed
                                 * by (options:route_table): 1, 2, ... by
                                 * name among the tables the router's
                                 * ports choose; 0 the main table. */
};

struct lr_port *lr_ports_gather(const struct nd_datapath *router,
                                struct ovsdb_idl *nb_idl, bool warn,
                                size_t *n_ports);
void lr_ports_destroy(struct lr_port *, size_t n_ports);
void lr_port_depends(struct nd_build_ctx *, const struct lr_port *);
const struct lr_port *lr_ports_for_addr(const struct lr_port *,
                                        size_t n_ports,
                                        const struct lr_addr *);

bool lr_is_disabled(const struct nbrec_logical_router *);

/* Route tables (Logical_Router_Port options:route_table,
 * Logical_Router_Static_Route route_table), as in OVN: the traffic that
 * enters by a port that chooses a table is routed by that table's static
 * routes and the router's connected networks; the traffic of the other
 * ports by the main table's static routes and the connected networks.
 * lr_in_admission loads the port's table into REG_ROUTE_TABLE (0 as a
 * packet enters a router: the main table), and each static route of a
 * router whose ports choose tables matches its table's number there;
 * connected networks and known hosts match any.  Tables are numbered
 * from the ports alone (lr_port's 'route_table'), so that the owners that
 * write admission flows agree: a table that no enabled port chooses has
 * no number, and its routes no flows. */
#define REG_ROUTE_TABLE "reg5"

bool lr_ports_find_route_table(const struct lr_port *, size_t n_ports,
                               const char *name, uint32_t *id);
char *lr_port_route_table_action(const struct lr_port *);

/* Priorities of lr_in_ip_routing's routes: longer prefixes first, dst-ip
 * above src-ip at the same length, a connected network above a static
 * route of the same prefix.  A known neighbour's host route is a
 * connected /32 (/128).  Below the lowest route, PRI_ROUTE_BASE, the
 * router's answers for destinations it has no route to. */
#define PRI_ROUTE_BASE 2

/* Returns the flow priority of a route of prefix length 'plen'. */
static inline uint16_t
lr_route_priority(unsigned int plen, bool src_ip, bool connected)
{
    return PRI_ROUTE_BASE + 4 * plen + (src_ip ? 0 : 2) + connected;
}

#endif /* northd/router-ports.h */
