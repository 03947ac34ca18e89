#include <config.h>

#include "controller/ofctrl.h"

#include <stdlib.h>
#include <string.h>

#include "lib/pipeline.h"

#include "byte-order.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "socket-util.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofctrl);

/* The OpenFlow version and protocol used on br-int. */
#define OFCTRL_VERSION OFP15_VERSION
#define OFCTRL_PROTOCOL OFPUTIL_P_OF15_OXM

/* Longest wait, in seconds, between attempts to reach br-int.  The socket
 * is local, so retrying often costs nothing and shortens the outage after
 * an ovs-vswitchd restart. */
#define OFCTRL_MAX_BACKOFF 2

/* Milliseconds to wait before re-reading the switch after it rejected an
 * update. */
#define OFCTRL_RETRY_MS 1000

/* One flow: desired, or installed in br-int.  A parsed flow in the cache
 * is shared with the desired table that holds it (reference counted):
 * most flows come back unchanged on every recompute, and copying them
 * would cost more than the rest of the compute. */
struct ofctrl_flow {
    struct hmap_node node;      /* In a flow table, by 'hash'. */
    bool in_table;              /* 'node' is in a table. */
    size_t refs;                /* References: tables and cache entries. */
    uint32_t hash;              /* hash_string('key', 0). */
    char *key;                  /* "table=T,priority=P,MATCH", canonical. */
    char *actions;              /* Actions, canonical text. */
    uint8_t table_id;           /* OpenFlow table. */
    uint16_t priority;          /* OpenFlow priority. */
    ovs_be64 cookie;            /* OpenFlow cookie. */
    struct minimatch match;     /* Match. */
    struct ofpact *ofpacts;     /* Actions, owned. */
    size_t ofpacts_len;         /* Bytes in 'ofpacts'. */
};

/* A group or a meter: desired, or installed in br-int. */
struct ofctrl_gm {
    struct hmap_node node;      /* In a table, by hash of 'id'. */
    uint32_t id;                /* Group or meter id. */
    char *spec;                 /* As given ("type=select,bucket=..." or
                                 * "pktps,bands=..."), without the id; NULL
                                 * for an installed one read from br-int. */
    char *canon;                /* Canonical content, for comparison. */
};

/* Connection states. */
enum ofctrl_state {
    S_DISCONNECTED,             /* No connection to br-int. */
    S_DUMPING,                  /* Reading the installed flows, groups and
                                 * meters. */
    S_ACTIVE,                   /* Installed flows known; updating. */
    S_RETRY,                    /* Update rejected; re-read after a pause. */
};

/* The OpenFlow connection to br-int and what it holds. */
struct ofctrl {
    struct rconn *rconn;            /* Connection to br-int.mgmt. */
    unsigned int conn_seqno;        /* rconn's connection seqno seen. */
    enum ofctrl_state state;        /* See above. */
    unsigned int seqno;             /* Changes on every state change. */
    ovs_be32 dump_xid;              /* xid of the flow dump in S_DUMPING. */
    ovs_be32 group_dump_xid;        /* xid of the group dump. */
    ovs_be32 meter_dump_xid;        /* xid of the meter dump. */
    unsigned int dumps_pending;     /* Dumps not complete yet (0 to 3). */
    unsigned long long int n_group_mods; /* group_mods sent, ever. */
    unsigned long long int n_meter_mods; /* meter_mods sent, ever. */
    ovs_be32 tlv_xid;               /* xid of the TLV map request. */
    struct ofctrl_flow_table installed; /* What br-int holds. */
    uint32_t next_bundle_id;        /* Id for the next bundle. */
    ovs_be32 commit_xid;            /* xid of the bundle commit in flight,
                                     * or 0. */
    int64_t pending_cfg;            /* cfg the in-flight bundle completes. */
    uint64_t pending_gen;           /* Generation it completes. */
    uint64_t acked_gen;             /* Generation whose flows are in br-int,
                                     * 0 for none. */
    struct shash pending_adds;      /* xid of each flow, group or meter
                                     * added (or changed) by the bundle
                                     * in flight (as "%08x") -> the flow as
                                     * "KEY actions=ACTIONS". */
    struct sset rejected;           /* "KEY actions=ACTIONS" of flows br-int
                                     * refused; not sent again. */
    int64_t acked_cfg;              /* cfg whose flows are in br-int. */
    bool has_acked_cfg;             /* 'acked_cfg' is meaningful? */
    long long int retry_at;         /* When to leave S_RETRY. */
};

/* Returns a name for 'state' for logs and status. */
static const char *
ofctrl_state_to_string(enum ofctrl_state state)
{
    switch (state) {
    case S_DISCONNECTED: return "disconnected";
    case S_DUMPING: return "reading installed flows";
    case S_ACTIVE: return "connected";
    case S_RETRY: return "retrying after an error";
    }
    return "unknown";
}

/* Formats the canonical key of a flow into a new string. */
static char *
ofctrl_flow_key(uint8_t table_id, uint16_t priority, const struct match *m)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "table=%"PRIu8",priority=%"PRIu16, table_id, priority);
    size_t len = s.length;
    ds_put_char(&s, ',');
    match_format(m, NULL, &s, OFP_DEFAULT_PRIORITY);
    if (s.length == len + 1) {
        ds_truncate(&s, len);
    }
    return ds_steal_cstr(&s);
}

/* Formats 'ofpacts' into a new string. */
static char *
ofctrl_actions_string(const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };

    ofpacts_format(ofpacts, ofpacts_len, &fp);
    return ds_steal_cstr(&s);
}

/* Creates a flow, copying 'm' and 'ofpacts'. */
static struct ofctrl_flow *
ofctrl_flow_create(uint8_t table_id, uint16_t priority, ovs_be64 cookie,
                   const struct match *m, const struct ofpact *ofpacts,
                   size_t ofpacts_len)
{
    struct ofctrl_flow *f = xzalloc(sizeof *f);

    f->refs = 1;
    f->key = ofctrl_flow_key(table_id, priority, m);
    f->hash = hash_string(f->key, 0);
    f->actions = ofctrl_actions_string(ofpacts, ofpacts_len);
    f->table_id = table_id;
    f->priority = priority;
    f->cookie = cookie;
    minimatch_init(&f->match, m);
    f->ofpacts = ofpacts_len ? xmemdup(ofpacts, ofpacts_len) : NULL;
    f->ofpacts_len = ofpacts_len;
    return f;
}

