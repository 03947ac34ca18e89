#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "controller/chassis.h"
#include "controller/encaps.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"

START_TEST(test_encap_ips_are_lanes_in_order)
{
    struct chassis_config cfg;

    chassis_config_init(&cfg);
    char *error = chassis_config_parse_encap_ips(&cfg,
                                                 "172.31.0.1, 172.31.1.1");
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(cfg.n_encap_ips, 2);
    ck_assert_str_eq(cfg.encap_ips[0], "172.31.0.1");
    ck_assert_str_eq(cfg.encap_ips[1], "172.31.1.1");
    chassis_config_destroy(&cfg);
    chassis_config_destroy(NULL);
}
END_TEST

START_TEST(test_bad_encap_ip_is_named)
{
    struct chassis_config cfg;

    chassis_config_init(&cfg);
    ck_assert_error(chassis_config_parse_encap_ips(&cfg, "172.31.0.1,x.y"),
                    "\"x.y\"");
    ck_assert_error(chassis_config_parse_encap_ips(&cfg, " , "),
                    "no address");
    ck_assert_error(chassis_config_parse_encap_ips(
                        &cfg, "1.0.0.1,1.0.0.2,1.0.0.3,1.0.0.4,1.0.0.5,"
                        "1.0.0.6,1.0.0.7,1.0.0.8,1.0.0.9,1.0.0.10,1.0.0.11,"
                        "1.0.0.12,1.0.0.13,1.0.0.14,1.0.0.15,1.0.0.16,"
                        "1.0.0.17"), "more than 16");
    chassis_config_destroy(&cfg);
}
END_TEST

START_TEST(test_configs_compare)
{
    struct chassis_config a, b;

    chassis_config_init(&a);
    chassis_config_init(&b);
    ck_assert(chassis_config_equal(&a, &b));
    free(chassis_config_parse_encap_ips(&a, "10.0.0.1"));
    ck_assert(!chassis_config_equal(&a, &b));
    free(chassis_config_parse_encap_ips(&b, "10.0.0.1"));
    ck_assert(chassis_config_equal(&a, &b));
    a.encap_csum = true;
    ck_assert(!chassis_config_equal(&a, &b));
    b.encap_csum = true;
    ck_assert(chassis_config_equal(&a, &b));
    a.system_id = strdup("hv1");
    ck_assert(!chassis_config_equal(&a, &b));
    chassis_config_destroy(&a);
    chassis_config_destroy(&b);
}
END_TEST

START_TEST(test_encap_csum_defaults_by_datapath_type)
{
    struct chassis_config cfg;

    chassis_config_init(&cfg);
    cfg.datapath_type = strdup("netdev");
    ck_assert_ok(chassis_config_parse_encap_csum(&cfg, NULL));
    ck_assert(!cfg.encap_csum);
    ck_assert_ok(chassis_config_parse_encap_csum(&cfg, "true"));
    ck_assert(cfg.encap_csum);
    free(cfg.datapath_type);
    cfg.datapath_type = strdup("system");
    ck_assert_ok(chassis_config_parse_encap_csum(&cfg, NULL));
    ck_assert(cfg.encap_csum);
    ck_assert_ok(chassis_config_parse_encap_csum(&cfg, "false"));
    ck_assert(!cfg.encap_csum);
    chassis_config_destroy(&cfg);
}
END_TEST

START_TEST(test_bad_encap_csum_is_named)
{
    struct chassis_config cfg;

    chassis_config_init(&cfg);
    cfg.encap_csum = true;
    ck_assert_error(chassis_config_parse_encap_csum(&cfg, "yes"),
                    "osmotic-encap-csum: \"yes\"");
    ck_assert(cfg.encap_csum);
    chassis_config_destroy(&cfg);
}
END_TEST

START_TEST(test_tunnel_names_fit_and_differ)
{
    char a[16], b[16], c[16], a2[16], d[16], d2[16];

    encaps_tunnel_name("hv1", 0, ENCAPS_DSCP_INHERIT, a);
    encaps_tunnel_name("hv2", 0, ENCAPS_DSCP_INHERIT, b);
    encaps_tunnel_name("hv1", 1, ENCAPS_DSCP_INHERIT, c);
    encaps_tunnel_name("hv1", 0, ENCAPS_DSCP_INHERIT, a2);
    encaps_tunnel_name("hv1", 0, 46, d);
    encaps_tunnel_name("hv1", 0, 10, d2);
    ck_assert_uint_le(strlen(a), 15);
    ck_assert_str_ne(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_eq(a, a2);
    ck_assert_str_ne(a, d);
    ck_assert_str_ne(d, d2);

    /* The longest: lane 15, DSCP 63. */
    char longname[16];
    encaps_tunnel_name("a-very-long-chassis-name.example.com", 15, 63,
                       longname);
    ck_assert_uint_le(strlen(longname), 15);
}
END_TEST

Suite *
ctl_chassis_suite(void)
{
    Suite *s = suite_create("ctl-chassis");
    TCase *tc = tcase_create("config");

    tcase_add_test(tc, test_encap_ips_are_lanes_in_order);
    tcase_add_test(tc, test_bad_encap_ip_is_named);
    tcase_add_test(tc, test_configs_compare);
    tcase_add_test(tc, test_encap_csum_defaults_by_datapath_type);
    tcase_add_test(tc, test_bad_encap_csum_is_named);
    tcase_add_test(tc, test_tunnel_names_fit_and_differ);
    suite_add_tcase(s, tc);
    return s;
}
