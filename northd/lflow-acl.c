#include <config.h>

#include "northd/lflow-acl.h"

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "lib/pipeline.h"
#include "northd/change-index.h"
#include "northd/datapaths.h"
#include "northd/dp-kinds.h"
#include "northd/lflow-lb.h"
#include "northd/lflow-table.h"
#include "northd/nb-match.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "hash.h"
#include "smap.h"
#include "svec.h"
#include "util.h"
#include "uuidset.h"

VLOG_DEFINE_THIS_MODULE(lflow_acl);

/* Priorities of the flows no ACL owns (pipeline.md, "ls_in_acl"). */
enum {
    PRI_ACL_CT = 65535,         /* Replies, related, invalid, ND. */
    PRI_ACL_DEFAULT_COMMIT = 1, /* Stateful: commit what no ACL decides. */
    PRI_ACL_DEFAULT = 0,        /* Anything else goes on. */
    PRI_PRE_ACL_SKIP_ND = 110,  /* Stateful: ND skips conntrack. */
    PRI_PRE_ACL_CT = 100,       /* Stateful: IP goes through conntrack. */
    PRI_PRE_ACL_DEFAULT = 0,
};

/* The ct_mark bit that marks a connection a drop or reject ACL blocked
 * ("ct_mark.blocked" in OVN's words). */
#define CT_MARK_BLOCKED "0x1"

/* IPv4 or IPv6: both alternatives, for conntrack actions. */
#define MATCH_IP "ip || ipv6"

/* Neighbour discovery: router solicitation and advertisement, neighbour
 * solicitation and advertisement. */
#define MATCH_ND "icmp6,icmp_type=133 || icmp6,icmp_type=134 " \
                 "|| icmp6,icmp_type=135 || icmp6,icmp_type=136"

static bool
is_switch(const struct nd_datapath *od)
{
    return od->kind == &nd_dp_switch;
}

static bool
acl_is_ingress(const struct nbrec_acl *acl)
{
    return !strcmp(acl->direction, "from-lport");
}

/* Returns true if 'acl' makes its switches stateful. */
static bool
acl_is_stateful(const struct nbrec_acl *acl)
{
    return !strcmp(acl->action, "allow-related");
}

/* Returns true if port group 'pg' has a port on switch 'od'. */
static bool
pg_has_port_on(const struct nd_datapaths *dps,
               const struct nbrec_port_group *pg,
               const struct nd_datapath *od)
{
    for (size_t i = 0; i < pg->n_ports; i++) {
        const struct nd_port *op = nd_port_find(dps,
                                                &pg->ports[i]->header_.uuid);
        if (op && op->dp == od) {
            return true;
        }
    }
    return false;
}

/* Returns the switch with tunnel key 'key', or NULL. */
static const struct nd_datapath *
switch_by_key(const struct nd_datapaths *dps, uint32_t key)
{
    const struct nd_datapath *od;
    HMAP_FOR_EACH (od, node, &dps->datapaths) {
        if (od->tunnel_key == key && is_switch(od)) {
            return od;
        }
    }
    return NULL;
}

/* Adds to 'keys' the tunnel keys of the switches port group 'pg' has
 * ports on. */
static void
pg_switch_keys(const struct nd_datapaths *dps,
               const struct nbrec_port_group *pg, struct hmapx *dps_out)
{
    for (size_t i = 0; i < pg->n_ports; i++) {
        const struct nd_port *op = nd_port_find(dps,
                                                &pg->ports[i]->header_.uuid);
        if (op && is_switch(op->dp)) {
            hmapx_add(dps_out, op->dp);
        }
    }
}

/* An index of the port groups with ACLs, so that building one ACL or one
 * switch's flows does not go over every port group (northd/nb-match.c
 * finds port groups and address sets by name its own way).  It is
 * rebuilt, when next needed, after the port groups or the switches
 * changed (by their IDL change numbers), at the cost of a pass over the
 * port groups. */

/* A UUID and the UUIDs it maps to. */
struct uuid_map_node {
    struct hmap_node node;      /* By hash of 'key'. */
    struct uuid key;
    struct uuid *vals;
    size_t n_vals, allocated;
};

static struct uuid_map_node *
uuid_map_find(const struct hmap *map, const struct uuid *key)
{
    struct uuid_map_node *n;
    HMAP_FOR_EACH_WITH_HASH (n, node, uuid_hash(key), map) {
        if (uuid_equals(&n->key, key)) {
            return n;
        }
    }
    return NULL;
}

static void
uuid_map_add(struct hmap *map, const struct uuid *key,
             const struct uuid *val)
{
    struct uuid_map_node *n = uuid_map_find(map, key);
    if (!n) {
        n = xzalloc(sizeof *n);
        n->key = *key;
        hmap_insert(map, &n->node, uuid_hash(key));
    }
    if (n->n_vals && uuid_equals(&n->vals[n->n_vals - 1], val)) {
        return;
    }
    if (n->n_vals >= n->allocated) {
        n->vals = x2nrealloc(n->vals, &n->allocated, sizeof *n->vals);
    }
    n->vals[n->n_vals++] = *val;
}

static void
uuid_map_clear(struct hmap *map)
{
    struct uuid_map_node *n;
    HMAP_FOR_EACH_POP (n, node, map) {
        free(n->vals);
        free(n);
    }
}

/* Port groups with ACLs: by switch they have ports on (the switch's NB
 * UUID); by ACL they hold. */
struct pg_index {
    bool valid;
    unsigned int pg_seqno, ls_seqno;
    struct hmap by_switch;      /* "struct uuid_map_node"s. */
    struct hmap by_acl;         /* "struct uuid_map_node"s. */
};

