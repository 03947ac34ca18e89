#include <config.h>

#include "utilities/ctl-common.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "stream.h"
#include "stream-ssl.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ctl_common);

/* Sets '*opts' to the defaults, with 'default_db' as the database. */
void
ctlc_options_init(struct ctlc_options *opts, const char *default_db)
{
    memset(opts, 0, sizeof *opts);
    opts->db = xstrdup(default_db);
    opts->deadline = LLONG_MAX;
    opts->table_style = (struct table_style) TABLE_STYLE_DEFAULT;
}

/* Option values of the options every tool shares. */
enum {
    OPT_DB = UCHAR_MAX + 1,
    OPT_ONELINE,
    OPT_DRY_RUN,
    OPT_LOCAL,
    OPT_COMMANDS,
    OPT_OPTIONS,
    VLOG_OPTION_ENUMS,
    TABLE_OPTION_ENUMS,
    SSL_OPTION_ENUMS,
};

/* The options every tool shares. */
static const struct option common_long_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"timeout", required_argument, NULL, 't'},
    {"oneline", no_argument, NULL, OPT_ONELINE},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"commands", no_argument, NULL, OPT_COMMANDS},
    {"options", no_argument, NULL, OPT_OPTIONS},
    VLOG_LONG_OPTIONS,
    TABLE_LONG_OPTIONS,
    STREAM_SSL_LONG_OPTIONS,
};

/* Prints the help text of the shared options. */
void
ctlc_print_common_options(void)
{
    printf("\
Options:\n\
  --db=DATABASE               connect to DATABASE\n\
  -t, --timeout=SECS          give up after SECS seconds (default: never)\n\
  --oneline                   print exactly one line of output per command\n\
  --dry-run                   do not commit changes to database\n\
  -f, --format=FORMAT         table, list, csv, json, html or bare\n\
  --columns=COLUMN,...        columns to print (list and find commands)\n\
  -h, --help                  display this help message\n\
  -V, --version               display version information\n\
  --commands, --options       list the commands, the options\n");
    stream_usage("database", true, true, false);
    vlog_usage();
}

/* Builds the long option array: the shared options, then the tool's own
 * 'extra', then every command's options as OPT_LOCAL.  Sets '*n_fixed' to
 * the number of entries that the caller does not free. */
static struct option *
build_long_options(const struct option *extra, size_t *n_fixed)
{
    size_t n_extra = 0;
    while (extra && extra[n_extra].name) {
        n_extra++;
    }
    size_t n = ARRAY_SIZE(common_long_options) + n_extra;
    size_t allocated = n + 1;
    struct option *options = xmalloc(allocated * sizeof *options);
    memcpy(options, common_long_options, sizeof common_long_options);
    if (n_extra) {
        memcpy(&options[ARRAY_SIZE(common_long_options)], extra,
               n_extra * sizeof *extra);
    }
    memset(&options[n], 0, sizeof options[n]);
    *n_fixed = n;
    ctl_add_cmd_options(&options, &n, &allocated, OPT_LOCAL);
    return options;
}

/* Parses the options in 'argv' (the global options, and the options of
 * the first command given before it) into 'opts', the tool's own options
 * through 'hooks', and command options into 'local_options'.  Leaves
 * 'optind' at the first command. */
