#!/bin/bash
# osmotic-northd: changes are compiled incrementally, touch only the SB
# rows they must, and leave SB exactly as a full recompute would (same
# rows, same UUIDs, same keys).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

# check_incremental_equals_full: the last compile was incremental, and a
# full recompute changes nothing in SB.
check_incremental_equals_full() {
    check_output incremental pipeline "ovs-appctl -t '$TESTDIR/northd.ctl' \
        northd/counts | sed -n 's/^last compile: \([a-z]*\),.*/\1/p'"
    check sb_dump > "$TESTDIR/incremental"
    local txns
    txns=$(northd_count northd "sb transactions")
    check northd_ctl northd northd/recompute
    wait_until output_is full pipeline "ovs-appctl -t '$TESTDIR/northd.ctl' \
        northd/counts | sed -n 's/^last compile: \([a-z]*\),.*/\1/p'"
    check osmotic-nbctl --wait=sb --timeout=10 sync
    check sb_dump > "$TESTDIR/full"
    diff -u "$TESTDIR/incremental" "$TESTDIR/full" \
        || fail "full recompute differs from incremental result"
    # Only the sync's nb_cfg went to SB.
    check_output $((txns + 1)) northd_count northd "sb transactions"
}

check osmotic-nbctl init
check nbctl ls-add sw0 -- ls-add sw1
check nbctl lsp-add sw0 p1 -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1" \
    -- lsp-add sw0 p2 -- lsp-set-addresses p2 "0a:00:00:00:00:02 10.0.0.2" \
    -- lsp-set-port-security p2 "0a:00:00:00:00:02 10.0.0.2 fd00::2"
check_incremental_equals_full

# Adding a port without IPs deletes no flow and adds only its own.
lflows_before=$(sb_select Logical_Flow '["_uuid"]')
check nbctl lsp-add sw0 p3 -- lsp-set-addresses p3 0a:00:00:00:00:03
lflows_after=$(sb_select Logical_Flow '["_uuid"]')
[ -z "$(comm -23 <(echo "$lflows_before") <(echo "$lflows_after"))" ] \
    || fail "adding a port deleted flows"
p3=$(osmotic-nbctl get Logical_Switch_Port p3 _uuid)
own=$(sb_select Logical_Flow '["_uuid"]' \
          "[[\"source\",\"==\",\"Logical_Switch_Port:$p3\"]]")
new=$(comm -13 <(echo "$lflows_before") <(echo "$lflows_after"))
[ -n "$own" ] && [ "$new" = "$own" ] \
    || fail "adding p3 added other flows than its own: [$new] vs [$own]"
check_incremental_equals_full

# Adding a port with port security to a switch that has one already
# leaves every flow of the switch as it was (same rows, same UUIDs) but
# the flows of the port's bucket that it joins (the ports with tunnel
# keys 0-7 share them): the switch's port security drops match flags,
# not port keys.  The rows that change are replaced by rows with the new
# port's alternatives added to the same ones as before.
sw0_dp=$(sb_select Datapath_Binding '["_uuid"]' '[["name","==","sw0"]]')
sw0_lflows() {
    sb_select Logical_Flow '["_uuid","match"]' \
        "[[\"logical_datapath\",\"==\",[\"uuid\",\"$sw0_dp\"]]]" | sort
}
lflows_before=$(sw0_lflows)
check nbctl lsp-add sw0 p5 \
    -- lsp-set-addresses p5 "0a:00:00:00:00:05 10.0.0.5" \
    -- lsp-set-port-security p5 "0a:00:00:00:00:05 10.0.0.5"
lflows_after=$(sw0_lflows)
k5=$(sb_port_key p5)
gone=$(comm -23 <(echo "$lflows_before") <(echo "$lflows_after"))
new=$(comm -13 <(echo "$lflows_before") <(echo "$lflows_after"))
p5=$(osmotic-nbctl get Logical_Switch_Port p5 _uuid)
own=$(sb_select Logical_Flow '["_uuid"]' \
          "[[\"source\",\"==\",\"Logical_Switch_Port:$p5\"]]" | sort)
[ -n "$own" ] || fail "p5 has no flows of its own"
# Every replaced row (the bucket's port security allows, egress allows
# and own-address flows: 3) comes back with p5's alternatives added,
# nothing else.
[ "$(echo "$gone" | grep -c .)" = 3 ] \
    || fail "expected 3 bucket flows replaced: [$gone]"
while read -r uuid match; do
    echo "$new" | grep -q " $(printf '%s' "$match" | sed 's/[][\.*^$/]/\\&/g') || reg1[45]=$k5," \
        || fail "bucket flow [$match] not replaced by itself plus p5"
