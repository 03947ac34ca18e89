#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/lb-vips.h"
#include "lib/nb-validate.h"
#include "lib/rampout.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"

START_TEST(test_ip_or_cidr)
{
    ck_assert_ok(nb_validate_ip_or_cidr("10.0.0.1"));
    ck_assert_ok(nb_validate_ip_or_cidr("10.0.0.0/8"));
    ck_assert_ok(nb_validate_ip_or_cidr("fd00::/64"));
    ck_assert_error(nb_validate_ip_or_cidr("10.0.0.1/8"), "host bits");
    ck_assert_error(nb_validate_ip_or_cidr("10.0.0"), "10.0.0: invalid IP");
    ck_assert_error(nb_validate_ip("10.0.0.0/8"), "prefix length");
    ck_assert_ok(nb_validate_ipv4("172.16.0.10"));
    ck_assert_error(nb_validate_ipv4("fd00::10"),
                    "fd00::10: not an IPv4 address");
    ck_assert_error(nb_validate_ipv4("10.0.0"), "10.0.0: invalid IP");
}
END_TEST

START_TEST(test_names)
{
    ck_assert_ok(nb_validate_name("web_v1.2"));
    ck_assert_ok(nb_validate_name("_x"));
    ck_assert_error(nb_validate_name(""), "empty name");
    ck_assert_error(nb_validate_name("2web"), "must start with a letter");
    ck_assert_error(nb_validate_name("web-1"), "web-1: invalid name");
}
END_TEST

START_TEST(test_route_families)
{
    ck_assert_ok(nb_validate_route("0.0.0.0/0", "10.0.0.1"));
    ck_assert_ok(nb_validate_route("fd01::/64", "fd00::1"));
    ck_assert_ok(nb_validate_route("10.1.0.0/16", "discard"));
    ck_assert_error(nb_validate_route("10.1.0.0/16", "fd00::1"),
                    "fd00::1: nexthop is not in the address family");
    ck_assert_error(nb_validate_route("10.1.0.0/16", "10.0.0.0/24"),
                    "prefix length is not allowed");
}
END_TEST

START_TEST(test_policy_families)
{
    ck_assert_ok(nb_validate_policy_family("ip4.src == 10.0.0.1",
                                           "10.0.0.2"));
    ck_assert_ok(nb_validate_policy_family("ip", "fd00::2"));
    ck_assert_ok(nb_validate_policy_family("inport == \"lrp1\"",
                                           "fd00::2"));
    ck_assert_ok(nb_validate_policy_family("ip4.src == $a || ip6.src == $b",
                                           "fd00::2"));
    ck_assert_ok(nb_validate_policy_family(
                     "inport == \"a\" && inport != \"b\" && ip4",
                     "10.0.0.2"));
    /* A match that nothing meets is not a family's fault. */
    ck_assert_ok(nb_validate_policy_family("ip4 && ip6", "10.0.0.2"));
    ck_assert_error(nb_validate_policy_family("ip6.src == fd00::1",
                                              "10.0.0.2"),
                    "nexthops: 10.0.0.2: an IPv4 next hop for a match that "
                    "no IPv4 packet meets");
    ck_assert_error(nb_validate_policy_family("ip4 && tcp.dst == 80",
                                              "fd00::2"),
                    "an IPv6 next hop for a match that no IPv6 packet "
                    "meets");
    ck_assert_error(nb_validate_policy_family("arp", "10.0.0.2"),
                    "an IPv4 next hop");
}
END_TEST

START_TEST(test_nat_rules)
{
    ck_assert_ok(nb_validate_nat("snat", "172.16.0.1", "10.0.0.0/24",
                                 NULL, NULL));
    ck_assert_ok(nb_validate_nat("dnat_and_snat", "172.16.0.1", "10.0.0.5",
                                 "p1", "0a:00:00:00:00:01"));
    ck_assert_error(nb_validate_nat("dnat", "172.16.0.1", "10.0.0.0/24",
                                    NULL, NULL), "prefix length");
    ck_assert_error(nb_validate_nat("masq", "172.16.0.1", "10.0.0.5",
                                    NULL, NULL), "masq: invalid NAT type");
    ck_assert_error(nb_validate_nat("dnat", "172.16.0.1", "10.0.0.5",
                                    "p1", "0a:00:00:00:00:01"),
                    "only allowed with dnat_and_snat");
    ck_assert_error(nb_validate_nat("dnat_and_snat", "172.16.0.1",
                                    "10.0.0.5", "p1", NULL),
                    "must be given together");
    ck_assert_error(nb_validate_nat("dnat", "172.16.0.1", "fd00::5",
                                    NULL, NULL), "address family");
}
END_TEST

