#include <config.h>

#include "controller/mac-binding.h"

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-sb-idl.h"

#include "hash.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(mac_binding);

/* One binding learned. */
struct mac_binding_learned {
    struct ovs_list node;       /* In mac_binding_state's 'learned'. */
    uint64_t dp_key;            /* Router datapath key. */
    uint32_t port_key;          /* Router port key. */
    struct in6_addr ip;         /* IPv4-mapped for IPv4. */
    struct eth_addr mac;
};

/* One next hop asked for. */
struct mac_binding_ask {
    struct hmap_node node;      /* In mac_binding_state's 'asks'. */
    uint64_t dp_key;
    uint32_t port_key;
    struct in6_addr ip;
    long long int when;         /* time_msec() of the last request. */
};

void
mac_binding_state_init(struct mac_binding_state *s)
{
    ovs_list_init(&s->learned);
    s->n_learned = 0;
    hmap_init(&s->asks);
    s->n_suppressed = 0;
}

void
mac_binding_state_destroy(struct mac_binding_state *s)
{
    struct mac_binding_learned *b;
    LIST_FOR_EACH_POP (b, node, &s->learned) {
        free(b);
    }
    s->n_learned = 0;
    struct mac_binding_ask *a;
    HMAP_FOR_EACH_POP (a, node, &s->asks) {
        free(a);
    }
    hmap_destroy(&s->asks);
}

/* Queues the binding of 'ip' (IPv4-mapped for IPv4) to 'mac' on port
 * 'port_key' of router 'dp_key'.  Returns false if the queue is full. */
bool
mac_binding_learn(struct mac_binding_state *s, uint64_t dp_key,
                  uint32_t port_key, const struct in6_addr *ip,
                  struct eth_addr mac)
{
    if (s->n_learned >= MAC_BINDING_MAX_QUEUED) {
        return false;
    }
    struct mac_binding_learned *b = xzalloc(sizeof *b);
    b->dp_key = dp_key;
    b->port_key = port_key;
    b->ip = *ip;
    b->mac = mac;
    ovs_list_push_back(&s->learned, &b->node);
    s->n_learned++;
    return true;
}

/* Forgets the requests older than the interval (all of them if too many
 * are remembered). */
static void
expire_asks(struct mac_binding_state *s, long long int now)
{
    bool all = hmap_count(&s->asks) >= MAC_BINDING_MAX_ASKS;
    struct mac_binding_ask *a;
    HMAP_FOR_EACH_SAFE (a, node, &s->asks) {
        if (all || now - a->when >= MAC_BINDING_ASK_INTERVAL_MS) {
            hmap_remove(&s->asks, &a->node);
            free(a);
        }
    }
}

/* Returns true, and remembers the request, if next hop 'ip' of port
 * 'port_key' of router 'dp_key' may be asked for now: it was not in the
 * last MAC_BINDING_ASK_INTERVAL_MS. */
bool
mac_binding_may_ask(struct mac_binding_state *s, uint64_t dp_key,
                    uint32_t port_key, const struct in6_addr *ip)
{
    long long int now = time_msec();
    uint32_t hash = hash_bytes(ip, sizeof *ip,
                               hash_2words(dp_key, port_key));
    struct mac_binding_ask *a;
    HMAP_FOR_EACH_WITH_HASH (a, node, hash, &s->asks) {
        if (a->dp_key == dp_key && a->port_key == port_key
            && ipv6_addr_equals(&a->ip, ip)) {
            if (now - a->when < MAC_BINDING_ASK_INTERVAL_MS) {
                s->n_suppressed++;
                return false;
            }
            a->when = now;
            return true;
        }
    }
    expire_asks(s, now);
    a = xzalloc(sizeof *a);
    a->dp_key = dp_key;
    a->port_key = port_key;
    a->ip = *ip;
    a->when = now;
    hmap_insert(&s->asks, &a->node, hash);
    return true;
}

/* Formats 'ip' as SB MAC_Binding stores it: dotted quad for IPv4. */
static void
format_ip(const struct in6_addr *ip, char *buf, size_t size)
{
    ovs_be32 ip4 = in6_addr_get_mapped_ipv4(ip);
    if (ip4) {
        inet_ntop(AF_INET, &ip4, buf, size);
    } else {
        inet_ntop(AF_INET6, ip, buf, size);
    }
}

/* Writes the bindings learned to SB in 'sb_txn' (if nonnull) and empties
 * the queue. */
void
mac_binding_flush(struct mac_binding_state *s, struct ovsdb_idl *sb_idl,
                  struct ovsdb_idl_txn *sb_txn)
{
    if (!sb_txn || !s->n_learned) {
        return;
    }
    long long int now = time_wall_msec();
    struct mac_binding_learned *b;
    LIST_FOR_EACH_POP (b, node, &s->learned) {
        const struct sbrec_port_binding *pb, *port = NULL;
        SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
            if (pb->datapath && pb->datapath->tunnel_key == b->dp_key
                && pb->tunnel_key == b->port_key) {
                port = pb;
                break;
            }
        }
        if (!port) {
            free(b);
            continue;
        }
        char ip[INET6_ADDRSTRLEN], mac[ETH_ADDR_STRLEN + 1];
        format_ip(&b->ip, ip, sizeof ip);
        snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(b->mac));

        const struct sbrec_mac_binding *mb, *found = NULL;
        SBREC_MAC_BINDING_FOR_EACH (mb, sb_idl) {
            if (!strcmp(mb->logical_port, port->logical_port)
                && !strcmp(mb->ip, ip)) {
                found = mb;
                break;
            }
        }
        if (!found) {
            VLOG_INFO("learned %s is at %s on %s", ip, mac,
                      port->logical_port);
            found = sbrec_mac_binding_insert(sb_txn);
            sbrec_mac_binding_set_logical_port(found, port->logical_port);
            sbrec_mac_binding_set_ip(found, ip);
            sbrec_mac_binding_set_datapath(found, port->datapath);
        }
        if (strcmp(found->mac ? found->mac : "", mac)) {
            sbrec_mac_binding_set_mac(found, mac);
        }
        if (now - found->timestamp >= 1000) {
            sbrec_mac_binding_set_timestamp(found, now);
        }
        free(b);
    }
    s->n_learned = 0;
}
