/*
 * Renderers of a logical trace (lib/lflow-sim.h): plain text for people,
 * JSON for programs, and a one-line summary.  They only read the trace,
 * so every stage and action the simulator records is shown by all three.
 */
#ifndef TRACE_RENDER_H
#define TRACE_RENDER_H 1

struct ds;
struct lflow_sim_trace;

/* What was traced, for the headers of the renderers. */
struct trace_render_input {
    const char *datapath;       /* Datapath name. */
    const char *microflow;      /* The microflow as given. */

    /* If nonnull, returns the name of the NB object of a logical flow's
     * source ("Table:uuid"), or NULL if it has none. */
    const char *(*source_name)(const char *source, void *aux);
    void *aux;                  /* Passed to 'source_name'. */
};

void trace_render_text(const struct trace_render_input *,
                       const struct lflow_sim_trace *, struct ds *);
void trace_render_json(const struct trace_render_input *,
                       const struct lflow_sim_trace *, struct ds *);
void trace_render_summary(const struct lflow_sim_trace *, struct ds *);

#endif /* utilities/trace-render.h */
