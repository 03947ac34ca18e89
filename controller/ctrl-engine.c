#include <config.h>

#include "controller/ctrl-engine.h"

#include <stdlib.h>
#include <string.h>

#include "controller/chassis.h"
#include "controller/desired.h"
#include "controller/encaps.h"
#include "controller/gateway.h"
#include "controller/lflow.h"
#include "controller/physical.h"
#include "controller/runtime.h"
#include "lib/osmotic-sb-idl.h"

#include "bitmap.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(ctrl_engine);

/* The nodes, in run order. */
enum ctrl_node {
    N_IN_OVS,                   /* Local Open_vSwitch database. */
    N_IN_SB_CHASSIS,            /* Chassis and Encap. */
    N_IN_SB_DP,                 /* Datapath_Binding. */
    N_IN_SB_PB,                 /* Port_Binding. */
    N_IN_SB_MG,                 /* Multicast_Group. */
    N_IN_SB_LF,                 /* Logical_Flow. */
    N_IN_SB_DPG,                /* Logical_DP_Group. */
    N_IN_SB_COLOR,              /* Color and Color_Promotion. */
    N_IN_SB_ROUTING,            /* Rampout and MAC_Binding. */
    N_IN_SB_SVC_MON,            /* Service_Monitor. */
    N_IN_SB_AS,                 /* Address_Set. */
    N_TUNNELS,                  /* Tunnel ports and their OpenFlow ports. */
    N_RUNTIME,                  /* Bindings, local datapaths, zones. */
    N_LFLOW,                    /* Flows of the logical flows. */
    N_PHYSICAL,                 /* Physical flows. */
};
BUILD_ASSERT_DECL(N_PHYSICAL + 1 == CTRL_ENGINE_N_NODES);

/* Southbound tables an input node reflects. */
struct ctrl_sb_input {
    const struct ovsdb_idl_table_class *tables[2];
    size_t n_tables;
};

static struct ctrl_sb_input sb_chassis_input = {
    { &sbrec_table_chassis, &sbrec_table_encap }, 2 };
static struct ctrl_sb_input sb_dp_input = {
    { &sbrec_table_datapath_binding }, 1 };
static struct ctrl_sb_input sb_pb_input = {
    { &sbrec_table_port_binding }, 1 };
static struct ctrl_sb_input sb_mg_input = {
    { &sbrec_table_multicast_group }, 1 };
static struct ctrl_sb_input sb_lf_input = {
    { &sbrec_table_logical_flow }, 1 };
static struct ctrl_sb_input sb_dpg_input = {
    { &sbrec_table_logical_dp_group }, 1 };
static struct ctrl_sb_input sb_color_input = {
    { &sbrec_table_color, &sbrec_table_color_promotion }, 2 };
static struct ctrl_sb_input sb_routing_input = {
    { &sbrec_table_rampout, &sbrec_table_mac_binding }, 2 };
static struct ctrl_sb_input sb_svc_mon_input = {
    { &sbrec_table_service_monitor }, 1 };
static struct ctrl_sb_input sb_as_input = {
    { &sbrec_table_address_set }, 1 };

/* Input node run: changed if the southbound database tracked a change in
 * one of the node's tables. */
static void
ctrl_sb_input_run(struct engine_node *node, void *ctx_)
{
    const struct ctrl_engine_ctx *ctx = ctx_;
    const struct ctrl_sb_input *in = node->data;

    for (size_t i = 0; i < in->n_tables; i++) {
        if (ovsdb_idl_track_get_first(ctx->sb_idl, in->tables[i])) {
            node->changed = true;
        }
    }
}

/* Returns true if 'iface' has an OpenFlow port (see ctrl_iface_changed()
 * for why that matters). */
static bool
ctrl_iface_has_ofport(const struct ovsrec_interface *iface)
{
    return iface->n_ofport && iface->ofport[0] > 0;
}

/* What ctrl_iface_changed() remembers of an interface. */
struct ctrl_iface_seen {
    char *iface_id;             /* external_ids:iface-id, or "". */
    int64_t ofport;             /* OpenFlow port, or 0 if it has none. */
};

static void
ctrl_iface_seen_free(struct ctrl_iface_seen *seen)
{
    if (seen) {
        free(seen->iface_id);
        free(seen);
    }
}

