#include <config.h>

#include "controller/ofctrl.h"

#include <stdlib.h>
#include <string.h>

#include "controller/desired.h"
#include "controller/ofctrl-flow.h"
#include "lib/pipeline.h"

#include "byte-order.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofctrl);

/* Longest wait, in seconds, between attempts to reach br-int.  The socket
 * is local, so retrying often costs nothing and shortens the outage after
 * an ovs-vswitchd restart. */
#define OFCTRL_MAX_BACKOFF 2

/* Milliseconds to wait before re-reading the switch after it rejected an
 * update. */
#define OFCTRL_RETRY_MS 1000

/* A flow installed in br-int (as far as ofctrl knows). */
struct ofctrl_installed {
    struct hmap_node node;      /* In 'installed_flows', by flow->hash. */
    struct ofctrl_flow *flow;   /* The flow (owned). */
    ovs_be64 cookie;            /* Its cookie. */
};

/* A group or meter installed in br-int. */
struct ofctrl_gm {
    struct hmap_node node;      /* In a table, by hash of 'id'. */
    uint32_t id;                /* Group or meter id. */
    char *canon;                /* Canonical content, for comparison. */
};

/* Connection states. */
enum ofctrl_state {
    S_DISCONNECTED,             /* No connection to br-int. */
    S_DUMPING,                  /* Reading the installed flows, groups and
                                 * meters. */
    S_ACTIVE,                   /* Installed flows known; updating. */
    S_RETRY,                    /* Update rejected; re-read after a pause. */
};

/* The OpenFlow connection to br-int and what it holds. */
struct ofctrl {
    struct rconn *rconn;            /* Connection to br-int.mgmt. */
    unsigned int conn_seqno;        /* rconn's connection seqno seen. */
    enum ofctrl_state state;        /* See above. */
    unsigned int seqno;             /* Changes on every state change. */
    ovs_be32 dump_xid;              /* xid of the flow dump in S_DUMPING. */
    ovs_be32 group_dump_xid;        /* xid of the group dump. */
    ovs_be32 meter_dump_xid;        /* xid of the meter dump. */
    unsigned int dumps_pending;     /* Dumps not complete yet (0 to 3). */
    unsigned long long int n_group_mods; /* group_mods sent, ever. */
    unsigned long long int n_meter_mods; /* meter_mods sent, ever. */
    ovs_be32 tlv_xid;               /* xid of the TLV map request. */
    struct hmap installed_flows;    /* "struct ofctrl_installed"s. */
    struct hmap installed_groups;   /* "struct ofctrl_gm"s. */
    struct hmap installed_meters;   /* "struct ofctrl_gm"s. */
    bool full_compare;              /* Next update compares every flow, not
                                     * only those the desired state marked
                                     * changed (after each dump). */
    uint32_t next_bundle_id;        /* Id for the next bundle. */
    ovs_be32 commit_xid;            /* xid of the bundle commit in flight,
                                     * or 0. */
    int64_t pending_cfg;            /* cfg the in-flight bundle completes. */
    uint64_t pending_gen;           /* Generation it completes. */
    uint64_t acked_gen;             /* Generation whose flows are in br-int,
                                     * 0 for none. */
    struct shash pending_adds;      /* xid of each flow, group or meter
                                     * added (or changed) by the bundle
                                     * in flight (as "%08x") -> the flow as
                                     * "KEY actions=ACTIONS". */
    struct sset rejected;           /* Descriptions of flows, groups and
                                     * meters br-int refused; not sent
                                     * again. */
    int64_t acked_cfg;              /* cfg whose flows are in br-int. */
    bool has_acked_cfg;             /* 'acked_cfg' is meaningful? */
    long long int retry_at;         /* When to leave S_RETRY. */
};

/* Returns a name for 'state' for logs and status. */
static const char *
ofctrl_state_to_string(enum ofctrl_state state)
{
    switch (state) {
    case S_DISCONNECTED: return "disconnected";
    case S_DUMPING: return "reading installed flows";
    case S_ACTIVE: return "connected";
    case S_RETRY: return "retrying after an error";
    }
    return "unknown";
}

/* Installed flows. */

static struct ofctrl_installed *
ofctrl_installed_find(const struct ofctrl *oc, const char *key, uint32_t hash)
{
    struct ofctrl_installed *i;

    HMAP_FOR_EACH_WITH_HASH (i, node, hash, &oc->installed_flows) {
        if (!strcmp(i->flow->key, key)) {
            return i;
        }
    }
    return NULL;
}

/* Records 'flow' (taken) with 'cookie' as installed. */
static void
ofctrl_installed_add(struct ofctrl *oc, struct ofctrl_flow *flow,
                     ovs_be64 cookie)
{
    struct ofctrl_installed *i = xmalloc(sizeof *i);
    i->flow = flow;
    i->cookie = cookie;
    hmap_insert(&oc->installed_flows, &i->node, flow->hash);
}

