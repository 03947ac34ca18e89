#!/bin/bash
# osmotic-northd: the flows of router load balancers (owner kind
# router-lb, one owner per router).  A router without a gateway port
# gets none; a gateway port brings them (conntrack of the VIP's packets
# in lr_in_admission, ARP for a VIP on the port's network, ct_lb in
# lr_in_lb, the backends' replies to the gateway chassis and their
# un-DNAT), for VIPs with a port or without, IPv4 or IPv6, through
# groups too; on each of a router's gateway ports; a
# VIP without backends rejects (drops with
# options:reject=false); session affinity adds lr_in_lb_aff_check's
# lookup and lr_in_lb's flows per backend; options:lb_force_snat_ip its
# SNAT and the un-SNAT of the replies.  The flows follow the
# load balancers and the ports (a MAC changed, a gateway port removed),
# and an incremental compile leaves SB as a full recompute does.
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

# lb_lflows: lr0's flows of its load balancers.
lb_lflows() {
    local all
    all=$(sb_lflows lr0) || return 1
    grep -E "^(lr_in_lb|lr_in_admission (99|84|83)|lr_in_gw_redirect 11[01]|lr_out_snat (99|98)) " <<<"$all" || true
}

check osmotic-nbctl init
check nbctl ls-add sw0 -- lsp-add sw0 p1 \
    -- lsp-set-addresses p1 "0a:00:00:00:00:02 10.0.0.2"
check nbctl lr-add lr0 \
    -- lrp-add lr0 lrp0 0a:00:00:00:ff:01 10.0.0.1/24 \
    -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lrp0 \
    -- lsp-set-addresses sw0-lr0 router
check nbctl lb-add lb0 172.16.0.100:80 10.0.0.2:8080,10.0.0.3:8080 tcp

# Without a gateway port, a router's load balancer has no flow.
check nbctl lr-lb-add lr0 lb0
check_output "router 1, router-lb 1" last_owners
check_output "" lb_lflows

# A gateway port brings them.
check nbctl lrp-add lr0 lrp1 0a:00:00:00:ee:01 172.16.0.1/24 \
    -- lrp-set-gateway-chassis lrp1 gw1 10
k=$(sb_port_key lrp1)
r=$((32768 + k))
check_output "lr_in_admission 84 reg14=$k,dl_dst=0a:00:00:00:ee:01,tcp,nw_dst=172.16.0.100,tp_dst=80 actions=ct_dnat;
lr_in_admission 99 reg14=$k,arp,arp_op=1,arp_tpa=172.16.0.100 actions=put_arp(inport, arp.spa, arp.sha); eth.dst = eth.src; eth.src = 0a:00:00:00:ee:01; arp.op = 2; arp.tha = arp.sha; arp.sha = 0a:00:00:00:ee:01; arp.tpa = arp.spa; arp.spa = 172.16.0.100; outport = inport; flags.loopback = 1; output;
lr_in_gw_redirect 111 reg15=$k,tcp,nw_src=10.0.0.2,tp_src=8080 actions=outport = $r; output;
lr_in_gw_redirect 111 reg15=$k,tcp,nw_src=10.0.0.3,tp_src=8080 actions=outport = $r; output;
lr_in_lb 0  actions=next(lr_in_ip_routing);
lr_in_lb 120 ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80 actions=ct_lb(10.0.0.2:8080, 10.0.0.3:8080);
lr_out_snat 99 reg15=$r,tcp,nw_src=10.0.0.2,tp_src=8080 actions=ct_dnat;
lr_out_snat 99 reg15=$r,tcp,nw_src=10.0.0.3,tp_src=8080 actions=ct_dnat;" \
    lb_lflows
check_incremental_equals_full

# The VIP's lr_in_lb flow is its load balancer's.
lb0=$(osmotic-nbctl get Load_Balancer lb0 _uuid) || fail "get lb0"
check_output "ct_lb(10.0.0.2:8080, 10.0.0.3:8080);" sb_select Logical_Flow \
    '["actions"]' "[[\"source\",\"==\",\"Load_Balancer:$lb0\"]]"

