#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/expr.h"
#include "lib/expr-symtab.h"
#include "tests/unit/unit-suites.h"
#include "util.h"

/* Parses 's' with 'ctx', which must succeed, and returns the canonical
 * text (to free). */
static char *
parse_to_string(const char *s, const struct expr_context *ctx)
{
    struct expr *e;
    char *error = expr_parse_string(s, ctx, &e);
    ck_assert_msg(!error, "\"%s\": unexpected error: %s", s, error);
    char *text = expr_to_string(e);
    expr_destroy(e);
    return text;
}

/* Asserts that 's' parses and prints as 'canonical'. */
static void
check_canonical(const char *s, const char *canonical)
{
    char *text = parse_to_string(s, NULL);
    ck_assert_msg(!strcmp(text, canonical),
                  "\"%s\" printed as\n  \"%s\", expected\n  \"%s\"",
                  s, text, canonical);
    free(text);
}

/* Asserts that parsing 's' with 'ctx' fails with exactly 'expected'. */
static void
check_error_ctx(const char *s, const struct expr_context *ctx,
                const char *expected)
{
    struct expr *e;
    char *error = expr_parse_string(s, ctx, &e);
    ck_assert_msg(error != NULL, "\"%s\" parsed, expected error \"%s\"",
                  s, expected);
    ck_assert_msg(e == NULL, "\"%s\": error but an expression too", s);
    ck_assert_msg(!strcmp(error, expected),
                  "\"%s\" gave error\n  \"%s\", expected\n  \"%s\"",
                  s, error, expected);
    free(error);
}

/* Asserts that parsing 's' fails with exactly 'expected'. */
static void
check_error(const char *s, const char *expected)
{
    check_error_ctx(s, NULL, expected);
}

/* The "ip" prerequisite as printed. */
#define IP "(eth.type == 0x800 || eth.type == 0x86dd)"

START_TEST(test_field_gets_its_prerequisites)
{
    check_canonical("tcp.dst == 80",
                    "ip.proto == 6 && tcp.dst == 80 && " IP);
    check_canonical("ip4.src == 10.0.0.1",
                    "eth.type == 0x800 && ip4.src == 10.0.0.1");
    check_canonical("ip6.dst == fd00::1",
                    "eth.type == 0x86dd && ip6.dst == fd00::1");
    check_canonical("arp.op == 2", "arp.op == 2 && eth.type == 0x806");
    check_canonical("icmp4.type == 8",
                    "eth.type == 0x800 && icmp4.type == 8 && ip.proto == 1");
    check_canonical("vlan.vid == 100",
                    "vlan.present == 1 && vlan.vid == 100");
    check_canonical("eth.src == 0a:00:00:00:00:01",
                    "eth.src == 0a:00:00:00:00:01");
    check_canonical("inport == \"p1\"", "inport == \"p1\"");
}
END_TEST

START_TEST(test_implied_prerequisite_is_absorbed)
{
    /* "ip" is implied by "ip4" and "ip6" and is not repeated. */
    check_canonical("ip4 && tcp.dst == 22",
                    "eth.type == 0x800 && ip.proto == 6 && tcp.dst == 22");
    check_canonical("tcp.src == 1 && ip6",
                    "eth.type == 0x86dd && ip.proto == 6 && tcp.src == 1");
}
END_TEST

START_TEST(test_contradictions_are_refused)
{
    /* Two values of one field, often through a prerequisite. */
    check_error("ip.proto == 6 && udp.dst == 1", "match can never be true: "
                "ip.proto == 6 && ip.proto == 17");
    check_error("tcp.dst == 80 && udp.dst == 53", "match can never be "
                "true: ip.proto == 6 && ip.proto == 17");
    check_error("eth.type == 0x800 && ip6", "match can never be true: "
                "eth.type == 0x800 && eth.type == 0x86dd");
    check_error("ip4 && ip6.src == fd00::1", "match can never be true: "
                "eth.type == 0x800 && eth.type == 0x86dd");
    check_error("tcp.dst == {80, 443} && tcp.dst == 22", "match can never "
                "be true: tcp.dst == 22 && tcp.dst == 80");
    check_error("ip4.src == 10.0.0.0/8 && ip4.src == 11.0.0.1", "match can "
                "never be true: ip4.src == 10.0.0.0/8 && ip4.src == "
                "11.0.0.1");
    check_error("inport == \"a\" && inport == \"b\"", "match can never "
                "be true: inport == \"a\" && inport == \"b\"");
    check_error("outport == \"a\" && outport != \"a\"", "match can never "
                "be true: outport == \"a\" && outport != \"a\"");
    check_error("tcp.dst == 1 && !(tcp.dst == 1)", "match can never be "
                "true: tcp.dst == 1 && tcp.dst != 1");
    check_error("ip4.src == 10.1.0.0/16 && ip4.src != 10.0.0.0/8", "match "
                "can never be true: ip4.src == 10.1.0.0/16 && ip4.src != "
                "10.0.0.0/8");
    /* Every branch of an OR conflicts with what the AND requires. */
    check_error("ip4 && (ip6 || arp)", "match can never be true: "
                "eth.type == 0x800 && eth.type == 0x806");

    /* Empty ranges, and a value outside a range. */
    check_error("tcp.src < 0", "match can never be true: tcp.src < 0");
    check_error("ip.ttl > 255", "match can never be true: ip.ttl > 255");
    check_error("tcp.dst > 10 && tcp.dst < 5", "match can never be true: "
                "tcp.dst < 5 && tcp.dst > 10");
    check_error("tcp.dst < 10 && tcp.dst >= 10", "match can never be "
                "true: tcp.dst < 10 && tcp.dst >= 10");
    check_error("tcp.dst == 80 && tcp.dst < 10", "match can never be "
                "true: tcp.dst == 80 && tcp.dst < 10");
}
END_TEST