/* Returns a copy of 'src'. */
static struct ofctrl_flow *
ofctrl_flow_copy(const struct ofctrl_flow *src)
{
    struct ofctrl_flow *f = xzalloc(sizeof *f);

    f->refs = 1;
    f->hash = src->hash;
    f->key = xstrdup(src->key);
    f->actions = xstrdup(src->actions);
    f->table_id = src->table_id;
    f->priority = src->priority;
    f->cookie = src->cookie;
    minimatch_clone(&f->match, &src->match);
    f->ofpacts = (src->ofpacts_len
                  ? xmemdup(src->ofpacts, src->ofpacts_len) : NULL);
    f->ofpacts_len = src->ofpacts_len;
    return f;
}

/* Drops a reference to 'f', freeing it with the last.  Accepts NULL. */
static void
ofctrl_flow_destroy(struct ofctrl_flow *f)
{
    if (f && !--f->refs) {
        free(f->key);
        free(f->actions);
        minimatch_destroy(&f->match);
        free(f->ofpacts);
        free(f);
    }
}

/* Returns the flow in 't' whose key is that of 'f' (hash already known),
 * or NULL. */
static struct ofctrl_flow *
ofctrl_flow_table_find_flow(const struct ofctrl_flow_table *t,
                            const struct ofctrl_flow *f)
{
    struct ofctrl_flow *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, f->hash, &t->flows) {
        if (!strcmp(g->key, f->key)) {
            return g;
        }
    }
    return NULL;
}

/* Inserts 'f', whose key is not yet in 't', into 't'. */
static void
ofctrl_flow_table_insert(struct ofctrl_flow_table *t, struct ofctrl_flow *f)
{
    ovs_assert(!f->in_table);
    f->in_table = true;
    hmap_insert(&t->flows, &f->node, f->hash);
}

/* Groups and meters. */

static struct ofctrl_gm *
ofctrl_gm_find(const struct hmap *map, uint32_t id)
{
    struct ofctrl_gm *gm;

    HMAP_FOR_EACH_WITH_HASH (gm, node, hash_int(id, 0), map) {
        if (gm->id == id) {
            return gm;
        }
    }
    return NULL;
}

/* Inserts a new entry for 'id' into 'map', taking ownership of 'spec'
 * and 'canon'. */
static struct ofctrl_gm *
ofctrl_gm_insert(struct hmap *map, uint32_t id, char *spec, char *canon)
{
    struct ofctrl_gm *gm = xmalloc(sizeof *gm);

    gm->id = id;
    gm->spec = spec;
    gm->canon = canon;
    hmap_insert(map, &gm->node, hash_int(id, 0));
    return gm;
}

static void
ofctrl_gm_remove(struct hmap *map, struct ofctrl_gm *gm)
{
    hmap_remove(map, &gm->node);
    free(gm->spec);
    free(gm->canon);
    free(gm);
}

static void
ofctrl_gm_clear(struct hmap *map)
{
    struct ofctrl_gm *gm, *next;

    HMAP_FOR_EACH_SAFE (gm, next, node, map) {
        ofctrl_gm_remove(map, gm);
    }
}

/* The canonical content of a group of 'type' with 'buckets': what the
 * switch does with it, independent of how it was written. */
static char *
ofctrl_group_canon(uint8_t type, const struct ovs_list *buckets)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct ofputil_bucket *b;

    ds_put_format(&s, "type=%"PRIu8, type);
    LIST_FOR_EACH (b, list_node, buckets) {
        ds_put_format(&s, ",bucket=weight:%"PRIu16",watch_port:%"PRIu32
                      ",watch_group:%"PRIu32",actions=", b->weight,
                      (uint32_t) b->watch_port, b->watch_group);
        struct ofpact_format_params fp = { .s = &s };
        ofpacts_format(b->ofpacts, b->ofpacts_len, &fp);
    }
    return ds_steal_cstr(&s);
}

/* Parses group 'id' with 'spec' (NULL for a delete) into a group_mod of
 * 'command'.  Returns NULL or an error.  The caller uninitializes '*gm' on success. */
static char * OVS_WARN_UNUSED_RESULT
ofctrl_group_parse(uint32_t id, const char *spec, int command,
                   struct ofputil_group_mod *gm)
{
    enum ofputil_protocol usable;
    char *text = (spec
                  ? xasprintf("group_id=%"PRIu32",%s", id, spec)
                  : xasprintf("group_id=%"PRIu32, id));
    char *error = parse_ofp_group_mod_str(gm, command, text, NULL, NULL,
                                          &usable);
    free(text);
    return error;
}

/* Adds group 'group_id', written 'spec' in ovs-ofctl group syntax without
 * the group_id ("type=select,bucket=actions=..."), to 't'.  Returns NULL,
 * or an error if it does not parse or 't' has a different group with the
 * same id.  An identical duplicate is accepted and ignored. */
char *
ofctrl_flow_table_add_group(struct ofctrl_flow_table *t, uint32_t group_id,
                            const char *spec)
{
    struct ofputil_group_mod gm;
    char *error = ofctrl_group_parse(group_id, spec, OFPGC15_ADD, &gm);
    if (error) {
        return error;
    }

    /* Through the wire format, as the switch will report it back. */
    struct ofpbuf *msg = ofputil_encode_group_mod(OFCTRL_VERSION, &gm, NULL,
                                                  false);
    struct ofputil_group_mod wire;
    enum ofperr err = ofputil_decode_group_mod(msg->data, &wire);
    ofpbuf_delete(msg);
    ofputil_uninit_group_mod(&gm);
    if (err) {
        return xasprintf("group %"PRIu32" (%s): %s", group_id, spec,
                         ofperr_to_string(err));
    }
    char *canon = ofctrl_group_canon(wire.type, &wire.buckets);
    ofputil_uninit_group_mod(&wire);

    struct ofctrl_gm *old = ofctrl_gm_find(&t->groups, group_id);
    if (old) {
        error = (strcmp(old->canon, canon)
                 ? xasprintf("group %"PRIu32" (%s): conflicts with %s",
                             group_id, spec, old->spec)
                 : NULL);
        free(canon);
        return error;
    }
    ofctrl_gm_insert(&t->groups, group_id, xstrdup(spec), canon);
    return NULL;
}

/* Returns the spec of group 'group_id' in 't', or NULL. */
const char *
ofctrl_flow_table_find_group(const struct ofctrl_flow_table *t,
                             uint32_t group_id)
{
    const struct ofctrl_gm *gm = ofctrl_gm_find(&t->groups, group_id);
    return gm ? gm->spec : NULL;
}

/* The canonical content of meter configuration 'mc'.  The userspace
 * datapath stores a band's zero burst size as its rate, and reports that
 * back: both read the same here. */
