/*
 * OpenFlow flows, groups and meters as the controller handles them:
 * parsed from ovs-ofctl text once, in canonical form, and shared.
 *
 * A flow's identity on a bridge is its (table, priority, match): its
 * "key".  Two flows with the same key are the same OpenFlow flow, whose
 * content is its actions and its cookie.  Keys and actions are kept in
 * canonical text, formatted from the OpenFlow 1.5 wire form that the
 * switch reports back when its tables are dumped, so a flow parsed from
 * text and the same flow read back from br-int compare equal as
 * strings, however the text was written.
 *
 * A parsed flow (struct ofctrl_flow) has no cookie: the cookie says who
 * asked for a flow, not what the flow is, so one parsed flow serves every
 * owner that asks for the same text.  It is immutable and reference
 * counted.
 *
 * Groups and meters are compared the same way, by a canonical form of
 * their content ("canon"), keyed by their id.
 */
#ifndef CONTROLLER_OFCTRL_FLOW_H
#define CONTROLLER_OFCTRL_FLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/types.h"

struct ofpact;
struct ofputil_group_mod;
struct ofputil_meter_config;
struct ofputil_meter_mod;
struct ovs_list;

/* The OpenFlow version and protocol used on br-int. */
#define OFCTRL_VERSION OFP15_VERSION
#define OFCTRL_PROTOCOL OFPUTIL_P_OF15_OXM

/* One parsed flow, without cookie.  Immutable once created. */
struct ofctrl_flow {
    size_t refs;                /* References; freed with the last. */
    uint32_t hash;              /* hash_string('key', 0). */
    char *key;                  /* "table=T,priority=P,MATCH", canonical. */
    char *actions;              /* Actions, canonical text. */
    uint8_t table_id;           /* OpenFlow table. */
    uint16_t priority;          /* OpenFlow priority. */
    bool conj_only;             /* Actions are conjunction() only. */
    struct minimatch match;     /* Match. */
    struct ofpact *ofpacts;     /* Actions, owned. */
    size_t ofpacts_len;         /* Bytes in 'ofpacts'. */

    /* The text the flow was parsed from, while a cache (controller/
     * desired.c) keeps it for reuse; the cache owns these members. */
    struct hmap_node cache_node; /* In the cache, by hash of 'text'. */
    char *text;                 /* Text, or NULL when not cached. */
};

char *ofctrl_flow_parse(const char *text, struct ofctrl_flow **)
    OVS_WARN_UNUSED_RESULT;
struct ofctrl_flow *ofctrl_flow_create(uint8_t table_id, uint16_t priority,
                                       const struct match *,
                                       const struct ofpact *ofpacts,
                                       size_t ofpacts_len);
struct ofctrl_flow *ofctrl_flow_clone(const struct ofctrl_flow *);
struct ofctrl_flow *ofctrl_flow_ref(struct ofctrl_flow *);
void ofctrl_flow_unref(struct ofctrl_flow *);
char *ofctrl_flow_describe(const struct ofctrl_flow *);

/* Groups and meters: parsing and canonical content. */
char *ofctrl_group_parse(uint32_t id, const char *spec, int command,
                         struct ofputil_group_mod *) OVS_WARN_UNUSED_RESULT;
char *ofctrl_group_canon_from_spec(uint32_t id, const char *spec,
                                   char **canon) OVS_WARN_UNUSED_RESULT;
char *ofctrl_group_canon(uint8_t type, const struct ovs_list *buckets);
char *ofctrl_meter_parse(uint32_t id, const char *spec, int command,
                         struct ofputil_meter_mod *) OVS_WARN_UNUSED_RESULT;
char *ofctrl_meter_canon_from_spec(uint32_t id, const char *spec,
                                   char **canon) OVS_WARN_UNUSED_RESULT;
char *ofctrl_meter_canon(const struct ofputil_meter_config *);

#endif /* controller/ofctrl-flow.h */
