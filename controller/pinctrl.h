/*
 * Packet-ins: the packets that logical flows hand to the controller.
 *
 * Logical actions that need the controller (log, reject, arp, nd_na,
 * put_arp; lib/logical-actions.h) become controller() actions whose
 * userdata starts with an operation code.  pinctrl keeps its own OpenFlow
 * connection to br-int, separate from ofctrl's, so that packet-ins never
 * queue behind flow updates, asks for NXT_PACKET_IN2 (the only format
 * that carries userdata), and hands each packet-in to the handler module
 * of its operation (controller/pinctrl-*.c).
 *
 * Every operation that has a handler has a meter of its own
 * (PINCTRL_METER_RATE packets per second, burst PINCTRL_METER_BURST),
 * which the controller() action names, so br-int's datapath drops the
 * excess of a flood before it becomes a packet-in: a pod flooding
 * packets that each trigger one costs the controller a bounded rate.  An
 * operation without a handler has no meter, and the encoder refuses the
 * actions that would need it.  pinctrl_run() also handles at most
 * PINCTRL_MAX_PER_RUN packet-ins per main-loop iteration.
 */
#ifndef CONTROLLER_PINCTRL_H
#define CONTROLLER_PINCTRL_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/logical-actions.h"

struct dp_packet;
struct ds;
struct binding_result;
struct desired;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct pinctrl;

/* Meter of each operation's packet-ins: packets per second and burst. */
#define PINCTRL_METER_RATE 100
#define PINCTRL_METER_BURST 100

/* Packet-ins handled per pinctrl_run() call, at most. */
#define PINCTRL_MAX_PER_RUN 50

struct pinctrl *pinctrl_create(const char *target);
void pinctrl_destroy(struct pinctrl *);
void pinctrl_run(struct pinctrl *);
void pinctrl_wait(struct pinctrl *);
void pinctrl_status(const struct pinctrl *, struct ds *);

void pinctrl_sb_run(struct pinctrl *, struct ovsdb_idl *sb_idl,
                    struct ovsdb_idl_txn *sb_txn);
struct encaps_ports;
void pinctrl_bfd_run(struct pinctrl *, struct ovsdb_idl *sb_idl,
                     struct ovsdb_idl_txn *sb_txn, const char *self,
                     const struct encaps_ports *tunnels);
void pinctrl_svc_monitors_run(struct pinctrl *, struct ovsdb_idl *sb_idl,
                              struct ovsdb_idl_txn *sb_txn,
                              const struct binding_result *);

bool pinctrl_is_connected(const struct pinctrl *);
void pinctrl_packet_out(struct pinctrl *, const struct dp_packet *,
                        const char *actions);

uint32_t pinctrl_meter_id(enum lact_pin_opcode);
void pinctrl_add_meters(struct desired *);

#endif /* controller/pinctrl.h */
