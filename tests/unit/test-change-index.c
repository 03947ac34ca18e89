#include <config.h>

#include "northd/change-index.h"
#include "northd/lflow-table.h"
#include "lib/osmotic-nb-idl.h"
#include "tests/unit/unit-suites.h"
#include "util.h"
#include "uuid.h"

/* Stand-in for an owner kind (the index only compares the pointer). */
static const int kind_port;

static struct uuid lsp1, lsp2, lrp1, lrp2;

static void
setup(void)
{
    uuid_from_string(&lsp1, "00000000-0000-0000-0000-000000000011");
    uuid_from_string(&lsp2, "00000000-0000-0000-0000-000000000012");
    uuid_from_string(&lrp1, "00000000-0000-0000-0000-000000000021");
    uuid_from_string(&lrp2, "00000000-0000-0000-0000-000000000022");
}

/* Returns the id of the port owner of 'uuid'. */
static struct lflow_owner_id
owner(const struct uuid *uuid)
{
    struct lflow_owner_id id = { .kind = &kind_port, .uuid = *uuid };
    return id;
}

#define LRP (&nbrec_table_logical_router_port)

/* Records that the port owner of 'lsp' depends on router port 'name' and,
 * unless 'row' is NULL, on row 'row'. */
static void
depend(struct change_index *ci, const struct uuid *lsp, const char *name,
       const struct uuid *row)
{
    struct lflow_owner_id id = owner(lsp);
    change_index_owner_begin(ci, &id);
    change_index_add_name(ci, LRP, name);
    if (row) {
        change_index_add_row(ci, LRP, row);
        change_index_add_row(ci, LRP, row);
    }
    change_index_owner_end(ci);
}

/* Returns the number of owners that depend on router port row 'row'. */
static size_t
n_by_row(const struct change_index *ci, const struct uuid *row)
{
    struct lflow_owner_set set;
    lflow_owner_set_init(&set);
    change_index_find_row(ci, LRP, row, &set);
    size_t n = lflow_owner_set_count(&set);
    lflow_owner_set_destroy(&set);
    return n;
}

/* Returns the number of owners that depend on router port 'name'. */
static size_t
n_by_name(const struct change_index *ci, const char *name)
{
    struct lflow_owner_set set;
    lflow_owner_set_init(&set);
    change_index_find_name(ci, LRP, name, &set);
    size_t n = lflow_owner_set_count(&set);
    lflow_owner_set_destroy(&set);
    return n;
}

START_TEST(test_rows_and_names_find_their_owners)
{
    struct change_index *ci = change_index_create();
    depend(ci, &lsp1, "lrp1", &lrp1);
    depend(ci, &lsp2, "lrp1", &lrp1);
    ck_assert_uint_eq(n_by_row(ci, &lrp1), 2);
    ck_assert_uint_eq(n_by_name(ci, "lrp1"), 2);
    ck_assert_uint_eq(n_by_row(ci, &lrp2), 0);
    ck_assert_uint_eq(n_by_name(ci, "lrp2"), 0);
    /* Another table with the same UUID is another row. */
    struct lflow_owner_set set;
    lflow_owner_set_init(&set);
    change_index_find_row(ci, &nbrec_table_logical_switch_port, &lrp1, &set);
    ck_assert_uint_eq(lflow_owner_set_count(&set), 0);
    change_index_find_row(ci, LRP, &lrp1, &set);
    ck_assert(lflow_owner_set_contains(&set, &(struct lflow_owner_id) {
                                           .kind = &kind_port,
                                           .uuid = lsp1 }));
    lflow_owner_set_destroy(&set);
    ck_assert_uint_eq(change_index_n_owners(ci), 2);
    ck_assert_uint_eq(change_index_n_keys(ci), 2);
    change_index_destroy(ci);
}
END_TEST

START_TEST(test_rebuild_replaces_dependencies)
{
    struct change_index *ci = change_index_create();
    depend(ci, &lsp1, "lrp1", &lrp1);
    /* lsp1 now names lrp2, which does not exist yet. */
    depend(ci, &lsp1, "lrp2", NULL);
    ck_assert_uint_eq(n_by_row(ci, &lrp1), 0);
    ck_assert_uint_eq(n_by_name(ci, "lrp1"), 0);
    ck_assert_uint_eq(n_by_name(ci, "lrp2"), 1);
    ck_assert_uint_eq(change_index_n_keys(ci), 1);
    /* An owner that depends on nothing is not kept. */
    struct lflow_owner_id id = owner(&lsp1);
    change_index_owner_begin(ci, &id);
    change_index_owner_end(ci);
    ck_assert_uint_eq(change_index_n_owners(ci), 0);
    ck_assert_uint_eq(change_index_n_keys(ci), 0);
    change_index_destroy(ci);
}
END_TEST

START_TEST(test_remove_and_clear)
{
    struct change_index *ci = change_index_create();
    depend(ci, &lsp1, "lrp1", &lrp1);
    depend(ci, &lsp2, "lrp1", &lrp1);
    struct lflow_owner_id id = owner(&lsp1);
    change_index_owner_remove(ci, &id);
    ck_assert_uint_eq(n_by_row(ci, &lrp1), 1);
    ck_assert_uint_eq(change_index_n_keys(ci), 2);
    change_index_clear(ci);
    ck_assert_uint_eq(n_by_row(ci, &lrp1), 0);
    ck_assert_uint_eq(change_index_n_owners(ci), 0);
    ck_assert_uint_eq(change_index_n_keys(ci), 0);
    change_index_destroy(ci);
    change_index_destroy(NULL);
}
END_TEST

Suite *
change_index_suite(void)
{
    Suite *s = suite_create("change-index");
    TCase *tc = tcase_create("change-index");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_rows_and_names_find_their_owners);
    tcase_add_test(tc, test_rebuild_replaces_dependencies);
    tcase_add_test(tc, test_remove_and_clear);
    suite_add_tcase(s, tc);
    return s;
}
