/*
 * Logical datapaths and ports: NB rows -> SB Datapath_Binding,
 * Port_Binding and Multicast_Group rows, for every kind of datapath.
 *
 * Kinds
 * -----
 * A datapath kind (struct nd_dp_kind, the table is in dp-kinds.h) says
 * how one family of NB tables maps to SB: the NB table of its datapaths
 * and of their ports, the SB datapath type, and callbacks for what differs
 * between kinds (names, the ports a datapath lists, the Port_Binding
 * columns a port gets).  Today there are two: a Logical_Switch is a
 * "switch" datapath with Logical_Switch_Port ports and multicast groups,
 * a Logical_Router is a "router" datapath with Logical_Router_Port ports.
 * Everything else (tunnel keys, adoption of existing rows, ports that
 * move, incremental change tracking) is one generic path here, so a new
 * kind is one more table entry.
 *
 * northd keeps one "struct nd_datapath" per NB datapath row and one
 * "struct nd_port" per NB port row, each remembering its SB row (by UUID,
 * rows are inserted with UUIDs northd chooses) and its tunnel key.  NB
 * UUIDs are unique across tables, so one map by NB UUID serves every
 * kind.  Keys are stable: a full sync first adopts the keys existing SB
 * rows hold for the same NB UUID (and kind), and only then gives new
 * objects the lowest free keys, kind by kind in the table's order and by
 * name within a kind.  Datapaths of every kind share one key space; ports
 * have one per datapath.  An incremental sync looks only at the NB rows
 * the IDL reports changed; it tells which ports joined or left a datapath
 * whose port list changed from the ports created and deleted in the same
 * batch when they account for the change (the usual port add or delete),
 * and otherwise by one pass over the list.
 *
 * Peers
 * -----
 * A port may name another port as its peer (a switch port of type
 * "router" names a router port in options:router-port, a router port may
 * name another in "peer").  Both ends are "patch" Port_Bindings whose
 * options:peer names the other end, as the controller and the trace
 * expect; a router port's other end is its own "peer" column or else the
 * switch port that names it (of several, the first by name), so its
 * Port_Binding is written again whenever a port that names it comes,
 * goes, is renamed or names another.
 *
 * Facts
 * -----
 * Each port has a few facts (enum nd_port_fact) that the datapath-wide
 * flows and the multicast groups depend on, and each datapath counts its
 * ports with each fact, so that what a port change costs here does not
 * depend on the number of ports: a datapath is reported changed only when
 * a count goes from or to zero, and a multicast group gains or loses one
 * member by a single mutation.
 *
 * Both syncs write to the SB transaction only what differs and report in
 * "struct nd_changes" which datapaths and ports changed and which went
 * away (kept readable until nd_changes_destroy(), so that the flow owners
 * can tell what they had).  Port_Binding's chassis and up columns belong
 * to the controller and are never written here; neither are Chassis,
 * Encap or MAC_Binding rows.
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

struct nd_datapaths;
struct nd_port;
struct ovsdb_idl;
struct ovsdb_idl_column;
struct ovsdb_idl_row;
struct ovsdb_idl_table_class;
struct ovsdb_idl_txn;
struct sbrec_port_binding;
struct smap;
struct svec;

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

/* Facts about a port that its datapath's shared state depends on. */
enum nd_port_fact {
    ND_PF_ENABLED,              /* Administratively enabled (in the flood
                                 * group). */
    ND_PF_UNKNOWN,              /* Enabled, "unknown" among its addresses
                                 * (in the unknown group). */
    ND_PF_IN_SEC,               /* Enabled, with port security. */
    ND_PF_OUT_SEC,              /* Disabled or with port security: its
                                 * egress is checked. */
    ND_PF_ARP,                  /* Enabled, with an IPv4 address the switch
                                 * answers ARP requests for. */
    ND_PF_ND,                   /* Enabled, with an IPv6 address the switch
                                 * answers neighbor solicitations for. */
    ND_N_PORT_FACTS
};

/* Returns the bit of 'fact' in a facts bitmap. */
#define ND_PF_BIT(FACT) (UINT32_C(1) << (FACT))

/* The SB Port_Binding columns that depend on the kind of a port. */
struct nd_port_sb {
    const char *type;           /* "type". */
    const char **mac;           /* "mac", 'n_mac' strings. */
    size_t n_mac;
    const char **port_security; /* "port_security", 'n_port_security'. */
    size_t n_port_security;
    bool enabled;               /* "enabled". */
    const struct smap *options; /* "options", without "peer". */
    const char *peer;           /* options:peer, or NULL. */
};

/* A kind of logical datapath: how its NB rows map to SB rows.  Rows are
 * passed as generic IDL rows of 'dp_class' and 'port_class'. */
struct nd_dp_kind {
    const char *name;           /* For logs: "switch", "router". */
    const char *plural;         /* For logs: "switches", "routers". */
    const char *sb_type;        /* Datapath_Binding:type. */
    const struct ovsdb_idl_table_class *dp_class;   /* NB datapaths. */
    const struct ovsdb_idl_table_class *port_class; /* NB ports. */
    const struct ovsdb_idl_column *dp_ports_column; /* The datapath column
                                 * that lists its ports. */
    const struct ovsdb_idl_column *port_own_column; /* A port column only
                                 * northd writes (a change of it alone is
                                 * no change), or NULL. */
    bool mcast;                 /* Its datapaths have multicast groups. */
    bool sb_uses_namer;         /* A port's Port_Binding depends on the
                                 * port that names it as its peer. */

