#include <config.h>

#include "northd/cfg.h"

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "northd/northd.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "util.h"

/* Copies NB_Global.nb_cfg to SB_Global.nb_cfg in 'sb_txn', creating
 * SB_Global if needed.  Returns the value copied. */
int64_t
cfg_sb_run(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
           struct ovsdb_idl_txn *sb_txn)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(nb_idl);
    const struct sbrec_sb_global *sb = sbrec_sb_global_first(sb_idl);
    int64_t nb_cfg = nb ? nb->nb_cfg : 0;
    if (!sb) {
        sb = sbrec_sb_global_insert(sb_txn);
    }
    if (sb->nb_cfg != nb_cfg) {
        sbrec_sb_global_set_nb_cfg(sb, nb_cfg);
    }
    return nb_cfg;
}

/* Records in 'nd' when northd first saw NB_Global's current nb_cfg.  Call
 * at the start of each iteration, before compiling. */
void
cfg_note_nb_cfg(struct northd *nd, struct ovsdb_idl *nb_idl)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(nb_idl);
    if (nb && (nb->nb_cfg != nd->nb_cfg_seen || !nd->nb_cfg_seen_wall)) {
        nd->nb_cfg_seen = nb->nb_cfg;
        nd->nb_cfg_seen_wall = time_wall_msec();
    }
}

/* Returns the smallest nb_cfg that a chassis reports, or 'nb_cfg' if no
 * chassis does. */
static int64_t
hv_cfg_compute(struct ovsdb_idl *sb_idl, int64_t nb_cfg)
{
    int64_t hv_cfg = INT64_MAX;
    const struct sbrec_chassis_private *cp;
    SBREC_CHASSIS_PRIVATE_FOR_EACH (cp, sb_idl) {
        if (cp->chassis && cp->nb_cfg < hv_cfg) {
            hv_cfg = cp->nb_cfg;
        }
    }
    return hv_cfg == INT64_MAX ? nb_cfg : hv_cfg;
}

/* Sets the "up" column of switch port 'nb_uuid' from its Port_Binding. */
static void
port_up_sync(const struct northd *nd, struct ovsdb_idl *nb_idl,
             struct ovsdb_idl *sb_idl, const struct uuid *nb_uuid)
{
    const struct nbrec_logical_switch_port *lsp
        = nbrec_logical_switch_port_get_for_uuid(nb_idl, nb_uuid);
    const struct nd_port *op = nd_port_find(&nd->dps, nb_uuid);
    if (!lsp || !op) {
        return;
    }
    const struct sbrec_port_binding *pb
        = sbrec_port_binding_get_for_uuid(sb_idl, &op->sb_uuid);
    bool up = pb && pb->chassis && pb->n_up && pb->up[0];
    if (!lsp->n_up || lsp->up[0] != up) {
        nbrec_logical_switch_port_set_up(lsp, &up, 1);
    }
}

/* Writes NB_Global.sb_cfg (from 'sb_cfg', the nb_cfg of the last
 * committed SB transaction, or -1 if none yet), NB_Global.hv_cfg, and the
 * "up" of the ports 'nd' has pending, in 'nb_txn'. */
void
cfg_nb_run(struct northd *nd, struct ovsdb_idl *nb_idl,
           struct ovsdb_idl_txn *nb_txn, struct ovsdb_idl *sb_idl,
           int64_t sb_cfg)
{
    const struct nbrec_nb_global *nb = nbrec_nb_global_first(nb_idl);
    if (!nb) {
        nb = nbrec_nb_global_insert(nb_txn);
    }
    if (nd->nb_cfg_seen_wall && nb->nb_cfg == nd->nb_cfg_seen
        && nb->nb_cfg_timestamp != nd->nb_cfg_seen_wall) {
        nbrec_nb_global_set_nb_cfg_timestamp(nb, nd->nb_cfg_seen_wall);
    }
    if (sb_cfg >= 0 && nb->sb_cfg != sb_cfg) {
        nbrec_nb_global_set_sb_cfg(nb, sb_cfg);
        nbrec_nb_global_set_sb_cfg_timestamp(nb, time_wall_msec());
    }
    /* No chassis can be ahead of what SB holds; without chassis, hv_cfg
     * follows sb_cfg, so that waiting for hv_cfg also waits for SB. */
    int64_t hv_cfg = MIN(hv_cfg_compute(sb_idl, nb->nb_cfg), sb_cfg);
    if (sb_cfg >= 0 && nb->hv_cfg != hv_cfg) {
        nbrec_nb_global_set_hv_cfg(nb, hv_cfg);
        nbrec_nb_global_set_hv_cfg_timestamp(nb, time_wall_msec());
    }

    if (nd->up_all) {
        /* A full recompute first gets its SB transactions out, then sets
         * "up" of every port (on a cold start, 10,000 ports make a large NB
         * transaction): not while its flows are pending, nor in the same
         * iteration as the transaction that carries them. */
        if (nd->full_just_finished) {
            /* Next iteration, whether or not SB answers anything. */
            nd->full_just_finished = false;
            poll_immediate_wake();
        } else if (!northd_flows_pending(nd)) {
            const struct nd_port *op;
            HMAP_FOR_EACH (op, node, &nd->dps.ports) {
                port_up_sync(nd, nb_idl, sb_idl, &op->nb_uuid);
            }
            nd->up_all = false;
        }
    } else {
        struct uuidset_node *node;
        UUIDSET_FOR_EACH (node, &nd->up_pending) {
            port_up_sync(nd, nb_idl, sb_idl, &node->uuid);
        }
    }
    uuidset_clear(&nd->up_pending);
}
