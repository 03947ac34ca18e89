#include <config.h>

#include "lib/expr-ast.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Returns a new constant 'b'. */
struct expr *
expr_create_boolean(bool b)
{
    struct expr *e = xzalloc(sizeof *e);
    e->type = EXPR_T_BOOLEAN;
    e->boolean = b;
    return e;
}

/* Returns a new comparison of 'symbol' with an empty value of 'kind';
 * the caller fills in the value.  The mask starts as the exact match. */
struct expr *
expr_create_cmp(const struct expr_symbol *symbol, enum expr_relop relop,
                enum expr_cmp_kind kind)
{
    struct expr *e = xzalloc(sizeof *e);
    e->type = EXPR_T_CMP;
    e->cmp.symbol = symbol;
    e->cmp.relop = relop;
    e->cmp.kind = kind;
    expr_value_mask_width(symbol->width, &e->cmp.mask);
    return e;
}

/* Appends 'sub' to the operands of AND or OR node 'e'. */
static void
add_sub(struct expr *e, struct expr *sub)
{
    e->subs = xrealloc(e->subs, (e->n_subs + 1) * sizeof *e->subs);
    e->subs[e->n_subs++] = sub;
}

/* Returns the AND or OR ('type') of 'a' and 'b', taking ownership of
 * both.  Either may be NULL, meaning absent. */
struct expr *
expr_combine(enum expr_type type, struct expr *a, struct expr *b)
{
    if (!a) {
        return b;
    } else if (!b) {
        return a;
    } else if (a->type == type) {
        add_sub(a, b);
        return a;
    }
    struct expr *e = xzalloc(sizeof *e);
    e->type = type;
    add_sub(e, a);
    add_sub(e, b);
    return e;
}

/* Returns a deep copy of 'e'. */
struct expr *
expr_clone(const struct expr *e)
{
    struct expr *copy = xmemdup(e, sizeof *e);
    copy->cmp.string = nullable_xstrdup(e->cmp.string);
    if (e->n_subs) {
        copy->subs = xmalloc(e->n_subs * sizeof *copy->subs);
        for (size_t i = 0; i < e->n_subs; i++) {
            copy->subs[i] = expr_clone(e->subs[i]);
        }
    }
    return copy;
}

/* Returns true if any comparison in 'e' compares symbol 'name' (after
 * parsing, predicates are already replaced by the fields they test). */
bool
expr_uses_symbol(const struct expr *e, const char *name)
{
    if (e->type == EXPR_T_CMP) {
        return !strcmp(e->cmp.symbol->name, name);
    }
    for (size_t i = 0; i < e->n_subs; i++) {
        if (expr_uses_symbol(e->subs[i], name)) {
            return true;
        }
    }
    return false;
}

/* Frees 'e' and everything under it.  Accepts NULL. */
void
expr_destroy(struct expr *e)
{
    if (e) {
        for (size_t i = 0; i < e->n_subs; i++) {
            expr_destroy(e->subs[i]);
        }
        free(e->subs);
        free(e->cmp.string);
        free(e);
    }
}

/* Returns the operator that matches exactly when 'relop' does not. */
static enum expr_relop
relop_invert(enum expr_relop relop)
{
    switch (relop) {
    case EXPR_R_EQ: return EXPR_R_NE;
    case EXPR_R_NE: return EXPR_R_EQ;
    case EXPR_R_LT: return EXPR_R_GE;
    case EXPR_R_LE: return EXPR_R_GT;
    case EXPR_R_GT: return EXPR_R_LE;
    case EXPR_R_GE: return EXPR_R_LT;
    }
    OVS_NOT_REACHED();
}

/* Negates 'e' in place, pushing the negation down to the leaves, and
 * returns it. */
struct expr *
expr_negate(struct expr *e)
{
    switch (e->type) {
    case EXPR_T_CMP:
        e->cmp.relop = relop_invert(e->cmp.relop);
        break;
    case EXPR_T_AND:
    case EXPR_T_OR:
        e->type = e->type == EXPR_T_AND ? EXPR_T_OR : EXPR_T_AND;
        for (size_t i = 0; i < e->n_subs; i++) {
            expr_negate(e->subs[i]);
        }
        break;
    case EXPR_T_BOOLEAN:
        e->boolean = !e->boolean;
        break;
    }
    return e;
}