# A VIP without a port, one without backends (reject), an IPv6 VIP, a UDP
# VIP through a group; only what changed is rebuilt.
check nbctl lb-add lb0 172.16.0.101 10.0.0.4
check_output "router-lb 1" last_owners
check nbctl lb-add lb0 172.16.0.102:80 ""
check nbctl lb-add lb6 '[fd00::100]:80' '[fd00::2]:80' -- lr-lb-add lr0 lb6
check nbctl lb-add lbu 172.17.0.5:53 10.0.0.2:53 udp
check nbctl create Load_Balancer_Group name=g1 > /dev/null
lbu=$(osmotic-nbctl get Load_Balancer lbu _uuid) || fail "get lbu"
check nbctl add Load_Balancer_Group g1 load_balancer "$lbu"
g1=$(osmotic-nbctl get Load_Balancer_Group g1 _uuid) || fail "get g1"
check nbctl add Logical_Router lr0 load_balancer_group "$g1"
out=$(lb_lflows) || fail "lb_lflows"
for want in \
    "lr_in_admission 83 reg14=$k,dl_dst=0a:00:00:00:ee:01,ip,nw_dst=172.16.0.101 actions=ct_dnat;" \
    "lr_in_lb 110 ct_state=+new+trk,ip,nw_dst=172.16.0.101 actions=ct_lb(10.0.0.4);" \
    "lr_in_gw_redirect 110 reg15=$k,ip,nw_src=10.0.0.4 actions=outport = $r; output;" \
    "lr_out_snat 98 reg15=$r,ip,nw_src=10.0.0.4 actions=ct_dnat;" \
    "lr_in_admission 84 reg14=$k,dl_dst=0a:00:00:00:ee:01,tcp,nw_dst=172.16.0.102,tp_dst=80 actions=reject;" \
    "lr_in_admission 84 reg14=$k,dl_dst=0a:00:00:00:ee:01,udp,nw_dst=172.17.0.5,tp_dst=53 actions=ct_dnat;" \
    "lr_in_lb 120 ct_state=+new+trk,udp,nw_dst=172.17.0.5,tp_dst=53 actions=ct_lb(10.0.0.2:53);" \
    "lr_in_admission 84 reg14=$k,dl_dst=0a:00:00:00:ee:01,tcp6,ipv6_dst=fd00::100,tp_dst=80 actions=ct_dnat;" \
    "lr_in_lb 120 ct_state=+new+trk,tcp6,ipv6_dst=fd00::100,tp_dst=80 actions=ct_lb([fd00::2]:80);" \
    "lr_in_gw_redirect 111 reg15=$k,tcp6,ipv6_src=fd00::2,tp_src=80 actions=outport = $r; output;" \
    "lr_out_snat 99 reg15=$r,tcp6,ipv6_src=fd00::2,tp_src=80 actions=ct_dnat;"; do
    grep -qxF -- "$want" <<<"$out" || fail "missing flow: $want
$out"
done
# 172.17.0.5 and fd00::100 are on no network of the port: no ARP or ND
# for them.
grep -q "arp_tpa=172.17.0.5" <<<"$out" && fail "ARP for 172.17.0.5: $out"
grep -q "nd_target" <<<"$out" && fail "ND for fd00::100: $out"
check_incremental_equals_full
check nbctl set Load_Balancer lb0 options:reject=false
lb_lflows | grep -qxF "lr_in_admission 84 reg14=$k,dl_dst=0a:00:00:00:ee:01,tcp,nw_dst=172.16.0.102,tp_dst=80 actions=drop;" \
    || fail "options:reject=false does not drop: $(lb_lflows)"
check_incremental_equals_full
check nbctl remove Load_Balancer lb0 options reject

# Session affinity: lr_in_lb_aff_check looks the client's backend up,
# lr_in_lb sends it there or commits its select group's pick, and the
# VIP's ct_lb has the timeout; removed, the flows go back.
check nbctl set Load_Balancer lb0 options:affinity_timeout=30
out=$(sb_lflows lr0) || fail "sb_lflows"
for want in \
    "lr_in_lb_aff_check 0  actions=next;" \
    "lr_in_lb_aff_check 100 ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80 actions=lb_aff_check; next;" \
    "lr_in_lb 125 ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80,reg8=0x11f90/0x1ffff,reg4=0xa000003 actions=ct_lb(10.0.0.3:8080, affinity=30, proto=tcp);" \
    "lr_in_lb 122 ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80,reg8=0x20000/0xfffe0000 actions=ct_lb(10.0.0.2:8080, affinity=30, proto=tcp);" \
    "lr_in_lb 120 ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80 actions=ct_lb(10.0.0.2:8080, 10.0.0.3:8080, affinity=30, proto=tcp);" \
    "lr_in_lb_aff_check 100 ct_state=+new+trk,ip,nw_dst=172.16.0.101 actions=lb_aff_check; next;" \
    "lr_in_lb 115 ct_state=+new+trk,ip,nw_dst=172.16.0.101,reg8=0x10000/0x1ffff,reg4=0xa000004 actions=ct_lb(10.0.0.4, affinity=30);"; do
    grep -qxF -- "$want" <<<"$out" || fail "missing flow: $want
