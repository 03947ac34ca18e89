#include <config.h>

#include "lib/nb-validate.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr-compile.h"
#include "lib/expr.h"
#include "lib/idl-pending.h"
#include "lib/lb-vips.h"
#include "lib/lport-addresses.h"
#include "lib/nb-gateways.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/rampout.h"
#include "ovsdb-idl-provider.h"
#include "ovsdb-idl.h"
#include "bitmap.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

/* Parses 's' as a decimal integer in [min, max] into '*value'.  Returns
 * true on success. */
static bool
parse_bounded_int(const char *s, long long int min, long long int max,
                  long long int *value)
{
    if (!*s || !isdigit((unsigned char) *s)) {
        return false;
    }
    errno = 0;
    char *end;
    long long int v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *value = v;
    return true;
}

/* Checks that 's' is one IPv4 or IPv6 address without a prefix length. */
char *
nb_validate_ip(const char *s)
{
    struct lport_ipv4 ipv4;
    struct lport_ipv6 ipv6;
    bool is_ipv6;
    return lport_parse_ip(s, false, &is_ipv6, &ipv4, &ipv6);
}

/* Checks that 's' is one IPv4 address without a prefix length: a
 * ramp-out's SNAT address, which its gateway answers ARP for and which
 * IPv4 traffic is source-NATed to. */
char *
nb_validate_ipv4(const char *s)
{
    struct lport_ipv4 ipv4;
    struct lport_ipv6 ipv6;
    bool is_ipv6;
    char *error = lport_parse_ip(s, false, &is_ipv6, &ipv4, &ipv6);
    if (!error && is_ipv6) {
        error = xasprintf("%s: not an IPv4 address", s);
    }
    return error;
}

/* Checks that 's' is an IP address or a network "ADDRESS/PLEN" without
 * host bits set. */
char *
nb_validate_ip_or_cidr(const char *s)
{
    return strchr(s, '/') ? lport_parse_cidr(s, true) : nb_validate_ip(s);
}

/* Checks that 's' is a unicast Ethernet address xx:xx:xx:xx:xx:xx other
 * than 00:00:00:00:00:00. */
char *
nb_validate_mac(const char *s)
{
    struct eth_addr ea;
    char *error = lport_parse_mac(s, &ea);
    if (!error && eth_addr_is_zero(ea)) {
        error = xasprintf("%s: MAC address is all zeros", s);
    }
    return error;
}

/* Checks that 's' can name an address set or port group in a match ("$s",
 * "@s"): a letter or underscore, then letters, digits, '_' or '.'. */
char *
nb_validate_name(const char *s)
{
    if (!*s) {
        return xstrdup("empty name");
    }
    if (!isalpha((unsigned char) s[0]) && s[0] != '_') {
        return xasprintf("%s: invalid name (must start with a letter or "
                         "'_')", s);
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char) *p) && *p != '_' && *p != '.') {
            return xasprintf("%s: invalid name (only letters, digits, '_' "
                             "and '.' are allowed)", s);
        }
    }
    return NULL;
}

/* Longest route table name: lr-route-list prints it as a heading, and
 * osmotic-trace beside a route. */
#define NB_ROUTE_TABLE_MAX 64

/* Checks that 's' can name a route table (Logical_Router_Static_Route
 * route_table, Logical_Router_Port options:route_table): 1 to 64 letters,
 * digits, '-', '_', '.' or ':'.  The main table has no name: an empty
 * route_table column, no option on the port. */
char *
nb_validate_route_table(const char *s)
{
    if (!*s) {
        return xstrdup("empty route table name (the main table is named "
                       "by no route table at all)");
    }
    if (strlen(s) > NB_ROUTE_TABLE_MAX) {
        return xasprintf("%s: route table name longer than %d characters",
                         s, NB_ROUTE_TABLE_MAX);
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char) *p) && !strchr("-_.:", *p)) {
            return xasprintf("%s: invalid route table name (only letters, "
                             "digits, '-', '_', '.' and ':' are allowed)", s);
        }
    }
    return NULL;
}

/* Returns true if 's' looks like an IPv6 address or prefix. */
static bool
is_ipv6_string(const char *s)
{
    return strchr(s, ':') != NULL;
}

/* Checks a static route: 'prefix' is an IP or network, 'nexthop' an IP
 * address of the same family (or "discard"). */
char *
nb_validate_route(const char *prefix, const char *nexthop)
{
    char *error = nb_validate_ip_or_cidr(prefix);
    if (error) {
        return error;
    }
    if (!strcmp(nexthop, "discard")) {
        return NULL;
    }
    error = nb_validate_ip(nexthop);
    if (error) {
        return error;
    }
    if (is_ipv6_string(prefix) != is_ipv6_string(nexthop)) {
        return xasprintf("%s: nexthop is not in the address family of "
                         "prefix %s", nexthop, prefix);
    }
    return NULL;
}

/* Checks a NAT rule.  'logical_port' and 'external_mac' may be NULL. */
char *
nb_validate_nat(const char *type, const char *external_ip,
                const char *logical_ip, const char *logical_port,
                const char *external_mac)
{
    bool is_snat = !strcmp(type, "snat");
    if (!is_snat && strcmp(type, "dnat") && strcmp(type, "dnat_and_snat")) {
        return xasprintf("%s: invalid NAT type (expected dnat, snat or "
                         "dnat_and_snat)", type);
    }
    char *error = nb_validate_ip(external_ip);
    if (error) {
        return error;
    }
    error = is_snat ? nb_validate_ip_or_cidr(logical_ip)
                    : nb_validate_ip(logical_ip);
    if (error) {
        return error;
    }
    if (is_ipv6_string(external_ip) != is_ipv6_string(logical_ip)) {
        return xasprintf("%s: logical IP is not in the address family of "
                         "external IP %s", logical_ip, external_ip);
    }
    if ((logical_port != NULL) != (external_mac != NULL)) {
        return xstrdup("logical port and external MAC must be given "
                       "together");
    }
    if (logical_port) {
        if (strcmp(type, "dnat_and_snat")) {
            return xasprintf("%s: a logical port and external MAC are only "
                             "allowed with dnat_and_snat", logical_port);
        }
        return nb_validate_mac(external_mac);
    }
    return NULL;
}

/* Parses "IP[:PORT]" or "[IPv6]:PORT" (or a bare IPv6 address) in 's'.
 * Sets '*has_port' and '*is_ipv6' on success. */
static char *
parse_ip_port(const char *s, bool *has_port, bool *is_ipv6)
{
    char *copy = xstrdup(s);
    char *ip = copy;
    char *port = NULL;
    char *error = NULL;

    if (copy[0] == '[') {
        char *close = strchr(copy, ']');
        if (!close) {
            error = xasprintf("%s: missing ']'", s);
            goto out;
        }
        *close = '\0';
        ip = copy + 1;
        if (close[1] == ':') {
            port = close + 2;
        } else if (close[1]) {
            error = xasprintf("%s: invalid address (expected [IPv6]:PORT)",
                              s);
            goto out;
        }
    } else if (strchr(copy, '.')) {
        char *colon = strchr(copy, ':');
        if (colon) {
            *colon = '\0';
            port = colon + 1;
        }
    }

    error = nb_validate_ip(ip);
    if (error) {
        free(error);
        error = xasprintf("%s: invalid IP address", s);
        goto out;
    }
    *is_ipv6 = is_ipv6_string(ip);
    *has_port = port != NULL;
    long long int value;
    if (port && !parse_bounded_int(port, 1, 65535, &value)) {
        error = xasprintf("%s: invalid port (expected 1 to 65535)", s);
    }
out:
    free(copy);
    return error;
}

/* Checks a load-balancer VIP "IP[:PORT]" or "[IPv6]:PORT" (see
 * lib/lb-vips.h). */
char *
nb_validate_lb_vip(const char *vip, bool *has_port, bool *is_ipv6)
{
    struct lb_endpoint e;
    if (!lb_endpoint_parse(vip, &e)) {
        return xasprintf("%s: should be an IP address (or an IP address "
                         "and a port number with : as a separator).", vip);
    }
    *has_port = e.port != 0;
    *is_ipv6 = e.is_ipv6;
    return NULL;
}

/* Checks the backends of VIP 'vip': a comma-separated list of "IP[:PORT]"
 * with a port exactly when the VIP has one and the VIP's family.  An
 * empty list is allowed (such a VIP rejects connections). */
char *
nb_validate_lb_backends(const char *vip, const char *backends)
{
    char *vip_text, *backends_text;
    bool has_port;
    char *error = lb_vip_normalize(vip, backends, &vip_text, &backends_text,
                                   &has_port);
    free(vip_text);
    free(backends_text);
    return error;
}

/* Checks a Logical_Switch_Port type: empty (a VM's or container's
 * interface) or one of the types that OVN's northbound knows.  The types
 * that only northd writes to the southbound database (patch, l3gateway,
 * chassisredirect) are not among them. */
char *
nb_validate_lsp_type(const char *type)
{
    static const char *const types[] = {
        "", "router", "localnet", "l2gateway", "localport", "vtep",
        "external", "virtual", "remote",
    };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strcmp(type, types[i])) {
            return NULL;
        }
    }
    return xasprintf("Logical switch port type '%s' is unrecognized.", type);
}

/* Checks "PORT" or "PORT:IP" of a passive connection target. */
static bool
valid_passive(const char *s)
{
    char *copy = xstrdup(s);
    char *colon = strchr(copy, ':');
    long long int port;
    bool ok;
    if (colon) {
        *colon = '\0';
        char *ip = colon + 1;
        size_t len = strlen(ip);
        if (ip[0] == '[' && len > 2 && ip[len - 1] == ']') {
            ip[len - 1] = '\0';
            ip++;
        }
        char *error = nb_validate_ip(ip);
        ok = !error;
        free(error);
    } else {
        ok = true;
    }
    ok = ok && parse_bounded_int(copy, 0, 65535, &port);
    free(copy);
    return ok;
}

/* Checks an ovsdb-server connection target: tcp:IP:PORT, ssl:IP:PORT,
 * unix:FILE, ptcp:PORT[:IP], pssl:PORT[:IP] or punix:FILE. */
