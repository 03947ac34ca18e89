#include <config.h>

#include "lib/lflow-sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "hash.h"
#include "lib/logical-actions.h"
#include "openvswitch/shash.h"
#include "svec.h"
#include "util.h"

/* Deepest chain of resubmits and branches a trace follows. */
#define SIM_MAX_DEPTH 64

/* Register numbers of the logical registers of lib/pipeline.h. */
#define SIM_REG_INPORT 14
#define SIM_REG_OUTPORT 15
#define SIM_REG_FLAGS 10
#define SIM_REG_COLOR 9

/* One dimension of a conjunctive alternative, parsed. */
struct sim_dim {
    struct minimatch *values;   /* Each value with the common part. */
    size_t n_values;            /* Number of 'values' parsed so far. */
};

/* One alternative of a logical flow's match, parsed: it matches if
 * 'common' does and, for each dimension, one of its values. */
struct sim_alt {
    struct minimatch common;    /* The plain match or common part. */
    struct sim_dim *dims;       /* Dimensions (conjunctive only). */
    size_t n_dims;              /* Number of 'dims'. */
};

/* A logical flow with its parsed match and actions. */
struct sim_flow {
    struct lflow_sim_flow pub;  /* What the caller gave. */
    struct sim_alt *alts;       /* Parsed alternatives of the match. */
    size_t n_alts;              /* Number of 'alts' parsed so far. */
    struct ofpact *ofpacts;     /* Parsed actions, "next"/"output" expanded. */
    size_t ofpacts_len;         /* Length of 'ofpacts' in bytes. */
};

/* The flows of one stage of one datapath, highest priority first; among
 * equal priorities, in the order they were added. */
struct sim_stage {
    struct sim_flow **flows;    /* The flows. */
    size_t n_flows;             /* Number of 'flows'. */
    size_t allocated_flows;     /* Allocated size of 'flows'. */
};

/* A logical port. */
struct sim_port {
    struct hmap_node key_node;  /* In datapath's 'ports', by key. */
    struct hmap_node name_node; /* In simulator's 'ports', by name. */
    struct lflow_sim_port pub;  /* What the caller gave. */
};

/* A multicast group. */
struct sim_mcgroup {
    struct hmap_node node;      /* In datapath's 'mcgroups', by key. */
    uint32_t key;               /* Group tunnel key. */
    char *name;                 /* Group name, e.g. "_MC_flood". */
    const struct lflow_sim_port **ports;  /* Member ports. */
    size_t n_ports;             /* Number of 'ports'. */
};

/* A logical datapath. */
struct lflow_sim_datapath {
    struct hmap_node node;      /* In simulator's 'datapaths', by key. */
    uint32_t key;               /* Datapath tunnel key. */
    char *name;                 /* Datapath name. */
    enum dp_type type;          /* Switch or router. */
    struct sim_stage stages[2][PIPELINE_MAX_STAGES];  /* By pipeline. */
    struct hmap ports;          /* "struct sim_port"s by key. */
    struct hmap mcgroups;       /* "struct sim_mcgroup"s by key. */
};

/* The simulated southbound state. */
struct lflow_sim {
    struct hmap datapaths;      /* "struct lflow_sim_datapath"s by key. */
    struct hmap ports;          /* "struct sim_port"s by name. */
    char *colors[256];          /* Colour names by id, NULL if unknown. */
    uint32_t ct_state;          /* State a ct() recirculation assumes. */
    unsigned int start_color;   /* Colour the packet starts with, or 0. */
    char **groups;              /* Buckets of select group i + 1. */
    size_t n_groups, allocated_groups;
    char *lb_dst;               /* Backend a select group of ct_lb picks
                                 * ("IP[:PORT]"), or NULL for its first. */
    struct shash address_sets;  /* Name -> "struct svec *" of addresses. */
};

/* Where one copy of the packet is while a trace runs. */
struct sim_ctx {
    const struct lflow_sim *sim;        /* The state. */
    struct lflow_sim_trace *trace;      /* Gets the verdicts. */
    struct ovs_list *events;            /* Gets this copy's events. */
    const struct lflow_sim_datapath *dp;  /* Current datapath. */
    enum pipeline pipeline;             /* Current pipeline. */
    const char *chassis;                /* Chassis it runs on, or NULL. */
    struct flow flow;                   /* The packet. */
    const char *stage;                  /* Current stage name. */
    const struct lflow_sim_flow *lflow; /* Flow whose actions run. */
    size_t alternative;                 /* Alternative of its match that
                                         * matched. */
    bool forwarded;                     /* Current actions went on? */
    int depth;                          /* Nesting of resubmits. */
    union mf_subvalue stack[8];         /* push:/pop: stack (exchanges). */
    size_t n_stack;                     /* Values on 'stack'. */
};

static void sim_goto_table(struct sim_ctx *, unsigned int oftable);
static void sim_output(struct sim_ctx *);
static void sim_deliver(struct sim_ctx *);

/* Returns a new, empty simulator. */
struct lflow_sim *
lflow_sim_create(void)
{
    struct lflow_sim *sim = xzalloc(sizeof *sim);
    hmap_init(&sim->datapaths);
    hmap_init(&sim->ports);
    shash_init(&sim->address_sets);
    sim->ct_state = CS_TRACKED | CS_NEW;
    return sim;
}

/* Frees 'f' and everything it owns. */
static void
sim_flow_destroy(struct sim_flow *f)
{
    free(f->pub.match);
    pipeline_match_free(f->pub.alternatives, f->pub.n_alternatives);
    free(f->pub.actions);
    free(f->pub.source);
    free(f->pub.uuid);
    for (size_t i = 0; i < f->n_alts; i++) {
        struct sim_alt *alt = &f->alts[i];
        minimatch_destroy(&alt->common);
        for (size_t j = 0; j < alt->n_dims; j++) {
            for (size_t k = 0; k < alt->dims[j].n_values; k++) {
                minimatch_destroy(&alt->dims[j].values[k]);
            }
            free(alt->dims[j].values);
        }
        free(alt->dims);
    }
    free(f->alts);
    free(f->ofpacts);
    free(f);
}

/* Frees 'dp' with its flows, ports and groups, removing its ports from
 * 'sim''s name index. */
static void
sim_datapath_destroy(struct lflow_sim *sim, struct lflow_sim_datapath *dp)
{
    for (int p = 0; p < 2; p++) {
        for (int t = 0; t < PIPELINE_MAX_STAGES; t++) {
            struct sim_stage *st = &dp->stages[p][t];
            for (size_t i = 0; i < st->n_flows; i++) {
                sim_flow_destroy(st->flows[i]);
            }
            free(st->flows);
        }
    }

    struct sim_port *port;
    HMAP_FOR_EACH_POP (port, key_node, &dp->ports) {
        hmap_remove(&sim->ports, &port->name_node);
        free(port->pub.name);
        free(port->pub.type);
        free(port->pub.chassis);
        free(port->pub.chassis_note);
        free(port->pub.peer);
        for (size_t i = 0; i < port->pub.n_port_security; i++) {
            free(port->pub.port_security[i]);
        }
        free(port->pub.port_security);
        free(port);
    }
    hmap_destroy(&dp->ports);

    struct sim_mcgroup *mc;
    HMAP_FOR_EACH_POP (mc, node, &dp->mcgroups) {
        free(mc->name);
        free(mc->ports);
        free(mc);
    }
    hmap_destroy(&dp->mcgroups);
    free(dp->name);
    free(dp);
}

/* Frees 'sim' and everything added to it.  Accepts NULL. */
void
lflow_sim_destroy(struct lflow_sim *sim)
{
    if (!sim) {
        return;
    }
    struct lflow_sim_datapath *dp;
    HMAP_FOR_EACH_POP (dp, node, &sim->datapaths) {
        sim_datapath_destroy(sim, dp);
    }
    hmap_destroy(&sim->datapaths);
    hmap_destroy(&sim->ports);
    for (size_t i = 0; i < ARRAY_SIZE(sim->colors); i++) {
        free(sim->colors[i]);
    }
    for (size_t i = 0; i < sim->n_groups; i++) {
        free(sim->groups[i]);
    }
    free(sim->groups);
    free(sim->lb_dst);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &sim->address_sets) {
        svec_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&sim->address_sets);
    free(sim);
}

