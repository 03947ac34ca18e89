/*
 * osmotic-trace: explains what Osmotic does to a packet.
 *
 * The logical trace simulates a microflow through the southbound logical
 * flows (lib/lflow-sim.h) and renders the result (trace-render.h).  With
 * --chassis it runs the same microflow through the real br-int of one
 * host with ofproto/trace and annotates every step (trace-chassis.h).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr.h"
#include "lib/lb-vips.h"
#include "lib/lflow-sim.h"
#include "lib/osmotic-dirs.h"
#include "utilities/trace-chassis.h"
#include "utilities/trace-nb.h"
#include "utilities/trace-render.h"
#include "utilities/trace-sb.h"
#include "command-line.h"
#include "fatal-signal.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(osmotic_trace);

/* Output formats. */
enum trace_format {
    TRACE_TEXT,                 /* Stage by stage, for people. */
    TRACE_JSON,                 /* One JSON object. */
    TRACE_SUMMARY,              /* One line. */
};

/* Command-line settings. */
struct trace_options {
    const char *db;             /* SB remote. */
    const char *nb_db;          /* NB remote, or NULL not to read it. */
    enum trace_format format;   /* Output format. */
    unsigned int timeout;       /* Seconds to wait for the SB. */
    uint32_t ct_state;          /* State assumed after ct() (CS_*). */
    const char *promoted;       /* --promoted: colour name, or NULL. */
    char *lb_dst;               /* --lb-dst: backend to follow (canonical,
                                 * malloc'd), or NULL. */
    struct trace_chassis_options chassis;  /* --chassis and friends. */
    const char *datapath;       /* DATAPATH argument. */
    const char *microflow;      /* MICROFLOW argument. */
    bool detrace;               /* --detrace: annotate stdin. */
};

/* Prints the usage message and exits. */
OVS_NO_RETURN static void
usage(void)
{
    printf("%s: Osmotic packet tracer\n"
           "usage: %s [OPTIONS] DATAPATH MICROFLOW\n"
           "       %s [--db=DATABASE] --detrace < OVS-OUTPUT\n"
           "\n"
           "DATAPATH is a logical switch or router name or tunnel key.\n"
           "MICROFLOW is a match expression fixing one packet, e.g.\n"
           "  'inport == \"p1\" && eth.src == 0a:00:00:00:00:01 && "
           "eth.dst == 0a:00:00:00:00:02'\n"
           "\n"
           "Options:\n"
           "  --db=DATABASE        southbound database (default: %s)\n"
           "  --nb-db[=DATABASE]   also name the NB source objects "
           "(default:\n"
           "                       %s)\n"
           "  --json               print the trace as JSON\n"
           "  --summary            print only the verdict line\n"
           "  --promoted=COLOR     the connection was promoted to COLOR\n"
           "  --ct=FLAGS           connection state after ct(), e.g. est,rpl"
           "\n"
           "                       (default new; trk is implied)\n"
           "  --lb-dst=IP[:PORT]   the backend a load balancer picks "
           "(default:\n"
           "                       its first)\n"
           "  --timeout=SECS       wait at most SECS for databases "
           "(default 10)\n"
           "  --chassis=HOST       trace through br-int of chassis HOST\n"
           "  --ovs-rundir=DIR     HOST's OVS run directory (db.sock and\n"
           "                       ovs-vswitchd.ctl)\n"
           "  --ovs-db=REMOTE      HOST's Open_vSwitch database\n"
           "  --ovs-ctl=SOCKET     HOST's ovs-vswitchd control socket\n"
           "  --bridge=BRIDGE      integration bridge (default br-int)\n"
           "  --detrace            annotate ofproto/trace or dump-flows "
           "output\n"
           "                       read from stdin with stages and SB rows\n"
           "  -h, --help           display this help message\n"
           "  -V, --version        display version information\n",
           program_name, program_name, program_name,
           osmotic_default_sb_db(),
           osmotic_default_nb_db());
    vlog_usage();
    exit(EXIT_SUCCESS);
}

/* Parses the --ct argument 'arg' into '*ct_state'. */
static void
parse_ct_option(const char *arg, uint32_t *ct_state)
{
    struct ds error = DS_EMPTY_INITIALIZER;
    if (!parse_ct_state(arg, CS_TRACKED, ct_state, &error)
        || !validate_ct_state(*ct_state, &error)) {
        ds_chomp(&error, '\n');
        ovs_fatal(0, "--ct=%s: %s", arg, ds_cstr(&error));
    }
}

