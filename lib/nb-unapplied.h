/*
 * Northbound configuration that is stored but not applied yet.
 *
 * The northbound schema holds more than the datapath does today: the NB
 * accepts and validates ACLs, routers, NAT, load balancers, colours and
 * more, while osmotic-northd compiles only switching into logical flows.
 * So that nobody believes configuration protects or steers traffic when
 * it does not, this module lists, in one table, the NB rows that nothing
 * applies yet, each with the plural noun that names it ("ACLs").  From
 * that one list:
 *
 *   - osmotic-nbctl prints one warning line per kind of such row that a
 *     transaction writes, "osmotic-nbctl: warning: ACLs are stored but
 *     not applied to traffic yet", and exits 0 all the same;
 *   - "osmotic-nbctl show" says so for each such object and kind;
 *   - osmotic-northd logs it once for each such row it sees.
 *
 * A feature that makes some of this configuration work removes its
 * entries from the table in lib/nb-unapplied.c, and with them every one
 * of those warnings.
 *
 * A row of table 'table' counts as unapplied configuration if it has a
 * non-empty 'column' (when the entry names one: an applied row that
 * refers to unapplied ones, such as a switch's ACLs) and if 'applies'
 * (when the entry has one) says so for the row.
 */
#ifndef NB_UNAPPLIED_H
#define NB_UNAPPLIED_H 1

#include <stdbool.h>
#include <stddef.h>

struct ovsdb_idl;
struct ovsdb_idl_column;
struct ovsdb_idl_row;
struct ovsdb_idl_table_class;
struct sset;

/* One kind of NB configuration that no datapath applies yet. */
/* A column (and, for a map, some of its keys) that the condition of an
 * entry reads: a write warns only if it changes one of them. */
struct nb_unapplied_read {
    const struct ovsdb_idl_column *column;
    const char *keys;           /* Space-separated map keys, or NULL for
                                 * the whole column. */
};

struct nb_unapplied {
    const struct ovsdb_idl_table_class *table; /* The NB table. */
    const struct ovsdb_idl_column *column; /* A column that must be
                                            * non-empty, or NULL. */
    bool (*applies)(const struct ovsdb_idl_row *); /* Further condition on
                                                    * a row, or NULL. */
    const char *what;           /* Plural noun for messages: "ACLs". */
    bool singular;              /* 'what' is singular ("session affinity
                                 * of ..."): "is stored", not "are". */
    struct nb_unapplied_read reads[3]; /* What 'applies' reads (required
                                        * with 'applies'). */
};

/* Every entry, and their number. */
extern const struct nb_unapplied nb_unapplied_entries[];
extern const size_t nb_n_unapplied_entries;

bool nb_unapplied_entry_names_rows(const struct nb_unapplied *);
bool nb_unapplied_row_counts(const struct nb_unapplied *,
                             const struct ovsdb_idl_row *);
char *nb_unapplied_warning(const char *what);
void nb_unapplied_in_txn(struct ovsdb_idl *, struct sset *whats);

#endif /* lib/nb-unapplied.h */
