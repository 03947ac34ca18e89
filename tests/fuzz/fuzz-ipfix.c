/*
 * libFuzzer harness for the IPFIX parser: the input is a sequence of
 * messages, split where each header's length field says (so that
 * templates learned from one message decode the next), fed one by one to
 * a parser that keeps at most 16 templates (shared between observation
 * domains if the input's length is odd), each from a buffer of its exact
 * size so that AddressSanitizer sees any read past it.  Records
 * must be consistent (IP version 0, 4 or 6; IPv4 addresses IPv4-mapped),
 * errors must name an offset, and the counters must match what was
 * delivered.  Any crash, sanitizer report, leak or abort() is a bug.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ipfix.h"
#include "packets.h"
#include "util.h"

/* Templates the harness's parser keeps, so that eviction is exercised. */
#define FUZZ_MAX_TEMPLATES 16

/* Aborts with 'what'. */
static void
fail(const char *what)
{
    fprintf(stderr, "%s\n", what);
    abort();
}

/* Checks record 'r' and counts it in '*aux' (a size_t). */
static void
check_record(const struct ipfix_record *r, void *aux)
{
    size_t *n = aux;
    (*n)++;
    if (r->ip_version == 4) {
        if (!IN6_IS_ADDR_V4MAPPED(&r->src) || !IN6_IS_ADDR_V4MAPPED(&r->dst)) {
            fail("IPv4 record with addresses that are not IPv4-mapped");
        }
    } else if (r->ip_version == 0) {
        if (ipv6_addr_is_set(&r->src) || ipv6_addr_is_set(&r->dst)) {
            fail("record without IP version has addresses");
        }
    } else if (r->ip_version != 6) {
        fail("IP version neither 0, 4 nor 6");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds the messages of 'data' to a new parser and checks what it does. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ipfix_parser *p = ipfix_parser_create();
    ipfix_parser_set_max_templates(p, FUZZ_MAX_TEMPLATES);
    ipfix_parser_set_shared_templates(p, size & 1);
    size_t delivered = 0;
    uint64_t n_messages = 0;

    while (size) {
        /* One message: as long as its header says, if that fits. */
        size_t n = size;
        if (size >= 4) {
            size_t len = (data[2] << 8) | data[3];
            if (len && len <= size) {
                n = len;
            }
        }

        uint8_t *msg = xmemdup(data, n);
        char *error = ipfix_parser_feed(p, msg, n, check_record,
                                        &delivered);
        n_messages++;
        if (error && strncmp(error, "offset ", 7)) {
            fail(error);
        }
        free(error);
        free(msg);
        data += n;
        size -= n;

        struct ipfix_parser_counters c;
        ipfix_parser_get_counters(p, &c);
        if (c.records != delivered || c.messages != n_messages
            || c.n_templates > FUZZ_MAX_TEMPLATES
            || c.n_options_templates > c.n_templates) {
            fail("counters do not match what was delivered");
        }
    }

    ipfix_parser_destroy(p);
    return 0;
}
