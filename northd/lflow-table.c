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
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(lflow_table);

/* One desired logical flow. */
struct lflow {
    struct hmap_node hmap_node;   /* In lflow_table's 'lflows', by content. */
    struct hmap_node sb_node;     /* In 'by_sb_uuid' once it has a row. */
    struct ovs_list owner_node;   /* In its owner's 'lflows'. */
    struct lflow_owner *owner;    /* The NB object that produced it. */
    struct uuid datapath;         /* SB Datapath_Binding row. */
    enum pipeline_stage stage;    /* Logical stage. */
    uint16_t priority;            /* OpenFlow priority. */
    char *match;                  /* ovs-ofctl match. */
    char *actions;                /* ovs-ofctl actions. */
    struct uuid sb_uuid;          /* SB row, all-zero if none yet. */
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
    struct hmap lflows;           /* "struct lflow"s, by content hash. */
    struct hmap by_sb_uuid;       /* "struct lflow"s with an SB row. */
    struct hmap owners;           /* "struct lflow_owner"s, by uuid. */
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
    hmap_init(&table->by_sb_uuid);
    hmap_init(&table->owners);
    return table;
}

/* Removes 'lflow' from 'table' and frees it (SB is not touched). */
static void
lflow_destroy(struct lflow_table *table, struct lflow *lflow)
{
    hmap_remove(&table->lflows, &lflow->hmap_node);
    if (!uuid_is_zero(&lflow->sb_uuid)) {
        hmap_remove(&table->by_sb_uuid, &lflow->sb_node);
    }
    ovs_list_remove(&lflow->owner_node);
    table->stage_counts[lflow->stage]--;
    free(lflow->match);
    free(lflow->actions);
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

/* Forgets every flow and owner (SB is not touched). */
void
lflow_table_clear(struct lflow_table *table)
{
    struct lflow_owner *owner;
    HMAP_FOR_EACH_SAFE (owner, hmap_node, &table->owners) {
        lflow_owner_destroy(table, owner);
    }
    table->building = NULL;
}

/* Frees 'table' (SB is not touched). */
void
lflow_table_destroy(struct lflow_table *table)
{
    if (table) {
        lflow_table_clear(table);
        hmap_destroy(&table->lflows);
        hmap_destroy(&table->by_sb_uuid);
        hmap_destroy(&table->owners);
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

/* Hashes the content of a flow, the key of lflow_table's 'lflows'. */
static uint32_t
lflow_hash(const struct uuid *datapath, enum pipeline_stage stage,
           uint16_t priority, const char *match, const char *actions,
           const struct uuid *owner)
{
    uint32_t hash = uuid_hash(datapath);
    hash = hash_add(hash, stage);
    hash = hash_add(hash, priority);
    hash = hash_add(hash, uuid_hash(owner));
    hash = hash_string(match, hash);
    return hash_string(actions, hash);
}

/* Returns the flow of 'owner' with this content, or NULL.  With
 * 'want_unsynced', only a flow without an SB row qualifies. */
static struct lflow *
lflow_find(const struct lflow_table *table, uint32_t hash,
           const struct uuid *datapath, enum pipeline_stage stage,
           uint16_t priority, const char *match, const char *actions,
           const struct lflow_owner *owner, bool want_unsynced)
{
    struct lflow *lflow;
    HMAP_FOR_EACH_WITH_HASH (lflow, hmap_node, hash, &table->lflows) {
        if (lflow->owner == owner
            && lflow->stage == stage
            && lflow->priority == priority
            && uuid_equals(&lflow->datapath, datapath)
            && !strcmp(lflow->match, match)
            && !strcmp(lflow->actions, actions)
            && (!want_unsynced || uuid_is_zero(&lflow->sb_uuid))) {
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
    uint32_t hash = lflow_hash(sb_datapath, stage, priority, match, actions,
                               &owner->nb_uuid);
    struct lflow *lflow = lflow_find(table, hash, sb_datapath, stage,
                                     priority, match, actions, owner, false);
    if (lflow) {
        lflow->stale = false;
        return;
    }
    lflow = xzalloc(sizeof *lflow);
    lflow->owner = owner;
    lflow->datapath = *sb_datapath;
    lflow->stage = stage;
    lflow->priority = priority;
    lflow->match = xstrdup(match);
    lflow->actions = xstrdup(actions);
    hmap_insert(&table->lflows, &lflow->hmap_node, hash);
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

/* Deletes the SB row of 'lflow', if it has one, in the open transaction. */
static void
lflow_delete_sb_row(struct lflow_table *table, struct lflow *lflow,
                    struct ovsdb_idl *sb_idl)
{
    if (!uuid_is_zero(&lflow->sb_uuid)) {
        const struct sbrec_logical_flow *row
            = sbrec_logical_flow_get_for_uuid(sb_idl, &lflow->sb_uuid);
        if (row) {
            sbrec_logical_flow_delete(row);
        }
        hmap_remove(&table->by_sb_uuid, &lflow->sb_node);
        lflow->sb_uuid = UUID_ZERO;
    }
}

/* Inserts an SB row for 'lflow', with a UUID chosen here. */
static void
lflow_insert_sb_row(struct lflow_table *table, struct lflow *lflow,
                    struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_datapath_binding *dp
        = sbrec_datapath_binding_get_for_uuid(sb_idl, &lflow->datapath);
    if (!dp) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: no SB datapath "UUID_FMT" for a flow",
                     lflow->owner->source, UUID_ARGS(&lflow->datapath));
        return;
    }
    const struct pipeline_stage_info *info = pipeline_stage_info(lflow->stage);
    uuid_generate(&lflow->sb_uuid);
    struct sbrec_logical_flow *row
        = sbrec_logical_flow_insert_persist_uuid(sb_txn, &lflow->sb_uuid);
    sbrec_logical_flow_set_logical_datapath(row, dp);
    sbrec_logical_flow_set_pipeline(row, pipeline_to_string(info->pipeline));
    sbrec_logical_flow_set_table_id(row, info->table_id);
    sbrec_logical_flow_set_stage(row, info->name);
    sbrec_logical_flow_set_priority(row, lflow->priority);
    sbrec_logical_flow_set_match(row, lflow->match);
    sbrec_logical_flow_set_actions(row, lflow->actions);
    sbrec_logical_flow_set_source(row, lflow->owner->source);
    hmap_insert(&table->by_sb_uuid, &lflow->sb_node,
                uuid_hash(&lflow->sb_uuid));
}

/* Finishes building the current owner: deletes its flows that were not
 * added again and, unless collecting, writes the difference to
 * 'sb_txn'.  An owner left without flows is forgotten. */
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
            lflow_delete_sb_row(table, lflow, sb_idl);
            lflow_destroy(table, lflow);
        } else if (!table->collecting && uuid_is_zero(&lflow->sb_uuid)) {
            lflow_insert_sb_row(table, lflow, sb_idl, sb_txn);
        }
    }
    if (ovs_list_is_empty(&owner->lflows)) {
        lflow_owner_destroy(table, owner);
    }
}

/* Deletes every flow of the NB row 'nb_uuid' (from SB too). */
void
lflow_table_owner_remove(struct lflow_table *table, const struct uuid *nb_uuid,
                         struct ovsdb_idl *sb_idl)
{
    struct lflow_owner *owner = lflow_owner_find(table, nb_uuid);
    if (owner) {
        struct lflow *lflow;
        LIST_FOR_EACH (lflow, owner_node, &owner->lflows) {
            lflow_delete_sb_row(table, lflow, sb_idl);
        }
        lflow_owner_destroy(table, owner);
    }
}

/* Returns the owner named by an SB row's 'source' column, or NULL. */
static struct lflow_owner *
lflow_owner_from_source(const struct lflow_table *table, const char *source)
{
    const char *colon = strrchr(source, ':');
    struct uuid nb_uuid;
    if (!colon || !uuid_from_string(&nb_uuid, colon + 1)) {
        return NULL;
    }
    struct lflow_owner *owner = lflow_owner_find(table, &nb_uuid);
    return owner && !strcmp(owner->source, source) ? owner : NULL;
}

/* Returns the stage of an SB row, or N_PIPELINE_STAGES if it names
 * none. */
static enum pipeline_stage
lflow_stage_from_row(const struct sbrec_logical_flow *row)
{
    enum pipeline pipeline;
    if (!pipeline_from_string(row->pipeline, &pipeline)) {
        return N_PIPELINE_STAGES;
    }
    for (enum pipeline_stage s = 0; s < N_PIPELINE_STAGES; s++) {
        const struct pipeline_stage_info *info = pipeline_stage_info(s);
        if (info->pipeline == pipeline && info->table_id == row->table_id
            && !strcmp(info->name, row->stage)) {
            return s;
        }
    }
    return N_PIPELINE_STAGES;
}

/* Makes SB's Logical_Flow table equal to the desired flows, after a full
 * build in collecting mode: SB rows equal to a desired flow are adopted
 * unchanged, other rows are deleted, missing flows inserted.  Ends
 * collecting mode. */
void
lflow_table_sync_full(struct lflow_table *table, struct ovsdb_idl *sb_idl,
                      struct ovsdb_idl_txn *sb_txn)
{
    const struct sbrec_logical_flow *row;
    SBREC_LOGICAL_FLOW_FOR_EACH (row, sb_idl) {
        struct lflow_owner *owner = lflow_owner_from_source(table,
                                                            row->source);
        enum pipeline_stage stage = lflow_stage_from_row(row);
        struct lflow *lflow = NULL;
        if (owner && stage < N_PIPELINE_STAGES && row->logical_datapath
            && row->priority >= 0 && row->priority <= UINT16_MAX) {
            const struct uuid *dp = &row->logical_datapath->header_.uuid;
            uint32_t hash = lflow_hash(dp, stage, row->priority, row->match,
                                       row->actions, &owner->nb_uuid);
            lflow = lflow_find(table, hash, dp, stage, row->priority,
                               row->match, row->actions, owner, true);
        }
        if (lflow) {
            lflow->sb_uuid = row->header_.uuid;
            hmap_insert(&table->by_sb_uuid, &lflow->sb_node,
                        uuid_hash(&lflow->sb_uuid));
        } else {
            sbrec_logical_flow_delete(row);
        }
    }

    struct lflow *lflow;
    HMAP_FOR_EACH (lflow, hmap_node, &table->lflows) {
        if (uuid_is_zero(&lflow->sb_uuid)) {
            lflow_insert_sb_row(table, lflow, sb_idl, sb_txn);
        }
    }
    table->collecting = false;
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
    const struct lflow *lflow;
    HMAP_FOR_EACH_WITH_HASH (lflow, sb_node, uuid_hash(sb_uuid),
                             &table->by_sb_uuid) {
        if (uuid_equals(&lflow->sb_uuid, sb_uuid)) {
            return true;
        }
    }
    return false;
}
