/*
 * Logical actions: what a logical flow does to a packet, in words that
 * know no OpenFlow table, register number or resubmit.
 *
 * northd writes the actions of every logical flow in this vocabulary; the
 * controller (and the trace's simulator) parse them and encode them into
 * OpenFlow actions for the stage the flow is in.  Only the encoder, given
 * a context by its caller, learns which OpenFlow table a stage is, so the
 * southbound database is free of physical layout and a change of layout
 * touches the controller alone.
 *
 * Syntax (Documentation/pipeline.md, "Logical actions", is the
 * reference): actions are separated and ended by ';'
 *
 *     eth.dst = eth.src; eth.src = 00:00:00:00:00:01; outport = inport;
 *     flags.loopback = 1; output;
 *
 * Kinds:
 *   next;  next(STAGE);       continue at the following stage, or at the
 *                             named stage of the same pipeline
 *   output;                   leave the pipeline: ingress -> physical
 *                             output, egress -> delivery
 *   drop;                     nothing more (only alone)
 *   FIELD = VALUE;            load a constant into a logical field
 *   FIELD = FIELD;            copy one field into another of equal width
 *   FIELD <-> FIELD;          exchange two fields of equal width
 *   FIELD = select(V, ...);   set FIELD to one of the values, chosen per
 *                             connection by a select group, then next
 *   ct_next;                  conntrack in the port's zone, then next
 *   ct_commit { ct_mark = N; ct_label = N; CT_FIELD = FIELD; };
 *                             commit the connection, optionally setting
 *                             its mark and label and copying a field
 *                             into a connection field; processing
 *                             continues
 *   ct_dnat; ct_snat;         un-NAT a tracked connection, then next
 *   ct_dnat(IP[:PORT]); ct_snat(IP[:PORT]);
 *                             commit with NAT to the address, then next
 *   ct_lb(IP[:PORT], ...);    commit with DNAT to one backend chosen per
 *                             connection, then next
 *   ct_lb(IP[:PORT], ..., affinity=SECS[, proto=tcp|udp|sctp]);
 *                             with session affinity (proto exactly when
 *                             the addresses have a port): one backend is
 *                             remembered for the client (a flow learned
 *                             into OFTABLE_LB_AFF, SECS seconds after its
 *                             last use) and committed; with several, the
 *                             group's bucket records its pick in
 *                             REG_LB_AFF_PICK and goes back to stage
 *                             ls_in_lb_aff_check (switch ingress only),
 *                             whose flows end in the one-backend form
 *   lb_aff_check;             load the backend remembered for the
 *                             client and this VIP, if any, into the
 *                             REG_LB_AFF_* registers (lib/pipeline.h)
 *   lb_hairpin(PROTO[, vips=HASH]);
 *                             PROTO tcp, udp, icmp, tcp6, udp6 or icmp6:
 *                             a packet a VIP's DNAT sent from a backend
 *                             back to itself gets the VIP (the
 *                             connection's original destination) as
 *                             source, without conntrack, and the hairpin
 *                             flag (MLF_LB_HAIRPIN_BIT); a flow learned
 *                             into OFTABLE_LB_HAIRPIN knows the backend's
 *                             replies to the VIP.  HASH (32 bits, 0 if
 *                             absent) names the backend's VIPs on the
 *                             switch: the learned flows have cookie
 *                             LACT_LB_HAIRPIN_COOKIE(dp_key, HASH) and are
 *                             deleted once no flow learns with it (a VIP
 *                             gone changes HASH)
 *   lb_hairpin_check;         a reply that lb_hairpin knows gets its
 *                             destination back (the backend's own
 *                             address) and the hairpin flag
 *   ct_snat_hairpin(IP); ct_snat_hairpin;
 *                             as ct_snat, in the hairpin zone
 *                             (CT_ZONE_HAIRPIN) instead of the port's:
 *                             a load-balanced connection from a backend
 *                             to itself gets its VIP as source
 *   meter(NAME);              rate-limit by the named meter
 *   color_sample(RULE);       sample the packet for colour promotion
 *                             rule RULE (a Color_Promotion's number):
 *                             the host's elephant detector counts it
 *   log(name=N, severity=S, verdict=V[, meter=M]);
 *                             one line in the controller's log; with
 *                             meter M ("UNIT/RATE/BURST/NAME", UNIT kbps
 *                             or pktps: the NB Meter NAME's drop band),
 *                             the packet-ins are rate-limited by that
 *                             meter instead of the controller's own
 *   reject;                   answer TCP with RST, else ICMP unreachable
 *   arp { ACTIONS };  nd_na { ACTIONS };
 *                             send an ARP request / ND advertisement
 *                             built from the packet, then run ACTIONS on
 *                             it
 *   nd_ns { ACTIONS };        send a neighbor solicitation for the IPv6
 *                             address in xxreg0, then run ACTIONS on it
 *   icmp4 { ACTIONS };  icmp6 { ACTIONS };
 *                             turn the packet into an ICMP (ICMPv6) error
 *                             that quotes it, then run ACTIONS on it
 *   put_arp(PORT_FIELD, IP_FIELD, MAC_FIELD);
 *   put_nd(PORT_FIELD, IP6_FIELD, MAC_FIELD);
 *                             learn a MAC binding
 *   ip.ttl--;                 decrement the IPv4 TTL or IPv6 hop limit
 *
 * The last group (log, reject, arp, nd_na, nd_ns, icmp4, icmp6, put_arp,
 * put_nd) is answered by the
 * controller from a packet-in; the encoder writes a controller() action,
 * rate-limited by the meter the caller names, whose userdata starts with
 * the operation's code (enum lact_pin_opcode).
 *
 * Fields: inport, outport, flags.loopback, color, reg0..reg7, xxreg0
 * (reg0..reg3 as one 128-bit register, for IPv6 addresses), eth.src,
 * eth.dst, ip4.src, ip4.dst, ip6.src, ip6.dst, ip.ttl, ip.dscp, arp.op,
 * arp.sha, arp.spa, arp.tha, arp.tpa, nd.target, nd.sll, nd.tll,
 * nd.reserved, nd.options_type, icmp4.type, icmp4.code, icmp6.type,
 * icmp6.code, tcp.src, tcp.dst, udp.src, udp.dst; and connection fields,
 * bits of the conntrack entry that only ct_commit { } writes and any
 * action may read: ct_label.ecmp_reply_eth (48 bits at
 * CT_LABEL_ECMP_REPLY_ETH_OFS of ct_label, lib/pipeline.h).
 */
