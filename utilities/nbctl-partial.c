/*
 * osmotic-nbctl: replicating only the rows that a batch of commands names.
 *
 * Without a condition, the IDL downloads every row of every table it
 * monitors before the commands can run, which dominates the run time of a
 * single "lsp-add" or "acl-add" on a database with thousands of ports,
 * ACLs and addresses.  The commands that automation issues all the time
 * name their switches, ports, port groups and address sets, so for
 * batches made only of them (see 'partial_commands' below) osmotic-nbctl
 * asks the server, with OVSDB conditional monitoring, for the rows of
 * those tables that the batch can read and nothing else.  Other tables
 * are replicated as the commands' prerequisites say; any other command in
 * the batch turns this off.
 *
 * The rows are found in rounds, because some can only be named once others
 * are known:
 *
 *   1. The rows that the arguments name (by name or UUID): switches and
 *      ports, and for "lsp-del", every port with a parent and every
 *      unnamed port, which are what validation checks again when ports are
 *      deleted; the switch or port group of an ACL command (both, without
 *      --type); the port groups and address sets that an ACL's match
 *      names ("@PG", "$SET", and for "$PG_ip4" both the address set of
 *      that name and port group PG), which validation looks up, by
 *      parsing the match as validation does; the address set of an
 *      address set command; the load balancer whose "vips" a generic
 *      command changes (a service's backends, at thousands of services),
 *      whose validation (nb-validate.c's validate_lb()) reads that row
 *      alone.
 *
 *   2. Then, repeatedly, until a round adds nothing:
 *        - the switches that list a named port (or a child of a port being
 *          deleted): its switch, and any other switch that lists it too;
 *        - the parent of every replicated port that has one, which
 *          validation looks up;
 *        - with "lsp-set-addresses", every port of every replicated switch,
 *          for the check that an IP address is used once per switch;
 *        - with "lsp-del", the ports that NAT rules and forwarding groups
 *          name;
 *        - with an ACL command, every ACL of every replicated switch and
 *          port group, which the commands read (duplicates, "acl-list",
 *          what "acl-del" deletes).
 *
 * Each round that changes the Logical_Switch_Port condition makes the
 * server scan that whole table again, so for "lsp-set-addresses", which
 * needs the most rounds, osmotic-nbctl first asks the server, over a
 * connection of its own and with plain "select"s, for the ports of the
 * switches concerned, and puts them in the first condition.  That is a
 * hint only: the rounds above still run on what the monitor returns, so a
 * stale or failed answer costs a round, never a row.
 *
 * The commands then run on a replica that holds every row that they or the
 * validation before commit read, so their result does not depend on the
 * condition.  (Validation of a row the batch writes compares its name with
 * the names of the other rows of its table: those are the rows that have
 * the same name, which the name's clause replicates.  An address set
 * whose addresses change is not checked against the matches that use it,
 * with or without this; one that is deleted or renamed is, so "as-del" is
 * not one of these commands.)  A switch's "ports" may list rows that are
 * not replicated; the commands change that column, and switches' and port
 * groups' "acls", only with mutations, which the server applies to the
 * whole stored set.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/expr.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "socket-util.h"
#include "sset.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(nbctl_partial);

/* What a command of the fast path names and needs. */
enum {
    PC_SWITCH = 1 << 0,         /* argv[1] is a switch ("" when absent). */
    PC_PORT = 1 << 1,           /* argv[1] is a port. */
    PC_ADD = 1 << 2,            /* argv[1] switch, argv[2] port,
                                 * argv[3] parent port. */
    PC_DELETES = 1 << 3,        /* Deletes the port and its children. */
    PC_OWNER = 1 << 4,          /* Looks up or changes the port's switch. */
    PC_SWITCH_PORTS = 1 << 5,   /* Reads every port of the port's switch. */
    PC_ACL = 1 << 6,            /* argv[1] is a switch or port group (as
                                 * --type says), whose ACLs it reads. */
    PC_MATCH = 1 << 7,          /* argv[4], if any, is an ACL's match. */
    PC_ADDRESS_SET = 1 << 8,    /* argv[1] is an address set. */
    PC_GENERIC = 1 << 9,        /* A generic command: only one that
                                 * changes an address set's addresses or a
                                 * load balancer's VIPs, argv[2]. */
};

