/*
 * libFuzzer harness for logical actions: parses the input, prints the
 * canonical text and checks that it parses back to the same text, then
 * encodes it in a context with groups, meters and packet-ins and checks
 * that OVS's own parser takes the OpenFlow actions.  Any crash,
 * sanitizer report or abort() is a bug.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/logical-actions.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/vlog.h"
#include "util.h"

/* Inputs longer than this are skipped: they find nothing new and slow
 * the search down. */
#define FUZZ_MAX_INPUT 4096

/* The OpenFlow table of a stage, as the controller numbers them. */
static unsigned int
stage_oftable(enum pipeline pipeline, unsigned int table_id,
              void *aux OVS_UNUSED)
{
    return pipeline_first_oftable(pipeline) + table_id;
}

/* Every select group gets id 1. */
static uint32_t
group_id(const char *buckets OVS_UNUSED, void *aux OVS_UNUSED)
{
    return 1;
}

/* Meters exist unless their name starts with 'x'. */
static uint32_t
meter_id(const char *name, void *aux OVS_UNUSED)
{
    return name[0] == 'x' ? 0 : 1;
}

/* The meter of a packet-in operation: its number. */
static uint32_t
pin_meter_id(enum lact_pin_opcode op, void *aux OVS_UNUSED)
{
    return op;
}

/* Aborts with 'what' and the input that caused it. */
static void
fail(const char *what, const char *input, const char *detail)
{
    fprintf(stderr, "%s\ninput: %s\ndetail: %s\n", what, input, detail);
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
    static bool initialized;
    if (!initialized) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
        initialized = true;
    }
    char *input = xmemdup0((const char *) data, size);

    struct lact_list list;
    char *error = lact_parse(input, &list);
    if (error) {
        free(error);
        lact_list_destroy(&list);
        free(input);
        return 0;
    }

    struct ds text = DS_EMPTY_INITIALIZER;
    lact_format(&list, &text);
    struct lact_list again;
    error = lact_parse(ds_cstr(&text), &again);
    if (error) {
        fail("canonical text does not parse", input, error);
    }
    struct ds text2 = DS_EMPTY_INITIALIZER;
    lact_format(&again, &text2);
    if (strcmp(ds_cstr(&text), ds_cstr(&text2))) {
        fail("canonical text is not stable", input, ds_cstr(&text2));
    }

    struct lact_encode_ctx ctx = {
        .dp_type = DP_SWITCH, .pipeline = P_INGRESS, .table_id = 3,
        .stage_oftable = stage_oftable, .group_id = group_id,
        .meter_id = meter_id, .pin_meter_id = pin_meter_id,
    };
    struct ds ofpacts = DS_EMPTY_INITIALIZER;
    error = lact_encode(&list, &ctx, &ofpacts);
    if (!error) {
        /* A match that satisfies the prerequisites of most fields is not
         * possible in one flow; parse the actions alone, without
         * prerequisite checks, by giving OVS a match it accepts. */
        char *flow = xasprintf("table=13,actions=%s", ds_cstr(&ofpacts));
        struct ofputil_flow_mod fm;
        enum ofputil_protocol usable;
        char *perror = parse_ofp_str(&fm, OFPFC_ADD, flow, NULL, NULL,
                                     &usable);
        if (perror) {
            /* Only prerequisite failures are acceptable. */
            if (!strstr(perror, "invalid with specified match")
                && !strstr(perror, "prerequisites")) {
                fail("encoded actions do not parse", input, perror);
            }
            free(perror);
        } else {
            minimatch_destroy(&fm.match);
            free(fm.ofpacts);
        }
        free(flow);
    }
    free(error);

    ds_destroy(&ofpacts);
    ds_destroy(&text);
    ds_destroy(&text2);
    lact_list_destroy(&again);
    lact_list_destroy(&list);
    free(input);
    return 0;
}
