/*
 * BFD sessions of static routes (SB BFD), run by the controller.
 *
 * osmotic-northd writes one SB BFD row per NB BFD row (northd/bfd.h): a
 * router port, a neighbour's IPv4 address, a UDP source port, this end's
 * discriminator and the timers.  The controller of the chassis where the
 * port is active runs the session: for a gateway port, its active
 * gateway (controller/gateway.h, as the flows decide it), which reaches
 * the external network through the localnet port of the port's peer
 * switch.  A port that is not a gateway port has no chassis of its own,
 * and its sessions run nowhere (they stay down), as in OVN.
 *
 * A session is RFC 5880's asynchronous mode, single hop (RFC 5881): from
 * the port's address (the one whose network holds the neighbour, else
 * its first IPv4 address) and MAC, with TTL 255, to UDP port 3784; the
 * packets go straight out of br-int's patch port to the provider bridge,
 * as the gateway's announcements do (controller/gateway-announce.h), to
 * the neighbour's MAC from SB MAC_Binding, or, while the neighbour has
 * none, as an ARP request for it, at most one a second (whose reply the
 * router learns into MAC_Binding).  The neighbour's packets reach the router's pipeline on
 * this chassis, whose flow for them (handle_bfd_msg) hands them to the
 * controller.  Intervals: this end sends every max(min_tx, the
 * neighbour's required min RX) milliseconds, less a random 0 to 25 %,
 * in every state (RFC 5880 asks for at least 1 s while the session is
 * not up; OVN's defaults are 1 s anyway); the session goes down when
 * nothing arrives for the neighbour's detect multiplier times max(min_rx,
 * the neighbour's desired min TX).  A poll (P bit) is answered at once
 * with the final bit; this end never polls.  No authentication, no echo
 * function, no demand mode.
 *
 * The controller writes the session's state into SB BFD:status when it
 * changes ("down", "init", "up").  A session that starts (on a chassis
 * that just became the port's active gateway, say) writes nothing until
 * it comes up or one detection time passed without, so that a failover
 * of the gateway does not withdraw a route whose neighbour is alive.
 */
#ifndef CONTROLLER_BFD_H
#define CONTROLLER_BFD_H 1

struct bfd_sessions;
struct ds;
struct encaps_ports;
struct ofputil_packet_in;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct pinctrl;

struct bfd_sessions *bfd_sessions_create(void);
void bfd_sessions_destroy(struct bfd_sessions *);
void bfd_sessions_run(struct bfd_sessions *, struct pinctrl *,
                      struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *,
                      const char *self, const struct encaps_ports *);
void bfd_sessions_wait(struct bfd_sessions *);
void bfd_sessions_handle(struct bfd_sessions *, struct pinctrl *,
                         const struct ofputil_packet_in *);
void bfd_sessions_status(const struct bfd_sessions *, struct ds *);

#endif /* controller/bfd.h */
