/*
 * The syntax tree of a parsed match.
 *
 * A parsed expression is a tree of four kinds of node:
 *
 *   - EXPR_T_CMP, a comparison of one symbol with one value: a field with
 *     a constant under a mask ("ip4.src == 10.0.0.0/8" keeps the field,
 *     value 10.0.0.0 and mask 255.0.0.0), a string field with a port
 *     name, or a field with an address set or port group reference.
 *
 *   - EXPR_T_AND and EXPR_T_OR, with two or more operands.
 *
 *   - EXPR_T_BOOLEAN, a constant true or false.
 *
 * There is no "not" node: the parser pushes negation down to the
 * comparisons (De Morgan's laws, "==" becomes "!=", "<" becomes ">=").
 * Sets become OR (for ==) or AND (for !=) of single comparisons, and
 * predicates are replaced by what they mean, so every leaf is one
 * field/relop/value triple.  This is what a later compilation to
 * OpenFlow needs: expanding such a tree into disjunctive normal form
 * yields conjunctions of field/mask/value matches, plus ranges for the
 * ordering operators.
 *
 * Every comparison on a field with prerequisites is ANDed with those
 * prerequisites, and the tree is kept simplified (expr_simplify()): no
 * AND directly under an AND or OR under an OR, no boolean operands, and
 * operands sorted with duplicates removed, so equal expressions print
 * the same text.
 */
#ifndef EXPR_AST_H
#define EXPR_AST_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/expr-symtab.h"

struct ds;

/* Kinds of node. */
enum expr_type {
    EXPR_T_CMP,                 /* Comparison, in 'cmp'. */
    EXPR_T_AND,                 /* Conjunction of 'subs'. */
    EXPR_T_OR,                  /* Disjunction of 'subs'. */
    EXPR_T_BOOLEAN,             /* Constant, in 'boolean'. */
};

/* Relational operators. */
enum expr_relop {
    EXPR_R_EQ,                  /* == */
    EXPR_R_NE,                  /* != */
    EXPR_R_LT,                  /* < */
    EXPR_R_LE,                  /* <= */
    EXPR_R_GT,                  /* > */
    EXPR_R_GE,                  /* >= */
};

/* What a comparison compares its symbol with. */
enum expr_cmp_kind {
    EXPR_CMP_CONST,             /* 'value' under 'mask' (fields). */
    EXPR_CMP_STRING,            /* Port name 'string' (string fields). */
    EXPR_CMP_ADDR_SET,          /* Address set named 'string'. */
    EXPR_CMP_PORT_GROUP,        /* Port group named 'string'. */
};

/* A comparison "symbol relop value". */
struct expr_cmp {
    const struct expr_symbol *symbol; /* A field or string field. */
    enum expr_relop relop;      /* Ordering only for EXPR_CMP_CONST. */
    enum expr_cmp_kind kind;    /* What 'value'/'string' hold. */
    struct expr_value value;    /* CONST: value, zero outside 'mask'. */
    struct expr_value mask;     /* CONST: bits compared; all ones over
                                 * the field's width if unmasked. */
    char *string;               /* Port name or set name, else NULL. */
};

/* A node of the tree. */
struct expr {
    enum expr_type type;        /* Which members below are used. */
    struct expr_cmp cmp;        /* EXPR_T_CMP. */
    struct expr **subs;         /* EXPR_T_AND, EXPR_T_OR: operands. */
    size_t n_subs;              /* Number of 'subs'. */
    bool boolean;               /* EXPR_T_BOOLEAN. */
};

struct expr *expr_create_boolean(bool);
struct expr *expr_create_cmp(const struct expr_symbol *, enum expr_relop,
                             enum expr_cmp_kind);
struct expr *expr_combine(enum expr_type, struct expr *a, struct expr *b);
struct expr *expr_clone(const struct expr *);
struct expr *expr_negate(struct expr *);
struct expr *expr_simplify(struct expr *);
int expr_compare(const struct expr *, const struct expr *);
bool expr_uses_symbol(const struct expr *, const char *name);
void expr_format(const struct expr *, struct ds *);
void expr_format_cmp(const struct expr_cmp *, struct ds *);
const char *expr_relop_text(enum expr_relop);
bool expr_relop_is_ordering(enum expr_relop);

#endif /* lib/expr-ast.h */