START_TEST(test_lb_vips)
{
    bool port, v6;
    ck_assert_ok(nb_validate_lb_vip("10.96.0.1:80", &port, &v6));
    ck_assert(port && !v6);
    ck_assert_ok(nb_validate_lb_vip("10.96.0.1", &port, &v6));
    ck_assert(!port && !v6);
    ck_assert_ok(nb_validate_lb_vip("[fd00::1]:53", &port, &v6));
    ck_assert(port && v6);
    ck_assert_ok(nb_validate_lb_vip("fd00::1", &port, &v6));
    ck_assert(!port && v6);
    /* As ovn-nbctl reads them: an empty or zero port is no port. */
    ck_assert_ok(nb_validate_lb_vip("10.96.0.1:0", &port, &v6));
    ck_assert(!port && !v6);
    ck_assert_ok(nb_validate_lb_vip("[fd00::1]:", &port, &v6));
    ck_assert(!port && v6);
    ck_assert_error(nb_validate_lb_vip("10.96.0.1:65536", &port, &v6),
                    "10.96.0.1:65536: should be an IP address (or an IP "
                    "address and a port number with : as a separator).");
    ck_assert_error(nb_validate_lb_vip("[fd00::1:53", &port, &v6),
                    "should be an IP address");
    ck_assert_error(nb_validate_lb_vip("10.96.0:80", &port, &v6),
                    "10.96.0:80: should be an IP address");
    ck_assert_error(nb_validate_lb_vip("fd00::1fffff", &port, &v6),
                    "should be an IP address");
}
END_TEST

START_TEST(test_lb_backends)
{
    ck_assert_ok(nb_validate_lb_backends("10.96.0.1:80",
                                         "10.0.0.1:8080,10.0.0.2:8080"));
    ck_assert_ok(nb_validate_lb_backends("10.96.0.1", "10.0.0.1"));
    ck_assert_ok(nb_validate_lb_backends("10.96.0.1:80", ""));
    ck_assert_ok(nb_validate_lb_backends("10.96.0.1:80", ",,10.0.0.1:80,"));
    ck_assert_error(nb_validate_lb_backends("10.96.0.1:80", "10.0.0.1"),
                    "10.0.0.1: should be an IP address and a port number "
                    "with : as a separator.");
    ck_assert_error(nb_validate_lb_backends("10.96.0.1", "10.0.0.1:80"),
                    "10.0.0.1:80: should be an IP address.");
    ck_assert_error(nb_validate_lb_backends("[fd00::1]:80",
                                            "10.0.0.1:80"),
                    "10.0.0.1:80: IP address family is different from VIP "
                    "fd00::1.");
    /* Every bad backend is named. */
    ck_assert_error(nb_validate_lb_backends("10.96.0.1",
                                            "10.0.0.1:80,10.0.0.2,"
                                            "10.0.0.3:81"),
                    "10.0.0.1:80: should be an IP address, 10.0.0.3:81: "
                    "should be an IP address.");
}
END_TEST

/* The canonical text of VIPs and backends, which tells two spellings of
 * one VIP apart from two VIPs. */
START_TEST(test_lb_normalize)
{
    char *vip, *backends;
    bool port;
    ck_assert_ok(lb_vip_normalize("ae0f:0000:0000:0000:0000:0000:0000:0010",
                                  "fd0f::10,,fd0f:0::20", &vip, &backends,
                                  &port));
    ck_assert_str_eq(vip, "ae0f::10");
    ck_assert_str_eq(backends, "fd0f::10,fd0f::20");
    ck_assert(!port);
    free(vip);
    free(backends);
    ck_assert_ok(lb_vip_normalize("[ae0f::10]:80", ",,,[fd0f::10]:80,,,",
                                  &vip, &backends, &port));
    ck_assert_str_eq(vip, "[ae0f::10]:80");
    ck_assert_str_eq(backends, "[fd0f::10]:80");
    ck_assert(port);
    free(vip);
    free(backends);
    ck_assert_ok(lb_vip_normalize("30.0.0.10:", "192.168.10.10", &vip,
                                  &backends, &port));
    ck_assert_str_eq(vip, "30.0.0.10");
    ck_assert(!port);
    free(vip);
    free(backends);
    ck_assert_error(lb_vip_normalize("30.0.0.10:80a", "10.0.0.1:80", &vip,
                                     &backends, &port),
                    "30.0.0.10:80a: should be an IP address (or an IP "
                    "address and a port number with : as a separator).");
    ck_assert(!vip && !backends);
}
END_TEST

/* A router's options:lb_force_snat_ip: router_ip alone, or one address
 * of each family at most. */
START_TEST(test_lb_force_snat)
{
    struct lb_force_snat fs;
    ck_assert_ok(lb_force_snat_parse("router_ip", &fs));
    ck_assert(fs.router_ip && !fs.ip4 && !fs.ip6);
    lb_force_snat_destroy(&fs);
    ck_assert_ok(lb_force_snat_parse("fd00:0::9  172.16.0.9", &fs));
    ck_assert(!fs.router_ip);
    ck_assert_str_eq(fs.ip4, "172.16.0.9");
    ck_assert_str_eq(fs.ip6, "fd00::9");
    lb_force_snat_destroy(&fs);
    ck_assert_error(lb_force_snat_parse("10.0.0.1 10.0.0.2", &fs),
                    "\"10.0.0.1 10.0.0.2\": more than one IPv4 address");
    ck_assert(!fs.ip4 && !fs.ip6);
    ck_assert_error(lb_force_snat_parse("fd00::1 fd00::2", &fs),
                    "\"fd00::1 fd00::2\": more than one IPv6 address");
    ck_assert_error(lb_force_snat_parse("router_ip 10.0.0.1", &fs),
                    "\"router_ip 10.0.0.1\": router_ip stands alone");
    ck_assert_error(lb_force_snat_parse("10.0.0.0/24", &fs),
                    "\"10.0.0.0/24\": 10.0.0.0/24 is neither router_ip nor "
                    "an IP address");
    ck_assert_error(lb_force_snat_parse(" ", &fs),
                    "\" \": router_ip or one IPv4 address and one IPv6 "
                    "address at most");
}
END_TEST

