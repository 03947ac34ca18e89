#include <config.h>

#include "northd/lflow-table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-sb-idl.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "sha1.h"
#include "sset.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"

VLOG_DEFINE_THIS_MODULE(lflow_table);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* One datapath of a shared flow: there while at least one ref wants it. */
struct lflow_member {
    struct hmap_node node;        /* In its flow's 'members', by 'dp'. */
    struct ovs_list refs;         /* "struct lflow_ref"s that want it. */
    struct uuid dp;               /* SB Datapath_Binding row. */
};

/* One owner's wish for one flow (in one datapath, for a shared flow). */
struct lflow_ref {
    struct ovs_list owner_node;   /* In its owner's 'refs'. */
    struct ovs_list flow_node;    /* In its flow's or member's 'refs'. */
    struct lflow_owner *owner;    /* The owner. */
    struct lflow *lflow;          /* The flow. */
    struct lflow_member *member;  /* The datapath of a shared flow, or
                                   * NULL for a flow of one datapath. */
    bool stale;                   /* Owner being rebuilt, not re-added. */
};

/* One SB Logical_DP_Group row: a set of datapaths, which every shared flow
 * whose datapaths are that set references. */
struct lflow_dpg {
    struct hmap_node uuid_node;   /* In lflow_table's 'dpgs', by 'uuid'. */
    struct hmap_node set_node;    /* In lflow_table's 'dpg_sets', by
                                   * 'hash', if 'in_sets'. */
    struct uuid uuid;             /* Its SB row. */
    struct uuid *dps;             /* Its datapaths, sorted. */
    size_t n_dps;
    uint32_t hash;                /* Of 'dps'. */
    bool in_sets;                 /* The group of its set (false for a
                                   * second adopted row of one set, which
                                   * its flows leave). */
    size_t n_refs;                /* Desired shared flows that reference
                                   * it (or will at the next flush). */

    /* lflow_table_flush()'s scratch: the flows of this group whose set
     * changed, the first of them, and whether they differ in their new
     * set. */
    size_t n_movers;
    struct lflow_shared *mover;
    bool split;
};

/* What a shared flow has besides a "struct lflow" (few flows are
 * shared, so this is apart). */
struct lflow_shared {
    struct lflow *lflow;          /* Its flow. */
    struct hmap members;          /* "struct lflow_member"s, by datapath. */
    struct lflow_dpg *dpg;        /* The group its SB row references, or
                                   * NULL if that is not known yet. */
    struct ovs_list dirty_node;   /* In lflow_table's 'dirty'. */
    bool dirty;                   /* Its set of datapaths may have changed
                                   * or it has no row: waits for
                                   * lflow_table_flush(). */

    /* lflow_table_flush()'s scratch: the set of datapaths it has now. */
    struct uuid *new_dps;
    size_t n_new_dps;
    uint32_t new_hash;
};

/* One desired logical flow: one SB Logical_Flow row. */
struct lflow {
    struct hmap_node hmap_node;   /* In lflow_table's 'lflows', by 'uuid'. */
    struct uuid uuid;             /* Its SB row's UUID, from its content. */
    enum pipeline_stage stage;    /* Logical stage. */
    uint16_t priority;            /* OpenFlow priority. */
    bool in_sb;                   /* Has an SB row (or one is inserted). */
    char *match;                  /* Match, NULL once in SB. */
    char *actions;                /* Logical actions, NULL once in SB. */
    const char *source;           /* "source" column, NULL once in SB: the
                                   * string of an owner that wants the flow
                                   * (see lflow_ref_destroy()). */
    struct lflow_shared *shared;  /* What a shared flow has, else NULL. */

    /* A flow of one datapath. */
    struct uuid datapath;         /* SB Datapath_Binding row. */
    struct ovs_list refs;         /* "struct lflow_ref"s that want it. */
    struct lflow_ref ref0;        /* The first of them, usually the only
                                   * one, if 'ref0_used'. */
    bool ref0_used;               /* Whether 'ref0' is in 'refs'. */
};

/* An owner of logical flows. */
struct lflow_owner {
    struct hmap_node hmap_node;   /* In lflow_table's 'owners'. */
    struct lflow_owner_id id;     /* Which owner. */
    char *source;                 /* "Table:uuid", the "source" column of
                                   * its flows of one datapath. */
    const char *nb_table;         /* "Table", the "source" column of its
                                   * shared flows (the caller's string). */
    struct ovs_list refs;         /* Its "struct lflow_ref"s. */
};

/* The desired logical flows. */
struct lflow_table {
    struct hmap lflows;           /* "struct lflow"s, by uuid. */
    struct hmap dpgs;             /* "struct lflow_dpg"s, by uuid. */
    struct hmap dpg_sets;         /* "struct lflow_dpg"s, by set. */
    size_t n_shared;              /* Shared flows. */
    struct hmap owners;           /* "struct lflow_owner"s, by id. */
    struct uuidset deletes;       /* SB rows to delete at the next flush. */
    struct ovs_list dirty;        /* "struct lflow_shared"s to write at
                                   * the flush. */
    struct lflow_owner *building; /* Owner between begin and end. */
    const struct uuid *fanout;    /* Datapaths of the fan-out under way
                                   * (lflow_table_fanout_begin()), or
                                   * NULL. */
    size_t n_fanout;
    bool collecting;              /* Build without touching SB. */
    struct sset sources;          /* "source" texts of flows that name a
                                   * row of their own, kept for the
                                   * flows' lifetime (and longer). */
    uint64_t n_adds;              /* Calls to add a flow, ever. */
    size_t stage_counts[N_PIPELINE_STAGES]; /* Flows per stage. */
};

/* Returns a hash of 'id'. */
uint32_t
lflow_owner_id_hash(const struct lflow_owner_id *id)
{
    return hash_pointer(id->kind, hash_int(id->index, uuid_hash(&id->uuid)));
}

/* Returns true if 'a' and 'b' name the same owner. */
bool
lflow_owner_id_equals(const struct lflow_owner_id *a,
                      const struct lflow_owner_id *b)
{
    return (a->kind == b->kind && a->index == b->index
            && uuid_equals(&a->uuid, &b->uuid));
}

/* Initializes 'set' empty. */
void
lflow_owner_set_init(struct lflow_owner_set *set)
{
    hmap_init(&set->map);
}

/* Frees what 'set' owns. */
void
lflow_owner_set_destroy(struct lflow_owner_set *set)
{
    if (set) {
        struct lflow_owner_set_node *n;
        HMAP_FOR_EACH_POP (n, node, &set->map) {
            free(n);
        }
        hmap_destroy(&set->map);
    }
}

/* Returns the node of 'id' in 'set', or NULL. */
static struct lflow_owner_set_node *
lflow_owner_set_find(const struct lflow_owner_set *set,
                     const struct lflow_owner_id *id)
{
    struct lflow_owner_set_node *n;
    HMAP_FOR_EACH_WITH_HASH (n, node, lflow_owner_id_hash(id), &set->map) {
        if (lflow_owner_id_equals(&n->id, id)) {
            return n;
        }
    }
    return NULL;
}

