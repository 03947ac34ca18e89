/*
 * osmotic-controller: the per-host agent.  It registers this host as a
 * chassis in the southbound database, builds the tunnel mesh, binds local
 * interfaces to logical ports, and keeps br-int's OpenFlow tables equal to
 * the flows that the southbound database asks for on this host.
 *
 * Database changes go through an incremental processing graph
 * (controller/ctrl-engine.h) that updates only the desired flows the
 * changes touch; ofctrl sends br-int only the difference, atomically.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "controller/binding.h"
#include "controller/br-int.h"
#include "controller/chassis.h"
#include "controller/color-detect.h"
#include "controller/ctrl-engine.h"
#include "controller/desired.h"
#include "controller/encaps.h"
#include "controller/gateway.h"
#include "controller/gateway-announce.h"
#include "controller/gateway-claim.h"
#include "controller/lflow.h"
#include "controller/local-datapaths.h"
#include "controller/ofctrl.h"
#include "controller/pinctrl.h"
#include "controller/pinctrl-log.h"
#include "controller/rampout-stats.h"
#include "controller/runtime.h"
#include "controller/sb-monitor.h"
#include "lib/daemon-files.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"

#include "command-line.h"
#include "daemon.h"
#include "dirs.h"
#include "flow.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "simap.h"
#include "stream-ssl.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(controller);

/* How long "exit" waits for the databases to accept the cleanup. */
#define CONTROLLER_EXIT_TIMEOUT_MS 5000

/* Command-line options. */
struct controller_options {
    char *ovs_remote;           /* Local Open_vSwitch database. */
    struct daemon_files files;  /* Control socket, pid file and log. */
};

/* Everything the main loop keeps. */
struct controller {
    struct ovsdb_idl_loop ovs_loop;   /* Local Open_vSwitch database. */
    struct ovsdb_idl_loop sb_loop;    /* Southbound database. */
    struct chassis_config cfg;        /* Current settings. */
    char *cfg_error;                  /* Why the settings are unusable. */
    char *sb_remote;                  /* Remote the SB IDL points to. */
    struct ofctrl *ofctrl;            /* OpenFlow connection to br-int. */
    struct pinctrl *pinctrl;          /* Packet-in connection to br-int. */
    struct color_detect *detect;      /* Elephant detector. */
    struct rampout_stats *rstats;     /* "rampout/stats". */
    struct gateway_claims *claims;    /* Ramp-out rules this chassis
                                       * claimed as active gateway. */
    struct gateway_announce *announce; /* Gratuitous ARPs and unsolicited
                                       * NAs of the active gateway. */
    struct ovsdb_idl_index *pb_by_key; /* Port_Binding by datapath and key. */
    struct ovsdb_idl_index *as_by_name; /* Address_Set by name. */
    struct sb_monitor sb_monitor;     /* What of SB this chassis gets. */
    struct desired desired;           /* Flows br-int should have. */
    struct ctrl_engine engine;        /* What computes 'desired'. */
    int64_t desired_cfg;              /* SB_Global.nb_cfg of 'desired'. */
    uint64_t desired_gen;             /* Generation of 'desired': grows with
                                       * every complete compute. */
    struct simap port_gens;           /* Local port -> generation of the
                                       * first flows it had. */
    unsigned long long int gens_computes; /* 'n_computes' and */
    uint64_t gens_gen;                /* 'desired_gen' 'port_gens' is
                                       * current with. */
    bool desired_complete;            /* 'desired' is up to date with a
                                       * replica that holds all the rows it
                                       * needs (monitor conditions
                                       * applied). */
    bool engine_ran;                  /* The graph has run at least once. */
    bool engine_stale;                /* Database changes wait for the
                                       * graph. */
    bool sb_connected;                /* SB was connected last pass. */
    bool new_gen;                     /* 'desired' changed since its
                                       * generation was last counted. */
    long long int last_compute_wall;  /* Wall clock (ms) when the last
                                       * compute ended, 0 before any. */
    long long int last_compute_usec;  /* How long the last compute took. */
    long long int last_recompute_wall; /* Same for the last full */
    long long int last_recompute_usec; /* recompute, 0 before any. */
    unsigned long long int n_computes; /* Computes since start. */
    struct controller_marks_seen {    /* What the last marking of ports */
        uint64_t acked_gen;           /* as installed saw (see */
        unsigned long long int n_computes; /* controller_mark_installed()). */
        unsigned int ovs_seqno;
    } marks_seen;
    bool force_recompute;             /* Recompute on the next pass. */
    bool exiting;                     /* "exit" received. */
    bool restart;                     /* "exit --restart": keep SB rows. */
    struct unixctl_conn *exit_conn;   /* Where to reply to "exit". */
    struct unixctl_server *unixctl;   /* Management socket. */
};

