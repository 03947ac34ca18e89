#include <config.h>

#include "northd/change-index.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "northd/lflow-table.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "util.h"
#include "uuid.h"

/* An NB row, by UUID or by name, that owners depend on. */
struct ci_key {
    struct hmap_node node;      /* In change_index's 'keys'. */
    const struct ovsdb_idl_table_class *table; /* The row's table. */
    char *name;                 /* Its name, or NULL for a key by UUID. */
    struct uuid uuid;           /* Its UUID, for a key by UUID. */
    struct ovs_list refs;       /* "struct ci_ref"s, by 'key_node'. */
};

/* An owner with dependencies. */
struct ci_owner {
    struct hmap_node node;      /* In change_index's 'owners'. */
    struct lflow_owner_id id;   /* The owner. */
    struct ovs_list refs;       /* "struct ci_ref"s, by 'owner_node'. */
};

/* One dependency: an owner depends on a key. */
struct ci_ref {
    struct ovs_list key_node;   /* In its key's 'refs'. */
    struct ovs_list owner_node; /* In its owner's 'refs'. */
    struct ci_key *key;         /* The row. */
    struct ci_owner *owner;     /* The owner. */
};

/* The index. */
struct change_index {
    struct hmap keys;           /* "struct ci_key"s. */
    struct hmap owners;         /* "struct ci_owner"s, by owner id. */
    struct lflow_owner_id building; /* Owner between begin and end. */
    bool is_building;           /* Whether 'building' is valid. */
};

/* Returns the hash of a key by UUID. */
static uint32_t
ci_hash_row(const struct ovsdb_idl_table_class *table,
            const struct uuid *uuid)
{
    return hash_pointer(table, uuid_hash(uuid));
}

/* Returns the hash of a key by name. */
static uint32_t
ci_hash_name(const struct ovsdb_idl_table_class *table, const char *name)
{
    return hash_string(name, hash_pointer(table, 1));
}

/* Creates an empty index. */
struct change_index *
change_index_create(void)
{
    struct change_index *ci = xzalloc(sizeof *ci);
    hmap_init(&ci->keys);
    hmap_init(&ci->owners);
    return ci;
}

/* Frees 'ref', and its key if no other owner depends on it. */
static void
ci_ref_destroy(struct change_index *ci, struct ci_ref *ref)
{
    struct ci_key *key = ref->key;
    ovs_list_remove(&ref->key_node);
    ovs_list_remove(&ref->owner_node);
    free(ref);
    if (ovs_list_is_empty(&key->refs)) {
        hmap_remove(&ci->keys, &key->node);
        free(key->name);
        free(key);
    }
}

/* Frees 'owner' and its dependencies. */
static void
ci_owner_destroy(struct change_index *ci, struct ci_owner *owner)
{
    struct ci_ref *ref;
    LIST_FOR_EACH_SAFE (ref, owner_node, &owner->refs) {
        ci_ref_destroy(ci, ref);
    }
    hmap_remove(&ci->owners, &owner->node);
    free(owner);
}

/* Forgets every dependency. */
void
change_index_clear(struct change_index *ci)
{
    struct ci_owner *owner;
    HMAP_FOR_EACH_SAFE (owner, node, &ci->owners) {
        ci_owner_destroy(ci, owner);
    }
    ci->is_building = false;
}

/* Frees 'ci'. */
void
change_index_destroy(struct change_index *ci)
{
    if (ci) {
        change_index_clear(ci);
        hmap_destroy(&ci->keys);
        hmap_destroy(&ci->owners);
        free(ci);
    }
}

/* Returns the entry of owner 'id', or NULL if it has no dependency. */
static struct ci_owner *
ci_owner_find(const struct change_index *ci, const struct lflow_owner_id *id)
{
    struct ci_owner *owner;
    HMAP_FOR_EACH_WITH_HASH (owner, node, lflow_owner_id_hash(id),
                             &ci->owners) {
        if (lflow_owner_id_equals(&owner->id, id)) {
            return owner;
        }
    }
    return NULL;
}

/* Starts recording the dependencies of owner 'id', forgetting those it
 * had. */
void
change_index_owner_begin(struct change_index *ci,
                         const struct lflow_owner_id *id)
{
    ovs_assert(!ci->is_building);
    change_index_owner_remove(ci, id);
    ci->building = *id;
    ci->is_building = true;
}

/* Ends recording the dependencies of the owner being built. */
void
change_index_owner_end(struct change_index *ci)
{
    ovs_assert(ci->is_building);
    ci->is_building = false;
}

/* Forgets every dependency of owner 'id'. */
void
change_index_owner_remove(struct change_index *ci,
                          const struct lflow_owner_id *id)
{
    struct ci_owner *owner = ci_owner_find(ci, id);
    if (owner) {
        ci_owner_destroy(ci, owner);
    }
}

/* Returns the key for row 'uuid' (if 'name' is NULL) or for 'name' of
 * 'table', with hash 'hash', or NULL. */
