#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr-compile.h"
#include "lib/expr.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "svec.h"
#include "tests/unit/compile-check.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"
#include "util.h"

/* Packets each compile_ok() checks the compiled text on. */
#define PACKETS_PER_CHECK 300

/* Parses 's', which must parse, with the names of compile-check.h. */
static struct expr *
parse(const char *s)
{
    struct expr *e;
    char *error = expr_parse_string(s, compile_check_parse_ctx(), &e);
    ck_assert_msg(!error, "\"%s\": %s", s, error);
    return e;
}

/* Returns 's', or its start if it is too long for a Check message. */
static const char *
abbrev(const char *s, char *buf, size_t size)
{
    if (strlen(s) < size) {
        return s;
    }
    snprintf(buf, size, "%.*s...", (int) size - 4, s);
    return buf;
}

/* Compiles 's' with the names of compile-check.h and at most 'max_flows'
 * flows (0: the default).  Returns the match ("(nothing)" if it matches
 * no packet) or "error: " and the error, and stores the number of flows
 * in '*n_flows' if nonnull.  A match is also checked against the
 * expression on many packets. */
static char *
compile_max(const char *s, size_t max_flows, size_t *n_flows)
{
    struct expr *e = parse(s);
    struct expr_compile_ctx ctx = *compile_check_ctx();
    ctx.max_flows = max_flows;
    char *match;
    size_t n;
    char *error = expr_compile(e, &ctx, &match, &n);
    char *result;
    if (error) {
        ck_assert_ptr_null(match);
        ck_assert_uint_eq(n, 0);
        result = xasprintf("error: %s", error);
        free(error);
    } else {
        char *bad = compile_check_equivalence(e, match, 1234,
                                              PACKETS_PER_CHECK);
        char buf[2048];
        ck_assert_msg(!bad, "%s", bad ? abbrev(bad, buf, sizeof buf) : "");
        result = match ? match : xstrdup("(nothing)");
    }
    expr_destroy(e);
    if (n_flows) {
        *n_flows = n;
    }
    return result;
}

/* Asserts that 's' compiles to a match that starts with 'start' (all of
 * it if 'whole') in 'n_flows' OpenFlow flows (any number if
 * SIZE_MAX). */
static void
check__(const char *s, const char *start, bool whole, size_t n_flows)
{
    size_t n;
    char *match = compile_max(s, 0, &n);
    bool ok = (whole ? !strcmp(match, start)
               : !strncmp(match, start, strlen(start)));
    char buf[1024];
    ck_assert_msg(ok, "\"%s\" compiled to\n    \"%s\", expected\n    "
                  "\"%s\"%s", s, abbrev(match, buf, sizeof buf), start,
                  whole ? "" : "...");
    ck_assert_msg(n_flows == SIZE_MAX || n == n_flows,
                  "\"%s\": %"PRIuSIZE" flows, expected %"PRIuSIZE,
                  s, n, n_flows);
    free(match);
}

/* Asserts that 's' compiles to 'expected'. */
static void
check(const char *s, const char *expected)
{
    check__(s, expected, true, SIZE_MAX);
}

/* Asserts that 's' compiles to 'expected' in 'n_flows' OpenFlow flows. */
static void
check_flows(const char *s, const char *expected, size_t n_flows)
{
    check__(s, expected, true, n_flows);
}

/* Asserts that 's' compiles into 'n_flows' OpenFlow flows, the first
 * alternatives being 'start'. */
static void
check_start(const char *s, const char *start, size_t n_flows)
{
    check__(s, start, false, n_flows);
}

/* Asserts that compiling 's' with 'max_flows' fails with an error that
 * contains 'needle'. */
static void
check_error(const char *s, size_t max_flows, const char *needle)
{
    char *match = compile_max(s, max_flows, NULL);
    char buf[1024];
    ck_assert_msg(!strncmp(match, "error: ", 7) && strstr(match, needle),
                  "\"%s\" compiled to \"%s\", expected an error with "
                  "\"%s\"", s, abbrev(match, buf, sizeof buf), needle);
    free(match);
}

/* Returns the number of OpenFlow flows 's' compiles into. */
static size_t
n_flows_of(const char *s)
{
    size_t n;
    char *match = compile_max(s, 0, &n);
    ck_assert_msg(strncmp(match, "error: ", 7), "%s", match);
    free(match);
    return n;
}

START_TEST(test_each_field_maps_to_its_openflow_field)
{
    check("eth.src == 0a:00:00:00:00:01", "dl_src=0a:00:00:00:00:01");
    check("eth.dst == 0a:00:00:00:00:02", "dl_dst=0a:00:00:00:00:02");
    check("eth.type == 0x88cc", "dl_type=0x88cc");
    check("vlan.present", "vlan_tci=0x1000/0x1000");
    check("vlan.present == 0", "vlan_tci=0x0000/0x1000");
    check("vlan.vid == 5", "dl_vlan=5");
    check("vlan.pcp == 4", "dl_vlan_pcp=4");
    check("vlan.tci == 0x1064", "dl_vlan=100,dl_vlan_pcp=0");
    check("ip4.src == 10.0.0.1", "ip,nw_src=10.0.0.1");
    check("ip4.dst == 10.0.0.2", "ip,nw_dst=10.0.0.2");
    check("ip6.src == fd00::1", "ipv6,ipv6_src=fd00::1");
    check("ip6.dst == fd00::2", "ipv6,ipv6_dst=fd00::2");
    check("ip4 && ip.proto == 47", "ip,nw_proto=47");
    check("ip4 && ip.dscp == 10", "ip,nw_tos=40");
    check("ip6 && ip.ttl == 64", "ipv6,nw_ttl=64");
    check("ip4 && tcp.src == 1", "tcp,tp_src=1");
    check("ip4 && tcp.dst == 2", "tcp,tp_dst=2");
    check("ip6 && udp.src == 3", "udp6,tp_src=3");
    check("ip6 && udp.dst == 4", "udp6,tp_dst=4");
    check("icmp4.type == 8", "icmp,icmp_type=8");
    check("icmp4.code == 1", "icmp,icmp_code=1");
    check("icmp6.type == 135", "icmp6,icmp_type=135");
    check("icmp6.code == 0", "icmp6,icmp_code=0");
    check("ip4 && sctp.src == 5", "sctp,tp_src=5");
    check("ip6 && sctp.dst == 6", "sctp6,tp_dst=6");
    check("arp.op == 2", "arp,arp_op=2");
    check("arp.spa == 10.0.0.1", "arp,arp_spa=10.0.0.1");
    check("arp.tpa == 10.0.0.2", "arp,arp_tpa=10.0.0.2");
    check("arp.sha == 0a:00:00:00:00:01", "arp,arp_sha=0a:00:00:00:00:01");
    check("arp.tha == 0a:00:00:00:00:02", "arp,arp_tha=0a:00:00:00:00:02");
    check("color == 3", "reg9=0x3/0xff");
    check("ip4 && tcp.flags == 0x2", "tcp,tcp_flags=syn");
    check("ip4 && ip.frag == 1", "ip,nw_frag=first");
    check("ip6 && ip.later_frag", "ipv6,nw_frag=later");
    check("nd.target == fd00::1",
          "icmp6,nw_ttl=255,icmp_type=135,icmp_code=0,nd_target=fd00::1 || "
          "icmp6,nw_ttl=255,icmp_type=136,icmp_code=0,nd_target=fd00::1");
    check("nd.sll == 0a:00:00:00:00:01",
          "icmp6,nw_ttl=255,icmp_type=135,icmp_code=0,"
          "nd_sll=0a:00:00:00:00:01");
    check("nd.tll == 0a:00:00:00:00:02",
          "icmp6,nw_ttl=255,icmp_type=136,icmp_code=0,"
          "nd_tll=0a:00:00:00:00:02");
    check("nd_ns", "icmp6,nw_ttl=255,icmp_type=135,icmp_code=0");
    check("rarp.op == 3", "rarp,arp_op=3");
    check("inport == \"p2\"", "reg14=0x2");
    check("outport == \"web\"", "reg15=0x64");
    check("ct.trk", "ct_state=+trk");
    check("ct.new", "ct_state=+new+trk");
    check("ct.est && !ct.rpl", "ct_state=+est-rpl+trk");
    check("ct.rel", "ct_state=+rel+trk");
    check("ct.inv", "ct_state=+inv+trk");
    check("!ct.trk", "ct_state=-trk");
    check("ct_mark == 1", "ct_state=+trk,ct_mark=0x1");
    check("ct_mark == 0x1/0x1", "ct_state=+trk,ct_mark=0x1/0x1");
    check("ct_label == 0x5/0xff", "ct_state=+trk,ct_label=0x5/0xff");
    check("1", "");
    check("0", "(nothing)");
}
END_TEST

