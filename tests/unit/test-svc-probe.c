#include <config.h>

#include <netinet/in.h>
#include <string.h>

#include "controller/svc-probe.h"
#include "dp-packet.h"
#include "packets.h"
#include "tests/unit/unit-suites.h"

/* The addresses of the probes of these tests: monitor 10.0.0.250 (source
 * port 40000) probes backend 10.0.0.11:80; over IPv6, monitor fd00::fa
 * probes backend [fd00::b]:80. */
#define MONITOR_IP 0x0a0000fa
#define BACKEND_IP 0x0a00000b
#define OTHER_IP 0x0a00000c
#define MONITOR_IP6 "fd00::fa"
#define BACKEND_IP6 "fd00::b"
#define OTHER_IP6 "fd00::c"
#define MONITOR_PORT 40000
#define BACKEND_PORT 80
#define SEQ 0x12345678

static const struct eth_addr monitor_mac
    = ETH_ADDR_C(0a, 58, 0a, fe, 00, 01);
static const struct eth_addr backend_mac
    = ETH_ADDR_C(0a, 00, 00, 00, 00, 0b);

/* Returns IPv4 address 'ip' (host order), mapped. */
static struct in6_addr
v4(uint32_t ip)
{
    struct in6_addr a;
    in6_addr_set_mapped_ipv4(&a, htonl(ip));
    return a;
}

/* Returns IPv6 address 's'. */
static struct in6_addr
v6(const char *s)
{
    struct in6_addr a;
    ck_assert(ipv6_parse(s, &a));
    return a;
}

static struct svc_probe
probe(bool tcp)
{
    return (struct svc_probe) {
        .tcp = tcp,
        .backend_ip = v4(BACKEND_IP),
        .backend_port = BACKEND_PORT,
        .monitor_ip = v4(MONITOR_IP),
        .monitor_port = MONITOR_PORT,
        .seq = SEQ,
    };
}

/* The same probe over IPv6. */
static struct svc_probe
probe6(bool tcp)
{
    struct svc_probe p = probe(tcp);
    p.backend_ip = v6(BACKEND_IP6);
    p.monitor_ip = v6(MONITOR_IP6);
    return p;
}

/* Returns true if a TCP segment with 'flags' and acknowledgment number
 * 'ack', from 'src':'sport' to 'dst':'dport', parses as a reply that
 * answers TCP probe 'pr'. */
static bool
tcp_answers_probe(struct in6_addr src, uint16_t sport, struct in6_addr dst,
                  uint16_t dport, uint16_t flags, uint32_t ack,
                  const struct svc_probe *pr)
{
    struct dp_packet p;
    dp_packet_init(&p, 128);
    svc_probe_build_tcp(&p, backend_mac, monitor_mac, &src, &dst, sport,
                        dport, flags, 1);
    struct tcp_header *tcp = dp_packet_l4(&p);
    put_16aligned_be32(&tcp->tcp_ack, htonl(ack));

    struct svc_probe_reply r;
    bool answers = (svc_probe_parse_reply(dp_packet_data(&p),
                                          dp_packet_size(&p), &r)
                    && svc_probe_reply_answers(&r, pr));
    dp_packet_uninit(&p);
    return answers;
}

/* tcp_answers_probe() for the IPv4 TCP probe. */
static bool
tcp_answers(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
            uint16_t flags, uint32_t ack)
{
    struct svc_probe pr = probe(true);
    return tcp_answers_probe(v4(src), sport, v4(dst), dport, flags, ack,
                             &pr);
}

/* tcp_answers_probe() for the IPv6 TCP probe. */
static bool
tcp6_answers(const char *src, uint16_t sport, const char *dst,
             uint16_t dport, uint16_t flags, uint32_t ack)
{
    struct svc_probe pr = probe6(true);
    return tcp_answers_probe(v6(src), sport, v6(dst), dport, flags, ack,
                             &pr);
}

/* Returns true if an ICMP port unreachable from 'src' to 'dst' that
 * quotes a 'proto' packet from the monitor (source port 'qsport') to
 * 'qdst':80 with TCP sequence number 'qseq' answers probe 'pr'. */