/* Prints the command-line help and exits. */
OVS_NO_RETURN static void
usage(void)
{
    printf("%s: Osmotic per-host controller\n"
           "usage: %s [OPTIONS] [OVS-DATABASE]\n"
           "where OVS-DATABASE is the local Open vSwitch database remote\n"
           "(default: unix:%s/db.sock).\n",
           program_name, program_name, ovs_rundir());
    stream_usage("database", true, false, true);
    printf("\nDaemon options:\n"
           "  --detach                run in background as daemon\n"
           "  --monitor               creates a process to monitor this "
           "daemon\n"
           "  --user=USER[:GROUP]     changes the effective daemon "
           "user:group\n"
           "  --no-chdir              do not chdir to '/'\n"
           "  --overwrite-pidfile     with --pidfile, start even if "
           "already running\n"
           "\nLogging options:\n"
           "  -vSPEC, --verbose=SPEC  set logging levels\n"
           "  -v, --verbose           set maximum verbosity level\n"
           "  --syslog-method=(libc|unix:file|udp:ip:port)\n"
           "                          specify how to send messages to "
           "syslog\n"
           "  --syslog-target=HOST:PORT  also send syslog msgs to "
           "HOST:PORT\n");
    printf("\nFiles (defaults in Osmotic's run and log directories):\n");
    daemon_files_usage(26);
    printf("\nOther options:\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n");
    exit(EXIT_SUCCESS);
}

/* Parses the command line into 'opts'; exits on bad options. */
static void
parse_options(int argc, char *argv[], struct controller_options *opts)
{
    enum {
        DAEMON_FILES_OPTION_ENUMS = UCHAR_MAX + 1,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        /* Before VLOG_LONG_OPTIONS and DAEMON_LONG_OPTIONS, which have
         * options of the same names (see lib/daemon-files.h). */
        DAEMON_FILES_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'h':
            usage();

        case 'V':
            daemon_files_print_version();

        DAEMON_FILES_OPTION_HANDLERS(&opts->files)
        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    argc -= optind;
    argv += optind;
    if (argc > 1) {
        ovs_fatal(0, "too many arguments: \"%s\" (at most one database "
                  "remote)", argv[1]);
    }
    opts->ovs_remote = (argc == 1
                        ? xstrdup(argv[0])
                        : xasprintf("unix:%s/db.sock", ovs_rundir()));
}

/* Re-reads the settings from the Open_vSwitch table. */
static void
controller_read_config(struct controller *c)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    const struct ovsrec_open_vswitch *ovs
        = ovsrec_open_vswitch_first(c->ovs_loop.idl);
    struct chassis_config cfg;

    if (!ovs) {
        return;
    }
    chassis_config_init(&cfg);
    char *error = chassis_config_from_ovs(&cfg, ovs);
    if (error) {
        if (!c->cfg_error || strcmp(error, c->cfg_error)) {
            VLOG_WARN_RL(&rl, "%s", error);
        }
        free(c->cfg_error);
        c->cfg_error = error;
        chassis_config_destroy(&cfg);
        return;
    }
    free(c->cfg_error);
    c->cfg_error = NULL;
    if (!chassis_config_equal(&cfg, &c->cfg)) {
        chassis_config_destroy(&c->cfg);
        c->cfg = cfg;
        c->force_recompute = true;
    } else {
        chassis_config_destroy(&cfg);
    }
    if (!c->sb_remote || strcmp(c->sb_remote, c->cfg.remote)) {
        VLOG_INFO("southbound database: %s", c->cfg.remote);
        free(c->sb_remote);
        c->sb_remote = xstrdup(c->cfg.remote);
        ovsdb_idl_set_remote(c->sb_loop.idl, c->sb_remote, true);
    }
}

/* Returns true if the southbound contents can be trusted: connected and
 * synchronized.  While the database is away the flows stay as they are. */
static bool
controller_sb_ready(const struct controller *c)
{
    return (ovsdb_idl_is_connected(c->sb_loop.idl)
            && ovsdb_idl_has_ever_connected(c->sb_loop.idl));
}

/* Runs the incremental processing graph over what changed in the
 * databases (everything, with 'force').  With 'settled' false the replica
 * may lack rows (monitor conditions in flight): conntrack zones are then
 * neither recorded nor forgotten. */
