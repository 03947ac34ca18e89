#include <config.h>

#include "northd/datapaths.h"

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(datapaths);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Names and keys of the multicast groups, indexed by enum nd_mcast. */
static const char *const mc_names[ND_N_MCAST] = {
    [ND_MC_FLOOD] = MC_FLOOD_NAME,
    [ND_MC_UNKNOWN] = MC_UNKNOWN_NAME,
};
static const uint32_t mc_keys[ND_N_MCAST] = {
    [ND_MC_FLOOD] = MC_FLOOD_KEY,
    [ND_MC_UNKNOWN] = MC_UNKNOWN_KEY,
};

/* Initializes 'nds' empty. */
void
nd_datapaths_init(struct nd_datapaths *nds)
{
    hmap_init(&nds->datapaths);
    hmap_init(&nds->ports);
    tunnel_keys_init(&nds->dp_keys, ND_DP_KEY_MIN, ND_DP_KEY_MAX);
}

/* Frees 'op' and releases its key (SB is not touched). */
static void
nd_port_destroy(struct nd_datapaths *nds, struct nd_port *op)
{
    tunnel_keys_release(&op->dp->port_keys, op->tunnel_key);
    ovs_list_remove(&op->dp_node);
    op->dp->n_ports--;
    hmap_remove(&nds->ports, &op->node);
    free(op);
}

/* Frees 'od' and its ports and releases its key (SB is not touched). */
static void
nd_datapath_destroy(struct nd_datapaths *nds, struct nd_datapath *od)
{
    struct nd_port *op;
    LIST_FOR_EACH_SAFE (op, dp_node, &od->ports) {
        nd_port_destroy(nds, op);
    }
    tunnel_keys_release(&nds->dp_keys, od->tunnel_key);
    tunnel_keys_destroy(&od->port_keys);
    hmap_remove(&nds->datapaths, &od->node);
    free(od);
}

/* Forgets every datapath and port (SB is not touched). */
void
nd_datapaths_clear(struct nd_datapaths *nds)
{
    struct nd_datapath *od;
    HMAP_FOR_EACH_SAFE (od, node, &nds->datapaths) {
        nd_datapath_destroy(nds, od);
    }
    tunnel_keys_clear(&nds->dp_keys);
}

/* Frees what 'nds' owns. */
void
nd_datapaths_destroy(struct nd_datapaths *nds)
{
    if (nds) {
        nd_datapaths_clear(nds);
        hmap_destroy(&nds->datapaths);
        hmap_destroy(&nds->ports);
        tunnel_keys_destroy(&nds->dp_keys);
    }
}

/* Initializes 'changes' empty. */
void
nd_changes_init(struct nd_changes *changes)
{
    hmapx_init(&changes->datapaths);
    hmapx_init(&changes->ports);
    uuidset_init(&changes->removed);
    uuidset_init(&changes->new_ports);
}

/* Frees what 'changes' owns. */
void
nd_changes_destroy(struct nd_changes *changes)
{
    if (changes) {
        hmapx_destroy(&changes->datapaths);
        hmapx_destroy(&changes->ports);
        uuidset_destroy(&changes->removed);
        uuidset_destroy(&changes->new_ports);
    }
}

/* Returns the datapath of NB switch 'nb_uuid', or NULL. */
struct nd_datapath *
nd_datapath_find(const struct nd_datapaths *nds, const struct uuid *nb_uuid)
{
    struct nd_datapath *od;
    HMAP_FOR_EACH_WITH_HASH (od, node, uuid_hash(nb_uuid), &nds->datapaths) {
        if (uuid_equals(&od->nb_uuid, nb_uuid)) {
            return od;
        }
    }
    return NULL;
}

/* Returns the port of NB switch port 'nb_uuid', or NULL. */
struct nd_port *
nd_port_find(const struct nd_datapaths *nds, const struct uuid *nb_uuid)
{
    struct nd_port *op;
    HMAP_FOR_EACH_WITH_HASH (op, node, uuid_hash(nb_uuid), &nds->ports) {
        if (uuid_equals(&op->nb_uuid, nb_uuid)) {
            return op;
        }
    }
    return NULL;
}

/* Creates a datapath for switch 'nb_uuid' with an SB row 'sb_uuid' (zero
 * for a new row, whose UUID is then chosen here) and tunnel key 'key',
 * which the caller has reserved. */
static struct nd_datapath *
nd_datapath_create(struct nd_datapaths *nds, const struct uuid *nb_uuid,
                   const struct uuid *sb_uuid, uint32_t key)
{
    struct nd_datapath *od = xzalloc(sizeof *od);
    od->nb_uuid = *nb_uuid;
    if (sb_uuid) {
        od->sb_uuid = *sb_uuid;
    } else {
        uuid_generate(&od->sb_uuid);
    }
    od->tunnel_key = key;
    tunnel_keys_init(&od->port_keys, ND_PORT_KEY_MIN, ND_PORT_KEY_MAX);
    ovs_list_init(&od->ports);
    hmap_insert(&nds->datapaths, &od->node, uuid_hash(nb_uuid));
    return od;
}

