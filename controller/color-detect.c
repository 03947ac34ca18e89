#include <config.h>

#include "controller/color-detect.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controller/desired.h"
#include "controller/encaps.h"
#include "controller/flow-stats.h"
#include "controller/lflow.h"
#include "controller/ofctrl-flow.h"
#include "lib/ipfix.h"
#include "lib/lport-addresses.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"

#include "byte-order.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "flow.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "ovsdb-idl.h"
#include "unixctl.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(color_detect);

/* Cookies of the promotion flows in table 9: this in the top byte, the
 * promotion's sequence number in the rest. */
#define CD_COOKIE_BASE 0xc0000000u
#define CD_COOKIE_MASK 0xff000000u

/* A connection, as the samples and the flows see it. */
struct cd_key {
    int64_t dp;                 /* Datapath key (IPFIX observation domain). */
    struct in6_addr src, dst;   /* Addresses (IPv4 mapped). */
    uint16_t src_port, dst_port; /* TCP or UDP ports, else 0. */
    uint8_t protocol;           /* IP protocol. */
    uint8_t ip_version;         /* 4 or 6. */
    uint8_t pad[2];             /* Always zero: keys are hashed and
                                 * compared as bytes, so the struct may
                                 * have no padding of unknown value. */
};
BUILD_ASSERT_DECL(sizeof(struct cd_key) == 48);

/* A promotion rule (SB Color_Promotion), as this pass reads it. */
struct cd_rule {
    uint32_t id;                /* rule_id. */
    const char *name;           /* Its name. */
    const char *to_color;       /* Name of the colour it promotes to. */
    int64_t to_color_id;        /* Id of that colour. */
    int64_t bytes;              /* Byte threshold, or 0. */
    int64_t rate;               /* Rate threshold (bytes/s), or 0. */
    int64_t interval;           /* Rate interval, ms. */
    int64_t idle;               /* Idle seconds before demotion, or 0. */
};

/* A sampled connection that is not promoted (yet). */
struct cd_conn {
    struct hmap_node node;      /* In color_detect's 'conns'. */
    struct ovs_list lru_node;   /* In color_detect's 'lru', newest last. */
    struct cd_key key;          /* The connection. */
    uint32_t rule;              /* Rule of its samples. */
    uint64_t bytes;             /* Estimated bytes so far. */
    uint64_t window_bytes;      /* Estimated bytes in the rate window. */
    long long int window_start; /* When the rate window began (ms). */
    long long int first;        /* First sample (wall clock ms). */
    long long int last;         /* Last sample (monotonic ms). */
};

/* A promoted connection. */
struct cd_promotion {
    struct hmap_node node;      /* In color_detect's 'promotions'. */
    struct cd_key key;          /* The connection. */
    uint32_t seq;               /* Sequence number: its flows' cookie. */
    struct uuid owner;          /* Its owner id in the desired state. */
    char *rule;                 /* Rule name. */
    char *color;                /* Colour name. */
    char *src_lport, *dst_lport; /* Logical ports of the addresses, or
                                  * NULL when no port has them. */
    int64_t idle;               /* Seconds of idleness that demote it. */
    uint64_t estimate;          /* Estimated bytes at promotion. */
    long long int first;        /* First sample (wall clock ms). */
    long long int since;        /* Promotion (wall clock ms). */
    uint64_t packets, bytes;    /* Its flows' counters, last reading. */
    uint64_t poll_packets, poll_bytes; /* Being summed by a reading. */
    long long int active;       /* Last reading that saw new packets
                                 * (monotonic ms). */
};

/* Counters of one colour on one lane, from table 32. */
struct cd_lane_counter {
    int64_t color;              /* Colour id (0: uncoloured). */
    int lane;                   /* Lane. */
    uint64_t packets, bytes;    /* Counters. */
};

/* A colour (SB Color), as this pass reads it. */
struct cd_color {
    int64_t id;                 /* color_id. */
    char *name;                 /* Its name. */
    int64_t lane;               /* Its lane. */
};

/* The detector. */
struct color_detect {
    int fd;                     /* Collector socket, or -1. */
    uint16_t port;              /* Its UDP port. */
    struct ipfix_parser *parser; /* IPFIX decoding. */
    unsigned int sampling;      /* One packet in this many. */
    struct cd_rule *rules;      /* Rules of the current pass. */
    size_t n_rules;
    struct cd_color *colors;    /* Colours of the current pass. */
    size_t n_colors;
    struct hmap conns;          /* "struct cd_conn"s. */
    struct ovs_list lru;        /* Same, by last sample. */
    struct hmap promotions;     /* "struct cd_promotion"s. */
    uint32_t next_seq;          /* Sequence of the next promotion. */
    struct desired *desired;    /* Where promotions go (this pass). */
    struct ovsdb_idl *sb_idl;   /* Southbound (this pass). */

    struct rconn *rconn;        /* br-int, for statistics. */
    long long int next_poll;    /* When to read statistics next. */
    bool ran;                   /* color_detect_run() since the last
                                 * color_detect_wait(). */
    ovs_be32 conn_xid, lane_xid; /* Readings in flight, or 0. */
    struct unixctl_conn **waiters; /* "color/counters" waiting for the
                                    * reading of table 32. */
    size_t n_waiters, allocated_waiters;
    const struct encaps_ports *tunnels; /* This pass's tunnels. */
    struct cd_lane_counter *lanes; /* Last reading of table 32. */
    size_t n_lanes, allocated_lanes;
    struct cd_lane_counter *poll_lanes; /* Being summed. */
    size_t n_poll_lanes, allocated_poll_lanes;

    /* Getting Open vSwitch's templates.  It sends them when it creates
     * the exporter of the collector set and then every 10 minutes; a new
     * target alone does not re-create the exporter, so a collector that
     * missed them (this process restarted) has the targets cleared, waits
     * until ovs-vswitchd has applied that (cur_cfg), and sets them. */
    bool recreate;              /* Clear the targets and set them again. */
    bool clearing;              /* Targets cleared; waiting for cur_cfg. */
    int64_t clear_cfg;          /* next_cfg of the clearing. */
    long long int clear_deadline; /* Give up waiting then (monotonic ms). */
    long long int last_recreate; /* Last clearing (monotonic ms). */
    uint64_t sets_no_template;  /* Parser's count at the last check. */