static struct pg_index pg_index = {
    .by_switch = HMAP_INITIALIZER(&pg_index.by_switch),
    .by_acl = HMAP_INITIALIZER(&pg_index.by_acl),
};

static const struct pg_index *
get_pg_index(const struct nd_build_ctx *ctx)
{
    struct pg_index *x = &pg_index;
    unsigned int pg_seqno = ovsdb_idl_table_get_seqno(ctx->nb_idl,
                                                      &nbrec_table_port_group);
    unsigned int ls_seqno = ovsdb_idl_table_get_seqno(
        ctx->nb_idl, &nbrec_table_logical_switch);
    if (x->valid && x->pg_seqno == pg_seqno && x->ls_seqno == ls_seqno) {
        return x;
    }
    uuid_map_clear(&x->by_switch);
    uuid_map_clear(&x->by_acl);
    const struct nbrec_port_group *pg;
    NBREC_PORT_GROUP_FOR_EACH (pg, ctx->nb_idl) {
        if (!pg->n_acls) {
            continue;
        }
        const struct uuid *pg_uuid = &pg->header_.uuid;
        for (size_t i = 0; i < pg->n_acls; i++) {
            uuid_map_add(&x->by_acl, &pg->acls[i]->header_.uuid, pg_uuid);
        }
        for (size_t i = 0; i < pg->n_ports; i++) {
            const struct nd_port *op
                = nd_port_find(ctx->dps, &pg->ports[i]->header_.uuid);
            if (op && is_switch(op->dp)) {
                struct uuid_map_node *n = uuid_map_find(&x->by_switch,
                                                        &op->dp->nb_uuid);
                /* Once per switch: the group's last entry, if any. */
                if (!n || !n->n_vals
                    || !uuid_equals(&n->vals[n->n_vals - 1], pg_uuid)) {
                    uuid_map_add(&x->by_switch, &op->dp->nb_uuid, pg_uuid);
                }
            }
        }
    }
    x->valid = true;
    x->pg_seqno = pg_seqno;
    x->ls_seqno = ls_seqno;
    return x;
}

/* Returns the port groups with ACLs and ports on switch 'od'. */
static const struct uuid_map_node *
pgs_on_switch(const struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    return uuid_map_find(&get_pg_index(ctx)->by_switch, &od->nb_uuid);
}

/* What an ovs-ofctl match says of the Ethernet type. */
enum match_l3 {
    L3_ANY,                     /* Nothing. */
    L3_IP,                      /* IPv4 or IPv6. */
    L3_OTHER,                   /* Something else (ARP). */
};

/* Returns what ovs-ofctl match 'm', as the compiler writes it (the
 * protocol keyword of its Ethernet type, or "dl_type=" with another),
 * says of its Ethernet type. */
static enum match_l3
match_l3(const char *m)
{
    static const char *const ip_words[] = {
        "ip", "ipv6", "tcp", "tcp6", "udp", "udp6", "sctp", "sctp6", "icmp",
        "icmp6", "igmp", "dl_type=0x0800", "dl_type=0x86dd",
    };
    enum match_l3 l3 = L3_ANY;
    char *copy = xstrdup(m);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        for (size_t i = 0; i < ARRAY_SIZE(ip_words); i++) {
            if (!strcmp(tok, ip_words[i])) {
                l3 = L3_IP;
                goto done;
            }
        }
        if (!strcmp(tok, "arp") || !strcmp(tok, "rarp")
            || !strncmp(tok, "dl_type=", 8)) {
            l3 = L3_OTHER;
            break;
        }
    }
done:
    free(copy);
    return l3;
}

/* Appends alternative 'alt' of a compiled match, whose common part (its
 * ovs-ofctl fields before the first PIPELINE_MATCH_AND, if any) is the
 * first 'common_len' bytes, with 'prefix' added to that common part. */
static void
put_alt_with_prefix(const char *alt, size_t common_len, const char *prefix,
                    struct ds *s)
{
    if (s->length) {
        ds_put_cstr(s, PIPELINE_MATCH_OR);
    }
    ds_put_cstr(s, prefix);
    if (common_len) {
        ds_put_char(s, ',');
        ds_put_buffer(s, alt, common_len);
    } else if (alt[0] == '[') {
        /* No common part: the prefix becomes it. */
        ds_put_cstr(s, PIPELINE_MATCH_AND);
    }
    ds_put_cstr(s, alt + common_len);
}

/* Conntrack constraints: of ct_state (CS_* bits) and ct_mark. */
struct ct_cond {
    uint32_t state, state_mask;
    uint32_t mark, mark_mask;
};

/* The ct_state flags as ovs-ofctl names them, bit by bit. */
static const char *const ct_flag_names[] = {
    "new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat",
};

/* Adds ovs-ofctl field 'tok' ("ct_state=+est-rpl+trk", "ct_mark=0x1/0x1"
 * or "ct_mark=0x1") to 'c'.  Returns false if it contradicts what 'c'
 * holds (no packet matches both) or does not parse. */