START_TEST(test_masks_and_prefixes)
{
    check("eth.dst == 01:00:00:00:00:00/01:00:00:00:00:00",
          "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00");
    check("ip4.src == 10.0.0.0/8", "ip,nw_src=10.0.0.0/8");
    check("ip4.src == 10.0.0.0/255.0.255.0",
          "ip,nw_src=10.0.0.0/255.0.255.0");
    check("ip6.dst == fd00::/64", "ipv6,ipv6_dst=fd00::/64");
    check("ip4 && tcp.dst == 0x1000/0xf000", "tcp,tp_dst=0x1000/0xf000");
    check("color == 0x10/0xf0", "reg9=0x10/0xf0");
    check("vlan.vid == 0x100/0xf00", "vlan_tci=0x1100/0x1f00");
    check("ip4.src == 0.0.0.0/0", "ip");
    /* Subfields are masks. */
    check("eth.dst[40]", "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00");
    check("vlan.tci[0..11] == 100", "vlan_tci=0x0064/0x0fff");
    check("ip4 && tcp.dst[8..15] == 0x1f", "tcp,tp_dst=0x1f00/0xff00");
    check("vlan.tci[13..15] > 4",
          "vlan_tci=0xa000/0xe000 || vlan_tci=0xc000/0xc000");
    check("1 < vlan.pcp < 4", "vlan_tci=0x5000/0xd000");
    check("ip4.src == ::10.1.0.0/::255.255.0.0", "ip,nw_src=10.1.0.0/16");
}
END_TEST

START_TEST(test_constraints_on_one_field_merge)
{
    /* Value/mask intersection, in one OpenFlow match. */
    check("ip4 && tcp.dst == 0x1000/0xf000 && tcp.dst == 0x10/0xf0",
          "tcp,tp_dst=0x1010/0xf0f0");
    check("ip4.src == 10.0.0.0/8 && ip4.src == 10.1.0.0/16",
          "ip,nw_src=10.1.0.0/16");
    check("vlan.present && vlan.vid == 5", "dl_vlan=5");
    check("color == 0x3/0xf && color == 0x20/0xf0", "reg9=0x23/0xff");
    /* A constraint that another implies adds nothing. */
    check("ip4.src == 10.1.2.3 && ip4.src == 10.0.0.0/8",
          "ip,nw_src=10.1.2.3");
}
END_TEST

START_TEST(test_contradictions_drop_alternatives)
{
    check("ip4.src == 10.0.0.0/8 && ip4.src == {11.0.0.1, 10.1.1.1}",
          "ip,nw_src=10.1.1.1");
    check("(tcp.dst == 80 || udp.dst == 53) && ip.proto == 17",
          "udp,tp_dst=53 || udp6,tp_dst=53");
    check("ip4 && (tcp.dst == 0x10/0xf0 || tcp.dst == 0x20/0xf0) "
          "&& tcp.dst == 0x25", "tcp,tp_dst=37");
    check("arp.op == 256", "(nothing)");
    check("vlan.present != 1 && vlan.present != 0", "(nothing)");
}
END_TEST

START_TEST(test_subsumed_alternatives_drop)
{
    check("ip4.src == 10.0.0.0/8 || ip4.src == 10.1.2.3",
          "ip,nw_src=10.0.0.0/8");
    check("ip4.src == {10.0.0.0/8, 10.1.0.0/16, 10.1.1.1}",
          "ip,nw_src=10.0.0.0/8");
    check("ip4 || ip4.src == 10.1.2.3 || arp", "ip || arp");
    check("eth.src == 0a:00:00:00:00:01 || 1", "");
}
END_TEST

