#include <config.h>

#include "controller/lflow.h"

#include <stdlib.h>
#include <string.h>

#include "controller/desired.h"
#include "controller/inc-engine.h"
#include "controller/local-datapaths.h"
#include "controller/pinctrl.h"
#include "controller/runtime.h"
#include "lib/logical-actions.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "hash.h"
#include "ovsdb-idl.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "uuidset.h"

VLOG_DEFINE_THIS_MODULE(lflow);

/* What the encoder's callbacks need. */
struct lflow_encode_aux {
    const struct local_datapath *ld;    /* The flow's datapath. */
    struct desired *desired;            /* Gets the groups. */
    unsigned int color_sampling;        /* One packet in this many. */
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
        const char *old = desired_find_group(aux->desired, id);
        if (!old || !strcmp(old, spec)) {
            /* New, or the same group: (another) reference for the owner
             * being built. */
            char *error = desired_add_group(aux->desired, id, spec);
            if (error) {
                VLOG_WARN_RL(&rl, "%s", error);
                free(error);
                id = 0;
            }
            break;
        }
        id = id % LFLOW_MAX_GROUP_ID + 1;
    }
    free(spec);
    return id;
}

/* lact_encode_ctx callback: the sample action of promotion rule 'rule'
 * in the flow's datapath: one packet in 'color_sampling' goes to the
 * elephant detector's IPFIX collector set, with the datapath key as the
 * observation domain and the rule as the observation point. */
static char *
lflow_color_sample(uint32_t rule, void *aux_)
{
    const struct lflow_encode_aux *aux = aux_;
    return xasprintf("sample(probability=%u,collector_set_id=%d,"
                     "obs_domain_id=%"PRId64",obs_point_id=%"PRIu32")",
                     MAX(1, 65535 / aux->color_sampling),
                     LFLOW_COLOR_COLLECTOR_SET, aux->ld->key, rule);
}

/* Which log meter spec each log meter id was last given to. */
struct lflow_log_meter {
    struct hmap_node node;      /* In 'log_meters', by id. */
    uint32_t id;
    char *spec;                 /* "UNIT/RATE/BURST/NAME". */
};

static struct hmap log_meters = HMAP_INITIALIZER(&log_meters);

static struct lflow_log_meter *
lflow_log_meter_find(uint32_t id)
{
    struct lflow_log_meter *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash_int(id, 0), &log_meters) {
        if (m->id == id) {
            return m;
        }
    }
    return NULL;
}

/* Returns true if meter 'id' was last given to 'spec'. */
static bool
lflow_log_meter_owned_by(uint32_t id, const char *spec)
{
    const struct lflow_log_meter *m = lflow_log_meter_find(id);
    return m && !strcmp(m->spec, spec);
}

/* Records that meter 'id' is 'spec''s. */
static void
lflow_log_meter_note(uint32_t id, const char *spec)
{
    struct lflow_log_meter *m = lflow_log_meter_find(id);
    if (!m) {
        m = xzalloc(sizeof *m);
        m->id = id;
        hmap_insert(&log_meters, &m->node, hash_int(id, 0));
    } else if (!strcmp(m->spec, spec)) {
        return;
    }
    free(m->spec);
    m->spec = xstrdup(spec);
}

/* lact_encode_ctx callback: the id of the meter of log() actions with
 * meter 'spec' ("UNIT/RATE/BURST/NAME"), added to the desired state for
 * the owner being built.  Like a group's, its id comes from a hash of the
 * spec, the next free one on a collision; a meter whose NB rate changes
 * is thus a new meter, and the old one goes with its last flow.  0 (the
 * controller's own log meter) without a desired state or on error. */
