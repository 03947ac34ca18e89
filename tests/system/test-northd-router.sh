#!/bin/bash
# osmotic-northd: logical routers become "router" Datapath_Bindings and
# their ports "patch" Port_Bindings whose options:peer names the other end,
# with stable tunnel keys (kept across a restart, lowest free for new
# ones) in the key space switches use; each router's flows are its own
# owner's (the test-routing-* tests check them with traffic).  A switch
# port of type "router" is the other end: its "router" address stands for
# the router port's MAC and networks, and its flows follow the router
# port (the change index), rebuilding that port's flows and the router's
# only.  A router port's neighbours (the next-hop MACs it knows) are an
# owner of their own: a port added, changed or deleted on a switch
# rebuilds the neighbours of the router port on that switch, never the
# router's own flows, and a route rebuilds the router's flows only.  A
# router port whose HA chassis group gains its first chassis becomes a
# gateway port without a change of its own row.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

# last_owners: the owners the last compile built, per kind.
last_owners() {
    northd_count northd "last compile owners"
}

check osmotic-nbctl init
check nbctl ls-add sw0 -- lsp-add sw0 p1 \
    -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.2"
check nbctl lr-add lr0 \
    -- lrp-add lr0 lrp0 0a:00:00:00:ff:01 10.0.0.1/24 fd00::1/64 \
    -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lrp0 \
    -- lsp-set-addresses sw0-lr0 router
check nbctl lr-add lr1 \
    -- lrp-add lr1 lrp1a 0a:00:00:00:ff:11 10.1.0.1/24 peer=lrp2a \
    -- lrp-add lr1 lrp1b 0a:00:00:00:ff:12 10.2.0.1/24 \
    -- lr-add lr2 \
    -- lrp-add lr2 lrp2a 0a:00:00:00:ff:21 10.1.0.2/24 peer=lrp1a

# Datapaths of both kinds share one key space; router ports have keys
# of their own router, in name order.
check_output "lr0 2 router
lr1 3 router
lr2 4 router
sw0 1 switch" sb_select Datapath_Binding '["name","tunnel_key","type"]'
check_output "lrp0 1 patch 0a:00:00:00:ff:01 10.0.0.1/24 fd00::1/64 peer=sw0-lr0
lrp1a 1 patch 0a:00:00:00:ff:11 10.1.0.1/24 peer=lrp2a
lrp1b 2 patch 0a:00:00:00:ff:12 10.2.0.1/24 
lrp2a 1 patch 0a:00:00:00:ff:21 10.1.0.2/24 peer=lrp1a
p1 1  0a:00:00:00:00:01 10.0.0.2 
sw0-lr0 2 patch router peer=lrp0,router-port=lrp0" \
    sb_select Port_Binding '["logical_port","tunnel_key","type","mac","options"]'
lr0_dp=$(sb_select Datapath_Binding '["_uuid"]' '[["name","==","lr0"]]')
check_output "$lr0_dp" sb_select Port_Binding '["datapath"]' \
    '[["logical_port","==","lrp0"]]'
check_output "routers: 3" pipeline "ovs-appctl -t '$TESTDIR/northd.ctl' \
    northd/counts | grep -o 'routers: .*'"

# Each router has its own flows: ARP replies for its addresses, a route
# to each connected network, and the MACs of the hosts it knows (p1 on
# sw0, the peer router port).  No datapath group has a router.
check_lflows lr0 <<EOF
lr_in_admission 100 reg14=1,arp,arp_op=1,arp_tpa=10.0.0.1 actions=eth.dst = eth.src; eth.src = 0a:00:00:00:ff:01; arp.op = 2; arp.tha = arp.sha; arp.sha = 0a:00:00:00:ff:01; arp.tpa = arp.spa; arp.spa = 10.0.0.1; outport = inport; flags.loopback = 1; output;
lr_in_ip_routing 101 ip,nw_dst=10.0.0.0/24 actions=ip.ttl--; reg0 = ip4.dst; eth.src = 0a:00:00:00:ff:01; outport = 1; flags.loopback = 1; next;
lr_in_arp_resolve 100 reg15=1,ip,reg0=0xa000002 actions=eth.dst = 0a:00:00:00:00:01; output;
EOF
check_lflows lr1 <<EOF
lr_in_arp_resolve 100 reg15=1,ip,reg0=0xa010002 actions=eth.dst = 0a:00:00:00:ff:21; output;
EOF
for lr in lr0 lr1 lr2; do
    dp=$(sb_select Datapath_Binding '["_uuid"]' "[[\"name\",\"==\",\"$lr\"]]")
    sb_select Logical_DP_Group '["datapaths"]' | grep -q "$dp" \
        && fail "a datapath group has router $lr"