/* Returns true if tracked change 'iface' of the local database concerns
 * the flows.  An interface that neither had nor has an OpenFlow port
 * concerns none (it is read by no binding, tunnel or gateway port):
 * before ovs-vswitchd gives it one, or if it cannot (ofport -1).  For the
 * others: being new or deleted, gaining, losing or changing the OpenFlow
 * port, a new external_ids:iface-id (the controller's own marks in
 * external_ids, such as osmotic-installed, do not count), a new name,
 * type or options, BFD settings or state (a gateway's liveness,
 * controller/gateway.h).  Remembers each interface's iface-id and
 * OpenFlow port in 'ifaces' (UUID as text -> struct ctrl_iface_seen). */
static bool
ctrl_iface_changed(struct shash *ifaces, const struct ovsrec_interface *iface)
{
    char key[UUID_LEN + 1];
    snprintf(key, sizeof key, UUID_FMT, UUID_ARGS(&iface->header_.uuid));
    struct ctrl_iface_seen *seen = shash_find_data(ifaces, key);
    int64_t old_ofport = seen ? seen->ofport : 0;
    if (ovsrec_interface_is_deleted(iface)) {
        ctrl_iface_seen_free(shash_find_and_delete(ifaces, key));
        return !seen || old_ofport;
    }

    const char *id = smap_get_def(&iface->external_ids, "iface-id", "");
    int64_t ofport = ctrl_iface_has_ofport(iface) ? iface->ofport[0] : 0;
    bool id_changed = !seen || strcmp(seen->iface_id, id);
    if (!seen) {
        seen = xzalloc(sizeof *seen);
        shash_add(ifaces, key, seen);
    }
    if (id_changed) {
        free(seen->iface_id);
        seen->iface_id = xstrdup(id);
    }
    seen->ofport = ofport;

    if (!ofport && !old_ofport) {
        return false;
    }
    return (id_changed || ofport != old_ofport
            || ovsrec_interface_is_updated(iface, OVSREC_INTERFACE_COL_NAME)
            || ovsrec_interface_is_updated(iface, OVSREC_INTERFACE_COL_TYPE)
            || ovsrec_interface_is_updated(iface,
                                           OVSREC_INTERFACE_COL_OPTIONS)
            || ovsrec_interface_is_updated(iface, OVSREC_INTERFACE_COL_BFD)
            || ovsrec_interface_is_updated(iface,
                                           OVSREC_INTERFACE_COL_BFD_STATUS));
}

/* Returns true if 'port' is new and none of its interfaces has an
 * OpenFlow port yet: adding it concerns no flow until one does. */
static bool
ctrl_port_is_pending(const struct ovsrec_port *port)
{
    if (!ovsrec_port_is_new(port)) {
        return false;
    }
    for (size_t i = 0; i < port->n_interfaces; i++) {
        if (ctrl_iface_has_ofport(port->interfaces[i])) {
            return false;
        }
    }
    return true;
}

/* Records in 'port_bridges' (a Port's UUID as text -> its bridge's UUID)
 * that the Port rows of 'br' are its own.  Returns true if one of them
 * was another bridge's, or is neither already its own nor new and waiting
 * for an OpenFlow port (ctrl_port_is_pending()). */
static bool
ctrl_bridge_take_ports(struct shash *port_bridges,
                       const struct ovsrec_bridge *br)
{
    bool changed = false;
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];
        char key[UUID_LEN + 1];
        snprintf(key, sizeof key, UUID_FMT, UUID_ARGS(&port->header_.uuid));
        const struct uuid *old = shash_find_data(port_bridges, key);
        if (old && uuid_equals(old, &br->header_.uuid)) {
            continue;
        }
        if (old || !ctrl_port_is_pending(port)) {
            changed = true;
        }
        free(shash_replace(port_bridges, key,
                           xmemdup(&br->header_.uuid,
                                   sizeof br->header_.uuid)));
    }
    return changed;
}

/* Returns true if a tracked change of a bridge's "ports" took in a Port
 * row that another bridge had (one transaction may move a Port row
 * between bridges: then only the two bridges' "ports" change), or one
 * that is neither its own already nor new and waiting for an OpenFlow
 * port.  (A Port row that leaves a bridge is either deleted, which the
 * Port rows' judgement sees, or joins another.)  Keeps 'port_bridges'
 * current, from every bridge if 'all'. */
