#include <config.h>

#include "controller/pinctrl-reject.h"

#include <string.h>

#include "csum.h"
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

/* How much of the refused packet an ICMP error quotes: what fits in the
 * minimum MTU of the family (RFC 1812 4.3.2.3, RFC 4443 2.4). */
#define REJECT_ICMP4_QUOTE (576 - 20 - 8)
#define REJECT_ICMP6_QUOTE (1280 - 40 - 8)

/* Appends to 'p' an Ethernet header from the refused packet's
 * destination to its source. */
static void
put_eth(struct dp_packet *p, const struct flow *f)
{
    struct eth_header *eh = dp_packet_put_zeros(p, sizeof *eh);
    eh->eth_dst = f->dl_src;
    eh->eth_src = f->dl_dst;
    eh->eth_type = f->dl_type;
    dp_packet_set_l3(p, dp_packet_tail(p));
}

/* Appends to 'p' an IP header from the refused packet's destination to
 * its source, for 'l4_len' bytes of protocol 'proto'. */
static void
put_ip(struct dp_packet *p, const struct flow *f, uint8_t proto,
       size_t l4_len)
{
    if (f->dl_type == htons(ETH_TYPE_IP)) {
        struct ip_header *ip = dp_packet_put_zeros(p, sizeof *ip);
        ip->ip_ihl_ver = IP_IHL_VER(5, 4);
        ip->ip_tot_len = htons(sizeof *ip + l4_len);
        ip->ip_ttl = 64;
        ip->ip_proto = proto;
        put_16aligned_be32(&ip->ip_src, f->nw_dst);
        put_16aligned_be32(&ip->ip_dst, f->nw_src);
        ip->ip_csum = csum(ip, sizeof *ip);
    } else {
        struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_put_zeros(p,
                                                                sizeof *ip6);
        put_16aligned_be32(&ip6->ip6_flow, htonl(6 << 28));
        ip6->ip6_plen = htons(l4_len);
        ip6->ip6_nxt = proto;
        ip6->ip6_hlim = 64;
        memcpy(&ip6->ip6_src, &f->ipv6_dst, sizeof ip6->ip6_src);
        memcpy(&ip6->ip6_dst, &f->ipv6_src, sizeof ip6->ip6_dst);
    }
    dp_packet_set_l4(p, dp_packet_tail(p));
}

/* Fills in the checksum 'csum' of the L4 header of 'p', which holds the
 * whole answer. */
static void
set_l4_csum(struct dp_packet *p, ovs_be16 *csum_field)
{
    const void *l4 = dp_packet_l4(p);
    size_t l4_len = dp_packet_l4_size(p);
    *csum_field = 0;
    if (dp_packet_l3(p) && ((const uint8_t *) dp_packet_l3(p))[0] >> 4 == 4) {
        const struct ip_header *ip = dp_packet_l3(p);
        uint32_t partial = (ip->ip_proto == IPPROTO_ICMP ? 0
                            : packet_csum_pseudoheader(ip));
        *csum_field = csum_finish(csum_continue(partial, l4, l4_len));
    } else {
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(p);
        *csum_field = packet_csum_upperlayer6(ip6, l4, ip6->ip6_nxt, l4_len);
    }
}

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
    put_eth(p, f);
    put_ip(p, f, IPPROTO_TCP, sizeof(struct tcp_header));
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
    set_l4_csum(p, &rst->tcp_csum);
    return true;
}

/* Builds into 'p' an ICMP (or ICMPv6) error of 'type' and 'code' that
 * quotes 'l3_len' bytes of the refused packet at 'l3'. */
static void
build_icmp(struct dp_packet *p, const struct flow *f, uint8_t type,
           uint8_t code, const void *l3, size_t l3_len)
{
    bool ipv4 = f->dl_type == htons(ETH_TYPE_IP);
    size_t quote = MIN(l3_len, ipv4 ? REJECT_ICMP4_QUOTE
                                    : REJECT_ICMP6_QUOTE);
    put_eth(p, f);
    put_ip(p, f, ipv4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, 8 + quote);
    struct icmp_header *icmp = dp_packet_put_zeros(p, 8);
    icmp->icmp_type = type;
    icmp->icmp_code = code;
    dp_packet_put(p, l3, quote);
    set_l4_csum(p, &icmp->icmp_csum);
}

/* Sends 'p' as a packet-out: back by OpenFlow port 'in_port' after an
 * ingress stage, or into physical output for the sender's logical port
 * after an egress stage. */
static void
send_answer(struct rconn *rconn, const struct ofputil_packet_in *pin,
            const struct dp_packet *p)
{
    const struct flow *md = &pin->flow_metadata.flow;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    if (pin->table_id >= OFTABLE_EGRESS) {
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
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, OFPP_CONTROLLER);
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
        build_icmp(answer, &f, type, code, dp_packet_l3(&packet),
                   dp_packet_l3_size(&packet));
    }
    if (send) {
        send_answer(rconn, pin, answer);
    }
    dp_packet_delete(answer);
}
