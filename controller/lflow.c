#include <config.h>

#include "controller/lflow.h"

#include <string.h>

#include "controller/local-datapaths.h"
#include "controller/ofctrl.h"
#include "lib/logical-actions.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow);

/* lact_encode_ctx callback: the OpenFlow table where processing goes on
 * at stage 'table_id' of the local datapath 'aux', skipping stages that
 * have no flows for it. */
static unsigned int
lflow_stage_oftable(enum pipeline pipeline, unsigned int table_id,
                    void *aux)
{
    const struct local_datapath *ld = aux;
    return local_datapath_next_oftable(ld, pipeline, (int) table_id - 1);
}

/* Appends the OpenFlow actions of logical actions 'actions', of a flow in
 * stage 'table_id' of 'pipeline' of local datapath 'ld', to 'ofpacts'.
 * Returns NULL or an error that the caller frees. */
char *
lflow_encode_actions(const char *actions, const struct local_datapath *ld,
                     enum pipeline pipeline, unsigned int table_id,
                     struct ds *ofpacts)
{
    struct lact_encode_ctx ctx = {
        .dp_type = ld->type,
        .pipeline = pipeline,
        .table_id = table_id,
        .stage_oftable = lflow_stage_oftable,
        .aux = CONST_CAST(struct local_datapath *, ld),
    };
    return lact_compile(actions, &ctx, ofpacts);
}

/* Returns the local datapath of 'lf', or NULL if it is not local. */
static struct local_datapath *
lflow_local_datapath(const struct sbrec_logical_flow *lf,
                     const struct local_datapaths *lds)
{
    return (lf->logical_datapath
            ? local_datapaths_find(lds, lf->logical_datapath->tunnel_key)
            : NULL);
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
        ld = lflow_local_datapath(lf, lds);
        if (ld && pipeline_from_string(lf->pipeline, &pipeline)
            && lf->table_id >= 0 && lf->table_id < PIPELINE_MAX_STAGES) {
            ld->stages[pipeline] |= UINT32_C(1) << lf->table_id;
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
                                       lf->table_id, &actions);
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
        char *error = ofctrl_flow_table_add(flows, lf->header_.uuid.parts[0],
                                            flow);
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

/* Adds the OpenFlow flows of every logical flow of a local datapath to
 * 'flows'.  lflow_compute_stages() must have run on 'lds'. */
void
lflow_run(struct ovsdb_idl *sb_idl, const struct local_datapaths *lds,
          struct ofctrl_flow_table *flows)
{
    const struct sbrec_logical_flow *lf;

    SBREC_LOGICAL_FLOW_FOR_EACH (lf, sb_idl) {
        const struct local_datapath *ld = lflow_local_datapath(lf, lds);
        if (ld) {
            lflow_translate(lf, ld, flows);
        }
    }
}