static bool
ctrl_bridge_ports_changed(struct shash *port_bridges,
                          const struct ovsdb_idl *idl, bool all)
{
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH_TRACKED (port, idl) {
        if (ovsrec_port_is_deleted(port)) {
            char key[UUID_LEN + 1];
            snprintf(key, sizeof key, UUID_FMT,
                     UUID_ARGS(&port->header_.uuid));
            free(shash_find_and_delete(port_bridges, key));
        }
    }

    bool changed = false;
    const struct ovsrec_bridge *br;
    if (all) {
        OVSREC_BRIDGE_FOR_EACH (br, idl) {
            changed = ctrl_bridge_take_ports(port_bridges, br) || changed;
        }
    } else {
        OVSREC_BRIDGE_FOR_EACH_TRACKED (br, idl) {
            if (!ovsrec_bridge_is_deleted(br)
                && ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_PORTS)) {
                changed = (ctrl_bridge_take_ports(port_bridges, br)
                           || changed);
            }
        }
    }
    return changed;
}

/* Returns true if tracked Port 'port', not new, changed in what concerns
 * the flows (a Port is also tracked when one of its interfaces
 * changes). */
static bool
ctrl_old_port_changed(const struct ovsrec_port *port)
{
    return (ovsrec_port_is_deleted(port)
            || ovsrec_port_is_updated(port, OVSREC_PORT_COL_NAME)
            || ovsrec_port_is_updated(port, OVSREC_PORT_COL_INTERFACES)
            || ovsrec_port_is_updated(port, OVSREC_PORT_COL_TAG));
}

/* Returns true if tracked Bridge 'br' is new, deleted or changed in its
 * settings. */
static bool
ctrl_bridge_settings_changed(const struct ovsrec_bridge *br)
{
    return (ovsrec_bridge_is_new(br) || ovsrec_bridge_is_deleted(br)
            || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_NAME)
            || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_DATAPATH_TYPE)
            || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_OTHER_CONFIG)
            || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_FAIL_MODE));
}

/* Returns true if tracked Open_vSwitch row 'ovs' is new, deleted, or
 * changed in the settings (external_ids) or the bridges. */
static bool
ctrl_open_vswitch_changed(const struct ovsrec_open_vswitch *ovs)
{
    return (ovsrec_open_vswitch_is_new(ovs)
            || ovsrec_open_vswitch_is_deleted(ovs)
            || ovsrec_open_vswitch_is_updated(
                   ovs, OVSREC_OPEN_VSWITCH_COL_EXTERNAL_IDS)
            || ovsrec_open_vswitch_is_updated(
                   ovs, OVSREC_OPEN_VSWITCH_COL_BRIDGES));
}

/* Forgets what ctrl_ovs_changed() remembers of the local database. */
static void
ctrl_engine_forget_ovs(struct ctrl_engine *e)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &e->ifaces) {
        ctrl_iface_seen_free(node->data);
    }
    shash_clear(&e->ifaces);
    shash_clear_free_data(&e->port_bridges);
}

/* Returns true if the tracked changes of the local database concern the
 * flows.  What the controller itself writes there and reads back as it
 * wrote it (conntrack zones in br-int's external_ids, "osmotic-installed"
 * marks, the elephant detector's IPFIX rows, next_cfg), what
 * ovs-vswitchd reports (cur_cfg, status, errors) and ports added whose
 * interfaces have no OpenFlow port yet (ctrl_iface_has_ofport()) do not. */
