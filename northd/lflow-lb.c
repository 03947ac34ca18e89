#include <config.h>

#include "northd/lflow-lb.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lb-vips.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-table.h"
#include "northd/svc-monitors.h"
#include "hash.h"
#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lflow_lb);

/* Priorities (northd/lflow-lb.h). */
enum {
    PRI_LB_HAIRPIN_ZONE = 135,  /* ls_in_stateful: a backend's connection
                                 * to itself through a VIP without a port
                                 * (above any through a VIP with one). */
    PRI_LB_HAIRPIN = 130,       /* ls_in_pre_acl, ls_in_stateful: a
                                 * backend's connection to itself. */
    PRI_LB_AFF_PORT = 125,      /* ls_in_lb: a VIP with a port, to the
                                 * backend its affinity remembers. */
    PRI_LB_AFF_PICK_PORT = 122, /* ls_in_lb: a VIP with a port, to the
                                 * backend its select group picked. */
    PRI_LB_VIP_PORT = 120,      /* ls_in_lb: a VIP with a port. */
    PRI_LB_AFF = 115,           /* ls_in_lb: a VIP without a port, to the
                                 * backend its affinity remembers (below
                                 * any VIP with a port on its address). */
    PRI_LB_AFF_PICK = 112,      /* ls_in_lb: a VIP without a port, to the
                                 * backend its select group picked. */
    PRI_LB_VIP = 110,           /* ls_in_lb: a VIP without a port. */
    PRI_LB_AFF_CHECK = 100,     /* ls_in_lb_aff_check: a VIP with
                                 * affinity. */
    PRI_LB_CT = 105,            /* ls_in_pre_acl, ls_out_pre_acl: to a VIP,
                                 * from a backend: conntrack with NAT
                                 * (above the ACLs' ct_next, below their
                                 * allow-stateless flows). */
    PRI_LB_COMMIT = 100,        /* ls_in_stateful: commit for an ACL. */
    PRI_LB_HAIRPIN_FLAG = 110,  /* ls_in_hairpin: the hairpin flag, back
                                 * out the inport. */
    PRI_LB_HAIRPIN_OUT = 100,   /* ls_in_hairpin: the hairpin zone, back
                                 * out the inport. */
    PRI_LB_DEFAULT = 0,
};

/* The ct_mark bit of a connection a drop ACL blocked (lflow-acl.c):
 * committing for an allow ACL clears it. */
#define CT_MARK_BLOCKED "0x1"

/* Returns true if switch 'ls' names load balancers, directly or through
 * groups: its ACLs then leave commits to ls_in_stateful
 * (lflow-acl.c). */
bool
lflow_lb_switch_has_lbs(const struct nbrec_logical_switch *ls)
{
    return ls->n_load_balancer || ls->n_load_balancer_group;
}

static bool
is_switch(const struct nd_datapath *od)
{
    return od->kind == &nd_dp_switch;
}

/* What one load balancer adds to one switch. */
struct lb_switch {
    const struct nd_datapath *od;   /* The switch. */
    const struct nbrec_logical_switch *ls;
    struct sset vips;           /* "PROTO VIP" applied so far. */
    struct smap hairpin_vips;   /* lb_hairpin's vips= hash of each backend
                                 * ("PROTO ADDRESS") computed so far. */
};

/* The source of the pre-ACL flows of a VIP or a backend: the same row
 * for every switch that has it, whichever load balancer adds it. */
#define SWITCH_SOURCE "Logical_Switch"

/* Compares load balancers by UUID, for qsort(): the first one of a
 * switch to name a VIP gets it. */
static int
lb_cmp(const void *a_, const void *b_)
{
    const struct nbrec_load_balancer *const *a = a_, *const *b = b_;
    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* Returns the load balancers in 'direct' (of 'n_direct') and in the
 * groups 'groups' (of 'n_groups'), each once, in UUID order (the first
 * one of a datapath to name a VIP gets it), and their number in '*n'.
 * Declares to the change index the rows of the groups and load balancers
 * read.  The caller frees the array (not its members). */
const struct nbrec_load_balancer **
lflow_lb_gather(struct nd_build_ctx *ctx,
                struct nbrec_load_balancer **direct, size_t n_direct,
                struct nbrec_load_balancer_group **groups, size_t n_groups,
                size_t *np)
{
    size_t n = 0, allocated = 0;
    const struct nbrec_load_balancer **lbs = NULL;
    struct sset seen = SSET_INITIALIZER(&seen);
    for (size_t g = 0; g <= n_groups; g++) {
        struct nbrec_load_balancer **members;
        size_t n_members;
        if (g < n_groups) {
            const struct nbrec_load_balancer_group *grp = groups[g];
            nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer_group,
                                    &grp->header_.uuid);
            members = grp->load_balancer;
            n_members = grp->n_load_balancer;
        } else {
            members = direct;
            n_members = n_direct;
        }
        for (size_t i = 0; i < n_members; i++) {
            const struct nbrec_load_balancer *lb = members[i];
            char uuid[UUID_LEN + 1];
            snprintf(uuid, sizeof uuid, UUID_FMT,
                     UUID_ARGS(&lb->header_.uuid));
            if (sset_add(&seen, uuid)) {
                nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer,
                                        &lb->header_.uuid);
                if (n >= allocated) {
                    lbs = x2nrealloc(lbs, &allocated, sizeof *lbs);
                }
                lbs[n++] = lb;
            }
        }
    }
    sset_destroy(&seen);
    if (n) {
        qsort(lbs, n, sizeof *lbs, lb_cmp);
    }
    *np = n;
    return lbs;
}

/* Returns the OpenFlow protocol keyword of 'lb''s VIPs with a port, or
 * NULL for a protocol that gets no flows (SCTP). */
const char *
lflow_lb_protocol(const struct nbrec_load_balancer *lb)
{
    if (!lb->protocol || !strcmp(lb->protocol, "tcp")) {
        return "tcp";
    } else if (!strcmp(lb->protocol, "udp")) {
        return "udp";
    }
    return NULL;
}

/* Appends to 's' the address of 'e' as inet_ntop(3) writes it. */
void
lflow_lb_put_endpoint_ip(const struct lb_endpoint *e, struct ds *s)
{
    if (e->is_ipv6) {
        ipv6_format_addr(&e->ip, s);
    } else {
        ds_put_format(s, IP_FMT,
                      IP_ARGS(in6_addr_get_mapped_ipv4(&e->ip)));
    }
}

/* Appends to 'm' the match of endpoint 'e' as destination ('dst') or
 * source, with protocol 'proto' if it has a port: OpenFlow's IPv4 or
 * IPv6 keywords, after 'e''s family. */
void
lflow_lb_put_endpoint_match(const struct lb_endpoint *e, const char *proto,
                            bool dst, struct ds *m)
{
    if (e->is_ipv6) {
        ds_put_format(m, "%s%s,ipv6_%s=", e->port ? proto : "ipv6",
                      e->port ? "6" : "", dst ? "dst" : "src");
    } else {
        ds_put_format(m, "%s,nw_%s=", e->port ? proto : "ip",
                      dst ? "dst" : "src");
    }
    lflow_lb_put_endpoint_ip(e, m);
    if (e->port) {
        ds_put_format(m, ",tp_%s=%"PRIu16, dst ? "dst" : "src", e->port);
    }
}

/* Adds the hairpin flow of backend 'be' of a VIP with a port (protocol
 * 'proto') to switch 'od': a packet that the VIP's DNAT sent from the
 * backend back to itself (source and destination its address) gets the
 * VIP as source, so that the backend accepts it (a packet from its own
 * address it would not), and the hairpin flag, which sends it straight
 * back out its port (ls_in_hairpin); it teaches ls_in_hairpin_check its
 * replies, from the backend's port to the VIP's address (lb_hairpin,
 * lib/pipeline.h).  Without conntrack: the connection's state is its DNAT
 * in the port's zone, where the backend's egress pipeline un-DNATs the
 * replies as any backend's.  One flow per backend address and protocol,
 * whatever the VIP (the connection's original destination): the same row
 * for every switch and load balancer that has it, with 'vips' the hash
 * of the backend's VIPs there (lb_hairpin_vips()), which the flows it
 * learns go with. */
static void
build_hairpin(struct nd_build_ctx *ctx, const struct nd_datapath *od,
              const struct lb_endpoint *be, const char *proto,
              uint32_t vips)
{
    const char *nw = be->is_ipv6 ? "ipv6" : "nw";
    struct ds b = DS_EMPTY_INITIALIZER;
    lflow_lb_put_endpoint_ip(be, &b);
    char *p = xasprintf("%s%s", proto, be->is_ipv6 ? "6" : "");
    char *match = xasprintf("%s,ct_state=+trk+dnat,"REG_FLAGS"=0/%#x,"
                            "%s_src=%s,%s_dst=%s", p,
                            1u << MLF_LB_HAIRPIN_BIT, nw, ds_cstr(&b), nw,
                            ds_cstr(&b));
    char *actions = xasprintf("lb_hairpin(%s, vips=%#"PRIx32"); next;", p,
                              vips);
    lflow_table_add_shared_from(ctx->lflows, &od->sb_uuid,
                                S_SWITCH_INGRESS_STATEFUL, PRI_LB_HAIRPIN,
                                match, actions, SWITCH_SOURCE);
    free(match);
    free(actions);
    free(p);
    ds_destroy(&b);
}

