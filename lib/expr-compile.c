#include <config.h>

#include "lib/expr-compile.h"

#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr-compile-conj.h"
#include "lib/lport-addresses.h"
#include "lib/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-match.h"
#include "svec.h"
#include "util.h"

/* Most values a comparison on a field that OpenFlow cannot mask may
 * expand into. */
#define MAX_EXACT_VALUES 256

/* OpenFlow allows a conjunction at most 64 dimensions.  Dimensions
 * constrain disjoint fields, so there are never more than fields. */
BUILD_ASSERT_DECL(EXPR_N_CFIELDS <= 64);

/* Lists of at most this many alternatives are searched for alternatives
 * that others imply. */
#define MAX_SUBSUME 4096

/* An alternative of the result: 'common' and, if it has dimensions, for
 * each dimension one of its values.  Without dimensions it is a plain
 * alternative, one OpenFlow match. */
struct alt {
    struct expr_conj common;    /* Constraints of every combination. */
    struct expr_conjs *dims;    /* Dimensions, each a list of values. */
    size_t n_dims;              /* Number of 'dims'. */
};

/* A list of alternatives, which hold if any of them does. */
struct alts {
    struct alt *alts;           /* The alternatives. */
    size_t n;                   /* Number of 'alts'. */
    size_t allocated;           /* Allocated size of 'alts'. */
};

/* State of one compilation. */
struct compiler {
    const struct expr_compile_ctx *cb;  /* Callbacks, never NULL. */
    size_t max_flows;           /* Bound on OpenFlow flows. */
    size_t max_work;            /* Bound on combinations tried at once. */
    char *error;                /* First error, or NULL. */
};

/* Records the first error of 'c' (later ones are dropped). */
static void OVS_PRINTF_FORMAT(2, 3)
compiler_error(struct compiler *c, const char *format, ...)
{
    if (!c->error) {
        va_list args;
        va_start(args, format);
        c->error = xvasprintf(format, args);
        va_end(args);
    }
}

/* Records that the match needs more flows than allowed. */
static void
too_many_flows(struct compiler *c)
{
    compiler_error(c, "match needs more than %"PRIuSIZE" OpenFlow flows",
                   c->max_flows);
}

/* Returns true if a product of 'a' by 'b' combinations is within
 * bounds, else records an error and returns false. */
static bool
product_ok(struct compiler *c, size_t a, size_t b)
{
    if (b && a > c->max_work / b) {
        compiler_error(c, "match is too complex: expanding it would "
                       "combine %"PRIuSIZE" by %"PRIuSIZE" alternatives "
                       "(more than %"PRIuSIZE")", a, b, c->max_work);
        return false;
    }
    return true;
}

/* Initializes 'alt' as the plain alternative that matches everything. */
static void
alt_init(struct alt *alt)
{
    expr_conj_init(&alt->common);
    alt->dims = NULL;
    alt->n_dims = 0;
}

/* Frees what 'alt' owns. */
static void
alt_destroy(struct alt *alt)
{
    expr_conj_destroy(&alt->common);
    for (size_t i = 0; i < alt->n_dims; i++) {
        expr_conjs_destroy(&alt->dims[i]);
    }
    free(alt->dims);
    alt_init(alt);
}

/* Appends a copy of 'dim' to the dimensions of 'alt'. */
static void
alt_add_dim(struct alt *alt, const struct expr_conjs *dim)
{
    alt->dims = xrealloc(alt->dims, (alt->n_dims + 1) * sizeof *alt->dims);
    expr_conjs_clone(&alt->dims[alt->n_dims++], dim);
}

/* Removes dimension 'i' of 'alt' and returns it; the caller owns it. */
static struct expr_conjs
alt_remove_dim(struct alt *alt, size_t i)
{
    struct expr_conjs dim = alt->dims[i];
    alt->dims[i] = alt->dims[--alt->n_dims];
    return dim;
}

/* Initializes 'dst' as a deep copy of 'src'. */
static void
alt_clone(struct alt *dst, const struct alt *src)
{
    alt_init(dst);
    expr_conj_clone(&dst->common, &src->common);
    for (size_t i = 0; i < src->n_dims; i++) {
        alt_add_dim(dst, &src->dims[i]);
    }
}

/* ANDs 'src' into 'dst'.  Returns false if their common parts
 * contradict each other. */
static bool
alt_combine(struct alt *dst, const struct alt *src)
{
    if (!expr_conj_merge(&dst->common, &src->common)) {
        return false;
    }
    for (size_t i = 0; i < src->n_dims; i++) {
        alt_add_dim(dst, &src->dims[i]);
    }
    return true;
}

/* Returns the number of conjunctions that 'alt''s dimensions hold. */
static size_t
alt_n_values(const struct alt *alt)
{
    size_t n = 0;
    for (size_t i = 0; i < alt->n_dims; i++) {
        n += alt->dims[i].n;
    }
    return n;
}

/* Returns the work of copying the alternatives of 'l': one per
 * alternative and per value of its dimensions. */
static size_t
alts_weight(const struct alts *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        n += 1 + alt_n_values(&l->alts[i]);
    }
    return n;
}

/* Initializes an empty list (false). */
static void
alts_init(struct alts *l)
{
    l->alts = NULL;
    l->n = l->allocated = 0;
}

/* Frees 'l' and its alternatives. */
static void
alts_destroy(struct alts *l)
{
    for (size_t i = 0; i < l->n; i++) {
        alt_destroy(&l->alts[i]);
    }
    free(l->alts);
    alts_init(l);
}

/* Appends an uninitialized alternative to 'l' and returns it. */
static struct alt *
alts_add(struct alts *l)
{
    if (l->n >= l->allocated) {
        l->alts = x2nrealloc(l->alts, &l->allocated, sizeof *l->alts);
    }
    return &l->alts[l->n++];
}

/* Appends the plain alternatives of 'conjs' to 'l', consuming 'conjs'. */
static void
alts_add_conjs(struct alts *l, struct expr_conjs *conjs)
{
    for (size_t i = 0; i < conjs->n; i++) {
        struct alt *alt = alts_add(l);
        alt_init(alt);
        expr_conj_move(&alt->common, &conjs->conjs[i]);
    }
    conjs->n = 0;
    expr_conjs_destroy(conjs);
}

/* Moves the plain alternatives of 'l' into 'plain' (initialized here) and
 * keeps the others in 'l'. */
static void
alts_split_plain(struct alts *l, struct expr_conjs *plain)
{
    expr_conjs_init(plain);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct alt *alt = &l->alts[i];
        if (alt->n_dims) {
            l->alts[n++] = *alt;
        } else {
            expr_conj_move(expr_conjs_add(plain), &alt->common);
            alt_destroy(alt);
        }
    }
    l->n = n;
}

/* Removes duplicate plain alternatives and those another implies, and
 * reduces 'l' to the one alternative "true" if it has it.  Records an
 * error if 'l' holds more alternatives than flows allowed. */