    /* The southbound Elephant rows of this chassis. */
    bool sb_dirty;              /* Promotions changed since the last sync. */
    char *monitored_chassis;    /* Chassis whose rows the IDL gets. */
    unsigned int sb_rows_seqno; /* Elephant table's change seqno at the
                                 * last sync. */

    /* Counters. */
    unsigned long long int n_recreates;
    unsigned long long int n_samples, n_records_unknown, n_promotions;
    unsigned long long int n_demotions, n_evicted, n_parse_errors;
};

static void cd_reply_waiters(struct color_detect *);

static uint32_t
cd_key_hash(const struct cd_key *k)
{
    return hash_bytes(k, sizeof *k, 0);
}

static bool
cd_key_equal(const struct cd_key *a, const struct cd_key *b)
{
    return !memcmp(a, b, sizeof *a);
}

/* Returns 'k' with source and destination exchanged. */
static struct cd_key
cd_key_reverse(const struct cd_key *k)
{
    struct cd_key r = *k;
    r.src = k->dst;
    r.dst = k->src;
    r.src_port = k->dst_port;
    r.dst_port = k->src_port;
    return r;
}

/* Appends 'addr' of IP version 'v' to 's'. */
static void
cd_put_addr(struct ds *s, int v, const struct in6_addr *addr)
{
    if (v == 4) {
        ds_put_format(s, IP_FMT, IP_ARGS(in6_addr_get_mapped_ipv4(addr)));
    } else {
        ipv6_format_addr(addr, s);
    }
}

/* Appends "PROTO SRC:PORT > DST:PORT" for 'k' to 's'. */
static void
cd_key_format(const struct cd_key *k, struct ds *s)
{
    const char *proto = (k->protocol == IPPROTO_TCP ? "tcp"
                         : k->protocol == IPPROTO_UDP ? "udp" : NULL);
    if (proto) {
        ds_put_format(s, "%s ", proto);
    } else {
        ds_put_format(s, "proto %"PRIu8" ", k->protocol);
    }
    cd_put_addr(s, k->ip_version, &k->src);
    ds_put_format(s, ":%"PRIu16" > ", k->src_port);
    cd_put_addr(s, k->ip_version, &k->dst);
    ds_put_format(s, ":%"PRIu16, k->dst_port);
}

/* Appends the match of 'k' in ovs-ofctl syntax to 's'. */
static void
cd_key_put_match(const struct cd_key *k, struct ds *s)
{
    bool v6 = k->ip_version == 6;
    const char *l4 = (k->protocol == IPPROTO_TCP ? (v6 ? "tcp6" : "tcp")
                      : k->protocol == IPPROTO_UDP ? (v6 ? "udp6" : "udp")
                      : NULL);
    ds_put_format(s, "metadata=%#"PRIx64",", k->dp);
    if (l4) {
        ds_put_format(s, "%s,", l4);
    } else {
        ds_put_format(s, "%s,nw_proto=%"PRIu8",", v6 ? "ipv6" : "ip",
                      k->protocol);
    }
    ds_put_cstr(s, v6 ? "ipv6_src=" : "nw_src=");
    cd_put_addr(s, k->ip_version, &k->src);
    ds_put_cstr(s, v6 ? ",ipv6_dst=" : ",nw_dst=");
    cd_put_addr(s, k->ip_version, &k->dst);
    if (l4) {
        ds_put_format(s, ",tp_src=%"PRIu16",tp_dst=%"PRIu16,
                      k->src_port, k->dst_port);
    }
}

/* Creates the detector, whose statistics connection goes to
 * 'br_int_target' (e.g. "unix:RUNDIR/br-int.mgmt"). */
struct color_detect *
color_detect_create(const char *br_int_target)
{
    struct color_detect *cd = xzalloc(sizeof *cd);

    cd->fd = -1;
    cd->parser = ipfix_parser_create();
    /* Open vSwitch sends its templates only in the observation domain of
     * the record that makes it send them, and uses the same templates in
     * every domain (a domain here is a datapath). */
    ipfix_parser_set_shared_templates(cd->parser, true);
    hmap_init(&cd->conns);
    ovs_list_init(&cd->lru);
    hmap_init(&cd->promotions);
    cd->next_seq = 1;
    cd->rconn = flow_stats_connect(br_int_target);
    return cd;
}

static void
cd_conn_remove(struct color_detect *cd, struct cd_conn *c)
{
    hmap_remove(&cd->conns, &c->node);
    ovs_list_remove(&c->lru_node);
    free(c);
}

/* Forgets the colours read last. */
static void
cd_clear_colors(struct color_detect *cd)
{
    for (size_t i = 0; i < cd->n_colors; i++) {
        free(cd->colors[i].name);
    }
    free(cd->colors);
    cd->colors = NULL;
    cd->n_colors = 0;
}

static void
cd_promotion_free(struct cd_promotion *p)
{
    free(p->rule);
    free(p->color);
    free(p->src_lport);
    free(p->dst_lport);
    free(p);
}

/* Returns true if 'addrs' (a Port_Binding's "MAC IP..." entry) holds the
 * IP address 'ip' of version 'v'. */
static bool
cd_addresses_have(const char *addrs, int v, const struct in6_addr *ip)
{
    struct lport_addresses la;
    char *error = lport_addresses_parse(addrs, true, &la);
    if (error) {
        free(error);
        return false;
    }
    bool found = false;
    if (v == 4) {
        ovs_be32 ip4 = in6_addr_get_mapped_ipv4(ip);
        for (size_t i = 0; i < la.n_ipv4 && !found; i++) {
            found = la.ipv4[i].addr == ip4;
        }
    } else {
        for (size_t i = 0; i < la.n_ipv6 && !found; i++) {
            found = ipv6_addr_equals(&la.ipv6[i].addr, ip);
        }
    }
    lport_addresses_destroy(&la);
    return found;
}

