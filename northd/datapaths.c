#include <config.h>

#include "northd/datapaths.h"

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "northd/dp-kinds.h"
#include "hash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(datapaths);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Names and keys of the multicast groups, indexed by enum nd_mcast, and
 * the fact that makes a port a member. */
static const char *const mc_names[ND_N_MCAST] = {
    [ND_MC_FLOOD] = MC_FLOOD_NAME,
    [ND_MC_UNKNOWN] = MC_UNKNOWN_NAME,
};
static const uint32_t mc_keys[ND_N_MCAST] = {
    [ND_MC_FLOOD] = MC_FLOOD_KEY,
    [ND_MC_UNKNOWN] = MC_UNKNOWN_KEY,
};
static const enum nd_port_fact mc_facts[ND_N_MCAST] = {
    [ND_MC_FLOOD] = ND_PF_ENABLED,
    [ND_MC_UNKNOWN] = ND_PF_UNKNOWN,
};

/* --- IDL rows of any table --------------------------------------------- */

/* Returns true if tracked 'row' was inserted since the last reset. */
static bool
idl_row_is_new(const struct ovsdb_idl_row *row)
{
    return ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT) > 0;
}

/* Returns true if tracked 'row' was deleted since the last reset. */
static bool
idl_row_is_deleted(const struct ovsdb_idl_row *row)
{
    return ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE) > 0;
}

/* Returns true if a column of tracked 'row' of table 'tc' other than
 * 'except' (which may be NULL) changed. */
static bool
idl_row_is_updated(const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_table_class *tc,
                   const struct ovsdb_idl_column *except)
{
    for (size_t i = 0; i < tc->n_columns; i++) {
        if (&tc->columns[i] != except
            && ovsdb_idl_track_is_updated(row, &tc->columns[i])) {
            return true;
        }
    }
    return false;
}

/* An NB row with its name, for sorting. */
struct named_row {
    const char *name;                   /* Its name. */
    const struct ovsdb_idl_row *row;    /* The row. */
};

/* qsort() comparison of named rows by name, then UUID. */
static int
compare_named_rows(const void *a_, const void *b_)
{
    const struct named_row *a = a_;
    const struct named_row *b = b_;
    int cmp = strcmp(a->name, b->name);
    return cmp ? cmp : uuid_compare_3way(&a->row->uuid, &b->row->uuid);
}

/* --- State ------------------------------------------------------------- */

/* Initializes 'nds' empty. */
void
nd_datapaths_init(struct nd_datapaths *nds)
{
    hmap_init(&nds->datapaths);
    hmap_init(&nds->ports);
    hmap_init(&nds->by_name);
    hmap_init(&nds->by_peer);
    tunnel_keys_init(&nds->dp_keys, ND_DP_KEY_MIN, ND_DP_KEY_MAX);
    nds->seen_seq = 0;
}

/* Gives 'op' the facts 'facts', keeping its datapath's counts. */
static void
nd_port_set_facts(struct nd_port *op, uint32_t facts)
{
    uint32_t diff = op->facts ^ facts;
    for (int f = 0; f < ND_N_PORT_FACTS; f++) {
        if (diff & ND_PF_BIT(f)) {
            if (facts & ND_PF_BIT(f)) {
                op->dp->n_facts[f]++;
            } else {
                op->dp->n_facts[f]--;
            }
        }
    }
    op->facts = facts;
}

/* Returns the facts some port of 'od' has, as ND_PF_BIT()s. */
static uint32_t
nd_datapath_summary(const struct nd_datapath *od)
{
    uint32_t summary = 0;
    for (int f = 0; f < ND_N_PORT_FACTS; f++) {
        if (od->n_facts[f]) {
            summary |= ND_PF_BIT(f);
        }
    }
    return summary;
}

/* Takes 'op' out of 'nds' and of its datapath (releasing its key), but
 * leaves it readable: the caller frees it with nd_port_free(). */
static void
nd_port_detach(struct nd_datapaths *nds, struct nd_port *op)
{
    nd_port_set_facts(op, 0);
    tunnel_keys_release(&op->dp->port_keys, op->tunnel_key);
    if (op->tunnel_key < op->dp->n_by_key) {
        op->dp->by_key[op->tunnel_key] = NULL;
    }
    ovs_list_remove(&op->dp_node);
    op->dp->n_ports--;
    hmap_remove(&nds->ports, &op->node);
    if (op->name) {
        hmap_remove(&nds->by_name, &op->name_node);
    }
    if (op->peer) {
        hmap_remove(&nds->by_peer, &op->peer_node);
    }
}

/* Frees 'op', which is not in 'nds' any more. */
static void
nd_port_free(struct nd_port *op)
{
    free(op->name);
    free(op->peer);
    free(op);
}

/* Frees 'od', whose ports are gone and which is not in 'nds' any more. */
static void
nd_datapath_free(struct nd_datapath *od)
{
    tunnel_keys_destroy(&od->port_keys);
    free(od->by_key);
    free(od);
}

/* Frees 'od' and its ports and releases its key (SB is not touched). */
static void
nd_datapath_destroy(struct nd_datapaths *nds, struct nd_datapath *od)
{
    struct nd_port *op;
    LIST_FOR_EACH_SAFE (op, dp_node, &od->ports) {
        nd_port_detach(nds, op);
        nd_port_free(op);
    }
    tunnel_keys_release(&nds->dp_keys, od->tunnel_key);
    hmap_remove(&nds->datapaths, &od->node);
    nd_datapath_free(od);
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
        hmap_destroy(&nds->by_name);
        hmap_destroy(&nds->by_peer);
        tunnel_keys_destroy(&nds->dp_keys);
    }
}

/* Initializes 'changes' empty. */
void
nd_changes_init(struct nd_changes *changes)
{
    hmapx_init(&changes->datapaths);
    hmapx_init(&changes->ports);
    ovs_list_init(&changes->removed_dps);
    ovs_list_init(&changes->removed_ports);
}

/* Frees what 'changes' owns, the datapaths and ports gone included. */
void
nd_changes_destroy(struct nd_changes *changes)
{
    if (changes) {
        hmapx_destroy(&changes->datapaths);
        hmapx_destroy(&changes->ports);
        struct nd_port *op;
        LIST_FOR_EACH_POP (op, dp_node, &changes->removed_ports) {
            nd_port_free(op);
        }
        struct nd_datapath *od;
        LIST_FOR_EACH_POP (od, removed_node, &changes->removed_dps) {
            nd_datapath_free(od);
        }
    }
}