static void
ofctrl_installed_remove(struct ofctrl *oc, struct ofctrl_installed *i)
{
    hmap_remove(&oc->installed_flows, &i->node);
    ofctrl_flow_unref(i->flow);
    free(i);
}

static void
ofctrl_installed_clear(struct ofctrl *oc)
{
    struct ofctrl_installed *i;
    HMAP_FOR_EACH_SAFE (i, node, &oc->installed_flows) {
        ofctrl_installed_remove(oc, i);
    }
}

/* Installed groups and meters. */

static struct ofctrl_gm *
ofctrl_gm_find(const struct hmap *map, uint32_t id)
{
    struct ofctrl_gm *gm;

    HMAP_FOR_EACH_WITH_HASH (gm, node, hash_int(id, 0), map) {
        if (gm->id == id) {
            return gm;
        }
    }
    return NULL;
}

/* Records 'id' with 'canon' (taken) in 'map', replacing what it had. */
static void
ofctrl_gm_set(struct hmap *map, uint32_t id, char *canon)
{
    struct ofctrl_gm *gm = ofctrl_gm_find(map, id);
    if (!gm) {
        gm = xmalloc(sizeof *gm);
        gm->id = id;
        hmap_insert(map, &gm->node, hash_int(id, 0));
    } else {
        free(gm->canon);
    }
    gm->canon = canon;
}

static void
ofctrl_gm_remove(struct hmap *map, struct ofctrl_gm *gm)
{
    hmap_remove(map, &gm->node);
    free(gm->canon);
    free(gm);
}

static void
ofctrl_gm_clear(struct hmap *map)
{
    struct ofctrl_gm *gm;

    HMAP_FOR_EACH_SAFE (gm, node, map) {
        ofctrl_gm_remove(map, gm);
    }
}

/* Creates the OpenFlow controller of the bridge whose management socket is
 * 'target' (e.g. "unix:/var/run/openvswitch/br-int.mgmt"). */
struct ofctrl *
ofctrl_create(const char *target)
{
    struct ofctrl *oc = xzalloc(sizeof *oc);

    oc->rconn = rconn_create(0, OFCTRL_MAX_BACKOFF, DSCP_DEFAULT,
                             1u << OFCTRL_VERSION);
    rconn_connect(oc->rconn, target, target);
    oc->state = S_DISCONNECTED;
    hmap_init(&oc->installed_flows);
    hmap_init(&oc->installed_groups);
    hmap_init(&oc->installed_meters);
    shash_init(&oc->pending_adds);
    sset_init(&oc->rejected);
    oc->next_bundle_id = 1;
    return oc;
}

/* Closes the connection.  Installed flows stay in br-int.  Accepts
 * NULL. */
void
ofctrl_destroy(struct ofctrl *oc)
{
    if (oc) {
        rconn_destroy(oc->rconn);
        ofctrl_installed_clear(oc);
        hmap_destroy(&oc->installed_flows);
        ofctrl_gm_clear(&oc->installed_groups);
        hmap_destroy(&oc->installed_groups);
        ofctrl_gm_clear(&oc->installed_meters);
        hmap_destroy(&oc->installed_meters);
        shash_destroy_free_data(&oc->pending_adds);
        sset_destroy(&oc->rejected);
        free(oc);
    }
}

/* Moves to 'state', logging the change and waking the main loop. */
static void
ofctrl_set_state(struct ofctrl *oc, enum ofctrl_state state)
{
    if (oc->state != state) {
        VLOG_INFO("br-int: %s", ofctrl_state_to_string(state));
        oc->state = state;
        oc->seqno++;
        poll_immediate_wake();
    }
}

/* Sends 'msg' to br-int and returns its xid. */
static ovs_be32
ofctrl_send(struct ofctrl *oc, struct ofpbuf *msg)
{
    ovs_be32 xid = ((struct ofp_header *) msg->data)->xid;

    rconn_send(oc->rconn, msg, NULL);
    return xid;
}

/* Maps the Osmotic Geneve option to tun_metadata0. */
static void
ofctrl_send_tlv_map(struct ofctrl *oc)
{
    struct ofputil_tlv_table_mod ttm;
    struct ofputil_tlv_map map = {
        .option_class = OSMOTIC_GENEVE_CLASS,
        .option_type = OSMOTIC_GENEVE_TYPE,
        .option_len = OSMOTIC_GENEVE_LEN,
        .index = 0,
    };

    ttm.command = NXTTMC_ADD;
    ovs_list_init(&ttm.mappings);
    ovs_list_push_back(&ttm.mappings, &map.list_node);
    oc->tlv_xid = ofctrl_send(oc,
                              ofputil_encode_tlv_table_mod(OFCTRL_VERSION,
                                                           &ttm));
}

