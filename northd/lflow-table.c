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
#include "util.h"
#include "uuid.h"
#include "uuidset.h"

VLOG_DEFINE_THIS_MODULE(lflow_table);

/* One desired logical flow. */
struct lflow {
    struct hmap_node hmap_node;   /* In lflow_table's 'lflows', by 'uuid'. */
    struct ovs_list owner_node;   /* In its owner's 'lflows'. */
    struct lflow_owner *owner;    /* The NB object that produced it. */
    struct uuid uuid;             /* Its SB row's UUID, from its content. */
    struct uuid datapath;         /* SB Datapath_Binding row. */
    enum pipeline_stage stage;    /* Logical stage. */
    uint16_t priority;            /* OpenFlow priority. */
    char *match;                  /* ovs-ofctl match, NULL once in SB. */
    char *actions;                /* ovs-ofctl actions, NULL once in SB. */
    bool in_sb;                   /* Has an SB row (or one is inserted). */
    bool stale;                   /* Owner being rebuilt, not re-added. */
};

/* An NB object that owns logical flows. */
struct lflow_owner {
    struct hmap_node hmap_node;   /* In lflow_table's 'owners', by uuid. */
    struct uuid nb_uuid;          /* The NB row. */
    char *source;                 /* "Table:uuid", the "source" column. */
    struct ovs_list lflows;       /* Its "struct lflow"s. */
};

/* The desired logical flows. */
struct lflow_table {
    struct hmap lflows;           /* "struct lflow"s, by uuid. */
    struct hmap owners;           /* "struct lflow_owner"s, by uuid. */
    struct uuidset deletes;       /* SB rows to delete at the next flush. */
    struct lflow_owner *building; /* Owner between begin and end. */
    bool collecting;              /* Build without touching SB. */
    size_t stage_counts[N_PIPELINE_STAGES]; /* Flows per stage. */
};

/* Creates an empty table. */
struct lflow_table *
lflow_table_create(void)
{
    struct lflow_table *table = xzalloc(sizeof *table);
    hmap_init(&table->lflows);
    hmap_init(&table->owners);
    uuidset_init(&table->deletes);
    return table;
}

/* Frees the text of 'lflow', which only an insertion needs. */
static void
lflow_free_text(struct lflow *lflow)
{
    free(lflow->match);
    free(lflow->actions);
    lflow->match = lflow->actions = NULL;
}

/* Removes 'lflow' from 'table' and frees it (SB is not touched). */
static void
lflow_destroy(struct lflow_table *table, struct lflow *lflow)
{
    hmap_remove(&table->lflows, &lflow->hmap_node);
    ovs_list_remove(&lflow->owner_node);
    table->stage_counts[lflow->stage]--;
    lflow_free_text(lflow);
    free(lflow);
}

/* Frees 'owner' and its flows (SB is not touched). */
static void
lflow_owner_destroy(struct lflow_table *table, struct lflow_owner *owner)
{
    struct lflow *lflow;
    LIST_FOR_EACH_SAFE (lflow, owner_node, &owner->lflows) {
        lflow_destroy(table, lflow);
    }
    hmap_remove(&table->owners, &owner->hmap_node);
    free(owner->source);
    free(owner);
}

/* Forgets every flow and owner, and the deletions not yet flushed (SB is
 * not touched). */