    /* The name of NB datapath 'dp', its number of ports and its 'i'th
     * port. */
    const char *(*dp_name)(const struct ovsdb_idl_row *dp);
    size_t (*dp_n_ports)(const struct ovsdb_idl_row *dp);
    const struct ovsdb_idl_row *(*dp_port)(const struct ovsdb_idl_row *dp,
                                           size_t i);

    /* The name of NB port 'port', the name of the port it names as its
     * peer (NULL if none), and its facts (ND_PF_BIT()s). */
    const char *(*port_name)(const struct ovsdb_idl_row *port);
    const char *(*port_peer)(const struct ovsdb_idl_row *port);
    uint32_t (*port_facts)(const struct ovsdb_idl_row *port);

    /* Fills '*sb' with the kind's Port_Binding columns for 'op', whose NB
     * row is 'port'; 'namer' is the port that names 'op' as its peer, if
     * any.  'sb' may point into 'port' and into 'buf', which the caller
     * frees (svec of the strings the callback made). */
    void (*port_sb)(const struct nd_port *op,
                    const struct ovsdb_idl_row *port,
                    const struct nd_port *namer, struct nd_port_sb *sb,
                    struct svec *buf);
};

/* A logical datapath. */
struct nd_datapath {
    struct hmap_node node;      /* In nd_datapaths's 'datapaths'. */
    struct ovs_list removed_node; /* In nd_changes's 'removed_dps'. */
    const struct nd_dp_kind *kind; /* Its kind. */
    struct uuid nb_uuid;        /* NB row. */
    struct uuid sb_uuid;        /* SB Datapath_Binding. */
    uint32_t tunnel_key;        /* Datapath tunnel key. */
    struct tunnel_keys port_keys; /* Port tunnel keys in use. */
    struct ovs_list ports;      /* "struct nd_port"s, by 'dp_node'. */
    size_t n_ports;             /* Length of 'ports'. */
    struct nd_port **by_key;    /* Ports by tunnel key, NULL where none. */
    size_t n_by_key;            /* Number of slots in 'by_key'. */
    size_t n_facts[ND_N_PORT_FACTS]; /* Ports with each fact. */
    uint32_t summary;           /* ND_PF_BIT()s of the facts some port has,
                                 * as last reported in nd_changes. */
    struct uuid mc_uuids[ND_N_MCAST]; /* SB Multicast_Group rows or zero. */
};

/* A logical port. */
struct nd_port {
    struct hmap_node node;      /* In nd_datapaths's 'ports'. */
    struct hmap_node name_node; /* In nd_datapaths's 'by_name'. */
    struct hmap_node peer_node; /* In nd_datapaths's 'by_peer', if 'peer'. */
    struct ovs_list dp_node;    /* In its datapath's 'ports', or in
                                 * nd_changes's 'removed_ports'. */
    struct nd_datapath *dp;     /* Datapath it belongs to. */
    struct uuid nb_uuid;        /* NB row. */
    struct uuid sb_uuid;        /* SB Port_Binding. */
    uint32_t tunnel_key;        /* Port tunnel key within 'dp'. */
    char *name;                 /* Its name, if it takes part in peering
                                 * (see nd_port_update()), else NULL. */
    char *peer;                 /* Name of the port it names as its peer,
                                 * or NULL. */
    uint32_t facts;             /* ND_PF_BIT()s. */
    bool in_mc[ND_N_MCAST];     /* Member of the SB multicast group. */
    uint32_t seen;              /* Scratch for an incremental sync. */
};

/* Returns true if port 'op' has 'fact'. */
static inline bool
nd_port_has(const struct nd_port *op, enum nd_port_fact fact)
{
    return (op->facts & ND_PF_BIT(fact)) != 0;
}

/* Returns true if a port of 'od' has 'fact'. */
static inline bool
nd_datapath_has(const struct nd_datapath *od, enum nd_port_fact fact)
{
    return od->n_facts[fact] > 0;
}

/* All datapaths and ports. */
struct nd_datapaths {
    struct hmap datapaths;      /* "struct nd_datapath"s by NB UUID. */
    struct hmap ports;          /* "struct nd_port"s by NB UUID. */
    struct hmap by_name;        /* "struct nd_port"s that have a 'name', by
                                 * name. */
    struct hmap by_peer;        /* "struct nd_port"s by 'peer'. */
    struct tunnel_keys dp_keys; /* Datapath tunnel keys in use. */
    uint32_t seen_seq;          /* Last value given to nd_port's 'seen'. */
};

/* What one sync changed, for the logical-flow owners. */
struct nd_changes {
    struct hmapx datapaths;     /* "struct nd_datapath"s that are new, whose
                                 * row changed or whose 'summary' did. */
    struct hmapx ports;         /* "struct nd_port"s that are new or whose
                                 * row or Port_Binding changed. */
    struct ovs_list removed_dps;   /* Datapaths gone ("struct nd_datapath"s
                                    * by 'removed_node', freed with the
                                    * changes). */
    struct ovs_list removed_ports; /* Ports gone or moved away ("struct
                                    * nd_port"s by 'dp_node', whose 'dp'
                                    * and key say where they were). */
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

struct nd_datapath *nd_datapath_find(const struct nd_datapaths *,
                                     const struct uuid *nb_uuid);
struct nd_port *nd_port_find(const struct nd_datapaths *,
                             const struct uuid *nb_uuid);
struct nd_port *nd_port_find_by_name(const struct nd_datapaths *,
                                     const char *name);
const struct nd_port *nd_port_namer(const struct nd_datapaths *,
                                    const struct nd_port *);
struct nd_port *nd_port_at_key(const struct nd_datapath *, uint32_t key);
size_t nd_datapaths_count_kind(const struct nd_datapaths *,
                               const struct nd_dp_kind *);

#endif /* northd/datapaths.h */
