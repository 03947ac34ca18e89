#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lflow-sim.h"
#include "tests/unit/unit-suites.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"

/* A two-chassis switch "sw0" (key 1) with ports p1 (key 1, hv1), p2
 * (key 2, hv2) and p3 (key 3, hv1), a flood group of all three, and the
 * logical flows a switch needs for L2 forwarding. */
struct sim_fixture {
    struct lflow_sim *sim;              /* The simulator. */
    struct lflow_sim_datapath *dp;      /* sw0. */
    struct lflow_sim_port *p1, *p2, *p3;  /* Its ports. */
};

/* Adds a flow, failing the test if it does not parse. */
static void
add_flow(struct sim_fixture *fx, enum pipeline pipeline, unsigned int table,
         unsigned int priority, const char *match, const char *actions)
{
    char *error = lflow_sim_add_flow(fx->sim, fx->dp, pipeline, table,
                                     priority, match, actions,
                                     "Logical_Switch_Port:1234", "");
    ck_assert_msg(!error, "unexpected error: %s", error);
}

static void
fixture_init(struct sim_fixture *fx)
{
    fx->sim = lflow_sim_create();
    fx->dp = lflow_sim_add_datapath(fx->sim, 1, "sw0", DP_SWITCH);
    fx->p1 = lflow_sim_add_port(fx->sim, fx->dp, 1, "p1", "", "hv1", true);
    fx->p2 = lflow_sim_add_port(fx->sim, fx->dp, 2, "p2", "", "hv2", true);
    fx->p3 = lflow_sim_add_port(fx->sim, fx->dp, 3, "p3", "", "hv1", true);
    lflow_sim_port_add_security(fx->p1, "0a:00:00:00:00:01 10.0.0.1");
    const struct lflow_sim_port *members[] = { fx->p1, fx->p2, fx->p3 };
    lflow_sim_add_mcgroup(fx->dp, MC_FLOOD_KEY, MC_FLOOD_NAME, members, 3);

    add_flow(fx, P_INGRESS, 0, 50, "reg14=1,dl_src=0a:00:00:00:00:01",
             "next;");
    add_flow(fx, P_INGRESS, 0, 50, "reg14=2", "next;");
    add_flow(fx, P_INGRESS, 0, 50, "reg14=3", "next;");
    add_flow(fx, P_INGRESS, 12, 50, "dl_dst=0a:00:00:00:00:02",
             "outport = 2; output;");
    add_flow(fx, P_INGRESS, 12, 50, "dl_dst=0a:00:00:00:00:03",
             "outport = 3; output;");
    add_flow(fx, P_INGRESS, 12, 70, "dl_dst=01:00:00:00:00:00/"
             "01:00:00:00:00:00", "outport = 32768; output;");
    add_flow(fx, P_EGRESS, 5, 0, "", "output;");
}

static void
fixture_destroy(struct sim_fixture *fx)
{
    lflow_sim_destroy(fx->sim);
}

/* Returns a packet from p1's MAC to 'dst'. */
static struct flow
packet_to(const char *src, const char *dst)
{
    struct flow flow;
    memset(&flow, 0, sizeof flow);
    ck_assert(eth_addr_from_string(src, &flow.dl_src));
    ck_assert(eth_addr_from_string(dst, &flow.dl_dst));
    flow.dl_type = htons(ETH_TYPE_IP);
    flow.nw_src = htonl(0x0a000001);
    flow.nw_dst = htonl(0x0a000002);
    flow.nw_proto = IPPROTO_TCP;
    flow.nw_ttl = 64;
    flow.tp_dst = htons(80);
    return flow;
}

/* Appends the names of the stages in 'events' (depth first) to 's'. */
static void
stages_visited(const struct ovs_list *events, struct ds *s)
{
    const struct lflow_sim_event *ev;
    LIST_FOR_EACH (ev, node, events) {
        if (ev->type == LSE_STAGE) {
            ds_put_format(s, "%s ", ev->stage);
        }
        stages_visited(&ev->children, s);
    }
}

