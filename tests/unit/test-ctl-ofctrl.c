#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "controller/ofctrl.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"

START_TEST(test_flows_are_keyed_by_table_priority_match)
{
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    ck_assert_ok(ofctrl_flow_table_add(&t, 1, "table=10,priority=5,"
                                       "metadata=0x1,actions=drop"));
    ck_assert_ok(ofctrl_flow_table_add(&t, 1, "table=10,priority=6,"
                                       "metadata=0x1,actions=drop"));
    ck_assert_ok(ofctrl_flow_table_add(&t, 1, "table=11,priority=5,"
                                       "metadata=0x1,actions=drop"));
    ck_assert_uint_eq(ofctrl_flow_table_count(&t), 3);
    ofctrl_flow_table_destroy(&t);
}
END_TEST

START_TEST(test_identical_duplicate_is_ignored)
{
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    ck_assert_ok(ofctrl_flow_table_add(&t, 1, "table=0,priority=100,"
                                       "in_port=3,actions=resubmit(,10)"));
    /* Same flow, spelled differently. */
    ck_assert_ok(ofctrl_flow_table_add(&t, 2, "priority=100,table=0,"
                                       "in_port=3 actions=resubmit(,10)"));
    ck_assert_uint_eq(ofctrl_flow_table_count(&t), 1);
    ofctrl_flow_table_destroy(&t);
}
END_TEST

START_TEST(test_conflicting_duplicate_is_rejected)
{
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    ck_assert_ok(ofctrl_flow_table_add(&t, 1, "table=0,priority=100,"
                                       "in_port=3,actions=drop"));
    ck_assert_error(ofctrl_flow_table_add(&t, 1, "table=0,priority=100,"
                                          "in_port=3,actions=output:4"),
                    "conflicts");
    ck_assert_uint_eq(ofctrl_flow_table_count(&t), 1);
    ofctrl_flow_table_destroy(&t);
}
END_TEST

START_TEST(test_bad_flow_is_rejected)
{
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    ck_assert_error(ofctrl_flow_table_add(&t, 1, "table=0,priority=1,"
                                          "nosuchfield=1,actions=drop"),
                    "nosuchfield");
    ck_assert_error(ofctrl_flow_table_add(&t, 1, "table=0,actions=bogus"),
                    "bogus");
    ck_assert_uint_eq(ofctrl_flow_table_count(&t), 0);
    ofctrl_flow_table_destroy(&t);
}
END_TEST

START_TEST(test_geneve_metadata_actions_parse)
{
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    ck_assert_ok(ofctrl_flow_table_add(
        &t, 7, "table=30,priority=100,metadata=0x1,reg15=0x2,actions="
        "set_field:0x1->tun_id,"
        "move:NXM_NX_REG15[0..15]->NXM_NX_TUN_METADATA0[0..15],"
        "move:NXM_NX_REG14[0..14]->NXM_NX_TUN_METADATA0[16..30],"
        "output:1"));
    ck_assert_uint_eq(ofctrl_flow_table_count(&t), 1);
    ofctrl_flow_table_clear(&t);
    ck_assert_uint_eq(ofctrl_flow_table_count(&t), 0);
    ofctrl_flow_table_destroy(&t);
    ofctrl_flow_table_destroy(NULL);
}
END_TEST

START_TEST(test_cached_parse_gives_the_same_flows)
{
    static const char *flows[] = {
        "table=0,priority=100,in_port=3,actions=resubmit(,10)",
        "table=10,priority=5,metadata=0x1,dl_dst=0a:00:00:00:00:01,"
        "actions=set_field:0x1->reg15,resubmit(,30)",
    };
    struct ofctrl_flow_cache *cache = ofctrl_flow_cache_create();
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    t.cache = cache;
    for (int round = 0; round < 3; round++) {
        ofctrl_flow_table_clear(&t);
        for (size_t i = 0; i < sizeof flows / sizeof *flows; i++) {
            ck_assert_ok(ofctrl_flow_table_add(&t, 1, flows[i]));
        }
        /* A bad flow gives its error again from the cache. */
        ck_assert_error(ofctrl_flow_table_add(&t, 1, "table=0,actions=bad"),
                        "bad");
        ck_assert_error(ofctrl_flow_table_add(&t, 1, "table=0,priority=100,"
                                              "in_port=3,actions=drop"),
                        "conflicts");
        ck_assert_uint_eq(ofctrl_flow_table_count(&t), 2);
        ofctrl_flow_cache_sweep(cache);
    }
    ofctrl_flow_table_destroy(&t);
    ofctrl_flow_cache_sweep(cache);
    ofctrl_flow_cache_sweep(cache);
    ofctrl_flow_cache_destroy(cache);
    ofctrl_flow_cache_destroy(NULL);
}
END_TEST