char *
nb_validate_connection_target(const char *target)
{
    static const char *const unix_prefixes[] = { "unix:", "punix:" };
    static const char *const active[] = { "tcp:", "ssl:" };
    static const char *const passive[] = { "ptcp:", "pssl:" };

    for (size_t i = 0; i < ARRAY_SIZE(unix_prefixes); i++) {
        size_t n = strlen(unix_prefixes[i]);
        if (!strncmp(target, unix_prefixes[i], n)) {
            return target[n] ? NULL
                   : xasprintf("%s: missing socket file name", target);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(active); i++) {
        size_t n = strlen(active[i]);
        if (!strncmp(target, active[i], n)) {
            bool has_port = false, is_ipv6 = false;
            char *error = parse_ip_port(target + n, &has_port, &is_ipv6);
            if (!error && !has_port) {
                error = xstrdup("missing port");
            }
            if (error) {
                free(error);
                return xasprintf("%s: invalid target (expected %sIP:PORT)",
                                 target, active[i]);
            }
            return NULL;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(passive); i++) {
        size_t n = strlen(passive[i]);
        if (!strncmp(target, passive[i], n)) {
            return (valid_passive(target + n) ? NULL
                    : xasprintf("%s: invalid target (expected %sPORT[:IP])",
                                target, passive[i]));
        }
    }
    return xasprintf("%s: invalid connection target (expected tcp:, ssl:, "
                     "unix:, ptcp:, pssl: or punix:)", target);
}

/* The last reference by name that a validator found dangling: what kind
 * of row it names and the name.  A row that the transaction did not write
 * but that fails validation after it deleted rows fails because it names
 * a deleted row; nb_validate_txn() then words the error as the deletion's
 * ("X: logical switch port is used by ..."), which the rechecked row's own
 * error ("no logical switch port named X") would not make clear. */
static const char *missing_kind;
static bool table_lost_rows(struct ovsdb_idl *, size_t,
                            const struct nb_validate_counts *);
static char *missing_name;

/* Records that a row refers to a 'kind' row named 'name' that does not
 * exist. */
static void
note_missing(const char *kind, const char *name)
{
    free(missing_name);
    missing_kind = kind;
    missing_name = xstrdup(name);
}

static void
clear_missing(void)
{
    free(missing_name);
    missing_kind = NULL;
    missing_name = NULL;
}

/* expr_context callback: does an Address_Set named 'name' exist? */
static bool
address_set_exists(const char *name, void *idl_)
{
    struct ovsdb_idl *idl = idl_;
    const struct nbrec_address_set *as;
    NBREC_ADDRESS_SET_FOR_EACH (as, idl) {
        if (!strcmp(as->name, name)) {
            return true;
        }
    }

    /* "PG_ip4" and "PG_ip6" are the addresses of port group PG's ports,
     * as in OVN. */
    size_t len = strlen(name);
    if (len > 4 && (!strcmp(name + len - 4, "_ip4")
                    || !strcmp(name + len - 4, "_ip6"))) {
        const struct nbrec_port_group *pg;
        NBREC_PORT_GROUP_FOR_EACH (pg, idl) {
            if (strlen(pg->name) == len - 4
                && !strncmp(pg->name, name, len - 4)) {
                return true;
            }
        }
    }
    note_missing("address set", name);
    return false;
}

/* If the missing reference noted is "$PG_ip4" or "$PG_ip6" and the open
 * transaction deleted port groups but no address sets, what is missing is
 * port group PG: notes that instead. */
static void
blame_port_group(struct ovsdb_idl *idl,
                 const struct nb_validate_counts *before)
{
    size_t len = missing_name ? strlen(missing_name) : 0;
    if (missing_kind && !strcmp(missing_kind, "address set") && len > 4
        && (!strcmp(missing_name + len - 4, "_ip4")
            || !strcmp(missing_name + len - 4, "_ip6"))
        && table_lost_rows(idl, NBREC_TABLE_PORT_GROUP, before)
        && !table_lost_rows(idl, NBREC_TABLE_ADDRESS_SET, before)) {
        missing_kind = "port group";
        missing_name[len - 4] = '\0';
    }
}

/* expr_context callback: does a Port_Group named 'name' exist? */
static bool
port_group_exists(const char *name, void *idl_)
{
    struct ovsdb_idl *idl = idl_;
    const struct nbrec_port_group *pg;
    NBREC_PORT_GROUP_FOR_EACH (pg, idl) {
        if (!strcmp(pg->name, name)) {
            return true;
        }
    }
    note_missing("port group", name);
    return false;
}

/* expr_context callback: may Address_Set 'name' be compared with an IPv6
 * (if 'is_ipv6') or IPv4 field?  Only if it is empty or holds at least
 * one address of that family; a port group's "PG_ip4" only with IPv4,
 * "PG_ip6" only with IPv6, as in OVN. */
static bool
address_set_fits(const char *name, bool is_ipv6, void *idl_)
{
    struct ovsdb_idl *idl = idl_;
    const struct nbrec_address_set *as;
    NBREC_ADDRESS_SET_FOR_EACH (as, idl) {
        if (!strcmp(as->name, name)) {
            if (!as->n_addresses) {
                return true;
            }
            for (size_t i = 0; i < as->n_addresses; i++) {
                if ((strchr(as->addresses[i], ':') != NULL) == is_ipv6) {
                    return true;
                }
            }
            return false;
        }
    }
    size_t len = strlen(name);
    if (len > 4 && (!strcmp(name + len - 4, "_ip4")
                    || !strcmp(name + len - 4, "_ip6"))) {
        return (name[len - 1] == '6') == is_ipv6;
    }
    return true;
}

/* Checks that 'match' parses under the strict rules that OVN applies to
 * the matches people write (see struct expr_context), that the address
 * sets and port groups it names exist in 'idl' and that each address set
 * holds addresses of the family of the field it is compared with. */
char *
nb_validate_match(struct ovsdb_idl *idl, const char *match)
{
    struct expr_context ctx = {
        .address_set_exists = address_set_exists,
        .port_group_exists = port_group_exists,
        .address_set_fits = address_set_fits,
        .aux = idl,
        .strict = true,
    };
    return expr_validate(match, &ctx);
}

/* Checks a flow class's match: as nb_validate_match(), and that it does
 * not test outport, which no flow class can match: classes colour
 * packets in stage ls_in_color, before the switch has chosen the output
 * port. */
char *
nb_validate_class_match(struct ovsdb_idl *idl, const char *match)
{
    char *error = nb_validate_match(idl, match);
    if (error) {
        return error;
    }
    struct expr *e;
    error = expr_parse_string(match, NULL, &e);
    if (!error) {
        if (expr_uses_symbol(e, "outport")) {
            error = xstrdup("outport: a flow class cannot match the output "
                            "port, which the switch chooses after "
                            "colouring (match the destination's addresses "
                            "instead)");
        }
        expr_destroy(e);
    }
    return error;
}

/* Returns true if a Logical_Switch_Port named 'name' exists. */
static bool
lsp_exists(struct ovsdb_idl *idl, const char *name)
{
    const struct nbrec_logical_switch_port *lsp;
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH (lsp, idl) {
        if (!strcmp(lsp->name, name)) {
            return true;
        }
    }
    note_missing("logical switch port", name);
    return false;
}

/* Returns true if a Logical_Router_Port named 'name' exists. */
static bool
lrp_exists(struct ovsdb_idl *idl, const char *name)
{
    const struct nbrec_logical_router_port *lrp;
    NBREC_LOGICAL_ROUTER_PORT_FOR_EACH (lrp, idl) {
        if (!strcmp(lrp->name, name)) {
            return true;
        }
    }
    note_missing("logical router port", name);
    return false;
}

/* Returns true if a Meter named 'name' exists. */
static bool
meter_exists(struct ovsdb_idl *idl, const char *name)
{
    const struct nbrec_meter *meter;
    NBREC_METER_FOR_EACH (meter, idl) {
        if (!strcmp(meter->name, name)) {
            return true;
        }
    }
    note_missing("meter", name);
    return false;
}

/* Returns 'error' prefixed by "COLUMN: ", freeing 'error', or NULL if
 * 'error' is NULL. */
static char *
with_column(const char *column, char *error)
{
    if (!error) {
        return NULL;
    }
    char *msg = xasprintf("%s: %s", column, error);
    free(error);
    return msg;
}

/* Checks each of the 'n' strings in 'values' with 'check'. */
static char *
validate_each(char **values, size_t n, char *(*check)(const char *))
{
    for (size_t i = 0; i < n; i++) {
        char *error = check(values[i]);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Checks the MACs of the 'n' entries "MAC [IP]..." (or keywords such as
 * "unknown") in 'entries', one column of a Logical_Switch_Port: none may
 * be all zeros and, if 'unique', no two entries may have the same MAC. */
static char *
validate_entry_macs(char **entries, size_t n, bool unique)
{
    struct eth_addr *macs = xmalloc((n + 1) * sizeof *macs);
    size_t n_macs = 0;
    char *error = NULL;
    for (size_t i = 0; i < n && !error; i++) {
        char *mac = xstrdup(entries[i]);
        mac[strcspn(mac, " ")] = '\0';
        struct eth_addr ea;
        if (eth_addr_from_string(mac, &ea)) {
            if (eth_addr_is_zero(ea)) {
                error = xasprintf("%s: MAC address is all zeros", mac);
            }
            for (size_t j = 0; unique && !error && j < n_macs; j++) {
                if (eth_addr_equals(ea, macs[j])) {
                    error = xasprintf("%s: MAC address is in two entries",
                                      mac);
                }
            }
            macs[n_macs++] = ea;
        }
        free(mac);
    }
    free(macs);
    return error;
}

/* Adds to 'ips' (normalized address -> port name) the IPv4 and IPv6
 * addresses of "addresses" entry 's' of port 'owner' (NULL for the port
 * being checked).  Entries without addresses ("unknown", "router",
 * "dynamic") add nothing.  If an address is already in 'ips', returns
 * an error naming the port that has it (or saying that it is given
 * twice when both are the checked port's). */
static char *
add_entry_ips(struct shash *ips, const char *s, const char *owner)
{
    struct lport_addresses la;
    char *error = lport_addresses_parse(s, false, &la);
    if (error) {
        free(error);
        return NULL;
    }
    for (size_t i = 0; i < la.n_ipv4 + la.n_ipv6 && !error; i++) {
        bool v4 = i < la.n_ipv4;
        char *ip;
        if (v4) {
            ip = xasprintf(IP_FMT, IP_ARGS(la.ipv4[i].addr));
        } else {
            struct ds d = DS_EMPTY_INITIALIZER;
            ipv6_format_addr(&la.ipv6[i - la.n_ipv4].addr, &d);
            ip = ds_steal_cstr(&d);
        }
        struct shash_node *node = shash_find(ips, ip);
        if (!node) {
            shash_add(ips, ip, owner);
        } else if (node->data || owner) {
            const char *other = node->data ? node->data : owner;
            error = xasprintf("duplicate IPv%d address '%s' found on "
                              "logical switch port '%s'", v4 ? 4 : 6, ip,
                              other);
        } else {
            error = xasprintf("%s: IP address given twice", ip);
        }
        free(ip);
    }
    lport_addresses_destroy(&la);
    return error;
}

/* Returns an error if an IPv4 or IPv6 address in the 'n' "addresses"
 * entries in 'addresses' appears twice among them, or on a port of switch
 * 'ls' other than 'self' (as the open transaction leaves the switch).
 * Addresses are compared as addresses: "fd00:0::6a" is "fd00::6a".  For a
 * port with "dynamic" addresses, its allocated addresses count. */
char *
nb_validate_switch_ips(struct ovsdb_idl *idl,
                       const struct nbrec_logical_switch *ls,
                       const struct nbrec_logical_switch_port *self,
                       char **addresses, size_t n)
{
    struct shash ips = SHASH_INITIALIZER(&ips);
    char *error = NULL;
    for (size_t i = 0; i < n && !error; i++) {
        error = add_entry_ips(&ips, addresses[i], NULL);
    }

    struct ovsdb_datum ports;
    if (ls && shash_count(&ips) && !error) {
        idl_pending_read_set(&ls->header_, &nbrec_logical_switch_col_ports,
                             &ports);
        for (size_t i = 0; i < ports.n && !error; i++) {
            const struct nbrec_logical_switch_port *p
                = nbrec_logical_switch_port_get_for_uuid(idl,
                                                         &ports.keys[i].uuid);
            if (!p || !p->header_.new_datum || p == self) {
                continue;
            }
            for (size_t j = 0; j < p->n_addresses && !error; j++) {
                const char *entry = p->addresses[j];
                if (strstr(entry, "dynamic") && p->dynamic_addresses) {
                    entry = p->dynamic_addresses;
                }
                error = add_entry_ips(&ips, entry, p->name);
            }
        }
        ovsdb_datum_destroy(&ports, &nbrec_logical_switch_col_ports.type);
    }
    shash_destroy(&ips);
    return error;
}

/* Returns true if the open transaction inserted 'row' or wrote 'column'
 * of it. */
static bool
column_is_written(const struct ovsdb_idl_row *row,
                  const struct ovsdb_idl_column *column)
{
    size_t idx = column - row->table->class_->columns;
    return (!row->old_datum
            || (row->written && bitmap_is_set(row->written, idx))
            || (row->set_op_written
                && bitmap_is_set(row->set_op_written, idx)));
}

/* Checks the IP addresses of 'lsp' against the other ports of every
 * switch that has it, when the open transaction wrote its addresses. */
static char *
validate_lsp_ips(struct ovsdb_idl *idl,
                 const struct nbrec_logical_switch_port *lsp)
{
    if (!lsp->n_addresses
        || !column_is_written(&lsp->header_,
                              &nbrec_logical_switch_port_col_addresses)) {
        return NULL;
    }
    const struct nbrec_logical_switch *ls;
    char *error = nb_validate_switch_ips(idl, NULL, lsp, lsp->addresses,
                                         lsp->n_addresses);
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
        if (error) {
            break;
        }
        if (idl_pending_set_has_uuid(&ls->header_,
                                     &nbrec_logical_switch_col_ports,
                                     &lsp->header_.uuid)) {
            error = nb_validate_switch_ips(idl, ls, lsp, lsp->addresses,
                                           lsp->n_addresses);
            if (error) {
                char *msg = xasprintf("on switch %s: %s", ls->name, error);
                free(error);
                error = msg;
            }
        }
    }
    return error;
}

/* Checks the IP addresses of the ports that the open transaction added
 * to switch 'ls' against its other ports. */
static char *
validate_ls_ips(struct ovsdb_idl *idl, const struct nbrec_logical_switch *ls)
{
    const struct ovsdb_idl_row *row = &ls->header_;
    const struct ovsdb_idl_column *col = &nbrec_logical_switch_col_ports;
    if (!column_is_written(row, col)) {
        return NULL;
    }
    const struct ovsdb_datum *old
        = row->old_datum ? &row->old_datum[col - row->table->class_->columns]
                         : NULL;
    struct ovsdb_datum ports;
    idl_pending_read_set(row, col, &ports);
    char *error = NULL;
    for (size_t i = 0; i < ports.n && !error; i++) {
        unsigned int pos;
        if (old && ovsdb_datum_find_key(old, &ports.keys[i],
                                        OVSDB_TYPE_UUID, &pos)) {
            continue;
        }
        const struct nbrec_logical_switch_port *p
            = nbrec_logical_switch_port_get_for_uuid(idl,
                                                     &ports.keys[i].uuid);
        if (p && p->header_.new_datum && p->n_addresses) {
            char *e = nb_validate_switch_ips(idl, ls, p, p->addresses,
                                             p->n_addresses);
            if (e) {
                error = xasprintf("ports: %s: %s", p->name, e);
                free(e);
            }
        }
    }
    ovsdb_datum_destroy(&ports, &col->type);
    return error;
}

static char *validate_lsp_dhcp(const struct nbrec_logical_switch_port *);

/* Checks that a Logical_Switch_Port's parent/tag and type make sense. */
static char *
validate_lsp_tag(struct ovsdb_idl *idl,
                 const struct nbrec_logical_switch_port *lsp)
{
    if (lsp->parent_name && !lsp->n_tag_request) {
        return xasprintf("parent_name: %s: a parent port needs a tag",
                         lsp->parent_name);
    }
    if (lsp->parent_name && !strcmp(lsp->parent_name, lsp->name)) {
        return xasprintf("parent_name: %s: a port cannot be its own parent",
                         lsp->parent_name);
    }
    if (lsp->parent_name && !lsp_exists(idl, lsp->parent_name)) {
        return xasprintf("parent_name: %s: no logical switch port named %s",
                         lsp->parent_name, lsp->parent_name);
    }
    return NULL;
}

/* Validates a Logical_Switch_Port row.  The returned message is prefixed
 * by the column name. */
static char *
validate_lsp(struct ovsdb_idl *idl,
             const struct nbrec_logical_switch_port *lsp)
{
    char *error;
    if (!lsp->name[0]) {
        return xstrdup("name: empty port name");
    }
    if ((error = with_column("addresses",
                             validate_each(lsp->addresses, lsp->n_addresses,
                                           lsp_addresses_validate)))
        || (error = with_column("port_security",
                                validate_each(lsp->port_security,
                                              lsp->n_port_security,
                                              lsp_port_security_validate)))
        || (error = with_column("addresses",
                                validate_entry_macs(lsp->addresses,
                                                    lsp->n_addresses,
                                                    true)))
        || (error = with_column("port_security",
                                validate_entry_macs(lsp->port_security,
                                                    lsp->n_port_security,
                                                    false)))
        || (error = with_column("type", nb_validate_lsp_type(lsp->type)))) {
        return error;
    }
    if ((error = validate_lsp_dhcp(lsp))
        || (error = with_column("addresses", validate_lsp_ips(idl, lsp)))) {
        return error;
    }
    const char *router_port = smap_get(&lsp->options, "router-port");
    if (router_port && !strcmp(lsp->type, "router")
        && !lrp_exists(idl, router_port)) {
        return xasprintf("options:router-port: %s: no logical router port "
                         "named %s", router_port, router_port);
    }
    return validate_lsp_tag(idl, lsp);
}

/* Validates a Logical_Router_Port row. */
static char *
validate_lrp(struct ovsdb_idl *idl,
             const struct nbrec_logical_router_port *lrp)
{
    char *error;
    if (!lrp->name[0]) {
        return xstrdup("name: empty port name");
    }
    if ((error = with_column("mac", nb_validate_mac(lrp->mac)))
        || (error = with_column("networks",
                                validate_each(lrp->networks, lrp->n_networks,
                                              lrp_networks_validate)))) {
        return error;
    }
    const char *table = smap_get(&lrp->options, "route_table");
    if (table && (error = with_column("options:route_table",
                                      nb_validate_route_table(table)))) {
        return error;
    }
    const char *redirect = smap_get(&lrp->options, "redirect-type");
    if (redirect && strcasecmp(redirect, "overlay")
        && strcasecmp(redirect, "bridged")) {
        return xasprintf("options:redirect-type: %s: must be overlay or "
                         "bridged", redirect);
    }
    if (lrp->peer) {
        if (!strcmp(lrp->peer, lrp->name)) {
            return xasprintf("peer: %s: a port cannot be its own peer",
                             lrp->peer);
        }
        if (!lrp_exists(idl, lrp->peer)) {
            return xasprintf("peer: %s: no logical router port named %s",
                             lrp->peer, lrp->peer);
        }
    }
    return NULL;
}

static char *validate_lr_nats(struct ovsdb_idl *,
                              const struct nbrec_logical_router *);
static char *validate_lr_routes(struct ovsdb_idl *,
                                const struct nbrec_logical_router *);
static bool same_net(const char *, const char *);
static char *row_label(const struct ovsdb_idl_row *);

/* Validates a Logical_Router_Static_Route row. */
static char *
validate_route(struct ovsdb_idl *idl,
               const struct nbrec_logical_router_static_route *route)
{
    /* Without a next hop, the destination is on the output port's link. */
    char *error = (!route->nexthop[0] && route->output_port
                   ? with_column("ip_prefix",
                                 nb_validate_ip_or_cidr(route->ip_prefix))
                   : with_column("ip_prefix/nexthop",
                                 nb_validate_route(route->ip_prefix,
                                                   route->nexthop)));
    if (error) {
        return error;
    }
    if (route->route_table[0]) {
        error = nb_validate_route_table(route->route_table);
        if (error) {
            return with_column("route_table", error);
        }
    }
    if (route->output_port && !lrp_exists(idl, route->output_port)) {
        return xasprintf("output_port: %s: no logical router port named %s",
                         route->output_port, route->output_port);
    }
    if (route->output_port && !strcmp(route->nexthop, "discard")) {
        return xstrdup("output_port: a discard route has no output port");
    }
    const char *symmetric = smap_get(&route->options,
                                     "ecmp_symmetric_reply");
    if (symmetric && strcmp(symmetric, "true")
        && strcmp(symmetric, "false")) {
        return xasprintf("options:ecmp_symmetric_reply: %s: must be true or "
                         "false", symmetric);
    }
    /* A route changed by itself must still fit with the other routes of
     * its router. */
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, idl) {
        if (idl_pending_set_has_uuid(&lr->header_,
                                     &nbrec_logical_router_col_static_routes,
                                     &route->header_.uuid)) {
            char *lr_error = validate_lr_routes(idl, lr);
            if (lr_error) {
                char *label = row_label(&lr->header_);
                error = xasprintf("%s: %s", label, lr_error);
                free(label);
                free(lr_error);
                return error;
            }
        }
    }
    return NULL;
}

/* expr_compile_ctx callback of validate_policy_family(): every port
 * exists, with a key of its own. */
static bool
any_port(const char *name, uint32_t *key, void *aux OVS_UNUSED)
{
    *key = (hash_string(name, 0) & 0x7fff) | 1;
    return true;
}

/* expr_compile_ctx callback of validate_policy_family(): every group
 * holds a port of its own. */
static bool
any_port_group(const char *name, uint32_t **keys, size_t *n_keys,
               void *aux OVS_UNUSED)
{
    *keys = xmalloc(sizeof **keys);
    any_port(name, *keys, NULL);
    *n_keys = 1;
    return true;
}

/* expr_compile_ctx callback of validate_policy_family(): every set holds
 * every address of both families. */
static bool
any_address_set(const char *name OVS_UNUSED, struct svec *addresses,
                void *aux OVS_UNUSED)
{
    svec_add(addresses, "0.0.0.0/0");
    svec_add(addresses, "::/0");
    return true;
}

/* Returns true if match 'text' can match a packet, whatever the ports,
 * groups and sets it names hold; false if it cannot or does not parse
 * (the parser refuses a match that is false by itself). */
static bool
match_can_be_true(const char *text)
{
    struct expr *e;
    char *error = expr_parse_string(text, NULL, &e);
    if (error) {
        free(error);
        return false;
    }
    struct expr_compile_ctx cctx = {
        .lookup_port = any_port,
        .port_group_keys = any_port_group,
        .address_set_addresses = any_address_set,
    };
    char *match = NULL;
    size_t n_flows;
    error = expr_compile(e, &cctx, &match, &n_flows);
    bool can = error || match;
    free(error);
    free(match);
    expr_destroy(e);
    return can;
}

/* Checks that a reroute policy with 'match' and next hop 'nexthop' (a
 * valid IP address, of the family of all its next hops) has a match that
 * some packet of that family can meet: a policy reroutes only the packets
 * of its next hops' family. */
char *
nb_validate_policy_family(const char *match, const char *nexthop)
{
    bool v6 = is_ipv6_string(nexthop);
    char *text = xasprintf("(%s) && %s", match, v6 ? "ip6" : "ip4");
    bool ok = match_can_be_true(text) || !match_can_be_true(match);
    free(text);
    return (ok ? NULL
            : xasprintf("nexthops: %s: an IPv%c next hop for a match that "
                        "no IPv%c packet meets", nexthop, v6 ? '6' : '4',
                        v6 ? '6' : '4'));
}

/* Checks a routing policy: its match, and next hops exactly for reroute,
 * IP addresses of one family, the family of packets its match can
 * meet. */
static char *
validate_lr_policy(struct ovsdb_idl *idl,
                   const struct nbrec_logical_router_policy *policy)
{
    char *error = with_column("match",
                              nb_validate_match(idl, policy->match));
    if (error) {
        return error;
    }
    bool reroute = !strcmp(policy->action, "reroute");
    size_t n = policy->n_nexthops + (policy->nexthop != NULL);
    if (reroute && !n) {
        return xstrdup("nexthops: a reroute policy needs a next hop");
    } else if (!reroute && n) {
        return xasprintf("nexthops: a%s %s policy has no next hop",
                         policy->action[0] == 'a' ? "n" : "",
                         policy->action);
    }
    for (size_t i = 0; i < policy->n_nexthops; i++) {
        error = with_column("nexthops", nb_validate_ip(policy->nexthops[i]));
        if (!error && is_ipv6_string(policy->nexthops[i])
            != is_ipv6_string(policy->nexthops[0])) {
            error = xasprintf("nexthops: %s: next hops of both address "
                              "families", policy->nexthops[i]);
        }
        if (error) {
            return error;
        }
    }
    error = (policy->nexthop
             ? with_column("nexthop", nb_validate_ip(policy->nexthop))
             : NULL);
    if (!error && reroute) {
        const char *nexthop = (policy->n_nexthops ? policy->nexthops[0]
                               : policy->nexthop);
        error = nb_validate_policy_family(policy->match, nexthop);
    }
    return error;
}

/* Checks a BFD session's neighbour address. */
static char *
validate_bfd(const struct nbrec_bfd *bfd)
{
    return (!bfd->logical_port[0]
            ? xstrdup("logical_port: empty port name")
            : with_column("dst_ip", nb_validate_ip(bfd->dst_ip)));
}

/* Checks the static routes of router 'lr' against each other: within a
 * route table, routes of one policy and prefix (ECMP routes) differ in
 * their next hops, and a discard route has no ECMP sibling. */
static char *
validate_lr_routes(struct ovsdb_idl *idl,
                   const struct nbrec_logical_router *lr)
{
    struct ovsdb_datum datum;
    idl_pending_read_set(&lr->header_,
                         &nbrec_logical_router_col_static_routes, &datum);
    const struct nbrec_logical_router_static_route **routes
        = xmalloc((datum.n + 1) * sizeof *routes);
    size_t n = 0;
    for (size_t i = 0; i < datum.n; i++) {
        const struct nbrec_logical_router_static_route *route
            = nbrec_logical_router_static_route_get_for_uuid(
                idl, &datum.keys[i].uuid);
        if (route && route->header_.new_datum) {
            routes[n++] = route;
        }
    }
    ovsdb_datum_destroy(&datum,
                        &nbrec_logical_router_col_static_routes.type);

    char *error = NULL;
    for (size_t i = 0; i < n && !error; i++) {
        const struct nbrec_logical_router_static_route *a = routes[i];
        for (size_t j = i + 1; j < n && !error; j++) {
            const struct nbrec_logical_router_static_route *b = routes[j];
            if (strcmp(a->route_table, b->route_table)
                || strcmp(a->policy ? a->policy : "dst-ip",
                          b->policy ? b->policy : "dst-ip")
                || !same_net(a->ip_prefix, b->ip_prefix)) {
                continue;
            }
            if (!strcmp(a->nexthop, "discard")
                || !strcmp(b->nexthop, "discard")) {
                error = xasprintf("static_routes: %s: a discard route has "
                                  "no other route for its prefix",
                                  a->ip_prefix);
            } else if (!strcmp(a->nexthop, b->nexthop)
                       || (a->nexthop[0] && b->nexthop[0]
                           && same_net(a->nexthop, b->nexthop))) {
                error = xasprintf("static_routes: two routes for %s by "
                                  "next hop %s", a->ip_prefix,
                                  a->nexthop[0] ? a->nexthop
                                  : "(none)");
            }
        }
    }
    free(routes);
    return error;
}

/* Validates a NAT row. */
static char *
validate_nat(struct ovsdb_idl *idl, const struct nbrec_nat *nat)
{
    char *error = nb_validate_nat(nat->type, nat->external_ip,
                                  nat->logical_ip, nat->logical_port,
                                  nat->external_mac);
    if (error) {
        return error;
    }
    if (nat->logical_port && !lsp_exists(idl, nat->logical_port)) {
        return xasprintf("logical_port: %s: no logical switch port named %s",
                         nat->logical_port, nat->logical_port);
    }
    if (nat->external_port_range[0]
        && !nb_port_range_is_valid(nat->external_port_range)) {
        return xasprintf("external_port_range: %s: invalid port range "
                         "(expected PORT or LOW-HIGH, 1 to 65535)",
                         nat->external_port_range);
    }
    if (nat->allowed_ext_ips && nat->exempted_ext_ips) {
        return xstrdup("allowed_ext_ips and exempted_ext_ips exclude each "
                       "other");
    }
    const char *stateless = smap_get(&nat->options, "stateless");
    const char *add_route = smap_get(&nat->options, "add_route");
    if (stateless && strcmp(stateless, "true") && strcmp(stateless, "false")) {
        return xasprintf("options:stateless: %s: must be true or false",
                         stateless);
    } else if (smap_get_bool(&nat->options, "stateless", false)
               && strcmp(nat->type, "dnat_and_snat")) {
        return xasprintf("options:stateless: only a dnat_and_snat rule can "
                         "be stateless, not %s", nat->type);
    } else if (add_route && strcmp(add_route, "true")
               && strcmp(add_route, "false")) {
        return xasprintf("options:add_route: %s: must be true or false",
                         add_route);
    } else if (smap_get_bool(&nat->options, "add_route", false)
               && !strcmp(nat->type, "snat")) {
        return xstrdup("options:add_route: routes cannot be added for snat "
                       "rules");
    }
    /* A rule changed by itself must still fit with the other rules of its
     * router. */
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, idl) {
        if (idl_pending_set_has_uuid(&lr->header_,
                                     &nbrec_logical_router_col_nat,
                                     &nat->header_.uuid)) {
            char *lr_error = validate_lr_nats(idl, lr);
            if (lr_error) {
                char *label = row_label(&lr->header_);
                error = xasprintf("%s: %s", label, lr_error);
                free(label);
                free(lr_error);
                return error;
            }
        }
    }
    return NULL;
}

/* Returns true if 's' is a port range: a port from 1 to 65535, or
 * "LOW-HIGH" with LOW < HIGH. */
bool
nb_port_range_is_valid(const char *s)
{
    unsigned int low, high;
    const char *dash = strchr(s, '-');
    if (!dash) {
        return str_to_uint(s, 10, &low) && low >= 1 && low <= 65535;
    }
    char *low_s = xmemdup0(s, dash - s);
    bool ok = (str_to_uint(low_s, 10, &low)
               && str_to_uint(dash + 1, 10, &high)
               && low >= 1 && low < high && high <= 65535);
    free(low_s);
    return ok;
}

/* Parses 's', an IPv4 or IPv6 address or network, into '*ip' (IPv4 as an
 * IPv4-mapped IPv6 address) and '*plen' (counted in the IPv6 address),
 * with host bits cleared, so that two forms of one network compare equal.
 * Returns false if 's' is neither. */
static bool
parse_net(const char *s, struct in6_addr *ip, unsigned int *plen)
{
    struct lport_ipv4 ipv4;
    struct lport_ipv6 ipv6;
    bool is_ipv6;
    char *error = lport_parse_ip(s, true, &is_ipv6, &ipv4, &ipv6);
    if (error) {
        free(error);
        return false;
    }
    if (is_ipv6) {
        *ip = ipv6.addr;
        *plen = ipv6.plen;
    } else {
        in6_addr_set_mapped_ipv4(ip, ipv4.addr);
        *plen = 96 + ipv4.plen;
    }
    struct in6_addr mask = ipv6_create_mask(*plen);
    *ip = ipv6_addr_bitand(ip, &mask);
    return true;
}

/* Returns true if 's' and 't' are the same address or network. */
static bool
same_net(const char *s, const char *t)
{
    struct in6_addr a, b;
    unsigned int alen, blen;
    return (parse_net(s, &a, &alen) && parse_net(t, &b, &blen)
            && alen == blen && ipv6_addr_equals(&a, &b));
}

/* Returns true if one of the networks of 'lrp' has address 'ip'. */
static bool
lrp_has_ip(const struct nbrec_logical_router_port *lrp, const char *ip)
{
    for (size_t i = 0; i < lrp->n_networks; i++) {
        char *addr = xstrdup(lrp->networks[i]);
        char *slash = strchr(addr, '/');
        if (slash) {
            *slash = '\0';
        }
        bool same = same_net(addr, ip);
        free(addr);
        if (same) {
            return true;
        }
    }
    return false;
}

/* Returns the gateway port that 'nat', a rule of a router whose 'n_gws'
 * gateway ports (ports with gateway chassis) are 'gws', applies on: its
 * gateway_port, or the one whose networks hold its external IP, or NULL.
 * On a router with one gateway port or none, every rule applies on the
 * same, and NULL stands for it. */
static const struct nbrec_logical_router_port *
nat_gateway(const struct nbrec_nat *nat,
            const struct nbrec_logical_router_port **gws, size_t n_gws)
{
    if (n_gws <= 1) {
        return NULL;
    } else if (nat->gateway_port) {
        return nat->gateway_port;
    }
    for (size_t i = 0; i < n_gws; i++) {
        if (lrp_has_ip(gws[i], nat->external_ip)) {
            return gws[i];
        }
    }
    return NULL;
}

/* Checks that NAT rules 'a' and 'b' of one router, which apply on gateway
 * ports 'gw_a' and 'gw_b', can live together: two rules of a type for one
 * IP (the logical IP of snat, the external IP of the others) on one
 * gateway would contradict each other, and a stateless rule's external IP
 * is its own. */
static char *
check_nat_pair(const struct nbrec_nat *a, const struct nbrec_nat *b,
               const struct nbrec_logical_router_port *gw_a,
               const struct nbrec_logical_router_port *gw_b)
{
    bool is_snat = !strcmp(a->type, "snat");
    if (!strcmp(a->type, b->type) && gw_a == gw_b
        && (is_snat ? same_net(a->logical_ip, b->logical_ip)
            : same_net(a->external_ip, b->external_ip))) {
        return xasprintf("nat: two %s rules for %s %s", a->type,
                         is_snat ? "logical IP" : "external IP",
                         is_snat ? a->logical_ip : a->external_ip);
    }
    if ((!strcmp(a->type, "dnat_and_snat")
         || !strcmp(b->type, "dnat_and_snat"))
        && (smap_get_bool(&a->options, "stateless", false)
            || smap_get_bool(&b->options, "stateless", false))
        && same_net(a->external_ip, b->external_ip)) {
        return xasprintf("nat: external IP %s is shared by a stateless NAT "
                         "rule and another rule", a->external_ip);
    }
    return NULL;
}

/* Checks the NAT rules of router 'lr' against each other, as the open
 * transaction leaves them, and that a rule's gateway port is a port of
 * the router. */
static char *
validate_lr_nats(struct ovsdb_idl *idl, const struct nbrec_logical_router *lr)
{
    struct ovsdb_datum datum;
    idl_pending_read_set(&lr->header_, &nbrec_logical_router_col_nat,
                         &datum);
    const struct nbrec_nat **nats = xmalloc((datum.n + 1) * sizeof *nats);
    size_t n = 0;
    for (size_t i = 0; i < datum.n; i++) {
        const struct nbrec_nat *nat
            = nbrec_nat_get_for_uuid(idl, &datum.keys[i].uuid);
        if (nat && nat->header_.new_datum) {
            nats[n++] = nat;
        }
    }
    ovsdb_datum_destroy(&datum, &nbrec_logical_router_col_nat.type);

    const struct nbrec_logical_router_port **gws
        = xmalloc((lr->n_ports + 1) * sizeof *gws);
    size_t n_gws = 0;
    for (size_t i = 0; i < lr->n_ports; i++) {
        if (nb_lrp_names_gateway(lr->ports[i])) {
            gws[n_gws++] = lr->ports[i];
        }
    }

    char *error = NULL;
    for (size_t i = 0; i < n && !error; i++) {
        const struct nbrec_logical_router_port *gw = nats[i]->gateway_port;
        bool found = !gw;
        for (size_t j = 0; j < lr->n_ports && !found; j++) {
            found = lr->ports[j] == gw;
        }
        if (!found) {
            error = xasprintf("nat: a rule for %s applies on gateway port "
                              "%s, which is not a port of the router",
                              nats[i]->external_ip, gw->name);
        }
        for (size_t j = i + 1; j < n && !error; j++) {
            error = check_nat_pair(nats[i], nats[j],
                                   nat_gateway(nats[i], gws, n_gws),
                                   nat_gateway(nats[j], gws, n_gws));
        }
    }
    free(gws);
    free(nats);
    return error;
}

/* Validates a Load_Balancer row. */
static char *
validate_lb(const struct nbrec_load_balancer *lb)
{
    const struct smap_node *node;
    SMAP_FOR_EACH (node, &lb->vips) {
        char *error = with_column("vips",
                                  nb_validate_lb_backends(node->key,
                                                          node->value));
        if (error) {
            return error;
        }
    }
    /* Session affinity lives in learned OpenFlow flows, whose idle
     * timeout has 16 bits. */
    const char *affinity = smap_get(&lb->options, "affinity_timeout");
    if (affinity) {
        unsigned int timeout;
        if (!affinity[0] || strspn(affinity, "0123456789") != strlen(affinity)
            || !str_to_uint(affinity, 10, &timeout)
            || !timeout || timeout > UINT16_MAX) {
            return xasprintf("options:affinity_timeout: %s: must be a "
                             "number of seconds from 1 to 65535", affinity);
        }
    }
    SMAP_FOR_EACH (node, &lb->ip_port_mappings) {
        struct lb_ip_port_mapping m;
        char *error = lb_ip_port_mapping_parse(node->key, node->value, &m);
        if (error) {
            return with_column("ip_port_mappings", error);
        }
        lb_ip_port_mapping_destroy(&m);
    }
    return NULL;
}

/* Validates a Load_Balancer_Health_Check row: a VIP with a port, and
 * options that are positive numbers (seconds, or probes in a row). */
static char *
validate_lb_health_check(const struct nbrec_load_balancer_health_check *hc)
{
    struct lb_endpoint e;
    if (!lb_endpoint_parse(hc->vip, &e) || !e.port) {
        return xasprintf("vip: \"%s\": should be a VIP with a port "
                         "(IP:PORT or [IPv6]:PORT)", hc->vip);
    }
    static const char *const options[] = {
        "interval", "timeout", "success_count", "failure_count",
    };
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        const char *s = smap_get(&hc->options, options[i]);
        long long int value;
        if (s && !parse_bounded_int(s, 1, 3600, &value)) {
            return xasprintf("options:%s: \"%s\": should be a number "
                             "from 1 to 3600", options[i], s);
        }
    }
    return NULL;
}