void
ctlc_parse_options(int argc, char *argv[], struct ctlc_options *opts,
                   const struct ctlc_option_hooks *hooks,
                   struct shash *local_options)
{
    size_t n_fixed;
    struct option *options = build_long_options(hooks->options, &n_fixed);
    char *tmp = ovs_cmdl_long_options_to_short_options(options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    for (;;) {
        int idx;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            free(opts->db);
            opts->db = xstrdup(optarg);
            break;

        case 't':
            if (!str_to_uint(optarg, 10, &opts->timeout) || !opts->timeout) {
                ctl_fatal("--timeout: %s: invalid value (expected a positive "
                          "number of seconds)", optarg);
            }
            break;

        case OPT_ONELINE:
            opts->oneline = true;
            break;

        case OPT_DRY_RUN:
            opts->dry_run = true;
            break;

        case OPT_LOCAL:
            if (shash_find(local_options, options[idx].name)) {
                ctl_fatal("'%s' option specified multiple times",
                          options[idx].name);
            }
            shash_add_nocopy(local_options,
                             xasprintf("--%s", options[idx].name),
                             nullable_xstrdup(optarg));
            break;

        case 'h':
            hooks->usage();
            OVS_NOT_REACHED();

        case OPT_COMMANDS:
            ctl_print_commands();
            exit(EXIT_SUCCESS);

        case OPT_OPTIONS:
            ctl_print_options(options);
            exit(EXIT_SUCCESS);

        case 'V':
            hooks->version();
            OVS_NOT_REACHED();

        VLOG_OPTION_HANDLERS
        TABLE_OPTION_HANDLERS(&opts->table_style)
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        case 0:
            break;

        default:
            if (c >= CTLC_OPTION_USER && hooks->handle) {
                hooks->handle(c, optarg, hooks->aux);
                break;
            }
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (opts->timeout) {
        opts->deadline = time_msec() + opts->timeout * 1000LL;
    }
    for (size_t i = n_fixed; options[i].name; i++) {
        free(CONST_CAST(char *, options[i].name));
    }
    free(options);
}

/* Waits for 'idl' to change or for the deadline of 'opts'.  Returns false
 * if the deadline has passed. */
bool
ctlc_block(struct ovsdb_idl *idl, const struct ctlc_options *opts)
{
    if (time_msec() >= opts->deadline) {
        return false;
    }
    ovsdb_idl_wait(idl);
    if (opts->deadline != LLONG_MAX) {
        poll_timer_wait_until(opts->deadline);
    }
    poll_block();
    return time_msec() < opts->deadline;
}

/* Exits with a message saying that the wait for 'what' timed out. */
static void OVS_NO_RETURN
timed_out(const struct ctlc_options *opts, const char *what)
{
    ctl_fatal("timed out after %u seconds waiting for %s", opts->timeout,
              what);
}

/* Runs 'idl' once, exiting with a message if its connection failed for
 * good. */
static void
run_idl(struct ovsdb_idl *idl, const struct ctlc_options *opts)
{
    ovsdb_idl_run(idl);
    if (!ovsdb_idl_is_alive(idl)) {
        int retval = ovsdb_idl_get_last_error(idl);
        ctl_fatal("%s: database connection failed (%s)", opts->db,
                  ovs_retval_to_string(retval));
    }
}

/* Runs 'idl' until it has a new copy of the database contents (its
 * sequence number changes), exiting on connection failure or timeout. */
void
ctlc_wait_for_idl(struct ovsdb_idl *idl, const struct ctlc_options *opts,
                  const char *what)
{
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    for (;;) {
        run_idl(idl, opts);
        if (seqno != ovsdb_idl_get_seqno(idl)) {
            return;
        }
        if (!ctlc_block(idl, opts)) {
            timed_out(opts, what);
        }
    }
}

/* Prints the output of command 'c' according to 'opts'. */
static void
print_command_output(struct ctl_command *c, const struct ctlc_options *opts)
{
    struct ds *ds = &c->output;
    if (c->table) {
        table_print(c->table, &opts->table_style);
    } else if (opts->oneline) {
        ds_chomp(ds, '\n');
        for (size_t j = 0; j < ds->length; j++) {
            int ch = ds->string[j];
            if (ch == '\n') {
                fputs("\\n", stdout);
            } else if (ch == '\\') {
                fputs("\\\\", stdout);
            } else {
                putchar(ch);
            }
        }
        putchar('\n');
    } else {
        fputs(ds_cstr(ds), stdout);
    }
}

/* Exits if a row id ("--id=@name") was referenced but never created. */
static void
check_symbols(struct ovsdb_symbol_table *symtab)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &symtab->sh) {
        struct ovsdb_symbol *symbol = node->data;
        if (!symbol->created) {
            ctl_fatal("row id \"%s\" is referenced but never created "
                      "(e.g. with \"-- --id=%s create ...\")",
                      node->name, node->name);
        }
        if (!symbol->strong_ref && !symbol->weak_ref) {
            VLOG_WARN("row id \"%s\" was created but no reference to it "
                      "was inserted, so it will not appear in the database",
                      node->name);
        }
    }
}

/* Runs every command in a new transaction on 'idl'.  Returns false if the
 * commands must be run again on a newer copy of the database. */
static bool
run_commands(struct ovsdb_idl_txn *txn, struct ovsdb_symbol_table *symtab,
             struct ctl_command *commands, size_t n_commands,
             struct ovsdb_idl *idl)
{
    struct ctl_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctl_context_init(&ctx, NULL, idl, txn, symtab, NULL);
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        /* Never tell a command that it is the last one: db-ctl-base would
         * then write partial set and map updates, which the IDL does not
         * show in the row until after commit, so a pre-commit hook could
         * not see the values it must check. */
        ctl_context_init_command(&ctx, c, false);
        if (c->syntax->run) {
            c->syntax->run(&ctx);
        }
        if (ctx.error) {
            ctl_fatal("%s", ctx.error);
        }
        ctl_context_done_command(&ctx, c);
        if (ctx.try_again) {
            ctl_context_done(&ctx, NULL);
            return false;
        }
    }
    ctl_context_done(&ctx, NULL);
    return true;
}

/* Commits 'txn', waiting at most until the deadline of 'opts'. */
static enum ovsdb_idl_txn_status
commit_txn(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
           const struct ctlc_options *opts)
{
    for (;;) {
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);
        if (status != TXN_INCOMPLETE) {
            return status;
        }
        ovsdb_idl_run(idl);
        ovsdb_idl_txn_wait(txn);
        if (!ctlc_block(idl, opts)) {
            timed_out(opts, "the database to commit the transaction");
        }
    }
}