static bool
ct_cond_add(struct ct_cond *c, const char *tok)
{
    if (!strncmp(tok, "ct_state=", 9)) {
        uint32_t v = 0, m = 0;
        for (const char *p = tok + 9; *p; ) {
            bool plus = *p == '+';
            if (*p != '+' && *p != '-') {
                return false;
            }
            p++;
            size_t len = strcspn(p, "+-");
            size_t i;
            for (i = 0; i < ARRAY_SIZE(ct_flag_names); i++) {
                if (strlen(ct_flag_names[i]) == len
                    && !strncmp(p, ct_flag_names[i], len)) {
                    break;
                }
            }
            if (i == ARRAY_SIZE(ct_flag_names)) {
                return false;
            }
            m |= 1u << i;
            v |= plus ? 1u << i : 0;
            p += len;
        }
        if ((c->state ^ v) & c->state_mask & m) {
            return false;
        }
        c->state |= v;
        c->state_mask |= m;
        /* Conntrack never calls a packet both new and established. */
        return (c->state & 3) != 3;
    } else if (!strncmp(tok, "ct_mark=", 8)) {
        char *end;
        uint32_t v = strtoul(tok + 8, &end, 0), m = UINT32_MAX;
        if (*end == '/') {
            m = strtoul(end + 1, &end, 0);
        }
        if (*end || ((c->mark ^ v) & c->mark_mask & m)) {
            return false;
        }
        c->mark |= v & m;
        c->mark_mask |= m;
        return true;
    }
    return false;
}

/* Appends 'c' to 's' as ovs-ofctl fields. */
static void
ct_cond_format(const struct ct_cond *c, struct ds *s)
{
    if (c->state_mask) {
        ds_put_cstr(s, "ct_state=");
        for (size_t i = 0; i < ARRAY_SIZE(ct_flag_names); i++) {
            if (c->state_mask & (1u << i)) {
                ds_put_format(s, "%c%s", c->state & (1u << i) ? '+' : '-',
                              ct_flag_names[i]);
            }
        }
    }
    if (c->mark_mask) {
        ds_put_format(s, "%sct_mark=", c->state_mask ? "," : "");
        if (c->mark) {
            ds_put_format(s, "0x%"PRIx32, c->mark);
        } else {
            ds_put_char(s, '0');
        }
        if (c->mark_mask != UINT32_MAX) {
            ds_put_format(s, "/0x%"PRIx32, c->mark_mask);
        }
    }
}

/* Returns true if ovs-ofctl field 'tok' is of conntrack state or mark. */
static bool
is_ct_field(const char *tok)
{
    return !strncmp(tok, "ct_state=", 9) || !strncmp(tok, "ct_mark=", 8);
}

/* Returns 'prefix' followed by the fields of 'common' (the common part of
 * an alternative, which may be empty), the conntrack fields of both
 * merged into one of each, or NULL if they contradict each other (or the
 * alternative's dimensions, 'rest', constrain them: the ACL needs its own
 * ct fields in its common part).  An ACL whose match uses ct.* fields
 * thus gets flows that ovs-ofctl takes as written: a field given twice
 * would be its last value alone. */
static char *
merge_prefix(const char *prefix, const char *common, const char *rest)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    if (!strstr(common, "ct_state=") && !strstr(common, "ct_mark=")) {
        if (strstr(rest, "ct_state=") || strstr(rest, "ct_mark=")) {
            VLOG_WARN_RL(&rl, "ACL match with ct fields in a set crossed "
                         "with others: \"%s\" (left out)", rest);
            return NULL;
        }
        return xstrdup(prefix);
    }
    struct ct_cond c = { 0, 0, 0, 0 };
    struct ds others = DS_EMPTY_INITIALIZER;
    bool ok = true;
    for (int pass = 0; pass < 2 && ok; pass++) {
        char *copy = xstrdup(pass ? common : prefix);
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok && ok;
             tok = strtok_r(NULL, ",", &save)) {
            if (is_ct_field(tok)) {
                ok = ct_cond_add(&c, tok);
            } else {
                ds_put_format(&others, "%s%s", others.length ? "," : "",
                              tok);
            }
        }
        free(copy);
    }
    if (!ok) {
        ds_destroy(&others);
        return NULL;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ct_cond_format(&c, &s);
    if (others.length) {
        ds_put_format(&s, ",%s", ds_cstr(&others));
    }
    ds_destroy(&others);
    return ds_steal_cstr(&s);
}

/* Appends alternative 'alt' (common part of 'common_len' bytes) to 's'
 * with 'prefix' added to its common part, the conntrack fields of both
 * merged (merge_prefix()); nothing if they contradict. */
static void
put_alt_merged(const char *alt, size_t common_len, const char *prefix,
               struct ds *s)
{
    char *common = xmemdup0(alt, common_len);
    char *merged = merge_prefix(prefix, common, alt + common_len);
    if (merged) {
        if (strcmp(merged, prefix) || !common_len) {
            /* The common part is in 'merged' (or there is none). */
            if (s->length) {
                ds_put_cstr(s, PIPELINE_MATCH_OR);
            }
            ds_put_cstr(s, merged);
            if (!common_len && alt[0] == '[') {
                ds_put_cstr(s, PIPELINE_MATCH_AND);
            }
            ds_put_cstr(s, alt + common_len);
        } else {
            put_alt_with_prefix(alt, common_len, prefix, s);
        }
    }
    free(merged);
    free(common);
}

/* Returns 'match' (a compiled logical flow match) with the ovs-ofctl
 * fields 'prefix' added to the common part of every alternative, or NULL
 * if nothing is left.  With 'ip_only', only IP packets can match (the
 * flow's actions use conntrack, which needs "ip" or "ipv6" in the
 * match): an alternative that names no Ethernet type becomes one for IPv4
 * and one for IPv6, one that names another type goes.  Conntrack fields
 * that the ACL's match has (ct.*, ct_mark) merge with the prefix's.
 *
 * The compiler's output is well formed, so this works on its text alone:
 * a conjunctive alternative's dimensions, which may hold thousands of
 * values, are copied as they are, not parsed again. */
