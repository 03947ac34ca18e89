/*
 * Packet-in handler of the log() logical action: writes one line per
 * packet to the controller's log, in the "pinctrl_log" module, at the
 * level the action's severity names (alert and warning: WARN; notice and
 * info: INFO; debug: DBG), with the action's name, verdict and meter, the
 * direction, the names of the datapath and of the logical ports (from the
 * southbound database given to pinctrl_log_set_sb(); the tunnel keys where
 * it has no such row), and the packet's headers.
 */
#ifndef CONTROLLER_PINCTRL_LOG_H
#define CONTROLLER_PINCTRL_LOG_H 1

#include <stddef.h>

struct ofputil_packet_in;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct rconn;

void pinctrl_log_set_sb(struct ovsdb_idl *sb_idl,
                        struct ovsdb_idl_index *pb_by_key);
void pinctrl_log_handle(struct rconn *, const struct ofputil_packet_in *,
                        const char *payload, size_t len);

#endif /* controller/pinctrl-log.h */
