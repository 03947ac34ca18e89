/*
 * osmotic-northd: compiles the Osmotic_Northbound database into the
 * Osmotic_Southbound database.  This file is the daemon around the
 * compiler (northd.h): options, the two database connections, the SB
 * lock that makes one of several instances active, the main loop and the
 * unixctl commands.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/daemon-files.h"
#include "lib/osmotic-dirs.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "northd/cfg.h"
#include "northd/gateways.h"
#include "northd/mac-binding-aging.h"
#include "northd/northd.h"
#include "northd/unapplied.h"
#include "command-line.h"
#include "daemon.h"
#include "fatal-signal.h"
#include "memory.h"
#include "northd/lflow-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "simap.h"
#include "stream.h"
#include "stream-ssl.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(osmotic_northd);

/* Name of the SB lock that the active instance holds. */
#define NORTHD_LOCK_NAME "osmotic_northd"

/* Command-line options. */
struct northd_options {
    char *nb_db;                /* NB remote(s). */
    char *sb_db;                /* SB remote(s). */
    struct daemon_files files;  /* Control socket, pid file and log. */
};

/* After a database connection drops, the IDL keeps the old contents
 * until the server's first reply on the new connection replaces them (all
 * at once, possibly without reporting rows that disappeared meanwhile).
 * northd therefore recomputes fully once more after that reply. */
struct resync {
    bool pending;               /* Disconnected since the last recompute. */
    unsigned int seqno;         /* IDL seqno when last seen disconnected. */
};

/* Updates 'r' for 'idl'.  Returns true if the contents of 'idl' were just
 * replaced after a reconnection. */
static bool
resync_run(struct resync *r, const struct ovsdb_idl *idl)
{
    if (!ovsdb_idl_is_connected(idl)) {
        r->pending = true;
        r->seqno = ovsdb_idl_get_seqno(idl);
    } else if (r->pending && ovsdb_idl_get_seqno(idl) != r->seqno) {
        r->pending = false;
        return true;
    }
    return false;
}

/* State the unixctl commands see. */
struct northd_daemon {
    struct northd nd;           /* The compiler. */
    struct ovsdb_idl *nb_idl;   /* Northbound connection. */
    struct ovsdb_idl *sb_idl;   /* Southbound connection (with the lock). */
    const char *nb_remote;      /* NB remote(s), for "northd/status". */
    const char *sb_remote;      /* SB remote(s), for "northd/status". */
    bool exiting;               /* "exit" was requested. */
    bool paused;                /* "northd/pause" was requested. */
    struct resync nb_resync;    /* Reconnection state of 'nb_idl'. */
    struct resync sb_resync;    /* Reconnection state of 'sb_idl'. */
    struct nd_unapplied unapplied; /* NB rows logged as not applied. */
    struct nd_mac_binding_aging aging; /* MAC_Binding clean-up. */
};

/* Returns true if 'd' holds the SB lock and is not paused, that is, if
 * it is the instance that writes the SB. */
static bool
northd_daemon_is_active(const struct northd_daemon *d)
{
    return !d->paused && ovsdb_idl_has_lock(d->sb_idl);
}

/* Returns "paused", "disconnected" (from NB or SB), "active" or
 * "standby" for 'd'. */
static const char *
northd_daemon_status(const struct northd_daemon *d)
{
    return (d->paused ? "paused"
            : (!ovsdb_idl_is_connected(d->nb_idl)
               || !ovsdb_idl_is_connected(d->sb_idl)) ? "disconnected"
            : northd_daemon_is_active(d) ? "active"
            : "standby");
}

/* Prints the usage message and exits. */
OVS_NO_RETURN static void
usage(void)
{
    printf("%s: Osmotic northbound-to-southbound compiler\n"
           "usage: %s [OPTIONS]\n"
           "\nOptions:\n"
           "  --nb-db=DATABASE   connect to NB at DATABASE\n"
           "                     (default: %s)\n"
           "  --sb-db=DATABASE   connect to SB at DATABASE\n"
           "                     (default: %s)\n"
           "                     DATABASE may be a comma-separated list of\n"
           "                     the remotes of a clustered database\n",
           program_name, program_name, osmotic_default_nb_db(),
           osmotic_default_sb_db());
    daemon_files_usage(21);
    printf("  -p, --private-key=FILE, -c, --certificate=FILE,\n"
           "  -C, --ca-cert=FILE, --ssl-protocols=LIST, --ssl-ciphers=LIST\n"
           "                     SSL configuration for ssl: remotes\n"
           "  -h, --help         display this help message\n"
           "  -V, --version      display version information\n"
           "\nDaemon options:\n"
           "  --detach           run in background as daemon\n"
           "  --monitor          creates a process to monitor this daemon\n"
           "  --user=USER[:GROUP] changes the effective daemon user:group\n"
           "  --no-chdir         do not chdir to '/'\n"
           "  --overwrite-pidfile  with --pidfile, start even if already "
           "running\n"
           "\nLogging options:\n"
           "  -vSPEC, --verbose=SPEC  set logging levels\n"
           "  -v, --verbose      set maximum verbosity level\n"
           "  --syslog-method=(libc|unix:file|udp:ip:port)\n"
           "                     specify how to send messages to syslog\n"
           "  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT\n");
    exit(EXIT_SUCCESS);
}

