#include <config.h>

#include "lib/expr-symtab.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "packets.h"
#include "util.h"

/* Prerequisite and expansion texts used by several symbols. */
#define IP_PREREQ "ip"
#define IP4_PREREQ "ip4"
#define IP6_PREREQ "ip6"
#define ARP_PREREQ "arp"
/* ICMPv6 neighbour discovery messages of type(s) TYPES, as OVN defines
 * them: code 0, and a hop limit of 255, which no router forwards. */
#define ND_PREREQ(TYPES) \
    "icmp6.type == " TYPES " && icmp6.code == 0 && ip.ttl == 255"

/* Shorthands for the table below. */
#define FIELD(NAME, ID, WIDTH, FORMAT, PREREQS) \
    { NAME, EXPR_SYM_FIELD, ID, WIDTH, FORMAT, PREREQS, NULL, false }
#define NOMINAL(NAME, ID, WIDTH, FORMAT, PREREQS) \
    { NAME, EXPR_SYM_FIELD, ID, WIDTH, FORMAT, PREREQS, NULL, true }
#define PREDICATE(NAME, EXPANSION) \
    { NAME, EXPR_SYM_PREDICATE, EXPR_F_NONE, 0, EXPR_FMT_DEC, NULL, \
      EXPANSION, false }
#define STRING(NAME, ID) \
    { NAME, EXPR_SYM_STRING, ID, 0, EXPR_FMT_DEC, NULL, NULL, true }

