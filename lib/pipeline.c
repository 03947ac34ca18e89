#include <config.h>

#include "lib/pipeline.h"

#include <string.h>

static const struct pipeline_stage_info stages[N_PIPELINE_STAGES] = {
#define STAGE(DP_TYPE, PIPELINE, STAGE, TABLE, NAME) \
    [S_##DP_TYPE##_##PIPELINE##_##STAGE] = \
        { DP_##DP_TYPE, P_##PIPELINE, TABLE, NAME },
    PIPELINE_STAGES
#undef STAGE
};

const struct pipeline_stage_info *
pipeline_stage_info(enum pipeline_stage stage)
{
    return stage < N_PIPELINE_STAGES ? &stages[stage] : NULL;
}

/* Returns the stage of a datapath of 'dp_type' at logical table 'table_id'
 * of 'pipeline', or NULL if there is none. */
const struct pipeline_stage_info *
pipeline_stage_find(enum dp_type dp_type, enum pipeline pipeline,
                    unsigned int table_id)
{
    for (size_t i = 0; i < N_PIPELINE_STAGES; i++) {
        const struct pipeline_stage_info *s = &stages[i];
        if (s->dp_type == dp_type && s->pipeline == pipeline
            && s->table_id == table_id) {
            return s;
        }
    }
    return NULL;
}

const char *
pipeline_to_string(enum pipeline pipeline)
{
    return pipeline == P_INGRESS ? "ingress" : "egress";
}

bool
pipeline_from_string(const char *s, enum pipeline *pipeline)
{
    if (!strcmp(s, "ingress")) {
        *pipeline = P_INGRESS;
    } else if (!strcmp(s, "egress")) {
        *pipeline = P_EGRESS;
    } else {
        return false;
    }
    return true;
}

/* Returns the OpenFlow table of logical table 0 of 'pipeline'. */
unsigned int
pipeline_first_oftable(enum pipeline pipeline)
{
    return pipeline == P_INGRESS ? OFTABLE_INGRESS : OFTABLE_EGRESS;
}