static char *
match_with_prefix(const char *match, const char *prefix, bool ip_only)
{
    char **alts;
    size_t n_alts = pipeline_match_split(match, &alts);
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n_alts; i++) {
        const char *alt = alts[i];
        const char *and = strstr(alt, PIPELINE_MATCH_AND);
        size_t common_len = (alt[0] == '[' ? 0
                             : and ? and - alt : strlen(alt));
        char *common = xmemdup0(alt, common_len);
        enum match_l3 l3 = ip_only ? match_l3(common) : L3_IP;
        free(common);
        if (l3 == L3_IP) {
            put_alt_merged(alt, common_len, prefix, &s);
        } else if (l3 == L3_ANY) {
            char *p4 = xasprintf("ip,%s", prefix);
            char *p6 = xasprintf("ipv6,%s", prefix);
            put_alt_merged(alt, common_len, p4, &s);
            put_alt_merged(alt, common_len, p6, &s);
            free(p4);
            free(p6);
        }
    }
    pipeline_match_free(alts, n_alts);
    if (!s.length) {
        ds_destroy(&s);
        return NULL;
    }
    return ds_steal_cstr(&s);
}

/* The ACL's own flows. */

/* Returns true if 's' is one word of the logical action language (no
 * blank or punctuation that ends a word) and not empty. */
static bool
is_action_word(const char *s)
{
    return s[0] && !s[strcspn(s, " \t\n;{}(),=<\"")];
}

/* Appends to 's' the log meter option of 'acl' (", meter=M"), if it names
 * an NB Meter: the meter's drop band as the log() action carries it.  A
 * meter named but missing (its dependency by name makes its creation
 * rebuild the ACL) leaves the controller's own log meter in charge. */
static void
put_log_meter(struct nd_build_ctx *ctx, const struct nbrec_acl *acl,
              struct ds *s)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    if (!acl->meter || !acl->meter[0]) {
        return;
    }
    nd_owner_depends_on_name(ctx, &nbrec_table_meter, acl->meter);
    const struct nbrec_meter *m;
    NBREC_METER_FOR_EACH (m, ctx->nb_idl) {
        if (!strcmp(m->name, acl->meter)) {
            break;
        }
    }
    if (!m) {
        return;
    }
    nd_owner_depends_on_row(ctx, &nbrec_table_meter, &m->header_.uuid);
    if (!is_action_word(m->name) || m->rate < 1
        || (strcmp(m->unit, "kbps") && strcmp(m->unit, "pktps"))) {
        VLOG_WARN_RL(&rl, "ACL "UUID_FMT": meter \"%s\" cannot be used "
                     "(its name has a blank or punctuation, or it has no "
                     "rate)", UUID_ARGS(&acl->header_.uuid), m->name);
        return;
    }
    ds_put_format(s, ", meter=%s/%"PRId64"/%"PRId64"/%s", m->unit, m->rate,
                  m->burst_size, m->name);
}

/* Appends the log() action of 'acl' with verdict 'verdict' to 's', if the
 * ACL logs. */
static void
put_log(struct nd_build_ctx *ctx, const struct nbrec_acl *acl,
        const char *verdict, struct ds *s)
{
    if (!acl->log) {
        return;
    }
    ds_put_cstr(s, "log(");
    if (acl->name && acl->name[0]) {
        ds_put_format(s, "name=%s, ", acl->name);
    }
    ds_put_format(s, "severity=%s, verdict=%s",
                  acl->severity ? acl->severity : "info", verdict);
    put_log_meter(ctx, acl, s);
    ds_put_cstr(s, "); ");
}

/* The actions that commit a connection an ACL allows, in the ingress
 * ACL stage if 'ingress', and go on.  On a switch with load balancers,
 * ingress leaves the commit to ls_in_stateful (lflow-lb.h), after
 * ls_in_lb, whose commit of a new connection to a VIP must come first to
 * give it its NAT. */
static const char *
commit_actions(struct nd_build_ctx *ctx, const struct nd_datapath *od,
               bool ingress)
{
    const struct nbrec_logical_switch *ls
        = nbrec_logical_switch_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
    return (ingress && ls && lflow_lb_switch_has_lbs(ls)
            ? REG_CT_COMMIT" = 1; next;"
            : "ct_commit { ct_mark = 0/"CT_MARK_BLOCKED"; }; next;");
}

/* Adds one flow of 'acl' on 'od': 'match' restricted by ct fields
 * 'prefix' (none if NULL), with actions 'actions'. */
static void
add_acl_flow(struct nd_build_ctx *ctx, const struct nd_datapath *od,
             enum pipeline_stage stage, uint16_t priority,
             const char *match, const char *prefix, const char *actions)
{
    char *m = (prefix
               ? match_with_prefix(match, prefix, strstr(actions, "ct_"))
               : xstrdup(match));
    if (m) {
        lflow_table_add(ctx->lflows, &od->sb_uuid, stage, priority, m,
                        actions);
        free(m);
    }
}

/* Adds the flows of 'acl' on switch 'od', for traffic 'pg' (NULL for an
 * ACL of the switch itself) names. */