static void
alts_tidy(struct compiler *c, struct alts *l)
{
    struct expr_conjs plain;
    alts_split_plain(l, &plain);
    expr_conjs_tidy(&plain, MAX_SUBSUME);
    if (plain.n && !plain.conjs[0].n_terms) {
        /* An empty conjunction sorts first: it matches everything. */
        alts_destroy(l);
        for (size_t i = 1; i < plain.n; i++) {
            expr_conj_destroy(&plain.conjs[i]);
        }
        plain.n = 1;
    }
    alts_add_conjs(l, &plain);
    if (l->n > c->max_flows) {
        too_many_flows(c);
    }
}

/* What enclosing conjunctions say about the fields that OpenFlow cannot
 * mask: for each such field, either nothing or the only values it may
 * have.  A comparison on such a field that allows many values ("eth.type
 * != 0x800") then needs to list only the values still possible ("arp &&
 * eth.type != 0x800" is just "arp"). */
struct facts {
    uint64_t known;                   /* EXPR_CF_BIT(F): 'fields[F]'
                                       * applies. */
    struct facts_values {
        uint32_t *values;             /* Sorted, without duplicates. */
        size_t n;                     /* Number of 'values'. */
    } fields[EXPR_N_CFIELDS];         /* Indexed by field. */
};

/* Initializes 'f' as knowing nothing. */
static void
facts_init(struct facts *f)
{
    memset(f, 0, sizeof *f);
}

/* Initializes 'dst' as a copy of 'src'. */
static void
facts_clone(struct facts *dst, const struct facts *src)
{
    *dst = *src;
    for (int i = 0; i < EXPR_N_CFIELDS; i++) {
        const struct facts_values *fv = &src->fields[i];
        dst->fields[i].values = (fv->n
                                 ? xmemdup(fv->values,
                                           fv->n * sizeof *fv->values)
                                 : NULL);
    }
}

/* Frees what 'f' owns. */
static void
facts_destroy(struct facts *f)
{
    for (int i = 0; i < EXPR_N_CFIELDS; i++) {
        free(f->fields[i].values);
    }
}

/* Returns true if 'f' allows value 'x' of field 'field'. */
static bool
facts_allow(const struct facts *f, enum expr_cfield field, uint32_t x)
{
    const struct facts_values *fv = &f->fields[field];
    if (!(f->known & EXPR_CF_BIT(field))) {
        return true;
    }
    for (size_t i = 0; i < fv->n; i++) {
        if (fv->values[i] == x) {
            return true;
        }
    }
    return false;
}

/* qsort() comparison of uint32_t. */
static int
compare_uint32s(const void *a_, const void *b_)
{
    const uint32_t *a = a_;
    const uint32_t *b = b_;
    return *a < *b ? -1 : *a > *b;
}

/* Restricts field 'field' in 'f' to the 'n' 'values' (which it sorts).
 * Returns false if no value remains. */
static bool
facts_restrict(struct facts *f, enum expr_cfield field, uint32_t *values,
               size_t n)
{
    struct facts_values *fv = &f->fields[field];
    qsort(values, n, sizeof *values, compare_uint32s);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if ((!i || values[i] != values[i - 1])
            && facts_allow(f, field, values[i])) {
            values[k++] = values[i];
        }
    }
    free(fv->values);
    fv->values = k ? xmemdup(values, k * sizeof *values) : NULL;
    fv->n = k;
    f->known |= EXPR_CF_BIT(field);
    return k > 0;
}

/* What a comparison on part of a field amounts to. */
enum cterm_kind {
    CTERM_FALSE,                /* Holds for no packet. */
    CTERM_TRUE,                 /* Holds for every packet. */
    CTERM_TERM,                 /* Holds where the term does. */
};

/* Converts "the bits of the symbol at 'map' under 'mask' equal 'value'"
 * into a term on the OpenFlow field, in '*t'. */
static enum cterm_kind
symbol_term(const struct expr_cfield_map *map,
            const struct expr_value *value, const struct expr_value *mask,
            struct expr_cterm *t)
{
    struct expr_value held;
    expr_value_mask_width(map->n_bits, &held);
    struct expr_value beyond = *value;
    expr_value_and(&beyond, mask);
    for (int i = 0; i < 16; i++) {
        if (beyond.b[i] & ~held.b[i]) {
            /* Bits a packet always has zero would have to be one. */
            return CTERM_FALSE;
        }
    }

    t->field = map->field;
    t->value = *value;
    t->mask = *mask;
    expr_value_and(&t->mask, &held);
    expr_value_and(&t->value, &t->mask);
    if (expr_value_is_zero(&t->mask)) {
        return CTERM_TRUE;
    }
    expr_value_shift_left(&t->value, map->ofs);
    expr_value_shift_left(&t->mask, map->ofs);
    return CTERM_TERM;
}

/* Appends the result of 'kind' and 't' (from symbol_term()) to 'out'. */
static void
add_cterm(enum cterm_kind kind, const struct expr_cterm *t,
          struct expr_conjs *out)
{
    if (kind == CTERM_TRUE) {
        expr_conj_init(expr_conjs_add(out));
    } else if (kind == CTERM_TERM) {
        expr_conjs_add_term(out, t);
    }
}

/* Returns true if symbol value 'x' satisfies constant comparison
 * 'cmp'. */
static bool
cmp_holds(const struct expr_cmp *cmp, const struct expr_value *x)
{
    struct expr_value v = *x;
    expr_value_and(&v, &cmp->mask);
    int d = memcmp(&v, &cmp->value, sizeof v);
    switch (cmp->relop) {
    case EXPR_R_EQ: return d == 0;
    case EXPR_R_NE: return d != 0;
    case EXPR_R_LT: return d < 0;
    case EXPR_R_LE: return d <= 0;
    case EXPR_R_GT: return d > 0;
    case EXPR_R_GE: return d >= 0;
    }
    OVS_NOT_REACHED();
}

/* Compiles constant comparison 'cmp' on a field that OpenFlow cannot
 * mask into the exact values it allows, among those that 'facts'
 * allows. */
static void
compile_exact_values(struct compiler *c, const struct expr_cmp *cmp,
                     const struct expr_cfield_map *map,
                     const struct facts *facts, struct expr_conjs *out)
{
    ovs_assert(map->ofs == 0 && map->n_bits <= 16);
    struct expr_value exact;
    expr_value_mask_width(map->n_bits, &exact);

    bool known = facts->known & EXPR_CF_BIT(map->field);
    const struct facts_values *fv = &facts->fields[map->field];
    size_t n_candidates = known ? fv->n : 1u << map->n_bits;
    size_t n = 0;
    for (size_t i = 0; i < n_candidates; i++) {
        uint32_t x = known ? fv->values[i] : i;
        struct expr_value v;
        expr_value_from_uint64(x, &v);
        if (!cmp_holds(cmp, &v)) {
            continue;
        }
        struct expr_cterm t = { .field = map->field, .value = v,
                                .mask = exact };
        if (++n > MAX_EXACT_VALUES) {
            continue;
        }
        expr_conjs_add_term(out, &t);
    }
    if (n > MAX_EXACT_VALUES) {
        struct ds s = DS_EMPTY_INITIALIZER;
        expr_format_cmp(cmp, &s);
        compiler_error(c, "\"%s\" matches %"PRIuSIZE" values of %s, which "
                       "OpenFlow cannot mask; at most %d can be listed",
                       ds_cstr(&s), n, expr_cfield_name(map->field),
                       MAX_EXACT_VALUES);
        ds_destroy(&s);
    }
}

