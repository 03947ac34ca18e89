/*
 * The active gateway of a ramp-out rule names itself in the southbound
 * database.
 *
 * Every controller chooses a rule's active gateway for itself, from BFD
 * on its tunnels (controller/gateway.h), and moves the rule's traffic at
 * once; the database hears of it from the gateway that becomes active:
 * when this chassis is in a rule's list and finds itself the alive
 * chassis of highest priority, it writes its name into the rule's SB
 * Rampout row (active_chassis), unless the row names it already.
 * osmotic-northd keeps that name while it names a registered chassis of
 * the rule's list (northd/gateways.h) and copies it to the NB rule, so
 * "osmotic-sbctl show" and "osmotic-nbctl rampout-list" name the gateway
 * the traffic leaves by, also after a failover that only BFD noticed.
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

struct gateway_claims *gateway_claims_create(void);
void gateway_claims_destroy(struct gateway_claims *);
void gateway_claims_run(struct gateway_claims *, struct ovsdb_idl *sb_idl,
                        struct ovsdb_idl_txn *sb_txn, const char *self,
                        const struct encaps_ports *tunnels);

#endif /* controller/gateway-claim.h */