/* Adds the hairpin flows of backend 'be' of VIP 'vip', a VIP without a
 * port, to switch 'od': a connection from the backend to the VIP that the
 * group
 * sends back to the backend itself gets the VIP as source (in zone
 * CT_ZONE_HAIRPIN, since the port's zone holds its DNAT), so that the
 * backend accepts it (a packet from its own address it would not).  Its
 * replies get their destination back (that zone) in the backend's ingress
 * pipeline, then, once routed back to the backend, their source (the
 * port's zone) in its egress pipeline, as any backend's replies do: there
 * the connection is known, so the port's stateful ACLs see replies.
 *
 * The replies are told by their source port, the backend's, for a VIP
 * with a port.  For a VIP without one, everything the backend sends to
 * the VIP's address goes through the hairpin zone first: its replies
 * find their connection there; its own new connections to the VIP look
 * new there too, and ls_in_lb balances them (committing in the port's
 * zone, where a connection seen before keeps its backend), so they go on
 * as any client's.
 *
 * (A VIP with a port needs none of this: build_hairpin().  Without a
 * port, a reply and the backend's own next connection to the VIP differ
 * in their ports alone, which the datapath flows of the backend's
 * connections to the VIP need not match: a flow lb_hairpin learns would
 * not reach the datapath before a first reply that one of them caught.
 * Conntrack tells them apart.) */
static void
build_hairpin_zone(struct nd_build_ctx *ctx, const struct nd_datapath *od,
              const struct lb_endpoint *vip, const struct lb_endpoint *be,
              const char *proto, const char *source)
{
    struct lflow_table *t = ctx->lflows;
    const struct uuid *dp = &od->sb_uuid;
    const char *family = be->is_ipv6 ? "ipv6" : "ip";
    const char *nw = be->is_ipv6 ? "ipv6" : "nw";
    struct ds b = DS_EMPTY_INITIALIZER, v = DS_EMPTY_INITIALIZER;
    lflow_lb_put_endpoint_ip(be, &b);
    lflow_lb_put_endpoint_ip(vip, &v);

    char *match = xasprintf("%s,ct_state=+trk+dnat,%s_src=%s,%s_dst=%s,"
                            "ct_%s_dst=%s", family, nw, ds_cstr(&b), nw,
                            ds_cstr(&b), nw, ds_cstr(&v));
    char *actions = xasprintf("ct_snat_hairpin(%s);", ds_cstr(&v));
    lflow_table_add_shared_from(t, dp, S_SWITCH_INGRESS_STATEFUL,
                                PRI_LB_HAIRPIN_ZONE, match, actions, source);
    free(match);
    free(actions);

    /* Its replies: back to the backend's own address, in that zone. */
    struct ds m = DS_EMPTY_INITIALIZER;
    lflow_lb_put_endpoint_match(be, proto, false, &m);
    ds_put_format(&m, ",%s_dst=%s", nw, ds_cstr(&v));
    lflow_table_add_shared_from(t, dp, S_SWITCH_INGRESS_PRE_ACL,
                                PRI_LB_HAIRPIN, ds_cstr(&m),
                                "ct_snat_hairpin;", source);
    ds_destroy(&m);
    ds_destroy(&b);
    ds_destroy(&v);

    /* What went through the hairpin zone, both ways, goes straight back
     * out the port it came in by (as ls_in_hairpin's flow for the hairpin
     * flag does). */
    lflow_table_add_shared_from(t, dp, S_SWITCH_INGRESS_HAIRPIN,
                                PRI_LB_HAIRPIN_OUT,
                                (be->is_ipv6
                                 ? "ipv6,ct_state=+trk,ct_zone="
                                   OVS_STRINGIZE(CT_ZONE_HAIRPIN)
                                 : "ip,ct_state=+trk,ct_zone="
                                   OVS_STRINGIZE(CT_ZONE_HAIRPIN)),
                                "eth.dst <-> eth.src; outport = inport; "
                                "flags.loopback = 1; output;", SWITCH_SOURCE);
}

/* Returns the session affinity timeout of 'lb' in seconds
 * (options:affinity_timeout), or 0 if it has none.  nb-validate.c refuses
 * other values than 1 to 65535; a row written past it gets no affinity. */
unsigned int
lflow_lb_affinity_timeout(const struct nbrec_load_balancer *lb)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const char *s = smap_get(&lb->options, "affinity_timeout");
    if (!s) {
        return 0;
    }
    unsigned int timeout;
    if (!str_to_uint(s, 10, &timeout) || !timeout || timeout > UINT16_MAX) {
        VLOG_WARN_RL(&rl, "load balancer %s: options:affinity_timeout=%s "
                     "is not 1 to 65535 seconds: no affinity", lb->name, s);
        return 0;
    }
    return timeout;
}

/* Adds to 'od' the session affinity flows of VIP 'vip' (match
 * 'vip_match', protocol 'proto' if it has a port) with backends
 * 'backends' (canonical, comma-separated) and affinity 'timeout', in
 * stages 'check' and 'lb' (ls_in_lb_aff_check and ls_in_lb on a switch,
 * lr_in_lb_aff_check and lr_in_lb on a router, whose VIP flows have the
 * same priorities): 'check' looks up the backend remembered for the
 * client of a new connection, and 'lb' sends the connection to it, if it
 * is still a backend of the VIP, and remembers it again.  The VIP's own flow
 * (build_vip()) balances the others: its select group records the
 * backend it picks (REG_LB_AFF_PICK, 1 for the first) and goes back to
 * ls_in_lb_aff_check, so that a backend remembered meanwhile still wins;
 * else the pick's flow here commits and remembers it.  A remembered
 * backend that is no longer one of the VIP's has no flow: the VIP's own
 * flow balances the connection. */
void
lflow_lb_build_affinity(struct nd_build_ctx *ctx,
                        const struct nd_datapath *od,
                        enum pipeline_stage check, enum pipeline_stage lb,
                        const struct lb_endpoint *vip, const char *vip_match,
                        const char *proto, const char *backends,
                        unsigned int timeout, const char *source)
{
    const struct uuid *dp = &od->sb_uuid;
    char *match = xasprintf("ct_state=+new+trk,%s", vip_match);
    lflow_table_add_shared_from(ctx->lflows, dp, check,
                                PRI_LB_AFF_CHECK, match,
                                "lb_aff_check; next;", source);

    char *copy = xstrdup(backends);
    char *save_ptr = NULL;
    unsigned int pick = 0;
    for (char *b = strtok_r(copy, ",", &save_ptr); b;
         b = strtok_r(NULL, ",", &save_ptr)) {
        pick++;
        struct lb_endpoint be;
        ovs_assert(lb_endpoint_parse(b, &be));
        struct ds m = DS_EMPTY_INITIALIZER;
        ds_put_format(&m, "%s,"REG_LB_AFF_PORT"=%#x/%#x,", match,
                      (1u << REG_LB_AFF_HIT_BIT) | be.port,
                      (2u << REG_LB_AFF_HIT_BIT) - 1);
        if (be.is_ipv6) {
            ds_put_format(&m, "%s=0x",
                          (pipeline_stage_info(check)->dp_type == DP_ROUTER
                           ? REG_LB_AFF_IP6_ROUTER : REG_LB_AFF_IP6));
            for (size_t i = 0; i < sizeof be.ip.s6_addr; i++) {
                ds_put_format(&m, "%02x", be.ip.s6_addr[i]);
            }
        } else {
            ds_put_format(&m, REG_LB_AFF_IP4"=%#"PRIx32,
                          ntohl(in6_addr_get_mapped_ipv4(&be.ip)));
        }
        char *actions = (vip->port
                         ? xasprintf("ct_lb(%s, affinity=%u, proto=%s);", b,
                                     timeout, proto)
                         : xasprintf("ct_lb(%s, affinity=%u);", b, timeout));
        lflow_table_add_shared_from(ctx->lflows, dp, lb,
                                    vip->port ? PRI_LB_AFF_PORT : PRI_LB_AFF,
                                    ds_cstr(&m), actions, source);

        char *pick_match = xasprintf("%s,"REG_LB_AFF_PORT"=%#x/%#x", match,
                                     pick << REG_LB_AFF_PICK_SHIFT,
                                     UINT32_MAX << REG_LB_AFF_PICK_SHIFT);
        lflow_table_add_shared_from(ctx->lflows, dp, lb,
                                    (vip->port ? PRI_LB_AFF_PICK_PORT
                                     : PRI_LB_AFF_PICK),
                                    pick_match, actions, source);
        free(pick_match);
        free(actions);
        ds_destroy(&m);
    }
    free(copy);
    free(match);
}

