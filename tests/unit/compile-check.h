/*
 * An oracle for the match compiler (lib/expr-compile.h), shared by the
 * expr-compile unit suite and the fuzz-compile harness.
 *
 * compile_check_equivalence() evaluates an expression with
 * expr_evaluate() and its compiled text with OVS's own parser and
 * classifier matching (each OFMATCH parsed into a minimatch, conjunctive
 * alternatives with their OpenFlow semantics) on many packets: boundary
 * values derived from the expression's constants, members of the sets it
 * names, and random ones.  Any packet on which the two disagree is a
 * compiler bug.
 *
 * The names an expression may use are fixed here, for both sides:
 * ports p1 to p6 (keys 1 to 6), p7 (key 0x10000) and web (key 100);
 * port groups pg1 (p1, p2, p5), pg2 (p6, web) and pgx (no port on the
 * datapath); address sets as4 (10.0.0.1, 10.0.0.0/24, 192.168.0.0/16),
 * as6 (fd00::1, fd00:1::/64), mix (10.1.0.0/16, 172.16.0.1, fd00::/16),
 * none (empty) and all4 (0.0.0.0/0).
 */
#ifndef COMPILE_CHECK_H
#define COMPILE_CHECK_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct expr;
struct expr_compile_ctx;
struct expr_context;

const struct expr_compile_ctx *compile_check_ctx(void);
const struct expr_context *compile_check_parse_ctx(void);
bool compile_check_lookup_set(const char *set_name, const char *member,
                              void *aux);

char *compile_check_equivalence(const struct expr *, const char *match,
                                uint32_t seed, size_t n_packets);

#endif /* tests/unit/compile-check.h */
