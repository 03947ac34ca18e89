#include <config.h>

#include <string.h>

#include "northd/lflow-table.h"
#include "sha1.h"
#include "tests/unit/unit-suites.h"
#include "util.h"
#include "uuid.h"

/* The tests build owners in collecting mode, where the table does not
 * touch SB, and check what it holds. */

static struct uuid dp1, dp2, dp3, ls, ls2, lsp1, lsp2;

/* Stand-ins for owner kinds (the table only compares the pointers). */
static const int kind_switch, kind_bucket, kind_port;

/* Starts building the owner of kind 'kind', row 'uuid', index 'index'
 * whose NB table is 'nb_table'. */
static void
begin(struct lflow_table *t, const int *kind, const struct uuid *uuid,
      uint32_t index, const char *nb_table)
{
    struct lflow_owner_id id = { .kind = kind, .uuid = *uuid,
                                 .index = index };
    lflow_table_owner_begin(t, &id, nb_table);
}

/* Starts building the port owner of 'uuid'. */
static void
begin_port(struct lflow_table *t, const struct uuid *uuid)
{
    begin(t, &kind_port, uuid, 0, "Logical_Switch_Port");
}

/* Starts building the switch owner of 'uuid'. */
static void
begin_switch(struct lflow_table *t, const struct uuid *uuid)
{
    begin(t, &kind_switch, uuid, 0, "Logical_Switch");
}

/* Forgets the owner of kind 'kind', row 'uuid', index 'index'. */
static void
remove_owner(struct lflow_table *t, const int *kind, const struct uuid *uuid,
             uint32_t index)
{
    struct lflow_owner_id id = { .kind = kind, .uuid = *uuid,
                                 .index = index };
    lflow_table_owner_remove(t, &id);
}

static void
setup(void)
{
    uuid_from_string(&dp1, "00000000-0000-0000-0000-0000000000d1");
    uuid_from_string(&dp2, "00000000-0000-0000-0000-0000000000d2");
    uuid_from_string(&dp3, "00000000-0000-0000-0000-0000000000d3");
    uuid_from_string(&ls, "00000000-0000-0000-0000-000000000001");
    uuid_from_string(&ls2, "00000000-0000-0000-0000-000000000002");
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
    begin_port(t, &lsp1);
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
        begin_port(t, owners[i]);
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
    begin_port(t, &lsp1);
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 80, "reg14=1", "drop");
    lflow_table_add(t, &dp1, S_SWITCH_EGRESS_PORT_SEC, 80, "reg15=1", "drop");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 2);

    begin_port(t, &lsp1);
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
    begin_port(t, &lsp1);
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_ARP_RSP, 0, "", "next");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_n_owners(t), 1);
    begin_port(t, &lsp1);
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_n_owners(t), 0);
    ck_assert_uint_eq(lflow_table_count(t), 0);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_owner_remove_touches_only_that_owner)
{
    struct lflow_table *t = collecting_table();
    begin_switch(t, &ls);
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_L2_LKUP, 0, "", "drop");
    lflow_table_owner_end(t, NULL, NULL);
    begin_port(t, &lsp1);
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_L2_LKUP, 50,
                    "dl_dst=0a:00:00:00:00:01", "load:1->reg15[],output");
    lflow_table_add(t, &dp2, S_SWITCH_INGRESS_L2_LKUP, 50,
                    "dl_dst=0a:00:00:00:00:01", "load:1->reg15[],output");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 3);

    remove_owner(t, &kind_port, &lsp1, 0);
    ck_assert_uint_eq(lflow_table_count(t), 1);
    ck_assert_uint_eq(lflow_table_n_owners(t), 1);
    remove_owner(t, &kind_port, &lsp2, 0);
    ck_assert_uint_eq(lflow_table_count(t), 1);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_flows_differ_by_datapath_and_priority)
{
    struct lflow_table *t = collecting_table();
    begin_switch(t, &ls);
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

/* The UUID lflow_table_flow_uuid() must give, computed with printf: the
 * SHA-1 of the head ("DATAPATH PIPELINE TABLE_ID STAGE PRIORITY", DATAPATH
 * "shared" for a shared flow), match, actions and source, each followed by
 * a zero byte, as a version 5 UUID.  Rows keep their UUIDs across
 * versions only while this stays so. */
static struct uuid
reference_uuid(const struct uuid *dp, enum pipeline_stage stage,
               uint16_t priority, const char *match, const char *actions,
               const char *source)
{
    const struct pipeline_stage_info *info = pipeline_stage_info(stage);
    char *head = (dp
                  ? xasprintf(UUID_FMT" %s %u %s %u", UUID_ARGS(dp),
                              pipeline_to_string(info->pipeline),
                              info->table_id, info->name, priority)
                  : xasprintf("shared %s %u %s %u",
                              pipeline_to_string(info->pipeline),
                              info->table_id, info->name, priority));
    const char *fields[] = { head, match, actions, source };
    struct sha1_ctx ctx;
    sha1_init(&ctx);
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        sha1_update(&ctx, fields[i], strlen(fields[i]) + 1);
    }
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_final(&ctx, digest);
    free(head);
    struct uuid u;
    memcpy(&u, digest, sizeof u);
    u.parts[1] = (u.parts[1] & ~0xf000u) | 0x5000u;
    u.parts[2] = (u.parts[2] & ~0xc0000000u) | 0x80000000u;
    return u;
}