/* Creates port 'nb_uuid' in 'od', like nd_datapath_create(). */
static struct nd_port *
nd_port_create(struct nd_datapaths *nds, struct nd_datapath *od,
               const struct uuid *nb_uuid, const struct uuid *sb_uuid,
               uint32_t key)
{
    struct nd_port *op = xzalloc(sizeof *op);
    op->dp = od;
    op->nb_uuid = *nb_uuid;
    if (sb_uuid) {
        op->sb_uuid = *sb_uuid;
    } else {
        uuid_generate(&op->sb_uuid);
    }
    op->tunnel_key = key;
    ovs_list_push_back(&od->ports, &op->dp_node);
    od->n_ports++;
    hmap_insert(&nds->ports, &op->node, uuid_hash(nb_uuid));
    return op;
}

/* Returns true if the two string arrays are equal, element by element. */
static bool
strings_equal(char **a, size_t n_a, char **b, size_t n_b)
{
    if (n_a != n_b) {
        return false;
    }
    for (size_t i = 0; i < n_a; i++) {
        if (strcmp(a[i], b[i])) {
            return false;
        }
    }
    return true;
}

/* Makes the SB Datapath_Binding row of 'od' match switch 'ls', inserting
 * it if it does not exist. */
static void
nd_datapath_sync_row(const struct nd_datapath *od,
                     const struct nbrec_logical_switch *ls,
                     const struct nd_sync_ctx *ctx)
{
    const struct sbrec_datapath_binding *row
        = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl, &od->sb_uuid);
    if (!row) {
        row = sbrec_datapath_binding_insert_persist_uuid(ctx->sb_txn,
                                                         &od->sb_uuid);
        sbrec_datapath_binding_set_nb_uuid(row, od->nb_uuid);
        sbrec_datapath_binding_set_type(row, "switch");
        sbrec_datapath_binding_set_tunnel_key(row, od->tunnel_key);
        sbrec_datapath_binding_set_name(row, ls->name);
        return;
    }
    if (row->tunnel_key != od->tunnel_key) {
        sbrec_datapath_binding_set_tunnel_key(row, od->tunnel_key);
    }
    if (strcmp(row->type, "switch")) {
        sbrec_datapath_binding_set_type(row, "switch");
    }
    if (strcmp(row->name, ls->name)) {
        sbrec_datapath_binding_set_name(row, ls->name);
    }
    if (!uuid_equals(&row->nb_uuid, &od->nb_uuid)) {
        sbrec_datapath_binding_set_nb_uuid(row, od->nb_uuid);
    }
}

/* Updates the cached facts about 'op' from its NB row. */
static void
nd_port_update_flags(struct nd_port *op,
                     const struct nbrec_logical_switch_port *lsp)
{
    op->enabled = !lsp->n_enabled || lsp->enabled[0];
    op->has_port_security = lsp->n_port_security > 0;
    op->has_unknown = false;
    op->has_ipv4 = false;
    op->has_ipv6 = false;
    for (size_t i = 0; i < lsp->n_addresses; i++) {
        const char *a = lsp->addresses[i];
        const char *ips = strchr(a, ' ');
        if (!strcmp(a, "unknown")) {
            op->has_unknown = true;
        } else if (ips) {
            /* After the MAC, a '.' is in an IPv4 and a ':' in an IPv6. */
            op->has_ipv4 |= strchr(ips, '.') != NULL;
            op->has_ipv6 |= strchr(ips, ':') != NULL;
        }
    }
}

/* Makes the SB Port_Binding row of 'op' match switch port 'lsp',
 * inserting it if it does not exist.  Never writes "chassis" or "up". */
static void
nd_port_sync_row(struct nd_port *op,
                 const struct nbrec_logical_switch_port *lsp,
                 const struct nd_sync_ctx *ctx, struct nd_changes *changes)
{
    nd_port_update_flags(op, lsp);

    const struct sbrec_port_binding *row
        = sbrec_port_binding_get_for_uuid(ctx->sb_idl, &op->sb_uuid);
    if (!row) {
        row = sbrec_port_binding_insert_persist_uuid(ctx->sb_txn,
                                                     &op->sb_uuid);
        uuidset_insert(&changes->new_ports, &op->nb_uuid);
    }
    if (!row->datapath
        || !uuid_equals(&row->datapath->header_.uuid, &op->dp->sb_uuid)) {
        const struct sbrec_datapath_binding *dp
            = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl,
                                                  &op->dp->sb_uuid);
        sbrec_port_binding_set_datapath(row, dp);
    }
    if (strcmp(row->logical_port, lsp->name)) {
        sbrec_port_binding_set_logical_port(row, lsp->name);
    }
    if (row->tunnel_key != op->tunnel_key) {
        sbrec_port_binding_set_tunnel_key(row, op->tunnel_key);
    }
    if (strcmp(row->type, lsp->type)) {
        sbrec_port_binding_set_type(row, lsp->type);
    }
    if (!strings_equal(row->mac, row->n_mac,
                       lsp->addresses, lsp->n_addresses)) {
        sbrec_port_binding_set_mac(row, (const char **) lsp->addresses,
                                   lsp->n_addresses);
    }
    if (!strings_equal(row->port_security, row->n_port_security,
                       lsp->port_security, lsp->n_port_security)) {
        sbrec_port_binding_set_port_security(
            row, (const char **) lsp->port_security, lsp->n_port_security);
    }
    if (row->enabled != op->enabled) {
        sbrec_port_binding_set_enabled(row, op->enabled);
    }
    if (!smap_equal(&row->options, &lsp->options)) {
        sbrec_port_binding_set_options(row, &lsp->options);
    }
    if (!uuid_equals(&row->nb_uuid, &op->nb_uuid)) {
        sbrec_port_binding_set_nb_uuid(row, op->nb_uuid);
    }
}