/* The load balancer index: which switches use each load balancer, and
 * which load balancers name each VIP, as NB is now.  A load balancer's
 * owner needs both (its switches; a VIP that a load balancer of lower
 * UUID on the same switch has is that one's), and NB only gives the other
 * way round (a switch's load balancers and groups, a group's members).
 *
 * Built whole when an owner of this module first needs it after a full
 * recompute (lflow_lb_index_invalidate()), and again whenever NB changed
 * until the next incremental run; from then on, each incremental run
 * re-indexes the load balancers, groups and switches that NB changed
 * (lb_vip_collect_nb()), so that one changed VIP does not cost a pass
 * over every load balancer.  Re-indexing a row forgets what the index
 * learned from it last (kept for that: 'sw_use', the members of
 * 'lb_group_use') and reads it again, so a row seen twice is harmless. */
struct lb_use {
    struct hmap_node node;      /* In 'lb_index.lbs', by UUID. */
    struct uuid uuid;
    const struct nbrec_load_balancer *lb;   /* NULL once deleted (kept
                                             * while a row names it). */
    struct hmapx switches;      /* Switches that name it directly. */
    struct hmapx groups;        /* Groups it is in. */
    struct svec vip_keys;       /* "PROTO VIP" of its VIPs. */
    struct svec backend_keys;   /* "PROTO ADDRESS" of the backends of its
                                 * VIPs with a port. */
};

struct lb_group_use {
    struct hmap_node node;      /* In 'lb_index.groups', by UUID. */
    struct uuid uuid;
    const struct nbrec_load_balancer_group *group;  /* NULL if not
                                                     * indexed (yet). */
    struct hmapx switches;      /* Switches that have it. */
    struct uuid *lbs;           /* Its members as indexed. */
    size_t n_lbs;
};

/* What the index learned from a switch row. */
struct lb_switch_use {
    struct hmap_node node;      /* In 'lb_index.switches', by UUID. */
    struct uuid uuid;
    const struct nbrec_logical_switch *ls;
    struct uuid *lbs;           /* Its load balancers... */
    size_t n_lbs;
    struct uuid *groups;        /* ...and groups, as indexed. */
    size_t n_groups;
};

struct lb_vip_users {
    struct hmap_node node;      /* In 'lb_index.vips' or 'lb_index.backends',
                                 * by hash of 'key'. */
    char *key;                  /* "PROTO VIP", or "PROTO ADDRESS" of a
                                 * backend of a VIP with a port. */
    struct hmapx lbs;           /* Load balancers that name it. */
};

static struct {
    bool valid;
    unsigned int nb_seqno;      /* NB's IDL seqno when last brought up to
                                 * date. */
    struct hmap lbs;
    struct hmap groups;
    struct hmap switches;
    struct hmap vips;
    struct hmap backends;       /* "struct lb_vip_users"s by backend. */
} lb_index = {
    .lbs = HMAP_INITIALIZER(&lb_index.lbs),
    .groups = HMAP_INITIALIZER(&lb_index.groups),
    .switches = HMAP_INITIALIZER(&lb_index.switches),
    .vips = HMAP_INITIALIZER(&lb_index.vips),
    .backends = HMAP_INITIALIZER(&lb_index.backends),
};

static struct lb_use *
lb_use_find(const struct uuid *uuid)
{
    struct lb_use *u;
    HMAP_FOR_EACH_WITH_HASH (u, node, uuid_hash(uuid), &lb_index.lbs) {
        if (uuid_equals(&u->uuid, uuid)) {
            return u;
        }
    }
    return NULL;
}

static struct lb_use *
lb_use_get(const struct nbrec_load_balancer *lb)
{
    struct lb_use *u = lb_use_find(&lb->header_.uuid);
    if (!u) {
        u = xzalloc(sizeof *u);
        u->uuid = lb->header_.uuid;
        hmapx_init(&u->switches);
        hmapx_init(&u->groups);
        svec_init(&u->vip_keys);
        svec_init(&u->backend_keys);
        hmap_insert(&lb_index.lbs, &u->node, uuid_hash(&lb->header_.uuid));
    }
    u->lb = lb;
    return u;
}

/* Frees 'u' if nothing is left of it. */
static void
lb_use_gc(struct lb_use *u)
{
    if (u && !u->lb && hmapx_is_empty(&u->switches)
        && hmapx_is_empty(&u->groups)) {
        hmap_remove(&lb_index.lbs, &u->node);
        hmapx_destroy(&u->switches);
        hmapx_destroy(&u->groups);
        svec_destroy(&u->vip_keys);
        svec_destroy(&u->backend_keys);
        free(u);
    }
}

static struct lb_group_use *
lb_group_use_find(const struct uuid *uuid)
{
    struct lb_group_use *g;
    HMAP_FOR_EACH_WITH_HASH (g, node, uuid_hash(uuid), &lb_index.groups) {
        if (uuid_equals(&g->uuid, uuid)) {
            return g;
        }
    }
    return NULL;
}

static struct lb_group_use *
lb_group_use_get(const struct uuid *uuid)
{
    struct lb_group_use *g = lb_group_use_find(uuid);
    if (!g) {
        g = xzalloc(sizeof *g);
        g->uuid = *uuid;
        hmapx_init(&g->switches);
        hmap_insert(&lb_index.groups, &g->node, uuid_hash(uuid));
    }
    return g;
}

/* Frees 'g' if nothing is left of it. */
static void
lb_group_use_gc(struct lb_group_use *g)
{
    if (g && !g->group && hmapx_is_empty(&g->switches)) {
        hmap_remove(&lb_index.groups, &g->node);
        hmapx_destroy(&g->switches);
        free(g->lbs);
        free(g);
    }
}

static struct lb_switch_use *
lb_switch_use_find(const struct uuid *uuid)
{
    struct lb_switch_use *s;
    HMAP_FOR_EACH_WITH_HASH (s, node, uuid_hash(uuid), &lb_index.switches) {
        if (uuid_equals(&s->uuid, uuid)) {
            return s;
        }
    }
    return NULL;
}

static struct lb_vip_users *
lb_users_find(const struct hmap *map, const char *key)
{
    struct lb_vip_users *v;
    HMAP_FOR_EACH_WITH_HASH (v, node, hash_string(key, 0), map) {
        if (!strcmp(v->key, key)) {
            return v;
        }
    }
    return NULL;
}

static struct lb_vip_users *
lb_vip_users_find(const char *key)
{
    return lb_users_find(&lb_index.vips, key);
}

/* Adds 'lb' to the users of 'key' in 'map'.  Returns true if it was not
 * one yet. */
static bool
lb_users_add(struct hmap *map, const char *key,
             const struct nbrec_load_balancer *lb)
{
    struct lb_vip_users *v = lb_users_find(map, key);
    if (!v) {
        v = xzalloc(sizeof *v);
        v->key = xstrdup(key);
        hmapx_init(&v->lbs);
        hmap_insert(map, &v->node, hash_string(key, 0));
    }
    return hmapx_add(&v->lbs, CONST_CAST(struct nbrec_load_balancer *, lb))
           != NULL;
}

/* Returns the key "PROTO ADDRESS" of backend 'be' of a VIP with a port of
 * a load balancer of protocol 'proto' (the caller frees it). */
static char *
lb_backend_key(const char *proto, const struct lb_endpoint *be)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s ", proto);
    lflow_lb_put_endpoint_ip(be, &s);
    return ds_steal_cstr(&s);
}

/* Returns the key "PROTO VIP" of VIP 'vip_text' of a load balancer of
 * protocol 'proto', or NULL if it is not valid. */
static char *
lb_vip_key(const char *proto, const char *vip_text, const char *backends)
{
    char *vip_norm, *backends_norm;
    bool has_port;
    char *error = lb_vip_normalize(vip_text, backends, &vip_norm,
                                   &backends_norm, &has_port);
    if (error) {
        free(error);
        return NULL;
    }
    char *key = xasprintf("%s %s", has_port ? proto : "ip", vip_norm);
    free(vip_norm);
    free(backends_norm);
    return key;
}

/* Adds to the index the backends of VIP 'vip_text' (with backends
 * 'backends') of load balancer 'u' of protocol 'proto', if it has a
 * port. */
static void
lb_index_add_backends(struct lb_use *u, const char *proto,
                      const char *vip_text, const char *backends)
{
    char *vip_norm, *backends_norm;
    bool has_port;
    char *error = lb_vip_normalize(vip_text, backends, &vip_norm,
                                   &backends_norm, &has_port);
    if (error) {
        free(error);
        return;
    }
    if (has_port) {
        char *save_ptr = NULL;
        for (char *b = strtok_r(backends_norm, ",", &save_ptr); b;
             b = strtok_r(NULL, ",", &save_ptr)) {
            struct lb_endpoint be;
            if (lb_endpoint_parse(b, &be)) {
                char *key = lb_backend_key(proto, &be);
                if (lb_users_add(&lb_index.backends, key, u->lb)) {
                    svec_add_nocopy(&u->backend_keys, key);
                } else {
                    free(key);
                }
            }
        }
    }
    free(vip_norm);
    free(backends_norm);
}

/* Removes load balancer 'u' from the users, in 'map', of each of 'keys',
 * and clears 'keys'. */