/* Returns true if some event in 'events' has 'type' and mentions
 * 'needle'. */
static bool
has_event(const struct ovs_list *events, enum lflow_sim_event_type type,
          const char *needle)
{
    const struct lflow_sim_event *ev;
    LIST_FOR_EACH (ev, node, events) {
        if ((ev->type == type && strstr(ev->text, needle))
            || has_event(&ev->children, type, needle)) {
            return true;
        }
    }
    return false;
}

/* Runs a trace of 'flow' from port 'in' of the fixture. */
static struct lflow_sim_trace *
run(struct sim_fixture *fx, const struct lflow_sim_port *in,
    const struct flow *flow)
{
    return lflow_sim_run(fx->sim, fx->dp, in, NULL, flow);
}

/* Matches that name address sets: the simulator puts the set's addresses
 * in place of the reference, in a dimension and in a plain alternative,
 * as the controller does. */
START_TEST(test_address_set_references_expand)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    static const char *const as[] = { "10.0.0.1", "10.9.0.0/16", "fd00::1" };
    static const char *const as2[] = { "10.0.0.5" };
    lflow_sim_add_address_set(fx.sim, "as", as, ARRAY_SIZE(as));
    lflow_sim_add_address_set(fx.sim, "as2", as2, ARRAY_SIZE(as2));
    add_flow(&fx, P_EGRESS, 1, 200,
             "tcp && [nw_src=$as] && [tp_dst=80 | tp_dst=443]", "next;");
    add_flow(&fx, P_EGRESS, 1, 150, "reg15=0x2,ip,nw_src=$as2", "next;");
    add_flow(&fx, P_EGRESS, 1, 140, "ip,nw_src=$nosuch", "next;");
    add_flow(&fx, P_EGRESS, 1, 100, "ip", "drop;");

    static const struct {
        uint32_t src;
        bool delivered;
    } cases[] = {
        { 0x0a000001, true },       /* In "as", by the conjunction. */
        { 0x0a090203, true },       /* In "as" by its prefix. */
        { 0x0a000005, true },       /* In "as2", by the plain flow. */
        { 0x0a000007, false },      /* In no set. */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct flow flow = packet_to("0a:00:00:00:00:01",
                                     "0a:00:00:00:00:02");
        flow.nw_src = htonl(cases[i].src);
        struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
        ck_assert_uint_eq(t->n_verdicts, 1);
        ck_assert_msg(t->verdicts[0]->delivered == cases[i].delivered,
                      "case %"PRIuSIZE, i);
        lflow_sim_trace_destroy(t);
    }
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_unicast_delivered_on_remote_chassis)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);

    ck_assert_uint_eq(t->n_verdicts, 1);
    char *v = lflow_sim_verdict_to_string(t->verdicts[0]);
    ck_assert_str_eq(v, "delivered to p2 on chassis hv2");
    free(v);

    /* Stages without flows are skipped, as the controller skips them. */
    struct ds s = DS_EMPTY_INITIALIZER;
    stages_visited(&t->events, &s);
    ck_assert_str_eq(ds_cstr(&s),
                     "ls_in_port_sec ls_in_l2_lkup ls_out_port_sec ");
    ds_destroy(&s);
    ck_assert(has_event(&t->events, LSE_OUTPUT,
                        "tunnel from chassis hv1 to chassis hv2"));
    ck_assert(has_event(&t->events, LSE_ACTION, "(outport = p2)"));

    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_broadcast_floods_all_but_inport)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    struct flow flow = packet_to("0a:00:00:00:00:01", "ff:ff:ff:ff:ff:ff");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);

    ck_assert_uint_eq(t->n_verdicts, 2);
    ck_assert(t->verdicts[0]->delivered && t->verdicts[1]->delivered);
    ck_assert_str_eq(t->verdicts[0]->port->name, "p2");
    ck_assert_str_eq(t->verdicts[0]->chassis, "hv2");
    ck_assert_str_eq(t->verdicts[1]->port->name, "p3");
    ck_assert_str_eq(t->verdicts[1]->chassis, "hv1");
    ck_assert(has_event(&t->events, LSE_OUTPUT, "_MC_flood"));
    ck_assert(has_event(&t->events, LSE_ACTION, "skip p1: it is the inport"));
    ck_assert(has_event(&t->events, LSE_BRANCH, "copy to p2"));

    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_loopback_flag_floods_inport_too)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 0, 60, "reg14=1",
             "flags.loopback = 1; next;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "ff:ff:ff:ff:ff:ff");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 3);
    ck_assert_str_eq(t->verdicts[0]->port->name, "p1");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_spoofed_source_names_port_security)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    struct flow flow = packet_to("0a:00:00:00:00:66", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);

    ck_assert_uint_eq(t->n_verdicts, 1);
    const struct lflow_sim_verdict *v = t->verdicts[0];
    ck_assert(!v->delivered);
    ck_assert_str_eq(v->stage, "ls_in_port_sec");
    char *s = lflow_sim_verdict_to_string(v);
    ck_assert_str_eq(s, "dropped in ls_in_port_sec: no flow matched; "
                     "port p1 allows only \"0a:00:00:00:00:01 10.0.0.1\"");
    free(s);

    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_disabled_port_dropped_by_flow)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 0, 100, "reg14=3", "drop;");
    fx.p3->enabled = false;
    struct flow flow = packet_to("0a:00:00:00:00:03", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p3, &flow);

    ck_assert_uint_eq(t->n_verdicts, 1);
    const struct lflow_sim_verdict *v = t->verdicts[0];
    ck_assert(!v->delivered);
    ck_assert_ptr_nonnull(v->flow);
    ck_assert_uint_eq(v->flow->priority, 100);
    char *s = lflow_sim_verdict_to_string(v);
    ck_assert_str_eq(s, "dropped in ls_in_port_sec by flow priority=100, "
                     "match=(reg14=3), actions=(drop;) (source "
                     "Logical_Switch_Port:1234): port p3 is disabled");
    free(s);

    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_unknown_mac_without_flow_is_dropped_in_lookup)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:99");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(!t->verdicts[0]->delivered);
    ck_assert_str_eq(t->verdicts[0]->stage, "ls_in_l2_lkup");
    ck_assert_str_eq(t->verdicts[0]->reason, "no flow matched");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_empty_multicast_group_is_a_drop)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    lflow_sim_add_mcgroup(fx.dp, MC_UNKNOWN_KEY, MC_UNKNOWN_NAME, NULL, 0);
    add_flow(&fx, P_INGRESS, 12, 0, "", "outport = 32769; output;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:99");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(!t->verdicts[0]->delivered);
    ck_assert_str_eq(t->verdicts[0]->reason,
                     "multicast group _MC_unknown has no port to send to");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_next_after_last_stage_outputs)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 12, 60, "dl_dst=0a:00:00:00:00:02",
             "outport = 2; next;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(t->verdicts[0]->delivered);
    ck_assert(has_event(&t->events, LSE_ACTION, "no later ingress stage"));
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_unicast_back_to_inport_needs_loopback)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 12, 60, "dl_dst=0a:00:00:00:00:01",
             "outport = 1; output;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:01");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(!t->verdicts[0]->delivered);
    ck_assert_str_eq(t->verdicts[0]->reason, "the outport is the inport "
                     "and the loopback flag is not set");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_registers_are_explained)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    lflow_sim_add_color(fx.sim, 2, "elephant");
    add_flow(&fx, P_INGRESS, 5, 10, "ip",
             "color = 2; flags.loopback = 1; next;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "(colour = elephant (2))"));
    /* p1 has port security: physical ingress set its flag already. */
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "(flags: allow-loopback inport-secured)"));
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_unbound_outport_is_dropped)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    lflow_sim_add_port(fx.sim, fx.dp, 4, "p4", "", NULL, true);
    add_flow(&fx, P_INGRESS, 12, 50, "dl_dst=0a:00:00:00:00:04",
             "outport = 4; output;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:04");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(!t->verdicts[0]->delivered);
    ck_assert_str_eq(t->verdicts[0]->reason,
                     "outport p4 is not bound to any chassis");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_ct_assumes_a_state_and_continues)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 2, 10, "ip",
             "ct_next;");
    add_flow(&fx, P_INGRESS, 3, 10, "ct_state=+trk+new", "next;");
    add_flow(&fx, P_INGRESS, 3, 10, "ct_state=+trk+est", "drop;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");

    /* By default, a new connection: let through by the ACL stage. */
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(t->verdicts[0]->delivered);
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "connection state assumed new|trk, continuing at "
                        "table 13"));
    lflow_sim_trace_destroy(t);

    /* Assuming an established one, the other ACL flow drops it. */
    lflow_sim_set_ct_state(fx.sim, CS_TRACKED | CS_ESTABLISHED);
    t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(!t->verdicts[0]->delivered);
    ck_assert_str_eq(t->verdicts[0]->stage, "ls_in_acl");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_nat_of_an_old_connection_is_kept)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    /* A commit with DNAT to p3's address, then the L2 lookup by
     * address. */
    add_flow(&fx, P_INGRESS, 2, 10, "ip", "ct_dnat(10.0.0.3);");
    add_flow(&fx, P_INGRESS, 12, 60, "ip,nw_dst=10.0.0.3",
             "outport = 3; output;");
    add_flow(&fx, P_INGRESS, 12, 60, "ip,nw_dst=10.0.0.2",
             "outport = 2; output;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    flow.nw_dst = htonl(0x0a000002);

    /* A new connection gets the NAT asked for. */
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "nat: destination now 10.0.0.3"));
    ck_assert_str_eq(t->verdicts[0]->port->name, "p3");
    lflow_sim_trace_destroy(t);

    /* One assumed established keeps the NAT it was committed with, which
     * the trace does not know: the packet is unchanged. */
    lflow_sim_set_ct_state(fx.sim, CS_TRACKED | CS_ESTABLISHED
                           | CS_REPLY_DIR);
    t = run(&fx, fx.p1, &flow);
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "it keeps the translation it was committed with"));
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert_str_eq(t->verdicts[0]->port->name, "p2");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_load_balancer_picks_a_backend_and_nats)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    /* A VIP 10.0.0.9:80 balanced over p2 and p3 (ports 8080): the L2
     * lookup then goes by the backend's address. */
    add_flow(&fx, P_INGRESS, 2, 105, "tcp,nw_dst=10.0.0.9,tp_dst=80",
             "ct_dnat;");
    add_flow(&fx, P_INGRESS, 7, 120, "ct_state=+new+trk,tcp,"
             "nw_dst=10.0.0.9,tp_dst=80",
             "ct_lb(10.0.0.2:8080, 10.0.0.3:8080);");
    add_flow(&fx, P_INGRESS, 7, 0, "", "next;");
    add_flow(&fx, P_INGRESS, 12, 60, "ip,nw_dst=10.0.0.3",
             "outport = 3; output;");
    add_flow(&fx, P_INGRESS, 12, 60, "ip,nw_dst=10.0.0.2",
             "outport = 2; output;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    flow.nw_dst = htonl(0x0a000009);

    /* By default, the first backend.  The un-NAT before changes
     * nothing: the trace tracks no connection. */
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert(has_event(&t->events, LSE_ACTION, "the packet is unchanged"));
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "select group 1: choice 1 of 2"));
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "nat: destination now 10.0.0.2 port 8080"));
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(t->verdicts[0]->delivered);
    ck_assert_str_eq(t->verdicts[0]->port->name, "p2");
    lflow_sim_trace_destroy(t);

    /* The one asked for. */
    lflow_sim_set_lb_dst(fx.sim, "10.0.0.3:8080");
    t = run(&fx, fx.p1, &flow);
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "select group 1: choice 2 of 2"));
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "nat: destination now 10.0.0.3 port 8080"));
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert_str_eq(t->verdicts[0]->port->name, "p3");
    lflow_sim_trace_destroy(t);

    /* One that no bucket has: the first, and the trace says so. */
    lflow_sim_set_lb_dst(fx.sim, "10.0.0.4:8080");
    t = run(&fx, fx.p1, &flow);
    ck_assert(has_event(&t->events, LSE_ACTION,
                        "as none goes to the --lb-dst backend"));
    ck_assert_str_eq(t->verdicts[0]->port->name, "p2");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_unsupported_action_is_recorded)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 3, 10, "ip", "log(name=x); next;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert(has_event(&t->events, LSE_UNSUPPORTED, "controller("));
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(t->verdicts[0]->delivered);
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_next_to_a_named_stage_skips_the_rest)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 0, 60, "reg14=1", "next(ls_in_l2_lkup);");
    add_flow(&fx, P_INGRESS, 10, 10, "", "drop;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(t->verdicts[0]->delivered);
    lflow_sim_trace_destroy(t);

    /* From p3, "next;" goes through the stage that drops. */
    t = run(&fx, fx.p3, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(!t->verdicts[0]->delivered);
    ck_assert_str_eq(t->verdicts[0]->stage, "ls_in_arp_rsp");
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_exchange_swaps_fields)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    add_flow(&fx, P_INGRESS, 0, 60, "reg14=1",
             "reg0 = 5; reg1 = 7; reg0 <-> reg1; next;");
    add_flow(&fx, P_INGRESS, 10, 10, "reg0=7,reg1=5", "next;");
    add_flow(&fx, P_INGRESS, 10, 5, "", "drop;");
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(t->verdicts[0]->delivered);
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

/* Adds router "lr0" (key 2) joined to sw0 by patch ports sw0-lr0 (key 5)
 * and lr0-sw0 (key 1), and sw0's L2 lookup flow to the router's MAC
 * 0a:00:00:00:00:ff.  Returns the router. */
static struct lflow_sim_datapath *
add_router(struct sim_fixture *fx)
{
    struct lflow_sim_datapath *lr = lflow_sim_add_datapath(fx->sim, 2, "lr0",
                                                           DP_ROUTER);
    struct lflow_sim_port *ls_rp = lflow_sim_add_port(fx->sim, fx->dp, 5,
                                                      "sw0-lr0", "patch",
                                                      NULL, true);
    lflow_sim_port_set_peer(ls_rp, "lr0-sw0");
    lflow_sim_add_port(fx->sim, lr, 1, "lr0-sw0", "patch", NULL, true);
    add_flow(fx, P_INGRESS, 12, 50, "dl_dst=0a:00:00:00:00:ff",
             "outport = 5; output;");
    return lr;
}

START_TEST(test_patch_port_continues_in_peer_datapath)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    struct lflow_sim_datapath *lr = add_router(&fx);
    char *error = lflow_sim_add_flow(fx.sim, lr, P_INGRESS, 0, 50, "reg14=1",
                                     "drop;", "", "");
    ck_assert_ptr_null(error);

    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:ff");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert_str_eq(t->verdicts[0]->stage, "lr_in_admission");
    ck_assert(has_event(&t->events, LSE_OUTPUT, "to peer lr0-sw0"));

    /* The switch's egress ran before the patch, on the inport's chassis. */
    struct ds s = DS_EMPTY_INITIALIZER;
    stages_visited(&t->events, &s);
    ck_assert_str_eq(ds_cstr(&s), "ls_in_port_sec ls_in_l2_lkup "
                     "ls_out_port_sec lr_in_admission ");
    ds_destroy(&s);
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_patch_port_keeps_only_the_colour)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    struct lflow_sim_datapath *lr = add_router(&fx);
    add_flow(&fx, P_INGRESS, 0, 60, "reg14=1",
             "color = 3; reg0 = 7; flags.loopback = 1; next;");
    /* The router sees the colour, and neither reg0 nor the flag. */
    char *error = lflow_sim_add_flow(fx.sim, lr, P_INGRESS, 0, 50,
                                     "reg9=0x3/0xff,reg0=0,reg10=0/0x1",
                                     "drop;", "", "");
    ck_assert_ptr_null(error);

    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:ff");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert_str_eq(t->verdicts[0]->stage, "lr_in_admission");
    /* Dropped by that flow, not for want of a matching one. */
    ck_assert_ptr_nonnull(t->verdicts[0]->flow);
    ck_assert_uint_eq(t->verdicts[0]->flow->priority, 50);
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_bad_flow_is_refused_and_named)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    char *error = lflow_sim_add_flow(fx.sim, fx.dp, P_INGRESS, 3, 10,
                                     "nosuchfield=1", "next;", "", "");
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, "nosuchfield") != NULL, "%s", error);
    free(error);

    error = lflow_sim_add_flow(fx.sim, fx.dp, P_INGRESS, PIPELINE_MAX_STAGES,
                               10, "", "next;", "", "");
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, "out of range") != NULL, "%s", error);
    free(error);

    /* The refused flow is not there: the packet goes through. */
    struct flow flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert(t->verdicts[0]->delivered);
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_port_security_flags_follow_the_ports)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    /* The switch's port security drops match only the flags the physical
     * layer sets for a port with port security (p1 here). */
    add_flow(&fx, P_INGRESS, 0, 40, "reg10=0x4/0x4", "drop;");
    add_flow(&fx, P_EGRESS, 5, 10, "reg10=0x8/0x8", "drop;");

    struct flow flow = packet_to("0a:00:00:00:00:66", "0a:00:00:00:00:02");
    struct lflow_sim_trace *t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    char *s = lflow_sim_verdict_to_string(t->verdicts[0]);
    ck_assert_str_eq(s, "dropped in ls_in_port_sec by flow priority=40, "
                     "match=(reg10=0x4/0x4), actions=(drop;) (source "
                     "Logical_Switch_Port:1234): port p1 allows only "
                     "\"0a:00:00:00:00:01 10.0.0.1\"");
    free(s);
    lflow_sim_trace_destroy(t);

    /* From p1 with its own MAC to p2, which has no port security: the
     * inport flag does not reach egress as the outport flag. */
    flow = packet_to("0a:00:00:00:00:01", "0a:00:00:00:00:02");
    t = run(&fx, fx.p1, &flow);
    ck_assert_uint_eq(t->n_verdicts, 1);
    ck_assert(t->verdicts[0]->delivered);
    lflow_sim_trace_destroy(t);

    /* A broadcast from p3: each copy carries its own member's flag, so
     * only p1's copy is dropped, and its verdict names p1. */
    flow = packet_to("0a:00:00:00:00:03", "ff:ff:ff:ff:ff:ff");
    t = run(&fx, fx.p3, &flow);
    ck_assert_uint_eq(t->n_verdicts, 2);
    for (size_t i = 0; i < t->n_verdicts; i++) {
        const struct lflow_sim_verdict *v = t->verdicts[i];
        ck_assert_str_eq(v->port->name, v->delivered ? "p2" : "p1");
    }
    ck_assert(t->verdicts[0]->delivered != t->verdicts[1]->delivered);
    lflow_sim_trace_destroy(t);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_match_alternatives_any_one_matches)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    /* p2 may send from either of two MACs, given as one flow with two
     * alternatives; it outranks the fixture's "reg14=2" flow. */
    add_flow(&fx, P_INGRESS, 0, 60, "reg14=2,dl_src=0a:00:00:00:00:02"
             " || reg14=2,dl_src=0a:00:00:00:00:22", "next;");
    add_flow(&fx, P_INGRESS, 0, 55, "reg14=3 || reg14=2", "drop;");

    struct flow flow = packet_to("0a:00:00:00:00:22", "0a:00:00:00:00:03");
    struct lflow_sim_trace *t = run(&fx, fx.p2, &flow);
    ck_assert(t->verdicts[0]->delivered);
    const struct lflow_sim_event *ev = CONTAINER_OF(
        ovs_list_front(&t->events), struct lflow_sim_event, node);
    while (ev->type != LSE_STAGE) {
        ev = CONTAINER_OF(ev->node.next, struct lflow_sim_event, node);
    }
    ck_assert_uint_eq(ev->flow->n_alternatives, 2);
    ck_assert_uint_eq(ev->alternative, 1);
    ck_assert_str_eq(ev->flow->alternatives[1],
                     "reg14=2,dl_src=0a:00:00:00:00:22");
    lflow_sim_trace_destroy(t);

    /* A MAC in neither alternative falls to the drop, whose verdict shows
     * only the alternative that matched. */
    flow = packet_to("0a:00:00:00:00:33", "0a:00:00:00:00:03");
    t = run(&fx, fx.p2, &flow);
    ck_assert(!t->verdicts[0]->delivered);
    char *v = lflow_sim_verdict_to_string(t->verdicts[0]);
    ck_assert_msg(strstr(v, "match=(reg14=2) (alternative 2 of 2)"), "%s", v);
    free(v);
    lflow_sim_trace_destroy(t);

    /* One bad alternative refuses the whole flow and is named. */
    char *error = lflow_sim_add_flow(fx.sim, fx.dp, P_INGRESS, 3, 10,
                                     "reg14=1 || nosuchfield=1", "next;",
                                     "", "");
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, "nosuchfield") != NULL, "%s", error);
    free(error);
    fixture_destroy(&fx);
}
END_TEST