/* Deletes the SB Port_Binding row of 'op' in the open transaction. */
static void
nd_port_delete_row(const struct nd_port *op, const struct nd_sync_ctx *ctx)
{
    const struct sbrec_port_binding *row
        = sbrec_port_binding_get_for_uuid(ctx->sb_idl, &op->sb_uuid);
    if (row) {
        sbrec_port_binding_delete(row);
    }
}

/* Deletes the SB rows of 'od' (its datapath and multicast groups; its
 * ports and flows are the caller's). */
static void
nd_datapath_delete_rows(const struct nd_datapath *od,
                        const struct nd_sync_ctx *ctx)
{
    for (int i = 0; i < ND_N_MCAST; i++) {
        const struct sbrec_multicast_group *mg
            = sbrec_multicast_group_get_for_uuid(ctx->sb_idl,
                                                 &od->mc_uuids[i]);
        if (mg) {
            sbrec_multicast_group_delete(mg);
        }
    }
    const struct sbrec_datapath_binding *row
        = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl, &od->sb_uuid);
    if (row) {
        sbrec_datapath_binding_delete(row);
    }
}

/* Returns true if the ports of 'mg' are exactly 'pbs'. */
static bool
mcast_ports_equal(const struct sbrec_multicast_group *mg,
                  const struct sbrec_port_binding **pbs, size_t n)
{
    if (mg->n_ports != n) {
        return false;
    }
    struct uuidset have = UUIDSET_INITIALIZER(&have);
    for (size_t i = 0; i < mg->n_ports; i++) {
        uuidset_insert(&have, &mg->ports[i]->header_.uuid);
    }
    bool equal = uuidset_count(&have) == n;
    for (size_t i = 0; equal && i < n; i++) {
        equal = uuidset_contains(&have, &pbs[i]->header_.uuid);
    }
    uuidset_destroy(&have);
    return equal;
}

/* Makes the multicast groups of 'od' match its ports: MC_FLOOD holds
 * every enabled port; MC_UNKNOWN, which exists only while it has members,
 * holds the enabled ports with "unknown" addresses. */
void
nd_mcast_sync(struct nd_datapath *od, const struct nd_sync_ctx *ctx)
{
    const struct sbrec_port_binding **pbs[ND_N_MCAST];
    size_t n[ND_N_MCAST] = { 0, 0 };
    for (int i = 0; i < ND_N_MCAST; i++) {
        pbs[i] = xmalloc((od->n_ports + 1) * sizeof *pbs[i]);
    }
    const struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        const struct sbrec_port_binding *pb
            = sbrec_port_binding_get_for_uuid(ctx->sb_idl, &op->sb_uuid);
        if (!pb || !op->enabled) {
            continue;
        }
        pbs[ND_MC_FLOOD][n[ND_MC_FLOOD]++] = pb;
        if (op->has_unknown) {
            pbs[ND_MC_UNKNOWN][n[ND_MC_UNKNOWN]++] = pb;
        }
    }

    const struct sbrec_datapath_binding *dp
        = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl, &od->sb_uuid);
    for (int i = 0; i < ND_N_MCAST; i++) {
        const struct sbrec_multicast_group *mg
            = sbrec_multicast_group_get_for_uuid(ctx->sb_idl,
                                                 &od->mc_uuids[i]);
        if (i == ND_MC_UNKNOWN && !n[i]) {
            if (mg) {
                sbrec_multicast_group_delete(mg);
            }
            od->mc_uuids[i] = UUID_ZERO;
        } else if (dp) {
            if (!mg) {
                uuid_generate(&od->mc_uuids[i]);
                mg = sbrec_multicast_group_insert_persist_uuid(
                    ctx->sb_txn, &od->mc_uuids[i]);
                sbrec_multicast_group_set_datapath(mg, dp);
                sbrec_multicast_group_set_name(mg, mc_names[i]);
                sbrec_multicast_group_set_tunnel_key(mg, mc_keys[i]);
            }
            if (!mcast_ports_equal(mg, pbs[i], n[i])) {
                sbrec_multicast_group_set_ports(
                    mg, (struct sbrec_port_binding **) pbs[i], n[i]);
            }
        }
        free(pbs[i]);
    }
}