static void
lb_unindex_keys(struct lb_use *u, struct hmap *map, struct svec *keys)
{
    for (size_t i = 0; i < keys->n; i++) {
        struct lb_vip_users *v = lb_users_find(map, keys->names[i]);
        if (v && u->lb) {
            hmapx_find_and_delete(&v->lbs, u->lb);
            if (hmapx_is_empty(&v->lbs)) {
                hmap_remove(map, &v->node);
                hmapx_destroy(&v->lbs);
                free(v->key);
                free(v);
            }
        }
    }
    svec_clear(keys);
}

/* Forgets the VIPs of load balancer 'u' and their backends. */
static void
lb_unindex_vips(struct lb_use *u)
{
    lb_unindex_keys(u, &lb_index.vips, &u->vip_keys);
    lb_unindex_keys(u, &lb_index.backends, &u->backend_keys);
}

/* (Re-)indexes load balancer 'lb' (its VIPs and their backends). */
static void
lb_index_lb(const struct nbrec_load_balancer *lb)
{
    struct lb_use *u = lb_use_find(&lb->header_.uuid);
    if (u) {
        lb_unindex_vips(u);
    }
    u = lb_use_get(lb);
    const char *proto = lflow_lb_protocol(lb);
    if (!proto) {
        return;
    }
    struct smap_node *node;
    SMAP_FOR_EACH (node, &lb->vips) {
        char *key = lb_vip_key(proto, node->key, node->value);
        if (!key) {
            continue;
        }
        lb_users_add(&lb_index.vips, key, lb);
        svec_add_nocopy(&u->vip_keys, key);
        lb_index_add_backends(u, proto, node->key, node->value);
    }
}

/* Forgets load balancer 'uuid', deleted from NB. */
static void
lb_unindex_lb(const struct uuid *uuid)
{
    struct lb_use *u = lb_use_find(uuid);
    if (u) {
        lb_unindex_vips(u);
        u->lb = NULL;
        lb_use_gc(u);
    }
}

/* Forgets which load balancers group 'g' has. */
static void
lb_unindex_group_members(struct lb_group_use *g)
{
    for (size_t i = 0; i < g->n_lbs; i++) {
        struct lb_use *u = lb_use_find(&g->lbs[i]);
        if (u && g->group) {
            hmapx_find_and_delete(&u->groups, g->group);
            lb_use_gc(u);
        }
    }
    free(g->lbs);
    g->lbs = NULL;
    g->n_lbs = 0;
}

/* (Re-)indexes group 'grp' (its members), or forgets it if 'deleted'. */
static void
lb_index_group(const struct nbrec_load_balancer_group *grp, bool deleted)
{
    struct lb_group_use *g = (deleted ? lb_group_use_find(&grp->header_.uuid)
                              : lb_group_use_get(&grp->header_.uuid));
    if (!g) {
        return;
    }
    lb_unindex_group_members(g);
    if (deleted) {
        g->group = NULL;
        lb_group_use_gc(g);
        return;
    }
    g->group = grp;
    g->lbs = xmalloc(grp->n_load_balancer * sizeof *g->lbs);
    for (size_t i = 0; i < grp->n_load_balancer; i++) {
        hmapx_add(&lb_use_get(grp->load_balancer[i])->groups,
                  CONST_CAST(struct nbrec_load_balancer_group *, grp));
        g->lbs[g->n_lbs++] = grp->load_balancer[i]->header_.uuid;
    }
}

/* Forgets switch 'uuid': which load balancers and groups it has. */
static void
lb_unindex_switch(const struct uuid *uuid)
{
    struct lb_switch_use *s = lb_switch_use_find(uuid);
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->n_lbs; i++) {
        struct lb_use *u = lb_use_find(&s->lbs[i]);
        if (u) {
            hmapx_find_and_delete(&u->switches, s->ls);
            lb_use_gc(u);
        }
    }
    for (size_t i = 0; i < s->n_groups; i++) {
        struct lb_group_use *g = lb_group_use_find(&s->groups[i]);
        if (g) {
            hmapx_find_and_delete(&g->switches, s->ls);
            lb_group_use_gc(g);
        }
    }
    hmap_remove(&lb_index.switches, &s->node);
    free(s->lbs);
    free(s->groups);
    free(s);
}

/* (Re-)indexes switch 'ls': which load balancers and groups it has. */
static void
lb_index_switch(const struct nbrec_logical_switch *ls)
{
    lb_unindex_switch(&ls->header_.uuid);
    if (!ls->n_load_balancer && !ls->n_load_balancer_group) {
        return;
    }
    struct nbrec_logical_switch *sw
        = CONST_CAST(struct nbrec_logical_switch *, ls);
    struct lb_switch_use *s = xzalloc(sizeof *s);
    s->uuid = ls->header_.uuid;
    s->ls = ls;
    s->lbs = xmalloc(ls->n_load_balancer * sizeof *s->lbs);
    for (size_t i = 0; i < ls->n_load_balancer; i++) {
        hmapx_add(&lb_use_get(ls->load_balancer[i])->switches, sw);
        s->lbs[s->n_lbs++] = ls->load_balancer[i]->header_.uuid;
    }
    s->groups = xmalloc(ls->n_load_balancer_group * sizeof *s->groups);
    for (size_t i = 0; i < ls->n_load_balancer_group; i++) {
        const struct uuid *g_uuid = &ls->load_balancer_group[i]->header_.uuid;
        hmapx_add(&lb_group_use_get(g_uuid)->switches, sw);
        s->groups[s->n_groups++] = *g_uuid;
    }
    hmap_insert(&lb_index.switches, &s->node, uuid_hash(&s->uuid));
}

static void
lb_index_clear(void)
{
    struct lb_switch_use *s;
    HMAP_FOR_EACH_SAFE (s, node, &lb_index.switches) {
        lb_unindex_switch(&s->uuid);
    }
    struct lb_group_use *g;
    HMAP_FOR_EACH_POP (g, node, &lb_index.groups) {
        hmapx_destroy(&g->switches);
        free(g->lbs);
        free(g);
    }
    struct lb_use *u;
    HMAP_FOR_EACH_POP (u, node, &lb_index.lbs) {
        hmapx_destroy(&u->switches);
        hmapx_destroy(&u->groups);
        svec_destroy(&u->vip_keys);
        svec_destroy(&u->backend_keys);
        free(u);
    }
    struct hmap *maps[] = { &lb_index.vips, &lb_index.backends };
    for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
        struct lb_vip_users *v;
        HMAP_FOR_EACH_POP (v, node, maps[i]) {
            hmapx_destroy(&v->lbs);
            free(v->key);
            free(v);
        }
    }
}

/* Builds the index whole from NB. */
static void
lb_index_build(struct ovsdb_idl *nb_idl)
{
    lb_index_clear();
    const struct nbrec_load_balancer_group *grp;
    NBREC_LOAD_BALANCER_GROUP_FOR_EACH (grp, nb_idl) {
        lb_index_group(grp, false);
    }
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, nb_idl) {
        lb_index_switch(ls);
    }
    const struct nbrec_load_balancer *lb;
    NBREC_LOAD_BALANCER_FOR_EACH (lb, nb_idl) {
        lb_index_lb(lb);
    }
    lb_index.valid = true;
    lb_index.nb_seqno = ovsdb_idl_get_seqno(nb_idl);
}

/* Makes the index be built whole when next needed: a full recompute, after
 * which the NB changes it missed are not tracked any more. */
void
lflow_lb_index_invalidate(void)
{
    lb_index.valid = false;
}

/* Brings the index up to date with NB for an owner being built: it is,
 * unless NB changed since the last incremental run (a full recompute's
 * owners built between runs) or a full recompute began. */
static void
lb_index_refresh(struct ovsdb_idl *nb_idl)
{
    if (!lb_index.valid || lb_index.nb_seqno != ovsdb_idl_get_seqno(nb_idl)) {
        lb_index_build(nb_idl);
    }
}

static bool switch_lbs_changed(const struct nbrec_logical_switch *);

/* Brings the index up to date with NB at the start of an incremental run,
 * from the rows NB changed since the last one. */
static void
lb_index_update(struct ovsdb_idl *nb_idl)
{
    if (!lb_index.valid) {
        lb_index_build(nb_idl);
        return;
    }
    /* The IDL also tracks a row when only a row it refers to changed (the
     * group of a load balancer whose VIPs changed): such a row is not
     * re-indexed, which at thousands of members would cost as much as
     * building the index. */
    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH_TRACKED (ls, nb_idl) {
        if (nbrec_logical_switch_is_deleted(ls)) {
            lb_unindex_switch(&ls->header_.uuid);
        } else if (switch_lbs_changed(ls)) {
            lb_index_switch(ls);
        }
    }
    const struct nbrec_load_balancer_group *grp;
    NBREC_LOAD_BALANCER_GROUP_FOR_EACH_TRACKED (grp, nb_idl) {
        if (nbrec_load_balancer_group_is_deleted(grp)
            || nbrec_load_balancer_group_is_new(grp)
            || nbrec_load_balancer_group_is_updated(
                grp, NBREC_LOAD_BALANCER_GROUP_COL_LOAD_BALANCER)) {
            lb_index_group(grp, nbrec_load_balancer_group_is_deleted(grp));
        }
    }
    const struct nbrec_load_balancer *lb;
    NBREC_LOAD_BALANCER_FOR_EACH_TRACKED (lb, nb_idl) {
        if (nbrec_load_balancer_is_deleted(lb)) {
            lb_unindex_lb(&lb->header_.uuid);
        } else if (nbrec_load_balancer_is_new(lb)
                   || nbrec_load_balancer_is_updated(
                       lb, NBREC_LOAD_BALANCER_COL_VIPS)
                   || nbrec_load_balancer_is_updated(
                       lb, NBREC_LOAD_BALANCER_COL_PROTOCOL)) {
            lb_index_lb(lb);
        }
    }
    lb_index.nb_seqno = ovsdb_idl_get_seqno(nb_idl);
}

