#include <config.h>

#include "utilities/trace-nb.h"

#include <inttypes.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "utilities/trace-sb.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "util.h"
#include "uuid.h"

/* Reads the NB at 'remote' into 'nb'.  Returns NULL, or an error message
 * (then 'nb' holds nothing to close). */
char *
trace_nb_open(const char *remote, long long int deadline,
              struct trace_nb *nb)
{
    return trace_db_connect(&nbrec_idl_class, remote, deadline, &nb->idl);
}

/* Frees what 'nb' holds.  Accepts NULL. */
void
trace_nb_close(struct trace_nb *nb)
{
    if (nb) {
        ovsdb_idl_destroy(nb->idl);
        nb->idl = NULL;
        free(nb->row_text);
        nb->row_text = NULL;
    }
}

/* Returns the table class of NB table 'name' (of 'n' bytes), or NULL. */
static const struct ovsdb_idl_table_class *
nb_table_by_name(const char *name, size_t n)
{
    for (size_t i = 0; i < nbrec_idl_class.n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = &nbrec_idl_class.tables[i];
        if (strlen(tc->name) == n && !strncmp(tc->name, name, n)) {
            return tc;
        }
    }
    return NULL;
}

/* Returns what names routing policy 'policy', which has no name column,
 * as lr-policy-list shows it: "PRIORITY MATCH ACTION [NEXTHOP,...]",
 * kept in 'nb' until the next call. */
static const char *
policy_text(struct trace_nb *nb,
            const struct nbrec_logical_router_policy *policy)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%"PRId64" %s %s", policy->priority, policy->match,
                  policy->action);
    for (size_t i = 0; i < policy->n_nexthops; i++) {
        ds_put_format(&s, "%c%s", i ? ',' : ' ', policy->nexthops[i]);
    }
    if (!policy->n_nexthops && policy->nexthop) {
        ds_put_format(&s, " %s", policy->nexthop);
    }
    free(nb->row_text);
    nb->row_text = ds_steal_cstr(&s);
    return nb->row_text;
}

/* Returns what names static route 'route', which has no name column:
 * its route table as lr-route-list heads it and the route,
 * "route table TABLE: PREFIX via NEXTHOP [src-ip] [PORT]" ("<main>" for
 * the main table), kept in 'nb' until the next call. */
static const char *
route_text(struct trace_nb *nb,
           const struct nbrec_logical_router_static_route *route)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "route table %s: %s via %s",
                  route->route_table[0] ? route->route_table : "<main>",
                  route->ip_prefix,
                  route->nexthop[0] ? route->nexthop : "(none)");
    if (route->policy && !strcmp(route->policy, "src-ip")) {
        ds_put_cstr(&s, " src-ip");
    }
    if (route->output_port) {
        ds_put_format(&s, " %s", route->output_port);
    }
    free(nb->row_text);
    nb->row_text = ds_steal_cstr(&s);
    return nb->row_text;
}

/* Returns the "name" of the NB row that logical flow source 'source'
 * ("Table:uuid") refers to, or NULL if it has none or does not exist.  A
 * routing policy, which has no name, is named by its priority, match,
 * action and next hops; a static route by its route table and itself.
 * 'nb_' is a "struct trace_nb *" (a callback for trace-render.h). */
const char *
trace_nb_source_name(const char *source, void *nb_)
{
    struct trace_nb *nb = nb_;
    const char *colon = strchr(source, ':');
    struct uuid uuid;
    if (!nb || !nb->idl || !colon || !uuid_from_string(&uuid, colon + 1)) {
        return NULL;
    }
    const struct ovsdb_idl_table_class *tc = nb_table_by_name(
        source, colon - source);
    if (!tc) {
        return NULL;
    }
    const struct ovsdb_idl_row *row = ovsdb_idl_get_row_for_uuid(nb->idl, tc,
                                                                 &uuid);
    if (row && tc == &nbrec_table_logical_router_policy) {
        return policy_text(nb, CONTAINER_OF(
                               row, struct nbrec_logical_router_policy,
                               header_));
    }
    if (row && tc == &nbrec_table_logical_router_static_route) {
        return route_text(nb, CONTAINER_OF(
                              row, struct nbrec_logical_router_static_route,
                              header_));
    }
    for (size_t i = 0; row && i < tc->n_columns; i++) {
        const struct ovsdb_idl_column *c = &tc->columns[i];
        if (!strcmp(c->name, "name")
            && c->type.key.type == OVSDB_TYPE_STRING) {
            const struct ovsdb_datum *d = ovsdb_idl_read(row, c);
            return d->n == 1 ? d->keys[0].s->string : NULL;
        }
    }
    return NULL;
}
