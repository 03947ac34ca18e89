/*
 * osmotic-sbctl: the southbound database command-line tool.
 *
 * Besides the generic database commands of db-ctl-base (list, find, get,
 * set, create, destroy...), it prints an overview of the chassis and
 * their bindings ("show"), the logical flows grouped by datapath,
 * pipeline and stage ("lflow-list") and the connections the chassis have
 * promoted ("elephant-list").  Options and the main loop are
 * shared with osmotic-nbctl (utilities/ctl-common.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-dirs.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "utilities/ctl-common.h"
#include "command-line.h"
#include "db-ctl-base.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(sbctl);

/* How generic commands find rows of each SB table by name. */
static const struct ctl_table_class sbctl_tables[SBREC_N_TABLES] = {
    [SBREC_TABLE_CHASSIS].row_ids[0] = {&sbrec_chassis_col_name, NULL, NULL},
    [SBREC_TABLE_CHASSIS_PRIVATE].row_ids[0]
        = {&sbrec_chassis_private_col_name, NULL, NULL},
    [SBREC_TABLE_DATAPATH_BINDING].row_ids[0]
        = {&sbrec_datapath_binding_col_name, NULL, NULL},
    [SBREC_TABLE_PORT_BINDING].row_ids[0]
        = {&sbrec_port_binding_col_logical_port, NULL, NULL},
    [SBREC_TABLE_ENCAP].row_ids[0] = {&sbrec_encap_col_ip, NULL, NULL},
    [SBREC_TABLE_COLOR].row_ids[0] = {&sbrec_color_col_name, NULL, NULL},
    [SBREC_TABLE_COLOR_PROMOTION].row_ids[0]
        = {&sbrec_color_promotion_col_name, NULL, NULL},
    [SBREC_TABLE_RAMPOUT].row_ids[0] = {&sbrec_rampout_col_name, NULL, NULL},
    [SBREC_TABLE_CONNECTION].row_ids[0]
        = {&sbrec_connection_col_target, NULL, NULL},
};

/* Orders encapsulations by lane, then type and IP. */
static int
encap_cmp(const void *a_, const void *b_)
{
    const struct sbrec_encap *a = *(const struct sbrec_encap **) a_;
    const struct sbrec_encap *b = *(const struct sbrec_encap **) b_;
    int cmp = (a->lane > b->lane) - (a->lane < b->lane);
    if (!cmp) {
        cmp = strcmp(a->type, b->type);
    }
    return cmp ? cmp : strcmp(a->ip, b->ip);
}

/* "show": every chassis with its hostname, encapsulations and the ports
 * bound to it, sorted by name. */
