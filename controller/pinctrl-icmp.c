#include <config.h>

#include "controller/pinctrl-icmp.h"

#include <netinet/ip6.h>
#include <string.h>

#include "controller/pinctrl-packet.h"
#include "controller/pinctrl-send.h"

#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_icmp);

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
    /* The error goes as the original packet went: the nested actions
     * swap the addresses and set the type and code they want. */
    bool ipv4 = f.dl_type == htons(ETH_TYPE_IP);
    pinctrl_build_icmp_error(error, &f, PINCTRL_AS_ORIGINAL, 255,
                             ipv4 ? ICMP4_DST_UNREACH : 1, ipv4 ? 1 : 0,
                             dp_packet_l3(&packet),
                             dp_packet_l3_size(&packet));
    pinctrl_send_packet(rconn, pin, error, payload + 2);
    dp_packet_delete(error);
}