/* Returns the datapath of NB row 'nb_uuid', or NULL. */
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

/* Returns the port of NB row 'nb_uuid', or NULL. */
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

/* Returns a port named 'name' among those that keep their name (router
 * ports, and ports that name a peer: see nd_port_update()), or NULL.
 * Names are unique in a valid NB; of several, the one with the smallest NB
 * UUID. */
struct nd_port *
nd_port_find_by_name(const struct nd_datapaths *nds, const char *name)
{
    struct nd_port *found = NULL;
    struct nd_port *op;
    HMAP_FOR_EACH_WITH_HASH (op, name_node, hash_string(name, 0),
                             &nds->by_name) {
        if (!strcmp(op->name, name)
            && (!found || uuid_compare_3way(&op->nb_uuid,
                                            &found->nb_uuid) < 0)) {
            found = op;
        }
    }
    return found;
}

/* Returns the port of 'od' with tunnel key 'key', or NULL. */
struct nd_port *
nd_port_at_key(const struct nd_datapath *od, uint32_t key)
{
    return key < od->n_by_key ? od->by_key[key] : NULL;
}

/* Returns the number of datapaths of 'kind'. */
size_t
nd_datapaths_count_kind(const struct nd_datapaths *nds,
                        const struct nd_dp_kind *kind)
{
    size_t n = 0;
    const struct nd_datapath *od;
    HMAP_FOR_EACH (od, node, &nds->datapaths) {
        n += od->kind == kind;
    }
    return n;
}

/* Returns the port that names 'op' as its peer (of several, the first by
 * name), or NULL. */
