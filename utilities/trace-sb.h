/*
 * osmotic-trace's view of the southbound database: a one-shot read of the
 * SB into a logical flow simulator (lib/lflow-sim.h), kept open so that
 * cookies of installed flows can be traced back to SB rows.
 */
#ifndef TRACE_SB_H
#define TRACE_SB_H 1

#include <stdint.h>

#include "openvswitch/compiler.h"

struct ds;
struct lflow_sim;
struct ovsdb_idl;

/* The SB contents a trace uses. */
struct trace_sb {
    struct ovsdb_idl *idl;      /* Connection to the SB, fully read. */
    struct lflow_sim *sim;      /* Simulator filled from 'idl'. */
};

struct ovsdb_idl_class;

char *trace_db_connect(const struct ovsdb_idl_class *, const char *remote,
                       long long int deadline, struct ovsdb_idl **)
    OVS_WARN_UNUSED_RESULT;

char *trace_sb_open(const char *remote, long long int deadline,
                    struct trace_sb *)
    OVS_WARN_UNUSED_RESULT;
void trace_sb_close(struct trace_sb *);

void trace_sb_describe_cookie(const struct trace_sb *, uint32_t cookie,
                              const char *flow, struct ds *);
const char *trace_sb_cookie_stage(const struct trace_sb *, uint32_t cookie);
void trace_sb_cookie_target(const struct trace_sb *, uint32_t cookie,
                            struct ds *);

#endif /* utilities/trace-sb.h */
