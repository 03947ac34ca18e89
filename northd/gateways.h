/*
 * Gateways: NB Gateway_Chassis of router ports -> SB
 * Port_Binding:gateway_chassis, and NB Rampout_Rule -> SB Rampout.
 *
 * Both are small (a few gateway ports and rules per router), so
 * nd_gateways_sync() compares all of them with SB on every run and
 * writes only the differences.  A Rampout row's active_chassis is the
 * chassis of highest priority in its list that is registered in SB (has
 * a Chassis row): that is the view from the database, which
 * "osmotic-nbctl rampout-list" and "osmotic-sbctl show" print; each
 * controller also watches the tunnels to the gateways (BFD) and moves
 * traffic on its own as soon as a gateway stops answering, before the
 * database hears of it.
 */
#ifndef NORTHD_GATEWAYS_H
#define NORTHD_GATEWAYS_H 1

struct nd_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_txn;

void nd_gateways_sync(const struct nd_datapaths *, struct ovsdb_idl *nb_idl,
                      struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *);

#endif /* northd/gateways.h */
