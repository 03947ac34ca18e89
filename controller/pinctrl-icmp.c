#include <config.h>

#include "controller/pinctrl-icmp.h"

#include <netinet/ip6.h>
#include <string.h>

#include "controller/pinctrl-send.h"

#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_icmp);

/* How much of the packet an error quotes: what fits in the minimum MTU
 * of the family. */
#define ICMP4_QUOTE (576 - 20 - 8)
#define ICMP6_QUOTE (1280 - 40 - 8)

/* Returns true if packet 'f' (with L4 header 'l4' of 'l4_size' bytes)
 * may get an ICMP error. */
static bool
may_answer(const struct flow *f, const void *l4, size_t l4_size)
{
    if (eth_addr_is_multicast(f->dl_dst) || eth_addr_is_multicast(f->dl_src)
        || f->nw_frag & FLOW_NW_FRAG_LATER) {
        return false;
    }
    if (f->dl_type == htons(ETH_TYPE_IP)) {
        if (ip_is_multicast(f->nw_dst) || f->nw_dst == htonl(INADDR_BROADCAST)
            || ip_is_multicast(f->nw_src) || !f->nw_src
            || f->nw_src == htonl(INADDR_BROADCAST)) {
            return false;
        }
        if (f->nw_proto == IPPROTO_ICMP && l4_size) {
            /* Errors: unreachable, source quench, redirect, time exceeded,
             * parameter problem. */
            uint8_t type = ((const struct icmp_header *) l4)->icmp_type;
            return (type != 3 && type != 4 && type != 5 && type != 11
                    && type != 12);
        }
        return true;
    }
    if (ipv6_addr_is_multicast(&f->ipv6_dst)
        || ipv6_addr_is_multicast(&f->ipv6_src)
        || ipv6_addr_equals(&f->ipv6_src, &in6addr_any)) {
        return false;
    }
    if (f->nw_proto == IPPROTO_ICMPV6 && l4_size) {
        return ((const uint8_t *) l4)[0] >= 128;    /* Not an error. */
    }
    return true;
}

/* Builds into 'p' the ICMP error quoting the packet 'orig' (fields 'f'). */
static void
build_error(struct dp_packet *p, const struct flow *f,
            const struct dp_packet *orig)
{
    bool ipv4 = f->dl_type == htons(ETH_TYPE_IP);
    size_t quote = MIN(dp_packet_l3_size(orig),
                       ipv4 ? ICMP4_QUOTE : ICMP6_QUOTE);
    size_t l4_len = 8 + quote;

    struct eth_header *eh = dp_packet_put_zeros(p, sizeof *eh);
    eh->eth_dst = f->dl_dst;
    eh->eth_src = f->dl_src;
    eh->eth_type = f->dl_type;
    dp_packet_set_l3(p, dp_packet_tail(p));
    if (ipv4) {
        struct ip_header *ip = dp_packet_put_zeros(p, sizeof *ip);
        ip->ip_ihl_ver = IP_IHL_VER(5, 4);
        ip->ip_tot_len = htons(sizeof *ip + l4_len);
        ip->ip_ttl = 255;
        ip->ip_proto = IPPROTO_ICMP;
        put_16aligned_be32(&ip->ip_src, f->nw_src);
        put_16aligned_be32(&ip->ip_dst, f->nw_dst);
        ip->ip_csum = csum(ip, sizeof *ip);
    } else {
        struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_put_zeros(p,
                                                                sizeof *ip6);
        put_16aligned_be32(&ip6->ip6_flow, htonl(6 << 28));
        ip6->ip6_plen = htons(l4_len);
        ip6->ip6_nxt = IPPROTO_ICMPV6;
        ip6->ip6_hlim = 255;
        memcpy(&ip6->ip6_src, &f->ipv6_src, sizeof ip6->ip6_src);
        memcpy(&ip6->ip6_dst, &f->ipv6_dst, sizeof ip6->ip6_dst);
    }
    dp_packet_set_l4(p, dp_packet_tail(p));
    struct icmp_header *icmp = dp_packet_put_zeros(p, 8);
    icmp->icmp_type = ipv4 ? ICMP4_DST_UNREACH : 1;
    icmp->icmp_code = ipv4 ? 1 : 0;
    dp_packet_put(p, dp_packet_l3(orig), quote);
    if (ipv4) {
        icmp->icmp_csum = csum(icmp, l4_len);
    } else {
        icmp->icmp_csum = packet_csum_upperlayer6(dp_packet_l3(p), icmp,
                                                  IPPROTO_ICMPV6, l4_len);
    }
}

/* Answers icmp4 { ACTIONS } and icmp6 { ACTIONS }: 'payload' is "4," or
 * "6," followed by ACTIONS, encoded as OpenFlow actions. */
void
pinctrl_icmp_handle(struct rconn *rconn, const struct ofputil_packet_in *pin,
                    const char *payload, size_t len OVS_UNUSED)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    if ((payload[0] != '4' && payload[0] != '6') || payload[1] != ',') {
        VLOG_WARN_RL(&rl, "icmp: bad payload \"%s\"", payload);
        return;
    }
    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow f;
    flow_extract(&packet, &f);
    ovs_be16 want = htons(payload[0] == '4' ? ETH_TYPE_IP : ETH_TYPE_IPV6);
    if (f.dl_type != want || !dp_packet_l3(&packet)) {
        return;
    }
    const void *l4 = dp_packet_l4(&packet);
    if (!may_answer(&f, l4, l4 ? dp_packet_l4_size(&packet) : 0)) {
        return;
    }

    struct dp_packet *error = dp_packet_new(128 + pin->packet_len);
    build_error(error, &f, &packet);
    pinctrl_send_packet(rconn, pin, error, payload + 2);
    dp_packet_delete(error);
}