/* qsort() comparison of switch rows by name, then UUID. */
static int
compare_switches_by_name(const void *a_, const void *b_)
{
    const struct nbrec_logical_switch *const *a = a_;
    const struct nbrec_logical_switch *const *b = b_;
    int cmp = strcmp((*a)->name, (*b)->name);
    return cmp ? cmp : uuid_compare_3way(&(*a)->header_.uuid,
                                         &(*b)->header_.uuid);
}

/* qsort() comparison of switch port rows by name, then UUID. */
static int
compare_ports_by_name(const void *a_, const void *b_)
{
    const struct nbrec_logical_switch_port *const *a = a_;
    const struct nbrec_logical_switch_port *const *b = b_;
    int cmp = strcmp((*a)->name, (*b)->name);
    return cmp ? cmp : uuid_compare_3way(&(*a)->header_.uuid,
                                         &(*b)->header_.uuid);
}

/* An SB row found by its nb_uuid column. */
struct sb_by_nb {
    struct hmap_node node;      /* By hash of 'nb_uuid'. */
    struct uuid nb_uuid;        /* The row's nb_uuid. */
    const void *row;            /* The row (first one with that nb_uuid). */
};

/* Adds 'row' to 'map' under 'nb_uuid' unless a row is already there. */
static void
sb_by_nb_add(struct hmap *map, const struct uuid *nb_uuid, const void *row)
{
    struct sb_by_nb *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, uuid_hash(nb_uuid), map) {
        if (uuid_equals(&e->nb_uuid, nb_uuid)) {
            return;
        }
    }
    e = xmalloc(sizeof *e);
    e->nb_uuid = *nb_uuid;
    e->row = row;
    hmap_insert(map, &e->node, uuid_hash(nb_uuid));
}

/* Returns the row 'map' holds for 'nb_uuid', or NULL. */
static const void *
sb_by_nb_find(const struct hmap *map, const struct uuid *nb_uuid)
{
    const struct sb_by_nb *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, uuid_hash(nb_uuid), map) {
        if (uuid_equals(&e->nb_uuid, nb_uuid)) {
            return e->row;
        }
    }
    return NULL;
}

/* Frees 'map' (not the rows). */
static void
sb_by_nb_destroy(struct hmap *map)
{
    struct sb_by_nb *e;
    HMAP_FOR_EACH_POP (e, node, map) {
        free(e);
    }
    hmap_destroy(map);
}

/* Returns every NB switch, sorted by name; the caller frees the array. */
static const struct nbrec_logical_switch **
sorted_switches(struct ovsdb_idl *nb_idl, size_t *n)
{
    const struct nbrec_logical_switch **switches = NULL;
    size_t allocated = 0;
    const struct nbrec_logical_switch *ls;
    *n = 0;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, nb_idl) {
        if (*n >= allocated) {
            switches = x2nrealloc(switches, &allocated, sizeof *switches);
        }
        switches[(*n)++] = ls;
    }
    if (*n) {
        qsort(switches, *n, sizeof *switches, compare_switches_by_name);
    }
    return switches;
}

/* Records in 'owners' (a map built with sb_by_nb_add()) the switch that
 * owns each port of 'switches'.  A port that several switches list (the
 * NB validator refuses that, but the database does not) belongs to the one
 * with the smallest UUID, so that every run picks the same one; the others
 * are logged and ignore it. */
static void
port_owners_build(struct hmap *owners,
                  const struct nbrec_logical_switch **switches, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_logical_switch *ls = switches[i];
        for (size_t j = 0; j < ls->n_ports; j++) {
            const struct uuid *nb_uuid = &ls->ports[j]->header_.uuid;
            struct sb_by_nb *e;
            bool found = false;
            HMAP_FOR_EACH_WITH_HASH (e, node, uuid_hash(nb_uuid), owners) {
                if (uuid_equals(&e->nb_uuid, nb_uuid)) {
                    const struct nbrec_logical_switch *owner = e->row;
                    if (owner != ls) {
                        const struct nbrec_logical_switch *winner
                            = (uuid_compare_3way(&ls->header_.uuid,
                                                 &owner->header_.uuid) < 0
                               ? ls : owner);
                        VLOG_WARN_RL(&rl, "%s: port is listed by switches "
                                     "%s and %s; only %s uses it",
                                     ls->ports[j]->name, owner->name,
                                     ls->name, winner->name);
                        e->row = winner;
                    }
                    found = true;
                    break;
                }
            }
            if (!found) {
                sb_by_nb_add(owners, nb_uuid, ls);
            }
        }
    }
}

