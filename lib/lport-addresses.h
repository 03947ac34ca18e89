/*
 * Parsing of the address strings that logical ports carry.
 *
 * A Logical_Switch_Port "addresses" entry is "MAC [IP...]" (or one of the
 * keywords "unknown", "dynamic", "router", or "MAC dynamic"); a
 * "port_security" entry is "MAC [IP[/PLEN]...]"; a Logical_Router_Port
 * has a MAC and "IP/PLEN" networks.  These functions check and decode
 * them with Open vSwitch's own MAC and IP parsers.
 *
 * Error contract: every parse function returns NULL on success or a
 * malloc()'d message that names the offending token, which the caller
 * must free().  On error the output structure is left empty (nothing to
 * destroy), so callers may return early.
 */
#ifndef LPORT_ADDRESSES_H
#define LPORT_ADDRESSES_H 1

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include "openvswitch/compiler.h"
#include "openvswitch/types.h"
#include "packets.h"

/* One IPv4 address with its prefix length (32 when none was given). */
struct lport_ipv4 {
    ovs_be32 addr;              /* Address, host bits as written. */
    unsigned int plen;          /* Prefix length, 0..32. */
};

/* One IPv6 address with its prefix length (128 when none was given). */
struct lport_ipv6 {
    struct in6_addr addr;       /* Address, host bits as written. */
    unsigned int plen;          /* Prefix length, 0..128. */
};

/* A MAC with the IP addresses that go with it. */
struct lport_addresses {
    struct eth_addr ea;         /* Ethernet address. */
    struct lport_ipv4 *ipv4;    /* Array of 'n_ipv4' IPv4 addresses. */
    size_t n_ipv4;
    struct lport_ipv6 *ipv6;    /* Array of 'n_ipv6' IPv6 addresses. */
    size_t n_ipv6;
};

char *lport_parse_mac(const char *s, struct eth_addr *ea)
    OVS_WARN_UNUSED_RESULT;
char *lport_parse_ip(const char *s, bool allow_prefix, bool is_ipv6_out[1],
                     struct lport_ipv4 *ipv4, struct lport_ipv6 *ipv6)
    OVS_WARN_UNUSED_RESULT;
char *lport_parse_cidr(const char *s, bool require_network)
    OVS_WARN_UNUSED_RESULT;

char *lport_addresses_parse(const char *s, bool allow_prefix,
                            struct lport_addresses *)
    OVS_WARN_UNUSED_RESULT;
void lport_addresses_destroy(struct lport_addresses *);

char *lsp_addresses_validate(const char *s) OVS_WARN_UNUSED_RESULT;
char *lsp_port_security_validate(const char *s) OVS_WARN_UNUSED_RESULT;
char *lrp_networks_validate(const char *s) OVS_WARN_UNUSED_RESULT;

#endif /* lib/lport-addresses.h */
