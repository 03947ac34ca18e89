#!/bin/bash
# osmotic-northd: switches and ports become Datapath_Binding,
# Port_Binding, Multicast_Group and logical flows (port security, ARP
# responder, L2 lookup), follow changes, and disappear with their NB rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

check osmotic-nbctl init
check nbctl ls-add sw0 \
    -- lsp-add sw0 p1 -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1" \
    -- lsp-add sw0 p2 -- lsp-set-addresses p2 "0a:00:00:00:00:02 10.0.0.2" \
    -- lsp-set-port-security p2 "0a:00:00:00:00:02 10.0.0.2" \
    -- lsp-add sw0 p3 -- lsp-set-addresses p3 unknown

# Rows: one datapath, ports with keys in name order, both groups.
check_output "sw0 1 switch" sb_select Datapath_Binding '["name","tunnel_key","type"]'
check_output "p1 1 true 0a:00:00:00:00:01 10.0.0.1
p2 2 true 0a:00:00:00:00:02 10.0.0.2
p3 3 true unknown" sb_select Port_Binding '["logical_port","tunnel_key","enabled","mac"]'
check_output "0a:00:00:00:00:02 10.0.0.2" \
    sb_select Port_Binding '["port_security"]' '[["logical_port","==","p2"]]'
pb() { sb_select Port_Binding '["_uuid"]' "[[\"logical_port\",\"==\",\"$1\"]]"; }
p1=$(pb p1) p2=$(pb p2) p3=$(pb p3)
check_output "_MC_flood 32768 $(echo "$p1 $p2 $p3" | tr ' ' '\n' | sort | paste -sd,)
_MC_unknown 32769 $p3" sb_select Multicast_Group '["name","tunnel_key","ports"]'

# Flows of the datapath and of each port.
check_lflows <<'EOF'
ls_in_port_sec 100 dl_src=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop;
ls_in_port_sec 0  actions=next;
ls_in_port_sec 90 reg14=2,dl_src=0a:00:00:00:00:02,ip,nw_src=10.0.0.2 || reg14=2,dl_src=0a:00:00:00:00:02,arp,arp_spa=10.0.0.2,arp_sha=0a:00:00:00:00:02 || reg14=2,dl_src=0a:00:00:00:00:02,udp,nw_src=0.0.0.0,nw_dst=255.255.255.255,tp_src=68,tp_dst=67 actions=next;
ls_in_port_sec 80 reg10=0x4/0x4 actions=drop;
EOF
check_no_lflows <<'EOF'
ls_in_port_sec 80 reg14=2 actions=drop;
ls_out_port_sec 80 reg15=2 actions=drop;
EOF
check_lflows <<'EOF'
ls_in_arp_rsp 50 arp,arp_op=1,arp_tpa=10.0.0.1 actions=eth.dst = eth.src; eth.src = 0a:00:00:00:00:01; arp.op = 2; arp.tha = arp.sha; arp.sha = 0a:00:00:00:00:01; arp.tpa = arp.spa; arp.spa = 10.0.0.1; outport = inport; flags.loopback = 1; output;
ls_in_arp_rsp 60 reg14=1,arp,arp_op=1,arp_tpa=10.0.0.1 || reg14=2,arp,arp_op=1,arp_tpa=10.0.0.2 actions=next;
ls_in_arp_rsp 0  actions=next;
ls_in_l2_lkup 70 dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=outport = 32768; output;
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:01 actions=outport = 1; output;
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:02 actions=outport = 2; output;
ls_in_l2_lkup 0  actions=outport = 32769; output;
ls_out_port_sec 90 reg15=2,arp || reg15=2,ip,nw_dst=10.0.0.2 || reg15=2,ip,nw_dst=255.255.255.255 || reg15=2,ip,nw_dst=224.0.0.0/4 actions=output;
ls_out_port_sec 80 reg10=0x8/0x8 actions=drop;
ls_out_port_sec 0  actions=output;
EOF

# Every flow carries its NB origin, and its match parses as OpenFlow (one
# OpenFlow flow per alternative, as the controller installs them; the
# actions are checked by test-northd-logical-actions).  Flows whose actions name a
# port belong to the port; the flows its bucket of ports shares belong to
# the switch; the datapath-wide flows, the same in every switch, name only
# the table (each switch of their datapath group produces them).
ls_uuid=$(osmotic-nbctl get Logical_Switch sw0 _uuid)
p1_nb=$(osmotic-nbctl get Logical_Switch_Port p1 _uuid)
[ "$(sb_select Logical_Flow '["source"]' '[["priority","==",90],["table_id","==",0],["pipeline","==","ingress"]]')" = \
  "Logical_Switch:$ls_uuid" ] || fail "wrong source for the bucket's flow"
[ "$(sb_select Logical_Flow '["source"]' '[["match","==","dl_dst=0a:00:00:00:00:01"]]')" = \
  "Logical_Switch_Port:$p1_nb" ] || fail "wrong source for p1's L2 lookup"
[ "$(sb_select Logical_Flow '["source"]' '[["match","==","reg10=0x4/0x4"]]')" = \
  "Logical_Switch" ] || fail "wrong source for the port security drop"
[ "$(sb_select Logical_Flow '["source"]' '[["priority","==",70]]')" = \
  "Logical_Switch" ] || fail "wrong source for the flood flow"
sb_lflows | python3 -c '
import sys
for line in sys.stdin:
    stage, prio, rest = line.rstrip("\n").split(" ", 2)
    match, actions = rest.rsplit(" actions=", 1)
    for alt in match.split(" || "):
        print("priority=%s%s,actions=drop" % (prio, "," + alt if alt else ""))