/* Starts reading every installed flow, group and meter of br-int. */
static void
ofctrl_start_dump(struct ofctrl *oc)
{
    struct ofputil_flow_stats_request fsr;

    memset(&fsr, 0, sizeof fsr);
    match_init_catchall(&fsr.match);
    fsr.out_port = OFPP_ANY;
    fsr.out_group = OFPG_ANY;
    fsr.table_id = 0xff;
    ofctrl_installed_clear(oc);
    ofctrl_gm_clear(&oc->installed_groups);
    ofctrl_gm_clear(&oc->installed_meters);
    oc->commit_xid = 0;
    shash_clear_free_data(&oc->pending_adds);
    oc->dump_xid = ofctrl_send(
        oc, ofputil_encode_flow_stats_request(&fsr, OFCTRL_PROTOCOL));
    oc->group_dump_xid = ofctrl_send(
        oc, ofputil_encode_group_desc_request(OFCTRL_VERSION, OFPG_ALL));
    oc->meter_dump_xid = ofctrl_send(
        oc, ofputil_encode_meter_request(OFCTRL_VERSION, OFPUTIL_METER_CONFIG,
                                         OFPM13_ALL));
    oc->dumps_pending = 3;
    ofctrl_set_state(oc, S_DUMPING);
}

/* Notes that one of the three dumps is complete; with the last, the
 * installed state is known, and the next update compares it all. */
static void
ofctrl_dump_done(struct ofctrl *oc)
{
    if (oc->dumps_pending && !--oc->dumps_pending) {
        VLOG_INFO("br-int: %"PRIuSIZE" flows, %"PRIuSIZE" groups, %"PRIuSIZE
                  " meters installed",
                  hmap_count(&oc->installed_flows),
                  hmap_count(&oc->installed_groups),
                  hmap_count(&oc->installed_meters));
        oc->full_compare = true;
        ofctrl_set_state(oc, S_ACTIVE);
    }
}

/* Adds the groups of one group description reply to the installed
 * state. */
static void
ofctrl_handle_group_dump_reply(struct ofctrl *oc, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));

    for (;;) {
        struct ofputil_group_desc gd;
        int retval = ofputil_decode_group_desc_reply(&gd, &b, oh->version);
        if (retval) {
            if (retval != EOF) {
                VLOG_WARN("br-int: bad group description reply (%s)",
                          ofperr_to_string(retval));
            }
            break;
        }
        ofctrl_gm_set(&oc->installed_groups, gd.group_id,
                      ofctrl_group_canon(gd.type, &gd.buckets));
        ofputil_uninit_group_desc(&gd);
    }
    if (!ofpmp_more(oh)) {
        ofctrl_dump_done(oc);
    }
}

/* Adds the meters of one meter configuration reply to the installed
 * state. */
static void
ofctrl_handle_meter_dump_reply(struct ofctrl *oc, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf bands;

    ofpbuf_init(&bands, 64);
    for (;;) {
        struct ofputil_meter_config mc;
        int retval = ofputil_decode_meter_config(&b, &mc, &bands);
        if (retval) {
            if (retval != EOF) {
                VLOG_WARN("br-int: bad meter configuration reply (%s)",
                          ofperr_to_string(retval));
            }
            break;
        }
        ofctrl_gm_set(&oc->installed_meters, mc.meter_id,
                      ofctrl_meter_canon(&mc));
    }
    ofpbuf_uninit(&bands);
    if (!ofpmp_more(oh)) {
        ofctrl_dump_done(oc);
    }
}

/* Gives up on the current view of br-int after a rejected update: the
 * flows will be read again after OFCTRL_RETRY_MS. */
static void
ofctrl_retry_later(struct ofctrl *oc)
{
    oc->commit_xid = 0;
    oc->retry_at = time_msec() + OFCTRL_RETRY_MS;
    ofctrl_set_state(oc, S_RETRY);
}

/* Adds the flows of one flow stats reply to the installed table. */
static void
ofctrl_handle_dump_reply(struct ofctrl *oc, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf ofpacts;

    ofpbuf_init(&ofpacts, 64);
    for (;;) {
        struct ofputil_flow_stats fs;
        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (retval) {
            if (retval != EOF) {
                VLOG_WARN("br-int: bad flow stats reply (%s)",
                          ofperr_to_string(retval));
            }
            break;
        }
        struct ofctrl_flow *f = ofctrl_flow_create(fs.table_id, fs.priority,
                                                   &fs.match, fs.ofpacts,
                                                   fs.ofpacts_len);
        if (ofctrl_installed_find(oc, f->key, f->hash)) {
            ofctrl_flow_unref(f);
        } else {
            ofctrl_installed_add(oc, f, fs.cookie);
        }
    }
    ofpbuf_uninit(&ofpacts);
    if (!ofpmp_more(oh)) {
        ofctrl_dump_done(oc);
    }
}