START_TEST(test_flow_uuid_is_stable)
{
    struct uuid odd;
    uuid_from_string(&odd, "fedcba98-7654-3210-0f1e-2d3c4b5a6978");
    const struct uuid *dps[] = { &dp1, &odd, NULL };
    const enum pipeline_stage stages[] = {
        S_SWITCH_INGRESS_PORT_SEC, S_SWITCH_INGRESS_L2_LKUP,
        S_SWITCH_EGRESS_PORT_SEC,
    };
    const uint16_t priorities[] = { 0, 9, 10, 100, 65535 };
    for (size_t d = 0; d < ARRAY_SIZE(dps); d++) {
        for (size_t s = 0; s < ARRAY_SIZE(stages); s++) {
            for (size_t p = 0; p < ARRAY_SIZE(priorities); p++) {
                struct uuid got;
                lflow_table_flow_uuid(dps[d], stages[s], priorities[p],
                                      "reg14=1", "next;", LSP1_SOURCE,
                                      &got);
                struct uuid want = reference_uuid(dps[d], stages[s],
                                                  priorities[p], "reg14=1",
                                                  "next;", LSP1_SOURCE);
                ck_assert(uuid_equals(&got, &want));
            }
        }
    }
}
END_TEST

START_TEST(test_collected_flow_has_no_row_yet)
{
    struct lflow_table *t = collecting_table();
    begin_port(t, &lsp1);
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 80, "reg14=1", "drop");
    lflow_table_owner_end(t, NULL, NULL);
    struct uuid u = flow_uuid(&dp1, true, 80, "reg14=1", "drop", LSP1_SOURCE);
    /* Collected only, so not yet an SB row of a desired flow; the owner's
     * source is "Logical_Switch_Port:<uuid>". */
    ck_assert(!lflow_table_has_sb_row(t, &u));
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &u), 1);
    lflow_table_destroy(t);
}
END_TEST

#define LS_SOURCE "Logical_Switch"

/* The UUID of the shared flow in ingress port security with the other
 * columns given and source "Logical_Switch". */
static struct uuid
shared_uuid(uint16_t priority, const char *match, const char *actions)
{
    struct uuid u;
    lflow_table_flow_uuid(NULL, S_SWITCH_INGRESS_PORT_SEC, priority, match,
                          actions, LS_SOURCE, &u);
    return u;
}

/* Builds the switch owner of 'owner' with the shared default flow for
 * datapath 'dp', and with the multicast-source drop too if 'drop'. */
static void
build_switch(struct lflow_table *t, const struct uuid *owner,
             const struct uuid *dp, bool drop)
{
    begin_switch(t, owner);
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_PORT_SEC, 0, "", "next;");
    if (drop) {
        lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_PORT_SEC, 100,
                               "dl_src=01:00:00:00:00:00/01:00:00:00:00:00",
                               "drop;");
    }
    lflow_table_owner_end(t, NULL, NULL);
}