/* Adds address set 'name' with its 'n' 'addresses' (SB Address_Set), which
 * the matches of the flows added afterward may name ("nw_src=$name",
 * lib/pipeline.h): as on the controller, each reference stands for the
 * set's addresses of its field's family. */
void
lflow_sim_add_address_set(struct lflow_sim *sim, const char *name,
                          const char *const *addresses, size_t n)
{
    struct svec *v = xmalloc(sizeof *v);
    svec_init(v);
    for (size_t i = 0; i < n; i++) {
        svec_add(v, addresses[i]);
    }
    struct svec *old = shash_replace(&sim->address_sets, name, v);
    if (old) {
        svec_destroy(old);
        free(old);
    }
}

/* pipeline_set_lookup_func for the sets of 'sim'. */
static const char *const *
sim_lookup_set(const char *name, size_t *n, void *sim_)
{
    const struct lflow_sim *sim = sim_;
    const struct svec *v = shash_find_data(&sim->address_sets, name);
    *n = v ? v->n : 0;
    return v ? (const char *const *) v->names : NULL;
}

/* Adds datapath 'name' with tunnel key 'key' and returns it.  The caller
 * must not add two datapaths with the same key. */
struct lflow_sim_datapath *
lflow_sim_add_datapath(struct lflow_sim *sim, uint32_t key, const char *name,
                       enum dp_type type)
{
    struct lflow_sim_datapath *dp = xzalloc(sizeof *dp);
    dp->key = key;
    dp->name = xstrdup(name);
    dp->type = type;
    hmap_init(&dp->ports);
    hmap_init(&dp->mcgroups);
    hmap_insert(&sim->datapaths, &dp->node, hash_int(key, 0));
    return dp;
}

/* lact_encode_ctx callback: the simulator resubmits to every stage's own
 * table and skips stages without flows when it gets there (see
 * sim_goto_table()); past the last stage is PHY output or delivery, which
 * is where the table numbers of both pipelines land. */
static unsigned int
sim_stage_oftable(enum pipeline pipeline, unsigned int table_id,
                  void *aux OVS_UNUSED)
{
    return pipeline_first_oftable(pipeline) + table_id;
}

/* lact_encode_ctx callback: select groups are encoded as the controller
 * encodes them, each with an id of the simulator's (the same buckets, the
 * same id), so that a trace can follow one of their buckets. */
static uint32_t
sim_group_id(const char *buckets, void *sim_)
{
    struct lflow_sim *sim = sim_;
    for (size_t i = 0; i < sim->n_groups; i++) {
        if (!strcmp(sim->groups[i], buckets)) {
            return i + 1;
        }
    }
    if (sim->n_groups >= sim->allocated_groups) {
        sim->groups = x2nrealloc(sim->groups, &sim->allocated_groups,
                                 sizeof *sim->groups);
    }
    sim->groups[sim->n_groups++] = xstrdup(buckets);
    return sim->n_groups;
}

/* lact_encode_ctx callback: packet-ins are encoded as the controller
 * encodes them; a trace reports the controller() action as not simulated
 * and goes on, as the packet does. */
static uint32_t
sim_pin_meter_id(enum lact_pin_opcode op, void *aux OVS_UNUSED)
{
    return lact_pin_meter_id(op);
}

/* Parses ovs-ofctl match 'match' of flow 'f', with the flow's actions,
 * into 'dst'; keeps the actions the first time.  Returns NULL or an error
 * message naming the flow. */
static char * OVS_WARN_UNUSED_RESULT
sim_flow_parse_match(struct lflow_sim *sim, struct sim_flow *f,
                     enum dp_type dp_type, const char *match,
                     struct minimatch *dst)
{
    const struct lflow_sim_flow *pub = &f->pub;
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "table=%u,priority=%u,",
                  pipeline_first_oftable(pub->pipeline) + pub->table_id,
                  pub->priority);
    if (match[0]) {
        ds_put_format(&s, "%s,", match);
    }
    ds_put_cstr(&s, "actions=");
    struct lact_encode_ctx ctx = {
        .dp_type = dp_type,
        .pipeline = pub->pipeline,
        .table_id = pub->table_id,
        .stage_oftable = sim_stage_oftable,
        .group_id = sim_group_id,
        .pin_meter_id = sim_pin_meter_id,
        .aux = sim,
    };
    char *error = lact_compile(pub->actions, &ctx, &s);
    if (error) {
        char *msg = xasprintf("%s %u priority %u (actions \"%s\"): %s",
                              pipeline_to_string(pub->pipeline),
                              pub->table_id, pub->priority, pub->actions,
                              error);
        free(error);
        ds_destroy(&s);
        return msg;
    }

    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    error = parse_ofp_str(&fm, OFPFC_ADD, ds_cstr(&s), NULL, NULL, &usable);
    ds_destroy(&s);
    if (error) {
        char *msg = xasprintf("%s %u priority %u (match \"%s\", "
                              "actions \"%s\"): %s",
                              pipeline_to_string(pub->pipeline),
                              pub->table_id, pub->priority, match,
                              pub->actions, error);
        free(error);
        return msg;
    }
    minimatch_clone(dst, &fm.match);
    minimatch_destroy(&fm.match);
    if (!f->ofpacts) {
        f->ofpacts = fm.ofpacts;
        f->ofpacts_len = fm.ofpacts_len;
    } else {
        free(fm.ofpacts);
    }
    return NULL;
}

/* Returns 'ofmatch' without the field that holds its address set
 * reference 'ref' ("ip,nw_src=$as,reg15=0x1" -> "ip,reg15=0x1"). */
static char *
sim_ofmatch_without_ref(const char *ofmatch,
                        const struct pipeline_set_ref *ref)
{
    size_t start = ref->ofs - strlen(ref->field) - 1;  /* The field. */
    size_t end = ref->ofs + ref->len;                   /* Past the name. */
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_buffer(&s, ofmatch, start);
    const char *rest = ofmatch + end;
    if (*rest == ',') {
        rest++;
    }
    if (*rest) {
        ds_put_cstr(&s, rest);
    } else if (s.length) {
        ds_chomp(&s, ',');
    }
    return ds_steal_cstr(&s);
}

/* Parses alternative 'pa' of flow 'f''s match into the next of 'f''s
 * alternatives: a conjunctive one's values each with its common part, as
 * the controller installs them. */
static char * OVS_WARN_UNUSED_RESULT
sim_flow_parse_alt(struct lflow_sim *sim, struct sim_flow *f,
                   enum dp_type dp_type, const struct pipeline_match_alt *pa)
{
    struct sim_alt *alt = &f->alts[f->n_alts];
    struct pipeline_set_ref ref;
    char *error = NULL;
    if (!pa->n_dims) {
        error = pipeline_ofmatch_find_set(pa->common, &ref);
        if (error) {
            return error;
        }
    }
    if (!pa->n_dims && ref.name) {
        /* A plain alternative that names a set: its other fields, and one
         * dimension of its addresses (each value the whole alternative
         * with one address), so that it stays one alternative. */
        char *common = sim_ofmatch_without_ref(pa->common, &ref);
        free(ref.name);
        error = sim_flow_parse_match(sim, f, dp_type, common, &alt->common);
        free(common);
        if (error) {
            return error;
        }
        f->n_alts++;
        struct svec values = SVEC_EMPTY_INITIALIZER;
        pipeline_ofmatch_expand(pa->common, sim_lookup_set, sim, &values);
        alt->dims = xcalloc(1, sizeof *alt->dims);
        alt->n_dims = 1;
        struct sim_dim *dim = &alt->dims[0];
        dim->values = xcalloc(values.n + 1, sizeof *dim->values);
        for (size_t j = 0; j < values.n && !error; j++) {
            error = sim_flow_parse_match(sim, f, dp_type, values.names[j],
                                         &dim->values[dim->n_values]);
            dim->n_values += !error;
        }
        svec_destroy(&values);
        return error;
    }