/* Returns the first stage event of 't'. */
static const struct lflow_sim_event *
first_stage(const struct lflow_sim_trace *t)
{
    const struct lflow_sim_event *ev = CONTAINER_OF(
        ovs_list_front(&t->events), struct lflow_sim_event, node);
    while (ev->type != LSE_STAGE) {
        ev = CONTAINER_OF(ev->node.next, struct lflow_sim_event, node);
    }
    return ev;
}

START_TEST(test_conjunctive_alternative_needs_every_dimension)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    /* p2 may send TCP to ports 80 and 443 from two addresses, or ARP;
     * anything else it sends is dropped. */
    add_flow(&fx, P_INGRESS, 0, 60, "arp,reg14=2 || reg14=2,tcp && "
             "[nw_src=10.0.0.1 | nw_src=10.0.0.5] && "
             "[tp_dst=80 | tp_dst=443]", "next;");
    add_flow(&fx, P_INGRESS, 0, 55, "reg14=2", "drop;");

    static const struct {
        uint32_t src;           /* IPv4 source, host order. */
        uint16_t dst_port;      /* TCP destination port. */
        bool delivered;         /* Expected verdict. */
    } cases[] = {
        { 0x0a000001, 80, true },
        { 0x0a000005, 443, true },
        { 0x0a000001, 22, false },      /* Second dimension fails. */
        { 0x0a000009, 443, false },     /* First dimension fails. */
        { 0x0a000009, 22, false },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct flow flow = packet_to("0a:00:00:00:00:02",
                                     "0a:00:00:00:00:03");
        flow.nw_src = htonl(cases[i].src);
        flow.tp_dst = htons(cases[i].dst_port);
        struct lflow_sim_trace *t = run(&fx, fx.p2, &flow);
        ck_assert_msg(t->verdicts[0]->delivered == cases[i].delivered,
                      "case %"PRIuSIZE, i);
        const struct lflow_sim_event *ev = first_stage(t);
        ck_assert_uint_eq(ev->flow->priority, cases[i].delivered ? 60 : 55);
        if (cases[i].delivered) {
            ck_assert_uint_eq(ev->flow->n_alternatives, 2);
            ck_assert_uint_eq(ev->alternative, 1);
            ck_assert_str_eq(ev->flow->alternatives[1],
                             "reg14=2,tcp && [nw_src=10.0.0.1 | "
                             "nw_src=10.0.0.5] && [tp_dst=80 | "
                             "tp_dst=443]");
        }
        lflow_sim_trace_destroy(t);
    }

    /* A conjunction whose parts share a field is refused. */
    char *error = lflow_sim_add_flow(fx.sim, fx.dp, P_INGRESS, 3, 10,
                                     "reg14=2 && [reg14=3 | reg15=1] && "
                                     "[reg13=1 | reg13=2]", "next;", "", "");
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, "reg14 is in both the common part and "
                         "dimension 1") != NULL, "%s", error);
    free(error);
    fixture_destroy(&fx);
}
END_TEST

