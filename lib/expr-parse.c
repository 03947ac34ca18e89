#include <config.h>

#include "lib/expr.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr-check.h"
#include "lib/expr-lex.h"
#include "lib/expr-symtab.h"
#include "util.h"

/* Parentheses and "!" may nest this deep (as in OVN); deeper input is
 * refused rather than risking the stack. */
#define EXPR_MAX_DEPTH 100

/* State of one parse. */
struct expr_parser {
    struct expr_lexer lexer;          /* Source of tokens. */
    const struct expr_context *ctx;   /* Name resolution, may be NULL. */
    bool strict;                      /* ctx->strict. */
    char *error;                      /* First error, or NULL. */
    int depth;                        /* Current nesting depth. */
    bool not;                         /* Under an odd number of "!"s. */
    bool atomic;                      /* The last primary parsed was not a
                                       * bare comparison: a parenthesized
                                       * expression, 0 or 1, a predicate
                                       * or a field standing alone. */
};

/* A field, or some of its bits, as written: "vlan.tci" or
 * "vlan.tci[12..15]". */
struct field_ref {
    const struct expr_symbol *sym;    /* The field. */
    int ofs;                          /* First bit selected (0 is the
                                       * least significant). */
    int n_bits;                       /* Number of bits selected. */
    char *name;                       /* As written, for messages. */
};

static struct expr *parse_or(struct expr_parser *);

/* Records an error at 'column' unless one was already recorded. */
static void OVS_PRINTF_FORMAT(3, 4)
parse_error(struct expr_parser *p, int column, const char *format, ...)
{
    if (!p->error) {
        va_list args;
        va_start(args, format);
        char *msg = xvasprintf(format, args);
        va_end(args);
        p->error = xasprintf("column %d: %s", column, msg);
        free(msg);
    }
}

/* Records an error "TOKEN: 'expecting'" for 'token'. */
static void
parse_error_expecting_token(struct expr_parser *p,
                            const struct expr_token *token,
                            const char *expecting)
{
    if (token->type == EXPR_TOK_ERROR) {
        parse_error(p, token->column, "%s", token->error);
    } else if (token->type == EXPR_TOK_END) {
        parse_error(p, token->column, "end of input: expecting %s",
                    expecting);
    } else {
        parse_error(p, token->column, "\"%s\": expecting %s", token->text,
                    expecting);
    }
}

/* Records an error "TOKEN: 'expecting'" for the current token. */
static void
parse_error_expecting(struct expr_parser *p, const char *expecting)
{
    parse_error_expecting_token(p, &p->lexer.token, expecting);
}

/* Returns the current token's type. */
static enum expr_token_type
token_type(const struct expr_parser *p)
{
    return p->lexer.token.type;
}

/* Maps a relational operator token to its operator; returns false if
 * 'type' is not one. */
static bool
token_to_relop(enum expr_token_type type, enum expr_relop *relop)
{
    switch (type) {
    case EXPR_TOK_EQ: *relop = EXPR_R_EQ; return true;
    case EXPR_TOK_NE: *relop = EXPR_R_NE; return true;
    case EXPR_TOK_LT: *relop = EXPR_R_LT; return true;
    case EXPR_TOK_LE: *relop = EXPR_R_LE; return true;
    case EXPR_TOK_GT: *relop = EXPR_R_GT; return true;
    case EXPR_TOK_GE: *relop = EXPR_R_GE; return true;
    case EXPR_TOK_END:
    case EXPR_TOK_ERROR:
    case EXPR_TOK_ID:
    case EXPR_TOK_CONST:
    case EXPR_TOK_STRING:
    case EXPR_TOK_ADDR_SET:
    case EXPR_TOK_PORT_GROUP:
    case EXPR_TOK_AND:
    case EXPR_TOK_OR:
    case EXPR_TOK_NOT:
    case EXPR_TOK_LPAREN:
    case EXPR_TOK_RPAREN:
    case EXPR_TOK_LCURLY:
    case EXPR_TOK_RCURLY:
    case EXPR_TOK_COMMA:
    case EXPR_TOK_LSQUARE:
    case EXPR_TOK_RSQUARE:
    case EXPR_TOK_ELLIPSIS:
        return false;
    }
    return false;
}