    error = sim_flow_parse_match(sim, f, dp_type, pa->common, &alt->common);
    if (error) {
        return error;
    }
    f->n_alts++;
    alt->dims = xcalloc(pa->n_dims, sizeof *alt->dims);
    alt->n_dims = pa->n_dims;
    for (size_t i = 0; i < pa->n_dims; i++) {
        const struct pipeline_match_dim *pd = &pa->dims[i];
        struct sim_dim *dim = &alt->dims[i];
        /* Each value with the addresses of the set it names, if any, in
         * place of the reference. */
        struct svec values = SVEC_EMPTY_INITIALIZER;
        for (size_t j = 0; j < pd->n_values; j++) {
            pipeline_ofmatch_expand(pd->values[j], sim_lookup_set, sim,
                                    &values);
        }
        dim->values = xcalloc(values.n + 1, sizeof *dim->values);
        for (size_t j = 0; j < values.n; j++) {
            char *match = xasprintf("%s%s%s", pa->common,
                                    pa->common[0] ? "," : "",
                                    values.names[j]);
            error = sim_flow_parse_match(sim, f, dp_type, match,
                                         &dim->values[dim->n_values]);
            free(match);
            if (error) {
                svec_destroy(&values);
                return error;
            }
            dim->n_values++;
        }
        svec_destroy(&values);
    }
    return NULL;
}

/* Returns true if 'alt' matches 'flow'. */
static bool
sim_alt_matches(const struct sim_alt *alt, const struct flow *flow)
{
    if (!minimatch_matches_flow(&alt->common, flow)) {
        return false;
    }
    for (size_t i = 0; i < alt->n_dims; i++) {
        const struct sim_dim *dim = &alt->dims[i];
        bool any = false;
        for (size_t j = 0; j < dim->n_values && !any; j++) {
            any = minimatch_matches_flow(&dim->values[j], flow);
        }
        if (!any) {
            return false;
        }
    }
    return true;
}

/* Adds a logical flow to 'dp'.  Returns NULL, or an error message (that
 * the caller must free) if the match or actions do not parse or the table
 * is out of range; then nothing is added. */
char *
lflow_sim_add_flow(struct lflow_sim *sim,
                   struct lflow_sim_datapath *dp, enum pipeline pipeline,
                   unsigned int table_id, unsigned int priority,
                   const char *match, const char *actions,
                   const char *source, const char *uuid)
{
    if (table_id >= PIPELINE_MAX_STAGES) {
        return xasprintf("%s table %u: out of range (0 to %d)",
                         pipeline_to_string(pipeline), table_id,
                         PIPELINE_MAX_STAGES - 1);
    }
    if (priority > UINT16_MAX) {
        return xasprintf("priority %u: out of range (0 to 65535)", priority);
    }

    struct sim_flow *f = xzalloc(sizeof *f);
    f->pub.pipeline = pipeline;
    f->pub.table_id = table_id;
    f->pub.priority = priority;
    f->pub.match = xstrdup(match ? match : "");
    f->pub.actions = xstrdup(actions ? actions : "");
    f->pub.source = xstrdup(source ? source : "");
    f->pub.uuid = xstrdup(uuid ? uuid : "");
    struct pipeline_match pm;
    char *error = pipeline_match_parse(f->pub.match, &pm);
    if (error) {
        char *msg = xasprintf("%s %u priority %u: match: %s",
                              pipeline_to_string(pipeline), table_id,
                              priority, error);
        free(error);
        sim_flow_destroy(f);
        return msg;
    }
    f->pub.n_alternatives = pm.n_alts;
    f->pub.alternatives = xmalloc(pm.n_alts * sizeof *f->pub.alternatives);
    for (size_t i = 0; i < pm.n_alts; i++) {
        f->pub.alternatives[i] = xstrdup(pm.alts[i].text);
    }
    f->alts = xcalloc(pm.n_alts, sizeof *f->alts);
    for (size_t i = 0; i < pm.n_alts; i++) {
        error = sim_flow_parse_alt(sim, f, dp->type, &pm.alts[i]);
        if (error) {
            pipeline_match_destroy(&pm);
            sim_flow_destroy(f);
            return error;
        }
    }
    pipeline_match_destroy(&pm);

    struct sim_stage *st = &dp->stages[pipeline][table_id];
    if (st->n_flows >= st->allocated_flows) {
        st->flows = x2nrealloc(st->flows, &st->allocated_flows,
                               sizeof *st->flows);
    }
    size_t pos = st->n_flows;
    while (pos > 0 && st->flows[pos - 1]->pub.priority < priority) {
        pos--;
    }
    memmove(&st->flows[pos + 1], &st->flows[pos],
            (st->n_flows - pos) * sizeof *st->flows);
    st->flows[pos] = f;
    st->n_flows++;
    return NULL;
}

/* Adds logical port 'name' with tunnel key 'key' to 'dp'.  'chassis' is
 * the chassis it is bound to, or NULL. */
struct lflow_sim_port *
lflow_sim_add_port(struct lflow_sim *sim, struct lflow_sim_datapath *dp,
                   uint32_t key, const char *name, const char *type,
                   const char *chassis, bool enabled)
{
    struct sim_port *port = xzalloc(sizeof *port);
    port->pub.dp = dp;
    port->pub.key = key;
    port->pub.name = xstrdup(name);
    port->pub.type = xstrdup(type ? type : "");
    port->pub.chassis = nullable_xstrdup(chassis);
    port->pub.enabled = enabled;
    hmap_insert(&dp->ports, &port->key_node, hash_int(key, 0));
    hmap_insert(&sim->ports, &port->name_node, hash_string(name, 0));
    return &port->pub;
}

/* Adds one port security entry ("MAC [IP...]") to 'port'. */
void
lflow_sim_port_add_security(struct lflow_sim_port *port,
                            const char *addresses)
{
    port->port_security = xrealloc(port->port_security,
                                   (port->n_port_security + 1)
                                   * sizeof *port->port_security);
    port->port_security[port->n_port_security++] = xstrdup(addresses);
}

/* Says how the chassis of 'port' was chosen, when it is not simply the
 * one the database binds it to (e.g. a gateway that no chassis claimed):
 * the trace shows 'note' where the packet goes to that chassis. */
void
lflow_sim_port_set_chassis_note(struct lflow_sim_port *port,
                                const char *note)
{
    free(port->chassis_note);
    port->chassis_note = nullable_xstrdup(note);
}

/* Makes 'port' a patch port whose peer is the port named 'peer'. */
void
lflow_sim_port_set_peer(struct lflow_sim_port *port, const char *peer)
{
    free(port->peer);
    port->peer = nullable_xstrdup(peer);
}

/* Adds multicast group 'name' with key 'key' and members 'ports' to
 * 'dp'. */
void
lflow_sim_add_mcgroup(struct lflow_sim_datapath *dp, uint32_t key,
                      const char *name,
                      const struct lflow_sim_port *const *ports,
                      size_t n_ports)
{
    struct sim_mcgroup *mc = xzalloc(sizeof *mc);
    mc->key = key;
    mc->name = xstrdup(name);
    mc->ports = xmemdup(ports, n_ports * sizeof *ports);
    mc->n_ports = n_ports;
    hmap_insert(&dp->mcgroups, &mc->node, hash_int(key, 0));
}

/* Names colour 'id' (1 to 255) 'name', for explaining the colour
 * register. */
void
lflow_sim_add_color(struct lflow_sim *sim, unsigned int id, const char *name)
{
    if (id > 0 && id < ARRAY_SIZE(sim->colors)) {
        free(sim->colors[id]);
        sim->colors[id] = xstrdup(name);
    }
}

/* Sets the connection tracking state (CS_* bits of lib/packets.h) that a
 * packet has after ct() sends it to another table.  The simulator tracks
 * no connections, so it assumes this state; the default is a new
 * connection ("new|trk"). */
void
lflow_sim_set_ct_state(struct lflow_sim *sim, uint32_t ct_state)
{
    sim->ct_state = ct_state;
}

