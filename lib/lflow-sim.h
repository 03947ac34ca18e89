/*
 * Logical flow simulator: explains what the logical pipeline does to one
 * packet.
 *
 * Model
 * -----
 * A simulator holds a copy of the southbound state a trace needs: logical
 * datapaths, their port bindings and multicast groups, and their logical
 * flows.  Callers fill it with lflow_sim_add_*() (osmotic-trace reads the
 * SB database; unit tests build it by hand) and then run any number of
 * traces with lflow_sim_run().
 *
 * Each logical flow's actions are encoded by the same encoder the
 * controller uses (lib/logical-actions.h), and the result parsed once with
 * OVS's own flow parser.  The one difference is where "next" goes: the
 * simulator resubmits to the following stage's own table and, when it gets
 * there, continues at the first stage at or after it that has flows for
 * the datapath, as the controller's skip flows pass over stages without;
 * past the last one, it outputs, as the controller does.  "output" goes
 * to OFTABLE_PHY_OUT_REMOTE (from ingress) or OFTABLE_PHY_DELIVER (from
 * egress) in both.
 *
 * A trace walks the stages of a pipeline; in each it picks the highest
 * priority flow whose match (any alternative of it, plain or conjunctive,
 * see the match format in lib/pipeline.h) matches the packet (struct flow)
 * and interprets its actions (ofpacts) on the packet.  The simulator tracks no
 * connections: a ct() that continues at a table gives the packet an
 * assumed state (lflow_sim_set_ct_state(), default "new|trk"); its NAT to
 * an address rewrites the packet, a NAT without one (the translation of
 * an existing connection) changes nothing.  A select group runs one of
 * its buckets: the one that NATs to the backend lflow_sim_set_lb_dst()
 * names, or the first.
 *
 * Physical output is simulated from the SB state: a multicast group
 * becomes one branch per member port; a port bound to a chassis runs the egress pipeline "on"
 * that chassis and is delivered there; a patch port runs the egress
 * pipeline where the packet is, and delivery to it continues in the
 * ingress pipeline of its peer's datapath with the registers cleared.
 *
 * The result is a tree of events (struct lflow_sim_event) plus the list
 * of verdicts (delivered or dropped, and why), one per copy of the packet.
 * Renderers (text, JSON, one-line summary) only read that tree, so a new
 * stage or action explains itself everywhere by adding events.
 *
 * Ownership: strings passed to lflow_sim_add_*() are copied.  A trace
 * refers to the simulator's flows and ports, so destroy traces before the
 * simulator.
 */
#ifndef OSMOTIC_LFLOW_SIM_H
#define OSMOTIC_LFLOW_SIM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pipeline.h"
#include "openvswitch/compiler.h"
#include "openvswitch/list.h"

struct flow;
struct lflow_sim;
struct lflow_sim_datapath;

/* One logical flow, as given to lflow_sim_add_flow(). */
struct lflow_sim_flow {
    enum pipeline pipeline;     /* Ingress or egress. */
    uint8_t table_id;           /* Logical table (stage number). */
    uint16_t priority;          /* Higher wins. */
    char *match;                /* Match as written in the SB. */
    char **alternatives;        /* 'match''s alternatives as written,
                                 * plain or conjunctive (lib/pipeline.h). */
    size_t n_alternatives;      /* Number of 'alternatives', at least 1. */
    char *actions;              /* Actions as written in the SB. */
    char *source;               /* "Table:uuid" of the NB object, or "". */
    char *uuid;                 /* SB Logical_Flow uuid, or "". */
};

/* One logical port, as given to lflow_sim_add_port(). */
struct lflow_sim_port {
    const struct lflow_sim_datapath *dp;  /* Datapath the port is on. */
    uint32_t key;               /* Port tunnel key. */
    char *name;                 /* Logical port name. */
    char *type;                 /* Port_Binding type ("" for a VIF). */
    char *chassis;              /* Bound chassis name, NULL if unbound. */
    char *chassis_note;         /* How 'chassis' was chosen, shown where
                                 * the packet goes there, or NULL. */
    char *peer;                 /* Patch peer port name, NULL if none. */
    bool enabled;               /* False: administratively down. */
    char **port_security;       /* Allowed addresses, one per entry. */
    size_t n_port_security;     /* Number of 'port_security' entries. */
};

/* What became of one copy of the packet. */
struct lflow_sim_verdict {
    bool delivered;             /* True: delivered; false: dropped. */
    const struct lflow_sim_port *port;  /* Delivered to (or dropped at). */
    char *chassis;              /* Chassis of delivery, or NULL. */
    const char *stage;          /* Stage of the drop, or NULL. */
    const struct lflow_sim_flow *flow;  /* Flow that dropped, or NULL. */
    size_t alternative;         /* Alternative of 'flow''s match that
                                 * matched. */
    char *reason;               /* Why it was dropped, or NULL. */
};

/* Kinds of trace events. */
enum lflow_sim_event_type {
    LSE_PIPELINE,               /* Entering a pipeline (text says which). */
    LSE_STAGE,                  /* A stage lookup; 'flow' is the winner. */
    LSE_ACTION,                 /* The effect of one action. */
    LSE_OUTPUT,                 /* Physical output decision. */
    LSE_BRANCH,                 /* One copy of the packet; see 'children'. */
    LSE_UNSUPPORTED,            /* An action the simulator cannot run. */
    LSE_VERDICT,                /* End of a copy; see 'verdict'. */
};

