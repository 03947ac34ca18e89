/*
 * osmotic-nbctl: command-line front end to the Osmotic_Northbound
 * database.  The command families live in nbctl-*.c; this file has the
 * main program, the options, the helpers they share, and the commands
 * about the database itself (init, show, sync, connections, SSL).
 */
#include <config.h>

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/idl-pending.h"
#include "lib/nb-unapplied.h"
#include "lib/nb-validate.h"
#include "lib/osmotic-dirs.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/ctl-common.h"
#include "utilities/nbctl.h"

#include "command-line.h"
#include "db-ctl-base.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "stream-ssl.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nbctl);

/* What a change waits for after it commits (--wait). */
enum nbctl_wait {
    NBCTL_WAIT_NONE,            /* Nothing. */
    NBCTL_WAIT_SB,              /* NB_Global.sb_cfg >= the new nb_cfg. */
    NBCTL_WAIT_HV,              /* NB_Global.hv_cfg >= the new nb_cfg. */
};

/* osmotic-nbctl's own options. */
struct nbctl_options {
    struct ctlc_options common; /* Options every tool shares. */
    enum nbctl_wait wait;       /* --wait. */
    bool force_wait;            /* The "sync" command was given. */
    struct nb_validate_counts counts; /* Row counts before the commands. */
    struct nbctl_partial *partial; /* Rows replicated, if not all. */
    struct sset unapplied;      /* Kinds of configuration written that
                                 * nothing applies yet (nb-unapplied.h). */
    bool print_wait_time;       /* --print-wait-time. */
    long long int start_time;   /* Wall clock (ms) when the commands ran. */
    bool leader_only;           /* Only a cluster's leader will do. */
    bool shuffle_remotes;       /* Try the remotes in random order. */
};

/* Option values of osmotic-nbctl's own options. */
enum {
    OPT_WAIT = CTLC_OPTION_USER,
    OPT_NO_WAIT,
    OPT_PRINT_WAIT_TIME,
    OPT_LEADER_ONLY,
    OPT_NO_LEADER_ONLY,
    OPT_SHUFFLE_REMOTES,
    OPT_NO_SHUFFLE_REMOTES,
    OPT_NO_SYSLOG,
};

/* ctl_table_class for every NB table: how generic commands find rows. */
static const struct ctl_table_class nbctl_tables[NBREC_N_TABLES] = {
    [NBREC_TABLE_LOGICAL_SWITCH].row_ids[0]
        = {&nbrec_logical_switch_col_name, NULL, NULL},
    [NBREC_TABLE_LOGICAL_SWITCH_PORT].row_ids[0]
        = {&nbrec_logical_switch_port_col_name, NULL, NULL},
    [NBREC_TABLE_LOGICAL_ROUTER].row_ids[0]
        = {&nbrec_logical_router_col_name, NULL, NULL},
    [NBREC_TABLE_LOGICAL_ROUTER_PORT].row_ids[0]
        = {&nbrec_logical_router_port_col_name, NULL, NULL},
    [NBREC_TABLE_HA_CHASSIS_GROUP].row_ids[0]
        = {&nbrec_ha_chassis_group_col_name, NULL, NULL},
    [NBREC_TABLE_COPP].row_ids[0]
        = {&nbrec_copp_col_name, NULL, NULL},
    [NBREC_TABLE_ADDRESS_SET].row_ids[0]
        = {&nbrec_address_set_col_name, NULL, NULL},
    [NBREC_TABLE_PORT_GROUP].row_ids[0]
        = {&nbrec_port_group_col_name, NULL, NULL},
    [NBREC_TABLE_LOAD_BALANCER].row_ids[0]
        = {&nbrec_load_balancer_col_name, NULL, NULL},
    [NBREC_TABLE_LOAD_BALANCER_GROUP].row_ids[0]
        = {&nbrec_load_balancer_group_col_name, NULL, NULL},
    [NBREC_TABLE_ACL].row_ids[0] = {&nbrec_acl_col_name, NULL, NULL},
    [NBREC_TABLE_METER].row_ids[0] = {&nbrec_meter_col_name, NULL, NULL},
    [NBREC_TABLE_MIRROR].row_ids[0] = {&nbrec_mirror_col_name, NULL, NULL},
    [NBREC_TABLE_FORWARDING_GROUP].row_ids[0]
        = {&nbrec_forwarding_group_col_name, NULL, NULL},
    [NBREC_TABLE_GATEWAY_CHASSIS].row_ids[0]
        = {&nbrec_gateway_chassis_col_name, NULL, NULL},
    [NBREC_TABLE_RAMPOUT_RULE].row_ids[0]
        = {&nbrec_rampout_rule_col_name, NULL, NULL},
    [NBREC_TABLE_COLOR].row_ids[0] = {&nbrec_color_col_name, NULL, NULL},
    [NBREC_TABLE_FLOW_CLASS].row_ids[0]
        = {&nbrec_flow_class_col_name, NULL, NULL},
    [NBREC_TABLE_CONNECTION].row_ids[0]
        = {&nbrec_connection_col_target, NULL, NULL},
};

/* Shared helpers. */

/* The plural that "Multiple ... named" messages use for the rows of table
 * 'tc' whose kind, in "... name not found" messages, is 'kind'. */
static char *
kind_plural(const struct ovsdb_idl_table_class *tc, const char *kind)
{
    if (tc == &nbrec_table_logical_switch) {
        return xstrdup("logical switches");
    } else if (tc == &nbrec_table_logical_router) {
        return xstrdup("logical routers");
    } else if (tc == &nbrec_table_logical_switch_port) {
        return xstrdup("logical switch ports");
    } else if (tc == &nbrec_table_logical_router_port) {
        return xstrdup("logical router ports");
    } else if (tc == &nbrec_table_address_set) {
        return xstrdup("Address Sets");
    }
    return xasprintf("%ss", kind);
}

/* Finds the row of table 'tc' whose UUID or "name" is 'id'; 'kind' names
 * the table in messages, as ovn-nbctl does ("switch": "ls0: switch name
 * not found").  A name that several rows share is an error ("Multiple
 * logical switches named 'ls0'.  Use a UUID."). */
char *
nbctl_find_row(struct ctl_context *ctx,
               const struct ovsdb_idl_table_class *tc, const char *kind,
               const char *id, bool must_exist,
               const struct ovsdb_idl_row **rowp)
{
    *rowp = NULL;

    struct uuid uuid;
    bool is_uuid = uuid_from_string(&uuid, id);
    if (is_uuid) {
        /* The IDL keeps placeholders without contents for rows that other
         * rows refer to but that it does not replicate, and rows that the
         * open transaction deleted: neither counts. */
        const struct ovsdb_idl_row *row
            = ovsdb_idl_get_row_for_uuid(ctx->idl, tc, &uuid);
        if (row && row->new_datum) {
            *rowp = row;
            return NULL;
        }
    }

    const struct ovsdb_idl_column *name_col = NULL;
    for (size_t i = 0; i < tc->n_columns; i++) {
        if (!strcmp(tc->columns[i].name, "name")) {
            name_col = &tc->columns[i];
        }
    }
    if (name_col) {
        for (const struct ovsdb_idl_row *row
                 = ovsdb_idl_first_row(ctx->idl, tc);
             row; row = ovsdb_idl_next_row(row)) {
            const struct ovsdb_datum *d = ovsdb_idl_read(row, name_col);
            if (d->n == 1 && !strcmp(d->keys[0].s->string, id)) {
                if (*rowp) {
                    *rowp = NULL;
                    char *plural = kind_plural(tc, kind);
                    char *error = xasprintf("Multiple %s named '%s'.  Use "
                                            "a UUID.", plural, id);
                    free(plural);
                    return error;
                }
                *rowp = row;
            }
        }
    }
    if (!*rowp && must_exist) {
        return xasprintf("%s: %s %s not found", id, kind,
                         is_uuid ? "UUID" : "name");
    }
    return NULL;
}

