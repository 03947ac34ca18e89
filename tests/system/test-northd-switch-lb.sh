#!/bin/bash
# osmotic-northd: the flows of switch load balancers are owned per load
# balancer (owner kind lb), on every switch that has it directly or
# through a group.  A backend added to one load balancer of a group
# rebuilds that load balancer alone and changes only its flows; a VIP two
# load balancers of one switch name is the one's of lower UUID there; a
# switch that drops a group loses its load balancers' flows; a backend's
# hairpin flow names its VIPs on the switch, also where two switches of a
# group differ only in those; a load balancer that joins or leaves a
# group, or is deleted while in it, and a switch deleted, are followed
# from one compile to the next; and an incremental compile leaves SB as a
# full recompute does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

# last_owners: the owners the last compile built, per kind.
last_owners() {
    northd_count northd "last compile owners"
}

# check_incremental_equals_full: a full recompute changes nothing in SB.
check_incremental_equals_full() {
    check sb_dump > "$TESTDIR/incremental"
    check northd_ctl northd northd/recompute
    check osmotic-nbctl --wait=sb --timeout=10 sync
    check sb_dump > "$TESTDIR/full"
    diff -u "$TESTDIR/incremental" "$TESTDIR/full" \
        || fail "full recompute differs from incremental result"
}

# lb_flows LB: the Logical_Flow rows of load balancer LB, "UUID GROUP",
# sorted.
lb_flows() {
    local uuid
    uuid=$(osmotic-nbctl get Load_Balancer "$1" _uuid) || return 1
    sb_select Logical_Flow '["_uuid","logical_dp_group"]' \
        "[[\"source\",\"==\",\"Load_Balancer:$uuid\"]]"
}

# vip_actions SWITCH: the actions of SWITCH's ls_in_lb flows of VIP
# 10.96.0.1:80.
vip_actions() {
    local re='ct_state=+new+trk,tcp,nw_dst=10\.96\.0\.1,tp_dst=80'
    pipeline "sb_lflows $1 | sed -n 's/^ls_in_lb 120 $re .*actions=//p'"
}

# vip_switches VIP: the switches (of sw0, sw1 and sw2) that have a
# ls_in_lb flow to VIP, one a line.
vip_switches() {
    local sw
    for sw in sw0 sw1 sw2; do
        sb_lflows "$sw" 2>/dev/null | grep -q "^ls_in_lb .*,nw_dst=$1," \
            && echo "$sw"
    done
    return 0
}

check osmotic-nbctl init
check nbctl ls-add sw0 -- ls-add sw1 -- ls-add sw2
grp=$(osmotic-nbctl create Load_Balancer_Group name=cluster) \
    || fail "create group"
for i in 0 1 2; do
    check nbctl lb-add "lb$i" "10.96.0.$((i + 1)):80" \
        "10.0.$i.1:8080,10.0.$i.2:8080" tcp
    check nbctl add Load_Balancer_Group "$grp" load_balancer \
        "$(osmotic-nbctl get Load_Balancer "lb$i" _uuid)"
done
for sw in sw0 sw1 sw2; do
    check nbctl add Logical_Switch "$sw" load_balancer_group "$grp"
done
check_output "ct_lb(10.0.0.1:8080, 10.0.0.2:8080);" vip_actions sw2
check_incremental_equals_full

# One backend added to lb1: lb1 alone is rebuilt, and only its flows
# change.
lb0_before=$(lb_flows lb0)
lb2_before=$(lb_flows lb2)
lb1_before=$(lb_flows lb1)
all_before=$(sb_select Logical_Flow '["_uuid"]')
check nbctl set Load_Balancer lb1 \
    'vips:"10.96.0.2:80"="10.0.1.1:8080,10.0.1.2:8080,10.0.1.3:8080"'
check_output "lb 1" last_owners
check_output "$lb0_before" lb_flows lb0
check_output "$lb2_before" lb_flows lb2
[ "$(lb_flows lb1)" != "$lb1_before" ] || fail "lb1's flows did not change"
changed=$(comm -3 <(echo "$all_before") \
              <(sb_select Logical_Flow '["_uuid"]') | wc -l)
