#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/logical-actions.h"
#include "lib/pipeline.h"
#include "tests/unit/unit-suites.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-protocol.h"
#include "util.h"

/* What the test context's callbacks saw and answer. */
struct test_ctx {
    struct ds buckets;          /* Buckets of the last group asked for. */
    uint32_t next_group;        /* Id the next group gets. */
    bool has_groups, has_meters, has_pins;
};

/* The test's stage layout: every stage has flows except ingress stage 11,
 * which is skipped (to prove that the caller, not the encoder, decides). */
static unsigned int
test_stage_oftable(enum pipeline pipeline, unsigned int table_id,
                   void *aux OVS_UNUSED)
{
    if (table_id >= PIPELINE_MAX_STAGES) {
        return pipeline == P_INGRESS ? OFTABLE_PHY_OUT_REMOTE
                                     : OFTABLE_PHY_DELIVER;
    }
    if (pipeline == P_INGRESS && table_id == 11) {
        table_id++;
    }
    return pipeline_first_oftable(pipeline) + table_id;
}

static uint32_t
test_group_id(const char *buckets, void *aux)
{
    struct test_ctx *t = aux;
    ds_clear(&t->buckets);
    ds_put_cstr(&t->buckets, buckets);
    return t->next_group++;
}

static uint32_t
test_meter_id(const char *name, void *aux OVS_UNUSED)
{
    return !strcmp(name, "acl-log") ? 7 : 0;
}

static uint32_t
test_pin_meter_id(enum lact_pin_opcode op, void *aux OVS_UNUSED)
{
    return 10 + op;
}

static char *
test_color_sample(uint32_t rule, void *aux OVS_UNUSED)
{
    return xasprintf("sample(probability=1024,collector_set_id=9,"
                     "obs_domain_id=7,obs_point_id=%"PRIu32")", rule);
}

/* An encoding context for a switch flow in 'pipeline' stage 'table_id',
 * with groups, meters, packet-ins and sampling as 't' says. */
static struct lact_encode_ctx
make_ctx(struct test_ctx *t, enum pipeline pipeline, unsigned int table_id)
{
    struct lact_encode_ctx ctx = {
        .dp_type = DP_SWITCH,
        .pipeline = pipeline,
        .table_id = table_id,
        .dp_key = 5,
        .stage_oftable = test_stage_oftable,
        .group_id = t->has_groups ? test_group_id : NULL,
        .meter_id = t->has_meters ? test_meter_id : NULL,
        .pin_meter_id = t->has_pins ? test_pin_meter_id : NULL,
        .color_sample = t->has_pins ? test_color_sample : NULL,
        .aux = t,
    };
    return ctx;
}

static struct test_ctx *
test_ctx_create(bool all)
{
    struct test_ctx *t = xzalloc(sizeof *t);
    ds_init(&t->buckets);
    t->next_group = 1;
    t->has_groups = t->has_meters = t->has_pins = all;
    return t;
}

static void
test_ctx_destroy(struct test_ctx *t)
{
    ds_destroy(&t->buckets);
    free(t);
}

/* Asserts that 'IN' parses and formats as 'OUT', and that 'OUT' parses and
 * formats as itself. */
#define ck_assert_formats(IN, OUT)                                      \
    do {                                                                \
        const char *in_[2] = { IN, OUT };                               \
        for (int i_ = 0; i_ < 2; i_++) {                                \
            struct lact_list l_;                                        \
            char *e_ = lact_parse(in_[i_], &l_);                        \
            ck_assert_msg(!e_, "\"%s\": %s", in_[i_], e_);              \
            struct ds s_ = DS_EMPTY_INITIALIZER;                        \
            lact_format(&l_, &s_);                                      \
            ck_assert_str_eq(ds_cstr(&s_), OUT);                        \
            ds_destroy(&s_);                                            \
            lact_list_destroy(&l_);                                     \
        }                                                               \
    } while (0)

/* Asserts that 'ACTIONS', in ingress stage 'TABLE' of a switch with every
 * facility of the test context, encodes as 'EXPECTED', and that OVS's own
 * flow parser accepts the result after match 'MATCH'. */
#define ck_assert_encodes_at(TABLE, MATCH, ACTIONS, EXPECTED)           \
    do {                                                                \
        struct test_ctx *t_ = test_ctx_create(true);                    \
        struct lact_encode_ctx c_ = make_ctx(t_, P_INGRESS, TABLE);     \
        struct ds o_ = DS_EMPTY_INITIALIZER;                            \
        char *e_ = lact_compile(ACTIONS, &c_, &o_);                     \
        ck_assert_msg(!e_, "\"%s\": %s", ACTIONS, e_);                  \
        ck_assert_str_eq(ds_cstr(&o_), EXPECTED);                       \
        assert_ovs_parses(MATCH, ds_cstr(&o_));                         \
        ds_destroy(&o_);                                                \
        test_ctx_destroy(t_);                                           \
    } while (0)
#define ck_assert_encodes(MATCH, ACTIONS, EXPECTED) \
    ck_assert_encodes_at(10, MATCH, ACTIONS, EXPECTED)

/* Asserts that ovs-ofctl's parser takes a flow with 'match' and 'actions'
 * (so the encoder writes real OpenFlow, prerequisites included). */
static void
assert_ovs_parses(const char *match, const char *actions)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *flow = xasprintf("table=20,%s%sactions=%s", match,
                           match[0] ? "," : "", actions);
    char *error = parse_ofp_str(&fm, OFPFC_ADD, flow, NULL, NULL, &usable);
    ck_assert_msg(!error, "\"%s\": %s", flow, error);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    free(flow);
}

/* Asserts that ovs-ofctl's group parser takes a select group with
 * 'buckets'. */
static void
assert_ovs_parses_group(const char *buckets)
{
    struct ofputil_group_mod gm;
    enum ofputil_protocol usable;
    char *group = xasprintf("group_id=1,type=select,%s", buckets);
    char *error = parse_ofp_group_mod_str(&gm, OFPGC15_ADD, group, NULL,
                                          NULL, &usable);
    ck_assert_msg(!error, "\"%s\": %s", group, error);
    ofputil_uninit_group_mod(&gm);
    free(group);
}

