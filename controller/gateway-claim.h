/*
 * The active gateway of a ramp-out rule or a gateway port names itself
 * in the southbound database.
 *
 * Every controller chooses the active gateway of each rule and gateway
 * port for itself, from BFD on its tunnels (controller/gateway.h), and
 * moves the traffic at once; the database hears of it from the gateway
 * that becomes active: when this chassis is in the list and finds itself
 * the alive chassis of highest rank, it writes itself into the rule's SB
 * Rampout row (active_chassis) or into the gateway port's Port_Binding
 * (chassis, as OVN's active gateway binds the chassisredirect port),
 * unless the row names it already.  osmotic-northd keeps that name while
 * it names a registered chassis of the list (northd/gateways.h) and
 * copies a rule's to the NB rule, so "osmotic-sbctl show" and
 * "osmotic-nbctl rampout-list" name the gateway the traffic leaves by,
 * also after a failover that only BFD noticed.
 *
 * Two gateways that cannot see each other but both see the underlay (a
 * split) both find themselves active; each claims a row at most once a
 * second, so that they take turns instead of rewriting it without end,
 * and the controller logs the dispute.
 */
#ifndef CONTROLLER_GATEWAY_CLAIM_H
#define CONTROLLER_GATEWAY_CLAIM_H 1

struct encaps_ports;
struct gateway_claims;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct sbrec_chassis;

struct gateway_claims *gateway_claims_create(void);
void gateway_claims_destroy(struct gateway_claims *);
void gateway_claims_run(struct gateway_claims *, struct ovsdb_idl *sb_idl,
                        struct ovsdb_idl_txn *sb_txn,
                        const struct sbrec_chassis *,
                        const struct encaps_ports *tunnels);

#endif /* controller/gateway-claim.h */
