/*
 * Type checking of comparisons in the match language.
 *
 * The parser calls these functions for each "field relop value" it reads.
 * They check that the operator applies to the field (ordering only on
 * bit-string fields, never with a mask or a set), that the value is of a
 * kind the field takes (an IPv4 literal only in an IPv4 field, a quoted
 * string only in inport/outport, ...), that it fits in the field's width
 * and that referenced address sets and port groups exist (and that an
 * address set holds addresses of the field's family).
 *
 * Each returns NULL or a malloc()'d message that starts with the
 * offending token; the parser prefixes its column.
 *
 * expr_check_satisfiable() then looks at the whole parsed expression
 * for simple contradictions: two different values required of one field
 * (prerequisites included), or an empty range.
 */
#ifndef EXPR_CHECK_H
#define EXPR_CHECK_H 1

#include "lib/expr-ast.h"
#include "lib/expr-lex.h"
#include "openvswitch/compiler.h"

struct expr_context;

char *expr_check_relop(const struct expr_symbol *, enum expr_relop,
                       bool is_set)
    OVS_WARN_UNUSED_RESULT;
char *expr_check_value(const struct expr_symbol *, enum expr_relop,
                       const struct expr_token *,
                       const struct expr_context *, struct expr **leafp)
    OVS_WARN_UNUSED_RESULT;

char *expr_check_satisfiable(const struct expr *) OVS_WARN_UNUSED_RESULT;

#endif /* lib/expr-check.h */
