/*
 * The gateway chassis of a router port, as the northbound database
 * configures them.
 *
 * A router port becomes a gateway port (a distributed gateway port, in
 * OVN's words) in one of two ways:
 *
 *   - an HA chassis group: Logical_Router_Port:ha_chassis_group names an
 *     HA_Chassis_Group, whose HA_Chassis rows give chassis names and
 *     priorities (ha-chassis-group-add-chassis);
 *
 *   - Gateway_Chassis rows of its own (lrp-set-gateway-chassis).
 *
 * Both mean the same thing: the chassis, by priority, that can carry the
 * port's traffic, the alive one of highest priority at a time.  When a
 * port has both, the group is in effect and its Gateway_Chassis rows are
 * ignored, as OVN does.  osmotic-northd writes the list in effect to the
 * port's SB Port_Binding:gateway_chassis (northd/gateways.h), so the
 * controllers fail over and announce the same way whichever form set it.
 *
 * nb_lrp_gateways() gives that list.  A port whose list is empty (an HA
 * chassis group without chassis, and no group and no Gateway_Chassis) is
 * an ordinary router port; nb_lrp_names_gateway() tells whether a port
 * was configured as a gateway port at all, which is what NAT commands
 * check, as ovn-nbctl does.
 *
 * nb_ha_group_chassis() gives the chassis of an HA chassis group as an
 * open transaction leaves them: ha-chassis-group-add-chassis and
 * -remove-chassis change them with mutations, which the group's parsed
 * 'ha_chassis' shows only after commit, so later commands of a batch and
 * the validation before commit read them through it.
 */
#ifndef OSMOTIC_NB_GATEWAYS_H
#define OSMOTIC_NB_GATEWAYS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nbrec_ha_chassis;
struct nbrec_ha_chassis_group;
struct nbrec_logical_router_port;
struct ovsdb_idl;

/* One chassis of a gateway port's list.  'chassis_name' points into the
 * IDL row it came from. */
struct nb_gateway {
    const char *chassis_name;
    int64_t priority;
};

size_t nb_lrp_gateways(const struct nbrec_logical_router_port *,
                       struct nb_gateway **gateways);
size_t nb_lrp_n_gateways(const struct nbrec_logical_router_port *);
bool nb_lrp_names_gateway(const struct nbrec_logical_router_port *);
const struct nbrec_ha_chassis **nb_ha_group_chassis(
    struct ovsdb_idl *, const struct nbrec_ha_chassis_group *, size_t *n);

#endif /* lib/nb-gateways.h */