/* Compiles "!=" of 'value' under 'mask' on a maskable field: one
 * single-bit term per bit of the mask, each requiring that bit to differ
 * from 'value'. */
static void
compile_ne_bits(const struct expr_cfield_map *map, int width,
                const struct expr_value *value,
                const struct expr_value *mask, struct expr_conjs *out)
{
    for (int bit = 0; bit < width; bit++) {
        if (expr_value_bit(mask, bit)) {
            struct expr_value v, m;
            memset(&v, 0, sizeof v);
            memset(&m, 0, sizeof m);
            expr_value_set_bit(&m, bit, true);
            expr_value_set_bit(&v, bit, !expr_value_bit(value, bit));
            struct expr_cterm t;
            add_cterm(symbol_term(map, &v, &m, &t), &t, out);
        }
    }
}

/* Compiles ordering comparison 'cmp' on a maskable field into prefixes
 * covering the range it allows. */
static void
compile_range(const struct expr_cmp *cmp, const struct expr_cfield_map *map,
              struct expr_conjs *out)
{
    int width = cmp->symbol->width;
    struct expr_value lo, hi, max;
    memset(&lo, 0, sizeof lo);
    expr_value_mask_width(width, &max);
    hi = max;

    const struct expr_value *v = &cmp->value;
    bool is_zero = expr_value_is_zero(v);
    bool is_max = !memcmp(v, &max, sizeof max);
    switch (cmp->relop) {
    case EXPR_R_LT:
    case EXPR_R_LE:
        if (cmp->relop == EXPR_R_LT && is_zero) {
            return;
        }
        hi = *v;
        if (cmp->relop == EXPR_R_LT) {
            /* hi = v - 1. */
            for (int i = 15; i >= 0 && hi.b[i]-- == 0; i--) {
                continue;
            }
        }
        break;
    case EXPR_R_GT:
    case EXPR_R_GE:
        if (cmp->relop == EXPR_R_GT && is_max) {
            return;
        }
        lo = *v;
        if (cmp->relop == EXPR_R_GT) {
            /* lo = v + 1. */
            for (int i = 15; i >= 0 && ++lo.b[i] == 0; i--) {
                continue;
            }
        }
        break;
    case EXPR_R_EQ:
    case EXPR_R_NE:
        OVS_NOT_REACHED();
    }
    ovs_assert(map->n_bits == width);
    expr_cover_range(map->field, width, &lo, &hi, map->ofs, out);
}

/* Compiles comparison 'cmp' of a field with a constant. */
static void
compile_const(struct compiler *c, const struct expr_cmp *cmp,
              const struct expr_cfield_map *map,
              const struct facts *facts, struct expr_conjs *out)
{
    struct expr_value exact;
    expr_value_mask_width(cmp->symbol->width, &exact);
    bool is_exact = !memcmp(&exact, &cmp->mask, sizeof exact);
    struct expr_cterm t;

    if (cmp->relop == EXPR_R_EQ
        && (is_exact || expr_cfield_maskable(map->field))) {
        add_cterm(symbol_term(map, &cmp->value, &cmp->mask, &t), &t, out);
    } else if (!expr_cfield_maskable(map->field)) {
        compile_exact_values(c, cmp, map, facts, out);
    } else if (cmp->relop == EXPR_R_NE) {
        compile_ne_bits(map, cmp->symbol->width, &cmp->value, &cmp->mask,
                        out);
    } else {
        compile_range(cmp, map, out);
    }
}

/* The members of a set a comparison names: prefixes of a field, each a
 * term in the coordinates of the symbol (its bit 0 at bit 0). */
struct members {
    struct expr_cterm *terms;   /* The prefixes; a zero mask holds every
                                 * value. */
    size_t n;                   /* Number of 'terms'. */
};

/* Adds a prefix of 'map''s field with 'value' and 'mask' to 'm'. */
static void
members_add(struct members *m, const struct expr_cfield_map *map,
            const struct expr_value *value, const struct expr_value *mask)
{
    m->terms = xrealloc(m->terms, (m->n + 1) * sizeof *m->terms);
    struct expr_cterm *t = &m->terms[m->n++];
    t->field = map->field;
    t->value = *value;
    t->mask = *mask;
    expr_value_and(&t->value, mask);
}

/* Adds key 'key' of a port to 'm'. */
static void
members_add_key(struct members *m, const struct expr_cfield_map *map,
                uint32_t key)
{
    struct expr_value value, mask;
    expr_value_from_uint64(key, &value);
    expr_value_mask_width(32, &mask);
    members_add(m, map, &value, &mask);
}

/* Parses 'text', an IPv4 or IPv6 address or CIDR prefix, strictly as the
 * northbound validator does, and adds it to 'm' if it is of the family of
 * 'map''s field ('is_ipv6').  Returns NULL or an error. */
static char *
members_add_address(struct members *m, const struct expr_cfield_map *map,
                    bool is_ipv6, const char *text)
{
    struct lport_ipv4 ip4;
    struct lport_ipv6 ip6;
    bool text_is_ipv6;
    char *error = lport_parse_ip(text, true, &text_is_ipv6, &ip4, &ip6);
    if (error) {
        free(error);
        return xasprintf("\"%s\" is not an IPv4 or IPv6 address or prefix",
                         text);
    } else if (text_is_ipv6 == is_ipv6) {
        struct expr_value value, mask;
        memset(&value, 0, sizeof value);
        if (is_ipv6) {
            memcpy(value.b, &ip6.addr, 16);
            expr_value_mask_prefix(128, ip6.plen, &mask);
        } else {
            memcpy(&value.b[12], &ip4.addr, 4);
            expr_value_mask_prefix(32, ip4.plen, &mask);
        }
        members_add(m, map, &value, &mask);
    }
    return NULL;
}

/* Adds to 'm' the members of the set that comparison 'cmp' compares its
 * field with, resolved through the callbacks: a port name (none if the
 * port is not on the datapath), the ports of a port group, the addresses
 * of an address set, or a constant with a prefix mask. */
