/*
 * The controller's incremental processing graph (controller/inc-engine.h):
 *
 *     local OVS ----------------+-------------+
 *     SB Chassis, Encap, Color -+--> tunnels  |
 *                               |      |      v
 *     SB Port_Binding ----------+------|--> runtime (bindings, local
 *     SB Datapath_Binding ------+      |      |      datapaths, zones)
 *                                      |      v
 *     SB Logical_Flow, Logical_DP_Group ---> lflow     (logical flows)
 *                                      v
 *     SB Port_Binding, Multicast_Group ----> physical  (physical flows)
 *
 * SB Rampout and MAC_Binding (the "sb_routing" input) feed the tunnels
 * (which chassis are gateways run BFD), the runtime (gateway chassis make
 * routers local) and the physical flows (redirects, learned MACs), all
 * by recompute: they change rarely.
 *
 * Both flow nodes write into one desired state (controller/desired.h),
 * owner by owner, which ofctrl sends to br-int by difference.  Which
 * change each node handles incrementally, and which makes it recompute,
 * is described in the header of each node's module (runtime.h, lflow.h,
 * physical.h); "controller/status" counts both per node.
 */
#ifndef CONTROLLER_CTRL_ENGINE_H
#define CONTROLLER_CTRL_ENGINE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "controller/inc-engine.h"
#include "openvswitch/shash.h"

struct chassis_config;
struct ctrl_engine;
struct desired;
struct ds;
struct encaps_ports;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct runtime_data;
struct sbrec_chassis;
struct shash;

/* What one pass of the graph reads and writes. */
struct ctrl_engine_ctx {
    struct ovsdb_idl *ovs_idl;          /* Local Open_vSwitch database. */
    struct ovsdb_idl *sb_idl;           /* Southbound database. */
    struct ovsdb_idl_index *pb_by_key;  /* Port_Binding by datapath and
                                         * tunnel key. */
    struct ovsdb_idl_index *as_by_name; /* Address_Set by name. */
    struct ovsdb_idl_txn *ovs_txn;      /* Open local transaction. */
    struct ovsdb_idl_txn *sb_txn;       /* Open southbound transaction. */
    const struct ovsrec_bridge *br_int; /* Integration bridge. */
    const struct sbrec_chassis *chassis; /* This chassis. */
    const struct chassis_config *cfg;   /* Settings. */
    bool settled;                       /* Monitor conditions applied. */
    struct desired *desired;            /* The flows' destination. */
    struct ctrl_engine *engine;         /* Set by ctrl_engine_run(). */
};

/* Number of nodes in the graph. */
#define CTRL_ENGINE_N_NODES 15

/* The graph. */
struct ctrl_engine {
    struct engine_node nodes[CTRL_ENGINE_N_NODES]; /* In run order. */
    struct engine_node *order[CTRL_ENGINE_N_NODES]; /* Pointers to them. */
    unsigned int ovs_seqno;     /* Local database seqno seen last. */
    bool ovs_changed;           /* Changes since then concern the flows,
                                 * not yet seen by a pass. */
    bool ovs_only_plugged;      /* This pass's local database changes are
                                 * only interfaces plugged in. */
    struct shash ifaces;        /* Interface UUID (as text) -> its
                                 * iface-id and OpenFlow port, as last
                                 * seen (private). */
    struct shash port_bridges;  /* Port UUID (as text) -> its bridge's
                                 * UUID, as last seen. */
};

void ctrl_engine_init(struct ctrl_engine *);
void ctrl_engine_destroy(struct ctrl_engine *);
bool ctrl_engine_run(struct ctrl_engine *, struct ctrl_engine_ctx *,
                     bool force);
bool ctrl_engine_ovs_changed(struct ctrl_engine *, const struct ovsdb_idl *);
const struct runtime_data *ctrl_engine_runtime(const struct ctrl_engine *);
const struct encaps_ports *ctrl_engine_tunnels(const struct ctrl_engine *);
size_t ctrl_engine_count_lflows(const struct ctrl_engine *);
void ctrl_engine_format_stats(struct ctrl_engine *, struct ds *);

#endif /* controller/ctrl-engine.h */