/* Returns true if switch 'ls' lists port 'lsp', counting the ports that
 * the open transaction added to or removed from it. */
bool
nbctl_ls_has_port(const struct nbrec_logical_switch *ls,
                  const struct nbrec_logical_switch_port *lsp)
{
    return idl_pending_set_has_uuid(&ls->header_,
                                    &nbrec_logical_switch_col_ports,
                                    &lsp->header_.uuid);
}

/* Returns the logical switch that contains 'lsp', or NULL. */
const struct nbrec_logical_switch *
nbctl_lsp_to_ls(struct ovsdb_idl *idl,
                const struct nbrec_logical_switch_port *lsp)
{
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
        if (nbctl_ls_has_port(ls, lsp)) {
            return ls;
        }
    }
    return NULL;
}

/* Returns the ports of switch 'ls' as the open transaction leaves them
 * (ports are added and removed with mutations, which 'ls->ports' shows
 * only after commit), in a malloc()'d array with room for at least one
 * more, and stores their number in '*n'.  Only the ports that 'idl'
 * replicates are included. */
const struct nbrec_logical_switch_port **
nbctl_ls_ports(struct ovsdb_idl *idl, const struct nbrec_logical_switch *ls,
               size_t *n)
{
    struct ovsdb_datum datum;
    idl_pending_read_set(&ls->header_, &nbrec_logical_switch_col_ports,
                         &datum);
    const struct nbrec_logical_switch_port **ports
        = xmalloc((datum.n + 1) * sizeof *ports);
    *n = 0;
    for (size_t i = 0; i < datum.n; i++) {
        const struct nbrec_logical_switch_port *lsp
            = nbrec_logical_switch_port_get_for_uuid(idl,
                                                     &datum.keys[i].uuid);
        if (lsp && lsp->header_.new_datum) {
            ports[(*n)++] = lsp;
        }
    }
    ovsdb_datum_destroy(&datum, &nbrec_logical_switch_col_ports.type);
    return ports;
}

/* Returns the logical router that contains 'lrp', or NULL. */
const struct nbrec_logical_router *
nbctl_lrp_to_lr(struct ovsdb_idl *idl,
                const struct nbrec_logical_router_port *lrp)
{
    /* As the open transaction leaves the routers' ports. */
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, idl) {
        if (idl_pending_set_has_uuid(&lr->header_,
                                     &nbrec_logical_router_col_ports,
                                     &lrp->header_.uuid)) {
            return lr;
        }
    }
    return NULL;
}

/* Returns the NB_Global row, inserting it if the database has none. */
const struct nbrec_nb_global *
nbctl_nb_global(struct ctl_context *ctx)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(ctx->idl);
    return nb ? nb : nbrec_nb_global_insert(ctx->txn);
}

/* Reports 'error' (if nonnull) for the current command and frees it.
 * Returns true if there was no error. */
bool
nbctl_check(struct ctl_context *ctx, char *error)
{
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* Returns true if the current command has option 'name'. */
bool
nbctl_has_option(const struct ctl_context *ctx, const char *name)
{
    return shash_find(&ctx->options, name) != NULL;
}

/* For a command that adds a row of table 'tc' named 'name' ('kind' names
 * the table in messages, e.g. "switch"): returns true if there is no such
 * row yet, or if the command has --add-duplicate, so that the command goes
 * on to insert it.  Otherwise returns false, having reported an error
 * unless the command has --may-exist (a failed lookup is always
 * reported). */
bool
nbctl_name_is_free(struct ctl_context *ctx,
                   const struct ovsdb_idl_table_class *tc, const char *kind,
                   const char *name)
{
    if (nbctl_has_option(ctx, "--add-duplicate")) {
        return true;
    }
    const struct ovsdb_idl_row *row;
    char *error = nbctl_find_row(ctx, tc, kind, name, false, &row);
    if (error && !strncmp(error, "Multiple ", 9)) {
        /* Rows with this name exist, more than one. */
        free(error);
        error = NULL;
        row = ovsdb_idl_first_row(ctx->idl, tc);
    }
    if (!nbctl_check(ctx, error)) {
        return false;
    }
    if (row && !nbctl_has_option(ctx, "--may-exist")) {
        ctl_error(ctx, "%s: %s %s with this name already exists",
                  name, strchr("aeiouAEIOU", kind[0]) ? "an" : "a",
                  kind);
    }
    return !row;
}

/* Checks the --may-exist and --add-duplicate options of a command that
 * adds a row with an optional name, 'name' (NULL if none was given), as
 * ovn-nbctl does: the two exclude each other and both need a name.
 * Returns true if they are fine. */
bool
nbctl_check_add_options(struct ctl_context *ctx, const char *name)
{
    bool may_exist = nbctl_has_option(ctx, "--may-exist");
    bool add_duplicate = nbctl_has_option(ctx, "--add-duplicate");
    if (may_exist && add_duplicate) {
        ctl_error(ctx, "--may-exist and --add-duplicate may not be used "
                  "together");
        return false;
    } else if (!name && may_exist) {
        ctl_error(ctx, "--may-exist requires specifying a name");
        return false;
    } else if (!name && add_duplicate) {
        ctl_error(ctx, "--add-duplicate requires specifying a name");
        return false;
    }
    return true;
}

/* Returns a malloc()'d copy of the 'n' pointers in 'ptrs' (an array of
 * row pointers) leaving out every one equal to 'drop', and stores how many
 * are left in '*n_left'.  The copy has room for at least one pointer. */
void *
nbctl_ptrs_without(const void *ptrs, size_t n, const void *drop,
                   size_t *n_left)
{
    const void *const *in = ptrs;
    const void **out = xmalloc((n + 1) * sizeof *out);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] != drop) {
            out[k++] = in[i];
        }
    }
    *n_left = k;
    return out;
}

/* Parses 's', the 'what' argument of the current command, as a decimal
 * integer in [min, max]. */
bool
nbctl_parse_int(struct ctl_context *ctx, const char *what, const char *s,
                int64_t min, int64_t max, int64_t *value)
{
    /* Only digits, after a '-' if negative values are allowed: no
     * spaces, no '+', no "-0" for a count. */
    const char *digits = s + (s[0] == '-' && min < 0);
    long long int v;
    if (!isdigit((unsigned char) digits[0])
        || !str_to_llong(s, 10, &v) || v < min || v > max) {
        ctl_error(ctx, "%s: invalid %s (expected an integer from "
                  "%"PRId64" to %"PRId64")", s, what, min,
                  max);
        return false;
    }
    *value = v;
    return true;
}