static struct ci_key *
ci_key_find(const struct change_index *ci,
            const struct ovsdb_idl_table_class *table,
            const struct uuid *uuid, const char *name, uint32_t hash)
{
    struct ci_key *key;
    HMAP_FOR_EACH_WITH_HASH (key, node, hash, &ci->keys) {
        if (key->table == table
            && (name
                ? key->name && !strcmp(key->name, name)
                : !key->name && uuid_equals(&key->uuid, uuid))) {
            return key;
        }
    }
    return NULL;
}

/* Records that the owner being built depends on the key for row 'uuid'
 * (if 'name' is NULL) or for 'name' of 'table'. */
static void
ci_add(struct change_index *ci, const struct ovsdb_idl_table_class *table,
       const struct uuid *uuid, const char *name)
{
    ovs_assert(ci->is_building);
    uint32_t hash = name ? ci_hash_name(table, name)
                    : ci_hash_row(table, uuid);
    struct ci_key *key = ci_key_find(ci, table, uuid, name, hash);
    struct ci_owner *owner = ci_owner_find(ci, &ci->building);
    if (!owner) {
        owner = xmalloc(sizeof *owner);
        owner->id = ci->building;
        ovs_list_init(&owner->refs);
        hmap_insert(&ci->owners, &owner->node,
                    lflow_owner_id_hash(&owner->id));
    } else if (key) {
        /* An owner has few dependencies: look among them. */
        struct ci_ref *ref;
        LIST_FOR_EACH (ref, owner_node, &owner->refs) {
            if (ref->key == key) {
                return;
            }
        }
    }
    if (!key) {
        key = xzalloc(sizeof *key);
        key->table = table;
        if (name) {
            key->name = xstrdup(name);
        } else {
            key->uuid = *uuid;
        }
        ovs_list_init(&key->refs);
        hmap_insert(&ci->keys, &key->node, hash);
    }
    struct ci_ref *ref = xmalloc(sizeof *ref);
    ref->key = key;
    ref->owner = owner;
    ovs_list_push_back(&key->refs, &ref->key_node);
    ovs_list_push_back(&owner->refs, &ref->owner_node);
}

/* Records that the owner being built depends on row 'uuid' of 'table'. */
void
change_index_add_row(struct change_index *ci,
                     const struct ovsdb_idl_table_class *table,
                     const struct uuid *uuid)
{
    ci_add(ci, table, uuid, NULL);
}

/* Records that the owner being built depends on the row of 'table' named
 * 'name', whether or not one exists. */
void
change_index_add_name(struct change_index *ci,
                      const struct ovsdb_idl_table_class *table,
                      const char *name)
{
    ci_add(ci, table, NULL, name);
}

/* The name under which a dependency on a whole table is kept: no NB row
 * that an owner looks up by name is unnamed. */
#define CI_WHOLE_TABLE ""

/* Declares that the owner being built depends on every row of 'table'. */
void
change_index_add_table(struct change_index *ci,
                       const struct ovsdb_idl_table_class *table)
{
    ci_add(ci, table, NULL, CI_WHOLE_TABLE);
}

/* Adds to 'owners' every owner that depends on the key given (see
 * ci_add()). */
static void
ci_find(const struct change_index *ci,
        const struct ovsdb_idl_table_class *table, const struct uuid *uuid,
        const char *name, struct lflow_owner_set *owners)
{
    uint32_t hash = name ? ci_hash_name(table, name)
                    : ci_hash_row(table, uuid);
    const struct ci_key *key = ci_key_find(ci, table, uuid, name, hash);
    if (key) {
        const struct ci_ref *ref;
        LIST_FOR_EACH (ref, key_node, &key->refs) {
            lflow_owner_set_add(owners, &ref->owner->id);
        }
    }
}

/* Adds to 'owners' every owner that depends on row 'uuid' of 'table'. */
void
change_index_find_row(const struct change_index *ci,
                      const struct ovsdb_idl_table_class *table,
                      const struct uuid *uuid,
                      struct lflow_owner_set *owners)
{
    ci_find(ci, table, uuid, NULL, owners);
}

/* Adds to 'owners' every owner that depends on the row of 'table' named
 * 'name'. */
void
change_index_find_name(const struct change_index *ci,
                       const struct ovsdb_idl_table_class *table,
                       const char *name, struct lflow_owner_set *owners)
{
    ci_find(ci, table, NULL, name, owners);
}

/* Adds to 'owners' every owner that depends on the whole of 'table'. */
void
change_index_find_table(const struct change_index *ci,
                        const struct ovsdb_idl_table_class *table,
                        struct lflow_owner_set *owners)
{
    ci_find(ci, table, NULL, CI_WHOLE_TABLE, owners);
}

/* Returns the number of owners with dependencies. */
size_t
change_index_n_owners(const struct change_index *ci)
{
    return hmap_count(&ci->owners);
}

/* Returns the number of rows and names owners depend on. */
size_t
change_index_n_keys(const struct change_index *ci)
{
    return hmap_count(&ci->keys);
}
