#include <config.h>

#include "controller/local-datapaths.h"

#include <string.h>

#include "lib/osmotic-sb-idl.h"

#include "hash.h"
#include "util.h"

/* Initializes 'lds' as empty. */
void
local_datapaths_init(struct local_datapaths *lds)
{
    hmap_init(&lds->map);
}

/* Removes every datapath from 'lds'. */
void
local_datapaths_clear(struct local_datapaths *lds)
{
    struct local_datapath *ld;

    HMAP_FOR_EACH_POP (ld, node, &lds->map) {
        free(ld->name);
        free(ld);
    }
}

/* Frees 'lds''s contents.  Accepts NULL. */
void
local_datapaths_destroy(struct local_datapaths *lds)
{
    if (lds) {
        local_datapaths_clear(lds);
        hmap_destroy(&lds->map);
    }
}

/* Returns the local datapath with tunnel key 'key', or NULL. */
struct local_datapath *
local_datapaths_find(const struct local_datapaths *lds, int64_t key)
{
    struct local_datapath *ld;

    HMAP_FOR_EACH_WITH_HASH (ld, node, hash_uint64(key), &lds->map) {
        if (ld->key == key) {
            return ld;
        }
    }
    return NULL;
}

/* Returns the local datapath whose SB row is 'uuid', or NULL.  Linear:
 * a host has few local datapaths. */
struct local_datapath *
local_datapaths_find_uuid(const struct local_datapaths *lds,
                          const struct uuid *uuid)
{
    struct local_datapath *ld;

    HMAP_FOR_EACH (ld, node, &lds->map) {
        if (uuid_equals(&ld->uuid, uuid)) {
            return ld;
        }
    }
    return NULL;
}

/* Adds 'dp' to 'lds' (if it is not there yet) and returns it. */
struct local_datapath *
local_datapaths_add(struct local_datapaths *lds,
                    const struct sbrec_datapath_binding *dp)
{
    struct local_datapath *ld = local_datapaths_find(lds, dp->tunnel_key);

    if (!ld) {
        ld = xzalloc(sizeof *ld);
        ld->key = dp->tunnel_key;
        ld->uuid = dp->header_.uuid;
        ld->dp = dp;
        ld->name = xstrdup(dp->name);
        ld->type = dp->type && !strcmp(dp->type, "router")
                   ? DP_ROUTER : DP_SWITCH;
        hmap_insert(&lds->map, &ld->node, hash_uint64(ld->key));
    }
    return ld;
}

/* Returns the OpenFlow table of the first stage of 'ld''s type (a switch
 * if 'ld' is NULL) at or after logical table 'table_id' of 'pipeline',
 * whether or not it has flows, or past the last stage OFTABLE_PHY_OUT_REMOTE
 * (ingress) or OFTABLE_PHY_DELIVER (egress).  Jumps between stages go
 * here, so they do not depend on which stages have flows (a stage without
 * holds a skip flow, see controller/lflow.h). */
unsigned int
local_datapath_stage_oftable(const struct local_datapath *ld,
                             enum pipeline pipeline, unsigned int table_id)
{
    unsigned int t = pipeline_stage_at_or_after(ld ? ld->type : DP_SWITCH,
                                                pipeline, table_id);
    return (t < PIPELINE_MAX_STAGES ? pipeline_first_oftable(pipeline) + t
            : pipeline == P_INGRESS ? OFTABLE_PHY_OUT_REMOTE
            : OFTABLE_PHY_DELIVER);
}

/* Returns the OpenFlow table where a packet continues after logical table
 * 'table_id' of 'pipeline' in 'ld' (-1 for "before the first stage"): the
 * next stage with flows, or past the last one OFTABLE_PHY_OUT_REMOTE
 * (ingress) or OFTABLE_PHY_DELIVER (egress). */
unsigned int
local_datapath_next_oftable(const struct local_datapath *ld,
                            enum pipeline pipeline, int table_id)
{
    uint32_t used = ld ? ld->stages[pipeline] : 0;

    for (int t = table_id + 1; t < 32; t++) {
        if (used & (UINT32_C(1) << t)) {
            return pipeline_first_oftable(pipeline) + t;
        }
    }
    return pipeline == P_INGRESS ? OFTABLE_PHY_OUT_REMOTE
                                 : OFTABLE_PHY_DELIVER;
}