/* Every symbol, sorted by name for bsearch(). */
static const struct expr_symbol symbols[] = {
    PREDICATE("arp", "eth.type == 0x806"),
    FIELD("arp.op", EXPR_F_ARP_OP, 16, EXPR_FMT_DEC, ARP_PREREQ),
    FIELD("arp.sha", EXPR_F_ARP_SHA, 48, EXPR_FMT_MAC, ARP_PREREQ),
    FIELD("arp.spa", EXPR_F_ARP_SPA, 32, EXPR_FMT_IPV4, ARP_PREREQ),
    FIELD("arp.tha", EXPR_F_ARP_THA, 48, EXPR_FMT_MAC, ARP_PREREQ),
    FIELD("arp.tpa", EXPR_F_ARP_TPA, 32, EXPR_FMT_IPV4, ARP_PREREQ),
    FIELD("color", EXPR_F_COLOR, 8, EXPR_FMT_DEC, NULL),
    FIELD("ct.est", EXPR_F_CT_EST, 1, EXPR_FMT_DEC, "ct.trk"),
    FIELD("ct.inv", EXPR_F_CT_INV, 1, EXPR_FMT_DEC, "ct.trk"),
    FIELD("ct.new", EXPR_F_CT_NEW, 1, EXPR_FMT_DEC, "ct.trk"),
    FIELD("ct.rel", EXPR_F_CT_REL, 1, EXPR_FMT_DEC, "ct.trk"),
    FIELD("ct.rpl", EXPR_F_CT_RPL, 1, EXPR_FMT_DEC, "ct.est || ct.rel"),
    FIELD("ct.trk", EXPR_F_CT_TRK, 1, EXPR_FMT_DEC, NULL),
    FIELD("ct_label", EXPR_F_CT_LABEL, 128, EXPR_FMT_HEX, "ct.trk"),
    FIELD("ct_mark", EXPR_F_CT_MARK, 32, EXPR_FMT_HEX, "ct.trk"),
    PREDICATE("eth", "1"),
    PREDICATE("eth.bcast", "eth.dst == ff:ff:ff:ff:ff:ff"),
    FIELD("eth.dst", EXPR_F_ETH_DST, 48, EXPR_FMT_MAC, NULL),
    PREDICATE("eth.mcast", "eth.dst[40]"),
    PREDICATE("eth.mcastv6", "eth.dst[32..47] == 0x3333"),
    FIELD("eth.src", EXPR_F_ETH_SRC, 48, EXPR_FMT_MAC, NULL),
    NOMINAL("eth.type", EXPR_F_ETH_TYPE, 16, EXPR_FMT_HEX, NULL),
    PREDICATE("icmp", "icmp4 || icmp6"),
    PREDICATE("icmp4", "ip4 && ip.proto == 1"),
    FIELD("icmp4.code", EXPR_F_TP_DST, 8, EXPR_FMT_DEC, "icmp4"),
    FIELD("icmp4.type", EXPR_F_TP_SRC, 8, EXPR_FMT_DEC, "icmp4"),
    PREDICATE("icmp6", "ip6 && ip.proto == 58"),
    NOMINAL("icmp6.code", EXPR_F_TP_DST, 8, EXPR_FMT_DEC, "icmp6"),
    NOMINAL("icmp6.type", EXPR_F_TP_SRC, 8, EXPR_FMT_DEC, "icmp6"),
    PREDICATE("igmp", "ip4 && ip.proto == 2"),
    STRING("inport", EXPR_F_INPORT),
    PREDICATE("ip", "eth.type == 0x800 || eth.type == 0x86dd"),
    FIELD("ip.dscp", EXPR_F_IP_DSCP, 6, EXPR_FMT_DEC, IP_PREREQ),
    PREDICATE("ip.first_frag", "ip.is_frag && !ip.later_frag"),
    FIELD("ip.frag", EXPR_F_IP_FRAG, 2, EXPR_FMT_DEC, IP_PREREQ),
    PREDICATE("ip.is_frag", "ip.frag[0]"),
    PREDICATE("ip.later_frag", "ip.frag[1]"),
    NOMINAL("ip.proto", EXPR_F_IP_PROTO, 8, EXPR_FMT_DEC, IP_PREREQ),
    FIELD("ip.ttl", EXPR_F_IP_TTL, 8, EXPR_FMT_DEC, IP_PREREQ),
    PREDICATE("ip4", "eth.type == 0x800"),
    FIELD("ip4.dst", EXPR_F_IP4_DST, 32, EXPR_FMT_IPV4, IP4_PREREQ),
    PREDICATE("ip4.mcast", "eth.mcast && ip4.dst[28..31] == 0xe"),
    FIELD("ip4.src", EXPR_F_IP4_SRC, 32, EXPR_FMT_IPV4, IP4_PREREQ),
    PREDICATE("ip4.src_mcast", "ip4.src[28..31] == 0xe"),
    PREDICATE("ip6", "eth.type == 0x86dd"),
    FIELD("ip6.dst", EXPR_F_IP6_DST, 128, EXPR_FMT_IPV6, IP6_PREREQ),
    FIELD("ip6.src", EXPR_F_IP6_SRC, 128, EXPR_FMT_IPV6, IP6_PREREQ),
    PREDICATE("mldv1",
              "ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}"),
    PREDICATE("mldv2", "ip6.dst == ff02::16 && icmp6.type == 143"),
    PREDICATE("nd", ND_PREREQ("{135, 136}")),
    FIELD("nd.sll", EXPR_F_ND_SLL, 48, EXPR_FMT_MAC, "nd_ns"),
    FIELD("nd.target", EXPR_F_ND_TARGET, 128, EXPR_FMT_IPV6, "nd"),
    FIELD("nd.tll", EXPR_F_ND_TLL, 48, EXPR_FMT_MAC, "nd_na"),
    PREDICATE("nd_na", ND_PREREQ("136")),
    PREDICATE("nd_ns", ND_PREREQ("135")),
    PREDICATE("nd_ra", ND_PREREQ("134")),
    PREDICATE("nd_rs", ND_PREREQ("133")),
    STRING("outport", EXPR_F_OUTPORT),
    PREDICATE("rarp", "eth.type == 0x8035"),
    FIELD("rarp.op", EXPR_F_ARP_OP, 16, EXPR_FMT_DEC, "rarp"),
    FIELD("rarp.sha", EXPR_F_ARP_SHA, 48, EXPR_FMT_MAC, "rarp"),
    FIELD("rarp.spa", EXPR_F_ARP_SPA, 32, EXPR_FMT_IPV4, "rarp"),
    FIELD("rarp.tha", EXPR_F_ARP_THA, 48, EXPR_FMT_MAC, "rarp"),
    FIELD("rarp.tpa", EXPR_F_ARP_TPA, 32, EXPR_FMT_IPV4, "rarp"),
    PREDICATE("sctp", "ip.proto == 132"),
    FIELD("sctp.dst", EXPR_F_TP_DST, 16, EXPR_FMT_DEC, "sctp"),
    FIELD("sctp.src", EXPR_F_TP_SRC, 16, EXPR_FMT_DEC, "sctp"),
    PREDICATE("tcp", "ip.proto == 6"),
    FIELD("tcp.dst", EXPR_F_TP_DST, 16, EXPR_FMT_DEC, "tcp"),
    FIELD("tcp.flags", EXPR_F_TCP_FLAGS, 12, EXPR_FMT_HEX, "tcp"),
    FIELD("tcp.src", EXPR_F_TP_SRC, 16, EXPR_FMT_DEC, "tcp"),
    PREDICATE("udp", "ip.proto == 17"),
    FIELD("udp.dst", EXPR_F_TP_DST, 16, EXPR_FMT_DEC, "udp"),
    FIELD("udp.src", EXPR_F_TP_SRC, 16, EXPR_FMT_DEC, "udp"),
    FIELD("vlan.pcp", EXPR_F_VLAN_PCP, 3, EXPR_FMT_DEC, "vlan.present"),
    FIELD("vlan.present", EXPR_F_VLAN_PRESENT, 1, EXPR_FMT_DEC, NULL),
    FIELD("vlan.tci", EXPR_F_VLAN_TCI, 16, EXPR_FMT_HEX, NULL),
    FIELD("vlan.vid", EXPR_F_VLAN_VID, 12, EXPR_FMT_DEC, "vlan.present"),
};

