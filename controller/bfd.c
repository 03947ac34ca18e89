#include <config.h>

#include "controller/bfd.h"

#include <stdlib.h>
#include <string.h>

#include "controller/bfd-packet.h"
#include "controller/gateway.h"
#include "controller/pinctrl.h"
#include "dp-packet.h"
#include "lib/lport-addresses.h"
#include "lib/osmotic-sb-idl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "random.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(bfd);

/* One session run here. */
struct bfd_session {
    struct hmap_node node;      /* In 'sessions', by SB row UUID. */
    struct uuid uuid;           /* Its SB BFD row. */
    char *port;                 /* The router port. */

    /* From SB and the port. */
    ovs_be32 src_ip, dst_ip;
    struct eth_addr src_mac;
    uint16_t src_port;
    int ofport;                 /* br-int's patch port to the network. */
    uint32_t local_disc;
    int min_tx, min_rx, detect_mult;  /* Milliseconds; a count. */

    /* RFC 5880 state. */
    enum bfd_state state;
    uint8_t diag;
    uint32_t remote_disc;
    enum bfd_state remote_state;
    uint32_t remote_min_rx_us;  /* Meaningful once 'heard'. */
    uint32_t remote_min_tx_us;
    int remote_detect_mult;
    bool heard;                 /* A packet arrived since the session
                                 * (re)started or last went down. */

    long long int started;      /* When this chassis started it. */
    bool settled;               /* Came up once, or a detection time
                                 * passed: its status may be written. */
    long long int next_tx;
    long long int next_arp;     /* No ARP request for the neighbour
                                 * before this time. */
    long long int detect_deadline;  /* LLONG_MAX if none. */
    bool seen;
};

struct bfd_sessions {
    struct hmap sessions;
    unsigned long long int n_tx, n_rx, n_arp;
    bool ran;
};

struct bfd_sessions *
bfd_sessions_create(void)
{
    struct bfd_sessions *bs = xzalloc(sizeof *bs);
    hmap_init(&bs->sessions);
    return bs;
}

static void
session_free(struct bfd_session *s)
{
    free(s->port);
    free(s);
}

void
bfd_sessions_destroy(struct bfd_sessions *bs)
{
    if (bs) {
        struct bfd_session *s;
        HMAP_FOR_EACH_POP (s, node, &bs->sessions) {
            session_free(s);
        }
        hmap_destroy(&bs->sessions);
        free(bs);
    }
}

static struct bfd_session *
session_find(const struct bfd_sessions *bs, const struct uuid *uuid)
{
    struct bfd_session *s;
    HMAP_FOR_EACH_WITH_HASH (s, node, uuid_hash(uuid), &bs->sessions) {
        if (uuid_equals(&s->uuid, uuid)) {
            return s;
        }
    }
    return NULL;
}

/* (Re)starts 's' from Down at 'now'. */
static void
session_reset(struct bfd_session *s, long long int now)
{
    s->state = BFD_DOWN;
    s->diag = BFD_DIAG_NONE;
    s->remote_disc = 0;
    s->remote_state = BFD_DOWN;
    s->heard = false;
    s->started = now;
    s->settled = false;
    s->next_tx = now;
    s->next_arp = now;
    s->detect_deadline = LLONG_MAX;
}

/* Returns the detection time of 's', in milliseconds: before anything
 * arrived, from this end's own timers. */
static long long int
session_detect_time(const struct bfd_session *s)
{
    if (!s->heard) {
        return (long long int) s->detect_mult * MAX(s->min_rx, s->min_tx);
    }
    long long int rx = MAX(s->min_rx, (int) (s->remote_min_tx_us / 1000));
    return (long long int) s->remote_detect_mult * MAX(rx, 1);
}

/* Returns the gateway port named 'name' if chassis 'self' is its active
 * gateway, else NULL. */
static const struct sbrec_port_binding *
active_port(struct ovsdb_idl *sb_idl, const char *name, const char *self,
            const struct encaps_ports *tunnels)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (!strcmp(pb->logical_port, name)) {
            if (!pb->n_gateway_chassis || !pb->n_mac) {
                return NULL;
            }
            const char *active = gateway_active_chassis(
                sb_idl, pb->key_gateway_chassis, pb->value_gateway_chassis,
                pb->n_gateway_chassis, self, tunnels);
            return active && !strcmp(active, self) ? pb : NULL;
        }
    }
    return NULL;
}