static void
build_acl_flows(struct nd_build_ctx *ctx, const struct nd_datapath *od,
                const struct nbrec_acl *acl,
                const struct nbrec_port_group *pg)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    bool ingress = acl_is_ingress(acl);
    char *text = (pg
                  ? xasprintf("%s == @%s && (%s)",
                              ingress ? "inport" : "outport", pg->name,
                              acl->match)
                  : xstrdup(acl->match));
    char *match;
    char *error = nd_match_compile_string_sets(ctx, od, text,
                                               ACL_MAX_FLOWS, &match);
    free(text);
    if (error) {
        VLOG_WARN_RL(&rl, "ACL "UUID_FMT" (%s): match \"%s\": %s",
                     UUID_ARGS(&acl->header_.uuid),
                     acl->name ? acl->name : "", acl->match, error);
        free(error);
        return;
    }
    if (!match) {
        return;
    }

    enum pipeline_stage pre = (ingress ? S_SWITCH_INGRESS_PRE_ACL
                               : S_SWITCH_EGRESS_PRE_ACL);
    enum pipeline_stage stage = (ingress ? S_SWITCH_INGRESS_ACL
                                 : S_SWITCH_EGRESS_ACL);
    uint16_t pri = MIN(acl->priority, 32767) + ACL_PRI_OFFSET;
    const char *commit = commit_actions(ctx, od, ingress);
    struct ds a = DS_EMPTY_INITIALIZER;
    const char *act = acl->action;
    if (!strcmp(act, "allow-stateless")) {
        /* Past conntrack on a stateful switch, and allowed. */
        add_acl_flow(ctx, od, pre, pri, match, NULL, "next;");
        put_log(ctx, acl, "allow", &a);
        ds_put_cstr(&a, "next;");
        add_acl_flow(ctx, od, stage, pri, match, NULL, ds_cstr(&a));
    } else if (!strcmp(act, "allow") || !strcmp(act, "allow-related")) {
        /* Stateless switch (or traffic that skipped conntrack). */
        put_log(ctx, acl, "allow", &a);
        ds_put_cstr(&a, "next;");
        add_acl_flow(ctx, od, stage, pri, match, "ct_state=-trk",
                     ds_cstr(&a));
        /* A new connection: commit it (unblocked). */
        ds_clear(&a);
        put_log(ctx, acl, "allow", &a);
        ds_put_cstr(&a, commit);
        add_acl_flow(ctx, od, stage, pri, match, "ct_state=-est+trk",
                     ds_cstr(&a));
        /* An established connection in its original direction: it goes
         * on, and one that a drop ACL blocked before is unblocked. */
        add_acl_flow(ctx, od, stage, pri, match,
                     "ct_state=+est-rpl+trk,ct_mark=0/"CT_MARK_BLOCKED,
                     "next;");
        add_acl_flow(ctx, od, stage, pri, match,
                     "ct_state=+est-rpl+trk,ct_mark="CT_MARK_BLOCKED"/"
                     CT_MARK_BLOCKED, commit);
    } else if (!strcmp(act, "drop") || !strcmp(act, "reject")) {
        bool reject = act[0] == 'r';
        const char *verdict = reject ? "reject;" : "";
        /* Not established (new, or stateless): refused. */
        put_log(ctx, acl, act, &a);
        ds_put_cstr(&a, reject ? "reject;" : "drop;");
        if (acl->log && !reject) {
            /* "drop;" stands alone: the log action's list drops. */
            ds_truncate(&a, a.length - strlen(" drop;"));
        }
        add_acl_flow(ctx, od, stage, pri, match, "ct_state=-est",
                     ds_cstr(&a));
        /* Established: block the connection, so that its replies are
         * dropped too, and refuse the packet. */
        ds_clear(&a);
        put_log(ctx, acl, act, &a);
        ds_put_format(&a, "ct_commit { ct_mark = "CT_MARK_BLOCKED"/"
                      CT_MARK_BLOCKED"; };%s%s", reject ? " " : "",
                      verdict);
        add_acl_flow(ctx, od, stage, pri, match, "ct_state=+est+trk",
                     ds_cstr(&a));
    } else {
        VLOG_WARN_RL(&rl, "ACL "UUID_FMT": unknown action %s",
                     UUID_ARGS(&acl->header_.uuid), act);
    }
    ds_destroy(&a);
    free(match);
}

/* What applies where. */

/* The switch's ACLs as last seen, to find ACLs that a switch stopped
 * naming without being deleted. */
struct switch_acls {
    struct hmap_node node;      /* In 'all_switch_acls', by switch UUID. */
    struct uuid ls_uuid;        /* The Logical_Switch. */
    uint32_t key;               /* Its tunnel key. */
    struct uuidset acls;        /* Its ACLs. */
};

static struct hmap all_switch_acls = HMAP_INITIALIZER(&all_switch_acls);

static struct switch_acls *
switch_acls_find(const struct uuid *ls_uuid)
{
    struct switch_acls *sa;
    HMAP_FOR_EACH_WITH_HASH (sa, node, uuid_hash(ls_uuid), &all_switch_acls) {
        if (uuid_equals(&sa->ls_uuid, ls_uuid)) {
            return sa;
        }
    }
    return NULL;
}

static void
switch_acls_remove(struct switch_acls *sa)
{
    hmap_remove(&all_switch_acls, &sa->node);
    uuidset_destroy(&sa->acls);
    free(sa);
}

/* Records that switch 'ls' (tunnel key 'key') names its ACLs as now, and
 * adds to 'owners', if nonnull, the owners of ACLs it named before but
 * does not now. */
static void
switch_acls_update(const struct nbrec_logical_switch *ls, uint32_t key,
                   struct lflow_owner_set *owners)
{
    struct switch_acls *sa = switch_acls_find(&ls->header_.uuid);
    if (!sa) {
        sa = xzalloc(sizeof *sa);
        sa->ls_uuid = ls->header_.uuid;
        uuidset_init(&sa->acls);
        hmap_insert(&all_switch_acls, &sa->node, uuid_hash(&sa->ls_uuid));
    }
    struct uuidset now = UUIDSET_INITIALIZER(&now);
    for (size_t i = 0; i < ls->n_acls; i++) {
        uuidset_insert(&now, &ls->acls[i]->header_.uuid);
    }
    if (owners) {
        struct uuidset_node *n;
        UUIDSET_FOR_EACH (n, &sa->acls) {
            if (!uuidset_contains(&now, &n->uuid)) {
                struct lflow_owner_id id = nd_owner_id(&lflow_acl_kind,
                                                       &n->uuid, sa->key);
                lflow_owner_set_add(owners, &id);
            }
        }
    }
    hmap_swap(&sa->acls.uuids, &now.uuids);
    uuidset_destroy(&now);
    sa->key = key;
}

