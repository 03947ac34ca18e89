#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "controller/lflow.h"
#include "controller/local-datapaths.h"
#include "controller/desired.h"
#include "uuid.h"
#include "controller/pinctrl.h"
#include "lib/logical-actions.h"
#include "lib/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"

/* Asserts that logical actions 'ACTIONS' of a flow in stage 'TABLE' of
 * the ingress pipeline of 'LD' encode as 'EXPECTED'. */
#define ck_assert_encodes(LD, TABLE, ACTIONS, EXPECTED)                 \
    do {                                                                \
        struct ds s_ = DS_EMPTY_INITIALIZER;                            \
        char *e_ = lflow_encode_actions(ACTIONS, LD, P_INGRESS, TABLE,  \
                                        NULL, 0, &s_);                  \
        ck_assert_msg(!e_, "%s", e_);                                   \
        ck_assert_str_eq(ds_cstr(&s_), EXPECTED);                       \
        ds_destroy(&s_);                                                \
    } while (0)

START_TEST(test_next_goes_to_the_next_stage_of_the_type)
{
    struct local_datapath ld;

    memset(&ld, 0, sizeof ld);
    ld.type = DP_SWITCH;
    ld.stages[P_INGRESS] = (1u << 0) | (1u << 10) | (1u << 12);
    /* Whether or not the next stage has flows: ls_in_hairpin_check (1)
     * has none here, and a skip flow there goes on. */
    ck_assert_encodes(&ld, 0, "next;", "resubmit(,11)");
    ck_assert_encodes(&ld, 10, "next;", "resubmit(,22)");
    ck_assert_encodes(&ld, 12, "next;", "resubmit(,30)");
    ck_assert_encodes(&ld, 10, "next(ls_in_arp_rsp);", "resubmit(,20)");
    ck_assert_encodes(&ld, 0, "next(ls_in_acl);", "resubmit(,13)");
    ck_assert_encodes(&ld, 0, "outport = 2; output;",
                      "load:2->reg15[],resubmit(,30)");
    /* The same flow, whatever the other stages hold. */
    ld.stages[P_INGRESS] |= 1u << 3;
    ck_assert_encodes(&ld, 0, "next;", "resubmit(,11)");
}
END_TEST

START_TEST(test_empty_stages_get_skip_flows)
{
    struct local_datapath ld;
    struct desired d;

    memset(&ld, 0, sizeof ld);
    ld.type = DP_SWITCH;
    ld.key = 5;
    ld.stages[P_INGRESS] = (1u << 0) | (1u << 10) | (1u << 12);
    ld.stages[P_EGRESS] = 1u << 5;
    desired_init(&d);
    desired_begin(&d, DESIRED_SKIP, &UUID_ZERO);
    lflow_add_skip_flows(&ld, &d);
    /* Ingress: hairpin_check, pre_acl, acl, color, lb_aff_check, lb,
     * stateful and hairpin; egress: pre_acl and acl. */
    ck_assert_uint_eq(desired_count_flows(&d), 10);
    /* Each goes to the next stage with flows: adding the same flow again
     * is accepted as a duplicate, another target conflicts. */
    ck_assert_ok(desired_add_flow(&d, 0, "table=12,priority=0,"
                                  "metadata=0x5,actions=resubmit(,20)"));
    ck_assert_ok(desired_add_flow(&d, 0, "table=17,priority=0,"
                                  "metadata=0x5,actions=resubmit(,20)"));
    ck_assert_ok(desired_add_flow(&d, 0, "table=40,priority=0,"
                                  "metadata=0x5,actions=resubmit(,45)"));
    ck_assert_error(desired_add_flow(&d, 0, "table=13,priority=0,"
                                     "metadata=0x5,actions=resubmit(,22)"),
                    "conflicts");
    desired_end(&d);
    ck_assert_uint_eq(desired_count_flows(&d), 10);
    desired_destroy(&d);
}
END_TEST