/* Handles an OpenFlow error reply.  The Geneve TLV map being there already
 * (after a controller restart) is expected; anything else means br-int
 * may not hold what we think, so read it again. */
static void
ofctrl_handle_error(struct ofctrl *oc, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    enum ofperr error = ofperr_decode_msg(oh, NULL);

    if (oh->xid == oc->tlv_xid) {
        if (error != OFPERR_NXTTMFC_ALREADY_MAPPED
            && error != OFPERR_NXTTMFC_DUP_ENTRY) {
            VLOG_WARN_RL(&rl, "br-int: Geneve TLV map rejected (%s)",
                         ofperr_to_string(error));
        }
        return;
    }
    char xid[16];
    snprintf(xid, sizeof xid, "%08"PRIx32, ntohl(oh->xid));
    const char *flow = shash_find_data(&oc->pending_adds, xid);
    if (flow) {
        VLOG_WARN_RL(&rl, "br-int refused %s (%s); it will not be sent "
                     "again while it stays the same", flow,
                     ofperr_to_string(error));
        sset_add(&oc->rejected, flow);
    } else {
        char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 2);
        VLOG_WARN_RL(&rl, "br-int: %s", s);
        free(s);
    }
    if (oc->state == S_ACTIVE || oc->state == S_DUMPING) {
        ofctrl_retry_later(oc);
    }
}

/* Handles one message from br-int. */
static void
ofctrl_handle_msg(struct ofctrl *oc, const struct ofp_header *oh)
{
    enum ofptype type;

    if (ofptype_decode(&type, oh)) {
        return;
    }
    if (type == OFPTYPE_ECHO_REQUEST) {
        rconn_send(oc->rconn, ofputil_encode_echo_reply(oh), NULL);
    } else if (type == OFPTYPE_FLOW_STATS_REPLY) {
        if (oc->state == S_DUMPING && oh->xid == oc->dump_xid) {
            ofctrl_handle_dump_reply(oc, oh);
        }
    } else if (type == OFPTYPE_GROUP_DESC_STATS_REPLY) {
        if (oc->state == S_DUMPING && oh->xid == oc->group_dump_xid) {
            ofctrl_handle_group_dump_reply(oc, oh);
        }
    } else if (type == OFPTYPE_METER_CONFIG_STATS_REPLY) {
        if (oc->state == S_DUMPING && oh->xid == oc->meter_dump_xid) {
            ofctrl_handle_meter_dump_reply(oc, oh);
        }
    } else if (type == OFPTYPE_BUNDLE_CONTROL) {
        struct ofputil_bundle_ctrl_msg bc;
        if (!ofputil_decode_bundle_ctrl(oh, &bc)
            && bc.type == OFPBCT_COMMIT_REPLY
            && oc->commit_xid && oh->xid == oc->commit_xid) {
            oc->commit_xid = 0;
            shash_clear_free_data(&oc->pending_adds);
            oc->acked_cfg = oc->pending_cfg;
            oc->has_acked_cfg = true;
            oc->acked_gen = oc->pending_gen;
            oc->seqno++;
            poll_immediate_wake();
        }
    } else if (type == OFPTYPE_ERROR) {
        ofctrl_handle_error(oc, oh);
    }
}

/* Runs the connection: (re)connects, reads the installed flows after each
 * (re)connection, and processes replies. */
void
ofctrl_run(struct ofctrl *oc)
{
    rconn_run(oc->rconn);
    if (!rconn_is_connected(oc->rconn)) {
        ofctrl_set_state(oc, S_DISCONNECTED);
        return;
    }
    unsigned int conn_seqno = rconn_get_connection_seqno(oc->rconn);
    if (conn_seqno != oc->conn_seqno || oc->state == S_DISCONNECTED) {
        oc->conn_seqno = conn_seqno;
        ofctrl_send_tlv_map(oc);
        ofctrl_start_dump(oc);
    }
    if (oc->state == S_RETRY && time_msec() >= oc->retry_at) {
        ofctrl_start_dump(oc);
    }
    for (int i = 0; i < 200; i++) {
        struct ofpbuf *msg = rconn_recv(oc->rconn);
        if (!msg) {
            break;
        }
        ofctrl_handle_msg(oc, msg->data);
        ofpbuf_delete(msg);
    }
}

/* Arranges for poll_block() to wake when ofctrl_run() has work. */
void
ofctrl_wait(struct ofctrl *oc)
{
    rconn_run_wait(oc->rconn);
    rconn_recv_wait(oc->rconn);
    if (oc->state == S_RETRY) {
        poll_timer_wait_until(oc->retry_at);
    }
}

