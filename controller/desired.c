#include <config.h>

#include "controller/desired.h"

#include <stdlib.h>
#include <string.h>

#include "controller/ofctrl-flow.h"

#include "byte-order.h"
#include "hash.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(desired);

/* An owner: what it contributes now, and while it is being rebuilt
 * (between desired_begin() and desired_end()) what it contributed
 * before. */
struct desired_owner {
    struct hmap_node node;      /* In desired's 'owners'. */
    enum desired_kind kind;     /* Kind of owner. */
    struct uuid uuid;           /* Its row (or datapath) UUID. */
    uint64_t gen;               /* Sweep generation when last rebuilt. */
    struct ovs_list contribs;   /* "struct desired_contrib"s, current. */
    struct ovs_list old;        /* Previous ones, while rebuilding. */
    uint32_t *groups;           /* Group ids it uses, current. */
    size_t n_groups, allocated_groups;
    uint32_t *old_groups;       /* Previous ones, while rebuilding. */
    size_t n_old_groups;
    uint32_t *meters;           /* Meter ids it uses, current. */
    size_t n_meters, allocated_meters;
    uint32_t *old_meters;       /* Previous ones, while rebuilding. */
    size_t n_old_meters;
    uint32_t *conjs;            /* Conjunction ids it has, current. */
    size_t n_conjs, allocated_conjs;
    uint32_t *old_conjs;        /* Previous ones, while rebuilding. */
    size_t n_old_conjs;
};

/* A conjunction id in use. */
struct desired_conj {
    struct hmap_node node;      /* In desired's 'conj_ids', by id. */
    uint32_t id;                /* The id. */
    struct desired_owner *owner; /* Who has it. */
};

/* One owner's contribution to one flow key. */
struct desired_contrib {
    struct ovs_list flow_node;  /* In its desired_flow's 'contribs'. */
    struct ovs_list owner_node; /* In its owner's 'contribs' or 'old'. */
    struct desired_flow *dflow; /* The key it contributes to. */
    struct desired_owner *owner; /* Who asked. */
    struct ofctrl_flow *flow;   /* The flow asked for (one reference). */
    ovs_be64 cookie;            /* Its cookie. */
    bool old;                   /* In the owner's 'old' list. */
};

static uint32_t
desired_owner_hash(enum desired_kind kind, const struct uuid *uuid)
{
    return hash_int(kind, uuid_hash(uuid));
}

/* Initializes 'd' as empty. */
void
desired_init(struct desired *d)
{
    memset(d, 0, sizeof *d);
    hmap_init(&d->flows);
    hmap_init(&d->owners);
    hmap_init(&d->cache);
    hmapx_init(&d->unused);
    hmap_init(&d->groups);
    hmap_init(&d->meters);
    hmap_init(&d->conj_ids);
    hmapx_init(&d->dirty);
}

static struct desired_owner *
desired_owner_find(const struct desired *d, enum desired_kind kind,
                   const struct uuid *uuid)
{
    struct desired_owner *o;

    HMAP_FOR_EACH_WITH_HASH (o, node, desired_owner_hash(kind, uuid),
                             &d->owners) {
        if (o->kind == kind && uuid_equals(&o->uuid, uuid)) {
            return o;
        }
    }
    return NULL;
}

/* Marks 'df' changed. */
static void
desired_flow_touch(struct desired *d, struct desired_flow *df)
{
    if (df->merged) {
        ofctrl_flow_unref(df->merged);
        df->merged = NULL;
    }
    if (!df->dirty) {
        df->dirty = true;
        hmapx_add(&d->dirty, df);
    }
}

/* Drops a contribution's reference to 'f'.  A parsed flow that no
 * contribution uses any more stays in the cache until
 * desired_forget_unused(), at the end of the main loop's pass (the
 * engine's and the elephant detector's changes): a logical flow
 * replaced by another (a new UUID, with most of the same OpenFlow flows,
 * as when a port joins a bucket of shared port-security flows) is
 * removed before its successor is added, which then finds its flows
 * parsed. */
static void
desired_release_flow(struct desired *d, struct ofctrl_flow *f)
{
    if (f->refs == 1 && f->text) {
        /* The cache's 'unused' takes over the last reference. */
        hmapx_add(&d->unused, f);
        return;
    }
    ofctrl_flow_unref(f);
}

/* Frees the parsed flows that no contribution uses (see
 * desired_release_flow()). */
