/*
 * Logical flows to OpenFlow.
 *
 * Each SB Logical_Flow of a local datapath becomes one OpenFlow flow in
 * table pipeline_first_oftable(pipeline) + table_id, matching
 * "metadata=<datapath key>" plus its own match, with its logical actions
 * (lib/logical-actions.h) encoded for the stage it is in: "next" goes to
 * the next stage of the pipeline that has flows for the datapath (or the
 * end of the pipeline), "output" to physical output.  Its cookie is the
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

char *lflow_encode_actions(const char *actions, const struct local_datapath *,
                           enum pipeline, unsigned int table_id,
                           struct ds *ofpacts) OVS_WARN_UNUSED_RESULT;
void lflow_compute_stages(struct ovsdb_idl *sb_idl, struct local_datapaths *);
void lflow_run(struct ovsdb_idl *sb_idl, const struct local_datapaths *,
               struct ofctrl_flow_table *);

#endif /* controller/lflow.h */