/* Validates an ACL row. */
static char *
validate_acl(struct ovsdb_idl *idl, const struct nbrec_acl *acl)
{
    char *error = with_column("match", nb_validate_match(idl, acl->match));
    if (error) {
        return error;
    }
    if (acl->meter && !meter_exists(idl, acl->meter)) {
        return xasprintf("meter: %s: no meter named %s", acl->meter,
                         acl->meter);
    }
    if (acl->label && strcmp(acl->action, "allow")
        && strcmp(acl->action, "allow-related")) {
        return xasprintf("label: %"PRId64": a label can only be set with "
                         "actions allow and allow-related", acl->label);
    }
    const char *after_lb = smap_get(&acl->options, "apply-after-lb");
    if (after_lb && strcmp(after_lb, "true") && strcmp(after_lb, "false")) {
        return xasprintf("options:apply-after-lb: %s: must be true or false",
                         after_lb);
    }
    return NULL;
}

/* Checks a forwarding group: an IPv4 VIP, a MAC, and child ports that are
 * ports of the switch that lists the group (when one does: a group that
 * no switch lists is on its way out). */
static char *
validate_fwd_group(struct ovsdb_idl *idl,
                   const struct nbrec_forwarding_group *fg)
{
    ovs_be32 ip;
    if (!ip_parse(fg->vip, &ip)) {
        return xasprintf("vip: %s: invalid IPv4 address", fg->vip);
    }
    char *error = with_column("vmac", nb_validate_mac(fg->vmac));
    if (error) {
        return error;
    }
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
        if (!idl_pending_set_has_uuid(
                &ls->header_, &nbrec_logical_switch_col_forwarding_groups,
                &fg->header_.uuid)) {
            continue;
        }
        for (size_t i = 0; i < fg->n_child_port; i++) {
            const char *name = fg->child_port[i];
            const struct nbrec_logical_switch_port *lsp, *found = NULL;
            NBREC_LOGICAL_SWITCH_PORT_FOR_EACH (lsp, idl) {
                if (!strcmp(lsp->name, name)) {
                    found = lsp;
                    break;
                }
            }
            if (!found) {
                note_missing("logical switch port", name);
                return xasprintf("child_port: %s: no logical switch port "
                                 "named %s", name, name);
            } else if (!idl_pending_set_has_uuid(
                           &ls->header_, &nbrec_logical_switch_col_ports,
                           &found->header_.uuid)) {
                return xasprintf("child_port: %s: not a port of switch %s",
                                 name, ls->name);
            }
        }
    }
    return NULL;
}

