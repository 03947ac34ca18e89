#include <config.h>

#include "lib/nb-unapplied.h"

#include <string.h>

#include "lib/idl-pending.h"
#include "lib/nb-gateways.h"
#include "lib/osmotic-nb-idl.h"
#include "bitmap.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

/* Returns the switch port whose row is 'row'. */
static const struct nbrec_logical_switch_port *
row_to_lsp(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_logical_switch_port, header_);
}

/* Returns true for a switch port of a type other than the default, router
 * and localnet: l2gateway, localport, vtep, external, virtual, remote. */
static bool
lsp_type_other(const struct ovsdb_idl_row *row)
{
    const char *type = row_to_lsp(row)->type;
    return (type && type[0] && strcmp(type, "router")
            && strcmp(type, "localnet"));
}

/* Returns true for a container port: one with a parent port, whose
 * traffic would arrive tagged through the parent's interface. */
static bool
lsp_is_container(const struct ovsdb_idl_row *row)
{
    return row_to_lsp(row)->parent_name != NULL;
}

/* Returns true for a switch port that asks for dynamic addresses. */
static bool
lsp_has_dynamic(const struct ovsdb_idl_row *row)
{
    const struct nbrec_logical_switch_port *lsp = row_to_lsp(row);
    for (size_t i = 0; i < lsp->n_addresses; i++) {
        if (strstr(lsp->addresses[i], "dynamic")) {
            return true;
        }
    }
    return false;
}

/* Returns true for an ACL with a label, which nothing writes into the
 * connection tracking entries of the connections it allows yet. */
static bool
acl_has_label(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_acl, header_)->label != 0;
}

/* Returns true for an ACL to evaluate after load balancing: there is no
 * load balancing stage yet, and osmotic-northd leaves such ACLs out. */
static bool
acl_applies_after_lb(const struct ovsdb_idl_row *row)
{
    const struct nbrec_acl *acl = CONTAINER_OF(row, struct nbrec_acl,
                                               header_);
    return smap_get_bool(&acl->options, "apply-after-lb", false);
}

/* Returns true for a BFD session to an IPv6 neighbour: the controllers
 * run IPv4 sessions only, and a route with such a session is used as if
 * it had none (northd/bfd.h). */
static bool
bfd_is_ipv6(const struct ovsdb_idl_row *row)
{
    const struct nbrec_bfd *bfd = CONTAINER_OF(row, struct nbrec_bfd,
                                               header_);
    return strchr(bfd->dst_ip, ':') != NULL;
}

/* Returns true for a gateway port whose traffic would reach its gateway
 * chassis over the physical network rather than a tunnel. */
static bool
lrp_redirects_bridged(const struct ovsdb_idl_row *row)
{
    const struct nbrec_logical_router_port *lrp
        = CONTAINER_OF(row, struct nbrec_logical_router_port, header_);
    const char *type = smap_get(&lrp->options, "redirect-type");
    return type && !strcmp(type, "bridged");
}

/* Returns the NAT rule whose row is 'row'. */
static const struct nbrec_nat *
row_to_nat(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_nat, header_);
}

/* Returns true for a stateless NAT rule. */
static bool
nat_is_stateless(const struct ovsdb_idl_row *row)
{
    return smap_get_bool(&row_to_nat(row)->options, "stateless", false);
}

/* Returns true for a routing policy that marks the packets it lets
 * through (options:pkt_mark). */
static bool
policy_has_pkt_mark(const struct ovsdb_idl_row *row)
{
    return smap_get(&CONTAINER_OF(row, struct nbrec_logical_router_policy,
                                  header_)->options, "pkt_mark") != NULL;
}

/* Returns true for a NAT rule with an external port range. */
static bool
nat_has_port_range(const struct ovsdb_idl_row *row)
{
    return row_to_nat(row)->external_port_range[0] != '\0';
}

/* Returns true for a NAT rule that names its gateway port. */
static bool
nat_has_gateway_port(const struct ovsdb_idl_row *row)
{
    return row_to_nat(row)->gateway_port != NULL;
}

/* Returns true for a NAT rule whose external address is to be routed to
 * its router from neighbouring routers. */
static bool
nat_adds_route(const struct ovsdb_idl_row *row)
{
    return smap_get_bool(&row_to_nat(row)->options, "add_route", false);
}

static const struct nbrec_load_balancer *
row_to_lb(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_load_balancer, header_);
}