static void
cmd_show(struct ctl_context *ctx)
{
    const struct sbrec_chassis *ch;
    struct svec names = SVEC_EMPTY_INITIALIZER;
    SBREC_CHASSIS_FOR_EACH (ch, ctx->idl) {
        svec_add(&names, ch->name);
    }
    svec_sort_unique(&names);

    const char *name;
    size_t i;
    SVEC_FOR_EACH (i, name, &names) {
        SBREC_CHASSIS_FOR_EACH (ch, ctx->idl) {
            if (strcmp(ch->name, name)) {
                continue;
            }
            ds_put_format(&ctx->output, "Chassis \"%s\"\n", ch->name);
            ds_put_format(&ctx->output, "    hostname: %s\n", ch->hostname);
            const struct sbrec_encap **encaps = xmemdup(
                ch->encaps, ch->n_encaps * sizeof *encaps);
            qsort(encaps, ch->n_encaps, sizeof *encaps, encap_cmp);
            for (size_t j = 0; j < ch->n_encaps; j++) {
                const struct sbrec_encap *e = encaps[j];
                ds_put_format(&ctx->output, "    Encap %s\n", e->type);
                ds_put_format(&ctx->output, "        ip: \"%s\"\n", e->ip);
                ds_put_format(&ctx->output, "        lane: %"PRId64"\n",
                              e->lane);
            }
            free(encaps);

            /* The ports bound here, and the gateway ports whose active
             * gateway this chassis is (the Port_Binding's chassis too). */
            struct svec ports = SVEC_EMPTY_INITIALIZER;
            const struct sbrec_port_binding *pb;
            SBREC_PORT_BINDING_FOR_EACH (pb, ctx->idl) {
                if (pb->chassis == ch) {
                    svec_add_nocopy(&ports, xasprintf(
                        "\"%s\"%s", pb->logical_port,
                        pb->n_gateway_chassis ? " active gateway" : ""));
                }
            }
            svec_sort(&ports);
            const char *port;
            size_t k;
            SVEC_FOR_EACH (k, port, &ports) {
                ds_put_format(&ctx->output, "    Port_Binding %s\n", port);
            }
            svec_destroy(&ports);

            /* The ramp-out rules that leave by this chassis. */
            struct svec rules = SVEC_EMPTY_INITIALIZER;
            const struct sbrec_rampout *r;
            SBREC_RAMPOUT_FOR_EACH (r, ctx->idl) {
                if (r->active_chassis && !strcmp(r->active_chassis, name)) {
                    svec_add(&rules, r->name);
                }
            }
            svec_sort(&rules);
            SVEC_FOR_EACH (k, port, &rules) {
                ds_put_format(&ctx->output, "    Rampout \"%s\" active\n",
                              port);
            }
            svec_destroy(&rules);
        }
    }
    svec_destroy(&names);
}

/* One line of "lflow-list": a logical flow in one of its datapaths (a
 * flow of a datapath group is listed under each of them). */
struct lflow_entry {
    const struct sbrec_logical_flow *lf;
    const struct sbrec_datapath_binding *dp;
};

/* Orders logical flows for "lflow-list": by datapath name, pipeline
 * (ingress first), table, descending priority, match, actions. */
static int
lflow_cmp(const void *a_, const void *b_)
{
    const struct lflow_entry *ea = a_, *eb = b_;
    const struct sbrec_logical_flow *a = ea->lf, *b = eb->lf;
    const char *dpa = ea->dp ? ea->dp->name : "";
    const char *dpb = eb->dp ? eb->dp->name : "";
    int cmp = strcmp(dpa, dpb);
    if (!cmp && ea->dp != eb->dp) {
        cmp = uuid_compare_3way(ea->dp ? &ea->dp->header_.uuid : &UUID_ZERO,
                                eb->dp ? &eb->dp->header_.uuid : &UUID_ZERO);
    }
    if (!cmp) {
        /* "egress" sorts before "ingress": reverse. */
        cmp = -strcmp(a->pipeline, b->pipeline);
    }
    if (!cmp) {
        cmp = (a->table_id > b->table_id) - (a->table_id < b->table_id);
    }
    if (!cmp) {
        cmp = (a->priority < b->priority) - (a->priority > b->priority);
    }
    if (!cmp) {
        cmp = strcmp(a->match, b->match);
    }
    return cmp ? cmp : strcmp(a->actions, b->actions);
}

/* Returns the stage name of 'lf': its "stage" column, or the name the
 * pipeline contract gives its table. */
static const char *
lflow_stage_name(const struct sbrec_logical_flow *lf,
                 const struct sbrec_datapath_binding *dp)
{
    if (lf->stage[0]) {
        return lf->stage;
    }
    enum pipeline pipeline;
    if (dp && pipeline_from_string(lf->pipeline, &pipeline)) {
        enum dp_type type = (!strcmp(dp->type, "router")
                             ? DP_ROUTER : DP_SWITCH);
        const struct pipeline_stage_info *info
            = pipeline_stage_find(type, pipeline, lf->table_id);
        if (info) {
            return info->name;
        }
    }
    return "?";
}

/* Returns the datapath named (or with tunnel key or UUID) 'id', or NULL
 * after reporting an error. */
