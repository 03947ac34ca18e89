/*
 * The change index: which owners of logical flows depend on which NB rows
 * other than their own.
 *
 * An owner (lflow-table.h) is rebuilt when its own NB row changes; the
 * owner kinds (owners.h) know that much.  But an owner's flows may also
 * depend on rows it only reads: the switch port of a router port reads
 * the router port it names, an ACL will read the address sets and port
 * groups its match names, a load balancer's flows the datapaths that use
 * it.  While an owner is built, it declares each such row here, by UUID
 * (a row it read) or by name (a row it looked for by name, found or not,
 * so that a row created later under that name finds it):
 *
 *     change_index_owner_begin(ci, &id);         (forgets the old ones)
 *     change_index_add_row(ci, &nbrec_table_logical_router_port, &uuid);
 *     change_index_add_name(ci, &nbrec_table_logical_router_port, "lrp0");
 *     change_index_owner_end(ci);
 *
 * When NB rows change, change_index_find_row() and
 * change_index_find_name() give the owners to rebuild: exactly those that
 * read the row, or looked for its name (the new name of a renamed row; an
 * owner that found it under the old name has it by UUID).
 *
 * An owner whose flows depend on every row of a table (the flow classes
 * that colour every switch) declares the table itself with
 * change_index_add_table(): any change in it, a row created included,
 * finds the owner through change_index_find_table().
 *
 * Tables are named by their IDL table class, so the index is generic: a
 * feature declares new dependencies without any change here.  Ownership:
 * the index copies what it is given; lookups add to a caller's
 * "struct lflow_owner_set".
 */
#ifndef NORTHD_CHANGE_INDEX_H
#define NORTHD_CHANGE_INDEX_H 1

#include <stddef.h>

struct lflow_owner_id;
struct lflow_owner_set;
struct ovsdb_idl_table_class;
struct uuid;

struct change_index *change_index_create(void);
void change_index_destroy(struct change_index *);
void change_index_clear(struct change_index *);

void change_index_owner_begin(struct change_index *,
                              const struct lflow_owner_id *);
void change_index_add_row(struct change_index *,
                          const struct ovsdb_idl_table_class *,
                          const struct uuid *);
void change_index_add_name(struct change_index *,
                           const struct ovsdb_idl_table_class *,
                           const char *name);
void change_index_add_table(struct change_index *,
                            const struct ovsdb_idl_table_class *);
void change_index_owner_end(struct change_index *);
void change_index_owner_remove(struct change_index *,
                               const struct lflow_owner_id *);

void change_index_find_row(const struct change_index *,
                           const struct ovsdb_idl_table_class *,
                           const struct uuid *, struct lflow_owner_set *);
void change_index_find_name(const struct change_index *,
                            const struct ovsdb_idl_table_class *,
                            const char *name, struct lflow_owner_set *);
void change_index_find_table(const struct change_index *,
                             const struct ovsdb_idl_table_class *,
                             struct lflow_owner_set *);

size_t change_index_n_owners(const struct change_index *);
size_t change_index_n_keys(const struct change_index *);

#endif /* northd/change-index.h */
