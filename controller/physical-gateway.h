/*
 * Physical flows of routers: patch ports, localnet ports, gateway
 * redirects and learned MAC bindings (Documentation/pipeline.md,
 * "Physical tables").
 *
 * Patch ports.  A patch port is on every chassis where its datapath is
 * local.  Physical output to it (table 30) runs its datapath's egress
 * pipeline at once; delivery to it (table 60) clears the packet's
 * conntrack state and every register but the colour, sets the peer
 * datapath, the peer port as inport and the peer's conntrack zone (a
 * router's own zone, 0 for a switch), and continues at the peer's first
 * ingress stage, on the same chassis.
 *
 * Localnet ports.  A switch port of type "localnet" whose physical
 * network this chassis maps to a provider bridge (controller/gateway.h)
 * is a local port whose OpenFlow port is br-int's patch port to that
 * bridge.  Frames that a gateway port (or a ramp-out rule) sends with its
 * MAC are dropped at delivery to a localnet port on a chassis that is not
 * the active one for it: a backup gateway never answers on the external
 * network.
 *
 * Redirects.  A router's redirect keys (lib/rampout.h) get, in table 30,
 * the way to their active chassis: its egress pipeline here if it is this
 * chassis, the tunnel to it otherwise, drop if no chassis of the list is
 * alive; in table 31, packets that arrive from a tunnel for one run the
 * router's egress pipeline.  The table-30 flow of a ramp-out rule counts
 * the rule's packets and bytes (its cookie is the SB Rampout row's).
 *
 * MAC bindings.  Each SB MAC_Binding of a local router resolves its
 * address in lr_in_arp_resolve, below the addresses northd knows.
 *
 * Patch and localnet ports are the flows of their Port_Binding's owner;
 * redirects and MAC bindings those of an owner per router.  All of them
 * are rebuilt by the physical node's recompute, which any change of a
 * patch port, gateway, Rampout or MAC_Binding, or of BFD on a tunnel,
 * causes.
 */
#ifndef CONTROLLER_PHYSICAL_GATEWAY_H
#define CONTROLLER_PHYSICAL_GATEWAY_H 1

#include <stdbool.h>

struct physical_ctx;
struct sbrec_port_binding;

bool physical_gateway_port(const struct physical_ctx *,
                           const struct sbrec_port_binding *);
bool physical_gateway_local_member(const struct physical_ctx *,
                                   const struct sbrec_port_binding *);
bool physical_gateway_needs_recompute(const struct sbrec_port_binding *);
void physical_gateway_run(const struct physical_ctx *);

#endif /* controller/physical-gateway.h */