/* Adds 'id' to 'set'.  Returns true if it was not there yet. */
bool
lflow_owner_set_add(struct lflow_owner_set *set,
                    const struct lflow_owner_id *id)
{
    if (lflow_owner_set_find(set, id)) {
        return false;
    }
    struct lflow_owner_set_node *n = xmalloc(sizeof *n);
    n->id = *id;
    hmap_insert(&set->map, &n->node, lflow_owner_id_hash(id));
    return true;
}

/* Returns true if 'set' holds 'id'. */
bool
lflow_owner_set_contains(const struct lflow_owner_set *set,
                         const struct lflow_owner_id *id)
{
    return lflow_owner_set_find(set, id) != NULL;
}

/* Returns the number of ids in 'set'. */
size_t
lflow_owner_set_count(const struct lflow_owner_set *set)
{
    return hmap_count(&set->map);
}

/* Creates an empty table. */
struct lflow_table *
lflow_table_create(void)
{
    struct lflow_table *table = xzalloc(sizeof *table);
    hmap_init(&table->lflows);
    hmap_init(&table->dpgs);
    hmap_init(&table->dpg_sets);
    hmap_init(&table->owners);
    uuidset_init(&table->deletes);
    ovs_list_init(&table->dirty);
    sset_init(&table->sources);
    return table;
}

/* Frees the text of 'lflow', which only an insertion needs. */
static void
lflow_free_text(struct lflow *lflow)
{
    free(lflow->match);
    free(lflow->actions);
    lflow->match = lflow->actions = NULL;
    lflow->source = NULL;
}

static int
compare_uuids(const void *a, const void *b)
{
    return uuid_compare_3way(a, b);
}

/* Returns a hash of the 'n' sorted datapaths 'dps'. */
static uint32_t
hash_dps(const struct uuid *dps, size_t n)
{
    return hash_bytes(dps, n * sizeof *dps, n);
}

/* Returns true if 'dpg' has the 'n' sorted datapaths 'dps', of hash
 * 'hash'. */
static bool
dpg_has_set(const struct lflow_dpg *dpg, const struct uuid *dps, size_t n,
            uint32_t hash)
{
    return (dpg->hash == hash && dpg->n_dps == n
            && !memcmp(dpg->dps, dps, n * sizeof *dps));
}

/* Returns the group of the 'n' sorted datapaths 'dps', of hash 'hash', or
 * NULL. */
static struct lflow_dpg *
dpg_find_set(const struct lflow_table *table, const struct uuid *dps,
             size_t n, uint32_t hash)
{
    struct lflow_dpg *dpg;
    HMAP_FOR_EACH_WITH_HASH (dpg, set_node, hash, &table->dpg_sets) {
        if (dpg_has_set(dpg, dps, n, hash)) {
            return dpg;
        }
    }
    return NULL;
}

/* Returns the group whose SB row is 'uuid', or NULL. */
static struct lflow_dpg *
dpg_find_uuid(const struct lflow_table *table, const struct uuid *uuid)
{
    struct lflow_dpg *dpg;
    HMAP_FOR_EACH_WITH_HASH (dpg, uuid_node, uuid_hash(uuid), &table->dpgs) {
        if (uuid_equals(&dpg->uuid, uuid)) {
            return dpg;
        }
    }
    return NULL;
}

/* Makes 'dps', 'n' sorted datapaths of hash 'hash' (taken over), the set
 * of 'dpg', which becomes the group of that set unless another is. */
static void
dpg_set_dps(struct lflow_table *table, struct lflow_dpg *dpg,
            struct uuid *dps, size_t n, uint32_t hash)
{
    if (dpg->in_sets) {
        hmap_remove(&table->dpg_sets, &dpg->set_node);
    }
    free(dpg->dps);
    dpg->dps = dps;
    dpg->n_dps = n;
    dpg->hash = hash;
    dpg->in_sets = !dpg_find_set(table, dps, n, hash);
    if (dpg->in_sets) {
        hmap_insert(&table->dpg_sets, &dpg->set_node, hash);
    }
}

/* Adds a group for row 'uuid' with the 'n' sorted datapaths 'dps', of hash
 * 'hash' (taken over), and no flow. */
static struct lflow_dpg *
dpg_create(struct lflow_table *table, const struct uuid *uuid,
           struct uuid *dps, size_t n, uint32_t hash)
{
    struct lflow_dpg *dpg = xzalloc(sizeof *dpg);
    dpg->uuid = *uuid;
    hmap_insert(&table->dpgs, &dpg->uuid_node, uuid_hash(uuid));
    dpg_set_dps(table, dpg, dps, n, hash);
    return dpg;
}

/* Forgets 'dpg' (its SB row, if no flow references it, is the server's to
 * delete: Logical_DP_Group is not a root table). */
static void
dpg_destroy(struct lflow_table *table, struct lflow_dpg *dpg)
{
    if (dpg->in_sets) {
        hmap_remove(&table->dpg_sets, &dpg->set_node);
    }
    hmap_remove(&table->dpgs, &dpg->uuid_node);
    free(dpg->dps);
    free(dpg);
}

/* Queues shared flow 'lflow' for the next flush. */
static void
lflow_mark_dirty(struct lflow_table *table, struct lflow *lflow)
{
    if (!lflow->shared->dirty) {
        lflow->shared->dirty = true;
        ovs_list_push_back(&table->dirty, &lflow->shared->dirty_node);
    }
}

/* Frees 'member' of 'lflow', which no ref wants. */
static void
lflow_member_destroy(struct lflow *lflow, struct lflow_member *member)
{
    ovs_assert(ovs_list_is_empty(&member->refs));
    hmap_remove(&lflow->shared->members, &member->node);
    free(member);
}

/* Returns the member of shared flow 'lflow' for datapath 'dp', or NULL. */
static struct lflow_member *
lflow_member_find(const struct lflow *lflow, const struct uuid *dp)
{
    struct lflow_member *member;
    HMAP_FOR_EACH_WITH_HASH (member, node, uuid_hash(dp),
                             &lflow->shared->members) {
        if (uuid_equals(&member->dp, dp)) {
            return member;
        }
    }
    return NULL;
}

/* Adds a member for datapath 'dp' to shared flow 'lflow', with no ref. */
static struct lflow_member *
lflow_member_create(struct lflow *lflow, const struct uuid *dp)
{
    struct lflow_member *member = xzalloc(sizeof *member);
    member->dp = *dp;
    ovs_list_init(&member->refs);
    hmap_insert(&lflow->shared->members, &member->node, uuid_hash(dp));
    return member;
}

/* Creates a flow with UUID 'uuid' and this content: of datapath
 * 'datapath', or shared if 'datapath' is NULL.  A row this run was about
 * to delete is kept instead. */