static void
collect_members(struct compiler *c, const struct expr_cmp *cmp,
                const struct expr_cfield_map *map, struct members *m)
{
    const struct expr_compile_ctx *cb = c->cb;
    switch (cmp->kind) {
    case EXPR_CMP_CONST:
        members_add(m, map, &cmp->value, &cmp->mask);
        break;
    case EXPR_CMP_STRING: {
        uint32_t key;
        if (cb->lookup_port && cb->lookup_port(cmp->string, &key,
                                               cb->aux)) {
            members_add_key(m, map, key);
        }
        break;
    }
    case EXPR_CMP_PORT_GROUP: {
        uint32_t *keys = NULL;
        size_t n_keys = 0;
        if (cb->port_group_keys
            && cb->port_group_keys(cmp->string, &keys, &n_keys, cb->aux)) {
            for (size_t i = 0; i < n_keys; i++) {
                members_add_key(m, map, keys[i]);
            }
        }
        free(keys);
        break;
    }
    case EXPR_CMP_ADDR_SET: {
        struct svec addresses;
        svec_init(&addresses);
        if (cb->address_set_addresses) {
            cb->address_set_addresses(cmp->string, &addresses, cb->aux);
        }
        bool is_ipv6 = cmp->symbol->format == EXPR_FMT_IPV6;
        for (size_t i = 0; i < addresses.n; i++) {
            char *error = members_add_address(m, map, is_ipv6,
                                              addresses.names[i]);
            if (error) {
                compiler_error(c, "address set $%s: %s", cmp->string,
                               error);
                free(error);
                break;
            }
        }
        svec_destroy(&addresses);
        break;
    }
    }
}

/* Appends to 'out' the conjunctions that hold where any of 'm' holds
 * ('eq') or where none does, and frees 'm'. */
static void
compile_members(const struct expr_cfield_map *map, bool eq,
                struct members *m, struct expr_conjs *out)
{
    if (!eq) {
        expr_cover_complement(map->field, map->n_bits, map->ofs,
                              m->terms, m->n, out);
    } else {
        struct expr_conjs set;
        expr_conjs_init(&set);
        for (size_t i = 0; i < m->n; i++) {
            struct expr_cterm t;
            add_cterm(symbol_term(map, &m->terms[i].value,
                                  &m->terms[i].mask, &t), &t, &set);
        }
        expr_conjs_tidy(&set, MAX_SUBSUME);
        if (set.n && !set.conjs[0].n_terms) {
            /* A zero-length prefix holds every value. */
            expr_conjs_destroy(&set);
            expr_conj_init(expr_conjs_add(out));
        } else {
            for (size_t i = 0; i < set.n; i++) {
                expr_conj_move(expr_conjs_add(out), &set.conjs[i]);
            }
            set.n = 0;
            expr_conjs_destroy(&set);
        }
    }
    free(m->terms);
    m->terms = NULL;
    m->n = 0;
}

/* Compiles comparison 'cmp' with a port name, port group or address
 * set. */
static void
compile_named(struct compiler *c, const struct expr_cmp *cmp,
              const struct expr_cfield_map *map, struct expr_conjs *out)
{
    struct members m = { NULL, 0 };
    collect_members(c, cmp, map, &m);
    if (cmp->kind == EXPR_CMP_STRING && cmp->relop == EXPR_R_NE && m.n) {
        /* Like any single "!=": one bit per term. */
        compile_ne_bits(map, map->n_bits, &m.terms[0].value,
                        &m.terms[0].mask, out);
        free(m.terms);
        return;
    }
    compile_members(map, cmp->relop == EXPR_R_EQ, &m, out);
}

/* Compiles comparison 'cmp' into the conjunctions in 'out', any of which
 * may hold, given 'facts'. */
static void
compile_cmp(struct compiler *c, const struct expr_cmp *cmp,
            const struct facts *facts, struct expr_conjs *out)
{
    struct expr_cfield_map map;
    if (!expr_cfield_map_symbol(cmp->symbol, &map)) {
        compiler_error(c, "%s cannot be compiled into OpenFlow",
                       cmp->symbol->name);
    } else if (cmp->kind == EXPR_CMP_CONST) {
        compile_const(c, cmp, &map, facts, out);
    } else {
        compile_named(c, cmp, &map, out);
    }
}

/* If 'e' is a "!=" comparison of a maskable field with prefixes (a
 * constant with a prefix mask, a port, a port group, an address set),
 * returns true and stores where its symbol lives in '*map'. */
static bool
is_prefix_ne(const struct expr *e, struct expr_cfield_map *map)
{
    if (e->type != EXPR_T_CMP || e->cmp.relop != EXPR_R_NE
        || !expr_cfield_map_symbol(e->cmp.symbol, map)
        || !expr_cfield_maskable(map->field)) {
        return false;
    }
    return (e->cmp.kind != EXPR_CMP_CONST
            || expr_value_prefix_len(e->cmp.symbol->width,
                                     &e->cmp.mask) >= 0);
}

/* Looks among the operands of AND node 'e' for two or more "!="
 * comparisons of one field with prefixes and compiles each such group at
 * once, as the complement of the union of what they exclude ("ip4.src !=
 * 10.0.0.0/8 && ip4.src != 192.168.0.0/16" is "ip4.src is in neither"),
 * which takes fewer flows than crossing their single-bit terms.  Appends
 * one result per group to 'subs' and marks the operands it compiled in
 * 'done'. */
static void
compile_ne_groups(struct compiler *c, const struct expr *e, bool *done,
                  struct alts *subs, size_t *n_subs)
{
    for (size_t i = 0; i < e->n_subs; i++) {
        struct expr_cfield_map map;
        if (done[i] || !is_prefix_ne(e->subs[i], &map)) {
            continue;
        }
        const struct expr_symbol *sym = e->subs[i]->cmp.symbol;
        size_t n = 0;
        for (size_t j = i; j < e->n_subs; j++) {
            struct expr_cfield_map map2;
            n += (is_prefix_ne(e->subs[j], &map2)
                  && e->subs[j]->cmp.symbol == sym);
        }
        if (n < 2) {
            continue;
        }

        struct members m = { NULL, 0 };
        for (size_t j = i; j < e->n_subs; j++) {
            struct expr_cfield_map map2;
            if (is_prefix_ne(e->subs[j], &map2)
                && e->subs[j]->cmp.symbol == sym) {
                collect_members(c, &e->subs[j]->cmp, &map, &m);
                done[j] = true;
            }
        }
        struct expr_conjs conjs;
        expr_conjs_init(&conjs);
        compile_members(&map, false, &m, &conjs);
        struct alts *sub = &subs[(*n_subs)++];
        alts_init(sub);
        alts_add_conjs(sub, &conjs);
        alts_tidy(c, sub);
    }
}

/* Merges the terms of 'from' into every value of 'dim', dropping the
 * values that contradict them. */
static void
fold_into_dim(const struct expr_conj *from, struct expr_conjs *dim)
{
    size_t n = 0;
    for (size_t i = 0; i < dim->n; i++) {
        struct expr_conj *v = &dim->conjs[i];
        if (expr_conj_merge(v, from)) {
            dim->conjs[n++] = *v;
        } else {
            expr_conj_destroy(v);
        }
    }
    dim->n = n;
}

/* Returns the conjunctions of one of 'a' and one of 'b' that do not
 * contradict themselves, in '*out', or records an error if there would
 * be too many. */
static bool
dims_product(struct compiler *c, const struct expr_conjs *a,
             const struct expr_conjs *b, struct expr_conjs *out)
{
    expr_conjs_init(out);
    if (!product_ok(c, a->n, b->n)) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            struct expr_conj x;
            expr_conj_clone(&x, &a->conjs[i]);
            if (expr_conj_merge(&x, &b->conjs[j])) {
                expr_conj_move(expr_conjs_add(out), &x);
            } else {
                expr_conj_destroy(&x);
            }
        }
    }
    expr_conjs_tidy(out, MAX_SUBSUME);
    if (out->n > c->max_flows) {
        too_many_flows(c);
        expr_conjs_destroy(out);
        return false;
    }
    return true;
}