/* Returns true if the installed flows are known and updates can be
 * sent. */
bool
ofctrl_is_connected(const struct ofctrl *oc)
{
    return oc->state == S_ACTIVE;
}

/* Returns true if ofctrl_put() would send an update now: connected, with
 * no update in flight. */
bool
ofctrl_can_put(const struct ofctrl *oc)
{
    return oc->state == S_ACTIVE && !oc->commit_xid;
}

/* Returns the connection state, for status output. */
const char *
ofctrl_state_name(const struct ofctrl *oc)
{
    return ofctrl_state_to_string(oc->state);
}

/* Returns a number that changes whenever the connection state changes or
 * an update is acknowledged. */
unsigned int
ofctrl_get_seqno(const struct ofctrl *oc)
{
    return oc->seqno;
}

/* Remembers that the message with 'xid' adds or changes 'desc' (taken),
 * so that a refusal names it and it is not sent again. */
static void
ofctrl_note_pending(struct ofctrl *oc, const struct ofpbuf *msg, char *desc)
{
    char xid[16];
    snprintf(xid, sizeof xid, "%08"PRIx32,
             ntohl(((const struct ofp_header *) msg->data)->xid));
    free(shash_replace_nocopy(&oc->pending_adds, xstrdup(xid), desc));
}

/* Appends to 'msgs' a bundled flow_mod of 'command' for 'f' with
 * 'cookie'. */
static void
ofctrl_queue_flow_mod(struct ofctrl *oc, uint32_t bundle_id,
                      const struct ofctrl_flow *f, ovs_be64 cookie,
                      uint16_t command, struct ovs_list *msgs)
{
    struct ofputil_flow_mod fm = {
        .priority = f->priority,
        .new_cookie = command == OFPFC_ADD ? cookie : OVS_BE64_MAX,
        .table_id = f->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = command == OFPFC_ADD ? f->ofpacts : NULL,
        .ofpacts_len = command == OFPFC_ADD ? f->ofpacts_len : 0,
    };

    minimatch_clone(&fm.match, &f->match);
    struct ofpbuf *fm_msg = ofputil_encode_flow_mod(&fm, OFCTRL_PROTOCOL);
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = bundle_id,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
        .msg = fm_msg->data,
    };
    struct ofpbuf *add = ofputil_encode_bundle_add(OFCTRL_VERSION, &bam);
    ovs_list_push_back(msgs, &add->list_node);
    if (command == OFPFC_ADD) {
        char *desc = ofctrl_flow_describe(f);
        ofctrl_note_pending(oc, add, xasprintf("flow %s", desc));
        free(desc);
    }
    ofpbuf_delete(fm_msg);
    minimatch_destroy(&fm.match);
}

/* Appends to 'msgs' a bundled group_mod of 'command' for group 'id' with
 * 'spec' (NULL for a delete).  'desc' (taken; NULL for a delete) names the
 * group if br-int refuses it. */
static void
ofctrl_queue_group_mod(struct ofctrl *oc, uint32_t bundle_id, uint32_t id,
                       const char *spec, int command, char *desc,
                       struct ovs_list *msgs)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_group_mod gm;
    char *error = ofctrl_group_parse(id, spec, command, &gm);
    if (error) {
        /* Cannot happen: the spec parsed when it was added. */
        VLOG_WARN_RL(&rl, "group %"PRIu32": %s", id, error);
        free(error);
        free(desc);
        return;
    }
    struct ofpbuf *gm_msg = ofputil_encode_group_mod(OFCTRL_VERSION, &gm,
                                                     NULL, false);
    ofputil_uninit_group_mod(&gm);
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = bundle_id,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
        .msg = gm_msg->data,
    };
    struct ofpbuf *add = ofputil_encode_bundle_add(OFCTRL_VERSION, &bam);
    ovs_list_push_back(msgs, &add->list_node);
    if (desc) {
        ofctrl_note_pending(oc, add, desc);
    }
    ofpbuf_delete(gm_msg);
    oc->n_group_mods++;
}

/* Sends a meter_mod of 'command' for meter 'id' with 'spec'; 'desc'
 * (taken; NULL for a delete) names the meter if br-int refuses it. */
static void
ofctrl_send_meter_mod(struct ofctrl *oc, uint32_t id, const char *spec,
                      int command, char *desc)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_meter_mod mm;
    char *error = ofctrl_meter_parse(id, spec, command, &mm);
    if (error) {
        VLOG_WARN_RL(&rl, "meter %"PRIu32": %s", id, error);
        free(error);
        free(desc);
        return;
    }
    struct ofpbuf *msg = ofputil_encode_meter_mod(OFCTRL_VERSION, &mm);
    if (desc) {
        ofctrl_note_pending(oc, msg, desc);
    }
    ofctrl_send(oc, msg);
    free(mm.meter.bands);
    oc->n_meter_mods++;
}