static const struct sbrec_datapath_binding *
find_datapath(struct ctl_context *ctx, const char *id)
{
    const struct sbrec_datapath_binding *db, *found = NULL;
    struct uuid uuid;
    long long int key;
    bool is_uuid = uuid_from_string(&uuid, id);
    bool is_key = str_to_llong(id, 10, &key);
    SBREC_DATAPATH_BINDING_FOR_EACH (db, ctx->idl) {
        if (!strcmp(db->name, id)
            || (is_uuid && uuid_equals(&uuid, &db->header_.uuid))
            || (is_key && db->tunnel_key == key)) {
            if (found && found != db) {
                ctl_error(ctx, "%s: several datapaths match; use a UUID",
                          id);
                return NULL;
            }
            found = db;
        }
    }
    if (!found) {
        ctl_error(ctx, "%s: datapath not found", id);
    }
    return found;
}

/* "lflow-list [DATAPATH]": logical flows grouped by datapath and
 * pipeline, one line each with its table, stage, priority, match and
 * actions.  With --uuid, each line starts with the first 8 digits of the
 * flow's UUID (the cookie of the OpenFlow flows installed from it). */
static void
cmd_lflow_list(struct ctl_context *ctx)
{
    const struct sbrec_datapath_binding *only = NULL;
    if (ctx->argc > 1) {
        only = find_datapath(ctx, ctx->argv[1]);
        if (!only) {
            return;
        }
    }
    bool print_uuid = shash_find(&ctx->options, "--uuid") != NULL;

    size_t n = 0, allocated = 0;
    struct lflow_entry *flows = NULL;
    const struct sbrec_logical_flow *lf;
    SBREC_LOGICAL_FLOW_FOR_EACH (lf, ctx->idl) {
        struct sbrec_datapath_binding *const *dps
            = (lf->logical_datapath ? &lf->logical_datapath
               : lf->logical_dp_group ? lf->logical_dp_group->datapaths
               : NULL);
        size_t n_dps = (lf->logical_datapath ? 1
                        : lf->logical_dp_group
                        ? lf->logical_dp_group->n_datapaths : 0);
        for (size_t i = 0; i < n_dps; i++) {
            if (only && dps[i] != only) {
                continue;
            }
            if (n >= allocated) {
                flows = x2nrealloc(flows, &allocated, sizeof *flows);
            }
            flows[n++] = (struct lflow_entry) { lf, dps[i] };
        }
    }
    if (n) {
        qsort(flows, n, sizeof *flows, lflow_cmp);
    }

    const struct sbrec_datapath_binding *cur_dp = NULL;
    const char *cur_pipeline = NULL;
    for (size_t i = 0; i < n; i++) {
        lf = flows[i].lf;
        if (i == 0 || flows[i].dp != cur_dp
            || strcmp(lf->pipeline, cur_pipeline)) {
            cur_dp = flows[i].dp;
            cur_pipeline = lf->pipeline;
            ds_put_format(&ctx->output, "Datapath: \"%s\" ("UUID_FMT
                          ", key %"PRId64")  Pipeline: %s\n",
                          cur_dp ? cur_dp->name : "",
                          UUID_ARGS(cur_dp ? &cur_dp->header_.uuid
                                           : &UUID_ZERO),
                          cur_dp ? cur_dp->tunnel_key : 0, cur_pipeline);
        }
        ds_put_cstr(&ctx->output, "  ");
        if (print_uuid) {
            ds_put_format(&ctx->output, "uuid=0x%08"PRIx32", ",
                          lf->header_.uuid.parts[0]);
        }
        ds_put_format(&ctx->output, "table=%-2"PRId64"(%-19s), "
                      "priority=%-5"PRId64", match=(%s), action=(%s)\n",
                      lf->table_id, lflow_stage_name(lf, cur_dp),
                      lf->priority,
                      lf->match, lf->actions[0] ? lf->actions : "drop");
    }
    free(flows);
}

