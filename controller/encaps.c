#include <config.h>

#include "controller/encaps.h"

#include <stdio.h>
#include <string.h>

#include "controller/chassis.h"
#include "controller/gateway.h"
#include "lib/osmotic-sb-idl.h"

#include "bitmap.h"
#include "hash.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(encaps);

/* Writes into 'name' the tunnel port name for 'lane' to 'chassis' that
 * marks 'dscp' (or inherits it, ENCAPS_DSCP_INHERIT): "ot", eight hex
 * digits of a hash of the chassis name, "-", the lane (decimal), or for a
 * DSCP port the lane in one hex digit, "d" and the DSCP in two.  At most
 * 14 characters, unique in practice and the same on every run. */
void
encaps_tunnel_name(const char *chassis, int lane, int dscp, char name[16])
{
    if (dscp == ENCAPS_DSCP_INHERIT) {
        snprintf(name, 16, "ot%08"PRIx32"-%d", hash_string(chassis, 0),
                 lane & 0xf);
    } else {
        snprintf(name, 16, "ot%08"PRIx32"-%xd%02x", hash_string(chassis, 0),
                 lane & 0xf, dscp & 0x3f);
    }
}

/* Returns the tunnel port's remote chassis name, or NULL if 'port' is not
 * one of ours. */
static const char *
encaps_port_chassis(const struct ovsrec_port *port)
{
    return smap_get(&port->external_ids, ENCAPS_CHASSIS_KEY);
}

/* Fills 'opts' with the interface options of a tunnel.  The outer IP
 * header inherits the DSCP of the inner one, or, on a DSCP port, gets
 * 'dscp' (see encaps.h). */
static void
encaps_tunnel_options(struct smap *opts, const char *remote_ip,
                      const char *local_ip, bool csum, int dscp)
{
    smap_add(opts, "remote_ip", remote_ip);
    smap_add(opts, "local_ip", local_ip);
    smap_add(opts, "key", "flow");
    if (dscp == ENCAPS_DSCP_INHERIT) {
        smap_add(opts, "tos", "inherit");
    } else {
        smap_add_format(opts, "tos", "%d", dscp << 2);
        smap_add_format(opts, "dst_port", "%d", ENCAPS_DSCP_PORT_BASE + dscp);
    }
    smap_add(opts, "csum", csum ? "true" : "false");
}

/* A wanted tunnel. */
struct encaps_tunnel {
    char name[16];              /* Port and interface name. */
    const char *chassis;        /* Remote chassis name. */
    int lane;                   /* Lane. */
    int dscp;                   /* DSCP, or ENCAPS_DSCP_INHERIT. */
    struct smap options;        /* Interface options. */
    struct smap bfd;            /* Interface bfd settings. */
};

/* Adds to 'wanted' the tunnel to 'chassis' on 'lane' with remote IP
 * 'remote_ip' that marks 'dscp'. */
static void
encaps_want(struct shash *wanted, const struct chassis_config *cfg,
            const char *chassis, int lane, const char *remote_ip, int dscp,
            bool bfd)
{
    struct encaps_tunnel *t = xzalloc(sizeof *t);
    encaps_tunnel_name(chassis, lane, dscp, t->name);
    t->chassis = chassis;
    t->lane = lane;
    t->dscp = dscp;
    smap_init(&t->options);
    encaps_tunnel_options(&t->options, remote_ip, cfg->encap_ips[lane],
                          cfg->encap_csum, dscp);
    smap_init(&t->bfd);
    if (bfd && !lane && dscp == ENCAPS_DSCP_INHERIT) {
        smap_add(&t->bfd, "enable", "true");
        smap_add_format(&t->bfd, "min_tx", "%d", ENCAPS_BFD_INTERVAL_MS);
        smap_add_format(&t->bfd, "min_rx", "%d", ENCAPS_BFD_INTERVAL_MS);
    }
    if (!shash_add_once(wanted, t->name, t)) {
        smap_destroy(&t->options);
        smap_destroy(&t->bfd);
        free(t);
    }
}

/* Fills 'wanted' (port name -> struct encaps_tunnel) with a tunnel for
 * every lane that this chassis shares with each other chassis, and one
 * for each such lane and each DSCP in 'dscps' (a bitmap of 64). */
