#!/bin/bash
# osmotic-northd: a cold start (an empty SB, a populated NB) writes the
# datapaths and ports first and the flows next (see osmotic-northd(8)),
# and ends exactly where a full recompute of a warm SB does, with every
# port's "up" set.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
osm_test_init
osm_start_nb
osm_start_sb
check osmotic-nbctl init

# Ten switches of 6 secured ports, one disabled each, written before northd
# runs; more switches than one build slice (8) so that the flows are built
# in several steps.
args=()
for s in $(seq 0 9); do
    args+=(-- ls-add "s$s")
    for p in $(seq 1 6); do
        mac=$(printf '0a:00:00:00:%02x:%02x' "$s" "$p")
        args+=(-- lsp-add "s$s" "s$s-p$p"
               -- lsp-set-addresses "s$s-p$p" "$mac 10.$s.0.$p"
               -- lsp-set-port-security "s$s-p$p" "$mac 10.$s.0.$p")
    done
    args+=(-- lsp-set-enabled "s$s-p6" disabled)
done
check osmotic-nbctl "${args[@]:1}"

osm_start_northd northd
check osmotic-nbctl --wait=sb --timeout=30 sync
# sb_rows TABLE: prints the number of rows of SB table TABLE.
sb_rows() {
    sb_select "$1" '["_uuid"]' | grep -c .
}
check_output 10 sb_rows Datapath_Binding
check_output 60 sb_rows Port_Binding
check_lflows s3 <<'EOF2'
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:03:01 actions=outport = 1; output;
ls_in_port_sec 100 reg14=6 actions=drop;
EOF2
# Every port's "up" is set (no chassis: false).
wait_until output_is "false" pipeline \
    "osmotic-nbctl --columns=up list Logical_Switch_Port | sed -n 's/^up *: //p' | sort -u"

# A full recompute of this SB changes nothing.
check sb_dump > "$TESTDIR/cold"
check northd_ctl northd northd/recompute
check osmotic-nbctl --wait=sb --timeout=30 sync
check sb_dump > "$TESTDIR/warm"
diff -u "$TESTDIR/cold" "$TESTDIR/warm" || fail "recompute after a cold start changed SB"
check_output "2 full, 0 incremental" northd_count northd compiles

# And the compiler goes on incrementally.
check osmotic-nbctl --wait=sb --timeout=30 lsp-add s0 extra \
    -- lsp-set-addresses extra "0a:00:00:00:00:77 10.0.0.77"
check_lflows s0 <<'EOF2'
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:77 actions=outport = 7; output;
EOF2
echo PASS
