/*
 * Tunnel mesh: one Geneve port on br-int per (remote chassis, lane) where
 * both chassis have that lane.  The ports carry external_ids naming the
 * remote chassis and lane; only such ports are ever changed or removed.
 */
#ifndef CONTROLLER_ENCAPS_H
#define CONTROLLER_ENCAPS_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/shash.h"

struct chassis_config;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;

/* external_ids keys on tunnel ports. */
#define ENCAPS_CHASSIS_KEY "osmotic-chassis"
#define ENCAPS_LANE_KEY "osmotic-lane"

void encaps_tunnel_name(const char *chassis, int lane, char name[16]);
void encaps_run(struct ovsdb_idl_txn *ovs_txn,
                const struct ovsrec_bridge *br_int,
                struct ovsdb_idl *sb_idl, const struct chassis_config *);
void encaps_tunnel_ofports(const struct ovsrec_bridge *br_int, int lane,
                           struct shash *ofports);
size_t encaps_count_tunnels(const struct ovsrec_bridge *br_int);
bool encaps_cleanup(struct ovsdb_idl_txn *ovs_txn,
                    const struct ovsrec_bridge *br_int);

#endif /* controller/encaps.h */