/* Simplifies the dimensions of 'alt': an empty one makes it false, one
 * with a value that is always true goes, and one with a single value
 * joins the common part.  Returns false if 'alt' became false. */
static bool
alt_drop_trivial_dims(struct alt *alt)
{
    for (size_t i = 0; i < alt->n_dims; ) {
        struct expr_conjs *dim = &alt->dims[i];
        expr_conjs_tidy(dim, MAX_SUBSUME);
        if (!dim->n) {
            return false;
        } else if (!dim->conjs[0].n_terms) {
            struct expr_conjs gone = alt_remove_dim(alt, i);
            expr_conjs_destroy(&gone);
        } else if (dim->n == 1) {
            struct expr_conjs one = alt_remove_dim(alt, i);
            bool ok = expr_conj_merge(&alt->common, &one.conjs[0]);
            expr_conjs_destroy(&one);
            if (!ok) {
                return false;
            }
        } else {
            i++;
        }
    }
    return true;
}

/* Makes the fields of 'alt''s common part and dimensions disjoint, by
 * folding common terms into the dimensions that share their field and
 * crossing dimensions that share a field.  Returns false if 'alt' became
 * false or on error. */
static bool
alt_separate_fields(struct compiler *c, struct alt *alt)
{
    for (;;) {
        if (!alt_drop_trivial_dims(alt)) {
            return false;
        }
        bool changed = false;
        for (size_t i = 0; i < alt->n_dims && !changed; i++) {
            uint64_t fields = expr_conjs_fields(&alt->dims[i]);
            if (fields & alt->common.fields) {
                struct expr_conj shared;
                expr_conj_init(&shared);
                expr_conj_take_fields(&alt->common, fields, &shared);
                fold_into_dim(&shared, &alt->dims[i]);
                expr_conj_destroy(&shared);
                changed = true;
            }
            for (size_t j = i + 1; j < alt->n_dims && !changed; j++) {
                if (fields & expr_conjs_fields(&alt->dims[j])) {
                    struct expr_conjs product;
                    if (!dims_product(c, &alt->dims[i], &alt->dims[j],
                                      &product)) {
                        return false;
                    }
                    struct expr_conjs gone = alt_remove_dim(alt, j);
                    expr_conjs_destroy(&gone);
                    expr_conjs_destroy(&alt->dims[i]);
                    alt->dims[i] = product;
                    changed = true;
                }
            }
        }
        if (!changed) {
            return true;
        }
    }
}

/* Appends to 'out' the plain alternatives of 'alt' (consumed): its
 * common part with one value of each dimension, for every combination. */
static void
alt_expand(struct compiler *c, struct alt *alt, struct alts *out)
{
    struct expr_conjs all;
    expr_conjs_init(&all);
    expr_conj_move(expr_conjs_add(&all), &alt->common);
    for (size_t i = 0; i < alt->n_dims && !c->error; i++) {
        struct expr_conjs product;
        if (dims_product(c, &all, &alt->dims[i], &product)) {
            expr_conjs_destroy(&all);
            all = product;
        }
    }
    alt_destroy(alt);
    if (!c->error) {
        alts_add_conjs(out, &all);
    } else {
        expr_conjs_destroy(&all);
    }
}

/* Normalizes 'alt' (consumed) and appends the result to 'out': nothing
 * if it is false; its plain alternatives if it has at most one dimension
 * with several values (a conjunction would not pay); otherwise one
 * conjunctive alternative whose common part and dimensions constrain
 * disjoint fields. */
static void
normalize_alt(struct compiler *c, struct alt *alt, struct alts *out)
{
    if (!alt_separate_fields(c, alt)) {
        alt_destroy(alt);
    } else if (alt->n_dims < 2) {
        alt_expand(c, alt, out);
    } else {
        *alts_add(out) = *alt;
    }
}

static void compile_node(struct compiler *, const struct expr *,
                         const struct facts *, struct alts *);

/* Returns true if every alternative of 'l' is plain. */
static bool
alts_all_plain(const struct alts *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->alts[i].n_dims) {
            return false;
        }
    }
    return true;
}

/* If 'e' is "==" of a field that OpenFlow cannot mask with a constant
 * that allows at most MAX_EXACT_VALUES values, returns true, stores the
 * field in '*field' and appends the values to '*values' (with '*n'
 * values, allocated for '*allocated'). */
static bool
unmaskable_eq_values(const struct expr *e, enum expr_cfield *field,
                     uint32_t **values, size_t *n, size_t *allocated)
{
    struct expr_cfield_map map;
    if (e->type != EXPR_T_CMP || e->cmp.relop != EXPR_R_EQ
        || e->cmp.kind != EXPR_CMP_CONST
        || !expr_cfield_map_symbol(e->cmp.symbol, &map)
        || expr_cfield_maskable(map.field)) {
        return false;
    }
    ovs_assert(map.ofs == 0 && map.n_bits <= 16);
    uint32_t held = (1u << map.n_bits) - 1;
    uint32_t value = expr_value_to_uint64(&e->cmp.value);
    uint32_t mask = expr_value_to_uint64(&e->cmp.mask);
    uint32_t free_bits = ~mask & held;
    *field = map.field;
    if (value & ~held) {
        /* It needs bits that a flow does not hold: no value. */
        return true;
    } else if (count_1bits(free_bits) > 8) {
        return false;
    }
    /* Every value of the free bits, by walking their subsets. */
    uint32_t x = 0;
    do {
        if (*n >= *allocated) {
            *values = x2nrealloc(*values, allocated, sizeof **values);
        }
        (*values)[(*n)++] = value | x;
        x = (x - free_bits) & free_bits;
    } while (x);
    return true;
}

/* Adds to 'facts' what the operands of AND node 'e' say about fields
 * OpenFlow cannot mask: an "==" allows its values, an OR of "==" on one
 * field (such as "ip", "eth.type == 0x800 || eth.type == 0x86dd") allows
 * theirs.  Returns false if no value remains. */
