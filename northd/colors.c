#include <config.h>

#include "northd/colors.h"

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/tunnel-keys.h"

#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(colors);

/* Interval of a promotion rule that names none, in milliseconds. */
#define COLORS_DEFAULT_INTERVAL 1000

/* Initializes 'c' with no numbers. */
void
nd_colors_init(struct nd_colors *c)
{
    simap_init(&c->color_ids);
    simap_init(&c->rule_ids);
}

/* Frees what 'c' holds.  Accepts NULL. */
void
nd_colors_destroy(struct nd_colors *c)
{
    if (c) {
        simap_destroy(&c->color_ids);
        simap_destroy(&c->rule_ids);
    }
}

/* Returns the color_id of colour 'name', 0 if there is none. */
int64_t
nd_colors_color_id(const struct nd_colors *c, const char *name)
{
    return simap_get(&c->color_ids, name);
}

/* Returns the rule_id of the promotion rule of flow class 'class_name', 0
 * if it has none. */
int64_t
nd_colors_rule_id(const struct nd_colors *c, const char *class_name)
{
    return simap_get(&c->rule_ids, class_name);
}

/* Returns true if a colour or flow class changed in NB, or a colour or
 * promotion rule in SB, since the IDLs' change tracking was cleared. */
bool
nd_colors_changed(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl)
{
    return (nbrec_color_track_get_first(nb_idl)
            || nbrec_flow_class_track_get_first(nb_idl)
            || sbrec_color_track_get_first(sb_idl)
            || sbrec_color_promotion_track_get_first(sb_idl));
}

/* Writes 'value' (NULL: empty) into optional integer column 'set' of a
 * row whose current value is 'cur' ('n_cur' of them). */
static bool
colors_optional_differs(const int64_t *cur, size_t n_cur,
                        const int64_t *value, size_t n_value)
{
    return n_cur != n_value || (n_cur && *cur != *value);
}

/* Makes SB Color row 'sb' (inserted if NULL) say what NB colour 'nb'
 * (NULL for a default colour without NB row) says, with id 'id'.
 * Returns the row. */
static const struct sbrec_color *
colors_sync_color(struct ovsdb_idl_txn *txn, const struct sbrec_color *sb,
                  const char *name, const struct nbrec_color *nb, int64_t id)
{
    if (!sb) {
        sb = sbrec_color_insert(txn);
        sbrec_color_set_name(sb, name);
    }
    if (sb->color_id != id) {
        sbrec_color_set_color_id(sb, id);
    }
    const int64_t *dscp = nb ? nb->dscp : NULL;
    size_t n_dscp = nb ? nb->n_dscp : 0;
    if (colors_optional_differs(sb->dscp, sb->n_dscp, dscp, n_dscp)) {
        sbrec_color_set_dscp(sb, dscp, n_dscp);
    }
    int64_t lane = nb && nb->n_lane ? *nb->lane : 0;
    if (sb->lane != lane) {
        sbrec_color_set_lane(sb, lane);
    }
    const int64_t *rate = nb ? nb->meter_rate : NULL;
    size_t n_rate = nb ? nb->n_meter_rate : 0;
    if (colors_optional_differs(sb->meter_rate, sb->n_meter_rate, rate,
                                n_rate)) {
        sbrec_color_set_meter_rate(sb, rate, n_rate);
    }
    const int64_t *burst = nb ? nb->meter_burst : NULL;
    size_t n_burst = nb ? nb->n_meter_burst : 0;
    if (colors_optional_differs(sb->meter_burst, sb->n_meter_burst, burst,
                                n_burst)) {
        sbrec_color_set_meter_burst(sb, burst, n_burst);
    }
    size_t n_chassis = nb ? nb->n_rampout_chassis : 0;
    bool same = sb->n_rampout_chassis == n_chassis;
    for (size_t i = 0; same && i < n_chassis; i++) {
        same = !strcmp(sb->rampout_chassis[i], nb->rampout_chassis[i]);
    }
    if (!same) {
        sbrec_color_set_rampout_chassis(
            sb, nb ? (const char **) nb->rampout_chassis : NULL, n_chassis);
    }
    return sb;
}