static char *
ofctrl_meter_canon(const struct ofputil_meter_config *mc)
{
    struct ofputil_meter_config copy = *mc;
    copy.bands = xmemdup(mc->bands, mc->n_bands * sizeof *mc->bands);
    for (size_t i = 0; i < copy.n_bands; i++) {
        if (!copy.bands[i].burst_size) {
            copy.bands[i].burst_size = copy.bands[i].rate;
        }
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ofputil_format_meter_config(&s, &copy);
    free(copy.bands);
    return ds_steal_cstr(&s);
}

/* Parses meter 'id' with 'spec' into a meter_mod of 'command'.  Returns
 * NULL or an error.  The caller frees 'mm->meter.bands' on success. */
static char * OVS_WARN_UNUSED_RESULT
ofctrl_meter_parse(uint32_t id, const char *spec, int command,
                   struct ofputil_meter_mod *mm)
{
    enum ofputil_protocol usable;
    char *text = (command == OFPMC13_DELETE
                  ? xasprintf("meter=%"PRIu32, id)
                  : xasprintf("meter=%"PRIu32",%s", id, spec));
    char *error = parse_ofp_meter_mod_str(mm, text, command, &usable);
    free(text);
    return error;
}

/* Adds meter 'meter_id', written 'spec' in ovs-ofctl meter syntax without
 * the meter id ("pktps,burst,bands=type=drop,rate=100,burst_size=10"), to
 * 't'.  Returns NULL, or an error if it does not parse or 't' has a
 * different meter with the same id. */
char *
ofctrl_flow_table_add_meter(struct ofctrl_flow_table *t, uint32_t meter_id,
                            const char *spec)
{
    struct ofputil_meter_mod mm;
    char *error = ofctrl_meter_parse(meter_id, spec, OFPMC13_ADD, &mm);
    if (error) {
        return error;
    }

    struct ofpbuf *msg = ofputil_encode_meter_mod(OFCTRL_VERSION, &mm);
    free(mm.meter.bands);
    struct ofputil_meter_mod wire;
    struct ofpbuf bands;
    ofpbuf_init(&bands, 64);
    enum ofperr err = ofputil_decode_meter_mod(msg->data, &wire, &bands);
    ofpbuf_delete(msg);
    if (err) {
        ofpbuf_uninit(&bands);
        return xasprintf("meter %"PRIu32" (%s): %s", meter_id, spec,
                         ofperr_to_string(err));
    }
    char *canon = ofctrl_meter_canon(&wire.meter);
    ofpbuf_uninit(&bands);

    struct ofctrl_gm *old = ofctrl_gm_find(&t->meters, meter_id);
    if (old) {
        error = (strcmp(old->canon, canon)
                 ? xasprintf("meter %"PRIu32" (%s): conflicts with %s",
                             meter_id, spec, old->spec)
                 : NULL);
        free(canon);
        return error;
    }
    ofctrl_gm_insert(&t->meters, meter_id, xstrdup(spec), canon);
    return NULL;
}

size_t
ofctrl_flow_table_count_groups(const struct ofctrl_flow_table *t)
{
    return hmap_count(&t->groups);
}

size_t
ofctrl_flow_table_count_meters(const struct ofctrl_flow_table *t)
{
    return hmap_count(&t->meters);
}

/* Initializes 't' as an empty flow table. */
void
ofctrl_flow_table_init(struct ofctrl_flow_table *t)
{
    hmap_init(&t->flows);
    hmap_init(&t->groups);
    hmap_init(&t->meters);
    t->cache = NULL;
}

/* Removes every flow, group and meter from 't'. */
void
ofctrl_flow_table_clear(struct ofctrl_flow_table *t)
{
    struct ofctrl_flow *f;

    HMAP_FOR_EACH_POP (f, node, &t->flows) {
        f->in_table = false;
        ofctrl_flow_destroy(f);
    }
    ofctrl_gm_clear(&t->groups);
    ofctrl_gm_clear(&t->meters);
}

/* Frees 't''s flows.  Accepts NULL. */
void
ofctrl_flow_table_destroy(struct ofctrl_flow_table *t)
{
    if (t) {
        ofctrl_flow_table_clear(t);
        hmap_destroy(&t->flows);
        hmap_destroy(&t->groups);
        hmap_destroy(&t->meters);
    }
}

/* Returns the number of flows in 't'. */
size_t
ofctrl_flow_table_count(const struct ofctrl_flow_table *t)
{
    return hmap_count(&t->flows);
}

/* Parses 'flow' ("table=T,priority=P,MATCH,actions=ACTIONS", ovs-ofctl
 * syntax) into '*fp', a new flow with 'cookie', canonicalized through the
 * OpenFlow 1.5 wire format the way the switch will report it back when its
 * tables are dumped.  Returns NULL on success, or a malloc'd error message
 * (and '*fp' = NULL). */
static char * OVS_WARN_UNUSED_RESULT
ofctrl_flow_parse(uint32_t cookie, const char *flow, struct ofctrl_flow **fp)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;

    *fp = NULL;
    char *error = parse_ofp_flow_mod_str(&fm, flow, NULL, NULL, OFPFC_ADD,
                                         &usable);
    if (error) {
        return error;
    }
    if (fm.table_id == 0xff) {
        fm.table_id = 0;
    }

    struct ofputil_flow_mod wire;
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFCTRL_PROTOCOL);
    enum ofperr err = ofputil_decode_flow_mod(&wire, msg->data,
                                              OFCTRL_PROTOCOL, NULL, NULL,
                                              &ofpacts, OFPP_MAX, 255);
    ofpbuf_delete(msg);
    if (!(usable & OFCTRL_PROTOCOL)) {
        error = xasprintf("%s: not expressible in OpenFlow 1.5", flow);
    } else if (err) {
        error = xasprintf("%s: %s", flow, ofperr_to_string(err));
    } else {
        struct match m;
        minimatch_expand(&wire.match, &m);
        minimatch_destroy(&wire.match);
        *fp = ofctrl_flow_create(wire.table_id, wire.priority,
                                 htonll(cookie), &m, wire.ofpacts,
                                 wire.ofpacts_len);
    }
    ofpbuf_uninit(&ofpacts);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    return error;
}

/* A parsed flow text, kept across recomputes: most flows come back
 * unchanged, and a lookup costs much less than parsing. */
struct ofctrl_cache_entry {
    struct hmap_node node;      /* In the cache, by hash of text, cookie. */
    char *text;                 /* The flow as written. */
    uint32_t cookie;            /* Its cookie. */
    struct ofctrl_flow *flow;   /* The parsed flow, or NULL on error. */
    char *error;                /* Why it does not parse, or NULL. */
    unsigned int generation;    /* Last sweep period that used it. */
};

/* Cache of parsed flows. */
struct ofctrl_flow_cache {
    struct hmap entries;        /* Contains "struct ofctrl_cache_entry"s. */
    unsigned int generation;    /* Current sweep period. */
};