static void
controller_compute(struct controller *c, struct ovsdb_idl_txn *ovs_txn,
                   struct ovsdb_idl_txn *sb_txn,
                   const struct ovsrec_bridge *br_int,
                   const struct sbrec_chassis *chassis, bool settled,
                   bool force)
{
    long long int start = time_usec();
    struct ctrl_engine_ctx ctx = {
        .ovs_idl = c->ovs_loop.idl,
        .sb_idl = c->sb_loop.idl,
        .pb_by_key = c->pb_by_key,
        .as_by_name = c->as_by_name,
        .ovs_txn = ovs_txn,
        .sb_txn = sb_txn,
        .br_int = br_int,
        .chassis = chassis,
        .cfg = &c->cfg,
        .settled = settled,
        .desired = &c->desired,
    };
    if (ctrl_engine_run(&c->engine, &ctx, force)) {
        c->new_gen = true;
    }
    ovsdb_idl_track_clear(c->sb_loop.idl);
    ovsdb_idl_track_clear(c->ovs_loop.idl);

    const struct sbrec_sb_global *sbg = sbrec_sb_global_first(c->sb_loop.idl);
    c->desired_cfg = sbg ? sbg->nb_cfg : 0;

    /* A compute shorter than the clock's resolution still took time. */
    c->last_compute_usec = MAX(time_usec() - start, 1);
    c->last_compute_wall = time_wall_msec();
    c->n_computes++;
    if (force) {
        /* Kept apart: the incremental passes that follow a recompute (its
         * own claims coming back, say) would otherwise hide its cost. */
        c->last_recompute_usec = c->last_compute_usec;
        c->last_recompute_wall = c->last_compute_wall;
    }
}

/* Returns true if the southbound replica has changes, not yet computed,
 * in a table the flows depend on: all but SB_Global, whose nb_cfg alone
 * the controller reads (so a bump of it costs no recompute),
 * Chassis_Private and Elephant, which hold this controller's own reports,
 * and BFD, whose sessions pinctrl runs outside the flows.
 * The tracked changes say so, until the compute that clears them: the
 * tables' change seqnos do not, since the client library gives rows that
 * a new monitor condition deletes the seqno the next change will have. */
static bool
controller_sb_content_changed(const struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < SBREC_N_TABLES; i++) {
        const struct ovsdb_idl_table_class *t = &sbrec_table_classes[i];
        if (t != &sbrec_table_sb_global && t != &sbrec_table_chassis_private
            && t != &sbrec_table_elephant && t != &sbrec_table_bfd
            && ovsdb_idl_track_get_first(idl, t)) {
            return true;
        }
    }
    return false;
}

/* Reports the configuration whose flows are installed, for --wait=hv. */
static void
controller_report_cfg(struct controller *c, struct ovsdb_idl_txn *sb_txn,
                      const struct sbrec_chassis_private *cp)
{
    int64_t acked;

    /* Only flows computed from a complete replica count (see
     * controller_run()). */
    if (sb_txn && cp && c->desired_complete
        && ofctrl_get_acked_cfg(c->ofctrl, &acked)
        && acked == c->desired_cfg && cp->nb_cfg != acked) {
        sbrec_chassis_private_set_nb_cfg(cp, acked);
        sbrec_chassis_private_set_nb_cfg_timestamp(cp, time_wall_msec());
    }
}

/* Marks up and installed the local ports whose flows br-int holds
 * (binding_mark_installed()), unless nothing it reads changed since the
 * last time: the acknowledged generation; the bindings (a compute); the
 * Interface rows (the local replica); no transaction failed since
 * (main() forgets what was seen when one does); and every local port is
 * up ("up" raises no alert in the southbound replica, so a change of it
 * alone by another writer makes no compute).  The main loop wakes up
 * many times per change, and each marking looks up every local port's
 * generation and Interface mark. */
static void
controller_mark_installed(struct controller *c,
                          const struct runtime_data *rt)
{
    struct controller_marks_seen now = {
        .acked_gen = ofctrl_get_acked_gen(c->ofctrl),
        .n_computes = c->n_computes,
        .ovs_seqno = ovsdb_idl_get_seqno(c->ovs_loop.idl),
    };
    const struct controller_marks_seen *seen = &c->marks_seen;
    if (now.acked_gen == seen->acked_gen
        && now.n_computes == seen->n_computes
        && now.ovs_seqno == seen->ovs_seqno
        && binding_all_up(&rt->bindings)) {
        return;
    }
    c->marks_seen = now;
    binding_mark_installed(&rt->bindings, &c->port_gens, now.acked_gen);
}

/* One pass of the main loop's work. */
static void
controller_run(struct controller *c, struct ovsdb_idl_txn *ovs_txn,
               struct ovsdb_idl_txn *sb_txn)
{
    controller_read_config(c);
    ofctrl_run(c->ofctrl);
    pinctrl_run(c->pinctrl);
    if (!c->cfg.system_id) {
        return;
    }

    const struct ovsrec_bridge *br_int
        = br_int_run(ovs_txn, c->ovs_loop.idl, &c->cfg);
    if (controller_sb_ready(c)) {
        pinctrl_sb_run(c->pinctrl, c->sb_loop.idl, sb_txn);
    }
    if (!controller_sb_ready(c)) {
        /* Without the southbound database, the last flows computed stay
         * what br-int should have (and go back in if ovs-vswitchd
         * restarts meanwhile). */
        if (c->desired_complete) {
            ofctrl_put(c->ofctrl, &c->desired, c->desired_cfg,
                       c->desired_gen);
        }
        c->sb_connected = false;
        return;
    }

    const struct sbrec_chassis_private *cp;
    const struct sbrec_chassis *chassis
        = chassis_run(sb_txn, c->sb_loop.idl, &c->cfg, &cp);