/* Parses direction 's' of an ACL or QoS rule into '*direction':
 * "from-lport" or "to-lport", or a prefix of one (ovn-nbctl reads only
 * the first letter). */
bool
nbctl_parse_direction(struct ctl_context *ctx, const char *s,
                      const char **direction)
{
    size_t len = strlen(s);
    if (len && !strncmp(s, "from-lport", len)) {
        *direction = "from-lport";
    } else if (len && !strncmp(s, "to-lport", len)) {
        *direction = "to-lport";
    } else {
        ctl_error(ctx, "%s: direction must be \"to-lport\" or "
                  "\"from-lport\"", s);
        return false;
    }
    return true;
}

/* Parses priority 's' of an ACL or QoS rule into '*priority'. */
bool
nbctl_parse_priority(struct ctl_context *ctx, const char *s,
                     int64_t *priority)
{
    long long int p;
    if (!str_to_llong(s, 10, &p) || p < 0 || p > 32767) {
        ctl_error(ctx, "%s: priority must in range 0...32767", s);
        return false;
    }
    *priority = p;
    return true;
}

/* Returns IP address 's' in canonical text (IPv6 as inet_ntop(3) writes
 * it) in a malloc()'d string, or NULL if 's' is not an address of
 * 'family' (AF_INET, AF_INET6, or AF_UNSPEC for either). */
char *
nbctl_normalize_ip(const char *s, int family)
{
    ovs_be32 ip;
    struct in6_addr ip6;
    if (family != AF_INET6 && ip_parse(s, &ip)) {
        return xasprintf(IP_FMT, IP_ARGS(ip));
    } else if (family != AF_INET && ipv6_parse(s, &ip6)) {
        char buf[INET6_ADDRSTRLEN];
        return xstrdup(ipv6_string_mapped(buf, &ip6));
    }
    return NULL;
}

/* Returns 's', an IP address or a network "ADDRESS/PLEN" of 'family'
 * (AF_INET, AF_INET6, or AF_UNSPEC for either), in canonical text in a
 * malloc()'d string: a network with its host bits cleared, as ovn-nbctl
 * reads it ("10.0.0.1/24" is 10.0.0.0/24), and a full-length prefix as
 * the bare address.  Returns NULL if 's' is neither. */
char *
nbctl_normalize_prefix(const char *s, int family)
{
    ovs_be32 ip;
    struct in6_addr ip6;
    unsigned int plen;
    char *error;

    if (family != AF_INET6) {
        error = ip_parse_cidr(s, &ip, &plen);
        if (!error) {
            return (plen == 32 ? xasprintf(IP_FMT, IP_ARGS(ip))
                    : xasprintf(IP_FMT"/%u",
                                IP_ARGS(ip & be32_prefix_mask(plen)), plen));
        }
        free(error);
    }
    if (family != AF_INET) {
        error = ipv6_parse_cidr(s, &ip6, &plen);
        if (!error) {
            char buf[INET6_ADDRSTRLEN];
            if (plen == 128) {
                return xstrdup(ipv6_string_mapped(buf, &ip6));
            }
            struct in6_addr mask = ipv6_create_mask(plen);
            struct in6_addr net = ipv6_addr_bitand(&ip6, &mask);
            return xasprintf("%s/%u", ipv6_string_mapped(buf, &net), plen);
        }
        free(error);
    }
    return NULL;
}

/* Returns network 's', "ADDRESS/PLEN" (a router port's address and
 * prefix length, host bits kept), in canonical text in a malloc()'d
 * string, or a copy of 's' if it is not one. */
char *
nbctl_normalize_network(const char *s)
{
    const char *slash = strchr(s, '/');
    if (slash) {
        char *addr = xmemdup0(s, slash - s);
        char *norm = nbctl_normalize_ip(addr, AF_UNSPEC);
        free(addr);
        unsigned int plen;
        if (norm && str_to_uint(slash + 1, 10, &plen)) {
            char *result = xasprintf("%s/%u", norm, plen);
            free(norm);
            return result;
        }
        free(norm);
    }
    return xstrdup(s);
}

/* Parses "enabled" or "disabled". */
bool
nbctl_parse_enabled(struct ctl_context *ctx, const char *s, bool *enabled)
{
    if (!strcasecmp(s, "enabled")) {
        *enabled = true;
    } else if (!strcasecmp(s, "disabled")) {
        *enabled = false;
    } else {
        ctl_error(ctx, "%s: state must be \"enabled\" or \"disabled\"",
                  s);
        return false;
    }
    return true;
}

/* Parses the 'argc' arguments "KEY=VALUE" in 'argv' into 'smap'. */
bool
nbctl_parse_key_values(struct ctl_context *ctx, int argc, char **argv,
                       struct smap *smap)
{
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            ctl_error(ctx, "%s: invalid option (expected KEY=VALUE)",
                      argv[i]);
            return false;
        }
        char *key = xmemdup0(argv[i], eq - argv[i]);
        smap_replace(smap, key, eq + 1);
        free(key);
    }
    return true;
}

/* Appends the 'n' 'strings' to 'ds', one per line, sorted if 'sort'. */
void
nbctl_print_strings(struct ds *ds, char **strings, size_t n, bool sort)
{
    struct svec svec = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n; i++) {
        svec_add(&svec, strings[i]);
    }
    if (sort) {
        svec_sort(&svec);
    }
    const char *s;
    size_t i;
    SVEC_FOR_EACH (i, s, &svec) {
        ds_put_format(ds, "%s\n", s);
    }
    svec_destroy(&svec);
}

/* Appends the strings in 'lines' to 'ds', one per line, in sorted order,
 * and destroys 'lines'. */
void
nbctl_print_lines(struct ds *ds, struct svec *lines)
{
    svec_sort(lines);
    const char *s;
    size_t i;
    SVEC_FOR_EACH (i, s, lines) {
        ds_put_format(ds, "%s\n", s);
    }
    svec_destroy(lines);
}

/* Appends "UUID (NAME)" of 'row' to 'ds'. */
void
nbctl_print_row_name(struct ds *ds, const struct ovsdb_idl_row *row,
                     const char *name)
{
    ds_put_format(ds, UUID_FMT " (%s)\n", UUID_ARGS(&row->uuid), name);
}

/* Database commands. */

/* "init": makes sure the NB_Global row exists. */
static void
cmd_init(struct ctl_context *ctx)
{
    nbctl_nb_global(ctx);
}

/* Prerequisites of "init" and "sync": only NB_Global, which
 * nbctl_monitor() always adds. */
static void
pre_nb_global(struct ctl_context *ctx OVS_UNUSED)
{
}

/* "sync": commits nothing but waits as --wait says. */
static void
cmd_sync(struct ctl_context *ctx OVS_UNUSED)
{
}

/* Prints a string-set column 'name' of 'values' indented for "show". */
static void
show_strings(struct ds *ds, const char *indent, const char *name,
             char **values, size_t n)
{
    if (!n) {
        return;
    }
    ds_put_format(ds, "%s%s: [", indent, name);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(ds, "%s\"%s\"", i ? ", " : "", values[i]);
    }
    ds_put_cstr(ds, "]\n");
}

/* What "show" has to say besides ovn-nbctl's output, printed on stderr
 * once the commands' output is (standard output stays ovn-nbctl's, for
 * the scripts that parse it). */
