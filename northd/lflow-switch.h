/*
 * Logical flows of logical switches.
 *
 * A switch's flows come from two kinds of owner (see lflow-table.h): the
 * Logical_Switch itself, for the datapath-wide flows (multicast-source
 * drop, broadcast flooding, unknown unicast, and the priority-0 defaults
 * of every stage the switch uses) and for the flows its ports share
 * (port security, disabled ports, own-address requests: one flow per
 * bucket of ports, see lflow_switch_build_datapath()), and each
 * Logical_Switch_Port, for the flows whose actions name it (ARP/ND
 * replies for its addresses, L2 lookup of its MACs).  Stages no port
 * uses get no flows at all, so the controller skips them.
 * Documentation/pipeline.md describes every flow; keep it in step.
 *
 * The caller brackets each call with lflow_table_owner_begin() and
 * lflow_table_owner_end().
 */
#ifndef NORTHD_LFLOW_SWITCH_H
#define NORTHD_LFLOW_SWITCH_H 1

struct lflow_table;
struct nbrec_logical_switch_port;
struct ovsdb_idl;
struct nd_datapath;
struct nd_port;

/* Ports per bucket of shared flows (see lflow_switch_build_datapath()). */
#define LFLOW_SWITCH_BUCKET_PORTS 16

void lflow_switch_build_datapath(struct lflow_table *,
                                 const struct nd_datapath *,
                                 struct ovsdb_idl *nb_idl);
void lflow_switch_build_port(struct lflow_table *, const struct nd_port *,
                             const struct nbrec_logical_switch_port *);

#endif /* northd/lflow-switch.h */
