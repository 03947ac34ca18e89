#include <config.h>

#include "northd/northd.h"

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "northd/change-index.h"
#include "northd/dp-kinds.h"
#include "northd/gateways.h"
#include "northd/nat-addresses.h"
#include "northd/lflow-lb.h"
#include "northd/sb-address-sets.h"
#include "northd/lflow-table.h"
#include "northd/owners.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
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
    nd->deps = change_index_create();
    nd_colors_init(&nd->colors);
    nd_svc_monitors_init(&nd->svc);
    nd_bfd_init(&nd->bfd);
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
        change_index_destroy(nd->deps);
        nd_colors_destroy(&nd->colors);
        nd_svc_monitors_destroy(&nd->svc);
        nd_bfd_destroy(&nd->bfd);
        uuidset_destroy(&nd->up_pending);
    }
}

/* Returns true if someone other than northd inserted, deleted or changed
 * an SB row that northd owns, as tracked since the last run. */
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
            : sbrec_logical_flow_is_new(lf) ? !ours
            : !lflow_table_flow_is_current(nd->lflows, lf)) {
            return true;
        }
    }
    const struct sbrec_logical_dp_group *group;
    SBREC_LOGICAL_DP_GROUP_FOR_EACH_TRACKED (group, sb) {
        if (!sbrec_logical_dp_group_is_deleted(group)
            && !lflow_table_group_is_current(nd->lflows, group)) {
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

/* Returns a context for building owners of 'nd' within 'ctx'. */
static struct nd_build_ctx
build_ctx(struct northd *nd, const struct nd_sync_ctx *ctx)
{
    return (struct nd_build_ctx) {
        .lflows = nd->lflows,
        .deps = nd->deps,
        .dps = &nd->dps,
        .nb_idl = ctx->nb_idl,
        .sb_idl = ctx->sb_idl,
        .sb_txn = ctx->sb_txn,
        .colors = &nd->colors,
        .svc = &nd->svc,
        .bfd = &nd->bfd,
        .symbolic_sets = nd->symbolic_sets,
    };
}

/* Rebuilds the owners that 'changes' and the tracked NB rows make stale.
 * Returns true if there was any. */
static bool
build_changed_flows(struct northd *nd, const struct nd_sync_ctx *ctx,
                    const struct nd_changes *changes)
{
    struct nd_build_ctx bctx = build_ctx(nd, ctx);
    struct lflow_owner_set owners;
    lflow_owner_set_init(&owners);
    nd_owners_collect(&bctx, changes, &owners);
    uint64_t n_adds = lflow_table_n_adds(nd->lflows);
    nd_owners_build(&bctx, &owners);
    if (bctx.n_built) {
        nd->last_owners_built = bctx.n_built;
        nd->last_flows_added = lflow_table_n_adds(nd->lflows) - n_adds;
        memcpy(nd->last_owners_by_kind, bctx.n_built_by_kind,
               sizeof nd->last_owners_by_kind);
    }
    lflow_owner_set_destroy(&owners);

    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->ports) {
        const struct nd_port *op = node->data;
        uuidset_insert(&nd->up_pending, &op->nb_uuid);
    }
    return bctx.n_built > 0;
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
    struct nd_build_ctx bctx = build_ctx(nd, &ctx);
    uint64_t n_adds = lflow_table_n_adds(nd->lflows);
    for (size_t i = 0; i < max_datapaths; i++) {
        struct hmap_node *node = hmap_at_position(&nd->dps.datapaths,
                                                  &nd->build_position);
        if (!node) {
            nd->flows_built = true;
            break;
        }
        const struct nd_datapath *od = CONTAINER_OF(node, struct nd_datapath,
                                                    node);
        nd_owners_build_datapath(&bctx, od);
    }
    nd->last_owners_built += bctx.n_built;
    nd->last_flows_added += lflow_table_n_adds(nd->lflows) - n_adds;
    for (size_t i = 0; i < ND_MAX_OWNER_KINDS; i++) {
        nd->last_owners_by_kind[i] += bctx.n_built_by_kind[i];
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
    if (!full && nd->symbolic_sets
        != sbrec_server_has_address_set_table(ctx->sb_idl)) {
        /* The server's schema changed: matches name sets, or stop. */
        full = true;
    }
    if (full) {
        VLOG_DBG("full recompute");
        nd->symbolic_sets = sbrec_server_has_address_set_table(ctx->sb_idl);
        lflow_table_clear(nd->lflows);
        change_index_clear(nd->deps);
        /* The NB changes of the runs it missed are not tracked any more. */
        lflow_lb_index_invalidate();
        lflow_table_set_collecting(nd->lflows, true);
        nd->last_owners_built = 0;
        nd->last_flows_added = 0;
        memset(nd->last_owners_by_kind, 0, sizeof nd->last_owners_by_kind);
        struct uuidset gone = UUIDSET_INITIALIZER(&gone);
        sb_datapaths_update_set(ctx->sb_idl, &gone, false);
        nd_datapaths_sync_full(&nd->dps, ctx, &changes);
        sb_datapaths_update_set(ctx->sb_idl, &gone, true);
        nd_colors_sync(&nd->colors, ctx->nb_idl, ctx->sb_idl, ctx->sb_txn);
        nd_gateways_sync(&nd->dps, ctx->nb_idl, ctx->sb_idl, ctx->sb_txn);
        nd_nat_addresses_sync(&nd->dps, ctx->nb_idl, ctx->sb_idl);
        nd_address_sets_sync(ctx->nb_idl, ctx->sb_idl, ctx->sb_txn, true);
        nd_svc_monitors_sync(&nd->svc, ctx->nb_idl, ctx->sb_idl,
                             ctx->sb_txn);
        nd_bfd_sync(&nd->bfd, ctx->nb_idl, ctx->sb_idl, ctx->sb_txn);
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
            lflow_table_flush(nd->lflows, ctx->sb_idl, ctx->sb_txn);
        }
        uuidset_destroy(&gone);
        return;
    }
    if (nd->flows_pending) {
        finish_full(nd, ctx);
        start = time_usec();
    }

    nd_datapaths_sync_incremental(&nd->dps, ctx, &changes);
    nd_gateways_sync(&nd->dps, ctx->nb_idl, ctx->sb_idl, ctx->sb_txn);
    nd_nat_addresses_sync(&nd->dps, ctx->nb_idl, ctx->sb_idl);
    nd_address_sets_sync(ctx->nb_idl, ctx->sb_idl, ctx->sb_txn, false);
    if (nd_svc_monitors_sync(&nd->svc, ctx->nb_idl, ctx->sb_idl,
                             ctx->sb_txn)) {
        /* A backend went offline or came back: its VIPs' flows are
         * rebuilt by a full recompute, as rare as backends failing. */
        nd->need_full = true;
        poll_immediate_wake();
    }
    if (nd_bfd_sync(&nd->bfd, ctx->nb_idl, ctx->sb_idl, ctx->sb_txn)) {
        /* A BFD session came up or went down, or a port gained or lost
         * its sessions: the routers' flows are rebuilt by a full
         * recompute, as rare as next hops failing. */
        nd->need_full = true;
        poll_immediate_wake();
    }
    if (nd_colors_changed(ctx->nb_idl, ctx->sb_idl)
        && nd_colors_sync(&nd->colors, ctx->nb_idl, ctx->sb_idl, ctx->sb_txn)
        && !nbrec_color_track_get_first(ctx->nb_idl)
        && !nbrec_flow_class_track_get_first(ctx->nb_idl)) {
        /* A colour or rule number changed without an NB change (a client
         * other than northd changed SB): the colour flows that use it
         * are rebuilt by a full recompute. */
        nd->need_full = true;
        poll_immediate_wake();
    }
    if (build_changed_flows(nd, ctx, &changes)) {
        nd->last_compile_wall = time_wall_msec();
        nd->last_compile_usec = time_usec() - start;
        nd->last_compile_full = false;
        nd->n_incremental++;
        VLOG_DBG("incremental compile took %lld us", nd->last_compile_usec);
    }
    lflow_table_flush(nd->lflows, ctx->sb_idl, ctx->sb_txn);
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
    ds_put_format(out, "datapath groups: %"PRIuSIZE"\n",
                  lflow_table_n_groups(nd->lflows));
    ds_put_format(out, "flow owners: %"PRIuSIZE"\n",
                  lflow_table_n_owners(nd->lflows));
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
        ds_put_format(out, "last compile built: %"PRIu64" owners, %"PRIu64
                      " flows\n", nd->last_owners_built,
                      nd->last_flows_added);
        ds_put_cstr(out, "last compile owners: ");
        nd_owners_format_built(nd->last_owners_by_kind, out);
        ds_put_char(out, '\n');
    } else {
        ds_put_cstr(out, "last compile: none\n");
    }
    ds_put_format(out, "compiles: %"PRIu64" full, %"PRIu64" incremental\n",
                  nd->n_full, nd->n_incremental);
    ds_put_format(out, "sb transactions: %"PRIu64"\n", nd->n_sb_txns);
    ds_put_format(out, "nb transactions: %"PRIu64"\n", nd->n_nb_txns);
}