/* Creates an empty cache of parsed flows. */
struct ofctrl_flow_cache *
ofctrl_flow_cache_create(void)
{
    struct ofctrl_flow_cache *cache = xzalloc(sizeof *cache);

    hmap_init(&cache->entries);
    return cache;
}

/* Frees 'e'. */
static void
ofctrl_cache_entry_destroy(struct ofctrl_cache_entry *e)
{
    free(e->text);
    ofctrl_flow_destroy(e->flow);
    free(e->error);
    free(e);
}

/* Forgets the flows not used since the previous sweep. */
void
ofctrl_flow_cache_sweep(struct ofctrl_flow_cache *cache)
{
    struct ofctrl_cache_entry *e, *next;

    HMAP_FOR_EACH_SAFE (e, next, node, &cache->entries) {
        if (e->generation != cache->generation) {
            hmap_remove(&cache->entries, &e->node);
            ofctrl_cache_entry_destroy(e);
        }
    }
    cache->generation++;
}

/* Frees 'cache'.  Accepts NULL. */
void
ofctrl_flow_cache_destroy(struct ofctrl_flow_cache *cache)
{
    if (cache) {
        struct ofctrl_cache_entry *e;
        HMAP_FOR_EACH_POP (e, node, &cache->entries) {
            ofctrl_cache_entry_destroy(e);
        }
        hmap_destroy(&cache->entries);
        free(cache);
    }
}

/* Returns the cache entry of 'text' with 'cookie', parsing it if it is
 * new, and marks it used. */
static const struct ofctrl_cache_entry *
ofctrl_flow_cache_get(struct ofctrl_flow_cache *cache, uint32_t cookie,
                      const char *text)
{
    uint32_t hash = hash_string(text, cookie);
    struct ofctrl_cache_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, hash, &cache->entries) {
        if (e->cookie == cookie && !strcmp(e->text, text)) {
            e->generation = cache->generation;
            return e;
        }
    }
    e = xzalloc(sizeof *e);
    e->text = xstrdup(text);
    e->cookie = cookie;
    e->error = ofctrl_flow_parse(cookie, text, &e->flow);
    e->generation = cache->generation;
    hmap_insert(&cache->entries, &e->node, hash);
    return e;
}

/* Parses 'flow' ("table=T,priority=P,MATCH,actions=ACTIONS", ovs-ofctl
 * syntax) and adds it to 't' with 'cookie' (through 't''s cache, if it has
 * one).  Returns NULL on success, or a malloc'd error message if it does
 * not parse or if 't' already has a different flow with the same table,
 * priority and match.  An identical duplicate is accepted and ignored. */
char *
ofctrl_flow_table_add(struct ofctrl_flow_table *t, uint32_t cookie,
                      const char *flow)
{
    struct ofctrl_flow *f;

    if (t->cache) {
        const struct ofctrl_cache_entry *e
            = ofctrl_flow_cache_get(t->cache, cookie, flow);
        if (e->error) {
            return xstrdup(e->error);
        }
        /* Shared with the cache, unless another table holds it. */
        if (e->flow->in_table) {
            f = ofctrl_flow_copy(e->flow);
        } else {
            f = e->flow;
            f->refs++;
        }
    } else {
        char *error = ofctrl_flow_parse(cookie, flow, &f);
        if (error) {
            return error;
        }
    }

    struct ofctrl_flow *old = ofctrl_flow_table_find_flow(t, f);
    char *error = NULL;
    if (!old) {
        ofctrl_flow_table_insert(t, f);
    } else {
        if (strcmp(old->actions, f->actions)) {
            error = xasprintf("%s: conflicts with actions=%s",
                              flow, old->actions);
        }
        ofctrl_flow_destroy(f);
    }
    return error;
}

/* Creates the OpenFlow controller of the bridge whose management socket is
 * 'target' (e.g. "unix:/var/run/openvswitch/br-int.mgmt"). */
struct ofctrl *
ofctrl_create(const char *target)
{
    struct ofctrl *oc = xzalloc(sizeof *oc);

    oc->rconn = rconn_create(0, OFCTRL_MAX_BACKOFF, DSCP_DEFAULT,
                             1u << OFCTRL_VERSION);
    rconn_connect(oc->rconn, target, target);
    oc->state = S_DISCONNECTED;
    ofctrl_flow_table_init(&oc->installed);
    shash_init(&oc->pending_adds);
    sset_init(&oc->rejected);
    oc->next_bundle_id = 1;
    return oc;
}

/* Closes the connection.  Installed flows stay in br-int.  Accepts
 * NULL. */
void
ofctrl_destroy(struct ofctrl *oc)
{
    if (oc) {
        rconn_destroy(oc->rconn);
        ofctrl_flow_table_destroy(&oc->installed);
        shash_destroy_free_data(&oc->pending_adds);
        sset_destroy(&oc->rejected);
        free(oc);
    }
}

/* Moves to 'state', logging the change and waking the main loop. */
static void
ofctrl_set_state(struct ofctrl *oc, enum ofctrl_state state)
{
    if (oc->state != state) {
        VLOG_INFO("br-int: %s", ofctrl_state_to_string(state));
        oc->state = state;
        oc->seqno++;
        poll_immediate_wake();
    }
}

/* Sends 'msg' to br-int and returns its xid. */
static ovs_be32
ofctrl_send(struct ofctrl *oc, struct ofpbuf *msg)
{
    ovs_be32 xid = ((struct ofp_header *) msg->data)->xid;

    rconn_send(oc->rconn, msg, NULL);
    return xid;
}

/* Maps the Osmotic Geneve option to tun_metadata0. */
static void
ofctrl_send_tlv_map(struct ofctrl *oc)
{
    struct ofputil_tlv_table_mod ttm;
    struct ofputil_tlv_map map = {
        .option_class = OSMOTIC_GENEVE_CLASS,
        .option_type = OSMOTIC_GENEVE_TYPE,
        .option_len = OSMOTIC_GENEVE_LEN,
        .index = 0,
    };

    ttm.command = NXTTMC_ADD;
    ovs_list_init(&ttm.mappings);
    ovs_list_push_back(&ttm.mappings, &map.list_node);
    oc->tlv_xid = ofctrl_send(oc,
                              ofputil_encode_tlv_table_mod(OFCTRL_VERSION,
                                                           &ttm));
}

