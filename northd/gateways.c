#include <config.h>

#include "northd/gateways.h"

#include <stdlib.h>
#include <string.h>

#include "lib/nb-gateways.h"
#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/rampout.h"
#include "northd/datapaths.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(gateways);

/* A gateway list as SB stores it: rank -> chassis.
 *
 * SB's gateway_chassis columns are maps keyed by integer, and the
 * controllers take the alive chassis of the highest key.  Northbound
 * priorities may be equal (OVN accepts that), and two chassis with one
 * priority would be one key: one of them would be lost.  So northd writes
 * ranks instead, 1 to n, in the order of preference: by descending
 * priority, and of equal priorities the chassis whose name sorts last (by
 * strcmp(), the order in which ovn-controller takes an HA chassis group's
 * chassis of equal priority) first.  A chassis listed twice counts once,
 * with its highest priority. */
struct gw_map {
    int64_t *prios;             /* Ranks, n for the most preferred. */
    char **names;               /* Chassis names, owned by the IDL rows
                                 * or by 'owned'. */
    size_t n;
    char **owned;               /* Names parsed for the map, to free. */
    size_t n_owned;
};

/* One chassis as the northbound database gives it, for sorting. */
struct gw_entry {
    const char *name;
    int64_t priority;
};

/* Orders 'struct gw_entry's by preference, most preferred first (see
 * struct gw_map). */
static int
gw_entry_cmp(const void *a_, const void *b_)
{
    const struct gw_entry *a = a_, *b = b_;
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return strcmp(b->name, a->name);
}

/* Fills 'map' with the 'n' chassis of 'entries', ranked (see struct
 * gw_map).  Sorts 'entries'. */
static void
gw_map_rank(struct gw_map *map, struct gw_entry *entries, size_t n)
{
    map->prios = xcalloc(n + 1, sizeof *map->prios);
    map->names = xcalloc(n + 1, sizeof *map->names);
    map->n = 0;
    map->owned = NULL;
    map->n_owned = 0;
    qsort(entries, n, sizeof *entries, gw_entry_cmp);
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < map->n; j++) {
            seen = seen || !strcmp(map->names[j], entries[i].name);
        }
        if (!seen) {
            map->names[map->n++] = CONST_CAST(char *, entries[i].name);
        }
    }
    for (size_t i = 0; i < map->n; i++) {
        map->prios[i] = map->n - i;
    }
}

/* Fills 'map' from the Gateway_Chassis rows 'gcs'. */
static void
gw_map_from_nb(struct gw_map *map, struct nbrec_gateway_chassis **gcs,
               size_t n)
{
    struct gw_entry *entries = xcalloc(n + 1, sizeof *entries);
    for (size_t i = 0; i < n; i++) {
        entries[i].name = gcs[i]->chassis_name;
        entries[i].priority = gcs[i]->priority;
    }
    gw_map_rank(map, entries, n);
    free(entries);
}

/* Fills 'map' from the gateway chassis list in effect for router port
 * 'lrp': its HA chassis group's, or else its Gateway_Chassis rows'
 * (lib/nb-gateways.h).  Every gateway port's SB list comes from here. */
static void
gw_map_from_lrp(struct gw_map *map,
                const struct nbrec_logical_router_port *lrp)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    /* Said when the port comes (a restart too) or either column changes,
     * not on every run. */
    if (lrp->ha_chassis_group && lrp->n_gateway_chassis
        && (nbrec_logical_router_port_is_new(lrp)
            || nbrec_logical_router_port_is_updated(
                lrp, NBREC_LOGICAL_ROUTER_PORT_COL_HA_CHASSIS_GROUP)
            || nbrec_logical_router_port_is_updated(
                lrp, NBREC_LOGICAL_ROUTER_PORT_COL_GATEWAY_CHASSIS))) {
        VLOG_WARN_RL(&rl, "router port %s has both an HA chassis group (%s) "
                     "and gateway chassis: the group's chassis are its "
                     "gateways, its gateway chassis are ignored",
                     lrp->name, lrp->ha_chassis_group->name);
    }
    struct nb_gateway *gws;
    size_t n = nb_lrp_gateways(lrp, &gws);
    struct gw_entry *entries = xcalloc(n + 1, sizeof *entries);
    for (size_t i = 0; i < n; i++) {
        entries[i].name = gws[i].chassis_name;
        entries[i].priority = gws[i].priority;
    }
    gw_map_rank(map, entries, n);
    free(entries);
    free(gws);
}