void
desired_forget_unused(struct desired *d)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &d->unused) {
        struct ofctrl_flow *f = node->data;
        hmap_remove(&d->cache, &f->cache_node);
        ofctrl_flow_unref(f);
    }
    hmapx_clear(&d->unused);
}

/* Removes contribution 'c' and frees it. */
static void
desired_contrib_destroy(struct desired *d, struct desired_contrib *c)
{
    ovs_list_remove(&c->flow_node);
    ovs_list_remove(&c->owner_node);
    desired_flow_touch(d, c->dflow);
    desired_release_flow(d, c->flow);
    free(c);
}

/* Returns the parsed flow of 'text', parsing it unless the cache has it
 * (a contribution uses it, or did in this pass), with a reference for
 * the caller; or NULL and an error. */
static struct ofctrl_flow *
desired_parse(struct desired *d, const char *text, char **errorp)
{
    uint32_t hash = hash_string(text, 0);
    struct ofctrl_flow *f;

    *errorp = NULL;
    HMAP_FOR_EACH_WITH_HASH (f, cache_node, hash, &d->cache) {
        if (!strcmp(f->text, text)) {
            /* An unused flow's reference goes to the caller. */
            return (hmapx_find_and_delete(&d->unused, f)
                    ? f : ofctrl_flow_ref(f));
        }
    }
    *errorp = ofctrl_flow_parse(text, &f);
    if (*errorp) {
        return NULL;
    }
    d->n_parsed++;
    f->text = xstrdup(text);
    hmap_insert(&d->cache, &f->cache_node, hash);
    return f;
}

static struct desired_flow *
desired_flow_find(const struct desired *d, const struct ofctrl_flow *f)
{
    struct desired_flow *df;

    HMAP_FOR_EACH_WITH_HASH (df, node, f->hash, &d->flows) {
        if (!strcmp(df->key, f->key)) {
            return df;
        }
    }
    return NULL;
}

/* Starts rebuilding the contributions of owner 'kind'/'uuid' (a new
 * owner, or one that contributes already): what it adds until
 * desired_end() replaces what it had. */
void
desired_begin(struct desired *d, enum desired_kind kind,
              const struct uuid *uuid)
{
    ovs_assert(!d->building);
    struct desired_owner *o = desired_owner_find(d, kind, uuid);
    if (!o) {
        o = xzalloc(sizeof *o);
        o->kind = kind;
        o->uuid = *uuid;
        ovs_list_init(&o->contribs);
        hmap_insert(&d->owners, &o->node, desired_owner_hash(kind, uuid));
    }
    ovs_list_init(&o->old);
    if (!ovs_list_is_empty(&o->contribs)) {
        ovs_list_splice(&o->old, o->contribs.next, &o->contribs);
    }
    struct desired_contrib *c;
    LIST_FOR_EACH (c, owner_node, &o->old) {
        c->old = true;
    }
    o->old_groups = o->groups;
    o->n_old_groups = o->n_groups;
    o->groups = NULL;
    o->n_groups = o->allocated_groups = 0;
    o->old_meters = o->meters;
    o->n_old_meters = o->n_meters;
    o->meters = NULL;
    o->n_meters = o->allocated_meters = 0;
    o->old_conjs = o->conjs;
    o->n_old_conjs = o->n_conjs;
    o->conjs = NULL;
    o->n_conjs = o->allocated_conjs = 0;
    o->gen = d->sweep_gen[kind];
    d->building = o;
}

/* Adds the flow written 'text' (ovs-ofctl "table=T,priority=P,MATCH,
 * actions=ACTIONS") with 'cookie' to the owner being built.  Returns
 * NULL, or an error if it does not parse or the owner asked for another
 * flow with the same key. */
