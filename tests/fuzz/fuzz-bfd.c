/*
 * libFuzzer harness for the parser of BFD control packets
 * (controller/bfd-packet.h), which a neighbour on the external network
 * controls entirely: the input is one Ethernet frame, given from a buffer
 * of its exact size so that AddressSanitizer sees any read past it.  A
 * packet the parser takes must satisfy what RFC 5880 section 6.8.6 asks
 * of a packet to be processed; one it refuses must leave the result
 * empty.  Any crash, sanitizer report, leak or abort() is a bug.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/bfd-packet.h"
#include "util.h"

/* Aborts with 'what'. */
static void
fail(const char *what)
{
    fprintf(stderr, "%s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = xmemdup(data, size ? size : 1);
    struct bfd_rx rx;
    if (bfd_packet_parse(copy, size, &rx)) {
        if (!rx.msg.detect_mult) {
            fail("packet taken with a detect multiplier of 0");
        }
        if (!rx.msg.my_disc) {
            fail("packet taken with My Discriminator 0");
        }
        if (!rx.msg.your_disc && rx.msg.state != BFD_DOWN
            && rx.msg.state != BFD_ADMIN_DOWN) {
            fail("packet taken with Your Discriminator 0 while not down");
        }
        if (rx.msg.state > BFD_UP || rx.msg.diag > 31) {
            fail("state or diagnostic out of range");
        }
    } else {
        struct bfd_rx zero;
        memset(&zero, 0, sizeof zero);
        if (memcmp(&rx, &zero, sizeof rx)) {
            fail("packet refused but filled in");
        }
    }
    free(copy);
    return 0;
}
