#!/bin/bash
# osmotic-northd: of two instances one is active, the other standby and
# silent; when the active one dies the standby takes over with the same
# keys and without rewriting SB; "pause" hands over too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
osm_test_init
osm_start_nb
osm_start_sb
osm_start_northd n1
wait_until output_is active northd_state n1
osm_start_northd n2
wait_until output_is standby northd_state n2
check_output active northd_state n1

check osmotic-nbctl init
check nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2 \
    -- lsp-set-addresses p2 "0a:00:00:00:00:02 10.0.0.2" \
    -- ls-add sw1 -- lsp-add sw1 q1
check nbctl lsp-del p1 -- lsp-add sw0 p3

# The standby wrote nothing and compiled nothing.
check_output 0 northd_count n2 "sb transactions"
check_output 0 northd_count n2 "nb transactions"
check_output "none" northd_count n2 "last compile"

check ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/before"
check_output "p2 2
p3 1
q1 1" sb_select Port_Binding '["logical_port","tunnel_key"]'

# Kill the active instance: the standby takes over, adopts every row and
# writes nothing.
pid=$(cat "$TESTDIR/n1.pid")
kill -9 "$pid"
wait_until output_is active northd_state n2
wait_until output_is "1 full, 0 incremental" northd_count n2 compiles
sleep 0.5
check ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/after"
diff -u "$TESTDIR/before" "$TESTDIR/after" || fail "fail-over changed SB"
check_output 0 northd_count n2 "sb transactions"

# The new active instance processes changes.
check nbctl lsp-add sw0 p4 -- lsp-set-addresses p4 "0a:00:00:00:00:04"
check_output 3 sb_port_key p4
check_lflows sw0 <<'EOF'
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:04 actions=outport = 3; output;
EOF

# "pause" hands over to another instance.
osm_start_northd n3
wait_until output_is standby northd_state n3
check northd_ctl n2 northd/pause
check_output paused northd_state n2
wait_until output_is active northd_state n3
check nbctl lsp-del p4
check_output "" sb_port_key p4
check northd_ctl n2 northd/resume
wait_until output_is standby northd_state n2
check_output active northd_state n3
check_output 2 sb_port_key p2
