#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "controller/lflow.h"
#include "controller/local-datapaths.h"
#include "lib/pipeline.h"
#include "tests/unit/unit-suites.h"

/* Asserts that expanding 'ACTIONS' with next table 22 and output table 30
 * gives 'EXPECTED'. */
#define ck_assert_expands(ACTIONS, EXPECTED)                            \
    do {                                                                \
        char *s_ = lflow_expand_actions(ACTIONS, 22, 30);               \
        ck_assert_str_eq(s_, EXPECTED);                                 \
        free(s_);                                                       \
    } while (0)

START_TEST(test_next_becomes_resubmit)
{
    ck_assert_expands("next", "resubmit(,22)");
    ck_assert_expands("set_field:0x1->reg15,next",
                      "set_field:0x1->reg15,resubmit(,22)");
}
END_TEST

START_TEST(test_output_becomes_resubmit)
{
    ck_assert_expands("output", "resubmit(,30)");
    ck_assert_expands("set_field:2->reg15, output",
                      "set_field:2->reg15, resubmit(,30)");
}
END_TEST

START_TEST(test_nested_pseudo_actions_expand)
{
    ck_assert_expands("clone(set_field:1->reg15,output),next",
                      "clone(set_field:1->reg15,resubmit(,30)),"
                      "resubmit(,22)");
}
END_TEST

START_TEST(test_real_actions_are_kept)
{
    ck_assert_expands("output:5", "output:5");
    ck_assert_expands("drop", "drop");
    ck_assert_expands("", "");
    ck_assert_expands("nextish,outputs", "nextish,outputs");
    ck_assert_expands("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
                      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]");
}
END_TEST

START_TEST(test_next_skips_empty_stages)
{
    struct local_datapath ld;

    memset(&ld, 0, sizeof ld);
    ld.stages[P_INGRESS] = (1u << 0) | (1u << 12);
    ld.stages[P_EGRESS] = 1u << 5;

    ck_assert_uint_eq(local_datapath_next_oftable(&ld, P_INGRESS, -1), 10);
    ck_assert_uint_eq(local_datapath_next_oftable(&ld, P_INGRESS, 0), 22);
    ck_assert_uint_eq(local_datapath_next_oftable(&ld, P_INGRESS, 12),
                      OFTABLE_PHY_OUT_REMOTE);
    ck_assert_uint_eq(local_datapath_next_oftable(&ld, P_EGRESS, -1), 45);
    ck_assert_uint_eq(local_datapath_next_oftable(&ld, P_EGRESS, 5),
                      OFTABLE_PHY_DELIVER);
}
END_TEST

START_TEST(test_empty_pipeline_goes_to_physical)
{
    ck_assert_uint_eq(local_datapath_next_oftable(NULL, P_INGRESS, -1),
                      OFTABLE_PHY_OUT_REMOTE);
    ck_assert_uint_eq(local_datapath_next_oftable(NULL, P_EGRESS, -1),
                      OFTABLE_PHY_DELIVER);
}
END_TEST

Suite *
ctl_lflow_suite(void)
{
    Suite *s = suite_create("ctl-lflow");
    TCase *tc = tcase_create("lflow");

    tcase_add_test(tc, test_next_becomes_resubmit);
    tcase_add_test(tc, test_output_becomes_resubmit);
    tcase_add_test(tc, test_nested_pseudo_actions_expand);
    tcase_add_test(tc, test_real_actions_are_kept);
    tcase_add_test(tc, test_next_skips_empty_stages);
    tcase_add_test(tc, test_empty_pipeline_goes_to_physical);
    suite_add_tcase(s, tc);
    return s;
}
