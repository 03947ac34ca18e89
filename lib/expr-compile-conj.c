#include <config.h>

#include "lib/expr-compile-conj.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "util.h"

/* What the compiler knows about one OpenFlow field. */
struct cfield_info {
    enum mf_field_id mf;        /* Meta-flow field. */
    const char *name;           /* Name written in dimension values. */
    int width;                  /* Bits a flow holds. */
};

/* Every field has a bit in struct expr_conj's 'fields'. */
BUILD_ASSERT_DECL(EXPR_N_CFIELDS <= 64);

/* Indexed by enum expr_cfield.  The names are those match_format() uses,
 * so that a dimension's values read like the common part. */
static const struct cfield_info cfields[EXPR_N_CFIELDS] = {
    [EXPR_CF_REG9] = { MFF_REG9, "reg9", 32 },
    [EXPR_CF_REG14] = { MFF_REG14, "reg14", 32 },
    [EXPR_CF_REG15] = { MFF_REG15, "reg15", 32 },
    [EXPR_CF_ETH_SRC] = { MFF_ETH_SRC, "dl_src", 48 },
    [EXPR_CF_ETH_DST] = { MFF_ETH_DST, "dl_dst", 48 },
    [EXPR_CF_ETH_TYPE] = { MFF_ETH_TYPE, "dl_type", 16 },
    [EXPR_CF_VLAN_TCI] = { MFF_VLAN_TCI, "vlan_tci", 16 },
    [EXPR_CF_IP4_SRC] = { MFF_IPV4_SRC, "nw_src", 32 },
    [EXPR_CF_IP4_DST] = { MFF_IPV4_DST, "nw_dst", 32 },
    [EXPR_CF_IP6_SRC] = { MFF_IPV6_SRC, "ipv6_src", 128 },
    [EXPR_CF_IP6_DST] = { MFF_IPV6_DST, "ipv6_dst", 128 },
    [EXPR_CF_IP_PROTO] = { MFF_IP_PROTO, "nw_proto", 8 },
    [EXPR_CF_IP_DSCP] = { MFF_IP_DSCP_SHIFTED, "ip_dscp", 6 },
    [EXPR_CF_IP_TTL] = { MFF_IP_TTL, "nw_ttl", 8 },
    [EXPR_CF_IP_FRAG] = { MFF_IP_FRAG, "ip_frag", 2 },
    [EXPR_CF_TCP_SRC] = { MFF_TCP_SRC, "tp_src", 16 },
    [EXPR_CF_TCP_DST] = { MFF_TCP_DST, "tp_dst", 16 },
    [EXPR_CF_TCP_FLAGS] = { MFF_TCP_FLAGS, "tcp_flags", 12 },
    [EXPR_CF_UDP_SRC] = { MFF_UDP_SRC, "tp_src", 16 },
    [EXPR_CF_UDP_DST] = { MFF_UDP_DST, "tp_dst", 16 },
    [EXPR_CF_ICMP4_TYPE] = { MFF_ICMPV4_TYPE, "icmp_type", 8 },
    [EXPR_CF_ICMP4_CODE] = { MFF_ICMPV4_CODE, "icmp_code", 8 },
    [EXPR_CF_ICMP6_TYPE] = { MFF_ICMPV6_TYPE, "icmpv6_type", 8 },
    [EXPR_CF_ICMP6_CODE] = { MFF_ICMPV6_CODE, "icmpv6_code", 8 },
    [EXPR_CF_SCTP_SRC] = { MFF_SCTP_SRC, "tp_src", 16 },
    [EXPR_CF_SCTP_DST] = { MFF_SCTP_DST, "tp_dst", 16 },
    [EXPR_CF_ARP_OP] = { MFF_ARP_OP, "arp_op", 8 },
    [EXPR_CF_ARP_SPA] = { MFF_ARP_SPA, "arp_spa", 32 },
    [EXPR_CF_ARP_TPA] = { MFF_ARP_TPA, "arp_tpa", 32 },
    [EXPR_CF_ARP_SHA] = { MFF_ARP_SHA, "arp_sha", 48 },
    [EXPR_CF_ARP_THA] = { MFF_ARP_THA, "arp_tha", 48 },
    [EXPR_CF_CT_STATE] = { MFF_CT_STATE, "ct_state", 32 },
    [EXPR_CF_CT_MARK] = { MFF_CT_MARK, "ct_mark", 32 },
    [EXPR_CF_CT_LABEL] = { MFF_CT_LABEL, "ct_label", 128 },
    [EXPR_CF_ND_TARGET] = { MFF_ND_TARGET, "nd_target", 128 },
    [EXPR_CF_ND_SLL] = { MFF_ND_SLL, "nd_sll", 48 },
    [EXPR_CF_ND_TLL] = { MFF_ND_TLL, "nd_tll", 48 },
};