/* A command that the fast path handles. */
struct partial_command {
    const char *name;           /* Command name. */
    unsigned int flags;         /* PC_*. */
};

/* The commands that the fast path handles. */
static const struct partial_command partial_commands[] = {
    { "init", 0 },
    { "sync", 0 },
    { "ls-add", PC_SWITCH },
    { "lsp-add", PC_ADD | PC_OWNER },
    { "lsp-del", PC_PORT | PC_OWNER | PC_DELETES },
    { "lsp-get-ls", PC_PORT | PC_OWNER },
    { "lsp-set-addresses", PC_PORT | PC_OWNER | PC_SWITCH_PORTS },
    { "lsp-get-addresses", PC_PORT },
    { "lsp-get-parent", PC_PORT },
    { "lsp-get-tag", PC_PORT },
    { "lsp-set-port-security", PC_PORT },
    { "lsp-get-port-security", PC_PORT },
    { "lsp-get-up", PC_PORT },
    { "lsp-set-enabled", PC_PORT },
    { "lsp-get-enabled", PC_PORT },
    { "lsp-set-type", PC_PORT },
    { "lsp-get-type", PC_PORT },
    { "lsp-set-options", PC_PORT },
    { "lsp-get-options", PC_PORT },
    { "acl-add", PC_ACL | PC_MATCH },
    { "acl-del", PC_ACL },
    { "acl-list", PC_ACL },
    { "as-add", PC_ADDRESS_SET },
    { "as-set-addresses", PC_ADDRESS_SET },
    { "add", PC_GENERIC },
    { "remove", PC_GENERIC },
    { "set", PC_GENERIC },
    { "clear", PC_GENERIC },
};

/* The "_uuid" column, which every table has but IDL table classes do not
 * list.  Conditions may compare it; only its name and type are used. */
static const struct ovsdb_idl_column uuid_column = {
    .name = "_uuid",
    .type = OVSDB_TYPE_SCALAR_INITIALIZER(OVSDB_BASE_UUID_INIT),
};

/* The tables whose rows the fast path chooses. */
enum partial_table {
    PT_LS,                      /* Logical_Switch. */
    PT_LSP,                     /* Logical_Switch_Port. */
    PT_PG,                      /* Port_Group. */
    PT_ACL,                     /* ACL. */
    PT_AS,                      /* Address_Set. */
    PT_LB,                      /* Load_Balancer. */
    PT_N
};

/* The condition of one of those tables. */
struct partial_cond {
    struct ovsdb_idl_condition cond; /* The rows replicated. */
    size_t n_sent;              /* Clauses in 'cond' as last sent. */
    bool used;                  /* The batch monitors the table: its
                                 * condition is sent. */
};

/* The state of the fast path for one batch. */
struct nbctl_partial {
    struct sset switches;       /* Switch names (or UUIDs) in arguments. */
    struct sset ports;          /* Port names (or UUIDs) in arguments. */
    struct sset added;          /* Ports that "lsp-add"s of the batch add. */
    struct sset addr_ports;     /* Ports that "lsp-set-addresses" sets. */
    struct sset port_groups;    /* Port group names (or UUIDs) named by
                                 * arguments and matches. */
    struct sset address_sets;   /* Address set names (or UUIDs), likewise. */
    struct sset lbs;            /* Load balancer names (or UUIDs). */
    bool any_ports;             /* A command reads ports. */
    bool deletes;               /* A command deletes ports. */
    bool owners;                /* A command needs ports' switches. */
    bool switch_ports;          /* A command reads whole switches. */
    bool acls;                  /* A command reads switches' and port
                                 * groups' ACLs. */

    struct partial_cond conds[PT_N];
    bool waiting;               /* A condition change is in flight. */
    unsigned int cond_seqno;    /* Condition seqno that completes it. */
};

/* The table of each condition. */
static const struct ovsdb_idl_table_class *const partial_tables[PT_N] = {
    [PT_LS] = &nbrec_table_logical_switch,
    [PT_LSP] = &nbrec_table_logical_switch_port,
    [PT_PG] = &nbrec_table_port_group,
    [PT_ACL] = &nbrec_table_acl,
    [PT_AS] = &nbrec_table_address_set,
    [PT_LB] = &nbrec_table_load_balancer,
};