/* Sets the backend, "IP" or "IP:PORT" ("[IPv6]:PORT"), that the select
 * group of a ct_lb picks: the bucket that NATs to it.  By default (NULL),
 * and when no bucket does, the trace follows the first bucket. */
void
lflow_sim_set_lb_dst(struct lflow_sim *sim, const char *lb_dst)
{
    free(sim->lb_dst);
    sim->lb_dst = nullable_xstrdup(lb_dst);
}

/* Returns the id of the colour named 'name' (lflow_sim_add_color()), or
 * 0 if there is none. */
unsigned int
lflow_sim_find_color(const struct lflow_sim *sim, const char *name)
{
    for (size_t i = 1; i < ARRAY_SIZE(sim->colors); i++) {
        if (sim->colors[i] && !strcmp(sim->colors[i], name)) {
            return i;
        }
    }
    return 0;
}

/* Makes every trace's packet start with colour 'id' (0: none), as the
 * packets of a connection that the host promoted to that colour do: the
 * controller's table 9 gives it to them before the ingress pipeline. */
void
lflow_sim_set_start_color(struct lflow_sim *sim, unsigned int id)
{
    sim->start_color = id & PIPELINE_COLOR_MASK;
}

/* Returns the datapath with tunnel key 'key', or NULL. */
struct lflow_sim_datapath *
lflow_sim_datapath_by_key(const struct lflow_sim *sim, uint32_t key)
{
    struct lflow_sim_datapath *dp;
    HMAP_FOR_EACH_WITH_HASH (dp, node, hash_int(key, 0), &sim->datapaths) {
        if (dp->key == key) {
            return dp;
        }
    }
    return NULL;
}

/* Returns the datapath named 'name_or_key', or whose tunnel key is that
 * decimal number, or NULL. */
struct lflow_sim_datapath *
lflow_sim_find_datapath(const struct lflow_sim *sim, const char *name_or_key)
{
    struct lflow_sim_datapath *dp;
    HMAP_FOR_EACH (dp, node, &sim->datapaths) {
        if (!strcmp(dp->name, name_or_key)) {
            return dp;
        }
    }
    unsigned int key;
    if (str_to_uint(name_or_key, 10, &key)) {
        return lflow_sim_datapath_by_key(sim, key);
    }
    return NULL;
}

/* Returns the name of 'dp'. */
const char *
lflow_sim_datapath_name(const struct lflow_sim_datapath *dp)
{
    return dp->name;
}

/* Returns the tunnel key of 'dp'. */
uint32_t
lflow_sim_datapath_key(const struct lflow_sim_datapath *dp)
{
    return dp->key;
}

/* Returns whether 'dp' is a switch or a router. */
enum dp_type
lflow_sim_datapath_type(const struct lflow_sim_datapath *dp)
{
    return dp->type;
}

/* Returns the logical port named 'name', or NULL. */
const struct lflow_sim_port *
lflow_sim_find_port(const struct lflow_sim *sim, const char *name)
{
    struct sim_port *port;
    HMAP_FOR_EACH_WITH_HASH (port, name_node, hash_string(name, 0),
                             &sim->ports) {
        if (!strcmp(port->pub.name, name)) {
            return &port->pub;
        }
    }
    return NULL;
}

/* Returns the port of 'dp' with tunnel key 'key', or NULL. */
const struct lflow_sim_port *
lflow_sim_port_by_key(const struct lflow_sim_datapath *dp, uint32_t key)
{
    struct sim_port *port;
    HMAP_FOR_EACH_WITH_HASH (port, key_node, hash_int(key, 0), &dp->ports) {
        if (port->pub.key == key) {
            return &port->pub;
        }
    }
    return NULL;
}

/* Returns the multicast group of 'dp' with tunnel key 'key', or NULL. */
static const struct sim_mcgroup *
sim_mcgroup_by_key(const struct lflow_sim_datapath *dp, uint32_t key)
{
    struct sim_mcgroup *mc;
    HMAP_FOR_EACH_WITH_HASH (mc, node, hash_int(key, 0), &dp->mcgroups) {
        if (mc->key == key) {
            return mc;
        }
    }
    return NULL;
}

/* Returns the highest priority flow of 'st' that matches 'flow', or NULL,
 * and stores the index of its first matching alternative in '*alt'. */
static const struct sim_flow *
sim_stage_lookup(const struct sim_stage *st, const struct flow *flow,
                 size_t *alt)
{
    for (size_t i = 0; i < st->n_flows; i++) {
        const struct sim_flow *f = st->flows[i];
        for (size_t j = 0; j < f->n_alts; j++) {
            if (sim_alt_matches(&f->alts[j], flow)) {
                *alt = j;
                return f;
            }
        }
    }
    *alt = 0;
    return NULL;
}

/* Appends an event of 'type' with a printf-formatted text to 'ctx'. */
static struct lflow_sim_event * OVS_PRINTF_FORMAT(3, 4)
sim_event(struct sim_ctx *ctx, enum lflow_sim_event_type type,
          const char *format, ...)
{
    struct lflow_sim_event *ev = xzalloc(sizeof *ev);
    ev->type = type;
    ev->table_id = -1;
    va_list args;
    va_start(args, format);
    ev->text = xvasprintf(format, args);
    va_end(args);
    ovs_list_init(&ev->children);
    ovs_list_push_back(ctx->events, &ev->node);
    return ev;
}

/* Returns the name of the port with key 'key' on 'ctx''s datapath, or a
 * placeholder. */
static const char *
sim_port_name(const struct sim_ctx *ctx, uint32_t key)
{
    const struct lflow_sim_port *port = lflow_sim_port_by_key(ctx->dp, key);
    return port ? port->name : "(no such port)";
}

/* Records a verdict for the current copy of the packet. */
static void
sim_verdict(struct sim_ctx *ctx, bool delivered,
            const struct lflow_sim_port *port, const char *reason)
{
    struct lflow_sim_verdict *v = xzalloc(sizeof *v);
    v->delivered = delivered;
    v->port = port;
    v->chassis = nullable_xstrdup(ctx->chassis);
    if (!delivered) {
        v->stage = ctx->stage;
        v->flow = ctx->lflow;
        v->alternative = ctx->alternative;
        v->reason = nullable_xstrdup(reason);
    }

    struct lflow_sim_trace *t = ctx->trace;
    t->verdicts = xrealloc(t->verdicts,
                           (t->n_verdicts + 1) * sizeof *t->verdicts);
    t->verdicts[t->n_verdicts++] = v;

    char *s = lflow_sim_verdict_to_string(v);
    struct lflow_sim_event *ev = sim_event(ctx, LSE_VERDICT, "%s", s);
    ev->verdict = v;
    free(s);
}

/* Records a drop of the current copy, for 'reason' (may be NULL). */
static void
sim_drop(struct sim_ctx *ctx, const char *reason)
{
    sim_verdict(ctx, false, NULL, reason);
}

/* Records a drop by the current stage itself: no flow matched ('reason')
 * or the winning flow went nowhere (NULL).  In a port security stage the
 * reason also names the port and what it allows. */
static void
sim_stage_drop(struct sim_ctx *ctx, const char *reason)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (reason) {
        ds_put_cstr(&s, reason);
    }

    const char *suffix = "_port_sec";
    size_t n = ctx->stage ? strlen(ctx->stage) : 0;
    const struct lflow_sim_port *port = NULL;
    if (n > strlen(suffix) && !strcmp(ctx->stage + n - strlen(suffix),
                                      suffix)) {
        uint32_t key = ctx->flow.regs[ctx->pipeline == P_INGRESS
                                      ? SIM_REG_INPORT : SIM_REG_OUTPORT];
        port = lflow_sim_port_by_key(ctx->dp, key);
    }
    if (port) {
        ds_put_format(&s, "%sport %s", s.length ? "; " : "", port->name);
        if (!port->enabled) {
            ds_put_cstr(&s, " is disabled");
        } else if (port->n_port_security) {
            ds_put_cstr(&s, " allows only");
            for (size_t i = 0; i < port->n_port_security; i++) {
                ds_put_format(&s, "%s \"%s\"", i ? "," : "",
                              port->port_security[i]);
            }
        } else {
            ds_put_cstr(&s, " has no port security");
        }
    }
    sim_verdict(ctx, false, port, s.length ? ds_cstr(&s) : NULL);
    ds_destroy(&s);
}