/* Compares two integers for expr_compare(). */
static int
compare_int(long long a, long long b)
{
    return a < b ? -1 : a > b;
}

/* Compares two comparisons for expr_compare(). */
static int
compare_cmp(const struct expr_cmp *a, const struct expr_cmp *b)
{
    int cmp = strcmp(a->symbol->name, b->symbol->name);
    if (!cmp) {
        cmp = compare_int(a->relop, b->relop);
    }
    if (!cmp) {
        cmp = compare_int(a->kind, b->kind);
    }
    if (!cmp) {
        cmp = memcmp(&a->value, &b->value, sizeof a->value);
    }
    if (!cmp) {
        cmp = memcmp(&a->mask, &b->mask, sizeof a->mask);
    }
    if (!cmp) {
        cmp = strcmp(a->string ? a->string : "", b->string ? b->string : "");
    }
    return cmp;
}

/* Returns a total order on expressions: negative, zero or positive as 'a'
 * sorts before, with or after 'b'.  Zero means they are the same. */
int
expr_compare(const struct expr *a, const struct expr *b)
{
    if (a->type != b->type) {
        return compare_int(a->type, b->type);
    }
    switch (a->type) {
    case EXPR_T_CMP:
        return compare_cmp(&a->cmp, &b->cmp);
    case EXPR_T_AND:
    case EXPR_T_OR:
        if (a->n_subs != b->n_subs) {
            return compare_int(a->n_subs, b->n_subs);
        }
        for (size_t i = 0; i < a->n_subs; i++) {
            int cmp = expr_compare(a->subs[i], b->subs[i]);
            if (cmp) {
                return cmp;
            }
        }
        return 0;
    case EXPR_T_BOOLEAN:
        return compare_int(a->boolean, b->boolean);
    }
    OVS_NOT_REACHED();
}

/* qsort() wrapper for expr_compare(). */
static int
compare_expr_ptrs(const void *a_, const void *b_)
{
    const struct expr *const *a = a_;
    const struct expr *const *b = b_;
    return expr_compare(*a, *b);
}

/* Moves the operands of 'sub', an operand of the same type as 'e', up
 * into 'e', and frees 'sub'. */
static void
absorb_sub(struct expr *e, struct expr *sub)
{
    for (size_t i = 0; i < sub->n_subs; i++) {
        add_sub(e, sub->subs[i]);
    }
    free(sub->subs);
    sub->subs = NULL;
    sub->n_subs = 0;
    expr_destroy(sub);
}

/* Returns true if some operand of 'andor' other than 'skip' equals one
 * of the operands of 'sub'. */
static bool
shares_operand(const struct expr *andor, const struct expr *sub,
               size_t skip)
{
    for (size_t i = 0; i < sub->n_subs; i++) {
        for (size_t j = 0; j < andor->n_subs; j++) {
            if (j != skip && !expr_compare(sub->subs[i], andor->subs[j])) {
                return true;
            }
        }
    }
    return false;
}

/* Applies the absorption laws to AND or OR node 'e': "a && (a || b)" is
 * "a" and "a || (a && b)" is "a".  This drops prerequisites that another
 * operand already implies, such as "eth.type == 0x800 || eth.type ==
 * 0x86dd" next to "eth.type == 0x800". */
static void
absorb_implied(struct expr *e)
{
    /* Only a comparison can absorb an operand here (the absorbing operand
     * equals an operand of an operand of the opposite type, so it is
     * neither an AND nor an OR), and comparisons are never dropped: so
     * deciding first and dropping afterwards is safe. */
    bool *drop = xcalloc(e->n_subs, sizeof *drop);
    for (size_t i = 0; i < e->n_subs; i++) {
        const struct expr *sub = e->subs[i];
        drop[i] = ((sub->type == EXPR_T_AND || sub->type == EXPR_T_OR)
                   && sub->type != e->type && shares_operand(e, sub, i));
    }
    size_t n = 0;
    for (size_t i = 0; i < e->n_subs; i++) {
        if (drop[i]) {
            expr_destroy(e->subs[i]);
        } else {
            e->subs[n++] = e->subs[i];
        }
    }
    e->n_subs = n;
    free(drop);
}

/* Returns true if 'sub', an operand of a node whose operands are of type
 * 'inner', has 'x' as an operand (or is 'x'). */