/* Returns the name of the logical port of datapath 'dp' (a tunnel key)
 * whose addresses include 'ip', in a new string, or NULL. */
static char *
cd_lport_of(struct ovsdb_idl *sb_idl, int64_t dp, int v,
            const struct in6_addr *ip)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (!pb->datapath || pb->datapath->tunnel_key != dp) {
            continue;
        }
        for (size_t i = 0; i < pb->n_mac; i++) {
            if (cd_addresses_have(pb->mac[i], v, ip)) {
                return xstrdup(pb->logical_port);
            }
        }
    }
    return NULL;
}

/* Frees the detector.  Accepts NULL.  Its flows stay in the desired state
 * until that is destroyed. */
void
color_detect_destroy(struct color_detect *cd)
{
    if (!cd) {
        return;
    }
    if (cd->fd >= 0) {
        close(cd->fd);
    }
    ipfix_parser_destroy(cd->parser);
    struct cd_conn *c;
    HMAP_FOR_EACH_SAFE (c, node, &cd->conns) {
        cd_conn_remove(cd, c);
    }
    hmap_destroy(&cd->conns);
    struct cd_promotion *p;
    HMAP_FOR_EACH_POP (p, node, &cd->promotions) {
        cd_promotion_free(p);
    }
    hmap_destroy(&cd->promotions);
    free(cd->rules);
    free(cd->monitored_chassis);
    cd_clear_colors(cd);
    free(cd->lanes);
    free(cd->poll_lanes);
    cd_reply_waiters(cd);
    free(cd->waiters);
    rconn_destroy(cd->rconn);
    free(cd);
}

/* Reads the colours and the promotion rules from the southbound
 * database. */
static void
cd_read_rules(struct color_detect *cd, struct ovsdb_idl *sb_idl)
{
    const struct sbrec_color *color;
    size_t allocated = 0;
    cd_clear_colors(cd);
    SBREC_COLOR_FOR_EACH (color, sb_idl) {
        if (cd->n_colors >= allocated) {
            cd->colors = x2nrealloc(cd->colors, &allocated,
                                    sizeof *cd->colors);
        }
        cd->colors[cd->n_colors++] = (struct cd_color) {
            .id = color->color_id,
            .name = xstrdup(color->name),
            .lane = color->lane,
        };
    }

    const struct sbrec_color_promotion *cp;
    size_t n = 0;

    SBREC_COLOR_PROMOTION_FOR_EACH (cp, sb_idl) {
        n++;
    }
    free(cd->rules);
    cd->rules = xcalloc(n + 1, sizeof *cd->rules);
    cd->n_rules = 0;
    SBREC_COLOR_PROMOTION_FOR_EACH (cp, sb_idl) {
        if (!cp->to_color) {
            continue;
        }
        struct cd_rule *r = &cd->rules[cd->n_rules++];
        r->id = cp->rule_id;
        r->name = cp->name;
        r->to_color = cp->to_color->name;
        r->to_color_id = cp->to_color->color_id;
        r->bytes = cp->n_bytes ? *cp->bytes : 0;
        r->rate = cp->n_rate ? *cp->rate : 0;
        r->interval = cp->interval > 0 ? cp->interval : 1000;
        r->idle = cp->n_idle ? *cp->idle : 0;
    }
}

static const struct cd_rule *
cd_find_rule(const struct color_detect *cd, uint32_t id)
{
    for (size_t i = 0; i < cd->n_rules; i++) {
        if (cd->rules[i].id == id) {
            return &cd->rules[i];
        }
    }
    return NULL;
}

static struct cd_promotion *
cd_find_promotion(const struct color_detect *cd, const struct cd_key *k)
{
    struct cd_promotion *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, cd_key_hash(k), &cd->promotions) {
        if (cd_key_equal(&p->key, k)) {
            return p;
        }
    }
    return NULL;
}

/* Puts the flows of promotion 'p' in the desired state: both directions
 * of its connection get its colour in table 9. */
static void
cd_promotion_install(struct color_detect *cd, const struct cd_promotion *p,
                     int64_t color_id)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct cd_key keys[2] = { p->key, cd_key_reverse(&p->key) };

    desired_begin(cd->desired, DESIRED_PROMOTION, &p->owner);
    for (int i = 0; i < 2; i++) {
        struct ds flow = DS_EMPTY_INITIALIZER;
        ds_put_format(&flow, "table=%d,priority=200,", OFTABLE_COLOR_CONN);
        cd_key_put_match(&keys[i], &flow);
        ds_put_format(&flow, ",actions=load:%"PRId64"->"REG_COLOR"[0..7]",
                      color_id);
        char *error = desired_add_flow(cd->desired, CD_COOKIE_BASE | p->seq,
                                       ds_cstr(&flow));
        if (error) {
            VLOG_WARN_RL(&rl, "promotion flow: %s", error);
            free(error);
        }
        ds_destroy(&flow);
    }
    desired_end(cd->desired);
}

/* Promotes connection 'c' by 'rule'. */
static void
cd_promote(struct color_detect *cd, const struct cd_conn *c,
           const struct cd_rule *rule)
{
    struct cd_promotion *p = xzalloc(sizeof *p);
    p->key = c->key;
    p->seq = cd->next_seq++ & ~CD_COOKIE_MASK;
    p->owner = (struct uuid) { .parts = { p->seq, cd_key_hash(&c->key),
                                          CD_COOKIE_BASE, 0 } };
    p->rule = xstrdup(rule->name);
    p->color = xstrdup(rule->to_color);
    p->idle = rule->idle ? rule->idle : COLOR_DETECT_GC_IDLE;
    p->estimate = c->bytes;
    p->first = c->first;
    p->since = time_wall_msec();
    p->active = time_msec();
    p->src_lport = cd_lport_of(cd->sb_idl, p->key.dp, p->key.ip_version,
                               &p->key.src);
    p->dst_lport = cd_lport_of(cd->sb_idl, p->key.dp, p->key.ip_version,
                               &p->key.dst);
    hmap_insert(&cd->promotions, &p->node, cd_key_hash(&p->key));
    cd->sb_dirty = true;
    cd_promotion_install(cd, p, rule->to_color_id);
    cd->n_promotions++;

    struct ds s = DS_EMPTY_INITIALIZER;
    cd_key_format(&p->key, &s);
    VLOG_INFO("promoted %s in datapath %"PRId64" to %s by rule %s "
              "(estimated %"PRIu64" bytes since the first sample %lld ms "
              "ago)", ds_cstr(&s), p->key.dp, p->color, p->rule,
              p->estimate, p->since - p->first);
    ds_destroy(&s);
}