/* Reads into 's' what SB 'row' and its port 'pb' say ('ofport' the patch
 * port to its network).  Returns false if the session cannot run. */
static bool
session_read(struct bfd_session *s, const struct sbrec_bfd *row,
             const struct sbrec_port_binding *pb, int ofport)
{
    ovs_be32 dst;
    if (!ip_parse(row->dst_ip, &dst) || !row->disc) {
        return false;
    }
    struct lport_addresses la;
    char *error = lport_addresses_parse(pb->mac[0], true, &la);
    if (error) {
        free(error);
        return false;
    }
    ovs_be32 src = 0;
    for (size_t i = 0; i < la.n_ipv4; i++) {
        ovs_be32 mask = be32_prefix_mask(la.ipv4[i].plen);
        if (!src || !((la.ipv4[i].addr ^ dst) & mask)) {
            src = la.ipv4[i].addr;
        }
    }
    s->src_mac = la.ea;
    lport_addresses_destroy(&la);
    if (!src) {
        return false;
    }
    s->src_ip = src;
    s->dst_ip = dst;
    s->src_port = row->src_port;
    s->ofport = ofport;
    s->local_disc = row->disc;
    s->min_tx = MAX(row->min_tx, 1);
    s->min_rx = MAX(row->min_rx, 0);
    s->detect_mult = MAX(row->detect_mult, 1);
    return true;
}

/* Returns the MAC that SB MAC_Binding has for 'ip' on 'port', or
 * false. */
static bool
neighbour_mac(struct ovsdb_idl *sb_idl, const char *port, ovs_be32 ip,
              struct eth_addr *mac)
{
    const struct sbrec_mac_binding *mb;
    SBREC_MAC_BINDING_FOR_EACH (mb, sb_idl) {
        ovs_be32 mb_ip;
        if (!strcmp(mb->logical_port, port) && ip_parse(mb->ip, &mb_ip)
            && mb_ip == ip && eth_addr_from_string(mb->mac, mac)) {
            return true;
        }
    }
    return false;
}

/* Sends a control packet of 's' (with the final bit if 'final') to 'mac'
 * out of its patch port. */
static void
session_send(struct bfd_sessions *bs, struct pinctrl *pc,
             const struct bfd_session *s, struct eth_addr mac, bool final)
{
    struct bfd_msg m = {
        .state = s->state,
        .diag = s->diag,
        .final = final,
        .detect_mult = s->detect_mult,
        .my_disc = s->local_disc,
        .your_disc = s->remote_disc,
        .min_tx_us = s->min_tx * 1000u,
        .min_rx_us = s->min_rx * 1000u,
    };
    struct dp_packet p;
    dp_packet_init(&p, 128);
    bfd_packet_build(&p, s->src_mac, mac, s->src_ip, s->dst_ip, s->src_port,
                     &m);
    char *actions = xasprintf("output:%d", s->ofport);
    pinctrl_packet_out(pc, &p, actions);
    free(actions);
    dp_packet_uninit(&p);
    bs->n_tx++;
}

/* Sends what is due of 's' at 'now': its periodic packet (or an ARP
 * request for its neighbour, whose MAC SB does not have yet). */
static void
session_transmit(struct bfd_sessions *bs, struct pinctrl *pc,
                 struct ovsdb_idl *sb_idl, struct bfd_session *s,
                 long long int now)
{
    if (now < s->next_tx) {
        return;
    }
    long long int interval = s->min_tx;
    if (s->heard) {
        interval = MAX(interval, (long long int) s->remote_min_rx_us / 1000);
    }
    /* Less a random 0 to 25 % (10 to 25 % with a multiplier of 1). */
    int max_cut = 25, min_cut = s->detect_mult == 1 ? 10 : 0;
    int cut = min_cut + random_range(max_cut - min_cut + 1);
    s->next_tx = now + MAX(interval * (100 - cut) / 100, 1);
    if (!pinctrl_is_connected(pc)
        || (s->heard && !s->remote_min_rx_us)) {
        /* No connection yet; or the neighbour wants no packets. */
        return;
    }
    struct eth_addr mac;
    if (neighbour_mac(sb_idl, s->port, s->dst_ip, &mac)) {
        session_send(bs, pc, s, mac, false);
    } else if (now >= s->next_arp) {
        /* At most one a second, as for any next hop. */
        s->next_arp = now + 1000;
        struct dp_packet p;
        dp_packet_init(&p, 64);
        compose_arp(&p, ARP_OP_REQUEST, s->src_mac, eth_addr_zero, true,
                    s->src_ip, s->dst_ip);
        char *actions = xasprintf("output:%d", s->ofport);
        pinctrl_packet_out(pc, &p, actions);
        free(actions);
        dp_packet_uninit(&p);
        bs->n_arp++;
    }
}