/* Returns the meta-flow field of 'f'. */
static const struct mf_field *
cfield_mf(enum expr_cfield f)
{
    return mf_from_id(cfields[f].mf);
}

/* Returns the number of bits of 'f' that a flow holds. */
int
expr_cfield_width(enum expr_cfield f)
{
    return cfields[f].width;
}

/* Returns true if OpenFlow can match 'f' under an arbitrary mask. */
bool
expr_cfield_maskable(enum expr_cfield f)
{
    return cfield_mf(f)->maskable == MFM_FULLY;
}

/* Returns the ovs-ofctl name the compiler writes for 'f'. */
const char *
expr_cfield_name(enum expr_cfield f)
{
    return cfields[f].name;
}

/* Stores in '*map' where symbol 'sym' lives in OpenFlow and returns true,
 * or returns false if 'sym' is no field the compiler knows. */
bool
expr_cfield_map_symbol(const struct expr_symbol *sym,
                       struct expr_cfield_map *map)
{
    /* Symbols whose field id does not say which OpenFlow field to use
     * (TCP, UDP, SCTP and ICMP share the transport ports of a flow). */
    static const struct {
        const char *name;
        enum expr_cfield field;
    } by_name[] = {
        { "tcp.src", EXPR_CF_TCP_SRC },
        { "tcp.dst", EXPR_CF_TCP_DST },
        { "udp.src", EXPR_CF_UDP_SRC },
        { "udp.dst", EXPR_CF_UDP_DST },
        { "icmp4.type", EXPR_CF_ICMP4_TYPE },
        { "icmp4.code", EXPR_CF_ICMP4_CODE },
        { "icmp6.type", EXPR_CF_ICMP6_TYPE },
        { "icmp6.code", EXPR_CF_ICMP6_CODE },
        { "sctp.src", EXPR_CF_SCTP_SRC },
        { "sctp.dst", EXPR_CF_SCTP_DST },
    };