/* Returns the fast-path entry for 'syntax', or NULL. */
static const struct partial_command *
find_partial_command(const struct ctl_command_syntax *syntax)
{
    for (size_t i = 0; i < ARRAY_SIZE(partial_commands); i++) {
        if (!strcmp(partial_commands[i].name, syntax->name)) {
            return &partial_commands[i];
        }
    }
    return NULL;
}

/* Adds to 'cond' the clause "_uuid == 'uuid'". */
static void
add_uuid_clause(struct ovsdb_idl_condition *cond, const struct uuid *uuid)
{
    struct ovsdb_datum datum = {
        .n = 1,
        .keys = xmalloc(sizeof *datum.keys),
    };
    datum.keys[0].uuid = *uuid;
    ovsdb_idl_condition_add_clause(cond, OVSDB_F_EQ, &uuid_column, &datum);
    ovsdb_datum_destroy(&datum, &uuid_column.type);
}

/* Adds to 'cond' a clause "_uuid == U" for each UUID U in 'uuids'. */
static void
add_uuid_clauses(struct ovsdb_idl_condition *cond,
                 const struct ovsdb_datum *uuids)
{
    for (size_t i = 0; i < uuids->n; i++) {
        add_uuid_clause(cond, &uuids->keys[i].uuid);
    }
}

/* Returns the "name" column of table 'tc'. */
static const struct ovsdb_idl_column *
name_column(const struct ovsdb_idl_table_class *tc)
{
    for (size_t i = 0; i < tc->n_columns; i++) {
        if (!strcmp(tc->columns[i].name, "name")) {
            return &tc->columns[i];
        }
    }
    OVS_NOT_REACHED();
}

/* Adds to condition 'pt' the rows named 'id' and, if 'id' is a UUID, the
 * row with that UUID (lookups try both). */
static void
add_id_clauses(struct nbctl_partial *p, enum partial_table pt,
               const char *id)
{
    struct ovsdb_idl_condition *cond = &p->conds[pt].cond;
    const struct ovsdb_idl_column *name = name_column(partial_tables[pt]);
    struct ovsdb_datum datum = {
        .n = 1,
        .keys = xmalloc(sizeof *datum.keys),
    };
    datum.keys[0].s = ovsdb_atom_string_create(id);
    ovsdb_idl_condition_add_clause(cond, OVSDB_F_EQ, name, &datum);
    ovsdb_datum_destroy(&datum, &name->type);

    struct uuid uuid;
    if (uuid_from_string(&uuid, id)) {
        add_uuid_clause(cond, &uuid);
    }
}

/* Adds to the conditions the rows that the arguments name: see the
 * comment at the top of this file. */
static void
add_argument_clauses(struct nbctl_partial *p)
{
    const char *id;
    SSET_FOR_EACH (id, &p->switches) {
        add_id_clauses(p, PT_LS, id);
    }
    SSET_FOR_EACH (id, &p->ports) {
        add_id_clauses(p, PT_LSP, id);
    }
    SSET_FOR_EACH (id, &p->port_groups) {
        add_id_clauses(p, PT_PG, id);
    }
    SSET_FOR_EACH (id, &p->address_sets) {
        add_id_clauses(p, PT_AS, id);
    }
    SSET_FOR_EACH (id, &p->lbs) {
        add_id_clauses(p, PT_LB, id);
    }
    if (p->deletes) {
        /* After a deletion, validation checks every port's name and parent
         * again: replicate every port that could fail that check. */
        nbrec_logical_switch_port_add_clause_name(&p->conds[PT_LSP].cond,
                                                  OVSDB_F_EQ, "");
        nbrec_logical_switch_port_add_clause_parent_name(
            &p->conds[PT_LSP].cond, OVSDB_F_NE, NULL);
    }
}

/* expr_context callback: notes address set 'name' (and, for "PG_ip4" or
 * "PG_ip6", port group PG, which validation looks for when no set has
 * that name).  Answers yes, so that parsing goes on to every name that
 * validation could look up. */
static bool
note_address_set(const char *name, void *p_)
{
    struct nbctl_partial *p = p_;
    sset_add(&p->address_sets, name);
    size_t len = strlen(name);
    if (len > 4 && (!strcmp(name + len - 4, "_ip4")
                    || !strcmp(name + len - 4, "_ip6"))) {
        sset_add_and_free(&p->port_groups, xmemdup0(name, len - 4));
    }
    return true;
}

