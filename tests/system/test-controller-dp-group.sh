#!/bin/bash
# A logical flow of a datapath group applies to every member datapath
# that is local, and only to members: switches A and B share one L2
# lookup flow through a group (from port 1 to port 2), switch C is not in
# it.  Pods a1 and b1 on hv1 reach a2 and b2 on hv2; c1 cannot reach c2.
# Taking B out of the group takes the flow out of B only; moving the flow
# to another group (of C) moves it to C.  The southbound rows are written
# by hand, without northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sb-lib.sh"
osm_test_init
osm_start_sb

# Per datapath: replies from port 2 go back to port 1.
reply() {
    sb_lflow ingress 12 10 reg14=2 'outport = 1; output;' "$1"
}
sb "$(sb_datapath 7 swa a), $(sb_datapath 8 swb b), $(sb_datapath 9 swc c),
    $(sb_port a1 1 a), $(sb_port a2 2 a), $(sb_port b1 1 b),
    $(sb_port b2 2 b), $(sb_port c1 1 c), $(sb_port c2 2 c),
    $(reply a), $(reply b), $(reply c),
    $(sb_dp_group g a b),
    $(sb_group_lflow g ingress 12 10 reg14=1 'outport = 2; output;')" \
    > "$TESTDIR/uuids" || fail "cannot write the southbound rows"

osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
n=1
for sw in a b c; do
    osm_add_pod hv1 ${sw}1 0a:00:00:00:0$n:01 10.24$n.0.1/24 ${sw}1
    osm_add_pod hv2 ${sw}2 0a:00:00:00:0$n:02 10.24$n.0.2/24 ${sw}2
    osm_pod_exec ${sw}1 ip neigh replace 10.24$n.0.2 \
        lladdr 0a:00:00:00:0$n:02 dev eth0 nud permanent
    osm_pod_exec ${sw}2 ip neigh replace 10.24$n.0.1 \
        lladdr 0a:00:00:00:0$n:01 dev eth0 nud permanent
    n=$((n + 1))
done
osm_prime_underlay hv1 hv2

wait_until osm_ping a1 10.241.0.2
wait_until osm_ping b1 10.242.0.2
check_no_ping c1 10.243.0.2
# lflow-list shows the group's flow under each member, and only there.
for dp in swa swb; do
    timeout 10 osmotic-sbctl lflow-list $dp | grep -q "match=(reg14=1)" \
        || fail "lflow-list $dp lacks the group's flow"
done
timeout 10 osmotic-sbctl lflow-list swc | grep -q "match=(reg14=1)" \
    && fail "lflow-list swc shows the group's flow"

# Take B out of the group: its flow goes, A's stays.
group=$(timeout 10 ovsdb-client dump --format=csv --no-headings \
            "$OSMOTIC_SB_DB" Osmotic_Southbound Logical_DP_Group _uuid \
            | tail -n +2)
[ -n "$group" ] || fail "no Logical_DP_Group row"
dp_a=$(timeout 10 ovsdb-client dump --format=csv --no-headings \
           "$OSMOTIC_SB_DB" Osmotic_Southbound Datapath_Binding _uuid name \
           | awk -F, '$2 == "swa" { print $1 }')
[ -n "$dp_a" ] || fail "no datapath swa"
sb "{\"op\": \"update\", \"table\": \"Logical_DP_Group\",
     \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$group\"]]],
     \"row\": {\"datapaths\": [\"set\", [[\"uuid\", \"$dp_a\"]]]}}" \
    > /dev/null
no_ping() {
    ! osm_ping "$@"
}
wait_until no_ping b1 10.242.0.2
check_ping a1 10.241.0.2

# Move the flow to a new group of C alone (as northd does when a flow's
# datapaths change and other flows stay in its group): C's flow comes,
# A's goes.
dp_c=$(timeout 10 ovsdb-client dump --format=csv --no-headings \
           "$OSMOTIC_SB_DB" Osmotic_Southbound Datapath_Binding _uuid name \
           | awk -F, '$2 == "swc" { print $1 }')
[ -n "$dp_c" ] || fail "no datapath swc"
sb "{\"op\": \"insert\", \"table\": \"Logical_DP_Group\",
     \"uuid-name\": \"gc\",
     \"row\": {\"datapaths\": [\"set\", [[\"uuid\", \"$dp_c\"]]]}},
    {\"op\": \"update\", \"table\": \"Logical_Flow\",
     \"where\": [[\"logical_dp_group\", \"==\", [\"uuid\", \"$group\"]]],
     \"row\": {\"logical_dp_group\": [\"named-uuid\", \"gc\"]}}" \
    > /dev/null
wait_until osm_ping c1 10.243.0.2
wait_until no_ping a1 10.241.0.2
check_no_ping b1 10.242.0.2
echo PASS