/* Returns the operator that says of the right operand what 'relop' says
 * of the left one: "4 < f" is "f > 4". */
static enum expr_relop
relop_turn(enum expr_relop relop)
{
    switch (relop) {
    case EXPR_R_EQ: return EXPR_R_EQ;
    case EXPR_R_NE: return EXPR_R_NE;
    case EXPR_R_LT: return EXPR_R_GT;
    case EXPR_R_LE: return EXPR_R_GE;
    case EXPR_R_GT: return EXPR_R_LT;
    case EXPR_R_GE: return EXPR_R_LE;
    }
    OVS_NOT_REACHED();
}

/* Returns true if 'f' selects only some of its field's bits. */
static bool
is_subfield(const struct field_ref *f)
{
    return f->n_bits != f->sym->width;
}

/* Frees what 'f' holds. */
static void
field_ref_destroy(struct field_ref *f)
{
    free(f->name);
}

/* Parses a bit number inside "[...]" into '*bit'.  Returns false after
 * recording an error. */
static bool
parse_bit(struct expr_parser *p, int *bit)
{
    const struct expr_token *token = &p->lexer.token;
    if (token->type != EXPR_TOK_CONST || token->has_mask
        || (token->c.format != EXPR_FMT_DEC
            && token->c.format != EXPR_FMT_HEX)
        || expr_value_n_bits(&token->c.value) > 8) {
        parse_error_expecting(p, "a bit number");
        return false;
    }
    *bit = expr_value_to_uint64(&token->c.value);
    expr_lexer_next(&p->lexer);
    return true;
}

/* Parses "[BIT]" or "[LOW..HIGH]" after field 'f' (the whole field so
 * far), the current token being "[". */
static bool
parse_subfield(struct expr_parser *p, struct field_ref *f)
{
    const struct expr_symbol *sym = f->sym;
    int column = p->lexer.token.column;
    if (sym->type == EXPR_SYM_STRING) {
        parse_error(p, column, "\"[\": %s is a string field; it has no "
                    "bits to select", sym->name);
        return false;
    }
    expr_lexer_next(&p->lexer);
    int low, high;
    if (!parse_bit(p, &low)) {
        return false;
    }
    high = low;
    if (token_type(p) == EXPR_TOK_ELLIPSIS) {
        expr_lexer_next(&p->lexer);
        if (!parse_bit(p, &high)) {
            return false;
        }
    }
    if (token_type(p) != EXPR_TOK_RSQUARE) {
        parse_error_expecting(p, "\"]\"");
        return false;
    }
    expr_lexer_next(&p->lexer);

    char *name = (low == high ? xasprintf("%s[%d]", sym->name, low)
                  : xasprintf("%s[%d..%d]", sym->name, low, high));
    if (low > high) {
        parse_error(p, column, "%s: invalid bit range (the low bit comes "
                    "first)", name);
    } else if (high >= sym->width) {
        parse_error(p, column, "%s: %s has only bits 0 to %d", name,
                    sym->name, sym->width - 1);
    } else if (sym->nominal && high - low + 1 != sym->width) {
        parse_error(p, column, "%s: %s is a nominal field (its values name "
                    "things rather than measure them); its bits cannot be "
                    "selected", name, sym->name);
    }
    if (p->error) {
        free(name);
        return false;
    }
    free(f->name);
    f->name = name;
    f->ofs = low;
    f->n_bits = high - low + 1;
    return true;
}

/* Checks that the relational operator 'relop' at 'column' applies to
 * 'f' ('is_set' if a set follows) under the strict rules. */