/* Changes the state of 's' to 'state' with 'diag', and logs it. */
static void
session_set_state(struct bfd_session *s, enum bfd_state state, uint8_t diag)
{
    if (s->state != state) {
        VLOG_INFO("BFD session %s to "IP_FMT": %s -> %s", s->port,
                  IP_ARGS(s->dst_ip), bfd_state_name(s->state),
                  bfd_state_name(state));
        s->state = state;
        s->diag = diag;
        if (state == BFD_UP) {
            s->settled = true;
            s->diag = BFD_DIAG_NONE;
        }
        poll_immediate_wake();
    }
}

/* Runs the sessions that SB 'sb_idl' has and that this chassis 'self'
 * runs (from 'tunnels', as the flows decide which gateway is active),
 * sends what is due through 'pc' and writes their status within 'txn',
 * when nonnull. */
void
bfd_sessions_run(struct bfd_sessions *bs, struct pinctrl *pc,
                 struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *txn,
                 const char *self, const struct encaps_ports *tunnels)
{
    if (!sbrec_server_has_bfd_table(sb_idl)) {
        return;
    }
    bs->ran = true;
    long long int now = time_msec();
    struct bfd_session *s;
    HMAP_FOR_EACH (s, node, &bs->sessions) {
        s->seen = false;
    }

    const struct sbrec_bfd *row;
    SBREC_BFD_FOR_EACH (row, sb_idl) {
        const struct sbrec_port_binding *pb
            = active_port(sb_idl, row->logical_port, self, tunnels);
        int ofport = pb ? gateway_localnet_ofport(sb_idl, tunnels, pb) : 0;
        if (!ofport) {
            continue;
        }
        s = session_find(bs, &row->header_.uuid);
        struct bfd_session new;
        memset(&new, 0, sizeof new);
        if (!session_read(&new, row, pb, ofport)) {
            continue;
        }
        if (!s) {
            s = xmemdup(&new, sizeof new);
            s->uuid = row->header_.uuid;
            s->port = xstrdup(row->logical_port);
            session_reset(s, now);
            hmap_insert(&bs->sessions, &s->node, uuid_hash(&s->uuid));
            VLOG_INFO("BFD session %s to %s: started", row->logical_port,
                      row->dst_ip);
        } else {
            bool restart = (s->src_ip != new.src_ip || s->dst_ip != new.dst_ip
                            || s->local_disc != new.local_disc);
            s->src_mac = new.src_mac;
            s->src_ip = new.src_ip;
            s->dst_ip = new.dst_ip;
            s->src_port = new.src_port;
            s->ofport = new.ofport;
            s->local_disc = new.local_disc;
            s->min_tx = new.min_tx;
            s->min_rx = new.min_rx;
            s->detect_mult = new.detect_mult;
            if (restart) {
                session_reset(s, now);
            }
        }
        s->seen = true;

        if (now >= s->detect_deadline) {
            /* Nothing arrived within the detection time. */
            s->detect_deadline = LLONG_MAX;
            s->heard = false;
            s->remote_disc = 0;
            if (s->state == BFD_INIT || s->state == BFD_UP) {
                session_set_state(s, BFD_DOWN, BFD_DIAG_EXPIRED);
            }
        }
        if (!s->settled && now >= s->started + session_detect_time(s)) {
            s->settled = true;
        }
        session_transmit(bs, pc, sb_idl, s, now);

        const char *status = bfd_state_name(s->state);
        if (txn && s->settled
            && (!row->status || strcmp(row->status, status))) {
            sbrec_bfd_set_status(row, status);
        }
    }

    HMAP_FOR_EACH_SAFE (s, node, &bs->sessions) {
        if (!s->seen) {
            VLOG_INFO("BFD session %s to "IP_FMT": no longer run here",
                      s->port, IP_ARGS(s->dst_ip));
            hmap_remove(&bs->sessions, &s->node);
            session_free(s);
        }
    }
}

