#include <config.h>

#include "controller/lflow.h"

#include <ctype.h>
#include <string.h>

#include "controller/local-datapaths.h"
#include "controller/ofctrl.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow);

/* Returns true if 'c' ends an action token. */
static bool
lflow_is_delim(char c)
{
    return c == ',' || c == '(' || c == ')' || c == '\0';
}

/* Returns a copy of 'actions' (ovs-ofctl syntax) in which every bare
 * "next" action is replaced by "resubmit(,NEXT_TABLE)" and every bare
 * "output" action by "resubmit(,OUTPUT_TABLE)".  "output:N" and other
 * actions are kept as they are.  The caller frees the result. */
char *
lflow_expand_actions(const char *actions, unsigned int next_table,
                     unsigned int output_table)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *p = actions;

    while (*p) {
        if (lflow_is_delim(*p) || isspace((unsigned char) *p)) {
            ds_put_char(&s, *p++);
            continue;
        }
        const char *start = p;
        while (!lflow_is_delim(*p)) {
            p++;
        }
        size_t len = p - start;
        while (len && isspace((unsigned char) start[len - 1])) {
            len--;
        }
        if (len == 4 && !strncmp(start, "next", 4)) {
            ds_put_format(&s, "resubmit(,%u)", next_table);
        } else if (len == 6 && !strncmp(start, "output", 6)) {
            ds_put_format(&s, "resubmit(,%u)", output_table);
        } else {
            ds_put_buffer(&s, start, len);
        }
        ds_put_buffer(&s, start + len, (p - start) - len);
    }
    return ds_steal_cstr(&s);
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
    unsigned int next = local_datapath_next_oftable(ld, pipeline,
                                                    lf->table_id);
    unsigned int out = (pipeline == P_INGRESS ? OFTABLE_PHY_OUT_REMOTE
                        : OFTABLE_PHY_DELIVER);
    char *actions = lflow_expand_actions(lf->actions, next, out);
    char **alts;
    size_t n_alts = pipeline_match_split(lf->match, &alts);
    for (size_t i = 0; i < n_alts; i++) {
        /* One OpenFlow flow per alternative, all with the same cookie. */
        char *flow = xasprintf("table=%u,priority=%"PRId64
                               ",metadata=%#"PRIx64"%s%s,actions=%s",
                               oftable, lf->priority, ld->key,
                               alts[i][0] ? "," : "", alts[i],
                               actions[0] ? actions : "drop");
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
    free(actions);
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