/* Starts reading every installed flow of br-int. */
static void
ofctrl_start_dump(struct ofctrl *oc)
{
    struct ofputil_flow_stats_request fsr;

    memset(&fsr, 0, sizeof fsr);
    match_init_catchall(&fsr.match);
    fsr.out_port = OFPP_ANY;
    fsr.out_group = OFPG_ANY;
    fsr.table_id = 0xff;
    ofctrl_flow_table_clear(&oc->installed);
    oc->commit_xid = 0;
    shash_clear_free_data(&oc->pending_adds);
    oc->dump_xid = ofctrl_send(
        oc, ofputil_encode_flow_stats_request(&fsr, OFCTRL_PROTOCOL));
    oc->group_dump_xid = ofctrl_send(
        oc, ofputil_encode_group_desc_request(OFCTRL_VERSION, OFPG_ALL));
    oc->meter_dump_xid = ofctrl_send(
        oc, ofputil_encode_meter_request(OFCTRL_VERSION, OFPUTIL_METER_CONFIG,
                                         OFPM13_ALL));
    oc->dumps_pending = 3;
    ofctrl_set_state(oc, S_DUMPING);
}

/* Notes that one of the three dumps is complete; with the last, the
 * installed state is known. */
static void
ofctrl_dump_done(struct ofctrl *oc)
{
    if (oc->dumps_pending && !--oc->dumps_pending) {
        VLOG_INFO("br-int: %"PRIuSIZE" flows, %"PRIuSIZE" groups, %"PRIuSIZE
                  " meters installed",
                  ofctrl_flow_table_count(&oc->installed),
                  ofctrl_flow_table_count_groups(&oc->installed),
                  ofctrl_flow_table_count_meters(&oc->installed));
        ofctrl_set_state(oc, S_ACTIVE);
    }
}

/* Adds the groups of one group description reply to the installed
 * state. */
static void
ofctrl_handle_group_dump_reply(struct ofctrl *oc, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));

    for (;;) {
        struct ofputil_group_desc gd;
        int retval = ofputil_decode_group_desc_reply(&gd, &b, oh->version);
        if (retval) {
            if (retval != EOF) {
                VLOG_WARN("br-int: bad group description reply (%s)",
                          ofperr_to_string(retval));
            }
            break;
        }
        if (!ofctrl_gm_find(&oc->installed.groups, gd.group_id)) {
            ofctrl_gm_insert(&oc->installed.groups, gd.group_id, NULL,
                             ofctrl_group_canon(gd.type, &gd.buckets));
        }
        ofputil_uninit_group_desc(&gd);
    }
    if (!ofpmp_more(oh)) {
        ofctrl_dump_done(oc);
    }
}

/* Adds the meters of one meter configuration reply to the installed
 * state. */
static void
ofctrl_handle_meter_dump_reply(struct ofctrl *oc, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf bands;

    ofpbuf_init(&bands, 64);
    for (;;) {
        struct ofputil_meter_config mc;
        int retval = ofputil_decode_meter_config(&b, &mc, &bands);
        if (retval) {
            if (retval != EOF) {
                VLOG_WARN("br-int: bad meter configuration reply (%s)",
                          ofperr_to_string(retval));
            }
            break;
        }
        if (!ofctrl_gm_find(&oc->installed.meters, mc.meter_id)) {
            ofctrl_gm_insert(&oc->installed.meters, mc.meter_id, NULL,
                             ofctrl_meter_canon(&mc));
        }
    }
    ofpbuf_uninit(&bands);
    if (!ofpmp_more(oh)) {
        ofctrl_dump_done(oc);
    }
}

/* Gives up on the current view of br-int after a rejected update: the
 * flows will be read again after OFCTRL_RETRY_MS. */
static void
ofctrl_retry_later(struct ofctrl *oc)
{
    oc->commit_xid = 0;
    oc->retry_at = time_msec() + OFCTRL_RETRY_MS;
    ofctrl_set_state(oc, S_RETRY);
}

/* Adds the flows of one flow stats reply to the installed table. */
static void
ofctrl_handle_dump_reply(struct ofctrl *oc, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf ofpacts;

    ofpbuf_init(&ofpacts, 64);
    for (;;) {
        struct ofputil_flow_stats fs;
        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (retval) {
            if (retval != EOF) {
                VLOG_WARN("br-int: bad flow stats reply (%s)",
                          ofperr_to_string(retval));
            }
            break;
        }
        struct ofctrl_flow *f = ofctrl_flow_create(fs.table_id, fs.priority,
                                                   fs.cookie, &fs.match,
                                                   fs.ofpacts,
                                                   fs.ofpacts_len);
        if (ofctrl_flow_table_find_flow(&oc->installed, f)) {
            ofctrl_flow_destroy(f);
        } else {
            ofctrl_flow_table_insert(&oc->installed, f);
        }
    }
    ofpbuf_uninit(&ofpacts);
    if (!ofpmp_more(oh)) {
        ofctrl_dump_done(oc);
    }
}

/* Handles an OpenFlow error reply.  The Geneve TLV map being there already
 * (after a controller restart) is expected; anything else means br-int
 * may not hold what we think, so read it again. */
static void
ofctrl_handle_error(struct ofctrl *oc, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    enum ofperr error = ofperr_decode_msg(oh, NULL);

    if (oh->xid == oc->tlv_xid) {
        if (error != OFPERR_NXTTMFC_ALREADY_MAPPED
            && error != OFPERR_NXTTMFC_DUP_ENTRY) {
            VLOG_WARN_RL(&rl, "br-int: Geneve TLV map rejected (%s)",
                         ofperr_to_string(error));
        }
        return;
    }
    char xid[16];
    snprintf(xid, sizeof xid, "%08"PRIx32, ntohl(oh->xid));
    const char *flow = shash_find_data(&oc->pending_adds, xid);
    if (flow) {
        VLOG_WARN_RL(&rl, "br-int refused %s (%s); it will not be sent "
                     "again while it stays the same", flow,
                     ofperr_to_string(error));
        sset_add(&oc->rejected, flow);
    } else {
        char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 2);
        VLOG_WARN_RL(&rl, "br-int: %s", s);
        free(s);
    }
    if (oc->state == S_ACTIVE || oc->state == S_DUMPING) {
        ofctrl_retry_later(oc);
    }
}

