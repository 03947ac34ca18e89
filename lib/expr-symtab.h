/*
 * The symbol table of the match language: every name an expression may
 * use, what it means and how to read or write it in a packet.
 *
 * There are three kinds of symbol:
 *
 *   - Fields (EXPR_SYM_FIELD) are bit strings of a fixed width taken from
 *     a packet header, such as "ip4.src" (32 bits) or "tcp.dst" (16).
 *     Each has a display format that also says which literals it accepts.
 *
 *   - String fields (EXPR_SYM_STRING), "inport" and "outport", hold a
 *     logical port name.  They compare only with == and != against quoted
 *     strings or port groups.
 *
 * Fields and string fields may be nominal: their values name things
 * (a protocol, a port) rather than measure them, as in OVN's symbol
 * table: "eth.type", "ip.proto", "inport" and "outport".
 *
 *   - Predicates (EXPR_SYM_PREDICATE), such as "tcp" or "ip4", are
 *     shorthands for an expression written in the language itself.
 *
 * A field or predicate may have prerequisites: an expression that must
 * hold for the field to be meaningful ("tcp.dst" needs "tcp", which is
 * "ip.proto == 6", which needs "ip").  The parser adds them to every
 * comparison, so a parsed expression never matches a field of a header
 * the packet does not have.
 *
 * The table is constant and shared; symbols are never freed.
 */
#ifndef EXPR_SYMTAB_H
#define EXPR_SYMTAB_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flow;

/* How a field's values are written, and which literals it accepts:
 * decimal and hexadecimal integers go into any field, MAC, IPv4 and IPv6
 * literals only into fields of that format. */
enum expr_format {
    EXPR_FMT_DEC,               /* Integer, printed in decimal. */
    EXPR_FMT_HEX,               /* Integer, printed in hexadecimal. */
    EXPR_FMT_MAC,               /* Ethernet address xx:xx:xx:xx:xx:xx. */
    EXPR_FMT_IPV4,              /* IPv4 address, CIDR allowed. */
    EXPR_FMT_IPV6,              /* IPv6 address, CIDR allowed. */
};

/* A value of up to 128 bits, big-endian and right-aligned: a 16-bit
 * field's value is in b[14] and b[15].  Comparing two values with
 * memcmp() compares them as unsigned integers. */
struct expr_value {
    uint8_t b[16];              /* Bytes, most significant first. */
};

/* What kind of name a symbol is. */
enum expr_sym_type {
    EXPR_SYM_FIELD,             /* Bit-string field of a packet header. */
    EXPR_SYM_STRING,            /* Logical port name. */
    EXPR_SYM_PREDICATE,         /* Shorthand for an expression. */
};