START_TEST(test_satisfiable_matches_are_kept)
{
    /* A contradictory branch of an OR leaves the others. */
    check_canonical("(ip4 && ip6) || arp",
                    "eth.type == 0x806 || "
                    "(eth.type == 0x800 && eth.type == 0x86dd)");
    check_canonical("tcp.dst <= 10 && tcp.dst >= 10",
                    "ip.proto == 6 && tcp.dst <= 10 && tcp.dst >= 10 && "
                    IP);
    check_canonical("ip4.src == 10.0.0.0/8 && ip4.src == 10.1.0.0/16",
                    "eth.type == 0x800 && ip4.src == 10.0.0.0/8 && "
                    "ip4.src == 10.1.0.0/16");
    check_canonical("ip4.src == 10.0.0.0/8 && ip4.src != 10.0.0.0/16",
                    "eth.type == 0x800 && ip4.src == 10.0.0.0/8 && "
                    "ip4.src != 10.0.0.0/16");
    check_canonical("inport != \"a\" && inport != \"b\"",
                    "inport != \"a\" && inport != \"b\"");
    check_canonical("tcp.src <= 0", "ip.proto == 6 && tcp.src <= 0 && " IP);
    check_canonical("ip.ttl >= 255", "ip.ttl >= 255 && " IP);
    check_canonical("0", "0");
}
END_TEST

START_TEST(test_predicates_expand)
{
    check_canonical("ip", "eth.type == 0x800 || eth.type == 0x86dd");
    check_canonical("arp", "eth.type == 0x806");
    /* As in OVN, "icmp" is ICMP for IPv4 or IPv6. */
    check_canonical("icmp", "(eth.type == 0x800 && ip.proto == 1) || "
                    "(eth.type == 0x86dd && ip.proto == 58)");
    check_canonical("icmp4", "eth.type == 0x800 && ip.proto == 1");
    check_canonical("icmp6.type == 135", "eth.type == 0x86dd && "
                    "icmp6.type == 135 && ip.proto == 58");
    check_canonical("igmp", "eth.type == 0x800 && ip.proto == 2");
    check_canonical("sctp.dst == 9", "ip.proto == 132 && sctp.dst == 9 && "
                    IP);
    check_canonical("udp", "ip.proto == 17 && " IP);
    check_canonical("eth", "1");
    check_canonical("vlan.present", "vlan.present == 1");
}
END_TEST

START_TEST(test_negated_predicate_matches_other_protocols)
{
    /* "!tcp" holds for non-IP packets too. */
    check_canonical("!tcp",
                    "(eth.type != 0x800 && eth.type != 0x86dd) || "
                    "(ip.proto != 6 && " IP ")");
    check_canonical("!vlan.present", "vlan.present != 1");
}
END_TEST

START_TEST(test_negated_comparison_keeps_prerequisites)
{
    /* A comparison only matches packets that have the field. */
    check_canonical("!(tcp.dst == 80)",
                    "ip.proto == 6 && tcp.dst != 80 && " IP);
    check_canonical("!(tcp.dst < 1024)",
                    "ip.proto == 6 && tcp.dst >= 1024 && " IP);
    check_canonical("!(inport == \"a\" || outport == \"b\")",
                    "inport != \"a\" && outport != \"b\"");
    check_canonical("!!(ip4.src == 10.0.0.1)",
                    "eth.type == 0x800 && ip4.src == 10.0.0.1");
}
END_TEST

START_TEST(test_ordering_operators)
{
    check_canonical("tcp.dst > 1023 && tcp.dst <= 2047",
                    "ip.proto == 6 && tcp.dst <= 2047 && tcp.dst > 1023 && "
                    IP);
    check_canonical("ip.ttl < 2", "ip.ttl < 2 && " IP);
    check_canonical("eth.type < 0x600", "eth.type < 0x600");
    check_canonical("ip4.src >= 10.0.0.128",
                    "eth.type == 0x800 && ip4.src >= 10.0.0.128");
}
END_TEST

START_TEST(test_cidr_and_masks)
{
    check_canonical("ip4.src == 10.0.0.0/8",
                    "eth.type == 0x800 && ip4.src == 10.0.0.0/8");
    check_canonical("ip4.dst == 10.0.0.0/255.255.0.0",
                    "eth.type == 0x800 && ip4.dst == 10.0.0.0/16");
    check_canonical("ip4.dst == 10.0.0.1/255.0.255.255",
                    "eth.type == 0x800 && ip4.dst == 10.0.0.1/255.0.255.255");
    check_canonical("ip6.src == fd00::/64",
                    "eth.type == 0x86dd && ip6.src == fd00::/64");
    check_canonical("ip4.src == 10.0.0.1/32",
                    "eth.type == 0x800 && ip4.src == 10.0.0.1");
    check_canonical("eth.dst == 01:00:00:00:00:00/01:00:00:00:00:00",
                    "eth.dst == 01:00:00:00:00:00/01:00:00:00:00:00");
    check_canonical("tcp.dst == 0x1200/0xff00",
                    "ip.proto == 6 && tcp.dst == 0x1200/0xff00 && " IP);
    check_canonical("ip4.src != 10.0.0.0/8",
                    "eth.type == 0x800 && ip4.src != 10.0.0.0/8");
}
END_TEST

