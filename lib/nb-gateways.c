#include <config.h>

#include "lib/nb-gateways.h"

#include "lib/idl-pending.h"
#include "lib/osmotic-nb-idl.h"
#include "ovsdb-data.h"
#include "ovsdb-idl-provider.h"
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

/* Returns the chassis of HA chassis group 'group' of 'idl' as the
 * transaction open on 'idl' (if any) leaves them, counting the chassis
 * that it added to or removed from the group with mutations, in a
 * malloc()'d array with room for at least one more, and stores their
 * number in '*n'.  Only the rows that 'idl' replicates are included. */
const struct nbrec_ha_chassis **
nb_ha_group_chassis(struct ovsdb_idl *idl,
                    const struct nbrec_ha_chassis_group *group, size_t *n)
{
    const struct ovsdb_idl_column *col
        = &nbrec_ha_chassis_group_col_ha_chassis;
    struct ovsdb_datum datum;
    idl_pending_read_set(&group->header_, col, &datum);
    const struct nbrec_ha_chassis **hcs = xmalloc((datum.n + 1)
                                                  * sizeof *hcs);
    *n = 0;
    for (size_t i = 0; i < datum.n; i++) {
        const struct nbrec_ha_chassis *hc
            = nbrec_ha_chassis_get_for_uuid(idl, &datum.keys[i].uuid);
        if (hc && hc->header_.new_datum) {
            hcs[(*n)++] = hc;
        }
    }
    ovsdb_datum_destroy(&datum, &col->type);
    return hcs;
}