    map->ofs = 0;
    map->n_bits = sym->width;
    switch (sym->field) {
    case EXPR_F_NONE:
        return false;
    case EXPR_F_INPORT:
        map->field = EXPR_CF_REG14;
        map->n_bits = 32;
        return true;
    case EXPR_F_OUTPORT:
        map->field = EXPR_CF_REG15;
        map->n_bits = 32;
        return true;
    case EXPR_F_COLOR:
        map->field = EXPR_CF_REG9;
        return true;
    case EXPR_F_ETH_SRC:
        map->field = EXPR_CF_ETH_SRC;
        return true;
    case EXPR_F_ETH_DST:
        map->field = EXPR_CF_ETH_DST;
        return true;
    case EXPR_F_ETH_TYPE:
        map->field = EXPR_CF_ETH_TYPE;
        return true;
    case EXPR_F_VLAN_VID:
        map->field = EXPR_CF_VLAN_TCI;
        return true;
    case EXPR_F_VLAN_PRESENT:
        map->field = EXPR_CF_VLAN_TCI;
        map->ofs = 12;
        return true;
    case EXPR_F_VLAN_PCP:
        map->field = EXPR_CF_VLAN_TCI;
        map->ofs = 13;
        return true;
    case EXPR_F_VLAN_TCI:
        map->field = EXPR_CF_VLAN_TCI;
        return true;
    case EXPR_F_IP4_SRC:
        map->field = EXPR_CF_IP4_SRC;
        return true;
    case EXPR_F_IP4_DST:
        map->field = EXPR_CF_IP4_DST;
        return true;
    case EXPR_F_IP6_SRC:
        map->field = EXPR_CF_IP6_SRC;
        return true;
    case EXPR_F_IP6_DST:
        map->field = EXPR_CF_IP6_DST;
        return true;
    case EXPR_F_IP_PROTO:
        map->field = EXPR_CF_IP_PROTO;
        return true;
    case EXPR_F_IP_DSCP:
        map->field = EXPR_CF_IP_DSCP;
        return true;
    case EXPR_F_IP_TTL:
        map->field = EXPR_CF_IP_TTL;
        return true;
    case EXPR_F_TP_SRC:
    case EXPR_F_TP_DST:
        for (size_t i = 0; i < ARRAY_SIZE(by_name); i++) {
            if (!strcmp(sym->name, by_name[i].name)) {
                map->field = by_name[i].field;
                return true;
            }
        }
        return false;
    case EXPR_F_ARP_OP:
        map->field = EXPR_CF_ARP_OP;
        map->n_bits = 8;
        return true;
    case EXPR_F_ARP_SPA:
        map->field = EXPR_CF_ARP_SPA;
        return true;
    case EXPR_F_ARP_TPA:
        map->field = EXPR_CF_ARP_TPA;
        return true;
    case EXPR_F_ARP_SHA:
        map->field = EXPR_CF_ARP_SHA;
        return true;
    case EXPR_F_ARP_THA:
        map->field = EXPR_CF_ARP_THA;
        return true;
    case EXPR_F_CT_NEW:
    case EXPR_F_CT_EST:
    case EXPR_F_CT_REL:
    case EXPR_F_CT_RPL:
    case EXPR_F_CT_INV:
    case EXPR_F_CT_TRK:
        /* CS_NEW is bit 0 of ct_state, CS_TRACKED bit 5. */
        map->field = EXPR_CF_CT_STATE;
        map->ofs = sym->field - EXPR_F_CT_NEW;
        return true;
    case EXPR_F_CT_MARK:
        map->field = EXPR_CF_CT_MARK;
        return true;
    case EXPR_F_CT_LABEL:
        map->field = EXPR_CF_CT_LABEL;
        return true;
    case EXPR_F_TCP_FLAGS:
        map->field = EXPR_CF_TCP_FLAGS;
        return true;
    case EXPR_F_IP_FRAG:
        map->field = EXPR_CF_IP_FRAG;
        return true;
    case EXPR_F_ND_TARGET:
        map->field = EXPR_CF_ND_TARGET;
        return true;
    case EXPR_F_ND_SLL:
        map->field = EXPR_CF_ND_SLL;
        return true;
    case EXPR_F_ND_TLL:
        map->field = EXPR_CF_ND_TLL;
        return true;
    }
    return false;
}

/* Initializes 'c' as the empty conjunction (true). */
void
expr_conj_init(struct expr_conj *c)
{
    c->terms = NULL;
    c->n_terms = 0;
    c->fields = 0;
}

/* Frees what 'c' owns. */
void
expr_conj_destroy(struct expr_conj *c)
{
    free(c->terms);
    c->terms = NULL;
    c->n_terms = 0;
    c->fields = 0;
}