char *
desired_add_flow(struct desired *d, uint32_t cookie, const char *text)
{
    struct desired_owner *o = d->building;
    ovs_assert(o);

    char *error;
    struct ofctrl_flow *f = desired_parse(d, text, &error);
    if (!f) {
        return error;
    }
    ovs_be64 be_cookie = htonll(cookie);
    struct desired_flow *df = desired_flow_find(d, f);
    if (df) {
        struct desired_contrib *c;
        LIST_FOR_EACH (c, flow_node, &df->contribs) {
            if (c->owner != o) {
                continue;
            }
            bool same = (c->flow == f
                         || !strcmp(c->flow->actions, f->actions));
            if (c->old && same && c->cookie == be_cookie) {
                /* Unchanged: keep it, the key is not dirty. */
                c->old = false;
                ovs_list_remove(&c->owner_node);
                ovs_list_push_back(&o->contribs, &c->owner_node);
                desired_release_flow(d, f);
                return NULL;
            } else if (!c->old && (same || !c->flow->conj_only
                                   || !f->conj_only)) {
                /* The owner asked for this key already: the same flow
                 * again is fine, another one conflicts, unless both are
                 * clauses of conjunctions (two of the owner's conjunctive
                 * matches sharing a term), which merge. */
                error = (same ? NULL
                         : xasprintf("%s: conflicts with actions=%s",
                                     text, c->flow->actions));
                desired_release_flow(d, f);
                return error;
            }
        }
    } else {
        df = xzalloc(sizeof *df);
        df->key = xstrdup(f->key);
        df->hash = f->hash;
        ovs_list_init(&df->contribs);
        hmap_insert(&d->flows, &df->node, df->hash);
    }

    struct desired_contrib *c = xzalloc(sizeof *c);
    c->dflow = df;
    c->owner = o;
    c->flow = f;
    c->cookie = be_cookie;
    ovs_list_push_back(&df->contribs, &c->flow_node);
    ovs_list_push_back(&o->contribs, &c->owner_node);
    desired_flow_touch(d, df);
    return NULL;
}

static struct desired_gm *
desired_gm_find(const struct hmap *map, uint32_t id)
{
    struct desired_gm *gm;

    HMAP_FOR_EACH_WITH_HASH (gm, node, hash_int(id, 0), map) {
        if (gm->id == id) {
            return gm;
        }
    }
    return NULL;
}

/* Drops one reference to entry 'id' of 'map'. */
static void
desired_gm_unref(struct hmap *map, uint32_t id)
{
    struct desired_gm *gm = desired_gm_find(map, id);
    if (gm && !--gm->refs) {
        hmap_remove(map, &gm->node);
        free(gm->spec);
        free(gm->canon);
        free(gm);
    }
}

/* Returns how many times 'id' is in 'ids', of which there are 'n'. */
static size_t
desired_count_id(const uint32_t *ids, size_t n, uint32_t id)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        count += ids[i] == id;
    }
    return count;
}

/* Adds group or meter 'id' of 'kind' ("group", "meter") with 'spec' and
 * canonical content 'canon' (taken) to 'map' for the owner being built,
 * whose ids are in '*ids' and whose previous build's ids are the 'n_old'
 * 'old_ids'.  A group or meter that only the owner's previous build holds
 * takes the new content (ofctrl then modifies it in the switch, and the
 * flows that use it stay); one that another owner holds with different
 * content is an error.  Returns NULL or an error. */
static char *
desired_gm_add(struct hmap *map, const char *kind, uint32_t id,
               const char *spec, char *canon, uint32_t **ids, size_t *n,
               size_t *allocated, const uint32_t *old_ids, size_t n_old)
{
    struct desired_gm *gm = desired_gm_find(map, id);
    if (gm && strcmp(gm->canon, canon)) {
        if (gm->refs > desired_count_id(old_ids, n_old, id)) {
            free(canon);
            return xasprintf("%s %"PRIu32" (%s): conflicts with %s", kind,
                             id, spec, gm->spec);
        }
        free(gm->spec);
        free(gm->canon);
        gm->spec = xstrdup(spec);
        gm->canon = canon;
        canon = xstrdup(canon);
    }
    for (size_t i = 0; i < *n; i++) {
        if ((*ids)[i] == id) {
            free(canon);
            return NULL;
        }
    }
    if (gm) {
        free(canon);
        gm->refs++;
    } else {
        gm = xzalloc(sizeof *gm);
        gm->id = id;
        gm->spec = xstrdup(spec);
        gm->canon = canon;
        gm->refs = 1;
        hmap_insert(map, &gm->node, hash_int(id, 0));
    }
    if (*n >= *allocated) {
        *ids = x2nrealloc(*ids, allocated, sizeof **ids);
    }
    (*ids)[(*n)++] = id;
    return NULL;
}

/* Adds select group 'id', written 'spec' in ovs-ofctl group syntax
 * without the group_id ("type=select,bucket=actions=..."), to the owner
 * being built.  Returns NULL, or an error if it does not parse or a
 * different group has the same id. */
