/*
 * Load balancer VIPs and backends: parsing, checking and canonical text.
 *
 * A Load_Balancer row maps each VIP, "IP", "IP:PORT" or "[IPv6]:PORT", to
 * its backends, a comma-separated list of endpoints of the same form: with
 * a port exactly when the VIP has one, of the VIP's address family.  Empty
 * list entries (",,a,,b") are ignored.  A bare IPv6 address may also be
 * written without brackets when it has no port, and "IP:" is "IP" (no
 * port), as ovn-nbctl reads them.
 *
 * lb_vip_normalize() checks a VIP and its backends and returns their
 * canonical text: addresses as inet_ntop(3) writes them, IPv6 in brackets
 * when there is a port, no empty entries.  Two VIPs are the same exactly
 * when their canonical texts are equal.  Its errors are those of
 * ovn-nbctl, e.g. "30.0.0.1a: should be an IP address (or an IP address
 * and a port number with : as a separator)."
 *
 * Ownership: every char * returned, or stored through a char ** argument,
 * is malloc()'d and belongs to the caller.
 */
#ifndef LB_VIPS_H
#define LB_VIPS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "openvswitch/compiler.h"

struct ds;

/* An IP address with an optional port. */
struct lb_endpoint {
    struct in6_addr ip;         /* IPv4 as an IPv4-mapped address. */
    bool is_ipv6;               /* Address family. */
    uint16_t port;              /* Port, 0 if none. */
};

bool lb_endpoint_parse(const char *s, struct lb_endpoint *);
void lb_endpoint_format(const struct lb_endpoint *, struct ds *);

/* A backend's health check mapping (Load_Balancer:ip_port_mappings): the
 * logical port the backend is on and the address the probes come from,
 * "PORT:SRC_IP" for an IPv4 backend, "PORT:[SRC_IPv6]" for an IPv6 one. */
struct lb_ip_port_mapping {
    char *logical_port;         /* malloc()'d. */
    struct in6_addr src_ip;     /* IPv4 as an IPv4-mapped address. */
};

char *lb_ip_port_mapping_parse(const char *backend_ip, const char *value,
                               struct lb_ip_port_mapping *)
    OVS_WARN_UNUSED_RESULT;
void lb_ip_port_mapping_destroy(struct lb_ip_port_mapping *);

char *lb_vip_normalize(const char *vip, const char *backends,
                       char **vipp, char **backendsp, bool *has_portp)
    OVS_WARN_UNUSED_RESULT;

/* A router's forced SNAT of its load-balanced connections
 * (Logical_Router options:lb_force_snat_ip), as in OVN: "router_ip" (the
 * address of the router port toward the backend, of the connection's
 * family), or an IPv4 address, an IPv6 address or one of each, separated
 * by spaces. */
struct lb_force_snat {
    bool router_ip;
    char *ip4, *ip6;            /* Canonical text, or NULL. */
};

char *lb_force_snat_parse(const char *value, struct lb_force_snat *)
    OVS_WARN_UNUSED_RESULT;
void lb_force_snat_destroy(struct lb_force_snat *);

#endif /* lib/lb-vips.h */
