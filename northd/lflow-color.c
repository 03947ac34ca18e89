#include <config.h>

#include "northd/lflow-color.h"

#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "northd/colors.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-table.h"
#include "northd/nb-match.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow_color);

/* Priorities of the defaults below every class. */
enum {
    PRI_COLOR_DEFAULT_MOUSE = 1, /* Uncoloured: mouse. */
    PRI_COLOR_DEFAULT = 0,       /* Coloured already: keep. */
};

/* Highest class priority with flow priorities of their own. */
#define CLASS_MAX_PRIORITY 32766

/* The fields that exchange places in a class's mirror image. */
static const char *const mirror_pairs[][2] = {
    { "eth.src", "eth.dst" },
    { "ip4.src", "ip4.dst" },
    { "ip6.src", "ip6.dst" },
    { "tcp.src", "tcp.dst" },
    { "udp.src", "udp.dst" },
    { "arp.spa", "arp.tpa" },
    { "arp.sha", "arp.tha" },
};

/* Exchanges, in 'e', every source field with its destination field. */
static void
mirror_expr(struct expr *e)
{
    if (e->type == EXPR_T_CMP) {
        for (size_t i = 0; i < ARRAY_SIZE(mirror_pairs); i++) {
            for (int j = 0; j < 2; j++) {
                if (!strcmp(e->cmp.symbol->name, mirror_pairs[i][j])) {
                    e->cmp.symbol = expr_symbol_lookup(mirror_pairs[i][!j]);
                    return;
                }
            }
        }
    } else if (e->type == EXPR_T_AND || e->type == EXPR_T_OR) {
        for (size_t i = 0; i < e->n_subs; i++) {
            mirror_expr(e->subs[i]);
        }
    }
}

/* Compiles match 'text' (the match language), in its mirror image if
 * 'mirror', for switch 'od'.  Returns NULL with the match in '*match'
 * (NULL if it can never be true), or an error. */
static char *
color_compile(struct nd_build_ctx *ctx, const struct nd_datapath *od,
              const char *text, bool mirror, char **match)
{
    struct expr *e;
    *match = NULL;
    char *error = expr_parse_string(text, NULL, &e);
    if (error) {
        return error;
    }
    if (expr_uses_symbol(e, "outport")) {
        /* osmotic-nbctl refuses such a class; another client may not. */
        expr_destroy(e);
        return xstrdup("outport: a flow class cannot match the output "
                       "port, which the switch chooses after colouring: "
                       "class skipped");
    }
    if (mirror) {
        mirror_expr(e);
    }
    error = nd_match_compile(ctx, od, e, 0, match);
    expr_destroy(e);
    return error;
}

/* Adds the flows of flow class 'fc' to switch 'od', with actions
 * 'actions', at 'priority', for packets that match the class (in either
 * direction) and, with 'uncolored', that carry no colour yet. */
static void
color_class_flows(struct nd_build_ctx *ctx, const struct nd_datapath *od,
                  const struct nbrec_flow_class *fc, bool uncolored,
                  uint16_t priority, const char *actions,
                  const char *source)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    char *text = (uncolored
                  ? xasprintf("(%s) && color == 0", fc->match)
                  : xstrdup(fc->match));
    char *matches[2] = { NULL, NULL };
    for (int mirror = 0; mirror < 2; mirror++) {
        char *error = color_compile(ctx, od, text, mirror, &matches[mirror]);
        if (error) {
            VLOG_WARN_RL(&rl, "flow class %s: match \"%s\": %s", fc->name,
                         fc->match, error);
            free(error);
            break;
        }
        if (matches[mirror]
            && (!mirror || !matches[0]
                || strcmp(matches[0], matches[mirror]))) {
            lflow_table_add_shared_from(ctx->lflows, &od->sb_uuid,
                                        S_SWITCH_INGRESS_COLOR, priority,
                                        matches[mirror], actions, source);
        }
    }
    free(matches[0]);
    free(matches[1]);
    free(text);
}