static void
encaps_collect(struct ovsdb_idl *sb_idl, const struct chassis_config *cfg,
               const unsigned long *dscps, struct shash *wanted)
{
    const struct sbrec_chassis *ch;
    bool gateway = gateway_is_gateway(sb_idl, cfg->system_id);

    SBREC_CHASSIS_FOR_EACH (ch, sb_idl) {
        if (!strcmp(ch->name, cfg->system_id)) {
            continue;
        }
        bool bfd = gateway || gateway_is_gateway(sb_idl, ch->name);
        for (size_t i = 0; i < ch->n_encaps; i++) {
            const struct sbrec_encap *e = ch->encaps[i];
            if (e->lane < 0 || e->lane >= cfg->n_encap_ips
                || strcmp(e->type, "geneve")) {
                continue;
            }
            encaps_want(wanted, cfg, ch->name, e->lane, e->ip,
                        ENCAPS_DSCP_INHERIT, bfd);
            for (int d = 0; dscps && d < 64; d++) {
                if (bitmap_is_set(dscps, d)) {
                    encaps_want(wanted, cfg, ch->name, e->lane, e->ip, d,
                                false);
                }
            }
        }
    }
}

/* Adds the port and interface of tunnel 't' to 'br_int'. */
static void
encaps_add_tunnel(struct ovsdb_idl_txn *txn,
                  const struct ovsrec_bridge *br_int,
                  const struct encaps_tunnel *t)
{
    char lane[8];

    snprintf(lane, sizeof lane, "%d", t->lane);
    VLOG_INFO("adding tunnel %s to chassis %s lane %d (remote_ip %s, tos %s)",
              t->name, t->chassis, t->lane,
              smap_get(&t->options, "remote_ip"),
              smap_get(&t->options, "tos"));

    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, t->name);
    ovsrec_interface_set_type(iface, "geneve");
    ovsrec_interface_set_options(iface, &t->options);
    ovsrec_interface_set_bfd(iface, &t->bfd);

    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, t->name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    struct smap ids = SMAP_INITIALIZER(&ids);
    smap_add(&ids, ENCAPS_CHASSIS_KEY, t->chassis);
    smap_add(&ids, ENCAPS_LANE_KEY, lane);
    if (t->dscp != ENCAPS_DSCP_INHERIT) {
        smap_add_format(&ids, ENCAPS_DSCP_KEY, "%d", t->dscp);
    }
    ovsrec_port_set_external_ids(port, &ids);
    smap_destroy(&ids);
    ovsrec_bridge_update_ports_addvalue(br_int, port);
}

/* Makes br-int's tunnel ports match the chassis in the southbound
 * database and the DSCP values in 'dscps' (a bitmap of 64, or NULL for
 * none): adds missing ones, fixes changed options, removes ours that lead
 * nowhere.  Does nothing if 'ovs_txn' is NULL. */
void
encaps_run(struct ovsdb_idl_txn *ovs_txn, const struct ovsrec_bridge *br_int,
           struct ovsdb_idl *sb_idl, const struct chassis_config *cfg,
           const unsigned long *dscps)
{
    struct shash wanted = SHASH_INITIALIZER(&wanted);

    if (!ovs_txn || !br_int) {
        return;
    }
    encaps_collect(sb_idl, cfg, dscps, &wanted);
    for (size_t i = 0; i < br_int->n_ports; i++) {
        const struct ovsrec_port *port = br_int->ports[i];
        if (!encaps_port_chassis(port)) {
            continue;
        }
        struct encaps_tunnel *t = shash_find_and_delete(&wanted, port->name);
        if (!t) {
            VLOG_INFO("removing tunnel %s", port->name);
            ovsrec_bridge_update_ports_delvalue(br_int, port);
            continue;
        }
        if (port->n_interfaces == 1
            && !smap_equal(&port->interfaces[0]->options, &t->options)) {
            ovsrec_interface_set_options(port->interfaces[0], &t->options);
        }
        if (port->n_interfaces == 1
            && !smap_equal(&port->interfaces[0]->bfd, &t->bfd)) {
            ovsrec_interface_set_bfd(port->interfaces[0], &t->bfd);
        }
        smap_destroy(&t->options);
        smap_destroy(&t->bfd);
        free(t);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &wanted) {
        encaps_add_tunnel(ovs_txn, br_int, node->data);
    }
    SHASH_FOR_EACH (node, &wanted) {
        struct encaps_tunnel *t = node->data;
        smap_destroy(&t->options);
        smap_destroy(&t->bfd);
    }
    shash_destroy_free_data(&wanted);
}

/* Initializes 'ports' as empty. */
void
encaps_ports_init(struct encaps_ports *ports)
{
    hmap_init(&ports->map);
    simap_init(&ports->localnets);
}

/* Frees what 'ports' holds.  Accepts NULL. */
void
encaps_ports_destroy(struct encaps_ports *ports)
{
    if (ports) {
        struct encaps_port *p;
        HMAP_FOR_EACH_POP (p, node, &ports->map) {
            free(p->chassis);
            free(p);
        }
        hmap_destroy(&ports->map);
        simap_destroy(&ports->localnets);
    }
}

