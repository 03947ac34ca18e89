/*
 * Gateways: the gateway chassis of router ports (an HA chassis group or
 * Gateway_Chassis rows, lib/nb-gateways.h) -> SB
 * Port_Binding:gateway_chassis, and NB Rampout_Rule -> SB Rampout.
 *
 * Both are small (a few gateway ports and rules per router), so
 * nd_gateways_sync() compares all of them with SB on every run and
 * writes only the differences.  A Rampout row's active_chassis is the
 * one the active gateway claims: each controller watches the tunnels to
 * the gateways (BFD) and moves traffic on its own as soon as a gateway
 * stops answering, and the gateway that becomes active writes its name
 * (controller/gateway-claim.h).  northd keeps that name while it is a
 * registered chassis of the rule's list, and otherwise writes the
 * registered one of highest priority.  nd_gateways_sync_nb() copies it to
 * the NB rule's status:active-chassis, which "osmotic-nbctl rampout-list"
 * prints ("osmotic-sbctl show" prints the SB row).
 */
#ifndef NORTHD_GATEWAYS_H
#define NORTHD_GATEWAYS_H 1

struct nd_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_txn;

void nd_gateways_sync(const struct nd_datapaths *, struct ovsdb_idl *nb_idl,
                      struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *);
void nd_gateways_sync_nb(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl);

#endif /* northd/gateways.h */