/* Asserts that parsing 'ACTIONS' fails with an error containing 'WHAT'. */
#define ck_assert_parse_error(ACTIONS, WHAT)                            \
    do {                                                                \
        struct lact_list l_;                                            \
        char *e_ = lact_parse(ACTIONS, &l_);                            \
        ck_assert_msg(e_, "\"%s\" parsed", ACTIONS);                    \
        ck_assert_msg(strstr(e_, WHAT), "\"%s\": error \"%s\" lacks "   \
                      "\"%s\"", ACTIONS, e_, WHAT);                     \
        free(e_);                                                       \
        lact_list_destroy(&l_);                                         \
    } while (0)

/* Asserts that 'ACTIONS' parse but do not encode in a context with or
 * without ('ALL') groups, meters and packet-ins, with an error containing
 * 'WHAT'. */
#define ck_assert_encode_error(ALL, ACTIONS, WHAT)                      \
    do {                                                                \
        struct test_ctx *t_ = test_ctx_create(ALL);                     \
        struct lact_encode_ctx c_ = make_ctx(t_, P_INGRESS, 10);        \
        struct lact_list l_;                                            \
        char *e_ = lact_parse(ACTIONS, &l_);                            \
        ck_assert_msg(!e_, "\"%s\": %s", ACTIONS, e_);                  \
        struct ds o_ = DS_EMPTY_INITIALIZER;                            \
        e_ = lact_encode(&l_, &c_, &o_);                                \
        ck_assert_msg(e_, "\"%s\" encoded as \"%s\"", ACTIONS,          \
                      ds_cstr(&o_));                                    \
        ck_assert_msg(strstr(e_, WHAT), "\"%s\": error \"%s\" lacks "   \
                      "\"%s\"", ACTIONS, e_, WHAT);                     \
        free(e_);                                                       \
        ds_destroy(&o_);                                                \
        lact_list_destroy(&l_);                                         \
        test_ctx_destroy(t_);                                           \
    } while (0)

START_TEST(test_format_is_canonical)
{
    ck_assert_formats("next;output;", "next; output;");
    ck_assert_formats("  next ( ls_in_arp_rsp ) ;", "next(ls_in_arp_rsp);");
    ck_assert_formats("drop;", "drop;");
    ck_assert_formats("", "");
    ck_assert_formats("outport=32768;output;", "outport = 32768; output;");
    ck_assert_formats("eth.dst=eth.src;", "eth.dst = eth.src;");
    ck_assert_formats("outport<->inport;", "outport <-> inport;");
    ck_assert_formats("reg0=select(1,2,3);", "reg0 = select(1, 2, 3);");
    ck_assert_formats("ct_next;", "ct_next;");
    ck_assert_formats("ct_commit;", "ct_commit;");
    ck_assert_formats("ct_commit{ct_mark=1;ct_label=0x2/0xf;};",
                      "ct_commit { ct_mark = 1; ct_label = 0x2/0xf; };");
    ck_assert_formats("ct_commit{ct_label.ecmp_reply_eth=eth.src;"
                      "ct_mark=0x30000/0xffff0000;};",
                      "ct_commit { ct_mark = 0x30000/0xffff0000; "
                      "ct_label.ecmp_reply_eth = eth.src; };");
    ck_assert_formats("eth.dst=ct_label.ecmp_reply_eth;",
                      "eth.dst = ct_label.ecmp_reply_eth;");
    ck_assert_formats("ct_dnat;", "ct_dnat;");
    ck_assert_formats("ct_snat ;", "ct_snat;");
    ck_assert_formats("ct_dnat(10.0.0.5:8080);",
                      "ct_dnat(10.0.0.5:8080);");
    ck_assert_formats("ct_snat([fd00::1]:80);", "ct_snat([fd00::1]:80);");
    ck_assert_formats("ct_lb(10.0.0.5:80,10.0.0.6:80);",
                      "ct_lb(10.0.0.5:80, 10.0.0.6:80);");
    ck_assert_formats("ct_lb(10.0.0.5:80,10.0.0.6:80,affinity=60,proto=tcp);",
                      "ct_lb(10.0.0.5:80, 10.0.0.6:80, affinity=60, "
                      "proto=tcp);");
    ck_assert_formats("ct_lb(10.0.0.5, affinity = 5);",
                      "ct_lb(10.0.0.5, affinity=5);");
    ck_assert_formats("lb_aff_check;next;", "lb_aff_check; next;");
    ck_assert_formats("ct_snat_hairpin( 172.30.0.10 );",
                      "ct_snat_hairpin(172.30.0.10);");
    ck_assert_formats("ct_snat_hairpin;", "ct_snat_hairpin;");
    ck_assert_formats("lb_hairpin( tcp );next;", "lb_hairpin(tcp); next;");
    ck_assert_formats("lb_hairpin(tcp6 ,vips = 0XAB);",
                      "lb_hairpin(tcp6, vips=0xab);");
    ck_assert_formats("lb_hairpin(udp, vips=0);", "lb_hairpin(udp);");
    ck_assert_formats("lb_hairpin_check;next;", "lb_hairpin_check; next;");
    ck_assert_formats("meter(acl-log);next;", "meter(acl-log); next;");
    ck_assert_formats("log(name=a1,severity=warning,verdict=drop);",
                      "log(name=a1, severity=warning, verdict=drop);");
    ck_assert_formats("log;", "log();");
    ck_assert_formats("log(verdict=drop,meter=pktps/10/5/acl/log);",
                      "log(verdict=drop, meter=pktps/10/5/acl/log);");
    ck_assert_formats("reject;", "reject;");
    ck_assert_formats("handle_bfd_msg;", "handle_bfd_msg;");
    ck_assert_formats("ip.ttl-- ;next;", "ip.ttl--; next;");
    ck_assert_formats("arp{eth.dst=ff:ff:ff:ff:ff:ff;output;};",
                      "arp { eth.dst = ff:ff:ff:ff:ff:ff; output; };");
    ck_assert_formats("nd_na{};", "nd_na {};");
    ck_assert_formats("put_arp(inport,arp.spa,arp.sha);",
                      "put_arp(inport, arp.spa, arp.sha);");
    ck_assert_formats("color=3;next;", "color = 3; next;");
}
END_TEST

