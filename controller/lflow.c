#include <config.h>

#include "controller/lflow.h"

#include <string.h>

#include "controller/local-datapaths.h"
#include "controller/ofctrl.h"
#include "controller/pinctrl.h"
#include "lib/logical-actions.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "hash.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow);

/* What the encoder's callbacks need. */
struct lflow_encode_aux {
    const struct local_datapath *ld;    /* The flow's datapath. */
    struct ofctrl_flow_table *flows;    /* Gets the groups. */
};

/* lact_encode_ctx callback: the OpenFlow table where processing goes on
 * at stage 'table_id' of the flow's local datapath: that of the first
 * stage of its type at or after 'table_id', whether or not it has flows
 * (if not, its skip flow goes on), or physical output past the last.
 * Where a flow goes thus never depends on which other stages have
 * flows. */
static unsigned int
lflow_stage_oftable(enum pipeline pipeline, unsigned int table_id,
                    void *aux_)
{
    const struct lflow_encode_aux *aux = aux_;
    return local_datapath_stage_oftable(aux->ld, pipeline, table_id);
}

/* lact_encode_ctx callback: the id of the select group with 'buckets',
 * added to the desired flows if it is new.  A group's id comes from a
 * hash of its content, so it is the same on every recompute and after a
 * restart whatever order the flows come in, unless two groups' hashes
 * collide: the second one seen takes the next free id. */
static uint32_t
lflow_group_id(const char *buckets, void *aux_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const struct lflow_encode_aux *aux = aux_;
    char *spec = xasprintf("type=select,%s", buckets);
    uint32_t id = hash_string(spec, 0) % LFLOW_MAX_GROUP_ID + 1;

    for (uint32_t n = 0; n < LFLOW_MAX_GROUP_ID; n++) {
        const char *old = ofctrl_flow_table_find_group(aux->flows, id);
        if (!old) {
            char *error = ofctrl_flow_table_add_group(aux->flows, id, spec);
            if (error) {
                VLOG_WARN_RL(&rl, "%s", error);
                free(error);
                id = 0;
            }
            break;
        } else if (!strcmp(old, spec)) {
            break;
        }
        id = id % LFLOW_MAX_GROUP_ID + 1;
    }
    free(spec);
    return id;
}

/* lact_encode_ctx callback: the meter of packet-ins of 'op'. */
static uint32_t
lflow_pin_meter_id(enum lact_pin_opcode op, void *aux OVS_UNUSED)
{
    return pinctrl_meter_id(op);
}

/* Appends the OpenFlow actions of logical actions 'actions', of a flow in
 * stage 'table_id' of 'pipeline' of local datapath 'ld', to 'ofpacts'.
 * Select groups the actions need go into 'flows' (with 'flows' NULL, the
 * actions may use none).  Returns NULL or an error that the caller
 * frees. */
char *
lflow_encode_actions(const char *actions, const struct local_datapath *ld,
                     enum pipeline pipeline, unsigned int table_id,
                     struct ofctrl_flow_table *flows, struct ds *ofpacts)
{
    struct lflow_encode_aux aux = { ld, flows };
    struct lact_encode_ctx ctx = {
        .dp_type = ld->type,
        .pipeline = pipeline,
        .table_id = table_id,
        .stage_oftable = lflow_stage_oftable,
        .group_id = flows ? lflow_group_id : NULL,
        .pin_meter_id = lflow_pin_meter_id,
        .aux = &aux,
    };
    return lact_compile(actions, &ctx, ofpacts);
}

/* Returns the number of datapaths 'lf' applies to: its datapath, or the
 * members of its datapath group.  lflow_nth_datapath() returns each. */
static size_t
lflow_n_datapaths(const struct sbrec_logical_flow *lf)
{
    return (lf->logical_datapath ? 1
            : lf->logical_dp_group ? lf->logical_dp_group->n_datapaths
            : 0);
}

/* Returns the local datapath that is the 'i'th datapath of 'lf' (see
 * lflow_n_datapaths()), or NULL if that one is not local. */
static struct local_datapath *
lflow_nth_datapath(const struct sbrec_logical_flow *lf, size_t i,
                   const struct local_datapaths *lds)
{
    const struct sbrec_datapath_binding *dp
        = (lf->logical_datapath ? lf->logical_datapath
           : lf->logical_dp_group->datapaths[i]);
    return dp ? local_datapaths_find(lds, dp->tunnel_key) : NULL;
}