const struct nd_port *
nd_port_namer(const struct nd_datapaths *nds, const struct nd_port *op)
{
    const struct nd_port *namer = NULL;
    const struct nd_port *p;
    if (!op->name) {
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (p, peer_node, hash_string(op->name, 0),
                             &nds->by_peer) {
        if (p != op && !strcmp(p->peer, op->name)
            && (!namer || strcmp(p->name, namer->name) < 0)) {
            namer = p;
        }
    }
    return namer;
}

/* Creates a datapath of 'kind' for NB row 'nb_uuid' with an SB row
 * 'sb_uuid' (NULL for a new row, whose UUID is then chosen here) and
 * tunnel key 'key', which the caller has reserved. */
static struct nd_datapath *
nd_datapath_create(struct nd_datapaths *nds, const struct nd_dp_kind *kind,
                   const struct uuid *nb_uuid, const struct uuid *sb_uuid,
                   uint32_t key)
{
    struct nd_datapath *od = xzalloc(sizeof *od);
    od->kind = kind;
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

/* Creates port 'nb_uuid' in 'od', like nd_datapath_create().  Its name,
 * peer and facts are set by nd_port_update(). */
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
    if (key >= od->n_by_key) {
        size_t n = MAX(key + 1, 2 * od->n_by_key);
        od->by_key = xrealloc(od->by_key, n * sizeof *od->by_key);
        memset(&od->by_key[od->n_by_key], 0,
               (n - od->n_by_key) * sizeof *od->by_key);
        od->n_by_key = n;
    }
    od->by_key[key] = op;
    hmap_insert(&nds->ports, &op->node, uuid_hash(nb_uuid));
    return op;
}

/* Returns true if strings 'a' and 'b', either of which may be NULL, are
 * equal. */
static bool
nullable_string_equals(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

/* Updates the name, peer and facts of 'op' from its NB row 'nb'.  Adds to
 * 'resync' (if nonnull) the names of the ports whose Port_Binding may
 * depend on the change: those 'op' named or names as its peer.  Only
 * ports that take part in peering (a kind whose Port_Binding depends on
 * the port that names it, or a port that names a peer) keep their name
 * here, to be found by it. */
static void
nd_port_update(struct nd_datapaths *nds, struct nd_port *op,
               const struct ovsdb_idl_row *nb, struct sset *resync)
{
    const struct nd_dp_kind *kind = op->dp->kind;
    const char *peer = kind->port_peer(nb);
    const char *name = (kind->sb_uses_namer || peer
                        ? kind->port_name(nb) : NULL);

    if (!nullable_string_equals(op->name, name)) {
        if (op->name) {
            hmap_remove(&nds->by_name, &op->name_node);
            free(op->name);
            op->name = NULL;
        }
        if (name) {
            op->name = xstrdup(name);
            hmap_insert(&nds->by_name, &op->name_node,
                        hash_string(name, 0));
        }
        if (resync && op->peer) {
            /* Its peer's Port_Binding names it. */
            sset_add(resync, op->peer);
        }
    }
    if (!nullable_string_equals(op->peer, peer)) {
        if (op->peer) {
            hmap_remove(&nds->by_peer, &op->peer_node);
            if (resync) {
                sset_add(resync, op->peer);
            }
            free(op->peer);
            op->peer = NULL;
        }
        if (peer) {
            op->peer = xstrdup(peer);
            hmap_insert(&nds->by_peer, &op->peer_node,
                        hash_string(peer, 0));
            if (resync) {
                sset_add(resync, peer);
            }
        }
    }
    nd_port_set_facts(op, kind->port_facts(nb));
}

/* Returns true if the two string arrays are equal, element by element. */
static bool
strings_equal(char **a, size_t n_a, const char **b, size_t n_b)
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

/* Makes the SB Datapath_Binding row of 'od' match its NB row 'nb',
 * inserting it if it does not exist. */
static void
nd_datapath_sync_row(const struct nd_datapath *od,
                     const struct ovsdb_idl_row *nb,
                     const struct nd_sync_ctx *ctx)
{
    const char *name = od->kind->dp_name(nb);
    const char *type = od->kind->sb_type;
    const struct sbrec_datapath_binding *row
        = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl, &od->sb_uuid);
    if (!row) {
        row = sbrec_datapath_binding_insert_persist_uuid(ctx->sb_txn,
                                                         &od->sb_uuid);
        sbrec_datapath_binding_set_nb_uuid(row, od->nb_uuid);
        sbrec_datapath_binding_set_type(row, type);
        sbrec_datapath_binding_set_tunnel_key(row, od->tunnel_key);
        sbrec_datapath_binding_set_name(row, name);
        return;
    }
    if (row->tunnel_key != od->tunnel_key) {
        sbrec_datapath_binding_set_tunnel_key(row, od->tunnel_key);
    }
    if (strcmp(row->type, type)) {
        sbrec_datapath_binding_set_type(row, type);
    }
    if (strcmp(row->name, name)) {
        sbrec_datapath_binding_set_name(row, name);
    }
    if (!uuid_equals(&row->nb_uuid, &od->nb_uuid)) {
        sbrec_datapath_binding_set_nb_uuid(row, od->nb_uuid);
    }
}

/* Makes the SB Port_Binding row of 'op' match its NB row 'nb' (after
 * nd_port_update()), inserting it if it does not exist.  Never writes
 * "chassis" or "up". */
static void
nd_port_sync_row(const struct nd_datapaths *nds, const struct nd_port *op,
                 const struct ovsdb_idl_row *nb,
                 const struct nd_sync_ctx *ctx)
{
    const struct sbrec_port_binding *row
        = sbrec_port_binding_get_for_uuid(ctx->sb_idl, &op->sb_uuid);
    if (!row) {
        row = sbrec_port_binding_insert_persist_uuid(ctx->sb_txn,
                                                     &op->sb_uuid);
    }
    if (!row->datapath
        || !uuid_equals(&row->datapath->header_.uuid, &op->dp->sb_uuid)) {
        const struct sbrec_datapath_binding *dp
            = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl,
                                                  &op->dp->sb_uuid);
        sbrec_port_binding_set_datapath(row, dp);
    }
    const char *name = op->dp->kind->port_name(nb);
    if (strcmp(row->logical_port, name)) {
        sbrec_port_binding_set_logical_port(row, name);
    }
    if (row->tunnel_key != op->tunnel_key) {
        sbrec_port_binding_set_tunnel_key(row, op->tunnel_key);
    }
    if (!uuid_equals(&row->nb_uuid, &op->nb_uuid)) {
        sbrec_port_binding_set_nb_uuid(row, op->nb_uuid);
    }

    struct svec buf = SVEC_EMPTY_INITIALIZER;
    struct nd_port_sb sb;
    op->dp->kind->port_sb(op, nb, nd_port_namer(nds, op), &sb, &buf);
    if (strcmp(row->type, sb.type)) {
        sbrec_port_binding_set_type(row, sb.type);
    }
    if (!strings_equal(row->mac, row->n_mac, sb.mac, sb.n_mac)) {
        sbrec_port_binding_set_mac(row, sb.mac, sb.n_mac);
    }
    if (!strings_equal(row->port_security, row->n_port_security,
                       sb.port_security, sb.n_port_security)) {
        sbrec_port_binding_set_port_security(row, sb.port_security,
                                             sb.n_port_security);
    }
    if (row->enabled != sb.enabled) {
        sbrec_port_binding_set_enabled(row, sb.enabled);
    }
    if (!sb.peer) {
        if (!smap_equal(&row->options, sb.options)) {
            sbrec_port_binding_set_options(row, sb.options);
        }
    } else {
        struct smap options;
        smap_clone(&options, sb.options);
        smap_replace(&options, "peer", sb.peer);
        if (!smap_equal(&row->options, &options)) {
            sbrec_port_binding_set_options(row, &options);
        }
        smap_destroy(&options);
    }
    svec_destroy(&buf);
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

/* Returns the NB row of port 'op'. */
static const struct ovsdb_idl_row *
nd_port_nb_row(const struct nd_port *op, const struct nd_sync_ctx *ctx)
{
    return ovsdb_idl_get_row_for_uuid(ctx->nb_idl, op->dp->kind->port_class,
                                      &op->nb_uuid);
}

/* --- Multicast groups -------------------------------------------------- */

/* Returns multicast group 'i' of 'od', inserting it if it does not exist,
 * or NULL if 'od' has no SB row. */
static const struct sbrec_multicast_group *
nd_mcast_ensure(struct nd_datapath *od, enum nd_mcast i,
                const struct nd_sync_ctx *ctx)
{
    const struct sbrec_multicast_group *mg
        = sbrec_multicast_group_get_for_uuid(ctx->sb_idl, &od->mc_uuids[i]);
    if (!mg) {
        const struct sbrec_datapath_binding *dp
            = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl, &od->sb_uuid);
        if (!dp) {
            return NULL;
        }
        uuid_generate(&od->mc_uuids[i]);
        mg = sbrec_multicast_group_insert_persist_uuid(ctx->sb_txn,
                                                       &od->mc_uuids[i]);
        sbrec_multicast_group_set_datapath(mg, dp);
        sbrec_multicast_group_set_name(mg, mc_names[i]);
        sbrec_multicast_group_set_tunnel_key(mg, mc_keys[i]);
    }
    return mg;
}

/* Deletes the multicast groups of 'od' that exist only while they have
 * members (MC_UNKNOWN) and have none. */
static void
nd_mcast_prune(struct nd_datapath *od, const struct nd_sync_ctx *ctx)
{
    if (od->kind->mcast && !nd_datapath_has(od, ND_PF_UNKNOWN)) {
        const struct sbrec_multicast_group *mg
            = sbrec_multicast_group_get_for_uuid(
                ctx->sb_idl, &od->mc_uuids[ND_MC_UNKNOWN]);
        if (mg) {
            sbrec_multicast_group_delete(mg);
        }
        od->mc_uuids[ND_MC_UNKNOWN] = UUID_ZERO;
    }
}

/* Makes the group memberships of port 'op' match its facts: one mutation
 * of a group per membership that changes, whatever the group's size. */
