/*
 * Physical flows: the tables that connect the logical pipeline to br-int's
 * OpenFlow ports and tunnels (Documentation/pipeline.md, "Physical
 * tables").
 *
 * Each source of physical flows is an owner of the desired state
 * (controller/desired.h): a port binding (its flows as a local port, or
 * as a port of a local datapath bound elsewhere), a multicast group of a
 * local datapath, the tunnel from each other chassis, and the
 * controller's own table defaults and meters.  The "physical" engine node
 * recomputes all of them only when the tunnels, the chassis or the set of
 * local datapaths change; a port binding or multicast group change costs
 * that row (and, for a binding that moved, the multicast groups of its
 * datapath, once per pass however many of its bindings changed).  The
 * echo of this chassis' own claim of a local port rebuilds nothing, and
 * neither does a multicast group that the client library reports as
 * changed only because a port binding it names changed (the port
 * binding's handler rebuilds the groups that depend on it).
 */
#ifndef CONTROLLER_PHYSICAL_H
#define CONTROLLER_PHYSICAL_H 1

#include "hmapx.h"

#include <stdbool.h>

struct binding_result;
struct desired;
struct encaps_ports;
struct engine_node;
struct local_datapaths;
struct ovsdb_idl;
struct sbrec_chassis;
struct shash;
struct simap;
struct uuidset;

/* What the physical node reads. */
struct physical_ctx {
    struct ovsdb_idl *sb_idl;                 /* Southbound database. */
    const struct sbrec_chassis *chassis;      /* This chassis. */
    const struct local_datapaths *lds;        /* Local datapaths. */
    const struct binding_result *bindings;    /* Local logical ports. */
    const struct encaps_ports *tunnels; /* Tunnel ports. */
    const struct simap *ct_zones; /* Local logical port -> conntrack
                                   * zone. */
    struct desired *desired;      /* Where the flows go. */
};

/* Meter id of a colour's rate limit: this plus the colour id.  (The
 * packet-in handlers' meters are below it.) */
#define PHYSICAL_COLOR_METER_BASE 256

/* Seconds without traffic after which the other direction of a promoted
 * connection loses its colour, when no Color_Promotion:idle says. */
#define PHYSICAL_COLOR_IDLE 300

/* Cookie of the flows table 8 teaches table 9. */
#define PHYSICAL_COLOR_LEARN_COOKIE 0xc1000000

/* The physical node's data: what the current pass has already rebuilt. */
struct physical_data {
    struct hmapx mcgroup_dps;   /* "struct sbrec_datapath_binding"s whose
                                 * multicast groups this pass rebuilt. */
};

struct physical_data *physical_data_create(void);
void physical_data_destroy(struct physical_data *);
void physical_clear_tracked(struct engine_node *);

void physical_run(struct engine_node *, const struct physical_ctx *);
bool physical_handle_runtime(struct engine_node *,
                             const struct physical_ctx *,
                             const struct uuidset *changed_pbs,
                             bool lds_changed);
bool physical_handle_port_bindings(struct engine_node *,
                                   const struct physical_ctx *);
bool physical_handle_mcgroups(struct engine_node *,
                              const struct physical_ctx *);

#endif /* controller/physical.h */