static bool
ctrl_ovs_changed(struct ctrl_engine *e, const struct ovsdb_idl *idl)
{
    /* On the first call, and when the replica was loaded again (after a
     * reconnection, which deletes every row without tracking it: the
     * Open_vSwitch row comes back new), what is remembered starts over
     * from every row. */
    bool reload = !e->ovs_seqno;
    const struct ovsrec_open_vswitch *ovs;
    OVSREC_OPEN_VSWITCH_FOR_EACH_TRACKED (ovs, idl) {
        reload = reload || ovsrec_open_vswitch_is_new(ovs);
    }
    if (reload) {
        ctrl_engine_forget_ovs(e);
    }

    /* Both judge every row, whatever the verdict: they keep what they
     * remember current. */
    bool changed = ctrl_bridge_ports_changed(&e->port_bridges, idl, reload);
    const struct ovsrec_interface *iface;
    if (reload) {
        OVSREC_INTERFACE_FOR_EACH (iface, idl) {
            changed = ctrl_iface_changed(&e->ifaces, iface) || changed;
        }
    } else {
        OVSREC_INTERFACE_FOR_EACH_TRACKED (iface, idl) {
            changed = ctrl_iface_changed(&e->ifaces, iface) || changed;
        }
    }
    if (changed || reload) {
        return true;
    }
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH_TRACKED (port, idl) {
        if (ovsrec_port_is_new(port)) {
            /* (Every column of a new row counts as updated.) */
            if (!ctrl_port_is_pending(port)) {
                return true;
            }
        } else if (ctrl_old_port_changed(port)) {
            return true;
        }
    }
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH_TRACKED (br, idl) {
        if (ctrl_bridge_settings_changed(br)) {
            return true;
        }
    }
    OVSREC_OPEN_VSWITCH_FOR_EACH_TRACKED (ovs, idl) {
        if (ctrl_open_vswitch_changed(ovs)) {
            return true;
        }
    }
    return false;
}

/* Returns true if the local database changed, since the last engine
 * pass, in a way that concerns the flows (ctrl_ovs_changed()), or if no
 * pass has seen it yet.  Judges the tracked changes once per new seqno:
 * the caller clears them after each pass, or when this returns false;
 * while a pass waits (a transaction in flight), they accumulate and are
 * judged again with the next ones, which is harmless (the verdict is
 * kept until a pass sees it). */
bool
ctrl_engine_ovs_changed(struct ctrl_engine *e, const struct ovsdb_idl *idl)
{
    unsigned int seqno = ovsdb_idl_get_seqno(idl);

    if (seqno != e->ovs_seqno) {
        /* Judged even when a pass is already due: ctrl_iface_changed()
         * must see every batch to keep 'ifaces' current, or an
         * iface-id changed back to the value it last saw would be
         * missed. */
        bool changed = ctrl_ovs_changed(e, idl);
        e->ovs_changed = e->ovs_changed || !e->ovs_seqno || changed;
        e->ovs_seqno = seqno;
    }
    return e->ovs_changed;
}

/* Returns true if 'iface' is of a kind that a pod or VM plugs in: not a
 * tunnel, patch or other port the controller or the gateways use. */
static bool
ctrl_iface_is_plain(const struct ovsrec_interface *iface)
{
    return (!iface->type[0] || !strcmp(iface->type, "internal")
            || !strcmp(iface->type, "system")
            || !strcmp(iface->type, "tap"));
}

/* Returns true if the tracked changes of the local database are only
 * plain interfaces (ctrl_iface_is_plain()) plugged in: new, or gaining
 * or changing their OpenFlow port, with the new Port rows and the
 * update of br-int's "ports" that came with them (and settings that
 * concern no flow, as ctrl_ovs_changed() judges them).  Such a change
 * concerns no tunnel, and no binding but the plugged interfaces' own. */
static bool
ctrl_ovs_only_plugged(const struct ovsdb_idl *idl,
                      const struct ovsrec_bridge *br_int)
{
    const struct ovsrec_open_vswitch *ovs;
    OVSREC_OPEN_VSWITCH_FOR_EACH_TRACKED (ovs, idl) {
        if (ctrl_open_vswitch_changed(ovs)) {
            return false;
        }
    }
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH_TRACKED (br, idl) {
        if (br != br_int || ctrl_bridge_settings_changed(br)) {
            return false;
        }
    }
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH_TRACKED (port, idl) {
        if (!ovsrec_port_is_new(port) && ctrl_old_port_changed(port)) {
            return false;
        }
    }
    const struct ovsrec_interface *iface;
    OVSREC_INTERFACE_FOR_EACH_TRACKED (iface, idl) {
        if (ovsrec_interface_is_deleted(iface) || !ctrl_iface_is_plain(iface)
            || (!ovsrec_interface_is_new(iface)
                && (ovsrec_interface_is_updated(iface,
                                                OVSREC_INTERFACE_COL_NAME)
                    || ovsrec_interface_is_updated(iface,
                                                   OVSREC_INTERFACE_COL_TYPE)
                    || ovsrec_interface_is_updated(
                           iface, OVSREC_INTERFACE_COL_OPTIONS)
                    || ovsrec_interface_is_updated(
                           iface, OVSREC_INTERFACE_COL_EXTERNAL_IDS)
                    || ovsrec_interface_is_updated(iface,
                                                   OVSREC_INTERFACE_COL_BFD)
                    || (ovsrec_interface_is_updated(
                            iface, OVSREC_INTERFACE_COL_OFPORT)
                        && !ctrl_iface_has_ofport(iface))))) {
            return false;
        }
    }
    return true;
}

