/*
 * Runtime data: what this host has of the logical network right now.
 *
 * The "runtime" engine node binds the local interfaces to their logical
 * ports (controller/binding.h), derives the local datapaths (those with a
 * local port) and gives each local port its conntrack zone
 * (controller/ct-zones.h).  All of that is cheap: it is linear in the
 * local ports and the port bindings of local datapaths, which is all the
 * southbound replica holds (controller/sb-monitor.h).  So the node
 * recomputes whenever a local interface or a port binding that concerns
 * this host changes, and tells its consumers exactly what changed:
 *
 *   - 'changed_pbs': the Port_Binding rows (by UUID) of the ports that
 *     became local, stopped being local, or whose local flows depend on
 *     something that changed (OpenFlow port, keys, enabled, port
 *     security, conntrack zone);
 *   - 'changed_port_keys': the same ports as (datapath key, port key)
 *     pairs (runtime_port_key()), both the old and the new;
 *   - 'lds_changed': the set of local datapaths changed.
 *
 * A change to a port binding that is not local, not bound to this
 * chassis and not named by a local interface concerns only the flows of
 * that port, which the physical node handles; the runtime node does not
 * even recompute for it.  Nor for interfaces plugged in before their
 * port bindings exist (runtime_handle_plugged()): they only join the
 * interface ids the southbound monitor asks for.
 */
#ifndef CONTROLLER_RUNTIME_H
#define CONTROLLER_RUNTIME_H 1

#include <stdbool.h>
#include <stdint.h>

#include "controller/binding.h"
#include "controller/local-datapaths.h"

#include "openvswitch/shash.h"
#include "simap.h"
#include "uuidset.h"

struct engine_node;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct sbrec_chassis;

/* The runtime node's data. */
struct runtime_data {
    struct local_datapaths lds;     /* Local datapaths. */
    struct binding_result bindings; /* Local logical ports. */
    struct simap ct_zones;          /* Local logical port -> zone. */
    struct shash states;            /* Local logical port -> what its
                                     * flows depend on, as of the last
                                     * run (private). */
    struct hmap local_port_keys;    /* "struct runtime_port_key_node"s:
                                     * the local ports' keys. */
    uint64_t monitor_gen;           /* Changes whenever the local datapaths
                                     * or 'bindings.iface_ids' do (what
                                     * the southbound monitor asks for
                                     * depends on them). */

    /* Tracked changes of the last pass. */
    struct uuidset changed_pbs;     /* Port_Binding rows to rebuild. */
    uint64_t *changed_port_keys;    /* Their runtime_port_key()s. */
    size_t n_changed_port_keys, allocated_changed_port_keys;
    bool lds_changed;               /* Set of local datapaths changed. */
};

/* What the runtime node reads. */
struct runtime_ctx {
    struct ovsdb_idl_txn *ovs_txn;      /* Local database transaction. */
    struct ovsdb_idl_txn *sb_txn;       /* Southbound transaction. */
    struct ovsdb_idl *sb_idl;           /* Southbound database. */
    const struct ovsrec_bridge *br_int; /* Integration bridge. */
    const struct sbrec_chassis *chassis; /* This chassis. */
    bool settled;                       /* The replica holds all the rows
                                         * the monitor asked for. */
};

/* The key of port 'port_key' of datapath 'dp_key' in 'local_port_keys'
 * and 'changed_port_keys'. */
static inline uint64_t
runtime_port_key(int64_t dp_key, int64_t port_key)
{
    return ((uint64_t) dp_key << 32) | (uint32_t) port_key;
}

bool runtime_port_is_local(const struct runtime_data *, int64_t dp_key,
                           int64_t port_key);

void *runtime_data_create(void);
void runtime_data_destroy(void *);
void runtime_clear_tracked(struct engine_node *);
void runtime_run(struct engine_node *, const struct runtime_ctx *);
bool runtime_handle_plugged(struct engine_node *, const struct runtime_ctx *,
                            const struct ovsdb_idl *ovs_idl);
bool runtime_handle_port_bindings(struct engine_node *,
                                  const struct runtime_ctx *);
char *runtime_router_zone_name(const struct uuid *, bool snat);

#endif /* controller/runtime.h */
