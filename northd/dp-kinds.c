#include <config.h>

#include "northd/dp-kinds.h"

#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "openvswitch/dynamic-string.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* Returns true unless the optional "enabled" column says false. */
static bool
enabled_column(const bool *enabled, size_t n_enabled)
{
    return !n_enabled || enabled[0];
}

/* --- Switches ---------------------------------------------------------- */

/* Returns the switch whose IDL row is 'row'. */
static const struct nbrec_logical_switch *
ls_cast(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_logical_switch, header_);
}

/* Returns the switch port whose IDL row is 'row'. */
static const struct nbrec_logical_switch_port *
lsp_cast(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_logical_switch_port, header_);
}

/* nd_dp_kind 'dp_name' of a switch. */
static const char *
ls_name(const struct ovsdb_idl_row *row)
{
    return ls_cast(row)->name;
}

/* nd_dp_kind 'dp_n_ports' of a switch. */
static size_t
ls_n_ports(const struct ovsdb_idl_row *row)
{
    return ls_cast(row)->n_ports;
}

/* nd_dp_kind 'dp_port' of a switch. */
static const struct ovsdb_idl_row *
ls_port(const struct ovsdb_idl_row *row, size_t i)
{
    return &ls_cast(row)->ports[i]->header_;
}

/* nd_dp_kind 'port_name' of a switch port. */
static const char *
lsp_name(const struct ovsdb_idl_row *row)
{
    return lsp_cast(row)->name;
}

/* Returns true if 'lsp' connects its switch to a router port. */
static bool
lsp_is_router(const struct nbrec_logical_switch_port *lsp)
{
    return !strcmp(lsp->type, "router");
}

/* nd_dp_kind 'port_peer' of a switch port: the router port that a port of
 * type "router" names in options:router-port. */
static const char *
lsp_peer(const struct ovsdb_idl_row *row)
{
    const struct nbrec_logical_switch_port *lsp = lsp_cast(row);
    return lsp_is_router(lsp) ? smap_get(&lsp->options, "router-port") : NULL;
}

/* nd_dp_kind 'port_facts' of a switch port.  The "router" address of a
 * port of type "router" stands for its router port's addresses, which may
 * be of either family: it counts as IPv4 and IPv6. */
static uint32_t
lsp_facts(const struct ovsdb_idl_row *row)
{
    const struct nbrec_logical_switch_port *lsp = lsp_cast(row);
    bool enabled = enabled_column(lsp->enabled, lsp->n_enabled);
    bool secured = lsp->n_port_security > 0;
    bool unknown = false, ipv4 = false, ipv6 = false;
    for (size_t i = 0; i < lsp->n_addresses; i++) {
        const char *a = lsp->addresses[i];
        const char *ips = strchr(a, ' ');
        if (!strcmp(a, "unknown")) {
            unknown = true;
        } else if (!strcmp(a, "router")) {
            ipv4 |= lsp_is_router(lsp);
            ipv6 |= lsp_is_router(lsp);
        } else if (ips) {
            /* After the MAC, a '.' is in an IPv4 and a ':' in an IPv6. */
            ipv4 |= strchr(ips, '.') != NULL;
            ipv6 |= strchr(ips, ':') != NULL;
        }
    }

    uint32_t facts = 0;
    if (!enabled || secured) {
        facts |= ND_PF_BIT(ND_PF_OUT_SEC);
    }
    if (enabled) {
        facts |= ND_PF_BIT(ND_PF_ENABLED);
        facts |= unknown ? ND_PF_BIT(ND_PF_UNKNOWN) : 0;
        facts |= secured ? ND_PF_BIT(ND_PF_IN_SEC) : 0;
        facts |= ipv4 ? ND_PF_BIT(ND_PF_ARP) : 0;
        facts |= ipv6 ? ND_PF_BIT(ND_PF_ND) : 0;
    }
    return facts;
}

/* nd_dp_kind 'port_sb' of a switch port: its NB columns as they are,
 * except that a port of type "router" is a "patch" port whose peer is its
 * router port. */
static void
lsp_sb(const struct nd_port *op, const struct ovsdb_idl_row *row,
       const struct nd_port *namer OVS_UNUSED, struct nd_port_sb *sb,
       struct svec *buf OVS_UNUSED)
{
    const struct nbrec_logical_switch_port *lsp = lsp_cast(row);
    bool router = lsp_is_router(lsp);
    sb->type = router ? "patch" : lsp->type;
    sb->mac = (const char **) lsp->addresses;
    sb->n_mac = lsp->n_addresses;
    sb->port_security = (const char **) lsp->port_security;
    sb->n_port_security = lsp->n_port_security;
    sb->enabled = nd_port_has(op, ND_PF_ENABLED);
    sb->options = &lsp->options;
    sb->peer = router ? op->peer : NULL;
}