START_TEST(test_bits_outside_mask_are_refused)
{
    check_error("ip4.src == 10.0.0.1/8",
                "column 12: 10.0.0.1/8: host bits set beyond the prefix "
                "length");
    check_error("ip6.src == {fd00::/64, fd00::1:2/64}",
                "column 24: fd00::1:2/64: host bits set beyond the prefix "
                "length");
    check_error("tcp.dst == 0x51/0xf0",
                "column 12: 0x51/0xf0: value has bits set outside the mask");
    check_error("ip4.dst != 10.0.0.1/255.255.0.0",
                "column 12: 10.0.0.1/255.255.0.0: value has bits set "
                "outside the mask");
    check_error("eth.dst == 03:00:00:00:00:00/01:00:00:00:00:00",
                "column 12: 03:00:00:00:00:00/01:00:00:00:00:00: value has "
                "bits set outside the mask");
}
END_TEST

START_TEST(test_integer_forms)
{
    check_canonical("eth.type == 2048", "eth.type == 0x800");
    check_canonical("ip.dscp == 0x3f", "ip.dscp == 63 && " IP);
    check_canonical("ip4.src == 0x0a000001",
                    "eth.type == 0x800 && ip4.src == 10.0.0.1");
    check_canonical("ip6.dst == 0x1", "eth.type == 0x86dd && ip6.dst == ::1");
    check_canonical("ip6.src == ::ffff:10.0.0.1",
                    "eth.type == 0x86dd && ip6.src == ::ffff:10.0.0.1");
    check_canonical("eth.src == AA:BB:CC:DD:EE:FF",
                    "eth.src == aa:bb:cc:dd:ee:ff");
    check_canonical("tcp.dst == 00080",
                    "ip.proto == 6 && tcp.dst == 80 && " IP);
}
END_TEST

START_TEST(test_sets)
{
    check_canonical("tcp.dst == {80, 443, 8080}",
                    "ip.proto == 6 && " IP " && "
                    "(tcp.dst == 80 || tcp.dst == 443 || tcp.dst == 8080)");
    check_canonical("tcp.dst != {80, 443}",
                    "ip.proto == 6 && tcp.dst != 80 && tcp.dst != 443 && "
                    IP);
    check_canonical("ip4.src == {10.0.0.0/8, 192.168.0.1}",
                    "eth.type == 0x800 && (ip4.src == 10.0.0.0/8 || "
                    "ip4.src == 192.168.0.1)");
    check_canonical("inport == {\"a\", @pg}",
                    "inport == \"a\" || inport == @pg");
    check_canonical("tcp.dst == {80}",
                    "ip.proto == 6 && tcp.dst == 80 && " IP);
}
END_TEST

START_TEST(test_booleans_fold)
{
    check_canonical("1", "1");
    check_canonical("0", "0");
    check_canonical("!0", "1");
    check_canonical("ip4 || 1", "1");
    check_canonical("ip4 && 0", "0");
    check_canonical("ip4 && 1", "eth.type == 0x800");
}
END_TEST

START_TEST(test_and_binds_tighter_than_or)
{
    check_canonical("arp || ip4 && udp",
                    "eth.type == 0x806 || "
                    "(eth.type == 0x800 && ip.proto == 17)");
    check_canonical("(arp || ip4) && udp",
                    "ip.proto == 17 && "
                    "(eth.type == 0x800 || eth.type == 0x806) && " IP);
}
END_TEST

START_TEST(test_strings_and_references)
{
    check_canonical("inport == \"a \\\"b\\\\\"",
                    "inport == \"a \\\"b\\\\\"");
    check_canonical("outport != @web", "outport != @web");
    check_canonical("ip4.dst == $as_1", "eth.type == 0x800 && "
                    "ip4.dst == $as_1");
    check_canonical("!(ip6.src == $v6-set)",
                    "eth.type == 0x86dd && ip6.src != $v6-set");
}
END_TEST

START_TEST(test_whitespace_is_free)
{
    check_canonical("  tcp.dst==80&&ip4.src==10.0.0.1\t",
                    "eth.type == 0x800 && ip.proto == 6 && "
                    "ip4.src == 10.0.0.1 && tcp.dst == 80");
}
END_TEST

START_TEST(test_canonical_text_parses_to_itself)
{
    static const char *inputs[] = {
        "tcp.dst == {80, 443} && ip4.src == 10.0.0.0/8",
        "!(ip4.src == {10.0.0.1, 10.0.0.2} && !udp.src == 53) "
        "|| ip6.dst != fd00::/ffff::",
        "!(!(!(tcp || udp) && (arp || icmp)))",
        "inport == \"a\\\"b\" && outport == @g || eth.type < 0x600",
        "eth.src == 0a:00:00:00:00:00/ff:ff:ff:00:00:00 && vlan.vid > 3",
        "arp.sha == 0a:00:00:00:00:01 && arp.tpa == 10.0.0.1 && "
        "arp.tha != 00:00:00:00:00:00 && arp.spa == $as",
        "ip.dscp == 46 || ip.ttl <= 1 || icmp4.code != 0",
        /* Prerequisites factored out of an OR must not come back. */
        "icmp || ip4.src == {$as, 10.0.0.2, 5} && ip",
        "(ip && !tcp || udp)",
        /* "ip6" absorbs the "ip" of "tcp"; printed, "ip" came back. */
        "tcp.src >= 12 || ip6 && tcp",
    };
    for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
        char *once = parse_to_string(inputs[i], NULL);
        char *twice = parse_to_string(once, NULL);
        ck_assert_msg(!strcmp(once, twice), "\"%s\" printed \"%s\", which "
                      "printed \"%s\"", inputs[i], once, twice);
        free(once);
        free(twice);
    }
}
END_TEST