/* Appends to 's' action 'a' in ovs-ofctl syntax. */
static void
sim_format_action(const struct ofpact *a, struct ds *s)
{
    struct ofpact_format_params fp = { .s = s };
    ofpacts_format(a, a->len, &fp);
}

static void sim_actions(struct sim_ctx *, const struct ofpact *, size_t len);

/* Runs the nested actions of clone() on a copy of the packet. */
static void
sim_clone(struct sim_ctx *ctx, const struct ofpact_nest *nest)
{
    struct lflow_sim_event *ev = sim_event(ctx, LSE_BRANCH, "clone");
    struct sim_ctx copy = *ctx;
    copy.events = &ev->children;
    copy.depth++;
    sim_actions(&copy, nest->actions, ofpact_nest_get_action_len(nest));
}

/* Appends to 's' what the new value of logical register 'reg' means, if
 * it is one of lib/pipeline.h's: a port or group name, the flags, the
 * colour. */
static void
sim_explain_register(const struct sim_ctx *ctx, int reg, struct ds *s)
{
    uint32_t value = ctx->flow.regs[reg];
    if (reg == SIM_REG_OUTPORT || reg == SIM_REG_INPORT) {
        const struct sim_mcgroup *mc = sim_mcgroup_by_key(ctx->dp, value);
        ds_put_format(s, " (%s = %s)",
                      reg == SIM_REG_OUTPORT ? "outport" : "inport",
                      mc ? mc->name : sim_port_name(ctx, value));
    } else if (reg == SIM_REG_FLAGS) {
        ds_put_format(s, " (flags:%s%s%s%s%s)",
                      value & (1u << MLF_ALLOW_LOOPBACK_BIT)
                      ? " allow-loopback" : "",
                      value & (1u << MLF_FROM_TUNNEL_BIT)
                      ? " from-tunnel" : "",
                      value & (1u << MLF_INPORT_SECURED_BIT)
                      ? " inport-secured" : "",
                      value & (1u << MLF_OUTPORT_SECURED_BIT)
                      ? " outport-secured" : "",
                      value & (1u << MLF_LB_HAIRPIN_BIT)
                      ? " lb-hairpin" : "");
    } else if (reg == SIM_REG_COLOR) {
        uint32_t id = value & 0xff;
        const char *name = ctx->sim->colors[id];
        ds_put_format(s, " (colour = %s%s%"PRIu32"%s)",
                      name ? name : "", name ? " (" : "", id,
                      name ? ")" : "");
    }
}

/* Records the effect of a field-setting action 'a' on the packet. */
static void
sim_record_set(struct sim_ctx *ctx, const struct ofpact *a,
               const struct mf_field *field)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    sim_format_action(a, &s);
    if (field && field->id >= MFF_REG0 && field->id < MFF_REG0 + FLOW_N_REGS) {
        sim_explain_register(ctx, field->id - MFF_REG0, &s);
    }
    sim_event(ctx, LSE_ACTION, "%s", ds_cstr(&s));
    ds_destroy(&s);
}

/* Runs one action that changes packet fields.  Returns false if 'a' is not
 * such an action. */
static bool
sim_set_action(struct sim_ctx *ctx, const struct ofpact *a)
{
    struct flow *flow = &ctx->flow;
    const struct mf_field *field = NULL;

    switch ((int) a->type) {
    case OFPACT_SET_FIELD: {
        const struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
        field = sf->field;
        mf_set_flow_value_masked(field, sf->value,
                                 ofpact_set_field_mask(sf), flow);
        break;
    }
    case OFPACT_REG_MOVE: {
        const struct ofpact_reg_move *m = ofpact_get_REG_MOVE(a);
        field = m->dst.field;
        mf_subfield_copy(&m->src, &m->dst, flow, NULL);
        break;
    }
    case OFPACT_SET_ETH_SRC:
        flow->dl_src = ofpact_get_SET_ETH_SRC(a)->mac;
        break;
    case OFPACT_SET_ETH_DST:
        flow->dl_dst = ofpact_get_SET_ETH_DST(a)->mac;
        break;
    case OFPACT_SET_IPV4_SRC:
        flow->nw_src = ofpact_get_SET_IPV4_SRC(a)->ipv4;
        break;
    case OFPACT_SET_IPV4_DST:
        flow->nw_dst = ofpact_get_SET_IPV4_DST(a)->ipv4;
        break;
    case OFPACT_SET_L4_SRC_PORT:
        flow->tp_src = htons(ofpact_get_SET_L4_SRC_PORT(a)->port);
        break;
    case OFPACT_SET_L4_DST_PORT:
        flow->tp_dst = htons(ofpact_get_SET_L4_DST_PORT(a)->port);
        break;
    case OFPACT_SET_IP_DSCP:
        flow->nw_tos = ((flow->nw_tos & ~IP_DSCP_MASK)
                        | (ofpact_get_SET_IP_DSCP(a)->dscp & IP_DSCP_MASK));
        break;
    case OFPACT_DEC_TTL:
        if (flow->nw_ttl) {
            flow->nw_ttl--;
        }
        break;
    case OFPACT_STACK_PUSH:
        /* The encoder pushes only for an exchange: a few values deep. */
        if (ctx->n_stack < ARRAY_SIZE(ctx->stack)) {
            mf_read_subfield(&ofpact_get_STACK_PUSH(a)->subfield, flow,
                             &ctx->stack[ctx->n_stack++]);
        }
        return true;
    case OFPACT_STACK_POP: {
        const struct mf_subfield *sf = &ofpact_get_STACK_POP(a)->subfield;
        field = sf->field;
        if (ctx->n_stack) {
            mf_write_subfield_flow(sf, &ctx->stack[--ctx->n_stack], flow);
        }
        break;
    }
    default:
        return false;
    }
    sim_record_set(ctx, a, field);
    return true;
}

/* Runs ct(): the nested actions (e.g. setting ct_mark) run on the packet
 * and, if ct() continues at a table, the packet goes there with the
 * assumed connection state (lflow_sim_set_ct_state()). */
static void
sim_ct(struct sim_ctx *ctx, const struct ofpact *a)
{
    const struct ofpact_conntrack *ct = ofpact_get_CT(a);
    struct ds s = DS_EMPTY_INITIALIZER;
    sim_format_action(a, &s);
    if (ct->recirc_table == NX_CT_RECIRC_NONE) {
        sim_event(ctx, LSE_ACTION, "%s%s", ds_cstr(&s),
                  ct->flags & NX_CT_F_COMMIT ? " (connection committed)"
                                              : "");
    } else {
        struct ds state = DS_EMPTY_INITIALIZER;
        format_flags(&state, ct_state_to_string, ctx->sim->ct_state, '|');
        sim_event(ctx, LSE_ACTION, "%s: connection state assumed %s, "
                  "continuing at table %"PRIu8, ds_cstr(&s),
                  ds_cstr(&state), ct->recirc_table);
        ds_destroy(&state);
    }
    ds_destroy(&s);

    /* The connection's original direction is the packet as it came to
     * conntrack (the trace assumes it is not a reply). */
    const struct flow orig = ctx->flow;
    sim_actions(ctx, ct->actions, ofpact_ct_get_action_len(ct));
    if (ct->recirc_table != NX_CT_RECIRC_NONE) {
        ctx->flow.ct_state = ctx->sim->ct_state;
        if ((ctx->flow.ct_state & CS_TRACKED)
            && !(ctx->flow.ct_state & CS_INVALID)
            && (orig.dl_type == htons(ETH_TYPE_IP)
                || orig.dl_type == htons(ETH_TYPE_IPV6))) {
            ctx->flow.ct_nw_proto = orig.nw_proto;
            ctx->flow.ct_nw_src = orig.nw_src;
            ctx->flow.ct_nw_dst = orig.nw_dst;
            ctx->flow.ct_ipv6_src = orig.ipv6_src;
            ctx->flow.ct_ipv6_dst = orig.ipv6_dst;
            ctx->flow.ct_tp_src = orig.tp_src;
            ctx->flow.ct_tp_dst = orig.tp_dst;
        }
        ctx->flow.ct_zone = ct->zone_src.field
                            ? mf_get_subfield(&ct->zone_src, &ctx->flow)
                            : ct->zone_imm;
        ctx->forwarded = true;
        sim_goto_table(ctx, ct->recirc_table);
    }
}