/* Handles one message from br-int. */
static void
ofctrl_handle_msg(struct ofctrl *oc, const struct ofp_header *oh)
{
    enum ofptype type;

    if (ofptype_decode(&type, oh)) {
        return;
    }
    if (type == OFPTYPE_ECHO_REQUEST) {
        rconn_send(oc->rconn, ofputil_encode_echo_reply(oh), NULL);
    } else if (type == OFPTYPE_FLOW_STATS_REPLY) {
        if (oc->state == S_DUMPING && oh->xid == oc->dump_xid) {
            ofctrl_handle_dump_reply(oc, oh);
        }
    } else if (type == OFPTYPE_GROUP_DESC_STATS_REPLY) {
        if (oc->state == S_DUMPING && oh->xid == oc->group_dump_xid) {
            ofctrl_handle_group_dump_reply(oc, oh);
        }
    } else if (type == OFPTYPE_METER_CONFIG_STATS_REPLY) {
        if (oc->state == S_DUMPING && oh->xid == oc->meter_dump_xid) {
            ofctrl_handle_meter_dump_reply(oc, oh);
        }
    } else if (type == OFPTYPE_BUNDLE_CONTROL) {
        struct ofputil_bundle_ctrl_msg bc;
        if (!ofputil_decode_bundle_ctrl(oh, &bc)
            && bc.type == OFPBCT_COMMIT_REPLY
            && oc->commit_xid && oh->xid == oc->commit_xid) {
            oc->commit_xid = 0;
            shash_clear_free_data(&oc->pending_adds);
            oc->acked_cfg = oc->pending_cfg;
            oc->has_acked_cfg = true;
            oc->acked_gen = oc->pending_gen;
            oc->seqno++;
            poll_immediate_wake();
        }
    } else if (type == OFPTYPE_ERROR) {
        ofctrl_handle_error(oc, oh);
    }
}

/* Runs the connection: (re)connects, reads the installed flows after each
 * (re)connection, and processes replies. */
void
ofctrl_run(struct ofctrl *oc)
{
    rconn_run(oc->rconn);
    if (!rconn_is_connected(oc->rconn)) {
        ofctrl_set_state(oc, S_DISCONNECTED);
        return;
    }
    unsigned int conn_seqno = rconn_get_connection_seqno(oc->rconn);
    if (conn_seqno != oc->conn_seqno || oc->state == S_DISCONNECTED) {
        oc->conn_seqno = conn_seqno;
        ofctrl_send_tlv_map(oc);
        ofctrl_start_dump(oc);
    }
    if (oc->state == S_RETRY && time_msec() >= oc->retry_at) {
        ofctrl_start_dump(oc);
    }
    for (int i = 0; i < 200; i++) {
        struct ofpbuf *msg = rconn_recv(oc->rconn);
        if (!msg) {
            break;
        }
        ofctrl_handle_msg(oc, msg->data);
        ofpbuf_delete(msg);
    }
}

/* Arranges for poll_block() to wake when ofctrl_run() has work. */
void
ofctrl_wait(struct ofctrl *oc)
{
    rconn_run_wait(oc->rconn);
    rconn_recv_wait(oc->rconn);
    if (oc->state == S_RETRY) {
        poll_timer_wait_until(oc->retry_at);
    }
}

/* Returns true if the installed flows are known and updates can be
 * sent. */
bool
ofctrl_is_connected(const struct ofctrl *oc)
{
    return oc->state == S_ACTIVE;
}

/* Returns the connection state, for status output. */
const char *
ofctrl_state_name(const struct ofctrl *oc)
{
    return ofctrl_state_to_string(oc->state);
}

/* Returns a number that changes whenever the connection state changes or
 * an update is acknowledged. */
unsigned int
ofctrl_get_seqno(const struct ofctrl *oc)
{
    return oc->seqno;
}

/* Returns "KEY actions=ACTIONS" for 'f', which the caller frees. */
static char *
ofctrl_flow_describe(const struct ofctrl_flow *f)
{
    return xasprintf("%s actions=%s", f->key, f->actions);
}

/* Remembers that the message with 'xid' adds or changes 'desc' (taken),
 * so that a refusal names it and it is not sent again. */
static void
ofctrl_note_pending(struct ofctrl *oc, const struct ofpbuf *msg, char *desc)
{
    char xid[16];
    snprintf(xid, sizeof xid, "%08"PRIx32,
             ntohl(((const struct ofp_header *) msg->data)->xid));
    free(shash_replace_nocopy(&oc->pending_adds, xstrdup(xid), desc));
}

/* Describes group or meter 'gm' of 'kind' ("group", "meter") for logs
 * and the rejected set. */
static char *
ofctrl_gm_describe(const char *kind, const struct ofctrl_gm *gm)
{
    return xasprintf("%s %"PRIu32" %s", kind, gm->id, gm->canon);
}

/* Appends to 'msgs' a bundled flow_mod of 'command' for 'f'. */
static void
ofctrl_queue_flow_mod(struct ofctrl *oc, uint32_t bundle_id,
                      const struct ofctrl_flow *f, uint16_t command,
                      struct ovs_list *msgs)
{
    struct ofputil_flow_mod fm = {
        .priority = f->priority,
        .new_cookie = command == OFPFC_ADD ? f->cookie : OVS_BE64_MAX,
        .table_id = f->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = command == OFPFC_ADD ? f->ofpacts : NULL,
        .ofpacts_len = command == OFPFC_ADD ? f->ofpacts_len : 0,
    };

    minimatch_clone(&fm.match, &f->match);
    struct ofpbuf *fm_msg = ofputil_encode_flow_mod(&fm, OFCTRL_PROTOCOL);
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = bundle_id,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
        .msg = fm_msg->data,
    };
    struct ofpbuf *add = ofputil_encode_bundle_add(OFCTRL_VERSION, &bam);
    ovs_list_push_back(msgs, &add->list_node);
    if (command == OFPFC_ADD) {
        char *desc = ofctrl_flow_describe(f);
        ofctrl_note_pending(oc, add, xasprintf("flow %s", desc));
        free(desc);
    }
    ofpbuf_delete(fm_msg);
    minimatch_destroy(&fm.match);
}

/* Appends to 'msgs' a bundled group_mod of 'command' for group 'id' with
 * 'spec' (NULL for a delete).  'desc' (taken; NULL for a delete) names the
 * group if br-int refuses it. */
static void
ofctrl_queue_group_mod(struct ofctrl *oc, uint32_t bundle_id, uint32_t id,
                       const char *spec, int command, char *desc,
                       struct ovs_list *msgs)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_group_mod gm;
    char *error = ofctrl_group_parse(id, spec, command, &gm);
    if (error) {
        /* Cannot happen: the spec parsed when it was added. */
        VLOG_WARN_RL(&rl, "group %"PRIu32": %s", id, error);
        free(error);
        free(desc);
        return;
    }
    struct ofpbuf *gm_msg = ofputil_encode_group_mod(OFCTRL_VERSION, &gm,
                                                     NULL, false);
    ofputil_uninit_group_mod(&gm);
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = bundle_id,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
        .msg = gm_msg->data,
    };
    struct ofpbuf *add = ofputil_encode_bundle_add(OFCTRL_VERSION, &bam);
    ovs_list_push_back(msgs, &add->list_node);
    if (desc) {
        ofctrl_note_pending(oc, add, desc);
    }
    ofpbuf_delete(gm_msg);
    oc->n_group_mods++;
}