START_TEST(test_match_split_at_separator_only)
{
    char **alts;
    size_t n = pipeline_match_split("", &alts);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(alts[0], "");
    pipeline_match_free(alts, n);

    n = pipeline_match_split(" ip,nw_src=10.0.0.1 ||  arp || tcp_flags=+syn",
                             &alts);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(alts[0], "ip,nw_src=10.0.0.1");
    ck_assert_str_eq(alts[1], "arp");
    ck_assert_str_eq(alts[2], "tcp_flags=+syn");
    pipeline_match_free(alts, n);

    /* "|" without the surrounding blanks is not a separator. */
    n = pipeline_match_split("ct_state=+trk|+new", &alts);
    ck_assert_uint_eq(n, 1);
    pipeline_match_free(alts, n);
}
END_TEST

START_TEST(test_find_datapath_by_name_or_key)
{
    struct sim_fixture fx;
    fixture_init(&fx);
    ck_assert_ptr_eq(lflow_sim_find_datapath(fx.sim, "sw0"), fx.dp);
    ck_assert_ptr_eq(lflow_sim_find_datapath(fx.sim, "1"), fx.dp);
    ck_assert_ptr_null(lflow_sim_find_datapath(fx.sim, "sw9"));
    ck_assert_ptr_eq(lflow_sim_find_port(fx.sim, "p2"), fx.p2);
    ck_assert_ptr_eq(lflow_sim_port_by_key(fx.dp, 3), fx.p3);
    fixture_destroy(&fx);
}
END_TEST