/* expr_context callback: notes port group 'name'. */
static bool
note_port_group(const char *name, void *p_)
{
    struct nbctl_partial *p = p_;
    sset_add(&p->port_groups, name);
    return true;
}

/* expr_context callback: every address set fits, as far as finding names
 * goes. */
static bool
note_fits(const char *name OVS_UNUSED, bool is_ipv6 OVS_UNUSED,
          void *p OVS_UNUSED)
{
    return true;
}

/* Notes the address sets and port groups that 'match' names, as
 * validation (nb_validate_match()) will look them up: parsing it with the
 * same parser and rules finds the same names.  A match that does not
 * parse is refused later with the parser's error, which comes at or
 * before the point where this parse stops. */
static void
add_match_names(struct nbctl_partial *p, const char *match)
{
    struct expr_context ctx = {
        .address_set_exists = note_address_set,
        .port_group_exists = note_port_group,
        .address_set_fits = note_fits,
        .aux = p,
        .strict = true,
    };
    free(expr_validate(match, &ctx));
}

/* Returns true if the generic command 'c' (add, remove, set, clear)
 * changes only the addresses of an Address_Set, or the VIPs of a
 * Load_Balancer, that the fast path can find by name or UUID.  (The
 * generic commands also take "." for a table's only row and the first
 * characters of a UUID, which need the whole table.) */
static bool
is_partial_generic(const struct ctl_command *c)
{
    if (!nbctl_is_address_set_addresses_change(c)
        && !nbctl_is_lb_vips_change(c)) {
        return false;
    }
    struct uuid uuid;
    const char *id = c->argv[2];
    return (uuid_from_string(&uuid, id)
            || (strcmp(id, ".") && uuid_is_partial_string(id) < 4));
}

/* Records what command 'c' names.  Returns false if the fast path does
 * not handle it. */
static bool
add_command(struct nbctl_partial *p, const struct ctl_command *c)
{
    const struct partial_command *pc = find_partial_command(c->syntax);
    if (!pc || ((pc->flags & PC_GENERIC) && !is_partial_generic(c))) {
        return false;
    }
    if (pc->flags & PC_SWITCH) {
        sset_add(&p->switches, c->argc > 1 ? c->argv[1] : "");
    }
    if (pc->flags & PC_PORT) {
        sset_add(&p->ports, c->argv[1]);
    }
    if (pc->flags & PC_SWITCH_PORTS) {
        sset_add(&p->addr_ports, c->argv[1]);
    }
    if (pc->flags & PC_ADD) {
        sset_add(&p->switches, c->argv[1]);
        sset_add(&p->added, c->argv[2]);
        for (int i = 2; i < c->argc && i <= 3; i++) {
            sset_add(&p->ports, c->argv[i]);
        }
    }
    if (pc->flags & PC_ACL) {
        /* The commands look the entity up in both tables unless --type
         * names one; a bad --type is refused by the command itself. */
        struct shash_node *node = shash_find(&c->options, "--type");
        const char *type = node ? node->data : NULL;
        if (!type || strcmp(type, "port-group")) {
            sset_add(&p->switches, c->argv[1]);
        }
        if (!type || strcmp(type, "switch")) {
            sset_add(&p->port_groups, c->argv[1]);
        }
    }
    if (pc->flags & PC_MATCH && c->argc > 4) {
        add_match_names(p, c->argv[4]);
    }
    if (pc->flags & PC_ADDRESS_SET) {
        sset_add(&p->address_sets, c->argv[1]);
    }
    bool generic_lb = ((pc->flags & PC_GENERIC)
                       && nbctl_is_lb_vips_change(c));
    if (generic_lb) {
        sset_add(&p->lbs, c->argv[2]);
        p->conds[PT_LB].used = true;
    } else if (pc->flags & PC_GENERIC) {
        sset_add(&p->address_sets, c->argv[2]);
    }

    /* The tables that the command monitors (see its prerequisites). */
    if (pc->flags & (PC_SWITCH | PC_PORT | PC_ADD | PC_ACL)) {
        p->conds[PT_LS].used = true;
    }
    if (pc->flags & (PC_PORT | PC_ADD)) {
        p->conds[PT_LSP].used = true;
    }
    if (pc->flags & PC_ACL) {
        p->conds[PT_PG].used = true;
        p->conds[PT_ACL].used = true;
    }
    if ((pc->flags & (PC_ACL | PC_ADDRESS_SET | PC_GENERIC))
        && !generic_lb) {
        p->conds[PT_AS].used = true;
    }
    p->any_ports |= (pc->flags & (PC_PORT | PC_ADD)) != 0;
    p->deletes |= (pc->flags & PC_DELETES) != 0;
    p->owners |= (pc->flags & PC_OWNER) != 0;
    p->switch_ports |= (pc->flags & PC_SWITCH_PORTS) != 0;
    p->acls |= (pc->flags & PC_ACL) != 0;
    return true;
}