$(grep -E '^lr_in_lb' <<<"$out")"
done
check_incremental_equals_full
check nbctl remove Load_Balancer lb0 options affinity_timeout
sb_lflows lr0 | grep -q "^lr_in_lb_aff_check\|affinity=" \
    && fail "affinity flows left: $(sb_lflows lr0)"
check_incremental_equals_full

# Forced SNAT (options:lb_force_snat_ip): the VIP's packets are flagged,
# SNATed in the router's second zone out of the port toward the backends
# (router_ip: that port's address), and their replies to that address
# are sent to the gateway chassis, un-SNATed, un-DNATed and sent out the
# gateway port to the client's MAC, kept in the conntrack entry.
check nbctl set Logical_Router lr0 options:lb_force_snat_ip=router_ip
k0=$(sb_port_key lrp0)
out=$(sb_lflows lr0) || fail "sb_lflows"
for want in \
    "lr_in_admission 84 reg14=$k,dl_dst=0a:00:00:00:ee:01,tcp,nw_dst=172.16.0.100,tp_dst=80 actions=flags.force_snat_for_lb = 1; ct_dnat;" \
    "lr_in_ip_input 100 ct_state=+new+trk,reg10=0x20/0x20,ip actions=ct_commit { ct_label.ecmp_reply_eth = eth.src; }; next;" \
    "lr_out_snat 97 reg10=0x20/0x20,reg15=$k0,ip actions=ct_snat_lb(10.0.0.1);" \
    "lr_in_admission 86 reg14=$k0,tcp,nw_src=10.0.0.2,tp_src=8080,nw_dst=10.0.0.1 actions=outport = $r; output;" \
    "lr_out_snat 150 reg15=$r,tcp,nw_src=10.0.0.2,tp_src=8080,nw_dst=10.0.0.1 actions=flags.force_snat_for_lb = 1; ct_snat_lb;" \
    "lr_out_lb_undnat 100 reg10=0x20/0x20,reg15=$r,ip actions=ct_dnat;" \
    "lr_out_delivery 110 reg10=0x20/0x20,reg15=$r actions=eth.dst = ct_label.ecmp_reply_eth; eth.src = 0a:00:00:00:ee:01; outport = $k; output;"; do
    grep -qxF -- "$want" <<<"$out" || fail "missing flow: $want
$out"
done
check_incremental_equals_full
check nbctl set Logical_Router lr0 'options:lb_force_snat_ip="192.168.9.9"'
sb_lflows lr0 | grep -qxF "lr_out_snat 97 reg10=0x20/0x20,reg15=$k0,ip actions=ct_snat_lb(192.168.9.9);" \
    || fail "no SNAT to the configured address: $(sb_lflows lr0)"
sb_lflows lr0 | grep -q "ipv6 actions=ct_snat_lb" \
    && fail "IPv6 SNAT without an IPv6 address: $(sb_lflows lr0)"
check_incremental_equals_full
check nbctl remove Logical_Router lr0 options lb_force_snat_ip
sb_lflows lr0 | grep -q "force_snat_for_lb\|ct_snat_lb\|lr_out_lb_undnat" \
    && fail "forced SNAT flows left: $(sb_lflows lr0)"
check_incremental_equals_full

# A group's new member gets flows.
check nbctl lb-add lbu 172.17.0.6:53 10.0.0.3:53 udp
sb_lflows lr0 | grep -qF "nw_dst=172.17.0.6,tp_dst=53" \
    || fail "no flow for a VIP added to a group's load balancer"