static uint32_t
lflow_log_meter_id(const char *spec, void *aux_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const struct lflow_encode_aux *aux = aux_;
    bool pktps;
    uint32_t rate, burst;
    const char *name;
    if (!aux->desired
        || !lact_log_meter_parse(spec, &pktps, &rate, &burst, &name)) {
        return 0;
    }
    char *ofspec = (burst
                    ? xasprintf("%s,burst,bands=type=drop,rate=%"PRIu32
                                ",burst_size=%"PRIu32,
                                pktps ? "pktps" : "kbps", rate, burst)
                    : xasprintf("%s,bands=type=drop,rate=%"PRIu32,
                                pktps ? "pktps" : "kbps", rate));
    /* The name is part of the identity (two NB meters with the same band
     * stay two meters), though OpenFlow does not see it. */
    uint32_t slot = hash_string(spec, 0) % LFLOW_N_LOG_METERS;
    uint32_t id = 0;
    for (uint32_t n = 0; n < LFLOW_N_LOG_METERS; n++) {
        uint32_t try = LFLOW_LOG_METER_BASE + (slot + n) % LFLOW_N_LOG_METERS;
        const char *old = desired_find_meter(aux->desired, try);
        if (!old || !strcmp(old, ofspec)) {
            /* Another NB meter with the same band may share the id: the
             * same OpenFlow meter would then serve both, so look on. */
            if (old && !lflow_log_meter_owned_by(try, spec)) {
                continue;
            }
            char *error = desired_add_meter(aux->desired, try, ofspec);
            if (error) {
                VLOG_WARN_RL(&rl, "log meter %s: %s", name, error);
                free(error);
            } else {
                id = try;
                lflow_log_meter_note(try, spec);
            }
            break;
        }
    }
    free(ofspec);
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
 * Select groups the actions need go into 'desired', for its owner being
 * built (with 'desired' NULL, the actions may use none); color_sample()
 * samples one packet in 'color_sampling' (0: encodes to nothing).
 * Returns NULL or an error that the caller frees. */
char *
lflow_encode_actions(const char *actions, const struct local_datapath *ld,
                     enum pipeline pipeline, unsigned int table_id,
                     struct desired *desired, unsigned int color_sampling,
                     struct ds *ofpacts)
{
    struct lflow_encode_aux aux = { ld, desired, color_sampling };
    struct lact_encode_ctx ctx = {
        .dp_type = ld->type,
        .pipeline = pipeline,
        .table_id = table_id,
        .dp_key = ld->key,
        .stage_oftable = lflow_stage_oftable,
        .group_id = desired ? lflow_group_id : NULL,
        .pin_meter_id = lflow_pin_meter_id,
        .log_meter_id = lflow_log_meter_id,
        .color_sample = color_sampling ? lflow_color_sample : NULL,
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

/* The lflow engine node's data. */

/* A logical flow installed here, with the local datapaths it went into. */
struct lflow_record {
    struct hmap_node node;      /* In lflow_output's 'records', by uuid. */
    struct uuid uuid;           /* Logical_Flow row. */
    struct uuid dp_group;       /* Its datapath group, or all-zeros. */
    enum pipeline pipeline;     /* Its pipeline. */
    unsigned int table_id;      /* Its stage. */
    int64_t *dp_keys;           /* Local datapaths it went into. */
    size_t n_dp_keys, allocated_dp_keys;
    uint64_t *port_keys;        /* runtime_port_key()s of the ports that
                                 * decided whether an alternative is
                                 * installed. */
    size_t n_port_keys, allocated_port_keys;
    struct sset set_names;      /* Address sets its match names. */
};

/* The logical flows whose matches name one address set, for
 * lflow_output_handle_address_sets(). */
struct lflow_set_ref {
    struct uuidset lflows;      /* Logical_Flow rows. */
};

/* The logical flows that named one port as their inport (ingress) or
 * outport (egress), for lflow_output_handle_runtime(). */
struct lflow_port_ref {
    struct hmap_node node;      /* In lflow_output's 'port_refs'. */
    uint64_t key;               /* runtime_port_key(). */
    struct uuidset lflows;      /* Logical_Flow rows. */
};

/* How many logical flows each stage of one local datapath has. */
struct lflow_dp_stages {
    struct hmap_node node;      /* In lflow_output's 'dps', by key. */
    int64_t key;                /* Datapath tunnel key. */
    struct uuid uuid;           /* Datapath_Binding row: owns the skip
                                 * flows. */
    uint32_t counts[2][PIPELINE_MAX_STAGES]; /* Flows per stage. */
    uint32_t built[2];          /* Stages with flows when the skip flows
                                 * were last built (bit per stage). */
    bool has_skip_flows;        /* Skip flows built at least once. */
};

/* The lflow node's data. */
struct lflow_output {
    struct hmap records;        /* "struct lflow_record"s. */
    struct hmap dps;            /* "struct lflow_dp_stages"s. */
    struct hmap port_refs;      /* "struct lflow_port_ref"s. */
    struct shash set_refs;      /* Set name -> "struct lflow_set_ref". */
};

/* Returns the port reference of 'key' in 'out', or NULL. */
static struct lflow_port_ref *
lflow_port_ref_find(const struct lflow_output *out, uint64_t key)
{
    struct lflow_port_ref *ref;
    HMAP_FOR_EACH_WITH_HASH (ref, node, hash_uint64(key), &out->port_refs) {
        if (ref->key == key) {
            return ref;
        }
    }
    return NULL;
}

/* Records that logical flow 'r' named port 'key'. */
static void
lflow_port_ref_add(struct lflow_output *out, struct lflow_record *r,
                   uint64_t key)
{
    struct lflow_port_ref *ref = lflow_port_ref_find(out, key);
    if (!ref) {
        ref = xmalloc(sizeof *ref);
        ref->key = key;
        uuidset_init(&ref->lflows);
        hmap_insert(&out->port_refs, &ref->node, hash_uint64(key));
    }
    if (!uuidset_contains(&ref->lflows, &r->uuid)) {
        uuidset_insert(&ref->lflows, &r->uuid);
        if (r->n_port_keys >= r->allocated_port_keys) {
            r->port_keys = x2nrealloc(r->port_keys, &r->allocated_port_keys,
                                      sizeof *r->port_keys);
        }
        r->port_keys[r->n_port_keys++] = key;
    }
}

/* Forgets that logical flow 'r' named ports. */
static void
lflow_port_refs_remove(struct lflow_output *out, const struct lflow_record *r)
{
    for (size_t i = 0; i < r->n_port_keys; i++) {
        struct lflow_port_ref *ref = lflow_port_ref_find(out, r->port_keys[i]);
        if (ref) {
            uuidset_find_and_delete(&ref->lflows, &r->uuid);
            if (uuidset_is_empty(&ref->lflows)) {
                hmap_remove(&out->port_refs, &ref->node);
                uuidset_destroy(&ref->lflows);
                free(ref);
            }
        }
    }
}

/* Records that logical flow 'r' names address set 'name'. */
static void
lflow_set_ref_add(struct lflow_output *out, struct lflow_record *r,
                  const char *name)
{
    if (!sset_add(&r->set_names, name)) {
        return;
    }
    struct lflow_set_ref *ref = shash_find_data(&out->set_refs, name);
    if (!ref) {
        ref = xmalloc(sizeof *ref);
        uuidset_init(&ref->lflows);
        shash_add(&out->set_refs, name, ref);
    }
    if (!uuidset_contains(&ref->lflows, &r->uuid)) {
        uuidset_insert(&ref->lflows, &r->uuid);
    }
}

/* Forgets that logical flow 'r' named address sets. */
static void
lflow_set_refs_remove(struct lflow_output *out, struct lflow_record *r)
{
    const char *name;
    SSET_FOR_EACH (name, &r->set_names) {
        struct shash_node *node = shash_find(&out->set_refs, name);
        if (node) {
            struct lflow_set_ref *ref = node->data;
            uuidset_find_and_delete(&ref->lflows, &r->uuid);
            if (uuidset_is_empty(&ref->lflows)) {
                uuidset_destroy(&ref->lflows);
                free(ref);
                shash_delete(&out->set_refs, node);
            }
        }
    }
    sset_clear(&r->set_names);
}

/* What lflow_lookup_set() reads. */
struct lflow_set_aux {
    const struct lflow_ctx *ctx;
    struct lflow_output *out;
    struct lflow_record *r;
};

/* pipeline_set_lookup_func: the addresses of SB Address_Set 'name', and
 * a note that the logical flow being translated names it. */
static const char *const *
lflow_lookup_set(const char *name, size_t *n, void *aux_)
{
    struct lflow_set_aux *aux = aux_;
    lflow_set_ref_add(aux->out, aux->r, name);
    *n = 0;
    if (!aux->ctx->as_by_name) {
        return NULL;
    }
    struct sbrec_address_set *target
        = sbrec_address_set_index_init_row(aux->ctx->as_by_name);
    sbrec_address_set_index_set_name(target, name);
    const struct sbrec_address_set *as
        = sbrec_address_set_index_find(aux->ctx->as_by_name, target);
    sbrec_address_set_index_destroy_row(target);
    if (!as) {
        return NULL;
    }
    *n = as->n_addresses;
    return (const char *const *) as->addresses;
}

/* Returns an index of the Address_Set rows of 'sb_idl' by name, for
 * lflow_ctx's 'as_by_name'. */
struct ovsdb_idl_index *
lflow_create_as_index(struct ovsdb_idl *sb_idl)
{
    return ovsdb_idl_index_create1(sb_idl, &sbrec_address_set_col_name);
}

/* If 'match' (a plain match in ovs-ofctl syntax) matches register field
 * 'field' exactly, stores its value in '*value' and returns true. */
static bool
lflow_match_exact_field(const char *match, const char *field,
                        uint32_t *value)
{
    size_t len = strlen(field);
    for (const char *p = match; p; p = strchr(p, ',')) {
        p += *p == ',';
        if (!strncmp(p, field, len) && p[len] == '=') {
            char *end;
            unsigned long long int v = strtoull(p + len + 1, &end, 0);
            if (end == p + len + 1 || (*end != ',' && *end != '\0')
                || v > UINT32_MAX) {
                return false;   /* Masked, or not a number. */
            }
            *value = v;
            return true;
        }
    }
    return false;
}

/* Returns the Port_Binding of port 'port_key' of local datapath 'ld', or
 * NULL. */
static const struct sbrec_port_binding *
lflow_find_port(const struct lflow_ctx *ctx, const struct local_datapath *ld,
                uint32_t port_key)
{
    const struct sbrec_datapath_binding *dp
        = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl, &ld->uuid);
    if (!dp || !ctx->pb_by_key) {
        return NULL;
    }
    struct sbrec_port_binding *target
        = sbrec_port_binding_index_init_row(ctx->pb_by_key);
    sbrec_port_binding_index_set_datapath(target, dp);
    sbrec_port_binding_index_set_tunnel_key(target, port_key);
    const struct sbrec_port_binding *pb
        = sbrec_port_binding_index_find(ctx->pb_by_key, target);
    sbrec_port_binding_index_destroy_row(target);
    return pb;
}

/* Returns true if alternative match 'common' of logical flow 'r' in
 * 'pipeline' of local datapath 'ld' may match packets on this host (see
 * "Flows of other hosts' ports" in lflow.h). */
static bool
lflow_alt_is_relevant(const struct lflow_ctx *ctx, struct lflow_output *out,
                      struct lflow_record *r, const struct local_datapath *ld,
                      enum pipeline pipeline, const char *common)
{
    uint32_t port;
    if (!ctx->rt || !common
        || !lflow_match_exact_field(common, (pipeline == P_INGRESS
                                             ? REG_INPORT : REG_OUTPORT),
                                    &port)) {
        return true;
    }
    lflow_port_ref_add(out, r, runtime_port_key(ld->key, port));
    if (runtime_port_is_local(ctx->rt, ld->key, port)) {
        return true;
    }
    const struct sbrec_port_binding *pb = lflow_find_port(ctx, ld, port);
    return !pb || pb->type[0];
}

/* Returns an index of the Port_Binding rows of 'sb_idl' by datapath and
 * tunnel key, for lflow_ctx's 'pb_by_key'. */
struct ovsdb_idl_index *
lflow_create_pb_index(struct ovsdb_idl *sb_idl)
{
    return ovsdb_idl_index_create2(sb_idl, &sbrec_port_binding_col_datapath,
                                   &sbrec_port_binding_col_tunnel_key);
}

/* Adds to the owner being built in 'desired' the OpenFlow flow of
 * alternative 'alt' of 'lf': 'prefix' (table, priority and metadata), the
 * match parts 'a' and 'b' (either may be empty or NULL), 'actions'. */
static void
lflow_add_one(const struct sbrec_logical_flow *lf, size_t alt,
              const struct ds *prefix, const char *a, const char *b,
              const char *actions, struct desired *desired)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    struct ds flow = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&flow, ds_cstr_ro(prefix));
    if (a && a[0]) {
        ds_put_format(&flow, ",%s", a);
    }
    if (b && b[0]) {
        ds_put_format(&flow, ",%s", b);
    }
    ds_put_format(&flow, ",actions=%s", actions);
    char *error = desired_add_flow(desired, lf->header_.uuid.parts[0],
                                   ds_cstr(&flow));
    if (error) {
        VLOG_WARN_RL(&rl, "logical flow "UUID_FMT" alternative %"PRIuSIZE
                     " skipped: %s", UUID_ARGS(&lf->header_.uuid), alt + 1,
                     error);
        free(error);
    }
    ds_destroy(&flow);
}

