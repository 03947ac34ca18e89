/*
 * Binding: logical ports whose interface is plugged in here.
 *
 * An Interface on br-int with external_ids:iface-id=LPORT and a valid
 * ofport binds logical port LPORT to this chassis: its Port_Binding gets
 * chassis = this chassis and up = true.  When the interface goes away the
 * binding is released (chassis cleared, up = false), but only if it is
 * still ours: after a move, the new host owns it.
 */
#ifndef CONTROLLER_BINDING_H
#define CONTROLLER_BINDING_H 1

#include <stdbool.h>

#include "openvswitch/shash.h"
#include "sset.h"
#include "openvswitch/types.h"

struct local_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct sbrec_chassis;
struct sbrec_port_binding;

/* A logical port bound to a local interface. */
struct binding_lport {
    const struct sbrec_port_binding *pb; /* Its Port_Binding, valid only
                                          * until the SB IDL next
                                          * changes. */
    ofp_port_t ofport;                   /* Its OpenFlow port on br-int. */
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

#endif /* controller/binding.h */