/* Checks a static MAC binding: a router port, an IP address and a MAC. */
static char *
validate_static_mac_binding(struct ovsdb_idl *idl,
                            const struct nbrec_static_mac_binding *smb)
{
    if (!lrp_exists(idl, smb->logical_port)) {
        return xasprintf("logical_port: %s: no logical router port named %s",
                         smb->logical_port, smb->logical_port);
    }
    char *error = with_column("ip", nb_validate_ip(smb->ip));
    return error ? error : with_column("mac", nb_validate_mac(smb->mac));
}

/* Checks a mirror's sink, which must be an IP address. */
static char *
validate_mirror(const struct nbrec_mirror *mirror)
{
    return with_column("sink", nb_validate_ip(mirror->sink));
}

/* Checks a QoS rule: its match, and that it marks or limits (a burst
 * only goes with a rate). */
static char *
validate_qos(struct ovsdb_idl *idl, const struct nbrec_qos *qos)
{
    char *error = with_column("match", nb_validate_match(idl, qos->match));
    if (error) {
        return error;
    }
    bool rate = false, burst = false;
    for (size_t i = 0; i < qos->n_bandwidth; i++) {
        rate = rate || !strcmp(qos->key_bandwidth[i], "rate");
        burst = burst || !strcmp(qos->key_bandwidth[i], "burst");
    }
    if (burst && !rate) {
        return xstrdup("bandwidth: a burst needs a rate");
    } else if (!rate && !qos->n_action) {
        return xstrdup("a QoS rule needs a dscp action or a rate");
    }
    return NULL;
}