    /* After a reconnection the replica may have been replaced whole:
     * recompute rather than trust the change tracking. */
    if (!c->sb_connected) {
        c->sb_connected = true;
        c->force_recompute = true;
    }

    if (c->force_recompute
        || ctrl_engine_ovs_changed(&c->engine, c->ovs_loop.idl)
        || controller_sb_content_changed(c->sb_loop.idl)) {
        c->engine_stale = true;
    } else if (!c->engine_stale) {
        /* Changes of this controller's own reports only (or, in the local
         * database, its own marks, ovs-vswitchd's reports, interfaces
         * without an OpenFlow port yet): nothing to compute, and nothing
         * to keep tracked. */
        ovsdb_idl_track_clear(c->sb_loop.idl);
        ovsdb_idl_track_clear(c->ovs_loop.idl);
    }
    /* The graph runs with both transactions open, so that claims and
     * tunnels are written in the same pass; while one is in flight the
     * changes wait (its reply wakes us). */
    if (chassis && br_int && ovs_txn && sb_txn && c->engine_stale) {
        bool settled = sb_monitor_settled(&c->sb_monitor, c->sb_loop.idl);
        bool force = c->force_recompute || !c->engine_ran;
        /* (Read before the compute clears the tracked changes.) */
        bool groups_changed = (force || ovsdb_idl_track_get_first(
                                   c->sb_loop.idl,
                                   &sbrec_table_logical_dp_group));
        controller_compute(c, ovs_txn, sb_txn, br_int, chassis, settled,
                           force);
        c->engine_ran = true;
        c->engine_stale = false;
        c->force_recompute = false;
        const struct runtime_data *rt = ctrl_engine_runtime(&c->engine);
        sb_monitor_update(&c->sb_monitor, c->sb_loop.idl,
                          &rt->bindings.iface_ids, &rt->lds, chassis,
                          rt->monitor_gen, groups_changed);
    }
    if (chassis && c->engine_ran) {
        /* From the same view of the gateways as the flows just computed
         * (the tunnels and their BFD state). */
        gateway_claims_run(c->claims, c->sb_loop.idl, sb_txn, chassis,
                           ctrl_engine_tunnels(&c->engine));
        gateway_announce_run(c->announce, c->sb_loop.idl, chassis->name,
                             ctrl_engine_tunnels(&c->engine), c->pinctrl,
                             c->n_computes);
        pinctrl_svc_monitors_run(c->pinctrl, c->sb_loop.idl, sb_txn,
                                 &ctrl_engine_runtime(&c->engine)->bindings);
        pinctrl_bfd_run(c->pinctrl, c->sb_loop.idl, sb_txn, chassis->name,
                        ctrl_engine_tunnels(&c->engine));
    }

    /* Flows go to br-int only when computed from a replica that holds
     * every row they need: the monitor conditions the server applied are
     * the ones the last compute asked for.  Otherwise (a pod on a new
     * switch, a restart) a partial set of flows would delete the rest
     * for a moment.  The rows that the conditions bring arrive as
     * changes, which the graph processes like any other. */
    c->desired_complete = (c->engine_ran && !c->engine_stale
                           && sb_monitor_settled(&c->sb_monitor,
                                                 c->sb_loop.idl));
    if (chassis && br_int) {
        /* Promotions and demotions change the desired flows directly: a
         * connection's colour costs no recompute. */
        struct color_detect_ctx dctx = {
            .sb_idl = c->sb_loop.idl,
            .sb_txn = sb_txn,
            .chassis = chassis,
            .ovs_idl = c->ovs_loop.idl,
            .ovs_txn = ovs_txn,
            .br_int = br_int,
            .tunnels = ctrl_engine_tunnels(&c->engine),
            .sampling = c->cfg.color_sampling,
            .desired = &c->desired,
        };
        color_detect_run(c->detect, &dctx);
    }
    if (chassis && br_int && c->desired_complete) {
        /* A port is up once br-int holds a generation of flows that
         * includes it: each complete, changed 'desired' is a new one. */
        if (c->new_gen) {
            c->desired_gen++;
            c->new_gen = false;
        }
        const struct runtime_data *rt = ctrl_engine_runtime(&c->engine);
        if (c->n_computes != c->gens_computes
            || c->desired_gen != c->gens_gen) {
            /* What it reads changes only with these. */
            binding_track_generations(&rt->bindings, c->desired_gen,
                                      &c->port_gens);
            c->gens_computes = c->n_computes;
            c->gens_gen = c->desired_gen;
        }
        /* Flows computed from all the southbound rows there are also
         * serve a newer nb_cfg that changed nothing else. */
        const struct sbrec_sb_global *sbg
            = sbrec_sb_global_first(c->sb_loop.idl);
        if (sbg) {
            c->desired_cfg = sbg->nb_cfg;
        }
        ofctrl_put(c->ofctrl, &c->desired, c->desired_cfg, c->desired_gen);
        /* Ports' "up" goes in the same transaction as the nb_cfg that
         * covers them, so that --wait=hv also waits for "up". */
        if (sb_txn && ovs_txn) {
            controller_mark_installed(c, rt);
            controller_report_cfg(c, sb_txn, cp);
        }
    }
}

