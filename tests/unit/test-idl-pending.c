#include <config.h>

#include "lib/idl-pending.h"
#include "lib/osmotic-nb-idl.h"
#include "tests/unit/unit-suites.h"

#include "ovsdb-data.h"
#include "ovsdb-idl.h"

/* An IDL that never connects, with a transaction open on it. */
struct fixture {
    struct ovsdb_idl *idl;
    struct ovsdb_idl_txn *txn;
};

/* Creates the IDL and its transaction. */
static void
fixture_init(struct fixture *f)
{
    f->idl = ovsdb_idl_create("unix:/nonexistent/osmotic-nb.sock",
                              &nbrec_idl_class, true, false);
    f->txn = ovsdb_idl_txn_create(f->idl);
}

/* Abandons the transaction and destroys the IDL. */
static void
fixture_destroy(struct fixture *f)
{
    ovsdb_idl_txn_destroy(f->txn);
    ovsdb_idl_destroy(f->idl);
}

/* Returns the number of ports of 'ls' with its pending mutations. */
static size_t
n_pending_ports(const struct nbrec_logical_switch *ls)
{
    struct ovsdb_datum datum;
    idl_pending_read_set(&ls->header_, &nbrec_logical_switch_col_ports,
                         &datum);
    size_t n = datum.n;
    ovsdb_datum_destroy(&datum, &nbrec_logical_switch_col_ports.type);
    return n;
}

START_TEST(test_inserted_value_is_seen_before_commit)
{
    struct fixture f;
    fixture_init(&f);
    struct nbrec_logical_switch *ls = nbrec_logical_switch_insert(f.txn);
    struct nbrec_logical_switch_port *p1
        = nbrec_logical_switch_port_insert(f.txn);
    nbrec_logical_switch_update_ports_addvalue(ls, p1);

    /* The row itself does not show the mutation... */
    ck_assert_uint_eq(ls->n_ports, 0);
    /* ...the pending read does. */
    ck_assert_uint_eq(n_pending_ports(ls), 1);
    ck_assert(idl_pending_set_has_uuid(&ls->header_,
                                       &nbrec_logical_switch_col_ports,
                                       &p1->header_.uuid));
    fixture_destroy(&f);
}
END_TEST

START_TEST(test_delete_cancels_insert)
{
    struct fixture f;
    fixture_init(&f);
    struct nbrec_logical_switch *ls = nbrec_logical_switch_insert(f.txn);
    struct nbrec_logical_switch_port *p1
        = nbrec_logical_switch_port_insert(f.txn);
    nbrec_logical_switch_update_ports_addvalue(ls, p1);
    nbrec_logical_switch_update_ports_delvalue(ls, p1);
    ck_assert_uint_eq(n_pending_ports(ls), 0);
    ck_assert(!idl_pending_set_has_uuid(&ls->header_,
                                        &nbrec_logical_switch_col_ports,
                                        &p1->header_.uuid));
    fixture_destroy(&f);
}
END_TEST

START_TEST(test_mutations_apply_to_written_value)
{
    struct fixture f;
    fixture_init(&f);
    struct nbrec_logical_switch *ls = nbrec_logical_switch_insert(f.txn);
    struct nbrec_logical_switch_port *p1
        = nbrec_logical_switch_port_insert(f.txn);
    struct nbrec_logical_switch_port *p2
        = nbrec_logical_switch_port_insert(f.txn);
    struct nbrec_logical_switch_port *p3
        = nbrec_logical_switch_port_insert(f.txn);
    struct nbrec_logical_switch_port *ports[] = { p1, p2 };
    nbrec_logical_switch_set_ports(ls, ports, 2);
    nbrec_logical_switch_update_ports_addvalue(ls, p3);
    nbrec_logical_switch_update_ports_delvalue(ls, p1);

    ck_assert_uint_eq(n_pending_ports(ls), 2);
    const struct ovsdb_idl_column *col = &nbrec_logical_switch_col_ports;
    ck_assert(!idl_pending_set_has_uuid(&ls->header_, col,
                                        &p1->header_.uuid));
    ck_assert(idl_pending_set_has_uuid(&ls->header_, col,
                                       &p2->header_.uuid));
    ck_assert(idl_pending_set_has_uuid(&ls->header_, col,
                                       &p3->header_.uuid));
    fixture_destroy(&f);
}
END_TEST

START_TEST(test_untouched_column_reads_as_stored)
{
    struct fixture f;
    fixture_init(&f);
    struct nbrec_logical_switch *ls = nbrec_logical_switch_insert(f.txn);
    struct nbrec_logical_switch_port *p1
        = nbrec_logical_switch_port_insert(f.txn);
    struct nbrec_load_balancer *lb = nbrec_load_balancer_insert(f.txn);
    nbrec_logical_switch_update_load_balancer_addvalue(ls, lb);
    ck_assert_uint_eq(n_pending_ports(ls), 0);
    ck_assert(!idl_pending_set_has_uuid(&ls->header_,
                                        &nbrec_logical_switch_col_ports,
                                        &p1->header_.uuid));
    fixture_destroy(&f);
}
END_TEST

Suite *
idl_pending_suite(void)
{
    Suite *s = suite_create("idl-pending");
    TCase *tc = tcase_create("idl-pending");
    tcase_add_test(tc, test_inserted_value_is_seen_before_commit);
    tcase_add_test(tc, test_delete_cancels_insert);
    tcase_add_test(tc, test_mutations_apply_to_written_value);
    tcase_add_test(tc, test_untouched_column_reads_as_stored);
    suite_add_tcase(s, tc);
    return s;
}