/* Adds the OpenFlow flows of 'lf' in local datapath 'ld' to the owner
 * being built in 'desired'. */
static void
lflow_translate(const struct sbrec_logical_flow *lf, enum pipeline pipeline,
                const struct local_datapath *ld, const struct lflow_ctx *ctx,
                struct lflow_output *out, struct lflow_record *r)
{
    struct desired *desired = ctx->desired;
    unsigned int color_sampling = ctx->color_sampling;
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    unsigned int oftable = pipeline_first_oftable(pipeline) + lf->table_id;
    struct ds actions = DS_EMPTY_INITIALIZER;
    char *error = lflow_encode_actions(lf->actions, ld, pipeline,
                                       lf->table_id, desired, color_sampling,
                                       &actions);
    if (error) {
        VLOG_WARN_RL(&rl, "logical flow "UUID_FMT" skipped: actions \"%s\": "
                     "%s", UUID_ARGS(&lf->header_.uuid), lf->actions, error);
        free(error);
        ds_destroy(&actions);
        return;
    }
    struct pipeline_match pm;
    error = pipeline_match_parse(lf->match, &pm);
    if (error) {
        VLOG_WARN_RL(&rl, "logical flow "UUID_FMT" skipped: match \"%s\": "
                     "%s", UUID_ARGS(&lf->header_.uuid), lf->match, error);
        free(error);
        ds_destroy(&actions);
        return;
    }
    struct ds prefix = DS_EMPTY_INITIALIZER;
    ds_put_format(&prefix, "table=%u,priority=%"PRId64",metadata=%#"PRIx64,
                  oftable, lf->priority, ld->key);
    struct lflow_set_aux set_aux = { ctx, out, r };
    bool has_sets = pipeline_match_has_sets(lf->match);
    for (size_t i = 0; i < pm.n_alts; i++) {
        const struct pipeline_match_alt *alt = &pm.alts[i];
        if (!lflow_alt_is_relevant(ctx, out, r, ld, pipeline, alt->common)) {
            continue;
        }
        if (!alt->n_dims) {
            /* One OpenFlow flow per plain alternative, all with the same
             * cookie (one per address of the set it names, if any). */
            if (!has_sets) {
                lflow_add_one(lf, i, &prefix, alt->common, NULL,
                              ds_cstr(&actions), desired);
                continue;
            }
            struct svec commons = SVEC_EMPTY_INITIALIZER;
            pipeline_ofmatch_expand(alt->common, lflow_lookup_set, &set_aux,
                                    &commons);
            for (size_t j = 0; j < commons.n; j++) {
                lflow_add_one(lf, i, &prefix, commons.names[j], NULL,
                              ds_cstr(&actions), desired);
            }
            svec_destroy(&commons);
            continue;
        }
        /* The values of each dimension, with the addresses of the sets
         * they name in place of the references.  A dimension without a
         * value never matches: nor does the alternative. */
        struct svec *dims = NULL;
        if (has_sets) {
            bool empty = false;
            dims = xcalloc(alt->n_dims, sizeof *dims);
            for (size_t k = 0; k < alt->n_dims; k++) {
                svec_init(&dims[k]);
                for (size_t v = 0; v < alt->dims[k].n_values; v++) {
                    pipeline_ofmatch_expand(alt->dims[k].values[v],
                                            lflow_lookup_set, &set_aux,
                                            &dims[k]);
                }
                empty |= !dims[k].n;
            }
            if (empty) {
                for (size_t k = 0; k < alt->n_dims; k++) {
                    svec_destroy(&dims[k]);
                }
                free(dims);
                continue;
            }
        }
        /* A conjunction: one flow per value of each dimension, and one
         * that runs the actions once every dimension matched.  The id is
         * a hash of the flow, datapath and alternative, so that it stays
         * the same on every host and after a restart, unless taken. */
        uint32_t hint = hash_int(i, hash_uint64_basis(ld->key,
                                                      uuid_hash(&lf->header_.uuid)));
        uint32_t id = desired_conj_id(desired, hint);
        char *conj_actions = NULL;
        /* Each clause flow carries the whole common part: OpenFlow tries
         * only the first conjunction that a packet's clauses complete, so
         * a clause flow shared by conjunctions whose conj_id flows test
         * more than it does (an ACL's conntrack variants, two groups'
         * ports) would let that first one hide the others. */
        const char *clause_common = alt->common;
        for (size_t k = 0; k < alt->n_dims; k++) {
            free(conj_actions);
            conj_actions = xasprintf("conjunction(%"PRIu32",%"PRIuSIZE"/%"
                                     PRIuSIZE")", id, k + 1, alt->n_dims);
            size_t n_values = dims ? dims[k].n : alt->dims[k].n_values;
            for (size_t v = 0; v < n_values; v++) {
                lflow_add_one(lf, i, &prefix, clause_common,
                              (dims ? dims[k].names[v]
                               : alt->dims[k].values[v]),
                              conj_actions, desired);
            }
        }
        if (dims) {
            for (size_t k = 0; k < alt->n_dims; k++) {
                svec_destroy(&dims[k]);
            }
            free(dims);
        }
        free(conj_actions);
        char *conj_id = xasprintf("conj_id=%"PRIu32, id);
        lflow_add_one(lf, i, &prefix, alt->common, conj_id,
                      ds_cstr(&actions), desired);
        free(conj_id);
    }
    ds_destroy(&prefix);
    pipeline_match_destroy(&pm);
    ds_destroy(&actions);
}