lb1_changed=$(comm -3 <(echo "$lb1_before" | cut -d' ' -f1 | sort) \
                  <(lb_flows lb1 | cut -d' ' -f1 | sort) | wc -l)
[ "$changed" -gt "$lb1_changed" ] && [ "$changed" -le $((lb1_changed + 2)) ] \
    || fail "$changed flows changed, $lb1_changed of them lb1's"
check_incremental_equals_full

# A VIP that two load balancers of sw0 name is the one's of lower UUID
# there; on the other switches, lb0's.
check nbctl lb-add lbx 10.96.0.1:80 10.0.9.9:8080 tcp
check nbctl ls-lb-add sw0 lbx
lb0=$(osmotic-nbctl get Load_Balancer lb0 _uuid) || fail "get lb0"
lbx=$(osmotic-nbctl get Load_Balancer lbx _uuid) || fail "get lbx"
if [[ "$lbx" < "$lb0" ]]; then
    winner="ct_lb(10.0.9.9:8080);"
else
    winner="ct_lb(10.0.0.1:8080, 10.0.0.2:8080);"
fi
check_output "$winner" vip_actions sw0
check_output "ct_lb(10.0.0.1:8080, 10.0.0.2:8080);" vip_actions sw1
check_incremental_equals_full
check nbctl lb-del lb0
check_output "ct_lb(10.0.9.9:8080);" vip_actions sw0
check_output "" vip_actions sw1
check_incremental_equals_full

# A backend's hairpin flow (one per switch and backend address) names
# the VIPs it backs on the switch, whichever load balancer names them
# (vips=, the cookie of the flows it learns): a load balancer that gains
# or loses a VIP of the same backend changes it, on that switch alone,
# and rebuilds the other load balancer too (one row, as a full recompute
# writes it).
hairpin_vips() {
    pipeline "sb_lflows $1 | sed -n 's/^ls_in_stateful 130 .*nw_src=$2,nw_dst=$2 actions=lb_hairpin(tcp, vips=\(0x[0-9a-f]*\)); next;$/\1/p'"
}
check nbctl lb-add lbs1 10.96.1.1:80 10.0.5.1:8080,10.0.5.2:8080 tcp \
    -- ls-lb-add sw1 lbs1 -- ls-add sw3 -- ls-lb-add sw3 lbs1
one=$(hairpin_vips sw1 10.0.5.1) || fail "hairpin flow of 10.0.5.1"
[ -n "$one" ] && [ "$(hairpin_vips sw3 10.0.5.1)" = "$one" ] \
    || fail "hairpin of 10.0.5.1: sw1 $one, sw3 $(hairpin_vips sw3 10.0.5.1)"
check_incremental_equals_full
check nbctl lb-add lbs2 10.96.1.2:80 10.0.7.1:8080 tcp -- ls-lb-add sw1 lbs2
check_output "$one" hairpin_vips sw1 10.0.5.1
check nbctl set Load_Balancer lbs2 'vips:"10.96.1.2:80"="10.0.5.1:8080"'
two=$(hairpin_vips sw1 10.0.5.1) || fail "hairpin flow of 10.0.5.1"
[ -n "$two" ] && [ "$two" != "$one" ] && [ "$(wc -l <<<"$two")" = 1 ] \
    || fail "hairpin of 10.0.5.1 with a second VIP: $one, then $two"
check_output "$one" hairpin_vips sw3 10.0.5.1
check_incremental_equals_full
# The other backend of lbs1 only keeps its own.
check_output "$(hairpin_vips sw3 10.0.5.2)" hairpin_vips sw1 10.0.5.2
# The backend's port for a VIP counts too (the learned flows match it).
check nbctl set Load_Balancer lbs2 'vips:"10.96.1.2:80"="10.0.5.1:8081"'
port=$(hairpin_vips sw1 10.0.5.1) || fail "hairpin flow of 10.0.5.1"
[ -n "$port" ] && [ "$port" != "$two" ] && [ "$port" != "$one" ] \
    || fail "hairpin of 10.0.5.1 on another port: $two, then $port"
