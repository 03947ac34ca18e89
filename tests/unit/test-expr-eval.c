#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/expr-symtab.h"
#include "lib/expr.h"
#include "packets.h"
#include "tests/unit/unit-suites.h"

/* Parses microflow 's', which must succeed, into '*packet'. */
static void
packet_from(const char *s, struct expr_packet *packet)
{
    char *error = expr_parse_microflow(s, packet);
    ck_assert_msg(!error, "microflow \"%s\": %s", s, error);
}

/* Asserts that microflow 's' is refused with an error containing
 * 'needle', and that the packet is left empty. */
static void
check_microflow_error(const char *s, const char *needle)
{
    struct expr_packet packet;
    char *error = expr_parse_microflow(s, &packet);
    ck_assert_msg(error != NULL, "microflow \"%s\" was accepted", s);
    ck_assert_msg(strstr(error, needle) != NULL,
                  "microflow \"%s\": error \"%s\" lacks \"%s\"",
                  s, error, needle);
    ck_assert_ptr_null(packet.inport);
    ck_assert_int_eq(packet.flow.dl_type, 0);
    free(error);
}

/* Membership callback over a fixed list of "set member" pairs. */
static bool
lookup_set(const char *set_name, const char *member, void *aux)
{
    const char *const *pairs = aux;
    for (size_t i = 0; pairs[i]; i += 2) {
        if (!strcmp(pairs[i], set_name) && !strcmp(pairs[i + 1], member)) {
            return true;
        }
    }
    return false;
}

/* Sets for the tests below. */
static const char *sets[] = {
    "web", "10.0.0.1",
    "web", "fd00::1",
    "frontends", "p1",
    NULL,
};

/* Returns whether 'match' matches 'packet'. */
static bool
matches__(const char *match, const struct expr_packet *packet)
{
    struct expr *e;
    char *error = expr_parse_string(match, NULL, &e);
    ck_assert_msg(!error, "\"%s\": %s", match, error);
    bool result = expr_evaluate(e, packet, lookup_set, sets);
    expr_destroy(e);
    return result;
}

/* Returns whether 'match' matches microflow 'microflow'. */
static bool
matches(const char *match, const char *microflow)
{
    struct expr *e;
    char *error = expr_parse_string(match, NULL, &e);
    ck_assert_msg(!error, "\"%s\": %s", match, error);

    struct expr_packet packet;
    packet_from(microflow, &packet);
    bool result = expr_evaluate(e, &packet, lookup_set, sets);
    expr_packet_destroy(&packet);
    expr_destroy(e);
    return result;
}

/* The microflow most tests use: TCP from p1 10.0.0.1:40000 to
 * 10.0.0.2:80. */
#define TCP_FLOW                                                        \
    "inport == \"p1\" && eth.src == 0a:00:00:00:00:01 && "              \
    "eth.dst == 0a:00:00:00:00:02 && ip4.src == 10.0.0.1 && "           \
    "ip4.dst == 10.0.0.2 && tcp.src == 40000 && tcp.dst == 80"

/* An ARP request from 10.0.0.1 for 10.0.0.2. */
#define ARP_FLOW                                                        \
    "inport == \"p2\" && eth.src == 0a:00:00:00:00:01 && "              \
    "eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && "                   \
    "arp.spa == 10.0.0.1 && arp.tpa == 10.0.0.2 && "                    \
    "arp.sha == 0a:00:00:00:00:01"

/* A UDP packet over IPv6. */
#define UDP6_FLOW                                                       \
    "outport == \"p3\" && ip6.src == fd00::1 && ip6.dst == fd00::2 && " \
    "udp.dst == 53 && ip.ttl == 64 && ip.dscp == 46"

START_TEST(test_microflow_fills_flow)
{
    struct expr_packet packet;
    packet_from(TCP_FLOW, &packet);
    ck_assert_str_eq(packet.inport, "p1");
    ck_assert_ptr_null(packet.outport);
    ck_assert_int_eq(ntohs(packet.flow.dl_type), ETH_TYPE_IP);
    ck_assert_int_eq(packet.flow.nw_proto, IPPROTO_TCP);
    ck_assert_uint_eq(ntohl(packet.flow.nw_src), 0x0a000001);
    ck_assert_uint_eq(ntohl(packet.flow.nw_dst), 0x0a000002);
    ck_assert_int_eq(ntohs(packet.flow.tp_src), 40000);
    ck_assert_int_eq(ntohs(packet.flow.tp_dst), 80);
    ck_assert_int_eq(packet.flow.dl_src.ea[5], 1);
    ck_assert_int_eq(packet.flow.dl_dst.ea[5], 2);
    ck_assert_int_eq(packet.flow.nw_ttl, 0);
    expr_packet_destroy(&packet);
}
END_TEST

