#include <config.h>

#include "controller/pinctrl-send.h"

#include <stdlib.h>

#include "dp-packet.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_send);

/* Sends 'packet' into br-int through 'rconn' with OpenFlow actions
 * 'actions' (ovs-ofctl syntax), with the datapath and registers that
 * packet-in 'pin' had.  Logs (rate-limited) actions that do not parse. */
void
pinctrl_send_packet(struct rconn *rconn, const struct ofputil_packet_in *pin,
                    const struct dp_packet *packet, const char *actions)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    enum ofputil_protocol usable;
    struct ofpact_parse_params pp = {
        .ofpacts = &ofpacts,
        .usable_protocols = &usable,
    };
    char *error = ofpacts_parse_actions(actions, &pp);
    if (error) {
        VLOG_WARN_RL(&rl, "bad actions \"%s\": %s", actions, error);
        free(error);
        ofpbuf_uninit(&ofpacts);
        return;
    }

    struct ofputil_packet_out po = {
        .packet = dp_packet_data(packet),
        .packet_len = dp_packet_size(packet),
        .buffer_id = UINT32_MAX,
        .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size,
    };
    match_set_in_port(&po.flow_metadata, OFPP_CONTROLLER);
    const struct flow *md = &pin->flow_metadata.flow;
    match_set_metadata(&po.flow_metadata, md->metadata);
    for (int i = 0; i < FLOW_N_REGS; i++) {
        match_set_reg(&po.flow_metadata, i, md->regs[i]);
    }
    enum ofputil_protocol proto
        = ofputil_protocol_from_ofp_version(rconn_get_version(rconn));
    rconn_send(rconn, ofputil_encode_packet_out(&po, proto), NULL);
    ofpbuf_uninit(&ofpacts);
}
