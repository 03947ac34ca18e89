/*
 * Configuration sequence numbers and port status.
 *
 * A client that wants to know when its NB change took effect bumps
 * NB_Global.nb_cfg.  northd copies it to SB_Global.nb_cfg in the same SB
 * transaction as the compiled result, and once that transaction has
 * committed it writes the value back as NB_Global.sb_cfg (with
 * sb_cfg_timestamp).  NB_Global.nb_cfg_timestamp records when northd
 * first saw that nb_cfg, as ovn-northd does, so that "--print-wait-time"
 * can tell northd's delay before processing from its processing.  Each
 * controller reports the value it has applied in
 * Chassis_Private.nb_cfg; NB_Global.hv_cfg is the smallest of those over
 * chassis that exist, never above sb_cfg (so equal to nb_cfg, once SB has
 * it, when there are no chassis).
 *
 * Logical_Switch_Port.up mirrors Port_Binding: true only when the
 * controller has bound the port (chassis set) and reported it up.
 *
 * Every function writes only values that differ.
 */
#ifndef NORTHD_CFG_H
#define NORTHD_CFG_H 1

#include <stdint.h>

struct northd;
struct ovsdb_idl;
struct ovsdb_idl_txn;

int64_t cfg_sb_run(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl,
                   struct ovsdb_idl_txn *sb_txn);
void cfg_note_nb_cfg(struct northd *, struct ovsdb_idl *nb_idl);
void cfg_nb_run(struct northd *, struct ovsdb_idl *nb_idl,
                struct ovsdb_idl_txn *nb_txn, struct ovsdb_idl *sb_idl,
                int64_t sb_cfg);

#endif /* northd/cfg.h */
