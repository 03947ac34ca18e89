/*
 * osmotic-nbctl: logical switch and logical switch port commands.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

/* Looks up switch 'id'. */
static char *
find_ls(struct ctl_context *ctx, const char *id, bool must_exist,
        const struct nbrec_logical_switch **lsp)
{
    return NBCTL_FIND(ctx, logical_switch, "switch", id, must_exist,
                      lsp);
}

/* Looks up switch port 'id'. */
static char *
find_lsp(struct ctl_context *ctx, const char *id, bool must_exist,
         const struct nbrec_logical_switch_port **lspp)
{
    return NBCTL_FIND(ctx, logical_switch_port, "port", id,
                      must_exist, lspp);
}

/* Looks up the switch port named by the current command's first argument,
 * reporting an error if there is none. */
static const struct nbrec_logical_switch_port *
arg_lsp(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp;
    return nbctl_check(ctx, find_lsp(ctx, ctx->argv[1], true, &lsp))
           ? lsp : NULL;
}

/* "ls-add [SWITCH]".  Switch names are for people: several switches may
 * have none, and --add-duplicate gives a second switch a name already
 * taken (commands that look switches up by name then ask for a UUID). */
static void
cmd_ls_add(struct ctl_context *ctx)
{
    const char *name = ctx->argc > 1 ? ctx->argv[1] : NULL;
    if (!nbctl_check_add_options(ctx, name)
        || (name && !nbctl_name_is_free(ctx, &nbrec_table_logical_switch,
                                        "switch", name))) {
        return;
    }

    struct nbrec_logical_switch *ls = nbrec_logical_switch_insert(ctx->txn);
    if (name) {
        nbrec_logical_switch_set_name(ls, name);
    }
}

/* "ls-del SWITCH". */
static void
cmd_ls_del(struct ctl_context *ctx)
{
    bool must_exist = !nbctl_has_option(ctx, "--if-exists");
    const struct nbrec_logical_switch *ls;
    if (nbctl_check(ctx, find_ls(ctx, ctx->argv[1], must_exist, &ls))
        && ls) {
        /* The database would delete the ports, ACLs and forwarding
         * groups with the switch; deleting them here too lets validation
         * see that they are gone, and later commands reuse the groups'
         * names. */
        size_t n_ports;
        const struct nbrec_logical_switch_port **ports
            = nbctl_ls_ports(ctx->idl, ls, &n_ports);
        for (size_t i = 0; i < n_ports; i++) {
            nbrec_logical_switch_port_delete(ports[i]);
        }
        free(ports);
        size_t n_acls;
        struct nbrec_acl **acls = nbctl_pending_acls(
            ctx->idl, &ls->header_, &nbrec_logical_switch_col_acls, &n_acls);
        for (size_t i = 0; i < n_acls; i++) {
            nbrec_acl_delete(acls[i]);
        }
        free(acls);
        for (size_t i = 0; i < ls->n_forwarding_groups; i++) {
            nbrec_forwarding_group_delete(ls->forwarding_groups[i]);
        }
        nbrec_logical_switch_delete(ls);
    }
}

/* A row with its name, for sorting "UUID (NAME)" lists. */
struct named_row {
    const char *name;                   /* Its name. */
    const struct ovsdb_idl_row *row;    /* The row. */
};

/* Orders named rows by name, then by UUID. */
static int
compare_named_rows(const void *a_, const void *b_)
{
    const struct named_row *a = a_;
    const struct named_row *b = b_;
    int cmp = strcmp(a->name, b->name);
    return cmp ? cmp : uuid_compare_3way(&a->row->uuid, &b->row->uuid);
}

/* Prints the 'n' rows of 'rows' as "UUID (NAME)" sorted by name. */
static void
print_named_rows(struct ds *ds, struct named_row *rows, size_t n)
{
    qsort(rows, n, sizeof *rows, compare_named_rows);
    for (size_t i = 0; i < n; i++) {
        nbctl_print_row_name(ds, rows[i].row, rows[i].name);
    }
}