static bool
icmp_answers(uint32_t src, uint32_t dst, uint8_t proto, uint16_t qsport,
             uint32_t qdst, uint32_t qseq, const struct svc_probe *pr)
{
    uint8_t frame[14 + 20 + 8 + 20 + 8];
    memset(frame, 0, sizeof frame);
    memcpy(frame, monitor_mac.ea, 6);
    memcpy(frame + 6, backend_mac.ea, 6);
    frame[12] = 0x08;                   /* IPv4. */

    uint8_t *ip = frame + 14;
    ip[0] = 0x45;
    ip[3] = sizeof frame - 14;
    ip[8] = 64;
    ip[9] = IPPROTO_ICMP;
    ovs_be32 a = htonl(src), b = htonl(dst);
    memcpy(ip + 12, &a, 4);
    memcpy(ip + 16, &b, 4);

    uint8_t *icmp = ip + 20;
    icmp[0] = ICMP4_DST_UNREACH;
    icmp[1] = 3;                        /* Port unreachable. */

    uint8_t *q = icmp + 8;
    q[0] = 0x45;
    q[3] = 28;
    q[8] = 64;
    q[9] = proto;
    a = htonl(MONITOR_IP);
    b = htonl(qdst);
    memcpy(q + 12, &a, 4);
    memcpy(q + 16, &b, 4);
    uint8_t *l4 = q + 20;
    l4[0] = qsport >> 8;
    l4[1] = qsport;
    l4[2] = 0;
    l4[3] = BACKEND_PORT;
    if (proto == IPPROTO_TCP) {
        l4[4] = qseq >> 24;
        l4[5] = qseq >> 16;
        l4[6] = qseq >> 8;
        l4[7] = qseq;
    }

    struct svc_probe_reply r;
    return (svc_probe_parse_reply(frame, sizeof frame, &r)
            && svc_probe_reply_answers(&r, pr));
}

START_TEST(test_syn_ack_from_backend_answers)
{
    ck_assert(tcp_answers(BACKEND_IP, BACKEND_PORT, MONITOR_IP, MONITOR_PORT,
                          TCP_SYN | TCP_ACK, SEQ + 1));
    ck_assert(tcp_answers(BACKEND_IP, BACKEND_PORT, MONITOR_IP, MONITOR_PORT,
                          TCP_RST | TCP_ACK, SEQ + 1));
}
END_TEST

/* Anything but the backend's own address and port, to the monitor's
 * address and the probe's port, is ignored. */
START_TEST(test_tcp_from_elsewhere_ignored)
{
    uint16_t sa = TCP_SYN | TCP_ACK;
    ck_assert(!tcp_answers(OTHER_IP, BACKEND_PORT, MONITOR_IP, MONITOR_PORT,
                           sa, SEQ + 1));
    ck_assert(!tcp_answers(BACKEND_IP, 81, MONITOR_IP, MONITOR_PORT,
                           sa, SEQ + 1));
    ck_assert(!tcp_answers(BACKEND_IP, BACKEND_PORT, OTHER_IP, MONITOR_PORT,
                           sa, SEQ + 1));
    ck_assert(!tcp_answers(BACKEND_IP, BACKEND_PORT, MONITOR_IP,
                           MONITOR_PORT + 1, sa, SEQ + 1));
    ck_assert(!tcp_answers(OTHER_IP, BACKEND_PORT, MONITOR_IP, MONITOR_PORT,
                           TCP_RST | TCP_ACK, SEQ + 1));
}
END_TEST

/* A SYN-ACK or reset that does not acknowledge the probe's SYN answers
 * another segment, or none. */
