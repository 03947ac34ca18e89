/*
 * Conjunctions of OpenFlow field constraints, the building block of the
 * match compiler (lib/expr-compile.h).  Internal to libosmotic.
 *
 * A term says that the bits of one OpenFlow field under a mask have a
 * value: "nw_src=10.0.0.0/8" or "tp_dst=80".  A conjunction is a set of
 * terms on distinct fields, kept sorted by field, which is exactly what
 * one OpenFlow match can say.  Adding a term to a conjunction that
 * already constrains the field intersects the two (value/mask
 * intersection) or finds that they contradict each other.
 *
 * Fields are numbered by enum expr_cfield; each maps to one meta-flow
 * field, which says whether OpenFlow can mask it, and knows how to put
 * a term into a struct match and to print it.
 *
 * Values and masks are struct expr_value: big-endian and right-aligned,
 * in the coordinates of the OpenFlow field (a 16-bit field's value in
 * b[14] and b[15]); a value is zero outside its mask.
 */
#ifndef EXPR_COMPILE_CONJ_H
#define EXPR_COMPILE_CONJ_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/expr-symtab.h"

struct ds;
struct match;
struct mf_field;

/* The bit of field F in a bitmap of fields. */
#define EXPR_CF_BIT(F) (UINT64_C(1) << (F))

/* The OpenFlow fields the compiler writes, in the order it writes them
 * in a dimension's values. */
enum expr_cfield {
    EXPR_CF_REG9,               /* reg9: bits 0..7 hold the colour. */
    EXPR_CF_REG14,              /* reg14: logical ingress port key. */
    EXPR_CF_REG15,              /* reg15: logical egress port key. */
    EXPR_CF_ETH_SRC,            /* dl_src. */
    EXPR_CF_ETH_DST,            /* dl_dst. */
    EXPR_CF_ETH_TYPE,           /* dl_type, not maskable. */
    EXPR_CF_VLAN_TCI,           /* vlan_tci: VID, present (CFI) bit and
                                 * priority. */
    EXPR_CF_IP4_SRC,            /* nw_src of IPv4. */
    EXPR_CF_IP4_DST,            /* nw_dst of IPv4. */
    EXPR_CF_IP6_SRC,            /* ipv6_src. */
    EXPR_CF_IP6_DST,            /* ipv6_dst. */
    EXPR_CF_IP_PROTO,           /* nw_proto, not maskable. */
    EXPR_CF_IP_DSCP,            /* ip_dscp (nw_tos >> 2), not maskable. */
    EXPR_CF_IP_TTL,             /* nw_ttl, not maskable. */
    EXPR_CF_IP_FRAG,            /* ip_frag (nw_frag, 2 bits). */
    EXPR_CF_TCP_SRC,            /* tp_src of TCP. */
    EXPR_CF_TCP_DST,            /* tp_dst of TCP. */
    EXPR_CF_TCP_FLAGS,          /* tcp_flags (12 bits). */
    EXPR_CF_UDP_SRC,            /* tp_src of UDP. */
    EXPR_CF_UDP_DST,            /* tp_dst of UDP. */
    EXPR_CF_ICMP4_TYPE,         /* icmp_type, not maskable. */
    EXPR_CF_ICMP4_CODE,         /* icmp_code, not maskable. */
    EXPR_CF_ICMP6_TYPE,         /* icmpv6_type, not maskable. */
    EXPR_CF_ICMP6_CODE,         /* icmpv6_code, not maskable. */
    EXPR_CF_SCTP_SRC,           /* tp_src of SCTP. */
    EXPR_CF_SCTP_DST,           /* tp_dst of SCTP. */
    EXPR_CF_ARP_OP,             /* arp_op (8 bits in a flow), not
                                 * maskable. */
    EXPR_CF_ARP_SPA,            /* arp_spa. */
    EXPR_CF_ARP_TPA,            /* arp_tpa. */
    EXPR_CF_ARP_SHA,            /* arp_sha. */
    EXPR_CF_ARP_THA,            /* arp_tha. */
    EXPR_CF_CT_STATE,           /* ct_state (the ct.* bits). */
    EXPR_CF_CT_MARK,            /* ct_mark. */
    EXPR_CF_CT_LABEL,           /* ct_label. */
    EXPR_CF_ND_TARGET,          /* nd_target. */
    EXPR_CF_ND_SLL,             /* nd_sll. */
    EXPR_CF_ND_TLL,             /* nd_tll. */
    EXPR_N_CFIELDS
};