/* Full sync, step 1: datapaths.  Adopts existing rows and keys first. */
static void
sync_full_datapaths(struct nd_datapaths *nds,
                    const struct nbrec_logical_switch **switches, size_t n,
                    const struct nd_sync_ctx *ctx)
{
    struct hmap by_nb = HMAP_INITIALIZER(&by_nb);
    const struct sbrec_datapath_binding *row;
    SBREC_DATAPATH_BINDING_FOR_EACH (row, ctx->sb_idl) {
        sb_by_nb_add(&by_nb, &row->nb_uuid, row);
    }

    bool *pending = xcalloc(n, sizeof *pending);
    for (size_t i = 0; i < n; i++) {
        const struct uuid *nb_uuid = &switches[i]->header_.uuid;
        row = sb_by_nb_find(&by_nb, nb_uuid);
        if (row && !strcmp(row->type, "switch")
            && tunnel_keys_reserve(&nds->dp_keys, row->tunnel_key)) {
            nd_datapath_create(nds, nb_uuid, &row->header_.uuid,
                               row->tunnel_key);
        } else {
            pending[i] = true;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (pending[i]) {
            uint32_t key = tunnel_keys_alloc(&nds->dp_keys);
            if (!key) {
                VLOG_WARN_RL(&rl, "%s: no free datapath tunnel key",
                             switches[i]->name);
                continue;
            }
            nd_datapath_create(nds, &switches[i]->header_.uuid, NULL, key);
        }
    }
    free(pending);
    sb_by_nb_destroy(&by_nb);

    SBREC_DATAPATH_BINDING_FOR_EACH_SAFE (row, ctx->sb_idl) {
        struct nd_datapath *od = nd_datapath_find(nds, &row->nb_uuid);
        if (!od || !uuid_equals(&od->sb_uuid, &row->header_.uuid)) {
            sbrec_datapath_binding_delete(row);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct nd_datapath *od = nd_datapath_find(nds,
                                                  &switches[i]->header_.uuid);
        if (od) {
            nd_datapath_sync_row(od, switches[i], ctx);
        }
    }
}

/* A port waiting for a new tunnel key. */
struct pending_port {
    struct nd_datapath *od;                        /* Its datapath. */
    const struct nbrec_logical_switch_port *lsp;   /* Its NB row. */
};

/* Full sync, step 2: the ports of 'ls' that it owns according to
 * 'owners', sorted by name, adopting the rows of existing ports and
 * collecting the others in 'pending'. */
static void
sync_full_switch_ports(struct nd_datapaths *nds, struct nd_datapath *od,
                       const struct nbrec_logical_switch *ls,
                       const struct hmap *by_nb, const struct hmap *owners,
                       struct pending_port **pending,
                       size_t *n_pending, size_t *allocated)
{
    const struct nbrec_logical_switch_port **lsps
        = xmemdup(ls->ports, ls->n_ports * sizeof *ls->ports);
    qsort(lsps, ls->n_ports, sizeof *lsps, compare_ports_by_name);
    for (size_t j = 0; j < ls->n_ports; j++) {
        const struct nbrec_logical_switch_port *lsp = lsps[j];
        if (sb_by_nb_find(owners, &lsp->header_.uuid) != ls
            || nd_port_find(nds, &lsp->header_.uuid)) {
            /* Another switch owns it, or 'ls' lists it twice. */
            continue;
        }
        const struct sbrec_port_binding *pb = sb_by_nb_find(
            by_nb, &lsp->header_.uuid);
        if (pb && pb->datapath
            && uuid_equals(&pb->datapath->header_.uuid, &od->sb_uuid)
            && tunnel_keys_reserve(&od->port_keys, pb->tunnel_key)) {
            nd_port_create(nds, od, &lsp->header_.uuid, &pb->header_.uuid,
                           pb->tunnel_key);
        } else {
            if (*n_pending >= *allocated) {
                *pending = x2nrealloc(*pending, allocated, sizeof **pending);
            }
            (*pending)[(*n_pending)++] = (struct pending_port) { od, lsp };
        }
    }
    free(lsps);
}

/* Gives each pending port a key and a datapath entry. */
static void
create_pending_ports(struct nd_datapaths *nds,
                     const struct pending_port *pending, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t key = tunnel_keys_alloc(&pending[i].od->port_keys);
        if (!key) {
            VLOG_WARN_RL(&rl, "%s: no free port tunnel key",
                         pending[i].lsp->name);
            continue;
        }
        nd_port_create(nds, pending[i].od, &pending[i].lsp->header_.uuid,
                       NULL, key);
    }
}

/* Full sync, step 2: ports of every switch. */
static void
sync_full_ports(struct nd_datapaths *nds,
                const struct nbrec_logical_switch **switches, size_t n,
                const struct nd_sync_ctx *ctx, struct nd_changes *changes)
{
    struct hmap by_nb = HMAP_INITIALIZER(&by_nb);
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, ctx->sb_idl) {
        sb_by_nb_add(&by_nb, &pb->nb_uuid, pb);
    }

    struct hmap owners = HMAP_INITIALIZER(&owners);
    port_owners_build(&owners, switches, n);

    struct pending_port *pending = NULL;
    size_t n_pending = 0, allocated = 0;
    for (size_t i = 0; i < n; i++) {
        struct nd_datapath *od = nd_datapath_find(nds,
                                                  &switches[i]->header_.uuid);
        if (od) {
            sync_full_switch_ports(nds, od, switches[i], &by_nb, &owners,
                                   &pending, &n_pending, &allocated);
        }
    }
    create_pending_ports(nds, pending, n_pending);
    free(pending);
    sb_by_nb_destroy(&owners);
    sb_by_nb_destroy(&by_nb);

    SBREC_PORT_BINDING_FOR_EACH_SAFE (pb, ctx->sb_idl) {
        struct nd_port *op = nd_port_find(nds, &pb->nb_uuid);
        if (!op || !uuid_equals(&op->sb_uuid, &pb->header_.uuid)) {
            sbrec_port_binding_delete(pb);
        }
    }
    struct nd_port *op;
    HMAP_FOR_EACH (op, node, &nds->ports) {
        const struct nbrec_logical_switch_port *lsp
            = nbrec_logical_switch_port_get_for_uuid(ctx->nb_idl,
                                                     &op->nb_uuid);
        nd_port_sync_row(op, lsp, ctx, changes);
        hmapx_add(&changes->ports, op);
    }
}