static bool
has_operand(const struct expr *sub, enum expr_type inner,
            const struct expr *x)
{
    if (sub->type != inner) {
        return !expr_compare(sub, x);
    }
    for (size_t i = 0; i < sub->n_subs; i++) {
        if (!expr_compare(sub->subs[i], x)) {
            return true;
        }
    }
    return false;
}

/* Returns 'sub' without the operands that are in 'common' (of type
 * 'inner'), consuming 'sub'. */
static struct expr *
remove_common(struct expr *sub, enum expr_type inner,
              const struct expr *common)
{
    struct expr *rest = xzalloc(sizeof *rest);
    rest->type = inner;
    struct expr *single[1] = { sub };
    struct expr **subs = sub->type == inner ? sub->subs : single;
    size_t n_subs = sub->type == inner ? sub->n_subs : 1;
    for (size_t i = 0; i < n_subs; i++) {
        if (has_operand(common, inner, subs[i])) {
            expr_destroy(subs[i]);
        } else {
            add_sub(rest, subs[i]);
        }
    }
    if (sub->type == inner) {
        free(sub->subs);
        free(sub);
    }
    return rest;
}

static struct expr *simplify_andor(struct expr *);

/* Factors operands common to every operand out of AND or OR node 'e':
 * "(a && x) || (a && y)" becomes "a && (x || y)", and dually.  A set
 * such as "tcp.dst == {80, 443}" thus keeps one copy of its
 * prerequisites.  Consumes 'e' and returns the simplified result. */
static struct expr *
factor_common(struct expr *e)
{
    enum expr_type inner = e->type == EXPR_T_OR ? EXPR_T_AND : EXPR_T_OR;
    const struct expr *first = e->subs[0];
    struct expr *common = xzalloc(sizeof *common);
    common->type = inner;

    const struct expr *const *cands = (first->type == inner
                                       ? (const struct expr *const *)
                                         first->subs
                                       : &first);
    size_t n_cands = first->type == inner ? first->n_subs : 1;
    for (size_t i = 0; i < n_cands; i++) {
        bool everywhere = true;
        for (size_t j = 1; j < e->n_subs && everywhere; j++) {
            everywhere = has_operand(e->subs[j], inner, cands[i]);
        }
        if (everywhere) {
            add_sub(common, expr_clone(cands[i]));
        }
    }
    if (!common->n_subs) {
        expr_destroy(common);
        return e;
    }

    for (size_t i = 0; i < e->n_subs; i++) {
        e->subs[i] = simplify_andor(remove_common(e->subs[i], inner,
                                                  common));
    }
    add_sub(common, simplify_andor(e));
    return simplify_andor(common);
}

/* Simplifies AND or OR node 'e' whose operands are already simple. */
static struct expr *
simplify_andor(struct expr *e)
{
    /* In an AND, true operands vanish and a false one decides; in an OR,
     * the other way round. */
    bool identity = e->type == EXPR_T_AND;
    struct expr **subs = e->subs;
    size_t n_subs = e->n_subs;
    e->subs = NULL;
    e->n_subs = 0;
    for (size_t i = 0; i < n_subs; i++) {
        struct expr *sub = subs[i];
        if (sub->type == e->type) {
            absorb_sub(e, sub);
        } else if (sub->type == EXPR_T_BOOLEAN && sub->boolean == identity) {
            expr_destroy(sub);
        } else if (sub->type == EXPR_T_BOOLEAN) {
            for (size_t j = i + 1; j < n_subs; j++) {
                expr_destroy(subs[j]);
            }
            free(subs);
            expr_destroy(e);
            return sub;
        } else {
            add_sub(e, sub);
        }
    }
    free(subs);

    if (!e->n_subs) {
        expr_destroy(e);
        return expr_create_boolean(identity);
    }
    qsort(e->subs, e->n_subs, sizeof *e->subs, compare_expr_ptrs);
    size_t n = 1;
    for (size_t i = 1; i < e->n_subs; i++) {
        if (expr_compare(e->subs[n - 1], e->subs[i])) {
            e->subs[n++] = e->subs[i];
        } else {
            expr_destroy(e->subs[i]);
        }
    }
    e->n_subs = n;
    absorb_implied(e);
    if (e->n_subs == 1) {
        struct expr *only = e->subs[0];
        e->n_subs = 0;
        expr_destroy(e);
        return only;
    }
    return factor_common(e);
}

