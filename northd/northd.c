#include <config.h>

#include "northd/northd.h"

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-switch.h"
#include "northd/lflow-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(northd);

/* Initializes 'nd': no state, first run is a full recompute. */
void
northd_init(struct northd *nd)
{
    memset(nd, 0, sizeof *nd);
    nd_datapaths_init(&nd->dps);
    nd->lflows = lflow_table_create();
    nd->need_full = true;
    uuidset_init(&nd->up_pending);
}

/* Frees what 'nd' owns. */
void
northd_destroy(struct northd *nd)
{
    if (nd) {
        nd_datapaths_destroy(&nd->dps);
        lflow_table_destroy(nd->lflows);
        uuidset_destroy(&nd->up_pending);
    }
}

/* Returns true if someone other than northd inserted or deleted an SB row
 * that northd owns, as tracked since the last run. */
static bool
sb_changed_behind_our_back(const struct northd *nd, struct ovsdb_idl *sb)
{
    const struct sbrec_datapath_binding *dp;
    SBREC_DATAPATH_BINDING_FOR_EACH_TRACKED (dp, sb) {
        const struct nd_datapath *od = nd_datapath_find(&nd->dps,
                                                        &dp->nb_uuid);
        bool ours = od && uuid_equals(&od->sb_uuid, &dp->header_.uuid);
        if (sbrec_datapath_binding_is_deleted(dp) ? ours
            : sbrec_datapath_binding_is_new(dp) && !ours) {
            return true;
        }
    }
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH_TRACKED (pb, sb) {
        const struct nd_port *op = nd_port_find(&nd->dps, &pb->nb_uuid);
        bool ours = op && uuid_equals(&op->sb_uuid, &pb->header_.uuid);
        if (sbrec_port_binding_is_deleted(pb) ? ours
            : sbrec_port_binding_is_new(pb) && !ours) {
            return true;
        }
    }
    const struct sbrec_logical_flow *lf;
    SBREC_LOGICAL_FLOW_FOR_EACH_TRACKED (lf, sb) {
        bool ours = lflow_table_has_sb_row(nd->lflows, &lf->header_.uuid);
        if (sbrec_logical_flow_is_deleted(lf) ? ours
            : sbrec_logical_flow_is_new(lf) && !ours) {
            return true;
        }
    }
    const struct sbrec_multicast_group *mg;
    SBREC_MULTICAST_GROUP_FOR_EACH_TRACKED (mg, sb) {
        if (sbrec_multicast_group_is_new(mg)
            && !sbrec_multicast_group_is_deleted(mg)) {
            const struct nd_datapath *od
                = (mg->datapath
                   ? nd_datapath_find(&nd->dps, &mg->datapath->nb_uuid)
                   : NULL);
            bool ours = false;
            for (int i = 0; od && i < ND_N_MCAST; i++) {
                ours |= uuid_equals(&od->mc_uuids[i], &mg->header_.uuid);
            }
            if (!ours) {
                return true;
            }
        }
    }
    return false;
}

/* Notes the ports whose Port_Binding the controller changed, so that
 * their NB "up" is re-checked. */
static void
collect_port_binding_changes(struct northd *nd, struct ovsdb_idl *sb)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH_TRACKED (pb, sb) {
        if (!sbrec_port_binding_is_deleted(pb)) {
            uuidset_insert(&nd->up_pending, &pb->nb_uuid);
        }
    }
}

/* Rebuilds the flows of datapath 'od' (switch-owned flows; routers have
 * none yet). */
static void
build_datapath_flows(struct northd *nd, const struct nd_datapath *od,
                     const struct nd_sync_ctx *ctx)
{
    if (od->kind != &nd_dp_switch) {
        return;
    }
    lflow_table_owner_begin(nd->lflows, &od->nb_uuid, "Logical_Switch");
    lflow_switch_build_datapath(nd->lflows, od, ctx->nb_idl);
    lflow_table_owner_end(nd->lflows, ctx->sb_idl, ctx->sb_txn);
}

/* Rebuilds the flows port 'op' owns (a switch port's; router ports have
 * none yet). */
static void
build_port_flows(struct northd *nd, const struct nd_port *op,
                 const struct nd_sync_ctx *ctx)
{
    if (op->dp->kind != &nd_dp_switch) {
        return;
    }
    const struct nbrec_logical_switch_port *lsp
        = nbrec_logical_switch_port_get_for_uuid(ctx->nb_idl, &op->nb_uuid);
    lflow_table_owner_begin(nd->lflows, &op->nb_uuid, "Logical_Switch_Port");
    if (lsp) {
        lflow_switch_build_port(nd->lflows, op, lsp);
    }
    lflow_table_owner_end(nd->lflows, ctx->sb_idl, ctx->sb_txn);
}