static bool
check_strict_relop(struct expr_parser *p, const struct field_ref *f,
                   enum expr_relop relop, int column)
{
    const struct expr_symbol *sym = f->sym;
    if (!p->strict) {
        return true;
    }
    if (expr_relop_is_ordering(relop)
        && (sym->nominal || sym->width == 1)) {
        parse_error(p, column, "\"%s\": %s is %s; only == and != apply",
                    expr_relop_text(relop), sym->name,
                    (sym->nominal ? "a nominal field (its values name "
                     "things rather than measure them)" : "a 1-bit field"));
        return false;
    }
    bool inequality = (relop == EXPR_R_NE) != p->not;
    if (sym->nominal && inequality) {
        parse_error(p, column, "\"%s\": %s is a nominal field and may only "
                    "be tested for equality%s", expr_relop_text(relop),
                    sym->name,
                    p->not ? " (the enclosing \"!\" makes this \"==\" an "
                    "inequality)" : "");
        return false;
    }
    return true;
}

/* Returns the OR of the comparisons "f == V/M" of subfield 'f' that
 * together hold for the values from 'low' to 'high' (low <= high): the
 * fewest aligned blocks, each a masked comparison on the whole field. */
static struct expr *
subfield_range(const struct field_ref *f, uint64_t low, uint64_t high)
{
    struct expr *e = NULL;
    for (;;) {
        /* The largest aligned block that starts at 'low' and ends at or
         * before 'high'. */
        int k = 0;
        while (k < f->n_bits && !(low & (UINT64_C(1) << k))
               && low + ((UINT64_C(2) << k) - 1) <= high
               && low + ((UINT64_C(2) << k) - 1) >= low) {
            k++;
        }
        struct expr *cmp = expr_create_cmp(f->sym, EXPR_R_EQ,
                                           EXPR_CMP_CONST);
        expr_value_from_uint64(low, &cmp->cmp.value);
        expr_value_mask_width(f->n_bits, &cmp->cmp.mask);
        for (int bit = 0; bit < k; bit++) {
            expr_value_set_bit(&cmp->cmp.mask, bit, false);
        }
        expr_value_shift_left(&cmp->cmp.value, f->ofs);
        expr_value_shift_left(&cmp->cmp.mask, f->ofs);
        e = expr_combine(EXPR_T_OR, e, cmp);

        uint64_t last = k >= 64 ? UINT64_MAX : low + ((UINT64_C(1) << k) - 1);
        if (last >= high) {
            return e;
        }
        low = last + 1;
    }
}

/* Turns 'leaf', a comparison of the 'f->n_bits'-bit value of subfield 'f'
 * as if it were a field of its own, into comparisons of the whole field:
 * a masked "==" or "!=", or for "<", "<=", ">" and ">=" the masked
 * equalities that cover the range.  Consumes 'leaf'. */
static struct expr *
subfield_leaf(struct expr_parser *p, const struct field_ref *f,
              struct expr *leaf, int column)
{
    struct expr_cmp *c = &leaf->cmp;
    c->symbol = f->sym;
    if (!expr_relop_is_ordering(c->relop)) {
        expr_value_shift_left(&c->value, f->ofs);
        expr_value_shift_left(&c->mask, f->ofs);
        return leaf;
    }
    if (f->n_bits > 64) {
        parse_error(p, column, "\"%s\": %s is wider than 64 bits; only == "
                    "and != apply", expr_relop_text(c->relop), f->name);
        expr_destroy(leaf);
        return NULL;
    }
    uint64_t max = (f->n_bits == 64 ? UINT64_MAX
                    : (UINT64_C(1) << f->n_bits) - 1);
    uint64_t v = expr_value_to_uint64(&c->value);
    uint64_t low = 0, high = max;
    switch (c->relop) {
    case EXPR_R_LT: high = v - 1; break;
    case EXPR_R_LE: high = v; break;
    case EXPR_R_GT: low = v + 1; break;
    case EXPR_R_GE: low = v; break;
    case EXPR_R_EQ:
    case EXPR_R_NE:
        OVS_NOT_REACHED();
    }
    if ((c->relop == EXPR_R_LT && !v) || (c->relop == EXPR_R_GT
                                            && v == max)) {
        const char *op = expr_relop_text(c->relop);
        parse_error(p, column, "\"%s\": %s %s %"PRIu64" can never be true",
                    op, f->name, op, v);
        expr_destroy(leaf);
        return NULL;
    }
    expr_destroy(leaf);
    return subfield_range(f, low, high);
}