/* Demotes 'p' and frees it. */
static void
cd_demote(struct color_detect *cd, struct cd_promotion *p, const char *why)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    cd_key_format(&p->key, &s);
    VLOG_INFO("demoted %s in datapath %"PRId64" from %s (%s)", ds_cstr(&s),
              p->key.dp, p->color, why);
    ds_destroy(&s);
    desired_remove(cd->desired, DESIRED_PROMOTION, &p->owner);
    hmap_remove(&cd->promotions, &p->node);
    cd->sb_dirty = true;
    cd_promotion_free(p);
    cd->n_demotions++;
}

/* Counts one sample. */
static void
cd_handle_record(const struct ipfix_record *r, void *cd_)
{
    struct color_detect *cd = cd_;
    const struct cd_rule *rule = cd_find_rule(cd, r->obs_point_id);

    if (!rule || !r->ip_version) {
        cd->n_records_unknown++;
        return;
    }
    cd->n_samples++;
    struct cd_key key = {
        .dp = r->obs_domain_id,
        .src = r->src,
        .dst = r->dst,
        .src_port = r->src_port,
        .dst_port = r->dst_port,
        .protocol = r->protocol,
        .ip_version = r->ip_version,
    };
    struct cd_key reverse = cd_key_reverse(&key);
    if (cd_find_promotion(cd, &key) || cd_find_promotion(cd, &reverse)) {
        return;
    }

    long long int now = time_msec();
    uint32_t hash = cd_key_hash(&key);
    struct cd_conn *c = NULL, *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, hash, &cd->conns) {
        if (cd_key_equal(&e->key, &key)) {
            c = e;
            break;
        }
    }
    if (!c) {
        if (hmap_count(&cd->conns) >= COLOR_DETECT_MAX_CONNS) {
            cd_conn_remove(cd, CONTAINER_OF(ovs_list_front(&cd->lru),
                                            struct cd_conn, lru_node));
            cd->n_evicted++;
        }
        c = xzalloc(sizeof *c);
        c->key = key;
        c->first = time_wall_msec();
        c->window_start = now;
        hmap_insert(&cd->conns, &c->node, hash);
    } else {
        ovs_list_remove(&c->lru_node);
    }
    ovs_list_push_back(&cd->lru, &c->lru_node);
    c->rule = rule->id;
    c->last = now;

    /* Open vSwitch scales what it exports by the sampling: 'octets' is
     * already about N times the sampled packet's IP length. */
    uint64_t bytes = r->octets;
    c->bytes += bytes;
    if (now - c->window_start >= rule->interval) {
        c->window_start = now;
        c->window_bytes = 0;
    }
    c->window_bytes += bytes;
    if ((rule->bytes && c->bytes >= rule->bytes)
        || (rule->rate
            && c->window_bytes >= (uint64_t) rule->rate * rule->interval
                                  / 1000)) {
        cd_promote(cd, c, rule);
        cd_conn_remove(cd, c);
    }
}

/* Opens the collector socket on 127.0.0.1, on a port of the kernel's
 * choice: a new one on each start, so that ovs-vswitchd creates a new
 * exporter for it, which sends its templates at once. */
static void
cd_open_socket(struct color_detect *cd)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    struct sockaddr_storage ss;
    int fd = inet_open_passive(SOCK_DGRAM, "0:127.0.0.1", 0, &ss,
                               DSCP_DEFAULT, false);
    if (fd < 0) {
        VLOG_WARN_RL(&rl, "cannot open the IPFIX collector socket (%s)",
                     ovs_strerror(-fd));
        return;
    }
    cd->fd = fd;
    cd->port = ss_get_port(&ss);
    VLOG_INFO("collecting colour samples on 127.0.0.1:%"PRIu16, cd->port);
}

/* Asks for the exporter to be re-created if samples keep arriving that
 * cannot be decoded for want of templates (at most once in
 * COLOR_DETECT_RECREATE_MS). */
static void
cd_check_templates(struct color_detect *cd)
{
    struct ipfix_parser_counters counters;
    ipfix_parser_get_counters(cd->parser, &counters);
    if (counters.sets_no_template > cd->sets_no_template
        && time_msec() - cd->last_recreate >= COLOR_DETECT_RECREATE_MS) {
        VLOG_INFO("samples without templates: re-creating the exporter");
        cd->recreate = true;
    }
    cd->sets_no_template = counters.sets_no_template;
}

/* Clears the targets of 'ipfix' in 'txn' and asks ovs-vswitchd to say when
 * it has applied that, by incrementing next_cfg as ovs-vsctl does. */
static void
cd_clear_targets(struct color_detect *cd, const struct color_detect_ctx *ctx,
                 const struct ovsrec_ipfix *ipfix)
{
    const struct ovsrec_open_vswitch *ovs
        = ovsrec_open_vswitch_first(ctx->ovs_idl);
    if (!ovs) {
        return;
    }
    /* (Setting next_cfg changes 'ovs' itself: read it first.) */
    cd->clear_cfg = ovs->next_cfg + 1;
    ovsrec_ipfix_set_targets(ipfix, NULL, 0);
    ovsrec_open_vswitch_verify_next_cfg(ovs);
    ovsrec_open_vswitch_set_next_cfg(ovs, cd->clear_cfg);
    cd->clearing = true;
    cd->recreate = false;
    cd->clear_deadline = time_msec() + COLOR_DETECT_CLEAR_WAIT_MS;
    cd->last_recreate = time_msec();
    cd->n_recreates++;
}

