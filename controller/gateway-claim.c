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
    struct shash last;          /* "Rampout NAME" or "Port_Binding PORT" ->
                                 * time of the last claim (long long int *,
                                 * monotonic msec). */
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

/* Returns true if the 'n' of 'names' hold chassis 'name'. */
static bool
names_hold(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], name)) {
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

/* One row that names its active gateway: a ramp-out rule or a gateway
 * port. */
struct claim_row {
    const char *key;            /* Key in 'claims->last', unique. */
    const char *what;           /* "ramp-out rule" or "gateway port". */
    const char *name;           /* The row's name, for the log. */
    const char *claimed;        /* The chassis it names now, or NULL. */
    const int64_t *ranks;       /* Its gateway list. */
    char **names;
    size_t n;
};

/* Decides whether this chassis ('self') writes its name into 'row' now:
 * it is in the row's list, finds itself the active gateway, the row names
 * another chassis (or none), the last claim of the row by this chassis
 * was at least CLAIM_INTERVAL_MSEC ago and 'can_write'.  Keeps the time of
 * the claim in 'claims->last' (moved there from 'old', which holds the
 * times of the previous run), logs it, and returns true if the caller is
 * to write it. */
static bool
claim_decide(struct gateway_claims *claims, struct shash *old,
             const struct claim_row *row, struct ovsdb_idl *sb_idl,
             const char *self, const struct encaps_ports *tunnels,
             long long int now, bool can_write)
{
    if (!names_hold(row->names, row->n, self)) {
        return false;
    }
    long long int *last = shash_find_and_delete(old, row->key);
    if (last) {
        shash_add_once(&claims->last, row->key, last);
    }
    const char *active = gateway_active_chassis(sb_idl, row->ranks,
                                                row->names, row->n, self,
                                                tunnels);
    if (!active || strcmp(active, self)
        || (row->claimed && !strcmp(row->claimed, self))) {
        return false;
    }
    if (last && now < *last + CLAIM_INTERVAL_MSEC) {
        poll_timer_wait_until(*last + CLAIM_INTERVAL_MSEC);
        return false;
    }
    if (!can_write) {
        return false;
    }
    /* Taking a row back within seconds from a chassis that is still
     * registered is a dispute (for a moment also when BFD comes back up
     * on one side before the other); from one that left the database, a
     * failover. */
    if (last && now < *last + 10 * CLAIM_INTERVAL_MSEC
        && row->claimed && chassis_registered(sb_idl, row->claimed)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: claiming %s back from %s: both chassis "
                     "find themselves its active gateway",
                     row->name, row->what, row->claimed);
    } else {
        VLOG_INFO("%s: this chassis is the active gateway of the %s "
                  "(was %s)", row->name, row->what,
                  row->claimed ? row->claimed : "none");
    }
    if (!last) {
        last = xmalloc(sizeof *last);
        shash_add(&claims->last, row->key, last);
    }
    *last = now;
    return true;
}

/* Writes this chassis ('chassis') into the active_chassis of every SB
 * Rampout row, and the chassis of every gateway port's Port_Binding,
 * whose active gateway, as this chassis sees it, is this one, in
 * 'sb_txn'. */
void
gateway_claims_run(struct gateway_claims *claims, struct ovsdb_idl *sb_idl,
                   struct ovsdb_idl_txn *sb_txn,
                   const struct sbrec_chassis *chassis,
                   const struct encaps_ports *tunnels)
{
    struct shash old = SHASH_INITIALIZER(&old);
    shash_swap(&old, &claims->last);
    long long int now = time_msec();
    const char *self = chassis->name;

    const struct sbrec_rampout *r;
    SBREC_RAMPOUT_FOR_EACH (r, sb_idl) {
        char *key = xasprintf("Rampout %s", r->name);
        const struct claim_row row = {
            .key = key, .what = "ramp-out rule", .name = r->name,
            .claimed = r->active_chassis, .ranks = r->key_gateway_chassis,
            .names = r->value_gateway_chassis, .n = r->n_gateway_chassis,
        };
        if (claim_decide(claims, &old, &row, sb_idl, self, tunnels, now,
                         sb_txn != NULL)) {
            sbrec_rampout_set_active_chassis(r, self);
        }
        free(key);
    }

    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (!pb->n_gateway_chassis) {
            continue;
        }
        char *key = xasprintf("Port_Binding %s", pb->logical_port);
        const struct claim_row row = {
            .key = key, .what = "gateway port", .name = pb->logical_port,
            .claimed = pb->chassis ? pb->chassis->name : NULL,
            .ranks = pb->key_gateway_chassis,
            .names = pb->value_gateway_chassis, .n = pb->n_gateway_chassis,
        };
        if (claim_decide(claims, &old, &row, sb_idl, self, tunnels, now,
                         sb_txn != NULL)) {
            sbrec_port_binding_set_chassis(pb, chassis);
        }
        free(key);
    }
    shash_destroy_free_data(&old);
}