START_TEST(test_groups_are_keyed_by_id_and_compared_by_content)
{
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    ck_assert_ok(ofctrl_flow_table_add_group(
        &t, 5, "type=select,bucket=actions=resubmit(,20),"
        "bucket=actions=resubmit(,21)"));
    /* The same group, written differently. */
    ck_assert_ok(ofctrl_flow_table_add_group(
        &t, 5, "type=select,bucket=weight:1,actions=resubmit(,20),"
        "bucket=actions=resubmit(,21)"));
    ck_assert_error(ofctrl_flow_table_add_group(
                        &t, 5, "type=select,bucket=actions=resubmit(,22)"),
                    "group 5 (type=select,bucket=actions=resubmit(,22)): "
                    "conflicts with");
    ck_assert_error(ofctrl_flow_table_add_group(&t, 6, "type=bogus"),
                    "bogus");
    ck_assert_error(ofctrl_flow_table_add_group(
                        &t, 7, "type=select,bucket=actions=nosuchaction"),
                    "nosuchaction");
    ck_assert_uint_eq(ofctrl_flow_table_count_groups(&t), 1);
    ck_assert_str_eq(ofctrl_flow_table_find_group(&t, 5),
                     "type=select,bucket=actions=resubmit(,20),"
                     "bucket=actions=resubmit(,21)");
    ck_assert_ptr_null(ofctrl_flow_table_find_group(&t, 6));
    ofctrl_flow_table_clear(&t);
    ck_assert_uint_eq(ofctrl_flow_table_count_groups(&t), 0);
    ofctrl_flow_table_destroy(&t);
}
END_TEST

START_TEST(test_meters_are_keyed_by_id_and_compared_by_content)
{
    struct ofctrl_flow_table t;

    ofctrl_flow_table_init(&t);
    ck_assert_ok(ofctrl_flow_table_add_meter(
        &t, 1, "pktps,burst,bands=type=drop,rate=100,burst_size=100"));
    ck_assert_ok(ofctrl_flow_table_add_meter(
        &t, 1, "pktps,burst,bands=type=drop,burst_size=100,rate=100"));
    ck_assert_error(ofctrl_flow_table_add_meter(
                        &t, 1, "pktps,bands=type=drop,rate=5"),
                    "meter 1 (pktps,bands=type=drop,rate=5): conflicts");
    ck_assert_error(ofctrl_flow_table_add_meter(&t, 2, "pktps,bands=rate=x"),
                    "band must start with the 'type' keyword");
    ck_assert_ok(ofctrl_flow_table_add_meter(&t, 3,
                                             "kbps,bands=type=drop,rate=1000"));
    ck_assert_uint_eq(ofctrl_flow_table_count_meters(&t), 2);
    ck_assert_uint_eq(ofctrl_flow_table_count(&t), 0);
    ofctrl_flow_table_destroy(&t);
}
END_TEST

Suite *
ctl_ofctrl_suite(void)
{
    Suite *s = suite_create("ctl-ofctrl");
    TCase *tc = tcase_create("flow-table");

    tcase_add_test(tc, test_flows_are_keyed_by_table_priority_match);
    tcase_add_test(tc, test_identical_duplicate_is_ignored);
    tcase_add_test(tc, test_conflicting_duplicate_is_rejected);
    tcase_add_test(tc, test_bad_flow_is_rejected);
    tcase_add_test(tc, test_geneve_metadata_actions_parse);
    tcase_add_test(tc, test_cached_parse_gives_the_same_flows);
    tcase_add_test(tc, test_groups_are_keyed_by_id_and_compared_by_content);
    tcase_add_test(tc, test_meters_are_keyed_by_id_and_compared_by_content);
    suite_add_tcase(s, tc);
    return s;
}