static struct ds show_notes = DS_EMPTY_INITIALIZER;

/* Appends the "show" output of switch 'ls'. */
static void
show_switch(struct ovsdb_idl *idl, struct ds *ds,
            const struct nbrec_logical_switch *ls)
{
    ds_put_format(ds, "switch "UUID_FMT" (%s)\n",
                  UUID_ARGS(&ls->header_.uuid), ls->name);
    size_t n_ports;
    const struct nbrec_logical_switch_port **ports
        = nbctl_ls_ports(idl, ls, &n_ports);
    for (size_t i = 0; i < n_ports; i++) {
        const struct nbrec_logical_switch_port *lsp = ports[i];
        ds_put_format(ds, "    port %s\n", lsp->name);
        if (lsp->type[0]) {
            ds_put_format(ds, "        type: %s\n", lsp->type);
        }
        if (lsp->parent_name) {
            ds_put_format(ds, "        parent: %s\n", lsp->parent_name);
        }
        /* The assigned tag, as ovn-nbctl prints it; nothing assigns tags
         * yet, so without one the requested tag, which ovn-northd would
         * assign. */
        if (lsp->n_tag) {
            ds_put_format(ds, "        tag: %"PRId64"\n", lsp->tag[0]);
        } else if (lsp->n_tag_request && lsp->tag_request[0]) {
            ds_put_format(ds, "        tag: %"PRId64"\n",
                          lsp->tag_request[0]);
        }
        /* A lone "router" address says nothing that "router-port" does
         * not: ovn-nbctl leaves it out. */
        if (!(lsp->n_addresses == 1
              && !strcmp(lsp->addresses[0], "router"))) {
            show_strings(ds, "        ", "addresses", lsp->addresses,
                         lsp->n_addresses);
        }
        const char *peer = smap_get(&lsp->options, "router-port");
        if (peer) {
            ds_put_format(ds, "        router-port: %s\n", peer);
        }
    }
    free(ports);
}

/* Orders gateway chassis by descending priority, then by name. */
static int
compare_gateway_priorities(const void *a_, const void *b_)
{
    const struct nbrec_gateway_chassis *a
        = *(const struct nbrec_gateway_chassis *const *) a_;
    const struct nbrec_gateway_chassis *b
        = *(const struct nbrec_gateway_chassis *const *) b_;
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

/* Appends the "show" output of router 'lr'. */
static void
show_router(struct ds *ds, const struct nbrec_logical_router *lr)
{
    ds_put_format(ds, "router "UUID_FMT" (%s)\n",
                  UUID_ARGS(&lr->header_.uuid), lr->name);
    for (size_t i = 0; i < lr->n_ports; i++) {
        const struct nbrec_logical_router_port *lrp = lr->ports[i];
        ds_put_format(ds, "    port %s\n", lrp->name);
        ds_put_format(ds, "        mac: \"%s\"\n", lrp->mac);
        show_strings(ds, "        ", "networks", lrp->networks,
                     lrp->n_networks);
        const char *route_table = smap_get(&lrp->options, "route_table");
        if (route_table) {
            ds_put_format(ds, "        route-table: %s\n", route_table);
        }
        if (lrp->n_gateway_chassis) {
            size_t n = lrp->n_gateway_chassis;
            struct nbrec_gateway_chassis **gcs = xmemdup(
                lrp->gateway_chassis, n * sizeof *gcs);
            qsort(gcs, n, sizeof *gcs, compare_gateway_priorities);
            ds_put_cstr(ds, "        gateway chassis: [");
            for (size_t j = 0; j < n; j++) {
                ds_put_format(ds, "%s%s", j ? " " : "",
                              gcs[j]->chassis_name);
            }
            ds_put_cstr(ds, "]\n");
            free(gcs);
        }
    }
    for (size_t i = 0; i < lr->n_nat; i++) {
        const struct nbrec_nat *nat = lr->nat[i];
        ds_put_format(ds, "    nat "UUID_FMT"\n",
                      UUID_ARGS(&nat->header_.uuid));
        ds_put_format(ds, "        external ip: \"%s\"\n", nat->external_ip);
        if (nat->external_port_range[0]) {
            ds_put_format(ds, "        external port(s): \"%s\"\n",
                          nat->external_port_range);
        }
        ds_put_format(ds, "        logical ip: \"%s\"\n", nat->logical_ip);
        ds_put_format(ds, "        type: \"%s\"\n", nat->type);
    }
    for (size_t i = 0; i < lr->n_rampout_rules; i++) {
        const struct nbrec_rampout_rule *rule = lr->rampout_rules[i];
        ds_put_format(ds, "    rampout %s\n", rule->name);
        show_strings(ds, "        ", "subnets", rule->subnets,
                     rule->n_subnets);
    }
}

/* Appends to 'ds' one line for each kind of configuration that 'idl'
 * holds rows of but that nothing applies yet, with the number of rows. */
static void
show_unapplied(struct ovsdb_idl *idl, struct ds *ds)
{
    struct sset done = SSET_INITIALIZER(&done);
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const char *what = nb_unapplied_entries[i].what;
        if (!sset_add(&done, what)) {
            continue;
        }
        size_t n = 0;
        for (size_t j = i; j < nb_n_unapplied_entries; j++) {
            const struct nb_unapplied *u = &nb_unapplied_entries[j];
            if (strcmp(u->what, what) || !nb_unapplied_entry_names_rows(u)) {
                continue;
            }
            for (const struct ovsdb_idl_row *row
                     = ovsdb_idl_first_row(idl, u->table);
                 row; row = ovsdb_idl_next_row(row)) {
                n += nb_unapplied_row_counts(u, row);
            }
        }
        if (n) {
            char *warning = nb_unapplied_warning(what);
            ds_put_format(ds, "%s: note: %s (%"PRIuSIZE")\n", program_name,
                          warning, n);
            free(warning);
        }
    }
    sset_destroy(&done);
}

/* "show [SWITCH|ROUTER]": with a name, the switch and the router of that
 * name, if any (nothing if neither exists, as ovn-nbctl). */
static void
cmd_show(struct ctl_context *ctx)
{
    if (ctx->argc == 2) {
        const struct nbrec_logical_switch *ls;
        const struct nbrec_logical_router *lr;
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch, "switch",
                                         ctx->argv[1], false, &ls))
            || !nbctl_check(ctx, NBCTL_FIND(ctx, logical_router, "router",
                                            ctx->argv[1], false, &lr))) {
            return;
        }
        if (ls) {
            show_switch(ctx->idl, &ctx->output, ls);
        }
        if (lr) {
            show_router(&ctx->output, lr);
        }
        return;
    }

    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, ctx->idl) {
        show_switch(ctx->idl, &ctx->output, ls);
    }
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, ctx->idl) {
        show_router(&ctx->output, lr);
    }
    show_unapplied(ctx->idl, &show_notes);
}

/* "[--inactivity-probe=MSECS] set-connection TARGET...": replaces the
 * database's connections. */