/* Makes the installed groups (meters) 'installed' the desired ones of
 * 'desired' ("struct desired_gm"s): for each that is new or changed,
 * calls 'change' (which takes its description) and records it as
 * installed, except the ones br-int refused before.  Returns the number
 * changed. */
static size_t
ofctrl_gm_update(struct ofctrl *oc, const char *kind,
                 const struct hmap *desired, struct hmap *installed,
                 void (*change)(struct ofctrl *, const struct desired_gm *,
                                bool exists, char *desc, void *aux),
                 void *aux)
{
    const struct desired_gm *gm;
    size_t n = 0;

    HMAP_FOR_EACH (gm, node, desired) {
        struct ofctrl_gm *inst = ofctrl_gm_find(installed, gm->id);
        if (inst && !strcmp(inst->canon, gm->canon)) {
            continue;
        }
        char *desc = xasprintf("%s %"PRIu32" %s", kind, gm->id, gm->canon);
        if (sset_contains(&oc->rejected, desc)) {
            /* Refused before: the flows that use it will be refused in
             * turn, instead of every bundle failing. */
            free(desc);
            continue;
        }
        change(oc, gm, inst != NULL, desc, aux);
        ofctrl_gm_set(installed, gm->id, xstrdup(gm->canon));
        n++;
    }
    return n;
}

/* Returns the ids of the entries of 'installed' that 'desired' does not
 * have, removing them from 'installed'; the caller frees the array. */
static uint32_t *
ofctrl_gm_take_unwanted(const struct hmap *desired, struct hmap *installed,
                        size_t *n)
{
    uint32_t *ids = xmalloc((hmap_count(installed) + 1) * sizeof *ids);
    struct ofctrl_gm *gm;

    *n = 0;
    HMAP_FOR_EACH_SAFE (gm, node, installed) {
        const struct desired_gm *d;
        bool wanted = false;
        HMAP_FOR_EACH_WITH_HASH (d, node, hash_int(gm->id, 0), desired) {
            wanted = wanted || d->id == gm->id;
        }
        if (!wanted) {
            ids[(*n)++] = gm->id;
            ofctrl_gm_remove(installed, gm);
        }
    }
    return ids;
}

/* Context of ofctrl_put()'s group changes. */
struct ofctrl_group_aux {
    uint32_t bundle_id;
    struct ovs_list *msgs;
};

static void
ofctrl_change_group(struct ofctrl *oc, const struct desired_gm *gm,
                    bool exists, char *desc, void *aux_)
{
    struct ofctrl_group_aux *aux = aux_;
    ofctrl_queue_group_mod(oc, aux->bundle_id, gm->id, gm->spec,
                           exists ? OFPGC15_MODIFY : OFPGC15_ADD, desc,
                           aux->msgs);
}

static void
ofctrl_change_meter(struct ofctrl *oc, const struct desired_gm *gm,
                    bool exists, char *desc, void *aux OVS_UNUSED)
{
    ofctrl_send_meter_mod(oc, gm->id, gm->spec,
                          exists ? OFPMC13_MODIFY : OFPMC13_ADD, desc);
}

/* Sends a bundle control request of 'type' for 'bundle_id' and returns
 * its xid. */
static ovs_be32
ofctrl_send_bundle_ctrl(struct ofctrl *oc, uint32_t bundle_id, uint16_t type)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = bundle_id,
        .type = type,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
    };
    return ofctrl_send(oc, ofputil_encode_bundle_ctrl_request(OFCTRL_VERSION,
                                                              &bc));
}

/* What one update sends. */
struct ofctrl_update {
    uint32_t bundle_id;         /* Its bundle. */
    struct ovs_list msgs;       /* Bundled messages. */
    size_t n_add, n_del;        /* Flow adds (and changes) and deletes. */
};

/* Queues in 'u' what makes the installed flow 'inst' (NULL if none) for
 * key 'key' (hash 'hash') the effective flow 'f' with 'cookie' (NULL if
 * none is wanted). */
static void
ofctrl_sync_flow(struct ofctrl *oc, struct ofctrl_update *u,
                 struct ofctrl_installed *inst, const struct ofctrl_flow *f,
                 ovs_be64 cookie)
{
    if (!f) {
        if (inst) {
            ofctrl_queue_flow_mod(oc, u->bundle_id, inst->flow, inst->cookie,
                                  OFPFC_DELETE_STRICT, &u->msgs);
            ofctrl_installed_remove(oc, inst);
            u->n_del++;
        }
        return;
    }
    if (inst && inst->cookie == cookie
        && (inst->flow == f || !strcmp(inst->flow->actions, f->actions))) {
        return;
    }
    if (!sset_is_empty(&oc->rejected)) {
        char *d = ofctrl_flow_describe(f);
        char *desc = xasprintf("flow %s", d);
        free(d);
        bool rejected = sset_contains(&oc->rejected, desc);
        free(desc);
        if (rejected) {
            return;
        }
    }
    ofctrl_queue_flow_mod(oc, u->bundle_id, f, cookie, OFPFC_ADD, &u->msgs);
    if (inst) {
        ofctrl_installed_remove(oc, inst);
    }
    ofctrl_installed_add(oc, ofctrl_flow_clone(f), cookie);
    u->n_add++;
}

