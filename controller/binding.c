#include <config.h>

#include "controller/binding.h"

#include <string.h>

#include "controller/local-datapaths.h"
#include "lib/osmotic-sb-idl.h"

#include "flow.h"
#include "openvswitch/vlog.h"
#include "simap.h"
#include "smap.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(binding);

/* Initializes 'br' as empty. */
void
binding_result_init(struct binding_result *br)
{
    shash_init(&br->lports);
    sset_init(&br->iface_ids);
}

/* Frees 'br''s contents.  Accepts NULL. */
void
binding_result_destroy(struct binding_result *br)
{
    if (br) {
        struct shash_node *node;
        SHASH_FOR_EACH (node, &br->lports) {
            struct binding_lport *bl = node->data;
            free(bl->ifname);
            free(bl);
        }
        shash_destroy(&br->lports);
        sset_destroy(&br->iface_ids);
    }
}

/* Collects into 'ifaces' (iface-id -> struct ovsrec_interface) every
 * interface of 'br_int' that names a logical port and has an ofport. */
static void
binding_collect_ifaces(const struct ovsrec_bridge *br_int,
                       struct shash *ifaces)
{
    for (size_t i = 0; i < br_int->n_ports; i++) {
        const struct ovsrec_port *port = br_int->ports[i];
        for (size_t j = 0; j < port->n_interfaces; j++) {
            const struct ovsrec_interface *iface = port->interfaces[j];
            const char *id = smap_get(&iface->external_ids, "iface-id");
            if (id && iface->n_ofport && iface->ofport[0] > 0) {
                shash_add_once(ifaces, id, iface);
            }
        }
    }
}

/* Binds 'pb' to 'chassis', writing only what differs.  A port claimed
 * from elsewhere is down until its flows are installed here. */
static void
binding_claim(const struct sbrec_port_binding *pb,
              const struct sbrec_chassis *chassis)
{
    static const bool down = false;

    if (pb->chassis != chassis) {
        VLOG_INFO("claiming logical port %s", pb->logical_port);
        sbrec_port_binding_set_chassis(pb, chassis);
        if (pb->n_up && pb->up[0]) {
            sbrec_port_binding_set_up(pb, &down, 1);
        }
    }
}

/* Unbinds 'pb' and marks it down. */
static void
binding_release(const struct sbrec_port_binding *pb)
{
    static const bool down = false;

    VLOG_INFO("releasing logical port %s", pb->logical_port);
    sbrec_port_binding_set_chassis(pb, NULL);
    sbrec_port_binding_set_up(pb, &down, 1);
}

/* Binds the logical ports whose interfaces are on 'br_int' to 'chassis'
 * and releases ours that are gone (writes only if 'txn' is nonnull).
 * Fills 'result' with the local ports and 'lds' with their datapaths. */
void
binding_run(struct ovsdb_idl_txn *txn, struct ovsdb_idl *sb_idl,
            const struct ovsrec_bridge *br_int,
            const struct sbrec_chassis *chassis,
            struct local_datapaths *lds, struct binding_result *result)
{
    struct shash ifaces = SHASH_INITIALIZER(&ifaces);
    const struct sbrec_port_binding *pb;

    if (br_int) {
        binding_collect_ifaces(br_int, &ifaces);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &ifaces) {
        sset_add(&result->iface_ids, node->name);
    }
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        const struct ovsrec_interface *iface
            = shash_find_data(&ifaces, pb->logical_port);
        if (iface && pb->datapath) {
            if (txn && chassis) {
                binding_claim(pb, chassis);
            }
            struct binding_lport *bl = xmalloc(sizeof *bl);
            bl->pb = pb;
            bl->ofport = u16_to_ofp(iface->ofport[0]);
            bl->iface = iface;
            bl->ifname = xstrdup(iface->name);
            if (!shash_add_once(&result->lports, pb->logical_port, bl)) {
                free(bl->ifname);
                free(bl);
            }
            local_datapaths_add(lds, pb->datapath);
        } else if (txn && chassis && pb->chassis == chassis
                   && !pb->n_gateway_chassis) {
            /* (A gateway port names its active gateway: the claim is
             * controller/gateway-claim.h's.) */
            binding_release(pb);
        }
    }
    shash_destroy(&ifaces);
}

/* Records in 'gens' (logical port -> generation) the generation 'gen' of
 * flows in which each port of 'result' first appears, and forgets ports
 * that are gone. */