/* Returns true if port 'lsp' is named by an argument of the batch. */
static bool
is_named_port(const struct nbctl_partial *p,
              const struct nbrec_logical_switch_port *lsp)
{
    char uuid_s[UUID_LEN + 1];
    snprintf(uuid_s, sizeof uuid_s, UUID_FMT,
             UUID_ARGS(&lsp->header_.uuid));
    return (sset_contains(&p->ports, lsp->name)
            || sset_contains(&p->ports, uuid_s));
}

/* Adds to the conditions the rows that the replica in 'idl' shows to be
 * needed: see the comment at the top of this file. */
static void
add_replica_clauses(struct nbctl_partial *p, struct ovsdb_idl *idl)
{
    /* The ports whose switches the commands look up or change. */
    struct sset focus = SSET_INITIALIZER(&focus);
    const struct nbrec_logical_switch_port *lsp;
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH (lsp, idl) {
        if (p->owners && is_named_port(p, lsp)) {
            sset_add(&focus, lsp->name);
        }
    }

    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH (lsp, idl) {
        if (sset_contains(&focus, lsp->name)
            || (p->deletes && lsp->parent_name
                && sset_contains(&focus, lsp->parent_name))) {
            const struct uuid *uuid = &lsp->header_.uuid;
            nbrec_logical_switch_add_clause_ports(
                &p->conds[PT_LS].cond, OVSDB_F_INCLUDES,
                (struct uuid **) &uuid, 1);
        }
        if (lsp->parent_name) {
            nbrec_logical_switch_port_add_clause_name(&p->conds[PT_LSP].cond,
                                                      OVSDB_F_EQ,
                                                      lsp->parent_name);
        }
    }
    sset_destroy(&focus);

    if (p->switch_ports) {
        const struct nbrec_logical_switch *ls;
        NBREC_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
            /* The stored value lists every port, replicated or not. */
            add_uuid_clauses(&p->conds[PT_LSP].cond,
                             ovsdb_idl_read(&ls->header_,
                                            &nbrec_logical_switch_col_ports));
        }
    }

    if (p->deletes) {
        const struct nbrec_nat *nat;
        NBREC_NAT_FOR_EACH (nat, idl) {
            if (nat->logical_port) {
                nbrec_logical_switch_port_add_clause_name(
                    &p->conds[PT_LSP].cond, OVSDB_F_EQ, nat->logical_port);
            }
        }
        const struct nbrec_forwarding_group *fg;
        NBREC_FORWARDING_GROUP_FOR_EACH (fg, idl) {
            for (size_t i = 0; i < fg->n_child_port; i++) {
                nbrec_logical_switch_port_add_clause_name(
                    &p->conds[PT_LSP].cond, OVSDB_F_EQ, fg->child_port[i]);
            }
        }
    }

    if (p->acls) {
        /* The stored values list every ACL, replicated or not. */
        const struct nbrec_logical_switch *ls;
        NBREC_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
            add_uuid_clauses(&p->conds[PT_ACL].cond,
                             ovsdb_idl_read(&ls->header_,
                                            &nbrec_logical_switch_col_acls));
        }
        const struct nbrec_port_group *pg;
        NBREC_PORT_GROUP_FOR_EACH (pg, idl) {
            add_uuid_clauses(&p->conds[PT_ACL].cond,
                             ovsdb_idl_read(&pg->header_,
                                            &nbrec_port_group_col_acls));
        }
    }
}

/* Returns the number of rows of 'tc' that 'idl' replicates. */
static size_t
count_rows(struct ovsdb_idl *idl, const struct ovsdb_idl_table_class *tc)
{
    size_t n = 0;
    for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, tc);
         row; row = ovsdb_idl_next_row(row)) {
        n++;
    }
    return n;
}

