/*
 * Conntrack zones of local logical ports.
 *
 * Each local port gets a zone (1..65534; 65535 is CT_ZONE_HAIRPIN, of
 * lib/pipeline.h) that stays the same for as long
 * as the port is here, across controller restarts and whatever happens to
 * other ports, so that its connections survive: the assignments are kept
 * in br-int's external_ids as "osmotic-ct-zone-<logical port>"="<zone>".
 * A new port takes the lowest free zone.
 */
#ifndef CONTROLLER_CT_ZONES_H
#define CONTROLLER_CT_ZONES_H 1

struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct shash;
struct simap;

/* Prefix of the br-int external_ids keys that hold zones. */
#define CT_ZONES_KEY_PREFIX "osmotic-ct-zone-"

void ct_zones_run(struct ovsdb_idl_txn *, const struct ovsrec_bridge *br_int,
                  const struct shash *lports, struct simap *zones);

#endif /* controller/ct-zones.h */