START_TEST(test_tcp_without_probe_ack_ignored)
{
    ck_assert(!tcp_answers(BACKEND_IP, BACKEND_PORT, MONITOR_IP,
                           MONITOR_PORT, TCP_SYN | TCP_ACK, SEQ));
    ck_assert(!tcp_answers(BACKEND_IP, BACKEND_PORT, MONITOR_IP,
                           MONITOR_PORT, TCP_RST | TCP_ACK, SEQ + 2));
    ck_assert(!tcp_answers(BACKEND_IP, BACKEND_PORT, MONITOR_IP,
                           MONITOR_PORT, TCP_RST, SEQ + 1));
}
END_TEST

START_TEST(test_unreachable_from_backend_answers)
{
    struct svc_probe udp = probe(false), tcp = probe(true);
    ck_assert(icmp_answers(BACKEND_IP, MONITOR_IP, IPPROTO_UDP,
                           MONITOR_PORT, BACKEND_IP, 0, &udp));
    ck_assert(icmp_answers(BACKEND_IP, MONITOR_IP, IPPROTO_TCP,
                           MONITOR_PORT, BACKEND_IP, SEQ, &tcp));
}
END_TEST

/* An ICMP error from another address than the backend's, to another
 * than the monitor's, or quoting another packet, is ignored. */
START_TEST(test_unreachable_from_elsewhere_ignored)
{
    struct svc_probe udp = probe(false), tcp = probe(true);
    ck_assert(!icmp_answers(OTHER_IP, MONITOR_IP, IPPROTO_UDP,
                            MONITOR_PORT, BACKEND_IP, 0, &udp));
    ck_assert(!icmp_answers(BACKEND_IP, OTHER_IP, IPPROTO_UDP,
                            MONITOR_PORT, BACKEND_IP, 0, &udp));
    ck_assert(!icmp_answers(BACKEND_IP, MONITOR_IP, IPPROTO_UDP,
                            MONITOR_PORT + 1, BACKEND_IP, 0, &udp));
    ck_assert(!icmp_answers(OTHER_IP, MONITOR_IP, IPPROTO_UDP,
                            MONITOR_PORT, OTHER_IP, 0, &udp));
    ck_assert(!icmp_answers(BACKEND_IP, MONITOR_IP, IPPROTO_TCP,
                            MONITOR_PORT, BACKEND_IP, 0, &udp));
    ck_assert(!icmp_answers(BACKEND_IP, MONITOR_IP, IPPROTO_TCP,
                            MONITOR_PORT, BACKEND_IP, SEQ + 1, &tcp));
}
END_TEST

/* Returns true if an ICMPv6 destination unreachable with 'code' from
 * 'src' to 'dst' that quotes a 'proto' packet from the monitor (source
 * port 'qsport') to 'qdst':80 with TCP sequence number 'qseq' answers
 * probe 'pr'. */
static bool
icmp6_answers(const char *src, const char *dst, uint8_t code, uint8_t proto,
              uint16_t qsport, const char *qdst, uint32_t qseq,
              const struct svc_probe *pr)
{
    uint8_t frame[14 + 40 + 8 + 40 + 8];
    memset(frame, 0, sizeof frame);
    memcpy(frame, monitor_mac.ea, 6);
    memcpy(frame + 6, backend_mac.ea, 6);
    frame[12] = 0x86;                   /* IPv6. */
    frame[13] = 0xdd;

    uint8_t *ip6 = frame + 14;
    ip6[0] = 0x60;
    ip6[5] = sizeof frame - 14 - 40;
    ip6[6] = IPPROTO_ICMPV6;
    ip6[7] = 64;
    struct in6_addr a = v6(src), b = v6(dst);
    memcpy(ip6 + 8, &a, 16);
    memcpy(ip6 + 24, &b, 16);

    uint8_t *icmp = ip6 + 40;
    icmp[0] = 1;                        /* Destination unreachable. */
    icmp[1] = code;

    uint8_t *q = icmp + 8;
    q[0] = 0x60;
    q[5] = 8;
    q[6] = proto;
    q[7] = 64;
    a = v6(MONITOR_IP6);
    b = v6(qdst);
    memcpy(q + 8, &a, 16);
    memcpy(q + 24, &b, 16);
    uint8_t *l4 = q + 40;
    l4[0] = qsport >> 8;
    l4[1] = qsport;
    l4[2] = 0;
    l4[3] = BACKEND_PORT;
    if (proto == IPPROTO_TCP) {
        l4[4] = qseq >> 24;
        l4[5] = qseq >> 16;
        l4[6] = qseq >> 8;
        l4[7] = qseq;
    }

    struct svc_probe_reply r;
    return (svc_probe_parse_reply(frame, sizeof frame, &r)
            && svc_probe_reply_answers(&r, pr));
}

