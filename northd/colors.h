/*
 * Colours: NB Color -> SB Color, and NB Flow_Class promotion settings ->
 * SB Color_Promotion.
 *
 * Every SB Color has a numeric id (1 to 255) that the datapath carries in
 * the colour register and the Geneve option; every Color_Promotion a rule
 * number (1 to 65535) that its samples carry.  Both are stable, like
 * tunnel keys: a row keeps the number SB already gives its name, and a
 * new one takes the lowest free, in name order.  Two colours always
 * exist, whether or not NB defines them: "mouse" (id 1 when free), the
 * colour of connections no class puts elsewhere, and "elephant" (id 2
 * when free), where dynamic promotion usually leads; NB rows of those
 * names set their properties, otherwise they have none (lane 0, no DSCP,
 * no meter).
 *
 * The tables are small (colours are at most 255), so nd_colors_sync()
 * compares all of them with SB and writes only the differences, and
 * remembers the numbers it gave in "struct nd_colors", which the logical
 * flows of colours (lflow-color.h) use; northd calls it on every run in
 * which a colour, a flow class or one of these SB rows changed, and on
 * every full recompute.
 */
#ifndef NORTHD_COLORS_H
#define NORTHD_COLORS_H 1

#include <stdbool.h>
#include <stdint.h>

#include "simap.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;

/* The numbers nd_colors_sync() gave, for the logical flows of colours. */
struct nd_colors {
    struct simap color_ids;     /* Colour name -> SB color_id. */
    struct simap rule_ids;      /* Flow class name -> SB rule_id (classes
                                 * that promote only). */
};

/* The colour every connection starts with unless a class says, and the
 * one promotion usually leads to. */
#define COLORS_MOUSE "mouse"
#define COLORS_ELEPHANT "elephant"

void nd_colors_init(struct nd_colors *);
void nd_colors_destroy(struct nd_colors *);
bool nd_colors_changed(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl);
bool nd_colors_sync(struct nd_colors *, struct ovsdb_idl *nb_idl,
                 struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *sb_txn);
int64_t nd_colors_color_id(const struct nd_colors *, const char *name);
int64_t nd_colors_rule_id(const struct nd_colors *, const char *class_name);

#endif /* northd/colors.h */
