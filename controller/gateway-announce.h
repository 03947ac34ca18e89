/*
 * The active gateway announces itself on the external network.
 *
 * When this chassis becomes the active gateway of a router's gateway
 * port (controller/gateway.h: the alive chassis of highest priority, as
 * this controller sees it), it sends, out of br-int's patch port to the
 * provider bridge of the port's external switch (the switch's localnet
 * port), a gratuitous ARP (an ARP request from and for the address) for
 * each IPv4 address of the port and an unsolicited neighbor
 * advertisement (router and override flags, to all nodes) for each IPv6
 * address, from the port's MAC, and a gratuitous ARP for each of the
 * port's NAT addresses (Port_Binding:nat_addresses: the external
 * addresses of the router's NAT rules, northd/nat-addresses.h), from the
 * MAC given with them; likewise for the SNAT address of each ramp-out
 * rule it becomes active for, from the rule's MAC.  The
 * switches of the external network then learn the MACs' new location and
 * its hosts their neighbour entries at once, instead of sending to the
 * old gateway until their entries expire.  Each announcement goes out
 * GATEWAY_ANNOUNCE_COUNT times, 1, 2, 4... seconds apart (one may be
 * lost), and again whenever this chassis becomes active anew or the
 * addresses change while it is active.  Nothing is
 * sent on a chassis that is not active, nor for a switch without a
 * localnet port mapped here.
 *
 * The packets bypass the logical pipeline (a packet-out straight to the
 * patch port): they describe this chassis's place on the external
 * network, which only the chassis knows.
 */
#ifndef CONTROLLER_GATEWAY_ANNOUNCE_H
#define CONTROLLER_GATEWAY_ANNOUNCE_H 1

struct ds;
struct encaps_ports;
struct gateway_announce;
struct ovsdb_idl;
struct pinctrl;

/* How many times each announcement is sent. */
#define GATEWAY_ANNOUNCE_COUNT 3

struct gateway_announce *gateway_announce_create(void);
void gateway_announce_destroy(struct gateway_announce *);
void gateway_announce_run(struct gateway_announce *,
                          struct ovsdb_idl *sb_idl, const char *self,
                          const struct encaps_ports *tunnels,
                          struct pinctrl *,
                          unsigned long long int tunnels_gen);
void gateway_announce_wait(const struct gateway_announce *);
void gateway_announce_status(const struct gateway_announce *, struct ds *);

#endif /* controller/gateway-announce.h */
