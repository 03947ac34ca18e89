#include <config.h>

#include "northd/mac-binding-aging.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"

#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(mac_binding_aging);

/* Creates the index ageing uses; before the IDL's first run. */
void
nd_mac_binding_aging_init(struct nd_mac_binding_aging *a,
                          struct ovsdb_idl *sb_idl)
{
    memset(a, 0, sizeof *a);
    a->pb_by_name = ovsdb_idl_index_create1(
        sb_idl, &sbrec_port_binding_col_logical_port);
    a->next_expiry = LLONG_MAX;
}

/* Returns true if the router port that 'mb' names is still there, on the
 * row's datapath, in the state 'sb_idl' has with this transaction's
 * changes. */
static bool
port_exists(const struct nd_mac_binding_aging *a, struct ovsdb_idl *sb_idl,
            const struct sbrec_mac_binding *mb)
{
    if (!mb->datapath
        || !sbrec_datapath_binding_get_for_uuid(sb_idl,
                                                &mb->datapath->header_.uuid)) {
        return false;           /* The datapath goes in this transaction. */
    }
    struct sbrec_port_binding *key
        = sbrec_port_binding_index_init_row(a->pb_by_name);
    sbrec_port_binding_index_set_logical_port(key, mb->logical_port);
    bool found = false;
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH_EQUAL (pb, key, a->pb_by_name) {
        if (pb->datapath == mb->datapath
            && sbrec_port_binding_get_for_uuid(sb_idl, &pb->header_.uuid)) {
            found = true;
            break;
        }
    }
    sbrec_port_binding_index_destroy_row(key);
    return found;
}

/* Returns the age threshold in milliseconds of the router whose datapath
 * is 'dp', 0 for never. */
static long long int
age_threshold_ms(struct ovsdb_idl *nb_idl,
                 const struct sbrec_datapath_binding *dp)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    const struct nbrec_logical_router *lr
        = nbrec_logical_router_get_for_uuid(nb_idl, &dp->nb_uuid);
    const char *s = lr ? smap_get(&lr->options, "mac_binding_age_threshold")
                       : NULL;
    if (!s) {
        return MAC_BINDING_DEFAULT_AGE * 1000LL;
    }
    char *end;
    unsigned long long int v = strtoull(s, &end, 10);
    if (*end || end == s || s[0] == '-' || v > INT_MAX) {
        VLOG_WARN_RL(&rl, "router %s: mac_binding_age_threshold \"%s\" is "
                     "not a number of seconds; using %d", lr->name, s,
                     MAC_BINDING_DEFAULT_AGE);
        return MAC_BINDING_DEFAULT_AGE * 1000LL;
    }
    return v * 1000LL;
}

/* Deletes, in 'sb_txn', the MAC_Binding rows whose port is gone and those
 * that have aged out. */
void
nd_mac_binding_aging_run(struct nd_mac_binding_aging *a,
                         struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
                         struct ovsdb_idl_txn *sb_txn)
{
    long long int now = time_wall_msec();
    size_t n_deleted = 0;
    a->next_expiry = LLONG_MAX;

    const struct sbrec_mac_binding *mb;
    SBREC_MAC_BINDING_FOR_EACH_SAFE (mb, sb_idl) {
        if (!port_exists(a, sb_idl, mb)) {
            VLOG_DBG("%s %s: the router port is gone", mb->logical_port,
                     mb->ip);
            sbrec_mac_binding_delete(mb);
            a->n_orphans++;
            continue;
        }
        long long int threshold = age_threshold_ms(nb_idl, mb->datapath);
        if (!threshold || mb->timestamp <= 0) {
            continue;
        }
        long long int expiry = mb->timestamp + threshold;
        if (expiry > now) {
            a->next_expiry = MIN(a->next_expiry, expiry);
        } else if (n_deleted < MAC_BINDING_MAX_DELETES) {
            VLOG_INFO("%s: %s is at %s aged out", mb->logical_port, mb->ip,
                      mb->mac);
            sbrec_mac_binding_delete(mb);
            a->n_aged++;
            n_deleted++;
        } else {
            a->next_expiry = now;   /* The rest in the next transaction. */
        }
    }
    (void) sb_txn;
}

void
nd_mac_binding_aging_wait(const struct nd_mac_binding_aging *a)
{
    if (a->next_expiry != LLONG_MAX) {
        poll_timer_wait_until(time_msec() + MAX(0, a->next_expiry
                                                - time_wall_msec()));
    }
}