/* Returns true for a load balancer with options that nothing applies yet:
 * report connections to VIPs without backends to the CMS, a route to its
 * VIPs.  (options:reject and options:affinity_timeout are applied.) */
static bool
lb_has_options(const struct ovsdb_idl_row *row)
{
    const struct nbrec_load_balancer *lb = row_to_lb(row);
    return (smap_get_bool(&lb->options, "event", false)
            || smap_get_bool(&lb->options, "add_route", false));
}

/* Returns true for an SCTP load balancer. */
static bool
lb_is_sctp(const struct ovsdb_idl_row *row)
{
    const char *protocol = row_to_lb(row)->protocol;
    return protocol && !strcmp(protocol, "sctp");
}

/* Returns true if 'pred' holds, with 'aux', for a load balancer of
 * router 'row', named in its load_balancer column or through its
 * load_balancer_group column, as an open transaction leaves them. */
static bool
lr_any_lb(const struct ovsdb_idl_row *row,
          bool (*pred)(const struct nbrec_load_balancer *, const void *aux),
          const void *aux)
{
    struct ovsdb_idl *idl = row->table->idl;
    const struct ovsdb_idl_column *columns[] = {
        &nbrec_logical_router_col_load_balancer,
        &nbrec_logical_router_col_load_balancer_group,
    };
    bool found = false;
    for (size_t c = 0; c < ARRAY_SIZE(columns) && !found; c++) {
        struct ovsdb_datum datum;
        idl_pending_read_set(row, columns[c], &datum);
        for (size_t i = 0; i < datum.n && !found; i++) {
            const struct uuid *uuid = &datum.keys[i].uuid;
            if (c == 0) {
                const struct nbrec_load_balancer *lb
                    = nbrec_load_balancer_get_for_uuid(idl, uuid);
                found = lb && pred(lb, aux);
                continue;
            }
            const struct nbrec_load_balancer_group *g
                = nbrec_load_balancer_group_get_for_uuid(idl, uuid);
            for (size_t j = 0; g && j < g->n_load_balancer && !found; j++) {
                found = pred(g->load_balancer[j], aux);
            }
        }
        ovsdb_datum_destroy(&datum, &columns[c]->type);
    }
    return found;
}

/* Returns true for any load balancer. */
static bool
lb_any(const struct nbrec_load_balancer *lb OVS_UNUSED,
       const void *aux OVS_UNUSED)
{
    return true;
}

/* Returns true for a router with load balancers, options:lb_force_snat_ip
 * and more than one gateway port, whose forced SNAT osmotic-northd leaves
 * out: the replies to the SNAT address would not tell which gateway
 * chassis SNATed their connection. */
static bool
lr_forces_lb_snat_with_gateways(const struct ovsdb_idl_row *row)
{
    const struct nbrec_logical_router *lr
        = CONTAINER_OF(row, struct nbrec_logical_router, header_);
    if (!smap_get(&lr->options, "lb_force_snat_ip")
        || !lr_any_lb(row, lb_any, NULL)) {
        return false;
    }
    struct ovsdb_datum ports;
    idl_pending_read_set(row, &nbrec_logical_router_col_ports, &ports);
    size_t n_gateways = 0;
    for (size_t i = 0; i < ports.n; i++) {
        const struct nbrec_logical_router_port *lrp
            = nbrec_logical_router_port_get_for_uuid(row->table->idl,
                                                     &ports.keys[i].uuid);
        n_gateways += lrp && nb_lrp_names_gateway(lrp);
    }
    ovsdb_datum_destroy(&ports, &nbrec_logical_router_col_ports.type);
    return n_gateways > 1;
}

/* Returns true for a fair meter, which would give each ACL that names it
 * a meter of its own: the ACLs share one. */
static bool
meter_is_fair(const struct ovsdb_idl_row *row)
{
    const struct nbrec_meter *m = CONTAINER_OF(row, struct nbrec_meter,
                                               header_);
    return m->n_fair && m->fair[0];
}

/* The NB configuration that osmotic-northd compiles into no logical flow
 * yet.  A feature that makes some of it work removes its entries. */
