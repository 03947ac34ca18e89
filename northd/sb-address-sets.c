#include <config.h>

#include "northd/sb-address-sets.h"

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "northd/nb-match.h"
#include "openvswitch/shash.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "uuidset.h"

/* NB address sets and port groups, and SB address sets, by name. */
struct as_indexes {
    struct shash nb_sets;       /* "struct nbrec_address_set *". */
    struct shash nb_groups;     /* "struct nbrec_port_group *". */
    struct shash sb_sets;       /* "struct sbrec_address_set *". */
};

static void
as_indexes_init(struct as_indexes *x, struct ovsdb_idl *nb_idl,
                struct ovsdb_idl *sb_idl)
{
    shash_init(&x->nb_sets);
    shash_init(&x->nb_groups);
    shash_init(&x->sb_sets);
    const struct nbrec_address_set *as;
    NBREC_ADDRESS_SET_FOR_EACH (as, nb_idl) {
        shash_replace(&x->nb_sets, as->name, as);
    }
    const struct nbrec_port_group *pg;
    NBREC_PORT_GROUP_FOR_EACH (pg, nb_idl) {
        shash_replace(&x->nb_groups, pg->name, pg);
    }
    const struct sbrec_address_set *sb;
    SBREC_ADDRESS_SET_FOR_EACH (sb, sb_idl) {
        shash_replace(&x->sb_sets, sb->name, sb);
    }
}

static void
as_indexes_destroy(struct as_indexes *x)
{
    shash_destroy(&x->nb_sets);
    shash_destroy(&x->nb_groups);
    shash_destroy(&x->sb_sets);
}

/* Adds to 'names' the names of the two sets of port group 'name'. */
static void
add_group_sets(struct sset *names, const char *name)
{
    sset_add_and_free(names, xasprintf("%s_ip4", name));
    sset_add_and_free(names, xasprintf("%s_ip6", name));
}

/* Stores in 'out' the addresses that set 'name' has in NB, as matches
 * resolve it (nd_match_address_set()).  Returns false if NB has no such
 * set. */
static bool
nb_addresses(const struct as_indexes *x, const char *name, struct sset *out)
{
    const struct nbrec_address_set *as = shash_find_data(&x->nb_sets, name);
    if (as) {
        for (size_t i = 0; i < as->n_addresses; i++) {
            sset_add(out, as->addresses[i]);
        }
        return true;
    }
    size_t len = strlen(name);
    if (len > 4 && (!strcmp(name + len - 4, "_ip4")
                    || !strcmp(name + len - 4, "_ip6"))) {
        char *pg_name = xmemdup0(name, len - 4);
        const struct nbrec_port_group *pg = shash_find_data(&x->nb_groups,
                                                            pg_name);
        free(pg_name);
        if (pg) {
            struct svec addresses = SVEC_EMPTY_INITIALIZER;
            nd_match_pg_addresses(NULL, pg, name[len - 1] == '6',
                                  &addresses);
            for (size_t i = 0; i < addresses.n; i++) {
                sset_add(out, addresses.names[i]);
            }
            svec_destroy(&addresses);
            return true;
        }
    }
    return false;
}

/* Brings the SB row of set 'name' in step with NB: inserted, deleted, or
 * its addresses mutated by the differences. */
static void
sync_one(const struct as_indexes *x, struct ovsdb_idl_txn *txn,
         const char *name)
{
    struct sset want = SSET_INITIALIZER(&want);
    bool exists = nb_addresses(x, name, &want);
    const struct sbrec_address_set *row = shash_find_data(&x->sb_sets, name);
    if (!exists) {
        if (row) {
            sbrec_address_set_delete(row);
        }
    } else if (!row) {
        row = sbrec_address_set_insert(txn);
        sbrec_address_set_set_name(row, name);
        const char **addresses = sset_sort(&want);
        sbrec_address_set_set_addresses(row, addresses, sset_count(&want));
        free(addresses);
    } else {
        struct sset have = SSET_INITIALIZER(&have);
        for (size_t i = 0; i < row->n_addresses; i++) {
            sset_add(&have, row->addresses[i]);
        }
        const char *a;
        SSET_FOR_EACH (a, &want) {
            if (!sset_contains(&have, a)) {
                sbrec_address_set_update_addresses_addvalue(row, a);
            }
        }
        SSET_FOR_EACH (a, &have) {
            if (!sset_contains(&want, a)) {
                sbrec_address_set_update_addresses_delvalue(row, a);
            }
        }
        sset_destroy(&have);
    }
    sset_destroy(&want);
}

