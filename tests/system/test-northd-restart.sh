#!/bin/bash
# osmotic-northd: tunnel keys survive a restart, and a restart (or a
# forced recompute) over an up-to-date SB writes nothing; SB rows that
# lost their NB origin while northd was down are removed at start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

check osmotic-nbctl init
# Keys that depend on history: sw-b and pb2 get key 1 first; after the
# deletions, sw-c and pc1 reuse the freed low keys.
check nbctl ls-add sw-b -- lsp-add sw-b pb2 -- lsp-add sw-b pb3
check nbctl ls-add sw-a -- lsp-add sw-a pa1 \
    -- lsp-set-addresses pa1 "0a:00:00:00:00:a1 10.1.0.1"
check nbctl lsp-add sw-b pb1 -- lsp-set-port-security pb1 0a:00:00:00:00:b1
check nbctl lsp-del pb2
check nbctl ls-add sw-c -- lsp-add sw-c pc1 -- ls-del sw-a
check_output "sw-b 1
sw-c 2" sb_select Datapath_Binding '["name","tunnel_key"]'
check_output "pb1 3
pb3 2
pc1 1" sb_select Port_Binding '["logical_port","tunnel_key"]'

# A forced recompute changes nothing.
sb_dump > "$TESTDIR/before"
check northd_ctl northd northd/recompute
check osmotic-nbctl --wait=sb sync
check_output "full" sh -c "ovs-appctl -t '$TESTDIR/northd.ctl' northd/counts \
    | sed -n 's/^last compile: \([a-z]*\),.*/\1/p'"
sb_dump > "$TESTDIR/after"
diff -u "$TESTDIR/before" "$TESTDIR/after" || fail "recompute changed SB"

# A restart changes nothing either: same rows, same UUIDs, same keys,
# and not one SB transaction.
osm_kill_pidfile "$TESTDIR/northd.pid"
ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/before"
osm_start_northd northd
wait_until output_is "1 full, 0 incremental" northd_count northd compiles
sleep 0.5
ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/after"
diff -u "$TESTDIR/before" "$TESTDIR/after" || fail "restart changed SB"
check_output 0 northd_count northd "sb transactions"
check_output "1 full, 0 incremental" northd_count northd compiles

# Changes made while northd is down are applied at start; the keys of
# what stayed do not move.
osm_kill_pidfile "$TESTDIR/northd.pid"
check osmotic-nbctl ls-del sw-b -- lsp-add sw-c pc2
osm_start_northd northd
check osmotic-nbctl --wait=sb --timeout=10 sync
check_output "sw-c 2" sb_select Datapath_Binding '["name","tunnel_key"]'
check_output "pc1 1
pc2 2" sb_select Port_Binding '["logical_port","tunnel_key"]'
[ -z "$(sb_lflows sw-b)" ] || fail "flows of sw-b left"

# A row northd owns that someone else deletes comes back.
pc1=$(sb_select Port_Binding '["_uuid"]' '[["logical_port","==","pc1"]]')
check ovsdb-client transact "$OSMOTIC_SB_DB" \
    "[\"Osmotic_Southbound\",{\"op\":\"delete\",\"table\":\"Port_Binding\",
      \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$pc1\"]]]}]" > /dev/null
wait_until output_is 1 sb_port_key pc1

# So does a logical flow, with the same UUID (derived from its content);
# and a logical flow someone else inserts goes away.
check nbctl lsp-set-addresses pc1 "0a:00:00:00:00:c1 10.3.0.1"
lf=$(sb_select Logical_Flow '["_uuid"]' '[["match","==","dl_dst=0a:00:00:00:00:c1"]]')
[ -n "$lf" ] || fail "no L2 lookup flow for pc1"
check ovsdb-client transact "$OSMOTIC_SB_DB" \
    "[\"Osmotic_Southbound\",{\"op\":\"delete\",\"table\":\"Logical_Flow\",
      \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$lf\"]]]}]" > /dev/null
wait_until output_is "$lf" sb_select Logical_Flow '["_uuid"]' \
    '[["match","==","dl_dst=0a:00:00:00:00:c1"]]'
dp=$(sb_select Datapath_Binding '["_uuid"]' '[["name","==","sw-c"]]')
check ovsdb-client transact "$OSMOTIC_SB_DB" \
    "[\"Osmotic_Southbound\",{\"op\":\"insert\",\"table\":\"Logical_Flow\",
      \"row\":{\"logical_datapath\":[\"uuid\",\"$dp\"],\"pipeline\":\"ingress\",
               \"table_id\":12,\"stage\":\"ls_in_l2_lkup\",\"priority\":50,
               \"match\":\"dl_dst=0a:00:00:00:00:99\",
               \"actions\":\"outport = 1; output;\"}}]" > /dev/null
wait_until output_is "" sb_select Logical_Flow '["_uuid"]' \
    '[["match","==","dl_dst=0a:00:00:00:00:99"]]'