/* Returns true if 'changes' holds any change. */
static bool
changes_any(const struct nd_changes *changes)
{
    return (!hmapx_is_empty(&changes->datapaths)
            || !hmapx_is_empty(&changes->ports)
            || !ovs_list_is_empty(&changes->removed_dps)
            || !ovs_list_is_empty(&changes->removed_ports));
}

/* Rebuilds the flows of the datapaths and ports in 'changes': the flows of
 * the ports that changed, and all of the flows of their switches. */
static void
build_changed_flows(struct northd *nd, const struct nd_sync_ctx *ctx,
                    const struct nd_changes *changes)
{
    struct hmapx dps = HMAPX_INITIALIZER(&dps);
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &changes->removed_ports) {
        lflow_table_owner_remove(nd->lflows, &op->nb_uuid);
        if (nd_datapath_find(&nd->dps, &op->dp->nb_uuid) == op->dp) {
            hmapx_add(&dps, op->dp);
        }
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        lflow_table_owner_remove(nd->lflows, &od->nb_uuid);
    }

    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->datapaths) {
        hmapx_add(&dps, node->data);
    }
    HMAPX_FOR_EACH (node, &changes->ports) {
        op = node->data;
        hmapx_add(&dps, op->dp);
    }
    HMAPX_FOR_EACH (node, &dps) {
        build_datapath_flows(nd, node->data, ctx);
    }
    hmapx_destroy(&dps);
    HMAPX_FOR_EACH (node, &changes->ports) {
        op = node->data;
        build_port_flows(nd, op, ctx);
        uuidset_insert(&nd->up_pending, &op->nb_uuid);
    }
}

/* Second step of a full recompute (see northd_run()): builds the flows
 * of up to 'max_datapaths' more datapaths (and their ports) in collecting
 * mode, which reads only NB and northd's own state, so it can run while
 * the first step's SB transaction is in flight.  Building a slice at a
 * time lets the main loop go on sending that transaction meanwhile.  Does
 * nothing unless that step is done and the flows are not built yet. */
void
northd_build_pending(struct northd *nd, struct ovsdb_idl *nb_idl,
                     size_t max_datapaths)
{
    if (!nd->flows_pending || nd->flows_built) {
        return;
    }
    long long int start = time_usec();
    const struct nd_sync_ctx ctx = { .nb_idl = nb_idl };
    for (size_t i = 0; i < max_datapaths; i++) {
        struct hmap_node *node = hmap_at_position(&nd->dps.datapaths,
                                                  &nd->build_position);
        if (!node) {
            nd->flows_built = true;
            break;
        }
        const struct nd_datapath *od = CONTAINER_OF(node, struct nd_datapath,
                                                    node);
        build_datapath_flows(nd, od, &ctx);
        const struct nd_port *op;
        LIST_FOR_EACH (op, dp_node, &od->ports) {
            build_port_flows(nd, op, &ctx);
        }
    }
    nd->full_usec += time_usec() - start;
}

/* Returns true while a full recompute has synced the datapaths, ports and
 * multicast groups but not yet the logical flows: SB_Global's nb_cfg must
 * not move on meanwhile. */
bool
northd_flows_pending(const struct northd *nd)
{
    return nd->flows_pending;
}

/* Makes the next run a full recompute, dropping one under way (northd is
 * no longer in charge, or lost NB: what it built may be stale). */
void
northd_abandon_full(struct northd *nd)
{
    nd->need_full = true;
    nd->flows_pending = false;
    nd->flows_built = false;
}

/* Returns true if a full recompute has built its flows (or none is under
 * way). */
bool
northd_flows_built(const struct northd *nd)
{
    return !nd->flows_pending || nd->flows_built;
}

/* Adds the UUIDs of the SB Datapath_Binding rows in 'sb' (as the open
 * transaction leaves them) to 'set', or with 'remove' takes them out. */
static void
sb_datapaths_update_set(struct ovsdb_idl *sb, struct uuidset *set,
                        bool remove)
{
    const struct sbrec_datapath_binding *dp;
    SBREC_DATAPATH_BINDING_FOR_EACH (dp, sb) {
        if (remove) {
            uuidset_find_and_delete(set, &dp->header_.uuid);
        } else {
            uuidset_insert(set, &dp->header_.uuid);
        }
    }
}

/* Last step of a full recompute: makes SB's logical flows those built. */
static void
finish_full(struct northd *nd, const struct nd_sync_ctx *ctx)
{
    northd_build_pending(nd, ctx->nb_idl, SIZE_MAX);
    long long int start = time_usec();
    lflow_table_sync_full(nd->lflows, ctx->sb_idl, ctx->sb_txn);
    nd->flows_pending = false;
    nd->full_just_finished = true;
    nd->last_compile_wall = time_wall_msec();
    nd->last_compile_usec = nd->full_usec + (time_usec() - start);
    nd->last_compile_full = true;
    nd->n_full++;
    VLOG_DBG("full compile took %lld us", nd->last_compile_usec);
}

