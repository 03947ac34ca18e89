/*
 * The desired state of br-int: the flows, groups and meters the
 * controller wants, each remembered with the owner that asked for it.
 *
 * Owners
 * ------
 * Every flow, group and meter is added on behalf of an owner: a logical
 * flow, a port binding, a multicast group, a chassis, a local datapath's
 * skip flows, or the controller itself (struct desired_owner_id: a kind
 * and a UUID).  An owner's contributions are always replaced as a whole:
 *
 *     desired_begin(d, DESIRED_LFLOW, &lflow_uuid);
 *     desired_add_flow(d, cookie, "table=12,priority=50,...");
 *     ...
 *     desired_end(d);
 *
 * and desired_remove() takes an owner's contributions away.  That is the
 * whole incremental interface: a change handler rebuilds exactly the
 * owners a change touches, and the flows of every other owner stay as
 * they are.  For a full recompute, desired_sweep_begin() and
 * desired_sweep_end() around rebuilding every owner of some kinds remove
 * the owners of those kinds that were not rebuilt.
 *
 * Flows shared by owners
 * ----------------------
 * Several owners may ask for the same OpenFlow flow, by key (table,
 * priority, match).  The effective flow is then:
 *   - if every contribution's actions are conjunction actions only, one
 *     flow with all their conjunction actions (the clauses of several
 *     conjunctive matches that share a term, e.g. two ACLs matching the
 *     same address); deleting one owner leaves the others' clauses;
 *   - else, if they agree, that flow;
 *   - else the contribution of the smallest owner (by kind, then UUID)
 *     wins and the conflict is logged: the result never depends on the
 *     order in which owners arrived.
 * An owner asking twice for one key must ask for the same flow, or two
 * that are both conjunction clauses (they merge); anything else is
 * refused with an error.
 *
 * Changes
 * -------
 * Every flow whose contributions changed is marked dirty.  ofctrl sends
 * br-int only the dirty flows' differences from what br-int holds, then
 * calls desired_clear_dirty(); after reconnecting it compares everything.
 * Groups and meters, few, are compared whole on every update.
 *
 * Conjunctions
 * ------------
 * An owner that installs an OpenFlow conjunction asks for its id with
 * desired_conj_id(): ids are unique on the bridge, kept by the owner
 * while it has them (a rebuild that asks with the same hint gets the
 * same id), and freed with the owner's other contributions.
 *
 * Parsing
 * -------
 * Flow text is parsed once: a parsed flow (controller/ofctrl-flow.h) is
 * kept by its text while any contribution uses it, so a full recompute,
 * or a logical flow row replaced by one with mostly the same flows (a
 * port bucket with one port more), parses only what is new.
 */
#ifndef CONTROLLER_DESIRED_H
#define CONTROLLER_DESIRED_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmapx.h"
#include "openvswitch/compiler.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"

struct ofctrl_flow;

/* Kinds of owner. */
enum desired_kind {
    DESIRED_STATIC,             /* The controller's own flows and meters. */
    DESIRED_LFLOW,              /* A logical flow, by its UUID. */
    DESIRED_SKIP,               /* A local datapath's skip flows. */
    DESIRED_PORT,               /* A port binding's physical flows. */
    DESIRED_MCGROUP,            /* A multicast group's physical flows. */
    DESIRED_CHASSIS,            /* Tunnels from and lanes to a chassis. */
    DESIRED_COLOR,              /* A colour's meter and learn flows. */
    DESIRED_PROMOTION,          /* A promoted connection's colour. */
    DESIRED_GATEWAY,            /* A router's redirects and MAC bindings. */
    DESIRED_N_KINDS
};

/* Bit for 'kind' in a set of kinds. */
#define DESIRED_KIND_BIT(KIND) (UINT32_C(1) << (KIND))

/* One OpenFlow flow key (table, priority, match) that owners ask for. */
struct desired_flow {
    struct hmap_node node;      /* In desired's 'flows', by key hash. */
    const char *key;            /* Key of the flows in 'contribs'. */
    uint32_t hash;              /* hash_string('key', 0). */
    struct ovs_list contribs;   /* "struct desired_contrib"s. */
    struct ofctrl_flow *merged; /* Conjunctions merged, or NULL. */
    bool dirty;                 /* In desired's 'dirty'. */
};

/* The desired state. */
struct desired {
    struct hmap flows;          /* "struct desired_flow"s by key hash. */
    struct hmap owners;         /* "struct desired_owner"s. */
    struct hmap cache;          /* Parsed flows by text (not owned). */
    struct hmapx unused;        /* Parsed flows of the cache that no
                                 * contribution uses, kept (and owned)
                                 * until desired_forget_unused(). */
    struct hmap groups;         /* "struct desired_gm"s by id. */
    struct hmap meters;         /* "struct desired_gm"s by id. */
    struct hmap conj_ids;       /* Conjunction ids in use, by id. */
    struct hmapx dirty;         /* "struct desired_flow"s changed since
                                 * desired_clear_dirty(). */
    struct desired_owner *building; /* Owner between begin and end. */
    uint64_t sweep_gen[DESIRED_N_KINDS]; /* Full rebuild generation. */
    unsigned long long int n_parsed; /* Flow texts parsed, ever. */
};

void desired_init(struct desired *);
void desired_destroy(struct desired *);

void desired_begin(struct desired *, enum desired_kind, const struct uuid *);
char *desired_add_flow(struct desired *, uint32_t cookie, const char *text)
    OVS_WARN_UNUSED_RESULT;
char *desired_add_group(struct desired *, uint32_t id, const char *spec)
    OVS_WARN_UNUSED_RESULT;
char *desired_add_meter(struct desired *, uint32_t id, const char *spec)
    OVS_WARN_UNUSED_RESULT;
void desired_end(struct desired *);
void desired_remove(struct desired *, enum desired_kind, const struct uuid *);
bool desired_has_owner(const struct desired *, enum desired_kind,
                       const struct uuid *);

void desired_sweep_begin(struct desired *, uint32_t kinds);
void desired_sweep_end(struct desired *, uint32_t kinds);

const char *desired_find_group(const struct desired *, uint32_t id);
const char *desired_find_meter(const struct desired *, uint32_t id);
uint32_t desired_conj_id(struct desired *, uint32_t hint);
const struct ofctrl_flow *desired_flow_effective(struct desired *,
                                                 struct desired_flow *,
                                                 ovs_be64 *cookie);
void desired_clear_dirty(struct desired *);
void desired_forget_unused(struct desired *);

size_t desired_count_flows(const struct desired *);
size_t desired_count_owners(const struct desired *, enum desired_kind);

/* A group or meter: spec, canonical content, and how many owners want
 * it. */
struct desired_gm {
    struct hmap_node node;      /* In desired's 'groups' or 'meters'. */
    uint32_t id;                /* Group or meter id. */
    char *spec;                 /* As first given, without the id. */
    char *canon;                /* Canonical content. */
    size_t refs;                /* Owners' references. */
};

#endif /* controller/desired.h */
