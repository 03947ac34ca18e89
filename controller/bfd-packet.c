#include <config.h>

#include "controller/bfd-packet.h"

#include <netinet/in.h>
#include <string.h>

#include "controller/pinctrl-packet.h"
#include "dp-packet.h"
#include "csum.h"
#include "flow.h"
#include "util.h"

/* The mandatory section of a control packet. */
#define BFD_LEN 24

/* Flags of the second byte. */
#define BFD_FLAG_P 0x20
#define BFD_FLAG_F 0x10
#define BFD_FLAG_A 0x04
#define BFD_FLAG_M 0x01

static uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* Reads the Ethernet frame 'data' of 'len' bytes into 'rx'.  Returns true
 * if it is a valid BFD control packet (see the header), false
 * otherwise. */
bool
bfd_packet_parse(const void *data, size_t len, struct bfd_rx *rx)
{
    memset(rx, 0, sizeof *rx);
    struct dp_packet packet;
    dp_packet_use_const(&packet, data, len);
    struct flow f;
    flow_extract(&packet, &f);
    if (f.dl_type != htons(ETH_TYPE_IP) || f.nw_proto != IPPROTO_UDP
        || f.nw_frag || f.nw_ttl != 255 || f.tp_dst != htons(BFD_DST_PORT)
        || !dp_packet_l4(&packet)
        || dp_packet_l4_size(&packet) < UDP_HEADER_LEN + BFD_LEN) {
        return false;
    }
    const uint8_t *udp = dp_packet_l4(&packet);
    size_t udp_len = (udp[4] << 8) | udp[5];
    if (udp_len < UDP_HEADER_LEN + BFD_LEN
        || udp_len > dp_packet_l4_size(&packet)) {
        return false;
    }
    const uint8_t *b = udp + UDP_HEADER_LEN;
    size_t b_len = udp_len - UDP_HEADER_LEN;
    struct bfd_msg *m = &rx->msg;
    if ((b[0] >> 5) != 1 || b[3] < BFD_LEN || b[3] > b_len || !b[2]
        || (b[1] & (BFD_FLAG_A | BFD_FLAG_M))) {
        return false;
    }
    m->diag = b[0] & 0x1f;
    m->state = b[1] >> 6;
    m->poll = (b[1] & BFD_FLAG_P) != 0;
    m->final = (b[1] & BFD_FLAG_F) != 0;
    m->detect_mult = b[2];
    m->my_disc = get_be32(b + 4);
    m->your_disc = get_be32(b + 8);
    m->min_tx_us = get_be32(b + 12);
    m->min_rx_us = get_be32(b + 16);
    if (!m->my_disc
        || (!m->your_disc && m->state != BFD_DOWN
            && m->state != BFD_ADMIN_DOWN)) {
        memset(rx, 0, sizeof *rx);
        return false;
    }
    rx->src_ip = f.nw_src;
    rx->dst_ip = f.nw_dst;
    rx->src_port = ntohs(f.tp_src);
    return true;
}

/* Builds into 'p' (empty) control packet 'm' from 'src_ip':'src_port' to
 * 'dst_ip', with TTL 255 and DSCP CS6 (network control). */
void
bfd_packet_build(struct dp_packet *p, struct eth_addr src_mac,
                 struct eth_addr dst_mac, ovs_be32 src_ip, ovs_be32 dst_ip,
                 uint16_t src_port, const struct bfd_msg *m)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.dl_type = htons(ETH_TYPE_IP);
    f.dl_src = src_mac;
    f.dl_dst = dst_mac;
    f.nw_src = src_ip;
    f.nw_dst = dst_ip;
    pinctrl_put_eth(p, &f, PINCTRL_AS_ORIGINAL);
    pinctrl_put_ip(p, &f, PINCTRL_AS_ORIGINAL, IPPROTO_UDP, 255,
                   UDP_HEADER_LEN + BFD_LEN);
    struct ip_header *ip = dp_packet_l3(p);
    ip->ip_tos = IP_DSCP_CS6;
    ip->ip_csum = 0;
    ip->ip_csum = csum(ip, sizeof *ip);
    struct udp_header *udp = dp_packet_put_zeros(p, sizeof *udp);
    udp->udp_src = htons(src_port);
    udp->udp_dst = htons(BFD_DST_PORT);
    udp->udp_len = htons(UDP_HEADER_LEN + BFD_LEN);
    uint8_t *b = dp_packet_put_zeros(p, BFD_LEN);
    b[0] = (1 << 5) | (m->diag & 0x1f);
    b[1] = ((m->state & 3) << 6) | (m->poll ? BFD_FLAG_P : 0)
           | (m->final ? BFD_FLAG_F : 0);
    b[2] = m->detect_mult;
    b[3] = BFD_LEN;
    put_be32(b + 4, m->my_disc);
    put_be32(b + 8, m->your_disc);
    put_be32(b + 12, m->min_tx_us);
    put_be32(b + 16, m->min_rx_us);
    pinctrl_set_l4_csum(p, &udp->udp_csum);
}

/* Returns the name of 'state' as NB and SB BFD:status spell it. */
const char *
bfd_state_name(enum bfd_state state)
{
    switch (state) {
    case BFD_ADMIN_DOWN:
        return "admin_down";
    case BFD_DOWN:
        return "down";
    case BFD_INIT:
        return "init";
    case BFD_UP:
        return "up";
    }
    return "down";
}