START_TEST(test_ranges_become_prefixes)
{
    check("ip4 && tcp.dst < 1024", "tcp,tp_dst=0x0/0xfc00");
    check("ip4 && tcp.dst >= 1024", "tcp,tp_dst=0x400/0xfc00 || "
          "tcp,tp_dst=0x800/0xf800 || tcp,tp_dst=0x1000/0xf000 || "
          "tcp,tp_dst=0x2000/0xe000 || tcp,tp_dst=0x4000/0xc000 || "
          "tcp,tp_dst=0x8000/0x8000");
    check("ip4 && tcp.dst > 65534", "tcp,tp_dst=65535");
    check("ip4 && tcp.dst >= 1000 && tcp.dst <= 1023",
          "tcp,tp_dst=0x3e8/0xfff8 || tcp,tp_dst=0x3f0/0xfff0");
    check("ip4.dst >= 10.0.0.0 && ip4.dst <= 10.0.0.255",
          "ip,nw_dst=10.0.0.0/24");
    check("color < 4", "reg9=0/0xfc");
    /* Two prefixes per bit at most. */
    ck_assert_uint_eq(n_flows_of("ip4 && tcp.src > 1 && tcp.src < 65534"),
                      28);
    /* A field OpenFlow cannot mask: the values themselves. */
    check("ip4 && ip.ttl < 3", "ip,nw_ttl=0 || ip,nw_ttl=1 || ip,nw_ttl=2");
    check("icmp4.type >= 254", "icmp,icmp_type=254 || icmp,icmp_type=255");
    check("arp.op > 254", "arp,arp_op=255");
}
END_TEST

START_TEST(test_not_equal)
{
    /* One single-bit term per bit of a maskable field. */
    check("ip4 && tcp.dst != 0x7/0x7", "tcp,tp_dst=0x0/0x1 || "
          "tcp,tp_dst=0x0/0x2 || tcp,tp_dst=0x0/0x4");
    ck_assert_uint_eq(n_flows_of("ip4.src != 10.0.0.1"), 32);
    ck_assert_uint_eq(n_flows_of("ip6.src != fd00::1"), 128);
    check_start("inport != \"p1\" && ip4",
                "ip,reg14=0/0x1 || ip,reg14=0x2/0x2 || ip,reg14=0x4/0x4 || ",
                32);
    /* The values of a field OpenFlow cannot mask. */
    ck_assert_uint_eq(n_flows_of("ip4 && ip.proto != 6"), 255);
    check("icmp4.code != 0 && icmp4.code < 3",
          "icmp,icmp_code=1 || icmp,icmp_code=2");
    /* Several "!=" on one field: the complement of what they exclude. */
    check_flows("ip4 && tcp.dst != {80, 443}", "tcp,tp_dst=0x0/0xffc0 || "
                "tcp,tp_dst=0x40/0xfff0 || tcp,tp_dst=81 || "
                "tcp,tp_dst=0x52/0xfffe || tcp,tp_dst=0x54/0xfffc || "
                "tcp,tp_dst=0x58/0xfff8 || tcp,tp_dst=0x60/0xffe0 || "
                "tcp,tp_dst=0x80/0xff80 || tcp,tp_dst=0x100/0xff80 || "
                "tcp,tp_dst=0x180/0xffe0 || tcp,tp_dst=0x1a0/0xfff0 || "
                "tcp,tp_dst=0x1b0/0xfff8 || tcp,tp_dst=0x1b8/0xfffe || "
                "tcp,tp_dst=442 || tcp,tp_dst=0x1bc/0xfffc || "
                "tcp,tp_dst=0x1c0/0xffc0 || tcp,tp_dst=0x200/0xfe00 || "
                "tcp,tp_dst=0x400/0xfc00 || tcp,tp_dst=0x800/0xf800 || "
                "tcp,tp_dst=0x1000/0xf000 || tcp,tp_dst=0x2000/0xe000 || "
                "tcp,tp_dst=0x4000/0xc000 || tcp,tp_dst=0x8000/0x8000", 23);
    check_start("!(ip4.src == 10.0.0.0/8 || ip4.src == 192.168.0.0/16) "
                "&& ip4 && inport == \"p1\"", "ip,reg14=0x1,nw_src=0.0.0.0/5 "
                "|| ip,reg14=0x1,nw_src=8.0.0.0/7 || "
                "ip,reg14=0x1,nw_src=11.0.0.0/8 || ", 22);
    check_start("inport != \"p1\" && inport != \"p2\"",
                "reg14=0 || reg14=0x3 || reg14=0x4/0xfffffffc || ", 32);
    /* Another constraint may settle it. */
    check("arp && eth.type != 0x800", "arp");
    check("ip && !ip6", "ip");
    check("tcp && !ip4 && tcp.dst == 22", "tcp6,tp_dst=22");
    check("eth.type == {0x800, 0x806, 0x8035} && eth.type != 0x806",
          "ip || rarp");
    check_start("eth.type == 0x800/0xff00 && eth.type != 0x800",
                "dl_type=0x0801 || dl_type=0x0802 || ", 255);
}
END_TEST

START_TEST(test_unmaskable_field_beyond_256_values_is_an_error)
{
    check_error("!ip4", 0, "\"eth.type != 0x800\" matches 65535 values of "
                "dl_type, which OpenFlow cannot mask; at most 256 can be "
                "listed");
    check_error("eth.type < 0x600", 0, "matches 1536 values of dl_type");
    check_start("eth.type == 0x8800/0xff00",
                "dl_type=0x8800 || dl_type=0x8801 || dl_type=0x8802 || ",
                256);
    check_error("eth.type == 0x8800/0xfe00", 0, "matches 512 values");
}
END_TEST

START_TEST(test_nested_and_or)
{
    check("(ip4.src == 10.0.0.1 || ip4.dst == 10.0.0.2) && "
          "(tcp.dst == 80 || (udp && udp.dst == 53))",
          "tcp,nw_src=10.0.0.1,tp_dst=80 || udp,nw_src=10.0.0.1,tp_dst=53 "
          "|| tcp,nw_dst=10.0.0.2,tp_dst=80 || "
          "udp,nw_dst=10.0.0.2,tp_dst=53");
    check("(inport == \"p1\" && (eth.src == 0a:00:00:00:00:01 || "
          "eth.src == 0a:00:00:00:00:02)) || (inport == \"p2\" && "
          "eth.src == 0a:00:00:00:00:03)",
          "reg14=0x1,dl_src=0a:00:00:00:00:01 || "
          "reg14=0x1,dl_src=0a:00:00:00:00:02 || "
          "reg14=0x2,dl_src=0a:00:00:00:00:03");
    check("!(ip4 && (tcp.dst == 80 || tcp.dst == 443)) && ip4 && tcp",
          "tcp,tp_dst=0x0/0xffc0 || tcp,tp_dst=0x40/0xfff0 || "
          "tcp,tp_dst=81 || tcp,tp_dst=0x52/0xfffe || "
          "tcp,tp_dst=0x54/0xfffc || tcp,tp_dst=0x58/0xfff8 || "
          "tcp,tp_dst=0x60/0xffe0 || tcp,tp_dst=0x80/0xff80 || "
          "tcp,tp_dst=0x100/0xff80 || tcp,tp_dst=0x180/0xffe0 || "
          "tcp,tp_dst=0x1a0/0xfff0 || tcp,tp_dst=0x1b0/0xfff8 || "
          "tcp,tp_dst=0x1b8/0xfffe || tcp,tp_dst=442 || "
          "tcp,tp_dst=0x1bc/0xfffc || tcp,tp_dst=0x1c0/0xffc0 || "
          "tcp,tp_dst=0x200/0xfe00 || tcp,tp_dst=0x400/0xfc00 || "
          "tcp,tp_dst=0x800/0xf800 || tcp,tp_dst=0x1000/0xf000 || "
          "tcp,tp_dst=0x2000/0xe000 || tcp,tp_dst=0x4000/0xc000 || "
          "tcp,tp_dst=0x8000/0x8000");
}
END_TEST

