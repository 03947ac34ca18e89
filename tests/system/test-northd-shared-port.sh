#!/bin/bash
# A port listed by two switches: osmotic-nbctl refuses to make one, and
# when the database has one anyway (written by other means), osmotic-northd
# binds the port to one switch, keeps compiling everything else, and
# "lsp-del" takes the port out of every switch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
osm_test_init
osm_start_nb
osm_start_sb
NORTHD_NBCTL_TIMEOUT=10

check osmotic-nbctl init
check osmotic-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2 \
    -- ls-add sw1 -- lsp-add sw1 q1 -- ls-add swz
p1=$(osmotic-nbctl get Logical_Switch_Port p1 _uuid)
sw0=$(osmotic-nbctl get Logical_Switch sw0 _uuid)
swz=$(osmotic-nbctl get Logical_Switch swz _uuid)

# nbctl refuses, naming the port and both switches; nothing changes.
check_error "Logical_Switch swz: ports: Logical_Switch_Port p1 is already in Logical_Switch sw0" \
    osmotic-nbctl add Logical_Switch swz ports "$p1"
check_output "[]" osmotic-nbctl get Logical_Switch swz ports

# The same for router ports.
check osmotic-nbctl lr-add lr0 -- lrp-add lr0 lrp0 0a:00:00:00:01:01 \
    192.168.0.1/24 -- lr-add lr1
lrp0=$(osmotic-nbctl get Logical_Router_Port lrp0 _uuid)
check_error "Logical_Router lr1: ports: Logical_Router_Port lrp0 is already in Logical_Router lr0" \
    osmotic-nbctl add Logical_Router lr1 ports "$lrp0"
check_output "[]" osmotic-nbctl get Logical_Router lr1 ports

# Behind nbctl's back.
nb_add_port() {
    ovsdb-client transact "$OSMOTIC_NB_DB" "[\"Osmotic_Northbound\",
        {\"op\":\"mutate\",\"table\":\"Logical_Switch\",
         \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$1\"]]],
         \"mutations\":[[\"ports\",\"insert\",[\"uuid\",\"$2\"]]]}]" \
        > /dev/null || fail "transact"
}
nb_add_port "$swz" "$p1"

# The owner is the switch with the smaller UUID, in every run.
if [[ $sw0 < $swz ]]; then owner=sw0; else owner=swz; fi

# northd starting on an empty SB still writes everything.
osm_start_northd northd
check nbctl lsp-add sw1 q2
check_output "lrp0
p1
p2
q1
q2" sb_select Port_Binding '["logical_port"]'
check_output "lr0
lr1
sw0
sw1
swz" sb_select Datapath_Binding '["name"]'
pb_dp() {
    local dp
    dp=$(sb_select Port_Binding '["datapath"]' \
             "[[\"logical_port\",\"==\",\"$1\"]]") || return 1
    sb_select Datapath_Binding '["name"]' \
        "[[\"_uuid\",\"==\",[\"uuid\",\"$dp\"]]]"
}
check_output $owner pb_dp p1
check_output sw0 pb_dp p2
grep -q "p1: port is listed by switches .* only $owner uses it" \
    "$TESTDIR/northd.log" || fail "no warning about p1 in the log"

# A full recompute binds it the same way and changes nothing.
before=$(sb_dump) || fail "sb_dump"
check northd_ctl northd northd/recompute
check nbctl sync
check_output "$before" sb_dump

# Switch changes go on incrementally, the port stays put.
check ovsdb-client transact "$OSMOTIC_NB_DB" "[\"Osmotic_Northbound\",
    {\"op\":\"mutate\",\"table\":\"Logical_Switch\",
     \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$swz\"]]],
     \"mutations\":[[\"external_ids\",\"insert\",[\"map\",[[\"a\",\"b\"]]]]]}]" \
    > /dev/null
check nbctl lsp-add sw1 q3
check_output $owner pb_dp p1

# nbctl still changes those switches, as long as it adds no other
# shared port.
check nbctl set Logical_Switch sw0 external_ids:x=y
check nbctl set Logical_Switch swz external_ids:x=y

# The same while northd runs: p2 ends up where a full recompute puts it.
p2=$(osmotic-nbctl get Logical_Switch_Port p2 _uuid)
nb_add_port "$swz" "$p2"
check nbctl lsp-add sw1 q4
check_output $owner pb_dp p2
before=$(sb_dump) || fail "sb_dump"
check northd_ctl northd northd/recompute
check nbctl sync
check_output "$before" sb_dump
check nbctl lsp-del q4

# lsp-del takes the port out of both switches.
check nbctl lsp-del p1
check nbctl lsp-del p2
check_output "[]" osmotic-nbctl get Logical_Switch swz ports
check_output "[]" osmotic-nbctl get Logical_Switch sw0 ports
check_output "lrp0
q1
q2
q3" sb_select Port_Binding '["logical_port"]'
