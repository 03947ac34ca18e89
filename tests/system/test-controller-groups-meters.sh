#!/bin/bash
# osmotic-controller owns select groups and meters as it owns flows: the
# groups that logical actions need (select, ct_lb with several backends)
# and the meters of its packet-in handlers are installed, changed only by
# difference (counted group_mod and meter_mod messages), removed when no
# longer needed, learnt back from br-int by a restarted controller, and
# restored after an ovs-vswitchd restart.  The
# southbound rows are written by hand, without northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sb-lib.sh"
osm_test_init
osm_start_sb

sb "$(sb_datapath 7 sw),
    $(sb_port lp1 1), $(sb_port lp2 2),
    $(sb_lflow ingress 7 20 ip,nw_dst=10.244.0.100 'ct_lb(10.244.0.1:80, 10.244.0.2:80);'),
    $(sb_lflow ingress 7 10 ip,nw_dst=10.244.0.101 'reg0 = select(1, 2);'),
    $(sb_lflow ingress 7 0 '' 'next;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0a:01 'outport = 1; output;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0a:02 'outport = 2; output;')" \
    > /dev/null

osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_pod hv1 p1 0a:00:00:00:0a:01 10.244.0.1/24 lp1
osm_add_pod hv1 p2 0a:00:00:00:0a:02 10.244.0.2/24 lp2
log=$(osm_host_dir hv1)/osmotic-controller.log

# count FIELD: a counter of the controller's ofctrl/flow-counts.
count() {
    osm_ctl_appctl hv1 ofctrl/flow-counts | sed -n "s/^$1: //p"
}
# is VALUE CMD...: CMD prints VALUE (for wait_until, which reruns it).
is() {
    local value=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$value" ]
}
groups_in_br_int() {
    osm_host_ofctl hv1 dump-groups br-int | grep -c "group_id=" || true
}
meters_in_br_int() {
    osm_host_ofctl hv1 dump-meters br-int | grep -c "^meter=" || true
}
# One meter per packet-in handler (log, reject, arp, put_arp, icmp, nd_ns,
# put_nd, svc_monitor and bfd).
M=9
wait_until is 2 count groups
check_output $M count meters
check_output 2 groups_in_br_int
check_output $M meters_in_br_int
osm_host_ofctl hv1 dump-groups br-int | grep -q "type=select.*nat(dst=10.244.0.1:80).*nat(dst=10.244.0.2:80)" \
    || fail "no ct_lb group: $(osm_host_ofctl hv1 dump-groups br-int)"
osm_host_ofctl hv1 dump-meters br-int | grep -q "type=drop rate=100 burst_size=100" \
    || fail "no packet-in meter: $(osm_host_ofctl hv1 dump-meters br-int)"
osm_host_ofctl hv1 dump-flows br-int table=17 | grep -q "actions=group:" \
    || fail "no flow uses the groups"
check_output 2 count "group mods sent"
check_output $M count "meter mods sent"

# A full recompute changes nothing: no group or meter message.
check osm_ctl_appctl hv1 controller/recompute
check osm_ctl_appctl hv1 controller/recompute
sleep 1
check_output 2 count "group mods sent"
check_output $M count "meter mods sent"

# A group no flow needs goes, with one message.
uuid=$(sb "{\"op\": \"select\", \"table\": \"Logical_Flow\",
             \"where\": [[\"match\", \"==\", \"ip,nw_dst=10.244.0.101\"]],
             \"columns\": [\"_uuid\"]}" | grep -o '"uuid","[^"]*"' | cut -d'"' -f4)
sb "{\"op\": \"delete\", \"table\": \"Logical_Flow\",
     \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$uuid\"]]]}" > /dev/null
wait_until is 1 count groups
check_output 1 groups_in_br_int
check_output 3 count "group mods sent"

# A restarted controller reads the groups and meters br-int has and sends
# none of them again.
osm_stop_controller hv1
osm_start_controller hv1
wait_until is connected count "packet-in connection"
wait_until is 1 count groups
check osm_ctl_appctl hv1 controller/recompute
sleep 1
check_output $M count meters
check_output 0 count "group mods sent"
check_output 0 count "meter mods sent"
check_output 1 groups_in_br_int

# ovs-vswitchd restarted: the group and the meters come back, one message
# each.
osm_stop_vswitchd hv1
osm_start_vswitchd hv1
wait_until is 1 groups_in_br_int
wait_until is $M meters_in_br_int
check_output 1 count "group mods sent"
check_output $M count "meter mods sent"
echo PASS
