/*
 * OpenFlow control of br-int: the connection that makes br-int's flows,
 * groups and meters equal to the desired state (controller/desired.h).
 *
 * ofctrl keeps its own copy of what br-int holds ("installed"), learnt by
 * dumping every table, group and meter when the connection comes up, and
 * sends only the difference from the desired state, as one atomic OpenFlow
 * bundle, so a packet sees either the old or the new tables, never a mix.
 * Because the installed copy comes from the switch itself, a controller
 * restart reinstalls nothing that is already right, and an ovs-vswitchd
 * restart (empty tables) reinstalls everything, including the Geneve TLV
 * map.
 *
 * After each dump, the first update compares every desired flow with the
 * installed ones; later updates look only at the flows the desired state
 * marked changed since, so an update costs what changed, not what
 * br-int holds.  Groups and meters, few, are compared whole every time.
 * Group changes go into the flows' bundle (new and changed groups before
 * the flows that use them, deleted groups after); meter changes cannot be
 * bundled in OpenFlow, so new and changed meters are sent just before the
 * bundle and deleted ones just after its commit.
 */
#ifndef CONTROLLER_OFCTRL_H
#define CONTROLLER_OFCTRL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct desired;
struct ds;
struct ofctrl;

struct ofctrl *ofctrl_create(const char *target);
void ofctrl_destroy(struct ofctrl *);
void ofctrl_run(struct ofctrl *);
void ofctrl_wait(struct ofctrl *);
bool ofctrl_is_connected(const struct ofctrl *);
const char *ofctrl_state_name(const struct ofctrl *);
unsigned int ofctrl_get_seqno(const struct ofctrl *);
bool ofctrl_can_put(const struct ofctrl *);
void ofctrl_put(struct ofctrl *, struct desired *, int64_t cfg,
                uint64_t gen);
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