/* Adds the skip flows of 'ld' to the owner being built in 'desired': in
 * the table of each stage of its type that has no logical flow for it
 * ('ld->stages'), one priority-0 flow that goes on to the next stage
 * that has (or to physical output). */
void
lflow_add_skip_flows(const struct local_datapath *ld, struct desired *desired)
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
            char *error = desired_add_flow(desired, 0, flow);
            if (error) {
                VLOG_WARN_RL(&rl, "skip flow %s: %s", flow, error);
                free(error);
            }
            free(flow);
        }
    }
}

/* Creates the lflow node's data. */
void *
lflow_output_create(void)
{
    struct lflow_output *out = xmalloc(sizeof *out);
    hmap_init(&out->records);
    hmap_init(&out->dps);
    hmap_init(&out->port_refs);
    shash_init(&out->set_refs);
    return out;
}

/* Forgets every record and stage count of 'out'. */
static void
lflow_output_clear(struct lflow_output *out)
{
    struct lflow_record *r;
    HMAP_FOR_EACH_POP (r, node, &out->records) {
        free(r->dp_keys);
        free(r->port_keys);
        sset_destroy(&r->set_names);
        free(r);
    }
    struct shash_node *sn, *next_sn;
    SHASH_FOR_EACH_SAFE (sn, next_sn, &out->set_refs) {
        struct lflow_set_ref *ref = sn->data;
        uuidset_destroy(&ref->lflows);
        free(ref);
        shash_delete(&out->set_refs, sn);
    }
    struct lflow_dp_stages *s;
    HMAP_FOR_EACH_POP (s, node, &out->dps) {
        free(s);
    }
    struct lflow_port_ref *ref;
    HMAP_FOR_EACH_POP (ref, node, &out->port_refs) {
        uuidset_destroy(&ref->lflows);
        free(ref);
    }
}

