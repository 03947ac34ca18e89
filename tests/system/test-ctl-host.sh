#!/bin/bash
# osmotic-ctl on a host: start_host runs osmotic-controller on the local
# Open vSwitch database (the chassis registers in the southbound
# database), status_host reports it, stop_host stops it by pid file and
# leaves the chassis registered, stop_host --release removes it.
. "$(dirname "$0")/lib.sh"
osm_test_init

if ! command -v osmotic-controller >/dev/null; then
    echo "osmotic-controller is not built yet: skipping the host commands"
    exit 77
fi

# Central databases, started by osmotic-ctl too.
CENTRAL=$TESTDIR/central
for d in ovsdb-server-nb ovsdb-server-sb osmotic-northd; do
    osm_track_pidfile "$CENTRAL/$d.pid"
done
check osmotic-ctl --run-dir="$CENTRAL" --db-dir="$CENTRAL" \
    --log-dir="$CENTRAL" --schema-dir="$OSM_SRCDIR/lib" --no-northd \
    start_central > /dev/null
export OSMOTIC_SB_DB=unix:$CENTRAL/osmotic-sb.sock

# A host with its own ovsdb-server and ovs-vswitchd, but no controller yet.
OSM_NO_CONTROLLER=1 osm_add_host hv1 172.31.0.1
HV=$(osm_host_dir hv1)
osm_track_pidfile "$HV/osmotic-controller.pid"
ctl() {
    osm_host_exec hv1 osmotic-ctl --run-dir="$HV" --log-dir="$HV" \
        --ovs-db="unix:$HV/db.sock" "$@"
}

out=$(ctl status_host) && fail "status_host succeeded before start_host"
[ "$out" = "osmotic-controller is not running" ] \
    || fail "status_host said [$out]"

check ctl start_host
pid=$(cat "$HV/osmotic-controller.pid") || fail "no controller pid file"
check_output "osmotic-controller is running with pid $pid" ctl status_host
[ -S "$HV/osmotic-controller.ctl" ] || fail "no controller control socket"
[ -f "$HV/osmotic-controller.log" ] || fail "no controller log file"

# The controller read its settings from the local database: its chassis
# appears in the southbound database.
chassis_registered() {
    ovsdb-client query "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
        {"op": "select", "table": "Chassis",
         "where": [["name", "==", "hv1"]], "columns": ["name"]}]' \
        | grep -q '"name":"hv1"'
}
wait_until chassis_registered

# "status" reports the host daemon among everything else.
out=$(ctl status) || fail "status failed with the controller running: [$out]"
case $out in
    *"osmotic-controller is running with pid $pid"*) ;;
    *) fail "status said [$out]" ;;
esac

# A second start leaves the running controller alone.
out=$(ctl start_host) || fail "second start_host failed"
[ "$out" = "osmotic-controller is already running" ] \
    || fail "second start_host said [$out]"
check_output "$pid" cat "$HV/osmotic-controller.pid"

check ctl stop_host > /dev/null
! kill -0 "$pid" 2>/dev/null || fail "controller $pid still runs after stop_host"
[ ! -e "$HV/osmotic-controller.pid" ] || fail "pid file left after stop_host"
! ctl status_host > /dev/null || fail "status_host succeeded after stop_host"
# A plain stop leaves the chassis registered (as across a restart).
check chassis_registered

# stop_host --release: the host leaves, its chassis goes.
check ctl start_host > /dev/null
check ctl --release stop_host > /dev/null
! chassis_registered || fail "the chassis stays after stop_host --release"
[ ! -e "$HV/osmotic-controller.pid" ] || fail "pid file left after --release"

check osmotic-ctl --run-dir="$CENTRAL" --no-northd stop_central > /dev/null
echo "ok"