/* Logical_Switch -> "switch" datapaths. */
const struct nd_dp_kind nd_dp_switch = {
    .name = "switch",
    .plural = "switches",
    .sb_type = "switch",
    .dp_class = &nbrec_table_logical_switch,
    .port_class = &nbrec_table_logical_switch_port,
    .dp_ports_column = &nbrec_logical_switch_col_ports,
    .port_own_column = &nbrec_logical_switch_port_col_up,
    .mcast = true,
    .sb_uses_namer = false,
    .dp_name = ls_name,
    .dp_n_ports = ls_n_ports,
    .dp_port = ls_port,
    .port_name = lsp_name,
    .port_peer = lsp_peer,
    .port_facts = lsp_facts,
    .port_sb = lsp_sb,
};

/* --- Routers ----------------------------------------------------------- */

/* Returns the router whose IDL row is 'row'. */
static const struct nbrec_logical_router *
lr_cast(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_logical_router, header_);
}

/* Returns the router port whose IDL row is 'row'. */
static const struct nbrec_logical_router_port *
lrp_cast(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, struct nbrec_logical_router_port, header_);
}

/* nd_dp_kind 'dp_name' of a router. */
static const char *
lr_name(const struct ovsdb_idl_row *row)
{
    return lr_cast(row)->name;
}

/* nd_dp_kind 'dp_n_ports' of a router. */
static size_t
lr_n_ports(const struct ovsdb_idl_row *row)
{
    return lr_cast(row)->n_ports;
}

/* nd_dp_kind 'dp_port' of a router. */
static const struct ovsdb_idl_row *
lr_port(const struct ovsdb_idl_row *row, size_t i)
{
    return &lr_cast(row)->ports[i]->header_;
}

/* nd_dp_kind 'port_name' of a router port. */
static const char *
lrp_name(const struct ovsdb_idl_row *row)
{
    return lrp_cast(row)->name;
}

/* nd_dp_kind 'port_peer' of a router port: the router port its "peer"
 * column names. */
static const char *
lrp_peer(const struct ovsdb_idl_row *row)
{
    const char *peer = lrp_cast(row)->peer;
    return peer && peer[0] ? peer : NULL;
}

/* nd_dp_kind 'port_facts' of a router port. */
static uint32_t
lrp_facts(const struct ovsdb_idl_row *row)
{
    const struct nbrec_logical_router_port *lrp = lrp_cast(row);
    return (enabled_column(lrp->enabled, lrp->n_enabled)
            ? ND_PF_BIT(ND_PF_ENABLED) : 0);
}

/* nd_dp_kind 'port_sb' of a router port: a "patch" port whose "mac" is its
 * MAC and networks ("MAC IP/PLEN..."), and whose peer is its "peer"
 * column, or else the switch port that names it. */
static void
lrp_sb(const struct nd_port *op, const struct ovsdb_idl_row *row,
       const struct nd_port *namer, struct nd_port_sb *sb,
       struct svec *buf)
{
    const struct nbrec_logical_router_port *lrp = lrp_cast(row);
    struct ds mac = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&mac, lrp->mac);
    for (size_t i = 0; i < lrp->n_networks; i++) {
        ds_put_format(&mac, " %s", lrp->networks[i]);
    }
    svec_add_nocopy(buf, ds_steal_cstr(&mac));

    sb->type = "patch";
    sb->mac = (const char **) buf->names;
    sb->n_mac = 1;
    sb->port_security = NULL;
    sb->n_port_security = 0;
    sb->enabled = nd_port_has(op, ND_PF_ENABLED);
    sb->options = &lrp->options;
    sb->peer = op->peer ? op->peer : namer ? namer->name : NULL;
}

/* Logical_Router -> "router" datapaths. */
const struct nd_dp_kind nd_dp_router = {
    .name = "router",
    .plural = "routers",
    .sb_type = "router",
    .dp_class = &nbrec_table_logical_router,
    .port_class = &nbrec_table_logical_router_port,
    .dp_ports_column = &nbrec_logical_router_col_ports,
    .port_own_column = NULL,
    .mcast = false,
    .sb_uses_namer = true,
    .dp_name = lr_name,
    .dp_n_ports = lr_n_ports,
    .dp_port = lr_port,
    .port_name = lrp_name,
    .port_peer = lrp_peer,
    .port_facts = lrp_facts,
    .port_sb = lrp_sb,
};

/* Every kind, switches first. */
const struct nd_dp_kind *const nd_dp_kinds[] = {
    &nd_dp_switch,
    &nd_dp_router,
};
const size_t nd_n_dp_kinds = ARRAY_SIZE(nd_dp_kinds);
