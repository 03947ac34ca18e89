/*
 * Reading set columns as an open IDL transaction will leave them.
 *
 * A transaction that changes a set column through partial updates (the
 * generated *_update_COLUMN_addvalue() and *_update_COLUMN_delvalue()
 * functions, which become OVSDB "mutate" operations) does not change what
 * ovsdb_idl_read() or the row's parsed members show until the transaction
 * commits.  Code that runs between the change and the commit (later
 * commands of a batch, validation before commit) uses these functions to
 * see the value the commit will write.
 *
 * Mutations are what lets a client change a set of references, such as a
 * switch's ports, without having every referenced row in its replica: the
 * server applies them to the stored value, so rows the client does not see
 * stay in the set.
 *
 * Ownership: idl_pending_read_set() fills a datum that the caller destroys
 * with ovsdb_datum_destroy() and the column's type.
 */
#ifndef IDL_PENDING_H
#define IDL_PENDING_H 1

#include <stdbool.h>

struct ovsdb_datum;
struct ovsdb_idl_column;
struct ovsdb_idl_row;
struct uuid;

void idl_pending_read_set(const struct ovsdb_idl_row *,
                          const struct ovsdb_idl_column *,
                          struct ovsdb_datum *);
bool idl_pending_set_has_uuid(const struct ovsdb_idl_row *,
                              const struct ovsdb_idl_column *,
                              const struct uuid *);

#endif /* lib/idl-pending.h */