/* Removes this chassis from the databases: releases its ports, deletes
 * its Chassis rows and tunnels.  Returns true when all is gone. */
static bool
controller_cleanup(struct controller *c, struct ovsdb_idl_txn *ovs_txn,
                   struct ovsdb_idl_txn *sb_txn)
{
    if (!c->cfg.system_id) {
        return true;
    }
    struct ovsdb_idl *sb = c->sb_loop.idl;
    const struct sbrec_chassis *ch = chassis_lookup(sb, c->cfg.system_id);
    const struct ovsrec_bridge *br_int
        = br_int_run(NULL, c->ovs_loop.idl, &c->cfg);

    bool clean = encaps_cleanup(ovs_txn, br_int);
    clean = gateway_localnet_cleanup(ovs_txn, c->ovs_loop.idl, br_int)
            && clean;
    if (controller_sb_ready(c)) {
        clean = binding_cleanup(sb_txn, sb, ch) && clean;
        clean = color_detect_sb_cleanup(sb, sb_txn, c->cfg.system_id)
                && clean;
        clean = chassis_cleanup(sb_txn, sb, c->cfg.system_id) && clean;
    }
    return clean;
}

/* "exit [--restart]": leaves the main loop; without --restart, the chassis
 * is removed from the databases first. */
static void
controller_unixctl_exit(struct unixctl_conn *conn, int argc,
                        const char *argv[], void *c_)
{
    struct controller *c = c_;

    c->exiting = true;
    c->restart = argc > 1 && !strcmp(argv[1], "--restart");
    if (argc > 1 && !c->restart) {
        unixctl_command_reply_error(conn, "usage: exit [--restart]");
        c->exiting = false;
        return;
    }
    c->exit_conn = conn;
}

/* Returns the number of rows of 'table' in the replica 'idl'. */
static size_t
controller_count_rows(struct ovsdb_idl *idl,
                      const struct ovsdb_idl_table_class *table)
{
    size_t n = 0;
    for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, table);
         row; row = ovsdb_idl_next_row(row)) {
        n++;
    }
    return n;
}

/* Appends to 's' the line "LABEL: TIME UTC, took USEC us", or "LABEL:
 * never" if 'wall' is 0. */
static void
controller_format_compute(struct ds *s, const char *label,
                          long long int wall, long long int usec)
{
    if (wall) {
        char *when = xastrftime_msec("%Y-%m-%d %H:%M:%S.###", wall, true);
        ds_put_format(s, "%s: %s UTC, took %lld us\n", label, when, usec);
        free(when);
    } else {
        ds_put_format(s, "%s: never\n", label);
    }
}

/* Appends to 's' the sizes the controller works with and when it last
 * computed the flows, for "controller/status". */
static void
controller_format_counts(const struct controller *c, struct ds *s)
{
    size_t n_chassis = 0;
    const struct sbrec_chassis *ch;
    SBREC_CHASSIS_FOR_EACH (ch, c->sb_loop.idl) {
        n_chassis++;
    }
    const struct ovsrec_bridge *br_int
        = br_int_run(NULL, c->ovs_loop.idl, &c->cfg);

    ds_put_format(s, "southbound chassis: %"PRIuSIZE"\n", n_chassis);
    ds_put_format(s, "tunnel ports: %"PRIuSIZE"\n",
                  encaps_count_tunnels(br_int));
    const struct runtime_data *rt = ctrl_engine_runtime(&c->engine);
    ds_put_format(s, "local ports: %"PRIuSIZE"\n",
                  shash_count(&rt->bindings.lports));
    ds_put_format(s, "installed flows: %"PRIuSIZE"\n",
                  ofctrl_count_installed(c->ofctrl));
    ds_put_format(s, "monitored: %"PRIuSIZE" port bindings, %"PRIuSIZE
                  " logical flows, %"PRIuSIZE" multicast groups\n",
                  controller_count_rows(c->sb_loop.idl,
                                        &sbrec_table_port_binding),
                  controller_count_rows(c->sb_loop.idl,
                                        &sbrec_table_logical_flow),
                  controller_count_rows(c->sb_loop.idl,
                                        &sbrec_table_multicast_group));
    ds_put_format(s, "desired flows: %"PRIuSIZE" (from %"PRIuSIZE
                  " logical flows), flow texts parsed: %llu\n",
                  desired_count_flows(&c->desired),
                  ctrl_engine_count_lflows(&c->engine), c->desired.n_parsed);
    ds_put_format(s, "computes: %llu\n", c->n_computes);
    controller_format_compute(s, "last compute", c->last_compute_wall,
                              c->last_compute_usec);
    controller_format_compute(s, "last full recompute",
                              c->last_recompute_wall,
                              c->last_recompute_usec);
}

