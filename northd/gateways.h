/*
 * Gateways: the gateway chassis of router ports (an HA chassis group or
 * Gateway_Chassis rows, lib/nb-gateways.h) -> SB
 * Port_Binding:gateway_chassis, and NB Rampout_Rule -> SB Rampout.
 *
 * Both are small (a few gateway ports and rules per router), so
 * nd_gateways_sync() compares all of them with SB on every run and
 * writes only the differences.  A Rampout row's active_chassis is the
 * one the active gateway claims: each controller watches the tunnels to
 * the gateways (BFD) and moves traffic on its own as soon as a gateway
 * stops answering, and the gateway that becomes active writes its name
 * (controller/gateway-claim.h).  northd keeps that name while it is a
 * registered chassis of the rule's list, and otherwise writes the
 * registered one of highest priority.  nd_gateways_sync_nb() copies it to
 * the NB rule's status:active-chassis, which "osmotic-nbctl rampout-list"
 * prints, or for a colour's own gateways (below) to the NB colour's
 * status:active-chassis:ROUTER, which "osmotic-nbctl color-list" prints
 * ("osmotic-sbctl show" prints the SB row).
 *
 * A colour's own gateways (NB Color:rampout_chassis) are a ramp-out of
 * every router with a gateway port: an SB Rampout row "ROUTER/color:COLOR"
 * for every source of that colour, below every rule of the router (a rule
 * that matches a packet's source is more specific), with the colour's
 * options:snat_ip or else, like a rule without one, the router's NAT
 * rules.  Its chassis list is the colour's, the first preferred.  Rows of
 * both kinds are numbered together (lib/rampout.h), by
 * nd_rampouts_of_router(), which the router's logical flows use too.
 */
#ifndef NORTHD_GATEWAYS_H
#define NORTHD_GATEWAYS_H 1

#include <stdbool.h>
#include <stddef.h>

struct nbrec_color;
struct nbrec_logical_router;
struct nbrec_rampout_rule;
struct nd_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_txn;

/* One ramp-out of a router: a ramp-out rule, or a colour's gateways. */
struct nd_rampout {
    char *name;                 /* Within the router: the rule's name, or
                                 * RAMPOUT_COLOR_PREFIX and the colour's. */
    const struct nbrec_rampout_rule *rule;  /* NULL for a colour's. */
    const struct nbrec_color *color;        /* The colour it applies to,
                                             * or NULL for every colour. */
    const char *snat_ip;        /* Its SNAT address, or NULL for the
                                 * router's NAT rules. */
};

bool nd_router_has_gateway_port(const struct nbrec_logical_router *);
struct nd_rampout *nd_rampouts_of_router(const struct nbrec_logical_router *,
                                         struct ovsdb_idl *nb_idl,
                                         size_t *n);
void nd_rampouts_destroy(struct nd_rampout *, size_t n);

void nd_gateways_sync(const struct nd_datapaths *, struct ovsdb_idl *nb_idl,
                      struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *);
void nd_gateways_sync_nb(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl);

#endif /* northd/gateways.h */
