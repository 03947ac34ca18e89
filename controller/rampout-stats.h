/*
 * Packets and bytes per ramp-out rule, from Open vSwitch's flow
 * statistics ("rampout/stats").
 *
 * Every chassis where a router is local has, for each ramp-out rule N of
 * the router, one flow in physical table 30 (OFTABLE_PHY_OUT_REMOTE)
 * that sends the rule's redirect key (lib/rampout.h) to the rule's
 * active gateway, and one in table 31 (OFTABLE_PHY_OUT_LOCAL) that takes
 * it, arriving by tunnel, into the router's egress pipeline when this
 * chassis is the gateway the sender chose (controller/physical-gateway.c).
 * So the statistics of those flows count, per rule and with no counting
 * in software:
 *
 *   sent      the packets this chassis routed into the rule (from its
 *             own pods, to whichever gateway is active; also those it
 *             dropped while none was alive: the flow keeps its counters
 *             when its actions change), and
 *   received  the packets other chassis sent to this chassis as the
 *             rule's gateway.
 *
 * On a gateway, the traffic it carries out for the rule is its own sent
 * (while it is the active gateway) plus received.  A rule's flows are
 * found by the table, the router's datapath key (metadata) and the
 * rule's redirect key (reg15), rules being numbered as every reader
 * numbers them (by SB Rampout name within a router).  Counters start
 * when the flows are installed, so they restart with the flows (a
 * controller or ovs-vswitchd restart, a rule renumbered); Open vSwitch
 * refreshes them from the datapath every revalidation (about 0.5 s), so
 * a reading may miss the last packets.
 *
 * The module asks br-int on a connection of its own, only when a client
 * asks: "rampout/stats" replies once the two tables' statistics arrived.
 */
#ifndef CONTROLLER_RAMPOUT_STATS_H
#define CONTROLLER_RAMPOUT_STATS_H 1

struct ovsdb_idl;
struct unixctl_conn;

struct rampout_stats *rampout_stats_create(const char *br_int_target);
void rampout_stats_destroy(struct rampout_stats *);
void rampout_stats_run(struct rampout_stats *, struct ovsdb_idl *sb_idl);
void rampout_stats_wait(struct rampout_stats *);
void rampout_stats_request(struct rampout_stats *, struct unixctl_conn *);

#endif /* controller/rampout-stats.h */
