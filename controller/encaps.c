#include <config.h>

#include "controller/encaps.h"

#include <stdio.h>
#include <string.h>

#include "controller/chassis.h"
#include "lib/osmotic-sb-idl.h"

#include "hash.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(encaps);

/* Writes into 'name' the tunnel port name for 'lane' to 'chassis': "ot",
 * eight hex digits of a hash of the chassis name, "-", the lane.  At most
 * 14 characters, unique in practice and the same on every run. */
void
encaps_tunnel_name(const char *chassis, int lane, char name[16])
{
    snprintf(name, 16, "ot%08"PRIx32"-%d", hash_string(chassis, 0),
             lane & 0xf);
}

/* Returns the tunnel port's remote chassis name, or NULL if 'port' is not
 * one of ours. */
static const char *
encaps_port_chassis(const struct ovsrec_port *port)
{
    return smap_get(&port->external_ids, ENCAPS_CHASSIS_KEY);
}

/* Fills 'opts' with the interface options of a tunnel.  The outer IP
 * header inherits the DSCP that the pipeline leaves in the inner one, which
 * is how a colour's DSCP mark reaches the underlay; it costs no datapath
 * flows while a pod's traffic keeps one DSCP. */
static void
encaps_tunnel_options(struct smap *opts, const char *remote_ip,
                      const char *local_ip, bool csum)
{
    smap_add(opts, "remote_ip", remote_ip);
    smap_add(opts, "local_ip", local_ip);
    smap_add(opts, "key", "flow");
    smap_add(opts, "tos", "inherit");
    smap_add(opts, "csum", csum ? "true" : "false");
}

/* A wanted tunnel. */
struct encaps_tunnel {
    char name[16];              /* Port and interface name. */
    const char *chassis;        /* Remote chassis name. */
    int lane;                   /* Lane. */
    struct smap options;        /* Interface options. */
};

/* Fills 'wanted' (port name -> struct encaps_tunnel) with a tunnel for
 * every lane that this chassis shares with each other chassis. */
static void
encaps_collect(struct ovsdb_idl *sb_idl, const struct chassis_config *cfg,
               struct shash *wanted)
{
    const struct sbrec_chassis *ch;

    SBREC_CHASSIS_FOR_EACH (ch, sb_idl) {
        if (!strcmp(ch->name, cfg->system_id)) {
            continue;
        }
        for (size_t i = 0; i < ch->n_encaps; i++) {
            const struct sbrec_encap *e = ch->encaps[i];
            if (e->lane < 0 || e->lane >= cfg->n_encap_ips
                || strcmp(e->type, "geneve")) {
                continue;
            }
            struct encaps_tunnel *t = xzalloc(sizeof *t);
            encaps_tunnel_name(ch->name, e->lane, t->name);
            t->chassis = ch->name;
            t->lane = e->lane;
            smap_init(&t->options);
            encaps_tunnel_options(&t->options, e->ip,
                                  cfg->encap_ips[e->lane], cfg->encap_csum);
            if (!shash_add_once(wanted, t->name, t)) {
                smap_destroy(&t->options);
                free(t);
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
    VLOG_INFO("adding tunnel %s to chassis %s lane %d (remote_ip %s)",
              t->name, t->chassis, t->lane,
              smap_get(&t->options, "remote_ip"));

    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, t->name);
    ovsrec_interface_set_type(iface, "geneve");
    ovsrec_interface_set_options(iface, &t->options);

    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, t->name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    struct smap ids = SMAP_INITIALIZER(&ids);
    smap_add(&ids, ENCAPS_CHASSIS_KEY, t->chassis);
    smap_add(&ids, ENCAPS_LANE_KEY, lane);
    ovsrec_port_set_external_ids(port, &ids);
    smap_destroy(&ids);
    ovsrec_bridge_update_ports_addvalue(br_int, port);
}

/* Makes br-int's tunnel ports match the chassis in the southbound
 * database: adds missing ones, fixes changed options, removes ours that
 * lead nowhere.  Does nothing if 'ovs_txn' is NULL. */
void
encaps_run(struct ovsdb_idl_txn *ovs_txn, const struct ovsrec_bridge *br_int,
           struct ovsdb_idl *sb_idl, const struct chassis_config *cfg)
{
    struct shash wanted = SHASH_INITIALIZER(&wanted);

    if (!ovs_txn || !br_int) {
        return;
    }
    encaps_collect(sb_idl, cfg, &wanted);
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
        smap_destroy(&t->options);
        free(t);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &wanted) {
        encaps_add_tunnel(ovs_txn, br_int, node->data);
    }
    SHASH_FOR_EACH (node, &wanted) {
        struct encaps_tunnel *t = node->data;
        smap_destroy(&t->options);
    }
    shash_destroy_free_data(&wanted);
}

/* Fills 'ofports' (remote chassis name -> ofport, as an intptr_t) with the
 * tunnels of 'lane' that have an OpenFlow port. */
void
encaps_tunnel_ofports(const struct ovsrec_bridge *br_int, int lane,
                      struct shash *ofports)
{
    for (size_t i = 0; br_int && i < br_int->n_ports; i++) {
        const struct ovsrec_port *port = br_int->ports[i];
        const char *chassis = encaps_port_chassis(port);
        if (!chassis || port->n_interfaces != 1
            || smap_get_int(&port->external_ids, ENCAPS_LANE_KEY, -1)
               != lane) {
            continue;
        }
        const struct ovsrec_interface *iface = port->interfaces[0];
        if (iface->n_ofport && iface->ofport[0] > 0) {
            shash_add_once(ofports, chassis,
                           (void *) (intptr_t) iface->ofport[0]);
        }
    }
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
