#include <config.h>

#include "controller/pinctrl.h"

#include <string.h>

#include "controller/bfd.h"
#include "controller/desired.h"
#include "controller/mac-binding.h"
#include "controller/pinctrl-arp.h"
#include "controller/pinctrl-icmp.h"
#include "controller/pinctrl-log.h"
#include "controller/pinctrl-nd.h"
#include "controller/pinctrl-reject.h"
#include "controller/pinctrl-send.h"
#include "controller/pinctrl-svc-monitor.h"

#include "byte-order.h"
#include "unaligned.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl);

/* The OpenFlow version used on pinctrl's connection. */
#define PINCTRL_VERSION OFP15_VERSION

struct pinctrl;

/* One packet-in handler: its operation and what handles it ('handle', or
 * 'handle_pc' for a handler that needs pinctrl's connection or state). */
struct pinctrl_handler {
    enum lact_pin_opcode op;
    const char *name;
    /* Handles one packet-in; may answer through the connection. */
    void (*handle)(struct rconn *, const struct ofputil_packet_in *,
                   const char *payload, size_t len);
    /* Or, for a handler that needs pinctrl's own state, this. */
    void (*handle_pc)(struct pinctrl *, const struct ofputil_packet_in *,
                      const char *payload);
};

static void pinctrl_handle_arp(struct pinctrl *,
                               const struct ofputil_packet_in *,
                               const char *payload);
static void pinctrl_handle_put_arp(struct pinctrl *,
                                   const struct ofputil_packet_in *,
                                   const char *payload);
static void pinctrl_handle_nd_ns(struct pinctrl *,
                                 const struct ofputil_packet_in *,
                                 const char *payload);
static void pinctrl_handle_put_nd(struct pinctrl *,
                                  const struct ofputil_packet_in *,
                                  const char *payload);
static void pinctrl_handle_svc_mon(struct pinctrl *,
                                   const struct ofputil_packet_in *,
                                   const char *payload);
static void pinctrl_handle_bfd(struct pinctrl *,
                               const struct ofputil_packet_in *,
                               const char *payload);

/* The handlers.  An operation's meter id is its opcode (1 to 15 are
 * reserved for them). */
static const struct pinctrl_handler pinctrl_handlers[] = {
    { LACT_PIN_LOG, "log", pinctrl_log_handle, NULL },
    { LACT_PIN_REJECT, "reject", pinctrl_reject_handle, NULL },
    { LACT_PIN_ARP, "arp", NULL, pinctrl_handle_arp },
    { LACT_PIN_PUT_ARP, "put_arp", NULL, pinctrl_handle_put_arp },
    { LACT_PIN_ICMP, "icmp", pinctrl_icmp_handle, NULL },
    { LACT_PIN_ND_NS, "nd_ns", NULL, pinctrl_handle_nd_ns },
    { LACT_PIN_PUT_ND, "put_nd", NULL, pinctrl_handle_put_nd },
    { LACT_PIN_SVC_MON, "svc_monitor", NULL, pinctrl_handle_svc_mon },
    { LACT_PIN_BFD, "bfd", NULL, pinctrl_handle_bfd },
};

/* Largest opcode + 1. */
#define PINCTRL_N_OPS 16

/* pinctrl's connection and counters. */
struct pinctrl {
    struct rconn *rconn;            /* Connection to br-int.mgmt. */
    unsigned int conn_seqno;        /* rconn's connection seqno seen. */
    unsigned long long int n_handled[PINCTRL_N_OPS]; /* Per opcode. */
    unsigned long long int n_bad;   /* Packet-ins not ours or malformed. */
    struct mac_binding_state mbs;   /* MAC bindings learned, to write,
                                     * and next hops asked for. */
    struct svc_monitors *svc;       /* Load balancer health checks. */
    struct bfd_sessions *bfd;       /* BFD sessions of static routes. */
};

static void
pinctrl_handle_arp(struct pinctrl *pc, const struct ofputil_packet_in *pin,
                   const char *payload)
{
    pinctrl_arp_request(pc->rconn, &pc->mbs, pin, payload);
}

static void
pinctrl_handle_put_arp(struct pinctrl *pc,
                       const struct ofputil_packet_in *pin,
                       const char *payload)
{
    pinctrl_arp_learn(&pc->mbs, pin, payload);
}

static void
pinctrl_handle_nd_ns(struct pinctrl *pc, const struct ofputil_packet_in *pin,
                     const char *payload)
{
    pinctrl_nd_solicit(pc->rconn, &pc->mbs, pin, payload);
}

static void
pinctrl_handle_put_nd(struct pinctrl *pc, const struct ofputil_packet_in *pin,
                      const char *payload)
{
    pinctrl_nd_learn(&pc->mbs, pin, payload);
}

