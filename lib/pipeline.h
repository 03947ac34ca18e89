/*
 * The Osmotic pipeline: OpenFlow tables, registers and stages shared by
 * osmotic-northd (which writes logical flows), osmotic-controller (which
 * installs them) and osmotic-trace (which explains them).
 * Documentation/pipeline.md is the reference manual for all of it; keep
 * the two in step.
 *
 * Model
 * -----
 * A logical flow (SB Logical_Flow) belongs to one logical datapath and one
 * pipeline (ingress or egress) and sits in one logical stage (table_id).
 * Its match is ovs-ofctl syntax over the logical registers below, without
 * "metadata" (the controller adds the datapath key).  Its actions are
 * logical actions (lib/logical-actions.h), which name no table or
 * register: "next" continues at the next stage of the same pipeline,
 * "output" leaves the pipeline.  A stage with no flows for a datapath
 * holds one skip flow of the controller's (priority 0) that goes on to
 * the next stage that has flows: the first flow of a stage changes no
 * other flow, and a run of empty stages costs one table lookup.
 *
 * A match may hold several alternatives separated by PIPELINE_MATCH_OR
 * (" || "): the logical flow matches a packet if any alternative does.
 * An alternative is either one complete ovs-ofctl match (a plain
 * alternative; empty matches every packet) or a conjunctive match:
 *
 *     MATCH := ALT ( " || " ALT )*
 *     ALT   := OFMATCH
 *            | [ OFMATCH " && " ] DIM ( " && " DIM )+
 *     DIM   := "[" OFMATCH ( " | " OFMATCH )* "]"
 *
 * where OFMATCH is an ovs-ofctl match: comma-separated fields, no blanks
 * inside, one of which may name an address set ("nw_src=$as", see
 * "Address set references" below).  A conjunctive alternative, e.g.
 *
 *     tcp && [nw_src=10.0.0.1 | nw_src=10.0.0.2] && [tp_dst=80 | tp_dst=443]
 *
 * matches a packet if its leading OFMATCH (the common part, may be
 * absent) matches and, for each DIM (dimension), at least one of the
 * DIM's OFMATCHes (values) matches.  No field appears both in the common
 * part and in a dimension, the dimensions constrain disjoint fields, and
 * the common part alone and with any one value are complete OpenFlow
 * matches (every field with its prerequisites, e.g. tp_dst with tcp);
 * pipeline_match_parse() refuses text that breaks any of this.  (The
 * match compiler, lib/expr-compile.h, also keeps the Ethernet type and
 * IP protocol in the common part, where the actions find them.)
 *
 * The controller installs one OpenFlow flow per plain alternative, all
 * with the logical flow's priority, actions and cookie.  A conjunctive
 * alternative with n dimensions becomes an OpenFlow conjunction with an
 * id allocated on the host: for each dimension k (1 to n) and each of its
 * values, "COMMON,VALUE actions=conjunction(ID,k/n)", and one flow
 * "COMMON,conj_id=ID" with the logical flow's actions, all at the logical
 * flow's priority.  (Two conjunctive alternatives may yield the same
 * COMMON,VALUE flow: it then carries both conjunction actions.)
 * osmotic-trace says which alternative matched.
 *
 * The separators cannot occur inside one ovs-ofctl match: there, blanks
 * only separate fields, and "||", "&&" and "|" are no field names.  A
 * flow's alternatives must not overlap other flows of the same priority
 * in the same stage.  Matches are written by hand (plain alternatives)
 * or by the match compiler, lib/expr-compile.h.
 *
 * Physical flows (classification, tunnels, delivery) are the controller's
 * own and live in the PHY tables.
 */
#ifndef OSMOTIC_PIPELINE_H
#define OSMOTIC_PIPELINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

