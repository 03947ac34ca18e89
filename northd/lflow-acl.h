/*
 * Logical flows of ACLs: stages ls_in_pre_acl, ls_in_acl, ls_out_pre_acl
 * and ls_out_acl of every switch that has ACLs, its own (Logical_Switch
 * acls) or those of a port group (Port_Group acls) with a port on it.
 * Documentation/pipeline.md, "ls_in_pre_acl" and "ls_in_acl", is the
 * reference for every flow; the semantics are ovn-nb(5)'s.
 *
 * Two owner kinds:
 *
 *   - lflow_acl_switch_kind, one owner per Logical_Switch: the flows of
 *     the switch that no single ACL owns.  A switch is stateful when one
 *     of its ACLs is allow-related: then its pre-ACL stages send IP
 *     traffic through conntrack, and its ACL stages let replies and
 *     related traffic of allowed connections pass, drop invalid ones and
 *     commit what no ACL decides.  A switch without stateful ACLs gets no
 *     conntrack of its own, and a direction without any ACL no table; if
 *     it has load balancers (lflow-lb.h), whose traffic is in conntrack,
 *     its ACL stages get the flows that let replies and related traffic
 *     pass by their state, as in OVN.
 *
 *     On a switch with load balancers, the ingress flows (of both kinds)
 *     that commit a connection and go on ask ls_in_stateful to commit it
 *     ("reg0 = 1"), after load balancing: a connection to a VIP must be
 *     committed first by the load balancer, with its NAT.  A switch that
 *     gains or loses its load balancers rebuilds its ACLs' owners.
 *
 *   - lflow_acl_kind, one owner per ACL and switch it applies to (the
 *     owner's index is the switch's tunnel key): the ACL's own flows,
 *     written so that they decide correctly on a stateless and on a
 *     stateful switch alike (by ct_state "-trk" or "+trk").  They thus
 *     depend on nothing but the ACL, its switch's ports, and the port
 *     groups and address sets its match names: adding or removing an ACL
 *     changes its own flows and no other ACL's.
 */
#ifndef NORTHD_LFLOW_ACL_H
#define NORTHD_LFLOW_ACL_H 1

#include "northd/owners.h"

extern const struct nd_owner_kind lflow_acl_switch_kind;
extern const struct nd_owner_kind lflow_acl_kind;

/* The most OpenFlow flows one ACL's match may need on one switch (the
 * match compiler's bound, lib/expr-compile.h): an address set of 10,000
 * addresses crossed with a few ports and port keys needs a little more
 * than 10,000 (a conjunction grows with the sum of its sets). */
#define ACL_MAX_FLOWS 100000

/* Flow priority of an ACL of priority P: P + ACL_PRI_OFFSET, as in OVN. */
#define ACL_PRI_OFFSET 1000

#endif /* northd/lflow-acl.h */
