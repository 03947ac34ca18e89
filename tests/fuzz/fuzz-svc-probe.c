/*
 * libFuzzer harness for the parser of the packets that come back from a
 * health-checked backend (controller/svc-probe.h), which the backend
 * controls entirely: the input is one Ethernet frame, given from a
 * buffer of its exact size so that AddressSanitizer sees any read past
 * it.  A frame the parser takes must carry a verdict and a protocol it
 * probes with; one it refuses must leave the reply empty.  Any crash,
 * sanitizer report, leak or abort() is a bug.
 */
#include <config.h>

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/svc-probe.h"
#include "packets.h"
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
    struct svc_probe_reply r;
    if (svc_probe_parse_reply(copy, size, &r)) {
        if (r.verdict == SVC_PROBE_NONE) {
            fail("reply taken without a verdict");
        }
        if (r.proto != IPPROTO_TCP && r.proto != IPPROTO_UDP) {
            fail("reply of a protocol that is never probed");
        }
        if ((r.verdict == SVC_PROBE_SYN_ACK || r.verdict == SVC_PROBE_RST)
            && r.proto != IPPROTO_TCP) {
            fail("TCP verdict on a reply that is not TCP");
        }
    } else if (r.verdict != SVC_PROBE_NONE || r.proto || r.ack
               || !ipv6_is_zero(&r.backend_ip)
               || !ipv6_is_zero(&r.monitor_ip)) {
        fail("reply refused but filled in");
    }
    free(copy);
    return 0;
}