START_TEST(test_port_names)
{
    check("inport == \"p7\"", "reg14=0x10000");
    check("inport == \"zz\"", "(nothing)");
    check("inport != \"zz\" && arp", "arp");
    check("(inport == \"zz\" || outport == \"p1\") && arp",
          "arp,reg15=0x1");
}
END_TEST

START_TEST(test_port_groups)
{
    check("inport == @pg1", "reg14=0x1 || reg14=0x2 || reg14=0x5");
    check("outport == @pg2 && arp", "arp,reg15=0x6 || arp,reg15=0x64");
    check("inport == @pgx", "(nothing)");
    check("inport != @pgx && arp", "arp");
    check_start("outport != @pg2", "reg15=0/0xfffffffc || "
                "reg15=0x4/0xfffffffe || reg15=0x7 || "
                "reg15=0x8/0xfffffff8 || ", 37);
    check_flows("inport == @pg1 && outport == @pg2",
                "[reg14=0x1 | reg14=0x2 | reg14=0x5] && "
                "[reg15=0x6 | reg15=0x64]", 6);
}
END_TEST

START_TEST(test_address_sets)
{
    /* Only the addresses of the field's family; the /24 holds 10.0.0.1. */
    check("ip4.src == $as4", "ip,nw_src=10.0.0.0/24 || "
          "ip,nw_src=192.168.0.0/16");
    check("ip6.dst == $as6", "ipv6,ipv6_dst=fd00::1 || "
          "ipv6,ipv6_dst=fd00:1::/64");
    check("ip4.dst == $mix", "ip,nw_dst=10.1.0.0/16 || "
          "ip,nw_dst=172.16.0.1");
    check("ip6.dst == $mix", "ipv6,ipv6_dst=fd00::/16");
    check_start("ip4.dst != $mix", "ip,nw_dst=0.0.0.0/5 || "
                "ip,nw_dst=8.0.0.0/7 || ip,nw_dst=10.0.0.0/16 || ", 46);
    check_start("ip6.dst != $mix", "ipv6,ipv6_dst=::/1 || ", 16);
    check("arp.tpa == $as4", "arp,arp_tpa=10.0.0.0/24 || "
          "arp,arp_tpa=192.168.0.0/16");
    check("ip4.src == $none", "(nothing)");
    check("ip4.src != $none", "ip");
    check("ip4.src == $all4", "ip");
    check("ip4.src != $all4", "(nothing)");
    check_start("ip4.src != $as4", "ip,nw_src=0.0.0.0/5 || "
                "ip,nw_src=8.0.0.0/7 || ip,nw_src=10.0.1.0/24 || ", 38);
    check_start("ip4.src != $as4 && ip4.src != 10.0.0.0/8",
                "ip,nw_src=0.0.0.0/5 || ip,nw_src=8.0.0.0/7 || "
                "ip,nw_src=11.0.0.0/8 || ", 22);
}
END_TEST

/* compile_check_ctx() with one address set, "bad", that holds 'text'. */
static bool
bad_address_set(const char *name OVS_UNUSED, struct svec *addresses,
                void *aux)
{
    svec_add(addresses, aux);
    return true;
}

START_TEST(test_bad_address_in_set_is_an_error)
{
    struct expr *e = parse("ip4.src == $as4");
    struct expr_compile_ctx ctx = *compile_check_ctx();
    ctx.address_set_addresses = bad_address_set;
    ctx.aux = "10.0.0.300";
    char *match;
    char *error = expr_compile(e, &ctx, &match, NULL);
    ck_assert_ptr_null(match);
    ck_assert_ptr_nonnull(error);
    ck_assert_str_eq(error, "address set $as4: \"10.0.0.300\" is not an "
                     "IPv4 or IPv6 address or prefix");
    free(error);

    ctx.aux = "not-an-address";
    error = expr_compile(e, &ctx, &match, NULL);
    ck_assert_ptr_nonnull(error);
    free(error);

    ctx.aux = "10.0.0.0/255.0.255.0";
    error = expr_compile(e, &ctx, &match, NULL);
    ck_assert_ptr_nonnull(error);
    free(error);
    expr_destroy(e);
}
END_TEST

START_TEST(test_crossed_sets_become_one_conjunction)
{
    check_flows("ip4.src == {10.0.0.1, 10.0.0.2, 10.0.0.3} && "
                "tcp.dst == {80, 443}",
                "tcp && [nw_src=10.0.0.1 | nw_src=10.0.0.2 | "
                "nw_src=10.0.0.3] && [tp_dst=80 | tp_dst=443]", 6);
    check_flows("inport == @pg1 && ip4.dst == $as4 && udp.dst == {53, 67}",
                "udp && [reg14=0x1 | reg14=0x2 | reg14=0x5] && "
                "[nw_dst=10.0.0.0/24 | nw_dst=192.168.0.0/16] && "
                "[tp_dst=53 | tp_dst=67]", 8);
    /* Three sets: the sum, 3 + 3 + 2 values and the conjunction flow,
     * not the product, 18. */
    check_flows("ip4.src == {1.1.1.1, 2.2.2.2, 3.3.3.3} && "
                "ip4.dst == {4.4.4.4, 5.5.5.5, 6.6.6.6} && "
                "tcp.dst == {1, 2}", "tcp && [nw_src=1.1.1.1 | "
                "nw_src=2.2.2.2 | nw_src=3.3.3.3] && [nw_dst=4.4.4.4 | "
                "nw_dst=5.5.5.5 | nw_dst=6.6.6.6] && [tp_dst=1 | tp_dst=2]",
                9);

    /* Sizes add up: 100 by 100 values cost 201 flows, not 10,000. */
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "ip4.src == {");
    for (int i = 0; i < 100; i++) {
        ds_put_format(&s, "%s10.0.%d.%d", i ? ", " : "", i / 10, i % 10);
    }
    ds_put_cstr(&s, "} && tcp.dst == {");
    for (int i = 0; i < 100; i++) {
        ds_put_format(&s, "%s%d", i ? ", " : "", 1000 + i * 7);
    }
    ds_put_cstr(&s, "}");
    ck_assert_uint_eq(n_flows_of(ds_cstr(&s)), 201);
    ds_destroy(&s);
}
END_TEST