/* Runs nat() inside a ct(): a NAT to an address rewrites the packet as a
 * new connection's first packet would be; a NAT without an address (the
 * un-NAT of an existing connection), or any NAT of a connection assumed
 * not new (conntrack applies the NAT the connection got when it was
 * committed, not the one asked for now), depends on a connection the
 * trace does not track, and changes nothing here. */
static void
sim_nat(struct sim_ctx *ctx, const struct ofpact_nat *nat)
{
    struct flow *flow = &ctx->flow;
    bool dst = nat->flags & NX_NAT_F_DST;
    if (nat->range_af == AF_UNSPEC) {
        sim_event(ctx, LSE_ACTION, "nat: a connection NATed before gets "
                  "its translation here (the trace tracks no connection: "
                  "the packet is unchanged)");
        return;
    }
    if (!(ctx->sim->ct_state & CS_NEW)) {
        sim_event(ctx, LSE_ACTION, "nat: the connection is assumed not new: "
                  "it keeps the translation it was committed with (the "
                  "trace tracks no connection: the packet is unchanged)");
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    if (nat->range_af == AF_INET) {
        *(dst ? &flow->nw_dst : &flow->nw_src) = nat->range.addr.ipv4.min;
        ds_put_format(&s, IP_FMT, IP_ARGS(nat->range.addr.ipv4.min));
    } else {
        *(dst ? &flow->ipv6_dst : &flow->ipv6_src) = nat->range.addr.ipv6.min;
        ipv6_format_addr(&nat->range.addr.ipv6.min, &s);
    }
    if (nat->range.proto.min) {
        *(dst ? &flow->tp_dst : &flow->tp_src)
            = htons(nat->range.proto.min);
        ds_put_format(&s, " port %"PRIu16, nat->range.proto.min);
    }
    sim_event(ctx, LSE_ACTION, "nat: %s now %s", dst ? "destination"
              : "source", ds_cstr(&s));
    ds_destroy(&s);
}

static void sim_actions(struct sim_ctx *, const struct ofpact *, size_t);

/* Runs select group 'group_id': follows the bucket that NATs to the
 * backend lflow_sim_set_lb_dst() named, or the first. */
static void
sim_group(struct sim_ctx *ctx, uint32_t group_id)
{
    const struct lflow_sim *sim = ctx->sim;
    if (!group_id || group_id > sim->n_groups) {
        sim_event(ctx, LSE_UNSUPPORTED, "group:%"PRIu32": no such group",
                  group_id);
        return;
    }
    char *text = xasprintf("group_id=%"PRIu32",type=select,%s", group_id,
                           sim->groups[group_id - 1]);
    struct ofputil_group_mod gm;
    enum ofputil_protocol usable;
    char *error = parse_ofp_group_mod_str(&gm, OFPGC15_ADD, text, NULL, NULL,
                                          &usable);
    free(text);
    if (error) {
        sim_event(ctx, LSE_UNSUPPORTED, "group:%"PRIu32": %s", group_id,
                  error);
        free(error);
        return;
    }

    char *want = (sim->lb_dst ? xasprintf("dst=%s)", sim->lb_dst) : NULL);

    /* The buckets of a ct_lb with affinity name no backend, only its
     * number in the ct_lb: the flow's actions name them. */
    struct lact_list lb = { NULL, 0 };
    const struct lact *ct_lb = NULL;
    if (ctx->lflow) {
        free(lact_parse(ctx->lflow->actions, &lb));
        for (size_t i = 0; i < lb.n; i++) {
            if (lb.acts[i].type == LACT_CT_LB && lb.acts[i].lb_aff_timeout) {
                ct_lb = &lb.acts[i];
            }
        }
    }

    const struct ofputil_bucket *chosen = NULL;
    size_t n = 0, chosen_idx = 0;
    bool found = false;
    struct ds actions = DS_EMPTY_INITIALIZER;
    const struct ofputil_bucket *b;
    LIST_FOR_EACH (b, list_node, &gm.buckets) {
        ds_clear(&actions);
        struct ofpact_format_params fp = { .s = &actions };
        ofpacts_format(b->ofpacts, b->ofpacts_len, &fp);
        if (ct_lb && n < ct_lb->n_values) {
            ds_put_format(&actions, " (backend dst=%s)", ct_lb->values[n]);
        }
        if (!chosen || (want && !found && strstr(ds_cstr(&actions), want))) {
            chosen = b;
            chosen_idx = n;
            found = want && strstr(ds_cstr(&actions), want);
        }
        n++;
    }
    found = found || !want;
    lact_list_destroy(&lb);
    if (!chosen) {
        sim_event(ctx, LSE_UNSUPPORTED, "group:%"PRIu32": no bucket",
                  group_id);
        ds_destroy(&actions);
        free(want);
        ofputil_uninit_group_mod(&gm);
        return;
    }
    sim_event(ctx, LSE_ACTION, "select group %"PRIu32": choice %"PRIuSIZE
              " of %"PRIuSIZE"%s (the datapath chooses per connection; "
              "--lb-dst=IP[:PORT] follows another)", group_id,
              chosen_idx + 1, n,
              found ? "" : ", as none goes to the --lb-dst backend");
    ds_destroy(&actions);
    free(want);
    sim_actions(ctx, chosen->ofpacts, chosen->ofpacts_len);
    ofputil_uninit_group_mod(&gm);
}

/* Runs the actions 'ofpacts' of the current flow on the packet. */
static void
sim_actions(struct sim_ctx *ctx, const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (sim_set_action(ctx, a)) {
            continue;
        }
        switch ((int) a->type) {
        case OFPACT_RESUBMIT: {
            const struct ofpact_resubmit *r = ofpact_get_RESUBMIT(a);
            ctx->forwarded = true;
            sim_goto_table(ctx, r->table_id);
            break;
        }
        case OFPACT_CLONE:
            sim_clone(ctx, ofpact_get_CLONE(a));
            break;
        case OFPACT_CT:
            sim_ct(ctx, a);
            break;
        case OFPACT_NAT:
            sim_nat(ctx, ofpact_get_NAT(a));
            break;
        case OFPACT_GROUP:
            ctx->forwarded = true;
            sim_group(ctx, ofpact_get_GROUP(a)->group_id);
            break;
        case OFPACT_CT_CLEAR:
            ctx->flow.ct_state = 0;
            ctx->flow.ct_zone = 0;
            ctx->flow.ct_mark = 0;
            ctx->flow.ct_label = OVS_U128_ZERO;
            sim_event(ctx, LSE_ACTION, "ct_clear");
            break;
        case OFPACT_NOTE:
            break;
        case OFPACT_LEARN:
            /* ct_lb's session affinity and lb_hairpin learn: the trace
             * keeps no state, so the next trace does not see it. */
            if (ofpact_get_LEARN(a)->table_id == OFTABLE_LB_HAIRPIN) {
                sim_event(ctx, LSE_ACTION, "learn: the load balancer "
                          "remembers the backend's replies to the VIP "
                          "(hairpin; the trace keeps no memory of it)");
            } else {
                sim_event(ctx, LSE_ACTION, "learn: the load balancer "
                          "remembers the client's backend (session "
                          "affinity; the trace keeps no memory of it)");
            }
            break;
        default: {
            struct ds s = DS_EMPTY_INITIALIZER;
            sim_format_action(a, &s);
            sim_event(ctx, LSE_UNSUPPORTED,
                      "%s: not simulated, the packet continues unchanged",
                      ds_cstr(&s));
            ds_destroy(&s);
            break;
        }
        }
    }
}