/* Queues in 'u' the flow changes that make br-int hold 'desired': after a
 * dump, every flow is compared; otherwise only the ones 'desired' marked
 * changed. */
static void
ofctrl_sync_flows(struct ofctrl *oc, struct desired *desired,
                  struct ofctrl_update *u)
{
    struct desired_flow *df;

    if (oc->full_compare) {
        oc->full_compare = false;
        struct ofctrl_installed *inst;
        HMAP_FOR_EACH_SAFE (inst, node, &oc->installed_flows) {
            bool wanted = false;
            HMAP_FOR_EACH_WITH_HASH (df, node, inst->flow->hash,
                                     &desired->flows) {
                if (!strcmp(df->key, inst->flow->key)
                    && !ovs_list_is_empty(&df->contribs)) {
                    wanted = true;
                    break;
                }
            }
            if (!wanted) {
                ofctrl_sync_flow(oc, u, inst, NULL, 0);
            }
        }
        HMAP_FOR_EACH (df, node, &desired->flows) {
            ovs_be64 cookie = 0;
            const struct ofctrl_flow *f = desired_flow_effective(desired, df,
                                                                 &cookie);
            if (f) {
                ofctrl_sync_flow(oc, u, ofctrl_installed_find(oc, df->key,
                                                              df->hash),
                                 f, cookie);
            }
        }
    } else {
        struct hmapx_node *node;
        HMAPX_FOR_EACH (node, &desired->dirty) {
            df = node->data;
            ovs_be64 cookie = 0;
            const struct ofctrl_flow *f = desired_flow_effective(desired, df,
                                                                 &cookie);
            ofctrl_sync_flow(oc, u, ofctrl_installed_find(oc, df->key,
                                                          df->hash),
                             f, cookie);
        }
    }
    desired_clear_dirty(desired);
}

/* Makes br-int's flows, groups and meters equal to 'desired', which
 * corresponds to database configuration 'cfg' and to the caller's
 * generation 'gen' (a number that grows with every new 'desired'): sends
 * the difference from the installed state as one atomic bundle.  Does
 * nothing while not connected or while an earlier bundle is
 * unacknowledged (call again later: 'desired' keeps its changes). */
void
ofctrl_put(struct ofctrl *oc, struct desired *desired, int64_t cfg,
           uint64_t gen)
{
    if (!ofctrl_can_put(oc)) {
        return;
    }

    struct ofctrl_update u = {
        .bundle_id = oc->next_bundle_id,
        .msgs = OVS_LIST_INITIALIZER(&u.msgs),
    };

    /* New and changed meters first (OpenFlow bundles take no meter_mod),
     * then new and changed groups, ahead of the flows that use them. */
    size_t n_meters = ofctrl_gm_update(oc, "meter", &desired->meters,
                                       &oc->installed_meters,
                                       ofctrl_change_meter, NULL);
    struct ofctrl_group_aux group_aux = { u.bundle_id, &u.msgs };
    size_t n_groups = ofctrl_gm_update(oc, "group", &desired->groups,
                                       &oc->installed_groups,
                                       ofctrl_change_group, &group_aux);

    ofctrl_sync_flows(oc, desired, &u);

    /* Groups no flow needs any more go after the flows that used them. */
    size_t n_unwanted_groups, n_unwanted_meters;
    uint32_t *unwanted_groups = ofctrl_gm_take_unwanted(
        &desired->groups, &oc->installed_groups, &n_unwanted_groups);
    for (size_t i = 0; i < n_unwanted_groups; i++) {
        ofctrl_queue_group_mod(oc, u.bundle_id, unwanted_groups[i], NULL,
                               OFPGC15_DELETE, NULL, &u.msgs);
    }
    free(unwanted_groups);
    uint32_t *unwanted_meters = ofctrl_gm_take_unwanted(
        &desired->meters, &oc->installed_meters, &n_unwanted_meters);

    if (ovs_list_is_empty(&u.msgs)) {
        if (oc->acked_gen != gen) {
            oc->acked_gen = gen;
            oc->seqno++;
        }
        if (!oc->has_acked_cfg || oc->acked_cfg != cfg) {
            oc->acked_cfg = cfg;
            oc->has_acked_cfg = true;
            oc->seqno++;
        }
    } else {
        oc->next_bundle_id++;
        VLOG_INFO("br-int: bundle %"PRIu32": %"PRIuSIZE" adds, %"PRIuSIZE
                  " deletes, %"PRIuSIZE" group changes", u.bundle_id,
                  u.n_add, u.n_del, n_groups + n_unwanted_groups);
        ofctrl_send_bundle_ctrl(oc, u.bundle_id, OFPBCT_OPEN_REQUEST);
        struct ofpbuf *msg;
        LIST_FOR_EACH_POP (msg, list_node, &u.msgs) {
            ofctrl_send(oc, msg);
        }
        oc->commit_xid = ofctrl_send_bundle_ctrl(oc, u.bundle_id,
                                                 OFPBCT_COMMIT_REQUEST);
        oc->pending_cfg = cfg;
        oc->pending_gen = gen;
    }

    /* Meters no flow needs any more go after the commit. */
    for (size_t i = 0; i < n_unwanted_meters; i++) {
        ofctrl_send_meter_mod(oc, unwanted_meters[i], NULL, OFPMC13_DELETE,
                              NULL);
    }
    free(unwanted_meters);
    if (n_meters || n_unwanted_meters) {
        VLOG_INFO("br-int: %"PRIuSIZE" meter changes",
                  n_meters + n_unwanted_meters);
    }
}