/* Compares strings, for qsort() of names. */
static int
colors_name_cmp(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

/* Syncs SB Color with NB Color and the default colours; fills 'sb_colors'
 * (name -> SB row) and 'ids' (name -> color_id). */
static void
colors_sync_colors(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
                   struct ovsdb_idl_txn *txn, struct shash *sb_colors,
                   struct simap *color_ids)
{
    /* Wanted: every NB colour, and the two defaults. */
    struct shash wanted = SHASH_INITIALIZER(&wanted);
    const struct nbrec_color *nb;
    NBREC_COLOR_FOR_EACH (nb, nb_idl) {
        shash_add_once(&wanted, nb->name, nb);
    }
    static const char *const defaults[] = { COLORS_MOUSE, COLORS_ELEPHANT };
    for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
        if (!shash_find(&wanted, defaults[i])) {
            shash_add(&wanted, defaults[i], NULL);
        }
    }

    /* Existing rows keep their ids; duplicates and unwanted ones go. */
    struct tunnel_keys ids;
    tunnel_keys_init(&ids, 1, 255);
    struct shash existing = SHASH_INITIALIZER(&existing);
    const struct sbrec_color *sb;
    SBREC_COLOR_FOR_EACH (sb, sb_idl) {
        if (!shash_find(&wanted, sb->name)
            || shash_find(&existing, sb->name)
            || !tunnel_keys_reserve(&ids, sb->color_id)) {
            sbrec_color_delete(sb);
        } else {
            shash_add(&existing, sb->name, sb);
        }
    }
    /* The defaults' usual ids, when free. */
    int64_t default_ids[ARRAY_SIZE(defaults)] = { 0 };
    for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
        if (!shash_find(&existing, defaults[i])
            && tunnel_keys_reserve(&ids, i + 1)) {
            default_ids[i] = i + 1;
        }
    }

    const struct shash_node **sorted = shash_sort(&wanted);
    for (size_t i = 0; i < shash_count(&wanted); i++) {
        const char *name = sorted[i]->name;
        nb = sorted[i]->data;
        sb = shash_find_data(&existing, name);
        int64_t id = sb ? sb->color_id : 0;
        for (size_t j = 0; !id && j < ARRAY_SIZE(defaults); j++) {
            if (!strcmp(name, defaults[j])) {
                id = default_ids[j];
            }
        }
        if (!id) {
            id = tunnel_keys_alloc(&ids);
        }
        if (!id) {
            VLOG_WARN("colour %s: no colour id left (at most 255 colours)",
                      name);
            continue;
        }
        shash_add(sb_colors, name, colors_sync_color(txn, sb, name, nb, id));
        simap_put(color_ids, name, id);
    }
    free(sorted);
    shash_destroy(&existing);
    shash_destroy(&wanted);
    tunnel_keys_destroy(&ids);
}

/* Makes SB Color_Promotion row 'sb' (inserted if NULL) the rule of flow
 * class 'fc', with number 'rule_id'. */
static void
colors_sync_rule(struct ovsdb_idl_txn *txn,
                 const struct sbrec_color_promotion *sb,
                 const struct nbrec_flow_class *fc, int64_t rule_id,
                 const struct sbrec_color *from, const struct sbrec_color *to)
{
    if (!sb) {
        sb = sbrec_color_promotion_insert(txn);
        sbrec_color_promotion_set_name(sb, fc->name);
    }
    if (sb->rule_id != rule_id) {
        sbrec_color_promotion_set_rule_id(sb, rule_id);
    }
    if (sb->priority != fc->priority) {
        sbrec_color_promotion_set_priority(sb, fc->priority);
    }
    if (strcmp(sb->match, fc->match)) {
        sbrec_color_promotion_set_match(sb, fc->match);
    }
    if (sb->from_color != from) {
        sbrec_color_promotion_set_from_color(sb, from);
    }
    if (sb->to_color != to) {
        sbrec_color_promotion_set_to_color(sb, to);
    }
    if (colors_optional_differs(sb->bytes, sb->n_bytes, fc->promote_bytes,
                                fc->n_promote_bytes)) {
        sbrec_color_promotion_set_bytes(sb, fc->promote_bytes,
                                        fc->n_promote_bytes);
    }
    if (colors_optional_differs(sb->rate, sb->n_rate, fc->promote_rate,
                                fc->n_promote_rate)) {
        sbrec_color_promotion_set_rate(sb, fc->promote_rate,
                                       fc->n_promote_rate);
    }
    int64_t interval = (fc->n_promote_interval ? *fc->promote_interval
                        : COLORS_DEFAULT_INTERVAL);
    if (sb->interval != interval) {
        sbrec_color_promotion_set_interval(sb, interval);
    }
    if (colors_optional_differs(sb->idle, sb->n_idle, fc->demote_idle,
                                fc->n_demote_idle)) {
        sbrec_color_promotion_set_idle(sb, fc->demote_idle,
                                       fc->n_demote_idle);
    }
}