/* Initializes 'dst' as a copy of 'src'. */
void
expr_conj_clone(struct expr_conj *dst, const struct expr_conj *src)
{
    dst->terms = (src->n_terms
                  ? xmemdup(src->terms, src->n_terms * sizeof *src->terms)
                  : NULL);
    dst->n_terms = src->n_terms;
    dst->fields = src->fields;
}

/* Moves 'src' into uninitialized 'dst', leaving 'src' empty. */
void
expr_conj_move(struct expr_conj *dst, struct expr_conj *src)
{
    *dst = *src;
    expr_conj_init(src);
}

/* Returns the term of 'c' on field 'f', or NULL. */
const struct expr_cterm *
expr_conj_find(const struct expr_conj *c, enum expr_cfield f)
{
    if (!(c->fields & EXPR_CF_BIT(f))) {
        return NULL;
    }
    for (size_t i = 0; i < c->n_terms; i++) {
        if (c->terms[i].field == f) {
            return &c->terms[i];
        }
    }
    OVS_NOT_REACHED();
}

/* Returns true if terms 'a' and 'b', on the same field, can hold
 * together: they agree on the bits both constrain. */
bool
expr_cterm_compatible(const struct expr_cterm *a, const struct expr_cterm *b)
{
    for (int i = 0; i < 16; i++) {
        if ((a->value.b[i] ^ b->value.b[i]) & a->mask.b[i] & b->mask.b[i]) {
            return false;
        }
    }
    return true;
}

/* Adds 't' to 'c', intersecting it with the term 'c' already has on the
 * same field.  Returns false if the two contradict each other (then 'c'
 * is unchanged and should be discarded). */
bool
expr_conj_add_term(struct expr_conj *c, const struct expr_cterm *t)
{
    size_t i = 0;
    while (i < c->n_terms && c->terms[i].field < t->field) {
        i++;
    }
    if (i < c->n_terms && c->terms[i].field == t->field) {
        struct expr_cterm *old = &c->terms[i];
        if (!expr_cterm_compatible(old, t)) {
            return false;
        }
        for (int j = 0; j < 16; j++) {
            old->value.b[j] |= t->value.b[j];
            old->mask.b[j] |= t->mask.b[j];
        }
        return true;
    }
    c->terms = xrealloc(c->terms, (c->n_terms + 1) * sizeof *c->terms);
    memmove(&c->terms[i + 1], &c->terms[i],
            (c->n_terms - i) * sizeof *c->terms);
    c->terms[i] = *t;
    c->n_terms++;
    c->fields |= EXPR_CF_BIT(t->field);
    return true;
}

/* Adds every term of 'src' to 'dst'.  Returns false on a contradiction,
 * after which 'dst' is to be discarded. */
bool
expr_conj_merge(struct expr_conj *dst, const struct expr_conj *src)
{
    for (size_t i = 0; i < src->n_terms; i++) {
        if (!expr_conj_add_term(dst, &src->terms[i])) {
            return false;
        }
    }
    return true;
}

/* Moves the terms of 'from' on the fields in bitmap 'fields' into 'to',
 * which must not constrain those fields. */
void
expr_conj_take_fields(struct expr_conj *from, uint64_t fields,
                      struct expr_conj *to)
{
    size_t n = 0;
    for (size_t i = 0; i < from->n_terms; i++) {
        const struct expr_cterm *t = &from->terms[i];
        if (fields & (EXPR_CF_BIT(t->field))) {
            bool ok = expr_conj_add_term(to, t);
            ovs_assert(ok);
        } else {
            from->terms[n++] = *t;
        }
    }
    from->n_terms = n;
    from->fields &= ~fields;
}

/* Compares two terms, for a total order. */
static int
cterm_compare(const struct expr_cterm *a, const struct expr_cterm *b)
{
    if (a->field != b->field) {
        return a->field < b->field ? -1 : 1;
    }
    int cmp = memcmp(&a->mask, &b->mask, sizeof a->mask);
    return cmp ? cmp : memcmp(&a->value, &b->value, sizeof a->value);
}

