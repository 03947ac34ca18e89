/*
 * Physical flows: the controller's own tables around the logical
 * pipelines (see lib/pipeline.h and Documentation/pipeline.md).
 *
 *   PHY_IN (0)          local VIF -> datapath metadata and logical inport;
 *                       tunnel -> metadata, ports and colour from the
 *                       Geneve header, then straight to PHY_OUT_LOCAL.
 *   PHY_OUT_REMOTE (30) outport on another chassis -> Geneve tunnel;
 *                       multicast group -> one copy per remote chassis
 *                       with a member, then PHY_OUT_LOCAL.
 *   PHY_OUT_LOCAL (31)  local outport (or each local group member) ->
 *                       egress pipeline.
 *   PHY_DELIVER (60)    outport -> its OpenFlow port.
 */
#ifndef CONTROLLER_PHYSICAL_H
#define CONTROLLER_PHYSICAL_H 1

struct binding_result;
struct local_datapaths;
struct ofctrl_flow_table;
struct ovsdb_idl;
struct sbrec_chassis;
struct shash;
struct simap;

/* Inputs of the physical flow computation. */
struct physical_ctx {
    struct ovsdb_idl *sb_idl;                 /* Southbound database. */
    const struct sbrec_chassis *chassis;      /* This chassis. */
    const struct local_datapaths *lds;        /* Local datapaths. */
    const struct binding_result *bindings;    /* Local logical ports. */
    const struct shash *tunnels;  /* Chassis name -> tunnel ofport. */
    const struct simap *ct_zones; /* Local logical port -> conntrack
                                   * zone. */
};

void physical_run(const struct physical_ctx *, struct ofctrl_flow_table *);

#endif /* controller/physical.h */