START_TEST(test_unknown_field_is_named)
{
    check_error("ip4 && tcp.dst == 80 && tcp.dts == 1",
                "column 25: \"tcp.dts\": no field of that name");
}
END_TEST

START_TEST(test_value_width_is_checked)
{
    check_error("ip.dscp == 64",
                "column 12: 64 does not fit in 6-bit field ip.dscp");
    check_error("tcp.dst == 70000",
                "column 12: 70000 does not fit in 16-bit field tcp.dst");
    check_error("vlan.vid == 0x1000",
                "column 13: 0x1000 does not fit in 12-bit field vlan.vid");
    check_error("tcp.dst == 0/0x10000",
                "column 12: mask 0x10000 does not fit in 16-bit field "
                "tcp.dst");
    check_error("tcp.dst == {80, 65536}",
                "column 17: 65536 does not fit in 16-bit field tcp.dst");
}
END_TEST

START_TEST(test_value_kind_is_checked)
{
    check_error("ip4.src == \"x\"",
                "column 12: \"x\": ip4.src needs an IPv4 address, "
                "not a string");
    check_error("eth.src == 10.0.0.1",
                "column 12: 10.0.0.1: eth.src needs a MAC address, "
                "not an IPv4 address");
    check_error("ip4.dst == fd00::1",
                "column 12: fd00::1: ip4.dst needs an IPv4 address, "
                "not an IPv6 address");
    check_error("inport == 10",
                "column 11: 10: inport needs a quoted string (a port name)");
    check_error("ip4.src == 10.0.0.0/ff:ff:ff:00:00:00",
                "column 12: mask ff:ff:ff:00:00:00: ip4.src needs an IPv4 "
                "address, not a MAC address");
}
END_TEST

START_TEST(test_bad_constants_are_named)
{
    check_error("ip4.src == 10.0.0.300",
                "column 12: 10.0.0.300 is not a valid IPv4 address");
    check_error("ip4.src == 010.0.0.1",
                "column 12: 010.0.0.1 is not a valid IPv4 address");
    check_error("ip4.src == 10.0.0",
                "column 12: 10.0.0 is not a valid IPv4 address");
    check_error("ip4.src == 10.0.0.0/33",
                "column 12: 10.0.0.0/33: prefix length 33 is out of range "
                "for ip4.src (0 to 32)");
    check_error("eth.src == 0a:00:00:00:00",
                "column 12: 0a:00:00:00:00 is not a valid MAC or IPv6 "
                "address");
    check_error("tcp.dst == 80x",
                "column 12: 80x is not a valid number");
    check_error("tcp.dst == 0x",
                "column 12: 0x is not a valid hexadecimal number");
    check_error("ip6.src == 0x1000000000000000000000000000000000",
                "column 12: 0x1000000000000000000000000000000000 is too "
                "large (more than 128 bits)");
    check_error("ip4.src == 10.0.0.0/",
                "column 12: \"/\" must be followed by a mask or prefix "
                "length");
}
END_TEST

START_TEST(test_operator_misuse_is_named)
{
    check_error("inport < \"x\"",
                "column 8: \"<\": inport is a string field; only == and != "
                "apply");
    check_error("tcp.dst < 10/0xff",
                "column 11: 10/0xff: a masked value cannot be compared "
                "with \"<\"");
    check_error("tcp.dst >= {1, 2}",
                "column 9: \">=\": a set can only be compared with == or "
                "!=");
    check_error("tcp == 6",
                "column 5: \"==\": tcp is a predicate and cannot be "
                "compared with a value");
    check_error("tcp.dst = 80",
                "column 9: unexpected \"=\" (did you mean \"==\"?)");
    check_error("ip4 & ip6", "column 5: unexpected \"&\" (did you mean "
                "\"&&\"?)");
    check_error("ip4.src && tcp",
                "column 9: \"&&\": expecting a comparison operator (==, !=, "
                "<, <=, >, >=) after ip4.src");
    check_error("ip4.dst < $as",
                "column 11: $as: an address set can only be compared with "
                "== or !=");
}
END_TEST

START_TEST(test_syntax_errors_are_located)
{
    check_error("", "column 1: end of input: expecting a field name, \"!\", "
                "\"(\", 0 or 1");
    check_error("(ip4", "column 5: end of input: expecting \")\"");
    check_error("ip4)", "column 4: \")\": expecting \"&&\", \"||\" or end of "
                "input");
    check_error("ip4 &&", "column 7: end of input: expecting a field name, "
                "\"!\", \"(\", 0 or 1");
    check_error("tcp.dst == {}", "column 13: \"}\": expecting a value");
    check_error("tcp.dst == {80 443}",
                "column 16: \"443\": expecting \",\" or \"}\"");
    check_error("ip.proto == 6 || 2",
                "column 18: 2: only 0 and 1 may stand alone as conditions");
    check_error("inport == \"abc",
                "column 11: unterminated string (missing closing quote)");
    check_error("ip4.src == $", "column 12: \"$\" must be followed by a "
                "name");
    check_error("ip4 # x", "column 5: unexpected character \"#\"");
    check_error("ip4 && \x01", "column 8: unexpected character \"\\x01\"");
}
END_TEST

