/*
 * libFuzzer harness for the match compiler: parses the input as a match
 * (with the ports, port groups and address sets of
 * tests/unit/compile-check.h), compiles it, and checks that the compiled
 * text means what the expression means: expr_evaluate() and the
 * OpenFlow matches, parsed by OVS and matched with conjunction
 * semantics, agree on packets derived from the expression's constants
 * and on random ones.  It also checks that compiling twice gives the
 * same text, that a refused match is refused for one of the documented
 * reasons, and that the flow count respects the bound.  Any crash,
 * sanitizer report or abort() is a bug.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "lib/expr-compile.h"
#include "lib/expr.h"
#include "tests/unit/compile-check.h"

/* Inputs longer than this are skipped: they find nothing new and slow
 * the search down. */
#define FUZZ_MAX_INPUT 1024

/* The bound on flows, lower than the default so that each run is
 * quick. */
#define FUZZ_MAX_FLOWS 2000

/* Packets each compiled match is checked on. */
#define FUZZ_PACKETS 64

/* Aborts with 'what' and the input that caused it. */
static void
fail(const char *what, const char *input, const char *detail)
{
    fprintf(stderr, "%s\ninput: %s\ndetail: %s\n", what, input, detail);
    abort();
}

/* Returns true if 'error' is one of the documented reasons for refusing
 * a match. */
static bool
is_expected_error(const char *error)
{
    return (strstr(error, "OpenFlow flows")
            || strstr(error, "which OpenFlow cannot mask")
            || strstr(error, "match is too complex"));
}

/* libFuzzer entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) {
        return 0;
    }
    char *input = malloc(size + 1);
    memcpy(input, data, size);
    input[size] = '\0';

    struct expr *e;
    char *error = expr_parse_string(input, compile_check_parse_ctx(), &e);
    if (error) {
        free(error);
        free(input);
        return 0;
    }

    struct expr_compile_ctx ctx = *compile_check_ctx();
    ctx.max_flows = FUZZ_MAX_FLOWS;
    char *match;
    size_t n_flows;
    error = expr_compile(e, &ctx, &match, &n_flows);
    if (error) {
        if (!is_expected_error(error)) {
            fail("unexpected compile error", input, error);
        }
        free(error);
    } else {
        if (n_flows > FUZZ_MAX_FLOWS || (!match && n_flows)
            || (match && !n_flows)) {
            fail("wrong flow count", input, match ? match : "(nothing)");
        }

        char *again;
        error = expr_compile(e, &ctx, &again, NULL);
        if (error || (match ? !again || strcmp(match, again) : !!again)) {
            fail("compiling twice gives another text", input,
                 error ? error : again ? again : "(nothing)");
        }
        free(again);

        char *bad = compile_check_equivalence(e, match,
                                              hash_bytes(data, size, 0),
                                              FUZZ_PACKETS);
        if (bad) {
            fail("compiled match disagrees with the expression", input,
                 bad);
        }
        free(match);
    }
    expr_destroy(e);
    free(input);
    return 0;
}