START_TEST(test_next_and_output_encode)
{
    /* Stage 10's next is 11, which this layout skips to 12. */
    ck_assert_encodes("", "next;", "resubmit(,22)");
    ck_assert_encodes_at(12, "", "next;", "resubmit(,23)");
    ck_assert_encodes_at(19, "", "next;", "resubmit(,30)");
    ck_assert_encodes("", "next(ls_in_l2_lkup);", "resubmit(,22)");
    ck_assert_encodes("", "next(ls_in_arp_rsp);", "resubmit(,20)");
    ck_assert_encodes("", "output;", "resubmit(,30)");
    ck_assert_encodes("", "drop;", "drop");
    ck_assert_encodes("", "", "drop");

    struct test_ctx *t = test_ctx_create(false);
    struct lact_encode_ctx ctx = make_ctx(t, P_EGRESS, 5);
    struct ds out = DS_EMPTY_INITIALIZER;
    char *error = lact_compile("output;", &ctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "resubmit(,60)");
    ds_clear(&out);
    error = lact_compile("next(ls_out_port_sec);", &ctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "resubmit(,45)");
    ds_destroy(&out);
    test_ctx_destroy(t);
}
END_TEST

START_TEST(test_fields_encode)
{
    ck_assert_encodes("", "outport = 32768; output;",
                      "load:32768->reg15[],resubmit(,30)");
    ck_assert_encodes("", "outport = inport; flags.loopback = 1;",
                      "move:reg14[]->reg15[],load:1->reg10[0]");
    ck_assert_encodes("", "color = 0x3;", "load:0x3->reg9[0..7]");
    ck_assert_encodes("", "reg3 = 7; reg2 = reg3;",
                      "load:7->reg3[],move:reg3[]->reg2[]");
    ck_assert_encodes("", "inport <-> outport;",
                      "push:reg14[],push:reg15[],pop:reg14[],pop:reg15[]");
    ck_assert_encodes("arp",
                      "eth.dst = eth.src; eth.src = 0a:00:00:00:00:01; "
                      "arp.op = 2; arp.tha = arp.sha; "
                      "arp.sha = 0a:00:00:00:00:01; arp.tpa = arp.spa; "
                      "arp.spa = 10.0.0.1;",
                      "move:eth_src[]->eth_dst[],"
                      "set_field:0a:00:00:00:00:01->eth_src,"
                      "set_field:2->arp_op,move:arp_sha[]->arp_tha[],"
                      "set_field:0a:00:00:00:00:01->arp_sha,"
                      "move:arp_spa[]->arp_tpa[],"
                      "set_field:10.0.0.1->arp_spa");
    ck_assert_encodes("icmp6,icmpv6_type=136,icmpv6_code=0",
                      "ip6.dst = ip6.src; ip6.src = fd00::1; "
                      "nd.reserved = 0x60000000; nd.options_type = 2; "
                      "icmp6.type = 136; nd.tll = eth.src;",
                      "move:ipv6_src[]->ipv6_dst[],"
                      "set_field:fd00::1->ipv6_src,"
                      "set_field:0x60000000->nd_reserved,"
                      "set_field:2->nd_options_type,"
                      "set_field:136->icmpv6_type,"
                      "move:eth_src[]->nd_tll[]");
    ck_assert_encodes("ip", "ip.dscp = 46; ip.ttl = 64;",
                      "set_field:46->ip_dscp,set_field:64->nw_ttl");
    ck_assert_encodes("tcp", "tcp.dst = 8080;", "set_field:8080->tcp_dst");
    ck_assert_encodes("ip", "ip.ttl--;", "dec_ttl");
}
END_TEST