/* Returns true if load balancer 'u' is on switch 'ls', declaring what it
 * read. */
static bool
lb_use_on_switch(struct nd_build_ctx *ctx, const struct lb_use *u,
                 const struct nbrec_logical_switch *ls)
{
    bool on = hmapx_contains(&u->switches, ls);
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &u->groups) {
        const struct nbrec_load_balancer_group *grp = node->data;
        nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer_group,
                                &grp->header_.uuid);
        const struct lb_group_use *g
            = lb_group_use_find(&grp->header_.uuid);
        on = on || (g && hmapx_contains(&g->switches, ls));
    }
    return on;
}

/* Returns true if a load balancer of lower UUID than 'lb' on switch 'ls'
 * names VIP 'key': the VIP is that one's there.  Declares the load
 * balancers of the same VIP, and their groups, so that a change that
 * gives the VIP to one or the other rebuilds this owner. */
static bool
lb_vip_taken(struct nd_build_ctx *ctx, const struct nbrec_load_balancer *lb,
             const char *key, const struct nbrec_logical_switch *ls)
{
    const struct lb_vip_users *v = lb_vip_users_find(key);
    if (!v) {
        return false;
    }
    bool taken = false;
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &v->lbs) {
        const struct nbrec_load_balancer *other = node->data;
        if (uuid_compare_3way(&other->header_.uuid, &lb->header_.uuid) < 0) {
            nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer,
                                    &other->header_.uuid);
            const struct lb_use *u = lb_use_find(&other->header_.uuid);
            taken = taken || (u && lb_use_on_switch(ctx, u, ls));
        }
    }
    return taken;
}

/* The VIPs with a port that a load balancer has with a backend at one
 * address, as lb_hairpin_vips() needs them on every switch: parsed once
 * per load balancer, protocol and backend address while one load
 * balancer's owner is built (lb_vip_build()), since only which of them
 * another load balancer takes differs from switch to switch. */
struct lb_hairpin_vip {
    char *vip_key;              /* "PROTO VIP", as lb_vip_taken() takes it. */
    char *item;                 /* "PROTO VIP>BACKEND-PORT". */
};

struct lb_hairpin_vips_parsed {
    struct lb_hairpin_vip *vips;
    size_t n;
};

/* Keyed by "LB-UUID BACKEND-KEY": struct lb_hairpin_vips_parsed. */
static struct shash lb_hairpin_parsed = SHASH_INITIALIZER(&lb_hairpin_parsed);

/* Empties the cache above: its entries hold for one owner's build. */
static void
lb_hairpin_parsed_clear(void)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &lb_hairpin_parsed) {
        struct lb_hairpin_vips_parsed *p = node->data;
        for (size_t i = 0; i < p->n; i++) {
            free(p->vips[i].vip_key);
            free(p->vips[i].item);
        }
        free(p->vips);
        free(p);
    }
    shash_clear(&lb_hairpin_parsed);
}

/* Returns the VIPs with a port that load balancer 'lb' (of protocol
 * 'proto') has with a backend at 'be''s address (backend key
 * 'backend_key'), each with that backend's port, parsed from 'lb' the
 * first time in an owner's build. */
static const struct lb_hairpin_vips_parsed *
lb_hairpin_vips_parse(const struct nbrec_load_balancer *lb,
                      const char *proto, const struct lb_endpoint *be,
                      const char *backend_key)
{
    char *key = xasprintf(UUID_FMT" %s", UUID_ARGS(&lb->header_.uuid),
                          backend_key);
    struct lb_hairpin_vips_parsed *p = shash_find_data(&lb_hairpin_parsed,
                                                        key);
    if (p) {
        free(key);
        return p;
    }
    p = xzalloc(sizeof *p);
    size_t allocated = 0;
    struct smap_node *node;
    SMAP_FOR_EACH (node, &lb->vips) {
        char *vip_norm, *backends_norm;
        bool has_port;
        char *error = lb_vip_normalize(node->key, node->value, &vip_norm,
                                       &backends_norm, &has_port);
        if (error) {
            free(error);
            continue;
        }
        char *save_ptr = NULL;
        for (char *b = has_port ? strtok_r(backends_norm, ",", &save_ptr)
                                : NULL;
             b; b = strtok_r(NULL, ",", &save_ptr)) {
            struct lb_endpoint e;
            if (lb_endpoint_parse(b, &e) && e.is_ipv6 == be->is_ipv6
                && ipv6_addr_equals(&e.ip, &be->ip)) {
                if (p->n >= allocated) {
                    p->vips = x2nrealloc(p->vips, &allocated,
                                         sizeof *p->vips);
                }
                char *vip_key = xasprintf("%s %s", proto, vip_norm);
                p->vips[p->n].item = xasprintf("%s>%"PRIu16, vip_key,
                                               e.port);
                p->vips[p->n++].vip_key = vip_key;
            }
        }
        free(vip_norm);
        free(backends_norm);
    }
    shash_add_nocopy(&lb_hairpin_parsed, key, p);
    return p;
}

/* Adds to 'items' "VIP>PORT" for each VIP with a port that load balancer
 * 'lb' (of protocol 'proto') has on switch 'ls' with a backend at
 * 'be''s address (backend key 'backend_key'), on port PORT. */
static void
lb_hairpin_vips_of(struct nd_build_ctx *ctx,
                   const struct nbrec_load_balancer *lb, const char *proto,
                   const struct lb_endpoint *be, const char *backend_key,
                   const struct nbrec_logical_switch *ls, struct svec *items)
{
    const struct lb_hairpin_vips_parsed *p
        = lb_hairpin_vips_parse(lb, proto, be, backend_key);
    for (size_t i = 0; i < p->n; i++) {
        if (!lb_vip_taken(ctx, lb, p->vips[i].vip_key, ls)) {
            svec_add(items, p->vips[i].item);
        }
    }
}

/* Returns lb_hairpin's vips= for backend 'be' (of VIPs with a port of
 * protocol 'proto') on switch 's->ls': a hash of its address, protocol
 * and the VIPs with a port (and its port for each) it is a backend of
 * there, whichever load balancer names them.  The cookie of the flows
 * lb_hairpin learns is made of it (and of the datapath), so that they go
 * when it changes (lib/logical-actions.c): the same number on every
 * switch where the backend has the same VIPs keeps the flow one row.
 * Declares the load balancers read, so that a change to one of them
 * rebuilds every load balancer whose backend it names (and
 * add_lb_owner_and_peers() those it starts naming). */
static uint32_t
lb_hairpin_vips(struct nd_build_ctx *ctx, struct lb_switch *s,
                const char *proto, const struct lb_endpoint *be)
{
    char *key = lb_backend_key(proto, be);
    const char *known = smap_get(&s->hairpin_vips, key);
    if (known) {
        uint32_t hash = strtoul(known, NULL, 10);
        free(key);
        return hash;
    }

    struct svec items = SVEC_EMPTY_INITIALIZER;
    const struct lb_vip_users *users = lb_users_find(&lb_index.backends, key);
    if (users) {
        struct hmapx_node *node;
        HMAPX_FOR_EACH (node, &users->lbs) {
            const struct nbrec_load_balancer *lb = node->data;
            nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer,
                                    &lb->header_.uuid);
            const struct lb_use *u = lb_use_find(&lb->header_.uuid);
            if (u && lb_use_on_switch(ctx, u, s->ls)) {
                lb_hairpin_vips_of(ctx, lb, proto, be, key, s->ls, &items);
            }
        }
    }
    svec_sort_unique(&items);
    uint32_t hash = hash_string(key, 0);
    const char *item;
    size_t i;
    SVEC_FOR_EACH (i, item, &items) {
        hash = hash_string(item, hash);
    }
    svec_destroy(&items);
    hash = hash ? hash : 1;     /* 0 is lb_hairpin without vips=. */
    smap_add_format(&s->hairpin_vips, key, "%"PRIu32, hash);
    free(key);
    return hash;
}

/* Adds the flows of VIP 'vip_text' with backends 'backends_text' of load
 * balancer 'lb' to switch 's->od'. */
