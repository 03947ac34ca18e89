/*
 * libFuzzer harness for a colour's gateway entries as NB
 * Color:rampout_chassis holds them ("CHASSIS[:PRIORITY]",
 * lib/rampout.h): parses the input; what is accepted must be a chassis
 * name without separators and a priority from 0 to 32767 (0 without a
 * colon), and its canonical form "CHASSIS:PRIORITY" must parse back to
 * the same; what is refused must leave no name behind.  Any crash,
 * sanitizer report, leak or abort() is a bug.
 */
#include <config.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rampout.h"
#include "util.h"

/* Inputs longer than this are skipped: they find nothing new. */
#define FUZZ_MAX_INPUT 256

/* Aborts with 'what' and the input that caused it. */
static void
fail(const char *what, const char *input)
{
    fprintf(stderr, "%s\ninput: %s\n", what, input);
    abort();
}

/* libFuzzer entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) {
        return 0;
    }
    char *input = xmemdup0((const char *) data, size);
    char *chassis;
    int64_t priority;
    char *error = rampout_color_gateway_parse(input, &chassis, &priority);
    if (error) {
        if (chassis) {
            fail("refused, but a chassis name was returned", input);
        }
        free(error);
        free(input);
        return 0;
    }
    if (!chassis[0] || strpbrk(chassis, " \t,:")) {
        fail("accepted a chassis name with a separator", input);
    }
    if (priority < 0 || priority > 32767) {
        fail("accepted a priority out of range", input);
    }
    if (!strchr(input, ':') && priority) {
        fail("a priority without a colon", input);
    }
    char *canonical = xasprintf("%s:%"PRId64, chassis, priority);
    char *chassis2;
    int64_t priority2;
    error = rampout_color_gateway_parse(canonical, &chassis2, &priority2);
    if (error || strcmp(chassis, chassis2) || priority != priority2) {
        fail("the canonical form does not parse back to the same", input);
    }
    free(chassis2);
    free(canonical);
    free(chassis);
    free(input);
    return 0;
}