START_TEST(test_conntrack_encodes)
{
    ck_assert_encodes("ip", "ct_next;",
                      "ct(table=22,zone=reg13[0..15])");
    ck_assert_encodes("ip", "ct_commit; next;",
                      "ct(commit,zone=reg13[0..15]),resubmit(,22)");
    ck_assert_encodes("ip", "ct_commit { ct_mark = 1; ct_label = 0x5; };",
                      "ct(commit,zone=reg13[0..15],"
                      "exec(set_field:1->ct_mark,set_field:0x5->ct_label))");
    ck_assert_encodes("ip", "ct_commit { ct_mark = 0x30000/0xffff0000; "
                      "ct_label.ecmp_reply_eth = eth.src; };",
                      "ct(commit,zone=reg13[0..15],"
                      "exec(set_field:0x30000/0xffff0000->ct_mark,"
                      "move:eth_src[]->ct_label[32..79]))");
    ck_assert_encodes("ip", "ct_commit { ct_label.ecmp_reply_eth = "
                      "eth.src; };",
                      "ct(commit,zone=reg13[0..15],"
                      "exec(move:eth_src[]->ct_label[32..79]))");
    ck_assert_encodes("ip", "eth.dst = ct_label.ecmp_reply_eth;",
                      "move:ct_label[32..79]->eth_dst[]");
    ck_assert_encodes("ip", "ct_dnat;",
                      "ct(table=22,zone=reg13[0..15],nat)");
    ck_assert_encodes("ip", "ct_snat(10.0.0.9);",
                      "ct(commit,table=22,zone=reg13[0..15],"
                      "nat(src=10.0.0.9))");
    ck_assert_encodes("ipv6", "ct_dnat(fd00::9);",
                      "ct(commit,table=22,zone=reg13[0..15],"
                      "nat(dst=[fd00::9]))");
    ck_assert_encodes("tcp", "ct_lb(10.0.0.5:80);",
                      "ct(commit,table=22,zone=reg13[0..15],"
                      "nat(dst=10.0.0.5:80))");
    /* Session affinity: one backend learns it and commits; the check
     * reads it. */
    ck_assert_encodes("tcp", "ct_lb(10.0.0.5:80, affinity=60, proto=tcp);",
                      "learn(table=33,idle_timeout=60,priority=110,"
                      "OXM_OF_METADATA[],eth_type=0x800,nw_proto=6,"
                      "NXM_OF_IP_SRC[],NXM_OF_IP_DST[],NXM_OF_TCP_DST[],"
                      "load:0xa000005->NXM_NX_REG4[],"
                      "load:0x10050->NXM_NX_REG8[0..16]),"
                      "ct(commit,table=22,zone=reg13[0..15],"
                      "nat(dst=10.0.0.5:80))");
    ck_assert_encodes("ipv6", "ct_lb(fd00::5, affinity=7);",
                      "learn(table=33,idle_timeout=7,priority=100,"
                      "OXM_OF_METADATA[],eth_type=0x86dd,"
                      "NXM_NX_IPV6_SRC[],NXM_NX_IPV6_DST[],"
                      "load:0xfd000000000000000000000000000005"
                      "->NXM_NX_XXREG1[],"
                      "load:0x10000->NXM_NX_REG8[0..16]),"
                      "ct(commit,table=22,zone=reg13[0..15],"
                      "nat(dst=[fd00::5]))");
    ck_assert_encodes("udp6", "ct_lb([fd00::5]:53, affinity=7, proto=udp);",
                      "learn(table=33,idle_timeout=7,priority=110,"
                      "OXM_OF_METADATA[],eth_type=0x86dd,nw_proto=17,"
                      "NXM_NX_IPV6_SRC[],NXM_NX_IPV6_DST[],"
                      "NXM_OF_UDP_DST[],"
                      "load:0xfd000000000000000000000000000005"
                      "->NXM_NX_XXREG1[],"
                      "load:0x10035->NXM_NX_REG8[0..16]),"
                      "ct(commit,table=22,zone=reg13[0..15],"
                      "nat(dst=[fd00::5]:53))");
    ck_assert_encodes("ip", "lb_aff_check; next;",
                      "load:0->NXM_NX_REG8[16],resubmit(,33),"
                      "resubmit(,22)");
    {
        /* In a router, an IPv6 backend is remembered in xxreg0: xxreg1
         * holds reg5, the route table (REG_LB_AFF_IP6_ROUTER). */
        struct test_ctx *t = test_ctx_create(true);
        struct lact_encode_ctx c = make_ctx(t, P_INGRESS, 2);
        c.dp_type = DP_ROUTER;
        struct ds o = DS_EMPTY_INITIALIZER;
        char *e = lact_compile("ct_lb([fd00::5]:80, affinity=7, proto=tcp);",
                               &c, &o);
        ck_assert_ptr_null(e);
        ck_assert_str_eq(ds_cstr(&o),
                         "learn(table=33,idle_timeout=7,priority=110,"
                         "OXM_OF_METADATA[],eth_type=0x86dd,nw_proto=6,"
                         "NXM_NX_IPV6_SRC[],NXM_NX_IPV6_DST[],"
                         "NXM_OF_TCP_DST[],"
                         "load:0xfd000000000000000000000000000005"
                         "->NXM_NX_XXREG0[],"
                         "load:0x10050->NXM_NX_REG8[0..16]),"
                         "ct(commit,table=13,zone=reg13[0..15],"
                         "nat(dst=[fd00::5]:80))");
        assert_ovs_parses("tcp6", ds_cstr(&o));
        ds_destroy(&o);
        test_ctx_destroy(t);
    }
    /* Hairpin SNAT: in its own zone, not the port's. */
    ck_assert_encodes("ip", "ct_snat_hairpin(172.30.0.10);",
                      "ct(commit,table=22,zone=65535,"
                      "nat(src=172.30.0.10))");
    ck_assert_encodes("ip", "ct_snat_hairpin;",
                      "ct(table=22,zone=65535,nat)");
    /* Hairpin without conntrack: learn the replies, SNAT to the VIP
     * statelessly.  The learned flows' cookie: bit 63, the datapath's key
     * (5), the vips= hash. */
    ck_assert_encodes("tcp,ct_state=+trk+dnat,nw_src=10.0.0.5,"
                      "nw_dst=10.0.0.5",
                      "lb_hairpin(tcp, vips=0x1234abcd); next;",
                      "learn(table=34,cookie=0x800000051234abcd,"
                      "delete_learned,OXM_OF_METADATA[],"
                      "eth_type=0x800,nw_proto=6,"
                      "NXM_OF_IP_SRC[]=NXM_OF_IP_DST[],"
                      "NXM_OF_IP_DST[]=NXM_NX_CT_NW_DST[],"
                      "NXM_OF_TCP_SRC[]=NXM_OF_TCP_DST[],"
                      "load:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],"
                      "load:1->NXM_NX_REG10[4]),"
                      "move:NXM_NX_CT_NW_DST[]->NXM_OF_IP_SRC[],"
                      "load:1->NXM_NX_REG10[4],resubmit(,22)");
    ck_assert_encodes("icmp,ct_state=+trk+dnat,nw_src=10.0.0.5,"
                      "nw_dst=10.0.0.5", "lb_hairpin(icmp);",
                      "learn(table=34,cookie=0x8000000500000000,"
                      "delete_learned,OXM_OF_METADATA[],"
                      "eth_type=0x800,nw_proto=1,"
                      "NXM_OF_IP_SRC[]=NXM_OF_IP_DST[],"
                      "NXM_OF_IP_DST[]=NXM_NX_CT_NW_DST[],icmp_type=0,"
                      "load:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],"
                      "load:1->NXM_NX_REG10[4]),"
                      "move:NXM_NX_CT_NW_DST[]->NXM_OF_IP_SRC[],"
                      "load:1->NXM_NX_REG10[4]");
    ck_assert_encodes("udp6,ct_state=+trk+dnat,ipv6_src=fd00::5,"
                      "ipv6_dst=fd00::5", "lb_hairpin(udp6);",
                      "learn(table=34,cookie=0x8000000500000000,"
                      "delete_learned,OXM_OF_METADATA[],"
                      "eth_type=0x86dd,nw_proto=17,"
                      "NXM_NX_IPV6_SRC[]=NXM_NX_IPV6_DST[],"
                      "NXM_NX_IPV6_DST[]=NXM_NX_CT_IPV6_DST[],"
                      "NXM_OF_UDP_SRC[]=NXM_OF_UDP_DST[],"
                      "load:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
                      "load:1->NXM_NX_REG10[4]),"
                      "move:NXM_NX_CT_IPV6_DST[]->NXM_NX_IPV6_SRC[],"
                      "load:1->NXM_NX_REG10[4]");
    ck_assert_encodes("icmp6,ct_state=+trk+dnat,ipv6_src=fd00::5,"
                      "ipv6_dst=fd00::5", "lb_hairpin(icmp6);",
                      "learn(table=34,cookie=0x8000000500000000,"
                      "delete_learned,OXM_OF_METADATA[],"
                      "eth_type=0x86dd,nw_proto=58,"
                      "NXM_NX_IPV6_SRC[]=NXM_NX_IPV6_DST[],"
                      "NXM_NX_IPV6_DST[]=NXM_NX_CT_IPV6_DST[],"
                      "icmpv6_type=129,"
                      "load:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
                      "load:1->NXM_NX_REG10[4]),"
                      "move:NXM_NX_CT_IPV6_DST[]->NXM_NX_IPV6_SRC[],"
                      "load:1->NXM_NX_REG10[4]");
    ck_assert_encodes("", "lb_hairpin_check; next;",
                      "resubmit(,34),resubmit(,22)");
    /* A router's forced SNAT of load-balanced connections: in its second
     * zone, reg13[16..31]. */
    ck_assert_encodes("ip", "ct_snat_lb(10.10.1.1);",
                      "ct(commit,table=22,zone=reg13[16..31],"
                      "nat(src=10.10.1.1))");
    ck_assert_encodes("ipv6", "ct_snat_lb(fd00::1);",
                      "ct(commit,table=22,zone=reg13[16..31],"
                      "nat(src=[fd00::1]))");
    ck_assert_encodes("ip", "flags.force_snat_for_lb = 1; ct_snat_lb;",
                      "load:1->reg10[5],"
                      "ct(table=22,zone=reg13[16..31],nat)");
}
END_TEST

