#include <config.h>

#include "controller/pinctrl-packet.h"

#include <netinet/ip6.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"
#include "util.h"

/* How much of the original packet an ICMP error quotes: what fits in the
 * minimum MTU of the family (RFC 1812 4.3.2.3, RFC 4443 2.4). */
#define ICMP4_QUOTE (576 - 20 - 8)
#define ICMP6_QUOTE (1280 - 40 - 8)

/* Appends to 'p' an Ethernet header for a packet going 'dir' relative to
 * the original packet 'f', and marks the start of L3 after it. */
void
pinctrl_put_eth(struct dp_packet *p, const struct flow *f,
                enum pinctrl_direction dir)
{
    bool back = dir == PINCTRL_BACK;
    struct eth_header *eh = dp_packet_put_zeros(p, sizeof *eh);
    eh->eth_dst = back ? f->dl_src : f->dl_dst;
    eh->eth_src = back ? f->dl_dst : f->dl_src;
    eh->eth_type = f->dl_type;
    dp_packet_set_l3(p, dp_packet_tail(p));
}

/* Appends to 'p' an IPv4 or IPv6 header (the family of 'f') going 'dir',
 * with 'ttl', for 'l4_len' bytes of protocol 'proto', and marks the start
 * of L4 after it. */
void
pinctrl_put_ip(struct dp_packet *p, const struct flow *f,
               enum pinctrl_direction dir, uint8_t proto, uint8_t ttl,
               size_t l4_len)
{
    bool back = dir == PINCTRL_BACK;
    if (f->dl_type == htons(ETH_TYPE_IP)) {
        struct ip_header *ip = dp_packet_put_zeros(p, sizeof *ip);
        ip->ip_ihl_ver = IP_IHL_VER(5, 4);
        ip->ip_tot_len = htons(sizeof *ip + l4_len);
        ip->ip_ttl = ttl;
        ip->ip_proto = proto;
        put_16aligned_be32(&ip->ip_src, back ? f->nw_dst : f->nw_src);
        put_16aligned_be32(&ip->ip_dst, back ? f->nw_src : f->nw_dst);
        ip->ip_csum = csum(ip, sizeof *ip);
    } else {
        struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_put_zeros(p,
                                                                sizeof *ip6);
        put_16aligned_be32(&ip6->ip6_flow, htonl(6 << 28));
        ip6->ip6_plen = htons(l4_len);
        ip6->ip6_nxt = proto;
        ip6->ip6_hlim = ttl;
        memcpy(&ip6->ip6_src, back ? &f->ipv6_dst : &f->ipv6_src,
               sizeof ip6->ip6_src);
        memcpy(&ip6->ip6_dst, back ? &f->ipv6_src : &f->ipv6_dst,
               sizeof ip6->ip6_dst);
    }
    dp_packet_set_l4(p, dp_packet_tail(p));
}

/* Fills in 'csum_field', the checksum of the L4 header of 'p', which holds
 * the whole packet. */
void
pinctrl_set_l4_csum(struct dp_packet *p, void *csum_field)
{
    const void *l4 = dp_packet_l4(p);
    size_t l4_len = dp_packet_l4_size(p);
    ovs_be16 sum;

    memset(csum_field, 0, sizeof sum);
    if (((const uint8_t *) dp_packet_l3(p))[0] >> 4 == 4) {
        const struct ip_header *ip = dp_packet_l3(p);
        uint32_t partial = (ip->ip_proto == IPPROTO_ICMP ? 0
                            : packet_csum_pseudoheader(ip));
        sum = csum_finish(csum_continue(partial, l4, l4_len));
    } else {
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(p);
        sum = packet_csum_upperlayer6(ip6, l4, ip6->ip6_nxt, l4_len);
    }
    memcpy(csum_field, &sum, sizeof sum);
}

/* Builds into 'p' an ICMP (or ICMPv6) error of 'type' and 'code', going
 * 'dir' with 'ttl', that quotes as much of the 'l3_len' bytes of the
 * original packet's L3 at 'l3' as the family allows. */
void
pinctrl_build_icmp_error(struct dp_packet *p, const struct flow *f,
                         enum pinctrl_direction dir, uint8_t ttl,
                         uint8_t type, uint8_t code,
                         const void *l3, size_t l3_len)
{
    bool ipv4 = f->dl_type == htons(ETH_TYPE_IP);
    size_t quote = MIN(l3_len, ipv4 ? ICMP4_QUOTE : ICMP6_QUOTE);

    pinctrl_put_eth(p, f, dir);
    pinctrl_put_ip(p, f, dir, ipv4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, ttl,
                   8 + quote);
    struct icmp_header *icmp = dp_packet_put_zeros(p, 8);
    icmp->icmp_type = type;
    icmp->icmp_code = code;
    dp_packet_put(p, l3, quote);
    pinctrl_set_l4_csum(p, &icmp->icmp_csum);
}
