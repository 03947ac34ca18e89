/*
 * Compiling a match of the northbound database (an ACL's, a flow
 * class's, a routing policy's) for one logical switch or router.
 *
 * The match compiler (lib/expr-compile.h) resolves names through
 * callbacks; this module answers them from the northbound database, the
 * same way for every feature that compiles matches, and declares the
 * dependencies of the owner being built (northd/owners.h) on what it
 * read, so that the owner is rebuilt when any of it changes:
 *
 *   - "inport == NAME": the tunnel key of the datapath's port NAME, a
 *     Logical_Switch_Port of a switch or a Logical_Router_Port of a
 *     router (a dependency on the name, found or not);
 *
 *   - "@PG": the keys of port group PG's ports on the switch (on the
 *     group's name and row);
 *
 *   - "$AS": the addresses of address set AS or, when no address set has
 *     that name and it ends in "_ip4" or "_ip6", the IPv4 or IPv6
 *     addresses of the ports of the port group it names ("$pg_ip4"), on
 *     every switch, as in OVN (on the names, and on the rows of the set,
 *     or of the group and its ports).
 *
 * An owner kind that uses this module must list Logical_Switch_Port (for
 * a router: Logical_Router_Port too), Port_Group and Address_Set, with
 * their name columns, among its dependency tables.
 */
#ifndef NORTHD_NB_MATCH_H
#define NORTHD_NB_MATCH_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/compiler.h"

struct expr;
struct nd_build_ctx;
struct nd_datapath;
struct svec;

char *nd_match_compile(struct nd_build_ctx *, const struct nd_datapath *od,
                       const struct expr *, size_t max_flows, char **match)
    OVS_WARN_UNUSED_RESULT;
char *nd_match_compile_string(struct nd_build_ctx *,
                              const struct nd_datapath *od, const char *text,
                              size_t max_flows, char **match)
    OVS_WARN_UNUSED_RESULT;
char *nd_match_compile_string_sets(struct nd_build_ctx *,
                                   const struct nd_datapath *od,
                                   const char *text, size_t max_flows,
                                   char **match)
    OVS_WARN_UNUSED_RESULT;
bool nd_match_address_set(struct nd_build_ctx *, const char *name,
                          struct svec *addresses);
struct nbrec_port_group;
void nd_match_pg_addresses(struct nd_build_ctx *,
                           const struct nbrec_port_group *, bool ipv6,
                           struct svec *addresses);

#endif /* northd/nb-match.h */
