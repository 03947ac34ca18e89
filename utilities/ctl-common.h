/*
 * The main loop and common options of Osmotic's database command-line
 * tools (osmotic-nbctl, osmotic-sbctl), on top of OVS's db-ctl-base.
 *
 * A tool registers its commands with db-ctl-base, then calls
 * ctlc_parse_options() for the options every tool shares (--db, --timeout,
 * --oneline, --dry-run, table formatting, SSL, logging), handing its own
 * options to a callback, and finally ctlc_execute(), which connects to the
 * database, runs the commands in one transaction, calls the tool's hooks
 * (e.g. to validate the rows the transaction touched before it commits),
 * commits, and prints the output.
 *
 * Timeouts: every blocking step of ctlc_execute() and ctlc_wait() stops
 * at the deadline that --timeout set, with a one-line message naming what
 * was being waited for, and exit status 1.
 */
#ifndef CTL_COMMON_H
#define CTL_COMMON_H 1

#include <getopt.h>
#include <stdbool.h>

#include "table.h"

struct ctl_command;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct shash;

/* Options shared by every tool. */
struct ctlc_options {
    char *db;                   /* Database remote. */
    unsigned int timeout;       /* Seconds; 0 to wait forever. */
    long long int deadline;     /* time_msec() at which to give up, or
                                 * LLONG_MAX. */
    bool oneline;               /* --oneline: one output line per cmd. */
    bool dry_run;               /* --dry-run: do not commit. */
    struct table_style table_style; /* -f, --columns... */
};

/* Callbacks a tool provides to ctlc_parse_options(). */
struct ctlc_option_hooks {
    /* The tool's own long options (terminated by a null entry), or NULL.
     * Their 'val' must be at least CTLC_OPTION_USER. */
    const struct option *options;

    /* Handles an option from 'options'; 'arg' is its argument or NULL. */
    void (*handle)(int option, const char *arg, void *aux);

    /* Prints the usage message and exits. */
    void (*usage)(void);

    /* Prints the version and exits. */
    void (*version)(void);

    void *aux;                  /* Passed to 'handle'. */
};

/* First option value free for a tool's own options. */
#define CTLC_OPTION_USER 1000

/* Hooks a tool provides to ctlc_execute() around its transaction. */
struct ctlc_txn_hooks {
    /* Called each time the IDL has a copy of the database that the commands
     * did not run on yet, and then again after every wake-up until it
     * returns true: returns true to run the commands on that copy, false
     * to wait (e.g. for rows that it asked the server to replicate).  May
     * be NULL. */
    bool (*ready)(struct ovsdb_idl *, void *aux);

    /* Called once the transaction is created, before any command runs. */
    void (*start)(struct ovsdb_idl *, struct ovsdb_idl_txn *, void *aux);

    /* Called after every command ran, before commit: returns NULL to
     * commit or a malloc()'d error to abandon the transaction and exit. */
    char *(*pre_commit)(struct ovsdb_idl *, struct ovsdb_idl_txn *,
                        void *aux);

    /* Called after a successful commit that changed the database. */
    void (*post_commit)(struct ovsdb_idl *, struct ovsdb_idl_txn *,
                        void *aux);

    /* Called once the commands' output is printed, whether or not the
     * transaction changed the database.  May be NULL. */
    void (*printed)(void *aux);

    void *aux;
};

void ctlc_options_init(struct ctlc_options *, const char *default_db);
void ctlc_parse_options(int argc, char *argv[], struct ctlc_options *,
                        const struct ctlc_option_hooks *,
                        struct shash *local_options);
void ctlc_print_common_options(void);
OVS_NO_RETURN void ctlc_print_version(const char *db_version);
char *ctlc_join_args(int argc, char *argv[]);

OVS_NO_RETURN void ctlc_execute(const char *args,
                                struct ctl_command *, size_t n_commands,
                                struct ovsdb_idl *,
                                const struct ctlc_options *,
                                const struct ctlc_txn_hooks *);

void ctlc_wait_for_idl(struct ovsdb_idl *, const struct ctlc_options *,
                       const char *what);
bool ctlc_block(struct ovsdb_idl *, const struct ctlc_options *);

#endif /* utilities/ctl-common.h */