/* Where a symbol of the language lives in an OpenFlow field. */
struct expr_cfield_map {
    enum expr_cfield field;     /* The field. */
    int ofs;                    /* Bit offset of the symbol's bit 0. */
    int n_bits;                 /* Bits of the symbol the field holds; the
                                 * symbol's higher bits are always zero in
                                 * a packet (arp.op: 8 of 16). */
};

bool expr_cfield_map_symbol(const struct expr_symbol *,
                            struct expr_cfield_map *);
int expr_cfield_width(enum expr_cfield);
bool expr_cfield_maskable(enum expr_cfield);
const char *expr_cfield_name(enum expr_cfield);

/* One constraint: the bits of 'field' under 'mask' equal 'value'. */
struct expr_cterm {
    enum expr_cfield field;     /* The field. */
    struct expr_value value;    /* Zero outside 'mask'. */
    struct expr_value mask;     /* Bits constrained; never zero. */
};

/* A conjunction of terms on distinct fields: one OpenFlow match.  With no
 * terms, it matches every packet. */
struct expr_conj {
    struct expr_cterm *terms;   /* Sorted by field, one per field. */
    size_t n_terms;             /* Number of 'terms'. */
    uint64_t fields;            /* EXPR_CF_BIT(F) set if a term is on
                                 * field F. */
};

bool expr_cterm_compatible(const struct expr_cterm *,
                           const struct expr_cterm *);

void expr_conj_init(struct expr_conj *);
void expr_conj_destroy(struct expr_conj *);
void expr_conj_clone(struct expr_conj *dst, const struct expr_conj *src);
void expr_conj_move(struct expr_conj *dst, struct expr_conj *src);
bool expr_conj_add_term(struct expr_conj *, const struct expr_cterm *);
bool expr_conj_merge(struct expr_conj *, const struct expr_conj *);
void expr_conj_take_fields(struct expr_conj *from, uint64_t fields,
                           struct expr_conj *to);
const struct expr_cterm *expr_conj_find(const struct expr_conj *,
                                        enum expr_cfield);
int expr_conj_compare(const struct expr_conj *, const struct expr_conj *);
bool expr_conj_implies(const struct expr_conj *a, const struct expr_conj *b);
void expr_conj_to_match(const struct expr_conj *, struct match *);
void expr_conj_format(const struct expr_conj *, struct ds *);
void expr_conj_format_fields(const struct expr_conj *, struct ds *);

/* A growable list of conjunctions. */
struct expr_conjs {
    struct expr_conj *conjs;    /* The conjunctions. */
    size_t n;                   /* Number of 'conjs'. */
    size_t allocated;           /* Allocated size of 'conjs'. */
};

void expr_conjs_init(struct expr_conjs *);
void expr_conjs_destroy(struct expr_conjs *);
void expr_conjs_clone(struct expr_conjs *dst, const struct expr_conjs *src);
struct expr_conj *expr_conjs_add(struct expr_conjs *);
void expr_conjs_add_term(struct expr_conjs *, const struct expr_cterm *);
void expr_conjs_tidy(struct expr_conjs *, size_t max_subsume);
uint64_t expr_conjs_fields(const struct expr_conjs *);

/* Covering sets of values with masked prefixes. */
void expr_cover_range(enum expr_cfield, int width,
                      const struct expr_value *lo,
                      const struct expr_value *hi, int ofs,
                      struct expr_conjs *);
void expr_cover_complement(enum expr_cfield, int width, int ofs,
                           const struct expr_cterm *prefixes, size_t n,
                           struct expr_conjs *);

#endif /* lib/expr-compile-conj.h */