START_TEST(test_groups_encode)
{
    struct test_ctx *t = test_ctx_create(true);
    struct lact_encode_ctx ctx = make_ctx(t, P_INGRESS, 7);
    struct ds out = DS_EMPTY_INITIALIZER;

    char *error = lact_compile("ct_lb(10.0.0.5:80, 10.0.0.6:80);", &ctx,
                               &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "group:1");
    /* The datapath hashes the 5-tuple, UDP ports included. */
    ck_assert_str_eq(ds_cstr(&t->buckets),
                     "selection_method=dp_hash,"
                     "bucket=bucket_id=0,actions=ct(commit,table=18,"
                     "zone=reg13[0..15],nat(dst=10.0.0.5:80)),"
                     "bucket=bucket_id=1,actions=ct(commit,table=18,"
                     "zone=reg13[0..15],nat(dst=10.0.0.6:80))");
    assert_ovs_parses_group(ds_cstr(&t->buckets));

    ds_clear(&out);
    error = lact_compile("ct_lb([fd00::5]:80, [fd00::6]:80);", &ctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "group:2");
    assert_ovs_parses_group(ds_cstr(&t->buckets));

    /* With affinity, a bucket records its pick and looks the affinity up
     * again (stage 6, table 16). */
    ds_clear(&out);
    error = lact_compile("ct_lb(10.0.0.5:80, 10.0.0.6:80, affinity=9, "
                         "proto=udp);", &ctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "group:3");
    ck_assert_str_eq(ds_cstr(&t->buckets),
                     "selection_method=dp_hash,"
                     "bucket=bucket_id=0,actions=move:NXM_OF_UDP_SRC[]->"
                     "NXM_NX_REG8[0..15],load:0x1->NXM_NX_REG8[17..31],"
                     "resubmit(,16),"
                     "bucket=bucket_id=1,actions=move:NXM_OF_UDP_SRC[]->"
                     "NXM_NX_REG8[0..15],load:0x2->NXM_NX_REG8[17..31],"
                     "resubmit(,16)");
    assert_ovs_parses_group(ds_cstr(&t->buckets));

    /* In a router's lr_in_lb, back to lr_in_lb_aff_check (stage 1, table
     * 11). */
    struct lact_encode_ctx rctx = make_ctx(t, P_INGRESS, 2);
    rctx.dp_type = DP_ROUTER;
    ds_clear(&out);
    error = lact_compile("ct_lb(10.0.0.5:80, 10.0.0.6:80, affinity=9, "
                         "proto=tcp);", &rctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "group:4");
    ck_assert_str_eq(ds_cstr(&t->buckets),
                     "selection_method=dp_hash,"
                     "bucket=bucket_id=0,actions=move:NXM_OF_TCP_SRC[]->"
                     "NXM_NX_REG8[0..15],load:0x1->NXM_NX_REG8[17..31],"
                     "resubmit(,11),"
                     "bucket=bucket_id=1,actions=move:NXM_OF_TCP_SRC[]->"
                     "NXM_NX_REG8[0..15],load:0x2->NXM_NX_REG8[17..31],"
                     "resubmit(,11)");
    assert_ovs_parses_group(ds_cstr(&t->buckets));

    ds_clear(&out);
    error = lact_compile("reg0 = select(1, 2);", &ctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "group:5");
    ck_assert_str_eq(ds_cstr(&t->buckets),
                     "bucket=bucket_id=0,actions=load:1->reg0[],"
                     "resubmit(,18),bucket=bucket_id=1,actions="
                     "load:2->reg0[],resubmit(,18)");
    assert_ovs_parses_group(ds_cstr(&t->buckets));

    /* One choice needs no group. */
    ds_clear(&out);
    error = lact_compile("reg0 = select(7);", &ctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(ds_cstr(&out), "load:7->reg0[],resubmit(,18)");
    ds_destroy(&out);
    test_ctx_destroy(t);
}
END_TEST

START_TEST(test_meter_comes_first)
{
    ck_assert_encodes("", "next; meter(acl-log);",
                      "meter:7,resubmit(,22)");
}
END_TEST

START_TEST(test_packet_ins_encode)
{
    ck_assert_encodes("tcp", "reject;", "controller(userdata=00.00.00.02,meter_id=12)");
    /* "name=,severity=info,verdict=allow" after opcode 1. */
    ck_assert_encodes("", "log;",
                      "controller(userdata=00.00.00.01.6e.61.6d.65.3d.2c."
                      "73.65.76.65.72.69.74.79.3d.69.6e.66.6f.2c.76.65.72."
                      "64.69.63.74.3d.61.6c.6c.6f.77,meter_id=11)");
    /* The nested actions, encoded: "resubmit(,30)". */
    ck_assert_encodes("", "arp { output; };",
                      "controller(userdata=00.00.00.03.72.65.73.75.62.6d."
                      "69.74.28.2c.33.30.29,meter_id=13)");
    /* "reg14[],arp_spa[],arp_sha[]". */
    ck_assert_encodes("arp", "put_arp(inport, arp.spa, arp.sha);",
                      "controller(userdata=00.00.00.05.72.65.67.31.34.5b."
                      "5d.2c.61.72.70.5f.73.70.61.5b.5d.2c.61.72.70.5f.73."
                      "68.61.5b.5d,meter_id=15)");
}
END_TEST

/* ICMP errors, IPv6 resolution and the 128-bit register. */
START_TEST(test_routing_actions_encode)
{
    ck_assert_formats("icmp4{icmp4.type=11;icmp4.code=0;output;};",
                      "icmp4 { icmp4.type = 11; icmp4.code = 0; output; };");
    ck_assert_formats("icmp6{};", "icmp6 {};");
    ck_assert_formats("nd_ns{ip6.src=fd00::1;output;};",
                      "nd_ns { ip6.src = fd00::1; output; };");
    ck_assert_formats("put_nd(inport,nd.target,nd.tll);",
                      "put_nd(inport, nd.target, nd.tll);");
    ck_assert_encodes("ipv6", "xxreg0 = fd00::1;",
                      "set_field:0xfd000000000000000000000000000001->xxreg0");
    ck_assert_encodes("ipv6", "xxreg0 = ip6.dst;",
                      "move:ipv6_dst[]->xxreg0[]");
    ck_assert_parse_error("xxreg0 = 10.0.0.1;",
                          "xxreg0: \"10.0.0.1\" is not an IPv6 address");
    ck_assert_parse_error("xxreg0 = ip4.dst;", "differ in width");
    ck_assert_parse_error("put_nd(inport, arp.spa, nd.tll);",
                          "put_nd argument 2 (arp.spa) must be 128 bits");
    /* "4," then the nested actions, after opcode 6. */
    ck_assert_encodes("", "icmp4 { output; };",
                      "controller(userdata=00.00.00.06.34.2c.72.65.73.75."
                      "62.6d.69.74.28.2c.33.30.29,meter_id=16)");
    ck_assert_encodes("", "icmp6 {};",
                      "controller(userdata=00.00.00.06.36.2c,"
                      "meter_id=16)");
    ck_assert_encode_error(false, "icmp4 { output; };", "icmp4: this "
                           "program");
    ck_assert_encode_error(false, "nd_ns { output; };", "nd_ns: this "
                           "program");
    ck_assert_encode_error(false, "put_nd(inport, nd.target, nd.tll);",
                           "put_nd: this program");
}
END_TEST

START_TEST(test_color_sample_encodes)
{
    ck_assert_formats("color_sample ( 3 ) ;color = 1;next;",
                      "color_sample(3); color = 1; next;");
    ck_assert_encodes("tcp", "color_sample(3); color = 1; next;",
                      "sample(probability=1024,collector_set_id=9,"
                      "obs_domain_id=7,obs_point_id=3),"
                      "load:1->reg9[0..7],resubmit(,22)");
    ck_assert_parse_error("color_sample(0);", "the rule number is 1 to");
    ck_assert_parse_error("color_sample(65536);", "the rule number is 1 to");
    ck_assert_parse_error("color_sample(x);", "the rule number is 1 to");
    ck_assert_parse_error("color_sample;", "expecting \"(\" after "
                          "color_sample");

    /* A caller that collects no samples (the trace) encodes nothing for
     * it. */
    struct test_ctx *t = test_ctx_create(false);
    struct lact_encode_ctx ctx = make_ctx(t, P_INGRESS, 10);
    struct ds out = DS_EMPTY_INITIALIZER;
    char *error = lact_compile("color_sample(3); next;", &ctx, &out);
    ck_assert_msg(!error, "%s", error);
    ck_assert_str_eq(ds_cstr(&out), "resubmit(,22)");
    ds_destroy(&out);
    test_ctx_destroy(t);
}
END_TEST

START_TEST(test_syntax_errors)
{
    ck_assert_parse_error("next", "expecting \";\" after an action at end");
    ck_assert_parse_error("next output;", "found \"output\"");
    ck_assert_parse_error("jump;", "unknown action or field \"jump\"");
    ck_assert_parse_error("eth.foo = 1;", "unknown action or field");
    ck_assert_parse_error("eth.src == 1;", "expecting a value or a field, "
                          "found \"=\"");
    ck_assert_parse_error("next(ls_in_nowhere);",
                          "unknown stage \"ls_in_nowhere\"");
    ck_assert_parse_error("resubmit(,22);", "unknown action or field "
                          "\"resubmit\"");
    ck_assert_parse_error("load:1->reg15[];", "unknown action or field");
    ck_assert_parse_error("arp { output; ", "expecting an action at end");
    ck_assert_parse_error("next; }", "expecting an action, found \"}\"");
    ck_assert_parse_error("drop; next;", "\"drop;\" must be the only");
    ck_assert_parse_error("a < b;", "unknown action or field \"a\"");
    ck_assert_parse_error("meter m;", "expecting \"(\" after meter, "
                          "found \"m\"");
    ck_assert_parse_error("ct_next; outport = 3; output;",
                          "no action may follow \"ct_next;\"");
    ck_assert_parse_error("ct_dnat(10.0.0.1); next;",
                          "no action may follow \"ct_dnat(10.0.0.1);\"");
    ck_assert_parse_error("reg0 = select(1, 2); output;",
                          "no action may follow");
    ck_assert_parse_error("arp { meter(m); output; };",
                          "meter() cannot be nested");
}
END_TEST

START_TEST(test_value_errors)
{
    ck_assert_parse_error("eth.src = 0a:00:00:00:00;", "eth.src: ");
    ck_assert_parse_error("ip4.dst = 10.0.0.300;", "ip4.dst: ");
    ck_assert_parse_error("color = 256;", "color: 256 does not fit in 8");
    ck_assert_parse_error("flags.loopback = 2;", "does not fit in 1 bits");
    ck_assert_parse_error("outport = p1;", "outport: \"p1\" is not an "
                          "integer");
    ck_assert_parse_error("outport = -1;", "is not an integer");
    ck_assert_parse_error("eth.src = ip4.src;", "eth.src (48 bits) and "
                          "ip4.src (32 bits) differ in width");
    ck_assert_parse_error("eth.src <-> inport;", "differ in width");
    ck_assert_parse_error("reg0 = select(1, x);", "reg0: \"x\" is not");
    ck_assert_parse_error("ct_commit { ct_zone = 1; };",
                          "ct_commit may set only ct_mark, ct_label and "
                          "connection fields");
    ck_assert_parse_error("ct_label.ecmp_reply_eth = eth.src;",
                          "ct_label.ecmp_reply_eth is written only inside "
                          "ct_commit { }");
    ck_assert_parse_error("eth.src <-> ct_label.ecmp_reply_eth;",
                          "is written only inside ct_commit");
    ck_assert_parse_error("ct_commit { ct_label.ecmp_reply_eth = reg0; };",
                          "ct_label.ecmp_reply_eth takes a packet field or "
                          "register of 48 bits, not reg0");
    ck_assert_parse_error("ct_commit { ct_label.ecmp_reply_eth = eth.src; "
                          "ct_label.ecmp_reply_eth = eth.dst; };",
                          "copies into a connection field once");
    ck_assert_parse_error("ct_commit { ct_mark = 1; ct_mark = 2; };",
                          "sets ct_mark twice");
    ck_assert_parse_error("ct_commit { ct_mark = zz; };", "ct_mark: ");
    ck_assert_parse_error("ct_dnat(10.0.0.1, 10.0.0.2);", "at most 1 "
                          "address");
    ck_assert_parse_error("ct_dnat(10.0.0.1:0);", "\"10.0.0.1:0\" is not "
                          "an address");
    ck_assert_parse_error("ct_lb(web);", "\"web\" is not an address");
    ck_assert_parse_error("ct_snat_hairpin(web);",
                          "\"web\" is not an address");
    ck_assert_parse_error("ct_snat_hairpin(10.0.0.1, 10.0.0.2);", "");
    ck_assert_parse_error("ct_snat_hairpin; next;", "no action may follow");
    ck_assert_parse_error("lb_hairpin(sctp);", "the protocol is tcp");
    ck_assert_parse_error("lb_hairpin;", "\"(\" after lb_hairpin");
    ck_assert_parse_error("lb_hairpin(tcp, hash=1);",
                          "\"hash\" is not an option");
    ck_assert_parse_error("lb_hairpin(tcp, vips=0x100000000);",
                          "not a 32-bit number");
    ck_assert_parse_error("lb_hairpin(tcp, vips=-1);", "not a 32-bit number");
    ck_assert_parse_error("lb_hairpin(tcp, vips);", "\"=\" after vips");
    ck_assert_parse_error("ct_lb([fd00::1:80);", "is not an address");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, [fd00::6]:80);",
                          "\"10.0.0.5:80\" and \"[fd00::6]:80\" are not of "
                          "the same address family");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, affinity=0, proto=tcp);",
                          "ct_lb affinity=0: the timeout is 1 to 65535 "
                          "seconds");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, affinity=65536, proto=tcp);",
                          "the timeout is 1 to 65535 seconds");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, affinity=-1, proto=tcp);",
                          "the timeout is 1 to 65535 seconds");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, affinity=5, affinity=6, "
                          "proto=tcp);", "ct_lb sets affinity twice");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, affinity=5, proto=icmp);",
                          "ct_lb proto=icmp: not tcp, udp or sctp");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, affinity=5);",
                          "names a proto exactly when its addresses have a "
                          "port");
    ck_assert_parse_error("ct_lb(10.0.0.5, affinity=5, proto=udp);",
                          "names a proto exactly when");
    ck_assert_parse_error("ct_lb(10.0.0.5:80, proto=tcp);",
                          "ct_lb proto is an option of its affinity");
    ck_assert_parse_error("ct_lb(affinity=5, 10.0.0.5);",
                          "ct_lb's options come after its addresses");
    ck_assert_parse_error("ct_lb(affinity=5);",
                          "ct_lb needs at least one address");
    ck_assert_parse_error("ct_lb(10.0.0.5, weight=2);",
                          "ct_lb has no option \"weight\"");
    ck_assert_parse_error("ip.dscp = 64;", "ip.dscp: 64 is out of range");
    ck_assert_parse_error("log(name=a, name=b);", "log sets name twice");
    ck_assert_parse_error("log(name=a,);", "expecting a log option, found "
                          "\")\"");
    ck_assert_parse_error("log(severity=loud);", "log severity \"loud\"");
    ck_assert_parse_error("log(colour=red);", "log has no option "
                          "\"colour\"");
    ck_assert_parse_error("log(meter=m1);", "log meter \"m1\" is not "
                          "UNIT/RATE/BURST/NAME");
    ck_assert_parse_error("log(meter=pps/10/0/m1);", "log meter");
    ck_assert_parse_error("log(meter=pktps/0/0/m1);", "log meter");
    ck_assert_parse_error("log(meter=kbps/10/0/);", "log meter");
    ck_assert_parse_error("put_arp(inport, eth.src, arp.sha);",
                          "put_arp argument 2 (eth.src) must be 32 bits");
}
END_TEST

