#!/bin/bash
# osmotic-northd: nb_cfg travels to SB_Global and comes back as sb_cfg
# only after the SB transaction committed (what --wait=sb relies on);
# hv_cfg follows the chassis; Logical_Switch_Port.up follows the
# controller's Port_Binding.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
osm_test_init
osm_start_nb
osm_start_sb

nb_get() {
    osmotic-nbctl get NB_Global . "$1"
}
sb_transact() {
    ovsdb-client transact "$OSMOTIC_SB_DB" "[\"Osmotic_Southbound\",$1]" \
        > "$TESTDIR/transact.out" || fail "transact $1"
    ! grep -q '"error"' "$TESTDIR/transact.out" \
        || fail "transact $1: $(cat "$TESTDIR/transact.out")"
}

# Without northd, nothing acknowledges nb_cfg.
check osmotic-nbctl init
check osmotic-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2
check_error "timed out" osmotic-nbctl --wait=sb --timeout=1 sync
check_output 0 nb_get sb_cfg

osm_start_northd northd
check osmotic-nbctl --wait=sb --timeout=10 sync
cfg=$(nb_get nb_cfg)
[ "$cfg" -ge 1 ] || fail "nb_cfg not bumped"
check_output "$cfg" nb_get sb_cfg
check_output "$cfg" sb_select SB_Global '["nb_cfg"]'
# When the wait returns, the change it waited for is in SB.
check osmotic-nbctl --wait=sb --timeout=10 lsp-add sw0 p3
check_output 3 sb_port_key p3
[ "$(nb_get sb_cfg_timestamp)" -gt 0 ] || fail "no sb_cfg_timestamp"

# No chassis: hv_cfg equals nb_cfg.
cfg=$(nb_get nb_cfg)
wait_until output_is "$cfg" nb_get hv_cfg

# Two chassis report how far they got; hv_cfg is the smaller one.
sb_transact '{"op":"insert","table":"Encap","row":{"type":"geneve",
    "ip":"172.31.0.1","lane":0,"chassis_name":"hv1"},"uuid-name":"e1"},
  {"op":"insert","table":"Chassis","row":{"name":"hv1","hostname":"hv1",
    "encaps":["named-uuid","e1"]},"uuid-name":"c1"},
  {"op":"insert","table":"Chassis_Private","row":{"name":"hv1",
    "chassis":["named-uuid","c1"],"nb_cfg":1}},
  {"op":"insert","table":"Encap","row":{"type":"geneve",
    "ip":"172.31.0.2","lane":0,"chassis_name":"hv2"},"uuid-name":"e2"},
  {"op":"insert","table":"Chassis","row":{"name":"hv2","hostname":"hv2",
    "encaps":["named-uuid","e2"]},"uuid-name":"c2"},
  {"op":"insert","table":"Chassis_Private","row":{"name":"hv2",
    "chassis":["named-uuid","c2"],"nb_cfg":2}}'
wait_until output_is 1 nb_get hv_cfg
sb_transact "{\"op\":\"update\",\"table\":\"Chassis_Private\",
    \"where\":[],\"row\":{\"nb_cfg\":$cfg}}"
wait_until output_is "$cfg" nb_get hv_cfg
[ "$(nb_get hv_cfg_timestamp)" -gt 0 ] || fail "no hv_cfg_timestamp"

# Port up: false until the controller binds the port and reports it up.
check_output false osmotic-nbctl get Logical_Switch_Port p1 up
sb_transact '{"op":"update","table":"Port_Binding",
    "where":[["logical_port","==","p1"]],"row":{"up":true}}'
sleep 0.5
check_output false osmotic-nbctl get Logical_Switch_Port p1 up
c1=$(sb_select Chassis '["_uuid"]' '[["name","==","hv1"]]')
sb_transact "{\"op\":\"update\",\"table\":\"Port_Binding\",
    \"where\":[[\"logical_port\",\"==\",\"p1\"]],
    \"row\":{\"chassis\":[\"uuid\",\"$c1\"]}}"
wait_until output_is true osmotic-nbctl get Logical_Switch_Port p1 up
check_output false osmotic-nbctl get Logical_Switch_Port p2 up
sb_transact '{"op":"update","table":"Port_Binding",
    "where":[["logical_port","==","p1"]],"row":{"up":false}}'
wait_until output_is false osmotic-nbctl get Logical_Switch_Port p1 up

# northd never touches what the controller owns: chassis stays set
# across a recompute, and the Chassis rows stay.
check northd_ctl northd northd/recompute
check osmotic-nbctl --wait=sb --timeout=10 sync
check_output "$c1" sb_select Port_Binding '["chassis"]' '[["logical_port","==","p1"]]'
check_output "hv1
hv2" sb_select Chassis '["name"]'
