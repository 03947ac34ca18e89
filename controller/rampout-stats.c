#include <config.h>

#include "controller/rampout-stats.h"

#include <stdlib.h>
#include <string.h>

#include "controller/flow-stats.h"
#include "controller/ofctrl-flow.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "lib/rampout.h"
#include "byte-order.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vlog.h"
#include "openvswitch/ofp-errors.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(rampout_stats);

/* The most OpenFlow messages one rampout_stats_run() takes from br-int:
 * a large table's statistics come in many reply messages, and the main
 * loop has other work; the rest stay queued on the connection, whose
 * readability wakes the next run (rampout_stats_wait()). */
#define RS_MAX_RECV_PER_RUN 50

/* How long the clients wait for both tables' statistics before they are
 * told that br-int did not answer (a request lost in some way that
 * neither an error reply nor a reconnection shows). */
#define RS_REPLY_TIMEOUT_MSEC 10000

/* The counters of one flow of table 30 or 31 that may be a rule's. */
struct rs_flow {
    bool remote;                /* Table 30 (else 31). */
    uint64_t metadata;          /* Datapath key. */
    uint32_t outport;           /* reg15: a redirect key, or not. */
    uint64_t packets, bytes;
};

/* What the module keeps. */
struct rampout_stats {
    struct rconn *rconn;        /* br-int, for statistics. */
    ovs_be32 remote_xid;        /* Table 30 request in flight, or 0. */
    ovs_be32 local_xid;         /* Table 31 request in flight, or 0. */
    unsigned int conn_seqno;    /* rconn_get_connection_seqno() when the
                                 * requests were sent. */
    long long int deadline;     /* When the requests in flight time out
                                 * (monotonic msec). */
    struct rs_flow *flows;      /* Flows of the replies so far. */
    size_t n_flows, allocated_flows;
    struct unixctl_conn **waiters; /* "rampout/stats" waiting for the
                                    * replies. */
    size_t n_waiters, allocated_waiters;
};

/* Creates the module, which connects to br-int's 'br_int_target'. */
struct rampout_stats *
rampout_stats_create(const char *br_int_target)
{
    struct rampout_stats *rs = xzalloc(sizeof *rs);
    rs->rconn = flow_stats_connect(br_int_target);
    return rs;
}

/* Answers every waiting client with an error, and forgets the requests
 * in flight (a reply that still arrives for one is ignored), so that the
 * next client starts a new reading. */
static void
rs_fail_waiters(struct rampout_stats *rs, const char *error)
{
    for (size_t i = 0; i < rs->n_waiters; i++) {
        unixctl_command_reply_error(rs->waiters[i], error);
    }
    rs->n_waiters = 0;
    rs->remote_xid = rs->local_xid = 0;
    rs->n_flows = 0;
}

/* Destroys 'rs' (NULL is allowed), answering clients still waiting. */
void
rampout_stats_destroy(struct rampout_stats *rs)
{
    if (!rs) {
        return;
    }
    rs_fail_waiters(rs, "exiting");
    free(rs->waiters);
    free(rs->flows);
    rconn_destroy(rs->rconn);
    free(rs);
}

/* Makes client 'conn' wait for the next reading. */
void
rampout_stats_request(struct rampout_stats *rs, struct unixctl_conn *conn)
{
    if (rs->n_waiters >= rs->allocated_waiters) {
        rs->waiters = x2nrealloc(rs->waiters, &rs->allocated_waiters,
                                 sizeof *rs->waiters);
    }
    rs->waiters[rs->n_waiters++] = conn;
}

/* Keeps the counters of the flows in flow statistics reply 'oh'. */
static void
rs_handle_reply(struct rampout_stats *rs, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf ofpacts;
    bool remote = oh->xid == rs->remote_xid;

    ofpbuf_init(&ofpacts, 64);
    for (;;) {
        struct ofputil_flow_stats fs;
        if (ofputil_decode_flow_stats_reply(&fs, &b, false, &ofpacts)) {
            break;
        }
        if (rs->n_flows >= rs->allocated_flows) {
            rs->flows = x2nrealloc(rs->flows, &rs->allocated_flows,
                                   sizeof *rs->flows);
        }
        struct rs_flow *f = &rs->flows[rs->n_flows++];
        f->remote = remote;
        f->metadata = ntohll(fs.match.flow.metadata);
        f->outport = fs.match.flow.regs[15];
        f->packets = fs.packet_count == UINT64_MAX ? 0 : fs.packet_count;
        f->bytes = fs.byte_count == UINT64_MAX ? 0 : fs.byte_count;
    }
    ofpbuf_uninit(&ofpacts);
    if (!ofpmp_more(oh)) {
        if (remote) {
            rs->remote_xid = 0;
        } else {
            rs->local_xid = 0;
        }
    }
}

/* Compares SB Rampout rows by datapath key, then name, for qsort(). */
static int
rs_rule_cmp(const void *a_, const void *b_)
{
    const struct sbrec_rampout *const *a = a_, *const *b = b_;
    int64_t ka = (*a)->datapath ? (*a)->datapath->tunnel_key : -1;
    int64_t kb = (*b)->datapath ? (*b)->datapath->tunnel_key : -1;
    return (ka < kb ? -1 : ka > kb ? 1
            : rampout_name_cmp((*a)->name, (*b)->name));
}