/* OpenFlow tables on br-int. */
enum {
    OFTABLE_PHY_IN = 0,          /* Port or tunnel -> logical metadata. */
    OFTABLE_COLOR_LEARN = 8,     /* From a tunnel: remember a promoted
                                  * connection's colour for its replies. */
    OFTABLE_COLOR_CONN = 9,      /* From a local port: the colour of a
                                  * promoted connection. */
    OFTABLE_INGRESS = 10,        /* Ingress stage N is table 10 + N. */
    OFTABLE_PHY_OUT_REMOTE = 30, /* Outport on another chassis: tunnel. */
    OFTABLE_PHY_OUT_LOCAL = 31,  /* Outport here (or a group): egress. */
    OFTABLE_PHY_LANE = 32,       /* To one chassis: the colour's lane,
                                  * DSCP and meter. */
    OFTABLE_LB_AFF = 33,         /* Load balancer session affinity: the
                                  * flows ct_lb's affinity learns, read
                                  * by lb_aff_check. */
    OFTABLE_LB_HAIRPIN = 34,     /* Load balancer hairpin: the flows
                                  * lb_hairpin learns to know a
                                  * hairpinned connection's replies,
                                  * read by lb_hairpin_check. */
    OFTABLE_EGRESS = 40,         /* Egress stage N is table 40 + N. */
    OFTABLE_PHY_DELIVER = 60,    /* Outport -> local OpenFlow port. */
};

/* Number of stages a pipeline may have. */
#define PIPELINE_MAX_STAGES 20

/* Logical registers.  Names are the ovs-ofctl field names logical flows
 * use in their matches; their actions name them as logical fields
 * (inport, outport, flags.loopback, color: lib/logical-actions.c). */
#define REG_INPORT "reg14"      /* Logical ingress port tunnel key. */
#define REG_OUTPORT "reg15"     /* Logical egress port or group key. */
#define REG_FLAGS "reg10"       /* Pipeline flags, MLF_* bits below. */
#define REG_CT_ZONE "reg13"     /* Bits 0..15: conntrack zone of the
                                 * logical port (a router's own zone in a
                                 * router); bits 16..31, in a router: its
                                 * second zone, for the forced SNAT of
                                 * its load-balanced connections
                                 * (ct_snat_lb), since its own zone holds
                                 * their DNAT (one NAT per zone). */
#define REG_COLOR "reg9"        /* Bits 0..7: colour id, 0 = uncoloured. */
#define REG_CHASSIS "reg11"     /* Physical tables 30 to 32 only: the
                                 * destination chassis, as the OpenFlow
                                 * port of its lane-0 tunnel. */

/* In a switch with load balancers: the ingress ACL stage asks, with bit 0
 * of this register, that ls_in_stateful commit the connection, after
 * ls_in_lb, which commits a new connection to a VIP with its NAT first
 * (a connection committed without NAT can no longer get one). */
#define REG_CT_COMMIT "reg0"

/* Session affinity of load balancers (logical actions lb_aff_check and
 * ct_lb's "affinity" option): a client's remembered backend, loaded by
 * the flows learned into OFTABLE_LB_AFF.  REG_LB_AFF_PORT holds the
 * backend's port in bits 0..15 (0 for a VIP without a port) and, in bit
 * 16 (REG_LB_AFF_HIT), whether the client has a backend remembered; the
 * backend's address is in REG_LB_AFF_IP4 (IPv4) or REG_LB_AFF_IP6
 * (IPv6, over reg4 to reg7).  Logical flows match them as
 * "reg8=0x10050/0x1ffff,reg4=0xa0a010b".  Bits 17..31 of the same
 * register (REG_LB_AFF_PICK) hold the backend a ct_lb select group
 * picked, 1 for its first, 0 if none: "reg8=0x40000/0xfffe0000". */
#define REG_LB_AFF_PORT "reg8"
#define REG_LB_AFF_HIT_BIT 16
#define REG_LB_AFF_PICK_SHIFT 17
#define REG_LB_AFF_IP4 "reg4"
#define REG_LB_AFF_IP6 "xxreg1"
/* In a router, whose reg5 holds the route table of the packet's inport
 * (northd/router-ports.h) from lr_in_admission on, the IPv6 backend is in
 * xxreg0 (reg0 to reg3), which only routing, after lr_in_lb, sets. */
#define REG_LB_AFF_IP6_ROUTER "xxreg0"

/* The conntrack zone of hairpin SNAT (logical action ct_snat_hairpin): a
 * connection that a load balancer sent from a backend back to itself
 * gets its VIP as source in this zone, since the port's own zone holds
 * its DNAT already (a connection gets one NAT per zone).  The controller
 * never gives it to a port. */
