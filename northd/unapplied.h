/*
 * osmotic-northd's log of the NB configuration it does not compile yet
 * (lib/nb-unapplied.h): one warning per such row, the first time northd,
 * as the active instance, sees it.  After the first look at every row, a
 * run looks only at the rows the NB IDL's change tracking holds (the
 * caller clears it after each run); a caller that clears it otherwise
 * calls nd_unapplied_resync().
 */
#ifndef NORTHD_UNAPPLIED_H
#define NORTHD_UNAPPLIED_H 1

#include "uuidset.h"

struct ovsdb_idl;

/* The rows already logged. */
struct nd_unapplied {
    struct uuidset *logged;     /* Per entry of nb_unapplied_entries[], the
                                 * UUIDs of the rows logged for it that
                                 * are still in NB. */
    unsigned int seqno;         /* NB IDL sequence number last looked at. */
    bool full;                  /* Look at every row on the next run, not
                                 * only the tracked changes. */
};

void nd_unapplied_init(struct nd_unapplied *);
void nd_unapplied_destroy(struct nd_unapplied *);
void nd_unapplied_run(struct nd_unapplied *, struct ovsdb_idl *nb_idl);
void nd_unapplied_resync(struct nd_unapplied *);

#endif /* northd/unapplied.h */