/* Full sync, step 3: adopts the multicast groups that belong to a
 * datapath and deletes the others. */
static void
sync_full_mcast(struct nd_datapaths *nds, const struct nd_sync_ctx *ctx)
{
    const struct sbrec_multicast_group *mg;
    SBREC_MULTICAST_GROUP_FOR_EACH_SAFE (mg, ctx->sb_idl) {
        struct nd_datapath *od = (mg->datapath
                                  ? nd_datapath_find(nds,
                                                     &mg->datapath->nb_uuid)
                                  : NULL);
        bool keep = false;
        if (od && uuid_equals(&od->sb_uuid, &mg->datapath->header_.uuid)) {
            for (int i = 0; i < ND_N_MCAST; i++) {
                if (!strcmp(mg->name, mc_names[i])
                    && mg->tunnel_key == mc_keys[i]
                    && uuid_is_zero(&od->mc_uuids[i])) {
                    od->mc_uuids[i] = mg->header_.uuid;
                    keep = true;
                    break;
                }
            }
        }
        if (!keep) {
            sbrec_multicast_group_delete(mg);
        }
    }
}

/* Forgets all state and rebuilds it from NB and the existing SB rows,
 * keeping the tunnel keys SB rows hold, and deleting SB rows without an
 * NB origin.  Every datapath and port is reported as changed. */
void
nd_datapaths_sync_full(struct nd_datapaths *nds,
                       const struct nd_sync_ctx *ctx,
                       struct nd_changes *changes)
{
    nd_datapaths_clear(nds);

    size_t n;
    const struct nbrec_logical_switch **switches
        = sorted_switches(ctx->nb_idl, &n);
    sync_full_datapaths(nds, switches, n, ctx);
    sync_full_ports(nds, switches, n, ctx, changes);
    free(switches);

    sync_full_mcast(nds, ctx);
    struct nd_datapath *od;
    HMAP_FOR_EACH (od, node, &nds->datapaths) {
        hmapx_add(&changes->datapaths, od);
    }
}

/* Where a port changed in an incremental sync must end up. */
struct port_target {
    struct hmap_node node;      /* By hash of 'nb_uuid'. */
    struct uuid nb_uuid;        /* NB Logical_Switch_Port. */
    struct nd_datapath *od;     /* Datapath it belongs to, NULL if none. */
    bool member;                /* 'od' is known to list it. */
};

/* Records that port 'nb_uuid' belongs in 'od' (or nowhere if NULL).  A
 * record with 'member' (a switch lists the port) wins over one without;
 * of two switches that list it, the one with the smaller UUID wins, as in
 * a full sync. */
static void
port_target_set(struct hmap *targets, const struct uuid *nb_uuid,
                struct nd_datapath *od, bool member)
{
    struct port_target *t;
    HMAP_FOR_EACH_WITH_HASH (t, node, uuid_hash(nb_uuid), targets) {
        if (uuid_equals(&t->nb_uuid, nb_uuid)) {
            if (member
                && (!t->member
                    || uuid_compare_3way(&od->nb_uuid,
                                         &t->od->nb_uuid) < 0)) {
                t->od = od;
                t->member = true;
            }
            return;
        }
    }
    t = xmalloc(sizeof *t);
    t->nb_uuid = *nb_uuid;
    t->od = od;
    t->member = member;
    hmap_insert(targets, &t->node, uuid_hash(nb_uuid));
}

/* Returns the switch that owns port 'lsp': of the switches that list it,
 * the one with the smallest UUID (see port_owners_build()), or NULL if
 * none does.  This looks at every switch, so it is only for the rare
 * ports that move between switches or are listed by several. */
