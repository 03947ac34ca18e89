#include <config.h>

#include "utilities/trace-render.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lflow-sim.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "util.h"

/* Appends 'n' spaces of indentation to 's'. */
static void
put_indent(struct ds *s, int n)
{
    ds_put_char_multiple(s, ' ', n);
}

/* Returns the NB name of 'source', or NULL. */
static const char *
source_name(const struct trace_render_input *in, const char *source)
{
    return in->source_name && source[0] ? in->source_name(source, in->aux)
                                        : NULL;
}

/* Appends the stage event 'ev' at indentation 'indent' to 's'. */
static void
render_text_stage(const struct trace_render_input *in,
                  const struct lflow_sim_event *ev, int indent,
                  struct ds *s)
{
    put_indent(s, indent);
    ds_put_format(s, "%2d. %s", ev->table_id, ev->text);
    if (!ev->flow) {
        ds_put_cstr(s, ": no flow matched\n");
        return;
    }
    ds_put_format(s, ", priority %u\n", ev->flow->priority);
    put_indent(s, indent + 4);
    if (ev->flow->n_alternatives > 1) {
        ds_put_format(s, "match: %s (alternative %"PRIuSIZE" of %"PRIuSIZE
                      ")\n", ev->flow->alternatives[ev->alternative],
                      ev->alternative + 1, ev->flow->n_alternatives);
    } else {
        ds_put_format(s, "match: %s\n",
                      ev->flow->match[0] ? ev->flow->match : "(any)");
    }
    put_indent(s, indent + 4);
    ds_put_format(s, "actions: %s\n",
                  ev->flow->actions[0] ? ev->flow->actions : "drop");
    if (ev->flow->source[0] || ev->flow->uuid[0]) {
        put_indent(s, indent + 4);
        ds_put_format(s, "source: %s", ev->flow->source[0]
                      ? ev->flow->source : "(none)");
        const char *name = source_name(in, ev->flow->source);
        if (name) {
            ds_put_format(s, " \"%s\"", name);
        }
        if (ev->flow->uuid[0]) {
            ds_put_format(s, " (lflow %.8s)", ev->flow->uuid);
        }
        ds_put_char(s, '\n');
    }
}

/* Appends 'events' at indentation 'indent' to 's'. */
static void
render_text_events(const struct trace_render_input *in,
                   const struct ovs_list *events, int indent, struct ds *s)
{
    const struct lflow_sim_event *ev;
    LIST_FOR_EACH (ev, node, events) {
        switch (ev->type) {
        case LSE_PIPELINE:
            ds_put_char(s, '\n');
            put_indent(s, indent);
            ds_put_format(s, "%s\n", ev->text);
            put_indent(s, indent);
            ds_put_char_multiple(s, '-', strlen(ev->text));
            ds_put_char(s, '\n');
            break;
        case LSE_STAGE:
            render_text_stage(in, ev, indent, s);
            break;
        case LSE_ACTION:
        case LSE_OUTPUT:
            put_indent(s, indent + 4);
            ds_put_format(s, "%s\n", ev->text);
            break;
        case LSE_UNSUPPORTED:
            put_indent(s, indent + 4);
            ds_put_format(s, "*** %s\n", ev->text);
            break;
        case LSE_VERDICT:
            put_indent(s, indent + 4);
            ds_put_format(s, "=> %s\n", ev->text);
            break;
        case LSE_BRANCH:
            put_indent(s, indent + 4);
            ds_put_format(s, "%s:\n", ev->text);
            render_text_events(in, &ev->children, indent + 8, s);
            break;
        default:
            OVS_NOT_REACHED();
        }
    }
}

/* Renders 'trace' as text: the path through every stage, then the
 * verdict(s). */
void
trace_render_text(const struct trace_render_input *in,
                  const struct lflow_sim_trace *trace, struct ds *s)
{
    ds_put_format(s, "# datapath %s: %s\n", in->datapath, in->microflow);
    render_text_events(in, &trace->events, 0, s);
    ds_put_char(s, '\n');
    for (size_t i = 0; i < trace->n_verdicts; i++) {
        char *v = lflow_sim_verdict_to_string(trace->verdicts[i]);
        ds_put_format(s, "Verdict: %s\n", v);
        free(v);
    }
}

/* Returns the JSON name of event type 'type'. */
static const char *
event_type_name(enum lflow_sim_event_type type)
{
    switch (type) {
    case LSE_PIPELINE: return "pipeline";
    case LSE_STAGE: return "stage";
    case LSE_ACTION: return "action";
    case LSE_OUTPUT: return "output";
    case LSE_BRANCH: return "branch";
    case LSE_UNSUPPORTED: return "unsupported";
    case LSE_VERDICT: return "verdict";
    default: OVS_NOT_REACHED();
    }
}