char *
desired_add_group(struct desired *d, uint32_t id, const char *spec)
{
    struct desired_owner *o = d->building;
    ovs_assert(o);
    char *canon;
    char *error = ofctrl_group_canon_from_spec(id, spec, &canon);
    return (error ? error
            : desired_gm_add(&d->groups, "group", id, spec, canon,
                             &o->groups, &o->n_groups,
                             &o->allocated_groups, o->old_groups,
                             o->n_old_groups));
}

/* Adds meter 'id', written 'spec' in ovs-ofctl meter syntax without the
 * meter id ("pktps,burst,bands=type=drop,rate=100,burst_size=10"), to
 * the owner being built.  Returns NULL, or an error if it does not parse
 * or a different meter has the same id. */
char *
desired_add_meter(struct desired *d, uint32_t id, const char *spec)
{
    struct desired_owner *o = d->building;
    ovs_assert(o);
    char *canon;
    char *error = ofctrl_meter_canon_from_spec(id, spec, &canon);
    return (error ? error
            : desired_gm_add(&d->meters, "meter", id, spec, canon,
                             &o->meters, &o->n_meters,
                             &o->allocated_meters, o->old_meters,
                             o->n_old_meters));
}

/* Frees owner 'o', which contributes nothing. */
static void
desired_owner_destroy(struct desired *d, struct desired_owner *o)
{
    hmap_remove(&d->owners, &o->node);
    free(o->groups);
    free(o->meters);
    free(o->conjs);
    free(o);
}

static struct desired_conj *
desired_conj_find(const struct desired *d, uint32_t id)
{
    struct desired_conj *c;
    HMAP_FOR_EACH_WITH_HASH (c, node, hash_int(id, 0), &d->conj_ids) {
        if (c->id == id) {
            return c;
        }
    }
    return NULL;
}

/* Returns a conjunction id for the owner being built: 'hint' if it is free
 * or the owner's already (from before the rebuild), else the next free
 * one after it.  Never 0. */
uint32_t
desired_conj_id(struct desired *d, uint32_t hint)
{
    struct desired_owner *o = d->building;
    ovs_assert(o);
    uint32_t id = hint ? hint : 1;
    for (;;) {
        struct desired_conj *c = desired_conj_find(d, id);
        if (!c) {
            c = xmalloc(sizeof *c);
            c->id = id;
            c->owner = o;
            hmap_insert(&d->conj_ids, &c->node, hash_int(id, 0));
            break;
        }
        bool mine = c->owner == o;
        for (size_t i = 0; mine && i < o->n_conjs; i++) {
            /* Already taken in this rebuild: another conjunction of the
             * owner needs another id. */
            mine = o->conjs[i] != id;
        }
        if (mine) {
            break;
        }
        id = id == UINT32_MAX ? 1 : id + 1;
    }
    if (o->n_conjs >= o->allocated_conjs) {
        o->conjs = x2nrealloc(o->conjs, &o->allocated_conjs,
                              sizeof *o->conjs);
    }
    o->conjs[o->n_conjs++] = id;
    return id;
}

/* Releases what owner 'o' contributed before the rebuild that is
 * ending. */
static void
desired_release_old(struct desired *d, struct desired_owner *o)
{
    struct desired_contrib *c;
    LIST_FOR_EACH_SAFE (c, owner_node, &o->old) {
        desired_contrib_destroy(d, c);
    }
    for (size_t i = 0; i < o->n_old_groups; i++) {
        desired_gm_unref(&d->groups, o->old_groups[i]);
    }
    free(o->old_groups);
    o->old_groups = NULL;
    o->n_old_groups = 0;
    for (size_t i = 0; i < o->n_old_meters; i++) {
        desired_gm_unref(&d->meters, o->old_meters[i]);
    }
    free(o->old_meters);
    o->old_meters = NULL;
    o->n_old_meters = 0;
    for (size_t i = 0; i < o->n_old_conjs; i++) {
        uint32_t id = o->old_conjs[i];
        bool kept = false;
        for (size_t j = 0; !kept && j < o->n_conjs; j++) {
            kept = o->conjs[j] == id;
        }
        struct desired_conj *conj = desired_conj_find(d, id);
        if (!kept && conj && conj->owner == o) {
            hmap_remove(&d->conj_ids, &conj->node);
            free(conj);
        }
    }
    free(o->old_conjs);
    o->old_conjs = NULL;
    o->n_old_conjs = 0;
}

/* Ends the rebuild begun by desired_begin(): what the owner contributed
 * before and did not add again goes.  An owner left with nothing is
 * forgotten. */
