/*
 * Logical datapaths and ports: NB Logical_Switch -> SB Datapath_Binding,
 * Logical_Switch_Port -> Port_Binding, and each switch's multicast groups.
 *
 * northd keeps one "struct nd_datapath" per switch and one "struct
 * nd_port" per switch port, each remembering its SB row (by UUID, rows
 * are inserted with UUIDs northd chooses) and its tunnel key.  Keys are
 * stable: a full sync first adopts the keys existing SB rows hold for the
 * same NB UUID, and only then gives new objects the lowest free keys, in
 * name order.  An incremental sync looks only at the NB rows the IDL
 * reports changed.
 *
 * Both syncs write to the SB transaction only the columns that differ and
 * report in "struct nd_changes" which datapaths and ports need their
 * logical flows rebuilt, and which owners disappeared.  Port_Binding's
 * chassis and up columns belong to the controller and are never written
 * here; neither are Chassis, Encap or MAC_Binding rows.
 */
#ifndef NORTHD_DATAPATHS_H
#define NORTHD_DATAPATHS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/tunnel-keys.h"
#include "hmapx.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "uuid.h"
#include "uuidset.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct nbrec_logical_switch;
struct nbrec_logical_switch_port;

/* Range of datapath and port tunnel keys. */
#define ND_DP_KEY_MIN 1
#define ND_DP_KEY_MAX 16777215
#define ND_PORT_KEY_MIN 1
#define ND_PORT_KEY_MAX 32767

/* Indexes into nd_datapath's 'mc_uuids'. */
enum nd_mcast {
    ND_MC_FLOOD,                /* Every enabled port. */
    ND_MC_UNKNOWN,              /* Enabled ports with "unknown". */
    ND_N_MCAST
};

/* A logical switch. */
struct nd_datapath {
    struct hmap_node node;      /* In nd_datapaths's 'datapaths'. */
    struct uuid nb_uuid;        /* NB Logical_Switch. */
    struct uuid sb_uuid;        /* SB Datapath_Binding. */
    uint32_t tunnel_key;        /* Datapath tunnel key. */
    struct tunnel_keys port_keys; /* Port tunnel keys in use. */
    struct ovs_list ports;      /* "struct nd_port"s, by 'dp_node'. */
    size_t n_ports;             /* Length of 'ports'. */
    struct uuid mc_uuids[ND_N_MCAST]; /* SB Multicast_Group rows or zero. */
};

/* A logical switch port. */
struct nd_port {
    struct hmap_node node;      /* In nd_datapaths's 'ports'. */
    struct ovs_list dp_node;    /* In its datapath's 'ports'. */
    struct nd_datapath *dp;     /* Datapath it belongs to. */
    struct uuid nb_uuid;        /* NB Logical_Switch_Port. */
    struct uuid sb_uuid;        /* SB Port_Binding. */
    uint32_t tunnel_key;        /* Port tunnel key within 'dp'. */
    bool enabled;               /* Administratively enabled. */
    bool has_unknown;           /* "unknown" among its addresses. */
    bool has_port_security;     /* Any port_security entry. */
    bool has_ipv4;              /* Any "MAC IPv4" address (ARP replies). */
    bool has_ipv6;              /* Any "MAC IPv6" address (ND replies). */
};

/* All datapaths and ports. */
struct nd_datapaths {
    struct hmap datapaths;      /* "struct nd_datapath"s by NB UUID. */
    struct hmap ports;          /* "struct nd_port"s by NB UUID. */
    struct tunnel_keys dp_keys; /* Datapath tunnel keys in use. */
};

/* What one sync changed, for the logical-flow builders. */
struct nd_changes {
    struct hmapx datapaths;     /* "struct nd_datapath"s to rebuild. */
    struct hmapx ports;         /* "struct nd_port"s to rebuild. */
    struct uuidset removed;     /* NB UUIDs of datapaths and ports gone. */
    struct uuidset new_ports;   /* NB UUIDs of ports that got an SB row. */
};

/* The databases one sync works on. */
struct nd_sync_ctx {
    struct ovsdb_idl *nb_idl;   /* Northbound. */
    struct ovsdb_idl *sb_idl;   /* Southbound. */
    struct ovsdb_idl_txn *sb_txn; /* Open SB transaction. */
};

void nd_datapaths_init(struct nd_datapaths *);
void nd_datapaths_destroy(struct nd_datapaths *);
void nd_datapaths_clear(struct nd_datapaths *);

void nd_changes_init(struct nd_changes *);
void nd_changes_destroy(struct nd_changes *);

void nd_datapaths_sync_full(struct nd_datapaths *, const struct nd_sync_ctx *,
                            struct nd_changes *);
void nd_datapaths_sync_incremental(struct nd_datapaths *,
                                   const struct nd_sync_ctx *,
                                   struct nd_changes *);
void nd_mcast_sync(struct nd_datapath *, const struct nd_sync_ctx *);

struct nd_datapath *nd_datapath_find(const struct nd_datapaths *,
                                     const struct uuid *nb_uuid);
struct nd_port *nd_port_find(const struct nd_datapaths *,
                             const struct uuid *nb_uuid);

#endif /* northd/datapaths.h */