START_TEST(test_microflow_arp_and_ipv6)
{
    struct expr_packet packet;
    packet_from(ARP_FLOW, &packet);
    ck_assert_int_eq(ntohs(packet.flow.dl_type), ETH_TYPE_ARP);
    ck_assert_int_eq(packet.flow.nw_proto, 1);
    ck_assert_uint_eq(ntohl(packet.flow.nw_dst), 0x0a000002);
    ck_assert_int_eq(packet.flow.arp_sha.ea[5], 1);
    expr_packet_destroy(&packet);

    packet_from(UDP6_FLOW, &packet);
    ck_assert_int_eq(ntohs(packet.flow.dl_type), ETH_TYPE_IPV6);
    ck_assert_int_eq(packet.flow.nw_proto, IPPROTO_UDP);
    ck_assert_int_eq(packet.flow.ipv6_dst.s6_addr[15], 2);
    ck_assert_int_eq(packet.flow.ipv6_dst.s6_addr[0], 0xfd);
    ck_assert_int_eq(packet.flow.nw_tos, 46 << 2);
    ck_assert_int_eq(packet.flow.nw_ttl, 64);
    ck_assert_str_eq(packet.outport, "p3");
    expr_packet_destroy(&packet);
}
END_TEST

START_TEST(test_microflow_vlan)
{
    struct expr_packet packet;
    packet_from("vlan.vid == 100 && eth.type == 0x88cc", &packet);
    ck_assert_int_eq(ntohs(packet.flow.vlans[0].tci), 0x1000 | 100);
    expr_packet_destroy(&packet);

    /* The priority bits, and the whole TCI. */
    packet_from("vlan.pcp == 5 && vlan.vid == 7 && eth.type == 0x88cc",
                &packet);
    ck_assert_int_eq(ntohs(packet.flow.vlans[0].tci), 0xb007);
    ck_assert(matches__("vlan.tci == 0xb007", &packet));
    ck_assert(matches__("vlan.tci[13..15] == 5 && 4 < vlan.pcp < 6",
                        &packet));
    ck_assert(!matches__("vlan.pcp == 4", &packet));
    expr_packet_destroy(&packet);
    packet_from("vlan.tci == 0x3064 && eth.type == 0x88cc", &packet);
    ck_assert(matches__("vlan.pcp == 1 && vlan.vid == 100 && vlan.present",
                        &packet));
    expr_packet_destroy(&packet);
}
END_TEST

START_TEST(test_microflow_color)
{
    /* The colour is bits 0..7 of reg9; the other bits are not its. */
    struct expr_packet packet;
    packet_from("color == 5 && eth.type == 0x88cc", &packet);
    ck_assert_uint_eq(packet.flow.regs[9], 5);
    packet.flow.regs[9] |= 0x300;
    ck_assert(matches__("color == 5", &packet));
    ck_assert(matches__("color < 8 && color != 4", &packet));
    ck_assert(!matches__("color == 0x80/0x80", &packet));

    /* Reading and writing the colour leave reg9's other bits alone. */
    const struct expr_symbol *color = expr_symbol_lookup("color");
    struct expr_value v;
    expr_symbol_get(color, &packet.flow, &v);
    ck_assert_uint_eq(expr_value_to_uint64(&v), 5);
    expr_value_from_uint64(7, &v);
    expr_symbol_set(color, &v, &packet.flow);
    ck_assert_uint_eq(packet.flow.regs[9], 0x307);
    expr_packet_destroy(&packet);
}
END_TEST

START_TEST(test_microflow_refuses_non_packets)
{
    check_microflow_error("ip4 && tcp.dst != 80", "\"tcp.dst != 80\": a "
                          "microflow may only contain exact \"==\"");
    check_microflow_error("ip4.src == 10.0.0.0/8", "ip4.src == 10.0.0.0/8");
    check_microflow_error("ip4 && tcp.dst < 80", "tcp.dst < 80");
    check_microflow_error("inport == @pg", "inport == @pg");
    check_microflow_error("ip4.src == $as", "ip4.src == $as");
    /* "tcp" needs "ip", but which IP version? */
    check_microflow_error("tcp.dst == 80",
                          "\"eth.type == 0x800 || eth.type == 0x86dd\" "
                          "does not hold");
    check_microflow_error("ip4 && ip6", "match can never be true: "
                          "eth.type == 0x800 && eth.type == 0x86dd");
    check_microflow_error("ip4 && tcp.dst == {80, 443}", "does not hold");
    check_microflow_error("0", "matches no packet");
    /* OVS keeps only the low 8 bits of an ARP opcode. */
    check_microflow_error("arp.op == 256", "\"arp.op == 256\" does not "
                          "hold");
    check_microflow_error("tcp.dst == 80 &&", "column 17");
    check_microflow_error("inport == \"p1\" && ip4.src == 10.0.0.300",
                          "10.0.0.300");
}
END_TEST