static void
nd_mcast_update_port(struct nd_port *op, const struct nd_sync_ctx *ctx)
{
    if (!op->dp->kind->mcast) {
        return;
    }
    const struct sbrec_port_binding *pb
        = sbrec_port_binding_get_for_uuid(ctx->sb_idl, &op->sb_uuid);
    for (int i = 0; i < ND_N_MCAST; i++) {
        bool want = pb && nd_port_has(op, mc_facts[i]);
        if (want == op->in_mc[i]) {
            continue;
        }
        const struct sbrec_multicast_group *mg
            = (want ? nd_mcast_ensure(op->dp, i, ctx)
               : sbrec_multicast_group_get_for_uuid(ctx->sb_idl,
                                                    &op->dp->mc_uuids[i]));
        if (mg && want) {
            sbrec_multicast_group_update_ports_addvalue(mg, pb);
        } else if (mg) {
            sbrec_multicast_group_update_ports_delvalue(mg, pb);
        }
        op->in_mc[i] = want && mg;
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

/* Makes the multicast groups of 'od' match its ports, as a whole (for a
 * full sync): MC_FLOOD holds every enabled port; MC_UNKNOWN, which exists
 * only while it has members, holds the enabled ports with "unknown"
 * addresses. */
static void
nd_mcast_sync_full(struct nd_datapath *od, const struct nd_sync_ctx *ctx)
{
    if (!od->kind->mcast) {
        return;
    }
    const struct sbrec_port_binding **pbs[ND_N_MCAST];
    size_t n[ND_N_MCAST] = { 0, 0 };
    for (int i = 0; i < ND_N_MCAST; i++) {
        pbs[i] = xmalloc((od->n_ports + 1) * sizeof *pbs[i]);
    }
    struct nd_port *op;
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        const struct sbrec_port_binding *pb
            = sbrec_port_binding_get_for_uuid(ctx->sb_idl, &op->sb_uuid);
        for (int i = 0; i < ND_N_MCAST; i++) {
            op->in_mc[i] = pb && nd_port_has(op, mc_facts[i]);
            if (op->in_mc[i]) {
                pbs[i][n[i]++] = pb;
            }
        }
    }

    nd_mcast_prune(od, ctx);
    for (int i = 0; i < ND_N_MCAST; i++) {
        if (i != ND_MC_UNKNOWN || n[i]) {
            const struct sbrec_multicast_group *mg
                = nd_mcast_ensure(od, i, ctx);
            if (mg && !mcast_ports_equal(mg, pbs[i], n[i])) {
                sbrec_multicast_group_set_ports(
                    mg, (struct sbrec_port_binding **) pbs[i], n[i]);
            }
        }
        free(pbs[i]);
    }
}

/* --- Full sync --------------------------------------------------------- */

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

/* Returns the entry 'map' holds for 'nb_uuid', or NULL. */
static struct sb_by_nb *
sb_by_nb_find__(const struct hmap *map, const struct uuid *nb_uuid)
{
    struct sb_by_nb *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, uuid_hash(nb_uuid), map) {
        if (uuid_equals(&e->nb_uuid, nb_uuid)) {
            return e;
        }
    }
    return NULL;
}

/* Returns the row 'map' holds for 'nb_uuid', or NULL. */
static const void *
sb_by_nb_find(const struct hmap *map, const struct uuid *nb_uuid)
{
    const struct sb_by_nb *e = sb_by_nb_find__(map, nb_uuid);
    return e ? e->row : NULL;
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

/* The NB datapath rows of one kind, sorted by name. */
struct kind_rows {
    const struct nd_dp_kind *kind; /* The kind. */
    struct named_row *rows;     /* Its datapath rows. */
    size_t n;                   /* Number of 'rows'. */
};

/* Fills 'kr' with every NB datapath of 'kind', sorted by name; the caller
 * frees 'kr->rows'. */
static void
kind_rows_collect(struct kind_rows *kr, const struct nd_dp_kind *kind,
                  struct ovsdb_idl *nb_idl)
{
    size_t allocated = 0;
    kr->kind = kind;
    kr->rows = NULL;
    kr->n = 0;
    for (const struct ovsdb_idl_row *row
             = ovsdb_idl_first_row(nb_idl, kind->dp_class);
         row; row = ovsdb_idl_next_row(row)) {
        if (kr->n >= allocated) {
            kr->rows = x2nrealloc(kr->rows, &allocated, sizeof *kr->rows);
        }
        kr->rows[kr->n++] = (struct named_row) { kind->dp_name(row), row };
    }
    if (kr->n) {
        qsort(kr->rows, kr->n, sizeof *kr->rows, compare_named_rows);
    }
}

/* Records in 'owners' (a map built with sb_by_nb_add()) the datapath row
 * that owns each port of the rows in 'kr'.  A port that several datapaths
 * list (the NB validator refuses that, but the database does not) belongs
 * to the one with the smallest UUID, so that every run picks the same
 * one; the others are logged and ignore it. */
static void
port_owners_build(struct hmap *owners, const struct kind_rows *kr)
{
    const struct nd_dp_kind *kind = kr->kind;
    for (size_t i = 0; i < kr->n; i++) {
        const struct ovsdb_idl_row *dp = kr->rows[i].row;
        size_t n_ports = kind->dp_n_ports(dp);
        for (size_t j = 0; j < n_ports; j++) {
            const struct ovsdb_idl_row *port = kind->dp_port(dp, j);
            struct sb_by_nb *e = sb_by_nb_find__(owners, &port->uuid);
            if (!e) {
                sb_by_nb_add(owners, &port->uuid, dp);
            } else if (e->row != dp) {
                const struct ovsdb_idl_row *owner = e->row;
                const struct ovsdb_idl_row *winner
                    = (uuid_compare_3way(&dp->uuid, &owner->uuid) < 0
                       ? dp : owner);
                VLOG_WARN_RL(&rl, "%s: port is listed by %s %s and %s; "
                             "only %s uses it", kind->port_name(port),
                             kind->plural, kind->dp_name(owner),
                             kind->dp_name(dp), kind->dp_name(winner));
                e->row = winner;
            }
        }
    }
}

/* Full sync, step 1: datapaths of every kind.  Adopts existing rows and
 * keys first, then gives the others keys, kind by kind. */
static void
sync_full_datapaths(struct nd_datapaths *nds, const struct kind_rows *krs,
                    const struct nd_sync_ctx *ctx)
{
    struct hmap by_nb = HMAP_INITIALIZER(&by_nb);
    const struct sbrec_datapath_binding *row;
    SBREC_DATAPATH_BINDING_FOR_EACH (row, ctx->sb_idl) {
        sb_by_nb_add(&by_nb, &row->nb_uuid, row);
    }

    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        for (size_t i = 0; i < krs[k].n; i++) {
            const struct uuid *nb_uuid = &krs[k].rows[i].row->uuid;
            row = sb_by_nb_find(&by_nb, nb_uuid);
            if (row && !strcmp(row->type, krs[k].kind->sb_type)
                && tunnel_keys_reserve(&nds->dp_keys, row->tunnel_key)) {
                nd_datapath_create(nds, krs[k].kind, nb_uuid,
                                   &row->header_.uuid, row->tunnel_key);
            }
        }
    }
    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        for (size_t i = 0; i < krs[k].n; i++) {
            const struct uuid *nb_uuid = &krs[k].rows[i].row->uuid;
            if (nd_datapath_find(nds, nb_uuid)) {
                continue;
            }
            uint32_t key = tunnel_keys_alloc(&nds->dp_keys);
            if (!key) {
                VLOG_WARN_RL(&rl, "%s: no free datapath tunnel key",
                             krs[k].rows[i].name);
                continue;
            }
            nd_datapath_create(nds, krs[k].kind, nb_uuid, NULL, key);
        }
    }
    sb_by_nb_destroy(&by_nb);

    SBREC_DATAPATH_BINDING_FOR_EACH_SAFE (row, ctx->sb_idl) {
        struct nd_datapath *od = nd_datapath_find(nds, &row->nb_uuid);
        if (!od || !uuid_equals(&od->sb_uuid, &row->header_.uuid)) {
            sbrec_datapath_binding_delete(row);
        }
    }
    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        for (size_t i = 0; i < krs[k].n; i++) {
            const struct ovsdb_idl_row *nb = krs[k].rows[i].row;
            struct nd_datapath *od = nd_datapath_find(nds, &nb->uuid);
            if (od) {
                nd_datapath_sync_row(od, nb, ctx);
            }
        }
    }
}