START_TEST(test_conjunction_only_when_it_pays)
{
    /* One set: expanded. */
    check_flows("ip4 && tcp.dst == {80, 443}",
                "tcp,tp_dst=80 || tcp,tp_dst=443", 2);
    /* A set and single values: expanded. */
    check_flows("ip4.src == {1.1.1.1, 2.2.2.2} && tcp.dst == 80 && "
                "inport == \"p1\"", "tcp,reg14=0x1,nw_src=1.1.1.1,tp_dst=80 "
                "|| tcp,reg14=0x1,nw_src=2.2.2.2,tp_dst=80", 2);
    /* A set crossed with a set of one member after merging: expanded. */
    check_flows("ip4.src == {1.1.1.1, 2.2.2.2} && "
                "ip4.dst == {3.3.3.3, 4.4.4.4} && ip4.dst == 3.3.3.3",
                "ip,nw_src=1.1.1.1,nw_dst=3.3.3.3 || "
                "ip,nw_src=2.2.2.2,nw_dst=3.3.3.3", 2);
    /* Two sets on one field are crossed with each other, not
     * conjoined. */
    check("ip4 && tcp.dst == {1, 2, 3} && tcp.dst == {2, 3, 4}",
          "tcp,tp_dst=2 || tcp,tp_dst=3");
}
END_TEST

START_TEST(test_values_a_plain_alternative_covers_drop)
{
    /* "ip,nw_src=1.1.1.1" covers the combinations with 1.1.1.1, whose
     * flow "ip,nw_src=1.1.1.1" would also clash with it. */
    check_flows("(ip4.src == {1.1.1.1, 2.2.2.2, 5.5.5.5} && "
                "ip4.dst == {3.3.3.3, 4.4.4.4}) || "
                "(ip4 && ip4.src == 1.1.1.1)",
                "ip && [nw_src=2.2.2.2 | nw_src=5.5.5.5] && "
                "[nw_dst=3.3.3.3 | nw_dst=4.4.4.4] || ip,nw_src=1.1.1.1", 6);
    /* Down to one value: no conjunction pays any more. */
    check_flows("(ip4.src == {1.1.1.1, 2.2.2.2} && "
                "ip4.dst == {3.3.3.3, 4.4.4.4}) || "
                "(ip4 && ip4.src == 1.1.1.1)",
                "ip,nw_src=1.1.1.1 || ip,nw_src=2.2.2.2,nw_dst=3.3.3.3 || "
                "ip,nw_src=2.2.2.2,nw_dst=4.4.4.4", 3);
}
END_TEST

START_TEST(test_prerequisites_stay_in_the_common_part)
{
    /* "ip" is a set of two Ethernet types: one conjunction each. */
    check_flows("tcp.dst == {80, 443} && tcp.src == {1, 2}",
                "tcp && [tp_src=1 | tp_src=2] && [tp_dst=80 | tp_dst=443] "
                "|| tcp6 && [tp_src=1 | tp_src=2] && "
                "[tp_dst=80 | tp_dst=443]", 10);
    /* Addresses of both families crossed with ports. */
    check_flows("(ip4.src == $as4 || ip6.src == $as6) && "
                "tcp.dst == {80, 443}",
                "tcp && [nw_src=10.0.0.0/24 | nw_src=192.168.0.0/16] && "
                "[tp_dst=80 | tp_dst=443] || tcp6 && "
                "[ipv6_src=fd00::1 | ipv6_src=fd00:1::/64] && "
                "[tp_dst=80 | tp_dst=443]", 10);
    /* Protocols crossed with addresses: the protocols split it. */
    check("ip4 && ip.proto == {6, 17} && ip4.src == {1.1.1.1, 2.2.2.2} "
          "&& ip4.dst == {3.3.3.3, 4.4.4.4}",
          "tcp && [nw_src=1.1.1.1 | nw_src=2.2.2.2] && "
          "[nw_dst=3.3.3.3 | nw_dst=4.4.4.4] || "
          "udp && [nw_src=1.1.1.1 | nw_src=2.2.2.2] && "
          "[nw_dst=3.3.3.3 | nw_dst=4.4.4.4]");
}
END_TEST

START_TEST(test_flow_bound_is_an_error)
{
    check_error("ip4.src != 10.0.0.1", 31,
                "match needs more than 31 OpenFlow flows");
    size_t n;
    char *match = compile_max("ip4.src != 10.0.0.1", 32, &n);
    ck_assert_uint_eq(n, 32);
    free(match);
    /* A conjunction counts its values and one flow for the actions. */
    const char *conj = "ip4.src == {1.1.1.1, 2.2.2.2, 3.3.3.3} && "
                       "tcp.dst == {1, 2, 3}";
    check_error(conj, 6, "match needs 7 OpenFlow flows, more than the "
                "limit of 6");
    match = compile_max(conj, 7, &n);
    ck_assert_uint_eq(n, 7);
    free(match);
    check_error("ip4 && ip.proto != 17 && ip.ttl != 64 && ip.dscp != 0",
                100, "OpenFlow flows");
    check_error("ip6.src != fd00::1 && ip6.dst != fd00::2 && "
                "(ip6.src == fd00::/16 || ip6.dst == fd00::/16)", 0,
                "OpenFlow flows");
}
END_TEST

/* compile_check_ctx()'s port groups, with the keys in reverse order. */
static bool
reversed_port_group(const char *name, uint32_t **keys, size_t *n_keys,
                    void *aux OVS_UNUSED)
{
    bool found = compile_check_ctx()->port_group_keys(name, keys, n_keys,
                                                      NULL);
    for (size_t i = 0; i < *n_keys / 2; i++) {
        uint32_t tmp = (*keys)[i];
        (*keys)[i] = (*keys)[*n_keys - 1 - i];
        (*keys)[*n_keys - 1 - i] = tmp;
    }
    return found;
}

