#include <config.h>

#include "northd/nat-addresses.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lport-addresses.h"
#include "lib/nb-gateways.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "northd/datapaths.h"
#include "northd/router-ports.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "sset.h"
#include "util.h"

/* Returns true if 'lrp' has 'ip' among the addresses of its networks. */
static bool
lrp_has_address(const struct nbrec_logical_router_port *lrp, ovs_be32 ip)
{
    for (size_t i = 0; i < lrp->n_networks; i++) {
        ovs_be32 addr;
        unsigned int plen;
        char *error = ip_parse_cidr(lrp->networks[i], &addr, &plen);
        if (error) {
            free(error);
        } else if (addr == ip) {
            return true;
        }
    }
    return false;
}

/* qsort() comparison of two IPv4 addresses, in ascending order. */
static int
ip_cmp(const void *a_, const void *b_)
{
    uint32_t a = ntohl(*(const ovs_be32 *) a_);
    uint32_t b = ntohl(*(const ovs_be32 *) b_);
    return a < b ? -1 : a > b;
}

/* Returns the strings of Port_Binding:nat_addresses for port 'lrp' of
 * router 'lr' (see northd/nat-addresses.h) in 'out' (none or one), which
 * the caller destroys. */
static void
nat_addresses_of_port(const struct nbrec_logical_router *lr,
                      const struct nbrec_logical_router_port *lrp,
                      struct sset *out)
{
    struct eth_addr mac;
    char *error;
    if (lr_is_disabled(lr) || (lrp->n_enabled && !lrp->enabled[0])
        || !nb_lrp_n_gateways(lrp)) {
        return;
    }
    error = lport_parse_mac(lrp->mac, &mac);
    if (error) {
        free(error);
        return;
    }

    /* The addresses the gateway answers ARP for as NAT addresses
     * (northd/lflow-router.c: an external address that is an IPv4
     * address without a prefix length). */
    ovs_be32 *ips = xcalloc(lr->n_nat + 1, sizeof *ips);
    size_t n = 0;
    for (size_t i = 0; i < lr->n_nat; i++) {
        struct lport_ipv4 ip4;
        struct lport_ipv6 ip6;
        bool v6;
        error = lport_parse_ip(lr->nat[i]->external_ip, false, &v6, &ip4,
                               &ip6);
        if (error) {
            free(error);
            continue;
        }
        if (v6 || lrp_has_address(lrp, ip4.addr)) {
            continue;
        }
        size_t j;
        for (j = 0; j < n && ips[j] != ip4.addr; j++) {
            continue;
        }
        if (j == n) {
            ips[n++] = ip4.addr;
        }
    }
    /* In ascending order, so that the same rules give the same string. */
    qsort(ips, n, sizeof *ips, ip_cmp);
    if (n) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
        for (size_t i = 0; i < n; i++) {
            ds_put_format(&s, " "IP_FMT, IP_ARGS(ips[i]));
        }
        sset_add(out, ds_cstr(&s));
        ds_destroy(&s);
    }
    free(ips);
}

/* Returns true if SB's 'values' (of 'n') are the strings of 'set'. */
static bool
nat_addresses_equal(char **values, size_t n, const struct sset *set)
{
    if (n != sset_count(set)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!sset_contains(set, values[i])) {
            return false;
        }
    }
    return true;
}

/* Writes Port_Binding:nat_addresses of every router port. */
void
nd_nat_addresses_sync(const struct nd_datapaths *dps,
                      struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl)
{
    if (!sbrec_server_has_port_binding_table_col_nat_addresses(sb_idl)) {
        return;
    }
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, nb_idl) {
        for (size_t i = 0; i < lr->n_ports; i++) {
            const struct nbrec_logical_router_port *lrp = lr->ports[i];
            const struct nd_port *op = nd_port_find(dps, &lrp->header_.uuid);
            const struct sbrec_port_binding *pb
                = op ? sbrec_port_binding_get_for_uuid(sb_idl, &op->sb_uuid)
                     : NULL;
            if (!pb) {
                continue;
            }
            struct sset addresses = SSET_INITIALIZER(&addresses);
            nat_addresses_of_port(lr, lrp, &addresses);
            if (!nat_addresses_equal(pb->nat_addresses, pb->n_nat_addresses,
                                     &addresses)) {
                const char **array = sset_array(&addresses);
                sbrec_port_binding_set_nat_addresses(pb, array,
                                                     sset_count(&addresses));
                free(array);
            }
            sset_destroy(&addresses);
        }
    }
}