/* Parses the command line into 'opts'. */
static void
parse_options(int argc, char *argv[], struct trace_options *opts)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_NB_DB,
        OPT_JSON,
        OPT_SUMMARY,
        OPT_CT,
        OPT_PROMOTED,
        OPT_LB_DST,
        OPT_TIMEOUT,
        OPT_CHASSIS,
        OPT_OVS_RUNDIR,
        OPT_OVS_DB,
        OPT_OVS_CTL,
        OPT_BRIDGE,
        OPT_DETRACE,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"nb-db", optional_argument, NULL, OPT_NB_DB},
        {"json", no_argument, NULL, OPT_JSON},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"ct", required_argument, NULL, OPT_CT},
        {"promoted", required_argument, NULL, OPT_PROMOTED},
        {"lb-dst", required_argument, NULL, OPT_LB_DST},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"chassis", required_argument, NULL, OPT_CHASSIS},
        {"ovs-rundir", required_argument, NULL, OPT_OVS_RUNDIR},
        {"ovs-db", required_argument, NULL, OPT_OVS_DB},
        {"ovs-ctl", required_argument, NULL, OPT_OVS_CTL},
        {"bridge", required_argument, NULL, OPT_BRIDGE},
        {"detrace", no_argument, NULL, OPT_DETRACE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);
    bool json = false;
    bool summary = false;

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_DB:
            opts->db = optarg;
            break;
        case OPT_NB_DB:
            opts->nb_db = optarg ? optarg : osmotic_default_nb_db();
            break;
        case OPT_JSON:
            json = true;
            break;
        case OPT_SUMMARY:
            summary = true;
            break;
        case OPT_CT:
            parse_ct_option(optarg, &opts->ct_state);
            break;
        case OPT_LB_DST: {
            struct lb_endpoint e;
            if (!lb_endpoint_parse(optarg, &e)) {
                ovs_fatal(0, "--lb-dst=%s: should be an IP address, or an "
                          "IP address and a port number with : as a "
                          "separator", optarg);
            }
            struct ds canonical = DS_EMPTY_INITIALIZER;
            lb_endpoint_format(&e, &canonical);
            free(opts->lb_dst);
            opts->lb_dst = ds_steal_cstr(&canonical);
            break;
        }
        case OPT_PROMOTED:
            opts->promoted = optarg;
            break;
        case OPT_TIMEOUT:
            if (!str_to_uint(optarg, 10, &opts->timeout)) {
                ovs_fatal(0, "--timeout=%s: not a number of seconds",
                          optarg);
            }
            break;
        case OPT_CHASSIS:
            opts->chassis.chassis = optarg;
            break;
        case OPT_OVS_RUNDIR:
            opts->chassis.ovs_rundir = optarg;
            break;
        case OPT_OVS_DB:
            opts->chassis.ovs_db = optarg;
            break;
        case OPT_OVS_CTL:
            opts->chassis.ovs_ctl = optarg;
            break;
        case OPT_BRIDGE:
            opts->chassis.bridge = optarg;
            break;
        case OPT_DETRACE:
            opts->detrace = true;
            break;
        case 'h':
            usage();
        case 'V':
            printf("osmotic-trace (Osmotic) %s\n", OSMOTIC_VERSION);
            exit(EXIT_SUCCESS);
        VLOG_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (json && summary) {
        ovs_fatal(0, "--summary and --json cannot be combined: the JSON "
                  "trace already holds the one-line verdict in its "
                  "\"summary\" member");
    }
    opts->format = json ? TRACE_JSON : summary ? TRACE_SUMMARY : TRACE_TEXT;

    if (opts->detrace) {
        if (argc != optind) {
            ovs_fatal(0, "--detrace takes no arguments, got %d (use --help "
                      "for help)", argc - optind);
        }
        return;
    }
    if (argc - optind != 2) {
        ovs_fatal(0, "expected 2 arguments, DATAPATH and MICROFLOW, got %d "
                  "(use --help for help)", argc - optind);
    }
    opts->datapath = argv[optind];
    opts->microflow = argv[optind + 1];
}

