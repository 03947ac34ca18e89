#include <config.h>

#include "controller/gateway-announce.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "controller/encaps.h"
#include "controller/gateway.h"
#include "controller/pinctrl.h"
#include "dp-packet.h"
#include "hash.h"
#include "lib/lport-addresses.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/rampout.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(gateway_announce);

/* The time between the first and second announcement; each next one
 * waits twice as long. */
#define ANNOUNCE_FIRST_INTERVAL_MSEC 1000

/* One gateway port or ramp-out rule that this chassis is active for. */
struct announce {
    struct hmap_node node;      /* In 'announces', by 'uuid'. */
    struct uuid uuid;           /* Its SB Port_Binding or Rampout row. */
    uint32_t what;              /* A hash of the addresses it announces:
                                 * when they change, it starts over. */
    unsigned int n_sent;        /* Announcements sent since it became
                                 * active here. */
    long long int next;         /* When the next is due (monotonic msec),
                                 * if 'n_sent' < GATEWAY_ANNOUNCE_COUNT. */
    bool seen;                  /* Still active in this run. */
};

struct gateway_announce {
    struct hmap announces;      /* Contains "struct announce"s. */
    unsigned long long int n_packets; /* Packets sent, in total. */

    /* What the last run saw (see gateway_announce_run()). */
    bool ran;                   /* There was one. */
    unsigned int sb_seqno;      /* The replica's seqno. */
    unsigned long long int tunnels_gen; /* The caller's 'tunnels_gen'. */
    long long int next_due;     /* When the next announcement is due. */
};

struct gateway_announce *
gateway_announce_create(void)
{
    struct gateway_announce *ga = xzalloc(sizeof *ga);
    hmap_init(&ga->announces);
    return ga;
}

void
gateway_announce_destroy(struct gateway_announce *ga)
{
    if (ga) {
        struct announce *a;
        HMAP_FOR_EACH_POP (a, node, &ga->announces) {
            free(a);
        }
        hmap_destroy(&ga->announces);
        free(ga);
    }
}

/* Returns the announcement of row 'uuid', whose addresses hash to
 * 'what', created (due now) if this chassis was not active for it before
 * and started over (due now) if its addresses changed. */
static struct announce *
announce_get(struct gateway_announce *ga, const struct uuid *uuid,
             uint32_t what)
{
    struct announce *a;
    HMAP_FOR_EACH_WITH_HASH (a, node, uuid_hash(uuid), &ga->announces) {
        if (uuid_equals(&a->uuid, uuid)) {
            if (a->what != what) {
                a->what = what;
                a->n_sent = 0;
                a->next = time_msec();
            }
            return a;
        }
    }
    a = xzalloc(sizeof *a);
    a->uuid = *uuid;
    a->what = what;
    a->next = time_msec();
    hmap_insert(&ga->announces, &a->node, uuid_hash(uuid));
    return a;
}

/* Sends 'packet' out of OpenFlow port 'ofport'. */
static void
announce_send(struct gateway_announce *ga, struct pinctrl *pinctrl,
              const struct dp_packet *packet, int ofport)
{
    char *actions = xasprintf("output:%d", ofport);
    pinctrl_packet_out(pinctrl, packet, actions);
    free(actions);
    ga->n_packets++;
}

/* Sends a gratuitous ARP for 'ip' from 'mac' out of 'ofport'. */
static void
announce_arp(struct gateway_announce *ga, struct pinctrl *pinctrl,
             struct eth_addr mac, ovs_be32 ip, int ofport)
{
    struct dp_packet packet;
    dp_packet_init(&packet, 0);
    compose_arp(&packet, ARP_OP_REQUEST, mac, eth_addr_zero, true, ip, ip);
    announce_send(ga, pinctrl, &packet, ofport);
    dp_packet_uninit(&packet);
}

/* Sends an unsolicited neighbor advertisement for 'ip6' from 'mac' to all
 * nodes out of 'ofport'. */
static void
announce_na(struct gateway_announce *ga, struct pinctrl *pinctrl,
            struct eth_addr mac, const struct in6_addr *ip6, int ofport)
{
    static const struct eth_addr all_nodes_mac
        = ETH_ADDR_C(33, 33, 00, 00, 00, 01);
    struct in6_addr all_nodes;
    ipv6_parse("ff02::1", &all_nodes);
    struct dp_packet packet;
    dp_packet_init(&packet, 0);
    compose_nd_na(&packet, mac, all_nodes_mac, ip6, &all_nodes,
                  htonl(ND_RSO_ROUTER | ND_RSO_OVERRIDE));
    announce_send(ga, pinctrl, &packet, ofport);
    dp_packet_uninit(&packet);
}

