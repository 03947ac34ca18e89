#include <config.h>

#include "controller/inc-engine.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(inc_engine);

/* Adds 'input' to the inputs of 'node', handled by 'handler' (NULL: a
 * change of 'input' makes 'node' recompute). */
void
engine_add_input(struct engine_node *node, struct engine_node *input,
                 engine_handler *handler)
{
    ovs_assert(node->n_inputs < ENGINE_MAX_INPUTS);
    node->inputs[node->n_inputs++] = (struct engine_input) {
        .node = input,
        .handler = handler,
    };
}

/* Recomputes 'node'. */
static void
engine_recompute(struct engine_node *node, void *ctx)
{
    node->run(node, ctx);
    if (!node->is_input) {
        node->recomputed = true;
        node->n_recompute++;
        VLOG_DBG("%s: recomputed", node->name);
    }
}

/* Brings 'node' up to date after its inputs' pass. */
static void
engine_run_node(struct engine_node *node, bool force, void *ctx)
{
    if (force || node->is_input) {
        engine_recompute(node, ctx);
        return;
    }
    bool any = false;
    for (size_t i = 0; i < node->n_inputs; i++) {
        const struct engine_input *in = &node->inputs[i];
        if (!in->node->changed) {
            continue;
        }
        if (!in->handler || !in->handler(node, ctx)) {
            VLOG_DBG("%s: %s changed, recomputing", node->name,
                     in->node->name);
            engine_recompute(node, ctx);
            return;
        }
        any = true;
    }
    if (any) {
        node->n_incremental++;
    }
}

/* Runs one pass over the 'n' nodes of 'nodes', which are in an order
 * where every node comes after its inputs.  With 'force', every node
 * recomputes.  'ctx' goes to every run function and handler. */
void
engine_run(struct engine_node *nodes[], size_t n, bool force, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        struct engine_node *node = nodes[i];
        if (node->clear_tracked) {
            node->clear_tracked(node);
        }
        node->changed = false;
        node->recomputed = false;
    }
    for (size_t i = 0; i < n; i++) {
        engine_run_node(nodes[i], force, ctx);
    }
}

/* Returns true if any of the 'n' nodes of 'nodes' changed in the last
 * pass. */
bool
engine_any_changed(struct engine_node *nodes[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (nodes[i]->changed) {
            return true;
        }
    }
    return false;
}

/* Appends one line per computed node of 'nodes' to 's': how many
 * recomputes and incremental passes it had. */
void
engine_format_stats(struct engine_node *nodes[], size_t n, struct ds *s)
{
    for (size_t i = 0; i < n; i++) {
        const struct engine_node *node = nodes[i];
        if (!node->is_input) {
            ds_put_format(s, "engine %s: %llu recomputes, %llu incremental\n",
                          node->name, node->n_recompute,
                          node->n_incremental);
        }
    }
}