static void
build_vip(struct nd_build_ctx *ctx, const struct nbrec_load_balancer *lb,
          const char *proto, const char *vip_text, const char *backends_text,
          const char *source, struct lb_switch *s)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const struct nd_datapath *od = s->od;
    char *vip_norm, *backends_norm;
    bool has_port;
    char *error = lb_vip_normalize(vip_text, backends_text, &vip_norm,
                                   &backends_norm, &has_port);
    if (error) {
        VLOG_WARN_RL(&rl, "load balancer %s: VIP skipped: %s", lb->name,
                     error);
        free(error);
        return;
    }
    struct lb_endpoint vip;
    ovs_assert(lb_endpoint_parse(vip_norm, &vip));
    char *key = xasprintf("%s %s", has_port ? proto : "ip", vip_norm);
    if (!sset_add(&s->vips, key) || lb_vip_taken(ctx, lb, key, s->ls)) {
        /* A VIP that a load balancer of lower UUID has on this switch is
         * its. */
        goto out;
    }
    uint16_t priority = has_port ? PRI_LB_VIP_PORT : PRI_LB_VIP;
    struct ds vip_match = DS_EMPTY_INITIALIZER;
    lflow_lb_put_endpoint_match(&vip, proto, true, &vip_match);

    /* The backends in rotation: those a health check of the VIP has not
     * found offline. */
    const struct nbrec_load_balancer_health_check *hc
        = has_port ? nd_svc_lb_vip_health_check(lb, vip_norm) : NULL;
    if (hc) {
        nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer_health_check,
                                &hc->header_.uuid);
    }
    struct ds live = DS_EMPTY_INITIALIZER;
    char *copy = xstrdup(backends_norm);
    char *save_ptr = NULL;
    for (char *b = strtok_r(copy, ",", &save_ptr); b;
         b = strtok_r(NULL, ",", &save_ptr)) {
        struct lb_endpoint be;
        ovs_assert(lb_endpoint_parse(b, &be));
        if (!hc || !ctx->svc
            || !nd_svc_backend_is_offline(ctx->svc, lb, proto, &be)) {
            ds_put_format(&live, "%s%s", live.length ? "," : "", b);
        }
    }
    free(copy);

    unsigned int affinity = lflow_lb_affinity_timeout(lb);
    if (affinity && live.length) {
        lflow_lb_build_affinity(ctx, od, S_SWITCH_INGRESS_LB_AFF_CHECK,
                                S_SWITCH_INGRESS_LB, &vip,
                                ds_cstr(&vip_match), proto, ds_cstr(&live),
                                affinity, source);
    }

    /* Every backend, in rotation or not, keeps its un-DNAT and hairpin
     * flows: connections made before it went offline end cleanly. */
    struct ds actions = DS_EMPTY_INITIALIZER;
    char *live_copy = ds_steal_cstr(&live);
    save_ptr = NULL;
    for (char *b = strtok_r(live_copy, ",", &save_ptr); b;
         b = strtok_r(NULL, ",", &save_ptr)) {
        ds_put_format(&actions, "%s%s", actions.length ? ", " : "ct_lb(",
                      b);
    }
    free(live_copy);
    save_ptr = NULL;
    for (char *b = strtok_r(backends_norm, ",", &save_ptr); b;
         b = strtok_r(NULL, ",", &save_ptr)) {
        struct lb_endpoint be;
        ovs_assert(lb_endpoint_parse(b, &be));
        /* Replies from the backend: back through conntrack. */
        struct ds m = DS_EMPTY_INITIALIZER;
        lflow_lb_put_endpoint_match(&be, proto, false, &m);
        lflow_table_add_shared_from(ctx->lflows, &od->sb_uuid,
                                    S_SWITCH_EGRESS_PRE_ACL, PRI_LB_CT,
                                    ds_cstr(&m), "ct_dnat;", SWITCH_SOURCE);
        ds_destroy(&m);
        if (has_port) {
            build_hairpin(ctx, od, &be, proto,
                          lb_hairpin_vips(ctx, s, proto, &be));
        } else {
            build_hairpin_zone(ctx, od, &vip, &be, proto, source);
        }
    }

    if (actions.length && affinity) {
        ds_put_format(&actions, ", affinity=%u", affinity);
        if (has_port) {
            ds_put_format(&actions, ", proto=%s", proto);
        }
    }
    if (actions.length) {
        ds_put_cstr(&actions, ");");
        lflow_table_add_shared_from(ctx->lflows, &od->sb_uuid,
                                    S_SWITCH_INGRESS_PRE_ACL, PRI_LB_CT,
                                    ds_cstr(&vip_match), "ct_dnat;",
                                    SWITCH_SOURCE);
        char *match = xasprintf("ct_state=+new+trk,%s", ds_cstr(&vip_match));
        lflow_table_add_shared_from(ctx->lflows, &od->sb_uuid,
                                    S_SWITCH_INGRESS_LB, priority, match,
                                    ds_cstr(&actions), source);
        free(match);
    } else {
        /* No backend: answer at once, without conntrack. */
        lflow_table_add_shared_from(ctx->lflows, &od->sb_uuid,
                                    S_SWITCH_INGRESS_LB, priority,
                                    ds_cstr(&vip_match),
                                    (smap_get_bool(&lb->options, "reject",
                                                   true)
                                     ? "reject;" : "drop;"),
                                    source);
    }
    ds_destroy(&actions);
    ds_destroy(&vip_match);
out:
    free(key);
    free(vip_norm);
    free(backends_norm);
}

/* Adds the flows of load balancer 'lb' (of protocol 'proto') to switch
 * 'od' (its defaults are the switch's, build_switch()). */
static void
build_lb_switch(struct nd_build_ctx *ctx, const struct nd_datapath *od,
                const struct nbrec_logical_switch *ls,
                const struct nbrec_load_balancer *lb, const char *proto,
                const struct smap_node **vips, const char *source)
{
    struct lb_switch s = { .od = od, .ls = ls };
    sset_init(&s.vips);
    smap_init(&s.hairpin_vips);
    for (size_t i = 0; i < smap_count(&lb->vips); i++) {
        build_vip(ctx, lb, proto, vips[i]->key, vips[i]->value, source, &s);
    }
    sset_destroy(&s.vips);
    smap_destroy(&s.hairpin_vips);
}