START_TEST(test_deep_nesting_is_refused)
{
    char s[256];
    memset(s, '!', 101);
    ovs_strlcpy(s + 101, "ip4", sizeof s - 101);
    struct expr *e;
    char *error = expr_parse_string(s, NULL, &e);
    ck_assert_ptr_null(e);
    ck_assert_msg(error && strstr(error, "column 101: \"!\": expression "
                                  "nests more than 100 deep"), "%s", error);
    free(error);

    /* As deep as OVN allows. */
    memset(s, '!', 100);
    ovs_strlcpy(s + 100, "ip4", sizeof s - 100);
    check_canonical(s, "eth.type == 0x800");
    memset(s, '(', 100);
    s[100] = '0';
    memset(s + 101, ')', 100);
    s[201] = '\0';
    check_canonical(s, "0");
}
END_TEST

START_TEST(test_subfields)
{
    /* A subfield compares some bits of its field: a masked comparison. */
    check_canonical("eth.dst[0]",
                    "eth.dst == 00:00:00:00:00:01/00:00:00:00:00:01");
    check_canonical("eth.dst[0] == 1",
                    "eth.dst == 00:00:00:00:00:01/00:00:00:00:00:01");
    check_canonical("eth.dst[0] == 0",
                    "eth.dst == 00:00:00:00:00:00/00:00:00:00:00:01");
    check_canonical("!eth.dst[0]",
                    "eth.dst != 00:00:00:00:00:01/00:00:00:00:00:01");
    check_canonical("vlan.tci[12..15] == 0x3", "vlan.tci == 0x3000/0xf000");
    check_canonical("vlan.tci[12..15] != 3", "vlan.tci != 0x3000/0xf000");
    check_canonical("ip4.src[24..31] == 10",
                    "eth.type == 0x800 && ip4.src == 10.0.0.0/8");
    check_canonical("tcp.dst[0..7] == {1, 2}",
                    "ip.proto == 6 && " IP " && (tcp.dst == 0x1/0xff || "
                    "tcp.dst == 0x2/0xff)");
    check_canonical("vlan.tci[0..3] == 0x2/0x3", "vlan.tci == 0x2/0x3");
    /* All of a field is the field, even a nominal one. */
    check_canonical("eth.type[0..15] == 0x800", "eth.type == 0x800");
    /* Orderings become the aligned blocks of values they hold. */
    check_canonical("vlan.tci[13..15] > 4",
                    "vlan.tci == 0xa000/0xe000 || vlan.tci == 0xc000/0xc000");
    check_canonical("!(vlan.tci[13..15] > 4)",
                    "vlan.tci != 0xa000/0xe000 && vlan.tci != 0xc000/0xc000");
    check_canonical("tcp.dst[8..15] >= 0 && ip4", "eth.type == 0x800 && "
                    "ip.proto == 6 && tcp.dst == 0x0/0x0");

    check_error("inport[1] == 1", "column 7: \"[\": inport is a string "
                "field; it has no bits to select");
    check_error("tcp[1]", "column 4: \"[\": tcp is a predicate; it has no "
                "bits to select");
    check_error("eth.type[] == 1", "column 10: \"]\": expecting a bit "
                "number");
    check_error("eth.type[::1] == 1", "column 10: \"::1\": expecting a bit "
                "number");
    check_error("eth.type[5!]", "column 11: \"!\": expecting \"]\"");
    check_error("eth.type[5..1]", "column 9: eth.type[5..1]: invalid bit "
                "range (the low bit comes first)");
    check_error("eth.type[12..16]", "column 9: eth.type[12..16]: eth.type "
                "has only bits 0 to 15");
    check_error("eth.type[10] == 1", "column 9: eth.type[10]: eth.type is a "
                "nominal field (its values name things rather than measure "
                "them); its bits cannot be selected");
    check_error("vlan.tci[0..3] == 16", "column 19: 16 does not fit in "
                "4-bit field vlan.tci[0..3]");
    check_error("eth.dst[0..15] == 00:00:00:00:00:01", "column 19: "
                "00:00:00:00:00:01: eth.dst[0..15] needs an integer, not a "
                "MAC address");
    check_error("ip4.src[0..7] == $as", "column 18: $as: address sets "
                "apply only to IPv4 and IPv6 address fields, not "
                "ip4.src[0..7]");
    check_error("vlan.tci[13..15] < 0", "column 18: \"<\": "
                "vlan.tci[13..15] < 0 can never be true");
    check_error("ip6.dst[0..64] > 5", "column 16: \">\": ip6.dst[0..64] is "
                "wider than 64 bits; only == and != apply");
    check_error("eth.dst[40] x", "column 13: \"x\": expecting \"&&\", "
                "\"||\" or end of input");
}
END_TEST

START_TEST(test_vlan_fields)
{
    check_canonical("vlan.pcp == 4", "vlan.pcp == 4 && vlan.present == 1");
    check_canonical("vlan.tci == 0x1064", "vlan.tci == 0x1064");
    check_canonical("vlan.pcp >= 4", "vlan.pcp >= 4 && vlan.present == 1");
    /* A field of several bits stands alone only under "!": "!f" is
     * "f == 0". */
    check_canonical("!vlan.pcp", "vlan.pcp == 0 && vlan.present == 1");
    check_canonical("!(vlan.pcp)", "vlan.pcp == 0 && vlan.present == 1");
    check_error("!(!(vlan.pcp))", "column 13: \")\": expecting a "
                "comparison operator (==, !=, <, <=, >, >=) after vlan.pcp");
    check_error("vlan.pcp == 8", "column 13: 8 does not fit in 3-bit field "
                "vlan.pcp");
}
END_TEST