START_TEST(test_evaluate_fields)
{
    ck_assert(matches("tcp.dst == 80", TCP_FLOW));
    ck_assert(!matches("tcp.dst == 443", TCP_FLOW));
    ck_assert(matches("ip4.src == 10.0.0.0/24 && tcp", TCP_FLOW));
    ck_assert(!matches("ip4.src == 10.0.1.0/24", TCP_FLOW));
    ck_assert(matches("eth.src == 0a:00:00:00:00:00/ff:ff:ff:00:00:00",
                      TCP_FLOW));
    ck_assert(matches("inport == \"p1\" && outport != \"p1\"", TCP_FLOW));
    ck_assert(!matches("inport == \"p2\"", TCP_FLOW));
    ck_assert(matches("arp.op == 1 && arp.tpa == 10.0.0.2", ARP_FLOW));
    ck_assert(matches("eth.dst == ff:ff:ff:ff:ff:ff", ARP_FLOW));
    ck_assert(matches("ip6.dst == fd00::/64 && udp.dst == 53", UDP6_FLOW));
    ck_assert(matches("ip.dscp == 46 && ip.ttl > 1", UDP6_FLOW));
    ck_assert(!matches("ip4", UDP6_FLOW));
}
END_TEST

START_TEST(test_evaluate_ordering_and_sets)
{
    ck_assert(matches("tcp.dst < 1024", TCP_FLOW));
    ck_assert(matches("tcp.src >= 40000 && tcp.src <= 40000", TCP_FLOW));
    ck_assert(!matches("tcp.src > 40000", TCP_FLOW));
    ck_assert(matches("tcp.dst == {22, 80, 443}", TCP_FLOW));
    ck_assert(!matches("tcp.dst != {22, 80, 443}", TCP_FLOW));
    ck_assert(matches("tcp.dst != {22, 443}", TCP_FLOW));
    ck_assert(matches("ip4.dst > 10.0.0.1", TCP_FLOW));
}
END_TEST

START_TEST(test_evaluate_prerequisites)
{
    /* A field comparison never matches a packet without that header. */
    ck_assert(!matches("tcp.dst != 443", ARP_FLOW));
    ck_assert(!matches("!(tcp.dst == 443)", ARP_FLOW));
    ck_assert(!matches("udp.dst == 0", TCP_FLOW));
    /* A negated predicate matches every other kind of packet. */
    ck_assert(matches("!tcp", ARP_FLOW));
    ck_assert(matches("!tcp", UDP6_FLOW));
    ck_assert(!matches("!tcp", TCP_FLOW));
    ck_assert(matches("!icmp", TCP_FLOW));
    ck_assert(matches("ip && !ip6", TCP_FLOW));
    ck_assert(!matches("vlan.present", TCP_FLOW));
    ck_assert(matches("!vlan.present", TCP_FLOW));
}
END_TEST

START_TEST(test_evaluate_address_sets_and_port_groups)
{
    ck_assert(matches("ip4.src == $web", TCP_FLOW));
    ck_assert(!matches("ip4.dst == $web", TCP_FLOW));
    ck_assert(matches("ip4.dst != $web", TCP_FLOW));
    ck_assert(matches("ip6.src == $web", UDP6_FLOW));
    ck_assert(!matches("ip4.src == $web", UDP6_FLOW));
    ck_assert(matches("inport == @frontends", TCP_FLOW));
    ck_assert(!matches("inport == @frontends", ARP_FLOW));
    ck_assert(matches("inport != @frontends", ARP_FLOW));
    /* No outport at all: in no group. */
    ck_assert(!matches("outport == @frontends", TCP_FLOW));
}
END_TEST

START_TEST(test_evaluate_without_lookup)
{
    struct expr *e;
    char *error = expr_parse_string("ip4.src == $web || 1", NULL, &e);
    ck_assert_ptr_null(error);
    struct expr_packet packet;
    packet_from(TCP_FLOW, &packet);
    ck_assert(expr_evaluate(e, &packet, NULL, NULL));
    expr_destroy(e);

    error = expr_parse_string("ip4.src == $web", NULL, &e);
    ck_assert_ptr_null(error);
    ck_assert(!expr_evaluate(e, &packet, NULL, NULL));
    expr_destroy(e);
    expr_packet_destroy(&packet);
    expr_packet_destroy(NULL);
}
END_TEST

/* Evaluation of matches against microflows. */
Suite *
expr_eval_suite(void)
{
    Suite *s = suite_create("expr-eval");
    TCase *tc = tcase_create("microflow");
    tcase_add_test(tc, test_microflow_fills_flow);
    tcase_add_test(tc, test_microflow_arp_and_ipv6);
    tcase_add_test(tc, test_microflow_vlan);
    tcase_add_test(tc, test_microflow_color);
    tcase_add_test(tc, test_microflow_refuses_non_packets);
    suite_add_tcase(s, tc);

    tc = tcase_create("evaluate");
    tcase_add_test(tc, test_evaluate_fields);
    tcase_add_test(tc, test_evaluate_ordering_and_sets);
    tcase_add_test(tc, test_evaluate_prerequisites);
    tcase_add_test(tc, test_evaluate_address_sets_and_port_groups);
    tcase_add_test(tc, test_evaluate_without_lookup);
    suite_add_tcase(s, tc);
    return s;
}