' > "$TESTDIR/flows.txt"
check ovs-ofctl parse-flows "$TESTDIR/flows.txt" > /dev/null

# A switch without addresses or port security uses no ARP responder and
# no egress stage: those stages get no flows at all.
check nbctl ls-add sw1 -- lsp-add sw1 q1
flows=$(sb_lflows sw1) || fail "sb_lflows"
! echo "$flows" | grep -qE '^(ls_in_arp_rsp|ls_out_port_sec) ' \
    || fail "unused stage has flows: $flows"
[ "$(echo "$flows" | wc -l)" = 4 ] || fail "sw1 should have 4 flows: $flows"
check_output "2" sb_dp_key sw1
check_output "1" sb_port_key q1

# Disabling a port drops its traffic both ways, takes it out of the
# flood group and out of L2 lookup.
check nbctl lsp-set-enabled p1 disabled
check_lflows <<'EOF'
ls_in_port_sec 100 reg14=1 actions=drop;
ls_out_port_sec 100 reg15=1 actions=drop;
EOF
check_no_lflows <<'EOF'
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:01 actions=outport = 1; output;
EOF
check_output false sb_select Port_Binding '["enabled"]' '[["logical_port","==","p1"]]'
check_output "$(echo "$p2 $p3" | tr ' ' '\n' | sort | paste -sd,)" \
    sb_select Multicast_Group '["ports"]' '[["name","==","_MC_flood"],["tunnel_key","==",32768],["datapath","==",["uuid","'"$(sb_select Datapath_Binding '["_uuid"]' '[["name","==","sw0"]]')"'"]]]'
check nbctl lsp-set-enabled p1 enabled
check_lflows <<'EOF'
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:01 actions=outport = 1; output;
EOF

# Changing addresses replaces the port's flows.
check nbctl lsp-set-addresses p1 "0a:00:00:00:00:11 10.0.0.11"
check_lflows <<'EOF'
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:11 actions=outport = 1; output;
EOF
check_lflows <<'EOF'
ls_in_arp_rsp 60 reg14=1,arp,arp_op=1,arp_tpa=10.0.0.11 || reg14=2,arp,arp_op=1,arp_tpa=10.0.0.2 actions=next;
EOF
check_no_lflows <<'EOF'
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:00:01 actions=outport = 1; output;
EOF

# Without an "unknown" port, unknown unicast is dropped and the group
# goes away.
check nbctl lsp-del p3
check_lflows sw0 <<'EOF'
ls_in_l2_lkup 0  actions=drop;
EOF
check_output "" sb_select Multicast_Group '["name"]' '[["name","==","_MC_unknown"]]'
check_output "" sb_port_key p3

# A new port gets the lowest free key; keys of others do not move.
check nbctl lsp-add sw0 p4
check_output 3 sb_port_key p4
check_output 2 sb_port_key p2

# Egress port security checks the destination MAC when the port's
# addresses list a MAC that port security does not: L2 lookup sends that
# MAC's unicast to the port too.
check nbctl lsp-add sw1 q2 \
    -- lsp-set-addresses q2 "0a:00:00:00:01:02 10.1.0.2" \
                            "0a:00:00:00:01:22 10.1.0.22" \
    -- lsp-set-port-security q2 "0a:00:00:00:01:02 10.1.0.2"
check_output 2 sb_port_key q2
m=0a:00:00:00:01:02 mc=01:00:00:00:00:00/01:00:00:00:00:00
check_lflows sw1 <<EOF
ls_out_port_sec 90 reg15=2,dl_dst=$m,arp || reg15=2,dl_dst=$m,ip,nw_dst=10.1.0.2 || reg15=2,dl_dst=$m,ip,nw_dst=255.255.255.255 || reg15=2,dl_dst=$m,ip,nw_dst=224.0.0.0/4 || reg15=2,dl_dst=$mc,arp || reg15=2,dl_dst=$mc,ip,nw_dst=10.1.0.2 || reg15=2,dl_dst=$mc,ip,nw_dst=255.255.255.255 || reg15=2,dl_dst=$mc,ip,nw_dst=224.0.0.0/4 actions=output;
EOF
check nbctl lsp-del q2

# Deleting a switch removes everything of it, and only that (its rows
# are looked up by the UUID it had: once deleted, its name leads
# nowhere).
sw0_dp=$(sb_dp_uuid sw0)
rows=$(sb_dp_rows "$sw0_dp") || fail "sb_dp_rows"
[ "${rows%% *}" -gt 0 ] || fail "sw0 should have flows: [$rows]"
check nbctl ls-del sw0
check_output "sw1" sb_select Datapath_Binding '["name"]'
check_output "q1" sb_select Port_Binding '["logical_port"]'
check_output "0 0 0 0" sb_dp_rows "$sw0_dp"
# Every flow left is sw1's.
check_output "$(sb_lflows sw1 | wc -l)" pipeline "sb_lflows | wc -l"
n=$(sb_lflows | wc -l)
check_output "$n" northd_count northd "logical flows"
northd_ctl northd memory/show | grep -q "lflows:$n " \
    || fail "memory/show: $(northd_ctl northd memory/show)"
check_output "_MC_flood" sb_select Multicast_Group '["name"]'
check nbctl ls-del sw1
check_output "" sb_select Logical_Flow '["_uuid"]'
check_output "" sb_select Port_Binding '["_uuid"]'
check_output "" sb_select Multicast_Group '["_uuid"]'
check_output "" sb_select Datapath_Binding '["_uuid"]'
check_output active northd_state northd
