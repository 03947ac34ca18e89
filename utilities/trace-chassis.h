/*
 * osmotic-trace --chassis: the same microflow through the real br-int of
 * one host.
 *
 * Builds the OpenFlow flow of the microflow (in_port = the OpenFlow port
 * of the interface whose external_ids:iface-id is the logical inport on
 * that host), runs ovs-vswitchd's ofproto/trace on it, and annotates each
 * table step with its logical stage (lib/pipeline.h) and each cookie with
 * the southbound row it comes from (a Logical_Flow, or the Port_Binding,
 * Multicast_Group or Chassis of a physical flow).  The closing verdicts
 * name where the packet really went: a local logical port, or a tunnel to
 * another chassis.
 */
#ifndef TRACE_CHASSIS_H
#define TRACE_CHASSIS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "openvswitch/compiler.h"

struct expr_packet;
struct lflow_sim_datapath;
struct lflow_sim_port;
struct trace_sb;

/* Where to find the host's Open vSwitch. */
struct trace_chassis_options {
    const char *chassis;        /* Chassis name (--chassis). */
    const char *ovs_rundir;     /* Its OVS run directory, or NULL. */
    const char *ovs_db;         /* Its OVS database remote, or NULL. */
    const char *ovs_ctl;        /* Its ovs-vswitchd control socket, or
                                 * NULL. */
    const char *bridge;         /* Integration bridge, NULL for br-int. */
    bool summary;               /* Print only the verdicts. */
    bool json;                  /* Print JSON. */
    unsigned int timeout;       /* Seconds for each OVS command. */
    uint32_t ct_state;          /* State after ct() (CS_*), as --ct. */
};

char *trace_chassis_run(const struct trace_chassis_options *,
                        const struct trace_sb *,
                        const struct lflow_sim_datapath *,
                        const struct lflow_sim_port *inport,
                        const struct expr_packet *)
    OVS_WARN_UNUSED_RESULT;

void trace_chassis_detrace(const struct trace_sb *, FILE *);

#endif /* utilities/trace-chassis.h */