/* Fills 'map' from a colour's gateways 'gateways' (of 'n'), as NB
 * Color:rampout_chassis holds them ("CHASSIS:PRIORITY",
 * lib/rampout.h).  Entries that do not parse are left out (validation
 * refuses them). */
static void
gw_map_from_color(struct gw_map *map, char **gateways, size_t n)
{
    struct gw_entry *entries = xcalloc(n + 1, sizeof *entries);
    char **owned = xcalloc(n + 1, sizeof *owned);
    size_t n_ok = 0;
    for (size_t i = 0; i < n; i++) {
        char *chassis;
        int64_t priority;
        char *error = rampout_color_gateway_parse(gateways[i], &chassis,
                                                  &priority);
        if (error) {
            free(error);
            continue;
        }
        owned[n_ok] = chassis;
        entries[n_ok].name = chassis;
        entries[n_ok].priority = priority;
        n_ok++;
    }
    gw_map_rank(map, entries, n_ok);
    map->owned = owned;
    map->n_owned = n_ok;
    free(entries);
}

static void
gw_map_destroy(struct gw_map *map)
{
    for (size_t i = 0; i < map->n_owned; i++) {
        free(map->owned[i]);
    }
    free(map->owned);
    free(map->prios);
    free(map->names);
}

/* Returns true if SB's map ('keys', 'values', 'n') equals 'map'. */
static bool
gw_map_equals(const struct gw_map *map, const int64_t *keys,
              char **values, size_t n)
{
    if (n != map->n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < map->n; j++) {
            if (map->prios[j] == keys[i]) {
                break;
            }
        }
        if (j == map->n || strcmp(map->names[j], values[i])) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'a' and 'b' hold the same strings. */
static bool
strings_equal_as_sets(char **a, size_t n_a, char **b, size_t n_b)
{
    struct sset sa = SSET_INITIALIZER(&sa);
    struct sset sb = SSET_INITIALIZER(&sb);
    for (size_t i = 0; i < n_a; i++) {
        sset_add(&sa, a[i]);
    }
    for (size_t i = 0; i < n_b; i++) {
        sset_add(&sb, b[i]);
    }
    bool equal = sset_equals(&sa, &sb);
    sset_destroy(&sa);
    sset_destroy(&sb);
    return equal;
}

/* Returns true if 'map' holds chassis 'name'. */
static bool
gw_map_contains(const struct gw_map *map, const char *name)
{
    for (size_t i = 0; i < map->n; i++) {
        if (!strcmp(map->names[i], name)) {
            return true;
        }
    }
    return false;
}

/* Returns the chassis of highest priority in 'map' that has a Chassis row
 * in 'sb_idl', or NULL. */
static const char *
gw_map_active(const struct gw_map *map, const struct sset *registered)
{
    const char *best = NULL;
    int64_t best_prio = -1;
    for (size_t i = 0; i < map->n; i++) {
        if (map->prios[i] > best_prio
            && sset_contains(registered, map->names[i])) {
            best = map->names[i];
            best_prio = map->prios[i];
        }
    }
    return best;
}

/* Writes the gateway chassis of every router port's Port_Binding, and
 * keeps its chassis (the active gateway, which claims it: see
 * controller/gateway-claim.h) a registered chassis of that list: a claim
 * that names another chassis, or none, is replaced by the registered
 * chassis of highest rank ('chassis' maps the names of the registered
 * chassis to their rows), or cleared. */
static void
sync_port_gateways(const struct nd_datapaths *dps, struct ovsdb_idl *nb_idl,
                   struct ovsdb_idl *sb_idl, const struct shash *chassis,
                   const struct sset *registered)
{
    const struct nbrec_logical_router_port *lrp;
    NBREC_LOGICAL_ROUTER_PORT_FOR_EACH (lrp, nb_idl) {
        const struct nd_port *op = nd_port_find(dps, &lrp->header_.uuid);
        const struct sbrec_port_binding *pb
            = op ? sbrec_port_binding_get_for_uuid(sb_idl, &op->sb_uuid)
                 : NULL;
        if (!pb) {
            continue;
        }
        struct gw_map map;
        gw_map_from_lrp(&map, lrp);
        if (!gw_map_equals(&map, pb->key_gateway_chassis,
                           pb->value_gateway_chassis,
                           pb->n_gateway_chassis)) {
            sbrec_port_binding_set_gateway_chassis(
                pb, map.prios, (const char **) map.names, map.n);
        }
        const struct sbrec_chassis *active = pb->chassis;
        if (!active || !gw_map_contains(&map, active->name)) {
            const char *name = gw_map_active(&map, registered);
            active = name ? shash_find_data(chassis, name) : NULL;
        }
        if (pb->chassis != active) {
            sbrec_port_binding_set_chassis(pb, active);
        }
        gw_map_destroy(&map);
    }
}

/* Makes SB Rampout row 'row' (inserted if NULL) say what ramp-out 'ro'
 * of a router (SB datapath 'dp') says. */
static void
sync_rampout_row(const struct sbrec_rampout *row, const char *name,
                 const struct nd_rampout *ro,
                 const struct sbrec_datapath_binding *dp,
                 const struct sset *registered, struct ovsdb_idl *sb_idl,
                 struct ovsdb_idl_txn *txn)
{
    static char *every_source[] = { "0.0.0.0/0", "::/0" };
    if (!row) {
        row = sbrec_rampout_insert(txn);
        sbrec_rampout_set_name(row, name);
    }
    if (row->datapath != dp) {
        sbrec_rampout_set_datapath(row, dp);
    }
    char **subnets = ro->rule ? ro->rule->subnets : every_source;
    size_t n_subnets = (ro->rule ? ro->rule->n_subnets
                        : ARRAY_SIZE(every_source));
    if (!strings_equal_as_sets(row->subnets, row->n_subnets,
                               subnets, n_subnets)) {
        sbrec_rampout_set_subnets(row, (const char **) subnets, n_subnets);
    }
    struct gw_map map;
    if (ro->rule) {
        gw_map_from_nb(&map, ro->rule->gateway_chassis,
                       ro->rule->n_gateway_chassis);
    } else {
        gw_map_from_color(&map, ro->color->rampout_chassis,
                          ro->color->n_rampout_chassis);
    }
    if (!gw_map_equals(&map, row->key_gateway_chassis,
                       row->value_gateway_chassis, row->n_gateway_chassis)) {
        sbrec_rampout_set_gateway_chassis(row, map.prios,
                                          (const char **) map.names, map.n);
    }
    /* The active gateway claims the row itself, from what it sees (BFD,
     * controller/gateway-claim.h); northd keeps that claim while it
     * names a registered chassis of the list, and otherwise names the
     * registered one of highest priority. */
    const char *active = row->active_chassis;
    if (!active || !sset_contains(registered, active)
        || !gw_map_contains(&map, active)) {
        active = gw_map_active(&map, registered);
    }
    if (!nullable_string_is_equal(row->active_chassis, active)) {
        sbrec_rampout_set_active_chassis(row, active);
    }
    gw_map_destroy(&map);
    if (!nullable_string_is_equal(row->snat_ip, ro->snat_ip)) {
        sbrec_rampout_set_snat_ip(row, ro->snat_ip);
    }
    const struct sbrec_color *color = NULL;
    if (ro->color) {
        const struct sbrec_color *c;
        SBREC_COLOR_FOR_EACH (c, sb_idl) {
            if (!strcmp(c->name, ro->color->name)) {
                color = c;
            }
        }
    }
    if (row->color != color) {
        sbrec_rampout_set_color(row, color);
    }
    int64_t priority = ro->rule ? ro->rule->priority : -1;
    if (row->priority != priority) {
        sbrec_rampout_set_priority(row, priority);
    }
}

/* Returns true if some port of 'lr' has gateway chassis, its own or an
 * HA chassis group's (lib/nb-gateways.h), enabled or not: the ramp-out
 * numbering must not depend on a port's state. */
bool
nd_router_has_gateway_port(const struct nbrec_logical_router *lr)
{
    for (size_t i = 0; i < lr->n_ports; i++) {
        if (nb_lrp_n_gateways(lr->ports[i])) {
            return true;
        }
    }
    return false;
}

/* Returns true if 'color' has a gateway of its own that parses (northd
 * may see a row that no validation saw, and an SB Rampout row needs a
 * chassis). */
static bool
color_has_gateway(const struct nbrec_color *color)
{
    for (size_t i = 0; i < color->n_rampout_chassis; i++) {
        char *chassis;
        int64_t priority;
        char *error = rampout_color_gateway_parse(color->rampout_chassis[i],
                                                  &chassis, &priority);
        free(chassis);
        if (!error) {
            return true;
        }
        free(error);
    }
    return false;
}

/* Compares ramp-outs by name, for qsort(). */
static int
nd_rampout_cmp(const void *a_, const void *b_)
{
    const struct nd_rampout *a = a_, *b = b_;
    return rampout_name_cmp(a->name, b->name);
}

/* Returns the ramp-outs of router 'lr' sorted by name, and their number
 * in '*n': its ramp-out rules, then, on a router with a gateway port,
 * the gateways of each colour that has some (named "color:COLOR", unless
 * a rule of the router, stored before validation refused such names, has
 * that name already).  Free the array with
 * nd_rampouts_destroy(). */
struct nd_rampout *
nd_rampouts_of_router(const struct nbrec_logical_router *lr,
                      struct ovsdb_idl *nb_idl, size_t *n)
{
    size_t allocated = lr->n_rampout_rules + 1;
    struct nd_rampout *ros = xcalloc(allocated, sizeof *ros);
    struct sset names = SSET_INITIALIZER(&names);
    *n = 0;
    for (size_t i = 0; i < lr->n_rampout_rules; i++) {
        const struct nbrec_rampout_rule *rule = lr->rampout_rules[i];
        ros[*n] = (struct nd_rampout) {
            .name = xstrdup(rule->name),
            .rule = rule,
            .color = rule->color,
            .snat_ip = rule->snat_ip,
        };
        (*n)++;
        sset_add(&names, rule->name);
    }
    if (nd_router_has_gateway_port(lr)) {
        const struct nbrec_color *color;
        NBREC_COLOR_FOR_EACH (color, nb_idl) {
            if (!color_has_gateway(color)) {
                continue;
            }
            char *name = xasprintf(RAMPOUT_COLOR_PREFIX"%s", color->name);
            if (!sset_add(&names, name)) {
                free(name);
                continue;
            }
            if (*n >= allocated) {
                ros = x2nrealloc(ros, &allocated, sizeof *ros);
            }
            /* An address that no validation saw and that does not parse
             * is left out, as if absent. */
            const char *snat_ip = smap_get(&color->options, "snat_ip");
            char *error = snat_ip ? nb_validate_ipv4(snat_ip) : NULL;
            if (error) {
                free(error);
                snat_ip = NULL;
            }
            ros[(*n)++] = (struct nd_rampout) {
                .name = name,
                .color = color,
                .snat_ip = snat_ip,
            };
        }
    }
    sset_destroy(&names);
    if (*n) {
        qsort(ros, *n, sizeof *ros, nd_rampout_cmp);
    }
    return ros;
}

/* Frees the 'n' ramp-outs 'ros' (nd_rampouts_of_router()). */
void
nd_rampouts_destroy(struct nd_rampout *ros, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ros[i].name);
    }
    free(ros);
}