/* Compares flow classes by name, for qsort(). */
static int
color_class_cmp(const void *a_, const void *b_)
{
    const struct nbrec_flow_class *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Builds the colour flows of switch 'od'. */
static void
build_colors(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    size_t n = 0, allocated = 0;
    const struct nbrec_flow_class **classes = NULL;
    const struct nbrec_flow_class *fc;
    NBREC_FLOW_CLASS_FOR_EACH (fc, ctx->nb_idl) {
        if (n >= allocated) {
            classes = x2nrealloc(classes, &allocated, sizeof *classes);
        }
        classes[n++] = fc;
    }
    if (!n) {
        return;
    }
    qsort(classes, n, sizeof *classes, color_class_cmp);

    for (size_t i = 0; i < n; i++) {
        fc = classes[i];
        int64_t color = fc->color ? nd_colors_color_id(ctx->colors,
                                                    fc->color->name) : 0;
        if (!color) {
            continue;
        }
        int64_t rule = nd_colors_rule_id(ctx->colors, fc->name);
        uint16_t pri = 2 * MIN(fc->priority, CLASS_MAX_PRIORITY) + 2;
        char *source = xasprintf("Flow_Class:"UUID_FMT,
                                 UUID_ARGS(&fc->header_.uuid));
        if (rule) {
            char *actions = xasprintf("color = %"PRId64"; color_sample(%"
                                      PRId64"); next;", color, rule);
            color_class_flows(ctx, od, fc, true, pri + 1, actions, source);
            free(actions);
            color_class_flows(ctx, od, fc, false, pri, "next;", source);
        } else {
            char *actions = xasprintf("color = %"PRId64"; next;", color);
            color_class_flows(ctx, od, fc, false, pri + 1, actions, source);
            free(actions);
        }
        free(source);
    }
    free(classes);

    int64_t mouse = nd_colors_color_id(ctx->colors, COLORS_MOUSE);
    if (mouse) {
        char *actions = xasprintf("color = %"PRId64"; next;", mouse);
        lflow_table_add_shared(ctx->lflows, &od->sb_uuid,
                               S_SWITCH_INGRESS_COLOR,
                               PRI_COLOR_DEFAULT_MOUSE,
                               REG_COLOR"=0/0xff", actions);
        free(actions);
    }
    lflow_table_add_shared(ctx->lflows, &od->sb_uuid, S_SWITCH_INGRESS_COLOR,
                           PRI_COLOR_DEFAULT, "", "next;");
}

/* Returns true if 'od' is a switch. */
static bool
is_switch(const struct nd_datapath *od)
{
    return od->kind == &nd_dp_switch;
}

/* nd_owner_kind 'build': the colour flows of switch 'id'. */
static void
color_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    nd_owner_depends_on_table(ctx, &nbrec_table_flow_class);
    nd_owner_depends_on_table(ctx, &nbrec_table_color);
    if (od && is_switch(od)) {
        build_colors(ctx, od);
    }
    nd_owner_end(ctx);
}

/* nd_owner_kind 'build_datapath'. */
static void
color_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (is_switch(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_color_kind,
                                               &od->nb_uuid, 0);
        color_build(ctx, &id);
    }
}

/* nd_owner_kind 'collect': switches that came, went or changed (a class
 * that names a port of the switch depends on that port by name). */
static void
color_collect(const struct nd_changes *changes,
              struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->datapaths) {
        const struct nd_datapath *od = node->data;
        if (is_switch(od)) {
            struct lflow_owner_id id = nd_owner_id(&lflow_color_kind,
                                                   &od->nb_uuid, 0);
            lflow_owner_set_add(owners, &id);
        }
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        if (is_switch(od)) {
            struct lflow_owner_id id = nd_owner_id(&lflow_color_kind,
                                                   &od->nb_uuid, 0);
            lflow_owner_set_add(owners, &id);
        }
    }
}

/* The tables a switch's colour flows read. */
static const struct nd_owner_dep_table color_dep_tables[] = {
    { &nbrec_table_flow_class, NULL },
    { &nbrec_table_logical_switch_port, &nbrec_logical_switch_port_col_name },
    { &nbrec_table_color, NULL },
    { &nbrec_table_port_group, &nbrec_port_group_col_name },
    { &nbrec_table_address_set, &nbrec_address_set_col_name },
};

/* Colour flows of each Logical_Switch. */
const struct nd_owner_kind lflow_color_kind = {
    .name = "switch-color",
    .nb_table = "Logical_Switch",
    .dep_tables = color_dep_tables,
    .n_dep_tables = ARRAY_SIZE(color_dep_tables),
    .build_datapath = color_build_datapath,
    .collect = color_collect,
    .build = color_build,
};
