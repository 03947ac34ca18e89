/*
 * MAC bindings: SB MAC_Binding rows, which the controllers write when a
 * router learns a neighbour (controller/mac-binding.h), and which only
 * osmotic-northd deletes:
 *
 *   - a row whose router port is gone (no Port_Binding of that name on
 *     the row's datapath any more, the datapath deleted): in the same
 *     transaction as the deletion, so that deleting a router is never
 *     refused for the rows that refer to its datapath;
 *
 *   - a row not refreshed for its router's age threshold
 *     (Logical_Router:options:mac_binding_age_threshold, seconds; OVN's
 *     option, here with a default of MAC_BINDING_DEFAULT_AGE seconds, 0
 *     for never).  The controllers refresh a row's timestamp whenever the
 *     router learns the binding again: an ARP reply or neighbor
 *     advertisement to it, or on a gateway port a request for one of the
 *     router's addresses, which a neighbour that talks to the router
 *     sends from time to time.  An aged-out next hop is asked for again
 *     by the next packet to it.
 *
 * nd_mac_binding_aging_run() looks at every MAC_Binding row (they are the
 * routers' neighbours: few), and deletes at most MAC_BINDING_MAX_DELETES
 * aged rows per transaction.  nd_mac_binding_aging_wait() wakes the main
 * loop when the next row ages out.
 */
#ifndef NORTHD_MAC_BINDING_AGING_H
#define NORTHD_MAC_BINDING_AGING_H 1

#include <stdint.h>

struct ovsdb_idl;
struct ovsdb_idl_index;
struct ovsdb_idl_txn;

/* Default age threshold, seconds. */
#define MAC_BINDING_DEFAULT_AGE 300

/* Most aged rows deleted in one transaction. */
#define MAC_BINDING_MAX_DELETES 1000

/* What ageing remembers between runs. */
struct nd_mac_binding_aging {
    struct ovsdb_idl_index *pb_by_name; /* SB Port_Binding by name. */
    long long int next_expiry;  /* Wall msec when a row ages out next,
                                 * LLONG_MAX if none. */
    uint64_t n_aged;            /* Rows deleted for their age. */
    uint64_t n_orphans;         /* Rows deleted with their port. */
};

void nd_mac_binding_aging_init(struct nd_mac_binding_aging *,
                               struct ovsdb_idl *sb_idl);
void nd_mac_binding_aging_run(struct nd_mac_binding_aging *,
                              struct ovsdb_idl *nb_idl,
                              struct ovsdb_idl *sb_idl,
                              struct ovsdb_idl_txn *sb_txn);
void nd_mac_binding_aging_wait(const struct nd_mac_binding_aging *);

#endif /* northd/mac-binding-aging.h */
