/*
 * Logical flows of the neighbours of each router port: the next hops
 * whose MAC the router knows centrally, and how it asks for the others.
 *
 * One owner kind, lflow_router_neighbours_kind, one owner per
 * Logical_Router_Port (its flows' source), with in the router's
 * datapath:
 *
 *   lr_in_arp_resolve  100  outport = the port and next hop = a known
 *                           neighbour: eth.dst = its MAC, then output
 *                           ("next;" to lr_in_gw_redirect from a gateway
 *                           port); one flow per MAC, one alternative per
 *                           address of it;
 *                        1  outport = the port, any other next hop: ARP
 *                           (IPv6: a neighbor solicitation) from the
 *                           controller, from the port's first address of
 *                           the family;
 *   lr_in_ip_routing   /32 (/128) connected host routes (priority
 *                           lr_route_priority(32, false, true)): a known
 *                           neighbour on the port's own network is routed
 *                           and resolved in one lookup, skipping
 *                           lr_in_arp_resolve.
 *
 * The neighbours of a port are the addresses of the ports of the switch
 * on its other side (each address with the first MAC that lists it, in
 * the switch's port order), the networks and IPv6 link-local address of
 * another router's port on that switch (a switch port of type "router"
 * naming it), or those of the router port it names as its "peer".  A host
 * route is only for an address whose first router port, in the router's
 * port order (router-ports.h), is this port.
 *
 * What rebuilds an owner: its own port's row or Port_Binding (the switch
 * port that names it comes or goes), and the change index for what it
 * read (the switch on the other side, whose port list changes when a port
 * is added or deleted, each of that switch's ports, the router ports it
 * found by name); a change of any port of the same router, or of the
 * router's "enabled" (a disabled router has none of these flows), since
 * which port reaches an address depends on every port's networks.  The
 * router's other changes (routes, NAT, policies) rebuild none of them,
 * and a port added on a switch rebuilds the owners of the router ports on
 * that switch, not the router's own flows (lflow-router.h).
 */
#ifndef NORTHD_LFLOW_ROUTER_NEIGHBOURS_H
#define NORTHD_LFLOW_ROUTER_NEIGHBOURS_H 1

#include "northd/owners.h"

extern const struct nd_owner_kind lflow_router_neighbours_kind;

#endif /* northd/lflow-router-neighbours.h */