static const struct nbrec_logical_switch *
port_owner_scan(struct ovsdb_idl *nb_idl,
                const struct nbrec_logical_switch_port *lsp)
{
    const struct nbrec_logical_switch *owner = NULL;
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, nb_idl) {
        for (size_t i = 0; i < ls->n_ports; i++) {
            if (ls->ports[i] == lsp) {
                if (!owner) {
                    owner = ls;
                } else {
                    VLOG_WARN_RL(&rl, "%s: port is listed by switches %s "
                                 "and %s", lsp->name, owner->name,
                                 ls->name);
                    if (uuid_compare_3way(&ls->header_.uuid,
                                          &owner->header_.uuid) < 0) {
                        owner = ls;
                    }
                }
                break;
            }
        }
    }
    return owner;
}

/* Sets the target of port 'nb_uuid', which a changed switch started or
 * stopped listing while another switch may still list it. */
static void
port_target_resolve(struct nd_datapaths *nds, const struct nd_sync_ctx *ctx,
                    struct hmap *targets, const struct uuid *nb_uuid)
{
    const struct nbrec_logical_switch_port *lsp
        = nbrec_logical_switch_port_get_for_uuid(ctx->nb_idl, nb_uuid);
    const struct nbrec_logical_switch *owner
        = lsp ? port_owner_scan(ctx->nb_idl, lsp) : NULL;
    if (!owner) {
        port_target_set(targets, nb_uuid, NULL, false);
    } else {
        struct nd_datapath *od = nd_datapath_find(nds, &owner->header_.uuid);
        if (od) {
            port_target_set(targets, nb_uuid, od, true);
        }
        /* Otherwise 'owner' is new in this batch and claims the port when
         * its turn comes. */
    }
}

/* Incremental sync of one changed switch: its datapath row, and the
 * targets of ports that joined or left it.  A deleted switch is added to
 * 'doomed'. */
static void
sync_changed_switch(struct nd_datapaths *nds,
                    const struct nbrec_logical_switch *ls,
                    const struct nd_sync_ctx *ctx, struct hmap *targets,
                    struct hmapx *doomed, struct nd_changes *changes)
{
    struct nd_datapath *od = nd_datapath_find(nds, &ls->header_.uuid);
    struct nd_port *op;
    if (nbrec_logical_switch_is_deleted(ls)) {
        if (od && hmapx_add(doomed, od)) {
            LIST_FOR_EACH (op, dp_node, &od->ports) {
                port_target_resolve(nds, ctx, targets, &op->nb_uuid);
            }
            /* The key is free for a switch created in the same batch. */
            tunnel_keys_release(&nds->dp_keys, od->tunnel_key);
            od->tunnel_key = 0;
        }
        return;
    }
    if (!od) {
        uint32_t key = tunnel_keys_alloc(&nds->dp_keys);
        if (!key) {
            VLOG_WARN_RL(&rl, "%s: no free datapath tunnel key", ls->name);
            return;
        }
        od = nd_datapath_create(nds, &ls->header_.uuid, NULL, key);
    }
    nd_datapath_sync_row(od, ls, ctx);
    hmapx_add(&changes->datapaths, od);

    /* Only ports that joined or left matter here; a member that stayed
     * is looked at only if its own row changed. */
    struct uuidset members = UUIDSET_INITIALIZER(&members);
    for (size_t i = 0; i < ls->n_ports; i++) {
        const struct uuid *nb_uuid = &ls->ports[i]->header_.uuid;
        op = nd_port_find(nds, nb_uuid);
        if (!op) {
            port_target_set(targets, nb_uuid, od, true);
        } else if (op->dp != od) {
            /* Moved here, or listed by another switch too. */
            port_target_resolve(nds, ctx, targets, nb_uuid);
        }
        uuidset_insert(&members, nb_uuid);
    }
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        if (!uuidset_contains(&members, &op->nb_uuid)) {
            /* Deleted, moved, or still listed by another switch. */
            port_target_resolve(nds, ctx, targets, &op->nb_uuid);
        }
    }
    uuidset_destroy(&members);
}

/* qsort() comparison of pending ports by name. */
static int
compare_pending_by_name(const void *a_, const void *b_)
{
    const struct pending_port *a = a_;
    const struct pending_port *b = b_;
    return compare_ports_by_name(&a->lsp, &b->lsp);
}

/* Incremental sync of the ports in 'targets': removes, moves, updates
 * and creates (in name order, so that the same batch of changes always
 * gives the same keys) as needed. */