/* Input node run: changed if the local database changed in a way that
 * concerns the flows (ctrl_engine_ovs_changed()).  Notes whether that
 * was only interfaces plugged in (ctrl_ovs_only_plugged()), for the
 * handlers. */
static void
ctrl_ovs_input_run(struct engine_node *node, void *ctx_)
{
    const struct ctrl_engine_ctx *ctx = ctx_;
    struct ctrl_engine *e = ctx->engine;

    node->changed = ctrl_engine_ovs_changed(e, ctx->ovs_idl);
    e->ovs_changed = false;
    e->ovs_only_plugged = (node->changed && ctx->br_int
                           && ctrl_ovs_only_plugged(ctx->ovs_idl,
                                                    ctx->br_int));
}

/* Handler of local database changes for the tunnels node: interfaces
 * plugged in concern no tunnel (tunnel, patch and localnet interfaces are
 * never plain, so a change of one is never "only plugged"). */
static bool
ctrl_tunnels_handle_ovs(struct engine_node *node OVS_UNUSED, void *ctx_)
{
    const struct ctrl_engine_ctx *ctx = ctx_;
    return ctx->engine->ovs_only_plugged;
}

/* The tunnels node: creates and removes the tunnel ports on br-int (one
 * per chassis and lane, and one more for each DSCP a colour marks), and
 * knows their OpenFlow ports. */
static void
ctrl_tunnels_run(struct engine_node *node, void *ctx_)
{
    const struct ctrl_engine_ctx *ctx = ctx_;
    struct encaps_ports *tunnels = node->data;

    unsigned long *dscps = bitmap_allocate(64);
    const struct sbrec_color *color;
    SBREC_COLOR_FOR_EACH (color, ctx->sb_idl) {
        if (color->n_dscp) {
            bitmap_set1(dscps, *color->dscp & 63);
        }
    }
    encaps_run(ctx->ovs_txn, ctx->br_int, ctx->sb_idl, ctx->cfg, dscps);
    bitmap_free(dscps);

    struct encaps_ports new;
    encaps_ports_init(&new);
    encaps_ports_read(ctx->br_int, &new);
    gateway_localnet_run(ctx->ovs_txn, ctx->ovs_idl, ctx->br_int,
                         ctx->cfg->bridge_mappings);
    gateway_localnet_read(ctx->br_int, &new.localnets);
    if (!encaps_ports_equal(&new, tunnels)) {
        node->changed = true;
    }
    encaps_ports_swap(tunnels, &new);
    encaps_ports_destroy(&new);
}

static struct runtime_ctx
ctrl_runtime_ctx(const struct ctrl_engine_ctx *ctx)
{
    return (struct runtime_ctx) {
        .ovs_txn = ctx->ovs_txn,
        .sb_txn = ctx->sb_txn,
        .sb_idl = ctx->sb_idl,
        .br_int = ctx->br_int,
        .chassis = ctx->chassis,
        .settled = ctx->settled,
    };
}

static void
ctrl_runtime_run(struct engine_node *node, void *ctx_)
{
    struct runtime_ctx rctx = ctrl_runtime_ctx(ctx_);
    runtime_run(node, &rctx);
}

static bool
ctrl_runtime_handle_pbs(struct engine_node *node, void *ctx_)
{
    struct runtime_ctx rctx = ctrl_runtime_ctx(ctx_);
    return runtime_handle_port_bindings(node, &rctx);
}

/* Handler of local database changes for the runtime node: only
 * interfaces plugged in (ctrl_ovs_only_plugged()) are handled, by
 * runtime_handle_plugged(). */
