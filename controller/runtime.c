#include <config.h>

#include "controller/runtime.h"

#include <stdlib.h>
#include <string.h>

#include "controller/ct-zones.h"
#include "controller/gateway.h"
#include "controller/inc-engine.h"
#include "lib/osmotic-sb-idl.h"

#include "flow.h"
#include "hash.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(runtime);

/* What a local port's physical flows depend on. */
struct runtime_lport_state {
    struct uuid pb_uuid;        /* Its Port_Binding. */
    int64_t dp_key;             /* Its datapath's key. */
    int64_t port_key;           /* Its key. */
    int ofport;                 /* Its OpenFlow port. */
    int zone;                   /* Its conntrack zone. */
    bool enabled;               /* Administratively enabled. */
    bool secured;               /* Has port security. */
};

/* One local port's runtime_port_key(). */
struct runtime_port_key_node {
    struct hmap_node node;      /* In runtime_data's 'local_port_keys'. */
    uint64_t key;               /* runtime_port_key(). */
};

/* Returns true if port 'port_key' of datapath 'dp_key' is a local port. */
bool
runtime_port_is_local(const struct runtime_data *rt, int64_t dp_key,
                      int64_t port_key)
{
    uint64_t key = runtime_port_key(dp_key, port_key);
    const struct runtime_port_key_node *n;
    HMAP_FOR_EACH_WITH_HASH (n, node, hash_uint64(key),
                             &rt->local_port_keys) {
        if (n->key == key) {
            return true;
        }
    }
    return false;
}

/* Frees the nodes of 'keys' and empties it. */
static void
runtime_port_keys_clear(struct hmap *keys)
{
    struct runtime_port_key_node *n;
    HMAP_FOR_EACH_POP (n, node, keys) {
        free(n);
    }
}

/* Records that port 'port_key' of datapath 'dp_key' changed. */
static void
runtime_note_changed_key(struct runtime_data *rt, int64_t dp_key,
                         int64_t port_key)
{
    if (rt->n_changed_port_keys >= rt->allocated_changed_port_keys) {
        rt->changed_port_keys = x2nrealloc(rt->changed_port_keys,
                                           &rt->allocated_changed_port_keys,
                                           sizeof *rt->changed_port_keys);
    }
    rt->changed_port_keys[rt->n_changed_port_keys++]
        = runtime_port_key(dp_key, port_key);
}

/* Creates the runtime node's data. */
void *
runtime_data_create(void)
{
    struct runtime_data *rt = xzalloc(sizeof *rt);

    local_datapaths_init(&rt->lds);
    binding_result_init(&rt->bindings);
    simap_init(&rt->ct_zones);
    shash_init(&rt->states);
    hmap_init(&rt->local_port_keys);
    uuidset_init(&rt->changed_pbs);
    return rt;
}

/* Frees the runtime node's data.  Accepts NULL. */
void
runtime_data_destroy(void *rt_)
{
    struct runtime_data *rt = rt_;
    if (rt) {
        local_datapaths_destroy(&rt->lds);
        binding_result_destroy(&rt->bindings);
        simap_destroy(&rt->ct_zones);
        shash_destroy_free_data(&rt->states);
        runtime_port_keys_clear(&rt->local_port_keys);
        hmap_destroy(&rt->local_port_keys);
        uuidset_destroy(&rt->changed_pbs);
        free(rt->changed_port_keys);
        free(rt);
    }
}

/* Engine callback: forgets the last pass's changes. */
void
runtime_clear_tracked(struct engine_node *node)
{
    struct runtime_data *rt = node->data;
    uuidset_clear(&rt->changed_pbs);
    rt->n_changed_port_keys = 0;
    rt->lds_changed = false;
}

/* Returns the state of local port 'bl' with zone 'zone'. */
static struct runtime_lport_state *
runtime_lport_state(const struct binding_lport *bl, int zone)
{
    struct runtime_lport_state *s = xzalloc(sizeof *s);
    const struct sbrec_port_binding *pb = bl->pb;

    s->pb_uuid = pb->header_.uuid;
    s->dp_key = pb->datapath->tunnel_key;
    s->port_key = pb->tunnel_key;
    s->ofport = ofp_to_u16(bl->ofport);
    s->zone = zone;
    s->enabled = pb->enabled;
    s->secured = pb->n_port_security > 0;
    return s;
}