/* Announces the addresses in 's' ("MAC IP..."; with 'prefixes', each IP
 * may have a "/PLEN") of gateway port 'pb'. */
static void
announce_addresses(struct gateway_announce *ga, struct pinctrl *pinctrl,
                   const struct sbrec_port_binding *pb, const char *s,
                   bool prefixes, int ofport)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct lport_addresses la;
    char *error = lport_addresses_parse(s, prefixes, &la);
    if (error) {
        VLOG_WARN_RL(&rl, "gateway port %s: %s", pb->logical_port, error);
        free(error);
        return;
    }
    for (size_t i = 0; i < la.n_ipv4; i++) {
        announce_arp(ga, pinctrl, la.ea, la.ipv4[i].addr, ofport);
    }
    for (size_t i = 0; i < la.n_ipv6; i++) {
        announce_na(ga, pinctrl, la.ea, &la.ipv6[i].addr, ofport);
    }
    lport_addresses_destroy(&la);
}

/* Announces the addresses of gateway port 'pb': its own ("MAC
 * IP/PLEN...") and its NAT addresses ("MAC IP..." each). */
static void
announce_port(struct gateway_announce *ga, struct pinctrl *pinctrl,
              const struct sbrec_port_binding *pb, int ofport)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    if (pb->n_mac) {
        announce_addresses(ga, pinctrl, pb, pb->mac[0], true, ofport);
    } else {
        VLOG_WARN_RL(&rl, "gateway port %s: no MAC", pb->logical_port);
    }
    for (size_t i = 0; i < pb->n_nat_addresses; i++) {
        announce_addresses(ga, pinctrl, pb, pb->nat_addresses[i], false,
                           ofport);
    }
}

/* Returns a hash of what gateway port 'pb' announces. */
static uint32_t
announce_port_hash(const struct sbrec_port_binding *pb)
{
    uint32_t hash = 0;
    for (size_t i = 0; i < pb->n_mac; i++) {
        hash = hash_string(pb->mac[i], hash);
    }
    for (size_t i = 0; i < pb->n_nat_addresses; i++) {
        /* Added, so that the order of the set does not matter. */
        hash += hash_string(pb->nat_addresses[i], 0);
    }
    return hash;
}

/* Returns the gateway port of router 'dp', or NULL. */
static const struct sbrec_port_binding *
router_gateway_port(struct ovsdb_idl *sb_idl,
                    const struct sbrec_datapath_binding *dp)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (pb->datapath == dp && pb->n_gateway_chassis
            && pb->tunnel_key <= RAMPOUT_MAX_PORT_KEY) {
            return pb;
        }
    }
    return NULL;
}

/* Returns the number of ramp-out rule 'r' (1, 2, ... by name among its
 * router's rules), as northd and the physical flows number them. */
static uint32_t
rule_number(struct ovsdb_idl *sb_idl, const struct sbrec_rampout *r)
{
    uint32_t number = 1;
    const struct sbrec_rampout *o;
    SBREC_RAMPOUT_FOR_EACH (o, sb_idl) {
        if (o != r && o->datapath == r->datapath
            && rampout_name_cmp(o->name, r->name) < 0) {
            number++;
        }
    }
    return number;
}

/* Returns true if an announcement of 'a' is due at 'now'. */
static bool
announce_due(const struct announce *a, long long int now)
{
    return a->n_sent < GATEWAY_ANNOUNCE_COUNT && now >= a->next;
}

/* Records that 'a' was announced at 'now'. */
static void
announce_sent(struct announce *a, long long int now)
{
    a->next = now + ((long long int) ANNOUNCE_FIRST_INTERVAL_MSEC
                     << a->n_sent);
    a->n_sent++;
}

/* Puts off an announcement of 'a' that cannot go out at 'now' (no
 * connection to br-int yet, or no localnet port here): it is tried again
 * a second later, not counted. */
static void
announce_later(struct announce *a, long long int now)
{
    a->next = now + ANNOUNCE_FIRST_INTERVAL_MSEC;
}

