/*
 * Logical flows to OpenFlow.
 *
 * Each SB Logical_Flow of a local datapath becomes one OpenFlow flow in
 * table pipeline_first_oftable(pipeline) + table_id, matching
 * "metadata=<datapath key>" plus its own match, with its logical actions
 * (lib/logical-actions.h) encoded for the stage it is in: "next" goes to
 * the table of the next stage of the datapath's type (or past the end of
 * the pipeline), "output" to physical output.  In the table of a stage
 * with no logical flow for the datapath, a priority-0 skip flow (cookie
 * 0) goes on to the next stage that has: so the first flow of a stage
 * changes no other flow, only its own stage's skip flow and the skip
 * flows of the empty stages just before it.  Its cookie is the
 * first 32 bits of the Logical_Flow's UUID.  A logical flow whose actions
 * do not encode is skipped with a rate-limited warning.
 */
#ifndef CONTROLLER_LFLOW_H
#define CONTROLLER_LFLOW_H 1

#include "lib/pipeline.h"
#include "openvswitch/compiler.h"

struct ds;
struct local_datapath;
struct local_datapaths;
struct ofctrl_flow_table;
struct ovsdb_idl;

/* Select groups get ids 1 to LFLOW_MAX_GROUP_ID. */
#define LFLOW_MAX_GROUP_ID 0xffffff

char *lflow_encode_actions(const char *actions, const struct local_datapath *,
                           enum pipeline, unsigned int table_id,
                           struct ofctrl_flow_table *,
                           struct ds *ofpacts) OVS_WARN_UNUSED_RESULT;
void lflow_add_skip_flows(const struct local_datapath *,
                          struct ofctrl_flow_table *);
void lflow_compute_stages(struct ovsdb_idl *sb_idl, struct local_datapaths *);
void lflow_run(struct ovsdb_idl *sb_idl, const struct local_datapaths *,
               struct ofctrl_flow_table *);

#endif /* controller/lflow.h */