/* OVN's neighbour discovery, TCP flags, fragment, RARP and MLD names,
 * with OVN's prerequisites. */
START_TEST(test_nd_flags_frag_rarp_fields)
{
#define ND "eth.type == 0x86dd && icmp6.code == 0 && "
#define ND_END "ip.proto == 58 && ip.ttl == 255"
    check_canonical("nd_ns", ND "icmp6.type == 135 && " ND_END);
    check_canonical("nd.target == fd00::1",
                    ND ND_END " && nd.target == fd00::1 && "
                    "(icmp6.type == 135 || icmp6.type == 136)");
    check_canonical("nd.sll == 0a:00:00:00:00:01",
                    ND "icmp6.type == 135 && " ND_END
                    " && nd.sll == 0a:00:00:00:00:01");
    check_canonical("nd.tll == 0a:00:00:00:00:02",
                    ND "icmp6.type == 136 && " ND_END
                    " && nd.tll == 0a:00:00:00:00:02");
#undef ND
#undef ND_END
    check_canonical("tcp.flags == 0x2",
                    "ip.proto == 6 && tcp.flags == 0x2 && " IP);
    check_canonical("tcp.flags[1]",
                    "ip.proto == 6 && tcp.flags == 0x2/0x2 && " IP);
    check_canonical("ip.frag == 1", "ip.frag == 1 && " IP);
    check_canonical("ip.later_frag", "ip.frag == 0x2/0x2 && " IP);
    check_canonical("rarp.op == 3", "eth.type == 0x8035 && rarp.op == 3");
    check_canonical("mldv2", "eth.type == 0x86dd && icmp6.type == 143 && "
                    "ip.proto == 58 && ip6.dst == ff02::16");
    check_error("tcp.flags == 0x1000",
                "column 14: 0x1000 does not fit in 12-bit field tcp.flags");
    check_error("nd.sll == 0a:00:00:00:00:01 && nd_na",
                "match can never be true: icmp6.type == 135 && "
                "icmp6.type == 136");
}
END_TEST

START_TEST(test_predicates_on_subfields)
{
    check_canonical("eth.bcast", "eth.dst == ff:ff:ff:ff:ff:ff");
    check_canonical("eth.mcast",
                    "eth.dst == 01:00:00:00:00:00/01:00:00:00:00:00");
    check_canonical("eth.mcastv6",
                    "eth.dst == 33:33:00:00:00:00/ff:ff:00:00:00:00");
    check_canonical("ip4.mcast", "eth.dst == 01:00:00:00:00:00/"
                    "01:00:00:00:00:00 && eth.type == 0x800 && "
                    "ip4.dst == 224.0.0.0/4");
    check_canonical("ip4.src_mcast",
                    "eth.type == 0x800 && ip4.src == 224.0.0.0/4");
}
END_TEST

START_TEST(test_value_first)
{
    check_canonical("0x4 < vlan.pcp", "vlan.pcp > 4 && vlan.present == 1");
    check_canonical("4 >= vlan.pcp", "vlan.pcp <= 4 && vlan.present == 1");
    check_canonical("80 == tcp.dst", "ip.proto == 6 && tcp.dst == 80 && " IP);
    check_canonical("\"p1\" == inport", "inport == \"p1\"");
    check_canonical("3 == vlan.tci[12..15]", "vlan.tci == 0x3000/0xf000");
    /* Ranges. */
    check_canonical("1 < vlan.pcp < 4",
                    "vlan.pcp < 4 && vlan.pcp > 1 && vlan.present == 1");
    check_canonical("4 >= vlan.pcp > 1",
                    "vlan.pcp <= 4 && vlan.pcp > 1 && vlan.present == 1");
    check_canonical("!(1 <= vlan.pcp <= 4)",
                    "vlan.present == 1 && (vlan.pcp < 1 || vlan.pcp > 4)");
    check_canonical("1024 <= tcp.dst < 2048 && ip4",
                    "eth.type == 0x800 && ip.proto == 6 && tcp.dst < 2048 "
                    "&& tcp.dst >= 1024");

    check_error("1 == eth.type == 2", "column 15: \"==\": a range must "
                "read \"x < field < y\" or \"x > field > y\" (or with <= "
                "or >=)");
    check_error("1 < tcp.dst > 2", "column 13: \">\": a range must read "
                "\"x < field < y\" or \"x > field > y\" (or with <= or >=)");
    check_error("123 == 123", "column 8: \"123\": expecting a field name");
    check_error("123 == xyzzy", "column 8: \"xyzzy\": no field of that "
                "name");
    check_error("6 == tcp", "column 3: \"==\": tcp is a predicate and "
                "cannot be compared with a value");
    check_error("\"a\" < inport", "column 5: \"<\": inport is a string "
                "field; only == and != apply");
    check_error("\"a\"", "column 4: end of input: expecting a comparison "
                "operator (==, !=, <, <=, >, >=)");
    check_error("123", "column 1: 123: only 0 and 1 may stand alone as "
                "conditions");
}
END_TEST