/* Writes the gateway chassis of router ports and the Rampout rows. */
void
nd_gateways_sync(const struct nd_datapaths *dps, struct ovsdb_idl *nb_idl,
                 struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *txn)
{
    struct sset registered = SSET_INITIALIZER(&registered);
    struct shash chassis = SHASH_INITIALIZER(&chassis);
    const struct sbrec_chassis *ch;
    SBREC_CHASSIS_FOR_EACH (ch, sb_idl) {
        sset_add(&registered, ch->name);
        shash_add_once(&chassis, ch->name, ch);
    }
    sync_port_gateways(dps, nb_idl, sb_idl, &chassis, &registered);

    struct shash existing = SHASH_INITIALIZER(&existing);
    const struct sbrec_rampout *row;
    SBREC_RAMPOUT_FOR_EACH (row, sb_idl) {
        if (!shash_add_once(&existing, row->name, row)) {
            sbrec_rampout_delete(row);
        }
    }
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, nb_idl) {
        const struct nd_datapath *od = nd_datapath_find(dps,
                                                        &lr->header_.uuid);
        const struct sbrec_datapath_binding *dp
            = od ? sbrec_datapath_binding_get_for_uuid(sb_idl, &od->sb_uuid)
                 : NULL;
        if (!dp) {
            continue;
        }
        size_t n;
        struct nd_rampout *ros = nd_rampouts_of_router(lr, nb_idl, &n);
        for (size_t i = 0; i < n; i++) {
            char *name = xasprintf("%s/%s", lr->name, ros[i].name);
            row = shash_find_and_delete(&existing, name);
            sync_rampout_row(row, name, &ros[i], dp, &registered, sb_idl,
                             txn);
            free(name);
        }
        nd_rampouts_destroy(ros, n);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &existing) {
        sbrec_rampout_delete(node->data);
    }
    shash_destroy(&existing);
    shash_destroy(&chassis);
    sset_destroy(&registered);
}