/* Facts about the ACLs of one switch. */
struct switch_acl_facts {
    bool has[2];                /* ACLs from-lport [0], to-lport [1]. */
    bool stateless[2];          /* allow-stateless ACLs per direction. */
    bool stateful;              /* An allow-related ACL. */
};

/* Returns true if 'acl' is to be evaluated after load balancing.  No
 * stage after ls_in_lb evaluates ACLs yet, so such ACLs are left out: the
 * ACL stages run where OVN's before-load-balancing ones do, and putting
 * them there would let them decide what OVN decides before them
 * (lib/nb-unapplied.c warns about them). */
static bool
acl_after_lb(const struct nbrec_acl *acl)
{
    return smap_get_bool(&acl->options, "apply-after-lb", false);
}

static void
note_acl(struct nd_build_ctx *ctx, const struct nbrec_acl *acl,
         struct switch_acl_facts *f)
{
    nd_owner_depends_on_row(ctx, &nbrec_table_acl, &acl->header_.uuid);
    if (acl_after_lb(acl)) {
        return;
    }
    int dir = !acl_is_ingress(acl);
    f->has[dir] = true;
    f->stateless[dir] |= !strcmp(acl->action, "allow-stateless");
    f->stateful |= acl_is_stateful(acl);
}

/* The per-switch flows. */

/* Adds to ACL stage 'stage' of 'od' the flows that decide by connection
 * state alone, ahead of every ACL: they match only packets that went
 * through conntrack. */
static void
add_ct_state_flows(struct nd_build_ctx *ctx, const struct nd_datapath *od,
                   enum pipeline_stage stage)
{
    const struct uuid *dp = &od->sb_uuid;
    struct lflow_table *t = ctx->lflows;

    /* Invalid packets, and replies of blocked connections: drop. */
    lflow_table_add_shared(t, dp, stage, PRI_ACL_CT,
                           "ct_state=+inv+trk", "drop;");
    lflow_table_add_shared(t, dp, stage, PRI_ACL_CT,
                           "ct_state=+est+rpl-inv+trk,ct_mark="
                           CT_MARK_BLOCKED"/"CT_MARK_BLOCKED, "drop;");
    /* Replies and related traffic of allowed connections: allow, whatever
     * the ACLs say. */
    lflow_table_add_shared(t, dp, stage, PRI_ACL_CT,
                           "ct_state=-new+est+rpl-inv+trk,ct_mark=0/"
                           CT_MARK_BLOCKED, "next;");
    lflow_table_add_shared(t, dp, stage, PRI_ACL_CT,
                           "ct_state=-new-est+rel-inv+trk,ct_mark=0/"
                           CT_MARK_BLOCKED, "next;");
}

static void
add_ct_flows(struct nd_build_ctx *ctx, const struct nd_datapath *od,
             enum pipeline_stage pre, enum pipeline_stage stage)
{
    const struct uuid *dp = &od->sb_uuid;
    struct lflow_table *t = ctx->lflows;
    const char *commit = commit_actions(ctx, od,
                                        stage == S_SWITCH_INGRESS_ACL);

    lflow_table_add_shared(t, dp, pre, PRI_PRE_ACL_SKIP_ND, MATCH_ND,
                           "next;");
    lflow_table_add_shared(t, dp, pre, PRI_PRE_ACL_CT, MATCH_IP, "ct_next;");

    add_ct_state_flows(ctx, od, stage);
    lflow_table_add_shared(t, dp, stage, PRI_ACL_CT, MATCH_ND, "next;");
    /* What no ACL decides is allowed, and committed so that its replies
     * pass. */
    lflow_table_add_shared(t, dp, stage, PRI_ACL_DEFAULT_COMMIT,
                           "ip,ct_state=-est+trk || ipv6,ct_state=-est+trk",
                           commit);
    lflow_table_add_shared(t, dp, stage, PRI_ACL_DEFAULT_COMMIT,
                           "ip,ct_state=+est+trk,ct_mark="CT_MARK_BLOCKED"/"
                           CT_MARK_BLOCKED" || ipv6,ct_state=+est+trk,"
                           "ct_mark="CT_MARK_BLOCKED"/"CT_MARK_BLOCKED,
                           commit);
}

