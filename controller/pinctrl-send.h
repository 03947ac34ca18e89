/*
 * Sending a packet that a packet-in handler built back into br-int's
 * logical pipeline.
 *
 * Handlers of actions with nested actions (arp, nd_ns, icmp4, icmp6:
 * lib/logical-actions.h) build a new packet from the one that came in
 * and run the nested actions on it, as OpenFlow actions carried in the
 * packet-in's userdata, in the pipeline state the original packet had:
 * its datapath (metadata) and every register.  The nested actions end
 * with "output" or "next", so the new packet goes on from where the old
 * one was.
 */
#ifndef CONTROLLER_PINCTRL_SEND_H
#define CONTROLLER_PINCTRL_SEND_H 1

struct dp_packet;
struct ofputil_packet_in;
struct rconn;

void pinctrl_send_packet(struct rconn *, const struct ofputil_packet_in *,
                         const struct dp_packet *, const char *actions);

#endif /* controller/pinctrl-send.h */
