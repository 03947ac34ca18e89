#!/bin/bash
# osmotic-controller keeps its pid file, control socket and log in
# Osmotic's run and log directories (OSMOTIC_RUNDIR, OSMOTIC_LOGDIR), not
# in Open vSwitch's, unless told otherwise; relative names are taken in
# those directories.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_sb
OSM_NO_CONTROLLER=1 osm_add_host hv1 172.31.0.1
hvdir=$(osm_host_dir hv1)
rundir=$TESTDIR/run
logdir=$TESTDIR/log
mkdir -p "$rundir" "$logdir"

# osm_host_exec points OVS_RUNDIR and OVS_LOGDIR at $hvdir.
OSMOTIC_RUNDIR=$rundir OSMOTIC_LOGDIR=$logdir osm_host_exec hv1 \
    osmotic-controller --detach --no-chdir --pidfile --log-file \
    unix:"$hvdir/db.sock" || fail "start osmotic-controller"
osm_track_pidfile "$rundir/osmotic-controller.pid"
[ -s "$rundir/osmotic-controller.pid" ] || fail "no pid file in $rundir"
[ -S "$rundir/osmotic-controller.ctl" ] || fail "no control socket in $rundir"
[ -s "$logdir/osmotic-controller.log" ] || fail "no log in $logdir"
osm_host_exec hv1 ovs-appctl --timeout="$OSM_CLIENT_TIMEOUT" \
    -t "$rundir/osmotic-controller.ctl" controller/status \
    | grep -q "^chassis: hv1$" \
    || fail "controller/status through $rundir/osmotic-controller.ctl"
stray=$(ls "$hvdir" | grep osmotic-controller)
[ -z "$stray" ] || fail "files in Open vSwitch's directory: $stray"
check osm_host_exec hv1 ovs-appctl --timeout="$OSM_CLIENT_TIMEOUT" \
    -t "$rundir/osmotic-controller.ctl" exit

# Relative names.
OSMOTIC_RUNDIR=$rundir OSMOTIC_LOGDIR=$logdir osm_host_exec hv1 \
    osmotic-controller --detach --no-chdir --pidfile=c2.pid \
    --log-file=c2.log --unixctl=c2.ctl unix:"$hvdir/db.sock" \
    || fail "start osmotic-controller with relative names"
osm_track_pidfile "$rundir/c2.pid"
[ -s "$rundir/c2.pid" ] || fail "no $rundir/c2.pid"
[ -s "$logdir/c2.log" ] || fail "no $logdir/c2.log"
check osm_host_exec hv1 ovs-appctl --timeout="$OSM_CLIENT_TIMEOUT" -t "$rundir/c2.ctl" exit
echo PASS