/* Makes the comparison of 'f' with value 'token' under 'relop', the
 * operator being at 'column'.  Returns NULL after recording an error. */
static struct expr *
make_leaf(struct expr_parser *p, const struct field_ref *f,
          enum expr_relop relop, const struct expr_token *token, int column)
{
    /* A subfield is checked as a field of its own, of integers. */
    struct expr_symbol sub;
    const struct expr_symbol *sym = f->sym;
    if (is_subfield(f)) {
        sub = *f->sym;
        sub.name = f->name;
        sub.width = f->n_bits;
        sub.format = EXPR_FMT_HEX;
        sub.prereqs = NULL;
        sym = &sub;
    }

    struct expr *leaf;
    char *error = expr_check_value(sym, relop, token, p->ctx, &leaf);
    if (error) {
        if (*error) {
            parse_error(p, token->column, "%s", error);
        } else {
            parse_error_expecting_token(p, token, "a value");
        }
        free(error);
        return NULL;
    }
    return is_subfield(f) ? subfield_leaf(p, f, leaf, column) : leaf;
}

/* Parses one value for 'f' compared with 'relop' at 'column'. */
static struct expr *
parse_value(struct expr_parser *p, const struct field_ref *f,
            enum expr_relop relop, int column)
{
    struct expr *leaf = make_leaf(p, f, relop, &p->lexer.token, column);
    if (leaf) {
        expr_lexer_next(&p->lexer);
    }
    return leaf;
}

/* Parses "{ value, ... }" for 'f' compared with 'relop': == means any
 * of the values, != none of them. */
static struct expr *
parse_set(struct expr_parser *p, const struct field_ref *f,
          enum expr_relop relop, int column)
{
    enum expr_type type = relop == EXPR_R_EQ ? EXPR_T_OR : EXPR_T_AND;
    struct expr *e = NULL;

    expr_lexer_next(&p->lexer);
    for (;;) {
        struct expr *leaf = parse_value(p, f, relop, column);
        if (!leaf) {
            break;
        }
        e = expr_combine(type, e, leaf);
        if (token_type(p) == EXPR_TOK_COMMA) {
            expr_lexer_next(&p->lexer);
        } else if (token_type(p) == EXPR_TOK_RCURLY) {
            expr_lexer_next(&p->lexer);
            return e;
        } else {
            parse_error_expecting(p, "\",\" or \"}\"");
            break;
        }
    }
    expr_destroy(e);
    return NULL;
}

/* Checks that 'relop' at 'column' may compare 'f' with a value, or with a
 * set if 'is_set'. */
static bool
check_relop(struct expr_parser *p, const struct field_ref *f,
            enum expr_relop relop, bool is_set, int column)
{
    char *error = expr_check_relop(f->sym, relop, is_set);
    if (error) {
        parse_error(p, column, "%s", error);
        free(error);
        return false;
    }
    return check_strict_relop(p, f, relop, column);
}

/* Parses the relational operator and value (or set) that follow 'f'. */
static struct expr *
parse_relop_and_value(struct expr_parser *p, const struct field_ref *f,
                      enum expr_relop relop)
{
    int relop_column = p->lexer.token.column;
    expr_lexer_next(&p->lexer);
    bool is_set = token_type(p) == EXPR_TOK_LCURLY;
    if (!check_relop(p, f, relop, is_set, relop_column)) {
        return NULL;
    }
    return (is_set ? parse_set(p, f, relop, relop_column)
            : parse_value(p, f, relop, relop_column));
}