static void
cmd_set_connection(struct ctl_context *ctx)
{
    for (int i = 1; i < ctx->argc; i++) {
        if (!nbctl_check(ctx, nb_validate_connection_target(ctx->argv[i]))) {
            return;
        }
    }
    const char *probe_arg = shash_find_data(&ctx->options,
                                            "--inactivity-probe");
    long long int probe = 0;
    if (probe_arg && (!str_to_llong(probe_arg, 10, &probe) || probe < 0)) {
        ctl_error(ctx, "%s: invalid inactivity probe (expected milliseconds, "
                  "0 to disable probes)", probe_arg);
        return;
    }

    const struct nbrec_nb_global *nb = nbctl_nb_global(ctx);
    const struct nbrec_connection *conn;
    NBREC_CONNECTION_FOR_EACH_SAFE (conn, ctx->idl) {
        nbrec_connection_delete(conn);
    }

    size_t n = ctx->argc - 1;
    struct nbrec_connection **conns = xmalloc(n * sizeof *conns);
    for (size_t i = 0; i < n; i++) {
        conns[i] = nbrec_connection_insert(ctx->txn);
        nbrec_connection_set_target(conns[i], ctx->argv[i + 1]);
        if (probe_arg) {
            int64_t msecs = probe;
            nbrec_connection_set_inactivity_probe(conns[i], &msecs, 1);
        }
    }
    nbrec_nb_global_set_connections(nb, conns, n);
    free(conns);
}

/* "get-connection". */
static void
cmd_get_connection(struct ctl_context *ctx)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(ctx->idl);
    if (!nb) {
        return;
    }
    struct svec targets = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < nb->n_connections; i++) {
        svec_add(&targets, nb->connections[i]->target);
    }
    nbctl_print_lines(&ctx->output, &targets);
}

/* "del-connection". */
static void
cmd_del_connection(struct ctl_context *ctx)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(ctx->idl);
    if (nb) {
        nbrec_nb_global_set_connections(nb, NULL, 0);
    }
}

/* "set-ssl PRIVATE-KEY CERTIFICATE CA-CERT [PROTOCOLS [CIPHERS]]". */
static void
cmd_set_ssl(struct ctl_context *ctx)
{
    bool bootstrap = shash_find(&ctx->options, "--bootstrap") != NULL;
    const struct nbrec_nb_global *nb = nbctl_nb_global(ctx);
    const struct nbrec_ssl *ssl = nbrec_ssl_first(ctx->idl);
    if (!ssl) {
        ssl = nbrec_ssl_insert(ctx->txn);
    }
    nbrec_ssl_set_private_key(ssl, ctx->argv[1]);
    nbrec_ssl_set_certificate(ssl, ctx->argv[2]);
    nbrec_ssl_set_ca_cert(ssl, ctx->argv[3]);
    nbrec_ssl_set_bootstrap_ca_cert(ssl, bootstrap);
    nbrec_ssl_set_ssl_protocols(ssl, ctx->argc > 4 ? ctx->argv[4] : "");
    nbrec_ssl_set_ssl_ciphers(ssl, ctx->argc > 5 ? ctx->argv[5] : "");
    nbrec_nb_global_set_ssl(nb, ssl);
}

/* "get-ssl". */
static void
cmd_get_ssl(struct ctl_context *ctx)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(ctx->idl);
    const struct nbrec_ssl *ssl = nb ? nb->ssl : NULL;
    if (ssl) {
        ds_put_format(&ctx->output, "Private key: %s\n", ssl->private_key);
        ds_put_format(&ctx->output, "Certificate: %s\n", ssl->certificate);
        ds_put_format(&ctx->output, "CA Certificate: %s\n", ssl->ca_cert);
        ds_put_format(&ctx->output, "Bootstrap: %s\n",
                      ssl->bootstrap_ca_cert ? "true" : "false");
        if (ssl->ssl_protocols[0]) {
            ds_put_format(&ctx->output, "SSL protocols: %s\n",
                          ssl->ssl_protocols);
        }
        if (ssl->ssl_ciphers[0]) {
            ds_put_format(&ctx->output, "SSL ciphers: %s\n",
                          ssl->ssl_ciphers);
        }
    }
}

/* "del-ssl". */
static void
cmd_del_ssl(struct ctl_context *ctx)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(ctx->idl);
    const struct nbrec_ssl *ssl = nb ? nb->ssl : NULL;
    if (ssl) {
        nbrec_nb_global_set_ssl(nb, NULL);
        nbrec_ssl_delete(ssl);
    }
}

/* The database-level commands. */
static const struct ctl_command_syntax nbctl_db_commands[] = {
    { "init", 0, 0, "", pre_nb_global, cmd_init, NULL, "", RW },
    { "sync", 0, 0, "", pre_nb_global, cmd_sync, NULL, "", RO },
    { "show", 0, 1, "[SWITCH|ROUTER]", NULL, cmd_show, NULL, "", RO },
    { "set-connection", 1, INT_MAX, "TARGET...", NULL, cmd_set_connection,
      NULL, "--inactivity-probe=", RW },
    { "get-connection", 0, 0, "", NULL, cmd_get_connection, NULL, "", RO },
    { "del-connection", 0, 0, "", NULL, cmd_del_connection, NULL, "", RW },
    { "set-ssl", 3, 5,
      "PRIVATE-KEY CERTIFICATE CA-CERT [SSL-PROTOCOLS [SSL-CIPHERS]]",
      NULL, cmd_set_ssl, NULL, "--bootstrap", RW },
    { "get-ssl", 0, 0, "", NULL, cmd_get_ssl, NULL, "", RO },
    { "del-ssl", 0, 0, "", NULL, cmd_del_ssl, NULL, "", RW },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Transaction hooks. */

/* Ready hook: with the fast path, waits until the replica holds every row
 * the commands need. */
static bool
nbctl_txn_ready(struct ovsdb_idl *idl, void *opts_)
{
    struct nbctl_options *opts = opts_;
    return !opts->partial || nbctl_partial_ready(opts->partial, idl);
}

/* Start hook: counts the rows for the validation of deletions and, with
 * --wait, bumps NB_Global.nb_cfg in the transaction. */
static void
nbctl_txn_start(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                void *opts_)
{
    struct nbctl_options *opts = opts_;
    nb_validate_count_rows(idl, &opts->counts);
    sset_clear(&opts->unapplied);
    ds_clear(&show_notes);
    opts->start_time = time_wall_msec();
    if (opts->wait == NBCTL_WAIT_NONE) {
        return;
    }
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(idl);
    if (!nb) {
        nb = nbrec_nb_global_insert(txn);
    }
    ovsdb_idl_txn_increment(txn, &nb->header_, &nbrec_nb_global_col_nb_cfg,
                            opts->force_wait);
}

/* Pre-commit hook: validates every row the commands inserted or modified,
 * and the rows that may name the rows they deleted; notes what they wrote
 * that nothing applies yet. */
static char *
nbctl_txn_pre_commit(struct ovsdb_idl *idl,
                     struct ovsdb_idl_txn *txn OVS_UNUSED, void *opts_)
{
    struct nbctl_options *opts = opts_;
    char *error = nb_validate_txn(idl, &opts->counts);
    if (!error) {
        nb_unapplied_in_txn(idl, &opts->unapplied);
    }
    return error;
}

/* Prints one warning line on stderr for each kind of configuration in
 * 'whats', in the order of nb-unapplied.c's table. */
static void
warn_unapplied(const struct sset *whats)
{
    struct sset done = SSET_INITIALIZER(&done);
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const char *what = nb_unapplied_entries[i].what;
        if (sset_contains(whats, what) && sset_add(&done, what)) {
            char *warning = nb_unapplied_warning(what);
            fprintf(stderr, "%s: warning: %s\n", program_name, warning);
            free(warning);
        }
    }
    sset_destroy(&done);
}