/* "ls-list". */
static void
cmd_ls_list(struct ctl_context *ctx)
{
    size_t n = 0, allocated = 0;
    struct named_row *rows = NULL;
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, ctx->idl) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n++] = (struct named_row) { ls->name, &ls->header_ };
    }
    print_named_rows(&ctx->output, rows, n);
    free(rows);
}

/* Returns the name of switch 'ls' for messages: its UUID if it has no
 * name.  The result is valid until the next call. */
static const char *
ls_display_name(const struct nbrec_logical_switch *ls)
{
    static char uuid_s[UUID_LEN + 1];
    if (ls->name[0]) {
        return ls->name;
    }
    snprintf(uuid_s, sizeof uuid_s, UUID_FMT, UUID_ARGS(&ls->header_.uuid));
    return uuid_s;
}

/* Checks an existing port 'lsp' against an "lsp-add --may-exist" of it to
 * 'ls' with 'parent' and 'tag' (NULL and -1 without). */
static void
check_existing_lsp(struct ctl_context *ctx,
                   const struct nbrec_logical_switch_port *lsp,
                   const struct nbrec_logical_switch *ls,
                   const char *parent, int64_t tag)
{
    const char *port = ctx->argv[2];
    if (!nbctl_has_option(ctx, "--may-exist")) {
        ctl_error(ctx, "%s: a port with this name already exists", port);
        return;
    }
    const struct nbrec_logical_switch *old = nbctl_lsp_to_ls(ctx->idl, lsp);
    if (old != ls) {
        ctl_error(ctx, "%s: port already exists but in switch %s", port,
                  old ? ls_display_name(old) : "(none)");
    } else if (parent && !lsp->parent_name) {
        ctl_error(ctx, "%s: port already exists but has no parent", port);
    } else if (parent && strcmp(parent, lsp->parent_name)) {
        ctl_error(ctx, "%s: port already exists with different parent %s",
                  port, lsp->parent_name);
    } else if (parent && !lsp->n_tag_request) {
        ctl_error(ctx, "%s: port already exists but has no tag_request",
                  port);
    } else if (parent && lsp->tag_request[0] != tag) {
        ctl_error(ctx, "%s: port already exists with different tag_request "
                  "%"PRId64, port, lsp->tag_request[0]);
    } else if (!parent && lsp->parent_name) {
        ctl_error(ctx, "%s: port already exists but has parent %s", port,
                  lsp->parent_name);
    }
}

/* "lsp-add SWITCH PORT [PARENT TAG]". */
static void
cmd_lsp_add(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch *ls;
    if (!nbctl_check(ctx, find_ls(ctx, ctx->argv[1], true, &ls))) {
        return;
    }

    const char *name = ctx->argv[2];
    const char *parent = NULL;
    int64_t tag = -1;
    if (ctx->argc == 4) {
        ctl_error(ctx, "lsp-add with parent must also specify a tag");
        return;
    } else if (ctx->argc == 5) {
        parent = ctx->argv[3];
        long long int t;
        if (!str_to_llong(ctx->argv[4], 10, &t) || t < 0 || t > 4095) {
            ctl_error(ctx, "%s: invalid tag (must be in range 0 to 4095)",
                      ctx->argv[4]);
            return;
        }
        tag = t;
    }
    if (!name[0]) {
        ctl_error(ctx, "empty port name");
        return;
    }

    const struct nbrec_logical_switch_port *lsp;
    if (!nbctl_check(ctx, find_lsp(ctx, name, false, &lsp))) {
        return;
    }
    if (lsp) {
        check_existing_lsp(ctx, lsp, ls, parent, tag);
        return;
    }
    if (parent) {
        const struct nbrec_logical_switch_port *p;
        if (!nbctl_check(ctx, find_lsp(ctx, parent, true, &p))) {
            return;
        }
    }

    struct nbrec_logical_switch_port *new
        = nbrec_logical_switch_port_insert(ctx->txn);
    nbrec_logical_switch_port_set_name(new, name);
    if (parent) {
        nbrec_logical_switch_port_set_parent_name(new, parent);
        nbrec_logical_switch_port_set_tag_request(new, &tag, 1);
    }
    /* A mutation, not a new value for the whole set: osmotic-nbctl may
     * replicate only some of the switch's ports, and the server keeps the
     * others.  It also lets concurrent additions to one switch all
     * succeed. */
    nbrec_logical_switch_update_ports_addvalue(ls, new);
}