/* A port waiting for a new tunnel key. */
struct pending_port {
    struct nd_datapath *od;             /* Its datapath. */
    struct named_row port;              /* Its NB row. */
};

/* Appends a port of 'od' to the array of pending ports. */
static void
pending_add(struct pending_port **pending, size_t *n, size_t *allocated,
            struct nd_datapath *od, const struct ovsdb_idl_row *port)
{
    if (*n >= *allocated) {
        *pending = x2nrealloc(*pending, allocated, sizeof **pending);
    }
    (*pending)[(*n)++] = (struct pending_port) {
        od, { od->kind->port_name(port), port }
    };
}

/* Full sync, step 2: the ports of datapath 'od' (NB row 'dp') that it owns
 * according to 'owners', sorted by name, adopting the rows of existing
 * ports and collecting the others in 'pending'. */
static void
sync_full_dp_ports(struct nd_datapaths *nds, struct nd_datapath *od,
                   const struct ovsdb_idl_row *dp, const struct hmap *by_nb,
                   const struct hmap *owners, struct pending_port **pending,
                   size_t *n_pending, size_t *allocated)
{
    const struct nd_dp_kind *kind = od->kind;
    size_t n = kind->dp_n_ports(dp);
    struct named_row *ports = xmalloc(n * sizeof *ports);
    for (size_t j = 0; j < n; j++) {
        const struct ovsdb_idl_row *port = kind->dp_port(dp, j);
        ports[j] = (struct named_row) { kind->port_name(port), port };
    }
    if (n) {
        qsort(ports, n, sizeof *ports, compare_named_rows);
    }
    for (size_t j = 0; j < n; j++) {
        const struct ovsdb_idl_row *port = ports[j].row;
        if (sb_by_nb_find(owners, &port->uuid) != dp
            || nd_port_find(nds, &port->uuid)) {
            /* Another datapath owns it, or 'dp' lists it twice. */
            continue;
        }
        const struct sbrec_port_binding *pb = sb_by_nb_find(by_nb,
                                                            &port->uuid);
        if (pb && pb->datapath
            && uuid_equals(&pb->datapath->header_.uuid, &od->sb_uuid)
            && tunnel_keys_reserve(&od->port_keys, pb->tunnel_key)) {
            nd_port_create(nds, od, &port->uuid, &pb->header_.uuid,
                           pb->tunnel_key);
        } else {
            pending_add(pending, n_pending, allocated, od, port);
        }
    }
    free(ports);
}

/* Gives each pending port a key and a datapath entry.  Returns the number
 * of ports created. */
static void
create_pending_ports(struct nd_datapaths *nds,
                     const struct pending_port *pending, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t key = tunnel_keys_alloc(&pending[i].od->port_keys);
        if (!key) {
            VLOG_WARN_RL(&rl, "%s: no free port tunnel key",
                         pending[i].port.name);
            continue;
        }
        nd_port_create(nds, pending[i].od, &pending[i].port.row->uuid,
                       NULL, key);
    }
}

/* Full sync, step 2: ports of every datapath. */
static void
sync_full_ports(struct nd_datapaths *nds, const struct kind_rows *krs,
                const struct nd_sync_ctx *ctx, struct nd_changes *changes)
{
    struct hmap by_nb = HMAP_INITIALIZER(&by_nb);
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, ctx->sb_idl) {
        sb_by_nb_add(&by_nb, &pb->nb_uuid, pb);
    }

    struct pending_port *pending = NULL;
    size_t n_pending = 0, allocated = 0;
    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        struct hmap owners = HMAP_INITIALIZER(&owners);
        port_owners_build(&owners, &krs[k]);
        for (size_t i = 0; i < krs[k].n; i++) {
            const struct ovsdb_idl_row *dp = krs[k].rows[i].row;
            struct nd_datapath *od = nd_datapath_find(nds, &dp->uuid);
            if (od) {
                sync_full_dp_ports(nds, od, dp, &by_nb, &owners,
                                   &pending, &n_pending, &allocated);
            }
        }
        sb_by_nb_destroy(&owners);
    }
    create_pending_ports(nds, pending, n_pending);
    free(pending);
    sb_by_nb_destroy(&by_nb);

    SBREC_PORT_BINDING_FOR_EACH_SAFE (pb, ctx->sb_idl) {
        struct nd_port *op = nd_port_find(nds, &pb->nb_uuid);
        if (!op || !uuid_equals(&op->sb_uuid, &pb->header_.uuid)) {
            sbrec_port_binding_delete(pb);
        }
    }
    /* Names and peers first: a port's Port_Binding may name the port that
     * names it. */
    struct nd_port *op;
    HMAP_FOR_EACH (op, node, &nds->ports) {
        nd_port_update(nds, op, nd_port_nb_row(op, ctx), NULL);
    }
    HMAP_FOR_EACH (op, node, &nds->ports) {
        nd_port_sync_row(nds, op, nd_port_nb_row(op, ctx), ctx);
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
        if (od && od->kind->mcast
            && uuid_equals(&od->sb_uuid, &mg->datapath->header_.uuid)) {
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

    struct kind_rows *krs = xmalloc(nd_n_dp_kinds * sizeof *krs);
    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        kind_rows_collect(&krs[k], nd_dp_kinds[k], ctx->nb_idl);
    }
    sync_full_datapaths(nds, krs, ctx);
    sync_full_ports(nds, krs, ctx, changes);
    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        free(krs[k].rows);
    }
    free(krs);

    sync_full_mcast(nds, ctx);
    struct nd_datapath *od;
    HMAP_FOR_EACH (od, node, &nds->datapaths) {
        nd_mcast_sync_full(od, ctx);
        od->summary = nd_datapath_summary(od);
        hmapx_add(&changes->datapaths, od);
    }
}

