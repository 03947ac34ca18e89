#!/bin/bash
# IPv6 routing.  One router with IPv6 networks (and IPv4 on the first)
# between pods on two hosts: the router answers neighbor solicitations
# and pings for its addresses, routes across hosts (ICMPv6 and TCP),
# decrements the hop limit once, answers an expiring packet with "time
# exceeded" (traceroute6 names it) and a destination without a route
# with "no route".  A pod whose address northd does not know (its port's
# addresses are "unknown") is reached after the router resolves it by a
# neighbor solicitation from the controller, learned into SB
# MAC_Binding.  A second router behind the first is reached by IPv6
# static routes.  A routed TCP SYN crosses at most 20 br-int tables on
# the sending host, as in IPv4.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24 \
    fd00:1::1/64
check osmotic-nbctl lrp-add lr0 lr0-sw2 0a:00:00:00:ff:02 fd00:2::1/64
for sw in sw1 sw2; do
    check osmotic-nbctl --may-exist ls-add $sw
    check osmotic-nbctl lsp-add $sw $sw-lr0 \
        -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done

# add_pod6 HOST POD SWITCH MAC IPV6 [unknown]: a pod with one IPv6
# address and a default route to its switch's router; with "unknown", its
# logical port's addresses are "unknown" (no port security).
add_pod6() {
    local host=$1 pod=$2 sw=$3 mac=$4 ip=$5 gw
    gw=${ip%::*}::1
    check osmotic-nbctl lsp-add "$sw" "l$pod"
    if [ "${6:-}" = unknown ]; then
        check osmotic-nbctl lsp-set-addresses "l$pod" unknown
    else
        check osmotic-nbctl lsp-set-addresses "l$pod" "$mac $ip" \
            -- lsp-set-port-security "l$pod" "$mac $ip"
    fi
    osm_add_pod "$host" "$pod" "$mac" 192.0.2.1/32 "l$pod"
    osm_pod_exec "$pod" ip addr flush dev eth0 scope global
    osm_pod_exec "$pod" ip -6 addr add "$ip/64" dev eth0 nodad
    osm_pod_exec "$pod" ip -6 route add default via "$gw"
    osm_host_exec "$host" sysctl -qw \
        "net.ipv6.conf.$(echo "v-$pod" | cut -c1-15).disable_ipv6=1"
}
add_pod6 hv1 p1 sw1 0a:00:00:00:01:01 fd00:1::10
add_pod6 hv2 p2 sw2 0a:00:00:00:02:01 fd00:2::10
add_pod6 hv2 p3 sw2 0a:00:00:00:02:03 fd00:2::30 unknown
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# lla POD: POD's link-local address is usable (no longer tentative).
lla_ready() {
    osm_pod_exec "$1" ip -6 addr show dev eth0 scope link > "$TESTDIR/lla" \
        && grep -q "inet6 fe80" "$TESTDIR/lla" \
        && ! grep -q tentative "$TESTDIR/lla"
}
for p in p1 p2 p3; do
    wait_until lla_ready $p
done

# The router's addresses, from both sides.
wait_until osm_ping p1 fd00:1::1 -6
check_ping p2 fd00:2::1 -6
check_ping p1 fd00:2::1 -6

# Routed across hosts, both ways, ICMPv6 and TCP.
wait_until osm_ping p1 fd00:2::10 -6
check_ping p2 fd00:1::10 -6
check_tcp_transfer p1 p2 fd00:2::10
check_tcp_transfer p2 p1 fd00:1::10

# The hop limit: decremented once, and expiring at the router.
hlim=$(osm_pod_exec p2 timeout 5 tcpdump -c 1 -n -v -i eth0 \
           icmp6 and src fd00:1::10 2>/dev/null &
       sleep 1; osm_pod_exec p1 ping -6 -q -c 1 -t 9 fd00:2::10 >/dev/null
       wait)