static struct lflow *
lflow_create(struct lflow_table *table, const struct uuid *uuid,
             const struct uuid *datapath, enum pipeline_stage stage,
             uint16_t priority, const char *match, const char *actions,
             const char *source)
{
    struct lflow *lflow = xzalloc(sizeof *lflow);
    lflow->uuid = *uuid;
    lflow->stage = stage;
    lflow->priority = priority;
    lflow->match = xstrdup(match);
    lflow->actions = xstrdup(actions);
    lflow->source = source;
    lflow->in_sb = uuidset_find_and_delete(&table->deletes, uuid);
    ovs_list_init(&lflow->refs);
    if (datapath) {
        lflow->datapath = *datapath;
    } else {
        /* A kept row's group is found at the flush. */
        struct lflow_shared *shared = xzalloc(sizeof *shared);
        shared->lflow = lflow;
        hmap_init(&shared->members);
        lflow->shared = shared;
        table->n_shared++;
        lflow_mark_dirty(table, lflow);
    }
    hmap_insert(&table->lflows, &lflow->hmap_node, uuid_hash(uuid));
    table->stage_counts[stage]++;
    return lflow;
}

/* Removes 'lflow', which no ref wants, from 'table' and frees it.  Its SB
 * row, if it has one, is deleted at the next flush (and its group with it
 * if no other flow references that group). */
static void
lflow_destroy(struct lflow_table *table, struct lflow *lflow)
{
    if (lflow->in_sb) {
        uuidset_insert(&table->deletes, &lflow->uuid);
    }
    struct lflow_shared *shared = lflow->shared;
    if (shared) {
        struct lflow_member *member;
        HMAP_FOR_EACH_SAFE (member, node, &shared->members) {
            lflow_member_destroy(lflow, member);
        }
        if (shared->dpg) {
            /* An unreferenced group stays until the flush, for a flow
             * of the same set that may come within this run. */
            shared->dpg->n_refs--;
        }
        if (shared->dirty) {
            ovs_list_remove(&shared->dirty_node);
        }
        hmap_destroy(&shared->members);
        free(shared->new_dps);
        free(shared);
        table->n_shared--;
    }
    hmap_remove(&table->lflows, &lflow->hmap_node);
    table->stage_counts[lflow->stage]--;
    lflow_free_text(lflow);
    free(lflow);
}

/* Adds a ref of 'owner' to 'lflow' (for 'member' of a shared flow). */
static void
lflow_ref_create(struct lflow_table *table, struct lflow_owner *owner,
                 struct lflow *lflow, struct lflow_member *member)
{
    struct lflow_ref *ref;
    if (!member && !lflow->ref0_used) {
        ref = &lflow->ref0;
        lflow->ref0_used = true;
    } else {
        ref = xmalloc(sizeof *ref);
    }
    ref->owner = owner;
    ref->lflow = lflow;
    ref->member = member;
    ref->stale = false;
    ovs_list_push_back(&owner->refs, &ref->owner_node);
    if (member) {
        if (ovs_list_is_empty(&member->refs)) {
            /* A datapath joins the flow. */
            lflow_mark_dirty(table, lflow);
        }
        ovs_list_push_back(&member->refs, &ref->flow_node);
    } else {
        ovs_list_push_back(&lflow->refs, &ref->flow_node);
    }
}

/* Removes and frees 'ref'; its flow, or its member of a shared flow, goes
 * when no ref wants it any more.  A flow of one datapath that keeps other
 * refs and whose source string was this ref's owner's takes theirs (the
 * same text: the same UUID). */
static void
lflow_ref_destroy(struct lflow_table *table, struct lflow_ref *ref)
{
    struct lflow *lflow = ref->lflow;
    struct lflow_member *member = ref->member;
    const char *source = ref->owner->source;
    ovs_list_remove(&ref->owner_node);
    ovs_list_remove(&ref->flow_node);
    if (ref == &lflow->ref0) {
        lflow->ref0_used = false;
    } else {
        free(ref);
    }

    if (!member) {
        if (ovs_list_is_empty(&lflow->refs)) {
            lflow_destroy(table, lflow);
        } else if (lflow->source == source) {
            const struct lflow_ref *other
                = CONTAINER_OF(ovs_list_front(&lflow->refs),
                               struct lflow_ref, flow_node);
            lflow->source = other->owner->source;
        }
    } else if (ovs_list_is_empty(&member->refs)) {
        /* A datapath leaves the flow. */
        lflow_member_destroy(lflow, member);
        if (hmap_is_empty(&lflow->shared->members)) {
            lflow_destroy(table, lflow);
        } else {
            lflow_mark_dirty(table, lflow);
        }
    }
}

/* Frees 'owner' and its refs (SB rows of flows nobody wants any more are
 * deleted at the next flush). */
static void
lflow_owner_destroy(struct lflow_table *table, struct lflow_owner *owner)
{
    struct lflow_ref *ref;
    LIST_FOR_EACH_SAFE (ref, owner_node, &owner->refs) {
        lflow_ref_destroy(table, ref);
    }
    hmap_remove(&table->owners, &owner->hmap_node);
    free(owner->source);
    free(owner);
}

/* Forgets every flow, group and owner, and the writes and deletions not
 * yet flushed (SB is not touched). */
void
lflow_table_clear(struct lflow_table *table)
{
    struct lflow_owner *owner;
    HMAP_FOR_EACH_SAFE (owner, hmap_node, &table->owners) {
        lflow_owner_destroy(table, owner);
    }
    ovs_assert(hmap_is_empty(&table->lflows));
    struct lflow_dpg *dpg;
    HMAP_FOR_EACH_SAFE (dpg, uuid_node, &table->dpgs) {
        dpg_destroy(table, dpg);
    }
    uuidset_clear(&table->deletes);
    table->building = NULL;
    table->fanout = NULL;
    table->n_fanout = 0;
}

/* Frees 'table' (SB is not touched). */
void
lflow_table_destroy(struct lflow_table *table)
{
    if (table) {
        lflow_table_clear(table);
        hmap_destroy(&table->lflows);
        hmap_destroy(&table->dpgs);
        hmap_destroy(&table->dpg_sets);
        hmap_destroy(&table->owners);
        uuidset_destroy(&table->deletes);
        sset_destroy(&table->sources);
        free(table);
    }
}

/* While 'collecting' is true, owners are built in memory only; see
 * lflow_table_sync_full(). */
void
lflow_table_set_collecting(struct lflow_table *table, bool collecting)
{
    table->collecting = collecting;
}

/* Returns owner 'id', or NULL. */
static struct lflow_owner *
lflow_owner_find(const struct lflow_table *table,
                 const struct lflow_owner_id *id)
{
    struct lflow_owner *owner;
    HMAP_FOR_EACH_WITH_HASH (owner, hmap_node, lflow_owner_id_hash(id),
                             &table->owners) {
        if (lflow_owner_id_equals(&owner->id, id)) {
            return owner;
        }
    }
    return NULL;
}

/* Feeds 'len' bytes of 'data' and a terminating zero byte to 'ctx', so
 * that no two sequences of fields hash alike. */
static void
sha1_update_field(struct sha1_ctx *ctx, const void *data, size_t len)
{
    static const uint8_t end = 0;
    sha1_update(ctx, data, len);
    sha1_update(ctx, &end, 1);
}

