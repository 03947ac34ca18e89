/*
 * osmotic-trace --nb-db: names of the northbound objects that logical
 * flows come from.  A logical flow's "source" is "Table:uuid"; with the
 * NB read, a trace can print the object's name beside it.
 */
#ifndef TRACE_NB_H
#define TRACE_NB_H 1

#include "openvswitch/compiler.h"

struct ovsdb_idl;

/* The NB contents a trace uses. */
struct trace_nb {
    struct ovsdb_idl *idl;      /* Connection to the NB, fully read. */
    char *row_text;             /* The last name trace_nb_source_name()
                                 * composed (of a row without a name). */
};

char *trace_nb_open(const char *remote, long long int deadline,
                    struct trace_nb *)
    OVS_WARN_UNUSED_RESULT;
void trace_nb_close(struct trace_nb *);

const char *trace_nb_source_name(const char *source, void *nb);

#endif /* utilities/trace-nb.h */