START_TEST(test_connection_targets)
{
    ck_assert_ok(nb_validate_connection_target("ptcp:6641"));
    ck_assert_ok(nb_validate_connection_target("ptcp:6641:127.0.0.1"));
    ck_assert_ok(nb_validate_connection_target("pssl:6641:[::1]"));
    ck_assert_ok(nb_validate_connection_target("tcp:10.0.0.1:6641"));
    ck_assert_ok(nb_validate_connection_target("ssl:[fd00::1]:6641"));
    ck_assert_ok(nb_validate_connection_target("punix:/run/nb.sock"));
    ck_assert_error(nb_validate_connection_target("tcp:10.0.0.1"),
                    "expected tcp:IP:PORT");
    ck_assert_error(nb_validate_connection_target("ptcp:http"),
                    "expected ptcp:PORT[:IP]");
    ck_assert_error(nb_validate_connection_target("ptcp:70000"),
                    "invalid target");
    ck_assert_error(nb_validate_connection_target("http://x"),
                    "invalid connection target");
    ck_assert_error(nb_validate_connection_target("unix:"),
                    "missing socket file name");
}
END_TEST

START_TEST(test_port_types)
{
    ck_assert_ok(nb_validate_lsp_type(""));
    ck_assert_ok(nb_validate_lsp_type("router"));
    ck_assert_ok(nb_validate_lsp_type("localnet"));
    ck_assert_ok(nb_validate_lsp_type("localport"));
    ck_assert_ok(nb_validate_lsp_type("remote"));
    /* Southbound types are not northbound ones. */
    ck_assert_error(nb_validate_lsp_type("patch"),
                    "Logical switch port type 'patch' is unrecognized.");
    ck_assert_error(nb_validate_lsp_type("chassisredirect"),
                    "is unrecognized");
    ck_assert_error(nb_validate_lsp_type("Router"), "is unrecognized");
}
END_TEST

/* Parses 'entry' as a colour's gateway; checks it gives 'chassis' and
 * 'priority'. */
static void
check_color_gateway(const char *entry, const char *chassis, int64_t priority)
{
    char *name;
    int64_t prio;
    ck_assert_ok(rampout_color_gateway_parse(entry, &name, &prio));
    ck_assert_str_eq(name, chassis);
    ck_assert_int_eq(prio, priority);
    free(name);
}

/* Parses 'entry' as a colour's gateway; checks it is refused with an
 * error that contains 'error'. */
static void
check_color_gateway_error(const char *entry, const char *error)
{
    char *name;
    int64_t prio;
    ck_assert_error(rampout_color_gateway_parse(entry, &name, &prio),
                    error);
    ck_assert_ptr_null(name);
}

START_TEST(test_color_gateways)
{
    check_color_gateway("gw1:2", "gw1", 2);
    check_color_gateway("gw1", "gw1", 0);
    check_color_gateway("edge.1:32767", "edge.1", 32767);
    check_color_gateway("gw1:0", "gw1", 0);
    check_color_gateway_error("", "\"\": invalid chassis name");
    check_color_gateway_error(":3", "invalid chassis name");
    check_color_gateway_error("g w:3", "invalid chassis name");
    check_color_gateway_error("gw1:", "gw1:: missing priority");
    check_color_gateway_error("gw1:32768", "gw1:32768: invalid priority");
    check_color_gateway_error("gw1:99999999999999999999",
                              "invalid priority");
    check_color_gateway_error("gw1:-1", "invalid priority");
    check_color_gateway_error("gw1:1:2", "invalid priority");
    check_color_gateway_error("gw1: 1", "invalid priority");
}
END_TEST

/* The suite of lib/nb-validate's value checkers. */
Suite *
nb_validate_suite(void)
{
    Suite *s = suite_create("nb-validate");
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, test_ip_or_cidr);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_route_families);
    tcase_add_test(tc, test_policy_families);
    tcase_add_test(tc, test_nat_rules);
    tcase_add_test(tc, test_lb_vips);
    tcase_add_test(tc, test_lb_backends);
    tcase_add_test(tc, test_lb_normalize);
    tcase_add_test(tc, test_lb_force_snat);
    tcase_add_test(tc, test_connection_targets);
    tcase_add_test(tc, test_port_types);
    tcase_add_test(tc, test_color_gateways);
    suite_add_tcase(s, tc);
    return s;
}
