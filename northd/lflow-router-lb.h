/*
 * Logical flows of router load balancers: the VIPs of the load balancers
 * a Logical_Router names (load_balancer, and through load_balancer_group),
 * reached from the external network through the router's gateway ports.
 *
 * One owner kind, lflow_router_lb_kind, one owner per Logical_Router.  As
 * OVN applies a load balancer on a router with a distributed gateway
 * port, a connection is load balanced where it enters the router from
 * outside, on the gateway chassis, in the router's conntrack zone; its
 * replies, routed on the backend's host, are sent to that gateway
 * chassis (the port's redirect key, even where a ramp-out rule pins the
 * backend's subnet elsewhere) and un-DNATed there, in the same zone,
 * before they leave by the gateway port.  So a NodePort-style service on
 * the gateway's address reaches backends anywhere behind the router.
 *
 * For each gateway port K (MAC M, redirect key R) and each VIP V (port
 * P, protocol PROTO, tcp or udp; or no port: all IP to V) with backends
 * B1:P1...Bn:Pn:
 *
 *   lr_in_admission   99  reg14=K,arp,arp_op=1,arp_tpa=V   (V in K's
 *                         networks; below the router's own answers, for
 *                         its addresses and NAT's)  ARP reply with M;
 *                         (IPv6: a neighbor advertisement, as for the
 *                         port's own addresses);
 *                  84|83  reg14=K,dl_dst=M,PROTO,nw_dst=V,tp_dst=P
 *                                               ct_dnat;
 *                                  (n = 0: reject; or drop; by reject)
 *   lr_in_lb         120|110  ct_state=+new+trk,PROTO,nw_dst=V,tp_dst=P
 *                                               ct_lb(B1:P1, ..., Bn:Pn);
 *                      0                        next(lr_in_ip_routing);
 *
 * and with session affinity (options:affinity_timeout=T), the flows of
 * a switch's (northd/lflow-lb.h, lflow_lb_build_affinity()), in the
 * router's stages:
 *
 *   lr_in_lb_aff_check 100  ct_state=+new+trk,PROTO,nw_dst=V,tp_dst=P
 *                                               lb_aff_check; next;
 *                        0                      next;
 *   lr_in_lb      125|115  the same, the client's remembered backend Bi
 *                          in the affinity registers
 *                                  ct_lb(Bi:Pi, affinity=T, proto=PROTO);
 *                 122|112  the same, the select group's pick i
 *                                  ct_lb(Bi:Pi, affinity=T, proto=PROTO);
 *                 120|110  (the VIP's flow above, with
 *                          ", affinity=T, proto=PROTO" in its ct_lb)
 *
 *   lr_in_gw_redirect 111|110  reg15=K,PROTO,nw_src=Bi,tp_src=Pi
 *                                               outport = R; output;
 *   lr_out_snat       99|98  reg15=R,PROTO,nw_src=Bi,tp_src=Pi   ct_dnat;
 *
 * (The higher priority of each pair for a VIP with a port, the lower for
 * one without, which matches all IP to V, and from Bi.  An IPv6 VIP, with
 * IPv6 backends, matches with OpenFlow's IPv6 keywords.)  The un-DNAT of
 * lr_out_snat is below the NAT rules' SNAT (100 + prefix): where a rule
 * SNATs a backend, conntrack applies the existing NAT of the backend's
 * load-balanced connections, their un-DNAT, and SNATs its own outbound
 * connections as before.  A backend of a VIP without a port sends all
 * its traffic to the external network by the port's gateway.
 *
 * The conntrack pass of lr_in_admission takes only packets to a VIP:
 * the first packet of a connection reaches lr_in_lb still addressed to
 * the VIP (+new) and is committed with DNAT to a backend that a select
 * group picks per connection; the later ones arrive translated and go
 * straight on to routing (ramp-out rules pin the router's own subnets'
 * traffic, not that of external clients).  Priority 83 is above the
 * flows that answer or drop traffic to the router's own addresses, so a
 * VIP may be the gateway port's own address (NodePort), and below the
 * echo and TTL flows: a VIP without a port on one of the router's own
 * addresses leaves the router answering pings to it (OVN sends them to
 * a backend).  A VIP without backends rejects (a TCP reset, an
 * ICMP unreachable), or drops if its load balancer's options:reject is
 * false, as on switches; the controller sends a reject's answer from a
 * router's ingress out the port the packet came in by, through the
 * router's egress (controller/pinctrl-reject.c).  The lr_in_lb flows of
 * a VIP are its load balancer's (source Load_Balancer:UUID), one SB row for all the
 * routers that have it.
 *
 * The affinity is remembered on the gateway chassis, per client address
 * as it enters the gateway port; an IPv6 backend in xxreg0, since reg5
 * holds the route table (lib/pipeline.h, REG_LB_AFF_IP6_ROUTER).
 *
 * Not applied (lib/nb-unapplied.c lists them): the router's
 * options:lb_force_snat_ip:
 * the replies of backends behind the router come back through it
 * anyway.  A router with more than one gateway port gets no load
 * balancer flows, and a warning: a connection's replies would have to
 * go to the gateway chassis of the port it came in by, which holds its
 * conntrack entry, and nothing on the backend's host tells which (OVN
 * before 24.03 refuses the same).  A router
 * without a gateway port gets no load balancer flows: traffic between
 * pods reaches a VIP through their switch's load balancers (attach the
 * load balancer, or its group, to the switches too, as ovn-kubernetes
 * does), never through a router's, as on OVN, where a distributed
 * router applies its load balancers on the gateway chassis only.
 */
#ifndef NORTHD_LFLOW_ROUTER_LB_H
#define NORTHD_LFLOW_ROUTER_LB_H 1

#include "northd/owners.h"

extern const struct nd_owner_kind lflow_router_lb_kind;

#endif /* northd/lflow-router-lb.h */
