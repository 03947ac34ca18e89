#!/bin/bash
# osmotic-northd: bad options are refused with an error naming them; a
# clustered SB database given as a list of remotes works, also when its
# leader dies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
osm_test_init

check_error "--nb-db: foo:bar: invalid database remote" \
    osmotic-northd --nb-db=foo:bar
check_error "--sb-db: nowhere: invalid database remote" \
    osmotic-northd --sb-db=unix:/x,nowhere
check_error "extra: unexpected argument" osmotic-northd extra
check_error "unrecognized option '--bogus'" osmotic-northd --bogus

# A three-member SB cluster.
osm_start_nb
check ovsdb-tool create-cluster "$TESTDIR/sb1.db" "$SB_SCHEMA" \
    "unix:$TESTDIR/sb1.raft"
for i in 2 3; do
    check ovsdb-tool join-cluster "$TESTDIR/sb$i.db" Osmotic_Southbound \
        "unix:$TESTDIR/sb$i.raft" "unix:$TESTDIR/sb1.raft"
done
for i in 1 2 3; do
    ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/sb$i.pid" \
        --unixctl="$TESTDIR/sb$i.ctl" --log-file="$TESTDIR/sb$i.log" \
        --remote=punix:"$TESTDIR/sb$i.sock" "$TESTDIR/sb$i.db" \
        || fail "start sb$i"
    osm_track_pidfile "$TESTDIR/sb$i.pid"
done
export OSMOTIC_SB_DB="unix:$TESTDIR/sb1.sock,unix:$TESTDIR/sb2.sock,unix:$TESTDIR/sb3.sock"
wait_until ovsdb-client wait "unix:$TESTDIR/sb3.sock" Osmotic_Southbound connected
osm_start_northd northd
check osmotic-nbctl init
check osmotic-nbctl --wait=sb --timeout=20 ls-add sw0 -- lsp-add sw0 p1 \
    -- lsp-add sw0 p2
check_output "p1 1
p2 2" sb_select Port_Binding '["logical_port","tunnel_key"]'

# Kill the leader: northd follows the new one and keeps the keys.
leader=
for i in 1 2 3; do
    if ovs-appctl -t "$TESTDIR/sb$i.ctl" cluster/status Osmotic_Southbound \
           | grep -q '^Role: leader'; then
        leader=$i
    fi
done
[ -n "$leader" ] || fail "no SB leader"
osm_kill_pidfile "$TESTDIR/sb$leader.pid"
check osmotic-nbctl --wait=sb --timeout=30 lsp-add sw0 p3
export OSMOTIC_SB_DB=unix:$TESTDIR/sb$(( leader % 3 + 1 )).sock
check_output "p1 1
p2 2
p3 3" sb_select Port_Binding '["logical_port","tunnel_key"]'
check_output active northd_state northd
