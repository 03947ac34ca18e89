#include <config.h>

#include "northd/nb-match.h"

#include <stdlib.h>
#include <string.h>

#include "lib/expr-compile.h"
#include "lib/expr.h"
#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/owners.h"
#include "openvswitch/shash.h"
#include "svec.h"
#include "util.h"

/* What the compiler's callbacks read: one datapath. */
struct nd_match_aux {
    struct nd_build_ctx *ctx;       /* Declares dependencies. */
    const struct nd_datapath *od;   /* The switch or router. */
};

/* expr_compile_ctx callback: the key of port 'name' on the datapath. */
static bool
lookup_port(const char *name, uint32_t *key, void *aux_)
{
    const struct nd_match_aux *aux = aux_;
    bool router = aux->od->kind == &nd_dp_router;
    nd_owner_depends_on_name(aux->ctx,
                             (router ? &nbrec_table_logical_router_port
                              : &nbrec_table_logical_switch_port), name);
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &aux->od->ports) {
        const char *op_name = NULL;
        if (router) {
            const struct nbrec_logical_router_port *lrp
                = nbrec_logical_router_port_get_for_uuid(aux->ctx->nb_idl,
                                                         &op->nb_uuid);
            op_name = lrp ? lrp->name : NULL;
        } else {
            const struct nbrec_logical_switch_port *lsp
                = nbrec_logical_switch_port_get_for_uuid(aux->ctx->nb_idl,
                                                         &op->nb_uuid);
            op_name = lsp ? lsp->name : NULL;
        }
        if (op_name && !strcmp(op_name, name)) {
            *key = op->tunnel_key;
            return true;
        }
    }
    return false;
}

/* The UUIDs of the rows of one NB table by name, so that a match naming
 * a port group or an address set does not go over every row of its
 * table.  Rebuilt, when next needed, after the table changed (by its IDL
 * change number): a pass over the table, which only a change of it
 * brings about. */
struct name_index {
    bool valid;
    unsigned int seqno;
    struct shash by_name;       /* Name -> "struct uuid *". */
};

static struct name_index pg_names = {
    .by_name = SHASH_INITIALIZER(&pg_names.by_name),
};
static struct name_index as_names = {
    .by_name = SHASH_INITIALIZER(&as_names.by_name),
};

/* Returns the UUID of the Port_Group named 'name', or NULL. */
static const struct uuid *
port_group_uuid(const struct nd_build_ctx *ctx, const char *name)
{
    struct name_index *x = &pg_names;
    unsigned int seqno = ovsdb_idl_table_get_seqno(ctx->nb_idl,
                                                   &nbrec_table_port_group);
    if (!x->valid || x->seqno != seqno) {
        shash_clear_free_data(&x->by_name);
        const struct nbrec_port_group *pg;
        NBREC_PORT_GROUP_FOR_EACH (pg, ctx->nb_idl) {
            shash_replace_nocopy(&x->by_name, xstrdup(pg->name),
                                 xmemdup(&pg->header_.uuid,
                                         sizeof pg->header_.uuid));
        }
        x->valid = true;
        x->seqno = seqno;
    }
    return shash_find_data(&x->by_name, name);
}

/* Returns the UUID of the Address_Set named 'name', or NULL. */
static const struct uuid *
address_set_uuid(const struct nd_build_ctx *ctx, const char *name)
{
    struct name_index *x = &as_names;
    unsigned int seqno = ovsdb_idl_table_get_seqno(ctx->nb_idl,
                                                   &nbrec_table_address_set);
    if (!x->valid || x->seqno != seqno) {
        shash_clear_free_data(&x->by_name);
        const struct nbrec_address_set *as;
        NBREC_ADDRESS_SET_FOR_EACH (as, ctx->nb_idl) {
            shash_replace_nocopy(&x->by_name, xstrdup(as->name),
                                 xmemdup(&as->header_.uuid,
                                         sizeof as->header_.uuid));
        }
        x->valid = true;
        x->seqno = seqno;
    }
    return shash_find_data(&x->by_name, name);
}

/* Returns the port group called 'name', or NULL, having declared the
 * dependency of the owner being built on it. */
static const struct nbrec_port_group *
find_port_group(struct nd_build_ctx *ctx, const char *name)
{
    nd_owner_depends_on_name(ctx, &nbrec_table_port_group, name);
    const struct uuid *uuid = port_group_uuid(ctx, name);
    const struct nbrec_port_group *pg
        = uuid ? nbrec_port_group_get_for_uuid(ctx->nb_idl, uuid) : NULL;
    if (pg) {
        nd_owner_depends_on_row(ctx, &nbrec_table_port_group,
                                &pg->header_.uuid);
    }
    return pg;
}

/* expr_compile_ctx callback: the keys of port group 'name''s ports on the
 * datapath (none on a router: groups hold switch ports). */
