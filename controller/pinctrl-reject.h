/*
 * The packet-in handler of logical action "reject;": answers the packet
 * that an ACL refused, so that its sender learns at once.
 *
 * A TCP segment gets a reset (RST, or RST+ACK for a segment without ACK,
 * as a host whose port is closed answers), a UDP datagram an ICMP port
 * unreachable (ICMPv6 type 1 code 4), any other IP packet an ICMP
 * "communication administratively prohibited" (ICMPv4 type 3 code 13,
 * ICMPv6 type 1 code 1).  A TCP reset and anything not IP get nothing.
 *
 * The answer comes from the refused packet's destination and goes back to
 * its source.  From an ingress stage (a from-lport ACL, on the chassis of
 * the sending port) it leaves by the OpenFlow port the packet came in by.
 * From an egress stage (a to-lport ACL, on the chassis of the receiving
 * port) it enters physical output (table 30) with the logical ports
 * exchanged, and so reaches the sender wherever it is, through the
 * sender's egress stages.  The packet-ins are rate-limited by the meter
 * of operation LACT_PIN_REJECT (pinctrl.h).
 */
#ifndef CONTROLLER_PINCTRL_REJECT_H
#define CONTROLLER_PINCTRL_REJECT_H 1

#include <stddef.h>

struct ofputil_packet_in;
struct rconn;

void pinctrl_reject_handle(struct rconn *, const struct ofputil_packet_in *,
                           const char *payload, size_t len);

#endif /* controller/pinctrl-reject.h */
