#!/bin/bash
# osmotic-northd: the datapath-wide flows of switches, and a load
# balancer's flows, are shared through datapath groups, one group per
# distinct set of switches, which every shared flow of that set
# references.  Adding or deleting a switch that every flow of a group
# gains or loses changes the group's membership and no other
# Logical_Flow row; a flow whose set of switches changes alone moves to
# the group of its new set, and no other flow is written; a group no
# flow references goes.
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
check_output "$n_groups" northd_count northd "datapath groups"
# One group per set: many shared flows, fewer groups, no two groups of
# the same switches, and every group referenced.
# (The UUIDs too: a select of one column gives each value once.)
shared_groups() {
    sb_select Logical_Flow '["_uuid","logical_dp_group"]' \
        '[["logical_dp_group","!=",["set",[]]]]' | cut -d' ' -f2
}
n_shared=$(shared_groups | grep -c .)
[ "$n_shared" -ge 8 ] && [ "$n_groups" -lt "$n_shared" ] \
    || fail "$n_shared shared flows in $n_groups groups"
check_output "" pipeline "echo '$groups_before' | cut -d' ' -f2 | sort | uniq -d"
check_output "$(echo "$groups_before" | cut -d' ' -f1)" pipeline \
    "shared_groups | sort -u"

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

# A switch without ports has only the flows every switch has: those move
# to one new group of the three switches, the others keep their row and
# group; no flow row comes or goes.  Its deletion moves them back, and
# the new group goes.
check nbctl ls-add sw3
sw3=$(dp sw3)
flows_sw3=$(flows)
check_output "$(echo "$flows_before" | cut -d' ' -f1)" \
    pipeline "echo '$flows_sw3' | cut -d' ' -f1"
moved=$(comm -13 <(echo "$flows_before") <(echo "$flows_sw3"))
[ -n "$moved" ] || fail "no flow moved to a group with sw3"
[ "$(echo "$moved" | wc -l)" -lt "$(echo "$flows_before" | wc -l)" ] \
    || fail "every flow moved"
new_group=$(echo "$moved" | awk '{ print $NF }' | sort -u)
[ "$(echo "$new_group" | wc -w)" = 1 ] || fail "moved to several groups: $new_group"
check_output "$(echo "$(dp sw0) $(dp sw1) $sw3" | tr ' ' '\n' | sort | paste -sd,)" \
    sb_select Logical_DP_Group '["datapaths"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$new_group\"]]]"
check_output "$groups_before" pipeline \
    "groups | grep -v '^$new_group '"
check nbctl ls-del sw3
check_output "$flows_before" flows
check_output "$groups_before" groups

# A flow only one switch has still has a group (of that switch); when a
# second switch has it too, it moves to the group of both, which other
# flows of both switches reference; when no switch has it, flow and group
# go.
check nbctl lsp-add sw0 u -- lsp-set-addresses u unknown
unknown='[["actions","==","outport = 32769; output;"]]'
group=$(sb_select Logical_Flow '["logical_dp_group"]' "$unknown")
[ -n "$group" ] || fail "no shared flow for unknown unicast"
check_output "$(dp sw0)" sb_select Logical_DP_Group '["datapaths"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$group\"]]]"
check nbctl lsp-add sw1 v -- lsp-set-addresses v unknown
both=$(sb_select Logical_Flow '["logical_dp_group"]' "$unknown")
[ "$both" != "$group" ] || fail "the flow kept the group of sw0"
echo "$groups_before" | grep -q "^$both " \
    || fail "the flow is not in the group of both switches: $both"
check_output "" sb_select Logical_DP_Group '["_uuid"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$group\"]]]"
check nbctl lsp-del u -- lsp-del v
check_output "" sb_select Logical_Flow '["_uuid"]' "$unknown"
check_output "$flows_before" flows
check_output "$groups_before" groups

# Two load balancers on the same switches: their flows share one group,
# the one of the switches' other flows.  Taking one of them off a switch
# moves its flows alone, to the group of the switch it is left on; the
# other's flows and every other row stay as they were.
check nbctl lb-add lb1 10.96.0.1:80 10.0.0.9:8080 tcp \
    -- lb-add lb2 10.96.0.2:80 10.1.0.9:8080 tcp
check nbctl ls-lb-add sw0 lb1 -- ls-lb-add sw1 lb1 \
    -- ls-lb-add sw0 lb2 -- ls-lb-add sw1 lb2
# lb_flows VIP BACKEND: "UUID GROUP" of the flows whose match names VIP
# or BACKEND.
lb_flows() {
    sb_select Logical_Flow '["_uuid","logical_dp_group","match"]' \
        '[["logical_dp_group","!=",["set",[]]]]' \
        | grep -E "=(${1//./\\.}|${2//./\\.})(,| |\$)" | cut -d' ' -f1,2
}
lb1_flows=$(lb_flows 10.96.0.1 10.0.0.9)
lb2_flows=$(lb_flows 10.96.0.2 10.1.0.9)
[ "$(echo "$lb1_flows" | wc -l)" -ge 3 ] || fail "lb1 flows: $lb1_flows"
[ "$(echo "$lb2_flows" | wc -l)" -ge 3 ] || fail "lb2 flows: $lb2_flows"
lb_group=$(echo "$lb1_flows" | cut -d' ' -f2 | sort -u)
check_output "$lb_group" pipeline "echo '$lb2_flows' | cut -d' ' -f2 | sort -u"
echo "$groups_before" | grep -q "^$lb_group " \
    || fail "the load balancers' group is not the switches': $lb_group"
check_output "$n_groups" pipeline "groups | wc -l"
with_lbs=$(flows)
check nbctl ls-lb-del sw1 lb2
after=$(flows)
changed=$(comm -13 <(echo "$with_lbs") <(echo "$after") | cut -d' ' -f1 | sort)
check_output "$(echo "$lb2_flows" | cut -d' ' -f1 | sort)" echo "$changed"
check_output "$(comm -23 <(echo "$with_lbs") <(echo "$after") | cut -d' ' -f1 | sort)" \
    echo "$changed"
sw0_group=$(lb_flows 10.96.0.2 10.1.0.9 | cut -d' ' -f2 | sort -u)
check_output "$(dp sw0)" sb_select Logical_DP_Group '["datapaths"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$sw0_group\"]]]"
check_output "$lb1_flows" lb_flows 10.96.0.1 10.0.0.9
check nbctl ls-lb-add sw1 lb2
check_output "$with_lbs" flows
check_output "" sb_select Logical_DP_Group '["_uuid"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$sw0_group\"]]]"
check nbctl lb-del lb1 -- lb-del lb2
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
