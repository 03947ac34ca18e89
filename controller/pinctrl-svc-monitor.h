/*
 * Load balancer health checks: the controller's side of SB
 * Service_Monitor (northd/svc-monitors.h has northd's).
 *
 * The controller of the chassis that binds a monitor's logical_port, once
 * the port is up (its flows installed), probes its backend (ip, port,
 * protocol; controller/svc-probe.h) every options:interval seconds,
 * straight into the port from the monitor's src_mac and src_ip (IPv4 or
 * IPv6, of the backend's family), and counts a probe without an answer
 * within options:timeout seconds (TCP) as failed.  After
 * options:success_count successes in a row it writes status "online",
 * after options:failure_count failures in a row "offline"; northd then
 * takes the backend out of, or back into, its VIP's rotation.  While the
 * port is not up here, northd holds the backend offline, and the
 * controller neither probes it nor writes its status.
 *
 * The port's physical flows (controller/physical.c) hand the answers to
 * the controller (packet-in operation LACT_PIN_SVC_MON, table 0, before
 * the logical pipeline, so that no ACL or port security sees them) and
 * answer the backend's ARP requests (IPv4) or neighbor solicitations
 * (IPv6) for src_ip with src_mac, which it needs before it can answer a
 * probe.
 */
#ifndef CONTROLLER_PINCTRL_SVC_MONITOR_H
#define CONTROLLER_PINCTRL_SVC_MONITOR_H 1

#include <stdint.h>

struct binding_lport;
struct binding_result;
struct desired;
struct ds;
struct ofputil_packet_in;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct pinctrl;
struct svc_monitors;

struct svc_monitors *svc_monitors_create(void);
void svc_monitors_destroy(struct svc_monitors *);
void svc_monitors_run(struct svc_monitors *, struct pinctrl *,
                      struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *,
                      const struct binding_result *);
void svc_monitors_wait(struct svc_monitors *);
void svc_monitors_handle_reply(struct svc_monitors *, struct pinctrl *,
                               const struct ofputil_packet_in *);
void svc_monitors_status(const struct svc_monitors *, struct ds *);

void svc_monitors_add_port_flows(struct ovsdb_idl *sb_idl,
                                 const struct binding_lport *,
                                 uint32_t cookie, struct desired *);

#endif /* controller/pinctrl-svc-monitor.h */