/* Returns a total order on conjunctions: fewer terms first. */
int
expr_conj_compare(const struct expr_conj *a, const struct expr_conj *b)
{
    if (a->n_terms != b->n_terms) {
        return a->n_terms < b->n_terms ? -1 : 1;
    }
    for (size_t i = 0; i < a->n_terms; i++) {
        int cmp = cterm_compare(&a->terms[i], &b->terms[i]);
        if (cmp) {
            return cmp;
        }
    }
    return 0;
}

/* Returns true if every packet that 'a' matches, 'b' matches too: each
 * term of 'b' constrains bits that 'a' fixes to the same values. */
bool
expr_conj_implies(const struct expr_conj *a, const struct expr_conj *b)
{
    if (b->fields & ~a->fields) {
        return false;
    }
    size_t i = 0;
    for (size_t j = 0; j < b->n_terms; j++) {
        const struct expr_cterm *tb = &b->terms[j];
        while (a->terms[i].field != tb->field) {
            i++;
        }
        const struct expr_cterm *ta = &a->terms[i];
        for (int k = 0; k < 16; k++) {
            if ((tb->mask.b[k] & ~ta->mask.b[k])
                || ((ta->value.b[k] ^ tb->value.b[k]) & tb->mask.b[k])) {
                return false;
            }
        }
    }
    return true;
}

/* Returns true if 't' constrains every bit its field holds. */
static bool
cterm_is_exact(const struct expr_cterm *t)
{
    struct expr_value full;
    expr_value_mask_width(expr_cfield_width(t->field), &full);
    return !memcmp(&full, &t->mask, sizeof full);
}

/* Copies the field-sized tail of 'v' into '*mfv'. */
static void
value_to_mf(const struct mf_field *mf, const struct expr_value *v,
            union mf_value *mfv)
{
    memset(mfv, 0, sizeof *mfv);
    memcpy(mfv, &v->b[16 - mf->n_bytes], mf->n_bytes);
}

/* Sets 'match' to the OpenFlow match of 'c'. */
void
expr_conj_to_match(const struct expr_conj *c, struct match *match)
{
    match_init_catchall(match);
    for (size_t i = 0; i < c->n_terms; i++) {
        const struct expr_cterm *t = &c->terms[i];
        const struct mf_field *mf = cfield_mf(t->field);
        union mf_value value, mask;
        value_to_mf(mf, &t->value, &value);
        if (cterm_is_exact(t)) {
            mf_set_value(mf, &value, match, NULL);
        } else {
            value_to_mf(mf, &t->mask, &mask);
            mf_set(mf, &value, &mask, match, NULL);
        }
    }
}

/* Returns true if 't' is on an IPv6 address field under a mask that is
 * not a prefix.  OVS prints such a mask as an address that its own
 * parser may misread ("::/100::" reads as "::/100" followed by junk), so
 * the compiler writes it as subfields instead. */
static bool
cterm_is_odd_ipv6(const struct expr_cterm *t)
{
    return ((t->field == EXPR_CF_IP6_SRC || t->field == EXPR_CF_IP6_DST)
            && expr_value_prefix_len(128, &t->mask) < 0);
}

/* Appends term 't' as one subfield match per run of one bits in its mask,
 * e.g. "ipv6_src[0..15]=0x1,ipv6_src[112..127]=0xfd00". */
