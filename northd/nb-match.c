#include <config.h>

#include "northd/nb-match.h"

#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr-compile-conj.h"
#include "lib/expr-compile.h"
#include "lib/expr.h"
#include "lib/lport-addresses.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/owners.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "simap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nb_match);

/* What the compiler's callbacks read: one datapath. */
struct nd_match_aux {
    struct nd_build_ctx *ctx;       /* Declares dependencies. */
    const struct nd_datapath *od;   /* The switch or router. */
    const struct sset *symbolic;    /* Sets kept symbolic, or NULL. */
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

/* Stand-ins for the addresses of a set kept symbolic, two of each family
 * (nd_match_compile_string_sets()): with two, the compiler treats the
 * set as a set of several values. */
static const char *const marker_addresses[] = {
    "0.0.0.1", "0.0.0.2", "::1", "::2",
};

/* expr_compile_ctx callback: nd_match_address_set(), or the stand-ins of
 * a set kept symbolic (no dependency: a change of the set changes no
 * flow). */
static bool
address_set_addresses(const char *name, struct svec *addresses, void *aux_)
{
    const struct nd_match_aux *aux = aux_;
    if (aux->symbolic && sset_contains(aux->symbolic, name)) {
        for (size_t i = 0; i < ARRAY_SIZE(marker_addresses); i++) {
            svec_add(addresses, marker_addresses[i]);
        }
        return true;
    }
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
    struct nd_match_aux aux = { ctx, od, NULL };
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

/* Keeping address sets symbolic
 * -----------------------------
 *
 * A comparison "F == $AS" of an address field F (ip4.src, ip4.dst,
 * ip6.src, ip6.dst) compiles to one term "F=ADDRESS" per address of the
 * set, as a dimension of a conjunctive alternative or as plain
 * alternatives that differ only by that term.  When nothing else in the
 * match constrains F, those terms meet no other term of F (no
 * intersection, no complement), so the output for any content of the set
 * is the output for two addresses with the two terms replaced by the
 * set's: "[nw_src=$AS]", or one plain alternative "...,nw_src=$AS,...".
 * nd_match_compile_string_sets() compiles with two stand-in addresses and
 * writes the reference in their place; the controllers put the set's
 * addresses back from SB.  The flows on a host are then those of today
 * for a set of two addresses or more; a set of one address keeps a
 * conjunction that the expanded match would have folded into plain
 * alternatives (two flows more: its clause and the conj_id flow), and an
 * empty one gets no flow, as expanded.  Every set
 * is kept symbolic, whatever its size: a threshold would make the flow
 * depend on the set's size, and so be rebuilt at every change again.
 * The match's flow limit counts such a set as two addresses: the
 * controllers install as many clause flows as it has. */

/* The address fields that may name a set, as they print. */
static const struct {
    enum expr_cfield field;
    const char *name;
    const char *markers[2];
} symbolic_fields[] = {
    { EXPR_CF_IP4_SRC, "nw_src", { "0.0.0.1", "0.0.0.2" } },
    { EXPR_CF_IP4_DST, "nw_dst", { "0.0.0.1", "0.0.0.2" } },
    { EXPR_CF_IP6_SRC, "ipv6_src", { "::1", "::2" } },
    { EXPR_CF_IP6_DST, "ipv6_dst", { "::1", "::2" } },
};
#define N_SYMBOLIC_FIELDS ARRAY_SIZE(symbolic_fields)

/* What the expression says about its address fields and sets. */
struct set_uses {
    unsigned int n_cmps[EXPR_N_CFIELDS]; /* Comparisons per field. */
    const char *set[N_SYMBOLIC_FIELDS];  /* "F == $AS": AS, per field. */
    struct sset bad;                     /* Sets used otherwise. */
};

/* Returns the index in symbolic_fields[] of 'field', or -1. */
static int
symbolic_field_index(enum expr_cfield field)
{
    for (size_t i = 0; i < N_SYMBOLIC_FIELDS; i++) {
        if (symbolic_fields[i].field == field) {
            return i;
        }
    }
    return -1;
}

static void
collect_set_uses(const struct expr *e, struct set_uses *u)
{
    if (e->type == EXPR_T_AND || e->type == EXPR_T_OR) {
        for (size_t i = 0; i < e->n_subs; i++) {
            collect_set_uses(e->subs[i], u);
        }
        return;
    } else if (e->type != EXPR_T_CMP) {
        return;
    }
    const struct expr_cmp *cmp = &e->cmp;
    struct expr_cfield_map map;
    bool mapped = expr_cfield_map_symbol(cmp->symbol, &map);
    if (mapped) {
        u->n_cmps[map.field]++;
    }
    if (cmp->kind != EXPR_CMP_ADDR_SET) {
        return;
    }
    int i = mapped ? symbolic_field_index(map.field) : -1;
    if (i < 0 || cmp->relop != EXPR_R_EQ || map.ofs
        || map.n_bits != expr_cfield_width(map.field)) {
        sset_add(&u->bad, cmp->string);
    } else {
        u->set[i] = cmp->string;
    }
}

/* Returns the index in symbolic_fields[] of 'token' ("nw_src=0.0.0.1") if
 * it is a stand-in of a set kept symbolic, with the stand-in's number (0
 * or 1) in '*which', or -1. */
static int
marker_token(const struct set_uses *u, const char *token, size_t len,
             int *which)
{
    for (size_t i = 0; i < N_SYMBOLIC_FIELDS; i++) {
        const char *f = symbolic_fields[i].name;
        size_t flen = strlen(f);
        if (!u->set[i] || len <= flen + 1 || strncmp(token, f, flen)
            || token[flen] != '=') {
            continue;
        }
        for (int m = 0; m < 2; m++) {
            const char *marker = symbolic_fields[i].markers[m];
            if (len == flen + 1 + strlen(marker)
                && !strncmp(token + flen + 1, marker, strlen(marker))) {
                *which = m;
                return i;
            }
        }
    }
    return -1;
}

/* Finds the stand-ins in OFMATCH 'ofmatch': returns their number, and
 * stores the field index and stand-in number of the last one, and the
 * byte offset and length of its token. */
static size_t
find_markers(const struct set_uses *u, const char *ofmatch, int *fieldp,
             int *whichp, size_t *ofsp, size_t *lenp)
{
    size_t n = 0;
    for (const char *p = ofmatch; *p; ) {
        size_t len = strcspn(p, ",");
        int which;
        int field = marker_token(u, p, len, &which);
        if (field >= 0) {
            *fieldp = field;
            *whichp = which;
            *ofsp = p - ofmatch;
            *lenp = len;
            n++;
        }
        p += len + (p[len] == ',');
    }
    return n;
}

/* Returns 'ofmatch' with the token at 'ofs' of 'len' bytes replaced by the
 * reference to the set of symbolic field 'field'. */
static char *
put_reference(const struct set_uses *u, const char *ofmatch, int field,
              size_t ofs, size_t len)
{
    return xasprintf("%.*s%s=%c%s%s", (int) ofs, ofmatch,
                     symbolic_fields[field].name, PIPELINE_SET_REF_CHAR,
                     u->set[field], ofmatch + ofs + len);
}

/* Appends the pieces of 'text' between occurrences of 'sep' to 'out'. */
static void
split_text(const char *text, const char *sep, struct svec *out)
{
    for (;;) {
        const char *end = strstr(text, sep);
        if (!end) {
            svec_add(out, text);
            return;
        }
        svec_add_nocopy(out, xmemdup0(text, end - text));
        text = end + strlen(sep);
    }
}

/* Rewrites dimension 'dim' ("[V | V ...]") into 's': if it holds
 * stand-ins, it must be exactly the two of one field, and becomes
 * "[F=$AS]".  Returns false if a stand-in is anywhere else. */
static bool
symbolize_dim(const struct set_uses *u, const char *dim, struct ds *s)
{
    size_t len = strlen(dim);
    if (len < 2 || dim[0] != '[' || dim[len - 1] != ']') {
        return false;
    }
    char *inner = xmemdup0(dim + 1, len - 2);
    struct svec values = SVEC_EMPTY_INITIALIZER;
    split_text(inner, PIPELINE_MATCH_DIM_OR, &values);
    free(inner);

    size_t n_marked = 0;
    unsigned int seen = 0;
    int first_field = -1;
    bool ok = true;
    for (size_t i = 0; i < values.n && ok; i++) {
        int field, which;
        size_t ofs, tlen;
        size_t n = find_markers(u, values.names[i], &field, &which, &ofs,
                                &tlen);
        if (!n) {
            continue;
        }
        /* A stand-in must be a value of its own. */
        ok = (n == 1 && tlen == strlen(values.names[i])
              && (first_field < 0 || field == first_field));
        first_field = field;
        seen |= 1u << which;
        n_marked++;
    }
    if (ok && !n_marked) {
        ds_put_cstr(s, dim);
    } else if (ok && n_marked == 2 && values.n == 2 && seen == 3) {
        ds_put_format(s, "[%s=%c%s]", symbolic_fields[first_field].name,
                      PIPELINE_SET_REF_CHAR, u->set[first_field]);
    } else {
        ok = false;
    }
    svec_destroy(&values);
    return ok;
}

/* Rewrites conjunctive alternative 'alt' into 's' (symbolize_dim() on
 * each dimension).  Returns false if a stand-in is in its common part or
 * where symbolize_dim() does not take it. */
static bool
symbolize_conj(const struct set_uses *u, const char *alt, struct ds *s)
{
    struct svec parts = SVEC_EMPTY_INITIALIZER;
    split_text(alt, PIPELINE_MATCH_AND, &parts);
    bool ok = true;
    for (size_t i = 0; i < parts.n && ok; i++) {
        const char *part = parts.names[i];
        if (i) {
            ds_put_cstr(s, PIPELINE_MATCH_AND);
        }
        if (part[0] == '[') {
            ok = symbolize_dim(u, part, s);
        } else {
            int field, which;
            size_t ofs, len;
            ok = !find_markers(u, part, &field, &which, &ofs, &len);
            ds_put_cstr(s, part);
        }
    }
    svec_destroy(&parts);
    return ok;
}

/* Rewrites compiled match 'match' (compiled with stand-ins for the sets
 * of 'u') with references in their place, into '*out'.  Returns false if
 * the stand-ins are not where a reference can take their place: then
 * the sets cannot stay symbolic in this match. */
static bool
symbolize(const struct set_uses *u, const char *match, char **out)
{
    char **alts;
    size_t n_alts = pipeline_match_split(match, &alts);
    struct ds s = DS_EMPTY_INITIALIZER;
    /* Plain alternatives with a stand-in, rewritten -> the stand-ins
     * seen (bit 0 and bit 1). */
    struct simap pairs = SIMAP_INITIALIZER(&pairs);
    bool ok = true;
    for (size_t i = 0; i < n_alts && ok; i++) {
        const char *alt = alts[i];
        struct ds a = DS_EMPTY_INITIALIZER;
        bool emit = true;
        if (alt[0] == '[' || strstr(alt, PIPELINE_MATCH_AND)) {
            ok = symbolize_conj(u, alt, &a);
        } else {
            int field, which;
            size_t ofs, len;
            size_t n = find_markers(u, alt, &field, &which, &ofs, &len);
            if (!n) {
                ds_put_cstr(&a, alt);
            } else if (n > 1) {
                ok = false;
            } else {
                char *ref = put_reference(u, alt, field, ofs, len);
                unsigned int bits = simap_get(&pairs, ref);
                emit = !bits;
                simap_put(&pairs, ref, bits | (1u << which));
                ds_put_cstr(&a, ref);
                free(ref);
            }
        }
        if (ok && emit) {
            if (s.length) {
                ds_put_cstr(&s, PIPELINE_MATCH_OR);
            }
            ds_put_cstr(&s, ds_cstr(&a));
        }
        ds_destroy(&a);
    }
    /* Each rewritten plain alternative must have come with both
     * stand-ins: a set of several addresses. */
    struct simap_node *node;
    SIMAP_FOR_EACH (node, &pairs) {
        if (node->data != 3) {
            ok = false;
        }
    }
    simap_destroy(&pairs);
    pipeline_match_free(alts, n_alts);
    if (!ok) {
        ds_destroy(&s);
        return false;
    }
    *out = ds_steal_cstr(&s);
    return true;
}

/* Like nd_match_compile_string(), but keeps the address sets of the match
 * symbolic where it can (see above), if 'ctx->symbolic_sets' says the
 * southbound database has address sets: their addresses are then in SB
 * Address_Set, and the owner being built does not depend on them. */
char *
nd_match_compile_string_sets(struct nd_build_ctx *ctx,
                             const struct nd_datapath *od, const char *text,
                             size_t max_flows, char **match)
{
    struct expr *e;
    *match = NULL;
    char *error = expr_parse_string(text, NULL, &e);
    if (error) {
        return error;
    }

    struct set_uses u;
    memset(&u, 0, sizeof u);
    sset_init(&u.bad);
    if (ctx->symbolic_sets) {
        collect_set_uses(e, &u);
    }
    struct sset symbolic = SSET_INITIALIZER(&symbolic);
    for (size_t i = 0; i < N_SYMBOLIC_FIELDS; i++) {
        const char *name = u.set[i];
        if (name && (u.n_cmps[symbolic_fields[i].field] != 1
                     || sset_contains(&u.bad, name))) {
            u.set[i] = name = NULL;
        }
        if (name) {
            sset_add(&symbolic, name);
        }
    }
    /* A set also compared where it cannot stay symbolic is expanded
     * everywhere. */
    for (size_t i = 0; i < N_SYMBOLIC_FIELDS; i++) {
        if (u.set[i] && !sset_contains(&symbolic, u.set[i])) {
            u.set[i] = NULL;
        }
    }

    bool done = false;
    if (!sset_is_empty(&symbolic)) {
        struct nd_match_aux aux = { ctx, od, &symbolic };
        struct expr_compile_ctx cctx = {
            .lookup_port = lookup_port,
            .port_group_keys = port_group_keys,
            .address_set_addresses = address_set_addresses,
            .aux = &aux,
            .max_flows = max_flows,
        };
        size_t n_flows;
        char *marked = NULL;
        error = expr_compile(e, &cctx, &marked, &n_flows);
        if (error || !marked) {
            /* The stand-ins are as good as any addresses for an error or
             * a match that never holds; with the real addresses it would
             * be the same. */
            done = true;
        } else if (symbolize(&u, marked, match)) {
            done = true;
        } else {
            VLOG_DBG("match \"%s\": address sets expanded (\"%s\")",
                     text, marked);
        }
        free(marked);
    }
    if (!done) {
        free(error);
        error = nd_match_compile(ctx, od, e, max_flows, match);
    }
    sset_destroy(&symbolic);
    sset_destroy(&u.bad);
    expr_destroy(e);
    return error;
}
