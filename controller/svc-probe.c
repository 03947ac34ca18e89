#include <config.h>

#include "controller/svc-probe.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>

#include "controller/pinctrl-packet.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"
#include "util.h"

/* Reads into 'r' the quoted TCP or UDP header 'l4' (at least 8 bytes) of
 * a probe of 'proto' from 'src' to 'dst', which an ICMP (ICMPv6) error
 * quotes. */
static void
put_quoted(uint8_t proto, const struct in6_addr *src,
           const struct in6_addr *dst, const uint8_t *l4,
           struct svc_probe_reply *r)
{
    r->verdict = SVC_PROBE_UNREACHABLE;
    r->proto = proto;
    r->monitor_ip = *src;
    r->backend_ip = *dst;
    r->monitor_port = (l4[0] << 8) | l4[1];
    r->backend_port = (l4[2] << 8) | l4[3];
    if (proto == IPPROTO_TCP) {
        r->seq = ((uint32_t) l4[4] << 24) | (l4[5] << 16) | (l4[6] << 8)
                 | l4[7];
    }
}

/* Parses the ICMP destination unreachable 'icmp' of 'len' bytes (header
 * included) from 'f': the probe it quotes, if it quotes one, into 'r'. */
static bool
parse_unreachable(const struct flow *f, const uint8_t *icmp, size_t len,
                  struct svc_probe_reply *r)
{
    /* ICMP header, then the quoted IPv4 header and 8 bytes of L4. */
    if (len < ICMP_HEADER_LEN + IP_HEADER_LEN + 8) {
        return false;
    }
    const uint8_t *ip = icmp + ICMP_HEADER_LEN;
    size_t ip_len = len - ICMP_HEADER_LEN;
    size_t ihl = (ip[0] & 0x0f) * 4;
    if ((ip[0] >> 4) != 4 || ihl < IP_HEADER_LEN || ip_len < ihl + 8) {
        return false;
    }
    uint8_t proto = ip[9];
    if (proto != IPPROTO_UDP && proto != IPPROTO_TCP) {
        return false;
    }
    ovs_be32 src, dst;
    memcpy(&src, ip + 12, sizeof src);
    memcpy(&dst, ip + 16, sizeof dst);
    /* The error comes back to the probe's source, from the backend
     * itself: probes go straight into its port, with no router between
     * that could speak for it. */
    if (src != f->nw_dst || dst != f->nw_src) {
        return false;
    }
    struct in6_addr src6, dst6;
    in6_addr_set_mapped_ipv4(&src6, src);
    in6_addr_set_mapped_ipv4(&dst6, dst);
    put_quoted(proto, &src6, &dst6, ip + ihl, r);
    return true;
}

/* Parses the ICMPv6 destination unreachable 'icmp' of 'len' bytes
 * (header included) from 'f': the probe it quotes, if it quotes one, into
 * 'r'.  Probes carry no extension header: the quoted header's next header
 * is TCP or UDP. */
static bool
parse_unreachable6(const struct flow *f, const uint8_t *icmp, size_t len,
                   struct svc_probe_reply *r)
{
    /* ICMPv6 header, then the quoted IPv6 header and 8 bytes of L4. */
    if (len < ICMP6_DATA_HEADER_LEN + IPV6_HEADER_LEN + 8) {
        return false;
    }
    const uint8_t *ip6 = icmp + ICMP6_DATA_HEADER_LEN;
    uint8_t proto = ip6[6];
    if ((ip6[0] >> 4) != 6
        || (proto != IPPROTO_UDP && proto != IPPROTO_TCP)) {
        return false;
    }
    struct in6_addr src, dst;
    memcpy(&src, ip6 + 8, sizeof src);
    memcpy(&dst, ip6 + 24, sizeof dst);
    /* From the backend itself, as for IPv4. */
    if (!ipv6_addr_equals(&src, &f->ipv6_dst)
        || !ipv6_addr_equals(&dst, &f->ipv6_src)) {
        return false;
    }
    put_quoted(proto, &src, &dst, ip6 + IPV6_HEADER_LEN, r);
    return true;
}