static bool
ctrl_runtime_handle_ovs(struct engine_node *node, void *ctx_)
{
    const struct ctrl_engine_ctx *ctx = ctx_;
    if (!ctx->engine->ovs_only_plugged) {
        return false;
    }
    struct runtime_ctx rctx = ctrl_runtime_ctx(ctx);
    return runtime_handle_plugged(node, &rctx, ctx->ovs_idl);
}

/* Returns the runtime data of the graph being run. */
static struct runtime_data *
ctrl_runtime_data(const struct ctrl_engine_ctx *ctx)
{
    return ctx->engine->nodes[N_RUNTIME].data;
}

/* Returns the tunnels of the graph being run. */
static const struct encaps_ports *
ctrl_tunnels_data(const struct ctrl_engine_ctx *ctx)
{
    return ctx->engine->nodes[N_TUNNELS].data;
}

/* Handler of Datapath_Binding changes for the runtime, lflow and physical
 * nodes: a datapath that is not local here (one just created has no
 * local port yet, which would come as a port binding change) concerns no
 * flow of this host; a local one recomputes. */
static bool
ctrl_handle_datapaths(struct engine_node *node OVS_UNUSED, void *ctx_)
{
    const struct ctrl_engine_ctx *ctx = ctx_;
    const struct local_datapaths *lds = &ctrl_runtime_data(ctx)->lds;
    const struct sbrec_datapath_binding *dp;

    SBREC_DATAPATH_BINDING_FOR_EACH_TRACKED (dp, ctx->sb_idl) {
        const struct local_datapath *ld
            = local_datapaths_find(lds, dp->tunnel_key);
        if (ld || local_datapaths_find_uuid(lds, &dp->header_.uuid)) {
            return false;
        }
    }
    return true;
}

static struct lflow_ctx
ctrl_lflow_ctx(const struct ctrl_engine_ctx *ctx)
{
    return (struct lflow_ctx) {
        .sb_idl = ctx->sb_idl,
        .pb_by_key = ctx->pb_by_key,
        .as_by_name = ctx->as_by_name,
        .lds = &ctrl_runtime_data(ctx)->lds,
        .rt = ctrl_runtime_data(ctx),
        .desired = ctx->desired,
        .color_sampling = ctx->cfg->color_sampling,
    };
}

static void
ctrl_lflow_run(struct engine_node *node, void *ctx_)
{
    struct lflow_ctx lctx = ctrl_lflow_ctx(ctx_);
    lflow_output_run(node, &lctx);
}

static bool
ctrl_lflow_handle_runtime(struct engine_node *node, void *ctx_)
{
    struct lflow_ctx lctx = ctrl_lflow_ctx(ctx_);
    return lflow_output_handle_runtime(node, &lctx);
}

static bool
ctrl_lflow_handle_lflows(struct engine_node *node, void *ctx_)
{
    struct lflow_ctx lctx = ctrl_lflow_ctx(ctx_);
    return lflow_output_handle_lflows(node, &lctx);
}

static bool
ctrl_lflow_handle_dp_groups(struct engine_node *node, void *ctx_)
{
    struct lflow_ctx lctx = ctrl_lflow_ctx(ctx_);
    return lflow_output_handle_dp_groups(node, &lctx);
}

static bool
ctrl_lflow_handle_address_sets(struct engine_node *node, void *ctx_)
{
    struct lflow_ctx lctx = ctrl_lflow_ctx(ctx_);
    return lflow_output_handle_address_sets(node, &lctx);
}

static struct physical_ctx
ctrl_physical_ctx(const struct ctrl_engine_ctx *ctx)
{
    const struct runtime_data *rt = ctrl_runtime_data(ctx);
    return (struct physical_ctx) {
        .sb_idl = ctx->sb_idl,
        .chassis = ctx->chassis,
        .lds = &rt->lds,
        .bindings = &rt->bindings,
        .tunnels = ctrl_tunnels_data(ctx),
        .ct_zones = &rt->ct_zones,
        .desired = ctx->desired,
    };
}

static void
ctrl_physical_run(struct engine_node *node, void *ctx_)
{
    struct physical_ctx pctx = ctrl_physical_ctx(ctx_);
    physical_run(node, &pctx);
}