/* Deletes 'lsp' and takes it out of its switch. */
static void
delete_lsp(struct ctl_context *ctx,
           const struct nbrec_logical_switch_port *lsp)
{
    /* A port should be in one switch only, but a database written by
     * other means may list it in several: take it out of every one. */
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, ctx->idl) {
        if (nbctl_ls_has_port(ls, lsp)) {
            nbrec_logical_switch_update_ports_delvalue(ls, lsp);
        }
    }
    nbrec_logical_switch_port_delete(lsp);
}

/* "lsp-del PORT": deletes PORT and, if it is the parent of container
 * ports, those too, since their traffic travels through its interface. */
static void
cmd_lsp_del(struct ctl_context *ctx)
{
    bool must_exist = !nbctl_has_option(ctx, "--if-exists");
    const struct nbrec_logical_switch_port *lsp;
    if (!nbctl_check(ctx, find_lsp(ctx, ctx->argv[1], must_exist, &lsp))
        || !lsp) {
        return;
    }

    const struct nbrec_logical_switch_port *child;
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH_SAFE (child, ctx->idl) {
        if (child != lsp && child->parent_name
            && !strcmp(child->parent_name, lsp->name)) {
            delete_lsp(ctx, child);
        }
    }
    delete_lsp(ctx, lsp);
}

/* "lsp-list SWITCH". */
static void
cmd_lsp_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch *ls;
    if (!nbctl_check(ctx, find_ls(ctx, ctx->argv[1], true, &ls))) {
        return;
    }
    size_t n_ports;
    const struct nbrec_logical_switch_port **ports
        = nbctl_ls_ports(ctx->idl, ls, &n_ports);
    struct named_row *rows = xmalloc((n_ports + 1) * sizeof *rows);
    for (size_t i = 0; i < n_ports; i++) {
        rows[i] = (struct named_row) { ports[i]->name, &ports[i]->header_ };
    }
    print_named_rows(&ctx->output, rows, n_ports);
    free(rows);
    free(ports);
}

/* "lsp-get-ls PORT". */
static void
cmd_lsp_get_ls(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    const struct nbrec_logical_switch *ls
        = lsp ? nbctl_lsp_to_ls(ctx->idl, lsp) : NULL;
    if (ls) {
        nbctl_print_row_name(&ctx->output, &ls->header_, ls->name);
    }
}

/* "lsp-get-parent PORT": the parent of a container port, if any. */
static void
cmd_lsp_get_parent(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (lsp && lsp->parent_name) {
        ds_put_format(&ctx->output, "%s\n", lsp->parent_name);
    }
}

/* "lsp-get-tag PORT": the VLAN tag of a container port.  ovn-nbctl prints
 * the tag that ovn-northd assigned ("tag"), which is the requested one
 * when there is one; nothing in Osmotic assigns tags yet, so without an
 * assigned tag the requested one is printed. */
static void
cmd_lsp_get_tag(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (!lsp) {
        return;
    }
    if (lsp->n_tag) {
        ds_put_format(&ctx->output, "%"PRId64"\n", lsp->tag[0]);
    } else if (lsp->n_tag_request && lsp->tag_request[0]) {
        ds_put_format(&ctx->output, "%"PRId64"\n", lsp->tag_request[0]);
    }
}