/* Compares switches by UUID, for qsort(). */
static int
ls_cmp(const void *a_, const void *b_)
{
    const struct nbrec_logical_switch *const *a = a_, *const *b = b_;
    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* Switches on which a load balancer has the same flows.  The flows of a
 * load balancer on a switch depend on the switch only through which of the
 * load balancer's VIPs another load balancer, of lower UUID, has there
 * (lb_vip_taken()) and through the vips= of its backends' hairpin flows
 * (lb_hairpin_vips(): the backend's VIPs there, whichever load balancer
 * names them): switches alike in both get the same flows, which are built
 * once for all of them (a load balancer group on a hundred switches: once,
 * not a hundred times).  Flow code that comes to depend on more of the
 * switch must be reflected in the class. */
struct lb_switch_class {
    struct lb_switch_class *next;
    const struct nd_datapath *od;   /* Its first switch... */
    const struct nbrec_logical_switch *ls;  /* ...and that switch's row. */
    char *key;                  /* For each of the load balancer's VIP keys
                                 * (lb_use's 'vip_keys'), '1' if taken
                                 * there, else '0'; then the vips= hash of
                                 * each backend that another load balancer
                                 * names too. */
    struct uuid *dps;           /* Its switches' SB datapaths. */
    size_t n_dps;
};

/* Returns in '*n_bes' the number of, and the backends of load balancer
 * 'lb' (of protocol 'proto', indexed as 'u') of VIPs with a port that
 * another load balancer names too, each address once (the caller frees
 * them).  The vips= hash of a backend that 'lb' alone names depends on the
 * switch only through which of its VIPs are taken there, already in the
 * class key; that of the others, through the other load balancers'
 * switches and VIPs too. */
static struct lb_endpoint *
lb_shared_backends(const struct nbrec_load_balancer *lb, const char *proto,
                   const struct lb_use *u, size_t *n_bes)
{
    struct lb_endpoint *bes = NULL;
    size_t n = 0, allocated = 0;
    *n_bes = 0;
    bool any = false;
    for (size_t i = 0; i < u->backend_keys.n; i++) {
        const struct lb_vip_users *v
            = lb_users_find(&lb_index.backends, u->backend_keys.names[i]);
        if (v && hmapx_count(&v->lbs) > 1) {
            any = true;
            break;
        }
    }
    if (!any) {
        return NULL;
    }

    struct sset seen = SSET_INITIALIZER(&seen);
    struct smap_node *node;
    SMAP_FOR_EACH (node, &lb->vips) {
        char *vip_norm, *backends_norm;
        bool has_port;
        char *error = lb_vip_normalize(node->key, node->value, &vip_norm,
                                       &backends_norm, &has_port);
        if (error) {
            free(error);
            continue;
        }
        char *save_ptr = NULL;
        for (char *b = has_port ? strtok_r(backends_norm, ",", &save_ptr)
                                : NULL;
             b; b = strtok_r(NULL, ",", &save_ptr)) {
            struct lb_endpoint be;
            if (!lb_endpoint_parse(b, &be)) {
                continue;
            }
            char *key = lb_backend_key(proto, &be);
            const struct lb_vip_users *v
                = lb_users_find(&lb_index.backends, key);
            if (v && hmapx_count(&v->lbs) > 1 && sset_add(&seen, key)) {
                if (n >= allocated) {
                    bes = x2nrealloc(bes, &allocated, sizeof *bes);
                }
                bes[n++] = be;
            }
            free(key);
        }
        free(vip_norm);
        free(backends_norm);
    }
    sset_destroy(&seen);
    *n_bes = n;
    return bes;
}

/* Returns the classes of the 'n' switches 'sws' (in UUID order) of load
 * balancer 'lb' (of protocol 'proto', indexed as 'u'), each class's
 * switches in that order, the classes in the order of their first
 * switches: the same NB gives the same flows in the same order.  Declares
 * what it reads: every switch's row and what lb_vip_taken() and
 * lb_hairpin_vips() read. */
static struct lb_switch_class *
lb_switch_classes(struct nd_build_ctx *ctx,
                  const struct nbrec_load_balancer *lb, const char *proto,
                  const struct lb_use *u,
                  const struct nbrec_logical_switch **sws, size_t n)
{
    struct lb_switch_class *head = NULL, **tail = &head;
    size_t n_keys = u->vip_keys.n;
    size_t n_bes;
    struct lb_endpoint *bes = lb_shared_backends(lb, proto, u, &n_bes);
    struct ds key = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n; i++) {
        /* A switch that drops the load balancer or its group changes its
         * row. */
        nd_owner_depends_on_row(ctx, &nbrec_table_logical_switch,
                                &sws[i]->header_.uuid);
        const struct nd_datapath *od
            = nd_datapath_find(ctx->dps, &sws[i]->header_.uuid);
        if (!od || !is_switch(od)) {
            continue;
        }
        ds_clear(&key);
        for (size_t k = 0; k < n_keys; k++) {
            ds_put_char(&key, (lb_vip_taken(ctx, lb, u->vip_keys.names[k],
                                            sws[i])
                               ? '1' : '0'));
        }
        if (n_bes) {
            struct lb_switch s = { .od = od, .ls = sws[i] };
            smap_init(&s.hairpin_vips);
            for (size_t b = 0; b < n_bes; b++) {
                ds_put_format(&key, " %08"PRIx32,
                              lb_hairpin_vips(ctx, &s, proto, &bes[b]));
            }
            smap_destroy(&s.hairpin_vips);
        }
        struct lb_switch_class *c;
        for (c = head; c; c = c->next) {
            if (!strcmp(c->key, ds_cstr(&key))) {
                break;
            }
        }
        if (!c) {
            c = xzalloc(sizeof *c);
            c->od = od;
            c->ls = sws[i];
            c->key = xstrdup(ds_cstr(&key));
            c->dps = xmalloc(n * sizeof *c->dps);
            *tail = c;
            tail = &c->next;
        }
        c->dps[c->n_dps++] = od->sb_uuid;
    }
    ds_destroy(&key);
    free(bes);
    return head;
}

static void
lb_switch_classes_destroy(struct lb_switch_class *c)
{
    while (c) {
        struct lb_switch_class *next = c->next;
        free(c->key);
        free(c->dps);
        free(c);
        c = next;
    }
}

/* nd_owner_kind 'build' of lflow_lb_vip_kind: the flows of load balancer
 * 'id' on every switch that has it. */
static void
lb_vip_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    lb_index_refresh(ctx->nb_idl);
    const struct nbrec_load_balancer *lb
        = nbrec_load_balancer_get_for_uuid(ctx->nb_idl, &id->uuid);
    nd_owner_begin(ctx, id);
    const struct lb_use *u = lb ? lb_use_find(&lb->header_.uuid) : NULL;
    const char *proto = lb ? lflow_lb_protocol(lb) : NULL;
    if (u && proto) {
        /* Its switches, directly or through its groups, each once, in
         * UUID order (so that the same NB adds the same flows in the same
         * order). */
        struct hmapx switches = HMAPX_INITIALIZER(&switches);
        struct hmapx_node *node;
        HMAPX_FOR_EACH (node, &u->switches) {
            hmapx_add(&switches, node->data);
        }
        HMAPX_FOR_EACH (node, &u->groups) {
            const struct nbrec_load_balancer_group *grp = node->data;
            nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer_group,
                                    &grp->header_.uuid);
            const struct lb_group_use *g
                = lb_group_use_find(&grp->header_.uuid);
            struct hmapx_node *sw;
            HMAPX_FOR_EACH (sw, &g->switches) {
                hmapx_add(&switches, sw->data);
            }
        }
        size_t n = 0;
        const struct nbrec_logical_switch **sws
            = xmalloc(hmapx_count(&switches) * sizeof *sws + 1);
        HMAPX_FOR_EACH (node, &switches) {
            sws[n++] = node->data;
        }
        hmapx_destroy(&switches);
        qsort(sws, n, sizeof *sws, ls_cmp);

        char *source = xasprintf("Load_Balancer:"UUID_FMT,
                                 UUID_ARGS(&lb->header_.uuid));
        const struct smap_node **vips = smap_sort(&lb->vips);
        struct lb_switch_class *classes
            = lb_switch_classes(ctx, lb, proto, u, sws, n);
        for (struct lb_switch_class *c = classes; c; c = c->next) {
            /* The flows are built once, for the class's first switch, and
             * added to every switch of the class. */
            lflow_table_fanout_begin(ctx->lflows, c->dps, c->n_dps);
            build_lb_switch(ctx, c->od, c->ls, lb, proto, vips, source);
            lflow_table_fanout_end(ctx->lflows);
        }
        lb_switch_classes_destroy(classes);
        lb_hairpin_parsed_clear();
        free(vips);
        free(source);
        free(sws);
    }
    if (lb) {
        nd_owner_depends_on_row(ctx, &nbrec_table_load_balancer,
                                &lb->header_.uuid);
    }
    nd_owner_end(ctx);
}

/* Returns true if load balancer 'u' is on a switch. */
static bool
lb_use_has_switch(const struct lb_use *u)
{
    if (!hmapx_is_empty(&u->switches)) {
        return true;
    }
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &u->groups) {
        const struct nbrec_load_balancer_group *grp = node->data;
        const struct lb_group_use *g = lb_group_use_find(&grp->header_.uuid);
        if (g && !hmapx_is_empty(&g->switches)) {
            return true;
        }
    }
    return false;
}

/* Adds to 'owners' the owner of 'lb' if it is on a switch (one that
 * leaves its switches is found by the change index). */
static void
add_lb_owner(const struct nbrec_load_balancer *lb,
             struct lflow_owner_set *owners)
{
    const struct lb_use *u = lb_use_find(&lb->header_.uuid);
    if (!u || !lb_use_has_switch(u)) {
        return;
    }
    struct lflow_owner_id id = nd_owner_id(&lflow_lb_vip_kind,
                                           &lb->header_.uuid, 0);
    lflow_owner_set_add(owners, &id);
}

/* Adds to 'owners' the owner of 'lb' and those of the other load
 * balancers that name one of its VIPs (which of them has the VIP on a
 * switch may change) or one of its backends of a VIP with a port (the
 * backend's VIPs, which its hairpin flow names, may change). */
static void
add_lb_owner_and_peers(const struct nbrec_load_balancer *lb,
                       struct lflow_owner_set *owners)
{
    add_lb_owner(lb, owners);
    const struct lb_use *u = lb_use_find(&lb->header_.uuid);
    if (!u) {
        return;
    }
    for (size_t i = 0; i < u->vip_keys.n; i++) {
        const struct lb_vip_users *v
            = lb_vip_users_find(u->vip_keys.names[i]);
        struct hmapx_node *node;
        HMAPX_FOR_EACH (node, &v->lbs) {
            add_lb_owner(node->data, owners);
        }
    }
    for (size_t i = 0; i < u->backend_keys.n; i++) {
        const struct lb_vip_users *v
            = lb_users_find(&lb_index.backends, u->backend_keys.names[i]);
        struct hmapx_node *node;
        HMAPX_FOR_EACH (node, &v->lbs) {
            add_lb_owner(node->data, owners);
        }
    }
}

/* nd_owner_kind 'build_datapath' of lflow_lb_vip_kind: the load balancers
 * of switch 'od' not built yet in this full recompute. */
static void
lb_vip_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (!is_switch(od)) {
        return;
    }
    const struct nbrec_logical_switch *ls
        = nbrec_logical_switch_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
    if (!ls) {
        return;
    }
    for (size_t g = 0; g <= ls->n_load_balancer_group; g++) {
        struct nbrec_load_balancer **members;
        size_t n_members;
        if (g < ls->n_load_balancer_group) {
            members = ls->load_balancer_group[g]->load_balancer;
            n_members = ls->load_balancer_group[g]->n_load_balancer;
        } else {
            members = ls->load_balancer;
            n_members = ls->n_load_balancer;
        }
        for (size_t i = 0; i < n_members; i++) {
            struct lflow_owner_id id = nd_owner_id(
                &lflow_lb_vip_kind, &members[i]->header_.uuid, 0);
            if (!lflow_table_has_owner(ctx->lflows, &id)) {
                lb_vip_build(ctx, &id);
            }
        }
    }
}

