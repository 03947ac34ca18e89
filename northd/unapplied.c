#include <config.h>

#include "northd/unapplied.h"

#include <string.h>

#include "lib/nb-unapplied.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(unapplied);

/* Initializes 'u' with nothing logged. */
void
nd_unapplied_init(struct nd_unapplied *u)
{
    u->logged = xmalloc(nb_n_unapplied_entries * sizeof *u->logged);
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        uuidset_init(&u->logged[i]);
    }
    u->seqno = 0;
    u->full = true;
}

/* Makes the next nd_unapplied_run() look at every row: the caller has
 * cleared the NB IDL's tracked changes without a run, or the replica was
 * replaced. */
void
nd_unapplied_resync(struct nd_unapplied *u)
{
    u->full = true;
}

/* Frees what 'u' holds.  Accepts NULL. */
void
nd_unapplied_destroy(struct nd_unapplied *u)
{
    if (u) {
        for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
            uuidset_destroy(&u->logged[i]);
        }
        free(u->logged);
    }
}

/* Logs that 'row' (of the table of entry 'entry') is stored but not
 * applied, naming the row by its "name" column if it has one. */
static void
log_row(const struct nb_unapplied *entry, const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = entry->table;
    const char *name = NULL;
    for (size_t i = 0; i < tc->n_columns; i++) {
        if (!strcmp(tc->columns[i].name, "name")) {
            const struct ovsdb_datum *d = ovsdb_idl_read(row,
                                                         &tc->columns[i]);
            if (d->n == 1 && d->keys[0].s->string[0]) {
                name = d->keys[0].s->string;
            }
        }
    }
    char *warning = nb_unapplied_warning(entry->what);
    if (name) {
        VLOG_WARN("%s %s: %s", tc->name, name, warning);
    } else {
        VLOG_WARN("%s "UUID_FMT": %s", tc->name, UUID_ARGS(&row->uuid),
                  warning);
    }
    free(warning);
}

/* Looks at every row of every entry's table: logs those not logged yet,
 * and forgets the rows that are gone or no longer count. */
static void
nd_unapplied_scan_all(struct nd_unapplied *u, struct ovsdb_idl *nb_idl)
{
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const struct nb_unapplied *entry = &nb_unapplied_entries[i];
        if (!nb_unapplied_entry_names_rows(entry)) {
            continue;
        }
        struct uuidset present = UUIDSET_INITIALIZER(&present);
        for (const struct ovsdb_idl_row *row
                 = ovsdb_idl_first_row(nb_idl, entry->table);
             row; row = ovsdb_idl_next_row(row)) {
            if (nb_unapplied_row_counts(entry, row)) {
                if (!uuidset_contains(&u->logged[i], &row->uuid)) {
                    log_row(entry, row);
                }
                uuidset_insert(&present, &row->uuid);
            }
        }
        hmap_swap(&u->logged[i].uuids, &present.uuids);
        uuidset_destroy(&present);
    }
}

/* Logs, once per row, every row of 'nb_idl' that nb-unapplied.c lists as
 * configuration nothing applies yet (as nb_unapplied_entry_names_rows()
 * picks them). */
void
nd_unapplied_run(struct nd_unapplied *u, struct ovsdb_idl *nb_idl)
{
    unsigned int seqno = ovsdb_idl_get_seqno(nb_idl);
    if (seqno == u->seqno) {
        return;
    }
    u->seqno = seqno;

    if (u->full) {
        nd_unapplied_scan_all(u, nb_idl);
        u->full = false;
        return;
    }
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const struct nb_unapplied *entry = &nb_unapplied_entries[i];
        if (!nb_unapplied_entry_names_rows(entry)) {
            continue;
        }
        for (const struct ovsdb_idl_row *row
                 = ovsdb_idl_track_get_first(nb_idl, entry->table);
             row; row = ovsdb_idl_track_get_next(row)) {
            if (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE) > 0
                || !nb_unapplied_row_counts(entry, row)) {
                uuidset_find_and_delete(&u->logged[i], &row->uuid);
            } else if (!uuidset_contains(&u->logged[i], &row->uuid)) {
                log_row(entry, row);
                uuidset_insert(&u->logged[i], &row->uuid);
            }
        }
    }
}