/* Frees the lflow node's data.  Accepts NULL. */
void
lflow_output_destroy(void *out_)
{
    struct lflow_output *out = out_;
    if (out) {
        lflow_output_clear(out);
        hmap_destroy(&out->records);
        hmap_destroy(&out->dps);
        hmap_destroy(&out->port_refs);
        shash_destroy(&out->set_refs);
        free(out);
    }
}

/* Returns the number of logical flows installed here. */
size_t
lflow_output_count(const void *out_)
{
    const struct lflow_output *out = out_;
    return hmap_count(&out->records);
}

static struct lflow_record *
lflow_record_find(const struct lflow_output *out, const struct uuid *uuid)
{
    struct lflow_record *r;
    HMAP_FOR_EACH_WITH_HASH (r, node, uuid_hash(uuid), &out->records) {
        if (uuid_equals(&r->uuid, uuid)) {
            return r;
        }
    }
    return NULL;
}

static struct lflow_dp_stages *
lflow_dp_stages_find(const struct lflow_output *out, int64_t key)
{
    struct lflow_dp_stages *s;
    HMAP_FOR_EACH_WITH_HASH (s, node, hash_uint64(key), &out->dps) {
        if (s->key == key) {
            return s;
        }
    }
    return NULL;
}

/* Returns the stage counts of local datapath 'ld', created if new. */
static struct lflow_dp_stages *
lflow_dp_stages_get(struct lflow_output *out, const struct local_datapath *ld)
{
    struct lflow_dp_stages *s = lflow_dp_stages_find(out, ld->key);
    if (!s) {
        s = xzalloc(sizeof *s);
        s->key = ld->key;
        s->uuid = ld->uuid;
        hmap_insert(&out->dps, &s->node, hash_uint64(ld->key));
    }
    return s;
}