/* Prints, as ovn-nbctl --print-wait-time does, how long after
 * 'start_time' osmotic-northd began and finished applying nb_cfg
 * 'next_cfg' and, if 'hv', when every chassis had. */
static void
print_wait_time(const struct nbrec_nb_global *nb, int64_t next_cfg, bool hv,
                long long int start_time)
{
    printf("Time spent on processing nb_cfg %"PRId64":\n", next_cfg);
    printf("\tosmotic-northd delay before processing:\t%lldms\n",
           (long long int) nb->nb_cfg_timestamp - start_time);
    printf("\tosmotic-northd completion:\t\t\t%lldms\n",
           (long long int) nb->sb_cfg_timestamp - start_time);
    if (hv) {
        printf("\tosmotic-controller(s) completion:\t\t%lldms\n",
               (long long int) nb->hv_cfg_timestamp - start_time);
    }
}

/* Printed hook: prints what "show" noted on stderr, after its output. */
static void
nbctl_printed(void *opts_ OVS_UNUSED)
{
    fputs(ds_cstr(&show_notes), stderr);
    ds_clear(&show_notes);
}

/* Post-commit hook: warns about what the transaction stored that nothing
 * applies yet, then waits for NB_Global.sb_cfg or hv_cfg to reach the
 * nb_cfg the transaction wrote. */
static void
nbctl_txn_post_commit(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                      void *opts_)
{
    struct nbctl_options *opts = opts_;
    warn_unapplied(&opts->unapplied);
    if (opts->wait == NBCTL_WAIT_NONE) {
        return;
    }
    int64_t next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
    bool hv = opts->wait == NBCTL_WAIT_HV;
    const char *what = (hv ? "osmotic-northd and every chassis to apply "
                        "the change (NB_Global hv_cfg)"
                        : "osmotic-northd to apply the change to the "
                        "southbound database (NB_Global sb_cfg)");
    for (;;) {
        ovsdb_idl_run(idl);
        const struct nbrec_nb_global *nb = nbrec_nb_global_first(idl);
        if (nb && (hv ? nb->hv_cfg : nb->sb_cfg) >= next_cfg) {
            if (opts->print_wait_time) {
                print_wait_time(nb, next_cfg, hv, opts->start_time);
            }
            return;
        }
        if (!ctlc_block(idl, &opts->common)) {
            ctl_fatal("timed out after %u seconds waiting for %s",
                      opts->common.timeout, what);
        }
    }
}

/* Main program. */

/* Makes 'idl' monitor every column of table 'tc'. */
void
nbctl_monitor_table(struct ovsdb_idl *idl,
                    const struct ovsdb_idl_table_class *tc)
{
    for (size_t i = 0; i < tc->n_columns; i++) {
        ovsdb_idl_add_column(idl, &tc->columns[i]);
    }
}

/* Returns true if 'c' is a generic "add", "remove", "set" or "clear" that
 * changes only the "addresses" column of an Address_Set. */