static void
sync_port_targets(struct nd_datapaths *nds, struct hmap *targets,
                  const struct nd_sync_ctx *ctx, struct nd_changes *changes)
{
    struct pending_port *pending = NULL;
    size_t n_pending = 0, allocated = 0;

    struct port_target *t;
    HMAP_FOR_EACH (t, node, targets) {
        struct nd_port *op = nd_port_find(nds, &t->nb_uuid);
        const struct nbrec_logical_switch_port *lsp
            = (t->od
               ? nbrec_logical_switch_port_get_for_uuid(ctx->nb_idl,
                                                        &t->nb_uuid)
               : NULL);
        struct nd_datapath *od = lsp ? t->od : NULL;
        if (op && op->dp != od) {
            nd_port_delete_row(op, ctx);
            uuidset_insert(&changes->removed, &op->nb_uuid);
            hmapx_add(&changes->datapaths, op->dp);
            nd_port_destroy(nds, op);
            op = NULL;
        }
        if (op) {
            nd_port_sync_row(op, lsp, ctx, changes);
            hmapx_add(&changes->ports, op);
            hmapx_add(&changes->datapaths, op->dp);
        } else if (od) {
            if (n_pending >= allocated) {
                pending = x2nrealloc(pending, &allocated, sizeof *pending);
            }
            pending[n_pending++] = (struct pending_port) { od, lsp };
        }
    }

    if (n_pending) {
        qsort(pending, n_pending, sizeof *pending, compare_pending_by_name);
    }
    for (size_t i = 0; i < n_pending; i++) {
        struct nd_datapath *od = pending[i].od;
        uint32_t key = tunnel_keys_alloc(&od->port_keys);
        if (!key) {
            VLOG_WARN_RL(&rl, "%s: no free port tunnel key",
                         pending[i].lsp->name);
            continue;
        }
        struct nd_port *op = nd_port_create(
            nds, od, &pending[i].lsp->header_.uuid, NULL, key);
        nd_port_sync_row(op, pending[i].lsp, ctx, changes);
        hmapx_add(&changes->ports, op);
        hmapx_add(&changes->datapaths, od);
    }
    free(pending);
}

/* Returns true if tracked row 'lsp' changed in a way that matters to SB:
 * a change of only "up", which northd itself writes, does not. */
static bool
lsp_changed_for_sb(const struct nbrec_logical_switch_port *lsp)
{
    if (nbrec_logical_switch_port_is_new(lsp)
        || nbrec_logical_switch_port_is_deleted(lsp)) {
        return true;
    }
    for (int i = 0; i < NBREC_LOGICAL_SWITCH_PORT_N_COLUMNS; i++) {
        if (i != NBREC_LOGICAL_SWITCH_PORT_COL_UP
            && nbrec_logical_switch_port_is_updated(lsp, i)) {
            return true;
        }
    }
    return false;
}

/* Returns true if tracked row 'ls' is new or has a column that changed.
 * The IDL also reports a switch when only one of its ports changed; that
 * change is handled with the port. */
static bool
ls_changed_itself(const struct nbrec_logical_switch *ls)
{
    if (nbrec_logical_switch_is_new(ls)) {
        return true;
    }
    for (int i = 0; i < NBREC_LOGICAL_SWITCH_N_COLUMNS; i++) {
        if (nbrec_logical_switch_is_updated(ls, i)) {
            return true;
        }
    }
    return false;
}

/* Applies the NB changes the IDL tracked since the last sync. */
void
nd_datapaths_sync_incremental(struct nd_datapaths *nds,
                              const struct nd_sync_ctx *ctx,
                              struct nd_changes *changes)
{
    struct hmap targets = HMAP_INITIALIZER(&targets);
    struct hmapx doomed = HMAPX_INITIALIZER(&doomed);

    /* Deleted switches first, so that their keys are free; then the
     * others in name order, so that new switches get keys in that
     * order. */
    const struct nbrec_logical_switch **switches = NULL;
    size_t n_switches = 0, allocated = 0;
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH_TRACKED (ls, ctx->nb_idl) {
        if (nbrec_logical_switch_is_deleted(ls)) {
            sync_changed_switch(nds, ls, ctx, &targets, &doomed, changes);
        } else if (ls_changed_itself(ls)) {
            if (n_switches >= allocated) {
                switches = x2nrealloc(switches, &allocated,
                                      sizeof *switches);
            }
            switches[n_switches++] = ls;
        }
    }
    if (n_switches) {
        qsort(switches, n_switches, sizeof *switches,
              compare_switches_by_name);
    }
    for (size_t i = 0; i < n_switches; i++) {
        sync_changed_switch(nds, switches[i], ctx, &targets, &doomed,
                            changes);
    }
    free(switches);

    const struct nbrec_logical_switch_port *lsp;
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH_TRACKED (lsp, ctx->nb_idl) {
        if (!lsp_changed_for_sb(lsp)) {
            continue;
        } else if (nbrec_logical_switch_port_is_deleted(lsp)) {
            port_target_set(&targets, &lsp->header_.uuid, NULL, false);
        } else {
            struct nd_port *op = nd_port_find(nds, &lsp->header_.uuid);
            port_target_set(&targets, &lsp->header_.uuid,
                            op ? op->dp : NULL, false);
        }
    }

    sync_port_targets(nds, &targets, ctx, changes);

    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &doomed) {
        struct nd_datapath *od = node->data;
        nd_datapath_delete_rows(od, ctx);
        uuidset_insert(&changes->removed, &od->nb_uuid);
        hmapx_find_and_delete(&changes->datapaths, od);
        nd_datapath_destroy(nds, od);
    }
    hmapx_destroy(&doomed);

    struct port_target *t;
    HMAP_FOR_EACH_POP (t, node, &targets) {
        free(t);
    }
    hmap_destroy(&targets);
}