START_TEST(test_ipv6_syn_ack_from_backend_answers)
{
    ck_assert(tcp6_answers(BACKEND_IP6, BACKEND_PORT, MONITOR_IP6,
                           MONITOR_PORT, TCP_SYN | TCP_ACK, SEQ + 1));
    ck_assert(tcp6_answers(BACKEND_IP6, BACKEND_PORT, MONITOR_IP6,
                           MONITOR_PORT, TCP_RST | TCP_ACK, SEQ + 1));
}
END_TEST

/* As over IPv4: only the backend's address and port, to the monitor's
 * address and the probe's port, acknowledging the SYN, answer.  An IPv4
 * answer does not answer an IPv6 probe, nor the other way round. */
START_TEST(test_ipv6_tcp_spoofed_ignored)
{
    uint16_t sa = TCP_SYN | TCP_ACK;
    ck_assert(!tcp6_answers(OTHER_IP6, BACKEND_PORT, MONITOR_IP6,
                            MONITOR_PORT, sa, SEQ + 1));
    ck_assert(!tcp6_answers(BACKEND_IP6, 81, MONITOR_IP6, MONITOR_PORT,
                            sa, SEQ + 1));
    ck_assert(!tcp6_answers(BACKEND_IP6, BACKEND_PORT, OTHER_IP6,
                            MONITOR_PORT, sa, SEQ + 1));
    ck_assert(!tcp6_answers(BACKEND_IP6, BACKEND_PORT, MONITOR_IP6,
                            MONITOR_PORT + 1, sa, SEQ + 1));
    ck_assert(!tcp6_answers(OTHER_IP6, BACKEND_PORT, MONITOR_IP6,
                            MONITOR_PORT, TCP_RST | TCP_ACK, SEQ + 1));
    ck_assert(!tcp6_answers(BACKEND_IP6, BACKEND_PORT, MONITOR_IP6,
                            MONITOR_PORT, sa, SEQ));
    ck_assert(!tcp6_answers(BACKEND_IP6, BACKEND_PORT, MONITOR_IP6,
                            MONITOR_PORT, TCP_RST, SEQ + 1));

    struct svc_probe p4 = probe(true), p6 = probe6(true);
    ck_assert(!tcp_answers_probe(v4(BACKEND_IP), BACKEND_PORT,
                                 v4(MONITOR_IP), MONITOR_PORT, sa, SEQ + 1,
                                 &p6));
    ck_assert(!tcp_answers_probe(v6(BACKEND_IP6), BACKEND_PORT,
                                 v6(MONITOR_IP6), MONITOR_PORT, sa, SEQ + 1,
                                 &p4));
}
END_TEST

START_TEST(test_ipv6_unreachable_from_backend_answers)
{
    struct svc_probe udp = probe6(false), tcp = probe6(true);
    ck_assert(icmp6_answers(BACKEND_IP6, MONITOR_IP6, 4, IPPROTO_UDP,
                            MONITOR_PORT, BACKEND_IP6, 0, &udp));
    ck_assert(icmp6_answers(BACKEND_IP6, MONITOR_IP6, 3, IPPROTO_UDP,
                            MONITOR_PORT, BACKEND_IP6, 0, &udp));
    ck_assert(icmp6_answers(BACKEND_IP6, MONITOR_IP6, 4, IPPROTO_TCP,
                            MONITOR_PORT, BACKEND_IP6, SEQ, &tcp));
}
END_TEST

/* An ICMPv6 error from another address than the backend's, to another
 * than the monitor's, quoting another packet, or saying something else
 * than that the address or port is unreachable, is ignored. */