# The gateway port's MAC: the flows follow (the change index).
check nbctl set Logical_Router_Port lrp1 mac='"0a:00:00:00:ee:02"'
lb_lflows | grep -q "dl_dst=0a:00:00:00:ee:02,tcp,nw_dst=172.16.0.100" \
    || fail "the VIP's flow did not follow the MAC: $(lb_lflows)"
check_incremental_equals_full

# A second gateway port: the VIPs get its flows too, each port its own
# conntrack pass, and the backends' replies routed to it go to its
# gateway chassis; forced SNAT is left out, with a warning (its replies
# would not tell which chassis SNATed them).  The port removed, its flows
# go.
check nbctl set Logical_Router lr0 options:lb_force_snat_ip=router_ip
check nbctl lrp-add lr0 lrp2 0a:00:00:00:ee:03 172.18.0.1/24 \
    -- lrp-set-gateway-chassis lrp2 gw2 10
k2=$(sb_port_key lrp2)
r2=$((32768 + k2))
out=$(lb_lflows) || fail "lb_lflows"
for want in \
    "lr_in_admission 84 reg14=$k,dl_dst=0a:00:00:00:ee:02,tcp,nw_dst=172.16.0.100,tp_dst=80 actions=ct_dnat;" \
    "lr_in_admission 84 reg14=$k2,dl_dst=0a:00:00:00:ee:03,tcp,nw_dst=172.16.0.100,tp_dst=80 actions=ct_dnat;" \
    "lr_in_gw_redirect 111 reg15=$k,tcp,nw_src=10.0.0.2,tp_src=8080 actions=outport = $r; output;" \
    "lr_in_gw_redirect 111 reg15=$k2,tcp,nw_src=10.0.0.2,tp_src=8080 actions=outport = $r2; output;" \
    "lr_out_snat 99 reg15=$r,tcp,nw_src=10.0.0.2,tp_src=8080 actions=ct_dnat;" \
    "lr_out_snat 99 reg15=$r2,tcp,nw_src=10.0.0.2,tp_src=8080 actions=ct_dnat;"; do
    grep -qxF -- "$want" <<<"$out" || fail "missing flow: $want
$out"
done
sb_lflows lr0 | grep -q "force_snat_for_lb\|ct_snat_lb" \
    && fail "forced SNAT with two gateway ports: $(sb_lflows lr0)"
grep -qF "router lr0: options:lb_force_snat_ip not applied: the router has 2 gateway ports" \
    "$TESTDIR/northd.log" || fail "northd did not warn of forced SNAT"
check_incremental_equals_full
check nbctl lrp-del lrp2
lb_lflows | grep -q "reg14=$k2,\|reg15=$r2," \
    && fail "flows of a deleted gateway port: $(lb_lflows)"
sb_lflows lr0 | grep -q "ct_snat_lb" \
    || fail "no forced SNAT with one gateway port again"
check nbctl remove Logical_Router lr0 options lb_force_snat_ip
check_incremental_equals_full

# No gateway any more: no flows.
check nbctl lrp-del-gateway-chassis lrp1 gw1
check_output "" lb_lflows
check nbctl lrp-set-gateway-chassis lrp1 gw1 10
[ -n "$(lb_lflows)" ] || fail "no flows with the gateway back"

# An HA chassis group makes lrp1 a gateway port once it has a chassis,
# and no longer when its last chassis leaves: the flows follow the
# group's row, which is not the port's.
check nbctl lrp-del-gateway-chassis lrp1 gw1
check nbctl ha-chassis-group-add hg1
check nbctl set Logical_Router_Port lrp1 ha_chassis_group="$(osmotic-nbctl \
    --bare --columns=_uuid find HA_Chassis_Group name=hg1)"
check_output "" lb_lflows
check nbctl ha-chassis-group-add-chassis hg1 gw1 10
[ -n "$(lb_lflows)" ] || fail "no flows once the port's group has a chassis"
check_incremental_equals_full
check nbctl ha-chassis-group-remove-chassis hg1 gw1
check_output "" lb_lflows
check_incremental_equals_full
check nbctl ha-chassis-group-add-chassis hg1 gw1 10

# The load balancers taken off the router: none.
check nbctl lr-lb-del lr0 -- clear Logical_Router lr0 load_balancer_group
check_output "" lb_lflows
check_incremental_equals_full
echo PASS
