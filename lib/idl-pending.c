#include <config.h>

#include "lib/idl-pending.h"

#include "bitmap.h"
#include "ovsdb-data.h"
#include "ovsdb-idl-provider.h"
#include "ovsdb-idl.h"
#include "ovsdb-set-op.h"

/* Stores in 'datum' the value of set column 'column' of 'row' after the
 * partial updates that the transaction open on 'row''s IDL made to it:
 * the value ovsdb_idl_read() returns, plus every value inserted and minus
 * every value deleted.  (The IDL keeps at most one pending operation per
 * value, the last one.) */
void
idl_pending_read_set(const struct ovsdb_idl_row *row,
                     const struct ovsdb_idl_column *column,
                     struct ovsdb_datum *datum)
{
    const struct ovsdb_type *type = &column->type;
    ovsdb_datum_clone(datum, ovsdb_idl_read(row, column));

    size_t idx = column - row->table->class_->columns;
    if (!row->set_op_written || !bitmap_is_set(row->set_op_written, idx)) {
        return;
    }
    struct set_op_list *ops = row->set_op_lists[idx];
    for (struct set_op *op = set_op_list_first(ops); op;
         op = set_op_list_next(ops, op)) {
        const struct ovsdb_datum *value = set_op_datum(op);
        if (set_op_type(op) == SET_OP_INSERT) {
            ovsdb_datum_union(datum, value, type);
        } else {
            ovsdb_datum_subtract(datum, type, value, type);
        }
    }
}

/* Returns true if set column 'column' of 'row', a set of UUIDs, holds
 * 'uuid' after the partial updates of the open transaction. */
bool
idl_pending_set_has_uuid(const struct ovsdb_idl_row *row,
                         const struct ovsdb_idl_column *column,
                         const struct uuid *uuid)
{
    struct ovsdb_datum datum;
    idl_pending_read_set(row, column, &datum);
    union ovsdb_atom atom = { .uuid = *uuid };
    bool found = ovsdb_datum_find_key(&datum, &atom, OVSDB_TYPE_UUID, NULL);
    ovsdb_datum_destroy(&datum, &column->type);
    return found;
}
