#include <config.h>

#include <string.h>

#include "lib/nb-unapplied.h"
#include "lib/osmotic-nb-idl.h"
#include "ovsdb-idl.h"
#include "tests/unit/unit-suites.h"
#include "util.h"

/* The NB tables whose rows the datapath applies (as far as the entries
 * of nb-unapplied.c do not restrict them).  A feature that lands adds its
 * tables here as it removes their entries there. */
static const char *const applied_tables[] = {
    "NB_Global", "Logical_Switch", "Logical_Switch_Port", "Connection",
    "SSL", "Color", "Flow_Class", "ACL", "Port_Group", "Address_Set",
    "Logical_Router", "Logical_Router_Port", "Logical_Router_Static_Route",
    "NAT", "Gateway_Chassis", "Rampout_Rule", "Meter", "Load_Balancer",
    "Load_Balancer_Health_Check",
    "Load_Balancer_Group", "HA_Chassis_Group", "HA_Chassis", "BFD",
};

/* Returns true if 'name' is one of applied_tables[]. */
static bool
is_applied(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(applied_tables); i++) {
        if (!strcmp(applied_tables[i], name)) {
            return true;
        }
    }
    return false;
}

/* Returns true if some entry covers rows of table 'tc' by themselves (it
 * names no column); if 'unconditional', only an entry without a
 * condition counts. */
static bool
has_table_entry(const struct ovsdb_idl_table_class *tc, bool unconditional)
{
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const struct nb_unapplied *u = &nb_unapplied_entries[i];
        if (u->table == tc && !u->column
            && (!unconditional || !u->applies)) {
            return true;
        }
    }
    return false;
}

/* A table is either applied (and then at most some of its rows are
 * listed, under a condition) or listed. */
START_TEST(test_every_table_is_applied_or_listed)
{
    for (size_t t = 0; t < NBREC_N_TABLES; t++) {
        const struct ovsdb_idl_table_class *tc = &nbrec_table_classes[t];
        if (is_applied(tc->name)) {
            ck_assert_msg(!has_table_entry(tc, true),
                          "NB table %s is applied but listed in "
                          "lib/nb-unapplied.c", tc->name);
        } else {
            ck_assert_msg(has_table_entry(tc, false),
                          "NB table %s must be listed in "
                          "lib/nb-unapplied.c or applied", tc->name);
        }
    }
}
END_TEST

/* Every entry names what it is about, and its column is one of its
 * table's. */
START_TEST(test_entries_are_consistent)
{
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const struct nb_unapplied *u = &nb_unapplied_entries[i];
        ck_assert(u->what && u->what[0]);
        if (u->column) {
            /* The column belongs to the entry's table. */
            ck_assert(u->column >= u->table->columns
                      && u->column < &u->table->columns[u->table->n_columns]);
        }
        /* A condition says what it reads, so that only writes to that
         * warn; what it reads is of the entry's table. */
        ck_assert(!u->applies || u->reads[0].column);
        for (size_t j = 0; j < ARRAY_SIZE(u->reads); j++) {
            const struct ovsdb_idl_column *c = u->reads[j].column;
            ck_assert(!c || (c >= u->table->columns
                             && c < &u->table->columns[u->table->n_columns]));
        }
    }
}
END_TEST

/* The warning's wording, which scripts may look for. */
START_TEST(test_warning_text)
{
    char *w = nb_unapplied_warning("ACLs");
    ck_assert_str_eq(w, "ACLs are stored but not applied to traffic yet");
    free(w);
}
END_TEST

/* The suite. */
Suite *
nb_unapplied_suite(void)
{
    Suite *s = suite_create("nb-unapplied");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_every_table_is_applied_or_listed);
    tcase_add_test(tc, test_entries_are_consistent);
    tcase_add_test(tc, test_warning_text);
    suite_add_tcase(s, tc);
    return s;
}
