#include <config.h>

#include "controller/gateway.h"

#include <string.h>

#include "controller/encaps.h"
#include "controller/local-datapaths.h"
#include "lib/osmotic-sb-idl.h"

#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(gateway);

/* Returns true if 'names' (of 'n') holds 'chassis'. */
static bool
names_contain(char **names, size_t n, const char *chassis)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], chassis)) {
            return true;
        }
    }
    return false;
}

/* Returns true if 'chassis' is a gateway chassis of some router port or
 * ramp-out rule. */
bool
gateway_is_gateway(struct ovsdb_idl *sb_idl, const char *chassis)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (pb->n_gateway_chassis
            && names_contain(pb->value_gateway_chassis,
                             pb->n_gateway_chassis, chassis)) {
            return true;
        }
    }
    const struct sbrec_rampout *r;
    SBREC_RAMPOUT_FOR_EACH (r, sb_idl) {
        if (names_contain(r->value_gateway_chassis, r->n_gateway_chassis,
                          chassis)) {
            return true;
        }
    }
    return false;
}

/* Adds to 'lds' the datapaths this chassis is a gateway of, then the
 * patch peers of local datapaths, until no more join. */
void
gateway_close_local_datapaths(struct ovsdb_idl *sb_idl,
                              const struct sbrec_chassis *chassis,
                              struct local_datapaths *lds)
{
    const struct sbrec_port_binding *pb;
    if (chassis) {
        SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
            if (pb->datapath && pb->n_gateway_chassis
                && names_contain(pb->value_gateway_chassis,
                                 pb->n_gateway_chassis, chassis->name)) {
                local_datapaths_add(lds, pb->datapath);
            }
        }
        const struct sbrec_rampout *r;
        SBREC_RAMPOUT_FOR_EACH (r, sb_idl) {
            if (r->datapath
                && names_contain(r->value_gateway_chassis,
                                 r->n_gateway_chassis, chassis->name)) {
                local_datapaths_add(lds, r->datapath);
            }
        }
    }

    struct shash patches = SHASH_INITIALIZER(&patches);
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (pb->datapath && !strcmp(pb->type, "patch")) {
            shash_add_once(&patches, pb->logical_port, pb);
        }
    }
    bool grew;
    do {
        grew = false;
        struct shash_node *node;
        SHASH_FOR_EACH (node, &patches) {
            pb = node->data;
            const char *peer_name = smap_get(&pb->options, "peer");
            const struct sbrec_port_binding *peer
                = peer_name ? shash_find_data(&patches, peer_name) : NULL;
            if (peer
                && local_datapaths_find(lds, pb->datapath->tunnel_key)
                && !local_datapaths_find(lds, peer->datapath->tunnel_key)) {
                local_datapaths_add(lds, peer->datapath);
                grew = true;
            }
        }
    } while (grew);
    shash_destroy(&patches);
}

/* Returns true if chassis 'name' is alive as seen from chassis 'self'
 * (see the header). */
bool
gateway_chassis_alive(struct ovsdb_idl *sb_idl, const char *name,
                      const char *self, const struct encaps_ports *tunnels)
{
    const struct sbrec_chassis *ch;
    bool registered = false;
    SBREC_CHASSIS_FOR_EACH (ch, sb_idl) {
        if (!strcmp(ch->name, name)) {
            registered = true;
            break;
        }
    }
    if (!registered) {
        return false;
    }

    const struct encaps_port *p;
    if (!strcmp(name, self)) {
        /* Isolated: BFD sessions, and none of them up. */
        bool any_bfd = false;
        HMAP_FOR_EACH (p, node, &tunnels->map) {
            if (p->bfd) {
                any_bfd = true;
                if (!p->bfd_down) {
                    return true;
                }
            }
        }
        return !any_bfd;
    }
    HMAP_FOR_EACH (p, node, &tunnels->map) {
        if (!p->lane && p->dscp == ENCAPS_DSCP_INHERIT
            && !strcmp(p->chassis, name)) {
            return !p->bfd_down;
        }
    }
    return false;
}

