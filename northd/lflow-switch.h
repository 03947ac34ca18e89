/*
 * Logical flows of logical switches: three owner kinds (see owners.h).
 *
 *   - lflow_switch_kind, one owner per Logical_Switch: the datapath-wide
 *     flows (multicast-source drop, broadcast flooding, unknown unicast,
 *     the port security drops, and the priority-0 defaults of every stage
 *     the switch uses).  They are the same in every switch that has them,
 *     so each is one shared flow for all switches (lflow_table_add_shared():
 *     one SB row with a datapath group).  Which of them a switch has
 *     depends only on its ports' facts (datapaths.h), so the owner is
 *     rebuilt when the switch is new or changes, or when a fact goes from
 *     or to no port, never for a port that changes nothing of that.
 *
 *   - lflow_switch_bucket_kind, one owner per bucket of
 *     LFLOW_SWITCH_BUCKET_PORTS consecutive port tunnel keys of a switch
 *     (owner index = key / LFLOW_SWITCH_BUCKET_PORTS): the flows whose
 *     priority and actions are the same for every port (port security,
 *     disabled ports, own-address requests), one flow per priority and
 *     actions with the bucket's ports' alternatives.  A port change
 *     rebuilds its bucket only (both buckets if it moves), whatever the
 *     size of the switch.
 *
 *   - lflow_switch_port_kind, one owner per Logical_Switch_Port: the flows
 *     whose actions name the port (ARP/ND replies for its addresses, L2
 *     lookup of its MACs).  The "router" address of a port of type
 *     "router" stands for the MAC and networks of the router port it
 *     names: such a port depends on that router port (by name, and by
 *     UUID once found), through the change index.
 *
 * Stages no port uses get no flows at all, so the controller skips them.
 * Documentation/pipeline.md describes every flow; keep it in step.
 */
#ifndef NORTHD_LFLOW_SWITCH_H
#define NORTHD_LFLOW_SWITCH_H 1

#include "northd/owners.h"

/* Ports per bucket of shared flows (see above). */
#define LFLOW_SWITCH_BUCKET_PORTS 8

extern const struct nd_owner_kind lflow_switch_kind;
extern const struct nd_owner_kind lflow_switch_bucket_kind;
extern const struct nd_owner_kind lflow_switch_port_kind;

#endif /* northd/lflow-switch.h */
