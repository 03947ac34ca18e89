#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "controller/desired.h"
#include "controller/ofctrl-flow.h"
#include "byte-order.h"
#include "uuid.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"

/* Owners for the tests. */
static const struct uuid owner_a = { .parts = { 1, 0, 0, 1 } };
static const struct uuid owner_b = { .parts = { 2, 0, 0, 2 } };

/* Replaces the contributions of 'owner' (a logical flow) with the flows
 * in 'flows' (NULL-terminated), which must all be accepted. */
static void
set_owner(struct desired *d, const struct uuid *owner, const char *flows[])
{
    desired_begin(d, DESIRED_LFLOW, owner);
    for (size_t i = 0; flows[i]; i++) {
        ck_assert_ok(desired_add_flow(d, owner->parts[0], flows[i]));
    }
    desired_end(d);
}

/* Returns the effective flow of the key that 'text' (a flow) has, with its
 * cookie in '*cookie', or NULL. */
static const struct ofctrl_flow *
effective(struct desired *d, const char *text, uint32_t *cookie)
{
    struct ofctrl_flow *f;
    ck_assert_ok(ofctrl_flow_parse(text, &f));
    const struct ofctrl_flow *result = NULL;
    struct desired_flow *df;
    HMAP_FOR_EACH_WITH_HASH (df, node, f->hash, &d->flows) {
        if (!strcmp(df->key, f->key)) {
            ovs_be64 c = 0;
            result = desired_flow_effective(d, df, &c);
            *cookie = ntohll(c);
        }
    }
    ofctrl_flow_unref(f);
    return result;
}

START_TEST(test_flows_are_keyed_by_table_priority_match)
{
    struct desired d;

    desired_init(&d);
    set_owner(&d, &owner_a, (const char *[]) {
            "table=10,priority=5,metadata=0x1,actions=drop",
            "table=10,priority=6,metadata=0x1,actions=drop",
            "table=11,priority=5,metadata=0x1,actions=drop",
            NULL });
    ck_assert_uint_eq(desired_count_flows(&d), 3);
    desired_destroy(&d);
}
END_TEST

START_TEST(test_identical_duplicate_is_ignored)
{
    struct desired d;

    desired_init(&d);
    desired_begin(&d, DESIRED_PORT, &owner_a);
    ck_assert_ok(desired_add_flow(&d, 1, "table=0,priority=100,"
                                  "in_port=3,actions=resubmit(,10)"));
    /* Same flow, spelled differently: the same parsed flow. */
    ck_assert_ok(desired_add_flow(&d, 1, "priority=100,table=0,"
                                  "in_port=3 actions=resubmit(,10)"));
    /* Another flow with the same key from the same owner: refused. */
    ck_assert_error(desired_add_flow(&d, 1, "table=0,priority=100,"
                                     "in_port=3,actions=drop"),
                    "conflicts");
    desired_end(&d);
    ck_assert_uint_eq(desired_count_flows(&d), 1);
    desired_destroy(&d);
}
END_TEST

START_TEST(test_bad_flow_is_rejected)
{
    struct desired d;

    desired_init(&d);
    desired_begin(&d, DESIRED_PORT, &owner_a);
    ck_assert_error(desired_add_flow(&d, 1, "table=0,priority=1,"
                                     "nosuchfield=1,actions=drop"),
                    "nosuchfield");
    ck_assert_error(desired_add_flow(&d, 1, "table=0,actions=bogus"),
                    "bogus");
    desired_end(&d);
    ck_assert_uint_eq(desired_count_flows(&d), 0);
    ck_assert(!desired_has_owner(&d, DESIRED_PORT, &owner_a));
    desired_destroy(&d);
    desired_destroy(NULL);
}
END_TEST

START_TEST(test_rebuild_marks_only_changed_keys)
{
    struct desired d;

    desired_init(&d);
    set_owner(&d, &owner_a, (const char *[]) {
            "table=10,priority=5,metadata=0x1,actions=drop",
            "table=10,priority=6,metadata=0x1,actions=drop",
            NULL });
    desired_clear_dirty(&d);
    unsigned long long int parsed = d.n_parsed;

    /* Rebuilt with one flow the same, one changed, one new. */
    set_owner(&d, &owner_a, (const char *[]) {
            "table=10,priority=5,metadata=0x1,actions=drop",
            "table=10,priority=6,metadata=0x1,actions=resubmit(,11)",
            "table=10,priority=7,metadata=0x1,actions=drop",
            NULL });
    ck_assert_uint_eq(hmapx_count(&d.dirty), 2);
    /* The unchanged text was not parsed again. */
    ck_assert_uint_eq(d.n_parsed, parsed + 2);
    desired_clear_dirty(&d);

    /* Removing the owner marks its three keys, which then go. */
    desired_remove(&d, DESIRED_LFLOW, &owner_a);
    ck_assert_uint_eq(hmapx_count(&d.dirty), 3);
    ck_assert_uint_eq(desired_count_flows(&d), 0);
    desired_clear_dirty(&d);
    ck_assert(hmap_is_empty(&d.flows));
    /* Their parsed flows, and the one the rebuild replaced, stay cached
     * until the end of the pass. */
    ck_assert_uint_eq(hmap_count(&d.cache), 4);
    desired_forget_unused(&d);
    ck_assert(hmap_is_empty(&d.cache));
    desired_destroy(&d);
}
END_TEST