/* Brings SB in step with NB within 'ctx->sb_txn', incrementally when it
 * can.  The caller clears the IDLs' change tracking afterward.
 *
 * A full recompute on a cold start (no logical flow in SB) takes three
 * steps, so that building the logical flows, the longest part, overlaps
 * with ovsdb-server committing the rest: this call syncs the datapaths,
 * ports and multicast groups in 'ctx->sb_txn'; northd_build_pending()
 * builds the flows while that transaction is in flight; the next call
 * puts the flows in SB (and then does the incremental work of whatever NB
 * changed meanwhile).  In between, northd_flows_pending() is true.  Any
 * other full recompute does all of it in this call's transaction. */
void
northd_run(struct northd *nd, const struct nd_sync_ctx *ctx)
{
    bool full = nd->need_full || sb_changed_behind_our_back(nd, ctx->sb_idl);
    nd->need_full = false;
    long long int start = time_usec();

    collect_port_binding_changes(nd, ctx->sb_idl);

    struct nd_changes changes;
    nd_changes_init(&changes);
    if (full) {
        VLOG_DBG("full recompute");
        lflow_table_clear(nd->lflows);
        lflow_table_set_collecting(nd->lflows, true);
        struct uuidset gone = UUIDSET_INITIALIZER(&gone);
        sb_datapaths_update_set(ctx->sb_idl, &gone, false);
        nd_datapaths_sync_full(&nd->dps, ctx, &changes);
        sb_datapaths_update_set(ctx->sb_idl, &gone, true);
        nd->up_all = true;
        nd->flows_pending = true;
        nd->flows_built = false;
        memset(&nd->build_position, 0, sizeof nd->build_position);
        nd->full_usec = time_usec() - start;
        nd_changes_destroy(&changes);
        /* Only a cold start, with no logical flow in SB yet, takes two
         * transactions: between them, controllers see ports without
         * flows, which drop their traffic.  With flows in SB, the new rows
         * of the first transaction would meet the old flows (a reused port
         * key with another port's port security, say).  And logical flows
         * refer to their datapath: deleting a datapath must go with
         * deleting its flows. */
        if (!uuidset_is_empty(&gone)
            || sbrec_logical_flow_first(ctx->sb_idl)) {
            finish_full(nd, ctx);
            lflow_table_flush_deletes(nd->lflows, ctx->sb_idl);
        }
        uuidset_destroy(&gone);
        return;
    }
    if (nd->flows_pending) {
        finish_full(nd, ctx);
        start = time_usec();
    }

    nd_datapaths_sync_incremental(&nd->dps, ctx, &changes);
    if (changes_any(&changes)) {
        build_changed_flows(nd, ctx, &changes);
        nd->last_compile_wall = time_wall_msec();
        nd->last_compile_usec = time_usec() - start;
        nd->last_compile_full = false;
        nd->n_incremental++;
        VLOG_DBG("incremental compile took %lld us", nd->last_compile_usec);
    }
    lflow_table_flush_deletes(nd->lflows, ctx->sb_idl);
    nd_changes_destroy(&changes);
}

/* Appends to 'out' the counts "northd/counts" reports. */
void
northd_format_counts(const struct northd *nd, struct ds *out)
{
    ds_put_format(out, "datapaths: %"PRIuSIZE"\n",
                  hmap_count(&nd->dps.datapaths));
    for (size_t i = 0; i < nd_n_dp_kinds; i++) {
        ds_put_format(out, "  %s: %"PRIuSIZE"\n", nd_dp_kinds[i]->plural,
                      nd_datapaths_count_kind(&nd->dps, nd_dp_kinds[i]));
    }
    ds_put_format(out, "ports: %"PRIuSIZE"\n", hmap_count(&nd->dps.ports));
    ds_put_format(out, "logical flows: %"PRIuSIZE"\n",
                  lflow_table_count(nd->lflows));
    for (enum pipeline_stage s = 0; s < N_PIPELINE_STAGES; s++) {
        size_t n = lflow_table_count_stage(nd->lflows, s);
        if (n) {
            ds_put_format(out, "  %s: %"PRIuSIZE"\n",
                          pipeline_stage_info(s)->name, n);
        }
    }
    if (nd->last_compile_wall) {
        ds_put_format(out, "last compile: %s, ",
                      nd->last_compile_full ? "full" : "incremental");
        ds_put_strftime_msec(out, "%Y-%m-%dT%H:%M:%S.###Z",
                             nd->last_compile_wall, true);
        ds_put_format(out, ", %.3f ms\n", nd->last_compile_usec / 1000.0);
    } else {
        ds_put_cstr(out, "last compile: none\n");
    }
    ds_put_format(out, "compiles: %"PRIu64" full, %"PRIu64" incremental\n",
                  nd->n_full, nd->n_incremental);
    ds_put_format(out, "sb transactions: %"PRIu64"\n", nd->n_sb_txns);
    ds_put_format(out, "nb transactions: %"PRIu64"\n", nd->n_nb_txns);
}