/* Looks up stage 'table_id' of the current pipeline (or, if it has no
 * flows, the next one that has) and runs the winning flow. */
static void
sim_stage(struct sim_ctx *ctx, unsigned int table_id)
{
    const struct sim_stage *st = NULL;
    for (; table_id < PIPELINE_MAX_STAGES; table_id++) {
        st = &ctx->dp->stages[ctx->pipeline][table_id];
        if (st->n_flows) {
            break;
        }
    }
    if (table_id >= PIPELINE_MAX_STAGES) {
        /* Past the last stage with flows: the controller outputs. */
        sim_event(ctx, LSE_ACTION, "no later %s stage: output",
                  pipeline_to_string(ctx->pipeline));
        if (ctx->pipeline == P_INGRESS) {
            sim_output(ctx);
        } else {
            sim_deliver(ctx);
        }
        return;
    }

    const struct pipeline_stage_info *info
        = pipeline_stage_find(ctx->dp->type, ctx->pipeline, table_id);
    size_t alt;
    const struct sim_flow *f = sim_stage_lookup(st, &ctx->flow, &alt);
    struct lflow_sim_event *ev = sim_event(
        ctx, LSE_STAGE, "%s (table %u)",
        info ? info->name : "(unnamed stage)",
        pipeline_first_oftable(ctx->pipeline) + table_id);
    ev->dp = ctx->dp;
    ev->pipeline = ctx->pipeline;
    ev->table_id = table_id;
    ev->stage = info ? info->name : "(unnamed stage)";
    ev->flow = f ? &f->pub : NULL;
    ev->alternative = alt;

    const char *saved_stage = ctx->stage;
    const struct lflow_sim_flow *saved_lflow = ctx->lflow;
    size_t saved_alternative = ctx->alternative;
    ctx->stage = ev->stage;
    ctx->lflow = f ? &f->pub : NULL;
    ctx->alternative = alt;
    ctx->forwarded = false;
    if (!f) {
        sim_stage_drop(ctx, "no flow matched");
    } else {
        sim_actions(ctx, f->ofpacts, f->ofpacts_len);
        if (!ctx->forwarded) {
            sim_stage_drop(ctx, NULL);
        }
    }
    ctx->stage = saved_stage;
    ctx->lflow = saved_lflow;
    ctx->alternative = saved_alternative;
    ctx->forwarded = true;
}

/* Sets or clears flag 'bit' of the packet's REG_FLAGS as the physical
 * layer does for 'port': set when the port has port security. */
static void
sim_set_secured(struct sim_ctx *ctx, const struct lflow_sim_port *port,
                int bit)
{
    if (port && port->n_port_security) {
        ctx->flow.regs[SIM_REG_FLAGS] |= 1u << bit;
    } else {
        ctx->flow.regs[SIM_REG_FLAGS] &= ~(1u << bit);
    }
}

/* Starts pipeline 'pipeline' of 'ctx''s datapath, recording it. */
static void
sim_start_pipeline(struct sim_ctx *ctx, enum pipeline pipeline)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s(dp=\"%s\", inport=\"%s\"",
                  pipeline_to_string(pipeline), ctx->dp->name,
                  sim_port_name(ctx, ctx->flow.regs[SIM_REG_INPORT]));
    if (pipeline == P_EGRESS) {
        ds_put_format(&s, ", outport=\"%s\"",
                      sim_port_name(ctx, ctx->flow.regs[SIM_REG_OUTPORT]));
    }
    ds_put_format(&s, ") on chassis %s",
                  ctx->chassis ? ctx->chassis : "(none)");
    struct lflow_sim_event *ev = sim_event(ctx, LSE_PIPELINE, "%s",
                                           ds_cstr(&s));
    ev->dp = ctx->dp;
    ev->pipeline = pipeline;
    ds_destroy(&s);

    ctx->pipeline = pipeline;
    sim_stage(ctx, 0);
}

/* Sends the packet across patch port 'port' to its peer's datapath. */
static void
sim_patch(struct sim_ctx *ctx, const struct lflow_sim_port *port)
{
    const struct lflow_sim_port *peer = lflow_sim_find_port(ctx->sim,
                                                            port->peer);
    if (!peer) {
        char *reason = xasprintf("patch port %s: peer %s does not exist",
                                 port->name, port->peer);
        sim_drop(ctx, reason);
        free(reason);
        return;
    }
    sim_event(ctx, LSE_OUTPUT, "patch port %s: to peer %s on datapath %s",
              port->name, peer->name, peer->dp->name);
    struct sim_ctx next = *ctx;
    next.dp = peer->dp;
    /* What a packet keeps across a patch port: the colour
     * (lib/pipeline.h, next to PIPELINE_COLOR_MASK). */
    uint32_t color = next.flow.regs[SIM_REG_COLOR] & PIPELINE_COLOR_MASK;
    memset(next.flow.regs, 0, sizeof next.flow.regs);
    next.flow.regs[SIM_REG_COLOR] = color;
    next.flow.regs[SIM_REG_INPORT] = peer->key;
    sim_set_secured(&next, peer, MLF_INPORT_SECURED_BIT);
    next.stage = NULL;
    next.lflow = NULL;
    sim_start_pipeline(&next, P_INGRESS);
}

/* Physical output of the packet to unicast logical port 'outport'. */
static void
sim_unicast_output(struct sim_ctx *ctx, uint32_t outport)
{
    const struct lflow_sim_port *port = lflow_sim_port_by_key(ctx->dp,
                                                              outport);
    if (!port) {
        char *reason = (outport
                        ? xasprintf("outport %"PRIu32" does not exist",
                                    outport)
                        : xstrdup("no outport was set"));
        sim_drop(ctx, reason);
        free(reason);
        return;
    }
    if (port->peer) {
        /* A patch port is on every chassis: egress runs here, and
         * delivery crosses to the peer (see sim_deliver()). */
        sim_event(ctx, LSE_OUTPUT, "output to patch port %s, local on "
                  "chassis %s", port->name,
                  ctx->chassis ? ctx->chassis : "(none)");
        struct sim_ctx next = *ctx;
        next.stage = NULL;
        next.lflow = NULL;
        sim_set_secured(&next, port, MLF_OUTPORT_SECURED_BIT);
        sim_start_pipeline(&next, P_EGRESS);
        return;
    }
    if (!port->chassis) {
        char *reason = xasprintf("outport %s is not bound to any chassis",
                                 port->name);
        sim_drop(ctx, reason);
        free(reason);
        return;
    }

    const char *note = port->chassis_note;
    if (ctx->chassis && !strcmp(ctx->chassis, port->chassis)) {
        sim_event(ctx, LSE_OUTPUT, "output to %s, local on chassis %s%s%s%s",
                  port->name, port->chassis, note ? " (" : "",
                  note ? note : "", note ? ")" : "");
    } else {
        sim_event(ctx, LSE_OUTPUT, "output to %s: tunnel from chassis %s "
                  "to chassis %s%s%s%s", port->name,
                  ctx->chassis ? ctx->chassis : "(none)", port->chassis,
                  note ? " (" : "", note ? note : "", note ? ")" : "");
    }
    struct sim_ctx next = *ctx;
    next.chassis = port->chassis;
    next.stage = NULL;
    next.lflow = NULL;
    sim_set_secured(&next, port, MLF_OUTPORT_SECURED_BIT);
    sim_start_pipeline(&next, P_EGRESS);
}

/* Physical output of the packet at the end of the ingress pipeline: to the
 * port or multicast group in the outport register. */
