/*
 * Binding: logical ports whose interface is plugged in here.
 *
 * An Interface on br-int with external_ids:iface-id=LPORT and a valid
 * ofport binds logical port LPORT to this chassis: its Port_Binding gets
 * chassis = this chassis (and up = false if it was up elsewhere).  Once
 * br-int holds the port's flows (binding_mark_installed()), its
 * Port_Binding gets up = true and its Interface
 * external_ids:osmotic-installed=true: that is what "up" means.  When the
 * interface goes away the binding is released (chassis cleared, up =
 * false), but only if it is still ours: after a move, the new host owns
 * it.
 */
#ifndef CONTROLLER_BINDING_H
#define CONTROLLER_BINDING_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/shash.h"
#include "sset.h"
#include "openvswitch/types.h"

struct local_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct sbrec_chassis;
struct sbrec_port_binding;
struct simap;

/* Interface external_ids key set to "true" once the port's flows are
 * installed (what a CNI plugin waits for). */
#define BINDING_INSTALLED_KEY "osmotic-installed"

/* A logical port bound to a local interface. */
struct binding_lport {
    const struct sbrec_port_binding *pb; /* Its Port_Binding, valid only
                                          * until the SB IDL next
                                          * changes. */
    ofp_port_t ofport;                   /* Its OpenFlow port on br-int. */
    const struct ovsrec_interface *iface; /* Its Interface, valid only until
                                           * the local IDL next changes. */
    char *ifname;                        /* Interface name (a copy). */
};

/* Result of binding: local ports, by logical port name. */
struct binding_result {
    struct shash lports;        /* Contains "struct binding_lport"s. */
    struct sset iface_ids;      /* iface-id of every interface on br-int
                                 * with an ofport, bound or not. */
};

void binding_result_init(struct binding_result *);
void binding_result_destroy(struct binding_result *);

void binding_run(struct ovsdb_idl_txn *, struct ovsdb_idl *sb_idl,
                 const struct ovsrec_bridge *br_int,
                 const struct sbrec_chassis *,
                 struct local_datapaths *, struct binding_result *);
bool binding_cleanup(struct ovsdb_idl_txn *, struct ovsdb_idl *sb_idl,
                     const struct sbrec_chassis *);
void binding_track_generations(const struct binding_result *, uint64_t gen,
                               struct simap *gens);
bool binding_pb_change_is_nat_addresses(const struct sbrec_port_binding *);
bool binding_pb_change_is_echo(const struct sbrec_port_binding *,
                               const struct sbrec_chassis *);
bool binding_all_up(const struct binding_result *);
void binding_mark_installed(const struct binding_result *,
                            const struct simap *gens, uint64_t acked_gen);

#endif /* controller/binding.h */