#define CT_ZONE_HAIRPIN 65535

/* Hairpin of switch load balancers without conntrack (logical actions
 * lb_hairpin and lb_hairpin_check): a packet that a VIP's DNAT sent from
 * a backend back to itself, or a reply of such a connection, has bit
 * MLF_LB_HAIRPIN_BIT of REG_FLAGS set; stage ls_in_hairpin sends it
 * straight back out its port. */

/* Symmetric ECMP replies, in a router's conntrack zone on its gateway: a
 * connection that came in through a gateway port from the next hop of an
 * ECMP route with symmetric replies keeps that port's key in ct_mark
 * bits 16..31 (CT_MARK_ECMP_REPLY_PORT: logical flows match
 * "ct_mark=0x30000/0xffff0000" for port 3) and the next hop's MAC in
 * ct_label bits 32..79 (logical field ct_label.ecmp_reply_eth), which
 * replies leaving by that port take as destination. */
#define CT_MARK_ECMP_REPLY_PORT_SHIFT 16
#define CT_MARK_ECMP_REPLY_PORT_MASK "0xffff0000"
#define CT_LABEL_ECMP_REPLY_ETH_OFS 32

/* Bits of REG_COLOR that hold the colour. */
#define PIPELINE_COLOR_MASK 0xff

/* Across a patch port (from one datapath's egress to its peer's ingress on
 * the same chassis), a packet keeps its colour (REG_COLOR bits 0..7) and
 * nothing else: every other register, the flags included, starts at 0,
 * REG_INPORT becomes the peer port's key and the peer datapath's
 * conntrack zone applies (a router's own, 0 for a switch).  The trace
 * simulates exactly this; controller/physical-gateway.c installs it. */

/* Bits of REG_FLAGS. */
#define MLF_ALLOW_LOOPBACK_BIT 0   /* Output may go back out the inport. */
#define MLF_FROM_TUNNEL_BIT 1      /* Packet arrived over a tunnel. */
#define MLF_INPORT_SECURED_BIT 2   /* The inport has port security: set by
                                    * physical ingress (table 0). */
#define MLF_OUTPORT_SECURED_BIT 3  /* The outport has port security: set
                                    * (or cleared) by physical output to
                                    * local ports (table 31). */
#define MLF_LB_HAIRPIN_BIT 4       /* A load balancer hairpin, either way
                                    * (lb_hairpin, lb_hairpin_check). */
#define MLF_FORCE_SNAT_FOR_LB_BIT 5 /* In a router with
                                    * options:lb_force_snat_ip: a packet of
                                    * a load-balanced connection, to SNAT
                                    * on its way to the backend, or its
                                    * reply, un-SNATed (logical field
                                    * flags.force_snat_for_lb). */

/* Multicast group tunnel keys (32768 and above). */
#define MC_FLOOD_KEY 32768         /* Every enabled port of a switch. */
#define MC_UNKNOWN_KEY 32769       /* Ports with "unknown" addresses. */
#define MC_FLOOD_NAME "_MC_flood"
#define MC_UNKNOWN_NAME "_MC_unknown"

/* Geneve option carrying logical ports and colour between chassis:
 * class OSMOTIC_GENEVE_CLASS, type OSMOTIC_GENEVE_TYPE, 8 bytes, mapped to
 * tun_metadata0.  Bits 0..15: outport key; bits 16..30: inport key;
 * bits 32..39: colour id. */
#define OSMOTIC_GENEVE_CLASS 0xfff0
#define OSMOTIC_GENEVE_TYPE 0x80
#define OSMOTIC_GENEVE_LEN 8

/* Pipelines. */
enum pipeline {
    P_INGRESS,
    P_EGRESS,
};

/* Datapath types. */
enum dp_type {
    DP_SWITCH,
    DP_ROUTER,
};

/* Logical stages: (datapath type, pipeline, table_id, name).  Stage numbers
 * are part of the SB contract; gaps leave room for features without
 * renumbering. */