/* Validates a named row whose name must be a match identifier. */
static char *
validate_identifier(const char *name)
{
    return with_column("name", nb_validate_name(name));
}

/* Validates an Address_Set row. */
static char *
validate_address_set(const struct nbrec_address_set *as)
{
    char *error = validate_identifier(as->name);
    if (!error) {
        error = with_column("addresses",
                            validate_each(as->addresses, as->n_addresses,
                                          nb_validate_ip_or_cidr));
    }
    return error;
}

/* Validates a Rampout_Rule row. */
static char *
validate_rampout(const struct nbrec_rampout_rule *rule)
{
    char *error;
    if (!rule->name[0]) {
        return xstrdup("name: empty rule name");
    }
    /* The SB Rampout row of a colour's own gateways on the router is
     * named so: a rule of that name would hide the colour's gateways. */
    if (!strncmp(rule->name, RAMPOUT_COLOR_PREFIX,
                 strlen(RAMPOUT_COLOR_PREFIX))) {
        return xasprintf("name: %s: a rule's name may not start with "
                         "\"%s\" (the names of colours' gateways)",
                         rule->name, RAMPOUT_COLOR_PREFIX);
    }
    error = with_column("subnets",
                        validate_each(rule->subnets, rule->n_subnets,
                                      nb_validate_ip_or_cidr));
    if (!error && rule->snat_ip) {
        error = with_column("snat_ip", nb_validate_ipv4(rule->snat_ip));
    }
    return error;
}