START_TEST(test_encode_errors)
{
    ck_assert_encode_error(true, "next(ls_out_acl);",
                           "next(ls_out_acl): not a stage of this flow's");
    ck_assert_encode_error(true, "next(lr_in_ip_input);",
                           "not a stage of this flow's pipeline");
    ck_assert_encode_error(true, "next(ls_in_port_sec);",
                           "next(ls_in_port_sec): an earlier stage than the "
                           "flow's own");
    ck_assert_encode_error(false, "ct_lb(10.0.0.1, 10.0.0.2);",
                           "ct_lb with more than one choice needs a select "
                           "group");
    {
        /* A ct_lb bucket with affinity goes back to an ingress stage. */
        struct test_ctx *t = test_ctx_create(true);
        struct lact_encode_ctx c = make_ctx(t, P_EGRESS, 0);
        struct ds o = DS_EMPTY_INITIALIZER;
        char *e = lact_compile("ct_lb(10.0.0.1, 10.0.0.2, affinity=5);", &c,
                               &o);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e, "ct_lb with affinity and more than one backend "
                         "works in an ingress pipeline only");
        free(e);
        ds_destroy(&o);
        test_ctx_destroy(t);
    }
    ck_assert_encode_error(false, "reg0 = select(1, 2);",
                           "select with more than one choice");
    ck_assert_encode_error(false, "meter(acl-log); next;",
                           "meter(acl-log): this program installs no "
                           "meters");
    ck_assert_encode_error(true, "meter(other); next;",
                           "meter(other): no such meter");
    ck_assert_encode_error(true, "meter(acl-log); meter(acl-log);",
                           "only one meter() per flow");
    ck_assert_encode_error(false, "reject;", "reject: this program "
                           "answers no packet-in");
    ck_assert_encode_error(false, "log(name=x);", "log: this program");
    ck_assert_encode_error(false, "arp { output; };", "arp: this program");
    ck_assert_encode_error(false, "put_arp(inport, arp.spa, arp.sha);",
                           "put_arp: this program");
}
END_TEST

