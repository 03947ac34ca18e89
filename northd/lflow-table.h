/*
 * The desired logical-flow table and its synchronization to the SB
 * Logical_Flow and Logical_DP_Group tables.
 *
 * Owners
 * ------
 * Every logical flow northd wants is wanted by one or more owners.  An
 * owner is one unit of rebuilding: the flows that one NB object produces
 * through one owner kind (see northd/owners.h), named by a "struct
 * lflow_owner_id": the kind, the NB row's UUID and an index (a switch has
 * one owner of kind "switch" and one of kind "switch-bucket" per bucket of
 * 8 ports).  When an NB row changes, only the owners that depend on it
 * are rebuilt:
 *
 *     lflow_table_owner_begin(table, &id, "Logical_Switch_Port");
 *     lflow_table_add(table, ...);          (once per flow)
 *     lflow_table_owner_end(table, sb_idl, sb_txn);
 *
 * owner_end() compares what the owner added with what it added last time
 * and writes only the difference: flows nobody wants any more are
 * deleted, new flows inserted, unchanged flows left alone.  A flow is
 * wanted while at least one owner adds it; adding the same flow twice for
 * one owner keeps one copy.
 *
 * Flows of one datapath and flows shared through a datapath group
 * ----------------------------------------------------------------
 * lflow_table_add() adds a flow of one datapath: its SB row names the
 * datapath in "logical_datapath" and the owner's NB row in "source"
 * ("Logical_Switch_Port:<uuid>").
 *
 * lflow_table_add_shared() adds a flow that is the same in every datapath
 * that has it, whatever NB row of the owner's table produced it there (a
 * switch's default flows are the same in every switch).  Such a flow is
 * one SB row for all of its datapaths: its "source" is the owner's NB
 * table alone ("Logical_Switch": each member datapath's own row of that
 * table, Datapath_Binding:nb_uuid, produces it), its "logical_dp_group"
 * is a Logical_DP_Group row that lists the datapaths, and each datapath is
 * one of the flow's while at least one owner adds the flow for it.
 *
 * Groups are shared: there is one Logical_DP_Group row per distinct set
 * of datapaths, which every shared flow of that set references (a
 * thousand load balancers on the same hundred switches: one group).  When
 * a flow's set changes, the flow's row is made to reference the group of
 * its new set, created if there is none; flows whose set did not change
 * are not written.  When every flow of a group changes to the same set,
 * which no group has yet (a switch added to or deleted from all of them),
 * the group row changes instead, one mutation per datapath that comes or
 * goes, and no Logical_Flow row.  Logical_DP_Group is not a root table:
 * the server deletes a group row once no flow references it.
 *
 * An owner that adds the same shared flows to many datapaths (a load
 * balancer in a group on a hundred switches) builds them once, between
 * lflow_table_fanout_begin(), which names the datapaths, and
 * lflow_table_fanout_end(): each shared flow added meanwhile is added for
 * every one of them.
 *
 * Full recompute
 * --------------
 * A full recompute starts with lflow_table_clear() and
 * lflow_table_set_collecting(true): owners are then built without touching
 * SB, and lflow_table_sync_full() adopts every existing SB row of a
 * desired flow (so that an unchanged NB causes no SB write) and the group
 * it references, deletes the rest and inserts what is missing; a shared
 * flow whose group does not list its datapaths (or lists the same ones as
 * another adopted group) moves at the flush, as above.
 *
 * Row UUIDs
 * ---------
 * Each Logical_Flow row's UUID is a name-based (SHA-1, version 5) UUID of
 * the flow's content: datapath (or the mark of a shared flow), stage,
 * priority, match, actions and source (see lflow_table_flow_uuid()).  The
 * UUID alone therefore says whether an SB row is a flow northd wants, so
 * northd replicates none of the flows' contents but the group each
 * references, which does not follow from the flow (it replicates the
 * groups, which are few).  A new group's UUID is a name-based UUID of its
 * datapaths (lflow_table_group_uuid()).  The same NB compiled into an
 * empty SB gives the same SB rows down to their UUIDs.
 *
 * Writes
 * ------
 * Flows of one datapath are inserted at owner_end(); shared flows, their
 * groups and the moves between groups, and every deletion, wait for
 * lflow_table_flush(), at the end of a run, so that a flow dropped and
 * added again within one run keeps its row, and a flow is written once
 * however many owners changed its datapaths.  If a transaction fails, the caller
 * must do a full recompute.
 */
#ifndef NORTHD_LFLOW_TABLE_H
#define NORTHD_LFLOW_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pipeline.h"
#include "openvswitch/compiler.h"
#include "openvswitch/hmap.h"
#include "uuid.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct sbrec_logical_dp_group;
struct sbrec_logical_flow;

/* Names one owner of logical flows. */
struct lflow_owner_id {
    const void *kind;           /* Owner kind (a "struct nd_owner_kind *",
                                 * opaque to the table). */
    struct uuid uuid;           /* The NB row. */
    uint32_t index;             /* Which owner of that kind for the row
                                 * (a bucket), 0 if it has one. */
};