/* Returns the stages of 's' that have flows, one bit per stage. */
static uint32_t
lflow_dp_stages_used(const struct lflow_dp_stages *s, enum pipeline p)
{
    uint32_t used = 0;
    for (int t = 0; t < PIPELINE_MAX_STAGES; t++) {
        if (s->counts[p][t]) {
            used |= UINT32_C(1) << t;
        }
    }
    return used;
}

/* Rebuilds the skip flows of each local datapath whose stages with flows
 * changed since they were built (or that has none yet). */
static void
lflow_update_skip_flows(struct lflow_output *out, const struct lflow_ctx *ctx)
{
    const struct local_datapath *ld;
    HMAP_FOR_EACH (ld, node, &ctx->lds->map) {
        struct lflow_dp_stages *s = lflow_dp_stages_get(out, ld);
        uint32_t used[2] = { lflow_dp_stages_used(s, P_INGRESS),
                             lflow_dp_stages_used(s, P_EGRESS) };
        if (s->has_skip_flows && used[P_INGRESS] == s->built[P_INGRESS]
            && used[P_EGRESS] == s->built[P_EGRESS]) {
            continue;
        }
        struct local_datapath copy = *ld;
        copy.stages[P_INGRESS] = used[P_INGRESS];
        copy.stages[P_EGRESS] = used[P_EGRESS];
        desired_begin(ctx->desired, DESIRED_SKIP, &ld->uuid);
        lflow_add_skip_flows(&copy, ctx->desired);
        desired_end(ctx->desired);
        s->built[P_INGRESS] = used[P_INGRESS];
        s->built[P_EGRESS] = used[P_EGRESS];
        s->has_skip_flows = true;
    }
}