static void
format_subfields(const struct expr_cterm *t, struct ds *s)
{
    const char *name = expr_cfield_name(t->field);
    int width = expr_cfield_width(t->field);
    bool first = true;
    for (int lo = 0; lo < width; lo++) {
        if (!expr_value_bit(&t->mask, lo)) {
            continue;
        }
        int hi = lo;
        while (hi + 1 < width && expr_value_bit(&t->mask, hi + 1)) {
            hi++;
        }
        struct expr_value run;
        memset(&run, 0, sizeof run);
        for (int bit = lo; bit <= hi; bit++) {
            expr_value_set_bit(&run, bit - lo,
                               expr_value_bit(&t->value, bit));
        }
        ds_put_format(s, "%s%s[%d..%d]=0x", first ? "" : ",", name, lo, hi);
        int i = 0;
        while (i < 15 && !run.b[i]) {
            i++;
        }
        ds_put_format(s, "%x", run.b[i]);
        for (i++; i < 16; i++) {
            ds_put_format(s, "%02x", run.b[i]);
        }
        first = false;
        lo = hi;
    }
}

/* Appends the canonical ovs-ofctl text of 'c' (match_format()), except
 * that IPv6 addresses under masks that are not prefixes are written as
 * subfields at the end. */
void
expr_conj_format(const struct expr_conj *c, struct ds *s)
{
    struct expr_conj plain;
    expr_conj_init(&plain);
    for (size_t i = 0; i < c->n_terms; i++) {
        if (!cterm_is_odd_ipv6(&c->terms[i])) {
            expr_conj_add_term(&plain, &c->terms[i]);
        }
    }
    struct match match;
    expr_conj_to_match(&plain, &match);
    size_t start = s->length;
    match_format(&match, NULL, s, OFP_DEFAULT_PRIORITY);
    for (size_t i = 0; i < c->n_terms; i++) {
        if (cterm_is_odd_ipv6(&c->terms[i])) {
            if (s->length > start) {
                ds_put_char(s, ',');
            }
            format_subfields(&c->terms[i], s);
        }
    }
    expr_conj_destroy(&plain);
}

/* Appends 'c' as ovs-ofctl "name=value[/mask]" fields in field order,
 * each named explicitly, so that the text means the same without the
 * context (the Ethernet type and IP protocol) that match_format() would
 * need to choose names such as ipv6_src or arp_sha. */
void
expr_conj_format_fields(const struct expr_conj *c, struct ds *s)
{
    for (size_t i = 0; i < c->n_terms; i++) {
        const struct expr_cterm *t = &c->terms[i];
        const struct mf_field *mf = cfield_mf(t->field);
        union mf_value value, mask;
        value_to_mf(mf, &t->value, &value);
        value_to_mf(mf, &t->mask, &mask);
        if (i) {
            ds_put_char(s, ',');
        }
        if (cterm_is_odd_ipv6(t)) {
            format_subfields(t, s);
            continue;
        }
        ds_put_format(s, "%s=", expr_cfield_name(t->field));
        if (cterm_is_exact(t)) {
            mf_format(mf, &value, NULL, NULL, s);
        } else if (mf->string == MFS_DECIMAL
                   || mf->string == MFS_HEXADECIMAL) {
            /* As match_format() writes masked integers. */
            ds_put_format(s, "0x%"PRIx64"/0x%"PRIx64,
                          expr_value_to_uint64(&t->value),
                          expr_value_to_uint64(&t->mask));
        } else {
            mf_format(mf, &value, &mask, NULL, s);
        }
    }
}

/* Initializes an empty list. */
void
expr_conjs_init(struct expr_conjs *l)
{
    l->conjs = NULL;
    l->n = l->allocated = 0;
}

/* Frees 'l' and its conjunctions. */
void
expr_conjs_destroy(struct expr_conjs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        expr_conj_destroy(&l->conjs[i]);
    }
    free(l->conjs);
    expr_conjs_init(l);
}

/* Initializes 'dst' as a deep copy of 'src'. */
void
expr_conjs_clone(struct expr_conjs *dst, const struct expr_conjs *src)
{
    expr_conjs_init(dst);
    for (size_t i = 0; i < src->n; i++) {
        expr_conj_clone(expr_conjs_add(dst), &src->conjs[i]);
    }
}