Suite *
lflow_sim_suite(void)
{
    Suite *s = suite_create("lflow-sim");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_unicast_delivered_on_remote_chassis);
    tcase_add_test(tc, test_broadcast_floods_all_but_inport);
    tcase_add_test(tc, test_loopback_flag_floods_inport_too);
    tcase_add_test(tc, test_spoofed_source_names_port_security);
    tcase_add_test(tc, test_disabled_port_dropped_by_flow);
    tcase_add_test(tc, test_unknown_mac_without_flow_is_dropped_in_lookup);
    tcase_add_test(tc, test_empty_multicast_group_is_a_drop);
    tcase_add_test(tc, test_next_after_last_stage_outputs);
    tcase_add_test(tc, test_unicast_back_to_inport_needs_loopback);
    tcase_add_test(tc, test_registers_are_explained);
    tcase_add_test(tc, test_unbound_outport_is_dropped);
    tcase_add_test(tc, test_ct_assumes_a_state_and_continues);
    tcase_add_test(tc, test_unsupported_action_is_recorded);
    tcase_add_test(tc, test_next_to_a_named_stage_skips_the_rest);
    tcase_add_test(tc, test_exchange_swaps_fields);
    tcase_add_test(tc, test_patch_port_keeps_only_the_colour);
    tcase_add_test(tc, test_patch_port_continues_in_peer_datapath);
    tcase_add_test(tc, test_bad_flow_is_refused_and_named);
    tcase_add_test(tc, test_match_alternatives_any_one_matches);
    tcase_add_test(tc, test_conjunctive_alternative_needs_every_dimension);
    tcase_add_test(tc, test_port_security_flags_follow_the_ports);
    tcase_add_test(tc, test_match_split_at_separator_only);
    tcase_add_test(tc, test_find_datapath_by_name_or_key);
    tcase_add_test(tc, test_nat_of_an_old_connection_is_kept);
    tcase_add_test(tc, test_load_balancer_picks_a_backend_and_nats);
    tcase_add_test(tc, test_address_set_references_expand);
    suite_add_tcase(s, tc);
    return s;
}