check_incremental_equals_full
check nbctl lb-del lbs2
check_output "$one" hairpin_vips sw1 10.0.5.1
check_incremental_equals_full
check nbctl lb-del lbs1 -- ls-del sw3
check_output "" hairpin_vips sw1 10.0.5.1
check_incremental_equals_full

# Two switches of a group that differ only in a backend's VIPs (a second
# load balancer names the backend on one of them): the group's load
# balancer, whose flows are built once for the switches alike in it, has
# a hairpin flow of its own vips= on each.
check nbctl ls-add sw4 -- ls-add sw5
grp2=$(osmotic-nbctl create Load_Balancer_Group name=hairpin) \
    || fail "create group hairpin"
check nbctl lb-add lbh 10.96.2.1:80 10.0.6.1:8080 tcp
check nbctl add Load_Balancer_Group "$grp2" load_balancer \
    "$(osmotic-nbctl get Load_Balancer lbh _uuid)"
check nbctl add Logical_Switch sw4 load_balancer_group "$grp2" \
    -- add Logical_Switch sw5 load_balancer_group "$grp2"
alone=$(hairpin_vips sw5 10.0.6.1) || fail "hairpin flow of 10.0.6.1"
[ -n "$alone" ] && [ "$(hairpin_vips sw4 10.0.6.1)" = "$alone" ] \
    || fail "hairpin of 10.0.6.1: sw4 $(hairpin_vips sw4 10.0.6.1), sw5 $alone"
check nbctl lb-add lbk 10.96.2.2:80 10.0.6.1:8080 tcp -- ls-lb-add sw4 lbk
both=$(hairpin_vips sw4 10.0.6.1) || fail "hairpin flow of 10.0.6.1"
[ -n "$both" ] && [ "$both" != "$alone" ] && [ "$(wc -l <<<"$both")" = 1 ] \
    || fail "hairpin of 10.0.6.1 on sw4 with a second VIP: $alone, then $both"
check_output "$alone" hairpin_vips sw5 10.0.6.1
check_incremental_equals_full
check nbctl ls-lb-del sw4 lbk
check_output "$alone" hairpin_vips sw4 10.0.6.1
check_output "$alone" hairpin_vips sw5 10.0.6.1
check_incremental_equals_full
check nbctl lb-del lbk -- lb-del lbh -- ls-del sw4 -- ls-del sw5 \
    -- destroy Load_Balancer_Group "$grp2"
check_incremental_equals_full

# A switch that drops the group loses the group's load balancers' flows.
check nbctl remove Logical_Switch sw2 load_balancer_group "$grp"
check_output "" pipeline "sb_lflows sw2 | awk '/^ls_in_lb .*nw_dst=10\.96/'"
check_incremental_equals_full
check nbctl add Logical_Switch sw2 load_balancer_group "$grp"
check_output 2 pipeline \
    "sb_lflows sw2 | grep -cE '^ls_in_lb 120 .*nw_dst=10\.96'"
check_incremental_equals_full

# A load balancer that joins the group gets its flows on every switch of
# the group, and loses them when it leaves, or is deleted while in it; a
# deleted switch takes its own along.
check nbctl lb-add lby 10.96.0.9:80 10.0.8.1:8080 tcp
lby=$(osmotic-nbctl get Load_Balancer lby _uuid) || fail "get lby"
check_output "" vip_switches 10.96.0.9
check nbctl add Load_Balancer_Group "$grp" load_balancer "$lby"
check_output "sw0 sw1 sw2" pipeline "vip_switches 10.96.0.9 | xargs"
check_incremental_equals_full
check nbctl remove Load_Balancer_Group "$grp" load_balancer "$lby"
check_output "" vip_switches 10.96.0.9
check_incremental_equals_full
check nbctl add Load_Balancer_Group "$grp" load_balancer "$lby"
check_output "sw0 sw1 sw2" pipeline "vip_switches 10.96.0.9 | xargs"
check nbctl lb-del lby
check_output "" vip_switches 10.96.0.9
check_incremental_equals_full
check nbctl ls-del sw1
check_output "sw0 sw2" pipeline "vip_switches 10.96.0.2 | xargs"
check_incremental_equals_full
check_output active northd_state northd