START_TEST(test_shared_flow_is_one_row_for_all_datapaths)
{
    struct lflow_table *t = collecting_table();
    build_switch(t, &ls, &dp1, true);
    build_switch(t, &ls2, &dp2, true);
    /* Two shared flows, each one row for both datapaths. */
    ck_assert_uint_eq(lflow_table_count(t), 2);
    ck_assert_uint_eq(lflow_table_n_shared(t), 2);
    ck_assert_uint_eq(lflow_table_count_stage(t, S_SWITCH_INGRESS_PORT_SEC),
                      2);
    struct uuid u = shared_uuid(0, "", "next;");
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &u), 2);
    ck_assert(lflow_table_flow_has_datapath(t, &u, &dp1));
    ck_assert(lflow_table_flow_has_datapath(t, &u, &dp2));
    ck_assert(!lflow_table_flow_has_datapath(t, &u, &dp3));
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_shared_flow_uuid_from_content_only)
{
    /* The same for any datapath and any row of the owner's table, and
     * different from the same flow of one datapath. */
    struct uuid shared = shared_uuid(0, "", "next;");
    struct uuid one_dp, by_row;
    lflow_table_flow_uuid(&dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "", "next;",
                          LS_SOURCE, &one_dp);
    lflow_table_flow_uuid(NULL, S_SWITCH_INGRESS_PORT_SEC, 0, "", "next;",
                          "Logical_Switch:00000000-0000-0000-0000-"
                          "000000000001", &by_row);
    ck_assert(!uuid_equals(&shared, &one_dp));
    ck_assert(!uuid_equals(&shared, &by_row));

    struct lflow_table *t = collecting_table();
    build_switch(t, &ls, &dp1, false);
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &shared), 1);
    lflow_table_destroy(t);

    /* A new group's UUID follows from its datapaths and the salt: a
     * version 5 UUID, the same every time, another for another set or
     * salt. */
    struct uuid set12[] = { dp1, dp2 }, set13[] = { dp1, dp3 };
    struct uuid g1, g2, g3, g4;
    lflow_table_group_uuid(set12, 2, 0, &g1);
    lflow_table_group_uuid(set12, 2, 0, &g2);
    lflow_table_group_uuid(set13, 2, 0, &g3);
    lflow_table_group_uuid(set12, 2, 1, &g4);
    ck_assert(uuid_equals(&g1, &g2));
    ck_assert(!uuid_equals(&g1, &g3));
    ck_assert(!uuid_equals(&g1, &g4));
    ck_assert_uint_eq((g1.parts[1] >> 12) & 0xf, 5);
    ck_assert_uint_eq(g1.parts[2] >> 30, 2);
}
END_TEST