static uint32_t
encaps_port_hash(const char *chassis, int lane, int dscp)
{
    return hash_int(lane, hash_int(dscp, hash_string(chassis, 0)));
}

static const struct encaps_port *
encaps_ports_lookup(const struct encaps_ports *ports, const char *chassis,
                    int lane, int dscp)
{
    const struct encaps_port *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, encaps_port_hash(chassis, lane, dscp),
                             &ports->map) {
        if (p->lane == lane && p->dscp == dscp
            && !strcmp(p->chassis, chassis)) {
            return p;
        }
    }
    return NULL;
}

/* Returns the OpenFlow port of the tunnel to 'chassis' on 'lane' that
 * marks 'dscp' (or ENCAPS_DSCP_INHERIT), or 0 if there is none. */
int
encaps_ports_find(const struct encaps_ports *ports, const char *chassis,
                  int lane, int dscp)
{
    const struct encaps_port *p = encaps_ports_lookup(ports, chassis, lane,
                                                      dscp);
    return p ? p->ofport : 0;
}

/* Fills 'ports', which is empty, with the tunnel ports of ours on 'br_int'
 * that have an OpenFlow port. */
void
encaps_ports_read(const struct ovsrec_bridge *br_int,
                  struct encaps_ports *ports)
{
    for (size_t i = 0; br_int && i < br_int->n_ports; i++) {
        const struct ovsrec_port *port = br_int->ports[i];
        const char *chassis = encaps_port_chassis(port);
        if (!chassis || port->n_interfaces != 1) {
            continue;
        }
        int lane = smap_get_int(&port->external_ids, ENCAPS_LANE_KEY, -1);
        int dscp = smap_get_int(&port->external_ids, ENCAPS_DSCP_KEY,
                                ENCAPS_DSCP_INHERIT);
        const struct ovsrec_interface *iface = port->interfaces[0];
        if (lane < 0 || !iface->n_ofport || iface->ofport[0] <= 0
            || encaps_ports_lookup(ports, chassis, lane, dscp)) {
            continue;
        }
        struct encaps_port *p = xmalloc(sizeof *p);
        p->chassis = xstrdup(chassis);
        p->lane = lane;
        p->dscp = dscp;
        p->ofport = iface->ofport[0];
        p->bfd = smap_get_bool(&iface->bfd, "enable", false);
        const char *state = smap_get(&iface->bfd_status, "state");
        const char *flaps = smap_get(&iface->bfd_status, "flap_count");
        p->bfd_down = (p->bfd && state && strcmp(state, "up")
                       && flaps && strcmp(flaps, "0"));
        hmap_insert(&ports->map, &p->node,
                    encaps_port_hash(chassis, lane, dscp));
    }
}

/* Returns true if 'a' and 'b' hold the same ports. */
bool
encaps_ports_equal(const struct encaps_ports *a, const struct encaps_ports *b)
{
    if (hmap_count(&a->map) != hmap_count(&b->map)) {
        return false;
    }
    const struct encaps_port *p;
    HMAP_FOR_EACH (p, node, &a->map) {
        const struct encaps_port *q = encaps_ports_lookup(b, p->chassis,
                                                          p->lane, p->dscp);
        if (!q || q->ofport != p->ofport || q->bfd != p->bfd
            || q->bfd_down != p->bfd_down) {
            return false;
        }
    }
    return simap_equal(&a->localnets, &b->localnets);
}

/* Exchanges the contents of 'a' and 'b'. */
void
encaps_ports_swap(struct encaps_ports *a, struct encaps_ports *b)
{
    hmap_swap(&a->map, &b->map);
    simap_swap(&a->localnets, &b->localnets);
}

/* Returns the number of tunnel ports of ours on 'br_int', over all lanes
 * (with or without an OpenFlow port yet). */
size_t
encaps_count_tunnels(const struct ovsrec_bridge *br_int)
{
    size_t n = 0;

    for (size_t i = 0; br_int && i < br_int->n_ports; i++) {
        if (encaps_port_chassis(br_int->ports[i])) {
            n++;
        }
    }
    return n;
}

/* Removes every tunnel port of ours.  Returns true if there was none. */
bool
encaps_cleanup(struct ovsdb_idl_txn *ovs_txn,
               const struct ovsrec_bridge *br_int)
{
    bool clean = true;

    for (size_t i = 0; br_int && i < br_int->n_ports; i++) {
        const struct ovsrec_port *port = br_int->ports[i];
        if (encaps_port_chassis(port)) {
            clean = false;
            if (ovs_txn) {
                ovsrec_bridge_update_ports_delvalue(br_int, port);
            }
        }
    }
    return clean;
}