/* Sends a meter_mod of 'command' for meter 'id' with 'spec'; 'desc'
 * (taken; NULL for a delete) names the meter if br-int refuses it. */
static void
ofctrl_send_meter_mod(struct ofctrl *oc, uint32_t id, const char *spec,
                      int command, char *desc)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_meter_mod mm;
    char *error = ofctrl_meter_parse(id, spec, command, &mm);
    if (error) {
        VLOG_WARN_RL(&rl, "meter %"PRIu32": %s", id, error);
        free(error);
        free(desc);
        return;
    }
    struct ofpbuf *msg = ofputil_encode_meter_mod(OFCTRL_VERSION, &mm);
    if (desc) {
        ofctrl_note_pending(oc, msg, desc);
    }
    ofctrl_send(oc, msg);
    free(mm.meter.bands);
    oc->n_meter_mods++;
}

/* Makes the installed groups (meters) of 'oc' the desired ones of
 * 'desired': for each that is new or changed, calls 'change' (which takes
 * its description) and records it as installed, except the ones br-int
 * refused before, which go to 'still_rejected'.  Returns the number
 * changed. */
static size_t
ofctrl_gm_update(struct ofctrl *oc, const char *kind,
                 const struct hmap *desired, struct hmap *installed,
                 struct sset *still_rejected,
                 void (*change)(struct ofctrl *, const struct ofctrl_gm *,
                                bool exists, char *desc, void *aux),
                 void *aux)
{
    const struct ofctrl_gm *gm;
    size_t n = 0;

    HMAP_FOR_EACH (gm, node, desired) {
        struct ofctrl_gm *inst = ofctrl_gm_find(installed, gm->id);
        if (inst && !strcmp(inst->canon, gm->canon)) {
            continue;
        }
        char *desc = ofctrl_gm_describe(kind, gm);
        if (sset_contains(&oc->rejected, desc)) {
            /* Refused before: the flows that use it will be refused in
             * turn, instead of every bundle failing. */
            sset_add_and_free(still_rejected, desc);
            continue;
        }
        change(oc, gm, inst != NULL, desc, aux);
        if (inst) {
            ofctrl_gm_remove(installed, inst);
        }
        ofctrl_gm_insert(installed, gm->id, xstrdup(gm->spec),
                         xstrdup(gm->canon));
        n++;
    }
    return n;
}

/* Returns the ids of the installed entries of 'installed' that 'desired'
 * does not have, removing them from 'installed'; the caller frees the
 * array. */
static uint32_t *
ofctrl_gm_take_unwanted(const struct hmap *desired, struct hmap *installed,
                        size_t *n)
{
    uint32_t *ids = xmalloc((hmap_count(installed) + 1) * sizeof *ids);
    struct ofctrl_gm *gm, *next;

    *n = 0;
    HMAP_FOR_EACH_SAFE (gm, next, node, installed) {
        if (!ofctrl_gm_find(desired, gm->id)) {
            ids[(*n)++] = gm->id;
            ofctrl_gm_remove(installed, gm);
        }
    }
    return ids;
}

/* Context of ofctrl_put()'s group changes. */
struct ofctrl_group_aux {
    uint32_t bundle_id;
    struct ovs_list *msgs;
};

static void
ofctrl_change_group(struct ofctrl *oc, const struct ofctrl_gm *gm,
                    bool exists, char *desc, void *aux_)
{
    struct ofctrl_group_aux *aux = aux_;
    ofctrl_queue_group_mod(oc, aux->bundle_id, gm->id, gm->spec,
                           exists ? OFPGC15_MODIFY : OFPGC15_ADD, desc,
                           aux->msgs);
}

static void
ofctrl_change_meter(struct ofctrl *oc, const struct ofctrl_gm *gm,
                    bool exists, char *desc, void *aux OVS_UNUSED)
{
    ofctrl_send_meter_mod(oc, gm->id, gm->spec,
                          exists ? OFPMC13_MODIFY : OFPMC13_ADD, desc);
}

/* Sends a bundle control request of 'type' for 'bundle_id' and returns
 * its xid. */
static ovs_be32
ofctrl_send_bundle_ctrl(struct ofctrl *oc, uint32_t bundle_id, uint16_t type)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = bundle_id,
        .type = type,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
    };
    return ofctrl_send(oc, ofputil_encode_bundle_ctrl_request(OFCTRL_VERSION,
                                                              &bc));
}

/* Makes br-int's flows equal to 'desired', which corresponds to database
 * configuration 'cfg' and to the caller's generation 'gen' (a number that
 * grows with every new 'desired'): sends the difference from the
 * installed flows as one atomic bundle.  Does nothing while not connected
 * or while an earlier bundle is unacknowledged (call again later). */