/* Parses what follows field 'f': a comparison, or nothing for a field of
 * one bit ("vlan.present" means "vlan.present == 1") or, under an odd
 * number of "!"s, of several ("!vlan.pcp" means "vlan.pcp == 0"). */
static struct expr *
parse_comparison(struct expr_parser *p, const struct field_ref *f)
{
    enum expr_relop relop;
    if (token_to_relop(token_type(p), &relop)) {
        p->atomic = false;
        return parse_relop_and_value(p, f, relop);
    }
    if (f->sym->type == EXPR_SYM_FIELD && (f->n_bits == 1 || p->not)) {
        bool one_bit = f->n_bits == 1;
        struct expr *e = expr_create_cmp(f->sym,
                                         one_bit ? EXPR_R_EQ : EXPR_R_NE,
                                         EXPR_CMP_CONST);
        expr_value_from_uint64(one_bit, &e->cmp.value);
        expr_value_mask_width(f->n_bits, &e->cmp.mask);
        expr_value_shift_left(&e->cmp.value, f->ofs);
        expr_value_shift_left(&e->cmp.mask, f->ofs);
        return e;
    }
    char *expecting = xasprintf("a comparison operator (==, !=, <, "
                                "<=, >, >=) after %s", f->name);
    parse_error_expecting(p, expecting);
    free(expecting);
    return NULL;
}

/* Parses a field name and any bit selection after it into 'f'; the
 * current token is a name.  Returns false after recording an error.
 * Stores a predicate's symbol too, without a bit selection. */
static bool
parse_field(struct expr_parser *p, struct field_ref *f)
{
    const struct expr_token *token = &p->lexer.token;
    const struct expr_symbol *sym = expr_symbol_lookup(token->s);
    f->name = NULL;
    if (!sym) {
        parse_error(p, token->column, "\"%s\": no field of that name",
                    token->s);
        return false;
    }
    f->sym = sym;
    f->ofs = 0;
    f->n_bits = sym->width;
    f->name = xstrdup(sym->name);
    expr_lexer_next(&p->lexer);
    if (token_type(p) == EXPR_TOK_LSQUARE) {
        if (sym->type == EXPR_SYM_PREDICATE) {
            parse_error(p, token->column, "\"[\": %s is a predicate; it has "
                        "no bits to select", sym->name);
            return false;
        }
        return parse_subfield(p, f);
    }
    return true;
}

/* Parses a name: a predicate, or a field and its comparison. */
static struct expr *
parse_name(struct expr_parser *p)
{
    const struct expr_token *token = &p->lexer.token;
    int column = token->column;
    struct field_ref f;
    if (!parse_field(p, &f)) {
        field_ref_destroy(&f);
        return NULL;
    }

    struct expr *e = NULL;
    if (f.sym->type != EXPR_SYM_PREDICATE) {
        e = parse_comparison(p, &f);
    } else {
        enum expr_relop relop;
        if (token_to_relop(token_type(p), &relop)) {
            parse_error(p, token->column, "\"%s\": %s is a predicate and "
                        "cannot be compared with a value", token->text,
                        f.sym->name);
        } else {
            char *error = expr_parse_string(f.sym->expansion, NULL, &e);
            if (error) {
                parse_error(p, column, "predicate %s: %s", f.sym->name,
                            error);
                free(error);
            }
        }
    }
    field_ref_destroy(&f);
    return e;
}

/* Parses a comparison written with its value first, "4 < vlan.pcp", or a
 * range with values on both sides, "1 < vlan.pcp <= 4", whose first
 * operator is the current token; 'value' is the token before it. */