/* Returns an error if two of the 'n' 'addresses' entries (or one of them
 * and an address of another port of 'ls') share an IP address, worded as
 * ovn-nbctl words it. */
static char *
check_duplicate_addresses(struct ovsdb_idl *idl,
                          const struct nbrec_logical_switch *ls,
                          const struct nbrec_logical_switch_port *self,
                          char **addresses, size_t n)
{
    char *error = nb_validate_switch_ips(idl, ls, self, addresses, n);
    if (error && ls && strstr(error, "duplicate IPv")) {
        char *msg = xasprintf("Error on switch %s: %s", ls->name, error);
        free(error);
        error = msg;
    }
    return error;
}

/* "lsp-set-addresses PORT [ADDRESS]...". */
static void
cmd_lsp_set_addresses(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (!lsp) {
        return;
    }
    for (int i = 2; i < ctx->argc; i++) {
        if (!nbctl_check(ctx, lsp_addresses_validate(ctx->argv[i]))) {
            return;
        }
    }
    const struct nbrec_logical_switch *ls = nbctl_lsp_to_ls(ctx->idl, lsp);
    if (!nbctl_check(ctx, check_duplicate_addresses(ctx->idl, ls, lsp,
                                                    ctx->argv + 2,
                                                    ctx->argc - 2))) {
        return;
    }
    nbrec_logical_switch_port_set_addresses(
        lsp, (const char **) ctx->argv + 2, ctx->argc - 2);
}

/* "lsp-get-addresses PORT".  The switch end of a router port whose
 * address is "router" has the router port's MAC and networks, which are
 * printed instead, as ovn-nbctl does. */
static void
cmd_lsp_get_addresses(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (!lsp) {
        return;
    }
    const char *router_port = smap_get(&lsp->options, "router-port");
    if (lsp->n_addresses == 1 && !strcmp(lsp->addresses[0], "router")
        && router_port) {
        const struct nbrec_logical_router_port *lrp;
        char *error = NBCTL_FIND(ctx, logical_router_port, "port",
                                 router_port, false, &lrp);
        free(error);
        if (lrp) {
            ds_put_cstr(&ctx->output, lrp->mac);
            for (size_t i = 0; i < lrp->n_networks; i++) {
                ds_put_format(&ctx->output, " %s", lrp->networks[i]);
            }
            ds_put_char(&ctx->output, '\n');
            return;
        }
    }
    nbctl_print_strings(&ctx->output, lsp->addresses, lsp->n_addresses,
                        true);
}

/* "lsp-set-port-security PORT [ADDRS]...". */
static void
cmd_lsp_set_port_security(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (!lsp) {
        return;
    }
    for (int i = 2; i < ctx->argc; i++) {
        if (!nbctl_check(ctx, lsp_port_security_validate(ctx->argv[i]))) {
            return;
        }
    }
    nbrec_logical_switch_port_set_port_security(
        lsp, (const char **) ctx->argv + 2, ctx->argc - 2);
}

/* "lsp-get-port-security PORT". */
static void
cmd_lsp_get_port_security(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (lsp) {
        nbctl_print_strings(&ctx->output, lsp->port_security,
                            lsp->n_port_security, true);
    }
}

/* "lsp-get-up PORT". */
static void
cmd_lsp_get_up(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (lsp) {
        ds_put_format(&ctx->output, "%s\n",
                      lsp->n_up && lsp->up[0] ? "up" : "down");
    }
}

/* "lsp-set-enabled PORT enabled|disabled". */
static void
cmd_lsp_set_enabled(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    bool enabled;
    if (lsp && nbctl_parse_enabled(ctx, ctx->argv[2], &enabled)) {
        nbrec_logical_switch_port_set_enabled(lsp, &enabled, 1);
    }
}