/* Validates a Color row. */
static char *
validate_color(const struct nbrec_color *color)
{
    char *error = validate_identifier(color->name);
    if (error) {
        return error;
    }

    /* Colours are known by name beyond their rows: "mouse" colours all
     * unclassified traffic and "elephant" is the usual promotion, and the
     * southbound colour ids follow the names.  A rename would hand one
     * colour's traffic another's settings. */
    const struct ovsdb_datum *old = (color->header_.old_datum
                                     ? &color->header_.old_datum[
                                         NBREC_COLOR_COL_NAME]
                                     : NULL);
    if (old && old->n == 1 && strcmp(old->keys[0].s->string, color->name)) {
        return xasprintf("name: colour %s cannot be renamed (to %s): add a "
                         "colour with the new name instead",
                         old->keys[0].s->string, color->name);
    }
    if (color->n_meter_burst && !color->n_meter_rate) {
        return xstrdup("meter_burst: a burst needs a rate");
    }
    struct sset names = SSET_INITIALIZER(&names);
    error = NULL;
    for (size_t i = 0; !error && i < color->n_rampout_chassis; i++) {
        char *chassis;
        int64_t priority;
        error = rampout_color_gateway_parse(color->rampout_chassis[i],
                                            &chassis, &priority);
        if (!error && !sset_add(&names, chassis)) {
            error = xasprintf("%s: chassis listed twice", chassis);
        }
        free(chassis);
    }
    sset_destroy(&names);
    if (error) {
        char *with = xasprintf("rampout_chassis: %s", error);
        free(error);
        return with;
    }
    const char *snat_ip = smap_get(&color->options, "snat_ip");
    if (snat_ip) {
        return with_column("options:snat_ip", nb_validate_ipv4(snat_ip));
    }
    return NULL;
}

/* Validates a Flow_Class row. */
static char *
validate_flow_class(struct ovsdb_idl *idl, const struct nbrec_flow_class *fc)
{
    char *error = validate_identifier(fc->name);
    if (error) {
        return error;
    }
    error = with_column("match", nb_validate_class_match(idl, fc->match));
    if (error) {
        return error;
    }
    bool has_trigger = fc->n_promote_bytes || fc->n_promote_rate;
    if (fc->promote_color && !has_trigger) {
        return xstrdup("promote_color: promotion needs promote_bytes or "
                       "promote_rate");
    }
    if (!fc->promote_color && (has_trigger || fc->n_promote_interval
                               || fc->n_demote_idle)) {
        return xstrdup("promote_color: promotion settings need a "
                       "promote_color");
    }
    if (fc->promote_color && fc->promote_color == fc->color) {
        return xasprintf("promote_color: %s: promotes to its own colour",
                         fc->color->name);
    }
    return NULL;
}

/* Validates a Gateway_Chassis row. */
static char *
validate_gateway_chassis(const struct nbrec_gateway_chassis *gc)
{
    return gc->chassis_name[0] ? NULL
           : xstrdup("chassis_name: empty chassis name");
}

/* Validates a Connection row. */
static char *
validate_connection(const struct nbrec_connection *conn)
{
    return with_column("target",
                       nb_validate_connection_target(conn->target));
}

/* The kinds of packets whose meters a Copp row names, as in OVN. */
static const char *const copp_protos[] = {
    "arp", "arp-resolve", "dhcpv4-opts", "dhcpv6-opts", "dns", "event-elb",
    "icmp4-error", "icmp6-error", "igmp", "nd-na", "nd-ns", "nd-ns-resolve",
    "nd-ra-opts", "tcp-reset", "reject", "bfd",
};

/* Checks that 'proto' is a kind of control plane packet that a Copp row
 * may meter, in ovn-nbctl's words. */
char *
nb_validate_copp_proto(const char *proto)
{
    for (size_t i = 0; i < ARRAY_SIZE(copp_protos); i++) {
        if (!strcmp(proto, copp_protos[i])) {
            return NULL;
        }
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "Invalid control protocol. Allowed values: ");
    for (size_t i = 0; i < ARRAY_SIZE(copp_protos); i++) {
        ds_put_format(&s, "%s%s", i ? ", " : "", copp_protos[i]);
    }
    ds_put_char(&s, '.');
    return ds_steal_cstr(&s);
}

/* Validates a Copp row: known kinds of packets, existing meters. */
static char *
validate_copp(struct ovsdb_idl *idl, const struct nbrec_copp *copp)
{
    if (!copp->name[0]) {
        return xstrdup("name: empty name");
    }
    struct smap_node *node;
    SMAP_FOR_EACH (node, &copp->meters) {
        char *error = nb_validate_copp_proto(node->key);
        if (error) {
            char *msg = xasprintf("meters:%s: %s", node->key, error);
            free(error);
            return msg;
        }
        if (!meter_exists(idl, node->value)) {
            return xasprintf("meters:%s: %s: no meter named %s", node->key,
                             node->value, node->value);
        }
    }
    return NULL;
}

/* Returns 4 or 6 if 'cidr' is an IPv4 or IPv6 network "IP/PLEN" (host
 * bits may be set, as in OVN's DHCP options), otherwise 0. */
int
nb_cidr_family(const char *cidr)
{
    struct lport_ipv4 ipv4;
    struct lport_ipv6 ipv6;
    bool is_ipv6;
    if (!strchr(cidr, '/')) {
        return 0;
    }
    char *error = lport_parse_ip(cidr, true, &is_ipv6, &ipv4, &ipv6);
    if (error) {
        free(error);
        return 0;
    }
    return is_ipv6 ? 6 : 4;
}

/* Returns true if 'cidr' is an IPv4 (or, if 'ipv6', IPv6) network. */
static bool
cidr_is_family(const char *cidr, bool ipv6)
{
    return nb_cidr_family(cidr) == (ipv6 ? 6 : 4);
}

/* Validates a DHCP_Options row's network. */
static char *
validate_dhcp_options(const struct nbrec_dhcp_options *opts)
{
    return (cidr_is_family(opts->cidr, false)
            || cidr_is_family(opts->cidr, true)
            ? NULL
            : xasprintf("cidr: Invalid cidr format '%s'", opts->cidr));
}

/* Checks that a switch port's DHCPv4 and DHCPv6 options are of the right
 * family. */
static char *
validate_lsp_dhcp(const struct nbrec_logical_switch_port *lsp)
{
    if (lsp->dhcpv4_options
        && !cidr_is_family(lsp->dhcpv4_options->cidr, false)) {
        return xasprintf("dhcpv4_options: DHCP options cidr '%s' is not "
                         "IPv4", lsp->dhcpv4_options->cidr);
    }
    if (lsp->dhcpv6_options
        && !cidr_is_family(lsp->dhcpv6_options->cidr, true)) {
        return xasprintf("dhcpv6_options: DHCP options cidr '%s' is not "
                         "IPv6", lsp->dhcpv6_options->cidr);
    }
    return NULL;
}

/* Returns the name that two chassis of 'hcs' (of 'n') share, or NULL. */
static const char *
ha_chassis_twice(const struct nbrec_ha_chassis **hcs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(hcs[i]->chassis_name, hcs[j]->chassis_name)) {
                return hcs[i]->chassis_name;
            }
        }
    }
    return NULL;
}

/* Validates an HA_Chassis_Group row: a name, and each chassis named and
 * there once, as the transaction leaves its chassis (the commands add and
 * remove them with mutations). */
static char *
validate_ha_chassis_group(struct ovsdb_idl *idl,
                          const struct nbrec_ha_chassis_group *group)
{
    if (!group->name[0]) {
        return xstrdup("name: empty name");
    }
    size_t n;
    const struct nbrec_ha_chassis **hcs = nb_ha_group_chassis(idl, group,
                                                              &n);
    char *error = NULL;
    for (size_t i = 0; i < n && !error; i++) {
        if (!hcs[i]->chassis_name[0]) {
            error = xstrdup("ha_chassis: empty chassis name");
        }
    }
    const char *twice = error ? NULL : ha_chassis_twice(hcs, n);
    if (twice) {
        error = xasprintf("ha_chassis: %s: chassis is in the group twice",
                          twice);
    }
    free(hcs);
    return error;
}

static bool row_is_touched(const struct ovsdb_idl_row *);

/* Validates an HA_Chassis row: a chassis name, which no other chassis of
 * its group has.  (A chassis renamed with "set" changes no column of its
 * group, whose row is then not validated; a group that the transaction
 * changed is, and reports a chassis there twice itself.) */