const struct nb_unapplied nb_unapplied_entries[] = {
    { .table = &nbrec_table_acl,
      .applies = acl_has_label,
      .what = "ACL labels",
      .reads = { { &nbrec_acl_col_label, NULL } } },
    { .table = &nbrec_table_acl,
      .applies = acl_applies_after_lb,
      .what = "ACLs applied after load balancing",
      .reads = { { &nbrec_acl_col_options, "apply-after-lb" } } },
    { .table = &nbrec_table_qos,
      .what = "QoS rules" },
    { .table = &nbrec_table_logical_switch,
      .column = &nbrec_logical_switch_col_qos_rules,
      .what = "QoS rules" },
    { .table = &nbrec_table_mirror,
      .what = "mirrors" },
    { .table = &nbrec_table_logical_switch_port,
      .column = &nbrec_logical_switch_port_col_mirror_rules,
      .what = "mirrors" },
    { .table = &nbrec_table_meter,
      .applies = meter_is_fair,
      .what = "fair meters",
      .reads = { { &nbrec_meter_col_fair, NULL } } },
    { .table = &nbrec_table_forwarding_group,
      .what = "forwarding groups" },
    { .table = &nbrec_table_logical_switch,
      .column = &nbrec_logical_switch_col_forwarding_groups,
      .what = "forwarding groups" },
    { .table = &nbrec_table_static_mac_binding,
      .what = "static MAC bindings" },
    { .table = &nbrec_table_logical_switch_port,
      .applies = lsp_type_other,
      .what = "switch ports of type l2gateway, localport, vtep, external, "
              "virtual or remote",
      .reads = { { &nbrec_logical_switch_port_col_type, NULL } } },
    { .table = &nbrec_table_logical_switch_port,
      .applies = lsp_is_container,
      .what = "container ports (parent and tag)",
      .reads = { { &nbrec_logical_switch_port_col_parent_name, NULL } } },
    { .table = &nbrec_table_logical_switch_port,
      .applies = lsp_has_dynamic,
      .what = "dynamic addresses",
      .reads = { { &nbrec_logical_switch_port_col_addresses, NULL } } },
    { .table = &nbrec_table_bfd,
      .applies = bfd_is_ipv6,
      .what = "BFD sessions to IPv6 neighbours",
      .reads = { { &nbrec_bfd_col_dst_ip, NULL } } },
    { .table = &nbrec_table_logical_router_port,
      .applies = lrp_redirects_bridged,
      .what = "bridged gateway redirects (redirect-type)",
      .reads = {
          { &nbrec_logical_router_port_col_options, "redirect-type" } } },
    { .table = &nbrec_table_logical_router_policy,
      .applies = policy_has_pkt_mark,
      .what = "routing policy packet marks (pkt_mark)",
      .reads = {
          { &nbrec_logical_router_policy_col_options, "pkt_mark" } } },
    { .table = &nbrec_table_nat,
      .applies = nat_is_stateless,
      .what = "stateless NAT rules",
      .reads = { { &nbrec_nat_col_options, "stateless" } } },
    { .table = &nbrec_table_nat,
      .applies = nat_has_port_range,
      .what = "NAT port ranges",
      .reads = { { &nbrec_nat_col_external_port_range, NULL } } },
    { .table = &nbrec_table_nat,
      .applies = nat_has_gateway_port,
      .what = "NAT rules of named gateway ports",
      .reads = { { &nbrec_nat_col_gateway_port, NULL } } },
    { .table = &nbrec_table_nat,
      .column = &nbrec_nat_col_allowed_ext_ips,
      .what = "NAT external address sets" },
    { .table = &nbrec_table_nat,
      .column = &nbrec_nat_col_exempted_ext_ips,
      .what = "NAT external address sets" },
    { .table = &nbrec_table_nat,
      .applies = nat_adds_route,
      .what = "routes to NAT addresses",
      .reads = { { &nbrec_nat_col_options, "add_route" } } },
    { .table = &nbrec_table_nat,
      .column = &nbrec_nat_col_logical_port,
      .what = "distributed NAT rules (logical_port, external_mac)" },
    { .table = &nbrec_table_nat,
      .column = &nbrec_nat_col_external_mac,
      .what = "distributed NAT rules (logical_port, external_mac)" },
    { .table = &nbrec_table_load_balancer,
      .applies = lb_is_sctp,
      .what = "SCTP load balancers",
      .reads = { { &nbrec_load_balancer_col_protocol, NULL } } },
    { .table = &nbrec_table_load_balancer,
      .applies = lb_has_options,
      .what = "load balancer options (event, add_route)",
      .reads = {
          { &nbrec_load_balancer_col_options,
            "event add_route" } } },
    { .table = &nbrec_table_logical_router,
      .applies = lr_forces_lb_snat_with_gateways,
      .what = "forced SNAT of load-balanced traffic (lb_force_snat_ip) on "
              "routers with more than one gateway port",
      .singular = true,
      .reads = { { &nbrec_logical_router_col_load_balancer, NULL },
                 { &nbrec_logical_router_col_load_balancer_group, NULL },
                 { &nbrec_logical_router_col_options,
                   "lb_force_snat_ip" } } },
    { .table = &nbrec_table_dhcp_options,
      .what = "DHCP options" },
    { .table = &nbrec_table_logical_switch_port,
      .column = &nbrec_logical_switch_port_col_dhcpv4_options,
      .what = "DHCP options" },
    { .table = &nbrec_table_logical_switch_port,
      .column = &nbrec_logical_switch_port_col_dhcpv6_options,
      .what = "DHCP options" },
    /* A router port's HA chassis group is applied (its gateway chassis,
     * lib/nb-gateways.h); a switch port's serves external ports, which
     * are not. */
    { .table = &nbrec_table_logical_switch_port,
      .column = &nbrec_logical_switch_port_col_ha_chassis_group,
      .what = "HA chassis groups of switch ports" },
    { .table = &nbrec_table_copp,
      .what = "control plane protection (CoPP)", .singular = true },
    { .table = &nbrec_table_logical_switch,
      .column = &nbrec_logical_switch_col_copp,
      .what = "control plane protection (CoPP)", .singular = true },
    { .table = &nbrec_table_logical_router,
      .column = &nbrec_logical_router_col_copp,
      .what = "control plane protection (CoPP)", .singular = true },
};
const size_t nb_n_unapplied_entries = ARRAY_SIZE(nb_unapplied_entries);