/* "controller/status": chassis, connections, counts, the last compute,
 * local datapaths and ports. */
static void
controller_unixctl_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
                          const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "chassis: %s\n",
                  c->cfg.system_id ? c->cfg.system_id : "(not configured)");
    if (c->cfg_error) {
        ds_put_format(&s, "configuration error: %s\n", c->cfg_error);
    }
    ds_put_format(&s, "southbound: %s (%s)\n",
                  c->sb_remote ? c->sb_remote : "(none)",
                  ovsdb_idl_is_connected(c->sb_loop.idl)
                  ? "connected" : "not connected");
    ds_put_format(&s, "openflow: %s\n", ofctrl_state_name(c->ofctrl));
    int64_t acked;
    if (ofctrl_get_acked_cfg(c->ofctrl, &acked)) {
        ds_put_format(&s, "nb_cfg: %"PRId64" computed, %"PRId64" installed\n",
                      c->desired_cfg, acked);
    }

    controller_format_counts(c, &s);

    ctrl_engine_format_stats(&c->engine, &s);

    const struct runtime_data *rt = ctrl_engine_runtime(&c->engine);
    ds_put_cstr(&s, "local datapaths:");
    const struct local_datapath *ld;
    HMAP_FOR_EACH (ld, node, &rt->lds.map) {
        ds_put_format(&s, " %s(%"PRId64")", ld->name, ld->key);
    }
    ds_put_cstr(&s, "\nbound ports:");
    const struct shash_node **sorted = shash_sort(&rt->bindings.lports);
    for (size_t i = 0; i < shash_count(&rt->bindings.lports); i++) {
        const struct binding_lport *bl = sorted[i]->data;
        ds_put_format(&s, " %s(%s,ofport %d)", sorted[i]->name, bl->ifname,
                      ofp_to_u16(bl->ofport));
    }
    free(sorted);
    ds_put_char(&s, '\n');
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* "controller/recompute": recomputes every flow on the next pass. */
static void
controller_unixctl_recompute(struct unixctl_conn *conn, int argc OVS_UNUSED,
                             const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;

    c->force_recompute = true;
    poll_immediate_wake();
    unixctl_command_reply(conn, NULL);
}