void
binding_track_generations(const struct binding_result *result, uint64_t gen,
                          struct simap *gens)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &result->lports) {
        if (!simap_contains(gens, node->name)) {
            simap_put(gens, node->name, gen);
        }
    }
    struct simap_node *sn, *next;
    SIMAP_FOR_EACH_SAFE (sn, next, gens) {
        if (!shash_find(&result->lports, sn->name)) {
            simap_delete(gens, sn);
        }
    }
}

/* Marks up, in SB, and installed, on its Interface, every port of
 * 'result' whose flows br-int holds: its generation in 'gens' is at most
 * 'acked_gen'.  Writes only what differs; the caller has transactions
 * open on both databases. */
void
binding_mark_installed(const struct binding_result *result,
                       const struct simap *gens, uint64_t acked_gen)
{
    static const bool up = true;
    struct shash_node *node;

    SHASH_FOR_EACH (node, &result->lports) {
        const struct binding_lport *bl = node->data;
        unsigned int gen = simap_get(gens, node->name);
        if (!gen || gen > acked_gen) {
            continue;
        }
        if (!bl->pb->n_up || !bl->pb->up[0]) {
            VLOG_INFO("logical port %s: flows installed, up",
                      bl->pb->logical_port);
            sbrec_port_binding_set_up(bl->pb, &up, 1);
        }
        const char *installed = smap_get(&bl->iface->external_ids,
                                         BINDING_INSTALLED_KEY);
        if (!installed || strcmp(installed, "true")) {
            ovsrec_interface_update_external_ids_setkey(
                bl->iface, BINDING_INSTALLED_KEY, "true");
        }
    }
}

/* Returns true if every port of 'result' is up in the southbound
 * replica. */
bool
binding_all_up(const struct binding_result *result)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &result->lports) {
        const struct binding_lport *bl = node->data;
        if (!bl->pb->n_up || !bl->pb->up[0]) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'pb', a port of this chassis already local, changed
 * only in what its local flows do not depend on: its chassis became (or
 * stayed) this one, the echo of this controller's own claim; its "up";
 * its external_ids. */
bool
binding_pb_change_is_echo(const struct sbrec_port_binding *pb,
                          const struct sbrec_chassis *chassis)
{
    static const enum sbrec_port_binding_column_id irrelevant[] = {
        SBREC_PORT_BINDING_COL_CHASSIS, SBREC_PORT_BINDING_COL_UP,
        SBREC_PORT_BINDING_COL_EXTERNAL_IDS,
    };
    if (sbrec_port_binding_is_new(pb) || sbrec_port_binding_is_deleted(pb)
        || !chassis || pb->chassis != chassis) {
        return false;
    }
    for (size_t i = 0; i < SBREC_PORT_BINDING_N_COLUMNS; i++) {
        bool ignored = false;
        for (size_t j = 0; j < ARRAY_SIZE(irrelevant); j++) {
            ignored = ignored || i == irrelevant[j];
        }
        if (!ignored && sbrec_port_binding_is_updated(pb, i)) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'pb' changed only in its NAT addresses, which only the
 * gateway announcements read (controller/gateway-announce.h): no flow
 * depends on them. */
bool
binding_pb_change_is_nat_addresses(const struct sbrec_port_binding *pb)
{
    if (sbrec_port_binding_is_new(pb) || sbrec_port_binding_is_deleted(pb)
        || !sbrec_port_binding_is_updated(
            pb, SBREC_PORT_BINDING_COL_NAT_ADDRESSES)) {
        return false;
    }
    for (size_t i = 0; i < SBREC_PORT_BINDING_N_COLUMNS; i++) {
        if (i != SBREC_PORT_BINDING_COL_NAT_ADDRESSES
            && sbrec_port_binding_is_updated(pb, i)) {
            return false;
        }
    }
    return true;
}

/* Releases every Port_Binding bound to 'chassis'.  Returns true if there
 * was none left. */
bool
binding_cleanup(struct ovsdb_idl_txn *txn, struct ovsdb_idl *sb_idl,
                const struct sbrec_chassis *chassis)
{
    const struct sbrec_port_binding *pb;
    bool clean = true;

    if (!chassis) {
        return true;
    }
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        /* A gateway port's claim goes with the Chassis row (a weak
         * reference), and stays with "exit --restart". */
        if (pb->chassis == chassis && !pb->n_gateway_chassis) {
            clean = false;
            if (txn) {
                binding_release(pb);
            }
        }
    }
    return clean;
}
