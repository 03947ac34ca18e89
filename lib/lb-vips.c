#include <config.h>

#include "lib/lb-vips.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Parses 's', the port of an endpoint ("" for none), into '*port'. */
static bool
parse_port(const char *s, uint16_t *port)
{
    int value;
    if (!*s) {
        *port = 0;
        return true;
    } else if (!str_to_int(s, 10, &value) || value < 0 || value > 65535) {
        return false;
    }
    *port = value;
    return true;
}

/* Parses 's', "IP", "IP:PORT", "[IPv6]", "[IPv6]:PORT" or a bare IPv6
 * address, into '*e'.  "IP:" and a zero port mean no port.  Returns false
 * if 's' is none of these. */
bool
lb_endpoint_parse(const char *s, struct lb_endpoint *e)
{
    char *copy = xstrdup(s);
    char *host = copy;
    const char *port = "";
    bool ok = false;

    memset(e, 0, sizeof *e);
    if (copy[0] == '[') {
        char *close = strchr(copy, ']');
        if (!close || (close[1] && close[1] != ':')) {
            goto out;
        }
        *close = '\0';
        host = copy + 1;
        if (close[1] == ':') {
            port = close + 2;
        }
        e->is_ipv6 = true;
    } else {
        char *colon = strchr(copy, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* Several colons without brackets: an IPv6 address alone. */
            e->is_ipv6 = true;
        } else if (colon) {
            *colon = '\0';
            port = colon + 1;
        }
    }

    if (e->is_ipv6) {
        ok = ipv6_parse(host, &e->ip);
    } else {
        ovs_be32 ip4;
        ok = ip_parse(host, &ip4);
        in6_addr_set_mapped_ipv4(&e->ip, ip4);
    }
    ok = ok && parse_port(port, &e->port);
out:
    free(copy);
    return ok;
}

/* Appends the canonical text of 'e' to 's'. */
void
lb_endpoint_format(const struct lb_endpoint *e, struct ds *s)
{
    char buf[INET6_ADDRSTRLEN];
    if (e->is_ipv6) {
        inet_ntop(AF_INET6, &e->ip, buf, sizeof buf);
        ds_put_format(s, e->port ? "[%s]" : "%s", buf);
    } else {
        ds_put_format(s, IP_FMT, IP_ARGS(in6_addr_get_mapped_ipv4(&e->ip)));
    }
    if (e->port) {
        ds_put_format(s, ":%"PRIu16, e->port);
    }
}

/* Checks 'vip' and its comma-separated 'backends'.  On success returns
 * NULL and stores their canonical texts in '*vipp' and '*backendsp' and
 * whether the VIP has a port in '*has_portp'.  Otherwise returns the error,
 * naming every bad backend, and stores NULLs. */
char *
lb_vip_normalize(const char *vip, const char *backends, char **vipp,
                 char **backendsp, bool *has_portp)
{
    struct lb_endpoint v;
    *vipp = *backendsp = NULL;
    *has_portp = false;
    if (!lb_endpoint_parse(vip, &v)) {
        return xasprintf("%s: should be an IP address (or an IP address and "
                         "a port number with : as a separator).", vip);
    }

    struct ds vip_text = DS_EMPTY_INITIALIZER;
    lb_endpoint_format(&v, &vip_text);

    struct ds errors = DS_EMPTY_INITIALIZER;
    struct ds out = DS_EMPTY_INITIALIZER;
    char *copy = xstrdup(backends);
    char *save_ptr = NULL;
    for (char *b = strtok_r(copy, ",", &save_ptr); b;
         b = strtok_r(NULL, ",", &save_ptr)) {
        struct lb_endpoint e;
        const char *problem = NULL;
        if (!lb_endpoint_parse(b, &e)) {
            problem = (v.port ? "should be an IP address and a port number "
                       "with : as a separator" : "should be an IP address");
        } else if (e.is_ipv6 != v.is_ipv6) {
            ds_put_format(&errors, "%s: IP address family is different "
                          "from VIP ", b);
            /* The VIP's address, without its port or brackets. */
            struct lb_endpoint bare = v;
            bare.port = 0;
            lb_endpoint_format(&bare, &errors);
            ds_put_cstr(&errors, ", ");
            continue;
        } else if (v.port && !e.port) {
            problem = ("should be an IP address and a port number with : as "
                       "a separator");
        } else if (!v.port && e.port) {
            problem = "should be an IP address";
        }
        if (problem) {
            ds_put_format(&errors, "%s: %s, ", b, problem);
            continue;
        }
        if (out.length) {
            ds_put_char(&out, ',');
        }
        lb_endpoint_format(&e, &out);
    }
    free(copy);

    if (errors.length) {
        ds_chomp(&errors, ' ');
        ds_chomp(&errors, ',');
        ds_put_char(&errors, '.');
        ds_destroy(&vip_text);
        ds_destroy(&out);
        return ds_steal_cstr(&errors);
    }
    ds_destroy(&errors);
    *vipp = ds_steal_cstr(&vip_text);
    *backendsp = ds_steal_cstr(&out);
    *has_portp = v.port != 0;
    return NULL;
}

