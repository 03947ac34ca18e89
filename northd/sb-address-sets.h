/*
 * The address sets that logical flows name: NB Address_Set and Port_Group
 * -> SB Address_Set.
 *
 * A logical flow match may refer to an address set by name
 * ("nw_src=$as_all", lib/pipeline.h) instead of holding its addresses;
 * the controllers and osmotic-trace take the addresses from SB
 * Address_Set.  SB has one row per NB Address_Set and two per NB
 * Port_Group, "PG_ip4" and "PG_ip6", with the IPv4 and IPv6 addresses of
 * the group's ports (unless an NB address set has that name, which then
 * wins, as in matches: northd/nb-match.h).
 *
 * nd_address_sets_sync() writes only what changed: after a full
 * recompute (or on 'full') it compares every set; otherwise only the sets
 * that the tracked NB changes (address sets, port groups, ports of a
 * group) and SB changes (a row written by someone else) may have
 * changed, and it changes a row's addresses by mutation, one address
 * added to a set of ten thousand costing one value on the wire.  So an
 * address set's change costs its own row, and no logical flow.  It
 * writes nothing to a server whose schema predates the table.
 */
#ifndef NORTHD_SB_ADDRESS_SETS_H
#define NORTHD_SB_ADDRESS_SETS_H 1

#include <stdbool.h>

struct ovsdb_idl;
struct ovsdb_idl_txn;

void nd_address_sets_sync(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
                          struct ovsdb_idl_txn *sb_txn, bool full);

#endif /* northd/sb-address-sets.h */
