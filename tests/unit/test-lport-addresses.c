#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"

START_TEST(test_mac_with_ips_parses)
{
    struct lport_addresses laddrs;
    ck_assert_ok(lport_addresses_parse(
                     "0a:00:00:00:00:01 10.0.0.5 fd00::5", false, &laddrs));
    ck_assert_int_eq(laddrs.ea.ea[0], 0x0a);
    ck_assert_int_eq(laddrs.ea.ea[5], 0x01);
    ck_assert_uint_eq(laddrs.n_ipv4, 1);
    ck_assert_uint_eq(laddrs.ipv4[0].addr, htonl(0x0a000005));
    ck_assert_uint_eq(laddrs.ipv4[0].plen, 32);
    ck_assert_uint_eq(laddrs.n_ipv6, 1);
    ck_assert_uint_eq(laddrs.ipv6[0].plen, 128);
    lport_addresses_destroy(&laddrs);
}
END_TEST

START_TEST(test_bad_mac_is_named)
{
    struct lport_addresses laddrs;
    ck_assert_error(lport_addresses_parse("0a:00:00:00:00 10.0.0.5",
                                          false, &laddrs),
                    "0a:00:00:00:00: invalid MAC");
    ck_assert_uint_eq(laddrs.n_ipv4, 0);
}
END_TEST

START_TEST(test_multicast_mac_refused)
{
    struct eth_addr ea;
    ck_assert_error(lport_parse_mac("01:00:5e:00:00:01", &ea), "multicast");
}
END_TEST

START_TEST(test_bad_ip_is_named)
{
    ck_assert_error(lsp_addresses_validate("0a:00:00:00:00:01 10.0.0.300"),
                    "10.0.0.300");
}
END_TEST

START_TEST(test_prefix_only_where_allowed)
{
    ck_assert_error(lsp_addresses_validate("0a:00:00:00:00:01 10.0.0.5/24"),
                    "prefix length is not allowed");
    ck_assert_ok(lsp_port_security_validate(
                     "0a:00:00:00:00:01 10.0.0.0/24"));
}
END_TEST

START_TEST(test_keywords_accepted)
{
    ck_assert_ok(lsp_addresses_validate("unknown"));
    ck_assert_ok(lsp_addresses_validate("dynamic"));
    ck_assert_ok(lsp_addresses_validate("router"));
    ck_assert_ok(lsp_addresses_validate("0a:00:00:00:00:01 dynamic"));
    ck_assert_error(lsp_addresses_validate("zz dynamic"), "zz");
}
END_TEST

START_TEST(test_cidr_network_check)
{
    ck_assert_ok(lport_parse_cidr("10.1.0.0/16", true));
    ck_assert_ok(lport_parse_cidr("fd00::/64", true));
    ck_assert_error(lport_parse_cidr("10.1.0.1/16", true), "host bits");
    ck_assert_error(lport_parse_cidr("10.1.0.0/33", false), "invalid CIDR");
    ck_assert_error(lport_parse_cidr("nonsense", false), "nonsense");
}
END_TEST

START_TEST(test_lrp_network_needs_prefix)
{
    ck_assert_ok(lrp_networks_validate("192.168.1.1/24"));
    ck_assert_error(lrp_networks_validate("192.168.1.1"), "ADDRESS/PLEN");
}
END_TEST

Suite *
lport_addresses_suite(void)
{
    Suite *s = suite_create("lport-addresses");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_mac_with_ips_parses);
    tcase_add_test(tc, test_bad_mac_is_named);
    tcase_add_test(tc, test_multicast_mac_refused);
    tcase_add_test(tc, test_bad_ip_is_named);
    tcase_add_test(tc, test_prefix_only_where_allowed);
    tcase_add_test(tc, test_keywords_accepted);
    tcase_add_test(tc, test_cidr_network_check);
    tcase_add_test(tc, test_lrp_network_needs_prefix);
    suite_add_tcase(s, tc);
    return s;
}