START_TEST(test_output_is_deterministic)
{
    static const char *exprs[] = {
        "inport == @pg1 && ip4.dst == $as4 && tcp.dst == {22, 80, 443}",
        "(ip4.src == $mix || ip6.src == $mix) && udp.dst == {53, 67} "
        "&& outport == @pg2",
        "ip4 && tcp.dst >= 1000 && tcp.dst <= 2000 && ip.ttl != 64",
    };
    for (size_t i = 0; i < ARRAY_SIZE(exprs); i++) {
        struct expr *e = parse(exprs[i]);
        struct expr_compile_ctx ctx = *compile_check_ctx();
        char *a, *b, *c;
        ck_assert_ok(expr_compile(e, &ctx, &a, NULL));
        ck_assert_ok(expr_compile(e, &ctx, &b, NULL));
        ctx.port_group_keys = reversed_port_group;
        ck_assert_ok(expr_compile(e, &ctx, &c, NULL));
        ck_assert_str_eq(a, b);
        ck_assert_str_eq(a, c);
        free(a);
        free(b);
        free(c);
        expr_destroy(e);
    }

    /* The same sets written in another order. */
    check("ip4.src == {2.2.2.2, 1.1.1.1} && tcp.dst == {443, 80}",
          "tcp && [nw_src=1.1.1.1 | nw_src=2.2.2.2] && "
          "[tp_dst=80 | tp_dst=443]");
    check("tcp.dst == {80, 443} && ip4.src == {1.1.1.1, 2.2.2.2}",
          "tcp && [nw_src=1.1.1.1 | nw_src=2.2.2.2] && "
          "[tp_dst=80 | tp_dst=443]");
}
END_TEST

START_TEST(test_null_context_resolves_nothing)
{
    struct expr *e;
    ck_assert_ok(expr_parse_string("inport == \"p1\" || ip4.src == $as || "
                                   "outport == @pg", NULL, &e));
    char *match;
    size_t n;
    ck_assert_ok(expr_compile(e, NULL, &match, &n));
    ck_assert_ptr_null(match);
    ck_assert_uint_eq(n, 0);
    expr_destroy(e);
}
END_TEST

