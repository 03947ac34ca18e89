/*
 * libFuzzer harness for the match language: parses the input, prints the
 * canonical text and checks that it parses back to the same text, then
 * evaluates the expression against a fixed packet, and tries the input
 * as a microflow, which must match the packet it describes.  It also
 * parses the input under the strict rules (struct expr_context), which
 * may only refuse more: what they accept parses the same without them.
 * Any crash, sanitizer report or abort() is a bug.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr.h"

/* Inputs longer than this are skipped: they find nothing new and slow
 * the search down. */
#define FUZZ_MAX_INPUT 4096

/* Address sets and port groups exist unless their name starts with
 * 'x', so that both outcomes of a lookup are explored. */
static bool
name_exists(const char *name, void *aux OVS_UNUSED)
{
    return name[0] != 'x';
}

/* Set membership for evaluation: a member if the set name is longer than
 * the member's first digit says. */
static bool
lookup_set(const char *set_name, const char *member, void *aux OVS_UNUSED)
{
    return strlen(set_name) > (size_t) (member[0] & 7);
}

/* Aborts with 'what' and the input that caused it. */
static void
fail(const char *what, const char *input, const char *detail)
{
    fprintf(stderr, "%s\ninput: %s\ndetail: %s\n", what, input, detail);
    abort();
}

/* Checks that canonical text 'text' of 'input' parses to itself. */
static void
check_canonical(const char *input, const char *text,
                const struct expr_context *ctx)
{
    struct expr *again;
    char *error = expr_parse_string(text, ctx, &again);
    if (error) {
        fail("canonical text does not parse", input, error);
    }
    char *text2 = expr_to_string(again);
    if (strcmp(text, text2)) {
        fail("canonical text is not stable", input, text2);
    }
    free(text2);
    expr_destroy(again);
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

    const struct expr_context ctx = {
        .address_set_exists = name_exists,
        .port_group_exists = name_exists,
        .aux = NULL,
    };
    struct expr_context strict_ctx = ctx;
    strict_ctx.strict = true;
    struct expr *strict;
    char *strict_error = expr_parse_string(input, &strict_ctx, &strict);

    struct expr *e;
    char *error = expr_parse_string(input, &ctx, &e);
    if (!strict_error && error) {
        fail("the strict rules accept what the others refuse", input,
             error);
    } else if (!strict_error) {
        char *a = expr_to_string(strict);
        char *b = expr_to_string(e);
        if (strcmp(a, b)) {
            fail("the strict rules read the input differently", input, a);
        }
        free(a);
        free(b);
    } else if (strncmp(strict_error, "column ", 7)
               && strncmp(strict_error, "match can never be true: ", 25)) {
        fail("error without a column", input, strict_error);
    }
    free(strict_error);
    expr_destroy(strict);

    if (error) {
        /* Only a contradiction, about the whole match, has no column. */
        if (strncmp(error, "column ", 7)
            && strncmp(error, "match can never be true: ", 25)) {
            fail("error without a column", input, error);
        }
        free(error);
    } else {
        char *text = expr_to_string(e);
        check_canonical(input, text, &ctx);
        free(text);

        struct expr_packet packet;
        error = expr_parse_microflow(
            "inport == \"p1\" && ip4.src == 10.0.0.1 && "
            "ip4.dst == 10.0.0.2 && tcp.dst == 80", &packet);
        if (error) {
            fail("fixed microflow does not parse", input, error);
        }
        expr_evaluate(e, &packet, lookup_set, NULL);
        expr_packet_destroy(&packet);
        expr_destroy(e);
    }

    /* A microflow describes a packet that it matches. */
    struct expr_packet packet;
    error = expr_parse_microflow(input, &packet);
    if (!error) {
        error = expr_parse_string(input, NULL, &e);
        if (error) {
            fail("microflow is not an expression", input, error);
        }
        if (!expr_evaluate(e, &packet, NULL, NULL)) {
            fail("microflow does not match its own packet", input, "");
        }
        expr_destroy(e);
    }
    free(error);
    expr_packet_destroy(&packet);

    free(input);
    return 0;
}
