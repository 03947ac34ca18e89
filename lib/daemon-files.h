/*
 * A daemon's files and the options that name them.
 *
 * osmotic-northd and osmotic-controller keep their control socket
 * (--unixctl) and pid file (--pidfile) in Osmotic's run directory and
 * their log (--log-file) in Osmotic's log directory (lib/osmotic-dirs.h):
 * by default PROGRAM.ctl, PROGRAM.pid and PROGRAM.log there, and a
 * relative name given on the command line is taken in the same directory.
 *
 * A daemon puts DAEMON_FILES_OPTION_ENUMS in its option enumeration,
 * DAEMON_FILES_LONG_OPTIONS before VLOG_LONG_OPTIONS and
 * DAEMON_LONG_OPTIONS in its long options (getopt_long() takes the first
 * of two options with the same name, so these hide OVS's --pidfile and
 * --log-file, whose defaults are in OVS's directories), and
 * DAEMON_FILES_OPTION_HANDLERS(&files) in the switch over getopt_long()'s
 * result.  After parsing, daemon_files_unixctl() is the control socket to
 * pass to unixctl_server_create().
 */
#ifndef DAEMON_FILES_H
#define DAEMON_FILES_H 1

#include <stdbool.h>

#include "openvswitch/compiler.h"

/* The files of one daemon, as its command line chose them. */
struct daemon_files {
    bool unixctl_none;          /* Whether "--unixctl=none" means no
                                 * control socket (otherwise "none" is a
                                 * file name like any other). */
    char *unixctl;              /* Control socket: an absolute name, "none",
                                 * or NULL before daemon_files_unixctl()
                                 * for the default. */
};

/* Initializes 'files' with every file at its default.  'unixctl_none'
 * tells whether "--unixctl=none" turns the control socket off. */
void daemon_files_init(struct daemon_files *files, bool unixctl_none);

/* Frees what 'files' holds.  Accepts NULL. */
void daemon_files_destroy(struct daemon_files *files);

/* --unixctl=NAME: 'name' taken in the run directory, or "none" if 'files'
 * allows it. */
void daemon_files_set_unixctl(struct daemon_files *files, const char *name);

/* Returns the control socket of 'files': the one set, or PROGRAM.ctl in
 * the run directory.  The string is owned by 'files'. */
const char *daemon_files_unixctl(struct daemon_files *files);

/* --pidfile[=NAME]: 'name' taken in the run directory, or PROGRAM.pid
 * there if 'name' is NULL. */
void daemon_files_set_pidfile(const char *name);

/* --log-file[=NAME]: 'name' taken in the log directory, or PROGRAM.log
 * there if 'name' is NULL.  Exits with a failure status if the file
 * cannot be opened (the log says why). */
void daemon_files_set_log_file(const char *name);

/* Prints the help for --unixctl, --pidfile and --log-file with the
 * current defaults, each description starting at column 'column'. */
void daemon_files_usage(int column);

/* Prints "PROGRAM (Osmotic) VERSION", for --version, and exits
 * successfully. */
OVS_NO_RETURN void daemon_files_print_version(void);

/* Options that a daemon adds to its enumeration of long-only options. */
#define DAEMON_FILES_OPTION_ENUMS               \
    OPT_DAEMON_FILES_UNIXCTL,                   \
    OPT_DAEMON_FILES_PIDFILE,                   \
    OPT_DAEMON_FILES_LOG_FILE

/* The long options, to come before VLOG_LONG_OPTIONS and
 * DAEMON_LONG_OPTIONS. */
#define DAEMON_FILES_LONG_OPTIONS                                       \
    {"unixctl", required_argument, NULL, OPT_DAEMON_FILES_UNIXCTL},     \
    {"pidfile", optional_argument, NULL, OPT_DAEMON_FILES_PIDFILE},     \
    {"log-file", optional_argument, NULL, OPT_DAEMON_FILES_LOG_FILE}

/* The cases of the option switch, storing into 'FILES'. */
#define DAEMON_FILES_OPTION_HANDLERS(FILES)             \
        case OPT_DAEMON_FILES_UNIXCTL:                  \
            daemon_files_set_unixctl(FILES, optarg);    \
            break;                                      \
                                                        \
        case OPT_DAEMON_FILES_PIDFILE:                  \
            daemon_files_set_pidfile(optarg);           \
            break;                                      \
                                                        \
        case OPT_DAEMON_FILES_LOG_FILE:                 \
            daemon_files_set_log_file(optarg);          \
            break;

#endif /* lib/daemon-files.h */