uint32_t lflow_owner_id_hash(const struct lflow_owner_id *);
bool lflow_owner_id_equals(const struct lflow_owner_id *,
                           const struct lflow_owner_id *);

/* A set of owner ids. */
struct lflow_owner_set {
    struct hmap map;            /* "struct lflow_owner_set_node"s. */
};

/* One member of a "struct lflow_owner_set". */
struct lflow_owner_set_node {
    struct hmap_node node;      /* In 'map', by lflow_owner_id_hash(). */
    struct lflow_owner_id id;   /* The owner. */
};

void lflow_owner_set_init(struct lflow_owner_set *);
void lflow_owner_set_destroy(struct lflow_owner_set *);
bool lflow_owner_set_add(struct lflow_owner_set *,
                         const struct lflow_owner_id *);
bool lflow_owner_set_contains(const struct lflow_owner_set *,
                              const struct lflow_owner_id *);
size_t lflow_owner_set_count(const struct lflow_owner_set *);

struct lflow_table *lflow_table_create(void);
void lflow_table_destroy(struct lflow_table *);
void lflow_table_clear(struct lflow_table *);
void lflow_table_set_collecting(struct lflow_table *, bool collecting);

void lflow_table_owner_begin(struct lflow_table *,
                             const struct lflow_owner_id *,
                             const char *nb_table);
void lflow_table_add(struct lflow_table *, const struct uuid *sb_datapath,
                     enum pipeline_stage, uint16_t priority,
                     const char *match, const char *actions);
void lflow_table_add_from(struct lflow_table *,
                          const struct uuid *sb_datapath,
                          enum pipeline_stage, uint16_t priority,
                          const char *match, const char *actions,
                          const char *source);
void lflow_table_add_format(struct lflow_table *,
                            const struct uuid *sb_datapath,
                            enum pipeline_stage, uint16_t priority,
                            const char *actions, const char *match_format,
                            ...)
    OVS_PRINTF_FORMAT(6, 7);
void lflow_table_add_shared(struct lflow_table *,
                            const struct uuid *sb_datapath,
                            enum pipeline_stage, uint16_t priority,
                            const char *match, const char *actions);
void lflow_table_add_shared_from(struct lflow_table *,
                                 const struct uuid *sb_datapath,
                                 enum pipeline_stage, uint16_t priority,
                                 const char *match, const char *actions,
                                 const char *source);
void lflow_table_fanout_begin(struct lflow_table *, const struct uuid *dps,
                              size_t n);
void lflow_table_fanout_end(struct lflow_table *);
void lflow_table_owner_end(struct lflow_table *, struct ovsdb_idl *sb_idl,
                           struct ovsdb_idl_txn *sb_txn);
void lflow_table_owner_remove(struct lflow_table *,
                              const struct lflow_owner_id *);

void lflow_table_sync_full(struct lflow_table *, struct ovsdb_idl *sb_idl,
                           struct ovsdb_idl_txn *sb_txn);
void lflow_table_flush(struct lflow_table *, struct ovsdb_idl *sb_idl,
                       struct ovsdb_idl_txn *sb_txn);

void lflow_table_flow_uuid(const struct uuid *sb_datapath,
                           enum pipeline_stage, uint16_t priority,
                           const char *match, const char *actions,
                           const char *source, struct uuid *);
void lflow_table_group_uuid(const struct uuid *dps, size_t n,
                            unsigned int salt, struct uuid *);
void lflow_table_sb_monitor(struct ovsdb_idl *sb_idl);

size_t lflow_table_count(const struct lflow_table *);
size_t lflow_table_count_stage(const struct lflow_table *,
                               enum pipeline_stage);
size_t lflow_table_n_owners(const struct lflow_table *);
bool lflow_table_has_owner(const struct lflow_table *,
                           const struct lflow_owner_id *);
size_t lflow_table_n_shared(const struct lflow_table *);
size_t lflow_table_n_groups(const struct lflow_table *);
uint64_t lflow_table_n_adds(const struct lflow_table *);
bool lflow_table_has_sb_row(const struct lflow_table *, const struct uuid *);
size_t lflow_table_flow_n_datapaths(const struct lflow_table *,
                                    const struct uuid *flow_uuid);
bool lflow_table_flow_has_datapath(const struct lflow_table *,
                                   const struct uuid *flow_uuid,
                                   const struct uuid *sb_datapath);
const struct uuid *lflow_table_flow_group(const struct lflow_table *,
                                         const struct uuid *flow_uuid);
bool lflow_table_group_is_current(const struct lflow_table *,
                                  const struct sbrec_logical_dp_group *);
bool lflow_table_flow_is_current(const struct lflow_table *,
                                 const struct sbrec_logical_flow *);

#endif /* northd/lflow-table.h */
