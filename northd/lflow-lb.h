/*
 * Logical flows of switch load balancers: stages ls_in_hairpin_check,
 * ls_in_pre_acl, ls_in_lb, ls_in_stateful, ls_in_hairpin and
 * ls_out_pre_acl.
 *
 * Two owner kinds.  lflow_lb_vip_kind ("lb"), one owner per
 * Load_Balancer: the flows of its VIPs on every switch that has it, in
 * its load_balancer column or through its load_balancer_group column, so
 * that a change to one load balancer (a backend, a VIP) rebuilds that
 * load balancer (and those that name one of its VIPs or, for the
 * lb_hairpin flows' vips= hash, one of its backends), and a switch that gains or loses a group rebuilds
 * the group's load balancers.  lflow_lb_kind ("switch-lb"), one owner per
 * Logical_Switch: its flows that depend on the switch alone (the commits
 * its ACLs ask for).  A VIP that two load balancers of one switch name is
 * the one's of lower UUID there.  A load balancer is applied on the host
 * of the client, in the conntrack zone of the client's port (reg13), as
 * OVN applies a switch's load balancers: the connection is load balanced
 * when the client sends its first packet, and its replies are un-NATed in
 * the client port's egress pipeline, on the same host and in the same
 * zone.
 *
 * For a VIP V (with port P and protocol PROTO, tcp or udp, or
 * without a port: all IP traffic to V) with backends B1:P1...Bn:Pn:
 *
 *   ls_in_hairpin_check
 *                   0                     lb_hairpin_check; next;
 *   ls_in_pre_acl   130  ip,nw_src=Bi,nw_dst=V (V without a port)
 *                                             ct_snat_hairpin;
 *                   105  PROTO,nw_dst=V,tp_dst=P        ct_dnat;
 *                   0                                     next;
 *   ls_in_lb        120|110  ct_state=+new+trk,PROTO,nw_dst=V,tp_dst=P
 *                                             ct_lb(B1:P1, ..., Bn:Pn);
 *                   120|110  PROTO,nw_dst=V,tp_dst=P   reject; (n = 0)
 *                   0                                     next;
 *   ls_in_stateful  135  ip,ct_state=+trk+dnat,nw_src=Bi,nw_dst=Bi,
 *                        ct_nw_dst=V (V without a port)
 *                                             ct_snat_hairpin(V);
 *                   130  PROTO,ct_state=+trk+dnat,reg10=0/0x10,
 *                        nw_src=Bi,nw_dst=Bi (V with a port)
 *                                 lb_hairpin(PROTO, vips=H); next;
 *                   100  ip,reg0=0x1/0x1 || ipv6,...
 *                                  ct_commit { ct_mark = 0/0x1; }; next;
 *                   0                                     next;
 *   ls_in_hairpin   110  reg10=0x10/0x10
 *                        eth.dst <-> eth.src; outport = inport;
 *                        flags.loopback = 1; output;
 *                   100  ip,ct_state=+trk,ct_zone=65535 (V without a
 *                        port)                 the same;
 *                   0                                     next;
 *   ls_out_pre_acl  105  PROTO,nw_src=Bi,tp_src=Pi      ct_dnat;
 *                   0                                     next;
 *
 * (IPv4; an IPv6 VIP, with IPv6 backends, matches the same way with
 * OpenFlow's IPv6 keywords: tcp6/udp6/ipv6, ipv6_src, ipv6_dst,
 * ct_ipv6_dst.)
 *
 * Only packets to a VIP (ingress) or from a backend (egress) enter
 * conntrack for a load balancer: "ct_dnat;" without an address sends the
 * packet through conntrack with NAT, so a packet of a load-balanced
 * connection is translated (its destination to the backend on the way
 * out, its source back to the VIP on the way back) and anything else is
 * only tracked.  At 105 in the pre-ACL stages, above the ACLs' ct_next,
 * this is the switch's one conntrack pass.  A new connection to a VIP is
 * committed with DNAT to one backend chosen per connection by a select
 * group (ct_lb); later packets never reach ls_in_lb's VIP flows with the
 * VIP as destination.  The ingress ACLs of a switch with load balancers
 * leave their commits to ls_in_stateful (lflow-acl.c, "reg0 = 1"),
 * after ls_in_lb, since a connection committed without NAT gets none
 * later.  A VIP with no backend rejects (TCP reset, ICMP port
 * unreachable), or drops with options:reject=false, without conntrack.
 * Priority 120 is a VIP with a port, 110 one without, so the former wins
 * on the same address.
 *
 * Session affinity (options:affinity_timeout=T), for each VIP V with
 * backends:
 *
 *   ls_in_lb_aff_check 100  ct_state=+new+trk,V   lb_aff_check; next;
 *                   0                                     next;
 *   ls_in_lb        125|115  ct_state=+new+trk,V,reg8=0x1PPPP/0x1ffff,
 *                        reg4=Bi (xxreg1 for IPv6)
 *                                             ct_lb(Bi:Pi, affinity=T...);
 *                   122|112  ct_state=+new+trk,V,reg8=i<<17/0xfffe0000
 *                                             ct_lb(Bi:Pi, affinity=T...);
 *                   120|110  ct_state=+new+trk,V
 *                                  ct_lb(B1:P1, ..., affinity=T...);
 *
 * The client's remembered backend (loaded by lb_aff_check from the flows
 * ct_lb learns) wins at 125/115; else the VIP's group picks one, records
 * it and goes back to ls_in_lb_aff_check, to end at 125/115 (a backend
 * remembered meanwhile) or 122/112 (the pick); both remember it again.
 *
 * Hairpin: a backend's connection to its own VIP that the group sends
 * back to it gets the VIP as source and goes straight back out the
 * backend's port (ls_in_hairpin), whose egress pipeline then treats it as
 * any client's; so do its replies, with their destination back.  Through
 * a VIP with a port, without conntrack: lb_hairpin copies the VIP from
 * the connection's original destination (ct_nw_dst) and learns a flow
 * that ls_in_hairpin_check's lb_hairpin_check finds the replies by (from
 * the backend's address and port to the VIP's address); one flow per
 * backend, whatever its VIPs, whose vips=H, a hash of the backend's
 * VIPs with a port on the switch (and its port for each), is the
 * learned flows' cookie (with the datapath): they go when it changes.  Through a VIP without a port, whose
 * replies only their ports tell from the backend's own next connections
 * to the VIP, in the hairpin zone (CT_ZONE_HAIRPIN: the port's zone holds
 * the DNAT), per backend and VIP.
 *
 * The flows of one VIP in ls_in_lb, and the hairpin flows of a VIP
 * without a port, are the load balancer's ("source" Load_Balancer:UUID)
 * and one SB row for every switch that has the load balancer; the
 * ls_in_pre_acl and ls_out_pre_acl flows, one per VIP and one per
 * backend, the ls_in_stateful hairpin flows of VIPs with a port, one per
 * backend address and protocol, and the default flows, are the switches'
 * ("source" Logical_Switch: the same row for every switch with the same
 * VIP or backend, whichever load balancer adds it; a flow is wanted
 * while one adds it).  SCTP load balancers get no flows yet
 * (lib/nb-unapplied.c lists them); routers' load balancers are
 * lflow-router-lb.h's, which uses the helpers below.
 */