/* Appends an uninitialized conjunction to 'l' and returns it. */
struct expr_conj *
expr_conjs_add(struct expr_conjs *l)
{
    if (l->n >= l->allocated) {
        l->conjs = x2nrealloc(l->conjs, &l->allocated, sizeof *l->conjs);
    }
    return &l->conjs[l->n++];
}

/* Appends a conjunction of the single term 't' to 'l'. */
void
expr_conjs_add_term(struct expr_conjs *l, const struct expr_cterm *t)
{
    struct expr_conj *c = expr_conjs_add(l);
    expr_conj_init(c);
    expr_conj_add_term(c, t);
}

/* qsort() comparison of conjunctions. */
static int
compare_conjs(const void *a, const void *b)
{
    return expr_conj_compare(a, b);
}

/* Returns true if all members of 'l' constrain the same fields, each to
 * one value (an address set's addresses): then none implies another that
 * it does not equal, and looking for one (quadratic) can be skipped. */
static bool
conjs_all_exact_alike(const struct expr_conjs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct expr_conj *c = &l->conjs[i];
        if (c->fields != l->conjs[0].fields) {
            return false;
        }
        for (size_t j = 0; j < c->n_terms; j++) {
            if (!cterm_is_exact(&c->terms[j])) {
                return false;
            }
        }
    }
    return true;
}

/* Sorts 'l', removes duplicates and, if 'l' has at most 'max_subsume'
 * members, every member that another implies (in "a || b" where b
 * implies a, b adds nothing).  An empty conjunction implies nothing but
 * is implied by everything, so it remains alone. */
void
expr_conjs_tidy(struct expr_conjs *l, size_t max_subsume)
{
    if (l->n < 2) {
        return;
    }
    qsort(l->conjs, l->n, sizeof *l->conjs, compare_conjs);
    size_t n = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (expr_conj_compare(&l->conjs[n - 1], &l->conjs[i])) {
            l->conjs[n++] = l->conjs[i];
        } else {
            expr_conj_destroy(&l->conjs[i]);
        }
    }
    l->n = n;
    if (n > max_subsume || conjs_all_exact_alike(l)) {
        return;
    }

    /* Sorted by number of terms, so a member can only be implied by
     * (be a superset of the terms' constraints of) one before it. */
    n = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct expr_conj *c = &l->conjs[i];
        bool redundant = false;
        for (size_t j = 0; j < n && !redundant; j++) {
            redundant = expr_conj_implies(c, &l->conjs[j]);
        }
        if (redundant) {
            expr_conj_destroy(c);
        } else {
            l->conjs[n++] = *c;
        }
    }
    l->n = n;
}

/* Returns the union of the fields of the members of 'l'. */
uint64_t
expr_conjs_fields(const struct expr_conjs *l)
{
    uint64_t fields = 0;
    for (size_t i = 0; i < l->n; i++) {
        fields |= l->conjs[i].fields;
    }
    return fields;
}

/* Appends the term "bits ofs + width - plen .. ofs + width - 1 of 'f'
 * equal those of 'prefix'" to 'l'; a zero-length prefix is the empty
 * conjunction. */
static void
add_prefix(enum expr_cfield f, int width, const struct expr_value *prefix,
           int plen, int ofs, struct expr_conjs *l)
{
    struct expr_cterm t = { .field = f, .value = *prefix };
    expr_value_mask_prefix(width, plen, &t.mask);
    expr_value_and(&t.value, &t.mask);
    if (!plen) {
        expr_conj_init(expr_conjs_add(l));
        return;
    }
    expr_value_shift_left(&t.value, ofs);
    expr_value_shift_left(&t.mask, ofs);
    expr_conjs_add_term(l, &t);
}

/* Returns the largest value whose top 'plen' of 'width' bits are those
 * of 'prefix'. */
static struct expr_value
prefix_high(const struct expr_value *prefix, int width, int plen)
{
    struct expr_value high = *prefix;
    for (int bit = 0; bit < width - plen; bit++) {
        expr_value_set_bit(&high, bit, true);
    }
    return high;
}

