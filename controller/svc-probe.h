/*
 * The packets of load balancer health checks (service monitors): the
 * probes the controller sends a backend, and what it makes of the
 * packets that come back.
 *
 * A TCP probe is a SYN from the monitor's address and a source port of
 * the controller's choosing to the backend's address and port: a SYN-ACK
 * says the service listens (the controller then resets the half-open
 * connection), a reset says it does not.  A UDP probe is an empty
 * datagram: an ICMP port (or host, or network) unreachable that quotes
 * it says the service is not there; silence counts as success.  Probes
 * are IPv4.
 *
 * svc_probe_parse_reply() reads a packet that arrives from a backend's
 * port, which a misbehaving backend controls entirely: it checks every
 * length before reading (tests/fuzz/fuzz-svc-probe.c).
 */
#ifndef CONTROLLER_SVC_PROBE_H
#define CONTROLLER_SVC_PROBE_H 1

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
    SVC_PROBE_UNREACHABLE,      /* UDP (or TCP): ICMP destination
                                 * unreachable quoting the probe. */
};

/* A reply to a probe, in the probe's terms: 'backend_ip' and
 * 'backend_port' are the probe's destination, 'monitor_ip' and
 * 'monitor_port' its source. */
struct svc_probe_reply {
    enum svc_probe_verdict verdict;
    uint8_t proto;              /* IPPROTO_TCP or IPPROTO_UDP. */
    ovs_be32 backend_ip;
    uint16_t backend_port;
    ovs_be32 monitor_ip;
    uint16_t monitor_port;
    uint32_t ack;               /* SYN_ACK: its acknowledgment number (the
                                 * sequence number of the reset). */
};

bool svc_probe_parse_reply(const void *data, size_t len,
                           struct svc_probe_reply *);

void svc_probe_build_tcp(struct dp_packet *, struct eth_addr src_mac,
                         struct eth_addr dst_mac, ovs_be32 src_ip,
                         ovs_be32 dst_ip, uint16_t src_port,
                         uint16_t dst_port, uint16_t flags, uint32_t seq);
void svc_probe_build_udp(struct dp_packet *, struct eth_addr src_mac,
                         struct eth_addr dst_mac, ovs_be32 src_ip,
                         ovs_be32 dst_ip, uint16_t src_port,
                         uint16_t dst_port);

#endif /* controller/svc-probe.h */