#ifndef NORTHD_LFLOW_LB_H
#define NORTHD_LFLOW_LB_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/pipeline.h"
#include "northd/owners.h"

struct ds;
struct lb_endpoint;
struct nd_datapath;
struct nbrec_load_balancer;
struct nbrec_load_balancer_group;
struct nbrec_logical_switch;

extern const struct nd_owner_kind lflow_lb_kind;
extern const struct nd_owner_kind lflow_lb_vip_kind;

bool lflow_lb_switch_has_lbs(const struct nbrec_logical_switch *);
void lflow_lb_index_invalidate(void);

/* Helpers shared with the load balancers of routers. */
const struct nbrec_load_balancer **lflow_lb_gather(
    struct nd_build_ctx *,
    struct nbrec_load_balancer **direct, size_t n_direct,
    struct nbrec_load_balancer_group **groups, size_t n_groups, size_t *n);
const char *lflow_lb_protocol(const struct nbrec_load_balancer *);
void lflow_lb_put_endpoint_ip(const struct lb_endpoint *, struct ds *);
void lflow_lb_put_endpoint_match(const struct lb_endpoint *,
                                 const char *proto, bool dst, struct ds *);
unsigned int lflow_lb_affinity_timeout(const struct nbrec_load_balancer *);
void lflow_lb_build_affinity(struct nd_build_ctx *, const struct nd_datapath *,
                             enum pipeline_stage check,
                             enum pipeline_stage lb,
                             const struct lb_endpoint *vip,
                             const char *vip_match, const char *proto,
                             const char *backends, unsigned int timeout,
                             const char *source);

#endif /* northd/lflow-lb.h */