/* Returns true while the clearing of the targets is not applied yet. */
static bool
cd_clearing(struct color_detect *cd, const struct color_detect_ctx *ctx)
{
    if (!cd->clearing) {
        return false;
    }
    const struct ovsrec_open_vswitch *ovs
        = ovsrec_open_vswitch_first(ctx->ovs_idl);
    if ((ovs && ovs->cur_cfg >= cd->clear_cfg)
        || time_msec() >= cd->clear_deadline) {
        cd->clearing = false;
    }
    return cd->clearing;
}

/* Makes the local database send the samples of collector set
 * LFLOW_COLOR_COLLECTOR_SET on br-int to our socket, with no caching, so
 * that every sample is exported when it is taken. */
static void
cd_configure_ovs(struct color_detect *cd, const struct color_detect_ctx *ctx)
{
    if (!ctx->ovs_txn || !ctx->br_int || cd->fd < 0
        || cd_clearing(cd, ctx)) {
        return;
    }
    char *target = xasprintf("127.0.0.1:%"PRIu16, cd->port);
    const struct ovsrec_flow_sample_collector_set *fscs, *found = NULL;
    OVSREC_FLOW_SAMPLE_COLLECTOR_SET_FOR_EACH (fscs, ctx->ovs_idl) {
        if (fscs->id == LFLOW_COLOR_COLLECTOR_SET
            && fscs->bridge == ctx->br_int) {
            found = fscs;
        }
    }
    const struct ovsrec_ipfix *ipfix = found ? found->ipfix : NULL;
    bool right = (ipfix && ipfix->n_targets == 1
                  && !strcmp(ipfix->targets[0], target)
                  && ipfix->n_cache_max_flows == 1
                  && !ipfix->cache_max_flows[0]);
    if (ipfix && ipfix->n_targets && (!right || cd->recreate)) {
        /* An exporter that exists already would keep its state and send
         * no templates to a new target. */
        VLOG_INFO("IPFIX collector set %d on br-int: clearing the targets "
                  "to re-create the exporter", LFLOW_COLOR_COLLECTOR_SET);
        cd_clear_targets(cd, ctx, ipfix);
    } else if (!right) {
        if (!ipfix) {
            ipfix = ovsrec_ipfix_insert(ctx->ovs_txn);
        }
        const char *targets[] = { target };
        int64_t zero = 0;
        ovsrec_ipfix_set_targets(ipfix, targets, 1);
        ovsrec_ipfix_set_cache_max_flows(ipfix, &zero, 1);
        ovsrec_ipfix_set_cache_active_timeout(ipfix, &zero, 1);
        if (!found) {
            struct ovsrec_flow_sample_collector_set *new
                = ovsrec_flow_sample_collector_set_insert(ctx->ovs_txn);
            ovsrec_flow_sample_collector_set_set_id(
                new, LFLOW_COLOR_COLLECTOR_SET);
            ovsrec_flow_sample_collector_set_set_bridge(new, ctx->br_int);
            ovsrec_flow_sample_collector_set_set_ipfix(new, ipfix);
        } else if (!found->ipfix) {
            ovsrec_flow_sample_collector_set_set_ipfix(found, ipfix);
        }
        VLOG_INFO("IPFIX collector set %d on br-int: %s",
                  LFLOW_COLOR_COLLECTOR_SET, target);
    }
    free(target);
}

/* Reads the samples that arrived. */
static void
cd_receive(struct color_detect *cd)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    uint8_t buf[65536];

    for (int i = 0; i < 256 && cd->fd >= 0; i++) {
        ssize_t n = recv(cd->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                VLOG_WARN_RL(&rl, "IPFIX collector: %s", ovs_strerror(errno));
            }
            break;
        }
        char *error = ipfix_parser_feed(cd->parser, buf, n, cd_handle_record,
                                        cd);
        if (error) {
            cd->n_parse_errors++;
            VLOG_WARN_RL(&rl, "IPFIX message: %s", error);
            free(error);
        }
    }
}

/* Returns the lane of tunnel OpenFlow port 'ofport', or -1. */
static int
cd_port_lane(const struct color_detect *cd, ofp_port_t ofport)
{
    const struct encaps_port *p;
    HMAP_FOR_EACH (p, node, &cd->tunnels->map) {
        if (p->ofport == ofp_to_u16(ofport)) {
            return p->lane;
        }
    }
    return -1;
}

/* Adds one table-32 flow's counters to the reading being summed. */
static void
cd_count_lane(struct color_detect *cd, const struct ofputil_flow_stats *fs)
{
    const struct ofpact *a;
    int lane = -1;
    OFPACT_FOR_EACH (a, fs->ofpacts, fs->ofpacts_len) {
        if (a->type == OFPACT_OUTPUT) {
            lane = cd_port_lane(cd, ofpact_get_OUTPUT(a)->port);
        }
    }
    if (lane < 0 || !cd->tunnels) {
        return;
    }
    const struct match *m = &fs->match;
    int64_t color = (m->wc.masks.regs[9] & PIPELINE_COLOR_MASK
                     ? m->flow.regs[9] & PIPELINE_COLOR_MASK : 0);
    for (size_t i = 0; i < cd->n_poll_lanes; i++) {
        struct cd_lane_counter *c = &cd->poll_lanes[i];
        if (c->color == color && c->lane == lane) {
            c->packets += fs->packet_count;
            c->bytes += fs->byte_count;
            return;
        }
    }
    if (cd->n_poll_lanes >= cd->allocated_poll_lanes) {
        cd->poll_lanes = x2nrealloc(cd->poll_lanes,
                                    &cd->allocated_poll_lanes,
                                    sizeof *cd->poll_lanes);
    }
    cd->poll_lanes[cd->n_poll_lanes++] = (struct cd_lane_counter) {
        .color = color, .lane = lane,
        .packets = fs->packet_count, .bytes = fs->byte_count,
    };
}