/* Appends to 's' one line per ramp-out rule of 'sb_idl' with the counters
 * of its flows among those read. */
static void
rs_format(const struct rampout_stats *rs, struct ovsdb_idl *sb_idl,
          struct ds *s)
{
    size_t n = 0, allocated = 0;
    const struct sbrec_rampout **rules = NULL;
    const struct sbrec_rampout *r;
    SBREC_RAMPOUT_FOR_EACH (r, sb_idl) {
        if (r->datapath) {
            if (n >= allocated) {
                rules = x2nrealloc(rules, &allocated, sizeof *rules);
            }
            rules[n++] = r;
        }
    }
    if (n) {
        qsort(rules, n, sizeof *rules, rs_rule_cmp);
    }
    uint32_t number = 0;
    for (size_t i = 0; i < n; i++) {
        r = rules[i];
        number = (i && rules[i - 1]->datapath == r->datapath
                  ? number + 1 : 1);
        uint64_t counts[2][2] = { { 0, 0 }, { 0, 0 } };
        if (number <= RAMPOUT_MAX_RULES) {
            uint32_t rkey = rampout_rule_redirect_key(number);
            for (size_t j = 0; j < rs->n_flows; j++) {
                const struct rs_flow *f = &rs->flows[j];
                if (f->metadata == r->datapath->tunnel_key
                    && f->outport == rkey) {
                    counts[f->remote][0] += f->packets;
                    counts[f->remote][1] += f->bytes;
                }
            }
        }
        ds_put_format(s, "%s: sent packets=%"PRIu64" bytes=%"PRIu64", "
                      "received packets=%"PRIu64" bytes=%"PRIu64"\n",
                      r->name, counts[1][0], counts[1][1],
                      counts[0][0], counts[0][1]);
    }
    free(rules);
}

/* Runs the statistics connection: asks br-int while clients wait, and
 * answers them when both tables' statistics are in. */
void
rampout_stats_run(struct rampout_stats *rs, struct ovsdb_idl *sb_idl)
{
    rconn_run(rs->rconn);
    if (!rconn_is_connected(rs->rconn)) {
        rs_fail_waiters(rs, "not connected to br-int");
        return;
    }
    bool in_flight = rs->remote_xid || rs->local_xid;
    if (in_flight
        && rconn_get_connection_seqno(rs->rconn) != rs->conn_seqno) {
        /* The replies went with the connection they were asked on. */
        rs_fail_waiters(rs, "the connection to br-int was lost while "
                        "reading the statistics; try again");
    } else if (in_flight && time_msec() >= rs->deadline) {
        rs_fail_waiters(rs, "br-int did not answer the flow statistics "
                        "request; try again");
    }
    for (int i = 0; i < RS_MAX_RECV_PER_RUN; i++) {
        enum ofptype type;
        struct ofpbuf *msg = flow_stats_recv(rs->rconn, &type);
        if (!msg) {
            break;
        }
        const struct ofp_header *oh = msg->data;
        if (type == OFPTYPE_ERROR && oh->xid
            && (oh->xid == rs->remote_xid || oh->xid == rs->local_xid)) {
            enum ofperr error = ofperr_decode_msg(oh, NULL);
            char *s = xasprintf("br-int refused the flow statistics "
                                "request of table %d: %s",
                                oh->xid == rs->remote_xid
                                ? OFTABLE_PHY_OUT_REMOTE
                                : OFTABLE_PHY_OUT_LOCAL,
                                error ? ofperr_to_string(error)
                                      : "unknown error");
            VLOG_WARN("%s", s);
            rs_fail_waiters(rs, s);
            free(s);
        } else if (type == OFPTYPE_FLOW_STATS_REPLY
                   && oh->xid
                   && (oh->xid == rs->remote_xid
                       || oh->xid == rs->local_xid)) {
            rs_handle_reply(rs, oh);
            if (!rs->remote_xid && !rs->local_xid && rs->n_waiters) {
                struct ds s = DS_EMPTY_INITIALIZER;
                rs_format(rs, sb_idl, &s);
                for (size_t j = 0; j < rs->n_waiters; j++) {
                    unixctl_command_reply(rs->waiters[j], ds_cstr(&s));
                }
                rs->n_waiters = 0;
                ds_destroy(&s);
            }
        }
        ofpbuf_delete(msg);
    }
    if (rs->n_waiters && !rs->remote_xid && !rs->local_xid) {
        rs->n_flows = 0;
        rs->conn_seqno = rconn_get_connection_seqno(rs->rconn);
        rs->deadline = time_msec() + RS_REPLY_TIMEOUT_MSEC;
        rs->remote_xid = flow_stats_request(rs->rconn, OFTABLE_PHY_OUT_REMOTE);
        rs->local_xid = flow_stats_request(rs->rconn, OFTABLE_PHY_OUT_LOCAL);
    }
}

/* Arranges for the poll loop to wake when rampout_stats_run() has work. */
void
rampout_stats_wait(struct rampout_stats *rs)
{
    rconn_run_wait(rs->rconn);
    rconn_recv_wait(rs->rconn);
    if (rs->n_waiters && rconn_is_connected(rs->rconn)
        && !rs->remote_xid && !rs->local_xid) {
        poll_immediate_wake();
    }
    if (rs->remote_xid || rs->local_xid) {
        poll_timer_wait_until(rs->deadline);
    }
}