void
ofctrl_put(struct ofctrl *oc, const struct ofctrl_flow_table *desired,
           int64_t cfg, uint64_t gen)
{
    if (oc->state != S_ACTIVE || oc->commit_xid) {
        return;
    }

    uint32_t bundle_id = oc->next_bundle_id;
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    struct ofctrl_flow *f, *next;
    size_t n_add = 0, n_del = 0;

    /* New and changed meters first (OpenFlow bundles take no meter_mod),
     * then new and changed groups, ahead of the flows that use them. */
    struct sset still_rejected = SSET_INITIALIZER(&still_rejected);
    size_t n_meters = ofctrl_gm_update(oc, "meter", &desired->meters,
                                       &oc->installed.meters,
                                       &still_rejected, ofctrl_change_meter,
                                       NULL);
    struct ofctrl_group_aux group_aux = { bundle_id, &msgs };
    size_t n_groups = ofctrl_gm_update(oc, "group", &desired->groups,
                                       &oc->installed.groups,
                                       &still_rejected, ofctrl_change_group,
                                       &group_aux);

    HMAP_FOR_EACH_SAFE (f, next, node, &oc->installed.flows) {
        if (!ofctrl_flow_table_find_flow(desired, f)) {
            ofctrl_queue_flow_mod(oc, bundle_id, f, OFPFC_DELETE_STRICT,
                                  &msgs);
            hmap_remove(&oc->installed.flows, &f->node);
            f->in_table = false;
            ofctrl_flow_destroy(f);
            n_del++;
        }
    }
    HMAP_FOR_EACH (f, node, &desired->flows) {
        struct ofctrl_flow *inst = ofctrl_flow_table_find_flow(&oc->installed,
                                                               f);
        if (inst && !strcmp(inst->actions, f->actions)
            && inst->cookie == f->cookie) {
            continue;
        }
        if (!sset_is_empty(&oc->rejected)) {
            char *d = ofctrl_flow_describe(f);
            char *desc = xasprintf("flow %s", d);
            free(d);
            if (sset_contains(&oc->rejected, desc)) {
                sset_add_and_free(&still_rejected, desc);
                continue;
            }
            free(desc);
        }
        ofctrl_queue_flow_mod(oc, bundle_id, f, OFPFC_ADD, &msgs);
        if (inst) {
            hmap_remove(&oc->installed.flows, &inst->node);
            inst->in_table = false;
            ofctrl_flow_destroy(inst);
        }
        ofctrl_flow_table_insert(&oc->installed, ofctrl_flow_copy(f));
        n_add++;
    }

    sset_swap(&oc->rejected, &still_rejected);
    sset_destroy(&still_rejected);

    /* Groups no flow needs any more go after the flows that used them. */
    size_t n_unwanted_groups, n_unwanted_meters;
    uint32_t *unwanted_groups = ofctrl_gm_take_unwanted(
        &desired->groups, &oc->installed.groups, &n_unwanted_groups);
    for (size_t i = 0; i < n_unwanted_groups; i++) {
        ofctrl_queue_group_mod(oc, bundle_id, unwanted_groups[i], NULL,
                               OFPGC15_DELETE, NULL, &msgs);
    }
    free(unwanted_groups);
    uint32_t *unwanted_meters = ofctrl_gm_take_unwanted(
        &desired->meters, &oc->installed.meters, &n_unwanted_meters);

    if (ovs_list_is_empty(&msgs)) {
        if (oc->acked_gen != gen) {
            oc->acked_gen = gen;
            oc->seqno++;
        }
        if (!oc->has_acked_cfg || oc->acked_cfg != cfg) {
            oc->acked_cfg = cfg;
            oc->has_acked_cfg = true;
            oc->seqno++;
        }
    } else {
        oc->next_bundle_id++;
        VLOG_INFO("br-int: bundle %"PRIu32": %"PRIuSIZE" adds, %"PRIuSIZE
                  " deletes, %"PRIuSIZE" group changes", bundle_id, n_add,
                  n_del, n_groups + n_unwanted_groups);
        ofctrl_send_bundle_ctrl(oc, bundle_id, OFPBCT_OPEN_REQUEST);
        struct ofpbuf *msg;
        LIST_FOR_EACH_POP (msg, list_node, &msgs) {
            ofctrl_send(oc, msg);
        }
        oc->commit_xid = ofctrl_send_bundle_ctrl(oc, bundle_id,
                                                 OFPBCT_COMMIT_REQUEST);
        oc->pending_cfg = cfg;
        oc->pending_gen = gen;
    }

    /* Meters no flow needs any more go after the commit. */
    for (size_t i = 0; i < n_unwanted_meters; i++) {
        ofctrl_send_meter_mod(oc, unwanted_meters[i], NULL, OFPMC13_DELETE,
                              NULL);
    }
    free(unwanted_meters);
    if (n_meters || n_unwanted_meters) {
        VLOG_INFO("br-int: %"PRIuSIZE" meter changes",
                  n_meters + n_unwanted_meters);
    }
}

/* Stores in '*cfg' the configuration whose flows br-int is known to hold
 * and returns true, or returns false if there is none yet. */
/* Returns the generation (as given to ofctrl_put()) whose flows br-int is
 * known to hold, 0 if none yet. */
uint64_t
ofctrl_get_acked_gen(const struct ofctrl *oc)
{
    return oc->acked_gen;
}

bool
ofctrl_get_acked_cfg(const struct ofctrl *oc, int64_t *cfg)
{
    *cfg = oc->acked_cfg;
    return oc->has_acked_cfg;
}

/* Returns the number of flows installed in br-int (as far as 'oc'
 * knows). */
size_t
ofctrl_count_installed(const struct ofctrl *oc)
{
    return ofctrl_flow_table_count(&oc->installed);
}

/* Appends "table N: COUNT" lines for the installed flows to 's'. */
void
ofctrl_count_by_table(const struct ofctrl *oc, struct ds *s)
{
    size_t counts[256] = { 0 };
    const struct ofctrl_flow *f;

    HMAP_FOR_EACH (f, node, &oc->installed.flows) {
        counts[f->table_id]++;
    }
    for (int i = 0; i < 256; i++) {
        if (counts[i]) {
            ds_put_format(s, "table %d: %"PRIuSIZE"\n", i, counts[i]);
        }
    }
    ds_put_format(s, "total: %"PRIuSIZE"\n",
                  ofctrl_flow_table_count(&oc->installed));
    ds_put_format(s, "groups: %"PRIuSIZE"\nmeters: %"PRIuSIZE"\n"
                  "group mods sent: %llu\nmeter mods sent: %llu\n",
                  ofctrl_flow_table_count_groups(&oc->installed),
                  ofctrl_flow_table_count_meters(&oc->installed),
                  oc->n_group_mods, oc->n_meter_mods);
}

/* qsort() comparison: by table, then priority (highest first), then key. */
static int
ofctrl_flow_cmp(const void *a_, const void *b_)
{
    const struct ofctrl_flow *const *a = a_;
    const struct ofctrl_flow *const *b = b_;

    if ((*a)->table_id != (*b)->table_id) {
        return (*a)->table_id < (*b)->table_id ? -1 : 1;
    }
    if ((*a)->priority != (*b)->priority) {
        return (*a)->priority > (*b)->priority ? -1 : 1;
    }
    return strcmp((*a)->key, (*b)->key);
}

/* Appends the installed flows to 's', sorted by table and priority, each
 * table annotated with the name 'namer' gives it. */
void
ofctrl_dump_installed(const struct ofctrl *oc, ofctrl_table_namer *namer,
                      const void *aux, struct ds *s)
{
    size_t n = ofctrl_flow_table_count(&oc->installed);
    const struct ofctrl_flow **flows = xmalloc((n + 1) * sizeof *flows);
    const struct ofctrl_flow *f;
    size_t i = 0;

    HMAP_FOR_EACH (f, node, &oc->installed.flows) {
        flows[i++] = f;
    }
    qsort(flows, n, sizeof *flows, ofctrl_flow_cmp);
    for (i = 0; i < n; i++) {
        struct match m;

        f = flows[i];
        minimatch_expand(&f->match, &m);
        const char *name = namer(f->table_id,
                                 m.wc.masks.metadata ? ntohll(m.flow.metadata)
                                 : 0, aux);
        ds_put_format(s, "cookie=0x%"PRIx64", %s (%s), actions=%s\n",
                      ntohll(f->cookie), f->key, name ? name : "-",
                      f->actions);
    }
    free(flows);
}
