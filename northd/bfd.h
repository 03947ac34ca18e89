/*
 * BFD sessions of static routes: NB BFD -> SB BFD, and back, their
 * status.
 *
 * Each NB BFD row (a router port and a neighbour's address) gets one SB
 * BFD row with the same key, a UDP source port (49152 to 65535, one per
 * session) and a discriminator (random, nonzero) of northd's choosing,
 * and the session's timers (min_tx, min_rx, detect_mult; OVN's defaults
 * 1000 ms, 1000 ms and 3 where NB has none).  The controller of the
 * chassis where the port is active (a gateway port's active gateway,
 * the one that names itself in its Port_Binding's chassis) runs the
 * session and writes SB BFD:status (controller/bfd.h).  A session whose
 * port no chassis claims is down, whatever SB says: nobody runs it.
 * nd_bfd_sync_nb() copies that status to NB BFD:status.
 *
 * A static route with a BFD session is used only while the session is
 * up (lflow-router.c asks nd_bfd_is_up()).  When the set of sessions that
 * are up changes, or the set of ports that have sessions (whose BFD
 * packets the router hands to the controller), nd_bfd_sync() returns
 * true and the caller rebuilds the flows: as rare as next hops failing.
 * A southbound database whose schema predates the BFD table gets no
 * rows: no session comes up.
 */
#ifndef NORTHD_BFD_H
#define NORTHD_BFD_H 1

#include <stdbool.h>

#include "sset.h"

struct nbrec_bfd;
struct ovsdb_idl;
struct ovsdb_idl_txn;

/* OVN's defaults for the timers of a session (ovn-nb(5), BFD table). */
#define ND_BFD_MIN_TX_DEFAULT 1000
#define ND_BFD_MIN_RX_DEFAULT 1000
#define ND_BFD_DETECT_MULT_DEFAULT 3

/* The UDP destination port of single-hop BFD control packets (RFC 5881)
 * and the range of their source ports. */
#define ND_BFD_DST_PORT 3784
#define ND_BFD_SRC_PORT_MIN 49152
#define ND_BFD_SRC_PORT_MAX 65535

struct nd_bfd {
    struct sset up;             /* UUIDs (text) of NB BFD rows whose
                                 * session is up. */
    struct sset ports;          /* Names of the router ports that have a
                                 * session. */
};

void nd_bfd_init(struct nd_bfd *);
void nd_bfd_destroy(struct nd_bfd *);
bool nd_bfd_sync(struct nd_bfd *, struct ovsdb_idl *nb_idl,
                 struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *sb_txn);
void nd_bfd_sync_nb(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl);

bool nd_bfd_applies(const struct nbrec_bfd *);
bool nd_bfd_is_up(const struct nd_bfd *, const struct nbrec_bfd *);
bool nd_bfd_port_has_sessions(const struct nd_bfd *, const char *port);

#endif /* northd/bfd.h */