/* Returns the chassis of highest priority among the 'n' of 'names' (with
 * priorities 'prios') that is alive, as seen from 'self', or NULL. */
const char *
gateway_active_chassis(struct ovsdb_idl *sb_idl, const int64_t *prios,
                       char **names, size_t n, const char *self,
                       const struct encaps_ports *tunnels)
{
    const char *best = NULL;
    int64_t best_prio = -1;
    for (size_t i = 0; i < n; i++) {
        if (prios[i] > best_prio
            && gateway_chassis_alive(sb_idl, names[i], self, tunnels)) {
            best = names[i];
            best_prio = prios[i];
        }
    }
    return best;
}

/* --- Localnet ----------------------------------------------------------- */

/* Returns the bridge named 'name', or NULL. */
static const struct ovsrec_bridge *
find_bridge(struct ovsdb_idl *ovs_idl, const char *name)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH (br, ovs_idl) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

/* Adds to 'br' a patch port 'name' whose peer is 'peer', with
 * external_ids 'key'='network'. */
static void
add_patch_port(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
               const char *name, const char *peer, const char *network)
{
    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, name);
    ovsrec_interface_set_type(iface, "patch");
    const struct smap options = SMAP_CONST1(&options, "peer", peer);
    ovsrec_interface_set_options(iface, &options);

    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    const struct smap ids = SMAP_CONST1(&ids, GATEWAY_LOCALNET_KEY, network);
    ovsrec_port_set_external_ids(port, &ids);
    ovsrec_bridge_update_ports_addvalue(br, port);
}

/* Makes 'br' hold exactly the patch ports of ours in 'wanted' (port name
 * -> peer name), keyed by network in 'networks' (port name -> network). */
static void
sync_patch_ports(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
                 struct smap *wanted, const struct smap *networks)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];
        if (!smap_get(&port->external_ids, GATEWAY_LOCALNET_KEY)) {
            continue;
        }
        if (!smap_get(wanted, port->name)) {
            VLOG_INFO("removing patch port %s", port->name);
            ovsrec_bridge_update_ports_delvalue(br, port);
        } else {
            smap_remove(wanted, port->name);
        }
    }
    const struct smap_node *node;
    SMAP_FOR_EACH (node, wanted) {
        VLOG_INFO("adding patch port %s to bridge %s", node->key, br->name);
        add_patch_port(txn, br, node->key, node->value,
                       smap_get(networks, node->key));
    }
}

/* Keeps a pair of patch ports between 'br_int' and the bridge of each
 * mapping in 'mappings' ("NETWORK:BRIDGE,...", may be NULL) whose bridge
 * exists, and removes ours that no mapping wants.  Does nothing if 'txn'
 * is NULL. */