/* Orders Elephant rows by chassis, then promotion time, then source. */
static int
elephant_cmp(const void *a_, const void *b_)
{
    const struct sbrec_elephant *a = *(const struct sbrec_elephant **) a_;
    const struct sbrec_elephant *b = *(const struct sbrec_elephant **) b_;
    int cmp = strcmp(a->chassis, b->chassis);
    if (!cmp) {
        cmp = (a->since > b->since) - (a->since < b->since);
    }
    if (!cmp) {
        cmp = strcmp(a->src_ip, b->src_ip);
    }
    return cmp ? cmp : (a->src_port > b->src_port) - (a->src_port < b->src_port);
}

/* Appends "ADDR:PORT" to 's', in brackets for an IPv6 ADDR. */
static void
put_endpoint(struct ds *s, const char *ip, int64_t port)
{
    ds_put_format(s, strchr(ip, ':') ? "[%s]:%"PRId64 : "%s:%"PRId64,
                  ip, port);
}

/* "elephant-list [CHASSIS]": the connections every chassis (or CHASSIS)
 * has promoted to another colour, one line each, by chassis and time. */
static void
cmd_elephant_list(struct ctl_context *ctx)
{
    const char *only = ctx->argc > 1 ? ctx->argv[1] : NULL;
    size_t n = 0, allocated = 0;
    const struct sbrec_elephant **rows = NULL;
    const struct sbrec_elephant *e;
    SBREC_ELEPHANT_FOR_EACH (e, ctx->idl) {
        if (!only || !strcmp(e->chassis, only)) {
            if (n >= allocated) {
                rows = x2nrealloc(rows, &allocated, sizeof *rows);
            }
            rows[n++] = e;
        }
    }
    if (n) {
        qsort(rows, n, sizeof *rows, elephant_cmp);
    }
    if (!n && only) {
        /* A chassis with no promoted connection lists nothing; a name
         * that no chassis has is an error (a typo, most likely). */
        const struct sbrec_chassis *ch;
        bool found = false;
        SBREC_CHASSIS_FOR_EACH (ch, ctx->idl) {
            found = found || !strcmp(ch->name, only);
        }
        if (!found) {
            ctl_error(ctx, "elephant-list: no chassis named %s", only);
        }
    }
    for (size_t i = 0; i < n; i++) {
        e = rows[i];
        const char *proto = (e->protocol == 6 ? "tcp"
                             : e->protocol == 17 ? "udp" : NULL);
        ds_put_format(&ctx->output, "%s %s ", e->chassis,
                      e->datapath ? e->datapath->name : "?");
        if (proto) {
            ds_put_format(&ctx->output, "%s ", proto);
        } else {
            ds_put_format(&ctx->output, "proto %"PRId64" ", e->protocol);
        }
        put_endpoint(&ctx->output, e->src_ip, e->src_port);
        ds_put_cstr(&ctx->output, " > ");
        put_endpoint(&ctx->output, e->dst_ip, e->dst_port);
        ds_put_format(&ctx->output, " from=%s to=%s color=%s rule=%s "
                      "since=", e->src_lport ? e->src_lport : "?",
                      e->dst_lport ? e->dst_lport : "?", e->color, e->rule);
        ds_put_strftime_msec(&ctx->output, "%Y-%m-%dT%H:%M:%S.###Z",
                             e->since, true);
        ds_put_format(&ctx->output, " estimate=%"PRId64"\n", e->estimate);
    }
    free(rows);
}

/* "init": makes sure the SB_Global row exists. */
static void
cmd_init(struct ctl_context *ctx)
{
    if (!sbrec_sb_global_first(ctx->idl)) {
        sbrec_sb_global_insert(ctx->txn);
    }
}

/* "[--if-exists] chassis-del CHASSIS": deletes a chassis (and its
 * Chassis_Private row), e.g. one that left for good; its encapsulations
 * go with it and the ports bound to it become unbound. */
