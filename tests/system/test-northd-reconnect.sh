#!/bin/bash
# osmotic-northd: after either database server restarts, northd
# reconnects, rewrites nothing that is already right, and goes on
# compiling changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start 20

# restart_db NAME: stops the ovsdb-server of NAME and starts it again on
# the same database file.
restart_db() {
    osm_kill_pidfile "$TESTDIR/$1.pid"
    ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/$1.pid" \
        --unixctl="$TESTDIR/$1.ctl" --log-file="$TESTDIR/$1.log" \
        --remote=punix:"$TESTDIR/$1.sock" "$TESTDIR/$1.db" \
        || fail "restart $1"
}

check osmotic-nbctl init
check nbctl ls-add sw0 -- lsp-add sw0 p1 \
    -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1" \
    -- lsp-add sw0 p2 -- lsp-set-port-security p2 0a:00:00:00:00:02
check sb_dump > "$TESTDIR/before"

# SB restarts: northd gets the lock back and finds SB up to date.
txns=$(northd_count northd "sb transactions")
restart_db osmotic-sb
wait_until output_is active northd_state northd
check osmotic-nbctl --wait=sb --timeout=20 sync
check sb_dump > "$TESTDIR/after"
diff -u "$TESTDIR/before" "$TESTDIR/after" || fail "SB restart changed SB"
# One transaction: the sync's nb_cfg.
check_output $((txns + 1)) northd_count northd "sb transactions"
check nbctl lsp-add sw0 p3
check_output 3 sb_port_key p3

# NB restarts: same.
check sb_dump > "$TESTDIR/before"
restart_db osmotic-nb
check nbctl lsp-del p1
check_output "" sb_port_key p1
check_output 2 sb_port_key p2
check_output 3 sb_port_key p3
check_output active northd_state northd

# SB comes back empty (a new database file): northd fills it again,
# although its connection's old contents said all was well.  With no row
# left to keep them, keys are given afresh in name order.
osm_kill_pidfile "$TESTDIR/osmotic-sb.pid"
rm "$TESTDIR/osmotic-sb.db"
check ovsdb-tool create "$TESTDIR/osmotic-sb.db" "$SB_SCHEMA"
restart_db osmotic-sb
port_keys() {
    sb_select Port_Binding '["tunnel_key"]' | paste -sd' '
}
wait_until output_is "1 2" port_keys
check_output "sw0 1" sb_select Datapath_Binding '["name","tunnel_key"]'
[ "$(sb_lflows | wc -l)" = "$(northd_count northd "logical flows")" ] \
    || fail "flows not restored"