static void
pinctrl_handle_svc_mon(struct pinctrl *pc,
                       const struct ofputil_packet_in *pin,
                       const char *payload OVS_UNUSED)
{
    svc_monitors_handle_reply(pc->svc, pc, pin);
}

static void
pinctrl_handle_bfd(struct pinctrl *pc, const struct ofputil_packet_in *pin,
                   const char *payload OVS_UNUSED)
{
    bfd_sessions_handle(pc->bfd, pc, pin);
}

/* Runs the BFD sessions of static routes that chassis 'self' runs (from
 * 'tunnels', controller/bfd.h), and writes their status to SB within
 * 'sb_txn' (if nonnull). */
void
pinctrl_bfd_run(struct pinctrl *pc, struct ovsdb_idl *sb_idl,
                struct ovsdb_idl_txn *sb_txn, const char *self,
                const struct encaps_ports *tunnels)
{
    bfd_sessions_run(pc->bfd, pc, sb_idl, sb_txn, self, tunnels);
}

/* Probes the backends of the load balancer health checks whose logical
 * ports 'bindings' has, and writes their status to SB within 'sb_txn' (if
 * nonnull). */
void
pinctrl_svc_monitors_run(struct pinctrl *pc, struct ovsdb_idl *sb_idl,
                         struct ovsdb_idl_txn *sb_txn,
                         const struct binding_result *bindings)
{
    svc_monitors_run(pc->svc, pc, sb_idl, sb_txn, bindings);
}

/* Writes to SB what the handlers learned (MAC bindings), if 'sb_txn' is
 * nonnull. */
void
pinctrl_sb_run(struct pinctrl *pc, struct ovsdb_idl *sb_idl,
               struct ovsdb_idl_txn *sb_txn)
{
    mac_binding_flush(&pc->mbs, sb_idl, sb_txn);
}

static const struct pinctrl_handler *
pinctrl_find_handler(enum lact_pin_opcode op)
{
    for (size_t i = 0; i < ARRAY_SIZE(pinctrl_handlers); i++) {
        if (pinctrl_handlers[i].op == op) {
            return &pinctrl_handlers[i];
        }
    }
    return NULL;
}

/* Returns the meter that rate-limits packet-ins of 'op', or 0 if the
 * controller has no handler for 'op'.  lact_pin_meter_id() is the same
 * fact for the trace (a unit test checks that the two agree). */
uint32_t
pinctrl_meter_id(enum lact_pin_opcode op)
{
    return pinctrl_find_handler(op) ? (uint32_t) op : 0;
}

/* Adds the meters of the packet-in operations to the owner being built
 * in 'desired'. */
void
pinctrl_add_meters(struct desired *desired)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    char *spec = xasprintf("pktps,burst,bands=type=drop,rate=%d,"
                           "burst_size=%d", PINCTRL_METER_RATE,
                           PINCTRL_METER_BURST);
    for (size_t i = 0; i < ARRAY_SIZE(pinctrl_handlers); i++) {
        char *error = desired_add_meter(desired,
                                        pinctrl_handlers[i].op,
                                        spec);
        if (error) {
            VLOG_WARN_RL(&rl, "packet-in meter: %s", error);
            free(error);
        }
    }
    free(spec);
}

/* Creates the packet-in connection to the bridge whose management socket
 * is 'target'. */
struct pinctrl *
pinctrl_create(const char *target)
{
    struct pinctrl *pc = xzalloc(sizeof *pc);
    pc->rconn = rconn_create(0, 2, DSCP_DEFAULT, 1u << PINCTRL_VERSION);
    mac_binding_state_init(&pc->mbs);
    pc->svc = svc_monitors_create();
    pc->bfd = bfd_sessions_create();
    rconn_connect(pc->rconn, target, target);
    return pc;
}

void
pinctrl_destroy(struct pinctrl *pc)
{
    if (pc) {
        rconn_destroy(pc->rconn);
        mac_binding_state_destroy(&pc->mbs);
        svc_monitors_destroy(pc->svc);
        bfd_sessions_destroy(pc->bfd);
        free(pc);
    }
}

/* Asks br-int for packet-ins, in the format that carries userdata.  A
 * management connection gets asynchronous messages only once it sets a
 * nonzero miss_send_len. */
static void
pinctrl_setup(struct pinctrl *pc)
{
    struct ofputil_switch_config sc = {
        .frag = OFPUTIL_FRAG_NORMAL,
        .invalid_ttl_to_controller = -1,
        .miss_send_len = UINT16_MAX,
    };
    /* The format first: no packet-in may arrive without its userdata. */
    rconn_send(pc->rconn,
               ofputil_encode_set_packet_in_format(PINCTRL_VERSION,
                                                   OFPUTIL_PACKET_IN_NXT2),
               NULL);
    rconn_send(pc->rconn, ofputil_encode_set_config(&sc, PINCTRL_VERSION),
               NULL);
}

