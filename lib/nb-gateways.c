#include <config.h>

#include "lib/nb-gateways.h"

#include "lib/osmotic-nb-idl.h"
#include "util.h"

/* Returns the number of chassis in the gateway chassis list in effect for
 * 'lrp' (see the comment at the top of lib/nb-gateways.h): those of its
 * HA chassis group if it has one, otherwise those of its Gateway_Chassis
 * rows.  Zero means that 'lrp' is not a gateway port. */
size_t
nb_lrp_n_gateways(const struct nbrec_logical_router_port *lrp)
{
    return (lrp->ha_chassis_group
            ? lrp->ha_chassis_group->n_ha_chassis
            : lrp->n_gateway_chassis);
}

/* Stores in '*gateways' a newly allocated array of the chassis in the
 * gateway chassis list in effect for 'lrp', in no particular order, and
 * returns their number (possibly zero, with a non-NULL array all the
 * same).  The caller frees the array; the names in it belong to the IDL
 * rows and last as long as they do. */
size_t
nb_lrp_gateways(const struct nbrec_logical_router_port *lrp,
                struct nb_gateway **gateways)
{
    size_t n = nb_lrp_n_gateways(lrp);
    struct nb_gateway *gws = xcalloc(n + 1, sizeof *gws);
    for (size_t i = 0; i < n; i++) {
        if (lrp->ha_chassis_group) {
            const struct nbrec_ha_chassis *hc
                = lrp->ha_chassis_group->ha_chassis[i];
            gws[i].chassis_name = hc->chassis_name;
            gws[i].priority = hc->priority;
        } else {
            const struct nbrec_gateway_chassis *gc = lrp->gateway_chassis[i];
            gws[i].chassis_name = gc->chassis_name;
            gws[i].priority = gc->priority;
        }
    }
    *gateways = gws;
    return n;
}

/* Returns true if 'lrp' is configured as a gateway port: it names an HA
 * chassis group (with chassis or not yet) or has Gateway_Chassis rows. */
bool
nb_lrp_names_gateway(const struct nbrec_logical_router_port *lrp)
{
    return lrp->ha_chassis_group || lrp->n_gateway_chassis;
}