/* Parses 'value', the mapping of backend address 'backend_ip' in
 * Load_Balancer:ip_port_mappings, into '*m' (which the caller destroys
 * with lb_ip_port_mapping_destroy() on success).  The source address must
 * be of the backend's family.  Returns NULL, or an error naming what is
 * wrong (and '*m' is left empty). */
char *
lb_ip_port_mapping_parse(const char *backend_ip, const char *value,
                         struct lb_ip_port_mapping *m)
{
    struct lb_endpoint be;
    memset(m, 0, sizeof *m);
    if (!lb_endpoint_parse(backend_ip, &be) || be.port
        || backend_ip[0] == '[') {
        return xasprintf("%s: should be a backend's IP address", backend_ip);
    }

    const char *colon = strchr(value, ':');
    if (!colon || colon == value) {
        return xasprintf("%s=%s: should be LOGICAL_PORT:SOURCE_IP",
                         backend_ip, value);
    }
    const char *src = colon + 1;
    char *src_copy;
    if (be.is_ipv6) {
        size_t len = strlen(src);
        if (len < 3 || src[0] != '[' || src[len - 1] != ']') {
            return xasprintf("%s=%s: an IPv6 backend's source address "
                             "should be in brackets: LOGICAL_PORT:[IPv6]",
                             backend_ip, value);
        }
        src_copy = xmemdup0(src + 1, len - 2);
    } else {
        src_copy = xstrdup(src);
    }

    char *error = NULL;
    ovs_be32 ip4;
    if (be.is_ipv6 ? inet_pton(AF_INET6, src_copy, &m->src_ip) != 1
        : !ip_parse(src_copy, &ip4)) {
        error = xasprintf("%s=%s: %s: should be an %s address", backend_ip,
                          value, src_copy, be.is_ipv6 ? "IPv6" : "IPv4");
    } else {
        if (!be.is_ipv6) {
            in6_addr_set_mapped_ipv4(&m->src_ip, ip4);
        }
        m->logical_port = xmemdup0(value, colon - value);
    }
    free(src_copy);
    return error;
}

void
lb_ip_port_mapping_destroy(struct lb_ip_port_mapping *m)
{
    if (m) {
        free(m->logical_port);
        m->logical_port = NULL;
    }
}

/* Parses 'value', options:lb_force_snat_ip, into '*fs'.  Returns NULL, or
 * an error naming what is wrong ('*fs' then holds nothing to free). */
char *
lb_force_snat_parse(const char *value, struct lb_force_snat *fs)
{
    memset(fs, 0, sizeof *fs);
    char *copy = xstrdup(value);
    char *save_ptr = NULL;
    char *error = NULL;
    size_t n = 0;
    for (char *word = strtok_r(copy, " ", &save_ptr); word && !error;
         word = strtok_r(NULL, " ", &save_ptr), n++) {
        ovs_be32 ip4;
        struct in6_addr ip6;
        char buf[INET6_ADDRSTRLEN];
        if (!strcmp(word, "router_ip")) {
            fs->router_ip = true;
        } else if (ip_parse(word, &ip4)) {
            if (fs->ip4) {
                error = xasprintf("\"%s\": more than one IPv4 address",
                                  value);
            } else {
                fs->ip4 = xasprintf(IP_FMT, IP_ARGS(ip4));
            }
        } else if (ipv6_parse(word, &ip6)) {
            if (fs->ip6) {
                error = xasprintf("\"%s\": more than one IPv6 address",
                                  value);
            } else {
                fs->ip6 = xstrdup(inet_ntop(AF_INET6, &ip6, buf,
                                            sizeof buf));
            }
        } else {
            error = xasprintf("\"%s\": %s is neither router_ip nor an IP "
                              "address", value, word);
        }
    }
    if (!error && !n) {
        error = xasprintf("\"%s\": router_ip or one IPv4 address and one "
                          "IPv6 address at most", value);
    } else if (!error && fs->router_ip && n > 1) {
        error = xasprintf("\"%s\": router_ip stands alone", value);
    }
    free(copy);
    if (error) {
        lb_force_snat_destroy(fs);
    }
    return error;
}

void
lb_force_snat_destroy(struct lb_force_snat *fs)
{
    if (fs) {
        free(fs->ip4);
        free(fs->ip6);
        fs->ip4 = fs->ip6 = NULL;
        fs->router_ip = false;
    }
}