bool
nbctl_is_address_set_addresses_change(const struct ctl_command *c)
{
    static const char *const generic_writers[] = {
        "add", "remove", "set", "clear",
    };
    bool is_writer = false;
    for (size_t i = 0; i < ARRAY_SIZE(generic_writers); i++) {
        is_writer = is_writer || !strcmp(c->syntax->name, generic_writers[i]);
    }
    if (!is_writer || c->argc < 4 || strcasecmp(c->argv[1], "Address_Set")) {
        return false;
    }
    if (strcmp(c->syntax->name, "set")) {
        return !strcmp(c->argv[3], "addresses");   /* add, remove, clear */
    }
    for (size_t i = 3; i < c->argc; i++) {
        if (strncmp(c->argv[i], "addresses=", strlen("addresses="))) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'c' is a generic "add", "remove", "set" or "clear" that
 * changes only the "vips" column of a Load_Balancer: what validation
 * (validate_lb()) and the warnings of nb-unapplied.h read of the row's
 * other columns stays as it was. */
bool
nbctl_is_lb_vips_change(const struct ctl_command *c)
{
    static const char *const generic_writers[] = {
        "add", "remove", "set", "clear",
    };
    bool is_writer = false;
    for (size_t i = 0; i < ARRAY_SIZE(generic_writers); i++) {
        is_writer = is_writer || !strcmp(c->syntax->name, generic_writers[i]);
    }
    if (!is_writer || c->argc < 4 || strcasecmp(c->argv[1], "Load_Balancer")) {
        return false;
    }
    bool is_set = !strcmp(c->syntax->name, "set");
    if (!is_set && strcmp(c->syntax->name, "clear")) {
        return !strcmp(c->argv[3], "vips");         /* add, remove */
    }
    for (size_t i = 3; i < c->argc; i++) {
        const char *arg = c->argv[i];
        if (is_set
            ? strncmp(arg, "vips", 4) || (arg[4] != ':' && arg[4] != '=')
            : strcmp(arg, "vips")) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'c' is a command that says in its prerequisites all
 * that it, and the validation of what it writes, reads:
 *   - osmotic-nbctl's own commands that are written so (the database
 *     commands, the switch and port commands, acl-add, acl-del, acl-list,
 *     as-add and as-set-addresses);
 *   - the generic commands that only read ("get", "list", "find",
 *     "wait-until"), whose prerequisites name the table and columns they
 *     read, and nothing is validated;
 *   - the generic commands that change the addresses of an Address_Set
 *     ("add", "remove", "set", "clear"), whose validation reads that row
 *     and the other sets' names only (nb-validate.h), which the
 *     prerequisites cover: the row's name identifies it.  (Not its name:
 *     a set renamed is checked against every match that used the old
 *     name.)
 *   - the generic commands that change the VIPs of a Load_Balancer,
 *     whose validation reads that row alone (load balancer names need
 *     not be unique), which the prerequisites cover.
 * Any other reads across the database. */
static bool
is_lean_command(const struct ctl_command *c)
{
    static const char *const generic_readers[] = {
        "get", "list", "find", "wait-until",
    };
    const struct ctl_command_syntax *syntax = c->syntax;
    if (!syntax->prerequisites) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(generic_readers); i++) {
        if (!strcmp(syntax->name, generic_readers[i])) {
            return true;
        }
    }
    if (nbctl_is_address_set_addresses_change(c)
        || nbctl_is_lb_vips_change(c)) {
        return true;
    }
    bool is_db_command
        = (syntax >= nbctl_db_commands
           && syntax < &nbctl_db_commands[ARRAY_SIZE(nbctl_db_commands)]);
    return (is_db_command || nbctl_switch_has_command(syntax)
            || nbctl_policy_has_command(syntax));
}

/* Makes 'idl' monitor what the 'n' 'commands' need: NB_Global (for
 * --wait), the columns that the prerequisites of the commands that have
 * them add, and the whole database if any other command is given (the
 * generic commands and the other families read and validate rows across
 * many tables).  Reading only what is needed keeps start-up short on a
 * large database. */
static void
nbctl_monitor(struct ovsdb_idl *idl, struct ctl_command *commands, size_t n)
{
    nbctl_monitor_table(idl, &nbrec_table_nb_global);
    for (struct ctl_command *c = commands; c < &commands[n]; c++) {
        if (!is_lean_command(c)) {
            for (size_t t = 0; t < NBREC_N_TABLES; t++) {
                nbctl_monitor_table(idl, &nbrec_table_classes[t]);
            }
            continue;
        }
        struct ctl_context ctx;
        memset(&ctx, 0, sizeof ctx);
        ds_init(&c->output);
        c->table = NULL;
        ctl_context_init(&ctx, c, idl, NULL, NULL, NULL);
        c->syntax->prerequisites(&ctx);
        if (ctx.error) {
            ctl_fatal("%s", ctx.error);
        }
        ctl_context_done(&ctx, c);
        ds_destroy(&c->output);
    }
}

/* Prints the help text and exits. */
static void
usage(void)
{
    printf("\
%s: Osmotic northbound database management utility\n\
usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n\
\n\
General commands:\n\
  init                      initialize the database\n\
  show [SWITCH|ROUTER]      print an overview of the database\n\
  sync                      wait for earlier changes to take effect (--wait)\n\
\n\
Logical switch commands:\n\
  ls-add [SWITCH]           create a logical switch\n\
  ls-del SWITCH             delete SWITCH and all its ports\n\
  ls-list                   print the names of all logical switches\n\
  lsp-add SWITCH PORT [PARENT TAG]  add PORT (a child of PARENT) to SWITCH\n\
  lsp-del PORT              delete PORT from its switch\n\
  lsp-list SWITCH           print the ports of SWITCH\n\
  lsp-get-ls PORT           print the switch of PORT\n\
  lsp-get-parent PORT       print the parent of container port PORT\n\
  lsp-get-tag PORT          print the VLAN tag of container port PORT\n\
  lsp-set-addresses PORT [ADDRESS]...  set MAC [IP...] addresses of PORT\n\
  lsp-get-addresses PORT\n\
  lsp-set-port-security PORT [ADDRS]...  set port security of PORT\n\
  lsp-get-port-security PORT\n\
  lsp-get-up PORT           print whether PORT is up\n\
  lsp-set-enabled PORT STATE  STATE is enabled or disabled\n\
  lsp-get-enabled PORT\n\
  lsp-set-type PORT TYPE    TYPE is \"\", router, localnet, l2gateway,\n\
                            localport, vtep, external, virtual or remote\n\
  lsp-get-type PORT\n\
  lsp-set-options PORT KEY=VALUE...\n\
  lsp-get-options PORT\n\
  [--liveness] fwd-group-add GROUP SWITCH VIP VMAC PORT...\n\
  [--if-exists] fwd-group-del GROUP, fwd-group-list [SWITCH]\n\
\n\
Logical router commands:\n\
  lr-add [ROUTER], lr-del ROUTER, lr-list\n\
  lrp-add ROUTER PORT MAC NETWORK... [peer=PEER]\n\
  lrp-del PORT, lrp-list ROUTER\n\
  lrp-set-enabled PORT STATE, lrp-get-enabled PORT\n\
  [--may-exist] lrp-set-gateway-chassis PORT CHASSIS [PRIORITY]\n\
  lrp-del-gateway-chassis PORT CHASSIS, lrp-get-gateway-chassis PORT\n\
  [--policy=POLICY] [--may-exist] [--ecmp|--ecmp-symmetric-reply]\n\
  [--bfd[=UUID]] [--route-table=TABLE]\n\
  lr-route-add ROUTER PREFIX NEXTHOP [PORT]\n\
  [--policy=POLICY] [--route-table=TABLE]\n\
  lr-route-del ROUTER [PREFIX [NEXTHOP [PORT]]]\n\
  [--route-table=TABLE] lr-route-list ROUTER\n\
  [--may-exist] lr-policy-add ROUTER PRIORITY MATCH ACTION [NEXTHOP]\n\
                [OPTION=VALUE]...\n\
  lr-policy-del ROUTER [{PRIORITY | UUID} [MATCH]], lr-policy-list ROUTER\n\
  lrp-set-options PORT KEY=VALUE..., lrp-get-options PORT\n\
  lrp-set-redirect-type PORT TYPE, lrp-get-redirect-type PORT\n\
  [--may-exist] [--stateless] [--portrange] [--add-route]\n\
  [--gateway-port=PORT] lr-nat-add ROUTER TYPE EXTERNAL_IP LOGICAL_IP\n\
                [LOGICAL_PORT EXTERNAL_MAC] [EXTERNAL_PORT_RANGE]\n\
  lr-nat-del ROUTER [TYPE [IP] [GATEWAY_PORT]], lr-nat-list ROUTER\n\
  [--is-exempted] lr-nat-update-ext-ip ROUTER TYPE IP ADDRESS_SET\n\
  [--may-exist] static-mac-binding-add PORT IP MAC\n\
  [--if-exists] static-mac-binding-del PORT IP, static-mac-binding-list\n\
\n\
Load balancer commands:\n\
  [--may-exist|--add-duplicate] [--reject|--event] [--add-route]\n\
  lb-add LB VIP[:PORT] IP[:PORT],... [PROTOCOL]\n\
  lb-del LB [VIP], lb-list [LB]\n\
  ls-lb-add SWITCH LB, ls-lb-del SWITCH [LB], ls-lb-list SWITCH\n\
  lr-lb-add ROUTER LB, lr-lb-del ROUTER [LB], lr-lb-list ROUTER\n\
\n\
ACL, port group, address set and meter commands:\n\
  [--type=switch|port-group] [--name=NAME] [--log] [--severity=SEVERITY]\n\
  [--meter=METER] acl-add ENTITY DIRECTION PRIORITY MATCH VERDICT\n\
  acl-del ENTITY [DIRECTION [PRIORITY MATCH]], acl-list ENTITY\n\
  pg-add PG [PORT]..., pg-set-ports PG PORT..., pg-del PG\n\
  as-add NAME [ADDRESS]..., as-set-addresses NAME ADDRESS...\n\
  as-del NAME, as-list\n\
  meter-add NAME drop RATE kbps|pktps [BURST], meter-del [NAME], meter-list\n\
\n\
QoS commands:\n\
  [--may-exist] qos-add SWITCH DIRECTION PRIORITY MATCH [rate=RATE\n\
                [burst=BURST]] [dscp=DSCP]\n\
  qos-del SWITCH [{DIRECTION | UUID} [PRIORITY MATCH]], qos-list SWITCH\n\
\n\
Port mirror commands:\n\
  mirror-add NAME gre|erspan INDEX from-lport|to-lport SINK-IP\n\
  mirror-del [NAME], mirror-list\n\
  lsp-attach-mirror PORT MIRROR, lsp-detach-mirror PORT MIRROR\n\
\n\
Colour, flow class and ramp-out commands:\n\
  color-add NAME [dscp=N] [lane=N] [rate=KBPS] [burst=KB]\n\
            [rampout=CHASSIS[:PRIO][,CHASSIS[:PRIO]]...] [snat-ip=IP]\n\
  color-set NAME KEY=VALUE..., color-del NAME, color-list\n\
  [--promote-to=COLOR] [--promote-bytes=BYTES] [--promote-rate=BYTES_PER_S]\n\
  [--interval=MS] [--demote-idle=SECONDS] class-add NAME PRIORITY MATCH COLOR\n\
  class-del NAME, class-list\n\
  [--snat-ip=IP] [--color=COLOR] [--priority=N]\n\
  rampout-add ROUTER NAME SUBNET[,SUBNET]...\n\
              CHASSIS[:PRIO][,CHASSIS[:PRIO]]...\n\
  rampout-del ROUTER NAME, rampout-list ROUTER\n\
\n\
Connection commands:\n\
  [--inactivity-probe=MSECS] set-connection TARGET...\n\
  get-connection, del-connection\n\
  [--bootstrap] set-ssl PRIVATE-KEY CERTIFICATE CA-CERT\n\
                [PROTOCOLS [CIPHERS]]\n\
  get-ssl, del-ssl\n\
\n\
%s\
%s\
\n\
Synchronization options:\n\
  --wait=none|sb|hv         after committing, wait for osmotic-northd (sb)\n\
                            or every chassis too (hv) to apply the change\n\
  --no-wait                 same as --wait=none (default)\n\
  --print-wait-time         with --wait, print how long each stage took\n\
\n\
Cluster options:\n\
  --no-leader-only          accept a follower of a clustered database\n\
  --leader-only             only its leader (default)\n\
  --no-shuffle-remotes      try the remotes of --db in the order given\n\
  --shuffle-remotes         in random order (default)\n\
  --no-syslog               accepted for ovn-nbctl's sake (no effect)\n\
\n",
           program_name, program_name, ctl_get_db_cmd_usage(),
           ctl_list_db_tables_usage());
    ctlc_print_common_options();
    printf("\nThe default database is %s.\n", osmotic_default_nb_db());
    exit(EXIT_SUCCESS);
}

/* Prints the version and exits. */
static void
version(void)
{
    ctlc_print_version(nbrec_get_db_version());
}

/* Handles osmotic-nbctl's own options. */
static void
handle_option(int option, const char *arg, void *opts_)
{
    struct nbctl_options *opts = opts_;
    switch (option) {
    case OPT_WAIT:
        if (!strcmp(arg, "none")) {
            opts->wait = NBCTL_WAIT_NONE;
        } else if (!strcmp(arg, "sb")) {
            opts->wait = NBCTL_WAIT_SB;
        } else if (!strcmp(arg, "hv")) {
            opts->wait = NBCTL_WAIT_HV;
        } else {
            ctl_fatal("--wait: %s: invalid value (expected none, sb or hv)",
                      arg);
        }
        break;
    case OPT_NO_WAIT:
        opts->wait = NBCTL_WAIT_NONE;
        break;
    case OPT_PRINT_WAIT_TIME:
        opts->print_wait_time = true;
        break;
    case OPT_LEADER_ONLY:
    case OPT_NO_LEADER_ONLY:
        opts->leader_only = option == OPT_LEADER_ONLY;
        break;
    case OPT_SHUFFLE_REMOTES:
    case OPT_NO_SHUFFLE_REMOTES:
        opts->shuffle_remotes = option == OPT_SHUFFLE_REMOTES;
        break;
    case OPT_NO_SYSLOG:
        /* osmotic-nbctl logs nothing to syslog, so this is what it does
         * anyway; accepted for ovn-nbctl's scripts. */
        break;
    default:
        OVS_NOT_REACHED();
    }
}

/* Parses the command line, then runs its commands in one transaction. */
int
main(int argc, char *argv[])
{
    static const struct option own_options[] = {
        {"wait", required_argument, NULL, OPT_WAIT},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"print-wait-time", no_argument, NULL, OPT_PRINT_WAIT_TIME},
        {"leader-only", no_argument, NULL, OPT_LEADER_ONLY},
        {"no-leader-only", no_argument, NULL, OPT_NO_LEADER_ONLY},
        {"shuffle-remotes", no_argument, NULL, OPT_SHUFFLE_REMOTES},
        {"no-shuffle-remotes", no_argument, NULL, OPT_NO_SHUFFLE_REMOTES},
        {"no-syslog", no_argument, NULL, OPT_NO_SYSLOG},
        {NULL, 0, NULL, 0},
    };
    struct nbctl_options opts;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");
    /* A refused transaction is reported once, by ctl_fatal(). */
    vlog_set_levels_from_string_assert("ovsdb_idl:err");

    ctl_init__(&nbrec_idl_class, nbctl_tables, NULL, NULL);
    ctl_register_commands(nbctl_db_commands);
    nbctl_switch_register();
    nbctl_router_register();
    nbctl_policy_register();
    nbctl_qos_register();
    nbctl_mirror_register();
    nbctl_fwd_group_register();
    nbctl_mac_binding_register();
    nbctl_nat_register();
    nbctl_lb_register();
    nbctl_route_register();
    nbctl_color_register();
    nbctl_dhcp_register();
    nbctl_ha_chassis_register();
    nbctl_copp_register();

    memset(&opts, 0, sizeof opts);
    opts.leader_only = true;
    opts.shuffle_remotes = true;
    sset_init(&opts.unapplied);
    ctlc_options_init(&opts.common, osmotic_default_nb_db());
    struct ctlc_option_hooks option_hooks = {
        .options = own_options,
        .handle = handle_option,
        .usage = usage,
        .version = version,
        .aux = &opts,
    };
    struct shash local_options = SHASH_INITIALIZER(&local_options);
    ctlc_parse_options(argc, argv, &opts.common, &option_hooks,
                       &local_options);

    struct ctl_command *commands;
    size_t n_commands;
    char *error = ctl_parse_commands(argc - optind, argv + optind,
                                     &local_options, &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }
    for (size_t i = 0; i < n_commands; i++) {
        if (!strcmp(commands[i].syntax->name, "sync")) {
            opts.force_wait = true;
        }
    }

    /* One remote that cannot be reached fails at once.  The members of a
     * cluster are tried in turn, again after a leader dies, until one of
     * them is the leader or --timeout runs out. */
    bool retry = strchr(opts.common.db, ',') != NULL;
    struct ovsdb_idl *idl = ovsdb_idl_create(opts.common.db, &nbrec_idl_class,
                                             false, retry);
    ovsdb_idl_set_db_change_aware(idl, false);
    ovsdb_idl_set_leader_only(idl, opts.leader_only);
    ovsdb_idl_set_shuffle_remotes(idl, opts.shuffle_remotes);
    nbctl_monitor(idl, commands, n_commands);
    opts.partial = nbctl_partial_create(idl, commands, n_commands,
                                        opts.common.db,
                                        opts.common.deadline);

    struct ctlc_txn_hooks txn_hooks = {
        .ready = nbctl_txn_ready,
        .start = nbctl_txn_start,
        .pre_commit = nbctl_txn_pre_commit,
        .post_commit = nbctl_txn_post_commit,
        .printed = nbctl_printed,
        .aux = &opts,
    };
    char *args = ctlc_join_args(argc, argv);
    ctlc_execute(args, commands, n_commands, idl, &opts.common, &txn_hooks);
}