static void
cmd_chassis_del(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    bool found = false;
    const struct sbrec_chassis *ch;
    SBREC_CHASSIS_FOR_EACH (ch, ctx->idl) {
        if (!strcmp(ch->name, name)) {
            sbrec_chassis_delete(ch);
            found = true;
        }
    }
    const struct sbrec_chassis_private *cp;
    SBREC_CHASSIS_PRIVATE_FOR_EACH (cp, ctx->idl) {
        if (!strcmp(cp->name, name)) {
            sbrec_chassis_private_delete(cp);
        }
    }
    if (!found && !shash_find(&ctx->options, "--if-exists")) {
        ctl_error(ctx, "chassis-del: %s: chassis not found", name);
    }
}

/* osmotic-sbctl's own commands. */
static const struct ctl_command_syntax sbctl_commands[] = {
    { "init", 0, 0, "", NULL, cmd_init, NULL, "", RW },
    { "show", 0, 0, "", NULL, cmd_show, NULL, "", RO },
    { "chassis-del", 1, 1, "CHASSIS", NULL, cmd_chassis_del, NULL,
      "--if-exists", RW },
    { "lflow-list", 0, 1, "[DATAPATH]", NULL, cmd_lflow_list, NULL,
      "--uuid", RO },
    { "elephant-list", 0, 1, "[CHASSIS]", NULL, cmd_elephant_list, NULL,
      "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Prints the usage message and exits. */
OVS_NO_RETURN static void
usage(void)
{
    printf("\
%s: Osmotic southbound database management utility\n\
usage: %s [OPTIONS] COMMAND [ARG...]\n\
\n\
General commands:\n\
  init                      initialize the database\n\
  show                      print chassis, encapsulations and bound ports\n\
\n\
Chassis commands:\n\
  [--if-exists] chassis-del CHASSIS  delete CHASSIS and its encaps\n\
\n\
Logical flow commands:\n\
  [--uuid] lflow-list [DATAPATH]  list logical flows (of DATAPATH)\n\
\n\
Colour commands:\n\
  elephant-list [CHASSIS]   list promoted connections (of CHASSIS)\n\
\n\
%s\
%s\
\n",
           program_name, program_name, ctl_get_db_cmd_usage(),
           ctl_list_db_tables_usage());
    ctlc_print_common_options();
    printf("\nThe default database is %s.\n", osmotic_default_sb_db());
    exit(EXIT_SUCCESS);
}

/* Prints the version and exits. */
OVS_NO_RETURN static void
version(void)
{
    ctlc_print_version(sbrec_get_db_version());
}

/* Registers the commands, parses the command line and runs it in one
 * transaction. */
int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");

    ctl_init__(&sbrec_idl_class, sbctl_tables, NULL, NULL);
    ctl_register_commands(sbctl_commands);

    struct ctlc_options opts;
    memset(&opts, 0, sizeof opts);
    ctlc_options_init(&opts, osmotic_default_sb_db());
    struct ctlc_option_hooks option_hooks = {
        .usage = usage,
        .version = version,
    };
    struct shash local_options = SHASH_INITIALIZER(&local_options);
    ctlc_parse_options(argc, argv, &opts, &option_hooks, &local_options);

    struct ctl_command *commands;
    size_t n_commands;
    char *error = ctl_parse_commands(argc - optind, argv + optind,
                                     &local_options, &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }

    /* One remote that cannot be reached fails at once; the members of a
     * cluster are tried in turn until one is the leader (see nbctl). */
    bool retry = strchr(opts.db, ',') != NULL;
    struct ovsdb_idl *idl = ovsdb_idl_create(opts.db, &sbrec_idl_class,
                                             true, retry);
    ovsdb_idl_set_db_change_aware(idl, false);
    struct ctlc_txn_hooks txn_hooks = { .start = NULL };
    char *args = ctlc_join_args(argc, argv);
    ctlc_execute(args, commands, n_commands, idl, &opts, &txn_hooks);
}
