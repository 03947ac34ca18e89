#include <config.h>

#include "lib/expr.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr-check.h"
#include "lib/expr-lex.h"
#include "lib/expr-symtab.h"
#include "util.h"

/* Parentheses and "!" may nest this deep; deeper input is refused rather
 * than risking the stack. */
#define EXPR_MAX_DEPTH 64

/* State of one parse. */
struct expr_parser {
    struct expr_lexer lexer;          /* Source of tokens. */
    const struct expr_context *ctx;   /* Name resolution, may be NULL. */
    char *error;                      /* First error, or NULL. */
    int depth;                        /* Current nesting depth. */
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

/* Records an error "TOKEN: 'expecting'" for the current token. */
static void
parse_error_expecting(struct expr_parser *p, const char *expecting)
{
    const struct expr_token *token = &p->lexer.token;
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
        return false;
    }
    return false;
}

/* Parses one value for 'sym' compared with 'relop'. */
static struct expr *
parse_value(struct expr_parser *p, const struct expr_symbol *sym,
            enum expr_relop relop)
{
    const struct expr_token *token = &p->lexer.token;
    struct expr *leaf;
    char *error = expr_check_value(sym, relop, token, p->ctx, &leaf);
    if (error) {
        if (*error) {
            parse_error(p, token->column, "%s", error);
        } else {
            parse_error_expecting(p, "a value");
        }
        free(error);
        return NULL;
    }
    expr_lexer_next(&p->lexer);
    return leaf;
}

/* Parses "{ value, ... }" for 'sym' compared with 'relop': == means any
 * of the values, != none of them. */
static struct expr *
parse_set(struct expr_parser *p, const struct expr_symbol *sym,
          enum expr_relop relop)
{
    enum expr_type type = relop == EXPR_R_EQ ? EXPR_T_OR : EXPR_T_AND;
    struct expr *e = NULL;

    expr_lexer_next(&p->lexer);
    for (;;) {
        struct expr *leaf = parse_value(p, sym, relop);
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

/* Parses what follows field name 'sym'. */
static struct expr *
parse_comparison(struct expr_parser *p, const struct expr_symbol *sym)
{
    enum expr_relop relop;
    if (!token_to_relop(token_type(p), &relop)) {
        if (sym->type == EXPR_SYM_FIELD && sym->width == 1) {
            struct expr *e = expr_create_cmp(sym, EXPR_R_EQ,
                                             EXPR_CMP_CONST);
            expr_value_from_uint64(1, &e->cmp.value);
            return e;
        }
        char *expecting = xasprintf("a comparison operator (==, !=, <, "
                                    "<=, >, >=) after %s", sym->name);
        parse_error_expecting(p, expecting);
        free(expecting);
        return NULL;
    }

    int relop_column = p->lexer.token.column;
    expr_lexer_next(&p->lexer);
    bool is_set = token_type(p) == EXPR_TOK_LCURLY;
    char *error = expr_check_relop(sym, relop, is_set);
    if (error) {
        parse_error(p, relop_column, "%s", error);
        free(error);
        return NULL;
    }
    return is_set ? parse_set(p, sym, relop) : parse_value(p, sym, relop);
}

/* Parses a name: a predicate, or a field and its comparison. */
static struct expr *
parse_name(struct expr_parser *p)
{
    const struct expr_token *token = &p->lexer.token;
    int column = token->column;
    const struct expr_symbol *sym = expr_symbol_lookup(token->s);
    if (!sym) {
        parse_error(p, column, "\"%s\": no field of that name", token->s);
        return NULL;
    }
    expr_lexer_next(&p->lexer);

    if (sym->type != EXPR_SYM_PREDICATE) {
        return parse_comparison(p, sym);
    }
    enum expr_relop relop;
    if (token_to_relop(token_type(p), &relop)) {
        parse_error(p, token->column, "\"%s\": %s is a predicate and "
                    "cannot be compared with a value", token->text,
                    sym->name);
        return NULL;
    }
    struct expr *e;
    char *error = expr_parse_string(sym->expansion, NULL, &e);
    if (error) {
        parse_error(p, column, "predicate %s: %s", sym->name, error);
        free(error);
        return NULL;
    }
    return e;
}

/* Parses a primary: a parenthesized expression, 0 or 1, or a name. */
static struct expr *
parse_primary(struct expr_parser *p)
{
    const struct expr_token *token = &p->lexer.token;

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
        return e;
    } else if (token->type == EXPR_TOK_CONST) {
        uint64_t x = expr_value_to_uint64(&token->c.value);
        if (token->c.format == EXPR_FMT_DEC && !token->has_mask
            && expr_value_n_bits(&token->c.value) <= 1) {
            expr_lexer_next(&p->lexer);
            return expr_create_boolean(x);
        }
        parse_error(p, token->column, "%s: only 0 and 1 may stand alone "
                    "as conditions", token->text);
        return NULL;
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
        expr_lexer_next(&p->lexer);
        e = parse_not(p);
        e = e ? expr_negate(e) : NULL;
        p->depth--;
    } else {
        bool paren = token_type(p) == EXPR_TOK_LPAREN;
        e = parse_primary(p);
        p->depth -= paren;
    }
    return e;
}

/* Parses operands of 'type' (AND or OR) separated by 'op'. */
static struct expr *
parse_binary(struct expr_parser *p, enum expr_type type,
             enum expr_token_type op,
             struct expr *(*parse_operand)(struct expr_parser *))
{
    struct expr *e = parse_operand(p);
    while (e && token_type(p) == op) {
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
parse_and(struct expr_parser *p)
{
    return parse_binary(p, EXPR_T_AND, EXPR_TOK_AND, parse_not);
}

/* Parses "and || and || ...". */
static struct expr *
parse_or(struct expr_parser *p)
{
    return parse_binary(p, EXPR_T_OR, EXPR_TOK_OR, parse_and);
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
    struct expr_parser p = { .ctx = ctx };
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