/* Adds to 'names' the sets that the tracked changes of 'nb_idl' and
 * 'sb_idl' may have changed.  Returns false if it cannot tell (a set or
 * group was renamed, and the IDL keeps no old name): then every set must
 * be compared. */
static bool
collect_changed(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
                struct sset *names)
{
    const struct nbrec_address_set *as;
    NBREC_ADDRESS_SET_FOR_EACH_TRACKED (as, nb_idl) {
        if (!nbrec_address_set_is_new(as)
            && !nbrec_address_set_is_deleted(as)
            && nbrec_address_set_is_updated(as, NBREC_ADDRESS_SET_COL_NAME)) {
            return false;
        }
        sset_add(names, as->name);
    }
    const struct nbrec_port_group *pg;
    NBREC_PORT_GROUP_FOR_EACH_TRACKED (pg, nb_idl) {
        if (!nbrec_port_group_is_new(pg) && !nbrec_port_group_is_deleted(pg)
            && nbrec_port_group_is_updated(pg, NBREC_PORT_GROUP_COL_NAME)) {
            return false;
        }
        add_group_sets(names, pg->name);
    }
    /* A port whose addresses changed changes the sets of its groups.  (A
     * port deleted leaves its groups, which then changed too.) */
    struct uuidset ports = UUIDSET_INITIALIZER(&ports);
    const struct nbrec_logical_switch_port *lsp;
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH_TRACKED (lsp, nb_idl) {
        if (!nbrec_logical_switch_port_is_deleted(lsp)
            && !uuidset_contains(&ports, &lsp->header_.uuid)) {
            uuidset_insert(&ports, &lsp->header_.uuid);
        }
    }
    if (!uuidset_is_empty(&ports)) {
        NBREC_PORT_GROUP_FOR_EACH (pg, nb_idl) {
            for (size_t i = 0; i < pg->n_ports; i++) {
                if (uuidset_contains(&ports, &pg->ports[i]->header_.uuid)) {
                    add_group_sets(names, pg->name);
                    break;
                }
            }
        }
    }
    uuidset_destroy(&ports);
    /* Rows written by someone else (and northd's own, coming back). */
    const struct sbrec_address_set *sb;
    SBREC_ADDRESS_SET_FOR_EACH_TRACKED (sb, sb_idl) {
        sset_add(names, sb->name);
    }
    return true;
}

/* Brings SB Address_Set in step with NB within 'sb_txn': every set if
 * 'full', else those that tracked changes may have changed. */
void
nd_address_sets_sync(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
                     struct ovsdb_idl_txn *sb_txn, bool full)
{
    if (!sbrec_server_has_address_set_table(sb_idl)) {
        return;
    }
    struct sset names = SSET_INITIALIZER(&names);
    if (!full && !collect_changed(nb_idl, sb_idl, &names)) {
        full = true;
    }
    if (!full && sset_is_empty(&names)) {
        sset_destroy(&names);
        return;
    }

    struct as_indexes x;
    as_indexes_init(&x, nb_idl, sb_idl);
    if (full) {
        struct shash_node *node;
        SHASH_FOR_EACH (node, &x.nb_sets) {
            sset_add(&names, node->name);
        }
        SHASH_FOR_EACH (node, &x.nb_groups) {
            add_group_sets(&names, node->name);
        }
        SHASH_FOR_EACH (node, &x.sb_sets) {
            sset_add(&names, node->name);
        }
    }
    const char *name;
    SSET_FOR_EACH (name, &names) {
        sync_one(&x, sb_txn, name);
    }
    as_indexes_destroy(&x);
    sset_destroy(&names);
}