/* Sends the conditions of the tables the batch monitors to the server if
 * they have clauses that it has not seen, or if 'force'.  Returns true if
 * it did. */
static bool
send_conditions(struct nbctl_partial *p, struct ovsdb_idl *idl, bool force)
{
    bool sent = false;
    for (size_t i = 0; i < PT_N; i++) {
        struct partial_cond *pc = &p->conds[i];
        size_t n = hmap_count(&pc->cond.clauses);
        if (pc->used && (force || n != pc->n_sent)) {
            /* A table that the batch does not monitor at all gets no
             * condition: the server would refuse one ("ls-add" alone
             * does not monitor ports, for example). */
            unsigned int seqno = ovsdb_idl_set_condition(
                idl, partial_tables[i], &pc->cond);
            p->cond_seqno = sent ? MAX(p->cond_seqno, seqno) : seqno;
            pc->n_sent = n;
            sent = true;
        }
    }
    return sent;
}

/* Returns true if the batch replicates some tables only in part. */
static bool
any_conditions(const struct nbctl_partial *p)
{
    for (size_t i = 0; i < PT_N; i++) {
        if (p->conds[i].used) {
            return true;
        }
    }
    return false;
}

/* Hint: the ports of switches, read with "select"s before the monitor
 * starts. */

/* How long the hint may take at most, in milliseconds. */
#define HINT_MSEC 1000

/* Opens a JSON-RPC connection to 'remote' and waits for it to connect
 * until 'deadline'.  Returns NULL on failure. */
