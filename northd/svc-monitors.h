/*
 * Load balancer health checks: NB Load_Balancer_Health_Check and
 * Load_Balancer:ip_port_mappings -> SB Service_Monitor, and back, the
 * backends whose monitor says "offline".
 *
 * A health check names one VIP (with a port) of its load balancer.  Each
 * backend of that VIP whose address has an entry in the load balancer's
 * ip_port_mappings ("LOGICAL_PORT:SOURCE_IP") gets one Service_Monitor
 * row, keyed by (logical_port, ip, port, protocol): the controller of the
 * chassis that binds the logical port probes the backend from SOURCE_IP
 * and the service monitor MAC (NB_Global options:svc_monitor_mac, or
 * ND_SVC_MONITOR_MAC_DEFAULT) and writes the row's status.  A backend
 * without a mapping is not monitored and stays in rotation.  Load
 * balancers sharing a backend share its row.
 *
 * Rows are few (one per monitored backend), so nd_svc_monitors_sync()
 * compares all of them with SB on every run and writes only the
 * differences.  It also keeps the set of offline monitors, which the
 * switch load balancer flows (lflow-lb.c) read: a backend whose monitor is
 * offline leaves its VIP's ct_lb() (and session affinity) but keeps its
 * un-DNAT and hairpin flows, so that connections already made to it end
 * cleanly.  A monitor whose logical port is not up on a chassis is offline
 * too, and northd writes so (nd_svc_monitors_sync()).  When that set
 * changes the caller rebuilds the flows.  A
 * database whose schema predates Service_Monitor gets no rows, and every
 * backend stays in rotation.
 */
#ifndef NORTHD_SVC_MONITORS_H
#define NORTHD_SVC_MONITORS_H 1

#include <stdbool.h>

#include "sset.h"

struct lb_endpoint;
struct nbrec_load_balancer;
struct nbrec_load_balancer_health_check;
struct ovsdb_idl;
struct ovsdb_idl_txn;

/* The source MAC of probes when NB_Global options:svc_monitor_mac has no
 * valid MAC (a locally administered unicast address). */
#define ND_SVC_MONITOR_MAC_DEFAULT "0a:58:0a:fe:00:01"

struct nd_svc_monitors {
    struct sset offline;        /* Keys (monitor_key()) of the monitors
                                 * whose status is "offline" or whose port
                                 * is not up on a chassis. */
};

void nd_svc_monitors_init(struct nd_svc_monitors *);
void nd_svc_monitors_destroy(struct nd_svc_monitors *);
bool nd_svc_monitors_sync(struct nd_svc_monitors *, struct ovsdb_idl *nb_idl,
                          struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *);

const struct nbrec_load_balancer_health_check *nd_svc_lb_vip_health_check(
    const struct nbrec_load_balancer *, const char *vip_norm);
bool nd_svc_backend_is_offline(const struct nd_svc_monitors *,
                               const struct nbrec_load_balancer *,
                               const char *proto,
                               const struct lb_endpoint *backend);

#endif /* northd/svc-monitors.h */