/* Records, in each local datapath, which logical stages have flows. */
void
lflow_compute_stages(struct ovsdb_idl *sb_idl, struct local_datapaths *lds)
{
    const struct sbrec_logical_flow *lf;
    struct local_datapath *ld;

    HMAP_FOR_EACH (ld, node, &lds->map) {
        ld->stages[P_INGRESS] = ld->stages[P_EGRESS] = 0;
    }
    SBREC_LOGICAL_FLOW_FOR_EACH (lf, sb_idl) {
        enum pipeline pipeline;
        if (!pipeline_from_string(lf->pipeline, &pipeline)
            || lf->table_id < 0 || lf->table_id >= PIPELINE_MAX_STAGES) {
            continue;
        }
        for (size_t i = 0; i < lflow_n_datapaths(lf); i++) {
            ld = lflow_nth_datapath(lf, i, lds);
            if (ld && pipeline_stage_find(ld->type, pipeline,
                                          lf->table_id)) {
                /* A flow in a table that is no stage of the datapath's
                 * type is installed but reached by no next; it marks
                 * nothing. */
                ld->stages[pipeline] |= UINT32_C(1) << lf->table_id;
            }
        }
    }
}

/* Adds one logical flow to 'flows'. */
static void
lflow_translate(const struct sbrec_logical_flow *lf,
                const struct local_datapath *ld,
                struct ofctrl_flow_table *flows)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    enum pipeline pipeline;

    if (!pipeline_from_string(lf->pipeline, &pipeline)
        || lf->table_id < 0 || lf->table_id >= PIPELINE_MAX_STAGES) {
        VLOG_WARN_RL(&rl, "logical flow "UUID_FMT": bad pipeline %s or "
                     "table %"PRId64, UUID_ARGS(&lf->header_.uuid),
                     lf->pipeline, lf->table_id);
        return;
    }

    unsigned int oftable = pipeline_first_oftable(pipeline) + lf->table_id;
    struct ds actions = DS_EMPTY_INITIALIZER;
    char *error = lflow_encode_actions(lf->actions, ld, pipeline,
                                       lf->table_id, flows, &actions);
    if (error) {
        VLOG_WARN_RL(&rl, "logical flow "UUID_FMT" skipped: actions \"%s\": "
                     "%s", UUID_ARGS(&lf->header_.uuid), lf->actions, error);
        free(error);
        ds_destroy(&actions);
        return;
    }
    char **alts;
    size_t n_alts = pipeline_match_split(lf->match, &alts);
    for (size_t i = 0; i < n_alts; i++) {
        /* One OpenFlow flow per alternative, all with the same cookie. */
        char *flow = xasprintf("table=%u,priority=%"PRId64
                               ",metadata=%#"PRIx64"%s%s,actions=%s",
                               oftable, lf->priority, ld->key,
                               alts[i][0] ? "," : "", alts[i],
                               ds_cstr(&actions));
        error = ofctrl_flow_table_add(flows, lf->header_.uuid.parts[0], flow);
        if (error) {
            VLOG_WARN_RL(&rl, "logical flow "UUID_FMT" alternative %"PRIuSIZE
                         " skipped: %s", UUID_ARGS(&lf->header_.uuid), i + 1,
                         error);
            free(error);
        }
        free(flow);
    }
    pipeline_match_free(alts, n_alts);
    ds_destroy(&actions);
}

/* Adds the skip flows of 'ld' to 'flows': in the table of each stage of
 * its type that has no logical flow for it, one priority-0 flow that
 * goes on to the next stage that has (or to physical output). */
void
lflow_add_skip_flows(const struct local_datapath *ld,
                     struct ofctrl_flow_table *flows)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    for (int p = P_INGRESS; p <= P_EGRESS; p++) {
        for (unsigned int t = pipeline_stage_at_or_after(ld->type, p, 0);
             t < PIPELINE_MAX_STAGES;
             t = pipeline_stage_at_or_after(ld->type, p, t + 1)) {
            if (ld->stages[p] & (UINT32_C(1) << t)) {
                continue;
            }
            char *flow = xasprintf("table=%u,priority=0,metadata=%#"PRIx64
                                   ",actions=resubmit(,%u)",
                                   pipeline_first_oftable(p) + t, ld->key,
                                   local_datapath_next_oftable(ld, p, t));
            char *error = ofctrl_flow_table_add(flows, 0, flow);
            if (error) {
                VLOG_WARN_RL(&rl, "skip flow %s: %s", flow, error);
                free(error);
            }
            free(flow);
        }
    }
}

/* Adds the OpenFlow flows of every logical flow of a local datapath to
 * 'flows', and the skip flows of its stages without logical flows.
 * lflow_compute_stages() must have run on 'lds'. */
void
lflow_run(struct ovsdb_idl *sb_idl, const struct local_datapaths *lds,
          struct ofctrl_flow_table *flows)
{
    const struct sbrec_logical_flow *lf;

    SBREC_LOGICAL_FLOW_FOR_EACH (lf, sb_idl) {
        for (size_t i = 0; i < lflow_n_datapaths(lf); i++) {
            const struct local_datapath *ld = lflow_nth_datapath(lf, i, lds);
            if (ld) {
                lflow_translate(lf, ld, flows);
            }
        }
    }

    const struct local_datapath *ld;
    HMAP_FOR_EACH (ld, node, &lds->map) {
        lflow_add_skip_flows(ld, flows);
    }
}
