#!/bin/bash
# osmotic-northd: load balancer health checks.  One SB Service_Monitor
# row per backend of a checked VIP that ip_port_mappings places (shared
# by two load balancers with the same backend), with the check's options
# and their defaults and the service monitor MAC; a backend whose row
# says "offline" (here written by hand: no controller runs) leaves the
# VIP's ct_lb on a switch and on a router with a gateway port, and comes
# back when "online"; an incremental compile leaves SB as a full
# recompute does; rows go when the check or the mapping goes.  A backend
# whose logical port is not up on a chassis (unbound, its chassis
# deleted, its flows not installed, no such port) is offline, and northd
# writes so: it comes back only once its port is up again and a probe
# says online.  IPv6 backends alike.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

# monitors: the Service_Monitor rows, "IP PORT PROTO LPORT SRC_IP SRC_MAC
# OPTIONS", sorted.
monitors() {
    sb_select Service_Monitor \
        '["ip","port","protocol","logical_port","src_ip","src_mac","options"]'
}
# set_status IP STATUS: writes the status of the row of backend IP, as
# the probing controller would.
set_status() {
    local uuid
    uuid=$(osmotic-sbctl --bare --columns=_uuid find Service_Monitor \
               ip="$1") || fail "find $1"
    check osmotic-sbctl set Service_Monitor "$uuid" status="$2"
}
# bind LPORT [UP]: binds LPORT to chassis hv1 with "up" UP (default
# true), as hv1's controller would once the port's flows are installed.
bind() {
    check osmotic-sbctl set Port_Binding "$1" \
        chassis="$(osmotic-sbctl --bare --columns=_uuid find Chassis \
                   name=hv1)" up="${2:-true}"
}
# status IP: the status of the row of backend IP.
status() {
    osmotic-sbctl --bare --columns=status find Service_Monitor ip="$1"
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

check osmotic-nbctl init
check nbctl ls-add sw0 \
    -- lsp-add sw0 p1 -- lsp-set-addresses p1 "0a:00:00:00:00:02 10.0.0.2" \
    -- lsp-add sw0 p2 -- lsp-set-addresses p2 "0a:00:00:00:00:03 10.0.0.3"
check nbctl lr-add lr0 \
    -- lrp-add lr0 lrp0 0a:00:00:00:ff:01 10.0.0.1/24 \
    -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lrp0 \
    -- lsp-set-addresses sw0-lr0 router \
    -- lrp-add lr0 lrp1 0a:00:00:00:ee:01 172.16.0.1/24 \
    -- lrp-set-gateway-chassis lrp1 gw1 10
# A chassis that has p1 and p2 up.
check osmotic-sbctl \
    -- --id=@e1 create Encap type=geneve ip=172.31.0.1 chassis_name=hv1 \
    -- create Chassis name=hv1 hostname=host1 encaps=@e1
bind p1
bind p2
check nbctl lb-add lb0 172.16.0.100:80 10.0.0.2:8080,10.0.0.3:8080 tcp \
    -- ls-lb-add sw0 lb0 -- lr-lb-add lr0 lb0
check_output "" monitors

# A health check without mappings monitors nothing; mappings bring rows.
check nbctl -- --id=@hc create Load_Balancer_Health_Check \
    vip='"172.16.0.100:80"' options:interval=2 options:failure_count=4 \
    -- add Load_Balancer lb0 health_check @hc
check_output "" monitors
check nbctl set Load_Balancer lb0 ip_port_mappings:10.0.0.2=p1:10.0.0.250 \
    ip_port_mappings:10.0.0.3=p2:10.0.0.250
OPTS='failure_count=4,interval=2,success_count=3,timeout=20'
check_output "10.0.0.2 8080 tcp p1 10.0.0.250 0a:58:0a:fe:00:01 $OPTS
10.0.0.3 8080 tcp p2 10.0.0.250 0a:58:0a:fe:00:01 $OPTS" monitors

# The service monitor MAC follows NB_Global.
check nbctl set NB_Global . options:svc_monitor_mac=0a:00:00:00:fe:fe
check_output "10.0.0.2 8080 tcp p1 10.0.0.250 0a:00:00:00:fe:fe $OPTS
10.0.0.3 8080 tcp p2 10.0.0.250 0a:00:00:00:fe:fe $OPTS" monitors

SW='ls_in_lb 120 ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80 actions='
RT='lr_in_lb 120 ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80 actions='
check_lflows sw0 <<<"${SW}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);"
check_lflows lr0 <<<"${RT}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);"

# Online changes nothing; offline takes the backend out, on both.
set_status 10.0.0.2 online
check nbctl sync
check_lflows sw0 <<<"${SW}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);"
set_status 10.0.0.3 offline
wait_until output_is "${SW}ct_lb(10.0.0.2:8080);" pipeline \
    "sb_lflows sw0 | grep -F '${SW}'"
check_lflows lr0 <<<"${RT}ct_lb(10.0.0.2:8080);"
# The backend's un-DNAT of the connections it has stays.
check_lflows sw0 <<<"ls_out_pre_acl 105 tcp,nw_src=10.0.0.3,tp_src=8080 actions=ct_dnat;"
check_incremental_equals_full

# All offline: the VIP has no backend (switches and routers reject).
set_status 10.0.0.2 offline
wait_until output_is "ls_in_lb 120 tcp,nw_dst=172.16.0.100,tp_dst=80 actions=reject;" \
    pipeline "sb_lflows sw0 | grep -F 'ls_in_lb 120 '"
check pipeline "sb_lflows lr0 \
    | grep -q 'lr_in_admission .*nw_dst=172.16.0.100,tp_dst=80 actions=reject;'"
set_status 10.0.0.2 online
set_status 10.0.0.3 online
wait_until output_is "${SW}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);" pipeline \
    "sb_lflows sw0 | grep -F '${SW}'"
check_lflows lr0 <<<"${RT}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);"

# A port that is not up on a chassis: its backend is offline, which
# northd writes, so that it comes back only once a probe says online.
check osmotic-sbctl clear Port_Binding p2 chassis
wait_until output_is offline status 10.0.0.3
wait_until output_is "${SW}ct_lb(10.0.0.2:8080);" pipeline \
    "sb_lflows sw0 | grep -F '${SW}'"
check_lflows lr0 <<<"${RT}ct_lb(10.0.0.2:8080);"
check_incremental_equals_full
bind p2 false
check nbctl sync
check_output offline status 10.0.0.3
check_lflows sw0 <<<"${SW}ct_lb(10.0.0.2:8080);"
bind p2
check nbctl sync
check_output offline status 10.0.0.3
check_lflows sw0 <<<"${SW}ct_lb(10.0.0.2:8080);"
set_status 10.0.0.3 online
wait_until output_is "${SW}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);" pipeline \
    "sb_lflows sw0 | grep -F '${SW}'"
# Up, but down again: offline at once.
check osmotic-sbctl set Port_Binding p1 up=false
wait_until output_is offline status 10.0.0.2
wait_until output_is "${SW}ct_lb(10.0.0.3:8080);" pipeline \
    "sb_lflows sw0 | grep -F '${SW}'"
bind p1
set_status 10.0.0.2 online
# The chassis is deleted (its ports unbound): all offline, the VIP
# rejects.  A new chassis with the ports up, probes online: back.
check osmotic-sbctl chassis-del hv1
wait_until output_is "ls_in_lb 120 tcp,nw_dst=172.16.0.100,tp_dst=80 actions=reject;" \
    pipeline "sb_lflows sw0 | grep -F 'ls_in_lb 120 '"
check_output offline status 10.0.0.2
check_output offline status 10.0.0.3
check osmotic-sbctl \
    -- --id=@e1 create Encap type=geneve ip=172.31.0.1 chassis_name=hv1 \
    -- create Chassis name=hv1 hostname=host1 encaps=@e1
bind p1
bind p2
set_status 10.0.0.2 online
set_status 10.0.0.3 online
wait_until output_is "${SW}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);" pipeline \
    "sb_lflows sw0 | grep -F '${SW}'"
check_incremental_equals_full
# A mapping to a port that does not exist: its new row is offline from
# the start.
check nbctl --may-exist lb-add lb0 172.16.0.100:80 \
    10.0.0.2:8080,10.0.0.3:8080,10.0.0.4:8080 tcp \
    -- set Load_Balancer lb0 ip_port_mappings:10.0.0.4=nosuch:10.0.0.250
check_output offline status 10.0.0.4
check_lflows sw0 <<<"${SW}ct_lb(10.0.0.2:8080, 10.0.0.3:8080);"
check nbctl --may-exist lb-add lb0 172.16.0.100:80 \
    10.0.0.2:8080,10.0.0.3:8080 tcp \
    -- remove Load_Balancer lb0 ip_port_mappings 10.0.0.4

# IPv6 backends alike: a row per mapped backend, "offline" written for
# the one whose port is not up (p3, bound nowhere), and a backend whose
# row says offline leaves the VIP's ct_lb.
check nbctl lsp-add sw0 p3 -- lsp-set-addresses p3 "0a:00:00:00:00:04 fd00::4"
check nbctl lb-add lb6 [fd00:100::10]:80 "[fd00::2]:8080,[fd00::4]:8080" tcp \
    -- ls-lb-add sw0 lb6 \
    -- --id=@hc create Load_Balancer_Health_Check vip='"[fd00:100::10]:80"' \
    -- add Load_Balancer lb6 health_check @hc \
    -- set Load_Balancer lb6 'ip_port_mappings:"fd00::2"="p1:[fd00::250]"' \
       'ip_port_mappings:"fd00::4"="p3:[fd00::250]"'
OPTS6='failure_count=3,interval=5,success_count=3,timeout=20'
check_output "fd00::2 8080 tcp p1 fd00::250 0a:00:00:00:fe:fe $OPTS6
fd00::4 8080 tcp p3 fd00::250 0a:00:00:00:fe:fe $OPTS6" pipeline \
    "monitors | grep fd00"
check_output offline status '"fd00::4"'
check_output "" status '"fd00::2"'
SW6='ls_in_lb 120 ct_state=+new+trk,tcp6,ipv6_dst=fd00:100::10,tp_dst=80 actions='
check_lflows sw0 <<<"${SW6}ct_lb([fd00::2]:8080);"
set_status '"fd00::2"' offline
wait_until output_is "ls_in_lb 120 tcp6,ipv6_dst=fd00:100::10,tp_dst=80 actions=reject;" \
    pipeline "sb_lflows sw0 | grep -F 'ls_in_lb 120 ' | grep -F fd00:100::10"
set_status '"fd00::2"' online
wait_until output_is "${SW6}ct_lb([fd00::2]:8080);" pipeline \
    "sb_lflows sw0 | grep -F '${SW6}'"
check_incremental_equals_full
check nbctl lb-del lb6 -- lsp-del p3

# A second load balancer with the same backend shares its row; another
# VIP of lb0 without a check is not monitored.
check nbctl lb-add lb1 172.16.0.101:80 10.0.0.2:8080 tcp \
    -- --id=@hc create Load_Balancer_Health_Check vip='"172.16.0.101:80"' \
    -- add Load_Balancer lb1 health_check @hc \
    -- set Load_Balancer lb1 ip_port_mappings:10.0.0.2=p1:10.0.0.250
check nbctl lb-add lb0 172.16.0.102:80 10.0.0.2:8080
check_output 2 pipeline "monitors | wc -l"

# The check goes from lb0: the rows lb1 still needs stay.
check nbctl clear Load_Balancer lb0 health_check
check_output "10.0.0.2 8080 tcp p1 10.0.0.250 0a:00:00:00:fe:fe failure_count=3,interval=5,success_count=3,timeout=20" monitors
check nbctl lb-del lb1
check_output "" monitors
check_incremental_equals_full
echo "PASS"