static struct expr *
parse_value_first(struct expr_parser *p, const struct expr_token *value)
{
    enum expr_relop r1;
    token_to_relop(token_type(p), &r1);
    int r1_column = p->lexer.token.column;
    expr_lexer_next(&p->lexer);
    if (token_type(p) != EXPR_TOK_ID) {
        parse_error_expecting(p, "a field name");
        return NULL;
    }
    struct field_ref f;
    if (!parse_field(p, &f)) {
        field_ref_destroy(&f);
        return NULL;
    }
    struct expr *e = NULL;
    if (f.sym->type == EXPR_SYM_PREDICATE) {
        parse_error(p, r1_column, "\"%s\": %s is a predicate and cannot be "
                    "compared with a value", expr_relop_text(r1),
                    f.sym->name);
        goto out;
    }
    /* The checks name the operator as written; what they check does not
     * change when it is turned around. */
    if (!check_relop(p, &f, r1, false, r1_column)) {
        goto out;
    }
    e = make_leaf(p, &f, relop_turn(r1), value, r1_column);

    enum expr_relop r2;
    if (e && token_to_relop(token_type(p), &r2)) {
        bool r1_up = r1 == EXPR_R_LT || r1 == EXPR_R_LE;
        bool r1_down = r1 == EXPR_R_GT || r1 == EXPR_R_GE;
        bool r2_up = r2 == EXPR_R_LT || r2 == EXPR_R_LE;
        bool r2_down = r2 == EXPR_R_GT || r2 == EXPR_R_GE;
        if (!(r1_up && r2_up) && !(r1_down && r2_down)) {
            parse_error(p, p->lexer.token.column, "\"%s\": a range must read "
                        "\"x < field < y\" or \"x > field > y\" (or with "
                        "<= or >=)", p->lexer.token.text);
            expr_destroy(e);
            e = NULL;
            goto out;
        }
        struct expr *e2 = parse_relop_and_value(p, &f, r2);
        if (e2) {
            e = expr_combine(EXPR_T_AND, e, e2);
        } else {
            expr_destroy(e);
            e = NULL;
        }
    }
out:
    field_ref_destroy(&f);
    return e;
}

/* Parses a constant or string that starts a primary: 0 or 1 alone, or
 * the value of a comparison written value first. */
static struct expr *
parse_leading_value(struct expr_parser *p)
{
    struct expr_token value;
    expr_token_clone(&value, &p->lexer.token);
    expr_lexer_next(&p->lexer);

    struct expr *e = NULL;
    enum expr_relop relop;
    if (token_to_relop(token_type(p), &relop)) {
        p->atomic = false;
        e = parse_value_first(p, &value);
    } else if (value.type == EXPR_TOK_CONST
               && value.c.format == EXPR_FMT_DEC && !value.has_mask
               && expr_value_n_bits(&value.c.value) <= 1) {
        e = expr_create_boolean(expr_value_to_uint64(&value.c.value));
    } else if (value.type == EXPR_TOK_CONST) {
        parse_error(p, value.column, "%s: only 0 and 1 may stand alone as "
                    "conditions", value.text);
    } else {
        parse_error_expecting(p, "a comparison operator (==, !=, <, <=, "
                              ">, >=)");
    }
    expr_token_destroy(&value);
    return e;
}

/* Parses a primary: a parenthesized expression, 0 or 1, a name, or a
 * comparison written value first. */
static struct expr *
parse_primary(struct expr_parser *p)
{
    const struct expr_token *token = &p->lexer.token;

    p->atomic = true;
    if (token->type == EXPR_TOK_LPAREN) {
        expr_lexer_next(&p->lexer);
        struct expr *e = parse_or(p);
        if (e && token_type(p) != EXPR_TOK_RPAREN) {
            parse_error_expecting(p, "\")\"");
        }
        if (p->error) {
            expr_destroy(e);
            return NULL;
        }
        expr_lexer_next(&p->lexer);
        p->atomic = true;
        return e;
    } else if (token->type == EXPR_TOK_CONST
               || token->type == EXPR_TOK_STRING) {
        return parse_leading_value(p);
    } else if (token->type == EXPR_TOK_ID) {
        return parse_name(p);
    }
    parse_error_expecting(p, "a field name, \"!\", \"(\", 0 or 1");
    return NULL;
}

