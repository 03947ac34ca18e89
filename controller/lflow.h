/*
 * Logical flows to OpenFlow.
 *
 * Each SB Logical_Flow of a local datapath (or of a datapath group with
 * local members: once per local member) becomes one OpenFlow flow per
 * alternative of its match, in table pipeline_first_oftable(pipeline) +
 * table_id, matching "metadata=<datapath key>" plus the alternative, with
 * its logical actions (lib/logical-actions.h) encoded for the stage it is
 * in: "next" goes to the table of the next stage of the datapath's type
 * (or past the end of the pipeline), "output" to physical output.  Its
 * cookie is the first 32 bits of the Logical_Flow's UUID, and the flows
 * are the desired state of owner (DESIRED_LFLOW, UUID).  A logical flow
 * whose actions do not encode is skipped with a rate-limited warning.
 *
 * In the table of a stage with no logical flow for a datapath, a
 * priority-0 skip flow (cookie 0, owner (DESIRED_SKIP, datapath UUID))
 * goes on to the next stage that has: so the first flow of a stage
 * changes no other flow, only its own stage's skip flow and the skip
 * flows of the empty stages just before it.
 *
 * Incremental processing (the "lflow" engine node)
 * ------------------------------------------------
 * The node remembers, for every logical flow it installed, the local
 * datapaths it went into, and counts per local datapath how many flows
 * each stage has.  A logical flow added, deleted or changed costs that
 * flow (and, if a stage of its datapath becomes empty or stops being
 * empty, that datapath's skip flows); a datapath group whose members
 * change costs the flows of that group.  Only a change of the set of
 * local datapaths recomputes everything.
 *
 * Flows of other hosts' ports
 * ---------------------------
 * The ingress pipeline runs on the host where a packet enters from its
 * port, the egress pipeline on the host of its output port.  So an
 * alternative that matches the logical inport (REG_INPORT) exactly in an
 * ingress stage, or the logical outport (REG_OUTPORT) in an egress stage,
 * is installed only if that port is local, or is not a VIF (a patch port,
 * say, is on every host that has its datapath), or has no Port_Binding
 * here.  A switch's port security flows for its ports on other hosts thus
 * cost this host nothing, and a port added on another host changes none
 * of this host's flows but those that concern the port itself (its L2
 * lookup, its ARP reply, its output).  The node remembers which logical
 * flows named each port this way, and when a port becomes local or stops
 * being local it translates those flows again.
 *
 * Address sets
 * ------------
 * A match may name an address set ("nw_src=$as", lib/pipeline.h): the
 * addresses come from SB Address_Set (all of it is monitored: a few rows
 * that any flow may name), one flow (or clause flow) per address.  The
 * node remembers which logical flows named each set, found or not, and
 * when a set's row is added, changed or deleted it translates those flows
 * again, and no other.
 */
#ifndef CONTROLLER_LFLOW_H
#define CONTROLLER_LFLOW_H 1

#include "lib/pipeline.h"
#include "openvswitch/compiler.h"

struct desired;
struct ds;
struct engine_node;
struct local_datapath;
struct local_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct runtime_data;

/* The meters of log() actions with a meter (an ACL's --meter) get ids
 * LFLOW_LOG_METER_BASE to LFLOW_LOG_METER_BASE + LFLOW_N_LOG_METERS - 1,
 * one per meter spec, shared by every flow that names it. */
#define LFLOW_LOG_METER_BASE 0x10000
#define LFLOW_N_LOG_METERS 0x10000

/* Select groups get ids 1 to LFLOW_MAX_GROUP_ID. */
#define LFLOW_MAX_GROUP_ID 0xffffff

/* OpenFlow IPFIX collector set of the elephant detector's samples. */
#define LFLOW_COLOR_COLLECTOR_SET 7001

char *lflow_encode_actions(const char *actions, const struct local_datapath *,
                           enum pipeline, unsigned int table_id,
                           struct desired *, unsigned int color_sampling,
                           struct ds *ofpacts) OVS_WARN_UNUSED_RESULT;
void lflow_add_skip_flows(const struct local_datapath *, struct desired *);

/* What the lflow node reads. */
struct lflow_ctx {
    struct ovsdb_idl *sb_idl;           /* Southbound database. */
    struct ovsdb_idl_index *pb_by_key;  /* Port_Binding by datapath and
                                         * tunnel key. */
    struct ovsdb_idl_index *as_by_name; /* Address_Set by name. */
    const struct local_datapaths *lds;  /* Local datapaths. */
    const struct runtime_data *rt;      /* Local ports. */
    struct desired *desired;            /* Where its flows go. */
    unsigned int color_sampling;        /* color_sample() samples one packet
                                         * in this many (0: none). */
};

void *lflow_output_create(void);
void lflow_output_destroy(void *);
void lflow_output_run(struct engine_node *, const struct lflow_ctx *);
bool lflow_output_handle_lflows(struct engine_node *,
                                const struct lflow_ctx *);
bool lflow_output_handle_runtime(struct engine_node *,
                                 const struct lflow_ctx *);
struct ovsdb_idl_index *lflow_create_pb_index(struct ovsdb_idl *sb_idl);
struct ovsdb_idl_index *lflow_create_as_index(struct ovsdb_idl *sb_idl);
bool lflow_output_handle_address_sets(struct engine_node *,
                                      const struct lflow_ctx *);
bool lflow_output_handle_dp_groups(struct engine_node *,
                                   const struct lflow_ctx *);
size_t lflow_output_count(const void *);

#endif /* controller/lflow.h */