/* nd_owner_kind 'collect' of lflow_lb_vip_kind: nothing (a switch that
 * came or went changed its row, see lb_vip_collect_nb()). */
static void
lb_vip_collect(const struct nd_changes *changes OVS_UNUSED,
               struct lflow_owner_set *owners OVS_UNUSED)
{
}

/* Returns true if tracked switch 'ls' is new or changed its load
 * balancers or groups. */
static bool
switch_lbs_changed(const struct nbrec_logical_switch *ls)
{
    return (!nbrec_logical_switch_is_deleted(ls)
            && (nbrec_logical_switch_is_new(ls)
                || nbrec_logical_switch_is_updated(
                    ls, NBREC_LOGICAL_SWITCH_COL_LOAD_BALANCER)
                || nbrec_logical_switch_is_updated(
                    ls, NBREC_LOGICAL_SWITCH_COL_LOAD_BALANCER_GROUP)));
}

/* nd_owner_kind 'collect_nb' of lflow_lb_vip_kind: the load balancers a
 * switch or group now has that the change index cannot know yet (a
 * switch that gained a group, a group that gained a member, a new load
 * balancer), and those whose VIPs a changed load balancer names. */
static void
lb_vip_collect_nb(const struct nd_build_ctx *ctx,
                  struct lflow_owner_set *owners)
{
    const struct nbrec_load_balancer_table *lbs
        = nbrec_load_balancer_table_get(ctx->nb_idl);
    const struct nbrec_load_balancer_group_table *grps
        = nbrec_load_balancer_group_table_get(ctx->nb_idl);
    const struct nbrec_logical_switch_table *lss
        = nbrec_logical_switch_table_get(ctx->nb_idl);
    const struct nbrec_load_balancer *lb;
    const struct nbrec_load_balancer_group *grp;
    const struct nbrec_logical_switch *ls;
    bool any = false;

    lb_index_update(ctx->nb_idl);

    NBREC_LOAD_BALANCER_TABLE_FOR_EACH_TRACKED (lb, lbs) {
        any = true;
        break;
    }
    NBREC_LOAD_BALANCER_GROUP_TABLE_FOR_EACH_TRACKED (grp, grps) {
        any = true;
        break;
    }
    NBREC_LOGICAL_SWITCH_TABLE_FOR_EACH_TRACKED (ls, lss) {
        if (switch_lbs_changed(ls)) {
            any = true;
            break;
        }
    }
    if (!any) {
        return;
    }

    NBREC_LOAD_BALANCER_TABLE_FOR_EACH_TRACKED (lb, lbs) {
        if (!nbrec_load_balancer_is_deleted(lb)) {
            add_lb_owner_and_peers(lb, owners);
        }
    }
    NBREC_LOAD_BALANCER_GROUP_TABLE_FOR_EACH_TRACKED (grp, grps) {
        if (!nbrec_load_balancer_group_is_deleted(grp)
            && (nbrec_load_balancer_group_is_new(grp)
                || nbrec_load_balancer_group_is_updated(
                    grp, NBREC_LOAD_BALANCER_GROUP_COL_LOAD_BALANCER))) {
            for (size_t i = 0; i < grp->n_load_balancer; i++) {
                add_lb_owner_and_peers(grp->load_balancer[i], owners);
            }
        }
    }
    NBREC_LOGICAL_SWITCH_TABLE_FOR_EACH_TRACKED (ls, lss) {
        if (!switch_lbs_changed(ls)) {
            continue;
        }
        for (size_t i = 0; i < ls->n_load_balancer; i++) {
            add_lb_owner_and_peers(ls->load_balancer[i], owners);
        }
        for (size_t g = 0; g < ls->n_load_balancer_group; g++) {
            grp = ls->load_balancer_group[g];
            for (size_t i = 0; i < grp->n_load_balancer; i++) {
                add_lb_owner_and_peers(grp->load_balancer[i], owners);
            }
        }
    }
}

/* The tables a load balancer's flows read besides its own. */
static const struct nd_owner_dep_table lb_vip_dep_tables[] = {
    { &nbrec_table_load_balancer, NULL },
    { &nbrec_table_load_balancer_group, NULL },
    { &nbrec_table_logical_switch, NULL },
    { &nbrec_table_load_balancer_health_check, NULL },
};

/* The flows of each Load_Balancer's VIPs, on every switch that has it. */
const struct nd_owner_kind lflow_lb_vip_kind = {
    .name = "lb",
    .nb_table = "Load_Balancer",
    .dep_tables = lb_vip_dep_tables,
    .n_dep_tables = ARRAY_SIZE(lb_vip_dep_tables),
    .build_datapath = lb_vip_build_datapath,
    .collect = lb_vip_collect,
    .collect_nb = lb_vip_collect_nb,
    .build = lb_vip_build,
};

/* Builds the flows of switch 'od' that do not depend on its load
 * balancers' VIPs: the stages' defaults, the hairpin zone's way back out,
 * and the commits its ACLs ask for, after load balancing.  A switch whose
 * load balancers have no VIP (or no backend) gets them too: a stage whose
 * only flow is its default passes packets on as an empty one does, and
 * nothing enters the hairpin zone without a VIP's flows. */
static void
build_switch(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    const struct nbrec_logical_switch *ls
        = nbrec_logical_switch_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
    if (!ls || !lflow_lb_switch_has_lbs(ls)) {
        return;
    }
    const struct uuid *dp = &od->sb_uuid;
    struct lflow_table *t = ctx->lflows;
    /* The same defaults as the ACLs' (one flow, whoever adds it). */
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_PRE_ACL, PRI_LB_DEFAULT,
                           "", "next;");
    lflow_table_add_shared(t, dp, S_SWITCH_EGRESS_PRE_ACL, PRI_LB_DEFAULT,
                           "", "next;");
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_LB, PRI_LB_DEFAULT, "",
                           "next;");
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_LB_AFF_CHECK,
                           PRI_LB_DEFAULT, "", "next;");
    /* A hairpinned connection's replies get their destination back, the
     * backend's own address, and the hairpin flag, before anything else
     * (a lookup in the flows lb_hairpin learned: no conntrack). */
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_HAIRPIN_CHECK,
                           PRI_LB_DEFAULT, "", "lb_hairpin_check; next;");
    /* A hairpinned connection, both ways, goes straight back out the port
     * it came in by, to the backend, as OVN sends it: not through the
     * router the client sent it to, which would see the two directions
     * of the connection with different addresses. */
    char *hairpin = xasprintf(REG_FLAGS"=%#x/%#x", 1u << MLF_LB_HAIRPIN_BIT,
                              1u << MLF_LB_HAIRPIN_BIT);
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_HAIRPIN,
                           PRI_LB_HAIRPIN_FLAG, hairpin,
                           "eth.dst <-> eth.src; outport = inport; "
                           "flags.loopback = 1; output;");
    free(hairpin);
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_HAIRPIN, PRI_LB_DEFAULT,
                           "", "next;");
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_STATEFUL, PRI_LB_COMMIT,
                           "ip,"REG_CT_COMMIT"=0x1/0x1 || "
                           "ipv6,"REG_CT_COMMIT"=0x1/0x1",
                           "ct_commit { ct_mark = 0/"CT_MARK_BLOCKED"; }; "
                           "next;");
    lflow_table_add_shared(t, dp, S_SWITCH_INGRESS_STATEFUL, PRI_LB_DEFAULT,
                           "", "next;");
}

/* nd_owner_kind 'build': the load balancer flows of switch 'id' that do
 * not depend on one load balancer. */
static void
lb_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    if (od && is_switch(od)) {
        build_switch(ctx, od);
    }
    nd_owner_end(ctx);
}

static void
add_owner(const struct nd_datapath *od, struct lflow_owner_set *owners)
{
    struct lflow_owner_id id = nd_owner_id(&lflow_lb_kind, &od->nb_uuid, 0);
    lflow_owner_set_add(owners, &id);
}

/* nd_owner_kind 'build_datapath'. */
static void
lb_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (is_switch(od)) {
        struct lflow_owner_id id = nd_owner_id(&lflow_lb_kind, &od->nb_uuid,
                                               0);
        lb_build(ctx, &id);
    }
}

/* nd_owner_kind 'collect': switches that came, went or changed (their
 * load_balancer and load_balancer_group columns among others). */
static void
lb_collect(const struct nd_changes *changes, struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->datapaths) {
        const struct nd_datapath *od = node->data;
        if (is_switch(od)) {
            add_owner(od, owners);
        }
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        if (is_switch(od)) {
            add_owner(od, owners);
        }
    }
}

/* Switch flows of load balancers that depend on the switch alone. */
const struct nd_owner_kind lflow_lb_kind = {
    .name = "switch-lb",
    .nb_table = "Logical_Switch",
    .build_datapath = lb_build_datapath,
    .collect = lb_collect,
    .build = lb_build,
};