static bool
add_facts(const struct expr *e, struct facts *facts)
{
    for (size_t i = 0; i < e->n_subs; i++) {
        struct expr *sub = e->subs[i];
        struct expr **alts = sub->type == EXPR_T_OR ? sub->subs : &sub;
        size_t n_alts = sub->type == EXPR_T_OR ? sub->n_subs : 1;

        uint32_t *values = NULL;
        size_t n = 0, allocated = 0;
        enum expr_cfield field = EXPR_N_CFIELDS;
        bool all = true;
        for (size_t j = 0; j < n_alts && all; j++) {
            enum expr_cfield f = EXPR_N_CFIELDS;
            all = (unmaskable_eq_values(alts[j], &f, &values, &n,
                                        &allocated)
                   && (!j || f == field));
            field = f;
        }
        bool ok = !all || facts_restrict(facts, field, values, n);
        free(values);
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Adds operand 'sub', which has several plain alternatives, to each of
 * the alternatives 'base' as a new dimension, moving them to 'next'. */
static void
and_add_dimension(struct alts *base, const struct alts *sub,
                  struct alts *next)
{
    for (size_t i = 0; i < base->n; i++) {
        struct expr_conjs dim;
        expr_conjs_init(&dim);
        for (size_t k = 0; k < sub->n; k++) {
            expr_conj_clone(expr_conjs_add(&dim), &sub->alts[k].common);
        }
        struct alt *x = alts_add(next);
        *x = base->alts[i];
        alt_init(&base->alts[i]);
        x->dims = xrealloc(x->dims, (x->n_dims + 1) * sizeof *x->dims);
        x->dims[x->n_dims++] = dim;
    }
}

/* ANDs operand 'sub' into each of the alternatives 'base', one
 * alternative of 'next' per alternative of each, dropping those whose
 * common parts contradict each other. */
static void
and_distribute(const struct alts *base, const struct alts *sub,
               struct alts *next)
{
    for (size_t i = 0; i < base->n; i++) {
        for (size_t k = 0; k < sub->n; k++) {
            struct alt x;
            alt_clone(&x, &base->alts[i]);
            if (alt_combine(&x, &sub->alts[k])) {
                *alts_add(next) = x;
            } else {
                alt_destroy(&x);
            }
        }
    }
}

/* ANDs the 'n_subs' compiled operands 'subs' of an AND node into '*base'
 * (initialized here), before normalization: operands with one
 * alternative join every alternative's common part, operands with
 * several plain alternatives become dimensions, and the others are
 * distributed. */
static void
and_operands(struct compiler *c, const struct alts *subs, size_t n_subs,
             struct alts *base)
{
    alts_init(base);
    alt_init(alts_add(base));
    for (int pass = 0; pass < 3 && !c->error; pass++) {
        for (size_t i = 0; i < n_subs && !c->error; i++) {
            const struct alts *sub = &subs[i];
            int sub_pass = (sub->n == 1 ? 0
                            : alts_all_plain(sub) ? 1
                            : 2);
            if (sub_pass != pass
                || !product_ok(c, alts_weight(base), sub->n)) {
                continue;
            }
            struct alts next;
            alts_init(&next);
            if (pass == 1) {
                and_add_dimension(base, sub, &next);
            } else {
                and_distribute(base, sub, &next);
            }
            alts_destroy(base);
            *base = next;
        }
    }
}

/* Compiles AND node 'e'. */
static void
compile_and(struct compiler *c, const struct expr *e,
            const struct facts *facts, struct alts *out)
{
    struct facts inner;
    facts_clone(&inner, facts);
    if (!add_facts(e, &inner)) {
        facts_destroy(&inner);
        return;
    }

    struct alts *subs = xcalloc(e->n_subs, sizeof *subs);
    bool *done = xcalloc(e->n_subs, sizeof *done);
    size_t n_subs = 0;
    compile_ne_groups(c, e, done, subs, &n_subs);
    for (size_t i = 0; i < e->n_subs && !c->error; i++) {
        if (!done[i]) {
            compile_node(c, e->subs[i], &inner, &subs[n_subs++]);
        }
    }
    free(done);
    facts_destroy(&inner);

    bool is_false = false;
    for (size_t i = 0; i < n_subs; i++) {
        is_false = is_false || !subs[i].n;
    }
    struct alts base;
    alts_init(&base);
    if (!c->error && !is_false) {
        and_operands(c, subs, n_subs, &base);
    }
    for (size_t i = 0; i < n_subs; i++) {
        alts_destroy(&subs[i]);
    }
    free(subs);

    for (size_t i = 0; i < base.n; i++) {
        if (c->error) {
            alt_destroy(&base.alts[i]);
        } else {
            normalize_alt(c, &base.alts[i], out);
        }
    }
    base.n = 0;
    alts_destroy(&base);
    if (!c->error) {
        alts_tidy(c, out);
    }
}

/* Compiles 'e' into 'out', an empty list: alternatives any of which may
 * hold, given 'facts'. */
static void
compile_node(struct compiler *c, const struct expr *e,
             const struct facts *facts, struct alts *out)
{
    alts_init(out);
    switch (e->type) {
    case EXPR_T_BOOLEAN:
        if (e->boolean) {
            alt_init(alts_add(out));
        }
        break;
    case EXPR_T_CMP: {
        struct expr_conjs conjs;
        expr_conjs_init(&conjs);
        compile_cmp(c, &e->cmp, facts, &conjs);
        alts_add_conjs(out, &conjs);
        alts_tidy(c, out);
        break;
    }
    case EXPR_T_OR:
        for (size_t i = 0; i < e->n_subs && !c->error; i++) {
            struct alts sub;
            compile_node(c, e->subs[i], facts, &sub);
            for (size_t j = 0; j < sub.n; j++) {
                *alts_add(out) = sub.alts[j];
            }
            sub.n = 0;
            alts_destroy(&sub);
        }
        alts_tidy(c, out);
        break;
    case EXPR_T_AND:
        compile_and(c, e, facts, out);
        break;
    }
}

/* Fields that OpenFlow's prerequisites look at.  They never go into a
 * dimension: the controller installs a dimension's values each with the
 * common part, and the actions with the common part alone, so these must
 * be there. */
#define PREREQ_FIELDS (EXPR_CF_BIT(EXPR_CF_ETH_TYPE) \
                       | EXPR_CF_BIT(EXPR_CF_IP_PROTO))

/* A value of a dimension split into its prerequisite terms and the
 * rest. */
struct keyed_value {
    struct expr_conj key;       /* Terms on PREREQ_FIELDS. */
    struct expr_conj rest;      /* The other terms. */
};

/* qsort() comparison of keyed values by key. */
static int
compare_keyed_values(const void *a_, const void *b_)
{
    const struct keyed_value *a = a_;
    const struct keyed_value *b = b_;
    return expr_conj_compare(&a->key, &b->key);
}

static void finish_alt(struct compiler *, struct alt *, struct alts *);

/* Normalizes and finishes 'alt' (consumed), appending to 'out'. */
static void
renormalize_alt(struct compiler *c, struct alt *alt, struct alts *out)
{
    struct alts tmp;
    alts_init(&tmp);
    normalize_alt(c, alt, &tmp);
    for (size_t i = 0; i < tmp.n; i++) {
        if (c->error) {
            alt_destroy(&tmp.alts[i]);
        } else {
            finish_alt(c, &tmp.alts[i], out);
        }
    }
    tmp.n = 0;
    alts_destroy(&tmp);
}

/* Takes dimension 'i' of 'alt' (consumed), whose values constrain
 * prerequisite fields, and splits 'alt' into one alternative per
 * combination of prerequisite values: each gets those values in its
 * common part and the matching values, without them, as the dimension.
 * "ip4.src == {a, b} || ip6.src == {c}" crossed with a set of ports thus
 * becomes one conjunction for IPv4 and one for IPv6. */
static void
split_prereq_dim(struct compiler *c, struct alt *alt, size_t i,
                 struct alts *out)
{
    struct expr_conjs dim = alt_remove_dim(alt, i);
    struct keyed_value *kv = xmalloc(dim.n * sizeof *kv);
    for (size_t j = 0; j < dim.n; j++) {
        expr_conj_init(&kv[j].key);
        expr_conj_move(&kv[j].rest, &dim.conjs[j]);
        expr_conj_take_fields(&kv[j].rest, PREREQ_FIELDS, &kv[j].key);
    }
    qsort(kv, dim.n, sizeof *kv, compare_keyed_values);

    for (size_t start = 0; start < dim.n; ) {
        size_t end = start + 1;
        while (end < dim.n
               && !expr_conj_compare(&kv[start].key, &kv[end].key)) {
            end++;
        }
        struct alt x;
        alt_clone(&x, alt);
        bool ok = expr_conj_merge(&x.common, &kv[start].key);
        ovs_assert(ok);     /* Common part and dimensions are disjoint. */
        struct expr_conjs group;
        expr_conjs_init(&group);
        for (size_t j = start; j < end; j++) {
            expr_conj_move(expr_conjs_add(&group), &kv[j].rest);
        }
        x.dims = xrealloc(x.dims, (x.n_dims + 1) * sizeof *x.dims);
        x.dims[x.n_dims++] = group;
        if (c->error) {
            alt_destroy(&x);
        } else {
            renormalize_alt(c, &x, out);
        }
        start = end;
    }
    for (size_t j = 0; j < dim.n; j++) {
        expr_conj_destroy(&kv[j].key);
        expr_conj_destroy(&kv[j].rest);
    }
    free(kv);
    dim.n = 0;
    expr_conjs_destroy(&dim);
    alt_destroy(alt);
}

/* Returns true if 'conj' is a complete OpenFlow match: OVS would not
 * drop any of its fields for lack of prerequisites. */
static bool
conj_is_valid(const struct expr_conj *conj)
{
    struct match match, normal;
    expr_conj_to_match(conj, &match);
    normal = match;
    ofputil_normalize_match_quiet(&normal);
    return match_equal(&match, &normal);
}

/* Returns true if the flows the controller installs for conjunctive
 * alternative 'alt' are complete OpenFlow matches. */
static bool
alt_is_valid(const struct alt *alt)
{
    if (!conj_is_valid(&alt->common)) {
        return false;
    }
    for (size_t i = 0; i < alt->n_dims; i++) {
        const struct expr_conjs *dim = &alt->dims[i];
        for (size_t j = 0; j < dim->n; j++) {
            struct expr_conj x;
            expr_conj_clone(&x, &alt->common);
            bool ok = expr_conj_merge(&x, &dim->conjs[j]);
            ok = ok && conj_is_valid(&x);
            expr_conj_destroy(&x);
            if (!ok) {
                return false;
            }
        }
    }
    return true;
}

/* Makes normalized alternative 'alt' (consumed) ready to be written and
 * appends the result to 'out': prerequisite fields leave the dimensions,
 * and every flow is a complete OpenFlow match (else the alternative is
 * expanded). */
static void
finish_alt(struct compiler *c, struct alt *alt, struct alts *out)
{
    for (size_t i = 0; i < alt->n_dims; i++) {
        if (expr_conjs_fields(&alt->dims[i]) & PREREQ_FIELDS) {
            split_prereq_dim(c, alt, i, out);
            return;
        }
    }
    if (alt->n_dims && !alt_is_valid(alt)) {
        alt_expand(c, alt, out);
    } else {
        *alts_add(out) = *alt;
    }
}

/* Returns true if every packet that 'x' matches, one of the 'plain'
 * alternatives matches.  If not 'thorough', looks only for an equal one
 * (which would be the same OpenFlow flow). */
static bool
is_covered(const struct expr_conj *x, const struct expr_conjs *plain,
           bool thorough)
{
    if (!thorough) {
        return bsearch(x, plain->conjs, plain->n, sizeof *plain->conjs,
                       (int (*)(const void *, const void *))
                       expr_conj_compare) != NULL;
    }
    for (size_t i = 0; i < plain->n; i++) {
        if (expr_conj_implies(x, &plain->conjs[i])) {
            return true;
        }
    }
    return false;
}

/* Removes from conjunctive alternative 'alt' the dimension values whose
 * flow (common part and value) the 'plain' alternatives already match,
 * and returns true if it removed any.  Sets '*gone' if every packet
 * 'alt' matches is covered. */
static bool
alt_remove_covered(struct alt *alt, const struct expr_conjs *plain,
                   bool thorough, bool *gone)
{
    *gone = is_covered(&alt->common, plain, thorough);
    if (*gone) {
        return true;
    }
    bool removed = false;
    for (size_t i = 0; i < alt->n_dims; i++) {
        struct expr_conjs *dim = &alt->dims[i];
        size_t n = 0;
        for (size_t j = 0; j < dim->n; j++) {
            struct expr_conj x;
            expr_conj_clone(&x, &alt->common);
            bool ok = expr_conj_merge(&x, &dim->conjs[j]);
            bool covered = ok && is_covered(&x, plain, thorough);
            expr_conj_destroy(&x);
            if (covered) {
                expr_conj_destroy(&dim->conjs[j]);
                removed = true;
            } else {
                dim->conjs[n++] = dim->conjs[j];
            }
        }
        dim->n = n;
    }
    return removed;
}

/* Drops from the conjunctive alternatives of 'l' what its plain
 * alternatives already match.  Besides saving flows, this keeps a
 * dimension's flow from being the very flow of a plain alternative: the
 * two could not both be installed.  Alternatives that lose values are
 * normalized again, which may turn them into plain ones, so this repeats
 * until nothing changes. */
static void
remove_covered(struct compiler *c, struct alts *l)
{
    for (bool changed = true; changed && !c->error; ) {
        struct expr_conjs plain;
        alts_split_plain(l, &plain);
        expr_conjs_tidy(&plain, MAX_SUBSUME);

        size_t n_values = 0;
        for (size_t i = 0; i < l->n; i++) {
            n_values += 1 + alt_n_values(&l->alts[i]);
        }
        bool thorough = !plain.n || n_values <= c->max_work / plain.n;

        changed = false;
        struct alts next;
        alts_init(&next);
        for (size_t i = 0; i < l->n; i++) {
            struct alt *alt = &l->alts[i];
            bool gone;
            if (c->error) {
                alt_destroy(alt);
            } else if (!alt_remove_covered(alt, &plain, thorough, &gone)) {
                *alts_add(&next) = *alt;
            } else if (gone) {
                alt_destroy(alt);
            } else {
                size_t before = next.n;
                renormalize_alt(c, alt, &next);
                for (size_t j = before; j < next.n; j++) {
                    changed = changed || !next.alts[j].n_dims;
                }
            }
        }
        l->n = 0;
        alts_destroy(l);
        alts_add_conjs(&next, &plain);
        *l = next;
    }
}

/* Compares two terms for the output order: by field, then value, then
 * mask, so that ranges and lists read in ascending order. */
static int
compare_output_terms(const struct expr_cterm *a, const struct expr_cterm *b)
{
    if (a->field != b->field) {
        return a->field < b->field ? -1 : 1;
    }
    int cmp = memcmp(&a->value, &b->value, sizeof a->value);
    return cmp ? cmp : memcmp(&a->mask, &b->mask, sizeof a->mask);
}

/* Compares two conjunctions for the output order: term by term, and a
 * prefix of another first. */
static int
compare_output_conjs(const struct expr_conj *a, const struct expr_conj *b)
{
    for (size_t i = 0; i < a->n_terms && i < b->n_terms; i++) {
        int cmp = compare_output_terms(&a->terms[i], &b->terms[i]);
        if (cmp) {
            return cmp;
        }
    }
    return (a->n_terms > b->n_terms) - (a->n_terms < b->n_terms);
}

/* qsort() wrapper for compare_output_conjs(). */
static int
compare_output_conjs_qsort(const void *a, const void *b)
{
    return compare_output_conjs(a, b);
}

/* Compares two dimensions, whose values are sorted, for the output
 * order. */
static int
compare_output_dims(const void *a_, const void *b_)
{
    const struct expr_conjs *a = a_;
    const struct expr_conjs *b = b_;
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        int cmp = compare_output_conjs(&a->conjs[i], &b->conjs[i]);
        if (cmp) {
            return cmp;
        }
    }
    return (a->n > b->n) - (a->n < b->n);
}

