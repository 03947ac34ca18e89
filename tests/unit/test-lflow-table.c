#include <config.h>

#include "northd/lflow-table.h"
#include "tests/unit/unit-suites.h"
#include "util.h"
#include "uuid.h"

/* The tests build owners in collecting mode, where the table does not
 * touch SB, and check what it holds. */

static struct uuid dp1, dp2, ls, lsp1, lsp2;

static void
setup(void)
{
    uuid_from_string(&dp1, "00000000-0000-0000-0000-0000000000d1");
    uuid_from_string(&dp2, "00000000-0000-0000-0000-0000000000d2");
    uuid_from_string(&ls, "00000000-0000-0000-0000-000000000001");
    uuid_from_string(&lsp1, "00000000-0000-0000-0000-000000000011");
    uuid_from_string(&lsp2, "00000000-0000-0000-0000-000000000012");
}

static struct lflow_table *
collecting_table(void)
{
    struct lflow_table *t = lflow_table_create();
    lflow_table_set_collecting(t, true);
    return t;
}

START_TEST(test_duplicate_flow_kept_once)
{
    struct lflow_table *t = collecting_table();
    lflow_table_owner_begin(t, &lsp1, "Logical_Switch_Port");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_L2_LKUP, 50,
                    "dl_dst=0a:00:00:00:00:01", "load:1->reg15[],output");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_L2_LKUP, 50,
                    "dl_dst=0a:00:00:00:00:01", "load:1->reg15[],output");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 1);
    ck_assert_uint_eq(lflow_table_count_stage(t, S_SWITCH_INGRESS_L2_LKUP), 1);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_same_flow_of_two_owners_kept_twice)
{
    struct lflow_table *t = collecting_table();
    const struct uuid *owners[] = { &lsp1, &lsp2 };
    for (int i = 0; i < 2; i++) {
        lflow_table_owner_begin(t, owners[i], "Logical_Switch_Port");
        lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "", "next");
        lflow_table_owner_end(t, NULL, NULL);
    }
    ck_assert_uint_eq(lflow_table_count(t), 2);
    ck_assert_uint_eq(lflow_table_n_owners(t), 2);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_rebuild_drops_flows_not_added_again)
{
    struct lflow_table *t = collecting_table();
    lflow_table_owner_begin(t, &lsp1, "Logical_Switch_Port");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 80, "reg14=1", "drop");
    lflow_table_add(t, &dp1, S_SWITCH_EGRESS_PORT_SEC, 80, "reg15=1", "drop");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 2);

    lflow_table_owner_begin(t, &lsp1, "Logical_Switch_Port");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 80, "reg14=1", "drop");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 1);
    ck_assert_uint_eq(lflow_table_count_stage(t, S_SWITCH_EGRESS_PORT_SEC), 0);
    ck_assert_uint_eq(lflow_table_count_stage(t, S_SWITCH_INGRESS_PORT_SEC),
                      1);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_owner_without_flows_forgotten)
{
    struct lflow_table *t = collecting_table();
    lflow_table_owner_begin(t, &lsp1, "Logical_Switch_Port");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_ARP_RSP, 0, "", "next");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_n_owners(t), 1);
    lflow_table_owner_begin(t, &lsp1, "Logical_Switch_Port");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_n_owners(t), 0);
    ck_assert_uint_eq(lflow_table_count(t), 0);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_owner_remove_touches_only_that_owner)
{
    struct lflow_table *t = collecting_table();
    lflow_table_owner_begin(t, &ls, "Logical_Switch");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_L2_LKUP, 0, "", "drop");
    lflow_table_owner_end(t, NULL, NULL);
    lflow_table_owner_begin(t, &lsp1, "Logical_Switch_Port");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_L2_LKUP, 50,
                    "dl_dst=0a:00:00:00:00:01", "load:1->reg15[],output");
    lflow_table_add(t, &dp2, S_SWITCH_INGRESS_L2_LKUP, 50,
                    "dl_dst=0a:00:00:00:00:01", "load:1->reg15[],output");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 3);

    lflow_table_owner_remove(t, &lsp1);
    ck_assert_uint_eq(lflow_table_count(t), 1);
    ck_assert_uint_eq(lflow_table_n_owners(t), 1);
    lflow_table_owner_remove(t, &lsp2);
    ck_assert_uint_eq(lflow_table_count(t), 1);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_flows_differ_by_datapath_and_priority)
{
    struct lflow_table *t = collecting_table();
    lflow_table_owner_begin(t, &ls, "Logical_Switch");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "", "next");
    lflow_table_add(t, &dp2, S_SWITCH_INGRESS_PORT_SEC, 0, "", "next");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 1, "", "next");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "", "drop");
    lflow_table_add_format(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "next",
                           "reg14=%d", 7);
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "reg14=7", "next");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 5);
    lflow_table_clear(t);
    ck_assert_uint_eq(lflow_table_count(t), 0);
    ck_assert_uint_eq(lflow_table_count_stage(t, S_SWITCH_INGRESS_PORT_SEC),
                      0);
    lflow_table_destroy(t);
    lflow_table_destroy(NULL);
}
END_TEST

