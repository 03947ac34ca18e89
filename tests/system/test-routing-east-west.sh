#!/bin/bash
# Distributed routing: pods on two switches behind one router reach each
# other on the same host and on different hosts (ICMP, TCP); the router
# answers ARP and pings to its own addresses, decrements the TTL once
# (a packet sent with TTL 1 is not routed; with TTL 9 it arrives with
# TTL 8), reaches a pod added once the router exists without asking for
# its MAC, and routes by static route through a second router.  The
# table budget: a routed TCP SYN to a pod on another host crosses at
# most 20 br-int tables on the sending host (ofproto/trace).
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
check osmotic-nbctl lrp-add lr0 lr0-sw2 0a:00:00:00:ff:02 10.10.2.1/24
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
osm_lsp_add sw1 lp2 0a:00:00:00:01:02 10.10.1.11
osm_lsp_add sw2 lp3 0a:00:00:00:02:01 10.10.2.10
osm_lsp_add sw2 lp4 0a:00:00:00:02:02 10.10.2.11
for sw in sw1 sw2; do
    check osmotic-nbctl lsp-add $sw $sw-lr0 \
        -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done

osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:01:02 10.10.1.11/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:02:01 10.10.2.10/24 lp3
osm_add_pod hv2 p4 0a:00:00:00:02:02 10.10.2.11/24 lp4
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_pod_exec p2 ip route add default via 10.10.1.1
osm_pod_exec p3 ip route add default via 10.10.2.1
osm_pod_exec p4 ip route add default via 10.10.2.1
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# The router's own addresses answer, from both sides.
wait_until osm_ping p1 10.10.1.1
check_ping p4 10.10.2.1
check_ping p1 10.10.2.1

# Routed on the same host (p1 -> p3 on hv1) and across hosts, both ways.
check_ping p1 10.10.2.10
check_ping p1 10.10.2.11
check_ping p4 10.10.1.10
check_ping p2 10.10.2.10
check_tcp_transfer p1 p4 10.10.2.11
check_tcp_transfer p4 p2 10.10.1.11

# The table budget of a routed packet, on the sending host.
ofport=$(osm_host_vsctl hv1 get interface v-p1 ofport)
osm_host_appctl hv1 ofproto/trace br-int "in_port=$ofport,tcp,\
dl_src=0a:00:00:00:01:01,dl_dst=0a:00:00:00:ff:01,nw_src=10.10.1.10,\
nw_dst=10.10.2.11,nw_ttl=64,tp_src=40000,tp_dst=80,tcp_flags=0x002" \
    > "$TESTDIR/trace" 2>&1 || fail "ofproto/trace: $(cat "$TESTDIR/trace")"
grep -q "tnl_push" "$TESTDIR/trace" \
    || fail "the SYN did not reach the tunnel: $(cat "$TESTDIR/trace")"
read -r lookups tables < <(count_trace_lookups < "$TESTDIR/trace")
echo "routed packet: br-int lookups on the sending host: $lookups" \
     "($tables tables)"
[ "$lookups" -ge 10 ] || fail "only $lookups lookups counted:" \
                              "$(cat "$TESTDIR/trace")"
[ "$lookups" -le 20 ] || fail "$lookups lookups: over the budget of 20:" \
                              "$(cat "$TESTDIR/trace")"

# TTL: one hop.  TTL 1 is not routed; TTL 2 arrives (and the reply, sent
# with the receiver's default TTL, comes back).
check_no_ping p1 10.10.2.11 -t 1
check_ping p1 10.10.2.11 -t 2
ttl=$(osm_pod_exec p4 timeout 5 tcpdump -c 1 -n -v -i eth0 \
          icmp and src 10.10.1.10 2>/dev/null &
      sleep 1; osm_pod_exec p1 ping -q -c 1 -t 9 10.10.2.11 >/dev/null; wait)
echo "$ttl" | grep -q "ttl 8," || fail "TTL after one router: $ttl"

# A pod added once the router exists is reached through it at once, both
# ways, across hosts: the router knows the new port's MAC from its
# addresses, so it never asked for it (no MAC_Binding).
osm_lsp_add sw2 lp6 0a:00:00:00:02:03 10.10.2.12
osm_add_pod hv1 p6 0a:00:00:00:02:03 10.10.2.12/24 lp6
osm_pod_exec p6 ip route add default via 10.10.2.1
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p2 10.10.2.12
check_ping p6 10.10.1.11
check_output "" osmotic-sbctl --bare --columns=mac find MAC_Binding \
    ip=10.10.2.12

# A second router behind the first, reached through a static route on
# lr0 and a default route on lr1 (a router-to-router link).
check osmotic-nbctl lr-add lr1
check osmotic-nbctl lrp-add lr0 lr0-lr1 0a:00:00:00:ff:10 169.254.0.1/30 \
    peer=lr1-lr0 \
    -- lrp-add lr1 lr1-lr0 0a:00:00:00:ff:11 169.254.0.2/30 peer=lr0-lr1
check osmotic-nbctl lrp-add lr1 lr1-sw3 0a:00:00:00:ff:12 10.10.3.1/24
osm_lsp_add sw3 lp5 0a:00:00:00:03:01 10.10.3.10
check osmotic-nbctl lsp-add sw3 sw3-lr1 -- lsp-set-type sw3-lr1 router \
    -- lsp-set-addresses sw3-lr1 router \
    -- lsp-set-options sw3-lr1 router-port=lr1-sw3
check osmotic-nbctl lr-route-add lr0 10.10.3.0/24 169.254.0.2
check osmotic-nbctl lr-route-add lr1 0.0.0.0/0 169.254.0.1
osm_add_pod hv2 p5 0a:00:00:00:03:01 10.10.3.10/24 lp5
osm_pod_exec p5 ip route add default via 10.10.3.1
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.3.10
check_ping p5 10.10.2.10

# Without the route, the second router's subnet is unreachable.
check osmotic-nbctl lr-route-del lr0 10.10.3.0/24
check osmotic-nbctl --timeout=20 --wait=hv sync
check_no_ping p1 10.10.3.10
echo PASS