static uint32_t
controller_pin_meter_id(enum lact_pin_opcode op, void *aux OVS_UNUSED)
{
    return lact_pin_meter_id(op);
}

/* A log meter callback that gives meter 77 to "pktps/10/5/m1" only. */
static uint32_t
test_log_meter_id(const char *spec, void *aux OVS_UNUSED)
{
    return !strcmp(spec, "pktps/10/5/m1") ? 77 : 0;
}

START_TEST(test_log_meter_replaces_the_log_meter)
{
    struct test_ctx *t = test_ctx_create(true);
    struct lact_encode_ctx ctx = make_ctx(t, P_INGRESS, 10);
    ctx.pin_meter_id = controller_pin_meter_id;
    struct ds out = DS_EMPTY_INITIALIZER;
    /* Without the callback, the controller's own log meter. */
    ck_assert_ptr_null(lact_compile("log(meter=pktps/10/5/m1);", &ctx, &out));
    ck_assert_msg(strstr(ds_cstr(&out), ",meter_id=1)"), "%s", ds_cstr(&out));
    /* With it, the ACL's meter, named in the payload. */
    ctx.log_meter_id = test_log_meter_id;
    ds_clear(&out);
    ck_assert_ptr_null(lact_compile("log(meter=pktps/10/5/m1);", &ctx, &out));
    ck_assert_msg(strstr(ds_cstr(&out), ",meter_id=77)"), "%s",
                  ds_cstr(&out));
    ck_assert_msg(strstr(ds_cstr(&out), /* ",meter=pktps/10/5/m1" */
                         ".2c.6d.65.74.65.72.3d.70.6b.74.70.73.2f"),
                  "%s", ds_cstr(&out));
    /* A meter the callback does not know: the log meter again. */
    ds_clear(&out);
    ck_assert_ptr_null(lact_compile("log(meter=kbps/10/0/m2);", &ctx, &out));
    ck_assert_msg(strstr(ds_cstr(&out), ",meter_id=1)"), "%s", ds_cstr(&out));
    ds_destroy(&out);
    test_ctx_destroy(t);

    bool pktps;
    uint32_t rate, burst;
    const char *name;
    ck_assert(lact_log_meter_parse("kbps/4294967295/0/a/b", &pktps, &rate,
                                   &burst, &name));
    ck_assert(!pktps && rate == UINT32_MAX && !burst && !strcmp(name, "a/b"));
    ck_assert(!lact_log_meter_parse("kbps/4294967296/0/a", &pktps, &rate,
                                    &burst, &name));
}
END_TEST

