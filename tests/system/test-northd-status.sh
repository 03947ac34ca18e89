#!/bin/bash
# osmotic-northd's unixctl commands: "northd/status" reports the state,
# both database connections and the SB lock, and does not claim all is
# well when NB is gone; "northd/counts" counts chassis too; the commands
# are named module/verb; "--print-wait-time" gets northd's timestamps.
# Pid file, control socket and log default to Osmotic's run and log
# directories.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

check osmotic-nbctl init
check nbctl ls-add sw0 -- lsp-add sw0 p1
wait_until output_is active northd_state northd
check_output "state: active
nb: connected to $OSMOTIC_NB_DB
sb: connected to $OSMOTIC_SB_DB
lock: osmotic_northd held" northd_ctl northd northd/status

# --print-wait-time: northd stamps when it first saw the nb_cfg
# (NB_Global:nb_cfg_timestamp), so the delay before processing is
# between the client's start and northd's completion.
out=$(osmotic-nbctl --wait=sb --print-wait-time ls-add sw1) \
    || fail "--print-wait-time failed"
delay=$(echo "$out" | sed -n 's/.*delay before processing:[[:space:]]*\(-\{0,1\}[0-9]*\)ms$/\1/p')
done_ms=$(echo "$out" | sed -n 's/.*osmotic-northd completion:[[:space:]]*\(-\{0,1\}[0-9]*\)ms$/\1/p')
[ -n "$delay" ] && [ -n "$done_ms" ] || fail "--print-wait-time output: [$out]"
[ "$delay" -ge 0 ] && [ "$delay" -le "$done_ms" ] \
    || fail "delay before processing $delay ms, completion $done_ms ms: [$out]"

# The old unprefixed names are gone; "exit" stays.
check_error '"status" is not a valid command' northd_ctl northd status
check_error '"counts" is not a valid command' northd_ctl northd counts

# Chassis are counted.
check_output 0 northd_count northd chassis
check ovsdb-client transact "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
    {"op":"insert","table":"Encap","uuid-name":"e",
     "row":{"type":"geneve","ip":"192.0.2.1","chassis_name":"hv1"}},
    {"op":"insert","table":"Chassis",
     "row":{"name":"hv1","hostname":"hv1","encaps":["named-uuid","e"]}}]' \
    > /dev/null
wait_until output_is 1 northd_count northd chassis
check_output active northd_count northd state

# NB goes away: status says so, and what it is doing about it.
osm_kill_pidfile "$TESTDIR/osmotic-nb.pid"
wait_until output_is disconnected northd_state northd
status=$(northd_ctl northd northd/status) || fail "northd/status failed"
echo "$status" | grep -qx "nb: not connected, reconnecting to $OSMOTIC_NB_DB.*" \
    || fail "NB shown connected: $status"
echo "$status" | grep -qx "sb: connected to $OSMOTIC_SB_DB" \
    || fail "SB not shown connected: $status"

# Paused, the lock is released.
check northd_ctl northd northd/pause
check_output "paused" northd_state northd
northd_ctl northd northd/status | grep -qx "lock: osmotic_northd released (paused)" \
    || fail "lock not shown released"
check northd_ctl northd northd/resume
wait_until output_is "lock: osmotic_northd held" \
    pipeline "ovs-appctl -t '$TESTDIR/northd.ctl' northd/status | grep ^lock:"
check northd_ctl northd exit

# Defaults: OSMOTIC_RUNDIR and OSMOTIC_LOGDIR, not Open vSwitch's.
mkdir -p "$TESTDIR/run" "$TESTDIR/log"
OSMOTIC_RUNDIR=$TESTDIR/run OSMOTIC_LOGDIR=$TESTDIR/log OVS_RUNDIR=/nonexistent \
    OVS_LOGDIR=/nonexistent osmotic-northd --detach --no-chdir --pidfile \
    --log-file --nb-db="$OSMOTIC_NB_DB" --sb-db="$OSMOTIC_SB_DB" \
    || fail "northd with default file names did not start"
osm_track_pidfile "$TESTDIR/run/osmotic-northd.pid"
[ -s "$TESTDIR/run/osmotic-northd.pid" ] || fail "no pid file in the run dir"
[ -s "$TESTDIR/log/osmotic-northd.log" ] || fail "no log file in the log dir"
ovs-appctl -t "$TESTDIR/run/osmotic-northd.ctl" northd/status \
    | grep -q "^state: " || fail "no control socket in the run dir"