/* Handles a flow statistics reply. */
static void
cd_handle_stats(struct color_detect *cd, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf ofpacts;
    bool conn = oh->xid == cd->conn_xid;

    ofpbuf_init(&ofpacts, 64);
    for (;;) {
        struct ofputil_flow_stats fs;
        if (ofputil_decode_flow_stats_reply(&fs, &b, false, &ofpacts)) {
            break;
        }
        if (!conn) {
            cd_count_lane(cd, &fs);
            continue;
        }
        uint32_t cookie = ntohll(fs.cookie);
        if ((cookie & CD_COOKIE_MASK) != CD_COOKIE_BASE) {
            continue;
        }
        struct cd_promotion *p;
        HMAP_FOR_EACH (p, node, &cd->promotions) {
            if (p->seq == (cookie & ~CD_COOKIE_MASK)) {
                p->poll_packets += fs.packet_count;
                p->poll_bytes += fs.byte_count;
                break;
            }
        }
    }
    ofpbuf_uninit(&ofpacts);
    if (ofpmp_more(oh)) {
        return;
    }

    if (conn) {
        cd->conn_xid = 0;
        long long int now = time_msec();
        struct cd_promotion *p;
        HMAP_FOR_EACH_SAFE (p, node, &cd->promotions) {
            if (p->poll_packets != p->packets) {
                p->active = now;
            }
            p->packets = p->poll_packets;
            p->bytes = p->poll_bytes;
            p->poll_packets = p->poll_bytes = 0;
            if (now - p->active >= p->idle * 1000) {
                cd_demote(cd, p, "idle");
            }
        }
    } else {
        cd->lane_xid = 0;
        struct cd_lane_counter *tmp = cd->lanes;
        size_t tmp_alloc = cd->allocated_lanes;
        cd->lanes = cd->poll_lanes;
        cd->n_lanes = cd->n_poll_lanes;
        cd->allocated_lanes = cd->allocated_poll_lanes;
        cd->poll_lanes = tmp;
        cd->allocated_poll_lanes = tmp_alloc;
        cd->n_poll_lanes = 0;
        cd_reply_waiters(cd);
    }
}

/* Runs the statistics connection. */
static void
cd_run_stats(struct color_detect *cd)
{
    rconn_run(cd->rconn);
    if (!rconn_is_connected(cd->rconn)) {
        cd->conn_xid = cd->lane_xid = 0;
        cd_reply_waiters(cd);
        return;
    }
    for (int i = 0; i < 50; i++) {
        enum ofptype type;
        struct ofpbuf *msg = flow_stats_recv(cd->rconn, &type);
        if (!msg) {
            break;
        }
        const struct ofp_header *oh = msg->data;
        if (type == OFPTYPE_FLOW_STATS_REPLY
            && (oh->xid == cd->conn_xid || oh->xid == cd->lane_xid)) {
            cd_handle_stats(cd, oh);
        }
        ofpbuf_delete(msg);
    }
    /* Table 9, for idleness, only while there are promotions; table 32
     * when "color/counters" asks. */
    long long int now = time_msec();
    if (!hmap_is_empty(&cd->promotions) && now >= cd->next_poll
        && !cd->conn_xid) {
        cd->next_poll = now + COLOR_DETECT_POLL_MS;
        cd->conn_xid = flow_stats_request(cd->rconn, OFTABLE_COLOR_CONN);
    }
    if (cd->n_waiters && !cd->lane_xid) {
        cd->n_poll_lanes = 0;
        cd->lane_xid = flow_stats_request(cd->rconn, OFTABLE_PHY_LANE);
    }
}

/* Forgets sampled connections not sampled for a while: they ended, or are
 * too slow to matter. */
static void
cd_expire_conns(struct color_detect *cd)
{
    long long int limit = time_msec() - 10 * 1000;
    while (!ovs_list_is_empty(&cd->lru)) {
        struct cd_conn *c = CONTAINER_OF(ovs_list_front(&cd->lru),
                                         struct cd_conn, lru_node);
        if (c->last >= limit) {
            break;
        }
        cd_conn_remove(cd, c);
    }
}

/* Appends to 's' the text that identifies connection 'k' among the
 * Elephant rows of one chassis. */
static void
cd_key_row_text(const struct cd_key *k, struct ds *s)
{
    ds_put_format(s, "%"PRId64"|%"PRIu8"|", k->dp, k->protocol);
    cd_put_addr(s, k->ip_version, &k->src);
    ds_put_format(s, "|%"PRIu16"|", k->src_port);
    cd_put_addr(s, k->ip_version, &k->dst);
    ds_put_format(s, "|%"PRIu16, k->dst_port);
}

/* Inserts the Elephant row of promotion 'p' into 'txn'. */
static void
cd_insert_row(struct ovsdb_idl_txn *txn, const struct shash *dps,
              const char *chassis, const struct cd_promotion *p)
{
    struct sbrec_elephant *row = sbrec_elephant_insert(txn);
    struct ds s = DS_EMPTY_INITIALIZER;
    char dp_key[32];

    sbrec_elephant_set_chassis(row, chassis);
    snprintf(dp_key, sizeof dp_key, "%"PRId64, p->key.dp);
    const struct sbrec_datapath_binding *dp = shash_find_data(dps, dp_key);
    sbrec_elephant_set_datapath(row, dp);
    sbrec_elephant_set_protocol(row, p->key.protocol);
    cd_put_addr(&s, p->key.ip_version, &p->key.src);
    sbrec_elephant_set_src_ip(row, ds_cstr(&s));
    ds_clear(&s);
    cd_put_addr(&s, p->key.ip_version, &p->key.dst);
    sbrec_elephant_set_dst_ip(row, ds_cstr(&s));
    ds_destroy(&s);
    sbrec_elephant_set_src_port(row, p->key.src_port);
    sbrec_elephant_set_dst_port(row, p->key.dst_port);
    sbrec_elephant_set_src_lport(row, p->src_lport);
    sbrec_elephant_set_dst_lport(row, p->dst_lport);
    sbrec_elephant_set_color(row, p->color);
    sbrec_elephant_set_rule(row, p->rule);
    sbrec_elephant_set_since(row, p->since);
    sbrec_elephant_set_estimate(row, p->estimate);
}