/* Returns the name under which the conntrack zone of the router with
 * datapath 'uuid' is kept among the zones of local ports (malloc'd); with
 * 'snat', that of its second zone, which the forced SNAT of its
 * load-balanced connections uses (lib/pipeline.h, REG_CT_ZONE). */
char *
runtime_router_zone_name(const struct uuid *uuid, bool snat)
{
    return xasprintf("lr-"UUID_FMT"%s", UUID_ARGS(uuid),
                     snat ? "-lb-snat" : "");
}

/* Returns true if the local datapaths 'a' and 'b' are the same set (same
 * rows, keys and types). */
static bool
runtime_lds_equal(const struct local_datapaths *a,
                  const struct local_datapaths *b)
{
    if (hmap_count(&a->map) != hmap_count(&b->map)) {
        return false;
    }
    const struct local_datapath *ld;
    HMAP_FOR_EACH (ld, node, &a->map) {
        const struct local_datapath *other = local_datapaths_find(b, ld->key);
        if (!other || !uuid_equals(&other->uuid, &ld->uuid)
            || other->type != ld->type) {
            return false;
        }
    }
    return true;
}

/* The runtime node's recompute: binds, finds the local datapaths and the
 * zones, and records what changed since the last run. */
void
runtime_run(struct engine_node *node, const struct runtime_ctx *ctx)
{
    struct runtime_data *rt = node->data;
    struct local_datapaths lds;
    struct binding_result bindings;

    local_datapaths_init(&lds);
    binding_result_init(&bindings);
    binding_run(ctx->sb_txn, ctx->sb_idl, ctx->br_int, ctx->chassis, &lds,
                &bindings);
    gateway_close_local_datapaths(ctx->sb_idl, ctx->chassis, &lds);

    /* Zones: one per local port, and two per local router, named by its
     * datapath's UUID (runtime_router_zone_name()). */
    struct shash zone_names = SHASH_INITIALIZER(&zone_names);
    struct shash_node *zn;
    SHASH_FOR_EACH (zn, &bindings.lports) {
        shash_add(&zone_names, zn->name, NULL);
    }
    const struct local_datapath *ld;
    HMAP_FOR_EACH (ld, node, &lds.map) {
        if (ld->type == DP_ROUTER) {
            for (int snat = 0; snat < 2; snat++) {
                char *name = runtime_router_zone_name(&ld->uuid, snat);
                shash_add_once(&zone_names, name, NULL);
                free(name);
            }
        }
    }
    struct simap zones = SIMAP_INITIALIZER(&zones);
    ct_zones_run(ctx->settled ? ctx->ovs_txn : NULL, ctx->br_int,
                 &zone_names, &zones);
    shash_destroy(&zone_names);

    /* What changed, port by port. */
    struct shash states = SHASH_INITIALIZER(&states);
    struct shash_node *sn;
    runtime_port_keys_clear(&rt->local_port_keys);
    SHASH_FOR_EACH (sn, &bindings.lports) {
        struct runtime_lport_state *new
            = runtime_lport_state(sn->data, simap_get(&zones, sn->name));
        struct runtime_lport_state *old = shash_find_and_delete(&rt->states,
                                                                sn->name);
        if (!old || memcmp(old, new, sizeof *old)) {
            uuidset_insert(&rt->changed_pbs, &new->pb_uuid);
            runtime_note_changed_key(rt, new->dp_key, new->port_key);
            if (old) {
                uuidset_insert(&rt->changed_pbs, &old->pb_uuid);
                runtime_note_changed_key(rt, old->dp_key, old->port_key);
            }
            node->changed = true;
        }
        free(old);
        shash_add(&states, sn->name, new);
        struct runtime_port_key_node *k = xmalloc(sizeof *k);
        k->key = runtime_port_key(new->dp_key, new->port_key);
        hmap_insert(&rt->local_port_keys, &k->node, hash_uint64(k->key));
    }
    SHASH_FOR_EACH (sn, &rt->states) {
        /* No longer local. */
        const struct runtime_lport_state *old = sn->data;
        uuidset_insert(&rt->changed_pbs, &old->pb_uuid);
        runtime_note_changed_key(rt, old->dp_key, old->port_key);
        node->changed = true;
    }
    shash_swap(&rt->states, &states);
    shash_destroy_free_data(&states);

    if (!runtime_lds_equal(&lds, &rt->lds)) {
        rt->lds_changed = true;
        node->changed = true;
        rt->monitor_gen++;
    } else if (!sset_equals(&bindings.iface_ids, &rt->bindings.iface_ids)) {
        rt->monitor_gen++;
    }
    local_datapaths_destroy(&rt->lds);
    rt->lds = lds;
    hmap_moved(&rt->lds.map);
    binding_result_destroy(&rt->bindings);
    rt->bindings = bindings;
    shash_moved(&rt->bindings.lports);
    sset_moved(&rt->bindings.iface_ids);
    simap_destroy(&rt->ct_zones);
    rt->ct_zones = zones;
    simap_moved(&rt->ct_zones);
}

