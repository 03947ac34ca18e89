/*
 * Conditional monitoring of the southbound database: a chassis downloads
 * only what it needs.
 *
 * Datapath_Binding, Chassis, Encap and the other small tables are
 * replicated whole; so is Address_Set, whose rows any logical flow may
 * name (a set's addresses are wanted wherever a local flow names it, and
 * a condition on the names the local flows use would cost a round of
 * conditions on every new name: at the policy scale the sets of 1,000
 * groups and one of 10,000 are some 30,000 short strings).  Of the tables
 * that grow with the network, the controller asks only for:
 *
 *   Port_Binding    the ports whose interface is plugged in here (by
 *                   logical_port), every port of a local datapath, and the
 *                   ports bound to this chassis (so stale claims can be
 *                   released);
 *   Logical_Flow, Multicast_Group, MAC_Binding
 *                   the rows of local datapaths.
 *
 * A datapath is local when one of its ports is bound here
 * (controller/local-datapaths.h).  A port plugged into a new switch thus
 * takes two rounds: its Port_Binding arrives, which makes its datapath
 * local, whose flows then arrive.  A port added to a switch no local port
 * is on costs this chassis nothing: no row of it is sent here.  Every
 * patch port (type "patch") is monitored too, so that the local set can
 * be closed over patch peers (a router and the switches beyond it, see
 * controller/gateway.h) without waiting for rounds of conditions.
 *
 * Until the server has applied the latest conditions, the replica may
 * lack rows that the configuration needs: sb_monitor_settled() says when
 * it is safe to report a configuration as installed.
 */
#ifndef CONTROLLER_SB_MONITOR_H
#define CONTROLLER_SB_MONITOR_H 1

#include <stdbool.h>
#include <stdint.h>

#include "uuid.h"

struct local_datapaths;
struct ovsdb_idl;
struct sbrec_chassis;
struct sset;

/* Conditions last sent. */
struct sb_monitor {
    char *key;                  /* What they were built from, or NULL. */
    unsigned int expected_seqno; /* IDL condition seqno that applies them. */
    uint64_t inputs_gen;        /* The caller's 'inputs_gen' then. */
    struct uuid chassis;        /* The chassis then, or all-zeros. */
};

void sb_monitor_init(struct sb_monitor *, struct ovsdb_idl *sb_idl);
void sb_monitor_destroy(struct sb_monitor *);
bool sb_monitor_update(struct sb_monitor *, struct ovsdb_idl *sb_idl,
                       const struct sset *iface_ids,
                       const struct local_datapaths *,
                       const struct sbrec_chassis *,
                       uint64_t inputs_gen, bool groups_changed);
bool sb_monitor_settled(const struct sb_monitor *,
                        const struct ovsdb_idl *sb_idl);

#endif /* controller/sb-monitor.h */