/* Runs the postprocess step of every command. */
static void
postprocess_commands(struct ovsdb_idl_txn *txn,
                     struct ovsdb_symbol_table *symtab,
                     struct ctl_command *commands, size_t n_commands,
                     struct ovsdb_idl *idl)
{
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        if (c->syntax->postprocess) {
            struct ctl_context ctx;
            memset(&ctx, 0, sizeof ctx);
            ctl_context_init(&ctx, c, idl, txn, symtab, NULL);
            c->syntax->postprocess(&ctx);
            if (ctx.error) {
                ctl_fatal("%s", ctx.error);
            }
            ctl_context_done(&ctx, c);
        }
    }
}

/* Executes 'commands' once: returns false if they must run again. */
static bool
execute_once(const char *args, struct ctl_command *commands,
             size_t n_commands, struct ovsdb_idl *idl,
             const struct ctlc_options *opts,
             const struct ctlc_txn_hooks *hooks)
{
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    if (opts->dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "%s: %s", program_name, args);
    if (hooks->start) {
        hooks->start(idl, txn, hooks->aux);
    }

    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_init(&c->output);
        c->table = NULL;
    }
    bool done = run_commands(txn, symtab, commands, n_commands, idl);
    enum ovsdb_idl_txn_status status = TXN_TRY_AGAIN;
    if (done) {
        check_symbols(symtab);
        if (hooks->pre_commit) {
            char *error = hooks->pre_commit(idl, txn, hooks->aux);
            if (error) {
                ctl_fatal("%s", error);
            }
        }
        status = commit_txn(idl, txn, opts);
        if (status == TXN_ERROR) {
            ctl_fatal("transaction error: %s", ovsdb_idl_txn_get_error(txn));
        } else if (status == TXN_ABORTED || status == TXN_NOT_LOCKED) {
            ctl_fatal("transaction %s", ovsdb_idl_txn_status_to_string(
                          status));
        }
    }

    if (status == TXN_SUCCESS || status == TXN_UNCHANGED) {
        postprocess_commands(txn, symtab, commands, n_commands, idl);
        for (struct ctl_command *c = commands; c < &commands[n_commands];
             c++) {
            print_command_output(c, opts);
        }
        fflush(stdout);
        if (hooks->printed) {
            hooks->printed(hooks->aux);
        }
        if (status == TXN_SUCCESS && !opts->dry_run && hooks->post_commit) {
            hooks->post_commit(idl, txn, hooks->aux);
        }
    } else {
        ovsdb_idl_txn_abort(txn);
    }

    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        c->table = NULL;
    }
    ovsdb_symbol_table_destroy(symtab);
    ovsdb_idl_txn_destroy(txn);
    return status == TXN_SUCCESS || status == TXN_UNCHANGED;
}

/* Connects 'idl' to its database and executes 'commands' in a single
 * transaction, retrying as long as the database changes under it.  Exits:
 * 0 on success, 1 (with a message) on any error or timeout.  'args' is
 * the command line, recorded as the transaction's comment. */
void
ctlc_execute(const char *args, struct ctl_command *commands,
             size_t n_commands, struct ovsdb_idl *idl,
             const struct ctlc_options *opts,
             const struct ctlc_txn_hooks *hooks)
{
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    bool fresh = false;         /* A copy the commands did not run on. */
    for (;;) {
        run_idl(idl, opts);
        if (seqno != ovsdb_idl_get_seqno(idl)) {
            seqno = ovsdb_idl_get_seqno(idl);
            fresh = true;
        }
        if (fresh && (!hooks->ready || hooks->ready(idl, hooks->aux))) {
            fresh = false;
            if (execute_once(args, commands, n_commands, idl, opts, hooks)) {
                for (size_t i = 0; i < n_commands; i++) {
                    shash_destroy_free_data(&commands[i].options);
                }
                free(commands);
                ovsdb_idl_destroy(idl);
                exit(EXIT_SUCCESS);
            }
        }
        if (seqno == ovsdb_idl_get_seqno(idl) && !ctlc_block(idl, opts)) {
            timed_out(opts, "the database");
        }
    }
}

/* Prints the tool's version and the version of the database schema it was
 * built for, 'db_version', and exits. */
void
ctlc_print_version(const char *db_version)
{
    printf("%s (Osmotic) %s\n", program_name, OSMOTIC_VERSION);
    printf("DB Schema %s\n", db_version);
    exit(EXIT_SUCCESS);
}

/* Returns argv[1] to argv[argc - 1] joined by spaces, in a malloc()'d
 * string (the command line as a transaction comment). */
char *
ctlc_join_args(int argc, char *argv[])
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < argc; i++) {
        ds_put_format(&ds, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    return ds_steal_cstr(&ds);
}