done
# Router datapaths have no multicast groups.
sw0_dp=$(sb_select Datapath_Binding '["_uuid"]' '[["name","==","sw0"]]')
check_output "_MC_flood $sw0_dp" sb_select Multicast_Group '["name","datapath"]'

# The switch side of lrp0: L2 lookup of the router's MAC, ARP and ND
# replies for its addresses, all owned by the switch port.
k=$(sb_port_key sw0-lr0)
check_lflows sw0 <<EOF
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:ff:01 actions=outport = $k; output;
ls_in_arp_rsp 50 arp,arp_op=1,arp_tpa=10.0.0.1 actions=eth.dst = eth.src; eth.src = 0a:00:00:00:ff:01; arp.op = 2; arp.tha = arp.sha; arp.sha = 0a:00:00:00:ff:01; arp.tpa = arp.spa; arp.spa = 10.0.0.1; outport = inport; flags.loopback = 1; output;
ls_in_arp_rsp 50 icmp6,icmpv6_type=135,icmpv6_code=0,nd_target=fd00::1 actions=eth.dst = eth.src; eth.src = 0a:00:00:00:ff:01; ip6.dst = ip6.src; ip6.src = fd00::1; nd.reserved = 0x60000000; nd.options_type = 2; icmp6.type = 136; outport = inport; flags.loopback = 1; next(ls_in_arp_rsp);
EOF
lsp_uuid=$(osmotic-nbctl get Logical_Switch_Port sw0-lr0 _uuid)
n=$(sb_select Logical_Flow '["_uuid"]' \
        "[[\"source\",\"==\",\"Logical_Switch_Port:$lsp_uuid\"]]" | wc -l)
[ "$n" = 3 ] || fail "sw0-lr0 owns $n flows, not 3"

# A port added on a switch behind a router rebuilds the switch's owners
# of the port and of its bucket, and the neighbours of the router port on
# that switch (lrp0, whose next hop it is), not the router's own flows.
# The "up" that northd then gives the port (a column only northd
# writes), which the NB reports as a change of the switch too, rebuilds
# nothing.  lr0 knows the new port's MAC: its next hop is resolved, and
# a host route reaches it in one lookup.
check nbctl lsp-add sw0 p2 -- lsp-set-addresses p2 "0a:00:00:00:00:02 10.0.0.3"
wait_until output_is false osmotic-nbctl get Logical_Switch_Port p2 up
check nbctl sync
check_output "switch-bucket 1, switch-port 1, router-neighbours 1" last_owners
check_lflows lr0 <<EOF
lr_in_arp_resolve 100 reg15=1,ip,reg0=0xa000003 actions=eth.dst = 0a:00:00:00:00:02; output;
lr_in_ip_routing 133 ip,nw_dst=10.0.0.3 actions=ip.ttl--; eth.src = 0a:00:00:00:ff:01; eth.dst = 0a:00:00:00:00:02; outport = 1; flags.loopback = 1; output;
EOF
# Those flows are the router port's (source Logical_Router_Port): p1's
# and p2's (resolution and host route each), and ARP and ND for the
# others.
lrp0_uuid=$(osmotic-nbctl get Logical_Router_Port lrp0 _uuid)
n=$(sb_select Logical_Flow '["_uuid"]' \
        "[[\"source\",\"==\",\"Logical_Router_Port:$lrp0_uuid\"]]" | wc -l)
[ "$n" = 6 ] || fail "lrp0's neighbours are $n flows, not 6"
# So does a change of the port's addresses, and its deletion.
check nbctl lsp-set-addresses p2 "0a:00:00:00:00:03 10.0.0.3"
check_output "switch-bucket 1, switch-port 1, router-neighbours 1" last_owners
check_lflows lr0 <<EOF
lr_in_arp_resolve 100 reg15=1,ip,reg0=0xa000003 actions=eth.dst = 0a:00:00:00:00:03; output;
EOF
check nbctl lsp-del p2
check_output "switch-bucket 1, switch-port 1, router-neighbours 1" last_owners
check_no_lflows lr0 <<EOF
lr_in_arp_resolve 100 reg15=1,ip,reg0=0xa000003 actions=eth.dst = 0a:00:00:00:00:03; output;
EOF
# A route rebuilds the router's own flows, not its ports' neighbours
# (and its load balancers' flows, as any change of the router's row: a
# router without load balancers has none).
check nbctl lr-route-add lr0 10.9.0.0/16 10.0.0.2
check_output "router 1, router-lb 1" last_owners
check nbctl lr-route-del lr0 10.9.0.0/16