START_TEST(test_masked_ipv6_as_ipv4)
{
    /* OVN reads an IPv6 literal under a mask of the low 32 bits as an
     * IPv4 value. */
    check_canonical("ip4.src == ::1.2.3.4/::ffff:ffff",
                    "eth.type == 0x800 && ip4.src == 1.2.3.4");
    check_canonical("ip4.dst == ::10.0.0.0/::255.0.0.0",
                    "eth.type == 0x800 && ip4.dst == 10.0.0.0/8");
    check_error("ip4.src == ::1", "column 12: ::1: ip4.src needs an IPv4 "
                "address, not an IPv6 address");
    check_error("ip4.src == ::ffff:1.2.3.4/::ffff:ffff", "column 12: "
                "::ffff:1.2.3.4 does not fit in 32-bit field ip4.src");
    check_error("ip4.src == ::1.2.3.4/::1:ffff:ffff", "column 12: "
                "::1.2.3.4: ip4.src needs an IPv4 address, not an IPv6 "
                "address");
}
END_TEST

/* Asserts that 's' parses under the strict rules and without them. */
static void
check_strict_ok(const char *s)
{
    struct expr_context strict = { .strict = true };
    char *text = parse_to_string(s, &strict);
    free(text);
    text = parse_to_string(s, NULL);
    free(text);
}

/* Asserts that 's' fails with 'expected' under the strict rules, and
 * parses without them. */
static void
check_strict_error(const char *s, const char *expected)
{
    struct expr_context strict = { .strict = true };
    check_error_ctx(s, &strict, expected);
    char *text = parse_to_string(s, NULL);
    free(text);
}

START_TEST(test_strict_rules)
{
    /* "&&" and "||" together need parentheses. */
    check_strict_error("ip4 || ip6 && udp", "column 12: \"&&\": && and || "
                       "must be parenthesized when used together");
    check_strict_error("ip4 && udp || ip6", "column 12: \"||\": && and || "
                       "must be parenthesized when used together");
    check_strict_ok("ip4 || (ip6 && udp)");
    check_strict_ok("(ip4 && udp) || ip6");
    check_strict_ok("ip4 && udp && udp.dst == 1");
    check_strict_ok("ip4 || ip6 || arp");

    /* "!" before a comparison needs parentheses. */
    check_strict_error("!tcp.dst == 80", "column 1: \"!\": put the "
                       "comparison it negates in parentheses, \"!(...)\"");
    check_strict_error("!0x800 != eth.type", "column 1: \"!\": put the "
                       "comparison it negates in parentheses, \"!(...)\"");
    check_strict_ok("!(tcp.dst == 80)");
    check_strict_ok("!tcp");
    check_strict_ok("!vlan.present");
    check_strict_ok("!eth.dst[0]");

    /* Nominal and 1-bit fields take no ordering. */
    check_strict_error("eth.type > 0x800", "column 10: \">\": eth.type is a "
                       "nominal field (its values name things rather than "
                       "measure them); only == and != apply");
    check_strict_error("0x800 < eth.type", "column 7: \"<\": eth.type is a "
                       "nominal field (its values name things rather than "
                       "measure them); only == and != apply");
    check_strict_error("ip.proto <= 6", "column 10: \"<=\": ip.proto is a "
                       "nominal field (its values name things rather than "
                       "measure them); only == and != apply");
    check_strict_error("vlan.present > 0", "column 14: \">\": vlan.present "
                       "is a 1-bit field; only == and != apply");
    check_strict_ok("tcp.dst > 1024 && ip.ttl < 2 && vlan.pcp >= 1");

    /* Nominal fields are tested for equality only, "!"s counted. */
    check_strict_error("inport != \"eth0\"", "column 8: \"!=\": inport "
                       "is a nominal field and may only be tested for "
                       "equality");
    check_strict_error("!(inport == \"eth0\")", "column 10: \"==\": "
                       "inport is a nominal field and may only be tested for "
                       "equality (the enclosing \"!\" makes this \"==\" an "
                       "inequality)");
    check_strict_error("eth.type != 0x800", "column 10: \"!=\": eth.type "
                       "is a nominal field and may only be tested for "
                       "equality");
    check_strict_error("outport != {\"a\", \"b\"}", "column 9: \"!=\": "
                       "outport is a nominal field and may only be tested "
                       "for equality");
    check_strict_error("!(ip4 && ip.proto == 17)", "column 19: \"==\": "
                       "ip.proto is a nominal field and may only be tested "
                       "for equality (the enclosing \"!\" makes this \"==\" "
                       "an inequality)");
    check_strict_ok("!(!(inport == \"a\"))");
    check_strict_ok("!(inport != \"a\")");
    check_strict_ok("inport == {\"a\", \"b\"} && ip.proto == 6");
    check_strict_ok("!ip4 && !udp");
    check_strict_ok("tcp.dst != 80 && ip4");
}
END_TEST

/* Accepts only the names "known" and "web". */
static bool
name_is_known(const char *name, void *aux)
{
    int *calls = aux;
    ++*calls;
    return !strcmp(name, "known") || !strcmp(name, "web");
}

START_TEST(test_context_resolves_sets)
{
    int calls = 0;
    struct expr_context ctx = {
        .address_set_exists = name_is_known,
        .port_group_exists = name_is_known,
        .aux = &calls,
    };
    char *text = parse_to_string("ip4.src == $known && inport == @web",
                                 &ctx);
    ck_assert_str_eq(text, "eth.type == 0x800 && inport == @web && "
                     "ip4.src == $known");
    free(text);
    ck_assert_int_eq(calls, 2);

    check_error_ctx("ip4.src == $nope", &ctx,
                    "column 12: $nope: no address set of that name");
    check_error_ctx("ip6.dst == $pg1_ip6", &ctx,
                    "column 12: $pg1_ip6: no port group pg1 (whose "
                    "addresses it names) and no address set of that name");
    check_error_ctx("outport == {\"a\", @nope}", &ctx,
                    "column 18: @nope: no port group of that name");

    /* A NULL callback accepts every name. */
    struct expr_context open_ctx = { .aux = NULL };
    text = parse_to_string("ip4.src == $anything && inport == @any",
                           &open_ctx);
    free(text);
}
END_TEST