/* One event of a trace. */
struct lflow_sim_event {
    struct ovs_list node;       /* In the parent's 'children' list. */
    enum lflow_sim_event_type type;  /* What happened. */
    char *text;                 /* Human-readable description. */

    /* LSE_STAGE and LSE_PIPELINE only. */
    const struct lflow_sim_datapath *dp;  /* Datapath of the stage. */
    enum pipeline pipeline;     /* Pipeline of the stage. */
    int table_id;               /* Logical table, -1 if none. */
    const char *stage;          /* Stage name, e.g. "ls_in_l2_lkup". */
    const struct lflow_sim_flow *flow;  /* Matched flow, NULL if none. */
    size_t alternative;         /* Index of the alternative of 'flow''s
                                 * match that matched. */

    /* LSE_VERDICT only. */
    const struct lflow_sim_verdict *verdict;

    struct ovs_list children;   /* Sub-events (LSE_BRANCH only). */
};

/* The result of one trace. */
struct lflow_sim_trace {
    struct ovs_list events;     /* Top-level "struct lflow_sim_event"s. */
    struct lflow_sim_verdict **verdicts;  /* In the order they happened. */
    size_t n_verdicts;          /* Number of 'verdicts'. */
};

/* Building the simulated state. */
struct lflow_sim *lflow_sim_create(void);
void lflow_sim_destroy(struct lflow_sim *);

struct lflow_sim_datapath *lflow_sim_add_datapath(struct lflow_sim *,
                                                  uint32_t key,
                                                  const char *name,
                                                  enum dp_type);
char *lflow_sim_add_flow(struct lflow_sim *, struct lflow_sim_datapath *,
                         enum pipeline, unsigned int table_id,
                         unsigned int priority, const char *match,
                         const char *actions, const char *source,
                         const char *uuid)
    OVS_WARN_UNUSED_RESULT;
struct lflow_sim_port *lflow_sim_add_port(struct lflow_sim *,
                                          struct lflow_sim_datapath *,
                                          uint32_t key, const char *name,
                                          const char *type,
                                          const char *chassis,
                                          bool enabled);
void lflow_sim_port_add_security(struct lflow_sim_port *,
                                 const char *addresses);
void lflow_sim_port_set_peer(struct lflow_sim_port *, const char *peer);
void lflow_sim_port_set_chassis_note(struct lflow_sim_port *,
                                     const char *note);
void lflow_sim_add_address_set(struct lflow_sim *, const char *name,
                               const char *const *addresses, size_t n);
void lflow_sim_add_color(struct lflow_sim *, unsigned int id,
                         const char *name);
void lflow_sim_set_ct_state(struct lflow_sim *, uint32_t ct_state);
void lflow_sim_set_lb_dst(struct lflow_sim *, const char *lb_dst);
unsigned int lflow_sim_find_color(const struct lflow_sim *, const char *);
void lflow_sim_set_start_color(struct lflow_sim *, unsigned int id);
void lflow_sim_add_mcgroup(struct lflow_sim_datapath *, uint32_t key,
                           const char *name,
                           const struct lflow_sim_port *const *ports,
                           size_t n_ports);

/* Looking things up. */
struct lflow_sim_datapath *lflow_sim_find_datapath(const struct lflow_sim *,
                                                   const char *name_or_key);
struct lflow_sim_datapath *lflow_sim_datapath_by_key(const struct lflow_sim *,
                                                     uint32_t key);
const char *lflow_sim_datapath_name(const struct lflow_sim_datapath *);
uint32_t lflow_sim_datapath_key(const struct lflow_sim_datapath *);
enum dp_type lflow_sim_datapath_type(const struct lflow_sim_datapath *);
const struct lflow_sim_port *lflow_sim_find_port(const struct lflow_sim *,
                                                 const char *name);
const struct lflow_sim_port *lflow_sim_port_by_key(
    const struct lflow_sim_datapath *, uint32_t key);

/* Running a trace.  'flow' is the packet as it enters the ingress pipeline
 * of 'dp'; lflow_sim_run() sets the logical inport register from
 * 'inport' (which must be on 'dp') and clears the other logical
 * registers.  'chassis' is where the packet enters (NULL: the inport's
 * chassis). */
struct lflow_sim_trace *lflow_sim_run(const struct lflow_sim *,
                                      const struct lflow_sim_datapath *dp,
                                      const struct lflow_sim_port *inport,
                                      const char *chassis,
                                      const struct flow *flow);
void lflow_sim_trace_destroy(struct lflow_sim_trace *);

/* Formats 'flow' as "priority=P, match=M, actions=A". */
char *lflow_sim_flow_to_string(const struct lflow_sim_flow *);

/* Formats 'verdict' as one line, e.g. "delivered to p2 on chassis hv2" or
 * "dropped in ls_in_port_sec by flow ... (source ...)". */
char *lflow_sim_verdict_to_string(const struct lflow_sim_verdict *);

#endif /* lib/lflow-sim.h */