#ifndef OSMOTIC_LOGICAL_ACTIONS_H
#define OSMOTIC_LOGICAL_ACTIONS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pipeline.h"
#include "openvswitch/compiler.h"

struct ds;

enum lact_type {
    LACT_NEXT,                  /* 'stage' is -1 (following) or a stage. */
    LACT_OUTPUT,
    LACT_DROP,
    LACT_LOAD,                  /* 'dst' = 'value'. */
    LACT_MOVE,                  /* 'dst' = 'src'. */
    LACT_EXCHANGE,              /* 'dst' <-> 'src'. */
    LACT_SELECT,                /* 'dst' = select('values'). */
    LACT_CT_NEXT,
    LACT_CT_COMMIT,             /* 'ct_mark'/'ct_label' if 'has_*';
                                 * 'dst' = 'src' if 'dst'. */
    LACT_CT_DNAT,               /* 'values[0]' if n_values, else un-NAT. */
    LACT_CT_SNAT,               /* Same. */
    LACT_CT_LB,                 /* Backends in 'values'; affinity if
                                 * 'lb_aff_timeout'. */
    LACT_LB_AFF_CHECK,
    LACT_CT_SNAT_HAIRPIN,       /* 'values[0]' if n_values, else un-NAT;
                                 * in zone CT_ZONE_HAIRPIN. */
    LACT_LB_HAIRPIN,            /* Protocol keyword in 'value'. */
    LACT_LB_HAIRPIN_CHECK,
    LACT_CT_SNAT_LB,            /* The same, in a router's load balancer
                                 * SNAT zone (REG_CT_ZONE bits 16..31). */
    LACT_METER,                 /* Meter named 'name'. */
    LACT_COLOR_SAMPLE,          /* Promotion rule number in 'value'. */
    LACT_LOG,                   /* 'name', 'severity', 'verdict'. */
    LACT_REJECT,
    LACT_ARP,                   /* Nested actions in 'nested'. */
    LACT_ND_NA,                 /* Nested actions in 'nested'. */
    LACT_PUT_ARP,               /* Fields in 'args'. */
    LACT_DEC_TTL,               /* ip.ttl-- */
    LACT_ND_NS,                 /* Nested actions in 'nested'. */
    LACT_ICMP4,                 /* Nested actions in 'nested'. */
    LACT_ICMP6,                 /* Nested actions in 'nested'. */
    LACT_PUT_ND,                /* Fields in 'args'. */
    LACT_HANDLE_BFD_MSG,        /* A BFD control packet for the
                                 * controller's sessions. */
};

