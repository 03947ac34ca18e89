/*
 * Logical flows to OpenFlow.
 *
 * Each SB Logical_Flow of a local datapath becomes one OpenFlow flow in
 * table pipeline_first_oftable(pipeline) + table_id, matching
 * "metadata=<datapath key>" plus its own match, with the pseudo-actions
 * expanded: "next" to a resubmit to the next stage of the pipeline that
 * has flows for the datapath (or the end of the pipeline), "output" to a
 * resubmit to physical output.  Its cookie is the first 32 bits of the
 * Logical_Flow's UUID.
 */
#ifndef CONTROLLER_LFLOW_H
#define CONTROLLER_LFLOW_H 1

#include "openvswitch/compiler.h"

struct local_datapaths;
struct ofctrl_flow_table;
struct ovsdb_idl;

char *lflow_expand_actions(const char *actions, unsigned int next_table,
                           unsigned int output_table);
void lflow_compute_stages(struct ovsdb_idl *sb_idl, struct local_datapaths *);
void lflow_run(struct ovsdb_idl *sb_idl, const struct local_datapaths *,
               struct ofctrl_flow_table *);

#endif /* controller/lflow.h */
