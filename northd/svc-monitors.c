#include <config.h>

#include "northd/svc-monitors.h"

#include <string.h>

#include "lib/lb-vips.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(svc_monitors);

/* The options a health check passes on to its monitors, with OVN's
 * defaults (seconds, and consecutive probes). */
static const struct {
    const char *name;
    const char *def;
} monitor_options[] = {
    { "interval", "5" },
    { "timeout", "20" },
    { "success_count", "3" },
    { "failure_count", "3" },
};

void
nd_svc_monitors_init(struct nd_svc_monitors *m)
{
    sset_init(&m->offline);
}

void
nd_svc_monitors_destroy(struct nd_svc_monitors *m)
{
    sset_destroy(&m->offline);
}

/* Returns the key of the monitor of backend address 'ip' (as inet_ntop(3)
 * writes it), 'port', 'proto' on 'lport'. */
static char *
monitor_key(const char *lport, const char *ip, int port, const char *proto)
{
    return xasprintf("%s|%s|%d|%s", lport, ip, port, proto);
}

/* Returns the health check of 'lb' whose VIP is 'vip_norm' (canonical,
 * lib/lb-vips.h), or NULL.  The first one, by UUID, of several. */
const struct nbrec_load_balancer_health_check *
nd_svc_lb_vip_health_check(const struct nbrec_load_balancer *lb,
                           const char *vip_norm)
{
    const struct nbrec_load_balancer_health_check *best = NULL;
    for (size_t i = 0; i < lb->n_health_check; i++) {
        const struct nbrec_load_balancer_health_check *hc
            = lb->health_check[i];
        struct lb_endpoint e;
        if (!hc->vip || !lb_endpoint_parse(hc->vip, &e) || !e.port) {
            continue;
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        lb_endpoint_format(&e, &s);
        if (!strcmp(ds_cstr(&s), vip_norm)
            && (!best || uuid_compare_3way(&hc->header_.uuid,
                                           &best->header_.uuid) < 0)) {
            best = hc;
        }
        ds_destroy(&s);
    }
    return best;
}

/* Returns the key of the monitor of 'backend' of 'lb' with protocol
 * 'proto', or NULL if 'lb' maps no logical port to its address. */
static char *
backend_key(const struct nbrec_load_balancer *lb, const char *proto,
            const struct lb_endpoint *backend,
            struct lb_ip_port_mapping *mp)
{
    struct ds ip = DS_EMPTY_INITIALIZER;
    if (backend->is_ipv6) {
        ipv6_format_addr(&backend->ip, &ip);
    } else {
        ds_put_format(&ip, IP_FMT,
                      IP_ARGS(in6_addr_get_mapped_ipv4(&backend->ip)));
    }
    /* The mapping's key as written, which may differ from the canonical
     * text: look for an entry whose address is the same. */
    const char *value = smap_get(&lb->ip_port_mappings, ds_cstr(&ip));
    const char *key_text = ds_cstr(&ip);
    if (!value) {
        const struct smap_node *node;
        SMAP_FOR_EACH (node, &lb->ip_port_mappings) {
            struct lb_endpoint e;
            if (lb_endpoint_parse(node->key, &e) && !e.port
                && e.is_ipv6 == backend->is_ipv6
                && ipv6_addr_equals(&e.ip, &backend->ip)) {
                value = node->value;
                key_text = node->key;
                break;
            }
        }
    }
    char *key = NULL;
    struct lb_ip_port_mapping m;
    char *error = value ? lb_ip_port_mapping_parse(key_text, value, &m)
                        : xstrdup("no mapping");
    if (!error) {
        key = monitor_key(m.logical_port, ds_cstr(&ip), backend->port,
                          proto);
        if (mp) {
            *mp = m;
        } else {
            lb_ip_port_mapping_destroy(&m);
        }
    }
    free(error);
    ds_destroy(&ip);
    return key;
}

/* Returns true if 'backend' of 'lb' (protocol 'proto') has a monitor whose
 * status is "offline".  The caller checks that its VIP has a health
 * check. */
bool
nd_svc_backend_is_offline(const struct nd_svc_monitors *m,
                          const struct nbrec_load_balancer *lb,
                          const char *proto,
                          const struct lb_endpoint *backend)
{
    if (sset_is_empty(&m->offline)) {
        return false;
    }
    char *key = backend_key(lb, proto, backend, NULL);
    bool offline = key && sset_contains(&m->offline, key);
    free(key);
    return offline;
}

/* One Service_Monitor row as NB asks for it. */
struct desired_monitor {
    char *ip;
    int port;
    const char *proto;
    char *logical_port;
    char *src_ip;
    struct smap options;
    bool found;                 /* An SB row has it. */
};

static void
add_desired(struct shash *desired, const struct nbrec_load_balancer *lb,
            const struct nbrec_load_balancer_health_check *hc,
            const char *proto, const char *backends)
{
    char *copy = xstrdup(backends);
    char *save_ptr = NULL;
    for (char *b = strtok_r(copy, ",", &save_ptr); b;
         b = strtok_r(NULL, ",", &save_ptr)) {
        struct lb_endpoint be;
        struct lb_ip_port_mapping mp;
        if (!lb_endpoint_parse(b, &be) || !be.port) {
            continue;
        }
        char *key = backend_key(lb, proto, &be, &mp);
        if (!key) {
            continue;
        }
        if (shash_find(desired, key)) {
            /* Another load balancer or VIP monitors it already. */
            lb_ip_port_mapping_destroy(&mp);
            free(key);
            continue;
        }
        struct desired_monitor *d = xzalloc(sizeof *d);
        struct ds ip = DS_EMPTY_INITIALIZER, src = DS_EMPTY_INITIALIZER;
        if (be.is_ipv6) {
            ipv6_format_addr(&be.ip, &ip);
            ipv6_format_addr(&mp.src_ip, &src);
        } else {
            ds_put_format(&ip, IP_FMT,
                          IP_ARGS(in6_addr_get_mapped_ipv4(&be.ip)));
            ds_put_format(&src, IP_FMT,
                          IP_ARGS(in6_addr_get_mapped_ipv4(&mp.src_ip)));
        }
        d->ip = ds_steal_cstr(&ip);
        d->src_ip = ds_steal_cstr(&src);
        d->port = be.port;
        d->proto = proto;
        d->logical_port = mp.logical_port;
        smap_init(&d->options);
        for (size_t i = 0; i < ARRAY_SIZE(monitor_options); i++) {
            smap_add(&d->options, monitor_options[i].name,
                     smap_get_def(&hc->options, monitor_options[i].name,
                                  monitor_options[i].def));
        }
        shash_add_nocopy(desired, key, d);
    }
    free(copy);
}

static void
desired_destroy(struct shash *desired)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, desired) {
        struct desired_monitor *d = node->data;
        free(d->ip);
        free(d->src_ip);
        free(d->logical_port);
        smap_destroy(&d->options);
        free(d);
    }
    shash_destroy(desired);
}