/* Parses "!"* primary. */
static struct expr *
parse_not(struct expr_parser *p)
{
    if (token_type(p) == EXPR_TOK_NOT || token_type(p) == EXPR_TOK_LPAREN) {
        if (++p->depth > EXPR_MAX_DEPTH) {
            parse_error(p, p->lexer.token.column, "\"%s\": expression nests "
                        "more than %d deep", p->lexer.token.text,
                        EXPR_MAX_DEPTH);
            return NULL;
        }
    }
    struct expr *e;
    if (token_type(p) == EXPR_TOK_NOT) {
        int not_column = p->lexer.token.column;
        expr_lexer_next(&p->lexer);
        p->not = !p->not;
        e = parse_not(p);
        p->not = !p->not;
        if (e && p->strict && !p->atomic) {
            parse_error(p, not_column, "\"!\": put the comparison it "
                        "negates in parentheses, \"!(...)\"");
            expr_destroy(e);
            e = NULL;
        }
        e = e ? expr_negate(e) : NULL;
        p->atomic = true;
        p->depth--;
    } else {
        bool paren = token_type(p) == EXPR_TOK_LPAREN;
        e = parse_primary(p);
        p->depth -= paren;
    }
    return e;
}

/* Parses operands of 'type' (AND or OR) separated by 'op'.  Stores in
 * '*n_ops' the number of operators read, and in '*op_column' the column
 * of the first. */
static struct expr *
parse_binary(struct expr_parser *p, enum expr_type type,
             enum expr_token_type op,
             struct expr *(*parse_operand)(struct expr_parser *),
             int *n_ops, int *op_column)
{
    *n_ops = 0;
    struct expr *e = parse_operand(p);
    while (e && token_type(p) == op) {
        if (!(*n_ops)++) {
            *op_column = p->lexer.token.column;
        }
        expr_lexer_next(&p->lexer);
        struct expr *operand = parse_operand(p);
        if (!operand) {
            expr_destroy(e);
            return NULL;
        }
        e = expr_combine(type, e, operand);
    }
    return e;
}

/* Parses "not && not && ...". */
static struct expr *
parse_and__(struct expr_parser *p, int *n_ands, int *and_column)
{
    return parse_binary(p, EXPR_T_AND, EXPR_TOK_AND, parse_not, n_ands,
                        and_column);
}

/* Parses "and || and || ...".  Under the strict rules, "&&" and "||" may
 * not meet at one level: "a || b && c" must be written "a || (b && c)". */
static struct expr *
parse_or(struct expr_parser *p)
{
    int n_ands, and_column = 0;
    struct expr *e = parse_and__(p, &n_ands, &and_column);
    bool mixed = n_ands > 0;
    while (e && token_type(p) == EXPR_TOK_OR) {
        int or_column = p->lexer.token.column;
        if (p->strict && mixed) {
            parse_error(p, or_column, "\"||\": && and || must be "
                        "parenthesized when used together");
            expr_destroy(e);
            return NULL;
        }
        expr_lexer_next(&p->lexer);
        struct expr *operand = parse_and__(p, &n_ands, &and_column);
        if (!operand) {
            expr_destroy(e);
            return NULL;
        }
        if (p->strict && n_ands) {
            parse_error(p, and_column, "\"&&\": && and || must be "
                        "parenthesized when used together");
            expr_destroy(e);
            expr_destroy(operand);
            return NULL;
        }
        e = expr_combine(EXPR_T_OR, e, operand);
    }
    return e;
}