START_TEST(test_bad_actions_are_refused)
{
    struct local_datapath ld;

    memset(&ld, 0, sizeof ld);
    ld.type = DP_SWITCH;
    struct ds s = DS_EMPTY_INITIALIZER;
    char *error = lflow_encode_actions("load:1->reg15[],next", &ld,
                                       P_INGRESS, 0, NULL, 0, &s);
    ck_assert_ptr_nonnull(error);
    free(error);
    ds_clear(&s);
    /* The controller has no nd_na handler yet: it refuses the actions
     * that need one rather than install a flow that does nothing. */
    error = lflow_encode_actions("nd_na { output; };", &ld, P_INGRESS, 3,
                                 NULL, 0, &s);
    ck_assert_ptr_nonnull(error);
    free(error);
    ds_destroy(&s);
}
END_TEST

START_TEST(test_handlers_agree_with_the_trace)
{
    /* The trace encodes packet-ins from lact_pin_meter_id(), the
     * controller from its handlers: they must name the same ones. */
    for (int op = 0; op < 16; op++) {
        ck_assert_uint_eq(pinctrl_meter_id(op), lact_pin_meter_id(op));
    }
    ck_assert_uint_ne(pinctrl_meter_id(LACT_PIN_LOG), 0);
}
END_TEST

START_TEST(test_select_groups_get_stable_ids)
{
    struct local_datapath ld;
    struct desired d;

    memset(&ld, 0, sizeof ld);
    ld.type = DP_SWITCH;
    ld.stages[P_INGRESS] = (1u << 7) | (1u << 12);
    desired_init(&d);
    desired_begin(&d, DESIRED_LFLOW, &UUID_ZERO);
    struct ds a = DS_EMPTY_INITIALIZER, b = DS_EMPTY_INITIALIZER;
    ck_assert_ptr_null(lflow_encode_actions("reg0 = select(1, 2);", &ld,
                                            P_INGRESS, 7, &d, 0, &a));
    /* The same buckets share the group; other buckets get another. */
    ck_assert_ptr_null(lflow_encode_actions("reg0 = select(1, 2);", &ld,
                                            P_INGRESS, 7, &d, 0, &b));
    ck_assert_str_eq(ds_cstr(&a), ds_cstr(&b));
    ck_assert_uint_eq(hmap_count(&d.groups), 1);
    ds_clear(&b);
    ck_assert_ptr_null(lflow_encode_actions("reg0 = select(1, 3);", &ld,
                                            P_INGRESS, 7, &d, 0, &b));
    ck_assert_str_ne(ds_cstr(&a), ds_cstr(&b));
    ck_assert_uint_eq(hmap_count(&d.groups), 2);
    desired_end(&d);

    /* Built again in the other order, each keeps its id. */
    struct desired d2;
    desired_init(&d2);
    desired_begin(&d2, DESIRED_LFLOW, &UUID_ZERO);
    struct ds b2 = DS_EMPTY_INITIALIZER, a2 = DS_EMPTY_INITIALIZER;
    ck_assert_ptr_null(lflow_encode_actions("reg0 = select(1, 3);", &ld,
                                            P_INGRESS, 7, &d2, 0, &b2));
    ck_assert_ptr_null(lflow_encode_actions("reg0 = select(1, 2);", &ld,
                                            P_INGRESS, 7, &d2, 0, &a2));
    desired_end(&d2);
    ck_assert_str_eq(ds_cstr(&a), ds_cstr(&a2));
    ck_assert_str_eq(ds_cstr(&b), ds_cstr(&b2));
    ds_destroy(&a);
    ds_destroy(&b);
    ds_destroy(&a2);
    ds_destroy(&b2);
    desired_destroy(&d);
    desired_destroy(&d2);
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

    tcase_add_test(tc, test_next_goes_to_the_next_stage_of_the_type);
    tcase_add_test(tc, test_empty_stages_get_skip_flows);
    tcase_add_test(tc, test_bad_actions_are_refused);
    tcase_add_test(tc, test_handlers_agree_with_the_trace);
    tcase_add_test(tc, test_select_groups_get_stable_ids);
    tcase_add_test(tc, test_next_skips_empty_stages);
    tcase_add_test(tc, test_empty_pipeline_goes_to_physical);
    suite_add_tcase(s, tc);
    return s;
}