/* Returns true if a Port_Binding in the replica of 'sb_idl' is named
 * 'name'. */
static bool
runtime_pb_exists(struct ovsdb_idl *sb_idl, const char *name)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (!strcmp(pb->logical_port, name)) {
            return true;
        }
    }
    return false;
}

/* The runtime node's handler of interfaces plugged into br-int, when
 * they are all the local database's changes: an interface whose iface-id
 * names no port binding the replica holds, and no local port, binds
 * nothing yet; it only joins the interface ids that the southbound
 * monitor asks the port bindings of (controller/sb-monitor.h), and its
 * port binding, when it comes, is a change that recomputes.  Any other
 * (an interface of br-int that may bind now) recomputes.  A pod's port
 * is often plugged before its port binding exists, and this spares that
 * a pass over every binding. */
bool
runtime_handle_plugged(struct engine_node *node,
                       const struct runtime_ctx *ctx,
                       const struct ovsdb_idl *ovs_idl)
{
    struct runtime_data *rt = node->data;
    if (!ctx->br_int) {
        return false;
    }
    /* Every tracked interface is on br-int: one on another bridge would
     * have that bridge tracked too (a change tracks the rows that refer
     * to it), which ctrl_ovs_only_plugged() refuses.  So they are checked
     * first and added only if none may bind. */
    const struct ovsrec_interface *iface;
    OVSREC_INTERFACE_FOR_EACH_TRACKED (iface, ovs_idl) {
        const char *id = smap_get(&iface->external_ids, "iface-id");
        if (id && iface->n_ofport && iface->ofport[0] > 0
            && (shash_find(&rt->states, id)
                || runtime_pb_exists(ctx->sb_idl, id))) {
            return false;
        }
    }
    OVSREC_INTERFACE_FOR_EACH_TRACKED (iface, ovs_idl) {
        const char *id = smap_get(&iface->external_ids, "iface-id");
        if (id && iface->n_ofport && iface->ofport[0] > 0
            && sset_add(&rt->bindings.iface_ids, id)) {
            rt->monitor_gen++;
        }
    }
    return true;
}

/* The runtime node's handler of port binding changes: a change concerns
 * this host if the port is local, is bound to this chassis, or is named
 * by a local interface (it may be claimed).  Any other is handled (it
 * changes nothing here), and so is the echo of a claim of a port already
 * local and a change of a gateway port's NAT addresses; any other of
 * those recomputes. */
bool
runtime_handle_port_bindings(struct engine_node *node,
                             const struct runtime_ctx *ctx)
{
    struct runtime_data *rt = node->data;
    const struct sbrec_port_binding *pb;

    SBREC_PORT_BINDING_FOR_EACH_TRACKED (pb, ctx->sb_idl) {
        bool local = shash_find(&rt->states, pb->logical_port) != NULL;
        if ((local && binding_pb_change_is_echo(pb, ctx->chassis))
            || binding_pb_change_is_nat_addresses(pb)) {
            continue;
        }
        /* Patch ports and gateways change the local datapaths. */
        if (local || !strcmp(pb->type, "patch") || pb->n_gateway_chassis
            || sset_contains(&rt->bindings.iface_ids, pb->logical_port)
            || (ctx->chassis && pb->chassis == ctx->chassis)) {
            return false;
        }
    }
    return true;
}