/* Compares two alternatives, whose dimensions are sorted, for the output
 * order: by common part, plain first, then by dimensions. */
static int
compare_output_alts(const void *a_, const void *b_)
{
    const struct alt *a = a_;
    const struct alt *b = b_;
    int cmp = compare_output_conjs(&a->common, &b->common);
    if (cmp) {
        return cmp;
    }
    for (size_t i = 0; i < a->n_dims && i < b->n_dims; i++) {
        cmp = compare_output_dims(&a->dims[i], &b->dims[i]);
        if (cmp) {
            return cmp;
        }
    }
    return (a->n_dims > b->n_dims) - (a->n_dims < b->n_dims);
}

/* Puts 'l' in the output order, which depends only on the content of its
 * alternatives, and drops duplicates. */
static void
alts_sort(struct alts *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct alt *alt = &l->alts[i];
        for (size_t j = 0; j < alt->n_dims; j++) {
            struct expr_conjs *dim = &alt->dims[j];
            qsort(dim->conjs, dim->n, sizeof *dim->conjs,
                  compare_output_conjs_qsort);
        }
        qsort(alt->dims, alt->n_dims, sizeof *alt->dims,
              compare_output_dims);
    }
    qsort(l->alts, l->n, sizeof *l->alts, compare_output_alts);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (n && !compare_output_alts(&l->alts[n - 1], &l->alts[i])) {
            alt_destroy(&l->alts[i]);
        } else {
            l->alts[n++] = l->alts[i];
        }
    }
    l->n = n;
}

