#include <config.h>

#include "controller/flow-stats.h"

#include <string.h>

#include "controller/ofctrl-flow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "socket-util.h"

/* Returns a new connection to br-int's 'br_int_target', which reconnects
 * by itself when br-int restarts. */
struct rconn *
flow_stats_connect(const char *br_int_target)
{
    struct rconn *rconn = rconn_create(0, 2, DSCP_DEFAULT,
                                       1u << OFCTRL_VERSION);
    rconn_connect(rconn, br_int_target, br_int_target);
    return rconn;
}

/* Sends a request for the statistics of every flow of 'table' on 'rconn'
 * and returns its xid, which the replies (or an error) carry. */
ovs_be32
flow_stats_request(struct rconn *rconn, uint8_t table)
{
    struct ofputil_flow_stats_request fsr;

    memset(&fsr, 0, sizeof fsr);
    match_init_catchall(&fsr.match);
    fsr.out_port = OFPP_ANY;
    fsr.out_group = OFPG_ANY;
    fsr.table_id = table;
    struct ofpbuf *msg = ofputil_encode_flow_stats_request(&fsr,
                                                           OFCTRL_PROTOCOL);
    ovs_be32 xid = ((struct ofp_header *) msg->data)->xid;
    rconn_send(rconn, msg, NULL);
    return xid;
}

/* Receives the next message on 'rconn', or returns NULL if none is
 * queued.  Answers an echo request itself, so that br-int keeps the
 * connection.  Stores the message's type in '*typep', or OFPTYPE_ECHO_REPLY
 * for a message that does not decode (the callers ignore both).  The caller
 * deletes the message. */
struct ofpbuf *
flow_stats_recv(struct rconn *rconn, enum ofptype *typep)
{
    struct ofpbuf *msg = rconn_recv(rconn);
    if (msg) {
        const struct ofp_header *oh = msg->data;
        if (ofptype_decode(typep, oh)) {
            *typep = OFPTYPE_ECHO_REPLY;
        } else if (*typep == OFPTYPE_ECHO_REQUEST) {
            rconn_send(rconn, ofputil_encode_echo_reply(oh), NULL);
        }
    }
    return msg;
}