/* Installs 'lf' in each of its local datapaths, as owner (DESIRED_LFLOW,
 * its UUID), and records where it went. */
static void
lflow_add(struct lflow_output *out, const struct sbrec_logical_flow *lf,
          const struct lflow_ctx *ctx)
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

    struct lflow_record *r = NULL;
    desired_begin(ctx->desired, DESIRED_LFLOW, &lf->header_.uuid);
    for (size_t i = 0; i < lflow_n_datapaths(lf); i++) {
        const struct local_datapath *ld = lflow_nth_datapath(lf, i, ctx->lds);
        if (!ld) {
            continue;
        }
        if (!r) {
            r = xzalloc(sizeof *r);
            r->uuid = lf->header_.uuid;
            r->dp_group = (lf->logical_dp_group
                           ? lf->logical_dp_group->header_.uuid : UUID_ZERO);
            r->pipeline = pipeline;
            r->table_id = lf->table_id;
            sset_init(&r->set_names);
            hmap_insert(&out->records, &r->node, uuid_hash(&r->uuid));
        }
        if (r->n_dp_keys >= r->allocated_dp_keys) {
            r->dp_keys = x2nrealloc(r->dp_keys, &r->allocated_dp_keys,
                                    sizeof *r->dp_keys);
        }
        r->dp_keys[r->n_dp_keys++] = ld->key;
        if (pipeline_stage_find(ld->type, pipeline, lf->table_id)) {
            /* A flow in a table that is no stage of the datapath's type
             * is installed but reached by no next; it counts for no
             * stage. */
            lflow_dp_stages_get(out, ld)->counts[pipeline][lf->table_id]++;
        }
        lflow_translate(lf, pipeline, ld, ctx, out, r);
    }
    desired_end(ctx->desired);
}

/* Forgets where logical flow 'uuid' went (its stage counts and
 * references), leaving its flows in the desired state. */
static void
lflow_forget(struct lflow_output *out, const struct uuid *uuid)
{
    struct lflow_record *r = lflow_record_find(out, uuid);
    if (r) {
        for (size_t i = 0; i < r->n_dp_keys; i++) {
            struct lflow_dp_stages *s = lflow_dp_stages_find(out,
                                                             r->dp_keys[i]);
            if (s && s->counts[r->pipeline][r->table_id]) {
                s->counts[r->pipeline][r->table_id]--;
            }
        }
        lflow_port_refs_remove(out, r);
        lflow_set_refs_remove(out, r);
        sset_destroy(&r->set_names);
        hmap_remove(&out->records, &r->node);
        free(r->dp_keys);
        free(r->port_keys);
        free(r);
    }
}

/* Takes out logical flow 'uuid' wherever it went. */
static void
lflow_remove(struct lflow_output *out, const struct uuid *uuid,
             const struct lflow_ctx *ctx)
{
    lflow_forget(out, uuid);
    desired_remove(ctx->desired, DESIRED_LFLOW, uuid);
}

/* The lflow node's recompute: every logical flow of the local datapaths
 * and their skip flows. */
void
lflow_output_run(struct engine_node *node, const struct lflow_ctx *ctx)
{
    struct lflow_output *out = node->data;
    const uint32_t kinds = (DESIRED_KIND_BIT(DESIRED_LFLOW)
                            | DESIRED_KIND_BIT(DESIRED_SKIP));

    lflow_output_clear(out);
    desired_sweep_begin(ctx->desired, kinds);
    const struct sbrec_logical_flow *lf;
    SBREC_LOGICAL_FLOW_FOR_EACH (lf, ctx->sb_idl) {
        lflow_add(out, lf, ctx);
    }
    lflow_update_skip_flows(out, ctx);
    desired_sweep_end(ctx->desired, kinds);
    node->changed = true;
}

/* The lflow node's handler of logical flow changes: each changed flow is
 * taken out and put in again. */
bool
lflow_output_handle_lflows(struct engine_node *node,
                           const struct lflow_ctx *ctx)
{
    struct lflow_output *out = node->data;
    const struct sbrec_logical_flow *lf;

    SBREC_LOGICAL_FLOW_FOR_EACH_TRACKED (lf, ctx->sb_idl) {
        lflow_remove(out, &lf->header_.uuid, ctx);
        if (!sbrec_logical_flow_is_deleted(lf)) {
            lflow_add(out, lf, ctx);
        }
        node->changed = true;
    }
    lflow_update_skip_flows(out, ctx);
    return true;
}