/* Compares a name with a symbol, for bsearch(). */
static int
compare_symbol_name(const void *name_, const void *sym_)
{
    const char *name = name_;
    const struct expr_symbol *sym = sym_;
    return strcmp(name, sym->name);
}

/* Returns the symbol called 'name', or NULL if there is none. */
const struct expr_symbol *
expr_symbol_lookup(const char *name)
{
    return bsearch(name, symbols, ARRAY_SIZE(symbols), sizeof symbols[0],
                   compare_symbol_name);
}

/* Returns the whole table and stores its size in '*n'. */
const struct expr_symbol *
expr_symbols(size_t *n)
{
    *n = ARRAY_SIZE(symbols);
    return symbols;
}

/* Returns a noun phrase for a format, for error messages. */
const char *
expr_format_name(enum expr_format format)
{
    switch (format) {
    case EXPR_FMT_DEC:
    case EXPR_FMT_HEX:
        return "an integer";
    case EXPR_FMT_MAC:
        return "a MAC address";
    case EXPR_FMT_IPV4:
        return "an IPv4 address";
    case EXPR_FMT_IPV6:
        return "an IPv6 address";
    }
    OVS_NOT_REACHED();
}

/* Stores 'x' into '*value'. */
void
expr_value_from_uint64(uint64_t x, struct expr_value *value)
{
    memset(value, 0, sizeof *value);
    for (int i = 15; i >= 8; i--) {
        value->b[i] = x & 0xff;
        x >>= 8;
    }
}

/* Returns the low 64 bits of '*value'. */
uint64_t
expr_value_to_uint64(const struct expr_value *value)
{
    uint64_t x = 0;
    for (int i = 8; i < 16; i++) {
        x = (x << 8) | value->b[i];
    }
    return x;
}

/* Returns the number of significant bits in '*value' (0 for zero). */
int
expr_value_n_bits(const struct expr_value *value)
{
    for (int i = 0; i < 16; i++) {
        if (value->b[i]) {
            int bits = 8;
            while (!(value->b[i] & (1u << (bits - 1)))) {
                bits--;
            }
            return (15 - i) * 8 + bits;
        }
    }
    return 0;
}

/* Sets '*value' to 'width' one bits (a field's exact-match mask). */
void
expr_value_mask_width(int width, struct expr_value *value)
{
    memset(value, 0, sizeof *value);
    for (int bit = 0; bit < width; bit++) {
        value->b[15 - bit / 8] |= 1u << (bit % 8);
    }
}

