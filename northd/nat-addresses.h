/*
 * The addresses a gateway port announces besides its own: NB NAT rules
 * -> SB Port_Binding:nat_addresses.
 *
 * The active gateway of a router's gateway port answers ARP on the
 * external network not only for the port's own addresses but also for
 * the external addresses of the router's NAT rules (dnat_and_snat, dnat
 * and snat), with the port's MAC (northd/lflow-router.c).  When another
 * chassis takes over, it announces those addresses too
 * (controller/gateway-announce.h), and it learns which they are from the
 * port's Port_Binding:nat_addresses: one string "MAC IP...", the port's
 * MAC and the IPv4 external addresses of the router's NAT rules that are
 * not the port's own (which the controller announces from "mac"), in
 * ascending order, each once; empty for a port that is not a gateway
 * port, of a disabled router, or whose router has no such address.
 *
 * A distributed NAT rule's external_mac is not applied (the gateway
 * answers for its address with the port's MAC, as for any rule), so its
 * address is announced with the port's MAC as well.
 *
 * Like the gateway chassis (northd/gateways.h), these are a few strings
 * per gateway port: nd_nat_addresses_sync() compares all of them with SB
 * on every run and writes only the differences.  It writes nothing to a
 * server whose schema predates the column.
 */
#ifndef NORTHD_NAT_ADDRESSES_H
#define NORTHD_NAT_ADDRESSES_H 1

struct nd_datapaths;
struct ovsdb_idl;

void nd_nat_addresses_sync(const struct nd_datapaths *,
                           struct ovsdb_idl *nb_idl,
                           struct ovsdb_idl *sb_idl);

#endif /* northd/nat-addresses.h */
