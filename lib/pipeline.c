#include <config.h>

#include "lib/pipeline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

/* Returns the table_id of the first stage of a 'dp_type' datapath's
 * 'pipeline' at or after 'table_id', or PIPELINE_MAX_STAGES if there is
 * none. */
unsigned int
pipeline_stage_at_or_after(enum dp_type dp_type, enum pipeline pipeline,
                           unsigned int table_id)
{
    unsigned int best = PIPELINE_MAX_STAGES;
    for (size_t i = 0; i < N_PIPELINE_STAGES; i++) {
        const struct pipeline_stage_info *s = &stages[i];
        if (s->dp_type == dp_type && s->pipeline == pipeline
            && s->table_id >= table_id && s->table_id < best) {
            best = s->table_id;
        }
    }
    return best;
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

/* Returns a copy of 'len' bytes of 'p' without leading and trailing
 * blanks. */
static char *
pipeline_match_strip(const char *p, size_t len)
{
    while (len && isspace((unsigned char) *p)) {
        p++;
        len--;
    }
    while (len && isspace((unsigned char) p[len - 1])) {
        len--;
    }
    return xmemdup0(p, len);
}

/* Splits logical flow match 'match' at each PIPELINE_MATCH_OR into its
 * alternatives, each without surrounding blanks, and stores them in
 * '*alternatives' (free with pipeline_match_free()).  Returns their number,
 * at least 1 (a match without separator is its own only alternative; the
 * empty match is one empty alternative). */
size_t
pipeline_match_split(const char *match, char ***alternatives)
{
    size_t n = 0, allocated = 0;
    char **alts = NULL;

    for (;;) {
        const char *end = strstr(match, PIPELINE_MATCH_OR);
        size_t len = end ? end - match : strlen(match);
        if (n >= allocated) {
            alts = x2nrealloc(alts, &allocated, sizeof *alts);
        }
        alts[n++] = pipeline_match_strip(match, len);
        if (!end) {
            break;
        }
        match = end + strlen(PIPELINE_MATCH_OR);
    }
    *alternatives = alts;
    return n;
}

/* Frees the 'n' 'alternatives' returned by pipeline_match_split(). */
void
pipeline_match_free(char **alternatives, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(alternatives[i]);
    }
    free(alternatives);
}