static struct jsonrpc *
hint_connect(const char *remote, long long int deadline)
{
    struct stream *stream;
    int error = jsonrpc_stream_open(remote, &stream, DSCP_DEFAULT);
    while (!error) {
        error = stream_connect(stream);
        if (error != EAGAIN) {
            break;
        } else if (time_msec() >= deadline) {
            error = ETIMEDOUT;
            break;
        }
        error = 0;
        stream_connect_wait(stream);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    if (error) {
        stream_close(stream);
        VLOG_DBG("%s: no hint (%s)", remote, ovs_strerror(error));
        return NULL;
    }
    return jsonrpc_open(stream);
}

/* Sends the transaction 'ops' (which it takes) on 'rpc' and returns the
 * result of its reply, or NULL if there is none by 'deadline' or it is an
 * error.  The caller frees the result. */
static struct json *
hint_transact(struct jsonrpc *rpc, struct json *ops, long long int deadline)
{
    struct jsonrpc_msg *request = jsonrpc_create_request("transact", ops,
                                                         NULL);
    struct json *id = json_clone(request->id);
    struct json *result = NULL;
    int error = jsonrpc_send(rpc, request);
    while (!error && time_msec() < deadline) {
        struct jsonrpc_msg *reply;
        jsonrpc_run(rpc);
        error = jsonrpc_recv(rpc, &reply);
        if (!error) {
            if (reply->type == JSONRPC_REPLY && json_equal(reply->id, id)) {
                result = json_clone(reply->result);
                jsonrpc_msg_destroy(reply);
                break;
            }
            jsonrpc_msg_destroy(reply);
        } else if (error == EAGAIN) {
            error = 0;
            jsonrpc_wait(rpc);
            jsonrpc_recv_wait(rpc);
            poll_timer_wait_until(deadline);
            poll_block();
        }
    }
    json_destroy(id);
    return result;
}

/* Returns a "select" of column 'column' from rows of 'table' where
 * 'where_column' 'function' 'value' (which it takes). */
static struct json *
hint_select(const char *table, const char *column, const char *where_column,
            const char *function, struct json *value)
{
    struct json *op = json_object_create();
    json_object_put_string(op, "op", "select");
    json_object_put_string(op, "table", table);
    json_object_put(op, "where", json_array_create_1(
                        json_array_create_3(json_string_create(where_column),
                                            json_string_create(function),
                                            value)));
    json_object_put(op, "columns",
                    json_array_create_1(json_string_create(column)));
    return op;
}

/* Calls 'cb' with 'aux' for each UUID in column 'column' (of type 'type')
 * of every row in every select result of 'result'. */
static void
hint_for_each_uuid(const struct json *result, const char *column,
                   const struct ovsdb_type *type,
                   void (*cb)(const struct uuid *, void *aux), void *aux)
{
    for (size_t i = 0; result->type == JSON_ARRAY && i < result->array.n;
         i++) {
        const struct json *op = result->array.elems[i];
        const struct json *rows = (op->type == JSON_OBJECT
                                   ? shash_find_data(json_object(op), "rows")
                                   : NULL);
        for (size_t j = 0; rows && rows->type == JSON_ARRAY
                 && j < rows->array.n; j++) {
            const struct json *row = rows->array.elems[j];
            const struct json *value = (row->type == JSON_OBJECT
                                        ? shash_find_data(json_object(row),
                                                          column)
                                        : NULL);
            struct ovsdb_datum datum;
            struct ovsdb_error *error = (value
                                         ? ovsdb_datum_from_json(
                                             &datum, type, value, NULL)
                                         : ovsdb_error(NULL, "missing"));
            if (error) {
                ovsdb_error_destroy(error);
                continue;
            }
            for (size_t k = 0; k < datum.n; k++) {
                cb(&datum.keys[k].uuid, aux);
            }
            ovsdb_datum_destroy(&datum, type);
        }
    }
}

/* What the hint found. */
struct hint {
    struct nbctl_partial *p;    /* Gets the clauses. */
    struct uuid *ports;         /* UUIDs of the named ports. */
    size_t n_ports;             /* Number of 'ports'. */
    size_t allocated_ports;     /* Allocated size of 'ports'. */
};

/* hint_for_each_uuid() callback: a port of a switch the batch reads. */
static void
hint_switch_port(const struct uuid *uuid, void *hint_)
{
    struct hint *hint = hint_;
    add_uuid_clause(&hint->p->conds[PT_LSP].cond, uuid);
}

/* hint_for_each_uuid() callback: a named port, whose switch the batch
 * reads. */
static void
hint_named_port(const struct uuid *uuid, void *hint_)
{
    struct hint *hint = hint_;
    nbrec_logical_switch_add_clause_ports(&hint->p->conds[PT_LS].cond,
                                          OVSDB_F_INCLUDES,
                                          (struct uuid **) &uuid,
                                          1);
    if (hint->n_ports >= hint->allocated_ports) {
        hint->ports = x2nrealloc(hint->ports, &hint->allocated_ports,
                                 sizeof *hint->ports);
    }
    hint->ports[hint->n_ports++] = *uuid;
}

/* Adds to the conditions what the rounds would add for the switches and
 * ports the batch names, as read with "select"s from 'remote' (a single
 * remote: a clustered database's members are left to the IDL): the ports
 * of the named switches, and the switches and their ports of the ports
 * whose addresses the batch sets, unless the batch adds them (then they
 * are new, or "lsp-add" names their switch). */
static void
add_hint_clauses(struct nbctl_partial *p, const char *remote,
                 long long int deadline)
{
    deadline = MIN(deadline, time_msec() + HINT_MSEC);
    if (strchr(remote, ',')) {
        return;
    }

    struct json *ops = json_array_create_1(
        json_string_create(nbrec_idl_class.database));
    const char *name;
    SSET_FOR_EACH (name, &p->switches) {
        json_array_add(ops, hint_select("Logical_Switch", "ports", "name",
                                        "==", json_string_create(name)));
    }
    SSET_FOR_EACH (name, &p->addr_ports) {
        if (!sset_contains(&p->added, name)) {
            json_array_add(ops, hint_select("Logical_Switch_Port", "_uuid",
                                            "name", "==",
                                            json_string_create(name)));
        }
    }
    struct jsonrpc *rpc = (ops->array.n > 1
                           ? hint_connect(remote, deadline) : NULL);
    if (!rpc) {
        json_destroy(ops);
        return;
    }

    struct hint hint = { .p = p };
    struct json *result = hint_transact(rpc, ops, deadline);
    if (result) {
        hint_for_each_uuid(result, "ports",
                           &nbrec_logical_switch_col_ports.type,
                           hint_switch_port, &hint);
        hint_for_each_uuid(result, "_uuid", &uuid_column.type,
                           hint_named_port, &hint);
        json_destroy(result);
    }

    /* The ports of those ports' switches. */
    if (hint.n_ports) {
        ops = json_array_create_1(
            json_string_create(nbrec_idl_class.database));
        for (size_t i = 0; i < hint.n_ports; i++) {
            struct json *uuid = json_array_create_2(
                json_string_create("uuid"),
                json_string_create_nocopy(
                    xasprintf(UUID_FMT, UUID_ARGS(&hint.ports[i]))));
            json_array_add(ops, hint_select("Logical_Switch", "ports",
                                            "ports", "includes", uuid));
        }
        result = hint_transact(rpc, ops, deadline);
        if (result) {
            hint_for_each_uuid(result, "ports",
                               &nbrec_logical_switch_col_ports.type,
                               hint_switch_port, &hint);
            json_destroy(result);
        }
    }
    free(hint.ports);
    jsonrpc_close(rpc);
}

/* Returns a fast-path state for the 'n' 'commands' and sets the initial
 * conditions on 'idl' (which must not have run yet), or returns NULL,
 * leaving 'idl' alone, if a command is not one the fast path handles.
 * 'remote' is the database of 'idl', 'deadline' the time_msec() at which
 * the caller gives up. */
struct nbctl_partial *
nbctl_partial_create(struct ovsdb_idl *idl,
                     const struct ctl_command *commands, size_t n,
                     const char *remote, long long int deadline)
{
    struct nbctl_partial *p = xzalloc(sizeof *p);
    sset_init(&p->switches);
    sset_init(&p->ports);
    sset_init(&p->added);
    sset_init(&p->addr_ports);
    sset_init(&p->port_groups);
    sset_init(&p->address_sets);
    sset_init(&p->lbs);
    for (size_t i = 0; i < PT_N; i++) {
        ovsdb_idl_condition_init(&p->conds[i].cond);
    }
    for (size_t i = 0; i < n; i++) {
        if (!add_command(p, &commands[i])) {
            nbctl_partial_destroy(p);
            return NULL;
        }
    }
    add_argument_clauses(p);
    if (p->switch_ports) {
        add_hint_clauses(p, remote, deadline);
    }

    /* Conditions set before the IDL first connects go with its first
     * monitor request, and its first contents match them.  (A condition
     * without clauses replicates no row.) */
    send_conditions(p, idl, true);
    p->waiting = false;
    return p;
}

/* Called when 'idl' has a new copy of the database: returns true if the
 * replica holds every row the commands need, false if it asked the server
 * for more rows (or is still waiting for them). */
bool
nbctl_partial_ready(struct nbctl_partial *p, struct ovsdb_idl *idl)
{
    if (p->waiting) {
        if ((int) (ovsdb_idl_get_condition_seqno(idl) - p->cond_seqno) < 0) {
            return false;
        }
        p->waiting = false;
    }
    if (!any_conditions(p)) {
        return true;
    }
    add_replica_clauses(p, idl);
    if (send_conditions(p, idl, false)) {
        p->waiting = true;
        return false;
    }
    if (p->conds[PT_LS].used || p->conds[PT_LSP].used) {
        VLOG_DBG("replicating %"PRIuSIZE" logical switches and %"PRIuSIZE
                 " logical switch ports",
                 count_rows(idl, &nbrec_table_logical_switch),
                 count_rows(idl, &nbrec_table_logical_switch_port));
    }
    if (p->conds[PT_PG].used || p->conds[PT_AS].used) {
        VLOG_DBG("replicating %"PRIuSIZE" port groups, %"PRIuSIZE" ACLs "
                 "and %"PRIuSIZE" address sets",
                 count_rows(idl, &nbrec_table_port_group),
                 count_rows(idl, &nbrec_table_acl),
                 count_rows(idl, &nbrec_table_address_set));
    }
    if (p->conds[PT_LB].used) {
        VLOG_DBG("replicating %"PRIuSIZE" load balancers",
                 count_rows(idl, &nbrec_table_load_balancer));
    }
    return true;
}

/* Frees 'p'.  Accepts NULL. */
void
nbctl_partial_destroy(struct nbctl_partial *p)
{
    if (p) {
        sset_destroy(&p->switches);
        sset_destroy(&p->ports);
        sset_destroy(&p->added);
        sset_destroy(&p->addr_ports);
        sset_destroy(&p->port_groups);
        sset_destroy(&p->address_sets);
        sset_destroy(&p->lbs);
        for (size_t i = 0; i < PT_N; i++) {
            ovsdb_idl_condition_destroy(&p->conds[i].cond);
        }
        free(p);
    }
}
