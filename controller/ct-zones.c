#include <config.h>

#include "controller/ct-zones.h"

#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "lib/pipeline.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "simap.h"
#include "smap.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(ct_zones);

/* Number of zone values; zone 0 is the default zone and never assigned. */
#define CT_ZONES_N 65536

/* Fills 'zones' (logical port -> zone) with the assignments recorded on
 * 'br_int' for ports in 'lports', and marks their zones in 'used'. */
static void
ct_zones_read(const struct ovsrec_bridge *br_int, const struct shash *lports,
              struct simap *zones, unsigned long *used)
{
    const size_t prefix_len = strlen(CT_ZONES_KEY_PREFIX);
    const struct smap_node *node;

    SMAP_FOR_EACH (node, &br_int->external_ids) {
        if (strncmp(node->key, CT_ZONES_KEY_PREFIX, prefix_len)) {
            continue;
        }
        const char *lport = node->key + prefix_len;
        int zone = atoi(node->value);
        if (shash_find(lports, lport) && zone > 0 && zone < CT_ZONES_N
            && !bitmap_is_set(used, zone)) {
            bitmap_set1(used, zone);
            simap_put(zones, lport, zone);
        }
    }
}

/* Assigns a conntrack zone to every port in 'lports' (logical port name ->
 * anything), reusing the assignments recorded on 'br_int' and recording
 * new ones (and forgetting those of ports that left) in 'txn' if it is
 * nonnull.  Stores the result in 'zones' (logical port -> zone), which the
 * caller initialized. */
void
ct_zones_run(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br_int,
             const struct shash *lports, struct simap *zones)
{
    unsigned long *used = bitmap_allocate(CT_ZONES_N);

    bitmap_set1(used, 0);
    bitmap_set1(used, CT_ZONE_HAIRPIN);
    ct_zones_read(br_int, lports, zones, used);

    /* New ports, in name order so that the result does not depend on hash
     * order. */
    const struct shash_node **sorted = shash_sort(lports);
    size_t n = shash_count(lports);
    for (size_t i = 0; i < n; i++) {
        const char *lport = sorted[i]->name;
        if (simap_contains(zones, lport)) {
            continue;
        }
        size_t zone = bitmap_scan(used, 0, 1, CT_ZONES_N);
        if (zone >= CT_ZONES_N) {
            VLOG_WARN("no conntrack zone left for %s", lport);
            continue;
        }
        bitmap_set1(used, zone);
        simap_put(zones, lport, zone);
        if (txn) {
            char *key = xasprintf(CT_ZONES_KEY_PREFIX"%s", lport);
            char *value = xasprintf("%"PRIuSIZE, zone);
            ovsrec_bridge_update_external_ids_setkey(br_int, key, value);
            free(key);
            free(value);
        }
    }
    free(sorted);

    /* Forget ports that are no longer here. */
    if (txn) {
        const size_t prefix_len = strlen(CT_ZONES_KEY_PREFIX);
        const struct smap_node *node;
        SMAP_FOR_EACH (node, &br_int->external_ids) {
            if (!strncmp(node->key, CT_ZONES_KEY_PREFIX, prefix_len)
                && !simap_contains(zones, node->key + prefix_len)) {
                ovsrec_bridge_update_external_ids_delkey(br_int, node->key);
            }
        }
    }
    bitmap_free(used);
}
