/*
 * The packets of load balancer health checks (service monitors): the
 * probes the controller sends a backend, and what it makes of the
 * packets that come back.
 *
 * A TCP probe is a SYN from the monitor's address and a source port of
 * the controller's choosing to the backend's address and port: a SYN-ACK
 * says the service listens (the controller then resets the half-open
 * connection), a reset says it does not.  A UDP probe is an empty
 * datagram: an ICMP port (or host, or protocol) unreachable, or an
 * ICMPv6 port (or address) unreachable, that quotes it says the service
 * is not there; silence counts as success.  Probes are IPv4 or IPv6, of
 * the backend's family; addresses here are IPv6, an IPv4 one mapped
 * (::ffff:a.b.c.d).
 *
 * A reply counts only if svc_probe_reply_answers() says it answers the
 * probe in flight: from the backend's address and port to the monitor's,
 * acknowledging (TCP) or quoting (ICMP, from the backend's address) the
 * probe.
 *
 * svc_probe_parse_reply() reads a packet that arrives from a backend's
 * port, which a misbehaving backend controls entirely: it checks every
 * length before reading (tests/fuzz/fuzz-svc-probe.c).
 */
#ifndef CONTROLLER_SVC_PROBE_H
#define CONTROLLER_SVC_PROBE_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"

struct dp_packet;

/* What a packet from a backend says about a probe. */
enum svc_probe_verdict {
    SVC_PROBE_NONE,             /* Nothing about a probe. */
    SVC_PROBE_SYN_ACK,          /* TCP: the service accepts. */
    SVC_PROBE_RST,              /* TCP: nothing listens. */
    SVC_PROBE_UNREACHABLE,      /* UDP (or TCP): ICMP (ICMPv6)
                                 * destination unreachable quoting the
                                 * probe. */
};

/* A reply to a probe, in the probe's terms: 'backend_ip' and
 * 'backend_port' are the probe's destination, 'monitor_ip' and
 * 'monitor_port' its source. */
struct svc_probe_reply {
    enum svc_probe_verdict verdict;
    uint8_t proto;              /* IPPROTO_TCP or IPPROTO_UDP. */
    struct in6_addr backend_ip;
    uint16_t backend_port;
    struct in6_addr monitor_ip;
    uint16_t monitor_port;
    bool has_ack;               /* TCP: ACK is set. */
    uint32_t ack;               /* TCP: its acknowledgment number (for a
                                 * SYN-ACK, the sequence number of the
                                 * reset that closes it). */
    uint32_t seq;               /* UNREACHABLE quoting TCP: the quoted
                                 * sequence number. */
};

/* A probe sent, which a reply must match to count. */
struct svc_probe {
    bool tcp;                   /* Else UDP. */
    struct in6_addr backend_ip; /* Destination. */
    uint16_t backend_port;
    struct in6_addr monitor_ip; /* Source, of the same family. */
    uint16_t monitor_port;
    uint32_t seq;               /* TCP: the SYN's sequence number. */
};

bool svc_probe_parse_reply(const void *data, size_t len,
                           struct svc_probe_reply *);
bool svc_probe_reply_answers(const struct svc_probe_reply *,
                             const struct svc_probe *);

void svc_probe_build_tcp(struct dp_packet *, struct eth_addr src_mac,
                         struct eth_addr dst_mac,
                         const struct in6_addr *src_ip,
                         const struct in6_addr *dst_ip, uint16_t src_port,
                         uint16_t dst_port, uint16_t flags, uint32_t seq);
void svc_probe_build_udp(struct dp_packet *, struct eth_addr src_mac,
                         struct eth_addr dst_mac,
                         const struct in6_addr *src_ip,
                         const struct in6_addr *dst_ip, uint16_t src_port,
                         uint16_t dst_port);

#endif /* controller/svc-probe.h */
