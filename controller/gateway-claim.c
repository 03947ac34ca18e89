#include <config.h>

#include "controller/gateway-claim.h"

#include <string.h>

#include "controller/gateway.h"
#include "lib/osmotic-sb-idl.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(gateway_claim);

/* The shortest time between two claims of one row by this chassis. */
#define CLAIM_INTERVAL_MSEC 1000

struct gateway_claims {
    struct shash last;          /* Rampout name -> time of the last claim
                                 * (long long int *, monotonic msec). */
};

struct gateway_claims *
gateway_claims_create(void)
{
    struct gateway_claims *claims = xmalloc(sizeof *claims);
    shash_init(&claims->last);
    return claims;
}

void
gateway_claims_destroy(struct gateway_claims *claims)
{
    if (claims) {
        shash_destroy_free_data(&claims->last);
        free(claims);
    }
}

/* Returns true if 'row' lists chassis 'name'. */
static bool
rampout_lists(const struct sbrec_rampout *row, const char *name)
{
    for (size_t i = 0; i < row->n_gateway_chassis; i++) {
        if (!strcmp(row->value_gateway_chassis[i], name)) {
            return true;
        }
    }
    return false;
}

/* Returns true if chassis 'name' has a Chassis row. */
static bool
chassis_registered(struct ovsdb_idl *sb_idl, const char *name)
{
    const struct sbrec_chassis *ch;
    SBREC_CHASSIS_FOR_EACH (ch, sb_idl) {
        if (!strcmp(ch->name, name)) {
            return true;
        }
    }
    return false;
}

/* Writes 'self' into the active_chassis of every SB Rampout row whose
 * active gateway, as this chassis sees it, is 'self', in 'sb_txn'. */
void
gateway_claims_run(struct gateway_claims *claims, struct ovsdb_idl *sb_idl,
                   struct ovsdb_idl_txn *sb_txn, const char *self,
                   const struct encaps_ports *tunnels)
{
    struct shash old = SHASH_INITIALIZER(&old);
    shash_swap(&old, &claims->last);
    long long int now = time_msec();

    const struct sbrec_rampout *row;
    SBREC_RAMPOUT_FOR_EACH (row, sb_idl) {
        if (!rampout_lists(row, self)) {
            continue;
        }
        long long int *last = shash_find_and_delete(&old, row->name);
        if (last) {
            shash_add_once(&claims->last, row->name, last);
        }
        const char *active = gateway_active_chassis(
            sb_idl, row->key_gateway_chassis, row->value_gateway_chassis,
            row->n_gateway_chassis, self, tunnels);
        if (!active || strcmp(active, self)
            || (row->active_chassis && !strcmp(row->active_chassis, self))) {
            continue;
        }
        if (last && now < *last + CLAIM_INTERVAL_MSEC) {
            poll_timer_wait_until(*last + CLAIM_INTERVAL_MSEC);
            continue;
        }
        if (!sb_txn) {
            continue;
        }
        /* Taking a row back within seconds from a chassis that is still
         * registered is a dispute (for a moment also when BFD comes back
         * up on one side before the other); from one that left the
         * database, a failover. */
        if (last && now < *last + 10 * CLAIM_INTERVAL_MSEC
            && row->active_chassis
            && chassis_registered(sb_idl, row->active_chassis)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "%s: claiming ramp-out rule back from %s: "
                         "both chassis find themselves its active gateway",
                         row->name, row->active_chassis);
        } else {
            VLOG_INFO("%s: this chassis is the active gateway (was %s)",
                      row->name, row->active_chassis
                                 ? row->active_chassis : "none");
        }
        if (!last) {
            last = xmalloc(sizeof *last);
            shash_add(&claims->last, row->name, last);
        }
        *last = now;
        sbrec_rampout_set_active_chassis(row, self);
    }
    shash_destroy_free_data(&old);
}