/* Returns the service monitor MAC that NB configures, or the default. */
static const char *
monitor_mac(struct ovsdb_idl *nb_idl)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(nb_idl);
    const char *mac = nb ? smap_get(&nb->options, "svc_monitor_mac") : NULL;
    struct eth_addr ea;
    if (mac && eth_addr_from_string(mac, &ea) && !eth_addr_is_multicast(ea)
        && !eth_addr_is_zero(ea)) {
        return mac;
    }
    return ND_SVC_MONITOR_MAC_DEFAULT;
}

/* Returns true if the Port_Binding 'pb' (or NULL, no such port) can have
 * its backends probed: bound to a chassis that is still in SB (the
 * reference is weak: it goes with the chassis) and up, that is, its flows
 * installed there. */
static bool
port_is_live(const struct sbrec_port_binding *pb)
{
    return pb && pb->chassis && pb->n_up && pb->up[0];
}

/* Fills 'ports' (logical port name -> its "struct sbrec_port_binding")
 * with the ports that the monitors of 'desired' name.  A walk over every
 * Port_Binding, only when some health check maps a backend. */
static void
collect_ports(struct ovsdb_idl *sb_idl, const struct shash *desired,
              struct shash *ports)
{
    if (shash_is_empty(desired)) {
        return;
    }
    struct sset names = SSET_INITIALIZER(&names);
    struct shash_node *node;
    SHASH_FOR_EACH (node, desired) {
        const struct desired_monitor *d = node->data;
        sset_add(&names, d->logical_port);
    }
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (sset_contains(&names, pb->logical_port)) {
            /* Of two rows of one name (never in a consistent SB), one
             * that is live wins. */
            const struct sbrec_port_binding *old
                = shash_find_data(ports, pb->logical_port);
            if (!old || (!port_is_live(old) && port_is_live(pb))) {
                shash_replace(ports, pb->logical_port, pb);
            }
        }
    }
    sset_destroy(&names);
}