/* Sets '*value' to the mask of a 'plen'-bit prefix of a 'width'-bit
 * field: the top 'plen' bits of the field set. */
void
expr_value_mask_prefix(int width, int plen, struct expr_value *value)
{
    memset(value, 0, sizeof *value);
    for (int bit = width - plen; bit < width; bit++) {
        value->b[15 - bit / 8] |= 1u << (bit % 8);
    }
}

/* If '*mask' is a prefix mask of a 'width'-bit field, returns its prefix
 * length, otherwise -1. */
int
expr_value_prefix_len(int width, const struct expr_value *mask)
{
    for (int plen = 0; plen <= width; plen++) {
        struct expr_value prefix;
        expr_value_mask_prefix(width, plen, &prefix);
        if (!memcmp(&prefix, mask, sizeof prefix)) {
            return plen;
        }
    }
    return -1;
}

/* Sets '*a' to the bitwise and of '*a' and '*b'. */
void
expr_value_and(struct expr_value *a, const struct expr_value *b)
{
    for (int i = 0; i < 16; i++) {
        a->b[i] &= b->b[i];
    }
}

/* Returns true if '*value' is zero. */
bool
expr_value_is_zero(const struct expr_value *value)
{
    return !expr_value_n_bits(value);
}

/* Returns bit 'bit' (0 is the least significant) of 'v'. */
bool
expr_value_bit(const struct expr_value *v, int bit)
{
    return (v->b[15 - bit / 8] >> (bit % 8)) & 1;
}

/* Sets bit 'bit' of 'v' to 'x'. */
void
expr_value_set_bit(struct expr_value *v, int bit, bool x)
{
    uint8_t m = 1u << (bit % 8);
    if (x) {
        v->b[15 - bit / 8] |= m;
    } else {
        v->b[15 - bit / 8] &= ~m;
    }
}

/* Shifts 'v' left by 'n' bits, 0 <= n < 128. */
void
expr_value_shift_left(struct expr_value *v, int n)
{
    struct expr_value r;
    memset(&r, 0, sizeof r);
    for (int bit = 0; bit + n < 128; bit++) {
        if (expr_value_bit(v, bit)) {
            expr_value_set_bit(&r, bit + n, true);
        }
    }
    *v = r;
}

/* Stores 'n' bytes at 'p' right-aligned in '*value'. */
static void
value_from_bytes(const void *p, size_t n, struct expr_value *value)
{
    memset(value, 0, sizeof *value);
    memcpy(&value->b[16 - n], p, n);
}

/* Reads the value of field 'sym' from 'flow' into '*value'.  String
 * fields and predicates read as zero. */
/* Returns the bit of flow->ct_state (CS_*) of ct.* field 'sym'. */
static uint8_t
ct_state_bit(const struct expr_symbol *sym)
{
    static const uint8_t bits[] = {
        CS_NEW, CS_ESTABLISHED, CS_RELATED, CS_REPLY_DIR, CS_INVALID,
        CS_TRACKED,
    };
    unsigned int i = sym->field - EXPR_F_CT_NEW;
    return i < ARRAY_SIZE(bits) ? bits[i] : 0;
}

void
expr_symbol_get(const struct expr_symbol *sym, const struct flow *flow,
                struct expr_value *value)
{
    uint16_t tci = ntohs(flow->vlans[0].tci);