static void
sim_output(struct sim_ctx *ctx)
{
    uint32_t outport = ctx->flow.regs[SIM_REG_OUTPORT];
    if (outport < MC_FLOOD_KEY || ctx->dp->type == DP_ROUTER) {
        /* (A router's keys from 32768 up are redirect keys, which the
         * caller adds as ports: lib/rampout.h.) */
        sim_unicast_output(ctx, outport);
        return;
    }

    const struct sim_mcgroup *mc = sim_mcgroup_by_key(ctx->dp, outport);
    if (!mc) {
        char *reason = xasprintf("multicast group %"PRIu32" does not exist",
                                 outport);
        sim_drop(ctx, reason);
        free(reason);
        return;
    }
    sim_event(ctx, LSE_OUTPUT, "multicast group %s (key %"PRIu32"): "
              "%"PRIuSIZE" member port(s)", mc->name, outport, mc->n_ports);

    uint32_t inport = ctx->flow.regs[SIM_REG_INPORT];
    bool loopback = ctx->flow.regs[SIM_REG_FLAGS]
                    & (1u << MLF_ALLOW_LOOPBACK_BIT);
    size_t n_copies = 0;
    for (size_t i = 0; i < mc->n_ports; i++) {
        const struct lflow_sim_port *port = mc->ports[i];
        if (port->key == inport && !loopback) {
            sim_event(ctx, LSE_ACTION, "skip %s: it is the inport",
                      port->name);
            continue;
        }
        struct lflow_sim_event *ev = sim_event(ctx, LSE_BRANCH, "copy to %s",
                                               port->name);
        struct sim_ctx copy = *ctx;
        copy.events = &ev->children;
        copy.flow.regs[SIM_REG_OUTPORT] = port->key;
        copy.depth++;
        sim_unicast_output(&copy, port->key);
        n_copies++;
    }
    if (!n_copies) {
        char *reason = xasprintf("multicast group %s has no port to send "
                                 "to", mc->name);
        sim_drop(ctx, reason);
        free(reason);
    }
}

/* Delivers the packet to the local port in the outport register. */
static void
sim_deliver(struct sim_ctx *ctx)
{
    uint32_t outport = ctx->flow.regs[SIM_REG_OUTPORT];
    const struct lflow_sim_port *port = lflow_sim_port_by_key(ctx->dp,
                                                              outport);
    if (!port) {
        char *reason = xasprintf("outport %"PRIu32" does not exist",
                                 outport);
        sim_drop(ctx, reason);
        free(reason);
        return;
    }
    if (outport == ctx->flow.regs[SIM_REG_INPORT]
        && !(ctx->flow.regs[SIM_REG_FLAGS]
             & (1u << MLF_ALLOW_LOOPBACK_BIT))) {
        sim_drop(ctx, "the outport is the inport and the loopback flag "
                 "is not set");
        return;
    }
    if (port->peer) {
        sim_patch(ctx, port);
        return;
    }
    sim_verdict(ctx, true, port, NULL);
}

/* Continues the packet at OpenFlow table 'oftable', as a resubmit does. */
static void
sim_goto_table(struct sim_ctx *ctx, unsigned int oftable)
{
    if (++ctx->depth > SIM_MAX_DEPTH) {
        sim_drop(ctx, "too many resubmits (a loop?)");
    } else if (oftable >= OFTABLE_INGRESS
               && oftable < OFTABLE_INGRESS + PIPELINE_MAX_STAGES) {
        ctx->pipeline = P_INGRESS;
        sim_stage(ctx, oftable - OFTABLE_INGRESS);
    } else if (oftable >= OFTABLE_EGRESS
               && oftable < OFTABLE_EGRESS + PIPELINE_MAX_STAGES) {
        ctx->pipeline = P_EGRESS;
        sim_stage(ctx, oftable - OFTABLE_EGRESS);
    } else if (oftable == OFTABLE_PHY_OUT_REMOTE
               || oftable == OFTABLE_PHY_OUT_LOCAL) {
        sim_output(ctx);
    } else if (oftable == OFTABLE_PHY_DELIVER) {
        sim_deliver(ctx);
    } else if (oftable == OFTABLE_LB_HAIRPIN) {
        /* Its flows are learned by hairpinned connections, which the
         * trace has none of. */
        sim_event(ctx, LSE_ACTION, "lb_hairpin_check: not a reply of a "
                  "hairpinned connection (the trace keeps none)");
    } else if (oftable == OFTABLE_LB_AFF) {
        /* Its flows are learned by traffic, which the trace has none
         * of: as for a client without affinity, nothing changes. */
        sim_event(ctx, LSE_ACTION, "lb_aff_check: no backend remembered "
                  "for the client (the trace keeps no affinity)");
    } else {
        char *reason = xasprintf("resubmit to OpenFlow table %u is not "
                                 "simulated", oftable);
        sim_drop(ctx, reason);
        free(reason);
    }
    ctx->depth--;
}

/* Runs a trace; see lflow-sim.h. */
struct lflow_sim_trace *
lflow_sim_run(const struct lflow_sim *sim,
              const struct lflow_sim_datapath *dp,
              const struct lflow_sim_port *inport, const char *chassis,
              const struct flow *flow)
{
    struct lflow_sim_trace *trace = xzalloc(sizeof *trace);
    ovs_list_init(&trace->events);

    struct sim_ctx ctx = {
        .sim = sim,
        .trace = trace,
        .events = &trace->events,
        .dp = dp,
        .pipeline = P_INGRESS,
        .chassis = chassis ? chassis : inport->chassis,
        .flow = *flow,
    };
    memset(ctx.flow.regs, 0, sizeof ctx.flow.regs);
    ctx.flow.regs[SIM_REG_INPORT] = inport->key;
    if (sim->start_color) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ctx.flow.regs[SIM_REG_COLOR] = sim->start_color;
        ds_put_cstr(&s, "promoted connection: table 9 sets reg9[0..7] = ");
        ds_put_format(&s, "%u", sim->start_color);
        sim_explain_register(&ctx, SIM_REG_COLOR, &s);
        sim_event(&ctx, LSE_ACTION, "%s", ds_cstr(&s));
        ds_destroy(&s);
    }
    sim_set_secured(&ctx, inport, MLF_INPORT_SECURED_BIT);
    sim_start_pipeline(&ctx, P_INGRESS);
    return trace;
}

/* Frees the events in 'events', recursively. */
static void
sim_events_destroy(struct ovs_list *events)
{
    struct lflow_sim_event *ev;
    LIST_FOR_EACH_POP (ev, node, events) {
        sim_events_destroy(&ev->children);
        free(ev->text);
        free(ev);
    }
}

/* Frees 'trace'.  Accepts NULL. */
void
lflow_sim_trace_destroy(struct lflow_sim_trace *trace)
{
    if (!trace) {
        return;
    }
    sim_events_destroy(&trace->events);
    for (size_t i = 0; i < trace->n_verdicts; i++) {
        struct lflow_sim_verdict *v = trace->verdicts[i];
        free(v->chassis);
        free(v->reason);
        free(v);
    }
    free(trace->verdicts);
    free(trace);
}

/* Formats 'f' as "priority=P, match=(M), actions=(A)"; see lflow-sim.h. */
char *
lflow_sim_flow_to_string(const struct lflow_sim_flow *f)
{
    return xasprintf("priority=%u, match=(%s), actions=(%s)",
                     f->priority, f->match, f->actions);
}

/* See lflow-sim.h. */
char *
lflow_sim_verdict_to_string(const struct lflow_sim_verdict *v)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (v->delivered) {
        ds_put_format(&s, "delivered to %s on chassis %s", v->port->name,
                      v->chassis ? v->chassis : "(none)");
        return ds_steal_cstr(&s);
    }

    ds_put_format(&s, "dropped in %s", v->stage ? v->stage : "output");
    if (v->flow && v->flow->n_alternatives > 1) {
        /* Only the alternative that matched: a switch-wide flow may have
         * one per port. */
        ds_put_format(&s, " by flow priority=%u, match=(%s) (alternative "
                      "%"PRIuSIZE" of %"PRIuSIZE"), actions=(%s)",
                      v->flow->priority,
                      v->flow->alternatives[v->alternative],
                      v->alternative + 1, v->flow->n_alternatives,
                      v->flow->actions);
    } else if (v->flow) {
        char *f = lflow_sim_flow_to_string(v->flow);
        ds_put_format(&s, " by flow %s", f);
        free(f);
        if (v->flow->source[0]) {
            ds_put_format(&s, " (source %s)", v->flow->source);
        }
    }
    if (v->reason) {
        ds_put_format(&s, ": %s", v->reason);
    }
    return ds_steal_cstr(&s);
}