void
lflow_table_clear(struct lflow_table *table)
{
    struct lflow_owner *owner;
    HMAP_FOR_EACH_SAFE (owner, hmap_node, &table->owners) {
        lflow_owner_destroy(table, owner);
    }
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
        hmap_destroy(&table->owners);
        uuidset_destroy(&table->deletes);
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

/* Returns the owner of NB row 'nb_uuid', or NULL. */
static struct lflow_owner *
lflow_owner_find(const struct lflow_table *table, const struct uuid *nb_uuid)
{
    struct lflow_owner *owner;
    HMAP_FOR_EACH_WITH_HASH (owner, hmap_node, uuid_hash(nb_uuid),
                             &table->owners) {
        if (uuid_equals(&owner->nb_uuid, nb_uuid)) {
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

/* Stores in '*uuid' the UUID of the SB row of a flow with this content: a
 * name-based UUID (RFC 4122 version 5) of every column northd writes.
 * The stage's pipeline, table number and name all count, so renumbering
 * a stage replaces its rows. */
void
lflow_table_flow_uuid(const struct uuid *sb_datapath,
                      enum pipeline_stage stage, uint16_t priority,
                      const char *match, const char *actions,
                      const char *source, struct uuid *uuid)
{
    const struct pipeline_stage_info *info = pipeline_stage_info(stage);
    char head[UUID_LEN + 64];
    int n = snprintf(head, sizeof head, UUID_FMT" %s %u %s %u",
                     UUID_ARGS(sb_datapath),
                     pipeline_to_string(info->pipeline),
                     info->table_id, info->name, priority);
    ovs_assert(n > 0 && n < sizeof head);

    struct sha1_ctx ctx;
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update_field(&ctx, head, n);
    sha1_update_field(&ctx, match, strlen(match));
    sha1_update_field(&ctx, actions, strlen(actions));
    sha1_update_field(&ctx, source, strlen(source));
    sha1_final(&ctx, digest);

    BUILD_ASSERT_DECL(sizeof *uuid <= SHA1_DIGEST_SIZE);
    memcpy(uuid, digest, sizeof *uuid);
    /* Version 5 in the top nibble of the third word, variant 10 in the
     * top bits of the fourth (RFC 4122 section 4.1). */
    uuid->parts[1] = (uuid->parts[1] & ~0xf000u) | 0x5000u;
    uuid->parts[2] = (uuid->parts[2] & ~0xc0000000u) | 0x80000000u;
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

/* Starts (re)building the flows of the NB row 'nb_uuid' of table
 * 'nb_table'.  Every flow it had is provisionally stale until added
 * again. */
void
lflow_table_owner_begin(struct lflow_table *table, const struct uuid *nb_uuid,
                        const char *nb_table)
{
    ovs_assert(!table->building);
    struct lflow_owner *owner = lflow_owner_find(table, nb_uuid);
    if (!owner) {
        owner = xzalloc(sizeof *owner);
        owner->nb_uuid = *nb_uuid;
        owner->source = xasprintf("%s:"UUID_FMT, nb_table,
                                  UUID_ARGS(nb_uuid));
        ovs_list_init(&owner->lflows);
        hmap_insert(&table->owners, &owner->hmap_node, uuid_hash(nb_uuid));
    }
    struct lflow *lflow;
    LIST_FOR_EACH (lflow, owner_node, &owner->lflows) {
        lflow->stale = true;
    }
    table->building = owner;
}

/* Adds a flow to the owner being built: in datapath 'sb_datapath' (the
 * SB Datapath_Binding row's UUID), logical 'stage', with 'priority',
 * 'match' and 'actions' in ovs-ofctl syntax. */
void
lflow_table_add(struct lflow_table *table, const struct uuid *sb_datapath,
                enum pipeline_stage stage, uint16_t priority,
                const char *match, const char *actions)
{
    struct lflow_owner *owner = table->building;
    ovs_assert(owner);
    struct uuid uuid;
    lflow_table_flow_uuid(sb_datapath, stage, priority, match, actions,
                          owner->source, &uuid);
    struct lflow *lflow = lflow_find(table, &uuid);
    if (lflow) {
        lflow->stale = false;
        return;
    }
    lflow = xzalloc(sizeof *lflow);
    lflow->owner = owner;
    lflow->uuid = uuid;
    lflow->datapath = *sb_datapath;
    lflow->stage = stage;
    lflow->priority = priority;
    lflow->match = xstrdup(match);
    lflow->actions = xstrdup(actions);
    /* A row this run was about to delete is kept instead. */
    lflow->in_sb = uuidset_find_and_delete(&table->deletes, &uuid);
    hmap_insert(&table->lflows, &lflow->hmap_node, uuid_hash(&uuid));
    ovs_list_push_back(&owner->lflows, &lflow->owner_node);
    table->stage_counts[stage]++;
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

/* Marks the SB row of 'lflow', if it has one, for deletion at the next
 * lflow_table_flush_deletes(). */
static void
lflow_delete_sb_row(struct lflow_table *table, const struct lflow *lflow)
{
    if (lflow->in_sb) {
        uuidset_insert(&table->deletes, &lflow->uuid);
    }
}

/* Inserts an SB row for 'lflow', unless SB already has it: a row with the
 * flow's UUID has the flow's content. */
static void
lflow_insert_sb_row(struct lflow *lflow, struct ovsdb_idl *sb_idl,
                    struct ovsdb_idl_txn *sb_txn)
{
    if (!sbrec_logical_flow_get_for_uuid(sb_idl, &lflow->uuid)) {
        const struct sbrec_datapath_binding *dp
            = sbrec_datapath_binding_get_for_uuid(sb_idl, &lflow->datapath);
        if (!dp) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: no SB datapath "UUID_FMT" for a flow",
                         lflow->owner->source, UUID_ARGS(&lflow->datapath));
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
        sbrec_logical_flow_set_source(row, lflow->owner->source);
    }
    lflow->in_sb = true;
    lflow_free_text(lflow);
}

/* Finishes building the current owner: forgets its flows that were not
 * added again (their SB rows are deleted at the next flush) and, unless
 * collecting, inserts its new flows in 'sb_txn'.  An owner left without
 * flows is forgotten. */
void
lflow_table_owner_end(struct lflow_table *table, struct ovsdb_idl *sb_idl,
                      struct ovsdb_idl_txn *sb_txn)
{
    struct lflow_owner *owner = table->building;
    ovs_assert(owner);
    table->building = NULL;

    struct lflow *lflow;
    LIST_FOR_EACH_SAFE (lflow, owner_node, &owner->lflows) {
        if (lflow->stale) {
            lflow_delete_sb_row(table, lflow);
            lflow_destroy(table, lflow);
        } else if (!table->collecting && !lflow->in_sb) {
            lflow_insert_sb_row(lflow, sb_idl, sb_txn);
        }
    }
    if (ovs_list_is_empty(&owner->lflows)) {
        lflow_owner_destroy(table, owner);
    }
}

/* Forgets every flow of the NB row 'nb_uuid'; their SB rows are deleted
 * at the next flush. */
void
lflow_table_owner_remove(struct lflow_table *table, const struct uuid *nb_uuid)
{
    struct lflow_owner *owner = lflow_owner_find(table, nb_uuid);
    if (owner) {
        struct lflow *lflow;
        LIST_FOR_EACH (lflow, owner_node, &owner->lflows) {
            lflow_delete_sb_row(table, lflow);
        }
        lflow_owner_destroy(table, owner);
    }
}

/* Deletes, in the open transaction, the SB rows of the flows forgotten
 * since the last flush. */
void
lflow_table_flush_deletes(struct lflow_table *table, struct ovsdb_idl *sb_idl)
{
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

/* Makes SB's Logical_Flow table equal to the desired flows, after a full
 * build in collecting mode: SB rows of desired flows are adopted
 * unchanged, other rows are deleted (at the next flush), missing flows
 * inserted.  Ends collecting mode. */
void
lflow_table_sync_full(struct lflow_table *table, struct ovsdb_idl *sb_idl,
                      struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_logical_flow *row;
    SBREC_LOGICAL_FLOW_FOR_EACH (row, sb_idl) {
        struct lflow *lflow = lflow_find(table, &row->header_.uuid);
        if (lflow) {
            lflow->in_sb = true;
            lflow_free_text(lflow);
        } else {
            /* At the flush, so that a flow wanted again within this run
             * keeps its row. */
            uuidset_insert(&table->deletes, &row->header_.uuid);
        }
    }

    struct lflow *lflow;
    HMAP_FOR_EACH (lflow, hmap_node, &table->lflows) {
        if (!lflow->in_sb) {
            lflow_insert_sb_row(lflow, sb_idl, sb_txn);
        }
    }
    table->collecting = false;
}

/* Makes 'sb_idl' replicate of the Logical_Flow table no more than northd
 * needs: which rows exist.  Their content follows from their UUIDs.
 * Call before the first ovsdb_idl_run(). */
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

/* Returns the number of desired flows. */
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

/* Returns the number of NB objects that own flows. */
size_t
lflow_table_n_owners(const struct lflow_table *table)
{
    return hmap_count(&table->owners);
}

/* Returns true if 'sb_uuid' is the SB row of a desired flow. */
bool
lflow_table_has_sb_row(const struct lflow_table *table,
                       const struct uuid *sb_uuid)
{
    const struct lflow *lflow = lflow_find(table, sb_uuid);
    return lflow && lflow->in_sb;
}
