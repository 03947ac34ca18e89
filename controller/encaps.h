/*
 * Tunnel mesh: one Geneve port on br-int per (remote chassis, lane) where
 * both chassis have that lane, whose outer header inherits the DSCP of the
 * inner packet (options:tos=inherit), plus, for each DSCP value that a
 * colour marks its traffic with, one more port per (remote chassis, lane)
 * that writes that DSCP into the outer header (options:tos) and leaves
 * the inner packet as the pod sent it.  The lane-0 tunnel between a
 * gateway chassis (of a router port or a ramp-out rule) and any other
 * chassis runs BFD, which tells the controller when the gateway dies
 * (controller/gateway.h).  Open vSwitch sets a tunnel's
 * outer TOS per port, not per packet, and refuses two ports that differ
 * only in their TOS: a DSCP port also differs in its UDP destination port,
 * ENCAPS_DSCP_PORT_BASE + DSCP, on which the peer, which builds the same
 * ports from the same colours, receives.  The ports carry external_ids
 * naming the remote chassis, lane and DSCP; only such ports are ever
 * changed or removed.
 */
#ifndef CONTROLLER_ENCAPS_H
#define CONTROLLER_ENCAPS_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/hmap.h"
#include "simap.h"

struct chassis_config;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;

/* external_ids keys on tunnel ports. */
#define ENCAPS_CHASSIS_KEY "osmotic-chassis"
#define ENCAPS_LANE_KEY "osmotic-lane"
#define ENCAPS_DSCP_KEY "osmotic-dscp"

/* UDP destination port of the tunnels that mark DSCP d: this plus d.  The
 * ports that inherit the DSCP use Geneve's own, 6081. */
#define ENCAPS_DSCP_PORT_BASE 6200

/* The DSCP value of a tunnel port that inherits the inner packet's. */
#define ENCAPS_DSCP_INHERIT (-1)

/* One tunnel port of br-int that has an OpenFlow port. */
struct encaps_port {
    struct hmap_node node;      /* In encaps_ports's 'map'. */
    char *chassis;              /* Remote chassis name. */
    int lane;                   /* Lane. */
    int dscp;                   /* DSCP it marks, or ENCAPS_DSCP_INHERIT. */
    int ofport;                 /* OpenFlow port number. */
    bool bfd;                   /* BFD runs on it. */
    bool bfd_down;              /* BFD was up once and is not now. */
};

/* The tunnel ports of br-int, and its patch ports to provider bridges
 * (controller/gateway.h). */
struct encaps_ports {
    struct hmap map;            /* Contains "struct encaps_port"s. */
    struct simap localnets;     /* Physical network -> OpenFlow port. */
};

/* BFD on the tunnels between a gateway chassis and every other chassis:
 * transmit and receive intervals, in milliseconds.  Open vSwitch declares
 * a session down after 3 intervals without a packet. */
#define ENCAPS_BFD_INTERVAL_MS 100

void encaps_ports_init(struct encaps_ports *);
void encaps_ports_destroy(struct encaps_ports *);
void encaps_ports_read(const struct ovsrec_bridge *br_int,
                       struct encaps_ports *);
int encaps_ports_find(const struct encaps_ports *, const char *chassis,
                      int lane, int dscp);
bool encaps_ports_equal(const struct encaps_ports *,
                        const struct encaps_ports *);
void encaps_ports_swap(struct encaps_ports *, struct encaps_ports *);

void encaps_tunnel_name(const char *chassis, int lane, int dscp,
                        char name[16]);
void encaps_run(struct ovsdb_idl_txn *ovs_txn,
                const struct ovsrec_bridge *br_int,
                struct ovsdb_idl *sb_idl, const struct chassis_config *,
                const unsigned long *dscps);
size_t encaps_count_tunnels(const struct ovsrec_bridge *br_int);
bool encaps_cleanup(struct ovsdb_idl_txn *ovs_txn,
                    const struct ovsrec_bridge *br_int);

#endif /* controller/encaps.h */