/* Exits with an error naming 'option' unless every member of the comma-
 * separated 'remotes' is a valid active OVSDB connection method. */
static void
check_remotes(const char *option, const char *remotes)
{
    char *copy = xstrdup(remotes);
    char *save_ptr = NULL;
    bool any = false;
    for (char *remote = strtok_r(copy, ",", &save_ptr); remote;
         remote = strtok_r(NULL, ",", &save_ptr)) {
        if (stream_verify_name(remote)) {
            ovs_fatal(0, "%s: %s: invalid database remote (expected "
                      "unix:FILE, tcp:IP:PORT or ssl:IP:PORT)",
                      option, remote);
        }
        any = true;
    }
    if (!any) {
        ovs_fatal(0, "%s: empty database remote", option);
    }
    free(copy);
}

/* Parses the command line into 'opts'; exits on a bad option. */
static void
parse_options(int argc, char *argv[], struct northd_options *opts)
{
    enum {
        DAEMON_FILES_OPTION_ENUMS = UCHAR_MAX + 1,
        SSL_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"nb-db", required_argument, NULL, 'd'},
        {"sb-db", required_argument, NULL, 'D'},
        /* Before VLOG_LONG_OPTIONS and DAEMON_LONG_OPTIONS, which have
         * options of the same names (see lib/daemon-files.h). */
        DAEMON_FILES_LONG_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
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
        case 'd':
            free(opts->nb_db);
            opts->nb_db = xstrdup(optarg);
            break;
        case 'D':
            free(opts->sb_db);
            opts->sb_db = xstrdup(optarg);
            break;
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

    if (optind < argc) {
        ovs_fatal(0, "%s: unexpected argument (this program takes only "
                  "options)", argv[optind]);
    }
    if (!opts->nb_db) {
        opts->nb_db = xstrdup(osmotic_default_nb_db());
    }
    if (!opts->sb_db) {
        opts->sb_db = xstrdup(osmotic_default_sb_db());
    }
    check_remotes("--nb-db", opts->nb_db);
    check_remotes("--sb-db", opts->sb_db);
}

/* "exit": leaves the main loop. */
static void
northd_unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[] OVS_UNUSED, void *d_)
{
    struct northd_daemon *d = d_;
    d->exiting = true;
    unixctl_command_reply(conn, NULL);
}

/* Appends to 'out' a line "NAME: ..." that tells whether 'idl' is
 * connected to 'remote'. */
static void
format_connection(struct ds *out, const char *name,
                  const struct ovsdb_idl *idl, const char *remote)
{
    if (ovsdb_idl_is_connected(idl)) {
        ds_put_format(out, "%s: connected to %s\n", name, remote);
        return;
    }
    ds_put_format(out, "%s: not connected, %s %s", name,
                  ovsdb_idl_has_ever_connected(idl) ? "reconnecting to"
                  : "connecting to", remote);
    int error = ovsdb_idl_get_last_error(idl);
    if (error) {
        ds_put_format(out, " (%s)", ovs_retval_to_string(error));
    }
    ds_put_char(out, '\n');
}

/* Returns the state of the SB lock of 'd', for "northd/status". */
static const char *
lock_state(const struct northd_daemon *d)
{
    return (d->paused ? "released (paused)"
            : ovsdb_idl_has_lock(d->sb_idl) ? "held"
            : !ovsdb_idl_is_connected(d->sb_idl) ? "not held (no SB)"
            : ovsdb_idl_is_lock_contended(d->sb_idl)
            ? "held by another instance"
            : "requested");
}

/* "northd/status": prints the state, the database connections and the
 * lock. */