/* Returns true if the rows that 'u' covers are the rows to count and name
 * for its kind of configuration: those of an entry without a column, or,
 * for a kind that is only a column (a router's load balancers), those
 * that have the column.  Where a kind has an entry of the first sort, the
 * rows that merely refer to its rows (a switch's ACLs) are not counted:
 * the rows they refer to are. */
bool
nb_unapplied_entry_names_rows(const struct nb_unapplied *u)
{
    if (!u->column) {
        return true;
    }
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const struct nb_unapplied *e = &nb_unapplied_entries[i];
        if (!e->column && !strcmp(e->what, u->what)) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'row', a row of 'u''s table, is configuration that 'u'
 * says nothing applies yet. */
bool
nb_unapplied_row_counts(const struct nb_unapplied *u,
                        const struct ovsdb_idl_row *row)
{
    if (u->column) {
        /* As an open transaction leaves it: a set column may have gained
         * values through mutations, which ovsdb_idl_read() does not show
         * before commit. */
        struct ovsdb_datum datum;
        idl_pending_read_set(row, u->column, &datum);
        size_t n = datum.n;
        ovsdb_datum_destroy(&datum, &u->column->type);
        if (!n) {
            return false;
        }
    }
    return !u->applies || u->applies(row);
}

/* Returns the warning about configuration 'what' ("ACLs"), without the
 * program name, in a string the caller must free: "is" for the 'what' of
 * an entry marked singular, "are" otherwise. */
char *
nb_unapplied_warning(const char *what)
{
    bool singular = false;
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        if (!strcmp(nb_unapplied_entries[i].what, what)) {
            singular = nb_unapplied_entries[i].singular;
            break;
        }
    }
    return xasprintf("%s %s stored but not applied to traffic yet", what,
                     singular ? "is" : "are");
}

/* Returns true if bit 'idx' is set in 'bitmap', which may be NULL. */
static bool
bit_is_set(const unsigned long int *bitmap, size_t idx)
{
    return bitmap && bitmap_is_set(bitmap, idx);
}

/* Returns true if the open transaction of 'row''s IDL wrote column 'idx'
 * of 'row'. */
static bool
column_written(const struct ovsdb_idl_row *row, size_t idx)
{
    return (bit_is_set(row->written, idx)
            || bit_is_set(row->map_op_written, idx)
            || bit_is_set(row->set_op_written, idx));
}

/* Returns true if the open transaction of 'row''s IDL adds a value to set
 * column 'column' of 'row' (not one that only takes values away). */