/* Makes the southbound Elephant rows of this chassis those of its
 * promotions: after every change of the promotions and every change of
 * the rows (which also removes the rows a previous run of the controller
 * left, once they arrive). */
static void
cd_sync_sb(struct color_detect *cd, const struct color_detect_ctx *ctx)
{
    unsigned int seqno = ovsdb_idl_table_get_seqno(ctx->sb_idl,
                                                   &sbrec_table_elephant);
    if (!ctx->sb_txn || !ctx->chassis
        || (!cd->sb_dirty && seqno == cd->sb_rows_seqno)) {
        return;
    }
    cd->sb_dirty = false;
    cd->sb_rows_seqno = seqno;

    /* Promotions by their rows' identifying text. */
    struct shash wanted = SHASH_INITIALIZER(&wanted);
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct cd_promotion *p;
    HMAP_FOR_EACH (p, node, &cd->promotions) {
        ds_clear(&s);
        cd_key_row_text(&p->key, &s);
        shash_add_once(&wanted, ds_cstr(&s), p);
    }

    const struct sbrec_elephant *row;
    SBREC_ELEPHANT_FOR_EACH_SAFE (row, ctx->sb_idl) {
        if (strcmp(row->chassis, ctx->chassis->name)) {
            continue;
        }
        ds_clear(&s);
        ds_put_format(&s, "%"PRId64"|%"PRId64"|%s|%"PRId64"|%s|%"PRId64,
                      row->datapath ? row->datapath->tunnel_key : -1,
                      row->protocol, row->src_ip, row->src_port,
                      row->dst_ip, row->dst_port);
        if (!shash_find_and_delete(&wanted, ds_cstr(&s))) {
            sbrec_elephant_delete(row);
        }
    }
    ds_destroy(&s);

    if (!shash_is_empty(&wanted)) {
        struct shash dps = SHASH_INITIALIZER(&dps);
        const struct sbrec_datapath_binding *dp;
        SBREC_DATAPATH_BINDING_FOR_EACH (dp, ctx->sb_idl) {
            char key[32];
            snprintf(key, sizeof key, "%"PRId64, dp->tunnel_key);
            shash_add_once(&dps, key, dp);
        }
        struct shash_node *node;
        SHASH_FOR_EACH (node, &wanted) {
            cd_insert_row(ctx->sb_txn, &dps, ctx->chassis->name, node->data);
        }
        shash_destroy(&dps);
    }
    shash_destroy(&wanted);
}

/* Makes 'sb_idl' download no Elephant rows until the detector asks for
 * those of its chassis (color_detect_run()). */