/* Builds the per-switch ACL flows of 'od'. */
static void
build_switch(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    const struct nbrec_logical_switch *ls
        = nbrec_logical_switch_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
    if (!ls) {
        return;
    }
    struct switch_acl_facts f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i < ls->n_acls; i++) {
        note_acl(ctx, ls->acls[i], &f);
    }
    /* The port groups that apply here, each a dependency: a change of one
     * (ports or ACLs) finds this owner through the change index, and a
     * group that starts applying here is a change of the group, which
     * acl_collect_nb() finds. */
    const struct uuid_map_node *pgs = pgs_on_switch(ctx, od);
    for (size_t j = 0; pgs && j < pgs->n_vals; j++) {
        const struct nbrec_port_group *pg
            = nbrec_port_group_get_for_uuid(ctx->nb_idl, &pgs->vals[j]);
        if (!pg) {
            continue;
        }
        nd_owner_depends_on_row(ctx, &nbrec_table_port_group,
                                &pg->header_.uuid);
        for (size_t i = 0; i < pg->n_acls; i++) {
            note_acl(ctx, pg->acls[i], &f);
        }
    }

    static const enum pipeline_stage pres[2] = {
        S_SWITCH_INGRESS_PRE_ACL, S_SWITCH_EGRESS_PRE_ACL
    };
    static const enum pipeline_stage stages[2] = {
        S_SWITCH_INGRESS_ACL, S_SWITCH_EGRESS_ACL
    };
    for (int dir = 0; dir < 2; dir++) {
        if (f.stateful) {
            add_ct_flows(ctx, od, pres[dir], stages[dir]);
        } else if (f.has[dir] && lflow_lb_switch_has_lbs(ls)) {
            /* A switch with load balancers but no stateful ACL: as in
             * OVN, the load-balanced connections (the only traffic in
             * conntrack here) pass its ACLs by their state: the replies,
             * and the related traffic, of a connection allowed to a VIP
             * are allowed.  Everything else meets the ACLs as on a
             * stateless switch. */
            add_ct_state_flows(ctx, od, stages[dir]);
        }
        if (f.stateful || f.stateless[dir]) {
            lflow_table_add_shared(ctx->lflows, &od->sb_uuid, pres[dir],
                                   PRI_PRE_ACL_DEFAULT, "", "next;");
        }
        if (f.stateful || f.has[dir]) {
            lflow_table_add_shared(ctx->lflows, &od->sb_uuid, stages[dir],
                                   PRI_ACL_DEFAULT, "", "next;");
        }
    }
}

/* nd_owner_kind 'build' of the switch kind. */
static void
switch_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = nd_datapath_find(ctx->dps, &id->uuid);
    nd_owner_begin(ctx, id);
    if (od && is_switch(od)) {
        build_switch(ctx, od);
    }
    nd_owner_end(ctx);
}

static void
add_switch_owner(const struct nd_datapath *od, struct lflow_owner_set *owners)
{
    struct lflow_owner_id id = nd_owner_id(&lflow_acl_switch_kind,
                                           &od->nb_uuid, 0);
    lflow_owner_set_add(owners, &id);
}

static void
add_acl_owner(const struct uuid *acl, const struct nd_datapath *od,
              struct lflow_owner_set *owners)
{
    struct lflow_owner_id id = nd_owner_id(&lflow_acl_kind, acl,
                                           od->tunnel_key);
    lflow_owner_set_add(owners, &id);
}

/* nd_owner_kind 'collect' of the switch kind: switches that came, went
 * or changed. */
static void
switch_collect(const struct nd_changes *changes,
               struct lflow_owner_set *owners)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &changes->datapaths) {
        const struct nd_datapath *od = node->data;
        if (is_switch(od)) {
            add_switch_owner(od, owners);
        }
    }
    const struct nd_datapath *od;
    LIST_FOR_EACH (od, removed_node, &changes->removed_dps) {
        if (is_switch(od)) {
            add_switch_owner(od, owners);
        }
    }
}

/* Builds owner 'id' of an ACL on one switch. */
static void
acl_build(struct nd_build_ctx *ctx, const struct lflow_owner_id *id)
{
    const struct nd_datapath *od = switch_by_key(ctx->dps, id->index);
    const struct nbrec_acl *acl = nbrec_acl_get_for_uuid(ctx->nb_idl,
                                                         &id->uuid);
    nd_owner_begin(ctx, id);
    nd_owner_depends_on_row(ctx, &nbrec_table_acl, &id->uuid);
    if (od && acl && !acl_after_lb(acl)) {
        /* An ACL of the switch itself. */
        const struct nbrec_logical_switch *ls
            = nbrec_logical_switch_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
        for (size_t i = 0; ls && i < ls->n_acls; i++) {
            if (ls->acls[i] == acl) {
                build_acl_flows(ctx, od, acl, NULL);
                break;
            }
        }
        /* An ACL of port groups with ports on the switch. */
        const struct uuid_map_node *pgs
            = uuid_map_find(&get_pg_index(ctx)->by_acl, &acl->header_.uuid);
        for (size_t j = 0; pgs && j < pgs->n_vals; j++) {
            const struct nbrec_port_group *pg
                = nbrec_port_group_get_for_uuid(ctx->nb_idl, &pgs->vals[j]);
            if (pg) {
                nd_owner_depends_on_row(ctx, &nbrec_table_port_group,
                                        &pg->header_.uuid);
                if (pg_has_port_on(ctx->dps, pg, od)) {
                    build_acl_flows(ctx, od, acl, pg);
                }
            }
        }
    }
    nd_owner_end(ctx);
}

/* nd_owner_kind 'build_datapath' of both kinds. */
static void
switch_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (!is_switch(od)) {
        return;
    }
    struct lflow_owner_id id = nd_owner_id(&lflow_acl_switch_kind,
                                           &od->nb_uuid, 0);
    switch_build(ctx, &id);
}

/* Adds to 'owners' the owners of every ACL on switch 'ls' ('od'): its
 * own and those of port groups with ports on it. */
static void
add_switch_acl_owners(const struct nd_build_ctx *ctx,
                      const struct nbrec_logical_switch *ls,
                      const struct nd_datapath *od,
                      struct lflow_owner_set *owners)
{
    for (size_t i = 0; i < ls->n_acls; i++) {
        add_acl_owner(&ls->acls[i]->header_.uuid, od, owners);
    }
    const struct nbrec_port_group *pg;
    NBREC_PORT_GROUP_FOR_EACH (pg, ctx->nb_idl) {
        if (pg->n_acls && pg_has_port_on(ctx->dps, pg, od)) {
            for (size_t i = 0; i < pg->n_acls; i++) {
                add_acl_owner(&pg->acls[i]->header_.uuid, od, owners);
            }
        }
    }
}

