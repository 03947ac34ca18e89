/*
 * Flow statistics of br-int over an OpenFlow connection of their own.
 *
 * Modules that read flow counters (controller/rampout-stats.c,
 * controller/color-detect.c) each keep a separate connection to br-int,
 * so that large statistics replies never hold up flow programming on the
 * main one.  These are the parts they share: the connection, the request
 * for a table's statistics, and receiving with echo requests answered.
 * What a module does with replies, errors, reconnections and timeouts is
 * its own.
 */

#ifndef CONTROLLER_FLOW_STATS_H
#define CONTROLLER_FLOW_STATS_H 1

#include <stdint.h>
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/types.h"

struct ofpbuf;
struct rconn;

struct rconn *flow_stats_connect(const char *br_int_target);
ovs_be32 flow_stats_request(struct rconn *, uint8_t table);
struct ofpbuf *flow_stats_recv(struct rconn *, enum ofptype *typep);

#endif /* controller/flow-stats.h */