/* Brings SB Service_Monitor in step with NB's health checks within 'txn',
 * and 'm''s offline set with SB.  Returns true if the offline set
 * changed.
 *
 * A monitor whose logical port is not live (port_is_live()) is offline
 * whatever its status says: no controller probes it, or the one that
 * does cannot deliver traffic to it yet.  Northd writes "offline" into
 * its status, so that the backend stays out of rotation once the port is
 * back until its chassis's probes find it online again.  IPv4 and IPv6
 * monitors alike. */
bool
nd_svc_monitors_sync(struct nd_svc_monitors *m, struct ovsdb_idl *nb_idl,
                     struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *txn)
{
    if (!sbrec_server_has_service_monitor_table(sb_idl)) {
        bool changed = !sset_is_empty(&m->offline);
        sset_clear(&m->offline);
        return changed;
    }

    struct shash desired = SHASH_INITIALIZER(&desired);
    const struct nbrec_load_balancer *lb;
    NBREC_LOAD_BALANCER_FOR_EACH (lb, nb_idl) {
        if (!lb->n_health_check) {
            continue;
        }
        const char *proto = (!lb->protocol || !strcmp(lb->protocol, "tcp")
                             ? "tcp"
                             : !strcmp(lb->protocol, "udp") ? "udp" : NULL);
        if (!proto) {
            continue;
        }
        const struct smap_node *node;
        SMAP_FOR_EACH (node, &lb->vips) {
            char *vip_norm, *backends_norm, *error;
            bool has_port;
            error = lb_vip_normalize(node->key, node->value, &vip_norm,
                                     &backends_norm, &has_port);
            if (error) {
                free(error);
                continue;
            }
            const struct nbrec_load_balancer_health_check *hc
                = has_port ? nd_svc_lb_vip_health_check(lb, vip_norm) : NULL;
            if (hc) {
                add_desired(&desired, lb, hc, proto, backends_norm);
            }
            free(vip_norm);
            free(backends_norm);
        }
    }

    const char *mac = monitor_mac(nb_idl);
    struct shash ports = SHASH_INITIALIZER(&ports);
    collect_ports(sb_idl, &desired, &ports);
    struct sset offline = SSET_INITIALIZER(&offline);
    const struct sbrec_service_monitor *row;
    SBREC_SERVICE_MONITOR_FOR_EACH_SAFE (row, sb_idl) {
        char *key = monitor_key(row->logical_port, row->ip, row->port,
                                row->protocol ? row->protocol : "tcp");
        struct desired_monitor *d = shash_find_data(&desired, key);
        if (!d || d->found) {
            if (txn) {
                sbrec_service_monitor_delete(row);
            }
            free(key);
            continue;
        }
        d->found = true;
        if (txn) {
            if (strcmp(row->src_ip, d->src_ip)) {
                sbrec_service_monitor_set_src_ip(row, d->src_ip);
            }
            if (strcmp(row->src_mac, mac)) {
                sbrec_service_monitor_set_src_mac(row, mac);
            }
            if (!smap_equal(&row->options, &d->options)) {
                sbrec_service_monitor_set_options(row, &d->options);
            }
        }
        bool live = port_is_live(shash_find_data(&ports, d->logical_port));
        if (!live && txn
            && (!row->status || strcmp(row->status, "offline"))) {
            VLOG_INFO("backend %s:%"PRId64" (%s): port %s is not up on a "
                      "chassis, offline", row->ip, row->port, d->proto,
                      d->logical_port);
            sbrec_service_monitor_set_status(row, "offline");
        }
        if (!live || (row->status && !strcmp(row->status, "offline"))) {
            sset_add(&offline, key);
        }
        free(key);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &desired) {
        struct desired_monitor *d = node->data;
        if (!d->found && txn) {
            row = sbrec_service_monitor_insert(txn);
            sbrec_service_monitor_set_ip(row, d->ip);
            sbrec_service_monitor_set_port(row, d->port);
            sbrec_service_monitor_set_protocol(row, d->proto);
            sbrec_service_monitor_set_logical_port(row, d->logical_port);
            sbrec_service_monitor_set_src_ip(row, d->src_ip);
            sbrec_service_monitor_set_src_mac(row, mac);
            sbrec_service_monitor_set_options(row, &d->options);
        }
        if (!d->found
            && !port_is_live(shash_find_data(&ports, d->logical_port))) {
            if (txn) {
                sbrec_service_monitor_set_status(row, "offline");
            }
            sset_add(&offline, node->name);
        }
    }
    shash_destroy(&ports);
    desired_destroy(&desired);

    bool changed = !sset_equals(&offline, &m->offline);
    sset_swap(&offline, &m->offline);
    sset_destroy(&offline);
    return changed;
}