START_TEST(test_datapath_leaves_group_when_its_owner_drops_flow)
{
    struct lflow_table *t = collecting_table();
    build_switch(t, &ls, &dp1, true);
    build_switch(t, &ls2, &dp2, true);
    struct uuid drop = shared_uuid(100,
                                   "dl_src=01:00:00:00:00:00/"
                                   "01:00:00:00:00:00", "drop;");
    struct uuid next = shared_uuid(0, "", "next;");

    /* ls2 no longer has the drop: the flow stays, for dp1 only. */
    build_switch(t, &ls2, &dp2, false);
    ck_assert_uint_eq(lflow_table_count(t), 2);
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &drop), 1);
    ck_assert(lflow_table_flow_has_datapath(t, &drop, &dp1));
    ck_assert(!lflow_table_flow_has_datapath(t, &drop, &dp2));
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &next), 2);

    /* ls goes: the drop has no datapath left and goes with its group. */
    remove_owner(t, &kind_switch, &ls, 0);
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &drop), 0);
    ck_assert(!lflow_table_has_sb_row(t, &drop));
    ck_assert_uint_eq(lflow_table_count(t), 1);
    ck_assert_uint_eq(lflow_table_n_shared(t), 1);
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &next), 1);
    ck_assert(lflow_table_flow_has_datapath(t, &next, &dp2));

    remove_owner(t, &kind_switch, &ls2, 0);
    ck_assert_uint_eq(lflow_table_count(t), 0);
    ck_assert_uint_eq(lflow_table_n_shared(t), 0);
    ck_assert_uint_eq(lflow_table_count_stage(t, S_SWITCH_INGRESS_PORT_SEC),
                      0);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_datapath_stays_while_any_owner_wants_it)
{
    /* Two owners (of different kinds) add the same shared flow for dp1;
     * another owner adds it for dp2. */
    struct lflow_table *t = collecting_table();
    build_switch(t, &ls, &dp1, false);
    begin(t, &kind_bucket, &ls, 0, "Logical_Switch");
    lflow_table_add_shared(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "",
                           "next;");
    lflow_table_add_shared(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "",
                           "next;");
    lflow_table_owner_end(t, NULL, NULL);
    build_switch(t, &ls2, &dp2, false);
    struct uuid next = shared_uuid(0, "", "next;");
    ck_assert_uint_eq(lflow_table_count(t), 1);
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &next), 2);
    ck_assert_uint_eq(lflow_table_n_owners(t), 3);

    remove_owner(t, &kind_switch, &ls, 0);
    ck_assert(lflow_table_flow_has_datapath(t, &next, &dp1));
    remove_owner(t, &kind_bucket, &ls, 0);
    ck_assert(!lflow_table_flow_has_datapath(t, &next, &dp1));
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &next), 1);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_rebuild_with_same_flows_changes_nothing)
{
    struct lflow_table *t = collecting_table();
    build_switch(t, &ls, &dp1, true);
    build_switch(t, &ls2, &dp2, true);
    uint64_t adds = lflow_table_n_adds(t);
    build_switch(t, &ls, &dp1, true);
    ck_assert_uint_eq(lflow_table_n_adds(t), adds + 2);
    ck_assert_uint_eq(lflow_table_count(t), 2);
    ck_assert_uint_eq(lflow_table_n_shared(t), 2);
    struct uuid next = shared_uuid(0, "", "next;");
    ck_assert_uint_eq(lflow_table_flow_n_datapaths(t, &next), 2);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_shared_and_one_datapath_flows_differ)
{
    /* The same content shared and of one datapath: two rows; only the
     * shared one has a group. */
    struct lflow_table *t = collecting_table();
    begin_switch(t, &ls);
    lflow_table_add_shared(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "",
                           "next;");
    lflow_table_add(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 0, "", "next;");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_count(t), 2);
    ck_assert_uint_eq(lflow_table_n_shared(t), 1);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_owners_differ_by_kind_and_index)
{
    /* The switch owner and two bucket owners of one switch are separate:
     * rebuilding or removing one leaves the others' flows. */
    struct lflow_table *t = collecting_table();
    build_switch(t, &ls, &dp1, false);
    for (uint32_t b = 0; b < 2; b++) {
        begin(t, &kind_bucket, &ls, b, "Logical_Switch");
        lflow_table_add_format(t, &dp1, S_SWITCH_INGRESS_PORT_SEC, 90,
                               "next;", "reg14=%"PRIu32, 16 * b + 1);
        lflow_table_owner_end(t, NULL, NULL);
    }
    ck_assert_uint_eq(lflow_table_n_owners(t), 3);
    ck_assert_uint_eq(lflow_table_count(t), 3);
    begin(t, &kind_bucket, &ls, 1, "Logical_Switch");
    lflow_table_owner_end(t, NULL, NULL);
    ck_assert_uint_eq(lflow_table_n_owners(t), 2);
    ck_assert_uint_eq(lflow_table_count(t), 2);
    remove_owner(t, &kind_bucket, &ls, 0);
    ck_assert_uint_eq(lflow_table_count(t), 1);
    ck_assert_uint_eq(lflow_table_n_shared(t), 1);
    lflow_table_destroy(t);
}
END_TEST

START_TEST(test_owner_set)
{
    struct lflow_owner_set set;
    lflow_owner_set_init(&set);
    struct lflow_owner_id a = { .kind = &kind_port, .uuid = lsp1 };
    struct lflow_owner_id b = { .kind = &kind_bucket, .uuid = lsp1 };
    struct lflow_owner_id c = { .kind = &kind_bucket, .uuid = lsp1,
                                .index = 1 };
    ck_assert(lflow_owner_set_add(&set, &a));
    ck_assert(!lflow_owner_set_add(&set, &a));
    ck_assert(lflow_owner_set_add(&set, &b));
    ck_assert(lflow_owner_set_add(&set, &c));
    ck_assert_uint_eq(lflow_owner_set_count(&set), 3);
    ck_assert(lflow_owner_set_contains(&set, &c));
    lflow_owner_set_destroy(&set);
    lflow_owner_set_destroy(NULL);
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
    tcase_add_test(tc, test_flow_uuid_is_stable);
    tcase_add_test(tc, test_collected_flow_has_no_row_yet);
    tcase_add_test(tc, test_flows_differ_by_datapath_and_priority);
    tcase_add_test(tc, test_shared_flow_is_one_row_for_all_datapaths);
    tcase_add_test(tc, test_shared_flow_uuid_from_content_only);
    tcase_add_test(tc, test_datapath_leaves_group_when_its_owner_drops_flow);
    tcase_add_test(tc, test_datapath_stays_while_any_owner_wants_it);
    tcase_add_test(tc, test_rebuild_with_same_flows_changes_nothing);
    tcase_add_test(tc, test_shared_and_one_datapath_flows_differ);
    tcase_add_test(tc, test_owners_differ_by_kind_and_index);
    tcase_add_test(tc, test_owner_set);
    suite_add_tcase(s, tc);
    return s;
}
