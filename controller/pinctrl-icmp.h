/*
 * Packet-in handler of icmp4 { ACTIONS } and icmp6 { ACTIONS }: ICMP
 * errors from routers.
 *
 * A router hands the controller a packet it cannot forward: one whose
 * TTL (hop limit) expires, or one to a destination it has no route to.
 * The controller turns it into an ICMP (ICMPv6) error that quotes the
 * packet (its IP header and as much of the rest as fits in the minimum
 * MTU of the family, RFC 1812 4.3.2.3, RFC 4443 2.4), with the packet's
 * Ethernet and IP addresses, TTL 255 and type destination unreachable
 * (ICMP code 1, ICMPv6 code 0), and sends it back into br-int with the
 * packet's pipeline state, where ACTIONS set the addresses, the type and
 * the code and output it (the datapath updates the checksums).  Like
 * every packet-in, these are rate-limited by their operation's meter
 * (controller/pinctrl.h), so a flood of expiring packets costs at most
 * that many errors a second.
 *
 * No error is sent for an ICMP error, a non-initial fragment, or a
 * packet to or from a broadcast or multicast address (RFC 1122 3.2.2,
 * RFC 4443 2.4 (e)).
 */
#ifndef CONTROLLER_PINCTRL_ICMP_H
#define CONTROLLER_PINCTRL_ICMP_H 1

#include <stddef.h>

struct ofputil_packet_in;
struct rconn;

void pinctrl_icmp_handle(struct rconn *, const struct ofputil_packet_in *,
                         const char *payload, size_t len);

#endif /* controller/pinctrl-icmp.h */