static void
northd_unixctl_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *d_)
{
    struct northd_daemon *d = d_;
    struct ds out = DS_EMPTY_INITIALIZER;
    ds_put_format(&out, "state: %s\n", northd_daemon_status(d));
    format_connection(&out, "nb", d->nb_idl, d->nb_remote);
    format_connection(&out, "sb", d->sb_idl, d->sb_remote);
    ds_put_format(&out, "lock: %s %s\n", NORTHD_LOCK_NAME, lock_state(d));
    unixctl_command_reply(conn, ds_cstr(&out));
    ds_destroy(&out);
}

/* "northd/recompute": the next run is a full recompute. */
static void
northd_unixctl_recompute(struct unixctl_conn *conn, int argc OVS_UNUSED,
                         const char *argv[] OVS_UNUSED, void *d_)
{
    struct northd_daemon *d = d_;
    d->nd.need_full = true;
    poll_immediate_wake();
    unixctl_command_reply(conn, NULL);
}

/* "northd/pause": stops processing and gives up the lock. */
static void
northd_unixctl_pause(struct unixctl_conn *conn, int argc OVS_UNUSED,
                     const char *argv[] OVS_UNUSED, void *d_)
{
    struct northd_daemon *d = d_;
    if (!d->paused) {
        /* Paused, northd gives up the lock so that a standby takes over. */
        d->paused = true;
        ovsdb_idl_set_lock(d->sb_idl, NULL);
    }
    unixctl_command_reply(conn, NULL);
}

/* "northd/resume": asks for the lock again. */
static void
northd_unixctl_resume(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *d_)
{
    struct northd_daemon *d = d_;
    if (d->paused) {
        d->paused = false;
        d->nd.need_full = true;
        ovsdb_idl_set_lock(d->sb_idl, NORTHD_LOCK_NAME);
        poll_immediate_wake();
    }
    unixctl_command_reply(conn, NULL);
}

/* "northd/counts": prints the state, the number of chassis, sizes and
 * compile statistics. */
static void
northd_unixctl_counts(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *d_)
{
    struct northd_daemon *d = d_;
    struct ds out = DS_EMPTY_INITIALIZER;
    ds_put_format(&out, "state: %s\n", northd_daemon_status(d));
    size_t n_chassis = 0;
    const struct sbrec_chassis *chassis;
    SBREC_CHASSIS_FOR_EACH (chassis, d->sb_idl) {
        n_chassis++;
    }
    ds_put_format(&out, "chassis: %"PRIuSIZE"\n", n_chassis);
    northd_format_counts(&d->nd, &out);
    unixctl_command_reply(conn, ds_cstr(&out));
    ds_destroy(&out);
}

/* Registers the unixctl commands, all operating on 'd'. */
static void
register_unixctl_commands(struct northd_daemon *d)
{
    unixctl_command_register("exit", "", 0, 0, northd_unixctl_exit, d);
    unixctl_command_register("northd/status", "", 0, 0,
                             northd_unixctl_status, d);
    unixctl_command_register("northd/recompute", "", 0, 0,
                             northd_unixctl_recompute, d);
    unixctl_command_register("northd/pause", "", 0, 0,
                             northd_unixctl_pause, d);
    unixctl_command_register("northd/resume", "", 0, 0,
                             northd_unixctl_resume, d);
    unixctl_command_register("northd/counts", "", 0, 0,
                             northd_unixctl_counts, d);
}

/* Stops 'sb' from replicating what northd never reads: the tables of the
 * controllers and of features compiled elsewhere, and columns of its own
 * tables it does not use.  Of MAC bindings, which northd ages out, the
 * timestamps that the controllers refresh do not wake it.  The IDL
 * lets northd write an omitted column only in a row it inserts: writing
 * one of these in an existing row would abort. */
static void
sb_omit_unused(struct ovsdb_idl *sb)
{
    static const struct {
        const struct ovsdb_idl_column *columns;
        size_t n;
    } tables[] = {
#define TABLE(NAME, N) { sbrec_##NAME##_columns, N }
        TABLE(encap, SBREC_ENCAP_N_COLUMNS),
        TABLE(connection, SBREC_CONNECTION_N_COLUMNS),
        TABLE(ssl, SBREC_SSL_N_COLUMNS),
#undef TABLE
    };
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        for (size_t j = 0; j < tables[i].n; j++) {
            ovsdb_idl_omit(sb, &tables[i].columns[j]);
        }
    }
    static const struct ovsdb_idl_column *const columns[] = {
        &sbrec_chassis_col_hostname,
        &sbrec_chassis_col_encaps,
        &sbrec_chassis_col_other_config,
        &sbrec_chassis_col_external_ids,
        &sbrec_chassis_private_col_external_ids,
        &sbrec_port_binding_col_external_ids,
        &sbrec_sb_global_col_connections,
        &sbrec_sb_global_col_ssl,
    };
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_omit(sb, columns[i]);
    }
    ovsdb_idl_omit_alert(sb, &sbrec_mac_binding_col_timestamp);
}

