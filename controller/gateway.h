/*
 * Routers and gateways on this chassis.
 *
 * Local datapaths.  A datapath is local when a port of it is bound here
 * (controller/binding.h), when this chassis is one of the gateway
 * chassis of one of its ports (Port_Binding:gateway_chassis) or of one of
 * its ramp-out rules (SB Rampout), and when it is the patch peer of a
 * local datapath: a router is local wherever a switch it connects has a
 * local port, and so are the switches on its other ports, since a packet
 * routed here continues in them here (routing is distributed: it happens
 * on the sending chassis).  gateway_close_local_datapaths() adds the
 * last two kinds.
 *
 * Active gateway.  Each gateway port and each ramp-out rule has an
 * ordered list of chassis (priority -> name); traffic leaves by the
 * alive chassis of highest priority.  Every controller decides this for
 * itself, from what it sees, so that no round trip through a database
 * delays a failover: another chassis is alive if it is registered in SB
 * (has a Chassis row), has a tunnel from here, and the BFD session on
 * that tunnel is not down (BFD runs on the tunnels between a gateway and
 * every other chassis, controller/encaps.h, so a dead gateway is noticed
 * within about 3 BFD intervals).  This chassis itself is alive unless it
 * has BFD sessions and all of them are down: a gateway cut off from the
 * underlay steps down instead of answering on the external network.
 *
 * Localnet.  external_ids:osmotic-bridge-mappings on the Open_vSwitch
 * row ("NETWORK:BRIDGE,...") names the provider bridge of each physical
 * network; for each mapping whose bridge exists the controller keeps a
 * pair of patch ports between br-int and that bridge, and a switch port
 * of type "localnet" with options:network_name=NETWORK is reached
 * through it.
 */
#ifndef CONTROLLER_GATEWAY_H
#define CONTROLLER_GATEWAY_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct encaps_ports;
struct local_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct sbrec_chassis;
struct sbrec_port_binding;
struct simap;

/* external_ids key of br-int's patch port to a provider bridge: its
 * physical network. */
#define GATEWAY_LOCALNET_KEY "osmotic-localnet"

void gateway_close_local_datapaths(struct ovsdb_idl *sb_idl,
                                   const struct sbrec_chassis *,
                                   struct local_datapaths *);

bool gateway_chassis_alive(struct ovsdb_idl *sb_idl, const char *name,
                           const char *self,
                           const struct encaps_ports *tunnels);
const char *gateway_active_chassis(struct ovsdb_idl *sb_idl,
                                   const int64_t *prios, char **names,
                                   size_t n, const char *self,
                                   const struct encaps_ports *tunnels);
bool gateway_is_gateway(struct ovsdb_idl *sb_idl, const char *chassis);
int gateway_localnet_ofport(struct ovsdb_idl *sb_idl,
                            const struct encaps_ports *tunnels,
                            const struct sbrec_port_binding *gw);

void gateway_localnet_run(struct ovsdb_idl_txn *, struct ovsdb_idl *ovs_idl,
                          const struct ovsrec_bridge *br_int,
                          const char *mappings);
bool gateway_localnet_cleanup(struct ovsdb_idl_txn *,
                              struct ovsdb_idl *ovs_idl,
                              const struct ovsrec_bridge *br_int);
void gateway_localnet_read(const struct ovsrec_bridge *br_int,
                           struct simap *ofports);

#endif /* controller/gateway.h */