/* --- Incremental sync -------------------------------------------------- */

/* The state of one incremental sync. */
struct inc_sync {
    struct nd_datapaths *nds;   /* The datapaths. */
    const struct nd_sync_ctx *ctx; /* The databases. */
    struct nd_changes *changes; /* What changed. */
    struct hmap targets;        /* "struct port_target"s. */
    struct hmapx doomed;        /* Datapaths to remove at the end. */
    struct hmapx touched;       /* Datapaths whose ports changed. */
    struct sset resync;         /* Names of ports whose Port_Binding may
                                 * depend on a port that changed. */

    /* The tracked rows of the kind being synced, counted beforehand (see
     * sync_port_list_fast()). */
    size_t n_dps_listing;       /* Datapaths new, deleted or whose port
                                 * list changed. */
    size_t n_new_ports;         /* New ports not known yet. */
    size_t n_gone_ports;        /* Deleted ports that are known. */
};

/* Where a port changed in an incremental sync must end up. */
struct port_target {
    struct hmap_node node;      /* By hash of 'nb_uuid'. */
    struct uuid nb_uuid;        /* NB port row. */
    struct nd_datapath *od;     /* Datapath it belongs to, NULL if none. */
    bool member;                /* 'od' is known to list it. */
};

/* Records that port 'nb_uuid' belongs in 'od' (or nowhere if NULL).  A
 * record with 'member' (a datapath lists the port) wins over one without;
 * of two datapaths that list it, the one with the smaller UUID wins, as
 * in a full sync. */
