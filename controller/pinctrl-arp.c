#include <config.h>

#include "controller/pinctrl-arp.h"

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-sb-idl.h"

#include "dp-packet.h"
#include "flow.h"
#include "nx-match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_arp);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* One binding learned. */
struct pinctrl_arp_binding {
    struct ovs_list node;       /* In pinctrl_arp_queue's 'learned'. */
    uint64_t dp_key;            /* Router datapath key. */
    uint32_t port_key;          /* Router port key. */
    ovs_be32 ip;
    struct eth_addr mac;
};

void
pinctrl_arp_queue_init(struct pinctrl_arp_queue *q)
{
    ovs_list_init(&q->learned);
    q->n = 0;
}

void
pinctrl_arp_queue_destroy(struct pinctrl_arp_queue *q)
{
    struct pinctrl_arp_binding *b;
    LIST_FOR_EACH_POP (b, node, &q->learned) {
        free(b);
    }
    q->n = 0;
}

/* Answers arp { ACTIONS }: 'payload' is ACTIONS, encoded as OpenFlow
 * actions. */
void
pinctrl_arp_request(struct rconn *rconn, const struct ofputil_packet_in *pin,
                    const char *payload)
{
    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow headers;
    flow_extract(&packet, &headers);
    if (headers.dl_type != htons(ETH_TYPE_IP)) {
        return;                 /* IPv6 next hops are not routed yet. */
    }

    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    enum ofputil_protocol usable;
    struct ofpact_parse_params pp = {
        .ofpacts = &ofpacts,
        .usable_protocols = &usable,
    };
    char *error = ofpacts_parse_actions(payload, &pp);
    if (error) {
        VLOG_WARN_RL(&rl, "arp: bad actions \"%s\": %s", payload, error);
        free(error);
        ofpbuf_uninit(&ofpacts);
        return;
    }

    struct dp_packet arp;
    dp_packet_init(&arp, 0);
    compose_arp(&arp, ARP_OP_REQUEST, headers.dl_src, eth_addr_zero, true,
                headers.nw_src, headers.nw_dst);

    struct ofputil_packet_out po = {
        .packet = dp_packet_data(&arp),
        .packet_len = dp_packet_size(&arp),
        .buffer_id = UINT32_MAX,
        .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size,
    };
    match_set_in_port(&po.flow_metadata, OFPP_CONTROLLER);
    /* The pipeline state the packet had: datapath and registers. */
    const struct flow *md = &pin->flow_metadata.flow;
    match_set_metadata(&po.flow_metadata, md->metadata);
    for (int i = 0; i < FLOW_N_REGS; i++) {
        match_set_reg(&po.flow_metadata, i, md->regs[i]);
    }
    enum ofputil_protocol proto
        = ofputil_protocol_from_ofp_version(rconn_get_version(rconn));
    rconn_send(rconn, ofputil_encode_packet_out(&po, proto), NULL);
    dp_packet_uninit(&arp);
    ofpbuf_uninit(&ofpacts);
}

/* Reads subfield 'name' (e.g. "NXM_NX_REG14[]") of 'flow' into 'value'.
 * Returns false if it does not parse. */
static bool
read_subfield(const char *name, const struct flow *flow,
              union mf_subvalue *value)
{
    struct mf_subfield sf;
    char *error = mf_parse_subfield(&sf, name);
    if (error) {
        free(error);
        return false;
    }
    mf_read_subfield(&sf, flow, value);
    return true;
}

/* Answers put_arp(PORT, IP, MAC): 'payload' names the three subfields,
 * separated by commas. */
void
pinctrl_arp_learn(struct pinctrl_arp_queue *q,
                  const struct ofputil_packet_in *pin, const char *payload)
{
    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow flow;
    flow_extract(&packet, &flow);
    const struct flow *md = &pin->flow_metadata.flow;
    flow.metadata = md->metadata;
    memcpy(flow.regs, md->regs, sizeof flow.regs);

    char *copy = xstrdup(payload);
    char *save = NULL;
    union mf_subvalue v[3];
    int n = 0;
    for (char *f = strtok_r(copy, ",", &save); f && n < 3;
         f = strtok_r(NULL, ",", &save)) {
        if (!read_subfield(f, &flow, &v[n])) {
            break;
        }
        n++;
    }
    free(copy);
    if (n != 3 || q->n >= PINCTRL_ARP_MAX_QUEUED) {
        VLOG_WARN_RL(&rl, "put_arp: %s", n != 3 ? "bad fields" : "queue full");
        return;
    }
    struct pinctrl_arp_binding *b = xzalloc(sizeof *b);
    b->dp_key = ntohll(flow.metadata);
    b->port_key = ntohl(v[0].be32_int);
    b->ip = v[1].be32_int;
    b->mac = v[2].mac;
    ovs_list_push_back(&q->learned, &b->node);
    q->n++;
}

/* Writes the bindings in 'q' to SB in 'sb_txn' (if nonnull) and empties
 * 'q'. */
void
pinctrl_arp_flush(struct pinctrl_arp_queue *q, struct ovsdb_idl *sb_idl,
                  struct ovsdb_idl_txn *sb_txn)
{
    if (!sb_txn || !q->n) {
        return;
    }
    long long int now = time_wall_msec();
    struct pinctrl_arp_binding *b;
    LIST_FOR_EACH_POP (b, node, &q->learned) {
        const struct sbrec_port_binding *pb, *port = NULL;
        SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
            if (pb->datapath && pb->datapath->tunnel_key == b->dp_key
                && pb->tunnel_key == b->port_key) {
                port = pb;
                break;
            }
        }
        if (!port) {
            free(b);
            continue;
        }
        char ip[INET_ADDRSTRLEN], mac[ETH_ADDR_STRLEN + 1];
        inet_ntop(AF_INET, &b->ip, ip, sizeof ip);
        snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(b->mac));

        const struct sbrec_mac_binding *mb, *found = NULL;
        SBREC_MAC_BINDING_FOR_EACH (mb, sb_idl) {
            if (!strcmp(mb->logical_port, port->logical_port)
                && !strcmp(mb->ip, ip)) {
                found = mb;
                break;
            }
        }
        if (!found) {
            VLOG_INFO("learned %s is at %s on %s", ip, mac,
                      port->logical_port);
            found = sbrec_mac_binding_insert(sb_txn);
            sbrec_mac_binding_set_logical_port(found, port->logical_port);
            sbrec_mac_binding_set_ip(found, ip);
            sbrec_mac_binding_set_datapath(found, port->datapath);
        }
        if (strcmp(found->mac ? found->mac : "", mac)) {
            sbrec_mac_binding_set_mac(found, mac);
        }
        if (now - found->timestamp >= 1000) {
            sbrec_mac_binding_set_timestamp(found, now);
        }
        free(b);
    }
    q->n = 0;
}