/* "lsp-get-enabled PORT". */
static void
cmd_lsp_get_enabled(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (lsp) {
        ds_put_format(&ctx->output, "%s\n",
                      !lsp->n_enabled || lsp->enabled[0]
                      ? "enabled" : "disabled");
    }
}

/* "lsp-set-type PORT TYPE". */
static void
cmd_lsp_set_type(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (!lsp) {
        return;
    }
    char *error = nb_validate_lsp_type(ctx->argv[2]);
    if (error) {
        ctl_error(ctx, "%s Not setting type.", error);
        free(error);
        return;
    }
    nbrec_logical_switch_port_set_type(lsp, ctx->argv[2]);
}

/* "lsp-get-type PORT". */
static void
cmd_lsp_get_type(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (lsp) {
        ds_put_format(&ctx->output, "%s\n", lsp->type);
    }
}

/* "lsp-set-options PORT KEY=VALUE...". */
static void
cmd_lsp_set_options(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (!lsp) {
        return;
    }
    struct smap options = SMAP_INITIALIZER(&options);
    if (nbctl_parse_key_values(ctx, ctx->argc - 2, ctx->argv + 2,
                               &options)) {
        nbrec_logical_switch_port_set_options(lsp, &options);
    }
    smap_destroy(&options);
}

/* "lsp-get-options PORT". */
static void
cmd_lsp_get_options(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp = arg_lsp(ctx);
    if (!lsp) {
        return;
    }
    const struct smap_node **nodes = smap_sort(&lsp->options);
    for (size_t i = 0; i < smap_count(&lsp->options); i++) {
        ds_put_format(&ctx->output, "%s=%s\n", nodes[i]->key,
                      nodes[i]->value);
    }
    free(nodes);
}

/* Prerequisites: the columns each command reads, so that osmotic-nbctl
 * monitors only those (a command without prerequisites gets the whole
 * database).  Every function here covers what validation before commit
 * reads of the columns the command may write: see nb-validate.h. */

/* Switch names: lookups by name and the uniqueness check. */
static void
pre_ls_names(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_col_name);
}

/* Switch and port names and the switches' ports: lookups, the port's
 * switch, and the checks that names are unique and that a port is in one
 * switch only. */
static void
pre_names(struct ctl_context *ctx)
{
    pre_ls_names(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_col_ports);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_name);
}

/* Also every port's parent and tag, which are validated together. */
static void
pre_parents(struct ctl_context *ctx)
{
    pre_names(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_parent_name);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_tag_request);
}

/* Also every port's assigned tag. */
static void
pre_tags(struct ctl_context *ctx)
{
    pre_parents(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_tag);
}

/* "lsp-del": also the NAT rules and forwarding groups, which may name the
 * deleted ports, and the switches' forwarding groups. */
static void
pre_lsp_del(struct ctl_context *ctx)
{
    pre_parents(ctx);
    nbctl_monitor_table(ctx->idl, &nbrec_table_nat);
    nbctl_monitor_table(ctx->idl, &nbrec_table_forwarding_group);
    ovsdb_idl_add_column(ctx->idl,
                         &nbrec_logical_switch_col_forwarding_groups);
}

/* Addresses: the duplicate check looks at the other ports of a switch. */
static void
pre_addresses(struct ctl_context *ctx)
{
    pre_names(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_addresses);
    ovsdb_idl_add_column(ctx->idl,
                         &nbrec_logical_switch_port_col_dynamic_addresses);
}

/* "lsp-get-addresses": also the router port that a router-type port
 * names. */
static void
pre_get_addresses(struct ctl_context *ctx)
{
    pre_addresses(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_options);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_router_port_col_name);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_router_port_col_mac);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_router_port_col_networks);
}

/* Port security. */
static void
pre_port_security(struct ctl_context *ctx)
{
    pre_names(ctx);
    ovsdb_idl_add_column(ctx->idl,
                         &nbrec_logical_switch_port_col_port_security);
}

/* Type and options, validated together: a router port's router-port
 * must name a logical router port. */