/* Appends the text of 'alt' (see lib/pipeline.h for the format) to
 * 's'. */
static void
alt_format(const struct alt *alt, struct ds *s)
{
    if (alt->common.n_terms) {
        expr_conj_format(&alt->common, s);
        if (alt->n_dims) {
            ds_put_cstr(s, PIPELINE_MATCH_AND);
        }
    }
    for (size_t i = 0; i < alt->n_dims; i++) {
        const struct expr_conjs *dim = &alt->dims[i];
        ds_put_format(s, "%s[", i ? PIPELINE_MATCH_AND : "");
        for (size_t j = 0; j < dim->n; j++) {
            ds_put_cstr(s, j ? PIPELINE_MATCH_DIM_OR : "");
            expr_conj_format_fields(&dim->conjs[j], s);
        }
        ds_put_char(s, ']');
    }
}

/* Sorts the alternatives of 'l', writes them into '*matchp' and counts
 * their flows into '*n_flowsp', or records an error if a plain
 * alternative is not a complete OpenFlow match or there are too many
 * flows. */
static void
write_match(struct compiler *c, struct alts *l, char **matchp,
            size_t *n_flowsp)
{
    alts_sort(l);
    size_t n_flows = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct alt *alt = &l->alts[i];
        n_flows += alt->n_dims ? 1 + alt_n_values(alt) : 1;
        if (!alt->n_dims && !conj_is_valid(&alt->common)) {
            struct ds s = DS_EMPTY_INITIALIZER;
            expr_conj_format_fields(&alt->common, &s);
            compiler_error(c, "\"%s\" lacks OpenFlow prerequisites",
                           ds_cstr(&s));
            ds_destroy(&s);
            return;
        }
    }
    if (n_flows > c->max_flows) {
        compiler_error(c, "match needs %"PRIuSIZE" OpenFlow flows, more "
                       "than the limit of %"PRIuSIZE, n_flows,
                       c->max_flows);
        return;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < l->n; i++) {
        ds_put_cstr(&s, i ? PIPELINE_MATCH_OR : "");
        alt_format(&l->alts[i], &s);
    }
    *matchp = ds_steal_cstr(&s);
    *n_flowsp = n_flows;
}

/* Compiles 'e' into the text of a southbound logical flow match, resolving
 * names through 'ctx' (which may be NULL: no ports, groups or sets).
 *
 * On success, returns NULL and stores in '*matchp' the match, a malloc()'d
 * string the caller frees, or NULL if 'e' matches no packet (then the
 * caller writes no flow); and in '*n_flowsp', if nonnull, the number of
 * OpenFlow flows the match needs.  On failure (the match would need more
 * than the allowed number of flows, a comparison on a field that OpenFlow
 * cannot mask allows more than 256 values, an address set holds something
 * that is not an address), returns a malloc()'d error message and stores
 * NULL and 0. */
char *
expr_compile(const struct expr *e, const struct expr_compile_ctx *ctx,
             char **matchp, size_t *n_flowsp)
{
    static const struct expr_compile_ctx no_ctx;
    struct compiler c = {
        .cb = ctx ? ctx : &no_ctx,
        .max_flows = (ctx && ctx->max_flows ? ctx->max_flows
                      : EXPR_COMPILE_MAX_FLOWS),
    };
    c.max_work = MAX(c.max_flows, 1000) * 100;

    size_t n_flows = 0;
    *matchp = NULL;
    struct facts facts;
    facts_init(&facts);
    struct alts top;
    compile_node(&c, e, &facts, &top);
    facts_destroy(&facts);

    struct alts final;
    alts_init(&final);
    for (size_t i = 0; i < top.n; i++) {
        if (c.error) {
            alt_destroy(&top.alts[i]);
        } else {
            finish_alt(&c, &top.alts[i], &final);
        }
    }
    top.n = 0;
    alts_destroy(&top);

    if (!c.error) {
        alts_tidy(&c, &final);
    }
    remove_covered(&c, &final);
    if (!c.error && final.n) {
        write_match(&c, &final, matchp, &n_flows);
    }
    alts_destroy(&final);
    if (n_flowsp) {
        *n_flowsp = c.error ? 0 : n_flows;
    }
    return c.error;
}