void
color_detect_sb_init(struct ovsdb_idl *sb_idl)
{
    /* A condition without clauses is false. */
    struct ovsdb_idl_condition cond = OVSDB_IDL_CONDITION_INIT(&cond);
    sbrec_elephant_set_condition(sb_idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Asks 'sb_idl' for the Elephant rows of 'chassis' alone. */
static void
cd_monitor_chassis(struct color_detect *cd, struct ovsdb_idl *sb_idl,
                   const char *chassis)
{
    if (cd->monitored_chassis && !strcmp(cd->monitored_chassis, chassis)) {
        return;
    }
    free(cd->monitored_chassis);
    cd->monitored_chassis = xstrdup(chassis);
    struct ovsdb_idl_condition cond = OVSDB_IDL_CONDITION_INIT(&cond);
    sbrec_elephant_add_clause_chassis(&cond, OVSDB_F_EQ, chassis);
    sbrec_elephant_set_condition(sb_idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Deletes, in 'sb_txn', the Elephant rows of 'chassis' (when the
 * controller leaves).  Returns true when there are none left. */
bool
color_detect_sb_cleanup(struct ovsdb_idl *sb_idl,
                        struct ovsdb_idl_txn *sb_txn, const char *chassis)
{
    const struct sbrec_elephant *row;
    bool clean = true;
    SBREC_ELEPHANT_FOR_EACH_SAFE (row, sb_idl) {
        if (!strcmp(row->chassis, chassis)) {
            clean = false;
            if (sb_txn) {
                sbrec_elephant_delete(row);
            }
        }
    }
    return clean;
}

/* One pass: reads the rules, the samples and the statistics, promotes and
 * demotes. */
void
color_detect_run(struct color_detect *cd, const struct color_detect_ctx *ctx)
{
    cd->desired = ctx->desired;
    cd->sb_idl = ctx->sb_idl;
    if (ctx->chassis) {
        cd_monitor_chassis(cd, ctx->sb_idl, ctx->chassis->name);
    }
    cd->tunnels = ctx->tunnels;
    cd->sampling = ctx->sampling ? ctx->sampling : 1;
    cd_read_rules(cd, ctx->sb_idl);
    if (!cd->n_rules) {
        /* Nothing to detect: rules gone, promotions go. */
        struct cd_promotion *p;
        HMAP_FOR_EACH_SAFE (p, node, &cd->promotions) {
            cd_demote(cd, p, "no rule");
        }
    } else if (cd->fd < 0) {
        cd_open_socket(cd);
    }
    if (cd->n_rules) {
        cd_configure_ovs(cd, ctx);
        cd_receive(cd);
        cd_check_templates(cd);
        cd_expire_conns(cd);
    }
    cd_run_stats(cd);
    cd_sync_sb(cd, ctx);
    cd->ran = true;
}

/* Arranges for poll_block() to wake when there is work. */
void
color_detect_wait(struct color_detect *cd)
{
    if (cd->fd >= 0) {
        poll_fd_wait(cd->fd, POLLIN);
    }
    rconn_run_wait(cd->rconn);
    rconn_recv_wait(cd->rconn);
    /* Only color_detect_run() moves 'next_poll' on and answers waiters.
     * The controller skips it while it has no chassis (the southbound
     * database is down, say): a timer then still in the past, or an
     * immediate wake for a waiter, would wake the loop at once, again and
     * again, until the database is back. */
    if (rconn_is_connected(cd->rconn) && cd->ran) {
        if (!hmap_is_empty(&cd->promotions)) {
            poll_timer_wait_until(cd->next_poll);
        }
        if (cd->n_waiters && !cd->lane_xid) {
            poll_immediate_wake();
        }
    }
    cd->ran = false;
    if (cd->clearing) {
        /* cur_cfg does not wake the controller (it changes on every
         * reconfiguration): look again soon. */
        poll_timer_wait(50);
    }
}

/* Compares promotions by when they happened, then connection. */
static int
cd_promotion_cmp(const void *a_, const void *b_)
{
    const struct cd_promotion *a = *(const struct cd_promotion **) a_;
    const struct cd_promotion *b = *(const struct cd_promotion **) b_;
    return (a->since != b->since ? (a->since < b->since ? -1 : 1)
            : memcmp(&a->key, &b->key, sizeof a->key));
}

/* "color/elephants": one line per promoted connection. */
void
color_detect_elephants(const struct color_detect *cd, struct ds *s)
{
    size_t n = hmap_count(&cd->promotions);
    const struct cd_promotion **ps = xmalloc((n + 1) * sizeof *ps);
    const struct cd_promotion *p;
    size_t i = 0;

    HMAP_FOR_EACH (p, node, &cd->promotions) {
        ps[i++] = p;
    }
    qsort(ps, n, sizeof *ps, cd_promotion_cmp);
    for (i = 0; i < n; i++) {
        p = ps[i];
        ds_put_format(s, "datapath %"PRId64" ", p->key.dp);
        cd_key_format(&p->key, s);
        ds_put_format(s, " from=%s to=%s color=%s rule=%s since=",
                      p->src_lport ? p->src_lport : "?",
                      p->dst_lport ? p->dst_lport : "?", p->color, p->rule);
        ds_put_strftime_msec(s, "%Y-%m-%dT%H:%M:%S.###Z", p->since, true);
        ds_put_format(s, " detected_after_ms=%lld estimate=%"PRIu64
                      " packets=%"PRIu64" bytes=%"PRIu64"\n",
                      p->since - p->first, p->estimate, p->packets,
                      p->bytes);
    }
    free(ps);
}

/* "color/counters": per colour and lane, what table 32 sent; then the
 * detector's counters. */
static void
cd_format_counters(const struct color_detect *cd, struct ds *s)
{
    for (size_t i = 0; i < cd->n_lanes; i++) {
        const struct cd_lane_counter *c = &cd->lanes[i];
        const struct cd_color *color = NULL;
        for (size_t j = 0; j < cd->n_colors; j++) {
            if (cd->colors[j].id == c->color) {
                color = &cd->colors[j];
            }
        }
        ds_put_format(s, "color %s lane %d: packets=%"PRIu64" bytes=%"PRIu64
                      "%s\n", color ? color->name : "(other)", c->lane,
                      c->packets, c->bytes,
                      color && color->lane != c->lane
                      ? " (the peer lacks the colour's lane)" : "");
    }
    ds_put_format(s, "samples: %llu (unknown rule or not IP: %llu, "
                  "parse errors: %llu)\n", cd->n_samples,
                  cd->n_records_unknown, cd->n_parse_errors);
    ds_put_format(s, "exporter re-created for templates: %llu\n",
                  cd->n_recreates);
    ds_put_format(s, "promotions: %llu, demotions: %llu, elephants now: "
                  "%"PRIuSIZE"\n", cd->n_promotions, cd->n_demotions,
                  hmap_count(&cd->promotions));
    ds_put_format(s, "connections followed: %"PRIuSIZE" (forgotten for "
                  "room: %llu)\n", hmap_count(&cd->conns), cd->n_evicted);
    ipfix_parser_stats(cd->parser, s);
}

/* Answers every "color/counters" waiting, with the last reading of table
 * 32 (or none, if br-int is not connected). */
static void
cd_reply_waiters(struct color_detect *cd)
{
    if (!cd->n_waiters) {
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    cd_format_counters(cd, &s);
    for (size_t i = 0; i < cd->n_waiters; i++) {
        unixctl_command_reply(cd->waiters[i], ds_cstr(&s));
    }
    cd->n_waiters = 0;
    ds_destroy(&s);
}

/* "color/counters": reads table 32's statistics from br-int and then
 * answers 'conn' (color_detect_run() does). */
void
color_detect_counters(struct color_detect *cd, struct unixctl_conn *conn)
{
    if (cd->n_waiters >= cd->allocated_waiters) {
        cd->waiters = x2nrealloc(cd->waiters, &cd->allocated_waiters,
                                 sizeof *cd->waiters);
    }
    cd->waiters[cd->n_waiters++] = conn;
}

/* "color/status": the collector and the rules in force. */
void
color_detect_status(const struct color_detect *cd, struct ds *s)
{
    if (cd->fd >= 0) {
        ds_put_format(s, "collector: 127.0.0.1:%"PRIu16", sampling 1 in "
                      "%u\n", cd->port, cd->sampling);
    } else {
        ds_put_cstr(s, "collector: none (no promotion rule)\n");
    }
    if (cd->clearing) {
        ds_put_format(s, "exporter: targets cleared, waiting for ovs-vswitchd "
                      "to apply next_cfg %"PRId64"\n", cd->clear_cfg);
    }
    for (size_t i = 0; i < cd->n_rules; i++) {
        const struct cd_rule *r = &cd->rules[i];
        ds_put_format(s, "rule %"PRIu32" %s: to %s", r->id, r->name,
                      r->to_color);
        if (r->bytes) {
            ds_put_format(s, " after %"PRId64" bytes", r->bytes);
        }
        if (r->rate) {
            ds_put_format(s, " at %"PRId64" bytes/s over %"PRId64" ms",
                          r->rate, r->interval);
        }
        if (r->idle) {
            ds_put_format(s, ", idle %"PRId64" s", r->idle);
        }
        ds_put_char(s, '\n');
    }
}
