/*
 * Local datapaths: the logical datapaths with at least one logical port
 * bound on this chassis.  Only their logical flows are installed here.
 * Each also records which logical stages have flows, so that "next" can
 * skip empty stages.
 */
#ifndef CONTROLLER_LOCAL_DATAPATHS_H
#define CONTROLLER_LOCAL_DATAPATHS_H 1

#include <stdint.h>

#include "lib/pipeline.h"

#include "openvswitch/hmap.h"
#include "openvswitch/uuid.h"

struct sbrec_datapath_binding;

/* One local datapath. */
struct local_datapath {
    struct hmap_node node;      /* In "struct local_datapaths", by key. */
    int64_t key;                /* Datapath tunnel key. */
    struct uuid uuid;           /* SB Datapath_Binding row's UUID. */
    const struct sbrec_datapath_binding *dp; /* SB row, valid only until
                                              * the SB IDL next changes. */
    char *name;                 /* Datapath name (a copy, for status). */
    enum dp_type type;          /* Switch or router. */
    uint32_t stages[2];         /* Per pipeline: bit N set if logical table
                                 * N has any flow. */
};

/* The set of local datapaths. */
struct local_datapaths {
    struct hmap map;            /* Contains "struct local_datapath"s. */
};

void local_datapaths_init(struct local_datapaths *);
void local_datapaths_clear(struct local_datapaths *);
void local_datapaths_destroy(struct local_datapaths *);
struct local_datapath *local_datapaths_add(
    struct local_datapaths *, const struct sbrec_datapath_binding *);
struct local_datapath *local_datapaths_find(const struct local_datapaths *,
                                            int64_t key);
struct local_datapath *local_datapaths_find_uuid(
    const struct local_datapaths *, const struct uuid *);

unsigned int local_datapath_stage_oftable(const struct local_datapath *,
                                          enum pipeline,
                                          unsigned int table_id);
unsigned int local_datapath_next_oftable(const struct local_datapath *,
                                         enum pipeline, int table_id);

#endif /* controller/local-datapaths.h */
