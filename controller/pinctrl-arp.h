/*
 * Packet-in handlers of next-hop resolution: arp { ... } and put_arp().
 *
 * arp { ACTIONS }: a router that does not know the MAC of a next hop
 * hands the packet to the controller (rate-limited by the operation's
 * meter, so a flood of packets to unknown hosts costs at most that many
 * ARP requests a second), which builds an ARP request from it (source
 * MAC and IP of the packet, target IP of the packet), sends it back into
 * br-int with the packet's pipeline metadata and runs ACTIONS on it (the
 * flow fills in the router port's address and the next hop, and outputs
 * it).  The original packet is dropped: the sender retransmits.
 *
 * put_arp(PORT, IP, MAC): a router that receives an ARP reply learns the
 * binding; the controller writes it to SB MAC_Binding (one row per router
 * port and IP, its timestamp refreshed when it is learned again, at most
 * once a second), and every chassis with the router resolves the address
 * from then on (controller/physical-gateway.h).  Bindings wait in a queue
 * until the main loop has a southbound transaction.
 */
#ifndef CONTROLLER_PINCTRL_ARP_H
#define CONTROLLER_PINCTRL_ARP_H 1

#include <stddef.h>

#include "openvswitch/list.h"

struct ofputil_packet_in;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct rconn;

/* Bindings learned, not yet written. */
struct pinctrl_arp_queue {
    struct ovs_list learned;    /* "struct pinctrl_arp_binding"s. */
    size_t n;                   /* Length of 'learned'. */
};

/* Most bindings waiting at once; more are dropped. */
#define PINCTRL_ARP_MAX_QUEUED 1000

void pinctrl_arp_queue_init(struct pinctrl_arp_queue *);
void pinctrl_arp_queue_destroy(struct pinctrl_arp_queue *);

void pinctrl_arp_request(struct rconn *, const struct ofputil_packet_in *,
                         const char *payload);
void pinctrl_arp_learn(struct pinctrl_arp_queue *,
                       const struct ofputil_packet_in *, const char *payload);
void pinctrl_arp_flush(struct pinctrl_arp_queue *, struct ovsdb_idl *sb_idl,
                       struct ovsdb_idl_txn *sb_txn);

#endif /* controller/pinctrl-arp.h */