/* Reads the Ethernet frame 'data' of 'len' bytes, which came from a
 * backend's port, into 'r'.  Returns true if it answers a probe (a TCP
 * SYN-ACK or reset over IPv4 or IPv6, an ICMP host, protocol or port
 * unreachable, or an ICMPv6 address or port unreachable, quoting a TCP or
 * UDP packet), false otherwise. */
bool
svc_probe_parse_reply(const void *data, size_t len, struct svc_probe_reply *r)
{
    memset(r, 0, sizeof *r);
    struct dp_packet packet;
    dp_packet_use_const(&packet, data, len);
    struct flow f;
    flow_extract(&packet, &f);
    bool ipv4 = f.dl_type == htons(ETH_TYPE_IP);
    if ((!ipv4 && f.dl_type != htons(ETH_TYPE_IPV6))
        || (f.nw_frag & FLOW_NW_FRAG_LATER) || !dp_packet_l4(&packet)) {
        return false;
    }
    const uint8_t *l4 = dp_packet_l4(&packet);
    size_t l4_len = dp_packet_l4_size(&packet);
    if (f.nw_proto == IPPROTO_TCP && l4_len >= TCP_HEADER_LEN) {
        const struct tcp_header *tcp = (const struct tcp_header *) l4;
        uint16_t flags = TCP_FLAGS(tcp->tcp_ctl);
        if (flags & TCP_RST) {
            r->verdict = SVC_PROBE_RST;
        } else if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
            r->verdict = SVC_PROBE_SYN_ACK;
        } else {
            return false;
        }
        r->has_ack = (flags & TCP_ACK) != 0;
        r->ack = ntohl(get_16aligned_be32(&tcp->tcp_ack));
        r->proto = IPPROTO_TCP;
        if (ipv4) {
            in6_addr_set_mapped_ipv4(&r->backend_ip, f.nw_src);
            in6_addr_set_mapped_ipv4(&r->monitor_ip, f.nw_dst);
        } else {
            r->backend_ip = f.ipv6_src;
            r->monitor_ip = f.ipv6_dst;
        }
        r->backend_port = ntohs(f.tp_src);
        r->monitor_port = ntohs(f.tp_dst);
        return true;
    } else if (ipv4 && f.nw_proto == IPPROTO_ICMP
               && l4_len >= ICMP_HEADER_LEN
               && l4[0] == ICMP4_DST_UNREACH
               && (l4[1] == 1 || l4[1] == 2 || l4[1] == 3)) {
        /* Host, protocol or port unreachable. */
        return parse_unreachable(&f, l4, l4_len, r);
    } else if (!ipv4 && f.nw_proto == IPPROTO_ICMPV6
               && l4_len >= ICMP6_DATA_HEADER_LEN
               && l4[0] == ICMP6_DST_UNREACH
               && (l4[1] == ICMP6_DST_UNREACH_ADDR
                   || l4[1] == ICMP6_DST_UNREACH_NOPORT)) {
        /* Address or port unreachable (an IPv6 node reports an unknown
         * protocol with a parameter problem, which quotes no port). */
        return parse_unreachable6(&f, l4, l4_len, r);
    }
    return false;
}

/* Returns true if 'r' (from svc_probe_parse_reply()) answers probe 'p':
 * it comes from the probe's destination and goes to its source (addresses
 * and ports), with its protocol, and, for TCP, acknowledges its sequence
 * number (a SYN-ACK, or a reset, which answers a SYN with ACK set) or
 * quotes it (an ICMP error).  Anything else says nothing about 'p'. */