done < <(echo "$gone")
n_other=$(echo "$new" | cut -d' ' -f1 | grep -cvxF "$own")
[ "$n_other" = 3 ] || fail "adding p5 rewrote more than its bucket: $new"
echo "$lflows_after" \
    | grep -q "^[^ ]* .*reg15=$k5,arp || reg15=$k5,ip,nw_dst=10.0.0.5 " \
    || fail "p5 has no egress port security flow: $lflows_after"
check_incremental_equals_full
check nbctl lsp-del p5
[ "$(sw0_lflows)" = "$lflows_before" ] \
    || fail "deleting p5 did not restore sw0's flows as they were"

# Ports in another bucket (tunnel keys 16-23) get flows of their own
# bucket; adding one leaves the other buckets' flows alone.
# Fill keys up to 15 (one transaction, so that they come in name order).
n_sw0=$(osmotic-nbctl lsp-list sw0 | wc -l)
fill=()
for i in $(seq $((n_sw0 + 1)) 15); do
    fill+=(-- lsp-add sw0 "q$(printf %02d "$i")")
done
[ ${#fill[@]} -gt 0 ] && check nbctl "${fill[@]:1}"
lflows_before=$(sw0_lflows)
check nbctl lsp-add sw0 p16 \
    -- lsp-set-addresses p16 "0a:00:00:00:00:16 10.0.0.16" \
    -- lsp-set-port-security p16 "0a:00:00:00:00:16 10.0.0.16"
check_output 16 sb_port_key p16
lflows_after=$(sw0_lflows)
[ -z "$(comm -23 <(echo "$lflows_before") <(echo "$lflows_after"))" ] \
    || fail "a port of a new bucket changed the first bucket's flows"
check_lflows sw0 <<'EOF'
ls_in_port_sec 90 reg14=16,dl_src=0a:00:00:00:00:16,ip,nw_src=10.0.0.16 || reg14=16,dl_src=0a:00:00:00:00:16,arp,arp_spa=10.0.0.16,arp_sha=0a:00:00:00:00:16 || reg14=16,dl_src=0a:00:00:00:00:16,udp,nw_src=0.0.0.0,nw_dst=255.255.255.255,tp_src=68,tp_dst=67 actions=next;
EOF
check_incremental_equals_full
unfill=()
for i in $(seq $((n_sw0 + 1)) 15); do
    unfill+=(-- lsp-del "q$(printf %02d "$i")")
done
check nbctl lsp-del p16 "${unfill[@]}"
check_incremental_equals_full

# Changing port security, addresses, enabled state; deleting ports.
check nbctl lsp-set-port-security p2 "0a:00:00:00:00:02 10.0.0.0/24" \
    -- lsp-set-addresses p1 "0a:00:00:00:00:11 10.0.0.11" unknown
check_incremental_equals_full
check nbctl lsp-set-enabled p3 disabled -- lsp-del p1
check_incremental_equals_full

# Moving a port (same NB row) from one switch to another.
p2=$(osmotic-nbctl get Logical_Switch_Port p2 _uuid)
sw0=$(osmotic-nbctl get Logical_Switch sw0 _uuid)
sw1=$(osmotic-nbctl get Logical_Switch sw1 _uuid)
check ovsdb-client transact "$OSMOTIC_NB_DB" "[\"Osmotic_Northbound\",
  {\"op\":\"mutate\",\"table\":\"Logical_Switch\",
   \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$sw0\"]]],
   \"mutations\":[[\"ports\",\"delete\",[\"uuid\",\"$p2\"]]]},
  {\"op\":\"mutate\",\"table\":\"Logical_Switch\",
   \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$sw1\"]]],
   \"mutations\":[[\"ports\",\"insert\",[\"uuid\",\"$p2\"]]]}]" > /dev/null
check osmotic-nbctl --wait=sb --timeout=10 sync
check_output "$(sb_select Datapath_Binding '["_uuid"]' '[["name","==","sw1"]]') 1" \
    sb_select Port_Binding '["datapath","tunnel_key"]' '[["logical_port","==","p2"]]'
check_incremental_equals_full

# Renaming a switch, deleting one and creating one in the same batch.
check nbctl set Logical_Switch sw1 name=sw1b -- ls-del sw0 -- ls-add sw2 \
    -- lsp-add sw2 r1
check_output "sw1b 2
sw2 1" sb_select Datapath_Binding '["name","tunnel_key"]'
check_incremental_equals_full
check_output "p2 1
r1 1" sb_select Port_Binding '["logical_port","tunnel_key"]'
