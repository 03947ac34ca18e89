/*
 * BFD control packets (RFC 5880 section 4.1, single hop over IPv4 as in
 * RFC 5881): building them, and reading those that arrive.
 *
 * bfd_packet_parse() reads a frame that came from the network, which a
 * neighbour controls entirely: it checks every length before reading
 * and refuses what RFC 5880 section 6.8.6 says to discard before any
 * session is looked up (a version other than 1, a length below 24 or
 * beyond the datagram, a detect multiplier or My Discriminator of 0,
 * the multipoint bit, a Your Discriminator of 0 in a state other than
 * Down or AdminDown) and, since sessions here have no authentication,
 * a packet with the authentication bit.  The IP TTL must be 255.  A
 * refused packet leaves '*rx' zeroed.
 */
#ifndef CONTROLLER_BFD_PACKET_H
#define CONTROLLER_BFD_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "packets.h"

struct dp_packet;

/* Session states, as on the wire. */
enum bfd_state {
    BFD_ADMIN_DOWN = 0,
    BFD_DOWN = 1,
    BFD_INIT = 2,
    BFD_UP = 3,
};

/* Diagnostic codes used here. */
enum bfd_diag {
    BFD_DIAG_NONE = 0,
    BFD_DIAG_EXPIRED = 1,           /* Control detection time expired. */
    BFD_DIAG_NEIGHBOR_DOWN = 3,     /* Neighbor signaled session down. */
};

/* The UDP destination port of single-hop BFD control packets. */
#define BFD_DST_PORT 3784

/* The fields of a control packet. */
struct bfd_msg {
    enum bfd_state state;
    uint8_t diag;
    bool poll, final;
    uint8_t detect_mult;
    uint32_t my_disc, your_disc;
    uint32_t min_tx_us;             /* Desired min TX interval. */
    uint32_t min_rx_us;             /* Required min RX interval. */
};

/* A control packet with its addresses. */
struct bfd_rx {
    struct bfd_msg msg;
    ovs_be32 src_ip, dst_ip;
    uint16_t src_port;
};

bool bfd_packet_parse(const void *data, size_t len, struct bfd_rx *);
void bfd_packet_build(struct dp_packet *, struct eth_addr src_mac,
                      struct eth_addr dst_mac, ovs_be32 src_ip,
                      ovs_be32 dst_ip, uint16_t src_port,
                      const struct bfd_msg *);
const char *bfd_state_name(enum bfd_state);

#endif /* controller/bfd-packet.h */
