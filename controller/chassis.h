/*
 * This host's identity: its configuration in the local Open_vSwitch table
 * and its Chassis, Encap and Chassis_Private rows in the southbound
 * database.
 */
#ifndef CONTROLLER_CHASSIS_H
#define CONTROLLER_CHASSIS_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/compiler.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_open_vswitch;
struct sbrec_chassis;
struct sbrec_chassis_private;

/* Most underlay lanes a chassis may have (Encap.lane is 0..15). */
#define CHASSIS_MAX_LANES 16

/* The controller's settings, from Open_vSwitch external_ids. */
struct chassis_config {
    char *system_id;            /* system-id: the chassis name. */
    char *remote;               /* osmotic-remote: SB remote(s). */
    char *encap_type;           /* osmotic-encap-type: "geneve". */
    char *encap_ips[CHASSIS_MAX_LANES]; /* osmotic-encap-ip, by lane. */
    size_t n_encap_ips;         /* Number of lanes. */
    char *datapath_type;        /* osmotic-bridge-datapath-type. */
    char *bridge_mappings;      /* osmotic-bridge-mappings, or NULL:
                                 * "NETWORK:BRIDGE,..." (gateway.h). */
    bool encap_csum;            /* osmotic-encap-csum: tunnels send an
                                 * outer UDP checksum. */
    unsigned int color_sampling; /* osmotic-color-sampling: the elephant
                                  * detector samples one packet in this
                                  * many. */
};

/* Default of osmotic-color-sampling. */
#define CHASSIS_COLOR_SAMPLING_DEFAULT 64

void chassis_config_init(struct chassis_config *);
void chassis_config_destroy(struct chassis_config *);
bool chassis_config_equal(const struct chassis_config *,
                          const struct chassis_config *);
char *chassis_config_parse_encap_ips(struct chassis_config *,
                                     const char *list)
    OVS_WARN_UNUSED_RESULT;
char *chassis_config_parse_encap_csum(struct chassis_config *,
                                      const char *value)
    OVS_WARN_UNUSED_RESULT;
char *chassis_config_parse_color_sampling(struct chassis_config *,
                                          const char *value)
    OVS_WARN_UNUSED_RESULT;
char *chassis_config_from_ovs(struct chassis_config *,
                              const struct ovsrec_open_vswitch *)
    OVS_WARN_UNUSED_RESULT;

const struct sbrec_chassis *chassis_run(struct ovsdb_idl_txn *,
                                        struct ovsdb_idl *sb_idl,
                                        const struct chassis_config *,
                                        const struct sbrec_chassis_private **);
const struct sbrec_chassis *chassis_lookup(struct ovsdb_idl *sb_idl,
                                           const char *name);
bool chassis_cleanup(struct ovsdb_idl_txn *, struct ovsdb_idl *sb_idl,
                     const char *name);

#endif /* controller/chassis.h */
