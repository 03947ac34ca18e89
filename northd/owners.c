#include <config.h>

#include "northd/owners.h"

#include "lib/osmotic-nb-idl.h"
#include "northd/change-index.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-acl.h"
#include "northd/lflow-color.h"
#include "northd/lflow-lb.h"
#include "northd/lflow-router.h"
#include "northd/lflow-router-lb.h"
#include "northd/lflow-router-neighbours.h"
#include "northd/lflow-switch.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "util.h"

/* Every owner kind.  A feature module adds its kinds here. */
static const struct nd_owner_kind *const owner_kinds[] = {
    &lflow_switch_kind,
    &lflow_switch_bucket_kind,
    &lflow_switch_port_kind,
    &lflow_color_kind,
    &lflow_acl_switch_kind,
    &lflow_acl_kind,
    &lflow_lb_kind,
    &lflow_lb_vip_kind,
    &lflow_router_kind,
    &lflow_router_lb_kind,
    &lflow_router_neighbours_kind,
};
BUILD_ASSERT_DECL(ARRAY_SIZE(owner_kinds) <= ND_MAX_OWNER_KINDS);

/* Returns the index of 'kind' in owner_kinds[]. */
static size_t
kind_index(const struct nd_owner_kind *kind)
{
    for (size_t i = 0; i < ARRAY_SIZE(owner_kinds); i++) {
        if (owner_kinds[i] == kind) {
            return i;
        }
    }
    OVS_NOT_REACHED();
}

/* Starts building owner 'id' (see lflow_table_owner_begin()): the owner's
 * flows and dependencies are replaced by those added until
 * nd_owner_end(). */
void
nd_owner_begin(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_owner_kind *kind = id->kind;
    lflow_table_owner_begin(ctx->lflows, id, kind->nb_table);
    change_index_owner_begin(ctx->deps, id);
    ctx->n_built++;
    ctx->n_built_by_kind[kind_index(kind)]++;
}

/* Ends building the owner that nd_owner_begin() started. */
void
nd_owner_end(struct nd_build_ctx *ctx)
{
    lflow_table_owner_end(ctx->lflows, ctx->sb_idl, ctx->sb_txn);
    change_index_owner_end(ctx->deps);
}

/* Declares that the owner being built read row 'uuid' of 'table'. */
void
nd_owner_depends_on_row(struct nd_build_ctx *ctx,
                        const struct ovsdb_idl_table_class *table,
                        const struct uuid *uuid)
{
    change_index_add_row(ctx->deps, table, uuid);
}

/* Declares that the owner being built read every row of 'table'. */
void
nd_owner_depends_on_table(struct nd_build_ctx *ctx,
                          const struct ovsdb_idl_table_class *table)
{
    change_index_add_table(ctx->deps, table);
}

/* Declares that the owner being built looked for the row of 'table' named
 * 'name' (found or not). */
void
nd_owner_depends_on_name(struct nd_build_ctx *ctx,
                         const struct ovsdb_idl_table_class *table,
                         const char *name)
{
    change_index_add_name(ctx->deps, table, name);
}

/* Builds every owner of every kind in datapath 'od' (a full recompute). */
void
nd_owners_build_datapath(struct nd_build_ctx *ctx,
                         const struct nd_datapath *od)
{
    for (size_t i = 0; i < ARRAY_SIZE(owner_kinds); i++) {
        owner_kinds[i]->build_datapath(ctx, od);
    }
}

/* Returns the name in 'column' of tracked row 'row', or NULL. */
static const char *
row_name(const struct ovsdb_idl_row *row,
         const struct ovsdb_idl_column *column)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, column);
    return d->n == 1 ? d->keys[0].s->string : NULL;
}

/* Returns the column of NB table 'table' that only northd writes (a
 * switch port's "up", see "struct nd_dp_kind"; the active gateways of
 * ramp-out rules and colours, northd/gateways.h), or NULL. */
static const struct ovsdb_idl_column *
own_column(const struct ovsdb_idl_table_class *table)
{
    if (table == &nbrec_table_rampout_rule) {
        return &nbrec_rampout_rule_col_status;
    } else if (table == &nbrec_table_color) {
        return &nbrec_color_col_status;
    }
    for (size_t i = 0; i < nd_n_dp_kinds; i++) {
        if (nd_dp_kinds[i]->port_class == table) {
            return nd_dp_kinds[i]->port_own_column;
        }
    }
    return NULL;
}

