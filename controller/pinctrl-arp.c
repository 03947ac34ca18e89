#include <config.h>

#include "controller/pinctrl-arp.h"

#include <stdlib.h>
#include <string.h>

#include "controller/mac-binding.h"
#include "controller/pinctrl-send.h"

#include "dp-packet.h"
#include "flow.h"
#include "nx-match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_arp);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Answers arp { ACTIONS }: 'payload' is ACTIONS, encoded as OpenFlow
 * actions.  The next hop is in reg0. */
void
pinctrl_arp_request(struct rconn *rconn, struct mac_binding_state *mbs,
                    const struct ofputil_packet_in *pin, const char *payload)
{
    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow headers;
    flow_extract(&packet, &headers);
    if (headers.dl_type != htons(ETH_TYPE_IP)) {
        return;
    }
    const struct flow *md = &pin->flow_metadata.flow;
    struct in6_addr nexthop;
    in6_addr_set_mapped_ipv4(&nexthop, htonl(md->regs[0]));
    if (!mac_binding_may_ask(mbs, ntohll(md->metadata), md->regs[15],
                             &nexthop)) {
        return;
    }

    struct dp_packet arp;
    dp_packet_init(&arp, 0);
    compose_arp(&arp, ARP_OP_REQUEST, headers.dl_src, eth_addr_zero, true,
                headers.nw_src, headers.nw_dst);
    pinctrl_send_packet(rconn, pin, &arp, payload);
    dp_packet_uninit(&arp);
}

/* Reads subfield 'name' (e.g. "NXM_NX_REG14[]") of 'flow' into 'value'.
 * Returns false if it does not parse. */
static bool
read_subfield(const char *name, const struct flow *flow,
              union mf_subvalue *value)
{
    struct mf_subfield sf;
    char *error = mf_parse_subfield(&sf, name);
    if (error) {
        free(error);
        return false;
    }
    mf_read_subfield(&sf, flow, value);
    return true;
}

/* Reads the three subfields that 'payload' names, separated by commas
 * (the port, the IP, 32 bits or with 'ipv6' 128, and the MAC), from
 * packet-in 'pin', and the router datapath into '*dp_key'.  Returns false
 * if they do not parse. */
bool
pinctrl_read_binding(const struct ofputil_packet_in *pin,
                     const char *payload, bool ipv6, uint64_t *dp_key,
                     uint32_t *port_key, struct in6_addr *ip,
                     struct eth_addr *mac)
{
    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow flow;
    flow_extract(&packet, &flow);
    const struct flow *md = &pin->flow_metadata.flow;
    flow.metadata = md->metadata;
    memcpy(flow.regs, md->regs, sizeof flow.regs);

    char *copy = xstrdup(payload);
    char *save = NULL;
    union mf_subvalue v[3];
    int n = 0;
    for (char *f = strtok_r(copy, ",", &save); f && n < 3;
         f = strtok_r(NULL, ",", &save)) {
        if (!read_subfield(f, &flow, &v[n])) {
            break;
        }
        n++;
    }
    free(copy);
    if (n != 3) {
        return false;
    }
    *dp_key = ntohll(flow.metadata);
    *port_key = ntohl(v[0].be32_int);
    if (ipv6) {
        *ip = v[1].ipv6;
    } else {
        in6_addr_set_mapped_ipv4(ip, v[1].be32_int);
    }
    *mac = v[2].mac;
    return true;
}

/* Answers put_arp(PORT, IP, MAC). */
void
pinctrl_arp_learn(struct mac_binding_state *mbs,
                  const struct ofputil_packet_in *pin, const char *payload)
{
    uint64_t dp_key;
    uint32_t port_key;
    struct in6_addr ip;
    struct eth_addr mac;
    if (!pinctrl_read_binding(pin, payload, false, &dp_key, &port_key, &ip,
                              &mac)) {
        VLOG_WARN_RL(&rl, "put_arp: bad fields \"%s\"", payload);
    } else if (!mac_binding_learn(mbs, dp_key, port_key, &ip, mac)) {
        VLOG_WARN_RL(&rl, "put_arp: queue full");
    }
}