/* Returns 'f' as a JSON object. */
static struct json *
flow_to_json(const struct trace_render_input *in,
             const struct lflow_sim_flow *f)
{
    struct json *j = json_object_create();
    json_object_put_string(j, "uuid", f->uuid);
    json_object_put_string(j, "pipeline", pipeline_to_string(f->pipeline));
    json_object_put(j, "table_id", json_integer_create(f->table_id));
    json_object_put(j, "priority", json_integer_create(f->priority));
    json_object_put_string(j, "match", f->match);
    json_object_put_string(j, "actions", f->actions);
    json_object_put_string(j, "source", f->source);
    const char *name = source_name(in, f->source);
    if (name) {
        json_object_put_string(j, "source_name", name);
    }
    return j;
}

/* Returns 'v' as a JSON object. */
static struct json *
verdict_to_json(const struct trace_render_input *in,
                const struct lflow_sim_verdict *v)
{
    struct json *j = json_object_create();
    json_object_put_string(j, "verdict",
                           v->delivered ? "delivered" : "dropped");
    json_object_put(j, "text", json_string_create_nocopy(
                        lflow_sim_verdict_to_string(v)));
    if (v->port) {
        json_object_put_string(j, "port", v->port->name);
    }
    if (v->chassis) {
        json_object_put_string(j, "chassis", v->chassis);
    }
    if (v->stage) {
        json_object_put_string(j, "stage", v->stage);
    }
    if (v->flow) {
        json_object_put(j, "flow", flow_to_json(in, v->flow));
    }
    if (v->reason) {
        json_object_put_string(j, "reason", v->reason);
    }
    return j;
}

/* Returns 'events' as a JSON array. */
static struct json *
events_to_json(const struct trace_render_input *in,
               const struct ovs_list *events)
{
    struct json *array = json_array_create_empty();
    const struct lflow_sim_event *ev;
    LIST_FOR_EACH (ev, node, events) {
        struct json *j = json_object_create();
        json_object_put_string(j, "type", event_type_name(ev->type));
        json_object_put_string(j, "text", ev->text);
        if (ev->type == LSE_STAGE) {
            json_object_put_string(j, "stage", ev->stage);
            json_object_put(j, "table_id", json_integer_create(ev->table_id));
            json_object_put(j, "flow", ev->flow ? flow_to_json(in, ev->flow)
                                                : json_null_create());
            if (ev->flow && ev->flow->n_alternatives > 1) {
                json_object_put_string(
                    j, "matched", ev->flow->alternatives[ev->alternative]);
            }
        }
        if (ev->type == LSE_STAGE || ev->type == LSE_PIPELINE) {
            json_object_put_string(j, "datapath",
                                   lflow_sim_datapath_name(ev->dp));
            json_object_put_string(j, "pipeline",
                                   pipeline_to_string(ev->pipeline));
        }
        if (ev->type == LSE_BRANCH) {
            json_object_put(j, "events", events_to_json(in, &ev->children));
        }
        json_array_add(array, j);
    }
    return array;
}

/* Renders 'trace' as one JSON object with the datapath, microflow,
 * events (a tree), verdicts and the one-line summary. */
void
trace_render_json(const struct trace_render_input *in,
                  const struct lflow_sim_trace *trace, struct ds *s)
{
    struct json *verdicts = json_array_create_empty();
    for (size_t i = 0; i < trace->n_verdicts; i++) {
        json_array_add(verdicts, verdict_to_json(in, trace->verdicts[i]));
    }
    struct ds summary = DS_EMPTY_INITIALIZER;
    trace_render_summary(trace, &summary);

    struct json *j = json_object_create();
    json_object_put_string(j, "datapath", in->datapath);
    json_object_put_string(j, "microflow", in->microflow);
    json_object_put(j, "events", events_to_json(in, &trace->events));
    json_object_put(j, "verdicts", verdicts);
    json_object_put(j, "summary", json_string_create_nocopy(
                        ds_steal_cstr(&summary)));
    json_to_ds(j, JSSF_PRETTY | JSSF_SORT, s);
    ds_put_char(s, '\n');
    json_destroy(j);
}

/* Renders the verdicts of 'trace' on one line. */
void
trace_render_summary(const struct lflow_sim_trace *trace, struct ds *s)
{
    if (trace->n_verdicts > 1) {
        ds_put_format(s, "%"PRIuSIZE" copies: ", trace->n_verdicts);
    }
    for (size_t i = 0; i < trace->n_verdicts; i++) {
        char *v = lflow_sim_verdict_to_string(trace->verdicts[i]);
        ds_put_format(s, "%s%s", i ? "; " : "", v);
        free(v);
    }
}
