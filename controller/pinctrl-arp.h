/*
 * Packet-in handlers of IPv4 next-hop resolution: arp { ... } and
 * put_arp().
 *
 * arp { ACTIONS }: a router that does not know the MAC of a next hop
 * hands the packet to the controller (rate-limited by the operation's
 * meter), which builds an ARP request from it (source MAC and IP of the
 * packet, target IP of the packet), sends it back into br-int with the
 * packet's pipeline metadata and runs ACTIONS on it (the flow fills in
 * the router port's address and the next hop, reg0, and outputs it).
 * One next hop is asked for at most once a second
 * (controller/mac-binding.h).  The original packet is dropped: the
 * sender retransmits.
 *
 * put_arp(PORT, IP, MAC): a router that receives an ARP reply (or a
 * request for one of its addresses) learns the binding; the controller
 * writes it to SB MAC_Binding, and every chassis with the router
 * resolves the address from then on (controller/physical-gateway.h).
 *
 * pinctrl_read_binding() reads the fields of put_arp() and put_nd() for
 * both handlers.
 */
#ifndef CONTROLLER_PINCTRL_ARP_H
#define CONTROLLER_PINCTRL_ARP_H 1

#include <stdbool.h>
#include <stdint.h>

struct eth_addr;
struct in6_addr;
struct mac_binding_state;
struct ofputil_packet_in;
struct rconn;

void pinctrl_arp_request(struct rconn *, struct mac_binding_state *,
                         const struct ofputil_packet_in *,
                         const char *payload);
void pinctrl_arp_learn(struct mac_binding_state *,
                       const struct ofputil_packet_in *, const char *payload);

bool pinctrl_read_binding(const struct ofputil_packet_in *,
                          const char *payload, bool ipv6,
                          uint64_t *dp_key, uint32_t *port_key,
                          struct in6_addr *ip, struct eth_addr *mac);

#endif /* controller/pinctrl-arp.h */