START_TEST(test_ipv6_unreachable_spoofed_ignored)
{
    struct svc_probe udp = probe6(false), tcp = probe6(true);
    ck_assert(!icmp6_answers(OTHER_IP6, MONITOR_IP6, 4, IPPROTO_UDP,
                             MONITOR_PORT, BACKEND_IP6, 0, &udp));
    ck_assert(!icmp6_answers(BACKEND_IP6, OTHER_IP6, 4, IPPROTO_UDP,
                             MONITOR_PORT, BACKEND_IP6, 0, &udp));
    ck_assert(!icmp6_answers(BACKEND_IP6, MONITOR_IP6, 4, IPPROTO_UDP,
                             MONITOR_PORT + 1, BACKEND_IP6, 0, &udp));
    ck_assert(!icmp6_answers(OTHER_IP6, MONITOR_IP6, 4, IPPROTO_UDP,
                             MONITOR_PORT, OTHER_IP6, 0, &udp));
    ck_assert(!icmp6_answers(BACKEND_IP6, MONITOR_IP6, 4, IPPROTO_TCP,
                             MONITOR_PORT, BACKEND_IP6, 0, &udp));
    ck_assert(!icmp6_answers(BACKEND_IP6, MONITOR_IP6, 4, IPPROTO_TCP,
                             MONITOR_PORT, BACKEND_IP6, SEQ + 1, &tcp));
    ck_assert(!icmp6_answers(BACKEND_IP6, MONITOR_IP6, 0, IPPROTO_UDP,
                             MONITOR_PORT, BACKEND_IP6, 0, &udp));
    ck_assert(!icmp6_answers(BACKEND_IP6, MONITOR_IP6, 1, IPPROTO_UDP,
                             MONITOR_PORT, BACKEND_IP6, 0, &udp));
}
END_TEST

/* A probe built over IPv6 parses as IPv6: its addresses and ports are
 * those given. */
START_TEST(test_ipv6_probe_built)
{
    struct dp_packet p;
    dp_packet_init(&p, 128);
    struct in6_addr src = v6(MONITOR_IP6), dst = v6(BACKEND_IP6);
    svc_probe_build_udp(&p, monitor_mac, backend_mac, &src, &dst,
                        MONITOR_PORT, BACKEND_PORT);
    const uint8_t *d = dp_packet_data(&p);
    ck_assert_int_eq(dp_packet_size(&p), 14 + 40 + 8);
    ck_assert_int_eq((d[12] << 8) | d[13], 0x86dd);
    ck_assert_int_eq(d[14 + 6], IPPROTO_UDP);
    ck_assert(!memcmp(d + 14 + 8, &src, 16));
    ck_assert(!memcmp(d + 14 + 24, &dst, 16));
    ck_assert_int_eq((d[54] << 8) | d[55], MONITOR_PORT);
    ck_assert_int_eq((d[56] << 8) | d[57], BACKEND_PORT);
    dp_packet_uninit(&p);
}
END_TEST

Suite *
svc_probe_suite(void)
{
    Suite *s = suite_create("svc-probe");
    TCase *tc = tcase_create("replies");
    tcase_add_test(tc, test_syn_ack_from_backend_answers);
    tcase_add_test(tc, test_tcp_from_elsewhere_ignored);
    tcase_add_test(tc, test_tcp_without_probe_ack_ignored);
    tcase_add_test(tc, test_unreachable_from_backend_answers);
    tcase_add_test(tc, test_unreachable_from_elsewhere_ignored);
    tcase_add_test(tc, test_ipv6_syn_ack_from_backend_answers);
    tcase_add_test(tc, test_ipv6_tcp_spoofed_ignored);
    tcase_add_test(tc, test_ipv6_unreachable_from_backend_answers);
    tcase_add_test(tc, test_ipv6_unreachable_spoofed_ignored);
    tcase_add_test(tc, test_ipv6_probe_built);
    suite_add_tcase(s, tc);
    return s;
}