static bool
port_group_keys(const char *name, uint32_t **keys, size_t *n_keys,
                void *aux_)
{
    const struct nd_match_aux *aux = aux_;
    const struct nbrec_port_group *pg = find_port_group(aux->ctx, name);
    *keys = NULL;
    *n_keys = 0;
    if (!pg) {
        return false;
    }
    *keys = xmalloc((pg->n_ports + 1) * sizeof **keys);
    for (size_t i = 0; i < pg->n_ports; i++) {
        const struct nd_port *op
            = nd_port_find(aux->ctx->dps, &pg->ports[i]->header_.uuid);
        if (op && op->dp == aux->od) {
            (*keys)[(*n_keys)++] = op->tunnel_key;
        }
    }
    return true;
}

/* Appends to 'addresses' the IPv4 (or, with 'ipv6', IPv6) addresses of the
 * ports of port group 'pg', on every switch: the address set OVN calls
 * "PG_ip4" ("PG_ip6").  With 'ctx', declares the dependencies of the
 * owner being built on the ports. */
void
nd_match_pg_addresses(struct nd_build_ctx *ctx,
                      const struct nbrec_port_group *pg, bool ipv6,
                      struct svec *addresses)
{
    for (size_t i = 0; i < pg->n_ports; i++) {
        const struct nbrec_logical_switch_port *lsp = pg->ports[i];
        if (ctx) {
            nd_owner_depends_on_row(ctx, &nbrec_table_logical_switch_port,
                                    &lsp->header_.uuid);
        }
        for (size_t j = 0; j < lsp->n_addresses; j++) {
            struct lport_addresses la;
            char *error = lport_addresses_parse(lsp->addresses[j], false,
                                                &la);
            if (error) {
                /* "unknown", "router", "dynamic": no address. */
                free(error);
                continue;
            }
            if (ipv6) {
                for (size_t k = 0; k < la.n_ipv6; k++) {
                    char buf[INET6_ADDRSTRLEN];
                    inet_ntop(AF_INET6, &la.ipv6[k].addr, buf, sizeof buf);
                    svec_add(addresses, buf);
                }
            } else {
                for (size_t k = 0; k < la.n_ipv4; k++) {
                    svec_add_nocopy(addresses,
                                    xasprintf(IP_FMT,
                                              IP_ARGS(la.ipv4[k].addr)));
                }
            }
            lport_addresses_destroy(&la);
        }
    }
}

/* Appends to 'addresses' the addresses of address set 'name' or, when no
 * address set has that name, of the port group that "PG_ip4" or "PG_ip6"
 * names.  Returns false if neither exists.  Declares the dependencies of
 * the owner being built in 'ctx' on what it read. */
bool
nd_match_address_set(struct nd_build_ctx *ctx, const char *name,
                     struct svec *addresses)
{
    nd_owner_depends_on_name(ctx, &nbrec_table_address_set, name);
    const struct uuid *uuid = address_set_uuid(ctx, name);
    const struct nbrec_address_set *as
        = uuid ? nbrec_address_set_get_for_uuid(ctx->nb_idl, uuid) : NULL;
    if (as) {
        nd_owner_depends_on_row(ctx, &nbrec_table_address_set,
                                &as->header_.uuid);
        for (size_t i = 0; i < as->n_addresses; i++) {
            svec_add(addresses, as->addresses[i]);
        }
        return true;
    }

    size_t len = strlen(name);
    if (len > 4 && (!strcmp(name + len - 4, "_ip4")
                    || !strcmp(name + len - 4, "_ip6"))) {
        char *pg_name = xmemdup0(name, len - 4);
        const struct nbrec_port_group *pg = find_port_group(ctx, pg_name);
        free(pg_name);
        if (pg) {
            nd_match_pg_addresses(ctx, pg, name[len - 1] == '6',
                                  addresses);
            return true;
        }
    }
    return false;
}

/* expr_compile_ctx callback: nd_match_address_set(). */
static bool
address_set_addresses(const char *name, struct svec *addresses, void *aux_)
{
    const struct nd_match_aux *aux = aux_;
    return nd_match_address_set(aux->ctx, name, addresses);
}

/* Compiles 'e' for datapath 'od' in at most 'max_flows' OpenFlow flows (0
 * for the compiler's default), resolving names from the northbound
 * database.  Returns NULL with the match in '*match' (NULL if it can
 * never be true), or an error. */
char *
nd_match_compile(struct nd_build_ctx *ctx, const struct nd_datapath *od,
                 const struct expr *e, size_t max_flows, char **match)
{
    struct nd_match_aux aux = { ctx, od };
    struct expr_compile_ctx cctx = {
        .lookup_port = lookup_port,
        .port_group_keys = port_group_keys,
        .address_set_addresses = address_set_addresses,
        .aux = &aux,
        .max_flows = max_flows,
    };
    size_t n_flows;
    *match = NULL;
    return expr_compile(e, &cctx, match, &n_flows);
}

/* Parses match 'text' (the match language), then compiles it as
 * nd_match_compile() does. */
char *
nd_match_compile_string(struct nd_build_ctx *ctx,
                        const struct nd_datapath *od, const char *text,
                        size_t max_flows, char **match)
{
    struct expr *e;
    *match = NULL;
    char *error = expr_parse_string(text, NULL, &e);
    if (!error) {
        error = nd_match_compile(ctx, od, e, max_flows, match);
        expr_destroy(e);
    }
    return error;
}