bool
svc_probe_reply_answers(const struct svc_probe_reply *r,
                        const struct svc_probe *p)
{
    if (r->verdict == SVC_PROBE_NONE
        || r->proto != (p->tcp ? IPPROTO_TCP : IPPROTO_UDP)
        || !ipv6_addr_equals(&r->backend_ip, &p->backend_ip)
        || r->backend_port != p->backend_port
        || !ipv6_addr_equals(&r->monitor_ip, &p->monitor_ip)
        || r->monitor_port != p->monitor_port) {
        return false;
    }
    switch (r->verdict) {
    case SVC_PROBE_SYN_ACK:
    case SVC_PROBE_RST:
        return r->has_ack && r->ack == p->seq + 1;
    case SVC_PROBE_UNREACHABLE:
        return !p->tcp || r->seq == p->seq;
    case SVC_PROBE_NONE:
    default:
        return false;
    }
}

/* Fills 'f' with the addresses of a probe: IPv4 if 'src_ip' is
 * IPv4-mapped, else IPv6. */
static void
probe_flow(struct flow *f, struct eth_addr src_mac, struct eth_addr dst_mac,
           const struct in6_addr *src_ip, const struct in6_addr *dst_ip)
{
    memset(f, 0, sizeof *f);
    f->dl_src = src_mac;
    f->dl_dst = dst_mac;
    if (IN6_IS_ADDR_V4MAPPED(src_ip)) {
        f->dl_type = htons(ETH_TYPE_IP);
        f->nw_src = in6_addr_get_mapped_ipv4(src_ip);
        f->nw_dst = in6_addr_get_mapped_ipv4(dst_ip);
    } else {
        f->dl_type = htons(ETH_TYPE_IPV6);
        f->ipv6_src = *src_ip;
        f->ipv6_dst = *dst_ip;
    }
}

/* Builds into 'p' (empty) a TCP segment with 'flags' and sequence number
 * 'seq' from the monitor to a backend. */
void
svc_probe_build_tcp(struct dp_packet *p, struct eth_addr src_mac,
                    struct eth_addr dst_mac, const struct in6_addr *src_ip,
                    const struct in6_addr *dst_ip, uint16_t src_port,
                    uint16_t dst_port, uint16_t flags, uint32_t seq)
{
    struct flow f;
    probe_flow(&f, src_mac, dst_mac, src_ip, dst_ip);
    pinctrl_put_eth(p, &f, PINCTRL_AS_ORIGINAL);
    pinctrl_put_ip(p, &f, PINCTRL_AS_ORIGINAL, IPPROTO_TCP, 64,
                   sizeof(struct tcp_header));
    struct tcp_header *tcp = dp_packet_put_zeros(p, sizeof *tcp);
    tcp->tcp_src = htons(src_port);
    tcp->tcp_dst = htons(dst_port);
    put_16aligned_be32(&tcp->tcp_seq, htonl(seq));
    tcp->tcp_ctl = TCP_CTL(flags, 5);
    tcp->tcp_winsz = htons(65535);
    pinctrl_set_l4_csum(p, &tcp->tcp_csum);
}

/* Builds into 'p' (empty) an empty UDP datagram from the monitor to a
 * backend. */
void
svc_probe_build_udp(struct dp_packet *p, struct eth_addr src_mac,
                    struct eth_addr dst_mac, const struct in6_addr *src_ip,
                    const struct in6_addr *dst_ip, uint16_t src_port,
                    uint16_t dst_port)
{
    struct flow f;
    probe_flow(&f, src_mac, dst_mac, src_ip, dst_ip);
    pinctrl_put_eth(p, &f, PINCTRL_AS_ORIGINAL);
    pinctrl_put_ip(p, &f, PINCTRL_AS_ORIGINAL, IPPROTO_UDP, 64,
                   sizeof(struct udp_header));
    struct udp_header *udp = dp_packet_put_zeros(p, sizeof *udp);
    udp->udp_src = htons(src_port);
    udp->udp_dst = htons(dst_port);
    udp->udp_len = htons(sizeof *udp);
    pinctrl_set_l4_csum(p, &udp->udp_csum);
}
