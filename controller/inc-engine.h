/*
 * A small incremental processing engine.
 *
 * The controller's work is a graph of nodes.  Each node owns some data
 * (the local bindings, the flows of the logical flows, the physical
 * flows...), computed from the data of its inputs.  A node can always
 * recompute its data from scratch (its 'run' function), and for some of
 * its inputs it also has a change handler that brings its data up to
 * date with just what changed in that input, which is the point: a
 * change to one port binding should cost that port binding, not the
 * whole southbound database.
 *
 * engine_run() visits the nodes in the order given (inputs before the
 * nodes that read them).  For each node:
 *
 *   - if the run is forced (start, a reconnection, an explicit request),
 *     or an input that changed has no handler, or a handler returns
 *     false (it cannot handle that change incrementally), the node runs
 *     'run' and its data is recomputed;
 *   - else each input that changed has its handler called;
 *   - else nothing is done.
 *
 * A node says whether its data changed by setting 'changed' in 'run' or
 * in a handler; nodes downstream only look at inputs whose 'changed' is
 * set.  What exactly changed is the node's business: a node that has
 * incremental consumers keeps a record of its changes ("tracked data")
 * for them to read, and clears it in 'clear_tracked', which
 * engine_run() calls on every node before a new pass.
 *
 * Input nodes (databases) have a 'run' that only looks at what the
 * database's change tracking says and sets 'changed'; they are never
 * "recomputed".
 *
 * Every node counts its recomputes and incremental passes, so tests and
 * operators can see that a change was handled without a recompute
 * (controller/status, "engine" lines).
 */
#ifndef CONTROLLER_INC_ENGINE_H
#define CONTROLLER_INC_ENGINE_H 1

#include <stdbool.h>
#include <stddef.h>

struct ds;
struct engine_node;

/* Handles a change of one input of 'node'; 'ctx' is engine_run()'s.
 * Returns false if it could not, and the node must recompute. */
typedef bool engine_handler(struct engine_node *node, void *ctx);

/* Most inputs a node can have. */
#define ENGINE_MAX_INPUTS 10

/* One input of a node. */
struct engine_input {
    struct engine_node *node;   /* The input node. */
    engine_handler *handler;    /* Its change handler, or NULL: recompute
                                 * whenever it changes. */
};

/* One node. */
struct engine_node {
    const char *name;           /* For logs and status. */
    struct engine_input inputs[ENGINE_MAX_INPUTS];
    size_t n_inputs;            /* Number of 'inputs'. */
    void *data;                 /* The node's data. */

    /* Recomputes the node's data from its inputs' data and sets
     * 'changed' if it changed.  Required. */
    void (*run)(struct engine_node *, void *ctx);
    /* Forgets the tracked changes of the last pass.  Optional. */
    void (*clear_tracked)(struct engine_node *);
    /* True for nodes that only reflect a database: they never count
     * recomputes. */
    bool is_input;

    /* State of the current pass. */
    bool changed;               /* Data changed in this pass. */
    bool recomputed;            /* Recomputed in this pass. */

    /* Statistics. */
    unsigned long long int n_recompute; /* Recomputes, ever. */
    unsigned long long int n_incremental; /* Passes handled by handlers. */
};

void engine_add_input(struct engine_node *, struct engine_node *input,
                      engine_handler *);
void engine_run(struct engine_node *nodes[], size_t n, bool force,
                void *ctx);
bool engine_any_changed(struct engine_node *nodes[], size_t n);
void engine_format_stats(struct engine_node *nodes[], size_t n,
                         struct ds *);

#endif /* controller/inc-engine.h */
