/*
 * The match language: readable conditions on packets.
 *
 * ACLs, flow classes and traces describe packets with expressions such
 * as
 *
 *     inport == "web1" && ip4.src == 10.244.0.0/16 && tcp.dst == {80, 443}
 *
 * Documentation/match-language.md is the reference: grammar, fields,
 * operators, prerequisites and error messages.
 *
 * Parsing
 * -------
 * expr_parse_string() lexes, parses and type-checks a string in one
 * step (lib/expr-lex.c, lib/expr-parse.c, lib/expr-check.c) against the
 * symbol table of lib/expr-symtab.h.  The result is the tree described in
 * lib/expr-ast.h, with negations pushed to the leaves and every field's
 * prerequisites added, so "tcp.dst == 80" means "tcp.dst == 80 &&
 * ip.proto == 6 && (eth.type == 0x800 || eth.type == 0x86dd)".
 * expr_to_string() prints that tree in a canonical form that parses back
 * to the same tree.
 *
 * Errors are one line, "column N: ...", naming the offending token and
 * the 1-based column where it starts, e.g.
 *
 *     column 17: "tcp.dts": no field of that name
 *
 * A match that can never be true ("ip4 && ip6", "tcp.src < 0") is an
 * error too, "match can never be true: TERMS", without a column.
 *
 * Evaluation
 * ----------
 * A microflow is an expression that fixes one packet: a conjunction of
 * exact equalities.  expr_parse_microflow() turns one into a struct
 * expr_packet, and expr_evaluate() says whether an expression matches
 * such a packet (lib/expr-eval.c).
 *
 * Ownership: every function returning char * returns a malloc()'d
 * string the caller frees; expressions are freed with expr_destroy(),
 * packets' strings with expr_packet_destroy().  Nothing here keeps
 * global state, so separate threads may parse separate strings.
 */
#ifndef EXPR_H
#define EXPR_H 1

#include <stdbool.h>

#include "flow.h"
#include "openvswitch/compiler.h"

struct expr;                        /* Parsed, type-checked match. */

/* How names are resolved while parsing.  A NULL callback accepts
 * every name. */
struct expr_context {
    /* Does address set 'name' (written "$name") exist? */
    bool (*address_set_exists)(const char *name, void *aux);
    /* Does port group 'name' (written "@name") exist? */
    bool (*port_group_exists)(const char *name, void *aux);
    /* May address set 'name', which exists, be compared with an IPv6
     * field (if 'is_ipv6') or an IPv4 field?  Return false only if the
     * set holds addresses and none of them is of that family; an empty
     * set fits both.  NULL skips this check. */
    bool (*address_set_fits)(const char *name, bool is_ipv6, void *aux);
    void *aux;                      /* Passed to every callback. */

    /* Refuse, as OVN does in the matches people write, what reads easily
     * as something other than what it means: "&&" and "||" mixed without
     * parentheses, "!" before a comparison without parentheses, "<",
     * "<=", ">" and ">=" on nominal and 1-bit fields, and nominal fields
     * tested for inequality (counting the "!"s around the comparison).
     * The canonical text that expr_to_string() prints need not obey
     * these rules, so parse it without them. */
    bool strict;
};

char *expr_parse_string(const char *s, const struct expr_context *,
                        struct expr **exprp) OVS_WARN_UNUSED_RESULT;
/* Convenience: parse and discard; NULL if valid, else the error. */
char *expr_validate(const char *s, const struct expr_context *)
    OVS_WARN_UNUSED_RESULT;
void expr_destroy(struct expr *);
char *expr_to_string(const struct expr *); /* Canonical text. */

/* A concrete packet. */
struct expr_packet {
    struct flow flow;               /* OVS lib/flow.h: headers. */
    char *inport, *outport;         /* Logical port names or NULL. */
};

char *expr_parse_microflow(const char *s, struct expr_packet *)
    OVS_WARN_UNUSED_RESULT;
void expr_packet_destroy(struct expr_packet *);
bool expr_evaluate(const struct expr *, const struct expr_packet *,
                   bool (*lookup_set)(const char *set_name,
                                      const char *port_or_addr,
                                      void *aux), void *aux);

#endif /* lib/expr.h */
