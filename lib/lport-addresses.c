#include <config.h>

#include "lib/lport-addresses.h"

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

#include "openvswitch/util.h"
#include "socket-util.h"
#include "util.h"

/* Parses 's' as an Ethernet address "xx:xx:xx:xx:xx:xx" into '*ea'.  A
 * multicast address is refused: no port can own one. */
char *
lport_parse_mac(const char *s, struct eth_addr *ea)
{
    if (!eth_addr_from_string(s, ea)) {
        return xasprintf("%s: invalid MAC address "
                         "(expected xx:xx:xx:xx:xx:xx)", s);
    }
    if (eth_addr_is_multicast(*ea)) {
        return xasprintf("%s: MAC address is multicast", s);
    }
    return NULL;
}

/* Parses 's' as an IPv4 or IPv6 address, with a "/PLEN" suffix only if
 * 'allow_prefix'.  Stores the result in '*ipv4' or '*ipv6' and sets
 * '*is_ipv6_out' to say which. */
char *
lport_parse_ip(const char *s, bool allow_prefix, bool is_ipv6_out[1],
               struct lport_ipv4 *ipv4, struct lport_ipv6 *ipv6)
{
    bool has_slash = strchr(s, '/') != NULL;
    if (has_slash && !allow_prefix) {
        return xasprintf("%s: a prefix length is not allowed here", s);
    }

    /* inet_pton() is strict about each octet, unlike a scanf()-based
     * parser that would wrap "10.0.0.300" into a valid-looking address. */
    char *addr = xstrdup(s);
    char *slash = strchr(addr, '/');
    unsigned int plen = UINT_MAX;
    if (slash) {
        *slash = '\0';
        if (!str_to_uint(slash + 1, 10, &plen)) {
            free(addr);
            return xasprintf("%s: invalid prefix length", s);
        }
    }

    bool ok = false;
    if (inet_pton(AF_INET, addr, &ipv4->addr) == 1) {
        *is_ipv6_out = false;
        ipv4->plen = slash ? plen : 32;
        ok = ipv4->plen <= 32;
    } else if (inet_pton(AF_INET6, addr, &ipv6->addr) == 1) {
        *is_ipv6_out = true;
        ipv6->plen = slash ? plen : 128;
        ok = ipv6->plen <= 128;
    }
    free(addr);
    if (ok) {
        return NULL;
    }
    return xasprintf("%s: invalid IP address", s);
}

/* Validates 's' as an IPv4 or IPv6 "ADDRESS/PLEN" (a bare address means
 * a host prefix).  If 'require_network', host bits must be zero, as in a
 * route's prefix. */
char *
lport_parse_cidr(const char *s, bool require_network)
{
    struct lport_ipv4 ipv4;
    struct lport_ipv6 ipv6;
    bool is_ipv6;
    char *error = lport_parse_ip(s, true, &is_ipv6, &ipv4, &ipv6);
    if (error) {
        free(error);
        return xasprintf("%s: invalid CIDR (expected ADDRESS/PLEN)", s);
    }
    if (require_network) {
        bool host_bits;
        if (is_ipv6) {
            struct in6_addr mask = ipv6_create_mask(ipv6.plen);
            struct in6_addr net = ipv6_addr_bitand(&ipv6.addr, &mask);
            host_bits = !ipv6_addr_equals(&net, &ipv6.addr);
        } else {
            host_bits = (ipv4.addr & ~be32_prefix_mask(ipv4.plen)) != 0;
        }
        if (host_bits) {
            return xasprintf("%s: CIDR has host bits set beyond the "
                             "prefix length", s);
        }
    }
    return NULL;
}

/* Parses 's', "MAC [IP...]", into '*laddrs'.  IP addresses may carry a
 * "/PLEN" only if 'allow_prefix'. */
char *
lport_addresses_parse(const char *s, bool allow_prefix,
                      struct lport_addresses *laddrs)
{
    memset(laddrs, 0, sizeof *laddrs);

    char *copy = xstrdup(s);
    char *save_ptr = NULL;
    char *error = NULL;
    char *token = strtok_r(copy, " \t", &save_ptr);
    if (!token) {
        error = xstrdup("empty address (expected \"MAC [IP...]\")");
        goto out;
    }
    error = lport_parse_mac(token, &laddrs->ea);
    if (error) {
        goto out;
    }

    size_t alloc4 = 0, alloc6 = 0;
    while ((token = strtok_r(NULL, " \t", &save_ptr)) != NULL) {
        struct lport_ipv4 ipv4;
        struct lport_ipv6 ipv6;
        bool is_ipv6;
        error = lport_parse_ip(token, allow_prefix, &is_ipv6, &ipv4, &ipv6);
        if (error) {
            goto out;
        }
        if (is_ipv6) {
            if (laddrs->n_ipv6 >= alloc6) {
                laddrs->ipv6 = x2nrealloc(laddrs->ipv6, &alloc6,
                                          sizeof *laddrs->ipv6);
            }
            laddrs->ipv6[laddrs->n_ipv6++] = ipv6;
        } else {
            if (laddrs->n_ipv4 >= alloc4) {
                laddrs->ipv4 = x2nrealloc(laddrs->ipv4, &alloc4,
                                          sizeof *laddrs->ipv4);
            }
            laddrs->ipv4[laddrs->n_ipv4++] = ipv4;
        }
    }

out:
    free(copy);
    if (error) {
        lport_addresses_destroy(laddrs);
        memset(laddrs, 0, sizeof *laddrs);
    }
    return error;
}

void
lport_addresses_destroy(struct lport_addresses *laddrs)
{
    if (laddrs) {
        free(laddrs->ipv4);
        free(laddrs->ipv6);
    }
}

/* Validates one entry of Logical_Switch_Port "addresses". */
char *
lsp_addresses_validate(const char *s)
{
    if (!strcmp(s, "unknown") || !strcmp(s, "dynamic")
        || !strcmp(s, "router")) {
        return NULL;
    }

    /* "MAC dynamic": a fixed MAC with an allocated IP. */
    size_t len = strlen(s);
    const char *suffix = " dynamic";
    size_t slen = strlen(suffix);
    if (len > slen && !strcmp(s + len - slen, suffix)) {
        char *mac = xmemdup0(s, len - slen);
        struct eth_addr ea;
        char *error = lport_parse_mac(mac, &ea);
        free(mac);
        return error;
    }

    struct lport_addresses laddrs;
    char *error = lport_addresses_parse(s, false, &laddrs);
    lport_addresses_destroy(&laddrs);
    return error;
}

/* Validates one entry of Logical_Switch_Port "port_security". */
char *
lsp_port_security_validate(const char *s)
{
    struct lport_addresses laddrs;
    char *error = lport_addresses_parse(s, true, &laddrs);
    lport_addresses_destroy(&laddrs);
    return error;
}

/* Validates one Logical_Router_Port network, "IP/PLEN". */
char *
lrp_networks_validate(const char *s)
{
    if (!strchr(s, '/')) {
        return xasprintf("%s: network must be ADDRESS/PLEN", s);
    }
    return lport_parse_cidr(s, false);
}