/* Returns true if tracked 'row' of 'table' came, went, or changed in a
 * column other than 'own' (which may be NULL).
 *
 * The IDL also reports a row changed when only a row it refers to did (a
 * switch whose port changed); an owner that reads the row it refers to
 * depends on that one itself, so such a row counts as unchanged.  And no
 * owner reads what northd itself writes, so that a port going up, or the
 * "up" northd gives a new port, rebuilds nothing. */
static bool
row_changed(const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_table_class *table,
            const struct ovsdb_idl_column *own)
{
    if (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT)
        || ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE)) {
        return true;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        if (&table->columns[i] != own
            && ovsdb_idl_track_is_updated(row, &table->columns[i])) {
            return true;
        }
    }
    return false;
}

/* Adds to 'owners' the owners that depend on the tracked rows of
 * 'dep': by UUID for every row, by name for rows that exist. */
static void
collect_dep_table(const struct nd_build_ctx *ctx,
                  const struct nd_owner_dep_table *dep,
                  struct lflow_owner_set *owners)
{
    const struct ovsdb_idl_column *own = own_column(dep->table);
    bool changed = false;
    for (const struct ovsdb_idl_row *row
             = ovsdb_idl_track_get_first(ctx->nb_idl, dep->table);
         row; row = ovsdb_idl_track_get_next(row)) {
        if (!row_changed(row, dep->table, own)) {
            continue;
        }
        changed = true;
        change_index_find_row(ctx->deps, dep->table, &row->uuid, owners);
        if (dep->name_column
            && !ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE)) {
            const char *name = row_name(row, dep->name_column);
            if (name) {
                change_index_find_name(ctx->deps, dep->table, name, owners);
            }
        }
    }
    if (changed) {
        change_index_find_table(ctx->deps, dep->table, owners);
    }
}

/* Adds to 'owners' every owner that 'changes' and the tracked NB rows make
 * stale: what each kind collects, and what the change index finds for the
 * tables the kinds depend on (each table once). */
void
nd_owners_collect(const struct nd_build_ctx *ctx,
                  const struct nd_changes *changes,
                  struct lflow_owner_set *owners)
{
    const struct ovsdb_idl_table_class *done[32];
    size_t n_done = 0;
    for (size_t i = 0; i < ARRAY_SIZE(owner_kinds); i++) {
        const struct nd_owner_kind *kind = owner_kinds[i];
        kind->collect(changes, owners);
        if (kind->collect_nb) {
            kind->collect_nb(ctx, owners);
        }
        for (size_t j = 0; j < kind->n_dep_tables; j++) {
            const struct nd_owner_dep_table *dep = &kind->dep_tables[j];
            bool seen = false;
            for (size_t k = 0; k < n_done; k++) {
                seen |= done[k] == dep->table;
            }
            if (!seen) {
                ovs_assert(n_done < ARRAY_SIZE(done));
                done[n_done++] = dep->table;
                collect_dep_table(ctx, dep, owners);
            }
        }
    }
}

/* Builds every owner in 'owners'. */
void
nd_owners_build(struct nd_build_ctx *ctx, const struct lflow_owner_set *owners)
{
    const struct lflow_owner_set_node *n;
    HMAP_FOR_EACH (n, node, &owners->map) {
        const struct nd_owner_kind *kind = n->id.kind;
        kind->build(ctx, &n->id);
    }
}

/* Appends to 'out' the kinds of which 'n_built_by_kind' (as in "struct
 * nd_build_ctx") counts owners built, in the table's order, as "KIND N"
 * separated by ", ", or "none". */
void
nd_owners_format_built(const uint64_t n_built_by_kind[], struct ds *out)
{
    size_t start = out->length;
    for (size_t i = 0; i < ARRAY_SIZE(owner_kinds); i++) {
        if (n_built_by_kind[i]) {
            ds_put_format(out, "%s%s %"PRIu64, out->length > start ? ", " : "",
                          owner_kinds[i]->name, n_built_by_kind[i]);
        }
    }
    if (out->length == start) {
        ds_put_cstr(out, "none");
    }
}