void
desired_end(struct desired *d)
{
    struct desired_owner *o = d->building;
    ovs_assert(o);
    d->building = NULL;
    desired_release_old(d, o);
    if (ovs_list_is_empty(&o->contribs) && !o->n_groups && !o->n_meters
        && !o->n_conjs) {
        desired_owner_destroy(d, o);
    }
}

/* Removes everything owner 'kind'/'uuid' contributes (nothing if it is
 * unknown). */
void
desired_remove(struct desired *d, enum desired_kind kind,
               const struct uuid *uuid)
{
    if (desired_owner_find(d, kind, uuid)) {
        desired_begin(d, kind, uuid);
        desired_end(d);
    }
}

/* Returns true if owner 'kind'/'uuid' contributes anything. */
bool
desired_has_owner(const struct desired *d, enum desired_kind kind,
                  const struct uuid *uuid)
{
    return desired_owner_find(d, kind, uuid) != NULL;
}

/* Starts a full rebuild of the owners of the kinds in 'kinds' (a set of
 * DESIRED_KIND_BIT()s): desired_sweep_end() removes those not rebuilt
 * (with desired_begin()) in between. */
void
desired_sweep_begin(struct desired *d, uint32_t kinds)
{
    for (int k = 0; k < DESIRED_N_KINDS; k++) {
        if (kinds & DESIRED_KIND_BIT(k)) {
            d->sweep_gen[k]++;
        }
    }
}

/* Ends the full rebuild begun by desired_sweep_begin(). */
void
desired_sweep_end(struct desired *d, uint32_t kinds)
{
    struct desired_owner *o;
    HMAP_FOR_EACH_SAFE (o, node, &d->owners) {
        if (kinds & DESIRED_KIND_BIT(o->kind)
            && o->gen != d->sweep_gen[o->kind]) {
            desired_begin(d, o->kind, &o->uuid);
            desired_end(d);
        }
    }
}

/* Returns the spec of group 'id', or NULL if no owner has it. */
const char *
desired_find_group(const struct desired *d, uint32_t id)
{
    const struct desired_gm *gm = desired_gm_find(&d->groups, id);
    return gm ? gm->spec : NULL;
}

/* Returns the spec of meter 'id', or NULL if no owner has it. */
const char *
desired_find_meter(const struct desired *d, uint32_t id)
{
    const struct desired_gm *gm = desired_gm_find(&d->meters, id);
    return gm ? gm->spec : NULL;
}

/* Compares owners by kind, then UUID. */
static int
desired_owner_cmp(const struct desired_owner *a, const struct desired_owner *b)
{
    return (a->kind != b->kind ? (a->kind < b->kind ? -1 : 1)
            : uuid_compare_3way(&a->uuid, &b->uuid));
}

/* Compares conjunction actions, for sorting. */
static int
desired_conj_cmp(const void *a_, const void *b_)
{
    const struct ofpact_conjunction *a = *(const struct ofpact_conjunction **)
                                          a_;
    const struct ofpact_conjunction *b = *(const struct ofpact_conjunction **)
                                          b_;
    if (a->id != b->id) {
        return a->id < b->id ? -1 : 1;
    }
    if (a->clause != b->clause) {
        return a->clause < b->clause ? -1 : 1;
    }
    return (a->n_clauses > b->n_clauses) - (a->n_clauses < b->n_clauses);
}

/* Returns a new flow with the key of 'df' and every conjunction action of
 * its contributions, sorted, without duplicates. */
static struct ofctrl_flow *
desired_merge_conjunctions(const struct desired_flow *df)
{
    const struct ofpact_conjunction **conjs = NULL;
    size_t n = 0, allocated = 0;
    const struct desired_contrib *c;
    const struct ofctrl_flow *first = NULL;

    LIST_FOR_EACH (c, flow_node, &df->contribs) {
        const struct ofpact *a;
        first = first ? first : c->flow;
        OFPACT_FOR_EACH (a, c->flow->ofpacts, c->flow->ofpacts_len) {
            if (n >= allocated) {
                conjs = x2nrealloc(conjs, &allocated, sizeof *conjs);
            }
            conjs[n++] = ofpact_get_CONJUNCTION(a);
        }
    }
    qsort(conjs, n, sizeof *conjs, desired_conj_cmp);

    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    for (size_t i = 0; i < n; i++) {
        if (i && !desired_conj_cmp(&conjs[i - 1], &conjs[i])) {
            continue;
        }
        struct ofpact_conjunction *conj = ofpact_put_CONJUNCTION(&ofpacts);
        conj->id = conjs[i]->id;
        conj->clause = conjs[i]->clause;
        conj->n_clauses = conjs[i]->n_clauses;
    }
    free(conjs);

    struct match m;
    minimatch_expand(&first->match, &m);
    struct ofctrl_flow *merged = ofctrl_flow_create(first->table_id,
                                                    first->priority, &m,
                                                    ofpacts.data,
                                                    ofpacts.size);
    ofpbuf_uninit(&ofpacts);
    return merged;
}