#define PIPELINE_STAGES                                               \
    /* Logical switch ingress. */                                     \
    STAGE(SWITCH, INGRESS, PORT_SEC,    0, "ls_in_port_sec")          \
    STAGE(SWITCH, INGRESS, HAIRPIN_CHECK, 1, "ls_in_hairpin_check")   \
    STAGE(SWITCH, INGRESS, PRE_ACL,     2, "ls_in_pre_acl")           \
    STAGE(SWITCH, INGRESS, ACL,         3, "ls_in_acl")               \
    STAGE(SWITCH, INGRESS, COLOR,       5, "ls_in_color")             \
    STAGE(SWITCH, INGRESS, LB_AFF_CHECK, 6, "ls_in_lb_aff_check")     \
    STAGE(SWITCH, INGRESS, LB,          7, "ls_in_lb")                \
    STAGE(SWITCH, INGRESS, STATEFUL,    8, "ls_in_stateful")          \
    STAGE(SWITCH, INGRESS, HAIRPIN,     9, "ls_in_hairpin")           \
    STAGE(SWITCH, INGRESS, ARP_RSP,    10, "ls_in_arp_rsp")           \
    STAGE(SWITCH, INGRESS, L2_LKUP,    12, "ls_in_l2_lkup")           \
    /* Logical switch egress. */                                      \
    STAGE(SWITCH, EGRESS,  PRE_ACL,     0, "ls_out_pre_acl")          \
    STAGE(SWITCH, EGRESS,  ACL,         1, "ls_out_acl")              \
    STAGE(SWITCH, EGRESS,  PORT_SEC,    5, "ls_out_port_sec")         \
    /* Logical router ingress. */                                     \
    STAGE(ROUTER, INGRESS, ADMISSION,   0, "lr_in_admission")         \
    STAGE(ROUTER, INGRESS, LB_AFF_CHECK, 1, "lr_in_lb_aff_check")     \
    STAGE(ROUTER, INGRESS, LB,          2, "lr_in_lb")                \
    STAGE(ROUTER, INGRESS, IP_INPUT,    3, "lr_in_ip_input")          \
    STAGE(ROUTER, INGRESS, DNAT,        4, "lr_in_dnat")              \
    STAGE(ROUTER, INGRESS, ECMP_STATEFUL, 5, "lr_in_ecmp_stateful")   \
    STAGE(ROUTER, INGRESS, RAMPOUT,     6, "lr_in_rampout")           \
    STAGE(ROUTER, INGRESS, IP_ROUTING,  8, "lr_in_ip_routing")        \
    STAGE(ROUTER, INGRESS, IP_ROUTING_ECMP, 9, "lr_in_ip_routing_ecmp") \
    STAGE(ROUTER, INGRESS, POLICY,     10, "lr_in_policy")            \
    STAGE(ROUTER, INGRESS, POLICY_ECMP,11, "lr_in_policy_ecmp")       \
    STAGE(ROUTER, INGRESS, ARP_RESOLVE,12, "lr_in_arp_resolve")       \
    STAGE(ROUTER, INGRESS, GW_REDIRECT,14, "lr_in_gw_redirect")       \
    /* Logical router egress. */                                      \
    STAGE(ROUTER, EGRESS,  SNAT,        0, "lr_out_snat")             \
    STAGE(ROUTER, EGRESS,  ECMP_REPLY,  1, "lr_out_ecmp_reply")       \
    STAGE(ROUTER, EGRESS,  LB_UNDNAT,   2, "lr_out_lb_undnat")        \
    STAGE(ROUTER, EGRESS,  DELIVERY,    5, "lr_out_delivery")

enum pipeline_stage {
#define STAGE(DP_TYPE, PIPELINE, STAGE, TABLE, NAME) \
    S_##DP_TYPE##_##PIPELINE##_##STAGE,
    PIPELINE_STAGES
#undef STAGE
    N_PIPELINE_STAGES
};

/* Facts about one stage. */
struct pipeline_stage_info {
    enum dp_type dp_type;       /* Datapath type it belongs to. */
    enum pipeline pipeline;     /* Ingress or egress. */
    uint8_t table_id;           /* Logical table number in the pipeline. */
    const char *name;           /* e.g. "ls_in_port_sec". */
};

