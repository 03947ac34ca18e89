/*
 * OpenFlow control of br-int: the desired flow table and the connection
 * that makes br-int's installed flows equal to it.
 *
 * The rest of the controller builds a complete "desired" flow table on
 * each recompute (struct ofctrl_flow_table, flows written in ovs-ofctl
 * syntax).  ofctrl keeps its own copy of what br-int holds ("installed"),
 * learnt by dumping every table when the connection comes up, and sends
 * only the difference, as one atomic OpenFlow bundle, so a packet sees
 * either the old or the new tables, never a mix.  Because the installed
 * copy comes from the switch itself, a controller restart reinstalls
 * nothing that is already right, and an ovs-vswitchd restart (empty
 * tables) reinstalls everything, including the Geneve TLV map.
 *
 * Groups and meters are part of the same desired state and handled the
 * same way: learnt from br-int on connection (group and meter dumps),
 * compared by content, and changed only where they differ.  Group
 * changes go into the flows' bundle (new and changed groups before the
 * flows that use them, deleted groups after); meter changes cannot be
 * bundled in OpenFlow, so new and changed meters are sent just before the
 * bundle and deleted ones just after its commit.
 */
#ifndef CONTROLLER_OFCTRL_H
#define CONTROLLER_OFCTRL_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/types.h"

struct ds;
struct ofctrl;
struct ofctrl_flow_cache;

/* A set of flows keyed by (table, priority, match), with the groups and
 * meters they use, keyed by id. */
struct ofctrl_flow_table {
    struct hmap flows;          /* Contains "struct ofctrl_flow"s. */
    struct hmap groups;         /* Contains "struct ofctrl_gm"s. */
    struct hmap meters;         /* Contains "struct ofctrl_gm"s. */
    struct ofctrl_flow_cache *cache; /* Parsed flows to reuse, or NULL.
                                      * Not owned. */
};

void ofctrl_flow_table_init(struct ofctrl_flow_table *);
void ofctrl_flow_table_clear(struct ofctrl_flow_table *);
void ofctrl_flow_table_destroy(struct ofctrl_flow_table *);
size_t ofctrl_flow_table_count(const struct ofctrl_flow_table *);
char *ofctrl_flow_table_add(struct ofctrl_flow_table *, uint32_t cookie,
                            const char *flow) OVS_WARN_UNUSED_RESULT;
char *ofctrl_flow_table_add_group(struct ofctrl_flow_table *,
                                  uint32_t group_id, const char *spec)
    OVS_WARN_UNUSED_RESULT;
char *ofctrl_flow_table_add_meter(struct ofctrl_flow_table *,
                                  uint32_t meter_id, const char *spec)
    OVS_WARN_UNUSED_RESULT;
const char *ofctrl_flow_table_find_group(const struct ofctrl_flow_table *,
                                         uint32_t group_id);
size_t ofctrl_flow_table_count_groups(const struct ofctrl_flow_table *);
size_t ofctrl_flow_table_count_meters(const struct ofctrl_flow_table *);

/* Flows parsed on earlier recomputes, reused when the same text comes
 * again.  Call ofctrl_flow_cache_sweep() after each recompute. */
struct ofctrl_flow_cache *ofctrl_flow_cache_create(void);
void ofctrl_flow_cache_sweep(struct ofctrl_flow_cache *);
void ofctrl_flow_cache_destroy(struct ofctrl_flow_cache *);

struct ofctrl *ofctrl_create(const char *target);
void ofctrl_destroy(struct ofctrl *);
void ofctrl_run(struct ofctrl *);
void ofctrl_wait(struct ofctrl *);
bool ofctrl_is_connected(const struct ofctrl *);
const char *ofctrl_state_name(const struct ofctrl *);
unsigned int ofctrl_get_seqno(const struct ofctrl *);
void ofctrl_put(struct ofctrl *, const struct ofctrl_flow_table *desired,
                int64_t cfg, uint64_t gen);
bool ofctrl_get_acked_cfg(const struct ofctrl *, int64_t *cfg);
uint64_t ofctrl_get_acked_gen(const struct ofctrl *);
void ofctrl_count_by_table(const struct ofctrl *, struct ds *);
size_t ofctrl_count_installed(const struct ofctrl *);

/* Callback that names a flow's OpenFlow table for ofctrl_dump_installed(),
 * given the table and the flow's metadata (logical datapath key). */
typedef const char *ofctrl_table_namer(uint8_t table_id, uint64_t metadata,
                                       const void *aux);
void ofctrl_dump_installed(const struct ofctrl *, ofctrl_table_namer *,
                           const void *aux, struct ds *);

#endif /* controller/ofctrl.h */