    switch (sym->field) {
    case EXPR_F_NONE:
    case EXPR_F_INPORT:
    case EXPR_F_OUTPORT:
        memset(value, 0, sizeof *value);
        break;
    case EXPR_F_ETH_SRC:
        value_from_bytes(&flow->dl_src, 6, value);
        break;
    case EXPR_F_ETH_DST:
        value_from_bytes(&flow->dl_dst, 6, value);
        break;
    case EXPR_F_ETH_TYPE:
        expr_value_from_uint64(ntohs(flow->dl_type), value);
        break;
    case EXPR_F_VLAN_VID:
        expr_value_from_uint64(tci & VLAN_VID_MASK, value);
        break;
    case EXPR_F_VLAN_PRESENT:
        expr_value_from_uint64((tci & VLAN_CFI) != 0, value);
        break;
    case EXPR_F_VLAN_PCP:
        expr_value_from_uint64(vlan_tci_to_pcp(htons(tci)), value);
        break;
    case EXPR_F_VLAN_TCI:
        expr_value_from_uint64(tci, value);
        break;
    case EXPR_F_IP4_SRC:
    case EXPR_F_ARP_SPA:
        value_from_bytes(&flow->nw_src, 4, value);
        break;
    case EXPR_F_IP4_DST:
    case EXPR_F_ARP_TPA:
        value_from_bytes(&flow->nw_dst, 4, value);
        break;
    case EXPR_F_IP6_SRC:
        value_from_bytes(&flow->ipv6_src, 16, value);
        break;
    case EXPR_F_IP6_DST:
        value_from_bytes(&flow->ipv6_dst, 16, value);
        break;
    case EXPR_F_IP_PROTO:
    case EXPR_F_ARP_OP:
        expr_value_from_uint64(flow->nw_proto, value);
        break;
    case EXPR_F_IP_DSCP:
        expr_value_from_uint64(flow->nw_tos >> 2, value);
        break;
    case EXPR_F_IP_TTL:
        expr_value_from_uint64(flow->nw_ttl, value);
        break;
    case EXPR_F_TP_SRC:
        expr_value_from_uint64(ntohs(flow->tp_src), value);
        break;
    case EXPR_F_TP_DST:
        expr_value_from_uint64(ntohs(flow->tp_dst), value);
        break;
    case EXPR_F_ARP_SHA:
        value_from_bytes(&flow->arp_sha, 6, value);
        break;
    case EXPR_F_ARP_THA:
        value_from_bytes(&flow->arp_tha, 6, value);
        break;
    case EXPR_F_COLOR:
        /* REG_COLOR and PIPELINE_COLOR_MASK in lib/pipeline.h. */
        expr_value_from_uint64(flow->regs[9] & 0xff, value);
        break;
    case EXPR_F_CT_NEW:
    case EXPR_F_CT_EST:
    case EXPR_F_CT_REL:
    case EXPR_F_CT_RPL:
    case EXPR_F_CT_INV:
    case EXPR_F_CT_TRK:
        expr_value_from_uint64((flow->ct_state & ct_state_bit(sym)) != 0,
                               value);
        break;
    case EXPR_F_CT_MARK:
        expr_value_from_uint64(flow->ct_mark, value);
        break;
    case EXPR_F_CT_LABEL: {
        ovs_be128 label = hton128(flow->ct_label);
        value_from_bytes(&label, 16, value);
        break;
    }
    case EXPR_F_TCP_FLAGS:
        expr_value_from_uint64(ntohs(flow->tcp_flags) & 0xfff, value);
        break;
    case EXPR_F_IP_FRAG:
        expr_value_from_uint64(flow->nw_frag & FLOW_NW_FRAG_MASK, value);
        break;
    case EXPR_F_ND_TARGET:
        value_from_bytes(&flow->nd_target, 16, value);
        break;
    case EXPR_F_ND_SLL:
        value_from_bytes(&flow->arp_sha, 6, value);
        break;
    case EXPR_F_ND_TLL:
        value_from_bytes(&flow->arp_tha, 6, value);
        break;
    }
}

/* Writes '*value' into field 'sym' of 'flow'.  Bits that the flow cannot
 * hold are dropped (OVS keeps only the low 8 bits of an ARP opcode).
 * String fields and predicates are ignored. */
void
expr_symbol_set(const struct expr_symbol *sym, const struct expr_value *value,
                struct flow *flow)
{
    uint64_t x = expr_value_to_uint64(value);
    uint16_t tci = ntohs(flow->vlans[0].tci);