/* Simplifies 'e' bottom-up, consuming it. */
static struct expr *
simplify_tree(struct expr *e)
{
    if (e->type == EXPR_T_AND || e->type == EXPR_T_OR) {
        for (size_t i = 0; i < e->n_subs; i++) {
            e->subs[i] = simplify_tree(e->subs[i]);
        }
        return simplify_andor(e);
    }
    return e;
}

/* Returns true if 'e' equals one of the 'n_facts' expressions in 'facts',
 * not counting facts[skip]. */
static bool
is_fact(const struct expr *e, struct expr **facts, size_t n_facts,
        size_t skip)
{
    for (size_t i = 0; i < n_facts; i++) {
        if (i != skip && !expr_compare(e, facts[i])) {
            return true;
        }
    }
    return false;
}

/* Replaces by true every part of 'e' that equals one of the 'n_facts'
 * 'facts' (expressions known to hold where 'e' is evaluated; facts[skip]
 * is 'e' itself and does not count), and every OR with such an operand.
 * Inside an AND, each operand is a fact for the others: in "a && (a ||
 * b)" or "a && (b || (a && c))" the inner "a" is redundant.
 *
 * This is sound although the operands of an AND are simplified with each
 * other's original form: an operand can only be removed from a strictly
 * larger one, so no two operands can remove each other.  Consumes 'e'
 * and returns the result, which may need simplify_tree(). */
static struct expr *
apply_facts(struct expr *e, struct expr **facts, size_t n_facts, size_t skip)
{
    if (is_fact(e, facts, n_facts, skip)) {
        expr_destroy(e);
        return expr_create_boolean(true);
    } else if (e->type == EXPR_T_OR) {
        for (size_t i = 0; i < e->n_subs; i++) {
            if (is_fact(e->subs[i], facts, n_facts, SIZE_MAX)) {
                expr_destroy(e);
                return expr_create_boolean(true);
            }
        }
        for (size_t i = 0; i < e->n_subs; i++) {
            e->subs[i] = apply_facts(e->subs[i], facts, n_facts, SIZE_MAX);
        }
    } else if (e->type == EXPR_T_AND) {
        size_t n_more = n_facts + e->n_subs;
        struct expr **more = xmalloc(n_more * sizeof *more);
        memcpy(more, facts, n_facts * sizeof *facts);
        for (size_t i = 0; i < e->n_subs; i++) {
            more[n_facts + i] = expr_clone(e->subs[i]);
        }
        for (size_t i = 0; i < e->n_subs; i++) {
            e->subs[i] = apply_facts(e->subs[i], more, n_more, n_facts + i);
        }
        for (size_t i = n_facts; i < n_more; i++) {
            expr_destroy(more[i]);
        }
        free(more);
    }
    return e;
}

/* Returns 'e' in simplified form (see the comment at the top of
 * expr-ast.h), consuming 'e'. */
struct expr *
expr_simplify(struct expr *e)
{
    /* Each round can only make the tree smaller, so this ends; a few
     * rounds reach the fixed point in practice. */
    e = simplify_tree(e);
    for (int round = 0; round < 8; round++) {
        struct expr *before = expr_clone(e);
        e = simplify_tree(apply_facts(e, NULL, 0, SIZE_MAX));
        bool same = !expr_compare(before, e);
        expr_destroy(before);
        if (same) {
            break;
        }
    }
    return e;
}

/* Returns the text of 'relop'. */
const char *
expr_relop_text(enum expr_relop relop)
{
    switch (relop) {
    case EXPR_R_EQ: return "==";
    case EXPR_R_NE: return "!=";
    case EXPR_R_LT: return "<";
    case EXPR_R_LE: return "<=";
    case EXPR_R_GT: return ">";
    case EXPR_R_GE: return ">=";
    }
    OVS_NOT_REACHED();
}

/* Returns true for <, <=, > and >=. */
bool
expr_relop_is_ordering(enum expr_relop relop)
{
    return relop != EXPR_R_EQ && relop != EXPR_R_NE;
}

/* Appends 'value' in the notation of 'format'. */
static void
format_value(enum expr_format format, const struct expr_value *value,
             struct ds *s)
{
    char buf[INET6_ADDRSTRLEN];