/* Makes the SHA-1 digest of 'ctx' a name-based UUID (RFC 4122 version 5)
 * in '*uuid'. */
static void
sha1_final_uuid(struct sha1_ctx *ctx, struct uuid *uuid)
{
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_final(ctx, digest);
    BUILD_ASSERT_DECL(sizeof *uuid <= SHA1_DIGEST_SIZE);
    memcpy(uuid, digest, sizeof *uuid);
    /* Version 5 in the top nibble of the third word, variant 10 in the
     * top bits of the fourth (RFC 4122 section 4.1). */
    uuid->parts[1] = (uuid->parts[1] & ~0xf000u) | 0x5000u;
    uuid->parts[2] = (uuid->parts[2] & ~0xc0000000u) | 0x80000000u;
}

/* Writes 'uuid' at 'p' as UUID_FMT does (36 characters, no terminator)
 * and returns the position after it.  Much cheaper than printf, and
 * called for every flow. */
static char *
put_uuid(char *p, const struct uuid *uuid)
{
    static const char hex[] = "0123456789abcdef";
    /* UUID_FMT: 8, 4, 4, 4, then 4 + 8 hex digits of the four words. */
    static const struct {
        int word, shift, digits;
    } fields[] = {
        { 0, 0, 8 }, { 1, 16, 4 }, { 1, 0, 4 }, { 2, 16, 4 }, { 2, 0, 4 },
        { 3, 0, 8 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        uint32_t v = uuid->parts[fields[i].word] >> fields[i].shift;
        for (int d = fields[i].digits - 1; d >= 0; d--) {
            *p++ = hex[(v >> (4 * d)) & 0xf];
        }
        if (i < 4) {
            *p++ = '-';
        }
    }
    return p;
}

/* Writes 's' at 'p' without its terminator and returns the position after
 * it. */
static char *
put_string(char *p, const char *s)
{
    size_t len = strlen(s);
    memcpy(p, s, len);
    return p + len;
}

/* Writes 'n' in decimal at 'p' and returns the position after it. */
static char *
put_unsigned(char *p, unsigned int n)
{
    char digits[16];
    int i = 0;
    do {
        digits[i++] = '0' + n % 10;
        n /= 10;
    } while (n);
    while (i) {
        *p++ = digits[--i];
    }
    return p;
}

/* Returns "Table:uuid" for 'nb_table' and 'uuid', in a new string. */
static char *
format_source(const char *nb_table, const struct uuid *uuid)
{
    size_t len = strlen(nb_table);
    char *source = xmalloc(len + 1 + UUID_LEN + 1);
    char *p = put_string(source, nb_table);
    *p++ = ':';
    p = put_uuid(p, uuid);
    *p = '\0';
    return source;
}

/* Stores in '*uuid' the UUID of the SB row of a flow with this content: a
 * name-based UUID (RFC 4122 version 5) of every column northd writes,
 * with the datapath replaced by the word "shared" for a shared flow
 * ('sb_datapath' NULL), whose datapaths are in its group.  The stage's
 * pipeline, table number and name all count, so renumbering a stage
 * replaces its rows. */
void
lflow_table_flow_uuid(const struct uuid *sb_datapath,
                      enum pipeline_stage stage, uint16_t priority,
                      const char *match, const char *actions,
                      const char *source, struct uuid *uuid)
{
    /* "DATAPATH PIPELINE TABLE_ID STAGE PRIORITY", as
     * UUID_FMT" %s %u %s %u" would print it (or "shared" for DATAPATH). */
    const struct pipeline_stage_info *info = pipeline_stage_info(stage);
    const char *pipeline = pipeline_to_string(info->pipeline);
    char head[UUID_LEN + 64];
    ovs_assert(strlen(pipeline) + strlen(info->name) < 32);
    char *p = (sb_datapath ? put_uuid(head, sb_datapath)
               : put_string(head, "shared"));
    *p++ = ' ';
    p = put_string(p, pipeline);
    *p++ = ' ';
    p = put_unsigned(p, info->table_id);
    *p++ = ' ';
    p = put_string(p, info->name);
    *p++ = ' ';
    p = put_unsigned(p, priority);
    size_t n = p - head;

    struct sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update_field(&ctx, head, n);
    sha1_update_field(&ctx, match, strlen(match));
    sha1_update_field(&ctx, actions, strlen(actions));
    sha1_update_field(&ctx, source, strlen(source));
    sha1_final_uuid(&ctx, uuid);
}

/* Stores in '*uuid' the UUID of a new Logical_DP_Group row for the 'n'
 * sorted datapaths 'dps': a name-based UUID of them and of 'salt', which
 * the caller changes while the UUID is taken (a group created for one set
 * keeps its row when its set changes). */
void
lflow_table_group_uuid(const struct uuid *dps, size_t n, unsigned int salt,
                       struct uuid *uuid)
{
    static const char name[] = "Logical_DP_Group";
    struct sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update_field(&ctx, name, strlen(name));
    sha1_update(&ctx, dps, n * sizeof *dps);
    sha1_update_field(&ctx, &salt, sizeof salt);
    sha1_final_uuid(&ctx, uuid);
}

/* Returns the flow whose SB row is (or would be) 'uuid', or NULL. */
static struct lflow *
lflow_find(const struct lflow_table *table, const struct uuid *uuid)
{
    struct lflow *lflow;
    HMAP_FOR_EACH_WITH_HASH (lflow, hmap_node, uuid_hash(uuid),
                             &table->lflows) {
        if (uuid_equals(&lflow->uuid, uuid)) {
            return lflow;
        }
    }
    return NULL;
}

/* Starts (re)building the flows of owner 'id', whose NB row is in table
 * 'nb_table' (a string that lives as long as the owner: an owner kind's).
 * Every flow it wanted is provisionally unwanted until added again. */
void
lflow_table_owner_begin(struct lflow_table *table,
                        const struct lflow_owner_id *id,
                        const char *nb_table)
{
    ovs_assert(!table->building);
    struct lflow_owner *owner = lflow_owner_find(table, id);
    if (!owner) {
        owner = xzalloc(sizeof *owner);
        owner->id = *id;
        owner->source = format_source(nb_table, &id->uuid);
        owner->nb_table = nb_table;
        ovs_list_init(&owner->refs);
        hmap_insert(&table->owners, &owner->hmap_node,
                    lflow_owner_id_hash(id));
    }
    struct lflow_ref *ref;
    LIST_FOR_EACH (ref, owner_node, &owner->refs) {
        ref->stale = true;
    }
    table->building = owner;
}

/* Adds a flow to the owner being built: in datapath 'sb_datapath' (the
 * SB Datapath_Binding row's UUID), logical 'stage', with 'priority',
 * 'match' (ovs-ofctl syntax) and 'actions' (logical actions). */
void
lflow_table_add(struct lflow_table *table, const struct uuid *sb_datapath,
                enum pipeline_stage stage, uint16_t priority,
                const char *match, const char *actions)
{
    ovs_assert(table->building);
    lflow_table_add_from(table, sb_datapath, stage, priority, match,
                         actions, NULL);
}

/* Like lflow_table_add(), for a flow of the owner that another NB row of
 * its own produces (a static route of a router): its "source" is
 * 'source', "TABLE:UUID", instead of the owner's row, or the owner's if
 * 'source' is NULL. */
void
lflow_table_add_from(struct lflow_table *table,
                     const struct uuid *sb_datapath,
                     enum pipeline_stage stage, uint16_t priority,
                     const char *match, const char *actions,
                     const char *source)
{
    struct lflow_owner *owner = table->building;
    ovs_assert(owner);
    /* A flow of one datapath is not the same in another. */
    ovs_assert(!table->fanout);
    table->n_adds++;
    if (!source) {
        source = owner->source;
    } else {
        /* The flow keeps a pointer to its source: the table's copy. */
        const struct sset_node *sn = sset_find(&table->sources, source);
        source = (sn ? sn : sset_add(&table->sources, source))->name;
    }
    struct uuid uuid;
    lflow_table_flow_uuid(sb_datapath, stage, priority, match, actions,
                          source, &uuid);
    struct lflow *lflow = lflow_find(table, &uuid);
    if (lflow) {
        struct lflow_ref *ref;
        LIST_FOR_EACH (ref, flow_node, &lflow->refs) {
            if (ref->owner == owner) {
                ref->stale = false;
                return;
            }
        }
    } else {
        lflow = lflow_create(table, &uuid, sb_datapath, stage, priority,
                             match, actions, source);
    }
    lflow_ref_create(table, owner, lflow, NULL);
}

/* Like lflow_table_add(), with the match given as a printf format. */
void
lflow_table_add_format(struct lflow_table *table,
                       const struct uuid *sb_datapath,
                       enum pipeline_stage stage, uint16_t priority,
                       const char *actions, const char *match_format, ...)
{
    va_list args;
    va_start(args, match_format);
    char *match = xvasprintf(match_format, args);
    va_end(args);
    lflow_table_add(table, sb_datapath, stage, priority, match, actions);
    free(match);
}

/* Makes 'owner' want shared flow 'lflow' in datapath 'dp'. */
static void
lflow_shared_add_dp(struct lflow_table *table, struct lflow_owner *owner,
                    struct lflow *lflow, const struct uuid *dp)
{
    struct lflow_member *member = lflow_member_find(lflow, dp);
    if (!member) {
        member = lflow_member_create(lflow, dp);
    } else {
        struct lflow_ref *ref;
        LIST_FOR_EACH (ref, flow_node, &member->refs) {
            if (ref->owner == owner) {
                ref->stale = false;
                return;
            }
        }
    }
    lflow_ref_create(table, owner, lflow, member);
}

/* Adds a shared flow to the owner being built: like lflow_table_add(), but
 * the flow is one SB row for every datapath any owner adds it for, with a
 * datapath group, and its source is the owner's NB table alone.  Only a
 * flow whose content does not depend on which row of that table produced
 * it may be shared. */
void
lflow_table_add_shared(struct lflow_table *table,
                       const struct uuid *sb_datapath,
                       enum pipeline_stage stage, uint16_t priority,
                       const char *match, const char *actions)
{
    ovs_assert(table->building);
    lflow_table_add_shared_from(table, sb_datapath, stage, priority, match,
                                actions, table->building->nb_table);
}

/* Like lflow_table_add_shared(), for a flow that one NB row produces in
 * every datapath that has it (a flow class, which colours every switch):
 * its "source" is 'source', "TABLE:UUID", instead of the owner's table
 * alone. */
void
lflow_table_add_shared_from(struct lflow_table *table,
                            const struct uuid *sb_datapath,
                            enum pipeline_stage stage, uint16_t priority,
                            const char *match, const char *actions,
                            const char *source)
{
    struct lflow_owner *owner = table->building;
    ovs_assert(owner);
    table->n_adds++;
    struct uuid uuid;
    lflow_table_flow_uuid(NULL, stage, priority, match, actions, source,
                          &uuid);
    struct lflow *lflow = lflow_find(table, &uuid);
    if (!lflow) {
        /* The flow keeps a pointer to its source: the table's copy. */
        const struct sset_node *sn = sset_find(&table->sources, source);
        if (!sn) {
            sn = sset_add(&table->sources, source);
        }
        lflow = lflow_create(table, &uuid, NULL, stage, priority, match,
                             actions, sn->name);
    }
    ovs_assert(lflow->shared);
    if (table->fanout) {
        for (size_t i = 0; i < table->n_fanout; i++) {
            lflow_shared_add_dp(table, owner, lflow, &table->fanout[i]);
        }
    } else {
        lflow_shared_add_dp(table, owner, lflow, sb_datapath);
    }
}

/* Starts a fan-out: until lflow_table_fanout_end(), every shared flow the
 * owner being built adds, for whichever datapath, is added for each of
 * the 'n' datapaths 'dps' instead (which must stay valid meanwhile).  For
 * an owner that adds the same flows to many datapaths: it builds them
 * once, for one of them.  Flows of one datapath cannot be added
 * meanwhile. */
void
lflow_table_fanout_begin(struct lflow_table *table, const struct uuid *dps,
                         size_t n)
{
    ovs_assert(table->building && !table->fanout && n);
    table->fanout = dps;
    table->n_fanout = n;
}

/* Ends the fan-out that lflow_table_fanout_begin() started. */
void
lflow_table_fanout_end(struct lflow_table *table)
{
    ovs_assert(table->fanout);
    table->fanout = NULL;
    table->n_fanout = 0;
}

/* Inserts an SB row for 'lflow', a flow of one datapath, unless SB
 * already has it: a row with the flow's UUID has the flow's content. */
static void
lflow_insert_sb_row(struct lflow *lflow, struct ovsdb_idl *sb_idl,
                    struct ovsdb_idl_txn *sb_txn)
{
    if (!sbrec_logical_flow_get_for_uuid(sb_idl, &lflow->uuid)) {
        const struct sbrec_datapath_binding *dp
            = sbrec_datapath_binding_get_for_uuid(sb_idl, &lflow->datapath);
        if (!dp) {
            VLOG_WARN_RL(&rl, "%s: no SB datapath "UUID_FMT" for a flow",
                         lflow->source, UUID_ARGS(&lflow->datapath));
            return;
        }
        const struct pipeline_stage_info *info
            = pipeline_stage_info(lflow->stage);
        struct sbrec_logical_flow *row
            = sbrec_logical_flow_insert_persist_uuid(sb_txn, &lflow->uuid);
        sbrec_logical_flow_set_logical_datapath(row, dp);
        sbrec_logical_flow_set_pipeline(row,
                                        pipeline_to_string(info->pipeline));
        sbrec_logical_flow_set_table_id(row, info->table_id);
        sbrec_logical_flow_set_stage(row, info->name);
        sbrec_logical_flow_set_priority(row, lflow->priority);
        sbrec_logical_flow_set_match(row, lflow->match);
        sbrec_logical_flow_set_actions(row, lflow->actions);
        sbrec_logical_flow_set_source(row, lflow->source);
    }
    lflow->in_sb = true;
    lflow_free_text(lflow);
}

/* Finishes building the current owner: forgets its refs that were not
 * added again (flows nobody wants any more have their SB rows deleted at
 * the next flush) and, unless collecting, inserts its new flows of one
 * datapath in 'sb_txn' (shared flows wait for the flush).  An owner left
 * without flows is forgotten. */
void
lflow_table_owner_end(struct lflow_table *table, struct ovsdb_idl *sb_idl,
                      struct ovsdb_idl_txn *sb_txn)
{
    struct lflow_owner *owner = table->building;
    ovs_assert(owner && !table->fanout);
    table->building = NULL;

    struct lflow_ref *ref;
    LIST_FOR_EACH_SAFE (ref, owner_node, &owner->refs) {
        if (ref->stale) {
            lflow_ref_destroy(table, ref);
        } else if (!table->collecting && !ref->member
                   && !ref->lflow->in_sb) {
            lflow_insert_sb_row(ref->lflow, sb_idl, sb_txn);
        }
    }
    if (ovs_list_is_empty(&owner->refs)) {
        lflow_owner_destroy(table, owner);
    }
}

/* Forgets owner 'id'; the SB rows of flows nobody else wants are deleted
 * at the next flush. */
void
lflow_table_owner_remove(struct lflow_table *table,
                         const struct lflow_owner_id *id)
{
    struct lflow_owner *owner = lflow_owner_find(table, id);
    if (owner) {
        lflow_owner_destroy(table, owner);
    }
}

/* Returns true if owner 'id' has flows in 'table'. */
bool
lflow_table_has_owner(const struct lflow_table *table,
                      const struct lflow_owner_id *id)
{
    return lflow_owner_find(table, id) != NULL;
}

/* Computes in 'shared''s scratch the sorted set of its datapaths. */
static void
lflow_shared_compute_set(struct lflow_shared *shared)
{
    size_t n = hmap_count(&shared->members);
    struct uuid *dps = xmalloc(n * sizeof *dps);
    size_t i = 0;
    const struct lflow_member *member;
    HMAP_FOR_EACH (member, node, &shared->members) {
        dps[i++] = member->dp;
    }
    qsort(dps, n, sizeof *dps, compare_uuids);
    free(shared->new_dps);
    shared->new_dps = dps;
    shared->n_new_dps = n;
    shared->new_hash = hash_dps(dps, n);
}

/* Frees 'shared''s scratch. */
static void
lflow_shared_free_set(struct lflow_shared *shared)
{
    free(shared->new_dps);
    shared->new_dps = NULL;
    shared->n_new_dps = 0;
}

/* Makes 'shared' reference 'dpg' (or nothing, if NULL) in memory. */
static void
lflow_shared_set_dpg(struct lflow_shared *shared, struct lflow_dpg *dpg)
{
    if (shared->dpg) {
        shared->dpg->n_refs--;
    }
    shared->dpg = dpg;
    if (dpg) {
        dpg->n_refs++;
    }
}

/* Writes the datapaths of group 'dpg' into its SB row, inserting the row
 * if SB has none.  Returns the row. */
static const struct sbrec_logical_dp_group *
dpg_write(const struct lflow_dpg *dpg, struct ovsdb_idl *sb_idl,
          struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_logical_dp_group *row
        = sbrec_logical_dp_group_get_for_uuid(sb_idl, &dpg->uuid);
    if (!row) {
        row = sbrec_logical_dp_group_insert_persist_uuid(sb_txn, &dpg->uuid);
    }
    struct sbrec_datapath_binding **dps = xmalloc(dpg->n_dps * sizeof *dps);
    size_t n = 0;
    for (size_t i = 0; i < dpg->n_dps; i++) {
        const struct sbrec_datapath_binding *dp
            = sbrec_datapath_binding_get_for_uuid(sb_idl, &dpg->dps[i]);
        if (dp) {
            dps[n++] = CONST_CAST(struct sbrec_datapath_binding *, dp);
        } else {
            VLOG_WARN_RL(&rl, "no SB datapath "UUID_FMT" for a shared flow",
                         UUID_ARGS(&dpg->dps[i]));
        }
    }
    sbrec_logical_dp_group_set_datapaths(row, dps, n);
    free(dps);
    return row;
}

/* Changes the set of group 'dpg' to the 'n' sorted datapaths 'dps', of
 * hash 'hash' (copied): one mutation of its SB row per datapath that comes
 * or goes. */
static void
dpg_change_set(struct lflow_table *table, struct lflow_dpg *dpg,
               const struct uuid *dps, size_t n, uint32_t hash,
               struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *sb_txn)
{
    const struct uuid *old = dpg->dps;
    size_t n_old = dpg->n_dps;
    const struct sbrec_logical_dp_group *row
        = sbrec_logical_dp_group_get_for_uuid(sb_idl, &dpg->uuid);
    struct uuid *copy = xmemdup(dps, n * sizeof *dps);
    if (!row) {
        dpg_set_dps(table, dpg, copy, n, hash);
        dpg_write(dpg, sb_idl, sb_txn);
        return;
    }
    /* A merge of the two sorted sets. */
    size_t i = 0, j = 0;
    while (i < n_old || j < n) {
        int cmp = (i >= n_old ? 1 : j >= n ? -1
                   : uuid_compare_3way(&old[i], &dps[j]));
        const struct uuid *dp_uuid = cmp < 0 ? &old[i] : &dps[j];
        const struct sbrec_datapath_binding *dp
            = (cmp ? sbrec_datapath_binding_get_for_uuid(sb_idl, dp_uuid)
               : NULL);
        if (cmp < 0) {
            if (dp) {
                sbrec_logical_dp_group_update_datapaths_delvalue(row, dp);
            }
            i++;
        } else if (cmp > 0) {
            if (dp) {
                sbrec_logical_dp_group_update_datapaths_addvalue(row, dp);
            }
            j++;
        } else {
            i++;
            j++;
        }
    }
    dpg_set_dps(table, dpg, copy, n, hash);
}

/* Creates a group for the 'n' sorted datapaths 'dps', of hash 'hash'
 * (copied), and writes its SB row (an unreferenced row left with the UUID
 * is taken over). */
static struct lflow_dpg *
dpg_create_sb(struct lflow_table *table, const struct uuid *dps, size_t n,
              uint32_t hash, struct ovsdb_idl *sb_idl,
              struct ovsdb_idl_txn *sb_txn)
{
    struct uuid uuid;
    unsigned int salt = 0;
    do {
        lflow_table_group_uuid(dps, n, salt++, &uuid);
    } while (dpg_find_uuid(table, &uuid));
    struct lflow_dpg *dpg = dpg_create(table, &uuid,
                                       xmemdup(dps, n * sizeof *dps), n,
                                       hash);
    dpg_write(dpg, sb_idl, sb_txn);
    return dpg;
}

/* Adopts SB group row 'row', which a flow of 'table' references: a group
 * with the row's datapaths. */
static struct lflow_dpg *
dpg_adopt(struct lflow_table *table, const struct sbrec_logical_dp_group *row)
{
    struct lflow_dpg *dpg = dpg_find_uuid(table, &row->header_.uuid);
    if (!dpg) {
        size_t n = row->n_datapaths;
        struct uuid *dps = xmalloc(n * sizeof *dps);
        for (size_t i = 0; i < n; i++) {
            dps[i] = row->datapaths[i]->header_.uuid;
        }
        qsort(dps, n, sizeof *dps, compare_uuids);
        dpg = dpg_create(table, &row->header_.uuid, dps, n, hash_dps(dps, n));
    }
    return dpg;
}

/* Makes the SB row of shared flow 'lflow' reference group 'dpg', inserting
 * the row if SB has none. */
static void
lflow_write_shared(struct lflow *lflow, const struct lflow_dpg *dpg,
                   struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_logical_dp_group *group
        = sbrec_logical_dp_group_get_for_uuid(sb_idl, &dpg->uuid);
    if (!group) {
        group = dpg_write(dpg, sb_idl, sb_txn);
    }
    if (lflow->in_sb) {
        const struct sbrec_logical_flow *row
            = sbrec_logical_flow_get_for_uuid(sb_idl, &lflow->uuid);
        if (row) {
            sbrec_logical_flow_set_logical_dp_group(row, group);
        } else {
            VLOG_WARN_RL(&rl, "logical flow "UUID_FMT" is not in SB",
                         UUID_ARGS(&lflow->uuid));
        }
        return;
    }

    const struct pipeline_stage_info *info
        = pipeline_stage_info(lflow->stage);
    struct sbrec_logical_flow *row
        = sbrec_logical_flow_insert_persist_uuid(sb_txn, &lflow->uuid);
    sbrec_logical_flow_set_logical_dp_group(row, group);
    sbrec_logical_flow_set_pipeline(row, pipeline_to_string(info->pipeline));
    sbrec_logical_flow_set_table_id(row, info->table_id);
    sbrec_logical_flow_set_stage(row, info->name);
    sbrec_logical_flow_set_priority(row, lflow->priority);
    sbrec_logical_flow_set_match(row, lflow->match);
    sbrec_logical_flow_set_actions(row, lflow->actions);
    sbrec_logical_flow_set_source(row, lflow->source);
    lflow->in_sb = true;
    lflow_free_text(lflow);
}

/* Finds the group that the SB row of shared flow 'shared' references, for
 * a row kept within a run. */
static void
lflow_shared_find_sb_dpg(struct lflow_table *table,
                         struct lflow_shared *shared,
                         struct ovsdb_idl *sb_idl)
{
    const struct sbrec_logical_flow *row
        = sbrec_logical_flow_get_for_uuid(sb_idl, &shared->lflow->uuid);
    if (row && row->logical_dp_group) {
        lflow_shared_set_dpg(shared, dpg_find_uuid(
                                 table, &row->logical_dp_group->header_.uuid));
    }
}

/* Writes, in the open transaction, the shared flows whose datapaths
 * changed and deletes the SB rows of the flows forgotten since the last
 * flush.
 *
 * A shared flow whose set of datapaths changed references the group of its
 * new set, created if there is none.  When every flow of a group changes
 * to the same set, which no group has (a switch added to or deleted from
 * all of them), the group's row changes instead, one mutation per
 * datapath, and no flow row is written.  A group no flow references any
 * more is forgotten, and the server deletes its row. */
void
lflow_table_flush(struct lflow_table *table, struct ovsdb_idl *sb_idl,
                  struct ovsdb_idl_txn *sb_txn)
{
    ovs_assert(!table->collecting);

    /* Which flows' sets changed, and how each group's flows move. */
    struct ovs_list movers = OVS_LIST_INITIALIZER(&movers);
    struct lflow_shared *shared;
    LIST_FOR_EACH_POP (shared, dirty_node, &table->dirty) {
        shared->dirty = false;
        if (shared->lflow->in_sb && !shared->dpg) {
            lflow_shared_find_sb_dpg(table, shared, sb_idl);
        }
        lflow_shared_compute_set(shared);
        struct lflow_dpg *dpg = shared->dpg;
        if (dpg && dpg->in_sets
            && dpg_has_set(dpg, shared->new_dps, shared->n_new_dps,
                           shared->new_hash)) {
            if (!shared->lflow->in_sb) {
                lflow_write_shared(shared->lflow, dpg, sb_idl, sb_txn);
            }
            lflow_shared_free_set(shared);
            continue;
        }
        ovs_list_push_back(&movers, &shared->dirty_node);
        if (dpg) {
            dpg->n_movers++;
            if (!dpg->mover) {
                dpg->mover = shared;
            } else if (!dpg->split) {
                const struct lflow_shared *first = dpg->mover;
                dpg->split = (first->new_hash != shared->new_hash
                              || first->n_new_dps != shared->n_new_dps
                              || memcmp(first->new_dps, shared->new_dps,
                                        shared->n_new_dps
                                        * sizeof *shared->new_dps));
            }
        }
    }

    /* Groups whose flows all move to one set that no group has change their
     * set. */
    LIST_FOR_EACH (shared, dirty_node, &movers) {
        struct lflow_dpg *dpg = shared->dpg;
        if (dpg && dpg->mover == shared && !dpg->split
            && dpg->n_movers == dpg->n_refs
            && !dpg_find_set(table, shared->new_dps, shared->n_new_dps,
                             shared->new_hash)) {
            dpg_change_set(table, dpg, shared->new_dps, shared->n_new_dps,
                           shared->new_hash, sb_idl, sb_txn);
        }
    }

    /* The other flows move to the group of their set. */
    LIST_FOR_EACH_POP (shared, dirty_node, &movers) {
        if (shared->dpg) {
            shared->dpg->n_movers = 0;
            shared->dpg->mover = NULL;
            shared->dpg->split = false;
        }
        struct lflow_dpg *dpg = dpg_find_set(table, shared->new_dps,
                                             shared->n_new_dps,
                                             shared->new_hash);
        if (!dpg) {
            dpg = dpg_create_sb(table, shared->new_dps, shared->n_new_dps,
                                shared->new_hash, sb_idl, sb_txn);
        }
        if (dpg != shared->dpg || !shared->lflow->in_sb) {
            lflow_shared_set_dpg(shared, dpg);
            lflow_write_shared(shared->lflow, dpg, sb_idl, sb_txn);
        }
        lflow_shared_free_set(shared);
    }

    struct uuidset_node *node;
    UUIDSET_FOR_EACH (node, &table->deletes) {
        const struct sbrec_logical_flow *row
            = sbrec_logical_flow_get_for_uuid(sb_idl, &node->uuid);
        if (row) {
            sbrec_logical_flow_delete(row);
        }
    }
    uuidset_clear(&table->deletes);

    struct lflow_dpg *dpg;
    HMAP_FOR_EACH_SAFE (dpg, uuid_node, &table->dpgs) {
        if (!dpg->n_refs) {
            dpg_destroy(table, dpg);
        }
    }
}

/* Makes SB's Logical_Flow and Logical_DP_Group tables equal to the desired
 * flows, after a full build in collecting mode: SB rows of desired flows
 * are adopted unchanged, with the groups they reference, other rows are
 * deleted (at the next flush), missing flows of one datapath inserted
 * now, and shared flows whose group is not the group of their set
 * written at the flush.  Ends collecting mode. */
void
lflow_table_sync_full(struct lflow_table *table, struct ovsdb_idl *sb_idl,
                      struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_logical_flow *row;
    SBREC_LOGICAL_FLOW_FOR_EACH (row, sb_idl) {
        struct lflow *lflow = lflow_find(table, &row->header_.uuid);
        if (!lflow) {
            /* At the flush, so that a flow wanted again within this run
             * keeps its row. */
            uuidset_insert(&table->deletes, &row->header_.uuid);
            continue;
        }
        lflow->in_sb = true;
        lflow_free_text(lflow);
        if (lflow->shared && row->logical_dp_group) {
            lflow_shared_set_dpg(lflow->shared,
                                 dpg_adopt(table, row->logical_dp_group));
        }
    }

    struct lflow *lflow;
    HMAP_FOR_EACH (lflow, hmap_node, &table->lflows) {
        if (!lflow->in_sb && !lflow->shared) {
            lflow_insert_sb_row(lflow, sb_idl, sb_txn);
        }
    }
    table->collecting = false;
}

/* Makes 'sb_idl' replicate of the Logical_Flow table no more than northd
 * needs: which rows exist, and the group each references (groups are
 * shared, so that does not follow from a flow's content).  The rest of a
 * row follows from its UUID.  The Logical_DP_Group table, which is small,
 * is replicated whole.  Call before the first ovsdb_idl_run(). */
void
lflow_table_sb_monitor(struct ovsdb_idl *sb_idl)
{
    for (size_t i = 0; i < SBREC_LOGICAL_FLOW_N_COLUMNS; i++) {
        const struct ovsdb_idl_column *column = &sbrec_logical_flow_columns[i];
        /* "priority" too: with the group alone, a row someone else
         * inserted without a group went unseen (an insert whose replicated
         * columns are all empty). */
        if (column != &sbrec_logical_flow_col_logical_dp_group
            && column != &sbrec_logical_flow_col_priority) {
            ovsdb_idl_omit(sb_idl, column);
        }
    }
}

/* Returns the number of desired flows (SB Logical_Flow rows). */
size_t
lflow_table_count(const struct lflow_table *table)
{
    return hmap_count(&table->lflows);
}

/* Returns the number of desired flows in 'stage'. */
size_t
lflow_table_count_stage(const struct lflow_table *table,
                        enum pipeline_stage stage)
{
    return stage < N_PIPELINE_STAGES ? table->stage_counts[stage] : 0;
}

/* Returns the number of owners that want flows. */
size_t
lflow_table_n_owners(const struct lflow_table *table)
{
    return hmap_count(&table->owners);
}

/* Returns the number of shared flows. */
size_t
lflow_table_n_shared(const struct lflow_table *table)
{
    return table->n_shared;
}

/* Returns the number of groups (Logical_DP_Group rows) the shared flows
 * reference, as of the last flush. */
size_t
lflow_table_n_groups(const struct lflow_table *table)
{
    return hmap_count(&table->dpgs);
}

/* Returns the number of flows owners have added since 'table' was
 * created (each add of a flow, whether new or not, counts). */
uint64_t
lflow_table_n_adds(const struct lflow_table *table)
{
    return table->n_adds;
}

/* Returns true if 'sb_uuid' is the SB row of a desired flow. */
bool
lflow_table_has_sb_row(const struct lflow_table *table,
                       const struct uuid *sb_uuid)
{
    const struct lflow *lflow = lflow_find(table, sb_uuid);
    return lflow && lflow->in_sb;
}

/* Returns the number of datapaths the desired flow with row 'flow_uuid'
 * applies to: 1 for a flow of one datapath, its members for a shared
 * flow, 0 if there is no such flow. */
size_t
lflow_table_flow_n_datapaths(const struct lflow_table *table,
                             const struct uuid *flow_uuid)
{
    const struct lflow *lflow = lflow_find(table, flow_uuid);
    return (!lflow ? 0
            : lflow->shared ? hmap_count(&lflow->shared->members)
            : 1);
}

/* Returns true if the desired flow with row 'flow_uuid' applies to
 * datapath 'sb_datapath'. */
bool
lflow_table_flow_has_datapath(const struct lflow_table *table,
                              const struct uuid *flow_uuid,
                              const struct uuid *sb_datapath)
{
    const struct lflow *lflow = lflow_find(table, flow_uuid);
    if (!lflow) {
        return false;
    } else if (!lflow->shared) {
        return uuid_equals(&lflow->datapath, sb_datapath);
    } else {
        return lflow_member_find(lflow, sb_datapath) != NULL;
    }
}

/* Returns the UUID of the Logical_DP_Group row that the desired shared
 * flow with row 'flow_uuid' references (as of the last flush), or NULL. */
const struct uuid *
lflow_table_flow_group(const struct lflow_table *table,
                       const struct uuid *flow_uuid)
{
    const struct lflow *lflow = lflow_find(table, flow_uuid);
    return (lflow && lflow->shared && lflow->shared->dpg
            ? &lflow->shared->dpg->uuid : NULL);
}

/* Returns false if SB group row 'group' is one of the table's groups and
 * lists other datapaths than the group's set, with nothing left to
 * write: someone else changed it.  True otherwise. */
bool
lflow_table_group_is_current(const struct lflow_table *table,
                             const struct sbrec_logical_dp_group *group)
{
    const struct lflow_dpg *dpg = dpg_find_uuid(table, &group->header_.uuid);
    if (!dpg || !ovs_list_is_empty(&table->dirty)) {
        return true;
    }
    if (group->n_datapaths != dpg->n_dps) {
        return false;
    }
    for (size_t i = 0; i < group->n_datapaths; i++) {
        const struct uuid *dp = &group->datapaths[i]->header_.uuid;
        if (!bsearch(dp, dpg->dps, dpg->n_dps, sizeof *dpg->dps,
                     compare_uuids)) {
            return false;
        }
    }
    return true;
}

/* Returns false if SB flow row 'row' is a desired flow's, with nothing
 * left to write, and references another group than the flow's (or one,
 * for a flow of one datapath): someone else changed it.  True
 * otherwise. */
bool
lflow_table_flow_is_current(const struct lflow_table *table,
                            const struct sbrec_logical_flow *row)
{
    const struct lflow *lflow = lflow_find(table, &row->header_.uuid);
    if (!lflow || !lflow->in_sb || !ovs_list_is_empty(&table->dirty)) {
        return true;
    }
    const struct uuid *want = (lflow->shared && lflow->shared->dpg
                               ? &lflow->shared->dpg->uuid : NULL);
    const struct uuid *have = (row->logical_dp_group
                               ? &row->logical_dp_group->header_.uuid
                               : NULL);
    return want && have ? uuid_equals(want, have) : !want && !have;
}
