/*
 * The northd compiler: NB rows in, SB rows out.
 *
 * northd_run() brings SB in step with NB inside one open SB transaction.
 * It normally works incrementally: the NB IDL tracks which rows changed,
 * datapaths.c syncs only the affected datapaths and ports, and only the
 * logical-flow owners that depend on those, as the owner kinds and the
 * change index say (owners.h, change-index.h), are rebuilt, so adding one
 * port costs the same with ten or ten thousand ports.  It falls back to a
 * full recompute when it cannot trust its state: at start, after a
 * reconnection, when it gains the SB lock, after a failed transaction,
 * when someone else changed SB rows northd owns, or on request.  A full
 * recompute adopts every existing SB row that is already right, so it
 * writes nothing when SB is already up to date.
 */
#ifndef NORTHD_NORTHD_H
#define NORTHD_NORTHD_H 1

#include <stdbool.h>
#include <stdint.h>

#include "northd/bfd.h"
#include "northd/colors.h"
#include "northd/datapaths.h"
#include "northd/owners.h"
#include "northd/svc-monitors.h"
#include "uuidset.h"

struct change_index;
struct ds;
struct lflow_table;
struct ovsdb_idl;

/* Compiler state and statistics. */
struct northd {
    struct nd_datapaths dps;    /* Datapaths and ports. */
    struct lflow_table *lflows; /* Desired logical flows. */
    struct change_index *deps;  /* Owners' dependencies on NB rows. */
    struct nd_colors colors;       /* Colour and promotion rule numbers. */
    struct nd_svc_monitors svc; /* Load balancer health checks. */
    struct nd_bfd bfd;          /* BFD sessions of static routes. */
    bool need_full;             /* Next run must be a full recompute. */
    bool symbolic_sets;         /* SB has Address_Set: ACL matches name
                                 * address sets (northd/nb-match.h). */
    struct uuidset up_pending;  /* LSPs whose "up" must be re-checked. */
    bool up_all;                /* Re-check every LSP's "up". */
    bool flows_pending;         /* Full recompute: flows not in SB yet. */
    bool flows_built;           /* Full recompute: flows built. */
    struct hmap_position build_position; /* Full recompute: next datapath
                                          * whose flows to build. */
    long long int full_usec;    /* Full recompute: time spent so far. */
    bool full_just_finished;    /* Full recompute: flows went out in this
                                 * iteration's SB transaction. */
    int64_t nb_cfg_seen;        /* Last NB_Global.nb_cfg seen, and... */
    long long int nb_cfg_seen_wall; /* ...when (wall-clock msec), for
                                     * NB_Global.nb_cfg_timestamp. */

    /* Statistics. */
    long long int last_compile_wall; /* Wall-clock msec of last compile. */
    long long int last_compile_usec; /* Its duration, in microseconds. */
    bool last_compile_full;     /* Whether it was a full recompute. */
    uint64_t last_owners_built; /* Flow owners it built. */
    uint64_t last_flows_added;  /* Flows those owners added (each add of a
                                 * flow, whether new or not, counts). */
    uint64_t last_owners_by_kind[ND_MAX_OWNER_KINDS]; /* Owners it built
                                 * of each kind (owners.h). */
    uint64_t n_full;            /* Full recomputes so far. */
    uint64_t n_incremental;     /* Incremental compiles that did work. */
    uint64_t n_sb_txns;         /* SB transactions that changed SB. */
    uint64_t n_nb_txns;         /* NB transactions that changed NB. */
};

void northd_init(struct northd *);
void northd_destroy(struct northd *);
void northd_run(struct northd *, const struct nd_sync_ctx *);
void northd_build_pending(struct northd *, struct ovsdb_idl *nb_idl,
                          size_t max_datapaths);
bool northd_flows_pending(const struct northd *);
bool northd_flows_built(const struct northd *);
void northd_abandon_full(struct northd *);

void northd_format_counts(const struct northd *, struct ds *);

#endif /* northd/northd.h */
