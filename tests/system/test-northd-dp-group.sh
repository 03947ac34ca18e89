#!/bin/bash
# osmotic-northd: the datapath-wide flows of switches are shared through
# datapath groups, so adding or deleting a switch changes the membership
# of the groups and the switch's own rows, and no other Logical_Flow row;
# a group always lists exactly the switches that have its flow, and goes
# with its flow.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

# add_switch NAME N: adds switch NAME with one port NAME-p, with addresses
# and port security "MAC 10.N.0.1".
add_switch() {
    local mac
    mac=$(printf '0a:00:00:00:%02x:01' "$2")
    check nbctl ls-add "$1" -- lsp-add "$1" "$1-p" \
        -- lsp-set-addresses "$1-p" "$mac 10.$2.0.1" \
        -- lsp-set-port-security "$1-p" "$mac 10.$2.0.1"
}

# flows: the Logical_Flow rows, "UUID DATAPATH GROUP", sorted.
flows() {
    sb_select Logical_Flow '["_uuid","logical_datapath","logical_dp_group"]'
}

# groups: the Logical_DP_Group rows, "UUID DATAPATHS", sorted.
groups() {
    sb_select Logical_DP_Group '["_uuid","datapaths"]'
}

# dp NAME: the UUID of datapath NAME.
dp() {
    sb_select Datapath_Binding '["_uuid"]' "[[\"name\",\"==\",\"$1\"]]"
}

check osmotic-nbctl init
add_switch sw0 0
add_switch sw1 1
flows_before=$(flows)
groups_before=$(groups)
n_groups=$(echo "$groups_before" | grep -c .)
[ "$n_groups" -ge 8 ] || fail "only $n_groups groups: $groups_before"
check_output "$n_groups" northd_count northd "datapath groups"

# Adding a switch like the others: new rows only of its own datapath, no
# row gone, the same groups with the new switch added to each.
add_switch sw2 2
sw2=$(dp sw2)
flows_after=$(flows)
gone=$(comm -23 <(echo "$flows_before") <(echo "$flows_after"))
new=$(comm -13 <(echo "$flows_before") <(echo "$flows_after"))
[ -z "$gone" ] || fail "adding sw2 deleted or changed flows: $gone"
[ -n "$new" ] || fail "sw2 has no flows of its own"
echo "$new" | while read -r uuid datapath group; do
    [ "$datapath" = "$sw2" ] && [ -z "$group" ] \
        || fail "new flow not sw2's own: $uuid $datapath $group"
done
expected=$(echo "$groups_before" | while read -r uuid dps; do
               echo "$uuid $(echo "$dps,$sw2" | tr , '\n' | sort | paste -sd,)"
           done)
check_output "$expected" groups

# The same NB gives the same rows: a full recompute changes nothing.
sb_dump > "$TESTDIR/incremental"
check northd_ctl northd northd/recompute
check nbctl sync
sb_dump > "$TESTDIR/full"
diff -u "$TESTDIR/incremental" "$TESTDIR/full" \
    || fail "full recompute differs from incremental result"

# Deleting it brings back the rows and memberships of before.
check nbctl ls-del sw2
check_output "$flows_before" flows
check_output "$groups_before" groups

# A switch without ports joins only the groups of the flows every switch
# has, and its deletion takes it out of them again.
check nbctl ls-add sw3
sw3=$(dp sw3)
check_output "$flows_before" flows
n_sw3=$(groups | grep -c "$sw3")
[ "$n_sw3" -ge 3 ] && [ "$n_sw3" -lt "$n_groups" ] \
    || fail "sw3 is in $n_sw3 of $n_groups groups"
check nbctl ls-del sw3
check_output "$groups_before" groups

# A flow only one switch has still has a group (of that switch), which a
# second switch joins; when no switch has it, flow and group go.
check nbctl lsp-add sw0 u -- lsp-set-addresses u unknown
unknown='[["actions","==","outport = 32769; output;"]]'
group=$(sb_select Logical_Flow '["logical_dp_group"]' "$unknown")
[ -n "$group" ] || fail "no shared flow for unknown unicast"
check_output "$(dp sw0)" sb_select Logical_DP_Group '["datapaths"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$group\"]]]"
check nbctl lsp-add sw1 v -- lsp-set-addresses v unknown
check_output "$group" sb_select Logical_Flow '["logical_dp_group"]' "$unknown"
check_output "$(echo "$(dp sw0) $(dp sw1)" | tr ' ' '\n' | sort | paste -sd,)" \
    sb_select Logical_DP_Group '["datapaths"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$group\"]]]"
check nbctl lsp-del u -- lsp-del v
check_output "" sb_select Logical_Flow '["_uuid"]' "$unknown"
check_output "" sb_select Logical_DP_Group '["_uuid"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$group\"]]]"
check_output "$flows_before" flows
check_output "$groups_before" groups

# Someone else changing a group's members is repaired.
g=$(echo "$groups_before" | head -n 1 | cut -d' ' -f1)
check ovsdb-client transact "$OSMOTIC_SB_DB" \
    "[\"Osmotic_Southbound\",{\"op\":\"update\",\"table\":\"Logical_DP_Group\",
      \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$g\"]]],
      \"row\":{\"datapaths\":[\"set\",[]]}}]" > /dev/null
wait_until output_is "$groups_before" groups

# With the last switch, every shared flow and every group goes.
check nbctl ls-del sw0 -- ls-del sw1
check_output "" sb_select Logical_Flow '["_uuid"]'
check_output "" groups
check_output 0 northd_count northd "datapath groups"
check_output active northd_state northd