/* A logical flow replaced by one with another UUID (another owner) and
 * mostly the same OpenFlow flows, in one pass: the successor finds the
 * flows its predecessor had parsed. */
START_TEST(test_replaced_owner_reuses_parsed_flows)
{
    struct desired d;

    desired_init(&d);
    set_owner(&d, &owner_a, (const char *[]) {
            "table=10,priority=5,metadata=0x1,reg14=1,actions=drop",
            "table=10,priority=5,metadata=0x1,reg14=2,actions=drop",
            NULL });
    desired_clear_dirty(&d);
    desired_forget_unused(&d);
    unsigned long long int parsed = d.n_parsed;

    desired_remove(&d, DESIRED_LFLOW, &owner_a);
    set_owner(&d, &owner_b, (const char *[]) {
            "table=10,priority=5,metadata=0x1,reg14=1,actions=drop",
            "table=10,priority=5,metadata=0x1,reg14=2,actions=drop",
            "table=10,priority=5,metadata=0x1,reg14=3,actions=drop",
            NULL });
    ck_assert_uint_eq(d.n_parsed, parsed + 1);
    ck_assert_uint_eq(desired_count_flows(&d), 3);
    desired_forget_unused(&d);
    ck_assert_uint_eq(hmap_count(&d.cache), 3);

    /* Gone for good once the pass ended: parsed again. */
    desired_remove(&d, DESIRED_LFLOW, &owner_b);
    desired_forget_unused(&d);
    ck_assert(hmap_is_empty(&d.cache));
    set_owner(&d, &owner_a, (const char *[]) {
            "table=10,priority=5,metadata=0x1,reg14=1,actions=drop",
            NULL });
    ck_assert_uint_eq(d.n_parsed, parsed + 2);
    desired_destroy(&d);
}
END_TEST

START_TEST(test_conjunctions_of_two_owners_merge)
{
    struct desired d;
    uint32_t cookie;

    desired_init(&d);
    /* Two logical flows' conjunctive matches share the term
     * nw_src=10.0.0.1 at one priority. */
    set_owner(&d, &owner_a, (const char *[]) {
            "table=13,priority=100,ip,nw_src=10.0.0.1,"
            "actions=conjunction(7,1/2)",
            NULL });
    set_owner(&d, &owner_b, (const char *[]) {
            "table=13,priority=100,ip,nw_src=10.0.0.1,"
            "actions=conjunction(9,1/2)",
            NULL });
    const struct ofctrl_flow *f = effective(
        &d, "table=13,priority=100,ip,nw_src=10.0.0.1,actions=drop", &cookie);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->actions, "conjunction(7,1/2),conjunction(9,1/2)");
    ck_assert_uint_eq(cookie, owner_a.parts[0]);

    /* Deleting one leaves the other's clause. */
    desired_remove(&d, DESIRED_LFLOW, &owner_a);
    f = effective(&d, "table=13,priority=100,ip,nw_src=10.0.0.1,actions=drop",
                  &cookie);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->actions, "conjunction(9,1/2)");
    ck_assert_uint_eq(cookie, owner_b.parts[0]);
    desired_destroy(&d);
}
END_TEST

START_TEST(test_conflict_between_owners_is_deterministic)
{
    struct desired d1, d2;
    uint32_t cookie;
    const char *a[] = { "table=22,priority=50,dl_dst=0a:00:00:00:00:01,"
                        "actions=load:1->reg15[],resubmit(,30)", NULL };
    const char *b[] = { "table=22,priority=50,dl_dst=0a:00:00:00:00:01,"
                        "actions=load:2->reg15[],resubmit(,30)", NULL };

    /* Whatever the order the owners come in, the smaller owner wins. */
    desired_init(&d1);
    set_owner(&d1, &owner_a, a);
    set_owner(&d1, &owner_b, b);
    desired_init(&d2);
    set_owner(&d2, &owner_b, b);
    set_owner(&d2, &owner_a, a);
    const struct ofctrl_flow *f1 = effective(&d1, a[0], &cookie);
    ck_assert_uint_eq(cookie, owner_a.parts[0]);
    const struct ofctrl_flow *f2 = effective(&d2, a[0], &cookie);
    ck_assert_uint_eq(cookie, owner_a.parts[0]);
    ck_assert_str_eq(f1->actions, f2->actions);
    ck_assert_str_eq(f1->actions, "set_field:0x1->reg15,resubmit(,30)");
    desired_destroy(&d1);
    desired_destroy(&d2);
}
END_TEST