/* Runs the logical trace of 'packet' and prints it. */
static void
trace_logical(const struct trace_options *opts, const struct trace_sb *sb,
              struct trace_nb *nb,
              const struct lflow_sim_datapath *dp,
              const struct lflow_sim_port *inport,
              const struct expr_packet *packet)
{
    struct lflow_sim_trace *trace = lflow_sim_run(sb->sim, dp, inport, NULL,
                                                  &packet->flow);
    struct trace_render_input in = {
        .datapath = lflow_sim_datapath_name(dp),
        .microflow = opts->microflow,
        .source_name = nb->idl ? trace_nb_source_name : NULL,
        .aux = nb,
    };
    struct ds s = DS_EMPTY_INITIALIZER;
    switch (opts->format) {
    case TRACE_TEXT:
        trace_render_text(&in, trace, &s);
        break;
    case TRACE_JSON:
        trace_render_json(&in, trace, &s);
        break;
    case TRACE_SUMMARY:
        trace_render_summary(trace, &s);
        ds_put_char(&s, '\n');
        break;
    default:
        OVS_NOT_REACHED();
    }
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
    lflow_sim_trace_destroy(trace);
}

/* Annotates OVS output from stdin (--detrace). */
static int
detrace(const struct trace_options *opts)
{
    struct trace_sb sb;
    char *error = trace_sb_open(opts->db,
                                time_msec() + opts->timeout * 1000LL, &sb);
    if (error) {
        ovs_fatal(0, "%s", error);
    }
    trace_chassis_detrace(&sb, stdin);
    trace_sb_close(&sb);
    return EXIT_SUCCESS;
}

/* Parses the arguments, reads the SB and runs one trace. */
int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);

    struct trace_options opts = {
        .db = osmotic_default_sb_db(),
        .format = TRACE_TEXT,
        .timeout = 10,
        .ct_state = CS_TRACKED | CS_NEW,
    };
    parse_options(argc, argv, &opts);
    opts.chassis.summary = opts.format == TRACE_SUMMARY;
    opts.chassis.json = opts.format == TRACE_JSON;
    opts.chassis.timeout = opts.timeout;
    opts.chassis.ct_state = opts.ct_state;
    if (opts.detrace) {
        return detrace(&opts);
    }

    struct expr_packet packet;
    char *error = expr_parse_microflow(opts.microflow, &packet);
    if (error) {
        ovs_fatal(0, "MICROFLOW \"%s\": %s", opts.microflow, error);
    }
    if (!packet.inport) {
        ovs_fatal(0, "MICROFLOW \"%s\": must set inport (inport == "
                  "\"PORT\")", opts.microflow);
    }

    struct trace_sb sb;
    error = trace_sb_open(opts.db, time_msec() + opts.timeout * 1000LL,
                          &sb);
    if (error) {
        ovs_fatal(0, "%s", error);
    }
    lflow_sim_set_ct_state(sb.sim, opts.ct_state);
    lflow_sim_set_lb_dst(sb.sim, opts.lb_dst);
    if (opts.promoted) {
        if (opts.chassis.chassis) {
            ovs_fatal(0, "--promoted: only for a logical trace (with "
                      "--chassis, table 9 of the chassis' br-int decides)");
        }
        unsigned int color = lflow_sim_find_color(sb.sim, opts.promoted);
        if (!color) {
            ovs_fatal(0, "--promoted=%s: no such colour in the southbound "
                      "Color table", opts.promoted);
        }
        lflow_sim_set_start_color(sb.sim, color);
    }
    const struct lflow_sim_datapath *dp = lflow_sim_find_datapath(
        sb.sim, opts.datapath);
    if (!dp) {
        ovs_fatal(0, "DATAPATH %s: no such logical datapath", opts.datapath);
    }
    const struct lflow_sim_port *inport = lflow_sim_find_port(sb.sim,
                                                              packet.inport);
    if (!inport || inport->dp != dp) {
        ovs_fatal(0, "inport \"%s\": no such logical port on datapath %s",
                  packet.inport, lflow_sim_datapath_name(dp));
    }

    int status = EXIT_SUCCESS;
    if (opts.chassis.chassis) {
        error = trace_chassis_run(&opts.chassis, &sb, dp, inport, &packet);
        if (error) {
            fprintf(stderr, "%s: %s\n", program_name, error);
            free(error);
            status = EXIT_FAILURE;
        }
    } else {
        struct trace_nb nb = { .idl = NULL };
        if (opts.nb_db) {
            error = trace_nb_open(opts.nb_db,
                                  time_msec() + opts.timeout * 1000LL, &nb);
            if (error) {
                ovs_fatal(0, "%s", error);
            }
        }
        trace_logical(&opts, &sb, &nb, dp, inport, &packet);
        trace_nb_close(&nb);
    }

    trace_sb_close(&sb);
    expr_packet_destroy(&packet);
    free(opts.lb_dst);
    return status;
}