/* "ofctrl/flow-counts": installed flows per OpenFlow table. */
static void
controller_unixctl_flow_counts(struct unixctl_conn *conn,
                               int argc OVS_UNUSED,
                               const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;

    ofctrl_count_by_table(c->ofctrl, &s);
    pinctrl_status(c->pinctrl, &s);
    gateway_announce_status(c->announce, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Names OpenFlow table 'table_id' for a flow of the datapath whose key is
 * 'metadata'. */
static const char *
controller_table_name(uint8_t table_id, uint64_t metadata, const void *c_)
{
    const struct controller *c = c_;

    const char *physical = pipeline_physical_table_name(table_id);
    if (physical) {
        return physical;
    }

    const struct local_datapath *ld
        = local_datapaths_find(&ctrl_engine_runtime(&c->engine)->lds,
                               metadata);
    enum dp_type type = ld ? ld->type : DP_SWITCH;
    const struct pipeline_stage_info *si = NULL;
    if (table_id >= OFTABLE_EGRESS
        && table_id < OFTABLE_EGRESS + PIPELINE_MAX_STAGES) {
        si = pipeline_stage_find(type, P_EGRESS, table_id - OFTABLE_EGRESS);
    } else if (table_id >= OFTABLE_INGRESS
               && table_id < OFTABLE_INGRESS + PIPELINE_MAX_STAGES) {
        si = pipeline_stage_find(type, P_INGRESS, table_id - OFTABLE_INGRESS);
    }
    return si ? si->name : NULL;
}

/* "ofctrl/dump-flows": installed flows annotated with table names. */
static void
controller_unixctl_dump_flows(struct unixctl_conn *conn, int argc OVS_UNUSED,
                              const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    struct ds s = DS_EMPTY_INITIALIZER;

    ofctrl_dump_installed(c->ofctrl, controller_table_name, c, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Replies to 'conn' with what 'show' writes about the elephant detector
 * of 'c' (controller/color-detect.h). */
static void
controller_reply_color(struct unixctl_conn *conn, const struct controller *c,
                       void (*show)(const struct color_detect *,
                                    struct ds *))
{
    struct ds s = DS_EMPTY_INITIALIZER;
    show(c->detect, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* "color/elephants": the promoted connections. */
static void
controller_unixctl_elephants(struct unixctl_conn *conn, int argc OVS_UNUSED,
                             const char *argv[] OVS_UNUSED, void *c)
{
    controller_reply_color(conn, c, color_detect_elephants);
}

/* "color/counters": per colour and lane, and the detector's counters;
 * answered once br-int's statistics are read. */
static void
controller_unixctl_color_counters(struct unixctl_conn *conn,
                                  int argc OVS_UNUSED,
                                  const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    color_detect_counters(c->detect, conn);
}

/* "color/status": the collector and the rules in force. */
static void
controller_unixctl_color_status(struct unixctl_conn *conn,
                                int argc OVS_UNUSED,
                                const char *argv[] OVS_UNUSED, void *c)
{
    controller_reply_color(conn, c, color_detect_status);
}

/* "rampout/stats": packets and bytes per ramp-out rule; answered once
 * br-int's statistics are read. */
static void
controller_unixctl_rampout_stats(struct unixctl_conn *conn,
                                 int argc OVS_UNUSED,
                                 const char *argv[] OVS_UNUSED, void *c_)
{
    struct controller *c = c_;
    rampout_stats_request(c->rstats, conn);
}

/* Registers the management commands. */
static void
controller_register_unixctl(struct controller *c)
{
    unixctl_command_register("exit", "[--restart]", 0, 1,
                             controller_unixctl_exit, c);
    unixctl_command_register("controller/status", "", 0, 0,
                             controller_unixctl_status, c);
    unixctl_command_register("controller/recompute", "", 0, 0,
                             controller_unixctl_recompute, c);
    unixctl_command_register("ofctrl/flow-counts", "", 0, 0,
                             controller_unixctl_flow_counts, c);
    unixctl_command_register("ofctrl/dump-flows", "", 0, 0,
                             controller_unixctl_dump_flows, c);
    unixctl_command_register("color/elephants", "", 0, 0,
                             controller_unixctl_elephants, c);
    unixctl_command_register("color/counters", "", 0, 0,
                             controller_unixctl_color_counters, c);
    unixctl_command_register("color/status", "", 0, 0,
                             controller_unixctl_color_status, c);
    unixctl_command_register("rampout/stats", "", 0, 0,
                             controller_unixctl_rampout_stats, c);
}

/* Creates the local database connection, monitoring what the controller
 * reads and not the statistics that change all the time. */
static struct ovsdb_idl *
controller_create_ovs_idl(const char *remote)
{
    struct ovsdb_idl *idl = ovsdb_idl_create(remote, &ovsrec_idl_class,
                                             true, true);

    /* The engine's input node reads the tracked changes (to tell the
     * changes that concern the flows from the controller's own writes).
     * Tracking first: it would turn alerts back on for the columns
     * below. */
    ovsdb_idl_track_add_all(idl);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_statistics);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_status);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_link_resets);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_link_state);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_link_speed);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_admin_state);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_mtu);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_duplex);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_lacp_current);
    ovsdb_idl_omit_alert(idl, &ovsrec_interface_col_cfm_health);
    ovsdb_idl_omit_alert(idl, &ovsrec_port_col_statistics);
    ovsdb_idl_omit_alert(idl, &ovsrec_port_col_status);
    ovsdb_idl_omit_alert(idl, &ovsrec_bridge_col_status);
    ovsdb_idl_omit_alert(idl, &ovsrec_open_vswitch_col_statistics);
    ovsdb_idl_omit_alert(idl, &ovsrec_open_vswitch_col_cur_cfg);
    return idl;
}

/* Creates the southbound database connection (its remote comes from the
 * local configuration later).  Every chassis writes its Chassis_Private
 * row on each --wait=hv; those writes change no flow, so they do not wake
 * a recompute on every other chassis. */
static struct ovsdb_idl *
controller_create_sb_idl(void)
{
    struct ovsdb_idl *idl = ovsdb_idl_create_unconnected(&sbrec_idl_class,
                                                         true);

    /* The graph's change handlers read the tracked changes.  Tracking
     * first: it would turn alerts back on for the columns below. */
    ovsdb_idl_track_add_all(idl);
    ovsdb_idl_omit_alert(idl, &sbrec_chassis_private_col_nb_cfg);
    ovsdb_idl_omit_alert(idl, &sbrec_chassis_private_col_nb_cfg_timestamp);
    ovsdb_idl_omit_alert(idl, &sbrec_chassis_private_col_connect_timestamp);
    ovsdb_idl_omit_alert(idl, &sbrec_chassis_private_col_external_ids);
    /* "up" is this controller's own report for its ports, and no flow
     * depends on it anywhere. */
    ovsdb_idl_omit_alert(idl, &sbrec_port_binding_col_up);
    /* A ramp-out rule's active chassis is the gateways' report
     * (controller/gateway-claim.h); flows follow each chassis' own view. */
    ovsdb_idl_omit_alert(idl, &sbrec_rampout_col_active_chassis);
    color_detect_sb_init(idl);
    return idl;
}

