/*
 * The desired logical-flow table and its synchronization to the SB
 * Logical_Flow table.
 *
 * Every logical flow northd wants belongs to exactly one owner: the NB row
 * whose configuration produced it (a Logical_Switch for datapath-wide
 * flows, a Logical_Switch_Port for a port's flows, later a router, an ACL,
 * ...).  The owner's name, "Table:uuid", goes into the flow's "source"
 * column.  When an NB row changes, only its owner is rebuilt:
 *
 *     lflow_table_owner_begin(table, &uuid, "Logical_Switch_Port");
 *     lflow_table_add(table, ...);          (once per flow)
 *     lflow_table_owner_end(table, sb_idl, sb_txn);
 *
 * owner_end() compares the new set with the owner's previous set and
 * writes only the difference to the SB transaction: new flows are
 * inserted, flows the owner no longer produces are deleted, unchanged
 * flows are left alone.  Adding the same flow twice for one owner keeps
 * one copy.
 *
 * A full recompute starts with lflow_table_clear() and
 * lflow_table_set_collecting(true): owners are then built without touching
 * SB, and lflow_table_sync_full() adopts every existing SB row of a
 * desired flow (so that an unchanged NB causes no SB write), deletes the
 * rest and inserts what is missing.
 *
 * Each SB row's UUID is a name-based (SHA-1, version 5) UUID of the flow's
 * content: datapath, stage, priority, match, actions and owner (see
 * lflow_table_flow_uuid()).  The UUID alone therefore says whether an SB
 * row is a flow northd wants, so northd replicates none of the rows'
 * contents: it neither downloads them at start-up nor gets back what it
 * wrote.  The same NB gives the same SB rows down to their UUIDs.  Rows
 * deleted during a run are deleted only by lflow_table_flush_deletes(),
 * so that a flow dropped and added again within one run keeps its row.
 * If a transaction fails, the caller must do a full recompute.
 */
#ifndef NORTHD_LFLOW_TABLE_H
#define NORTHD_LFLOW_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pipeline.h"
#include "openvswitch/compiler.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct uuid;

struct lflow_table *lflow_table_create(void);
void lflow_table_destroy(struct lflow_table *);
void lflow_table_clear(struct lflow_table *);
void lflow_table_set_collecting(struct lflow_table *, bool collecting);

void lflow_table_owner_begin(struct lflow_table *, const struct uuid *nb_uuid,
                             const char *nb_table);
void lflow_table_add(struct lflow_table *, const struct uuid *sb_datapath,
                     enum pipeline_stage, uint16_t priority,
                     const char *match, const char *actions);
void lflow_table_add_format(struct lflow_table *,
                            const struct uuid *sb_datapath,
                            enum pipeline_stage, uint16_t priority,
                            const char *actions, const char *match_format,
                            ...)
    OVS_PRINTF_FORMAT(6, 7);
void lflow_table_owner_end(struct lflow_table *, struct ovsdb_idl *sb_idl,
                           struct ovsdb_idl_txn *sb_txn);
void lflow_table_owner_remove(struct lflow_table *,
                              const struct uuid *nb_uuid);

void lflow_table_sync_full(struct lflow_table *, struct ovsdb_idl *sb_idl,
                           struct ovsdb_idl_txn *sb_txn);
void lflow_table_flush_deletes(struct lflow_table *, struct ovsdb_idl *sb_idl);

void lflow_table_flow_uuid(const struct uuid *sb_datapath,
                           enum pipeline_stage, uint16_t priority,
                           const char *match, const char *actions,
                           const char *source, struct uuid *);
void lflow_table_sb_monitor(struct ovsdb_idl *sb_idl);

size_t lflow_table_count(const struct lflow_table *);
size_t lflow_table_count_stage(const struct lflow_table *,
                               enum pipeline_stage);
size_t lflow_table_n_owners(const struct lflow_table *);
bool lflow_table_has_sb_row(const struct lflow_table *, const struct uuid *);

#endif /* northd/lflow-table.h */