START_TEST(test_packet_ins_follow_the_caller_per_operation)
{
    /* The controller's own answer: log (meter 1), reject (meter 2), arp
     * (meter 3), put_arp (meter 5), icmp4 and icmp6 (meter 6), nd_ns
     * (meter 7), put_nd (meter 8) and handle_bfd_msg (meter 10). */
    struct test_ctx *t = test_ctx_create(false);
    struct lact_encode_ctx ctx = make_ctx(t, P_INGRESS, 10);
    ctx.pin_meter_id = controller_pin_meter_id;
    struct ds out = DS_EMPTY_INITIALIZER;
    char *error = lact_compile("log(name=a); next;", &ctx, &out);
    ck_assert_ptr_null(error);
    ck_assert_msg(strstr(ds_cstr(&out), ",meter_id=1),resubmit(,22)"),
                  "%s", ds_cstr(&out));
    ck_assert_ptr_null(lact_compile("reject;", &ctx, &out));
    ck_assert_msg(strstr(ds_cstr(&out), "controller(userdata=00.00.00.02,"
                         "meter_id=2)"), "%s", ds_cstr(&out));
    static const struct {
        const char *actions;
        const char *meter;
    } answered[] = {
        { "arp { output; };", ",meter_id=3)" },
        { "put_arp(inport, arp.spa, arp.sha);", ",meter_id=5)" },
        { "icmp4 { icmp4.type = 11; output; };", ",meter_id=6)" },
        { "icmp6 { icmp6.type = 3; output; };", ",meter_id=6)" },
        { "nd_ns { output; };", ",meter_id=7)" },
        { "put_nd(inport, nd.target, nd.tll);", ",meter_id=8)" },
        { "handle_bfd_msg;", "controller(userdata=00.00.00.0a,meter_id=10)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(answered); i++) {
        ds_clear(&out);
        error = lact_compile(answered[i].actions, &ctx, &out);
        ck_assert_msg(!error && strstr(ds_cstr(&out), answered[i].meter),
                      "%s: %s", answered[i].actions,
                      error ? error : ds_cstr(&out));
    }
    static const char *refused[] = {
        "nd_na { output; };",
    };
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        ds_clear(&out);
        error = lact_compile(refused[i], &ctx, &out);
        ck_assert_msg(error && strstr(error, "answers no packet-in"),
                      "%s: %s", refused[i], error ? error : "encoded");
        free(error);
    }
    ds_destroy(&out);
    test_ctx_destroy(t);
}
END_TEST

Suite *
logical_actions_suite(void)
{
    Suite *s = suite_create("logical-actions");
    TCase *tc = tcase_create("logical-actions");

    tcase_add_test(tc, test_format_is_canonical);
    tcase_add_test(tc, test_next_and_output_encode);
    tcase_add_test(tc, test_routing_actions_encode);
    tcase_add_test(tc, test_fields_encode);
    tcase_add_test(tc, test_conntrack_encodes);
    tcase_add_test(tc, test_groups_encode);
    tcase_add_test(tc, test_meter_comes_first);
    tcase_add_test(tc, test_packet_ins_encode);
    tcase_add_test(tc, test_packet_ins_follow_the_caller_per_operation);
    tcase_add_test(tc, test_log_meter_replaces_the_log_meter);
    tcase_add_test(tc, test_color_sample_encodes);
    tcase_add_test(tc, test_syntax_errors);
    tcase_add_test(tc, test_value_errors);
    tcase_add_test(tc, test_encode_errors);
    suite_add_tcase(s, tc);
    return s;
}
