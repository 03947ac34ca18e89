#include <config.h>

#include "controller/pinctrl-nd.h"

#include "controller/mac-binding.h"
#include "controller/pinctrl-arp.h"
#include "controller/pinctrl-send.h"

#include "byte-order.h"
#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_nd);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Answers nd_ns { ACTIONS }: 'payload' is ACTIONS, encoded as OpenFlow
 * actions.  The next hop is in xxreg0. */
void
pinctrl_nd_solicit(struct rconn *rconn, struct mac_binding_state *mbs,
                   const struct ofputil_packet_in *pin, const char *payload)
{
    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow headers;
    flow_extract(&packet, &headers);
    if (headers.dl_type != htons(ETH_TYPE_IPV6)) {
        return;
    }
    const struct flow *md = &pin->flow_metadata.flow;
    ovs_be128 be = hton128(flow_get_xxreg(md, 0));
    struct in6_addr nexthop;
    memcpy(&nexthop, &be, sizeof nexthop);
    if (ipv6_addr_is_multicast(&nexthop)
        || ipv6_addr_equals(&nexthop, &in6addr_any)
        || !mac_binding_may_ask(mbs, ntohll(md->metadata), md->regs[15],
                                &nexthop)) {
        return;
    }

    struct dp_packet ns;
    dp_packet_init(&ns, 0);
    compose_nd_ns(&ns, headers.dl_src, &headers.ipv6_src, &nexthop);
    pinctrl_send_packet(rconn, pin, &ns, payload);
    dp_packet_uninit(&ns);
}

/* Answers put_nd(PORT, IP6, MAC). */
void
pinctrl_nd_learn(struct mac_binding_state *mbs,
                 const struct ofputil_packet_in *pin, const char *payload)
{
    uint64_t dp_key;
    uint32_t port_key;
    struct in6_addr ip;
    struct eth_addr mac;
    if (!pinctrl_read_binding(pin, payload, true, &dp_key, &port_key, &ip,
                              &mac)) {
        VLOG_WARN_RL(&rl, "put_nd: bad fields \"%s\"", payload);
    } else if (eth_addr_is_zero(mac) || eth_addr_is_multicast(mac)) {
        /* An advertisement without a target link-layer address. */
    } else if (!mac_binding_learn(mbs, dp_key, port_key, &ip, mac)) {
        VLOG_WARN_RL(&rl, "put_nd: queue full");
    }
}
