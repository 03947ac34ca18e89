#include <config.h>

#include "controller/pinctrl-reject.h"

#include <string.h>

#include "controller/pinctrl-packet.h"
#include "dp-packet.h"
#include "flow.h"
#include "lib/pipeline.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_reject);

/* Builds into 'p' the TCP reset for refused segment 'tcp' (with
 * 'payload_len' bytes of data).  Returns false for a reset, which gets no
 * answer. */
static bool
build_rst(struct dp_packet *p, const struct flow *f,
          const struct tcp_header *tcp, size_t payload_len)
{
    uint16_t flags = TCP_FLAGS(tcp->tcp_ctl);
    if (flags & TCP_RST) {
        return false;
    }
    pinctrl_put_eth(p, f, PINCTRL_BACK);
    pinctrl_put_ip(p, f, PINCTRL_BACK, IPPROTO_TCP, 64,
                   sizeof(struct tcp_header));
    struct tcp_header *rst = dp_packet_put_zeros(p, sizeof *rst);
    rst->tcp_src = tcp->tcp_dst;
    rst->tcp_dst = tcp->tcp_src;
    if (flags & TCP_ACK) {
        /* RFC 9293 3.10.7.1: the reset takes the acknowledged number. */
        put_16aligned_be32(&rst->tcp_seq, get_16aligned_be32(&tcp->tcp_ack));
        rst->tcp_ctl = TCP_CTL(TCP_RST, 5);
    } else {
        uint32_t ack = (ntohl(get_16aligned_be32(&tcp->tcp_seq))
                        + payload_len + !!(flags & TCP_SYN)
                        + !!(flags & TCP_FIN));
        put_16aligned_be32(&rst->tcp_ack, htonl(ack));
        rst->tcp_ctl = TCP_CTL(TCP_RST | TCP_ACK, 5);
    }
    pinctrl_set_l4_csum(p, &rst->tcp_csum);
    return true;
}

/* Sends 'p' as a packet-out: back by OpenFlow port 'in_port' after an
 * ingress stage of a datapath that the packet entered by a port of this
 * chassis, or into physical output for the sender's logical port after
 * an egress stage.
 *
 * A packet that entered the datapath through a patch port (from the
 * switch beyond a router port, say, where it came in by a localnet
 * port) has no OpenFlow in_port any more: patch delivery clears it
 * (physical-gateway.c).  Its answer goes back logically, as a router's
 * own ICMP errors do ("outport = inport; flags.loopback = 1; output;"):
 * with the packet-in's datapath and registers, out the inport, through
 * the datapath's egress and the peer datapath's pipeline to the port the
 * sender is behind. */
static void
send_answer(struct rconn *rconn, const struct ofputil_packet_in *pin,
            const struct dp_packet *p)
{
    const struct flow *md = &pin->flow_metadata.flow;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    bool from_patch = (pin->table_id < OFTABLE_EGRESS
                       && md->in_port.ofp_port == 0);
    struct match po_md;
    match_init_catchall(&po_md);
    match_set_in_port(&po_md, OFPP_CONTROLLER);
    if (from_patch) {
        match_set_metadata(&po_md, md->metadata);
        for (int i = 0; i < FLOW_N_REGS; i++) {
            uint32_t v = md->regs[i];
            if (i == 15) {
                v = md->regs[14];                 /* outport = inport; */
            } else if (i == 10) {
                v |= 1u << MLF_ALLOW_LOOPBACK_BIT; /* flags.loopback = 1; */
            }
            match_set_reg(&po_md, i, v);
        }
        struct ofpact_resubmit *r = ofpact_put_RESUBMIT(&ofpacts);
        r->in_port = OFPP_IN_PORT;
        r->table_id = OFTABLE_PHY_OUT_REMOTE;     /* output; */
    } else if (pin->table_id >= OFTABLE_EGRESS) {
        union mf_value v;
        memset(&v, 0, sizeof v);
        v.be64 = md->metadata;
        ofpact_put_set_field(&ofpacts, mf_from_id(MFF_METADATA), &v, NULL);
        memset(&v, 0, sizeof v);
        v.be32 = htonl(md->regs[15]);
        ofpact_put_set_field(&ofpacts, mf_from_id(MFF_REG14), &v, NULL);
        v.be32 = htonl(md->regs[14]);
        ofpact_put_set_field(&ofpacts, mf_from_id(MFF_REG15), &v, NULL);
        struct ofpact_resubmit *r = ofpact_put_RESUBMIT(&ofpacts);
        r->in_port = OFPP_IN_PORT;
        r->table_id = OFTABLE_PHY_OUT_REMOTE;
    } else {
        ofpact_put_OUTPUT(&ofpacts)->port = md->in_port.ofp_port;
    }

    struct ofputil_packet_out po = {
        .packet = dp_packet_data(p),
        .packet_len = dp_packet_size(p),
        .buffer_id = UINT32_MAX,
        .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size,
    };
    po.flow_metadata = po_md;
    enum ofputil_protocol proto
        = ofputil_protocol_from_ofp_version(rconn_get_version(rconn));
    rconn_send(rconn, ofputil_encode_packet_out(&po, proto), NULL);
    ofpbuf_uninit(&ofpacts);
}

void
pinctrl_reject_handle(struct rconn *rconn,
                      const struct ofputil_packet_in *pin,
                      const char *payload OVS_UNUSED, size_t len OVS_UNUSED)
{
    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow f;
    flow_extract(&packet, &f);
    bool ipv4 = f.dl_type == htons(ETH_TYPE_IP);
    if ((!ipv4 && f.dl_type != htons(ETH_TYPE_IPV6))
        || !dp_packet_l3(&packet)) {
        return;
    }

    struct dp_packet *answer = dp_packet_new(128 + pin->packet_len);
    bool send = true;
    const void *l4 = dp_packet_l4(&packet);
    size_t l4_size = l4 ? dp_packet_l4_size(&packet) : 0;
    if (f.nw_proto == IPPROTO_TCP && l4_size >= TCP_HEADER_LEN) {
        const struct tcp_header *tcp = l4;
        size_t hlen = MIN(TCP_OFFSET(tcp->tcp_ctl) * 4, l4_size);
        send = build_rst(answer, &f, tcp, l4_size - hlen);
    } else if (f.nw_proto == IPPROTO_ICMP && ipv4 && l4_size
               && ((const struct icmp_header *) l4)->icmp_type != 8
               && ((const struct icmp_header *) l4)->icmp_type != 13) {
        /* ICMP errors and replies get no error (RFC 1122 3.2.2). */
        send = false;
    } else if (f.nw_proto == IPPROTO_ICMPV6 && !ipv4 && l4_size
               && ((const uint8_t *) l4)[0] < 128) {
        send = false;
    } else {
        bool udp = f.nw_proto == IPPROTO_UDP;
        uint8_t type = ipv4 ? ICMP4_DST_UNREACH : 1;
        uint8_t code = (ipv4 ? (udp ? 3 : 13) : (udp ? 4 : 1));
        pinctrl_build_icmp_error(answer, &f, PINCTRL_BACK, 64, type, code,
                                 dp_packet_l3(&packet),
                                 dp_packet_l3_size(&packet));
    }
    if (send) {
        send_answer(rconn, pin, answer);
    }
    dp_packet_delete(answer);
}
