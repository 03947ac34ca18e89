/*
 * Owner kinds: who builds which logical flows, and what rebuilds them.
 *
 * Every logical flow is built by an owner (lflow-table.h): one NB object
 * seen through one owner kind.  A kind is a "struct nd_owner_kind" in the
 * table in owners.c, defined by the module of its feature (lflow-switch.c
 * today; lflow-acl.c, lflow-router.c, lflow-lb.c, lflow-color.c later),
 * and says three things:
 *
 *   - how to build one of its owners ('build'), and all of them in one
 *     datapath ('build_datapath', for a full recompute, which northd runs
 *     datapath by datapath);
 *
 *   - which owners a change of datapaths and ports makes stale
 *     ('collect', from the "struct nd_changes" of datapaths.h: its own
 *     rows, and the structural dependencies the datapath model knows,
 *     e.g. a switch's datapath-wide flows on the facts its ports have, a
 *     bucket's flows on its ports);
 *
 *   - which other NB tables its owners may read ('dep_tables').  While an
 *     owner is built, it declares each row of those tables it read, or
 *     each name it looked up, with nd_owner_depends_on_row() and
 *     nd_owner_depends_on_name(); the change index (change-index.h)
 *     remembers them, and a change of such a row rebuilds exactly the
 *     owners that declared it.  Today a switch port of type "router"
 *     depends on the router port it names; later an ACL will depend on
 *     its address sets and port groups, a load balancer's flows on the
 *     datapaths that use it, a flow class on its colour.
 *
 * An incremental run thus rebuilds the union of what the kinds collect
 * and what the change index finds for every tracked row of the tables the
 * kinds declared, each owner once.  A tracked row counts if it came, went
 * or changed in one of its own columns: the IDL also reports a row when
 * only a row it refers to changed (a switch whose port did), but an owner
 * that reads the row referred to declares that row itself; and the column
 * northd writes itself (a switch port's "up") is read by no owner.  A
 * kind's 'build' of an owner whose object is gone builds nothing, which
 * forgets the owner's flows and dependencies.
 *
 * A new feature adds its kind to the table in owners.c and nothing else
 * of northd's: the switch module does not know about it.
 */
#ifndef NORTHD_OWNERS_H
#define NORTHD_OWNERS_H 1

#include <stddef.h>
#include <stdint.h>

#include "northd/lflow-table.h"

struct change_index;
struct nd_colors;
struct nd_changes;
struct nd_datapath;
struct nd_datapaths;
struct ovsdb_idl;
struct ovsdb_idl_column;
struct ovsdb_idl_table_class;
struct ovsdb_idl_txn;
struct ds;

/* At most this many owner kinds (the table in owners.c). */
#define ND_MAX_OWNER_KINDS 16

/* What an owner kind builds with. */
struct nd_bfd;
struct nd_svc_monitors;

struct nd_build_ctx {
    struct lflow_table *lflows;     /* The flows. */
    struct change_index *deps;      /* The owners' dependencies. */
    const struct nd_datapaths *dps; /* Datapaths and ports. */
    struct ovsdb_idl *nb_idl;       /* Northbound, read only. */
    struct ovsdb_idl *sb_idl;       /* Southbound (unused while the table
                                     * collects). */
    struct ovsdb_idl_txn *sb_txn;   /* Open SB transaction, or NULL while
                                     * the table collects. */
    const struct nd_colors *colors;    /* Colour and rule numbers. */
    const struct nd_svc_monitors *svc; /* Backends found offline. */
    const struct nd_bfd *bfd;       /* BFD sessions up. */
    bool symbolic_sets;             /* SB has Address_Set: matches may
                                     * name sets (northd/nb-match.h). */
    uint64_t n_built;               /* Owners built so far. */
    uint64_t n_built_by_kind[ND_MAX_OWNER_KINDS]; /* The same, per kind
                                     * (indexes of the table in owners.c). */
};

/* An NB table whose rows the owners of a kind may depend on. */
struct nd_owner_dep_table {
    const struct ovsdb_idl_table_class *table; /* The table. */
    const struct ovsdb_idl_column *name_column; /* Its name column, for
                                     * dependencies by name, or NULL. */
};

/* A kind of owner of logical flows. */
struct nd_owner_kind {
    const char *name;               /* For logs: "switch-port". */
    const char *nb_table;           /* NB table of the owning rows (the
                                     * "source" of their flows). */
    const struct nd_owner_dep_table *dep_tables; /* Other tables read. */
    size_t n_dep_tables;            /* Number of 'dep_tables'. */

    /* Builds every owner of this kind in datapath 'od'. */
    void (*build_datapath)(struct nd_build_ctx *,
                           const struct nd_datapath *od);

    /* Adds to 'owners' the owners of this kind that 'changes' affect. */
    void (*collect)(const struct nd_changes *,
                    struct lflow_owner_set *owners);

    /* Optional: adds to 'owners' the owners of this kind that the tracked
     * NB rows of its own tables make stale (rows the change index cannot
     * know yet, such as a row just created). */
    void (*collect_nb)(const struct nd_build_ctx *,
                       struct lflow_owner_set *owners);

    /* Builds owner 'id' (of this kind): its flows as its object is now,
     * none if it is gone. */
    void (*build)(struct nd_build_ctx *, const struct lflow_owner_id *id);
};

/* Returns the id of owner 'index' of NB row 'uuid' of 'kind'. */
static inline struct lflow_owner_id
nd_owner_id(const struct nd_owner_kind *kind, const struct uuid *uuid,
            uint32_t index)
{
    struct lflow_owner_id id = { .kind = kind, .uuid = *uuid,
                                 .index = index };
    return id;
}

void nd_owner_begin(struct nd_build_ctx *, const struct lflow_owner_id *);
void nd_owner_end(struct nd_build_ctx *);
void nd_owner_depends_on_row(struct nd_build_ctx *,
                             const struct ovsdb_idl_table_class *,
                             const struct uuid *);
void nd_owner_depends_on_name(struct nd_build_ctx *,
                              const struct ovsdb_idl_table_class *,
                              const char *name);
void nd_owner_depends_on_table(struct nd_build_ctx *,
                               const struct ovsdb_idl_table_class *);

void nd_owners_build_datapath(struct nd_build_ctx *,
                              const struct nd_datapath *);
void nd_owners_collect(const struct nd_build_ctx *, const struct nd_changes *,
                       struct lflow_owner_set *);
void nd_owners_build(struct nd_build_ctx *, const struct lflow_owner_set *);
void nd_owners_format_built(const uint64_t n_built_by_kind[], struct ds *);

#endif /* northd/owners.h */