/* Finds the gateway ports and ramp-out rules that chassis 'self' is now
 * the active gateway of, as the physical flows do (from 'tunnels' and
 * their BFD state), and sends the announcements that are due for them
 * through 'pinctrl'.  The caller changes 'tunnels_gen' whenever 'tunnels'
 * or 'self' may have changed: with it, the replica and no announcement
 * due, there is nothing to do (this runs on every wake-up of the main
 * loop, and the search reads every port binding). */
void
gateway_announce_run(struct gateway_announce *ga, struct ovsdb_idl *sb_idl,
                     const char *self, const struct encaps_ports *tunnels,
                     struct pinctrl *pinctrl,
                     unsigned long long int tunnels_gen)
{
    long long int now = time_msec();
    unsigned int sb_seqno = ovsdb_idl_get_seqno(sb_idl);
    if (ga->ran && ga->sb_seqno == sb_seqno
        && ga->tunnels_gen == tunnels_gen && now < ga->next_due) {
        return;
    }
    ga->ran = true;
    ga->sb_seqno = sb_seqno;
    ga->tunnels_gen = tunnels_gen;

    struct announce *a;
    HMAP_FOR_EACH (a, node, &ga->announces) {
        a->seen = false;
    }

    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (!pb->n_gateway_chassis || !pb->datapath
            || pb->tunnel_key > RAMPOUT_MAX_PORT_KEY) {
            continue;
        }
        const char *active = gateway_active_chassis(
            sb_idl, pb->key_gateway_chassis, pb->value_gateway_chassis,
            pb->n_gateway_chassis, self, tunnels);
        if (!active || strcmp(active, self)) {
            continue;
        }
        a = announce_get(ga, &pb->header_.uuid, announce_port_hash(pb));
        a->seen = true;
        if (announce_due(a, now)) {
            int ofport = gateway_localnet_ofport(sb_idl, tunnels, pb);
            if (ofport && pinctrl_is_connected(pinctrl)) {
                announce_port(ga, pinctrl, pb, ofport);
                announce_sent(a, now);
            } else {
                announce_later(a, now);
            }
        }
    }

    const struct sbrec_rampout *r;
    SBREC_RAMPOUT_FOR_EACH (r, sb_idl) {
        ovs_be32 ip;
        if (!r->snat_ip || !ip_parse(r->snat_ip, &ip) || !r->datapath) {
            continue;
        }
        const char *active = gateway_active_chassis(
            sb_idl, r->key_gateway_chassis, r->value_gateway_chassis,
            r->n_gateway_chassis, self, tunnels);
        if (!active || strcmp(active, self)) {
            continue;
        }
        a = announce_get(ga, &r->header_.uuid, hash_string(r->snat_ip, 0));
        a->seen = true;
        if (announce_due(a, now)) {
            const struct sbrec_port_binding *gw
                = router_gateway_port(sb_idl, r->datapath);
            int ofport = (gw ? gateway_localnet_ofport(sb_idl, tunnels, gw)
                          : 0);
            uint32_t number = rule_number(sb_idl, r);
            if (ofport && number <= RAMPOUT_MAX_RULES
                && pinctrl_is_connected(pinctrl)) {
                announce_arp(ga, pinctrl,
                             rampout_rule_mac(r->datapath->tunnel_key,
                                              number), ip, ofport);
                announce_sent(a, now);
            } else {
                announce_later(a, now);
            }
        }
    }

    ga->next_due = LLONG_MAX;
    HMAP_FOR_EACH_SAFE (a, node, &ga->announces) {
        if (!a->seen) {
            hmap_remove(&ga->announces, &a->node);
            free(a);
        } else if (a->n_sent < GATEWAY_ANNOUNCE_COUNT) {
            ga->next_due = MIN(ga->next_due, a->next);
        }
    }
}

/* Wakes the poll loop when the next announcement is due. */
void
gateway_announce_wait(const struct gateway_announce *ga)
{
    const struct announce *a;
    HMAP_FOR_EACH (a, node, &ga->announces) {
        if (a->n_sent < GATEWAY_ANNOUNCE_COUNT) {
            poll_timer_wait_until(a->next);
        }
    }
}

/* Appends a line about the announcements to 's', for controller/status. */
void
gateway_announce_status(const struct gateway_announce *ga, struct ds *s)
{
    ds_put_format(s, "gateway announcements: %"PRIuSIZE" active, "
                  "%llu packets sent\n", hmap_count(&ga->announces),
                  ga->n_packets);
}