/* Runs the cleanup after "exit" until done or timed out. */
static void
controller_exit_cleanup(struct controller *c)
{
    long long int deadline = time_msec() + CONTROLLER_EXIT_TIMEOUT_MS;

    for (;;) {
        struct ovsdb_idl_txn *ovs_txn = ovsdb_idl_loop_run(&c->ovs_loop);
        struct ovsdb_idl_txn *sb_txn = ovsdb_idl_loop_run(&c->sb_loop);
        bool done = controller_cleanup(c, ovs_txn, sb_txn);
        ovsdb_idl_loop_commit_and_wait(&c->ovs_loop);
        ovsdb_idl_loop_commit_and_wait(&c->sb_loop);
        if (done || time_msec() >= deadline) {
            if (!done) {
                VLOG_WARN("exiting before the databases confirmed cleanup");
            }
            break;
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Starts the daemon and runs its main loop until "exit". */
int
main(int argc, char *argv[])
{
    struct controller_options opts = { .ovs_remote = NULL };
    struct controller c;

    /* "--unixctl=none" runs the controller without a control socket. */
    daemon_files_init(&opts.files, true);
    set_program_name(argv[0]);
    service_start(&argc, &argv);
    fatal_ignore_sigpipe();
    parse_options(argc, argv, &opts);

    daemonize_start(false);
#if defined(__GLIBC__) && defined(M_MXFAST)
    /* Without glibc's fastbins: their consolidation on every free of a
     * large southbound update took a twentieth of the CPU time of each
     * change at 10,000 ports. */
    mallopt(M_MXFAST, 0);
#endif
    memset(&c, 0, sizeof c);
    int retval = unixctl_server_create(daemon_files_unixctl(&opts.files),
                                       &c.unixctl);
    if (retval) {
        exit(EXIT_FAILURE);
    }
    controller_register_unixctl(&c);
    daemonize_complete();

    c.ovs_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(
        controller_create_ovs_idl(opts.ovs_remote));
    c.sb_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(
        controller_create_sb_idl());
    c.pb_by_key = lflow_create_pb_index(c.sb_loop.idl);
    c.as_by_name = lflow_create_as_index(c.sb_loop.idl);
    pinctrl_log_set_sb(c.sb_loop.idl, c.pb_by_key);
    sb_monitor_init(&c.sb_monitor, c.sb_loop.idl);
    simap_init(&c.port_gens);
    chassis_config_init(&c.cfg);
    desired_init(&c.desired);
    ctrl_engine_init(&c.engine);

    char *mgmt = xasprintf("unix:%s/%s.mgmt", ovs_rundir(), BR_INT_NAME);
    c.ofctrl = ofctrl_create(mgmt);
    c.pinctrl = pinctrl_create(mgmt);
    c.detect = color_detect_create(mgmt);
    c.rstats = rampout_stats_create(mgmt);
    c.claims = gateway_claims_create();
    c.announce = gateway_announce_create();
    free(mgmt);

    while (!c.exiting) {
        struct ovsdb_idl_txn *ovs_txn = ovsdb_idl_loop_run(&c.ovs_loop);
        struct ovsdb_idl_txn *sb_txn = ovsdb_idl_loop_run(&c.sb_loop);

        controller_run(&c, ovs_txn, sb_txn);
        /* After the engine pass and the elephant detector, which changes
         * 'desired' outside any pass (see desired_release_flow()). */
        desired_forget_unused(&c.desired);
        unixctl_server_run(c.unixctl);
        rampout_stats_run(c.rstats, c.sb_loop.idl);

        ofctrl_wait(c.ofctrl);
        pinctrl_wait(c.pinctrl);
        gateway_announce_wait(c.announce);
        color_detect_wait(c.detect);
        rampout_stats_wait(c.rstats);
        unixctl_server_wait(c.unixctl);
        int ovs_status = ovsdb_idl_loop_commit_and_wait(&c.ovs_loop);
        int sb_status = ovsdb_idl_loop_commit_and_wait(&c.sb_loop);
        if (!ovs_status || !sb_status) {
            /* A transaction failed: what it wrote is written again. */
            memset(&c.marks_seen, 0, sizeof c.marks_seen);
        }
        if (c.exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    if (!c.restart) {
        controller_exit_cleanup(&c);
    }
    if (c.exit_conn) {
        unixctl_command_reply(c.exit_conn, NULL);
    }
    unixctl_server_destroy(c.unixctl);
    ofctrl_destroy(c.ofctrl);
    pinctrl_log_set_sb(NULL, NULL);
    pinctrl_destroy(c.pinctrl);
    color_detect_destroy(c.detect);
    rampout_stats_destroy(c.rstats);
    gateway_claims_destroy(c.claims);
    gateway_announce_destroy(c.announce);
    sb_monitor_destroy(&c.sb_monitor);
    simap_destroy(&c.port_gens);
    ctrl_engine_destroy(&c.engine);
    desired_destroy(&c.desired);
    chassis_config_destroy(&c.cfg);
    free(c.cfg_error);
    free(c.sb_remote);
    ovsdb_idl_loop_destroy(&c.ovs_loop);
    ovsdb_idl_loop_destroy(&c.sb_loop);
    free(opts.ovs_remote);
    daemon_files_destroy(&opts.files);
    service_stop();
    return 0;
}