struct lact_field;              /* A logical field (table in the .c). */

/* A list of logical actions. */
struct lact_list {
    struct lact *acts;
    size_t n;
};

/* One logical action. */
struct lact {
    enum lact_type type;
    const struct lact_field *dst, *src;  /* LOAD, MOVE, EXCHANGE, SELECT,
                                          * CT_COMMIT. */
    const struct lact_field *args[3];    /* PUT_ARP, PUT_ND. */
    char *value;                /* LOAD: the constant as written. */
    char **values;              /* SELECT, CT_DNAT/SNAT, CT_LB. */
    size_t n_values;
    int stage;                  /* NEXT: an enum pipeline_stage, or -1 for
                                 * the following stage. */
    bool has_ct_mark, has_ct_label;
    char *ct_mark, *ct_label;   /* CT_COMMIT: constants as written. */
    char *name, *severity, *verdict;  /* METER (name), LOG. */
    char *meter;                /* LOG: its meter, "UNIT/RATE/BURST/NAME". */
    unsigned int lb_aff_timeout;  /* CT_LB: affinity seconds, 0 if none. */
    char *lb_aff_proto;         /* CT_LB: affinity's protocol, or NULL. */
    uint32_t lb_hairpin_vips;   /* LB_HAIRPIN: its vips= hash, 0 if none. */
    struct lact_list nested;    /* ARP, ND_NA. */
};

/* The cookie of the flows lb_hairpin learns in datapath 'DP_KEY' with
 * vips=HASH: bit 63 set, the datapath's key in bits 32 to 62, HASH below.
 * Open vSwitch deletes the flows learned with delete_learned when the
 * last flow whose learn() has their cookie and table goes, or changes
 * its actions; with bit 63 no cookie of the controller's own flows (32
 * bits) is one of these. */
#define LACT_LB_HAIRPIN_COOKIE(DP_KEY, HASH)                    \
    ((UINT64_C(1) << 63) | (((uint64_t) (DP_KEY) & 0x7fffffff) << 32) \
     | (uint32_t) (HASH))

/* Packet-in operations: first 4 bytes (network order) of the userdata of
 * the controller() actions the encoder writes; the rest is the
 * operation's payload (documented per operation in the .c). */