static bool
ctrl_physical_handle_runtime(struct engine_node *node, void *ctx_)
{
    struct physical_ctx pctx = ctrl_physical_ctx(ctx_);
    const struct runtime_data *rt = ctrl_runtime_data(ctx_);
    return physical_handle_runtime(node, &pctx, &rt->changed_pbs,
                                   rt->lds_changed);
}

static bool
ctrl_physical_handle_pbs(struct engine_node *node, void *ctx_)
{
    struct physical_ctx pctx = ctrl_physical_ctx(ctx_);
    return physical_handle_port_bindings(node, &pctx);
}

static bool
ctrl_physical_handle_mcgroups(struct engine_node *node, void *ctx_)
{
    struct physical_ctx pctx = ctrl_physical_ctx(ctx_);
    return physical_handle_mcgroups(node, &pctx);
}

/* Initializes 'node' as input node 'name' reflecting 'in'. */
static void
ctrl_init_sb_input(struct engine_node *node, const char *name,
                   struct ctrl_sb_input *in)
{
    node->name = name;
    node->data = in;
    node->run = ctrl_sb_input_run;
    node->is_input = true;
}

/* Builds the graph. */
void
ctrl_engine_init(struct ctrl_engine *e)
{
    memset(e, 0, sizeof *e);
    shash_init(&e->ifaces);
    shash_init(&e->port_bridges);
    struct engine_node *n = e->nodes;

    n[N_IN_OVS] = (struct engine_node) {
        .name = "ovs", .run = ctrl_ovs_input_run,
        .is_input = true,
    };
    ctrl_init_sb_input(&n[N_IN_SB_CHASSIS], "sb_chassis", &sb_chassis_input);
    ctrl_init_sb_input(&n[N_IN_SB_DP], "sb_datapath", &sb_dp_input);
    ctrl_init_sb_input(&n[N_IN_SB_PB], "sb_port_binding", &sb_pb_input);
    ctrl_init_sb_input(&n[N_IN_SB_MG], "sb_multicast_group", &sb_mg_input);
    ctrl_init_sb_input(&n[N_IN_SB_LF], "sb_logical_flow", &sb_lf_input);
    ctrl_init_sb_input(&n[N_IN_SB_DPG], "sb_dp_group", &sb_dpg_input);
    ctrl_init_sb_input(&n[N_IN_SB_COLOR], "sb_color", &sb_color_input);
    ctrl_init_sb_input(&n[N_IN_SB_ROUTING], "sb_routing",
                       &sb_routing_input);
    ctrl_init_sb_input(&n[N_IN_SB_SVC_MON], "sb_service_monitor",
                       &sb_svc_mon_input);
    ctrl_init_sb_input(&n[N_IN_SB_AS], "sb_address_set", &sb_as_input);

    struct encaps_ports *tunnels = xmalloc(sizeof *tunnels);
    encaps_ports_init(tunnels);
    n[N_TUNNELS] = (struct engine_node) {
        .name = "tunnels", .data = tunnels, .run = ctrl_tunnels_run,
    };
    engine_add_input(&n[N_TUNNELS], &n[N_IN_OVS], ctrl_tunnels_handle_ovs);
    engine_add_input(&n[N_TUNNELS], &n[N_IN_SB_CHASSIS], NULL);
    engine_add_input(&n[N_TUNNELS], &n[N_IN_SB_COLOR], NULL);
    engine_add_input(&n[N_TUNNELS], &n[N_IN_SB_ROUTING], NULL);

    n[N_RUNTIME] = (struct engine_node) {
        .name = "runtime", .data = runtime_data_create(),
        .run = ctrl_runtime_run, .clear_tracked = runtime_clear_tracked,
    };
    engine_add_input(&n[N_RUNTIME], &n[N_IN_OVS], ctrl_runtime_handle_ovs);
    engine_add_input(&n[N_RUNTIME], &n[N_IN_SB_CHASSIS], NULL);
    engine_add_input(&n[N_RUNTIME], &n[N_IN_SB_DP], ctrl_handle_datapaths);
    engine_add_input(&n[N_RUNTIME], &n[N_IN_SB_PB], ctrl_runtime_handle_pbs);
    engine_add_input(&n[N_RUNTIME], &n[N_IN_SB_ROUTING], NULL);

    n[N_LFLOW] = (struct engine_node) {
        .name = "lflow", .data = lflow_output_create(),
        .run = ctrl_lflow_run,
    };
    engine_add_input(&n[N_LFLOW], &n[N_RUNTIME], ctrl_lflow_handle_runtime);
    engine_add_input(&n[N_LFLOW], &n[N_IN_SB_DP], ctrl_handle_datapaths);
    engine_add_input(&n[N_LFLOW], &n[N_IN_SB_LF], ctrl_lflow_handle_lflows);
    engine_add_input(&n[N_LFLOW], &n[N_IN_SB_DPG],
                     ctrl_lflow_handle_dp_groups);
    engine_add_input(&n[N_LFLOW], &n[N_IN_SB_AS],
                     ctrl_lflow_handle_address_sets);

    n[N_PHYSICAL] = (struct engine_node) {
        .name = "physical", .data = physical_data_create(),
        .run = ctrl_physical_run, .clear_tracked = physical_clear_tracked,
    };
    engine_add_input(&n[N_PHYSICAL], &n[N_RUNTIME],
                     ctrl_physical_handle_runtime);
    engine_add_input(&n[N_PHYSICAL], &n[N_TUNNELS], NULL);
    engine_add_input(&n[N_PHYSICAL], &n[N_IN_SB_CHASSIS], NULL);
    engine_add_input(&n[N_PHYSICAL], &n[N_IN_SB_DP], ctrl_handle_datapaths);
    engine_add_input(&n[N_PHYSICAL], &n[N_IN_SB_PB],
                     ctrl_physical_handle_pbs);
    engine_add_input(&n[N_PHYSICAL], &n[N_IN_SB_MG],
                     ctrl_physical_handle_mcgroups);
    engine_add_input(&n[N_PHYSICAL], &n[N_IN_SB_COLOR], NULL);
    engine_add_input(&n[N_PHYSICAL], &n[N_IN_SB_ROUTING], NULL);
    /* The flows of a monitored port (pinctrl-svc-monitor.h): a change of
     * monitors, rare, recomputes the physical flows. */
    engine_add_input(&n[N_PHYSICAL], &n[N_IN_SB_SVC_MON], NULL);

    for (size_t i = 0; i < CTRL_ENGINE_N_NODES; i++) {
        e->order[i] = &e->nodes[i];
    }
}