/* Returns the flow br-int should have for key 'df', with its cookie in
 * '*cookie', or NULL if no owner asks for it any more.  See "Flows shared
 * by owners" in desired.h. */
const struct ofctrl_flow *
desired_flow_effective(struct desired *d OVS_UNUSED, struct desired_flow *df,
                       ovs_be64 *cookie)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    const struct desired_contrib *c, *best = NULL;
    bool conj_only = true, agree = true;

    LIST_FOR_EACH (c, flow_node, &df->contribs) {
        conj_only = conj_only && c->flow->conj_only;
        if (best && c->flow != best->flow
            && strcmp(c->flow->actions, best->flow->actions)) {
            agree = false;
        }
        if (!best || desired_owner_cmp(c->owner, best->owner) < 0) {
            best = c;
        }
    }
    if (!best) {
        return NULL;
    }
    *cookie = best->cookie;
    if (conj_only && !agree) {
        if (!df->merged) {
            df->merged = desired_merge_conjunctions(df);
        }
        return df->merged;
    }
    if (!agree) {
        VLOG_WARN_RL(&rl, "flows with the same key %s but different actions "
                     "from several owners: installing actions=%s (cookie "
                     "%#"PRIx64")", df->key, best->flow->actions,
                     ntohll(best->cookie));
    }
    return best->flow;
}

/* Forgets which flows changed (after ofctrl has sent them), and the keys
 * no owner asks for any more. */
void
desired_clear_dirty(struct desired *d)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &d->dirty) {
        struct desired_flow *df = node->data;
        df->dirty = false;
        if (ovs_list_is_empty(&df->contribs)) {
            hmap_remove(&d->flows, &df->node);
            ofctrl_flow_unref(df->merged);
            free(CONST_CAST(char *, df->key));
            free(df);
        }
    }
    hmapx_clear(&d->dirty);
}

/* Returns the number of flow keys some owner asks for. */
size_t
desired_count_flows(const struct desired *d)
{
    size_t n = 0;
    const struct desired_flow *df;
    HMAP_FOR_EACH (df, node, &d->flows) {
        n += !ovs_list_is_empty(&df->contribs);
    }
    return n;
}

/* Returns the number of owners of 'kind'. */
size_t
desired_count_owners(const struct desired *d, enum desired_kind kind)
{
    size_t n = 0;
    const struct desired_owner *o;
    HMAP_FOR_EACH (o, node, &d->owners) {
        n += o->kind == kind;
    }
    return n;
}

/* Frees everything 'd' holds.  Accepts NULL. */
void
desired_destroy(struct desired *d)
{
    if (!d) {
        return;
    }
    struct desired_owner *o;
    HMAP_FOR_EACH_SAFE (o, node, &d->owners) {
        desired_begin(d, o->kind, &o->uuid);
        desired_end(d);
    }
    desired_clear_dirty(d);
    desired_forget_unused(d);
    ovs_assert(hmap_is_empty(&d->flows));
    ovs_assert(hmap_is_empty(&d->cache));
    hmapx_destroy(&d->unused);
    hmap_destroy(&d->flows);
    hmap_destroy(&d->owners);
    hmap_destroy(&d->cache);
    struct desired_gm *gm;
    HMAP_FOR_EACH_POP (gm, node, &d->groups) {
        free(gm->spec);
        free(gm->canon);
        free(gm);
    }
    HMAP_FOR_EACH_POP (gm, node, &d->meters) {
        free(gm->spec);
        free(gm->canon);
        free(gm);
    }
    hmap_destroy(&d->groups);
    hmap_destroy(&d->meters);
    ovs_assert(hmap_is_empty(&d->conj_ids));
    hmap_destroy(&d->conj_ids);
    hmapx_destroy(&d->dirty);
}