/* Returns the generation (as given to ofctrl_put()) whose flows br-int is
 * known to hold, 0 if none yet. */
uint64_t
ofctrl_get_acked_gen(const struct ofctrl *oc)
{
    return oc->acked_gen;
}

/* Stores in '*cfg' the configuration whose flows br-int is known to hold
 * and returns true, or returns false if there is none yet. */
bool
ofctrl_get_acked_cfg(const struct ofctrl *oc, int64_t *cfg)
{
    *cfg = oc->acked_cfg;
    return oc->has_acked_cfg;
}

/* Returns the number of flows installed in br-int (as far as 'oc'
 * knows). */
size_t
ofctrl_count_installed(const struct ofctrl *oc)
{
    return hmap_count(&oc->installed_flows);
}

/* Appends "table N: COUNT" lines for the installed flows to 's'. */
void
ofctrl_count_by_table(const struct ofctrl *oc, struct ds *s)
{
    size_t counts[256] = { 0 };
    const struct ofctrl_installed *i;

    HMAP_FOR_EACH (i, node, &oc->installed_flows) {
        counts[i->flow->table_id]++;
    }
    for (int t = 0; t < 256; t++) {
        if (counts[t]) {
            ds_put_format(s, "table %d: %"PRIuSIZE"\n", t, counts[t]);
        }
    }
    ds_put_format(s, "total: %"PRIuSIZE"\n",
                  hmap_count(&oc->installed_flows));
    ds_put_format(s, "groups: %"PRIuSIZE"\nmeters: %"PRIuSIZE"\n"
                  "group mods sent: %llu\nmeter mods sent: %llu\n",
                  hmap_count(&oc->installed_groups),
                  hmap_count(&oc->installed_meters),
                  oc->n_group_mods, oc->n_meter_mods);
}

/* qsort() comparison: by table, then priority (highest first), then key. */
static int
ofctrl_installed_cmp(const void *a_, const void *b_)
{
    const struct ofctrl_flow *a = (*(const struct ofctrl_installed **) a_)
                                   ->flow;
    const struct ofctrl_flow *b = (*(const struct ofctrl_installed **) b_)
                                   ->flow;

    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return strcmp(a->key, b->key);
}

/* Appends the installed flows to 's', sorted by table and priority, each
 * table annotated with the name 'namer' gives it. */
void
ofctrl_dump_installed(const struct ofctrl *oc, ofctrl_table_namer *namer,
                      const void *aux, struct ds *s)
{
    size_t n = hmap_count(&oc->installed_flows);
    const struct ofctrl_installed **flows = xmalloc((n + 1) * sizeof *flows);
    const struct ofctrl_installed *inst;
    size_t i = 0;

    HMAP_FOR_EACH (inst, node, &oc->installed_flows) {
        flows[i++] = inst;
    }
    qsort(flows, n, sizeof *flows, ofctrl_installed_cmp);
    for (i = 0; i < n; i++) {
        const struct ofctrl_flow *f = flows[i]->flow;
        struct match m;

        minimatch_expand(&f->match, &m);
        const char *name = namer(f->table_id,
                                 m.wc.masks.metadata ? ntohll(m.flow.metadata)
                                 : 0, aux);
        ds_put_format(s, "cookie=0x%"PRIx64", %s (%s), actions=%s\n",
                      ntohll(flows[i]->cookie), f->key, name ? name : "-",
                      f->actions);
    }
    free(flows);
}