/* Syncs SB Color_Promotion with the NB flow classes that promote; fills
 * 'rule_ids' (class name -> rule_id). */
static void
colors_sync_rules(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
                  struct ovsdb_idl_txn *txn, const struct shash *sb_colors,
                  struct simap *rule_ids)
{
    struct shash wanted = SHASH_INITIALIZER(&wanted);
    const struct nbrec_flow_class *fc;
    NBREC_FLOW_CLASS_FOR_EACH (fc, nb_idl) {
        if (fc->promote_color && fc->color) {
            shash_add_once(&wanted, fc->name, fc);
        }
    }

    struct tunnel_keys ids;
    tunnel_keys_init(&ids, 1, 65535);
    struct shash existing = SHASH_INITIALIZER(&existing);
    const struct sbrec_color_promotion *sb;
    SBREC_COLOR_PROMOTION_FOR_EACH (sb, sb_idl) {
        if (!shash_find(&wanted, sb->name)
            || shash_find(&existing, sb->name)
            || !tunnel_keys_reserve(&ids, sb->rule_id)) {
            sbrec_color_promotion_delete(sb);
        } else {
            shash_add(&existing, sb->name, sb);
        }
    }

    const char **names = xmalloc((shash_count(&wanted) + 1) * sizeof *names);
    size_t n = 0;
    struct shash_node *node;
    SHASH_FOR_EACH (node, &wanted) {
        names[n++] = node->name;
    }
    qsort(names, n, sizeof *names, colors_name_cmp);
    for (size_t i = 0; i < n; i++) {
        fc = shash_find_data(&wanted, names[i]);
        sb = shash_find_data(&existing, names[i]);
        const struct sbrec_color *from = shash_find_data(sb_colors,
                                                         fc->color->name);
        const struct sbrec_color *to = shash_find_data(
            sb_colors, fc->promote_color->name);
        int64_t id = sb ? sb->rule_id : tunnel_keys_alloc(&ids);
        if (!from || !to || !id) {
            if (sb) {
                sbrec_color_promotion_delete(sb);
            }
            continue;
        }
        colors_sync_rule(txn, sb, fc, id, from, to);
        simap_put(rule_ids, fc->name, id);
    }
    free(names);
    shash_destroy(&existing);
    shash_destroy(&wanted);
    tunnel_keys_destroy(&ids);
}

/* Returns true if 'a' and 'b' hold the same names and numbers. */
static bool
colors_simap_equal(const struct simap *a, const struct simap *b)
{
    if (simap_count(a) != simap_count(b)) {
        return false;
    }
    const struct simap_node *node;
    SIMAP_FOR_EACH (node, a) {
        const struct simap_node *other = simap_find(b, node->name);
        if (!other || other->data != node->data) {
            return false;
        }
    }
    return true;
}

/* Makes SB Color and Color_Promotion what NB says, in 'sb_txn', and
 * records the numbers given in 'c'.  Returns true if a number that a
 * logical flow may use changed (a colour's or a rule's came, went or
 * moved). */
bool
nd_colors_sync(struct nd_colors *c, struct ovsdb_idl *nb_idl,
            struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *sb_txn)
{
    struct shash sb_colors = SHASH_INITIALIZER(&sb_colors);
    struct nd_colors new;
    nd_colors_init(&new);
    colors_sync_colors(nb_idl, sb_idl, sb_txn, &sb_colors, &new.color_ids);
    colors_sync_rules(nb_idl, sb_idl, sb_txn, &sb_colors, &new.rule_ids);
    shash_destroy(&sb_colors);
    bool changed = (!colors_simap_equal(&new.color_ids, &c->color_ids)
                    || !colors_simap_equal(&new.rule_ids, &c->rule_ids));
    nd_colors_destroy(c);
    *c = new;
    simap_moved(&c->color_ids);
    simap_moved(&c->rule_ids);
    return changed;
}
