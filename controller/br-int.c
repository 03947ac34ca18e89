#include <config.h>

#include "controller/br-int.h"

#include <string.h>

#include "controller/chassis.h"

#include "openvswitch/vlog.h"
#include "smap.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(br_int);

/* Returns the integration bridge, or NULL if it does not exist. */
static const struct ovsrec_bridge *
br_int_find(struct ovsdb_idl *ovs_idl)
{
    const struct ovsrec_bridge *br;

    OVSREC_BRIDGE_FOR_EACH (br, ovs_idl) {
        if (!strcmp(br->name, BR_INT_NAME)) {
            return br;
        }
    }
    return NULL;
}

/* Creates br-int in 'txn'. */
static void
br_int_create(struct ovsdb_idl_txn *txn, const struct ovsrec_open_vswitch *ovs,
              const struct chassis_config *cfg)
{
    VLOG_INFO("creating %s (datapath type %s)", BR_INT_NAME,
              cfg->datapath_type);

    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, BR_INT_NAME);
    ovsrec_interface_set_type(iface, "internal");

    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, BR_INT_NAME);
    ovsrec_port_set_interfaces(port, &iface, 1);

    struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);
    ovsrec_bridge_set_name(br, BR_INT_NAME);
    ovsrec_bridge_set_datapath_type(br, cfg->datapath_type);
    ovsrec_bridge_set_fail_mode(br, "secure");
    ovsrec_bridge_set_ports(br, &port, 1);
    const struct smap oc = SMAP_CONST1(&oc, "disable-in-band", "true");
    ovsrec_bridge_set_other_config(br, &oc);
    const struct smap ids = SMAP_CONST1(&ids, "osmotic-owned", "true");
    ovsrec_bridge_set_external_ids(br, &ids);
    ovsrec_open_vswitch_update_bridges_addvalue(ovs, br);
}

/* Returns br-int, creating it in 'txn' (if nonnull) when it is missing.
 * Returns NULL until it exists. */
const struct ovsrec_bridge *
br_int_run(struct ovsdb_idl_txn *txn, struct ovsdb_idl *ovs_idl,
           const struct chassis_config *cfg)
{
    const struct ovsrec_bridge *br = br_int_find(ovs_idl);
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(ovs_idl);

    if (!br && txn && ovs) {
        br_int_create(txn, ovs, cfg);
    }
    return br;
}