/* Frees what the graph's nodes hold. */
void
ctrl_engine_destroy(struct ctrl_engine *e)
{
    struct encaps_ports *tunnels = e->nodes[N_TUNNELS].data;
    encaps_ports_destroy(tunnels);
    free(tunnels);
    runtime_data_destroy(e->nodes[N_RUNTIME].data);
    lflow_output_destroy(e->nodes[N_LFLOW].data);
    physical_data_destroy(e->nodes[N_PHYSICAL].data);
    ctrl_engine_forget_ovs(e);
    shash_destroy(&e->ifaces);
    shash_destroy(&e->port_bridges);
}

/* Runs one pass of the graph over what changed in the databases since the
 * last pass (their change tracking), or with 'force' recomputes every
 * node.  Returns true if the desired state may have changed. */
bool
ctrl_engine_run(struct ctrl_engine *e, struct ctrl_engine_ctx *ctx,
                bool force)
{
    ctx->engine = e;
    engine_run(e->order, CTRL_ENGINE_N_NODES, force, ctx);
    return (e->nodes[N_LFLOW].changed || e->nodes[N_PHYSICAL].changed
            || e->nodes[N_RUNTIME].changed);
}

/* Returns the runtime data (bindings, local datapaths, zones). */
const struct runtime_data *
ctrl_engine_runtime(const struct ctrl_engine *e)
{
    return e->nodes[N_RUNTIME].data;
}

/* Returns the tunnel ports. */
const struct encaps_ports *
ctrl_engine_tunnels(const struct ctrl_engine *e)
{
    return e->nodes[N_TUNNELS].data;
}

/* Returns the number of logical flows installed. */
size_t
ctrl_engine_count_lflows(const struct ctrl_engine *e)
{
    return lflow_output_count(e->nodes[N_LFLOW].data);
}

/* Appends each computed node's recomputes and incremental passes to
 * 's'. */
void
ctrl_engine_format_stats(struct ctrl_engine *e, struct ds *s)
{
    engine_format_stats(e->order, CTRL_ENGINE_N_NODES, s);
}
