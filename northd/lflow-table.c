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

/* One datapath of a shared flow's group. */
struct lflow_member {
    struct hmap_node node;        /* In its group's 'members', by 'dp'. */
    struct ovs_list refs;         /* "struct lflow_ref"s that want it. */
    struct ovs_list dirty_node;   /* In its group's 'dirty_members'. */
    struct uuid dp;               /* SB Datapath_Binding row. */
    bool in_sb;                   /* The SB group row lists it. */
    bool dirty;                   /* In 'dirty_members': whether it is
                                   * wanted may differ from 'in_sb'. */
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

/* What a shared flow has besides a "struct lflow" (few flows are
 * shared, so this is apart). */
struct lflow_group {
    struct hmap_node group_node;  /* In lflow_table's 'groups', by 'uuid'. */
    struct lflow *lflow;          /* Its flow. */
    struct uuid uuid;             /* Its SB Logical_DP_Group row. */
    struct hmap members;          /* "struct lflow_member"s, by datapath. */
    size_t n_wanted;              /* Members with at least one ref. */
    struct ovs_list dirty_members; /* Members to write at the flush. */
    bool full_write;              /* The group row's members are not
                                   * known: write them all. */
    struct ovs_list dirty_node;   /* In lflow_table's 'dirty'. */
    bool dirty;                   /* Waits for lflow_table_flush(). */
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
    struct lflow_group *group;    /* A shared flow's group, else NULL. */

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
    struct hmap groups;           /* "struct lflow_group"s, by uuid. */
    struct hmap owners;           /* "struct lflow_owner"s, by id. */
    struct uuidset deletes;       /* SB rows to delete at the next flush. */
    struct ovs_list dirty;        /* "struct lflow_group"s to write at the
                                   * flush. */
    struct lflow_owner *building; /* Owner between begin and end. */
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
    hmap_init(&table->groups);
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

/* Queues shared flow 'lflow' for the next flush. */
static void
lflow_mark_dirty(struct lflow_table *table, struct lflow *lflow)
{
    if (!lflow->group->dirty) {
        lflow->group->dirty = true;
        ovs_list_push_back(&table->dirty, &lflow->group->dirty_node);
    }
}

/* Queues 'member' of shared flow 'lflow' for the next flush. */
static void
lflow_member_mark_dirty(struct lflow_table *table, struct lflow *lflow,
                        struct lflow_member *member)
{
    if (!member->dirty) {
        member->dirty = true;
        ovs_list_push_back(&lflow->group->dirty_members, &member->dirty_node);
    }
    lflow_mark_dirty(table, lflow);
}

/* Frees 'member' of 'lflow', which no ref wants. */
static void
lflow_member_destroy(struct lflow *lflow, struct lflow_member *member)
{
    ovs_assert(ovs_list_is_empty(&member->refs));
    if (member->dirty) {
        ovs_list_remove(&member->dirty_node);
    }
    hmap_remove(&lflow->group->members, &member->node);
    free(member);
}

/* Returns the member of shared flow 'lflow' for datapath 'dp', or NULL. */
static struct lflow_member *
lflow_member_find(const struct lflow *lflow, const struct uuid *dp)
{
    struct lflow_member *member;
    HMAP_FOR_EACH_WITH_HASH (member, node, uuid_hash(dp),
                             &lflow->group->members) {
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
    hmap_insert(&lflow->group->members, &member->node, uuid_hash(dp));
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
        struct lflow_group *g = xzalloc(sizeof *g);
        g->lflow = lflow;
        lflow_table_group_uuid(uuid, &g->uuid);
        hmap_init(&g->members);
        ovs_list_init(&g->dirty_members);
        hmap_insert(&table->groups, &g->group_node, uuid_hash(&g->uuid));
        lflow->group = g;
        /* A kept row's group lists the members of before: the flush
         * writes them all. */
        g->full_write = lflow->in_sb;
        lflow_mark_dirty(table, lflow);
    }
    hmap_insert(&table->lflows, &lflow->hmap_node, uuid_hash(uuid));
    table->stage_counts[stage]++;
    return lflow;
}

/* Removes 'lflow', which no ref wants, from 'table' and frees it.  Its SB
 * row, if it has one, is deleted at the next flush (with its group, which
 * the server deletes once no flow refers to it). */
static void
lflow_destroy(struct lflow_table *table, struct lflow *lflow)
{
    if (lflow->in_sb) {
        uuidset_insert(&table->deletes, &lflow->uuid);
    }
    struct lflow_group *g = lflow->group;
    if (g) {
        struct lflow_member *member;
        HMAP_FOR_EACH_SAFE (member, node, &g->members) {
            lflow_member_destroy(lflow, member);
        }
        hmap_remove(&table->groups, &g->group_node);
        if (g->dirty) {
            ovs_list_remove(&g->dirty_node);
        }
        hmap_destroy(&g->members);
        free(g);
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
            lflow->group->n_wanted++;
            if (lflow->in_sb && !member->in_sb) {
                lflow_member_mark_dirty(table, lflow, member);
            }
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
        lflow->group->n_wanted--;
        if (!lflow->group->n_wanted) {
            lflow_destroy(table, lflow);
        } else if (member->in_sb) {
            lflow_member_mark_dirty(table, lflow, member);
        } else {
            lflow_member_destroy(lflow, member);
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

/* Forgets every flow and owner, and the writes and deletions not yet
 * flushed (SB is not touched). */
void
lflow_table_clear(struct lflow_table *table)
{
    struct lflow_owner *owner;
    HMAP_FOR_EACH_SAFE (owner, hmap_node, &table->owners) {
        lflow_owner_destroy(table, owner);
    }
    ovs_assert(hmap_is_empty(&table->lflows));
    uuidset_clear(&table->deletes);
    table->building = NULL;
}

/* Frees 'table' (SB is not touched). */
void
lflow_table_destroy(struct lflow_table *table)
{
    if (table) {
        lflow_table_clear(table);
        hmap_destroy(&table->lflows);
        hmap_destroy(&table->groups);
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

/* Stores in '*uuid' the UUID of the Logical_DP_Group row of the shared
 * flow whose row is 'flow_uuid': a name-based UUID of that UUID. */
void
lflow_table_group_uuid(const struct uuid *flow_uuid, struct uuid *uuid)
{
    char s[UUID_LEN + 32];
    int n = snprintf(s, sizeof s, "Logical_DP_Group "UUID_FMT,
                     UUID_ARGS(flow_uuid));
    struct sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update_field(&ctx, s, n);
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

/* Returns the shared flow whose group row is 'group_uuid', or NULL. */
static struct lflow *
lflow_find_group(const struct lflow_table *table,
                 const struct uuid *group_uuid)
{
    struct lflow_group *g;
    HMAP_FOR_EACH_WITH_HASH (g, group_node, uuid_hash(group_uuid),
                             &table->groups) {
        if (uuid_equals(&g->uuid, group_uuid)) {
            return g->lflow;
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
    struct lflow_owner *owner = table->building;
    ovs_assert(owner);
    table->n_adds++;
    struct uuid uuid;
    lflow_table_flow_uuid(sb_datapath, stage, priority, match, actions,
                          owner->source, &uuid);
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
                             match, actions, owner->source);
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
    ovs_assert(lflow->group);
    struct lflow_member *member = lflow_member_find(lflow, sb_datapath);
    if (!member) {
        member = lflow_member_create(lflow, sb_datapath);
    }
    struct lflow_ref *ref;
    LIST_FOR_EACH (ref, flow_node, &member->refs) {
        if (ref->owner == owner) {
            ref->stale = false;
            return;
        }
    }
    lflow_ref_create(table, owner, lflow, member);
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
    ovs_assert(owner);
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

/* Returns the SB datapath rows of the wanted members of shared flow
 * 'lflow' (those SB has) in a new array, with their number in '*n'. */
static struct sbrec_datapath_binding **
lflow_wanted_datapaths(const struct lflow *lflow, struct ovsdb_idl *sb_idl,
                       size_t *n)
{
    struct sbrec_datapath_binding **dps
        = xmalloc(lflow->group->n_wanted * sizeof *dps);
    *n = 0;
    const struct lflow_member *member;
    HMAP_FOR_EACH (member, node, &lflow->group->members) {
        if (ovs_list_is_empty(&member->refs)) {
            continue;
        }
        const struct sbrec_datapath_binding *dp
            = sbrec_datapath_binding_get_for_uuid(sb_idl, &member->dp);
        if (dp) {
            dps[(*n)++] = CONST_CAST(struct sbrec_datapath_binding *, dp);
        } else {
            VLOG_WARN_RL(&rl, "no SB datapath "UUID_FMT" for a shared flow",
                         UUID_ARGS(&member->dp));
        }
    }
    return dps;
}

/* Inserts the SB rows of shared flow 'lflow': its group, with the wanted
 * members, and the flow. */
static void
lflow_insert_shared(struct lflow *lflow, struct ovsdb_idl *sb_idl,
                    struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_logical_dp_group *group
        = sbrec_logical_dp_group_get_for_uuid(sb_idl, &lflow->group->uuid);
    if (!group) {
        group = sbrec_logical_dp_group_insert_persist_uuid(
            sb_txn, &lflow->group->uuid);
    }
    size_t n;
    struct sbrec_datapath_binding **dps = lflow_wanted_datapaths(lflow,
                                                                 sb_idl, &n);
    sbrec_logical_dp_group_set_datapaths(group, dps, n);
    free(dps);

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

/* Writes what changed in shared flow 'lflow' since its last write: its
 * rows if it has none, else the membership of its group (all of it when
 * that is not known, else one mutation per member that came or went). */
static void
lflow_flush_shared(struct lflow *lflow, struct ovsdb_idl *sb_idl,
                   struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_logical_dp_group *group = NULL;
    if (!lflow->in_sb) {
        lflow_insert_shared(lflow, sb_idl, sb_txn);
    } else {
        group = sbrec_logical_dp_group_get_for_uuid(sb_idl,
                                                    &lflow->group->uuid);
        if (!group) {
            VLOG_WARN_RL(&rl, "logical flow "UUID_FMT" has no group "
                         UUID_FMT" (delete the flow row to repair it)",
                         UUID_ARGS(&lflow->uuid),
                         UUID_ARGS(&lflow->group->uuid));
        } else if (lflow->group->full_write) {
            size_t n;
            struct sbrec_datapath_binding **dps
                = lflow_wanted_datapaths(lflow, sb_idl, &n);
            sbrec_logical_dp_group_set_datapaths(group, dps, n);
            free(dps);
        }
    }

    /* Bring every member's state in step with what was written. */
    bool all_written = !group || lflow->group->full_write;
    struct lflow_member *member;
    if (all_written) {
        HMAP_FOR_EACH_SAFE (member, node, &lflow->group->members) {
            if (member->dirty) {
                ovs_list_remove(&member->dirty_node);
                member->dirty = false;
            }
            member->in_sb = !ovs_list_is_empty(&member->refs);
            if (!member->in_sb) {
                lflow_member_destroy(lflow, member);
            }
        }
    } else {
        LIST_FOR_EACH_POP (member, dirty_node, &lflow->group->dirty_members) {
            member->dirty = false;
            bool wanted = !ovs_list_is_empty(&member->refs);
            const struct sbrec_datapath_binding *dp
                = sbrec_datapath_binding_get_for_uuid(sb_idl, &member->dp);
            if (wanted && !member->in_sb && dp) {
                sbrec_logical_dp_group_update_datapaths_addvalue(group, dp);
            } else if (!wanted && member->in_sb && dp) {
                sbrec_logical_dp_group_update_datapaths_delvalue(group, dp);
            }
            /* A datapath row that is gone has left every group. */
            member->in_sb = wanted;
            if (!wanted) {
                lflow_member_destroy(lflow, member);
            }
        }
    }
    lflow->group->full_write = false;
}

/* Writes, in the open transaction, the shared flows and group memberships
 * that changed and deletes the SB rows of the flows forgotten since the
 * last flush. */
void
lflow_table_flush(struct lflow_table *table, struct ovsdb_idl *sb_idl,
                  struct ovsdb_idl_txn *sb_txn)
{
    ovs_assert(!table->collecting);
    struct lflow_group *g;
    LIST_FOR_EACH_POP (g, dirty_node, &table->dirty) {
        g->dirty = false;
        lflow_flush_shared(g->lflow, sb_idl, sb_txn);
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
}

/* Adopts SB group row 'group' for shared flow 'lflow', whose row SB has:
 * notes which members it lists and which need a write. */
static void
lflow_adopt_group(struct lflow_table *table, struct lflow *lflow,
                  const struct sbrec_logical_dp_group *group)
{
    lflow->group->full_write = false;
    for (size_t i = 0; i < group->n_datapaths; i++) {
        const struct uuid *dp = &group->datapaths[i]->header_.uuid;
        struct lflow_member *member = lflow_member_find(lflow, dp);
        if (!member) {
            /* Listed but not wanted: to be taken out. */
            member = lflow_member_create(lflow, dp);
            lflow_member_mark_dirty(table, lflow, member);
        }
        member->in_sb = true;
    }
    struct lflow_member *member;
    HMAP_FOR_EACH (member, node, &lflow->group->members) {
        if (!member->in_sb) {
            lflow_member_mark_dirty(table, lflow, member);
        }
    }
}

/* Makes SB's Logical_Flow and Logical_DP_Group tables equal to the desired
 * flows, after a full build in collecting mode: SB rows of desired flows
 * are adopted unchanged, other rows are deleted (at the next flush),
 * missing flows of one datapath inserted now, and shared flows and the
 * members of adopted groups written at the flush.  Ends collecting
 * mode. */
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
        if (lflow->group) {
            const struct sbrec_logical_dp_group *group
                = sbrec_logical_dp_group_get_for_uuid(sb_idl,
                                                      &lflow->group->uuid);
            if (group) {
                lflow_adopt_group(table, lflow, group);
            } else {
                lflow->group->full_write = true;
                lflow_mark_dirty(table, lflow);
            }
        }
    }

    struct lflow *lflow;
    HMAP_FOR_EACH (lflow, hmap_node, &table->lflows) {
        if (!lflow->in_sb && !lflow->group) {
            lflow_insert_sb_row(lflow, sb_idl, sb_txn);
        }
    }
    table->collecting = false;
}

/* Makes 'sb_idl' replicate of the Logical_Flow table no more than northd
 * needs: which rows exist.  Their content follows from their UUIDs.  The
 * Logical_DP_Group table, which is small, is replicated whole.  Call
 * before the first ovsdb_idl_run(). */
void
lflow_table_sb_monitor(struct ovsdb_idl *sb_idl)
{
    for (size_t i = 0; i < SBREC_LOGICAL_FLOW_N_COLUMNS; i++) {
        const struct ovsdb_idl_column *column = &sbrec_logical_flow_columns[i];
        /* One small column must stay replicated, or the IDL would not
         * monitor the table at all. */
        if (column != &sbrec_logical_flow_col_priority) {
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

/* Returns the number of shared flows, which is the number of their
 * Logical_DP_Group rows. */
size_t
lflow_table_n_groups(const struct lflow_table *table)
{
    return hmap_count(&table->groups);
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
 * applies to: 1 for a flow of one datapath, its wanted members for a
 * shared flow, 0 if there is no such flow. */
size_t
lflow_table_flow_n_datapaths(const struct lflow_table *table,
                             const struct uuid *flow_uuid)
{
    const struct lflow *lflow = lflow_find(table, flow_uuid);
    return !lflow ? 0 : lflow->group ? lflow->group->n_wanted : 1;
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
    } else if (!lflow->group) {
        return uuid_equals(&lflow->datapath, sb_datapath);
    } else {
        const struct lflow_member *member = lflow_member_find(lflow,
                                                             sb_datapath);
        return member && !ovs_list_is_empty(&member->refs);
    }
}

/* Returns false if SB group row 'group' belongs to a shared flow that is
 * in SB with nothing left to write, and lists other datapaths than the
 * flow's members: someone else changed it.  True otherwise. */
bool
lflow_table_group_is_current(const struct lflow_table *table,
                             const struct sbrec_logical_dp_group *group)
{
    const struct lflow *lflow = lflow_find_group(table, &group->header_.uuid);
    if (!lflow || !lflow->in_sb || lflow->group->dirty) {
        return true;
    }
    if (group->n_datapaths != lflow->group->n_wanted) {
        return false;
    }
    for (size_t i = 0; i < group->n_datapaths; i++) {
        const struct lflow_member *member
            = lflow_member_find(lflow, &group->datapaths[i]->header_.uuid);
        if (!member || ovs_list_is_empty(&member->refs)) {
            return false;
        }
    }
    return true;
}