static bool
column_gains(const struct ovsdb_idl_row *row,
             const struct ovsdb_idl_column *column)
{
    size_t idx = column - row->table->class_->columns;
    if (!column_written(row, idx)) {
        return false;
    }
    struct ovsdb_datum now;
    idl_pending_read_set(row, column, &now);
    const struct ovsdb_datum *before = &row->old_datum[idx];
    bool gains = false;
    enum ovsdb_atomic_type key_type = column->type.key.type;
    enum ovsdb_atomic_type value_type = column->type.value.type;
    for (size_t i = 0; i < now.n && !gains; i++) {
        gains = (value_type == OVSDB_TYPE_VOID
                 ? !ovsdb_datum_find_key(before, &now.keys[i], key_type,
                                         NULL)
                 : ovsdb_datum_find_key_value(before, &now.keys[i], key_type,
                                              &now.values[i], value_type)
                   == UINT_MAX);
    }
    ovsdb_datum_destroy(&now, &column->type);
    return gains;
}

/* Returns the value of 'key' in 'map', a map from strings to strings, or
 * NULL. */
static const char *
map_get(const struct ovsdb_datum *map, const char *key)
{
    for (size_t i = 0; i < map->n; i++) {
        if (!strcmp(map->keys[i].s->string, key)) {
            return map->values[i].s->string;
        }
    }
    return NULL;
}

/* Returns true if the open transaction of 'row''s IDL changed what 'read'
 * names: the value of one of its keys, or its column. */
static bool
read_changed(const struct ovsdb_idl_row *row,
             const struct nb_unapplied_read *read)
{
    const struct ovsdb_idl_column *column = read->column;
    size_t idx = column - row->table->class_->columns;
    if (!column_written(row, idx)) {
        return false;
    }
    struct ovsdb_datum now;
    idl_pending_read_set(row, column, &now);
    const struct ovsdb_datum *before = &row->old_datum[idx];
    bool changed = false;
    if (read->keys) {
        char *keys = xstrdup(read->keys);
        char *save_ptr = NULL;
        for (char *key = strtok_r(keys, " ", &save_ptr); key && !changed;
             key = strtok_r(NULL, " ", &save_ptr)) {
            changed = !nullable_string_is_equal(map_get(before, key),
                                                map_get(&now, key));
        }
        free(keys);
    } else {
        changed = !ovsdb_datum_equals(before, &now, &column->type);
    }
    ovsdb_datum_destroy(&now, &column->type);
    return changed;
}

/* Returns true if the open transaction of 'row''s IDL wrote the
 * configuration that entry 'u' is about: inserted the row, or gave
 * 'u->column' a new value, or changed what 'u''s condition reads, or
 * (for an entry about whole rows) gave any column of the row a new value.
 * Writes that only take values away (deleting a load balancer's VIP) or
 * that change other settings of the row (enabling a router port whose
 * redirect type is bridged) are not. */
static bool
row_written(const struct ovsdb_idl_row *row, const struct nb_unapplied *u)
{
    const struct ovsdb_idl_table_class *tc = row->table->class_;
    if (!row->old_datum) {
        return true;
    } else if (u->column) {
        return column_gains(row, u->column);
    } else if (u->reads[0].column) {
        for (size_t i = 0; i < ARRAY_SIZE(u->reads) && u->reads[i].column;
             i++) {
            if (read_changed(row, &u->reads[i])) {
                return true;
            }
        }
        return false;
    }
    for (size_t i = 0; i < tc->n_columns; i++) {
        const struct ovsdb_type *type = &tc->columns[i].type;
        if (!ovsdb_base_type_is_ref(&type->key)
            && !ovsdb_base_type_is_ref(&type->value)
            && column_gains(row, &tc->columns[i])) {
            return true;
        }
    }
    return false;
}

/* Adds to 'whats' the 'what' of every entry under which the open
 * transaction of 'idl' inserts or changes a row that is there after it.
 * A transaction that only deletes such rows adds nothing: removing
 * configuration that was not applied needs no warning. */
void
nb_unapplied_in_txn(struct ovsdb_idl *idl, struct sset *whats)
{
    for (size_t i = 0; i < nb_n_unapplied_entries; i++) {
        const struct nb_unapplied *u = &nb_unapplied_entries[i];
        if (sset_contains(whats, u->what)) {
            continue;
        }
        for (const struct ovsdb_idl_row *row
                 = ovsdb_idl_first_row(idl, u->table);
             row; row = ovsdb_idl_next_row(row)) {
            if (row->new_datum && row_written(row, u)
                && nb_unapplied_row_counts(u, row)) {
                sset_add(whats, u->what);
                break;
            }
        }
    }
}