static void
acl_build_datapath(struct nd_build_ctx *ctx, const struct nd_datapath *od)
{
    if (!is_switch(od)) {
        return;
    }
    struct lflow_owner_set owners;
    lflow_owner_set_init(&owners);
    const struct nbrec_logical_switch *ls
        = nbrec_logical_switch_get_for_uuid(ctx->nb_idl, &od->nb_uuid);
    if (ls) {
        for (size_t i = 0; i < ls->n_acls; i++) {
            add_acl_owner(&ls->acls[i]->header_.uuid, od, &owners);
        }
        switch_acls_update(ls, od->tunnel_key, NULL);
    }
    const struct uuid_map_node *pgs = pgs_on_switch(ctx, od);
    for (size_t j = 0; pgs && j < pgs->n_vals; j++) {
        const struct nbrec_port_group *pg
            = nbrec_port_group_get_for_uuid(ctx->nb_idl, &pgs->vals[j]);
        for (size_t i = 0; pg && i < pg->n_acls; i++) {
            add_acl_owner(&pg->acls[i]->header_.uuid, od, &owners);
        }
    }
    nd_owners_build(ctx, &owners);
    lflow_owner_set_destroy(&owners);
}

/* Adds to 'owners' the owners of the ACLs of port group 'pg' on the
 * switches it has ports on, and those switches' own owners. */
static void
collect_pg(const struct nd_build_ctx *ctx, const struct nbrec_port_group *pg,
           struct lflow_owner_set *owners)
{
    struct hmapx sws = HMAPX_INITIALIZER(&sws);
    pg_switch_keys(ctx->dps, pg, &sws);
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &sws) {
        const struct nd_datapath *od = node->data;
        add_switch_owner(od, owners);
        for (size_t i = 0; i < pg->n_acls; i++) {
            add_acl_owner(&pg->acls[i]->header_.uuid, od, owners);
        }
    }
    hmapx_destroy(&sws);
}

/* nd_owner_kind 'collect_nb' of the ACL kind: the owners of new and
 * changed ACLs, of ACLs a switch stopped naming, and of the ACLs of port
 * groups that changed.  (The owners of a changed or deleted ACL, and the
 * switch owners that read it, depend on its row and are found through the
 * change index.) */
static void
acl_collect_nb(const struct nd_build_ctx *ctx, struct lflow_owner_set *owners)
{
    struct ovsdb_idl *idl = ctx->nb_idl;

    const struct nbrec_logical_switch *ls;
    NBREC_LOGICAL_SWITCH_FOR_EACH_TRACKED (ls, idl) {
        const struct nd_datapath *od = nd_datapath_find(ctx->dps,
                                                        &ls->header_.uuid);
        if (nbrec_logical_switch_is_deleted(ls) || !od) {
            struct switch_acls *sa = switch_acls_find(&ls->header_.uuid);
            if (sa) {
                switch_acls_remove(sa);
            }
            continue;
        }
        if (nbrec_logical_switch_is_updated(
                ls, NBREC_LOGICAL_SWITCH_COL_LOAD_BALANCER)
            || nbrec_logical_switch_is_updated(
                ls, NBREC_LOGICAL_SWITCH_COL_LOAD_BALANCER_GROUP)) {
            /* Where its ACLs commit may have changed. */
            add_switch_acl_owners(ctx, ls, od, owners);
        }
        if (nbrec_logical_switch_is_new(ls)
            || nbrec_logical_switch_is_updated(
                   ls, NBREC_LOGICAL_SWITCH_COL_ACLS)) {
            switch_acls_update(ls, od->tunnel_key, owners);
            add_switch_owner(od, owners);
            for (size_t i = 0; i < ls->n_acls; i++) {
                const struct nbrec_acl *acl = ls->acls[i];
                if (nbrec_acl_is_new(acl)) {
                    add_acl_owner(&acl->header_.uuid, od, owners);
                }
            }
        }
    }

    const struct nbrec_port_group *pg;
    NBREC_PORT_GROUP_FOR_EACH_TRACKED (pg, idl) {
        if (!nbrec_port_group_is_deleted(pg)) {
            collect_pg(ctx, pg, owners);
        }
    }
}

/* nd_owner_kind 'collect' of the ACL kind: nothing beyond what the
 * switch kind and the change index find. */
static void
acl_collect(const struct nd_changes *changes OVS_UNUSED,
            struct lflow_owner_set *owners OVS_UNUSED)
{
}

/* The tables the ACL flows read. */
static const struct nd_owner_dep_table acl_dep_tables[] = {
    { &nbrec_table_acl, NULL },
    { &nbrec_table_logical_switch_port, &nbrec_logical_switch_port_col_name },
    { &nbrec_table_port_group, &nbrec_port_group_col_name },
    { &nbrec_table_address_set, &nbrec_address_set_col_name },
    { &nbrec_table_meter, &nbrec_meter_col_name },
};

/* The per-switch ACL flows of each Logical_Switch. */
const struct nd_owner_kind lflow_acl_switch_kind = {
    .name = "switch-acl",
    .nb_table = "Logical_Switch",
    .dep_tables = acl_dep_tables,
    .n_dep_tables = ARRAY_SIZE(acl_dep_tables),
    .build_datapath = switch_build_datapath,
    .collect = switch_collect,
    .build = switch_build,
};

/* The flows of each ACL on each switch it applies to. */
const struct nd_owner_kind lflow_acl_kind = {
    .name = "acl",
    .nb_table = "ACL",
    .dep_tables = acl_dep_tables,
    .n_dep_tables = ARRAY_SIZE(acl_dep_tables),
    .build_datapath = acl_build_datapath,
    .collect = acl_collect,
    .collect_nb = acl_collect_nb,
    .build = acl_build,
};
