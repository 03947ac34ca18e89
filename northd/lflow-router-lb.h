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
 * With the router's options:lb_force_snat_ip (router_ip, or an IPv4
 * and/or an IPv6 address, lib/lb-vips.h), for each non-gateway port Q
 * (key KQ) with forced SNAT address S (router_ip: Q's first address of
 * the family):
 *
 *   lr_in_admission  84|83  (the VIP's flows above)
 *                           flags.force_snat_for_lb = 1; ct_dnat;
 *                    86  reg14=KQ,<Bi's reply match>,nw_dst=S
 *                                               outport = R; output;
 *   lr_in_ip_input  100  ct_state=+new+trk,reg10=0x20/0x20,ip (ipv6)
 *            ct_commit { ct_label.ecmp_reply_eth = eth.src; }; next;
 *                     0                         next;
 *   lr_out_snat     150  reg15=R,<Bi's reply match>,nw_dst=S
 *                        flags.force_snat_for_lb = 1; ct_snat_lb;
 *                    97  reg10=0x20/0x20,reg15=KQ,ip (ipv6)
 *                                               ct_snat_lb(S);
 *   lr_out_lb_undnat 100  reg10=0x20/0x20,reg15=R,ip (ipv6)  ct_dnat;
 *                     0                         next;
 *   lr_out_delivery 110  reg10=0x20/0x20,reg15=R
 *      eth.dst = ct_label.ecmp_reply_eth; eth.src = M; outport = K; output;
 *
 * The flag, set with the VIP's conntrack pass, survives it; the SNAT is
 * in the router's second conntrack zone (ct_snat_lb: its own zone holds
 * the DNAT, and a connection gets one NAT per zone).  A backend's reply
 * goes to S, an address of the router's own for router_ip, that routing
 * on the backend's host would answer or drop: it goes to the gateway
 * chassis as it enters the router, unrouted, is un-SNATed there (above
 * the NAT rules' SNAT, 100 + prefix), un-DNATed in the router's zone,
 * and leaves by the gateway port to the MAC that the connection's first
 * packet came from, which its conntrack entry keeps (ct_label bits
 * 32..79, as symmetric ECMP replies do).  The option applies to the
 * load balancers that the router applies; Load_Balancer
 * options:skip_snat is not read.
 *
 * A router with several gateway ports gets the flows above for each: a
 * connection is balanced on the gateway chassis of the port it comes in
 * by, and its replies are un-DNATed on that of the port routing sends
 * them out of, which holds the connection only if the routes back to
 * the client are symmetric (as on OVN since 24.03; nothing on the
 * backend's host tells which port a connection came in by).  Forced
 * SNAT needs one gateway port: its replies, to the SNAT address, would
 * not tell which chassis SNATed them (northd warns).  A router
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