static void
pre_type_options(struct ctl_context *ctx)
{
    pre_names(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_type);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_options);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_router_port_col_name);
}

/* "enabled". */
static void
pre_enabled(struct ctl_context *ctx)
{
    pre_names(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_enabled);
}

/* "up". */
static void
pre_up(struct ctl_context *ctx)
{
    pre_names(ctx);
    ovsdb_idl_add_column(ctx->idl, &nbrec_logical_switch_port_col_up);
}

/* Logical switch commands.  "ls-del" also deletes ACLs: it monitors
 * everything. */
static const struct ctl_command_syntax switch_commands[] = {
    { "ls-add", 0, 1, "[SWITCH]", pre_ls_names, cmd_ls_add, NULL,
      "--may-exist,--add-duplicate", RW },
    { "ls-del", 1, 1, "SWITCH", NULL, cmd_ls_del, NULL, "--if-exists", RW },
    { "ls-list", 0, 0, "", pre_ls_names, cmd_ls_list, NULL, "", RO },
    { "lsp-add", 2, 4, "SWITCH PORT [PARENT TAG]", pre_parents, cmd_lsp_add,
      NULL, "--may-exist", RW },
    { "lsp-del", 1, 1, "PORT", pre_lsp_del, cmd_lsp_del, NULL,
      "--if-exists", RW },
    { "lsp-list", 1, 1, "SWITCH", pre_names, cmd_lsp_list, NULL, "", RO },
    { "lsp-get-ls", 1, 1, "PORT", pre_names, cmd_lsp_get_ls, NULL, "", RO },
    { "lsp-get-parent", 1, 1, "PORT", pre_parents, cmd_lsp_get_parent, NULL,
      "", RO },
    { "lsp-get-tag", 1, 1, "PORT", pre_tags, cmd_lsp_get_tag, NULL, "", RO },
    { "lsp-set-addresses", 1, INT_MAX, "PORT [ADDRESS]...", pre_addresses,
      cmd_lsp_set_addresses, NULL, "", RW },
    { "lsp-get-addresses", 1, 1, "PORT", pre_get_addresses,
      cmd_lsp_get_addresses, NULL, "", RO },
    { "lsp-set-port-security", 1, INT_MAX, "PORT [ADDRS]...",
      pre_port_security, cmd_lsp_set_port_security, NULL, "", RW },
    { "lsp-get-port-security", 1, 1, "PORT", pre_port_security,
      cmd_lsp_get_port_security, NULL, "", RO },
    { "lsp-get-up", 1, 1, "PORT", pre_up, cmd_lsp_get_up, NULL, "", RO },
    { "lsp-set-enabled", 2, 2, "PORT STATE", pre_enabled,
      cmd_lsp_set_enabled, NULL, "", RW },
    { "lsp-get-enabled", 1, 1, "PORT", pre_enabled, cmd_lsp_get_enabled,
      NULL, "", RO },
    { "lsp-set-type", 2, 2, "PORT TYPE", pre_type_options, cmd_lsp_set_type,
      NULL, "", RW },
    { "lsp-get-type", 1, 1, "PORT", pre_type_options, cmd_lsp_get_type,
      NULL, "", RO },
    { "lsp-set-options", 1, INT_MAX, "PORT KEY=VALUE...", pre_type_options,
      cmd_lsp_set_options, NULL, "", RW },
    { "lsp-get-options", 1, 1, "PORT", pre_type_options,
      cmd_lsp_get_options, NULL, "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Returns true if 'syntax' is one of the logical switch commands. */
bool
nbctl_switch_has_command(const struct ctl_command_syntax *syntax)
{
    return (syntax >= switch_commands
            && syntax < &switch_commands[ARRAY_SIZE(switch_commands)]);
}

/* Registers the logical switch commands. */
void
nbctl_switch_register(void)
{
    ctl_register_commands(switch_commands);
}