static char *
validate_ha_chassis(struct ovsdb_idl *idl, const struct nbrec_ha_chassis *hc)
{
    if (!hc->chassis_name[0]) {
        return xstrdup("chassis_name: empty chassis name");
    }
    const struct nbrec_ha_chassis_group *group;
    NBREC_HA_CHASSIS_GROUP_FOR_EACH (group, idl) {
        if (row_is_touched(&group->header_)) {
            continue;
        }
        size_t n;
        const struct nbrec_ha_chassis **hcs
            = nb_ha_group_chassis(idl, group, &n);
        bool mine = false;
        for (size_t i = 0; i < n; i++) {
            mine |= hcs[i] == hc;
        }
        const char *twice = mine ? ha_chassis_twice(hcs, n) : NULL;
        char *error = (twice
                       ? xasprintf("chassis_name: %s: chassis is in HA "
                                   "chassis group %s twice", twice,
                                   group->name)
                       : NULL);
        free(hcs);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Returns a label for 'row' in error messages: its table and its name (or
 * target), or its UUID for a table without names. */
static char *
row_label(const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    const struct ovsdb_idl_column *name = NULL;
    for (size_t i = 0; i < tc->n_columns; i++) {
        if ((!strcmp(tc->columns[i].name, "name")
             || !strcmp(tc->columns[i].name, "target"))
            && tc->columns[i].type.key.type == OVSDB_TYPE_STRING) {
            name = &tc->columns[i];
        }
    }
    if (name) {
        const struct ovsdb_datum *d = ovsdb_idl_read(row, name);
        if (d->n == 1 && d->keys[0].s->string[0]) {
            return xasprintf("%s %s", tc->name, d->keys[0].s->string);
        }
    }
    return xasprintf("%s "UUID_FMT, tc->name, UUID_ARGS(&row->uuid));
}

/* Returns how the error for a deletion that 'row' keeps from happening
 * names 'row': what a user would recognize it by. */
static char *
user_label(const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    const void *r = row;
    if (tc == &nbrec_table_nat) {
        const struct nbrec_nat *nat = r;
        return xasprintf("the NAT rule %s %s %s", nat->type,
                         nat->external_ip, nat->logical_ip);
    } else if (tc == &nbrec_table_logical_router_static_route) {
        const struct nbrec_logical_router_static_route *route = r;
        return xasprintf("the static route %s %s", route->ip_prefix,
                         route->nexthop);
    } else if (tc == &nbrec_table_acl) {
        return xasprintf("the ACL \"%s\"",
                         ((const struct nbrec_acl *) r)->match);
    } else if (tc == &nbrec_table_qos) {
        return xasprintf("the QoS rule \"%s\"",
                         ((const struct nbrec_qos *) r)->match);
    } else if (tc == &nbrec_table_logical_router_policy) {
        return xasprintf("the routing policy \"%s\"",
                         ((const struct nbrec_logical_router_policy *)
                          r)->match);
    } else if (tc == &nbrec_table_forwarding_group) {
        return xasprintf("the forwarding group %s",
                         ((const struct nbrec_forwarding_group *) r)->name);
    } else if (tc == &nbrec_table_static_mac_binding) {
        const struct nbrec_static_mac_binding *smb = r;
        return xasprintf("the static MAC binding of %s on %s", smb->ip,
                         smb->logical_port);
    } else if (tc == &nbrec_table_copp) {
        return xasprintf("the CoPP %s",
                         ((const struct nbrec_copp *) r)->name);
    } else if (tc == &nbrec_table_flow_class) {
        return xasprintf("the flow class %s",
                         ((const struct nbrec_flow_class *) r)->name);
    } else if (tc == &nbrec_table_logical_switch_port) {
        return xasprintf("the logical switch port %s",
                         ((const struct nbrec_logical_switch_port *)
                          r)->name);
    } else if (tc == &nbrec_table_logical_router_port) {
        return xasprintf("the logical router port %s",
                         ((const struct nbrec_logical_router_port *)
                          r)->name);
    }
    return row_label(row);
}

/* Returns the error for port 'port_uuid' (a row of 'port_tc') that 'row'
 * lists although 'other' already does. */
static char *
owner_error(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_row *other,
            const struct ovsdb_idl_table_class *port_tc,
            const struct uuid *port_uuid)
{
    /* The port may be missing from an IDL that replicates only some rows
     * (then the IDL keeps a placeholder row without contents). */
    const struct ovsdb_idl_row *port
        = ovsdb_idl_get_row_for_uuid(idl, port_tc, port_uuid);
    char *port_label = (port && port->new_datum ? row_label(port)
                        : xasprintf("%s "UUID_FMT, port_tc->name,
                                    UUID_ARGS(port_uuid)));
    char *other_label = row_label(other);
    char *error = xasprintf("ports: %s is already in %s (a port belongs to "
                            "one %s only)", port_label, other_label,
                            row->table->class_->name);
    free(port_label);
    free(other_label);
    return error;
}

/* Checks that no other row of 'row''s table (Logical_Switch or
 * Logical_Router) lists in 'ports_col' a port that 'row' lists and did not
 * list before the open transaction: a port belongs to one switch or router
 * only.  (A database written by other means may already break the rule;
 * that does not block changes that do not add to it.) */
static char *
validate_sole_owner(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row,
                    const struct ovsdb_idl_column *ports_col,
                    const struct ovsdb_idl_table_class *port_tc)
{
    /* The values as the transaction leaves them, including the ports that
     * it inserts or deletes with mutations. */
    struct ovsdb_datum mine;
    idl_pending_read_set(row, ports_col, &mine);
    const struct ovsdb_datum *old
        = (row->old_datum
           ? &row->old_datum[ports_col - row->table->class_->columns]
           : NULL);
    char *error = NULL;
    for (const struct ovsdb_idl_row *other
             = ovsdb_idl_first_row(idl, row->table->class_);
         mine.n && other && !error; other = ovsdb_idl_next_row(other)) {
        if (other == row) {
            continue;
        }
        struct ovsdb_datum theirs;
        idl_pending_read_set(other, ports_col, &theirs);
        for (size_t i = 0; i < theirs.n && !error; i++) {
            unsigned int pos;
            if (ovsdb_datum_find_key(&mine, &theirs.keys[i],
                                     OVSDB_TYPE_UUID, &pos)
                && !(old && ovsdb_datum_find_key(old, &theirs.keys[i],
                                                 OVSDB_TYPE_UUID, &pos))) {
                error = owner_error(idl, row, other, port_tc,
                                    &theirs.keys[i].uuid);
            }
        }
        ovsdb_datum_destroy(&theirs, &ports_col->type);
    }
    ovsdb_datum_destroy(&mine, &ports_col->type);
    return error;
}

/* Dispatches 'row' to the validator of its table. */
static char *
validate_row__(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    const void *r = row;

    if (tc == &nbrec_table_logical_switch) {
        char *error = validate_sole_owner(idl, row,
                                          &nbrec_logical_switch_col_ports,
                                          &nbrec_table_logical_switch_port);
        return error ? error : validate_ls_ips(idl, r);
    } else if (tc == &nbrec_table_logical_router) {
        const char *age = smap_get(&((const struct nbrec_logical_router *)
                                     r)->options,
                                   "mac_binding_age_threshold");
        long long int v;
        if (age && !parse_bounded_int(age, 0, INT_MAX, &v)) {
            return xasprintf("options:mac_binding_age_threshold: \"%s\" is "
                             "not a number of seconds (0 to %d)", age,
                             INT_MAX);
        }
        const char *fsnat = smap_get(&((const struct nbrec_logical_router *)
                                       r)->options, "lb_force_snat_ip");
        if (fsnat) {
            struct lb_force_snat fs;
            char *fs_error = lb_force_snat_parse(fsnat, &fs);
            if (fs_error) {
                char *e = xasprintf("options:lb_force_snat_ip: %s", fs_error);
                free(fs_error);
                return e;
            }
            lb_force_snat_destroy(&fs);
        }
        char *error = validate_sole_owner(idl, row,
                                          &nbrec_logical_router_col_ports,
                                          &nbrec_table_logical_router_port);
        if (!error) {
            error = validate_lr_nats(idl, r);
        }
        return error ? error : validate_lr_routes(idl, r);
    } else if (tc == &nbrec_table_logical_switch_port) {
        return validate_lsp(idl, r);
    } else if (tc == &nbrec_table_logical_router_port) {
        return validate_lrp(idl, r);
    } else if (tc == &nbrec_table_logical_router_static_route) {
        return validate_route(idl, r);
    } else if (tc == &nbrec_table_nat) {
        return validate_nat(idl, r);
    } else if (tc == &nbrec_table_logical_router_policy) {
        return validate_lr_policy(idl, r);
    } else if (tc == &nbrec_table_bfd) {
        return validate_bfd(r);
    } else if (tc == &nbrec_table_load_balancer) {
        return validate_lb(r);
    } else if (tc == &nbrec_table_load_balancer_health_check) {
        return validate_lb_health_check(r);
    } else if (tc == &nbrec_table_acl) {
        return validate_acl(idl, r);
    } else if (tc == &nbrec_table_qos) {
        return validate_qos(idl, r);
    } else if (tc == &nbrec_table_mirror) {
        return validate_mirror(r);
    } else if (tc == &nbrec_table_forwarding_group) {
        return validate_fwd_group(idl, r);
    } else if (tc == &nbrec_table_static_mac_binding) {
        return validate_static_mac_binding(idl, r);
    } else if (tc == &nbrec_table_address_set) {
        return validate_address_set(r);
    } else if (tc == &nbrec_table_port_group) {
        return validate_identifier(((const struct nbrec_port_group *)
                                    r)->name);
    } else if (tc == &nbrec_table_rampout_rule) {
        return validate_rampout(r);
    } else if (tc == &nbrec_table_color) {
        return validate_color(r);
    } else if (tc == &nbrec_table_flow_class) {
        return validate_flow_class(idl, r);
    } else if (tc == &nbrec_table_gateway_chassis) {
        return validate_gateway_chassis(r);
    } else if (tc == &nbrec_table_connection) {
        return validate_connection(r);
    } else if (tc == &nbrec_table_copp) {
        return validate_copp(idl, r);
    } else if (tc == &nbrec_table_dhcp_options) {
        return validate_dhcp_options(r);
    } else if (tc == &nbrec_table_ha_chassis_group) {
        return validate_ha_chassis_group(idl, r);
    } else if (tc == &nbrec_table_ha_chassis) {
        return validate_ha_chassis(idl, r);
    } else if (tc == &nbrec_table_meter) {
        const struct nbrec_meter *meter = r;
        return (!meter->name[0] ? xstrdup("name: empty meter name")
                : !strncmp(meter->name, "__", 2)
                ? xasprintf("name: %s: meter names that begin with \"__\" "
                            "are reserved", meter->name)
                : NULL);
    }
    return NULL;
}

/* Returns the "name" column of 'tc' if names must be unique in that
 * table, otherwise NULL.  They must be where other rows or matches refer
 * to rows by name; switches and routers are referred to by UUID, and
 * their names, as in OVN, are only labels (osmotic-nbctl asks for a UUID
 * when a name is ambiguous). */
static const struct ovsdb_idl_column *
unique_name_column(const struct ovsdb_idl_table_class *tc)
{
    if (tc == &nbrec_table_load_balancer || tc == &nbrec_table_acl
        || tc == &nbrec_table_rampout_rule
        || tc == &nbrec_table_logical_switch
        || tc == &nbrec_table_logical_router) {
        return NULL;
    }
    for (size_t i = 0; i < tc->n_columns; i++) {
        if (!strcmp(tc->columns[i].name, "name")
            && tc->columns[i].type.key.type == OVSDB_TYPE_STRING
            && tc->columns[i].type.n_min == 1) {
            return &tc->columns[i];
        }
    }
    return NULL;
}

/* Checks that no other row of 'row''s table has its name, where names
 * must be unique. */
static char *
validate_unique_name(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    const struct ovsdb_idl_column *col = unique_name_column(tc);
    if (!col) {
        return NULL;
    }
    const char *name = ovsdb_idl_read(row, col)->keys[0].s->string;
    for (const struct ovsdb_idl_row *other = ovsdb_idl_first_row(idl, tc);
         other; other = ovsdb_idl_next_row(other)) {
        if (other != row
            && !strcmp(ovsdb_idl_read(other, col)->keys[0].s->string,
                       name)) {
            return xasprintf("name: \"%s\": another row of %s has this "
                             "name", name, tc->name);
        }
    }
    return NULL;
}

/* Validates 'row' against the rest of 'idl''s contents, including that
 * its name is unique only if 'check_name'. */
static char *
validate_row(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row,
             bool check_name)
{
    char *error = check_name ? validate_unique_name(idl, row) : NULL;
    if (!error) {
        error = validate_row__(idl, row);
    }
    if (error) {
        char *label = row_label(row);
        char *msg = xasprintf("%s: %s", label, error);
        free(label);
        free(error);
        return msg;
    }
    return NULL;
}

/* Validates 'row', a row of an Osmotic_Northbound table in 'idl', against
 * the rest of 'idl''s contents. */
char *
nb_validate_row(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row)
{
    return validate_row(idl, row, true);
}

/* Returns true if the open transaction of 'row''s IDL inserted 'row' or
 * wrote any of its columns. */
static bool
row_is_touched(const struct ovsdb_idl_row *row)
{
    return (!row->old_datum || row->written || row->map_op_written
            || row->set_op_written);
}

/* Stores in 'counts' the number of rows in each table of 'idl'. */
void
nb_validate_count_rows(struct ovsdb_idl *idl,
                       struct nb_validate_counts *counts)
{
    for (size_t t = 0; t < NBREC_N_TABLES; t++) {
        size_t n = 0;
        for (const struct ovsdb_idl_row *row
                 = ovsdb_idl_first_row(idl, &nbrec_table_classes[t]);
             row; row = ovsdb_idl_next_row(row)) {
            n++;
        }
        counts->n_rows[t] = n;
    }
}

/* Returns true if the open transaction deleted rows of table 't', given
 * the row counts 'before' it, or renamed an address set, port group or
 * meter: either way a name that matches and ACLs may use is gone.  (A
 * port may be renamed, as in OVN: what named it then names nothing until
 * a port takes that name again, which northd follows.) */
static bool
table_lost_rows(struct ovsdb_idl *idl, size_t t,
                const struct nb_validate_counts *before)
{
    const struct ovsdb_idl_table_class *tc = &nbrec_table_classes[t];
    const struct ovsdb_idl_column *name
        = (t == NBREC_TABLE_ADDRESS_SET || t == NBREC_TABLE_PORT_GROUP
           || t == NBREC_TABLE_METER ? unique_name_column(tc) : NULL);
    size_t idx = name ? name - tc->columns : 0;
    size_t now = 0, inserted = 0;
    bool renamed = false;
    for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, tc);
         row; row = ovsdb_idl_next_row(row)) {
        now++;
        inserted += !row->old_datum;
        if (name && row->old_datum && row->new_datum && row->written
            && bitmap_is_set(row->written, idx)
            && !ovsdb_datum_equals(&row->old_datum[idx],
                                   &row->new_datum[idx], &name->type)) {
            renamed = true;
        }
    }
    return renamed || now - inserted < before->n_rows[t];
}

