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
check sb_dump > "$TESTDIR/before"
check northd_ctl northd northd/recompute
check osmotic-nbctl --wait=sb sync
check_output "full" pipeline "ovs-appctl -t '$TESTDIR/northd.ctl' northd/counts \
    | sed -n 's/^last compile: \([a-z]*\),.*/\1/p'"
check sb_dump > "$TESTDIR/after"
diff -u "$TESTDIR/before" "$TESTDIR/after" || fail "recompute changed SB"

# A restart changes nothing either: same rows, same UUIDs, same keys,
# and not one SB transaction.
osm_kill_pidfile "$TESTDIR/northd.pid"
check ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/before"
osm_start_northd northd
wait_until output_is "1 full, 0 incremental" northd_count northd compiles
sleep 0.5
check ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/after"
diff -u "$TESTDIR/before" "$TESTDIR/after" || fail "restart changed SB"
check_output 0 northd_count northd "sb transactions"
check_output "1 full, 0 incremental" northd_count northd compiles

# Changes made while northd is down are applied at start; the keys of
# what stayed do not move.  Every row of the deleted switch goes (looked
# up by the UUID it had: once deleted, its name leads nowhere).
sw_b=$(sb_dp_uuid sw-b)
rows=$(sb_dp_rows "$sw_b") || fail "sb_dp_rows"
read -r n_flows n_ports n_groups n_dps <<<"$rows"
[ "$n_flows" -gt 0 ] && [ "$n_ports" -gt 0 ] && [ "$n_groups" -gt 0 ] \
    && [ "$n_dps" = 1 ] || fail "sw-b should have flows, ports, groups: [$rows]"
osm_kill_pidfile "$TESTDIR/northd.pid"
check osmotic-nbctl ls-del sw-b -- lsp-add sw-c pc2
osm_start_northd northd
check osmotic-nbctl --wait=sb --timeout=10 sync
check_output "sw-c 2" sb_select Datapath_Binding '["name","tunnel_key"]'
check_output "pc1 1
pc2 2" sb_select Port_Binding '["logical_port","tunnel_key"]'
check_output "0 0 0 0" sb_dp_rows "$sw_b"

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

# A port bound while northd is down is "up" in NB soon after northd
# starts again, although that start writes nothing to SB: northd sets
# "up" in the iteration after its full recompute without waiting for an
# answer from SB (northd/cfg.c).  Nothing else may wake northd meanwhile,
# so NB is read with ovsdb-client alone and northd is not asked anything.
sb_transact() {
    ovsdb-client transact "$OSMOTIC_SB_DB" "[\"Osmotic_Southbound\",$1]" \
        > "$TESTDIR/transact.out" || fail "transact $1"
    ! grep -q '"error"' "$TESTDIR/transact.out" \
        || fail "transact $1: $(cat "$TESTDIR/transact.out")"
}
# nb_up PORT: Logical_Switch_Port PORT's "up", read from NB directly.
nb_up() {
    ovsdb-client query "$OSMOTIC_NB_DB" "[\"Osmotic_Northbound\",
        {\"op\":\"select\",\"table\":\"Logical_Switch_Port\",
         \"where\":[[\"name\",\"==\",\"$1\"]],\"columns\":[\"up\"]}]" \
        | sed -n 's/.*"up":\(true\|false\).*/\1/p'
}
sb_transact '{"op":"insert","table":"Encap","uuid-name":"e","row":{
    "type":"geneve","ip":"172.31.0.1","lane":0,"chassis_name":"hv1"}},
  {"op":"insert","table":"Chassis","row":{"name":"hv1","hostname":"hv1",
    "encaps":["named-uuid","e"]}}'
check osmotic-nbctl --wait=sb --timeout=10 sync
check_output false nb_up pc2
hv1=$(sb_select Chassis '["_uuid"]' '[["name","==","hv1"]]')
osm_kill_pidfile "$TESTDIR/northd.pid"
sb_transact "{\"op\":\"update\",\"table\":\"Port_Binding\",
    \"where\":[[\"logical_port\",\"==\",\"pc2\"]],
    \"row\":{\"chassis\":[\"uuid\",\"$hv1\"],\"up\":true}}"
osm_start_northd northd
OSM_WAIT=10 wait_until output_is true nb_up pc2
check_output false nb_up pc1
check_output 0 northd_count northd "sb transactions"