/* Commits the open transaction of 'loop', counting in '*n_txns' one that
 * changes the database.  Returns what ovsdb_idl_loop_commit_and_wait()
 * returns. */
static int
commit_and_count(struct ovsdb_idl_loop *loop, uint64_t *n_txns)
{
    if (loop->open_txn) {
        enum ovsdb_idl_txn_status status
            = ovsdb_idl_txn_commit(loop->open_txn);
        if (status == TXN_INCOMPLETE || status == TXN_SUCCESS) {
            (*n_txns)++;
        }
    }
    return ovsdb_idl_loop_commit_and_wait(loop);
}

/* Logs (and serves to "memory/show") the memory northd's state uses. */
static void
northd_memory_report(const struct northd_daemon *d)
{
    struct simap usage = SIMAP_INITIALIZER(&usage);
    ovsdb_idl_get_memory_usage(d->nb_idl, &usage);
    ovsdb_idl_get_memory_usage(d->sb_idl, &usage);
    simap_increase(&usage, "lflows", lflow_table_count(d->nd.lflows));
    simap_increase(&usage, "datapaths", hmap_count(&d->nd.dps.datapaths));
    simap_increase(&usage, "ports", hmap_count(&d->nd.dps.ports));
    memory_report(&usage);
    simap_destroy(&usage);
}

/* One iteration of the main loop's database work. */
static void
northd_daemon_run(struct northd_daemon *d, struct ovsdb_idl_loop *nb_loop,
                  struct ovsdb_idl_loop *sb_loop)
{
    struct ovsdb_idl_txn *nb_txn = ovsdb_idl_loop_run(nb_loop);
    struct ovsdb_idl_txn *sb_txn = ovsdb_idl_loop_run(sb_loop);
    if (resync_run(&d->nb_resync, d->nb_idl)
        | resync_run(&d->sb_resync, d->sb_idl)) {
        d->nd.need_full = true;
        nd_unapplied_resync(&d->unapplied);
    }
    bool active = northd_daemon_is_active(d);
    bool ready = (ovsdb_idl_has_ever_connected(d->nb_idl)
                  && ovsdb_idl_has_ever_connected(d->sb_idl)
                  && ovsdb_idl_is_connected(d->nb_idl));

    if (!active || !ovsdb_idl_is_connected(d->nb_idl)) {
        /* Whatever happens while northd is not in charge, it cannot trust
         * its state afterward. */
        northd_abandon_full(&d->nd);
        nd_unapplied_resync(&d->unapplied);
        ovsdb_idl_track_clear(d->nb_idl);
        ovsdb_idl_track_clear(d->sb_idl);
        return;
    }
    if (ready) {
        cfg_note_nb_cfg(&d->nd, d->nb_idl);
    }
    if (ready && sb_txn) {
        struct nd_sync_ctx ctx = {
            .nb_idl = d->nb_idl,
            .sb_idl = d->sb_idl,
            .sb_txn = sb_txn,
        };
        northd_run(&d->nd, &ctx);
        nd_mac_binding_aging_run(&d->aging, d->nb_idl, d->sb_idl, sb_txn);
        nd_unapplied_run(&d->unapplied, d->nb_idl);
        /* Controllers must not see nb_cfg move before the flows are in. */
        if (!northd_flows_pending(&d->nd)) {
            sb_loop->next_cfg = cfg_sb_run(d->nb_idl, d->sb_idl, sb_txn);
        }
        ovsdb_idl_track_clear(d->nb_idl);
        ovsdb_idl_track_clear(d->sb_idl);
    } else if (ready) {
        /* An SB transaction is in flight: a full recompute builds its
         * flows meanwhile. */
        northd_build_pending(&d->nd, d->nb_idl, 8);
    }
    if (ready && nb_txn) {
        cfg_nb_run(&d->nd, d->nb_idl, nb_txn, d->sb_idl, sb_loop->cur_cfg);
        nd_gateways_sync_nb(d->nb_idl, d->sb_idl);
        nd_bfd_sync_nb(d->nb_idl, d->sb_idl);
    }
}

/* Turns off glibc's fastbins (its lists of small freed chunks).  northd
 * builds and frees JSON trees of tens of megabytes, a full SB transaction
 * and the replies to it; with fastbins, freeing such a tree consolidates
 * the small chunks again and again, which took about a fifth of northd's
 * CPU time in an initial compile of 10,000 ports. */
