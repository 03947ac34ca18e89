#!/bin/bash
# osmotic-ctl on a central node: start_central creates both databases and
# serves them, status reports it, stop_central stops everything by pid
# file, and a second start reuses the databases (a row survives).
. "$(dirname "$0")/lib.sh"
osm_test_init

RUN=$TESTDIR/run
ctl() {
    osmotic-ctl --run-dir="$RUN" --db-dir="$TESTDIR/db" \
        --log-dir="$TESTDIR/log" --schema-dir="$OSM_SRCDIR/lib" \
        "${NORTHD_OPT[@]}" "$@"
}
for d in ovsdb-server-nb ovsdb-server-sb osmotic-northd; do
    osm_track_pidfile "$RUN/$d.pid"
done

NORTHD_OPT=()
if command -v osmotic-northd >/dev/null; then
    daemons="ovsdb-server-nb ovsdb-server-sb osmotic-northd"
else
    echo "osmotic-northd is not built yet: checking the databases only"
    NORTHD_OPT=(--no-northd)
    daemons="ovsdb-server-nb ovsdb-server-sb"
fi
NB=unix:$RUN/osmotic-nb.sock
SB=unix:$RUN/osmotic-sb.sock

# pids_of: the pids in the daemons' pid files, one line.
pids_of() {
    local d
    for d in $daemons; do
        cat "$RUN/$d.pid"
    done | tr '\n' ' '
}

# Usage errors name the bad argument and start nothing.
check_error "unknown option --bogus" ctl --bogus start_central
check_error "frobnicate: unknown command" ctl frobnicate
check_error "missing command" ctl
check_error "--stop-timeout=soon: not a number" ctl --stop-timeout=soon \
    stop_central
check_error "option --db-dir needs a value" ctl start_central --db-dir
[ ! -e "$RUN" ] && [ ! -e "$TESTDIR/db" ] || fail "a usage error created files"

# Nothing runs yet.
out=$(ctl status_central) && fail "status_central succeeded with nothing running"
case $out in
    *"ovsdb-server-nb is not running"*) ;;
    *) fail "status_central said [$out]" ;;
esac

# First start: both databases are created and answer on their sockets,
# and on the extra listener.
out=$(ctl --nb-remote="punix:$TESTDIR/extra-nb.sock" start_central) \
    || fail "start_central failed: $out"
echo "$out"
case $out in
    *"Creating Osmotic_Northbound database"*"Creating Osmotic_Southbound database"*) ;;
    *) fail "start_central did not report creating both databases" ;;
esac
[ -f "$TESTDIR/db/osmotic-nb.db" ] || fail "no NB database file"
[ -f "$TESTDIR/db/osmotic-sb.db" ] || fail "no SB database file"
# has_db REMOTE NAME: succeeds if the server at REMOTE serves NAME.
has_db() {
    ovsdb-client list-dbs "$1" | grep -qx "$2"
}
check has_db "$NB" Osmotic_Northbound
check has_db "$SB" Osmotic_Southbound
check has_db "unix:$TESTDIR/extra-nb.sock" Osmotic_Northbound
[ -S "$RUN/ovsdb-server-nb.ctl" ] || fail "no NB control socket"
check ovs-appctl -t "$RUN/ovsdb-server-nb.ctl" version
[ -f "$TESTDIR/log/ovsdb-server-nb.log" ] || fail "no NB log file"

out=$(ctl status_central) || fail "status_central failed: $out"
echo "$out"
for d in $daemons; do
    case $out in
        *"$d is running with pid $(cat "$RUN/$d.pid")"*) ;;
        *) fail "status_central did not report $d running: [$out]" ;;
    esac
done
check ctl status

if [ ${#NORTHD_OPT[@]} -eq 0 ]; then
    # northd holds the SB lock, so it is the active one.
    wait_until pipeline "ovs-appctl -t '$RUN/osmotic-northd.ctl' \
        northd/status | grep -qx 'state: active'"
fi

# A row written now must survive the restarts below.
check ovsdb-client transact "$NB" '["Osmotic_Northbound",
    {"op": "insert", "table": "Logical_Switch",
     "row": {"name": "sw-kept"}}]' > /dev/null

# switch_names: the names of all logical switches, as JSON.
switch_names() {
    ovsdb-client query "$NB" '["Osmotic_Northbound",
        {"op": "select", "table": "Logical_Switch", "where": [],
         "columns": ["name"]}]'
}
check_output '[{"rows":[{"name":"sw-kept"}]}]' switch_names

# northd, started on the two sockets, compiles the switch into the SB.
datapath_compiled() {
    ovsdb-client query "$SB" '["Osmotic_Southbound",
        {"op": "select", "table": "Datapath_Binding",
         "where": [["name", "==", "sw-kept"]], "columns": ["name"]}]' \
        | grep -q '"name":"sw-kept"'
}
if [ ${#NORTHD_OPT[@]} -eq 0 ]; then
    wait_until datapath_compiled
fi

# Starting again changes nothing.
pids=$(pids_of)
out=$(ctl start_central) || fail "second start_central failed: $out"
case $out in
    *"ovsdb-server-nb is already running"*) ;;
    *) fail "second start_central said [$out]" ;;
esac
[ "$(pids_of)" = "$pids" ] || fail "second start_central replaced daemons"

# Stop: every daemon exits and its pid file is gone.
check ctl stop_central
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || fail "pid $pid still runs after stop"
done
for d in $daemons; do
    [ ! -e "$RUN/$d.pid" ] || fail "$d.pid left after stop"
done
! ctl status_central > /dev/null || fail "status_central succeeded after stop"
out=$(ctl stop_central) || fail "stopping again failed"
case $out in
    *"ovsdb-server-nb is not running"*) ;;
    *) fail "stop_central with nothing running said [$out]" ;;
esac

# Start again: the databases are reused, the row is there.
out=$(ctl start_central) || fail "restart failed: $out"
case $out in
    *Creating*) fail "start_central recreated a database: [$out]" ;;
esac
check_output '[{"rows":[{"name":"sw-kept"}]}]' switch_names

# restart_central replaces the daemons and keeps the data.
pids=$(pids_of)
check ctl restart_central > /dev/null
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || fail "pid $pid survived restart_central"
done
check ctl status_central > /dev/null
check_output '[{"rows":[{"name":"sw-kept"}]}]' switch_names

if [ ${#NORTHD_OPT[@]} -eq 0 ]; then
    wait_until datapath_compiled
fi

check ctl stop_central > /dev/null
for d in $daemons; do
    [ ! -e "$RUN/$d.pid" ] || fail "$d.pid left after the last stop"
done
echo "ok"