/* Which header field a symbol reads and writes in a struct flow. */
enum expr_field_id {
    EXPR_F_NONE,                /* Not a field (predicates). */
    EXPR_F_INPORT,              /* Logical ingress port. */
    EXPR_F_OUTPORT,             /* Logical egress port. */
    EXPR_F_ETH_SRC,             /* flow->dl_src. */
    EXPR_F_ETH_DST,             /* flow->dl_dst. */
    EXPR_F_ETH_TYPE,            /* flow->dl_type. */
    EXPR_F_VLAN_VID,            /* VID bits of flow->vlans[0].tci. */
    EXPR_F_VLAN_PRESENT,        /* CFI bit of flow->vlans[0].tci. */
    EXPR_F_VLAN_PCP,            /* PCP bits of flow->vlans[0].tci. */
    EXPR_F_VLAN_TCI,            /* All of flow->vlans[0].tci. */
    EXPR_F_IP4_SRC,             /* flow->nw_src. */
    EXPR_F_IP4_DST,             /* flow->nw_dst. */
    EXPR_F_IP6_SRC,             /* flow->ipv6_src. */
    EXPR_F_IP6_DST,             /* flow->ipv6_dst. */
    EXPR_F_IP_PROTO,            /* flow->nw_proto. */
    EXPR_F_IP_DSCP,             /* Upper 6 bits of flow->nw_tos. */
    EXPR_F_IP_TTL,              /* flow->nw_ttl. */
    EXPR_F_TP_SRC,              /* flow->tp_src (TCP/UDP port, ICMP type). */
    EXPR_F_TP_DST,              /* flow->tp_dst (TCP/UDP port, ICMP code). */
    EXPR_F_ARP_OP,              /* flow->nw_proto (low 8 bits of opcode). */
    EXPR_F_ARP_SPA,             /* flow->nw_src. */
    EXPR_F_ARP_TPA,             /* flow->nw_dst. */
    EXPR_F_ARP_SHA,             /* flow->arp_sha. */
    EXPR_F_ARP_THA,             /* flow->arp_tha. */
    EXPR_F_COLOR,               /* Bits 0..7 of flow->regs[9]: colour. */
    EXPR_F_CT_NEW,              /* flow->ct_state bits, one each: CS_NEW, */
    EXPR_F_CT_EST,              /* CS_ESTABLISHED, */
    EXPR_F_CT_REL,              /* CS_RELATED, */
    EXPR_F_CT_RPL,              /* CS_REPLY_DIR, */
    EXPR_F_CT_INV,              /* CS_INVALID, */
    EXPR_F_CT_TRK,              /* CS_TRACKED. */
    EXPR_F_CT_MARK,             /* flow->ct_mark. */
    EXPR_F_CT_LABEL,            /* flow->ct_label. */
    EXPR_F_TCP_FLAGS,           /* flow->tcp_flags (12 bits). */
    EXPR_F_IP_FRAG,             /* flow->nw_frag: bit 0 a fragment, bit 1
                                 * not the first one. */
    EXPR_F_ND_TARGET,           /* flow->nd_target. */
    EXPR_F_ND_SLL,              /* flow->arp_sha of a neighbour
                                 * solicitation. */
    EXPR_F_ND_TLL,              /* flow->arp_tha of a neighbour
                                 * advertisement. */
};

/* One name of the match language. */
struct expr_symbol {
    const char *name;           /* E.g. "ip4.src". */
    enum expr_sym_type type;    /* Field, string field or predicate. */
    enum expr_field_id field;   /* Fields: where the value lives. */
    int width;                  /* Fields: width in bits, 1..128. */
    enum expr_format format;    /* Fields: display and literal format. */
    const char *prereqs;        /* Expression that must hold, or NULL. */
    const char *expansion;      /* Predicates: the expression it means. */
    bool nominal;               /* Values name things (protocols, ports)
                                 * rather than measure them: no ordering,
                                 * no subfields, and in OVN's strict
                                 * reading equality only. */
};

const struct expr_symbol *expr_symbol_lookup(const char *name);
const struct expr_symbol *expr_symbols(size_t *n);
const char *expr_format_name(enum expr_format);

void expr_symbol_get(const struct expr_symbol *, const struct flow *,
                     struct expr_value *);
void expr_symbol_set(const struct expr_symbol *, const struct expr_value *,
                     struct flow *);

/* Helpers for struct expr_value. */
void expr_value_from_uint64(uint64_t, struct expr_value *);
uint64_t expr_value_to_uint64(const struct expr_value *);
int expr_value_n_bits(const struct expr_value *);
void expr_value_mask_width(int width, struct expr_value *);
void expr_value_mask_prefix(int width, int plen, struct expr_value *);
int expr_value_prefix_len(int width, const struct expr_value *);
void expr_value_and(struct expr_value *, const struct expr_value *);
bool expr_value_is_zero(const struct expr_value *);
bool expr_value_bit(const struct expr_value *, int bit);
void expr_value_set_bit(struct expr_value *, int bit, bool);
void expr_value_shift_left(struct expr_value *, int n);

#endif /* lib/expr-symtab.h */
