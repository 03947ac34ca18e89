/*
 * Logical flows of logical routers: every stage of a router datapath,
 * plus the flows a router gives the switch on the other side of its
 * gateway ports (the L2 lookup of its ramp-out MACs).
 *
 * One owner kind, lflow_router_kind, one owner per Logical_Router: a
 * router's flows depend on all of its ports, routes, policies, NAT and
 * ramp-out rules, which it declares to the change index.  Routers are few
 * and their flows a handful per port and route, so rebuilding one
 * router's flows on any such change is cheap.  What grows with the
 * switches behind the router, the next-hop MACs of the hosts on them and
 * their host routes, is each router port's own owner's
 * (lflow-router-neighbours.h): a port added on a switch rebuilds the
 * neighbours of the router port on that switch, not these flows.
 *
 * Ingress, as a routed packet between pods crosses it:
 *
 *   lr_in_admission   what the router accepts: frames to its MACs (or
 *                     broadcast ARP, ND); ARP requests and neighbor
 *                     solicitations for its addresses and echo requests
 *                     to them are answered here, TTL expiry with ICMP
 *                     time exceeded, UDP to the router with port
 *                     unreachable (controller packet-ins), other traffic
 *                     to the router dropped;
 *                     a port that chooses a route table loads it into
 *                     reg5 (router-ports.h);
 *                     then straight on to the first stage the packet
 *                     needs (lr_in_dnat from a gateway port with NAT,
 *                     lr_in_rampout if the router has ramp-out rules,
 *                     else lr_in_ip_routing), so a router without NAT
 *                     costs no lookup in the stages it does not use.
 *   lr_in_lb          the router's load balancers, for traffic from a
 *                     gateway port (lflow-router-lb.h: its flows there and
 *                     in lr_in_admission, lr_in_gw_redirect and
 *                     lr_out_snat are that owner kind's).
 *   lr_in_dnat        from a gateway port: un-SNAT and DNAT (conntrack);
 *                     conntrack for packets from the destinations of
 *                     ECMP routes with symmetric replies.
 *   lr_in_ecmp_stateful  commit the connections that came in from such
 *                     a route's next hop, with the port and its MAC.
 *   lr_in_rampout     reg7 = the ramp-out rule whose subnets (and colour)
 *                     the source matches, 0 if none.
 *   lr_in_ip_routing  longest prefix match over connected networks and
 *                     static routes (src-ip routes below dst-ip routes of
 *                     the same length; on a router whose ports choose
 *                     route tables, each static route for the traffic of
 *                     its table in reg5 only, 0 the main table), IPv4
 *                     and IPv6: TTL decrement,
 *                     reg0 (IPv6: xxreg0) = next hop, outport, eth.src;
 *                     an ECMP group picks a member by a select group
 *                     into reg1; no route: ICMP unreachable.  On a
 *                     router with routing policies, the packets a policy
 *                     may match are found first (reg6 = 1) and routed by
 *                     twins of the routes that go on to lr_in_policy;
 *                     other packets cost no lookup more.
 *   lr_in_ip_routing_ecmp  the next hop of the ECMP member in reg1.
 *   lr_in_policy      the routing policies, after routing, highest
 *                     priority first: allow, drop, or reroute to the
 *                     policy's next hop (several: a select group into
 *                     reg1, and lr_in_policy_ecmp sets the one chosen).
 *   lr_in_arp_resolve eth.dst of the next hop, for the addresses known
 *                     centrally (switch ports' addresses, peer router
 *                     ports), else ARP or ND from the controller; then
 *                     output, or lr_in_gw_redirect for a gateway port
 *                     (all of it the router ports' own flows, but for
 *                     the drop of a next hop on no port).
 *   lr_in_gw_redirect the gateway port becomes the redirect key of the
 *                     rule in reg7, or of the port (lib/rampout.h).
 *
 * Egress, on the gateway chassis only: lr_out_snat (SNAT to the rule's
 * address or by the NAT rules), lr_out_ecmp_reply (a reply of a
 * connection lr_in_ecmp_stateful committed goes to the next hop it came
 * from) and lr_out_delivery (the redirect key back to the gateway
 * port).
 */
#ifndef NORTHD_LFLOW_ROUTER_H
#define NORTHD_LFLOW_ROUTER_H 1

#include "northd/owners.h"

extern const struct nd_owner_kind lflow_router_kind;

#endif /* northd/lflow-router.h */
