#!/bin/bash
# osmotic-northd: routing policies.  On a router with policies, each
# policy's match finds its candidates in lr_in_ip_routing (a policy that
# matches the outport makes every IP packet one), every route has a twin
# for candidates that goes on to lr_in_policy, and lr_in_policy holds
# the policies at their priorities: allow, drop, reroute to one next hop
# or, with several, a select group and lr_in_policy_ecmp.  Other packets
# are routed as without policies (a known host in one lookup).  The
# flows follow a policy's change, the rename of a router port its match
# names, and the policies' deletion; a next hop that no port reaches
# leaves its policy without flows, and northd says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

check osmotic-nbctl init
check nbctl ls-add sw0 -- lsp-add sw0 p1 \
    -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.2"
check nbctl lr-add lr0 \
    -- lrp-add lr0 lrp0 0a:00:00:00:ff:01 10.0.0.1/24 \
    -- lrp-add lr0 lrp9 0a:00:00:00:ff:09 10.9.0.1/24 \
    -- lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lrp0 \
    -- lsp-set-addresses sw0-lr0 router \
    -- lr-route-add lr0 0.0.0.0/0 10.9.0.254

# Without policies: no candidates, no lr_in_policy.
check_no_lflows lr0 <<'EOF2'
lr_in_policy 0  actions=next(lr_in_arp_resolve);
EOF2
check_lflows lr0 <<'EOF2'
lr_in_ip_routing 4 ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg0 = 0xa0900fe; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next;
EOF2

check nbctl \
    -- lr-policy-add lr0 100 "ip4.src == 10.0.0.2 && ip4.dst == 10.1.0.2" drop \
    -- lr-policy-add lr0 200 "ip4.src == 10.0.0.2 && ip4.dst == 10.1.0.2 && icmp4" allow \
    -- lr-policy-add lr0 50 'inport == "lrp0" && ip4.dst == 10.1.0.3' reroute 10.9.0.2 \
    -- lr-policy-add lr0 40 'inport == "lrp0" && ip4.dst == 10.1.0.4' reroute 10.9.0.2,10.9.0.3 \
    -- lr-policy-add lr0 30 'outport == "lrp9" && tcp' allow
check_lflows lr0 <<'EOF2'
lr_in_ip_routing 2200 reg6=0,icmp,nw_src=10.0.0.2,nw_dst=10.1.0.2 actions=reg6 = 1; next(lr_in_ip_routing);
lr_in_ip_routing 2100 reg6=0,ip,nw_src=10.0.0.2,nw_dst=10.1.0.2 actions=reg6 = 1; next(lr_in_ip_routing);
lr_in_ip_routing 2050 reg6=0,ip,reg14=0x1,nw_dst=10.1.0.3 actions=reg6 = 1; next(lr_in_ip_routing);
lr_in_ip_routing 2040 reg6=0,ip,reg14=0x1,nw_dst=10.1.0.4 actions=reg6 = 1; next(lr_in_ip_routing);
lr_in_ip_routing 2030 reg6=0,ip || reg6=0,ipv6 actions=reg6 = 1; next(lr_in_ip_routing);
lr_in_ip_routing 1101 reg6=0x1,ip,nw_dst=10.0.0.0/24 actions=ip.ttl--; reg0 = ip4.dst; eth.src = 0a:00:00:00:ff:01; outport = 1; flags.loopback = 1; next(lr_in_policy);
lr_in_ip_routing 1004 reg6=0x1,ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg0 = 0xa0900fe; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next(lr_in_policy);
lr_in_ip_routing 133 ip,nw_dst=10.0.0.2 actions=ip.ttl--; eth.src = 0a:00:00:00:ff:01; eth.dst = 0a:00:00:00:00:01; outport = 1; flags.loopback = 1; output;
lr_in_ip_routing 4 ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg0 = 0xa0900fe; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next(lr_in_arp_resolve);
lr_in_policy 200 icmp,nw_src=10.0.0.2,nw_dst=10.1.0.2 actions=next(lr_in_arp_resolve);
lr_in_policy 100 ip,nw_src=10.0.0.2,nw_dst=10.1.0.2 actions=drop;
lr_in_policy 50 ip,reg14=0x1,nw_dst=10.1.0.3 actions=reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next(lr_in_arp_resolve);
lr_in_policy 40 ip,reg14=0x1,nw_dst=10.1.0.4 actions=reg1 = select(65537, 65538);
lr_in_policy 30 tcp,reg15=0x2 || tcp6,reg15=0x2 actions=next(lr_in_arp_resolve);
lr_in_policy 0  actions=next(lr_in_arp_resolve);
lr_in_policy_ecmp 100 reg1=0x10001 actions=reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next;
lr_in_policy_ecmp 100 reg1=0x10002 actions=reg0 = 0xa090003; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next;
EOF2
# The policies' flows name their policy as source.
uuid=$(osmotic-nbctl --bare --columns=_uuid find Logical_Router_Policy \
           priority=100)
check_output "lr_in_ip_routing
lr_in_policy" sb_select Logical_Flow '["stage"]' \
    "[[\"source\",\"==\",\"Logical_Router_Policy:$uuid\"]]"

# A policy's change, and the rename of the port its match names.
check nbctl set Logical_Router_Policy "$uuid" \
    'match="ip4.src == 10.0.0.2 && ip4.dst == 10.1.0.9"'
check_lflows lr0 <<'EOF2'
lr_in_policy 100 ip,nw_src=10.0.0.2,nw_dst=10.1.0.9 actions=drop;
EOF2
check_no_lflows lr0 <<'EOF2'
lr_in_policy 100 ip,nw_src=10.0.0.2,nw_dst=10.1.0.2 actions=drop;
EOF2
check nbctl set Logical_Router_Port lrp0 name=lrpx
check_no_lflows lr0 <<'EOF2'
lr_in_policy 50 ip,reg14=0x1,nw_dst=10.1.0.3 actions=reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next(lr_in_arp_resolve);
EOF2
check nbctl set Logical_Router_Port lrpx name=lrp0
check_lflows lr0 <<'EOF2'
lr_in_policy 50 ip,reg14=0x1,nw_dst=10.1.0.3 actions=reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next(lr_in_arp_resolve);
EOF2

# A next hop that no router port reaches: no flow, and a warning.
check nbctl lr-policy-add lr0 60 "ip4.dst == 10.1.0.5" reroute 10.7.0.1
check_no_lflows lr0 <<'EOF2'
lr_in_ip_routing 2060 reg6=0,ip,nw_dst=10.1.0.5 actions=reg6 = 1; next(lr_in_ip_routing);
EOF2
grep -q 'routing policy "ip4.dst == 10.1.0.5": no port of router lr0 reaches next hop 10.7.0.1' \
    "$TESTDIR/northd.log" || fail "no warning about the next hop"

# Without policies again: no candidate, no twin, no lr_in_policy.
check nbctl lr-policy-del lr0
check_output 0 pipeline "sb_lflows lr0 | grep -cE 'reg6|lr_in_policy' || true"
check_lflows lr0 <<'EOF2'
lr_in_ip_routing 4 ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg0 = 0xa0900fe; eth.src = 0a:00:00:00:ff:09; outport = 2; flags.loopback = 1; next;
EOF2
echo PASS
