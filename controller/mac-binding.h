/*
 * Neighbour resolution state of the packet-in handlers: the MAC bindings
 * they learned (put_arp, put_nd), until the main loop writes them to SB
 * MAC_Binding, and the requests they sent (arp, nd_ns), so that one next
 * hop is asked for at most once per MAC_BINDING_ASK_INTERVAL_MS.
 *
 * Each operation's packet-ins are rate-limited by a meter already
 * (controller/pinctrl.h); the request limit adds that a flood of packets
 * to one unknown next hop (a bulk transfer starting, a scan) sends one
 * ARP or ND request a second for it, never a broadcast per packet.
 *
 * A binding is one row per router port and IP.  Learning it again
 * refreshes its timestamp, at most once a second; osmotic-northd ages out
 * the rows that are not refreshed (northd/mac-binding-aging.h).
 */
#ifndef CONTROLLER_MAC_BINDING_H
#define CONTROLLER_MAC_BINDING_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/types.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;

/* Most bindings waiting at once; more are dropped. */
#define MAC_BINDING_MAX_QUEUED 1000

/* Shortest time between two requests for one next hop, and how many
 * next hops are remembered at most. */
#define MAC_BINDING_ASK_INTERVAL_MS 1000
#define MAC_BINDING_MAX_ASKS 10000

/* Bindings learned and not yet written, and requests sent recently. */
struct mac_binding_state {
    struct ovs_list learned;    /* "struct mac_binding_learned"s. */
    size_t n_learned;           /* Length of 'learned'. */
    struct hmap asks;           /* "struct mac_binding_ask"s. */
    unsigned long long int n_suppressed; /* Requests not sent: too soon. */
};

void mac_binding_state_init(struct mac_binding_state *);
void mac_binding_state_destroy(struct mac_binding_state *);

bool mac_binding_learn(struct mac_binding_state *, uint64_t dp_key,
                       uint32_t port_key, const struct in6_addr *ip,
                       struct eth_addr mac);
bool mac_binding_may_ask(struct mac_binding_state *, uint64_t dp_key,
                         uint32_t port_key, const struct in6_addr *ip);
void mac_binding_flush(struct mac_binding_state *, struct ovsdb_idl *sb_idl,
                       struct ovsdb_idl_txn *sb_txn);

#endif /* controller/mac-binding.h */