# A change of the router port rebuilds that switch port's flows, its
# router's and its neighbours, and no other owner's.
check nbctl set Logical_Router_Port lrp0 mac='"0a:00:00:00:ff:02"'
check_output "switch-port 1, router 1, router-neighbours 1" last_owners
check_lflows sw0 <<EOF
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:ff:02 actions=outport = $k; output;
EOF
check_output "0a:00:00:00:ff:02 10.0.0.1/24 fd00::1/64" \
    sb_select Port_Binding '["mac"]' '[["logical_port","==","lrp0"]]'

# Renamed, the router port is no longer the one the switch port names:
# its flows go, and the Port_Bindings' peers follow.  Named so again, it
# is found by its name.
check nbctl set Logical_Router_Port lrp0 name=lrpx
check_no_lflows sw0 <<EOF
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:ff:02 actions=outport = $k; output;
EOF
check_output "" sb_select Port_Binding '["options"]' '[["logical_port","==","lrpx"]]'
check nbctl set Logical_Router_Port lrpx name=lrp0
check_lflows sw0 <<EOF
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:ff:02 actions=outport = $k; output;
EOF
check_output "peer=sw0-lr0" sb_select Port_Binding '["options"]' \
    '[["logical_port","==","lrp0"]]'

# Pointing the switch port at another router port moves the peer.
check nbctl lsp-set-options sw0-lr0 router-port=lrp1b
check_output "" sb_select Port_Binding '["options"]' '[["logical_port","==","lrp0"]]'
check_output "peer=sw0-lr0" sb_select Port_Binding '["options"]' \
    '[["logical_port","==","lrp1b"]]'
check_lflows sw0 <<EOF
ls_in_l2_lkup 50 dl_dst=0a:00:00:00:ff:12 actions=outport = $k; output;
EOF
check nbctl lsp-set-options sw0-lr0 router-port=lrp0

# Overlapping networks: a next hop in both lrp1b's 10.2.0.0/24 and
# lrp1w's 10.2.0.0/16 leaves by lrp1b, the longest prefix, also after
# lrp1b is deleted and added again (an incremental update then learns it
# after lrp1w; the full recompute below must agree).
check nbctl lrp-add lr1 lrp1w 0a:00:00:00:ff:13 10.2.9.1/16 \
    -- lr-route-add lr1 10.9.0.0/16 10.2.0.9
check nbctl lrp-del lrp1b
check nbctl lrp-add lr1 lrp1b 0a:00:00:00:ff:12 10.2.0.1/24
kb=$(sb_port_key lrp1b)
check_output "outport = $kb;" pipeline "sb_lflows lr1 \
    | grep '^lr_in_ip_routing .*nw_dst=10.9.0.0/16 ' \
    | grep -o 'outport = [0-9]*;'"

# An HA chassis group makes lrp1w a gateway port once it has a chassis:
# the router's flows follow the group (a row other than the port's), and
# Port_Binding:gateway_chassis lists the group's chassis, ranked 1 to n
# in the order of preference.
n_redirects() {
    sb_lflows lr1 | grep -c '^lr_in_gw_redirect ' || true
}
check nbctl ha-chassis-group-add hg1
check nbctl set Logical_Router_Port lrp1w ha_chassis_group="$(osmotic-nbctl \
    --bare --columns=_uuid find HA_Chassis_Group name=hg1)"
check_output 0 n_redirects
check nbctl ha-chassis-group-add-chassis hg1 gw1 10
[ "$(n_redirects)" -gt 0 ] || fail "no gateway redirect for lrp1w"
check_output "1=gw1" sb_select Port_Binding '["gateway_chassis"]' \
    '[["logical_port","==","lrp1w"]]'
check nbctl ha-chassis-group-add-chassis hg1 gw2 20
check_output "1=gw1,2=gw2" sb_select Port_Binding '["gateway_chassis"]' \
    '[["logical_port","==","lrp1w"]]'
# Chassis of equal priority are all kept: of gw2 and gw3 at 20, gw3 (the
# name that sorts last, as ovn-controller orders them) comes first.
check nbctl ha-chassis-group-add-chassis hg1 gw3 20
check_output "1=gw1,2=gw2,3=gw3" sb_select Port_Binding \
    '["gateway_chassis"]' '[["logical_port","==","lrp1w"]]'
check nbctl ha-chassis-group-set-chassis-prio hg1 gw1 20
check_output "1=gw1,2=gw2,3=gw3" sb_select Port_Binding \
    '["gateway_chassis"]' '[["logical_port","==","lrp1w"]]'
check nbctl ha-chassis-group-set-chassis-prio hg1 gw3 5
check_output "1=gw3,2=gw1,3=gw2" sb_select Port_Binding \
    '["gateway_chassis"]' '[["logical_port","==","lrp1w"]]'
# The same for a port's own Gateway_Chassis rows.
check nbctl lrp-set-gateway-chassis lrp1b gwa 7 \
    -- lrp-set-gateway-chassis lrp1b gwb 7
