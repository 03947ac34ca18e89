#include <config.h>

#include <netinet/in.h>
#include <string.h>

#include "controller/bfd-packet.h"
#include "dp-packet.h"
#include "packets.h"
#include "tests/unit/unit-suites.h"

/* A session from the router port 172.30.0.100 to 172.30.0.11. */
#define ROUTER_IP 0xac1e0064
#define PEER_IP 0xac1e000b

static const struct eth_addr router_mac
    = ETH_ADDR_C(0a, 00, 00, 00, ee, 01);
static const struct eth_addr peer_mac
    = ETH_ADDR_C(0a, 00, 00, 00, aa, 0a);

static struct bfd_msg
msg(enum bfd_state state, uint32_t your_disc)
{
    return (struct bfd_msg) {
        .state = state,
        .detect_mult = 3,
        .my_disc = 0x11223344,
        .your_disc = your_disc,
        .min_tx_us = 100000,
        .min_rx_us = 200000,
    };
}

/* Builds 'm' from the peer to the router into 'p'. */
static void
build(struct dp_packet *p, const struct bfd_msg *m)
{
    dp_packet_init(p, 128);
    bfd_packet_build(p, peer_mac, router_mac, htonl(PEER_IP),
                     htonl(ROUTER_IP), 49200, m);
}

static bool
parses(const struct dp_packet *p, struct bfd_rx *rx)
{
    return bfd_packet_parse(dp_packet_data(p), dp_packet_size(p), rx);
}

START_TEST(test_round_trip)
{
    struct bfd_msg m = msg(BFD_UP, 0x55667788);
    m.poll = true;
    struct dp_packet p;
    build(&p, &m);
    struct bfd_rx rx;
    ck_assert(parses(&p, &rx));
    ck_assert_int_eq(rx.msg.state, BFD_UP);
    ck_assert(rx.msg.poll);
    ck_assert(!rx.msg.final);
    ck_assert_int_eq(rx.msg.detect_mult, 3);
    ck_assert_uint_eq(rx.msg.my_disc, 0x11223344);
    ck_assert_uint_eq(rx.msg.your_disc, 0x55667788);
    ck_assert_uint_eq(rx.msg.min_tx_us, 100000);
    ck_assert_uint_eq(rx.msg.min_rx_us, 200000);
    ck_assert_uint_eq(ntohl(rx.src_ip), PEER_IP);
    ck_assert_uint_eq(ntohl(rx.dst_ip), ROUTER_IP);
    ck_assert_int_eq(rx.src_port, 49200);
    /* TTL 255 and DSCP CS6. */
    const struct ip_header *ip = dp_packet_l3(&p);
    ck_assert_int_eq(ip->ip_ttl, 255);
    ck_assert_int_eq(ip->ip_tos, IP_DSCP_CS6);
    dp_packet_uninit(&p);
}
END_TEST

/* Returns true if the packet of 'm', with byte 'off' of its BFD section
 * set to 'value' (unless 'off' is negative) and its IP TTL 'ttl', is
 * refused. */
static bool
refused(struct bfd_msg m, int off, uint8_t value, uint8_t ttl)
{
    struct dp_packet p;
    build(&p, &m);
    if (off >= 0) {
        uint8_t *b = (uint8_t *) dp_packet_l4(&p) + UDP_HEADER_LEN;
        b[off] = value;
    }
    struct ip_header *ip = dp_packet_l3(&p);
    ip->ip_ttl = ttl;
    struct bfd_rx rx;
    bool ok = parses(&p, &rx);
    dp_packet_uninit(&p);
    return !ok;
}

START_TEST(test_refused)
{
    /* Valid as built. */
    ck_assert(!refused(msg(BFD_DOWN, 0), -1, 0, 255));
    /* Not from the link: TTL below 255. */
    ck_assert(refused(msg(BFD_DOWN, 0), -1, 0, 254));
    /* Version 2. */
    ck_assert(refused(msg(BFD_DOWN, 0), 0, 2 << 5, 255));
    /* Authentication and multipoint bits. */
    ck_assert(refused(msg(BFD_DOWN, 0), 1, (BFD_DOWN << 6) | 0x04, 255));
    ck_assert(refused(msg(BFD_DOWN, 0), 1, (BFD_DOWN << 6) | 0x01, 255));
    /* Detect multiplier 0; length below 24 or beyond the datagram. */
    ck_assert(refused(msg(BFD_DOWN, 0), 2, 0, 255));
    ck_assert(refused(msg(BFD_DOWN, 0), 3, 23, 255));
    ck_assert(refused(msg(BFD_DOWN, 0), 3, 25, 255));
    /* My Discriminator 0. */
    struct bfd_msg m = msg(BFD_DOWN, 0);
    m.my_disc = 0;
    ck_assert(refused(m, -1, 0, 255));
    /* Your Discriminator 0 is for Down and AdminDown only. */
    ck_assert(refused(msg(BFD_UP, 0), -1, 0, 255));
    ck_assert(refused(msg(BFD_INIT, 0), -1, 0, 255));
    ck_assert(!refused(msg(BFD_ADMIN_DOWN, 0), -1, 0, 255));
    ck_assert(!refused(msg(BFD_UP, 7), -1, 0, 255));
}
END_TEST

START_TEST(test_truncated_refused)
{
    struct bfd_msg m = msg(BFD_DOWN, 0);
    struct dp_packet p;
    build(&p, &m);
    size_t size = dp_packet_size(&p);
    for (size_t len = 0; len < size; len++) {
        uint8_t *copy = xmemdup(dp_packet_data(&p), len ? len : 1);
        struct bfd_rx rx;
        ck_assert(!bfd_packet_parse(copy, len, &rx));
        free(copy);
    }
    dp_packet_uninit(&p);
}
END_TEST

Suite *
bfd_packet_suite(void)
{
    Suite *s = suite_create("bfd-packet");
    TCase *tc = tcase_create("packets");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_truncated_refused);
    suite_add_tcase(s, tc);
    return s;
}