/* Makes NB ramp-out rule 'rule''s status:active-chassis 'chassis' (the
 * key absent if NULL). */
static void
sync_rule_status(const struct nbrec_rampout_rule *rule, const char *chassis)
{
    const char *now = smap_get(&rule->status, "active-chassis");
    if (nullable_string_is_equal(now, chassis)) {
        return;
    }
    if (chassis) {
        nbrec_rampout_rule_update_status_setkey(rule, "active-chassis",
                                                chassis);
    } else {
        nbrec_rampout_rule_update_status_delkey(rule, "active-chassis");
    }
}

/* Reports in NB the active chassis of every ramp-out of every router, for
 * "osmotic-nbctl rampout-list" and "color-list": a rule's in its
 * Rampout_Rule:status:active-chassis, a colour's own gateways' in
 * Color:status:active-chassis:ROUTER, one key per router.  Each is copied
 * from the SB Rampout row of the ramp-out (named as nd_gateways_sync()
 * names it); a key is absent while that row names no chassis.  Writes
 * nothing to a column the server's schema predates (an NB database not
 * upgraded yet), which would refuse the whole transaction. */
void
nd_gateways_sync_nb(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl)
{
    bool rule_status = nbrec_server_has_rampout_rule_table_col_status(nb_idl);
    bool color_status = nbrec_server_has_color_table_col_status(nb_idl);
    if (!rule_status && !color_status) {
        return;
    }
    struct shash active = SHASH_INITIALIZER(&active);
    const struct sbrec_rampout *row;
    SBREC_RAMPOUT_FOR_EACH (row, sb_idl) {
        if (row->active_chassis) {
            shash_add_once(&active, row->name, row->active_chassis);
        }
    }

    /* Each colour's status as it should be, by colour name. */
    struct shash wanted = SHASH_INITIALIZER(&wanted);
    const struct nbrec_logical_router *lr;
    NBREC_LOGICAL_ROUTER_FOR_EACH (lr, nb_idl) {
        size_t n;
        struct nd_rampout *ros = nd_rampouts_of_router(lr, nb_idl, &n);
        for (size_t i = 0; i < n; i++) {
            char *name = xasprintf("%s/%s", lr->name, ros[i].name);
            const char *chassis = shash_find_data(&active, name);
            free(name);
            if (ros[i].rule) {
                if (rule_status) {
                    sync_rule_status(ros[i].rule, chassis);
                }
            } else if (chassis) {
                struct smap *status = shash_find_data(&wanted,
                                                      ros[i].color->name);
                if (!status) {
                    status = xmalloc(sizeof *status);
                    smap_init(status);
                    shash_add(&wanted, ros[i].color->name,
                              status);
                }
                char *key = xasprintf("active-chassis:%s", lr->name);
                smap_replace(status, key, chassis);
                free(key);
            }
        }
        nd_rampouts_destroy(ros, n);
    }
    if (color_status) {
        struct smap empty = SMAP_INITIALIZER(&empty);
        const struct nbrec_color *color;
        NBREC_COLOR_FOR_EACH (color, nb_idl) {
            const struct smap *status = shash_find_data(
                &wanted, color->name);
            if (!status) {
                status = &empty;
            }
            if (!smap_equal(&color->status, status)) {
                nbrec_color_set_status(color, status);
            }
        }
        smap_destroy(&empty);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &wanted) {
        smap_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&wanted);
    shash_destroy(&active);
}
