#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "controller/lflow.h"
#include "controller/local-datapaths.h"
#include "lib/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "tests/unit/unit-suites.h"

/* Asserts that logical actions 'ACTIONS' of a flow in stage 'TABLE' of
 * the ingress pipeline of 'LD' encode as 'EXPECTED'. */
#define ck_assert_encodes(LD, TABLE, ACTIONS, EXPECTED)                 \
    do {                                                                \
        struct ds s_ = DS_EMPTY_INITIALIZER;                            \
        char *e_ = lflow_encode_actions(ACTIONS, LD, P_INGRESS, TABLE,  \
                                        &s_);                           \
        ck_assert_msg(!e_, "%s", e_);                                   \
        ck_assert_str_eq(ds_cstr(&s_), EXPECTED);                       \
        ds_destroy(&s_);                                                \
    } while (0)

START_TEST(test_next_goes_to_next_stage_with_flows)
{
    struct local_datapath ld;

    memset(&ld, 0, sizeof ld);
    ld.type = DP_SWITCH;
    ld.stages[P_INGRESS] = (1u << 0) | (1u << 10) | (1u << 12);
    ck_assert_encodes(&ld, 0, "next;", "resubmit(,20)");
    ck_assert_encodes(&ld, 10, "next;", "resubmit(,22)");
    ck_assert_encodes(&ld, 12, "next;", "resubmit(,30)");
    /* next(STAGE) lands on STAGE itself when it has flows, else on the
     * first stage after it that has. */
    ck_assert_encodes(&ld, 10, "next(ls_in_arp_rsp);", "resubmit(,20)");
    ck_assert_encodes(&ld, 0, "next(ls_in_acl);", "resubmit(,20)");
    ck_assert_encodes(&ld, 0, "outport = 2; output;",
                      "load:2->reg15[],resubmit(,30)");
}
END_TEST

START_TEST(test_bad_actions_are_refused)
{
    struct local_datapath ld;

    memset(&ld, 0, sizeof ld);
    ld.type = DP_SWITCH;
    struct ds s = DS_EMPTY_INITIALIZER;
    char *error = lflow_encode_actions("load:1->reg15[],next", &ld,
                                       P_INGRESS, 0, &s);
    ck_assert_ptr_nonnull(error);
    free(error);
    ds_clear(&s);
    /* The controller has no packet-in handlers yet: it refuses the
     * actions that need one rather than install a flow that does
     * nothing. */
    error = lflow_encode_actions("reject;", &ld, P_INGRESS, 3, &s);
    ck_assert_ptr_nonnull(error);
    free(error);
    ds_destroy(&s);
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

    tcase_add_test(tc, test_next_goes_to_next_stage_with_flows);
    tcase_add_test(tc, test_bad_actions_are_refused);
    tcase_add_test(tc, test_next_skips_empty_stages);
    tcase_add_test(tc, test_empty_pipeline_goes_to_physical);
    suite_add_tcase(s, tc);
    return s;
}