/* Wakes the main loop for the sessions' next packet, detection deadline
 * or first status, if the main loop ran them this time. */
void
bfd_sessions_wait(struct bfd_sessions *bs)
{
    if (!bs->ran) {
        return;
    }
    bs->ran = false;
    const struct bfd_session *s;
    HMAP_FOR_EACH (s, node, &bs->sessions) {
        poll_timer_wait_until(s->next_tx);
        if (s->detect_deadline != LLONG_MAX) {
            poll_timer_wait_until(s->detect_deadline);
        }
        if (!s->settled) {
            poll_timer_wait_until(s->started + session_detect_time(s));
        }
    }
}

/* Returns the session that 'rx' is for, or NULL. */
static struct bfd_session *
session_for_rx(const struct bfd_sessions *bs, const struct bfd_rx *rx)
{
    struct bfd_session *s;
    HMAP_FOR_EACH (s, node, &bs->sessions) {
        if (rx->msg.your_disc
            ? rx->msg.your_disc == s->local_disc
            : rx->src_ip == s->dst_ip && rx->dst_ip == s->src_ip) {
            return s;
        }
    }
    return NULL;
}

/* Handles packet-in 'pin' (handle_bfd_msg): a control packet from a
 * neighbour, RFC 5880 section 6.8.6. */
void
bfd_sessions_handle(struct bfd_sessions *bs, struct pinctrl *pc,
                    const struct ofputil_packet_in *pin)
{
    struct bfd_rx rx;
    if (!bfd_packet_parse(pin->packet, pin->packet_len, &rx)) {
        return;
    }
    struct bfd_session *s = session_for_rx(bs, &rx);
    if (!s || rx.src_ip != s->dst_ip || rx.dst_ip != s->src_ip) {
        return;
    }
    bs->n_rx++;
    const struct bfd_msg *m = &rx.msg;
    s->remote_disc = m->my_disc;
    s->remote_state = m->state;
    s->remote_min_rx_us = m->min_rx_us;
    s->remote_min_tx_us = m->min_tx_us;
    s->remote_detect_mult = m->detect_mult;
    s->heard = true;

    if (m->state == BFD_ADMIN_DOWN) {
        if (s->state != BFD_DOWN) {
            session_set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
        }
    } else if (s->state == BFD_DOWN) {
        if (m->state == BFD_DOWN) {
            session_set_state(s, BFD_INIT, BFD_DIAG_NONE);
        } else if (m->state == BFD_INIT) {
            session_set_state(s, BFD_UP, BFD_DIAG_NONE);
        }
    } else if (s->state == BFD_INIT) {
        if (m->state == BFD_INIT || m->state == BFD_UP) {
            session_set_state(s, BFD_UP, BFD_DIAG_NONE);
        }
    } else if (s->state == BFD_UP && m->state == BFD_DOWN) {
        session_set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
    }
    s->detect_deadline = time_msec() + session_detect_time(s);

    if (m->poll) {
        /* Answer at once, to the MAC the poll came from. */
        const struct eth_header *eh = pin->packet;
        if (pin->packet_len >= sizeof *eh && pinctrl_is_connected(pc)) {
            session_send(bs, pc, s, eh->eth_src, true);
        }
    }
}

/* Appends counters to 's', for "osmotic-appctl -t osmotic-controller
 * status". */
void
bfd_sessions_status(const struct bfd_sessions *bs, struct ds *s)
{
    size_t n_up = 0;
    const struct bfd_session *x;
    HMAP_FOR_EACH (x, node, &bs->sessions) {
        n_up += x->state == BFD_UP;
    }
    ds_put_format(s, "route BFD sessions: %"PRIuSIZE" (%"PRIuSIZE" up)\n",
                  hmap_count(&bs->sessions), n_up);
    ds_put_format(s, "route BFD packets sent: %llu, received: %llu, "
                  "ARP requests: %llu\n", bs->n_tx, bs->n_rx, bs->n_arp);
}