#define LSP1_SOURCE \
    "Logical_Switch_Port:00000000-0000-0000-0000-000000000011"

/* The UUID of a flow in datapath 'dp', stage L2 lookup (or port security
 * with 'ps'), with the other columns given. */
static struct uuid
flow_uuid(const struct uuid *dp, bool ps, uint16_t priority,
          const char *match, const char *actions, const char *source)
{
    struct uuid u;
    lflow_table_flow_uuid(dp, (ps ? S_SWITCH_INGRESS_PORT_SEC
                               : S_SWITCH_INGRESS_L2_LKUP),
                          priority, match, actions, source, &u);
    return u;
}

START_TEST(test_flow_uuid_from_content)
{
    const char *src = LSP1_SOURCE;
    struct uuid a = flow_uuid(&dp1, false, 50, "dl_dst=0a:00:00:00:00:01",
                              "load:1->reg15[],output", src);
    struct uuid b = flow_uuid(&dp1, false, 50, "dl_dst=0a:00:00:00:00:01",
                              "load:1->reg15[],output", src);
    ck_assert(uuid_equals(&a, &b));
    /* RFC 4122 version 5, variant 10. */
    ck_assert_uint_eq((a.parts[1] >> 12) & 0xf, 5);
    ck_assert_uint_eq(a.parts[2] >> 30, 2);

    /* Each column makes a difference, also when text moves from one
     * column to the next. */
    struct uuid c[] = {
        flow_uuid(&dp2, false, 50, "m", "a", src),
        flow_uuid(&dp1, true, 50, "m", "a", src),
        flow_uuid(&dp1, false, 51, "m", "a", src),
        flow_uuid(&dp1, false, 50, "ma", "", src),
        flow_uuid(&dp1, false, 50, "m", "a", "x"),
        flow_uuid(&dp1, false, 50, "m", "a", src),
        flow_uuid(&dp1, false, 50, "", "ma", src),
    };
    for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
        for (size_t j = i + 1; j < ARRAY_SIZE(c); j++) {
            ck_assert_msg(!uuid_equals(&c[i], &c[j]), "%zu == %zu", i, j);
        }
    }
}
END_TEST

START_TEST(test_collected_flow_has_no_row_yet)
{
    struct lflow_table *t = collecting_table();
    lflow_table_owner_begin(t, &lsp1, "Logical_Switch_Port");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 80, "reg14=1", "drop");
    lflow_table_owner_end(t, NULL, NULL);
    struct uuid u = flow_uuid(&dp1, true, 80, "reg14=1", "drop", LSP1_SOURCE);
    /* Collected only, so not yet an SB row of a desired flow. */
    ck_assert(!lflow_table_has_sb_row(t, &u));
    lflow_table_destroy(t);
}
END_TEST

Suite *
lflow_table_suite(void)
{
    Suite *s = suite_create("lflow-table");
    TCase *tc = tcase_create("lflow-table");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_duplicate_flow_kept_once);
    tcase_add_test(tc, test_same_flow_of_two_owners_kept_twice);
    tcase_add_test(tc, test_rebuild_drops_flows_not_added_again);
    tcase_add_test(tc, test_owner_without_flows_forgotten);
    tcase_add_test(tc, test_owner_remove_touches_only_that_owner);
    tcase_add_test(tc, test_flow_uuid_from_content);
    tcase_add_test(tc, test_collected_flow_has_no_row_yet);
    tcase_add_test(tc, test_flows_differ_by_datapath_and_priority);
    suite_add_tcase(s, tc);
    return s;
}