/* Covers the values in [lo, hi] that share their top 'plen' bits with
 * 'prefix' (whose lower bits are zero). */
static void
cover_range(enum expr_cfield f, int width, const struct expr_value *lo,
            const struct expr_value *hi, struct expr_value *prefix,
            int plen, int ofs, struct expr_conjs *l)
{
    struct expr_value high = prefix_high(prefix, width, plen);
    if (memcmp(&high, lo, sizeof high) < 0
        || memcmp(prefix, hi, sizeof *prefix) > 0) {
        return;
    } else if (memcmp(prefix, lo, sizeof *prefix) >= 0
               && memcmp(&high, hi, sizeof high) <= 0) {
        add_prefix(f, width, prefix, plen, ofs, l);
        return;
    }
    int bit = width - plen - 1;
    cover_range(f, width, lo, hi, prefix, plen + 1, ofs, l);
    expr_value_set_bit(prefix, bit, true);
    cover_range(f, width, lo, hi, prefix, plen + 1, ofs, l);
    expr_value_set_bit(prefix, bit, false);
}

/* Appends to 'l' the fewest masked prefixes of a 'width'-bit value at bit
 * 'ofs' of field 'f' that together cover the values lo through hi (at
 * most two per bit).  Nothing if lo > hi. */
void
expr_cover_range(enum expr_cfield f, int width, const struct expr_value *lo,
                 const struct expr_value *hi, int ofs, struct expr_conjs *l)
{
    struct expr_value prefix;
    memset(&prefix, 0, sizeof prefix);
    if (memcmp(lo, hi, sizeof *lo) <= 0) {
        cover_range(f, width, lo, hi, &prefix, 0, ofs, l);
    }
}

/* Returns the prefix length of term 't' of a 'width'-bit field. */
static int
cterm_plen(const struct expr_cterm *t, int width)
{
    int plen = expr_value_prefix_len(width, &t->mask);
    ovs_assert(plen >= 0);
    return plen;
}

/* Covers the values with top 'plen' bits those of 'prefix' that none of
 * the 'n' 'terms' (each a prefix sharing 'prefix''s top bits up to its
 * own length or to 'plen') holds. */
static void
cover_complement(enum expr_cfield f, int width, int ofs,
                 const struct expr_cterm *terms, size_t n,
                 struct expr_value *prefix, int plen, struct expr_conjs *l)
{
    if (!n) {
        add_prefix(f, width, prefix, plen, ofs, l);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (cterm_plen(&terms[i], width) <= plen) {
            return;             /* This one holds all of them. */
        }
    }

    int bit = width - plen - 1;
    struct expr_cterm *half = xmalloc(n * sizeof *half);
    for (int x = 0; x < 2; x++) {
        size_t n_half = 0;
        for (size_t i = 0; i < n; i++) {
            if (expr_value_bit(&terms[i].value, bit) == x) {
                half[n_half++] = terms[i];
            }
        }
        expr_value_set_bit(prefix, bit, x);
        cover_complement(f, width, ofs, half, n_half, prefix, plen + 1, l);
    }
    expr_value_set_bit(prefix, bit, false);
    free(half);
}

/* Appends to 'l' masked prefixes of a 'width'-bit value at bit 'ofs' of
 * field 'f' that cover exactly the values that none of the 'n' 'prefixes'
 * holds (each a prefix of the 'width'-bit value: bit 0 of a term is bit
 * 'ofs' of the field).  At most 'width' prefixes per member. */
void
expr_cover_complement(enum expr_cfield f, int width, int ofs,
                      const struct expr_cterm *prefixes, size_t n,
                      struct expr_conjs *l)
{
    struct expr_value prefix;
    memset(&prefix, 0, sizeof prefix);
    cover_complement(f, width, ofs, prefixes, n, &prefix, 0, l);
}