/* Address set "v4" holds only IPv4 addresses, "v6" only IPv6 ones. */
static bool
set_fits_family(const char *name, bool is_ipv6, void *aux OVS_UNUSED)
{
    return strcmp(name, is_ipv6 ? "v4" : "v6") != 0;
}

START_TEST(test_context_checks_set_family)
{
    struct expr_context ctx = { .address_set_fits = set_fits_family };
    char *text = parse_to_string("ip4.src == $v4 || ip6.dst != $v6", &ctx);
    free(text);
    check_error_ctx("ip6.src == $v4", &ctx,
                    "column 12: $v4: address set holds no IPv6 addresses, "
                    "so ip6.src can never match it");
    check_error_ctx("ip4.dst == {$v4, $v6}", &ctx,
                    "column 18: $v6: address set holds no IPv4 addresses, "
                    "so ip4.dst can never match it");
}
END_TEST

START_TEST(test_references_only_where_they_apply)
{
    check_error("inport == $as",
                "column 11: $as: address sets apply only to IPv4 and IPv6 "
                "address fields, not inport");
    check_error("tcp.dst == $as",
                "column 12: $as: address sets apply only to IPv4 and IPv6 "
                "address fields, not tcp.dst");
    check_error("ip4.src == @pg",
                "column 12: @pg: port groups apply only to inport and "
                "outport, not ip4.src");
}
END_TEST

START_TEST(test_validate)
{
    char *error = expr_validate("ip4 && udp.dst == 53", NULL);
    ck_assert_ptr_null(error);
    error = expr_validate("udp.dst == 53 &&", NULL);
    ck_assert_ptr_nonnull(error);
    ck_assert_str_eq(error, "column 17: end of input: expecting a field "
                     "name, \"!\", \"(\", 0 or 1");
    free(error);
    expr_destroy(NULL);
}
END_TEST

START_TEST(test_symbol_table_is_consistent)
{
    size_t n;
    const struct expr_symbol *symbols = expr_symbols(&n);
    for (size_t i = 0; i < n; i++) {
        const struct expr_symbol *sym = &symbols[i];
        ck_assert_ptr_eq(expr_symbol_lookup(sym->name), sym);
        if (sym->prereqs) {
            char *error = expr_validate(sym->prereqs, NULL);
            ck_assert_msg(!error, "%s prerequisites: %s", sym->name, error);
        }
        if (sym->expansion) {
            char *error = expr_validate(sym->expansion, NULL);
            ck_assert_msg(!error, "%s expansion: %s", sym->name, error);
        }
    }
    ck_assert_ptr_null(expr_symbol_lookup("tcp.dts"));
}
END_TEST

/* The match language parser and printer. */
Suite *
expr_parse_suite(void)
{
    Suite *s = suite_create("expr-parse");
    TCase *tc = tcase_create("canonical");
    tcase_add_test(tc, test_field_gets_its_prerequisites);
    tcase_add_test(tc, test_implied_prerequisite_is_absorbed);
    tcase_add_test(tc, test_contradictions_are_refused);
    tcase_add_test(tc, test_satisfiable_matches_are_kept);
    tcase_add_test(tc, test_predicates_expand);
    tcase_add_test(tc, test_negated_predicate_matches_other_protocols);
    tcase_add_test(tc, test_negated_comparison_keeps_prerequisites);
    tcase_add_test(tc, test_ordering_operators);
    tcase_add_test(tc, test_cidr_and_masks);
    tcase_add_test(tc, test_bits_outside_mask_are_refused);
    tcase_add_test(tc, test_integer_forms);
    tcase_add_test(tc, test_sets);
    tcase_add_test(tc, test_booleans_fold);
    tcase_add_test(tc, test_and_binds_tighter_than_or);
    tcase_add_test(tc, test_strings_and_references);
    tcase_add_test(tc, test_whitespace_is_free);
    tcase_add_test(tc, test_canonical_text_parses_to_itself);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_unknown_field_is_named);
    tcase_add_test(tc, test_value_width_is_checked);
    tcase_add_test(tc, test_value_kind_is_checked);
    tcase_add_test(tc, test_bad_constants_are_named);
    tcase_add_test(tc, test_operator_misuse_is_named);
    tcase_add_test(tc, test_syntax_errors_are_located);
    tcase_add_test(tc, test_deep_nesting_is_refused);
    tcase_add_test(tc, test_subfields);
    tcase_add_test(tc, test_vlan_fields);
    tcase_add_test(tc, test_nd_flags_frag_rarp_fields);
    tcase_add_test(tc, test_predicates_on_subfields);
    tcase_add_test(tc, test_value_first);
    tcase_add_test(tc, test_masked_ipv6_as_ipv4);
    tcase_add_test(tc, test_strict_rules);
    tcase_add_test(tc, test_references_only_where_they_apply);
    tcase_add_test(tc, test_validate);
    suite_add_tcase(s, tc);

    tc = tcase_create("context");
    tcase_add_test(tc, test_context_resolves_sets);
    tcase_add_test(tc, test_context_checks_set_family);
    tcase_add_test(tc, test_symbol_table_is_consistent);
    suite_add_tcase(s, tc);
    return s;
}
