/*
 * The kinds of logical datapath (see datapaths.h for the model): each
 * entry of nd_dp_kinds[] maps one NB datapath table and its port table to
 * SB.  A new kind (the schema's other datapath-like objects, later) is one
 * more "struct nd_dp_kind" here; the generic path in datapaths.c needs no
 * change.
 */
#ifndef NORTHD_DP_KINDS_H
#define NORTHD_DP_KINDS_H 1

#include <stdbool.h>
#include <stddef.h>

#include "northd/datapaths.h"

/* Logical_Switch -> "switch", Logical_Switch_Port ports. */
extern const struct nd_dp_kind nd_dp_switch;

/* Logical_Router -> "router", Logical_Router_Port ports. */
extern const struct nd_dp_kind nd_dp_router;

/* Returns true if 'od' is a router's datapath. */
static inline bool
nd_dp_is_router(const struct nd_datapath *od)
{
    return od->kind == &nd_dp_router;
}

/* Every kind, in the order new datapaths get keys in a full sync. */
extern const struct nd_dp_kind *const nd_dp_kinds[];
extern const size_t nd_n_dp_kinds;

#endif /* northd/dp-kinds.h */