enum lact_pin_opcode {
    LACT_PIN_LOG = 1,
    LACT_PIN_REJECT = 2,
    LACT_PIN_ARP = 3,
    LACT_PIN_ND_NA = 4,
    LACT_PIN_PUT_ARP = 5,
    LACT_PIN_ICMP = 6,          /* icmp4 and icmp6. */
    LACT_PIN_ND_NS = 7,
    LACT_PIN_PUT_ND = 8,
    LACT_PIN_SVC_MON = 9,       /* No logical action: the answers to load
                                 * balancer health checks
                                 * (controller/pinctrl-svc-monitor.h). */
    LACT_PIN_BFD = 10,          /* handle_bfd_msg (controller/bfd.h). */
};

/* The packet-in operations osmotic-controller answers (its pinctrl
 * handlers): for each, the id of the OpenFlow meter that rate-limits its
 * packet-ins, which is the opcode itself; 0 for the others.  The trace
 * uses the same answer, so both encode the same flows. */
uint32_t lact_pin_meter_id(enum lact_pin_opcode);

/* What the encoder needs from its caller. */
struct lact_encode_ctx {
    enum dp_type dp_type;       /* Datapath type of the flow. */
    enum pipeline pipeline;     /* Pipeline of the flow. */
    unsigned int table_id;      /* Logical table (stage) of the flow. */
    uint64_t dp_key;            /* Tunnel key of the flow's datapath (its
                                 * OpenFlow metadata), 0 if unknown. */

    /* The OpenFlow table where processing continues when it goes on at
     * stage 'table_id' of 'pipeline' (the caller may skip stages without
     * flows); 'table_id' == PIPELINE_MAX_STAGES means past the last
     * stage. */
    unsigned int (*stage_oftable)(enum pipeline, unsigned int table_id,
                                  void *aux);
    /* The id of a select group with buckets 'buckets' (ovs-ofctl group
     * syntax after "type=select,"), or 0 if the caller has no groups. */
    uint32_t (*group_id)(const char *buckets, void *aux);
    /* The OpenFlow meter id of logical meter 'name', 0 if unknown. */
    uint32_t (*meter_id)(const char *name, void *aux);
    /* The id of the meter that rate-limits the packet-ins of operation
     * 'op', or 0 if the caller does not answer them. */
    uint32_t (*pin_meter_id)(enum lact_pin_opcode op, void *aux);
    /* Optional: the id of the meter that a log() with meter 'spec'
     * ("UNIT/RATE/BURST/NAME", checked) uses instead, 0 for the one of
     * 'pin_meter_id'. */
    uint32_t (*log_meter_id)(const char *spec, void *aux);
    /* The OpenFlow action (malloc'd) that samples a packet for colour
     * promotion rule 'rule', or NULL if the caller samples nothing (the
     * action then encodes to nothing). */
    char *(*color_sample)(uint32_t rule, void *aux);
    void *aux;
};

/* The group properties of ct_lb's select groups, before their buckets:
 * the datapath chooses by a hash of the 5-tuple (UDP ports included) of
 * a connection's first packet. */
#define LACT_CT_LB_SELECTION "selection_method=dp_hash,"

char *lact_parse(const char *s, struct lact_list *) OVS_WARN_UNUSED_RESULT;
bool lact_log_meter_parse(const char *spec, bool *pktps, uint32_t *rate,
                          uint32_t *burst, const char **name);
void lact_list_destroy(struct lact_list *);
void lact_format(const struct lact_list *, struct ds *);

/* Longest OpenFlow actions text lact_encode() produces for one flow (and
 * for the nested actions of one arp, nd_na, nd_ns, icmp4 or icmp6). */
#define LACT_MAX_ENCODED_LEN 30000

char *lact_encode(const struct lact_list *, const struct lact_encode_ctx *,
                  struct ds *ofpacts) OVS_WARN_UNUSED_RESULT;

/* Parses 's' and encodes it: a convenience for callers that keep no
 * parsed form.  Returns NULL and appends to 'ofpacts', or an error. */
char *lact_compile(const char *s, const struct lact_encode_ctx *,
                   struct ds *ofpacts) OVS_WARN_UNUSED_RESULT;

#endif /* lib/logical-actions.h */