/* Pseudo-random numbers for the expression generator. */
static uint32_t
rnd_next(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Returns a random number in [0, n). */
static uint32_t
rnd_below(uint32_t *state, uint32_t n)
{
    return rnd_next(state) % n;
}

/* How the generator writes the values of a symbol. */
enum gen_kind {
    GEN_INT,                    /* Integer of the symbol's width. */
    GEN_MAC,                    /* MAC address. */
    GEN_IP4,                    /* IPv4 address or prefix, or $set. */
    GEN_IP6,                    /* IPv6 address or prefix, or $set. */
    GEN_PORT,                   /* Port name or @group. */
};

/* A symbol the generator uses. */
struct gen_symbol {
    const char *name;           /* Symbol name. */
    enum gen_kind kind;         /* How to write its values. */
    int width;                  /* Width in bits (GEN_INT). */
    const uint32_t *favourites; /* Values to prefer, 0-terminated list
                                 * (0 itself is always a candidate). */
};

/* Favourite values of some fields. */
static const uint32_t eth_types[] = { 0x800, 0x86dd, 0x806, 0x88cc, 0 };
static const uint32_t protos[] = { 6, 17, 1, 58, 0 };
static const uint32_t ports_l4[] = { 22, 53, 80, 443, 1023, 1024, 8080,
                                     65535, 0 };
static const uint32_t small[] = { 1, 2, 3, 8, 255, 0 };

/* The symbols. */
static const struct gen_symbol gen_symbols[] = {
    { "eth.src", GEN_MAC, 48, NULL },
    { "eth.dst", GEN_MAC, 48, NULL },
    { "eth.type", GEN_INT, 16, eth_types },
    { "vlan.present", GEN_INT, 1, NULL },
    { "vlan.vid", GEN_INT, 12, small },
    { "vlan.pcp", GEN_INT, 3, small },
    { "vlan.tci", GEN_INT, 16, NULL },
    { "ip4.src", GEN_IP4, 32, NULL },
    { "ip4.dst", GEN_IP4, 32, NULL },
    { "ip6.src", GEN_IP6, 128, NULL },
    { "ip6.dst", GEN_IP6, 128, NULL },
    { "ip.proto", GEN_INT, 8, protos },
    { "ip.dscp", GEN_INT, 6, small },
    { "ip.ttl", GEN_INT, 8, small },
    { "tcp.src", GEN_INT, 16, ports_l4 },
    { "tcp.dst", GEN_INT, 16, ports_l4 },
    { "udp.src", GEN_INT, 16, ports_l4 },
    { "udp.dst", GEN_INT, 16, ports_l4 },
    { "icmp4.type", GEN_INT, 8, small },
    { "icmp4.code", GEN_INT, 8, small },
    { "icmp6.type", GEN_INT, 8, small },
    { "sctp.dst", GEN_INT, 16, ports_l4 },
    { "arp.op", GEN_INT, 16, small },
    { "arp.spa", GEN_IP4, 32, NULL },
    { "arp.tpa", GEN_IP4, 32, NULL },
    { "arp.sha", GEN_MAC, 48, NULL },
    { "arp.tha", GEN_MAC, 48, NULL },
    { "color", GEN_INT, 8, small },
    { "inport", GEN_PORT, 0, NULL },
    { "outport", GEN_PORT, 0, NULL },
};

/* Returns a random 'width'-bit integer, often a favourite or an edge. */
static uint32_t
gen_int(uint32_t *rnd, int width, const uint32_t *favourites)
{
    uint32_t max = width >= 32 ? UINT32_MAX : (1u << width) - 1;
    switch (rnd_below(rnd, 6)) {
    case 0:
        return 0;
    case 1:
        return max;
    case 2:
    case 3:
        if (favourites) {
            size_t n = 0;
            while (favourites[n]) {
                n++;
            }
            return favourites[rnd_below(rnd, n)] & max;
        }
        /* Fall through. */
    default:
        return rnd_next(rnd) & max;
    }
}

/* Appends a random value of 'sym' to 's'; 'ordered' if it follows an
 * ordering operator (so no mask, set or reference). */
static void
gen_value(uint32_t *rnd, const struct gen_symbol *sym, bool ordered,
          struct ds *s)
{
    static const char *ip4s[] = { "10.0.0.1", "10.0.0.0", "10.1.2.3",
                                  "192.168.1.1", "172.16.0.1",
                                  "255.255.255.255", "0.0.0.0" };
    static const char *ip6s[] = { "fd00::1", "fd00::", "fd00:1::5", "::",
                                  "fe80::1", "ffff::" };
    static const char *macs[] = { "0a:00:00:00:00:01", "00:00:00:00:00:00",
                                  "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01" };
    static const char *port_names[] = { "\"p1\"", "\"p2\"", "\"p3\"",
                                        "\"p7\"", "\"web\"", "\"zz\"" };
    static const char *groups[] = { "@pg1", "@pg2", "@pgx" };
    static const char *sets4[] = { "$as4", "$mix", "$none", "$all4" };
    static const char *sets6[] = { "$as6", "$mix", "$none" };
    bool masked = !ordered && rnd_below(rnd, 4) == 0;

    switch (sym->kind) {
    case GEN_INT: {
        uint32_t v = gen_int(rnd, sym->width, sym->favourites);
        if (masked) {
            uint32_t m = gen_int(rnd, sym->width, NULL);
            ds_put_format(s, "0x%"PRIx32"/0x%"PRIx32, v & m, m);
        } else {
            ds_put_format(s, "%"PRIu32, v);
        }
        break;
    }
    case GEN_MAC:
        if (masked) {
            ds_put_cstr(s, rnd_below(rnd, 2) ? "01:00:00:00:00:00/"
                        "01:00:00:00:00:00" : "0a:00:00:00:00:00/"
                        "ff:ff:ff:ff:ff:00");
        } else {
            ds_put_cstr(s, macs[rnd_below(rnd, ARRAY_SIZE(macs))]);
        }
        break;
    case GEN_IP4:
        if (!ordered && rnd_below(rnd, 5) == 0) {
            ds_put_cstr(s, sets4[rnd_below(rnd, ARRAY_SIZE(sets4))]);
        } else if (masked) {
            int plen = rnd_below(rnd, 33);
            uint32_t ip = (rnd_below(rnd, 2) ? 0x0a000000 : rnd_next(rnd));
            ip &= plen ? UINT32_MAX << (32 - plen) : 0;
            ds_put_format(s, IP_FMT"/%d", IP_ARGS(htonl(ip)), plen);
        } else {
            ds_put_cstr(s, ip4s[rnd_below(rnd, ARRAY_SIZE(ip4s))]);
        }
        break;
    case GEN_IP6:
        if (!ordered && rnd_below(rnd, 5) == 0) {
            ds_put_cstr(s, sets6[rnd_below(rnd, ARRAY_SIZE(sets6))]);
        } else if (masked) {
            static const char *prefixes[] = { "fd00::/16", "fd00::/64",
                                              "fd00:1::/32", "::/0",
                                              "fd00::/127" };
            ds_put_cstr(s, prefixes[rnd_below(rnd, ARRAY_SIZE(prefixes))]);
        } else {
            ds_put_cstr(s, ip6s[rnd_below(rnd, ARRAY_SIZE(ip6s))]);
        }
        break;
    case GEN_PORT:
        if (rnd_below(rnd, 4) == 0) {
            ds_put_cstr(s, groups[rnd_below(rnd, ARRAY_SIZE(groups))]);
        } else {
            ds_put_cstr(s, port_names[rnd_below(rnd,
                                                ARRAY_SIZE(port_names))]);
        }
        break;
    }
}

/* Appends a random comparison or predicate to 's'. */
static void
gen_leaf(uint32_t *rnd, struct ds *s)
{
    static const char *predicates[] = { "ip4", "ip6", "ip", "tcp", "udp",
                                        "icmp4", "arp", "vlan.present",
                                        "eth" };
    static const char *relops[] = { "==", "==", "==", "!=", "<", "<=",
                                    ">", ">=" };
    if (rnd_below(rnd, 6) == 0) {
        ds_put_cstr(s, predicates[rnd_below(rnd, ARRAY_SIZE(predicates))]);
        return;
    }

    const struct gen_symbol *sym
        = &gen_symbols[rnd_below(rnd, ARRAY_SIZE(gen_symbols))];
    const char *relop = relops[rnd_below(rnd, ARRAY_SIZE(relops))];
    bool ordered = relop[0] == '<' || relop[0] == '>';
    if (sym->kind == GEN_PORT && ordered) {
        relop = "==";
        ordered = false;
    }
    ds_put_format(s, "%s %s ", sym->name, relop);
    if (!ordered && rnd_below(rnd, 4) == 0) {
        int n = 2 + rnd_below(rnd, 3);
        ds_put_char(s, '{');
        for (int i = 0; i < n; i++) {
            ds_put_cstr(s, i ? ", " : "");
            gen_value(rnd, sym, false, s);
        }
        ds_put_char(s, '}');
    } else {
        gen_value(rnd, sym, ordered, s);
    }
}

/* Appends a random expression of at most 'depth' levels to 's'. */
static void
gen_expr(uint32_t *rnd, int depth, struct ds *s)
{
    uint32_t choice = depth > 0 ? rnd_below(rnd, 10) : 0;
    if (choice < 4) {
        gen_leaf(rnd, s);
    } else if (choice == 4) {
        ds_put_cstr(s, "!(");
        gen_expr(rnd, depth - 1, s);
        ds_put_char(s, ')');
    } else {
        const char *op = choice < 8 ? " && " : " || ";
        int n = 2 + rnd_below(rnd, 2);
        ds_put_char(s, '(');
        for (int i = 0; i < n; i++) {
            ds_put_cstr(s, i ? op : "");
            gen_expr(rnd, depth - 1, s);
        }
        ds_put_char(s, ')');
    }
}

/* Expressions that exercise the compiler on purpose, checked like the
 * random ones. */
static const char *property_exprs[] = {
    "tcp.dst == 80",
    "ip4.src == {10.0.0.1, 10.0.0.2, 10.0.0.3} && tcp.dst == {80, 443}",
    "(ip4.src == $as4 || ip6.src == $as6) && tcp.dst == {80, 443}",
    "inport == @pg1 && outport != @pg2 && ip4",
    "ip4.src != $as4 && udp",
    "ip6.dst != $as6 && tcp.src >= 1024",
    "inport == @pg1 && ip4.dst == $mix && udp.dst == {53, 67, 123}",
    "!(tcp.dst == 80 || tcp.dst == 443) && ip4 && inport == \"p1\"",
    "(arp && arp.op == {1, 2}) || (icmp4 && icmp4.type == {0, 8})",
    "ip4 && ip.ttl < 5 && ip.dscp != 0",
    "vlan.vid == {1, 2, 3} && eth.src == {0a:00:00:00:00:01, "
    "0a:00:00:00:00:02}",
    "color == {1, 2} && inport == {\"p1\", \"p2\", \"web\"} && "
    "outport == @pg2",
    "(ip4.src == 10.0.0.0/8 && tcp.dst == {1, 2}) || "
    "(ip4.src == 10.0.0.1 && tcp.dst == 1)",
    "(ip4.src == {1.1.1.1, 2.2.2.2} && ip4.dst == {3.3.3.3, 4.4.4.4}) || "
    "(ip4 && ip4.src == 1.1.1.1)",
    "tcp.dst == {80, 443} && tcp.src == {1, 2} && ip.dscp == {1, 2}",
    "ip4 && ip.proto == {6, 17} && ip4.src == {1.1.1.1, 2.2.2.2} && "
    "ip4.dst == {3.3.3.3, 4.4.4.4}",
    "arp.op == 0x100/0x100 || arp.op > 250",
    "eth.dst == 01:00:00:00:00:00/01:00:00:00:00:00 && vlan.present == 0",
};

START_TEST(test_compiled_match_agrees_with_evaluation)
{
    for (size_t i = 0; i < ARRAY_SIZE(property_exprs); i++) {
        struct expr *e = parse(property_exprs[i]);
        char *match;
        ck_assert_ok(expr_compile(e, compile_check_ctx(), &match, NULL));
        char *bad = compile_check_equivalence(e, match, i + 1, 3000);
        char buf[2048];
        ck_assert_msg(!bad, "%s", bad ? abbrev(bad, buf, sizeof buf) : "");
        free(match);
        expr_destroy(e);
    }
}
END_TEST

START_TEST(test_random_expressions_agree_with_evaluation)
{
    uint32_t rnd = 0x5eed1234;
    int n_compiled = 0, n_parse_errors = 0, n_compile_errors = 0;
    int n_conjunctive = 0;
    struct expr_compile_ctx ctx = *compile_check_ctx();
    ctx.max_flows = 2000;
    for (int i = 0; i < 2000; i++) {
        struct ds s = DS_EMPTY_INITIALIZER;
        gen_expr(&rnd, 3, &s);

        struct expr *e;
        char *error = expr_parse_string(ds_cstr(&s),
                                        compile_check_parse_ctx(), &e);
        if (error) {
            n_parse_errors++;
            free(error);
            ds_destroy(&s);
            continue;
        }
        char *match;
        error = expr_compile(e, &ctx, &match, NULL);
        if (error) {
            /* The bounds are the only acceptable reasons. */
            ck_assert_msg(strstr(error, "OpenFlow flows")
                          || strstr(error, "OpenFlow cannot mask")
                          || strstr(error, "too complex"),
                          "\"%s\": %s", ds_cstr(&s), error);
            n_compile_errors++;
            free(error);
        } else {
            char *bad = compile_check_equivalence(e, match, i, 150);
            char buf[2048];
            ck_assert_msg(!bad, "input \"%s\": %s", ds_cstr(&s),
                          bad ? abbrev(bad, buf, sizeof buf) : "");
            n_compiled++;
            n_conjunctive += match && strchr(match, '[') != NULL;
            free(match);
        }
        expr_destroy(e);
        ds_destroy(&s);
    }
    /* Make sure the test tests something. */
    ck_assert_msg(n_compiled >= 1000 && n_conjunctive >= 50,
                  "%d compiled (%d conjunctive), %d refused, %d did not "
                  "parse", n_compiled, n_conjunctive, n_compile_errors,
                  n_parse_errors);
}
END_TEST

/* The match compiler. */

/* An ACL's policy with large sets: 10,000 addresses x 100 ports x 10 L4
 * ports compiles to flows that grow with the sum of the sets, not their
 * product (one conjunction: one flow per value and one for the
 * conjunction). */
static bool
big_pg_keys(const char *name OVS_UNUSED, uint32_t **keys, size_t *n_keys,
            void *aux OVS_UNUSED)
{
    *n_keys = 100;
    *keys = xmalloc(*n_keys * sizeof **keys);
    for (size_t i = 0; i < *n_keys; i++) {
        (*keys)[i] = i + 1;
    }
    return true;
}

static bool
big_as_addresses(const char *name OVS_UNUSED, struct svec *addresses,
                 void *aux OVS_UNUSED)
{
    for (int i = 0; i < 10000; i++) {
        svec_add_nocopy(addresses, xasprintf("10.%d.%d.1", i / 256,
                                             i % 256));
    }
    return true;
}

START_TEST(test_large_sets_grow_with_their_sum)
{
    struct expr *e;
    char *error = expr_parse_string(
        "outport == @pg && ip4.src == $as "
        "&& tcp.dst == {80, 443, 8080, 8443, 21, 22, 25, 53, 110, 143}",
        NULL, &e);
    ck_assert_msg(!error, "%s", error);
    struct expr_compile_ctx ctx = {
        .port_group_keys = big_pg_keys,
        .address_set_addresses = big_as_addresses,
        .max_flows = 20000,
    };
    char *match;
    size_t n;
    error = expr_compile(e, &ctx, &match, &n);
    ck_assert_msg(!error, "%s", error);
    /* 10,000 + 100 + 10 values and the conjunction's own flow. */
    ck_assert_uint_le(n, 10000 + 100 + 10 + 1);
    free(match);
    expr_destroy(e);
}
END_TEST

Suite *
expr_compile_suite(void)
{
    Suite *s = suite_create("expr-compile");
    TCase *tc = tcase_create("compile");
    tcase_add_test(tc, test_each_field_maps_to_its_openflow_field);
    tcase_add_test(tc, test_masks_and_prefixes);
    tcase_add_test(tc, test_constraints_on_one_field_merge);
    tcase_add_test(tc, test_contradictions_drop_alternatives);
    tcase_add_test(tc, test_subsumed_alternatives_drop);
    tcase_add_test(tc, test_ranges_become_prefixes);
    tcase_add_test(tc, test_not_equal);
    tcase_add_test(tc, test_unmaskable_field_beyond_256_values_is_an_error);
    tcase_add_test(tc, test_nested_and_or);
    tcase_add_test(tc, test_port_names);
    tcase_add_test(tc, test_port_groups);
    tcase_add_test(tc, test_address_sets);
    tcase_add_test(tc, test_bad_address_in_set_is_an_error);
    tcase_add_test(tc, test_crossed_sets_become_one_conjunction);
    tcase_add_test(tc, test_conjunction_only_when_it_pays);
    tcase_add_test(tc, test_values_a_plain_alternative_covers_drop);
    tcase_add_test(tc, test_prerequisites_stay_in_the_common_part);
    tcase_add_test(tc, test_flow_bound_is_an_error);
    tcase_add_test(tc, test_output_is_deterministic);
    tcase_add_test(tc, test_null_context_resolves_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("property");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_compiled_match_agrees_with_evaluation);
    tcase_add_test(tc, test_random_expressions_agree_with_evaluation);
    tcase_add_test(tc, test_large_sets_grow_with_their_sum);
    suite_add_tcase(s, tc);
    return s;
}