const struct pipeline_stage_info *pipeline_stage_info(enum pipeline_stage);
const struct pipeline_stage_info *pipeline_stage_find(enum dp_type,
                                                      enum pipeline,
                                                      unsigned int table_id);
unsigned int pipeline_stage_at_or_after(enum dp_type, enum pipeline,
                                        unsigned int table_id);
/* Separators of a logical flow's match: between alternatives, between
 * the parts of a conjunctive alternative, between a dimension's
 * values. */
#define PIPELINE_MATCH_OR " || "
#define PIPELINE_MATCH_AND " && "
#define PIPELINE_MATCH_DIM_OR " | "

/* One dimension of a conjunctive alternative: it holds if any of its
 * values does. */
struct pipeline_match_dim {
    char **values;              /* ovs-ofctl matches, at least one. */
    size_t n_values;            /* Number of 'values'. */
};

/* One alternative of a logical flow's match. */
struct pipeline_match_alt {
    char *text;                 /* The alternative as written. */
    char *common;               /* ovs-ofctl match: all of a plain
                                 * alternative, or the common part of a
                                 * conjunctive one ("" if none). */
    struct pipeline_match_dim *dims;  /* Dimensions; NULL if plain. */
    size_t n_dims;              /* 0 (plain) or at least 2. */
};

/* A logical flow's match, parsed. */
struct pipeline_match {
    struct pipeline_match_alt *alts;  /* Alternatives, at least one. */
    size_t n_alts;              /* Number of 'alts'. */
};

char *pipeline_match_parse(const char *, struct pipeline_match *)
    OVS_WARN_UNUSED_RESULT;
void pipeline_match_destroy(struct pipeline_match *);

/* Address set references.  In a plain alternative, or in a value of a
 * dimension, one field of an OFMATCH may name an address set instead of
 * an address: "nw_src=$NAME" (also nw_dst, ipv6_src, ipv6_dst; NAME of
 * letters, digits, '_', '.' and '-').  It stands for the set's addresses
 * of the field's family (SB Address_Set, by name; none if no row has the
 * name): a plain alternative with a reference is one alternative per
 * address, a value with one is one value per address.  At most one
 * reference per plain alternative or value, none in the common part of a
 * conjunctive alternative.  The controller and osmotic-trace expand
 * references from their copy of SB, so that a set's change changes no
 * logical flow. */
#define PIPELINE_SET_REF_CHAR '$'

/* Where an OFMATCH refers to an address set. */
struct pipeline_set_ref {
    const char *field;          /* "nw_src", "nw_dst", "ipv6_src",
                                 * "ipv6_dst" (static). */
    bool ipv6;                  /* For ipv6_src and ipv6_dst. */
    char *name;                 /* Set name, without '$' (malloc()'d). */
    size_t ofs, len;            /* Bytes of "$NAME" in the OFMATCH. */
};

char *pipeline_ofmatch_find_set(const char *ofmatch,
                                struct pipeline_set_ref *)
    OVS_WARN_UNUSED_RESULT;
bool pipeline_match_has_sets(const char *match);

/* Returns the addresses of the set named 'name' (NULL and 0 for none):
 * IPv4 and IPv6 addresses, optionally with a prefix length, as text. */
typedef const char *const *pipeline_set_lookup_func(const char *name,
                                                    size_t *n, void *aux);
struct svec;
void pipeline_ofmatch_expand(const char *ofmatch, pipeline_set_lookup_func *,
                             void *aux, struct svec *out);
char *pipeline_ofmatch_with_address(const char *ofmatch,
                                    const struct pipeline_set_ref *,
                                    const char *address);

/* Only for callers that handle plain alternatives: splits at
 * PIPELINE_MATCH_OR without looking inside the alternatives. */
size_t pipeline_match_split(const char *match, char ***alternatives);
void pipeline_match_free(char **alternatives, size_t n);

const char *pipeline_to_string(enum pipeline);
bool pipeline_from_string(const char *, enum pipeline *);
unsigned int pipeline_first_oftable(enum pipeline);
const char *pipeline_physical_table_name(unsigned int table);

#endif /* lib/pipeline.h */
