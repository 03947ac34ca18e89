/*
 * Packet-in handlers of IPv6 next-hop resolution: nd_ns { ... } and
 * put_nd().
 *
 * nd_ns { ACTIONS }: a router that does not know the MAC of an IPv6 next
 * hop (in xxreg0) hands the packet to the controller (rate-limited by
 * the operation's meter, and one request a second per next hop,
 * controller/mac-binding.h), which builds a neighbor solicitation for
 * it: from the packet's source MAC (the router port's, which routing
 * set), with that MAC as source link-layer address, to the next hop's
 * solicited-node multicast address.  ACTIONS, run on it in the packet's
 * pipeline state, set the router port's IPv6 source and output it.  The
 * original packet is dropped: the sender retransmits.
 *
 * put_nd(PORT, IP6, MAC): a router that receives a neighbor advertisement
 * (or a solicitation for one of its addresses) learns the binding into
 * SB MAC_Binding, as put_arp() does for IPv4 (controller/pinctrl-arp.h).
 */
#ifndef CONTROLLER_PINCTRL_ND_H
#define CONTROLLER_PINCTRL_ND_H 1

struct mac_binding_state;
struct ofputil_packet_in;
struct rconn;

void pinctrl_nd_solicit(struct rconn *, struct mac_binding_state *,
                        const struct ofputil_packet_in *,
                        const char *payload);
void pinctrl_nd_learn(struct mac_binding_state *,
                      const struct ofputil_packet_in *, const char *payload);

#endif /* controller/pinctrl-nd.h */