START_TEST(test_sweep_removes_owners_not_rebuilt)
{
    struct desired d;

    desired_init(&d);
    set_owner(&d, &owner_a, (const char *[]) {
            "table=10,priority=5,metadata=0x1,actions=drop", NULL });
    set_owner(&d, &owner_b, (const char *[]) {
            "table=10,priority=6,metadata=0x1,actions=drop", NULL });
    desired_begin(&d, DESIRED_PORT, &owner_a);
    ck_assert_ok(desired_add_flow(&d, 0, "table=0,priority=0,actions=drop"));
    desired_end(&d);

    desired_sweep_begin(&d, DESIRED_KIND_BIT(DESIRED_LFLOW));
    set_owner(&d, &owner_b, (const char *[]) {
            "table=10,priority=6,metadata=0x1,actions=drop", NULL });
    desired_sweep_end(&d, DESIRED_KIND_BIT(DESIRED_LFLOW));
    /* owner_a's logical flow went; the port of the same UUID stays. */
    ck_assert(!desired_has_owner(&d, DESIRED_LFLOW, &owner_a));
    ck_assert(desired_has_owner(&d, DESIRED_LFLOW, &owner_b));
    ck_assert(desired_has_owner(&d, DESIRED_PORT, &owner_a));
    ck_assert_uint_eq(desired_count_flows(&d), 2);
    desired_destroy(&d);
}
END_TEST

START_TEST(test_groups_are_keyed_by_id_and_shared)
{
    struct desired d;
    const char *spec = "type=select,bucket=actions=resubmit(,20),"
                       "bucket=actions=resubmit(,21)";

    desired_init(&d);
    desired_begin(&d, DESIRED_LFLOW, &owner_a);
    ck_assert_ok(desired_add_group(&d, 5, spec));
    /* The same group, written differently. */
    ck_assert_ok(desired_add_group(
                     &d, 5, "type=select,bucket=weight:1,"
                     "actions=resubmit(,20),bucket=actions=resubmit(,21)"));
    ck_assert_error(desired_add_group(
                        &d, 5, "type=select,bucket=actions=resubmit(,22)"),
                    "group 5 (type=select,bucket=actions=resubmit(,22)): "
                    "conflicts with");
    ck_assert_error(desired_add_group(&d, 6, "type=bogus"), "bogus");
    ck_assert_error(desired_add_group(
                        &d, 7, "type=select,bucket=actions=nosuchaction"),
                    "nosuchaction");
    desired_end(&d);
    desired_begin(&d, DESIRED_LFLOW, &owner_b);
    ck_assert_ok(desired_add_group(&d, 5, spec));
    desired_end(&d);
    ck_assert_uint_eq(hmap_count(&d.groups), 1);
    ck_assert_str_eq(desired_find_group(&d, 5), spec);
    ck_assert_ptr_null(desired_find_group(&d, 6));

    /* The group stays while an owner uses it. */
    desired_remove(&d, DESIRED_LFLOW, &owner_a);
    ck_assert_str_eq(desired_find_group(&d, 5), spec);
    desired_remove(&d, DESIRED_LFLOW, &owner_b);
    ck_assert_ptr_null(desired_find_group(&d, 5));
    desired_destroy(&d);
}
END_TEST

START_TEST(test_meters_are_keyed_by_id_and_compared_by_content)
{
    struct desired d;

    desired_init(&d);
    desired_begin(&d, DESIRED_STATIC, &UUID_ZERO);
    ck_assert_ok(desired_add_meter(
        &d, 1, "pktps,burst,bands=type=drop,rate=100,burst_size=100"));
    ck_assert_ok(desired_add_meter(
        &d, 1, "pktps,burst,bands=type=drop,burst_size=100,rate=100"));
    ck_assert_error(desired_add_meter(&d, 1, "pktps,bands=type=drop,rate=5"),
                    "meter 1 (pktps,bands=type=drop,rate=5): conflicts");
    ck_assert_error(desired_add_meter(&d, 2, "pktps,bands=rate=x"),
                    "band must start with the 'type' keyword");
    ck_assert_ok(desired_add_meter(&d, 3, "kbps,bands=type=drop,rate=1000"));
    desired_end(&d);
    ck_assert_uint_eq(hmap_count(&d.meters), 2);
    ck_assert_uint_eq(desired_count_flows(&d), 0);
    desired_destroy(&d);
}
END_TEST

Suite *
ctl_ofctrl_suite(void)
{
    Suite *s = suite_create("ctl-ofctrl");
    TCase *tc = tcase_create("desired");

    tcase_add_test(tc, test_flows_are_keyed_by_table_priority_match);
    tcase_add_test(tc, test_identical_duplicate_is_ignored);
    tcase_add_test(tc, test_bad_flow_is_rejected);
    tcase_add_test(tc, test_rebuild_marks_only_changed_keys);
    tcase_add_test(tc, test_replaced_owner_reuses_parsed_flows);
    tcase_add_test(tc, test_conjunctions_of_two_owners_merge);
    tcase_add_test(tc, test_conflict_between_owners_is_deterministic);
    tcase_add_test(tc, test_sweep_removes_owners_not_rebuilt);
    tcase_add_test(tc, test_groups_are_keyed_by_id_and_shared);
    tcase_add_test(tc, test_meters_are_keyed_by_id_and_compared_by_content);
    suite_add_tcase(s, tc);
    return s;
}