/* ANDs every comparison in 'e' with its field's prerequisites.  Returns
 * the new tree, or NULL with '*errorp' set. */
static struct expr *
add_prereqs(struct expr *e, char **errorp)
{
    if (e->type == EXPR_T_CMP && e->cmp.symbol->prereqs) {
        struct expr *prereqs;
        char *error = expr_parse_string(e->cmp.symbol->prereqs, NULL,
                                        &prereqs);
        if (error) {
            *errorp = xasprintf("prerequisite of %s: %s",
                                e->cmp.symbol->name, error);
            free(error);
            expr_destroy(e);
            return NULL;
        }
        return expr_combine(EXPR_T_AND, e, prereqs);
    } else if (e->type == EXPR_T_AND || e->type == EXPR_T_OR) {
        for (size_t i = 0; i < e->n_subs; i++) {
            e->subs[i] = add_prereqs(e->subs[i], errorp);
            if (!e->subs[i]) {
                e->subs[i] = expr_create_boolean(false);
            }
        }
        if (*errorp) {
            expr_destroy(e);
            return NULL;
        }
    }
    return e;
}

/* Brings 'e', parsed, with its prerequisites added and simplified, to the
 * form that its own canonical text parses to, so that printing and
 * parsing again changes nothing.  Parsing that text adds every
 * comparison's prerequisites once more and simplifies: the same step,
 * applied here to the tree itself (the text has the tree's structure).
 * One step is not always enough.  In "tcp.src >= 12 || ip6 && tcp",
 * "ip6" absorbs the "ip" prerequisite of "tcp" in one operand, so that
 * simplification factors out "ip.proto == 6" without "ip"; parsing the
 * text brings "ip" back next to it and gives another tree.  So the step
 * is repeated until nothing changes.  Consumes 'e' and returns the
 * result. */
static struct expr *
canonicalize(struct expr *e)
{
    /* A few steps reach the fixed point in practice; the fuzzer's
     * round-trip check would report a case that needs more. */
    for (int step = 0; step < 8; step++) {
        char *error = NULL;
        struct expr *again = add_prereqs(expr_clone(e), &error);
        if (error) {
            /* The same prerequisites parsed the first time. */
            free(error);
            break;
        }
        again = expr_simplify(again);
        if (!expr_compare(again, e)) {
            expr_destroy(again);
            break;
        }
        expr_destroy(e);
        e = again;
    }
    return e;
}

/* Parses and type-checks 's', resolving $name and @name through 'ctx'
 * (which may be NULL: every name exists).  On success stores the
 * expression in '*exprp' (free with expr_destroy()) and returns NULL;
 * otherwise stores NULL and returns the error, "column N: ...". */
char *
expr_parse_string(const char *s, const struct expr_context *ctx,
                  struct expr **exprp)
{
    struct expr_parser p = { .ctx = ctx, .strict = ctx && ctx->strict };
    expr_lexer_init(&p.lexer, s);

    struct expr *e = parse_or(&p);
    if (e && !p.error && token_type(&p) != EXPR_TOK_END) {
        parse_error_expecting(&p, "\"&&\", \"||\" or end of input");
    }
    expr_lexer_destroy(&p.lexer);
    if (p.error) {
        expr_destroy(e);
        *exprp = NULL;
        return p.error;
    }

    char *error = NULL;
    e = add_prereqs(e, &error);
    if (error) {
        *exprp = NULL;
        return error;
    }
    e = canonicalize(expr_simplify(e));
    error = expr_check_satisfiable(e);
    if (error) {
        expr_destroy(e);
        *exprp = NULL;
        return error;
    }
    *exprp = e;
    return NULL;
}

/* Parses 's' and discards the result: returns NULL if 's' is a valid
 * expression, otherwise the error. */
char *
expr_validate(const char *s, const struct expr_context *ctx)
{
    struct expr *e;
    char *error = expr_parse_string(s, ctx, &e);
    expr_destroy(e);
    return error;
}