static void
tune_malloc(void)
{
#if defined(__GLIBC__) && defined(M_MXFAST)
    mallopt(M_MXFAST, 0);
#endif
}

/* Starts the daemon and runs its main loop until "exit" or a signal. */
int
main(int argc, char *argv[])
{
    struct northd_options opts = { .nb_db = NULL, .sb_db = NULL };

    /* "--unixctl=none" names a file: northd always has a control socket. */
    daemon_files_init(&opts.files, false);
    tune_malloc();
    set_program_name(argv[0]);
    service_start(&argc, &argv);
    fatal_ignore_sigpipe();
    parse_options(argc, argv, &opts);

    daemonize_start(false);
    const char *unixctl_path = daemon_files_unixctl(&opts.files);
    struct unixctl_server *unixctl;
    int error = unixctl_server_create(unixctl_path, &unixctl);
    if (error) {
        ovs_fatal(error, "%s: could not create control socket",
                  unixctl_path);
    }

    struct northd_daemon d;
    memset(&d, 0, sizeof d);
    northd_init(&d.nd);
    nd_unapplied_init(&d.unapplied);
    d.nb_remote = opts.nb_db;
    d.sb_remote = opts.sb_db;
    register_unixctl_commands(&d);
    daemonize_complete();

    d.nb_idl = ovsdb_idl_create(opts.nb_db, &nbrec_idl_class, true, true);
    ovsdb_idl_track_add_all(d.nb_idl);
    /* northd's own report: no flow depends on it. */
    ovsdb_idl_omit_alert(d.nb_idl, &nbrec_rampout_rule_col_status);
    ovsdb_idl_omit_alert(d.nb_idl, &nbrec_color_col_status);
    ovsdb_idl_omit_alert(d.nb_idl, &nbrec_bfd_col_status);
    d.sb_idl = ovsdb_idl_create(opts.sb_db, &sbrec_idl_class, true, true);
    /* Tracking a column also replicates it: omit after tracking. */
    ovsdb_idl_track_add_all(d.sb_idl);
    sb_omit_unused(d.sb_idl);
    nd_mac_binding_aging_init(&d.aging, d.sb_idl);
    lflow_table_sb_monitor(d.sb_idl);
    ovsdb_idl_set_lock(d.sb_idl, NORTHD_LOCK_NAME);

    struct ovsdb_idl_loop nb_loop = OVSDB_IDL_LOOP_INITIALIZER(d.nb_idl);
    struct ovsdb_idl_loop sb_loop = OVSDB_IDL_LOOP_INITIALIZER(d.sb_idl);
    /* No SB transaction has committed yet: sb_cfg is not known. */
    sb_loop.cur_cfg = sb_loop.next_cfg = -1;

    VLOG_INFO("NB %s, SB %s", opts.nb_db, opts.sb_db);
    bool was_active = false;
    while (!d.exiting) {
        memory_run();
        if (memory_should_report()) {
            northd_memory_report(&d);
        }
        northd_daemon_run(&d, &nb_loop, &sb_loop);

        bool active = northd_daemon_is_active(&d);
        if (active != was_active) {
            VLOG_INFO("%s", active ? "lock acquired: this instance is active"
                      : "lock not held: this instance is standby");
            was_active = active;
        }

        unixctl_server_run(unixctl);
        if (!commit_and_count(&sb_loop, &d.nd.n_sb_txns)) {
            northd_abandon_full(&d.nd);
        }
        commit_and_count(&nb_loop, &d.nd.n_nb_txns);
        /* A full recompute goes on at once with its next step: building
         * the flows, or putting them in SB if its first transaction changed
         * nothing. */
        if (northd_daemon_is_active(&d) && northd_flows_pending(&d.nd)
            && (!northd_flows_built(&d.nd) || !sb_loop.committing_txn)) {
            poll_immediate_wake();
        }

        if (northd_daemon_is_active(&d)) {
            nd_mac_binding_aging_wait(&d.aging);
        }
        memory_wait();
        unixctl_server_wait(unixctl);
        if (d.exiting) {
            poll_immediate_wake();
        }
        poll_block();
        if (should_service_stop()) {
            d.exiting = true;
        }
    }

    unixctl_server_destroy(unixctl);
    /* Destroying the loops destroys their IDLs too. */
    ovsdb_idl_loop_destroy(&nb_loop);
    ovsdb_idl_loop_destroy(&sb_loop);
    northd_destroy(&d.nd);
    nd_unapplied_destroy(&d.unapplied);
    free(opts.nb_db);
    free(opts.sb_db);
    daemon_files_destroy(&opts.files);
    service_stop();
    return 0;
}