    switch (format) {
    case EXPR_FMT_DEC:
        ds_put_format(s, "%"PRIu64, expr_value_to_uint64(value));
        break;
    case EXPR_FMT_HEX:
        ds_put_format(s, "0x%"PRIx64, expr_value_to_uint64(value));
        break;
    case EXPR_FMT_MAC:
        ds_put_format(s, "%02x:%02x:%02x:%02x:%02x:%02x",
                      value->b[10], value->b[11], value->b[12],
                      value->b[13], value->b[14], value->b[15]);
        break;
    case EXPR_FMT_IPV4:
        ds_put_format(s, "%d.%d.%d.%d", value->b[12], value->b[13],
                      value->b[14], value->b[15]);
        break;
    case EXPR_FMT_IPV6:
        inet_ntop(AF_INET6, value->b, buf, sizeof buf);
        ds_put_cstr(s, buf);
        break;
    }
}

/* Appends 's' as a quoted string, escaping quotes and backslashes. */
static void
format_string(const char *string, struct ds *s)
{
    ds_put_char(s, '"');
    for (const char *p = string; *p; p++) {
        if (*p == '"' || *p == '\\') {
            ds_put_char(s, '\\');
        }
        ds_put_char(s, *p);
    }
    ds_put_char(s, '"');
}

/* Appends the value and mask of constant comparison 'cmp'. */
static void
format_const(const struct expr_cmp *cmp, struct ds *s)
{
    const struct expr_symbol *sym = cmp->symbol;
    struct expr_value exact;
    expr_value_mask_width(sym->width, &exact);
    if (!memcmp(&exact, &cmp->mask, sizeof exact)) {
        format_value(sym->format, &cmp->value, s);
        return;
    }

    int plen = expr_value_prefix_len(sym->width, &cmp->mask);
    switch (sym->format) {
    case EXPR_FMT_IPV4:
    case EXPR_FMT_IPV6:
        format_value(sym->format, &cmp->value, s);
        if (plen >= 0) {
            ds_put_format(s, "/%d", plen);
        } else {
            ds_put_char(s, '/');
            format_value(sym->format, &cmp->mask, s);
        }
        break;
    case EXPR_FMT_MAC:
        format_value(sym->format, &cmp->value, s);
        ds_put_char(s, '/');
        format_value(sym->format, &cmp->mask, s);
        break;
    case EXPR_FMT_DEC:
    case EXPR_FMT_HEX:
        format_value(EXPR_FMT_HEX, &cmp->value, s);
        ds_put_char(s, '/');
        format_value(EXPR_FMT_HEX, &cmp->mask, s);
        break;
    }
}

/* Appends comparison 'cmp' to 's'. */
void
expr_format_cmp(const struct expr_cmp *cmp, struct ds *s)
{
    ds_put_format(s, "%s %s ", cmp->symbol->name,
                  expr_relop_text(cmp->relop));
    switch (cmp->kind) {
    case EXPR_CMP_CONST:
        format_const(cmp, s);
        break;
    case EXPR_CMP_STRING:
        format_string(cmp->string, s);
        break;
    case EXPR_CMP_ADDR_SET:
        ds_put_format(s, "$%s", cmp->string);
        break;
    case EXPR_CMP_PORT_GROUP:
        ds_put_format(s, "@%s", cmp->string);
        break;
    }
}

/* Appends 'e' to 's', parenthesizing every nested AND or OR. */
void
expr_format(const struct expr *e, struct ds *s)
{
    switch (e->type) {
    case EXPR_T_CMP:
        expr_format_cmp(&e->cmp, s);
        break;
    case EXPR_T_AND:
    case EXPR_T_OR:
        for (size_t i = 0; i < e->n_subs; i++) {
            const struct expr *sub = e->subs[i];
            bool paren = sub->type == EXPR_T_AND || sub->type == EXPR_T_OR;
            if (i) {
                ds_put_cstr(s, e->type == EXPR_T_AND ? " && " : " || ");
            }
            ds_put_cstr(s, paren ? "(" : "");
            expr_format(sub, s);
            ds_put_cstr(s, paren ? ")" : "");
        }
        break;
    case EXPR_T_BOOLEAN:
        ds_put_char(s, e->boolean ? '1' : '0');
        break;
    }
}

/* Returns the canonical text of 'e', which the caller must free. */
char *
expr_to_string(const struct expr *e)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    expr_format(e, &s);
    return ds_steal_cstr(&s);
}