/* The lflow node's handler of runtime changes: a change of the set of
 * local datapaths recomputes; a port that became local or stopped being
 * local (or whose state changed) has the logical flows that named it
 * translated again. */
bool
lflow_output_handle_runtime(struct engine_node *node,
                            const struct lflow_ctx *ctx)
{
    struct lflow_output *out = node->data;
    const struct runtime_data *rt = ctx->rt;

    if (rt->lds_changed) {
        return false;
    }
    struct uuidset todo = UUIDSET_INITIALIZER(&todo);
    for (size_t i = 0; i < rt->n_changed_port_keys; i++) {
        const struct lflow_port_ref *ref
            = lflow_port_ref_find(out, rt->changed_port_keys[i]);
        if (ref) {
            const struct uuidset_node *n;
            UUIDSET_FOR_EACH (n, &ref->lflows) {
                if (!uuidset_contains(&todo, &n->uuid)) {
                    uuidset_insert(&todo, &n->uuid);
                }
            }
        }
    }
    const struct uuidset_node *n;
    UUIDSET_FOR_EACH (n, &todo) {
        struct uuid uuid = n->uuid;
        lflow_remove(out, &uuid, ctx);
        const struct sbrec_logical_flow *lf
            = sbrec_logical_flow_get_for_uuid(ctx->sb_idl, &uuid);
        if (lf && !sbrec_logical_flow_is_deleted(lf)) {
            lflow_add(out, lf, ctx);
        }
        node->changed = true;
    }
    uuidset_destroy(&todo);
    lflow_update_skip_flows(out, ctx);
    return true;
}

/* The lflow node's handler of datapath group changes: the flows of each
 * changed group are put in again, in its new members. */
bool
lflow_output_handle_dp_groups(struct engine_node *node,
                              const struct lflow_ctx *ctx)
{
    struct lflow_output *out = node->data;
    const struct sbrec_logical_dp_group *g;

    SBREC_LOGICAL_DP_GROUP_FOR_EACH_TRACKED (g, ctx->sb_idl) {
        struct uuid *uuids = NULL;
        size_t n = 0, allocated = 0;
        struct lflow_record *r;
        HMAP_FOR_EACH (r, node, &out->records) {
            if (uuid_equals(&r->dp_group, &g->header_.uuid)) {
                if (n >= allocated) {
                    uuids = x2nrealloc(uuids, &allocated, sizeof *uuids);
                }
                uuids[n++] = r->uuid;
            }
        }
        for (size_t i = 0; i < n; i++) {
            lflow_remove(out, &uuids[i], ctx);
            const struct sbrec_logical_flow *lf
                = sbrec_logical_flow_get_for_uuid(ctx->sb_idl, &uuids[i]);
            if (lf && !sbrec_logical_flow_is_deleted(lf)) {
                lflow_add(out, lf, ctx);
            }
            node->changed = true;
        }
        free(uuids);
    }
    lflow_update_skip_flows(out, ctx);
    return true;
}

/* The lflow node's handler of address set changes: the logical flows
 * whose matches name a changed set are translated again (the rows
 * themselves did not change), each rebuilt in place as the same owner of
 * the desired state, which keeps the flows that stay as they were: only
 * the flows (or clause flows) of the addresses added or removed are new
 * or gone, parsed and sent to br-int. */
bool
lflow_output_handle_address_sets(struct engine_node *node,
                                 const struct lflow_ctx *ctx)
{
    struct lflow_output *out = node->data;
    struct uuidset todo = UUIDSET_INITIALIZER(&todo);
    const struct sbrec_address_set *as;

    SBREC_ADDRESS_SET_FOR_EACH_TRACKED (as, ctx->sb_idl) {
        const struct lflow_set_ref *ref = shash_find_data(&out->set_refs,
                                                          as->name);
        if (ref) {
            const struct uuidset_node *n;
            UUIDSET_FOR_EACH (n, &ref->lflows) {
                if (!uuidset_contains(&todo, &n->uuid)) {
                    uuidset_insert(&todo, &n->uuid);
                }
            }
        }
    }
    const struct uuidset_node *n;
    UUIDSET_FOR_EACH (n, &todo) {
        struct uuid uuid = n->uuid;
        const struct sbrec_logical_flow *lf
            = sbrec_logical_flow_get_for_uuid(ctx->sb_idl, &uuid);
        if (lf && !sbrec_logical_flow_is_deleted(lf)) {
            lflow_forget(out, &uuid);
            lflow_add(out, lf, ctx);
        } else {
            lflow_remove(out, &uuid, ctx);
        }
        node->changed = true;
    }
    uuidset_destroy(&todo);
    lflow_update_skip_flows(out, ctx);
    return true;
}