echo "$hlim" | grep -q "hlim 8," || fail "hop limit after one router: $hlim"
out=$(osm_pod_exec p1 ping -6 -c 1 -W 2 -t 1 fd00:2::10 2>&1)
echo "$out" | grep -q "From fd00:1::1 .*Time exceeded: Hop limit" \
    || fail "ping -t 1: $out"
hops() {
    osm_pod_exec p1 traceroute -6 -n -q 1 -w 2 -m 4 fd00:2::10 2>&1 \
        | awk 'NR > 1 { print $2 }' | tr '\n' ' '
}
check_output "fd00:1::1 fd00:2::10 " hops
out=$(osm_pod_exec p1 ping -6 -c 1 -W 2 fd00:9::1 2>&1)
echo "$out" | grep -q "From fd00:1::1 .*Destination unreachable: No route" \
    || fail "ping to a destination without a route: $out"

# The table budget of a routed IPv6 packet, on the sending host.
ofport=$(osm_host_vsctl hv1 get interface v-p1 ofport)
osm_host_appctl hv1 ofproto/trace br-int "in_port=$ofport,tcp6,\
dl_src=0a:00:00:00:01:01,dl_dst=0a:00:00:00:ff:01,ipv6_src=fd00:1::10,\
ipv6_dst=fd00:2::10,nw_ttl=64,tp_src=40000,tp_dst=80,tcp_flags=0x002" \
    > "$TESTDIR/trace" 2>&1 || fail "ofproto/trace: $(cat "$TESTDIR/trace")"
grep -q "tnl_push" "$TESTDIR/trace" \
    || fail "the SYN did not reach the tunnel: $(cat "$TESTDIR/trace")"
read -r lookups tables < <(count_trace_lookups < "$TESTDIR/trace")
echo "routed IPv6 packet: br-int lookups on the sending host: $lookups"
[ "$lookups" -le 20 ] || fail "$lookups lookups: over the budget of 20:" \
                              "$(cat "$TESTDIR/trace")"

# A pod northd does not know: resolved by neighbor discovery, learned.
wait_until osm_ping p1 fd00:2::30 -6
check_output 1 pipeline "osmotic-sbctl --columns=ip find MAC_Binding \
    logical_port=lr0-sw2 | grep -c fd00:2::30"
check_output 0a:00:00:00:02:03 osmotic-sbctl --bare --columns=mac \
    find MAC_Binding ip=\"fd00:2::30\"
check_tcp_transfer p1 p3 fd00:2::30

# A second router behind the first, by IPv6 static routes.
check osmotic-nbctl lr-add lr1
check osmotic-nbctl lrp-add lr0 lr0-lr1 0a:00:00:00:ff:10 fd00:ff::1/64 \
    peer=lr1-lr0 \
    -- lrp-add lr1 lr1-lr0 0a:00:00:00:ff:11 fd00:ff::2/64 peer=lr0-lr1
check osmotic-nbctl lrp-add lr1 lr1-sw3 0a:00:00:00:ff:12 fd00:3::1/64
check osmotic-nbctl ls-add sw3
check osmotic-nbctl lsp-add sw3 sw3-lr1 -- lsp-set-type sw3-lr1 router \
    -- lsp-set-addresses sw3-lr1 router \
    -- lsp-set-options sw3-lr1 router-port=lr1-sw3
check osmotic-nbctl lr-route-add lr0 fd00:3::/64 fd00:ff::2
check osmotic-nbctl lr-route-add lr1 ::/0 fd00:ff::1
add_pod6 hv2 p5 sw3 0a:00:00:00:03:01 fd00:3::10
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until lla_ready p5
wait_until osm_ping p1 fd00:3::10 -6
check_ping p5 fd00:2::10 -6
check_output "fd00:1::1 fd00:ff::2 fd00:3::10 " pipeline \
    "osm_pod_exec p1 traceroute -6 -n -q 1 -w 2 -m 4 fd00:3::10 2>&1 \
     | awk 'NR > 1 { print \$2 }' | tr '\n' ' '"
echo PASS