    switch (sym->field) {
    case EXPR_F_NONE:
    case EXPR_F_INPORT:
    case EXPR_F_OUTPORT:
        break;
    case EXPR_F_ETH_SRC:
        memcpy(&flow->dl_src, &value->b[10], 6);
        break;
    case EXPR_F_ETH_DST:
        memcpy(&flow->dl_dst, &value->b[10], 6);
        break;
    case EXPR_F_ETH_TYPE:
        flow->dl_type = htons(x);
        break;
    case EXPR_F_VLAN_VID:
        flow->vlans[0].tci = htons((tci & ~VLAN_VID_MASK)
                                   | (x & VLAN_VID_MASK));
        break;
    case EXPR_F_VLAN_PRESENT:
        flow->vlans[0].tci = htons(x ? tci | VLAN_CFI : tci & ~VLAN_CFI);
        break;
    case EXPR_F_VLAN_PCP:
        flow->vlans[0].tci = htons((tci & ~VLAN_PCP_MASK)
                                   | ((x << VLAN_PCP_SHIFT)
                                      & VLAN_PCP_MASK));
        break;
    case EXPR_F_VLAN_TCI:
        flow->vlans[0].tci = htons(x);
        break;
    case EXPR_F_IP4_SRC:
    case EXPR_F_ARP_SPA:
        memcpy(&flow->nw_src, &value->b[12], 4);
        break;
    case EXPR_F_IP4_DST:
    case EXPR_F_ARP_TPA:
        memcpy(&flow->nw_dst, &value->b[12], 4);
        break;
    case EXPR_F_IP6_SRC:
        memcpy(&flow->ipv6_src, value->b, 16);
        break;
    case EXPR_F_IP6_DST:
        memcpy(&flow->ipv6_dst, value->b, 16);
        break;
    case EXPR_F_IP_PROTO:
    case EXPR_F_ARP_OP:
        flow->nw_proto = x;
        break;
    case EXPR_F_IP_DSCP:
        flow->nw_tos = (flow->nw_tos & 3) | (x << 2);
        break;
    case EXPR_F_IP_TTL:
        flow->nw_ttl = x;
        break;
    case EXPR_F_TP_SRC:
        flow->tp_src = htons(x);
        break;
    case EXPR_F_TP_DST:
        flow->tp_dst = htons(x);
        break;
    case EXPR_F_ARP_SHA:
        memcpy(&flow->arp_sha, &value->b[10], 6);
        break;
    case EXPR_F_ARP_THA:
        memcpy(&flow->arp_tha, &value->b[10], 6);
        break;
    case EXPR_F_COLOR:
        flow->regs[9] = (flow->regs[9] & ~0xffu) | (x & 0xff);
        break;
    case EXPR_F_CT_NEW:
    case EXPR_F_CT_EST:
    case EXPR_F_CT_REL:
    case EXPR_F_CT_RPL:
    case EXPR_F_CT_INV:
    case EXPR_F_CT_TRK:
        flow->ct_state = (x ? flow->ct_state | ct_state_bit(sym)
                          : flow->ct_state & ~ct_state_bit(sym));
        break;
    case EXPR_F_CT_MARK:
        flow->ct_mark = x;
        break;
    case EXPR_F_CT_LABEL: {
        ovs_be128 label;
        memcpy(&label, value->b, 16);
        flow->ct_label = ntoh128(label);
        break;
    }
    case EXPR_F_TCP_FLAGS:
        flow->tcp_flags = htons(x & 0xfff);
        break;
    case EXPR_F_IP_FRAG:
        /* A later fragment is a fragment: no packet has bit 1 without bit
         * 0, and OpenFlow's "later" assumes none does. */
        if (x & FLOW_NW_FRAG_LATER) {
            x |= FLOW_NW_FRAG_ANY;
        }
        flow->nw_frag = (flow->nw_frag & ~FLOW_NW_FRAG_MASK)
                        | (x & FLOW_NW_FRAG_MASK);
        break;
    case EXPR_F_ND_TARGET:
        memcpy(&flow->nd_target, value->b, 16);
        break;
    case EXPR_F_ND_SLL:
        memcpy(&flow->arp_sha, &value->b[10], 6);
        break;
    case EXPR_F_ND_TLL:
        memcpy(&flow->arp_tha, &value->b[10], 6);
        break;
    }
}