void
gateway_localnet_run(struct ovsdb_idl_txn *txn, struct ovsdb_idl *ovs_idl,
                     const struct ovsrec_bridge *br_int,
                     const char *mappings)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    if (!txn || !br_int) {
        return;
    }
    struct shash per_bridge = SHASH_INITIALIZER(&per_bridge);
    struct smap int_wanted = SMAP_INITIALIZER(&int_wanted);
    struct smap int_networks = SMAP_INITIALIZER(&int_networks);

    char *copy = xstrdup(mappings ? mappings : "");
    char *save = NULL;
    for (char *m = strtok_r(copy, ", ", &save); m;
         m = strtok_r(NULL, ", ", &save)) {
        char *colon = strchr(m, ':');
        if (!colon || colon == m || !colon[1]) {
            VLOG_WARN_RL(&rl, "osmotic-bridge-mappings: \"%s\" is not "
                         "NETWORK:BRIDGE", m);
            continue;
        }
        *colon = '\0';
        const char *network = m, *bridge = colon + 1;
        const struct ovsrec_bridge *br = find_bridge(ovs_idl, bridge);
        if (!br || br == br_int) {
            VLOG_WARN_RL(&rl, "osmotic-bridge-mappings: no bridge %s",
                         bridge);
            continue;
        }
        char *int_name = xasprintf("osm-%s-to-%s", network, bridge);
        char *ex_name = xasprintf("osm-%s-from-%s", bridge, network);
        smap_add(&int_wanted, int_name, ex_name);
        smap_add(&int_networks, int_name, network);
        struct smap *ex = shash_find_data(&per_bridge, bridge);
        if (!ex) {
            ex = xmalloc(sizeof *ex);
            smap_init(ex);
            shash_add(&per_bridge, bridge, ex);
        }
        smap_add(ex, ex_name, int_name);
        smap_add(&int_networks, ex_name, network);
        free(int_name);
        free(ex_name);
    }
    free(copy);

    sync_patch_ports(txn, br_int, &int_wanted, &int_networks);
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH (br, ovs_idl) {
        if (br == br_int) {
            continue;
        }
        struct smap *ex = shash_find_data(&per_bridge, br->name);
        struct smap none = SMAP_INITIALIZER(&none);
        sync_patch_ports(txn, br, ex ? ex : &none, &int_networks);
        smap_destroy(&none);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &per_bridge) {
        smap_destroy(node->data);
    }
    shash_destroy_free_data(&per_bridge);
    smap_destroy(&int_wanted);
    smap_destroy(&int_networks);
}

/* Fills 'ofports' (physical network -> OpenFlow port) with br-int's patch
 * ports to provider bridges that have an OpenFlow port. */
void
gateway_localnet_read(const struct ovsrec_bridge *br_int,
                      struct simap *ofports)
{
    for (size_t i = 0; br_int && i < br_int->n_ports; i++) {
        const struct ovsrec_port *port = br_int->ports[i];
        const char *network = smap_get(&port->external_ids,
                                       GATEWAY_LOCALNET_KEY);
        if (network && port->n_interfaces == 1
            && port->interfaces[0]->n_ofport
            && port->interfaces[0]->ofport[0] > 0) {
            simap_put(ofports, network, port->interfaces[0]->ofport[0]);
        }
    }
}

/* Removes the patch ports to provider bridges (on exit: a gateway that
 * leaves must not answer on the external network with the flows it
 * leaves behind).  Returns true if there were none left. */
bool
gateway_localnet_cleanup(struct ovsdb_idl_txn *txn, struct ovsdb_idl *ovs_idl,
                         const struct ovsrec_bridge *br_int)
{
    bool clean = true;
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH (br, ovs_idl) {
        for (size_t i = 0; i < br->n_ports; i++) {
            if (smap_get(&br->ports[i]->external_ids,
                         GATEWAY_LOCALNET_KEY)) {
                clean = false;
            }
        }
    }
    if (!clean) {
        gateway_localnet_run(txn, ovs_idl, br_int, NULL);
    }
    return clean;
}

/* Returns the OpenFlow port of br-int's patch port towards the external
 * network of gateway port 'gw' (the localnet port of the switch its peer
 * is on), or 0 if this chassis has none. */
int
gateway_localnet_ofport(struct ovsdb_idl *sb_idl,
                        const struct encaps_ports *tunnels,
                        const struct sbrec_port_binding *gw)
{
    const char *peer_name = smap_get(&gw->options, "peer");
    const struct sbrec_port_binding *pb, *peer = NULL;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (peer_name && !strcmp(pb->logical_port, peer_name)) {
            peer = pb;
            break;
        }
    }
    if (!peer || !peer->datapath) {
        return 0;
    }
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        const char *network = smap_get(&pb->options, "network_name");
        if (pb->datapath == peer->datapath && network
            && !strcmp(pb->type, "localnet")) {
            int ofport = simap_get(&tunnels->localnets, network);
            if (ofport) {
                return ofport;
            }
        }
    }
    return 0;
}
