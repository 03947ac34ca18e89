/*
 * The integration bridge br-int: created by the controller if missing,
 * marked with external_ids:osmotic-owned=true when it did so.
 */
#ifndef CONTROLLER_BR_INT_H
#define CONTROLLER_BR_INT_H 1

struct chassis_config;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;

/* Name of the integration bridge. */
#define BR_INT_NAME "br-int"

const struct ovsrec_bridge *br_int_run(struct ovsdb_idl_txn *,
                                       struct ovsdb_idl *ovs_idl,
                                       const struct chassis_config *);

#endif /* controller/br-int.h */