/* Dispatches one packet-in by the opcode at the start of its userdata. */
static void
pinctrl_handle_packet_in(struct pinctrl *pc, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_packet_in pin;
    enum ofperr error = ofputil_decode_packet_in(oh, true, NULL, NULL, &pin,
                                                 NULL, NULL, NULL);
    if (error) {
        VLOG_WARN_RL(&rl, "bad packet-in (%s)", ofperr_to_string(error));
        pc->n_bad++;
        return;
    }
    if (pin.reason != OFPR_ACTION || pin.userdata_len < 4) {
        pc->n_bad++;
        return;
    }
    uint32_t op = ntohl(get_unaligned_be32((const ovs_be32 *) pin.userdata));
    const struct pinctrl_handler *h = (op < PINCTRL_N_OPS
                                       ? pinctrl_find_handler(op) : NULL);
    if (!h) {
        VLOG_WARN_RL(&rl, "packet-in for operation %"PRIu32", which has no "
                     "handler", op);
        pc->n_bad++;
        return;
    }
    char *payload = xmemdup0((const char *) pin.userdata + 4,
                             pin.userdata_len - 4);
    if (h->handle_pc) {
        h->handle_pc(pc, &pin, payload);
    } else {
        h->handle(pc->rconn, &pin, payload, pin.userdata_len - 4);
    }
    free(payload);
    pc->n_handled[op]++;
}

/* Runs the connection and handles the packet-ins that have arrived, at
 * most PINCTRL_MAX_PER_RUN of them. */
void
pinctrl_run(struct pinctrl *pc)
{
    rconn_run(pc->rconn);
    if (!rconn_is_connected(pc->rconn)) {
        return;
    }
    unsigned int seqno = rconn_get_connection_seqno(pc->rconn);
    if (seqno != pc->conn_seqno) {
        pc->conn_seqno = seqno;
        pinctrl_setup(pc);
    }
    for (int i = 0; i < PINCTRL_MAX_PER_RUN; i++) {
        struct ofpbuf *msg = rconn_recv(pc->rconn);
        if (!msg) {
            break;
        }
        const struct ofp_header *oh = msg->data;
        enum ofptype type;
        if (!ofptype_decode(&type, oh)) {
            if (type == OFPTYPE_PACKET_IN) {
                pinctrl_handle_packet_in(pc, oh);
            } else if (type == OFPTYPE_ECHO_REQUEST) {
                rconn_send(pc->rconn, ofputil_encode_echo_reply(oh), NULL);
            } else if (type == OFPTYPE_ERROR) {
                /* An answer (packet-out) that br-int refused. */
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5,
                                                                        5);
                char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL,
                                        1);
                VLOG_WARN_RL(&rl, "br-int: %s", s);
                free(s);
            }
        }
        ofpbuf_delete(msg);
    }
}

/* Returns true if 'pc' has its OpenFlow connection to br-int. */
bool
pinctrl_is_connected(const struct pinctrl *pc)
{
    return rconn_is_connected(pc->rconn);
}

/* Sends 'packet', which no packet-in brought, into br-int from the
 * controller with OpenFlow actions 'actions' (ovs-ofctl syntax), metadata
 * and registers 0. */
void
pinctrl_packet_out(struct pinctrl *pc, const struct dp_packet *packet,
                   const char *actions)
{
    struct ofputil_packet_in pin;
    memset(&pin, 0, sizeof pin);
    pinctrl_send_packet(pc->rconn, &pin, packet, actions);
}

void
pinctrl_wait(struct pinctrl *pc)
{
    rconn_run_wait(pc->rconn);
    rconn_recv_wait(pc->rconn);
    svc_monitors_wait(pc->svc);
    bfd_sessions_wait(pc->bfd);
}

/* Appends the packet-in counters to 's'. */
void
pinctrl_status(const struct pinctrl *pc, struct ds *s)
{
    ds_put_format(s, "packet-in connection: %s\n",
                  rconn_is_connected(pc->rconn) ? "connected"
                  : "disconnected");
    for (size_t i = 0; i < ARRAY_SIZE(pinctrl_handlers); i++) {
        const struct pinctrl_handler *h = &pinctrl_handlers[i];
        ds_put_format(s, "packet-ins %s: %llu\n", h->name,
                      pc->n_handled[h->op]);
    }
    ds_put_format(s, "packet-ins unknown: %llu\n", pc->n_bad);
    ds_put_format(s, "neighbour requests suppressed (asked within %d ms): "
                  "%llu\n", MAC_BINDING_ASK_INTERVAL_MS,
                  pc->mbs.n_suppressed);
    svc_monitors_status(pc->svc, s);
    bfd_sessions_status(pc->bfd, s);
}