/* Sets 'recheck[t]' for every table whose rows may refer by name to rows
 * of a table that the open transaction deleted rows from. */
static void
find_tables_to_recheck(struct ovsdb_idl *idl,
                       const struct nb_validate_counts *before,
                       bool recheck[NBREC_N_TABLES])
{
    /* Which tables name rows of which. */
    static const struct {
        enum nbrec_table_id named, naming;
    } refs[] = {
        { NBREC_TABLE_LOGICAL_SWITCH_PORT, NBREC_TABLE_LOGICAL_SWITCH_PORT },
        { NBREC_TABLE_LOGICAL_SWITCH_PORT, NBREC_TABLE_NAT },
        { NBREC_TABLE_LOGICAL_SWITCH_PORT, NBREC_TABLE_FORWARDING_GROUP },
        { NBREC_TABLE_LOGICAL_ROUTER_PORT, NBREC_TABLE_STATIC_MAC_BINDING },
        { NBREC_TABLE_LOGICAL_ROUTER_PORT, NBREC_TABLE_LOGICAL_ROUTER_PORT },
        { NBREC_TABLE_LOGICAL_ROUTER_PORT, NBREC_TABLE_LOGICAL_SWITCH_PORT },
        { NBREC_TABLE_LOGICAL_ROUTER_PORT,
          NBREC_TABLE_LOGICAL_ROUTER_STATIC_ROUTE },
        { NBREC_TABLE_ADDRESS_SET, NBREC_TABLE_ACL },
        { NBREC_TABLE_ADDRESS_SET, NBREC_TABLE_QOS },
        { NBREC_TABLE_ADDRESS_SET, NBREC_TABLE_FLOW_CLASS },
        { NBREC_TABLE_PORT_GROUP, NBREC_TABLE_ACL },
        { NBREC_TABLE_PORT_GROUP, NBREC_TABLE_QOS },
        { NBREC_TABLE_ADDRESS_SET, NBREC_TABLE_LOGICAL_ROUTER_POLICY },
        { NBREC_TABLE_PORT_GROUP, NBREC_TABLE_LOGICAL_ROUTER_POLICY },
        { NBREC_TABLE_PORT_GROUP, NBREC_TABLE_FLOW_CLASS },
        { NBREC_TABLE_METER, NBREC_TABLE_ACL },
        { NBREC_TABLE_METER, NBREC_TABLE_COPP },
    };
    enum { UNKNOWN, KEPT, LOST } state[NBREC_N_TABLES];
    memset(recheck, 0, NBREC_N_TABLES * sizeof *recheck);
    if (!before) {
        return;
    }
    for (size_t t = 0; t < NBREC_N_TABLES; t++) {
        state[t] = UNKNOWN;
    }
    for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
        size_t t = refs[i].named;
        if (state[t] == UNKNOWN) {
            state[t] = table_lost_rows(idl, t, before) ? LOST : KEPT;
        }
        if (state[t] == LOST) {
            recheck[refs[i].naming] = true;
        }
    }
}

/* Returns true if 'row', of a table that is not a root, was referenced
 * before the open transaction and is referenced by no row after it: the
 * server will delete it at commit (an ovn-nbctl-style command removes a
 * NAT rule, a route or an ACL from its router or switch that way, or
 * deletes the port group that held it), so what it refers to need not
 * exist any more.  "Before" is the replica's own view, its rows' backward
 * references, which also counts referrers that the transaction deletes.
 * A row whose referrers are not replicated counts as still referenced. */
static bool
row_orphaned_by_txn(struct ovsdb_idl *idl, const struct ovsdb_idl_row *row)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    if (tc->is_root || ovs_list_is_empty(&row->dst_arcs)) {
        return false;
    }
    for (size_t t = 0; t < NBREC_N_TABLES; t++) {
        const struct ovsdb_idl_table_class *ptc = &nbrec_table_classes[t];
        for (size_t c = 0; c < ptc->n_columns; c++) {
            const struct ovsdb_idl_column *col = &ptc->columns[c];
            const char *ref = col->type.key.uuid.refTableName;
            if (col->type.key.type != OVSDB_TYPE_UUID || !ref
                || strcmp(ref, tc->name)) {
                continue;
            }
            for (const struct ovsdb_idl_row *p = ovsdb_idl_first_row(idl, ptc);
                 p; p = ovsdb_idl_next_row(p)) {
                if (idl_pending_set_has_uuid(p, col, &row->uuid)) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* Validates every row that the transaction open on 'idl' inserted or
 * modified, and, if 'before' (row counts taken before the transaction's
 * changes) is nonnull and the transaction deleted rows that others refer
 * to by name, every row that might refer to them.  Returns the first
 * error found. */
char *
nb_validate_txn(struct ovsdb_idl *idl,
                const struct nb_validate_counts *before)
{
    bool recheck[NBREC_N_TABLES];
    find_tables_to_recheck(idl, before, recheck);
    for (size_t t = 0; t < NBREC_N_TABLES; t++) {
        const struct ovsdb_idl_table_class *tc = &nbrec_table_classes[t];
        for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, tc);
             row; row = ovsdb_idl_next_row(row)) {
            if (recheck[t] || row_is_touched(row)) {
                /* A row checked again only because the transaction
                 * deleted rows kept its name, and any row that took a
                 * name is itself checked: checking only the touched rows'
                 * names spares comparing every name with every other. */
                bool touched = row_is_touched(row);
                clear_missing();
                char *error = validate_row(idl, row, touched);
                if (error && !touched && row_orphaned_by_txn(idl, row)) {
                    /* Deleted at commit along with what it names. */
                    free(error);
                    error = NULL;
                }
                if (error && !touched && missing_name) {
                    blame_port_group(idl, before);
                    /* Only a deletion can make a row that the transaction
                     * did not write fail: say which deleted row it still
                     * uses. */
                    char *user = user_label(row);
                    free(error);
                    error = xasprintf("%s: %s is used by %s", missing_name,
                                      missing_kind, user);
                    free(user);
                }
                clear_missing();
                if (error) {
                    return error;
                }
            }
        }
    }
    return NULL;
}