check_output "1=gwa,2=gwb" sb_select Port_Binding '["gateway_chassis"]' \
    '[["logical_port","==","lrp1b"]]'

# A colour's own gateways are a ramp-out of every router with a gateway
# port (lr1, not lr0), numbered with the router's rules by name, below
# every rule in lr_in_rampout; a colour that gains gateways later is
# compiled into the router too.
check nbctl lrp-set-gateway-chassis lrp1b gw1 10 \
    -- rampout-add lr1 r1 10.1.0.0/24 gw1 \
    -- color-add gold rampout=gw2,gw1 snat-ip=10.2.0.50 \
    -- color-add silver
check_output "lr1/color:gold
lr1/r1" pipeline "osmotic-sbctl --bare --columns=name list Rampout | grep . | sort"
check_output '1=gw1 2=gw2 10.2.0.50 -1' pipeline "osmotic-sbctl \
    --bare --columns=gateway_chassis,snat_ip,priority find Rampout \
    'name=\"lr1/color:gold\"' | grep . | tr '\n' ' ' | sed 's/ $//'"
check_lflows lr1 <<'EOF'
lr_in_rampout 2 ip,nw_src=10.1.0.0/24 actions=reg7 = 2; next;
lr_in_rampout 1 ip,reg9=3/0xff || ipv6,reg9=3/0xff actions=reg7 = 1; next;
EOF
check nbctl color-set silver rampout=gw3
check_lflows lr1 <<'EOF'
lr_in_rampout 2 ip,nw_src=10.1.0.0/24 actions=reg7 = 3; next;
lr_in_rampout 1 ip,reg9=4/0xff || ipv6,reg9=4/0xff actions=reg7 = 2; next;
EOF
check_output "" pipeline "osmotic-sbctl --bare --columns=name find Rampout \
    'name=\"lr0/color:gold\"'"
# A disabled port is a gateway port too as far as colours' gateways go
# (the rules' numbers must not depend on a port's state): when its HA
# chassis group gains its first chassis, the colours' gateways become
# ramp-outs of its router and the router's rule is renumbered after them
# in its flows as in SB.
check nbctl ha-chassis-group-add hg4 \
    -- lr-add lr4 -- lrp-add lr4 lrp4w 0a:00:00:00:ff:41 10.4.0.1/24 \
    -- lrp-set-enabled lrp4w disabled \
    -- rampout-add lr4 r1 10.4.0.0/24 gw1
check nbctl -- --id=@g get HA_Chassis_Group hg4 \
    -- set Logical_Router_Port lrp4w ha_chassis_group=@g
check_lflows lr4 <<'EOF'
lr_in_rampout 2 ip,nw_src=10.4.0.0/24 actions=reg7 = 1; next;
EOF
check nbctl ha-chassis-group-add-chassis hg4 gw1 10
check_output "lr4/color:gold
lr4/color:silver
lr4/r1" pipeline "osmotic-sbctl --bare --columns=name list Rampout \
    | grep '^lr4/' | sort"
check_lflows lr4 <<'EOF'
lr_in_rampout 2 ip,nw_src=10.4.0.0/24 actions=reg7 = 3; next;
EOF

# A full recompute agrees with all of that.
sb_dump > "$TESTDIR/incremental"
check northd_ctl northd northd/recompute
check osmotic-nbctl --wait=sb sync
sb_dump > "$TESTDIR/full"
diff -u "$TESTDIR/incremental" "$TESTDIR/full" \
    || fail "full recompute differs from incremental result"

# A new router gets the lowest free datapath key; a new router port the
# lowest free key of its router.
check nbctl lr-del lr1 -- lrp-del lrp2a -- lr-del lr4
check nbctl ha-chassis-group-del hg4
check nbctl lr-add lr3 -- lrp-add lr2 lrp2c 0a:00:00:00:ff:23 10.3.0.1/24
check_output "lr0 2
lr2 4
lr3 3
sw0 1" sb_select Datapath_Binding '["name","tunnel_key"]'
check_output 1 sb_port_key lrp2c

# Keys and rows survive a restart, which writes nothing.
osm_kill_pidfile "$TESTDIR/northd.pid"
ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/before"
osm_start_northd northd
wait_until output_is "1 full, 0 incremental" northd_count northd compiles
sleep 0.5
ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound > "$TESTDIR/after"
diff -u "$TESTDIR/before" "$TESTDIR/after" || fail "restart changed SB"
check_output 0 northd_count northd "sb transactions"

# Deleting the routers leaves the switch and its own flows.
check nbctl lr-del lr0 -- lr-del lr2 -- lr-del lr3 -- lsp-del sw0-lr0
check_output "sw0" sb_select Datapath_Binding '["name"]'
check_output "p1" sb_select Port_Binding '["logical_port"]'
check_output active northd_state northd