static void
port_target_set(struct inc_sync *s, const struct uuid *nb_uuid,
                struct nd_datapath *od, bool member)
{
    struct port_target *t;
    HMAP_FOR_EACH_WITH_HASH (t, node, uuid_hash(nb_uuid), &s->targets) {
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
    hmap_insert(&s->targets, &t->node, uuid_hash(nb_uuid));
}

/* Returns the datapath row of 'kind' that owns port 'port': of those that
 * list it, the one with the smallest UUID (see port_owners_build()), or
 * NULL if none does.  This looks at every datapath of the kind, so it is
 * only for the rare ports that move or are listed by several. */
static const struct ovsdb_idl_row *
port_owner_scan(const struct nd_dp_kind *kind, struct ovsdb_idl *nb_idl,
                const struct ovsdb_idl_row *port)
{
    const struct ovsdb_idl_row *owner = NULL;
    for (const struct ovsdb_idl_row *dp
             = ovsdb_idl_first_row(nb_idl, kind->dp_class);
         dp; dp = ovsdb_idl_next_row(dp)) {
        size_t n = kind->dp_n_ports(dp);
        for (size_t i = 0; i < n; i++) {
            if (kind->dp_port(dp, i) != port) {
                continue;
            }
            if (!owner) {
                owner = dp;
            } else {
                VLOG_WARN_RL(&rl, "%s: port is listed by %s %s and %s",
                             kind->port_name(port), kind->plural,
                             kind->dp_name(owner), kind->dp_name(dp));
                if (uuid_compare_3way(&dp->uuid, &owner->uuid) < 0) {
                    owner = dp;
                }
            }
            break;
        }
    }
    return owner;
}

/* Sets the target of port 'nb_uuid' of 'kind', which a changed datapath
 * started or stopped listing while another may still list it. */
static void
port_target_resolve(struct inc_sync *s, const struct nd_dp_kind *kind,
                    const struct uuid *nb_uuid)
{
    const struct ovsdb_idl_row *port = ovsdb_idl_get_row_for_uuid(
        s->ctx->nb_idl, kind->port_class, nb_uuid);
    const struct ovsdb_idl_row *owner
        = port ? port_owner_scan(kind, s->ctx->nb_idl, port) : NULL;
    if (!owner) {
        port_target_set(s, nb_uuid, NULL, false);
    } else {
        struct nd_datapath *od = nd_datapath_find(s->nds, &owner->uuid);
        if (od) {
            port_target_set(s, nb_uuid, od, true);
        }
        /* Otherwise 'owner' is new in this batch and claims the port when
         * its turn comes. */
    }
}

/* Counts in 's' the tracked rows of 'kind' that sync_port_list_fast()
 * needs to know of. */
static void
count_tracked(struct inc_sync *s, const struct nd_dp_kind *kind)
{
    struct ovsdb_idl *nb_idl = s->ctx->nb_idl;
    s->n_dps_listing = s->n_new_ports = s->n_gone_ports = 0;
    for (const struct ovsdb_idl_row *dp
             = ovsdb_idl_track_get_first(nb_idl, kind->dp_class);
         dp; dp = ovsdb_idl_track_get_next(dp)) {
        s->n_dps_listing += (idl_row_is_new(dp) || idl_row_is_deleted(dp)
                             || ovsdb_idl_track_is_updated(
                                 dp, kind->dp_ports_column));
    }
    for (const struct ovsdb_idl_row *port
             = ovsdb_idl_track_get_first(nb_idl, kind->port_class);
         port; port = ovsdb_idl_track_get_next(port)) {
        bool known = nd_port_find(s->nds, &port->uuid) != NULL;
        if (idl_row_is_deleted(port)) {
            s->n_gone_ports += known;
        } else if (idl_row_is_new(port)) {
            s->n_new_ports += !known;
        }
    }
}

/* Tries to find which ports joined or left existing datapath 'od' (NB row
 * 'dp' of 'kind', whose port list changed) without a pass over its list.
 * That is possible when no other datapath of the kind is new, deleted or
 * has a changed port list, and the list changed in size by exactly the
 * ports created and deleted in this batch, all of which 'od' had: port
 * tables are not root tables, so a port exists only while a datapath
 * lists it, and a port that moved would have changed another list.  Then
 * the new ports joined 'od' and the deleted ones left it (their own rows'
 * tracking removes them).  Returns false, doing nothing, otherwise. */
static bool
sync_port_list_fast(struct inc_sync *s, const struct nd_dp_kind *kind,
                    struct nd_datapath *od, const struct ovsdb_idl_row *dp)
{
    if (s->n_dps_listing != 1
        || kind->dp_n_ports(dp) + s->n_gone_ports
           != od->n_ports + s->n_new_ports) {
        return false;
    }
    struct ovsdb_idl *nb_idl = s->ctx->nb_idl;
    const struct ovsdb_idl_row *port;
    for (port = ovsdb_idl_track_get_first(nb_idl, kind->port_class);
         port; port = ovsdb_idl_track_get_next(port)) {
        const struct nd_port *op = nd_port_find(s->nds, &port->uuid);
        if (idl_row_is_deleted(port) && op && op->dp != od) {
            return false;
        }
    }
    for (port = ovsdb_idl_track_get_first(nb_idl, kind->port_class);
         port; port = ovsdb_idl_track_get_next(port)) {
        if (idl_row_is_new(port) && !idl_row_is_deleted(port)
            && !nd_port_find(s->nds, &port->uuid)) {
            port_target_set(s, &port->uuid, od, true);
        }
    }
    return true;
}

/* Incremental sync of one changed datapath row 'dp' of 'kind': its SB
 * row, and the targets of ports that joined or left it.  A deleted
 * datapath is added to 'doomed'. */
static void
sync_changed_dp(struct inc_sync *s, const struct nd_dp_kind *kind,
                const struct ovsdb_idl_row *dp)
{
    struct nd_datapaths *nds = s->nds;
    struct nd_datapath *od = nd_datapath_find(nds, &dp->uuid);
    struct nd_port *op;
    if (idl_row_is_deleted(dp)) {
        if (od && hmapx_add(&s->doomed, od)) {
            LIST_FOR_EACH (op, dp_node, &od->ports) {
                port_target_resolve(s, kind, &op->nb_uuid);
            }
            /* The key is free for a datapath created in the same batch. */
            tunnel_keys_release(&nds->dp_keys, od->tunnel_key);
            od->tunnel_key = 0;
        }
        return;
    }
    bool is_new = !od;
    if (is_new) {
        uint32_t key = tunnel_keys_alloc(&nds->dp_keys);
        if (!key) {
            VLOG_WARN_RL(&rl, "%s: no free datapath tunnel key",
                         kind->dp_name(dp));
            return;
        }
        od = nd_datapath_create(nds, kind, &dp->uuid, NULL, key);
    }
    nd_datapath_sync_row(od, dp, s->ctx);
    if (kind->mcast) {
        nd_mcast_ensure(od, ND_MC_FLOOD, s->ctx);
    }
    if (is_new || idl_row_is_updated(dp, kind->dp_class,
                                     kind->dp_ports_column)) {
        hmapx_add(&s->changes->datapaths, od);
    }
    if (!is_new && (!ovsdb_idl_track_is_updated(dp, kind->dp_ports_column)
                    || sync_port_list_fast(s, kind, od, dp))) {
        return;
    }

    /* Only ports that joined or left matter here; a member that stayed
     * is looked at only if its own row changed.  One pass over the list,
     * marking the members. */
    uint32_t seq = ++nds->seen_seq ? nds->seen_seq : ++nds->seen_seq;
    size_t n = kind->dp_n_ports(dp);
    for (size_t i = 0; i < n; i++) {
        const struct uuid *nb_uuid = &kind->dp_port(dp, i)->uuid;
        op = nd_port_find(nds, nb_uuid);
        if (!op) {
            port_target_set(s, nb_uuid, od, true);
        } else if (op->dp != od) {
            /* Moved here, or listed by another datapath too. */
            port_target_resolve(s, kind, nb_uuid);
        } else {
            op->seen = seq;
        }
    }
    LIST_FOR_EACH (op, dp_node, &od->ports) {
        if (op->seen != seq) {
            /* Deleted, moved, or still listed by another datapath. */
            port_target_resolve(s, kind, &op->nb_uuid);
        }
    }
}

/* qsort() comparison of pending ports by name, then UUID. */
static int
compare_pending(const void *a_, const void *b_)
{
    const struct pending_port *a = a_;
    const struct pending_port *b = b_;
    return compare_named_rows(&a->port, &b->port);
}

/* Takes port 'op' out (its SB row is deleted) and reports it gone. */
static void
remove_port(struct inc_sync *s, struct nd_port *op)
{
    nd_port_delete_row(op, s->ctx);
    hmapx_add(&s->touched, op->dp);
    if (op->peer) {
        sset_add(&s->resync, op->peer);
    }
    hmapx_find_and_delete(&s->changes->ports, op);
    nd_port_detach(s->nds, op);
    ovs_list_push_back(&s->changes->removed_ports, &op->dp_node);
}

/* Brings port 'op' in step with its NB row 'nb' and reports it changed. */
static void
update_port(struct inc_sync *s, struct nd_port *op,
            const struct ovsdb_idl_row *nb)
{
    nd_port_update(s->nds, op, nb, &s->resync);
    nd_port_sync_row(s->nds, op, nb, s->ctx);
    nd_mcast_update_port(op, s->ctx);
    hmapx_add(&s->changes->ports, op);
    hmapx_add(&s->touched, op->dp);
}

/* Incremental sync of the ports in 'targets': removes, moves, updates and
 * creates (in name order, so that the same batch of changes always gives
 * the same keys) as needed. */
static void
sync_port_targets(struct inc_sync *s)
{
    struct pending_port *pending = NULL;
    size_t n_pending = 0, allocated = 0;

    struct port_target *t;
    HMAP_FOR_EACH (t, node, &s->targets) {
        struct nd_port *op = nd_port_find(s->nds, &t->nb_uuid);
        const struct ovsdb_idl_row *nb
            = (t->od
               ? ovsdb_idl_get_row_for_uuid(s->ctx->nb_idl,
                                            t->od->kind->port_class,
                                            &t->nb_uuid)
               : NULL);
        struct nd_datapath *od = nb ? t->od : NULL;
        if (op && op->dp != od) {
            remove_port(s, op);
            op = NULL;
        }
        if (op) {
            update_port(s, op, nb);
        } else if (od) {
            pending_add(&pending, &n_pending, &allocated, od, nb);
        }
    }

    if (n_pending) {
        qsort(pending, n_pending, sizeof *pending, compare_pending);
    }
    for (size_t i = 0; i < n_pending; i++) {
        struct nd_datapath *od = pending[i].od;
        uint32_t key = tunnel_keys_alloc(&od->port_keys);
        if (!key) {
            VLOG_WARN_RL(&rl, "%s: no free port tunnel key",
                         pending[i].port.name);
            continue;
        }
        struct nd_port *op = nd_port_create(
            s->nds, od, &pending[i].port.row->uuid, NULL, key);
        update_port(s, op, pending[i].port.row);
    }
    free(pending);
}

/* Writes again the Port_Binding of every port named in 'resync' whose
 * kind makes it depend on the port that names it. */
static void
sync_resync_ports(struct inc_sync *s)
{
    const char *name;
    SSET_FOR_EACH (name, &s->resync) {
        struct nd_port *op;
        HMAP_FOR_EACH_WITH_HASH (op, name_node, hash_string(name, 0),
                                 &s->nds->by_name) {
            if (!strcmp(op->name, name) && op->dp->kind->sb_uses_namer) {
                const struct ovsdb_idl_row *nb = nd_port_nb_row(op, s->ctx);
                if (nb) {
                    nd_port_sync_row(s->nds, op, nb, s->ctx);
                    hmapx_add(&s->changes->ports, op);
                }
            }
        }
    }
}

/* Incremental sync of the tracked rows of 'kind': deleted datapaths first,
 * so that their keys are free, then the others in name order, so that new
 * datapaths get keys in that order. */
static void
sync_incremental_datapaths(struct inc_sync *s, const struct nd_dp_kind *kind)
{
    struct named_row *rows = NULL;
    size_t n = 0, allocated = 0;
    struct ovsdb_idl *nb_idl = s->ctx->nb_idl;
    count_tracked(s, kind);
    for (const struct ovsdb_idl_row *dp
             = ovsdb_idl_track_get_first(nb_idl, kind->dp_class);
         dp; dp = ovsdb_idl_track_get_next(dp)) {
        if (idl_row_is_deleted(dp)) {
            sync_changed_dp(s, kind, dp);
        } else if (idl_row_is_new(dp)
                   || idl_row_is_updated(dp, kind->dp_class, NULL)) {
            /* (The IDL also reports a datapath when only one of its ports
             * changed; that change is handled with the port.) */
            if (n >= allocated) {
                rows = x2nrealloc(rows, &allocated, sizeof *rows);
            }
            rows[n++] = (struct named_row) { kind->dp_name(dp), dp };
        }
    }
    if (n) {
        qsort(rows, n, sizeof *rows, compare_named_rows);
    }
    for (size_t i = 0; i < n; i++) {
        sync_changed_dp(s, kind, rows[i].row);
    }
    free(rows);
}

/* Incremental sync: records the targets of the tracked port rows of
 * 'kind' that changed in a way that matters to SB. */
static void
sync_incremental_ports(struct inc_sync *s, const struct nd_dp_kind *kind)
{
    for (const struct ovsdb_idl_row *port
             = ovsdb_idl_track_get_first(s->ctx->nb_idl, kind->port_class);
         port; port = ovsdb_idl_track_get_next(port)) {
        if (idl_row_is_deleted(port)) {
            port_target_set(s, &port->uuid, NULL, false);
        } else if (idl_row_is_new(port)
                   || idl_row_is_updated(port, kind->port_class,
                                         kind->port_own_column)) {
            struct nd_port *op = nd_port_find(s->nds, &port->uuid);
            port_target_set(s, &port->uuid, op ? op->dp : NULL, false);
        }
    }
}

/* Applies the NB changes the IDL tracked since the last sync. */
void
nd_datapaths_sync_incremental(struct nd_datapaths *nds,
                              const struct nd_sync_ctx *ctx,
                              struct nd_changes *changes)
{
    struct inc_sync s = {
        .nds = nds,
        .ctx = ctx,
        .changes = changes,
        .targets = HMAP_INITIALIZER(&s.targets),
        .doomed = HMAPX_INITIALIZER(&s.doomed),
        .touched = HMAPX_INITIALIZER(&s.touched),
    };
    sset_init(&s.resync);

    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        sync_incremental_datapaths(&s, nd_dp_kinds[k]);
    }
    for (size_t k = 0; k < nd_n_dp_kinds; k++) {
        sync_incremental_ports(&s, nd_dp_kinds[k]);
    }
    sync_port_targets(&s);
    sync_resync_ports(&s);

    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &s.doomed) {
        struct nd_datapath *od = node->data;
        struct nd_port *op;
        LIST_FOR_EACH_SAFE (op, dp_node, &od->ports) {
            remove_port(&s, op);
        }
        const struct sbrec_datapath_binding *row
            = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl, &od->sb_uuid);
        for (int i = 0; i < ND_N_MCAST; i++) {
            const struct sbrec_multicast_group *mg
                = sbrec_multicast_group_get_for_uuid(ctx->sb_idl,
                                                     &od->mc_uuids[i]);
            if (mg) {
                sbrec_multicast_group_delete(mg);
            }
        }
        if (row) {
            sbrec_datapath_binding_delete(row);
        }
        hmapx_find_and_delete(&changes->datapaths, od);
        hmapx_find_and_delete(&s.touched, od);
        hmap_remove(&nds->datapaths, &od->node);
        ovs_list_push_back(&changes->removed_dps, &od->removed_node);
    }

    /* A datapath whose ports' facts changed reports it once its summary
     * does, and drops the groups it no longer needs. */
    HMAPX_FOR_EACH (node, &s.touched) {
        struct nd_datapath *od = node->data;
        uint32_t summary = nd_datapath_summary(od);
        if (summary != od->summary) {
            od->summary = summary;
            hmapx_add(&changes->datapaths, od);
        }
        nd_mcast_prune(od, ctx);
    }

    struct port_target *t;
    HMAP_FOR_EACH_POP (t, node, &s.targets) {
        free(t);
    }
    hmap_destroy(&s.targets);
    hmapx_destroy(&s.doomed);
    hmapx_destroy(&s.touched);
    sset_destroy(&s.resync);
}
