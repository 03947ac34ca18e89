#!/bin/bash
# Routing policies (lr-policy-add), after routing, highest priority
# first.  Router lr0 joins sw1 (pod p1 on hv1), sw2 (pods p2 and p3 on
# hv2) and sw9, where two pods m1 (hv3) and m2 (hv2) are middleboxes
# that forward IPv4.  A drop policy drops only what it matches (p1 -> p2,
# not p1 -> p3); an allow policy of higher priority lets ICMP through
# again while TCP stays dropped; osmotic-trace names the policy that
# decided.  A reroute policy sends p1's traffic to p2 through m1 (its
# forwarded-datagram counter grows, m2's does not, p1 -> p3 is not
# rerouted); one with two next hops spreads connections over m1 and m2,
# each connection whole on one path.  Bad policies fail the whole
# transaction.  The table budget holds on a router with policies.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
check osmotic-nbctl lrp-add lr0 lr0-sw2 0a:00:00:00:ff:02 10.10.2.1/24
check osmotic-nbctl lrp-add lr0 lr0-sw9 0a:00:00:00:ff:09 10.10.9.1/24
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
osm_lsp_add sw2 lp2 0a:00:00:00:02:01 10.10.2.10
osm_lsp_add sw2 lp3 0a:00:00:00:02:02 10.10.2.11
# The middleboxes forward traffic that is not theirs: addresses, no port
# security.
for n in 1 2; do
    check osmotic-nbctl --may-exist ls-add sw9 \
        -- lsp-add sw9 lm$n \
        -- lsp-set-addresses lm$n "0a:00:00:00:09:0$n 10.10.9.$((n + 1))"
done
for sw in sw1 sw2 sw9; do
    check osmotic-nbctl lsp-add $sw $sw-lr0 -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done

osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:02:01 10.10.2.10/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:02:02 10.10.2.11/24 lp3
osm_add_pod hv3 m1 0a:00:00:00:09:01 10.10.9.2/24 lm1
osm_add_pod hv2 m2 0a:00:00:00:09:02 10.10.9.3/24 lm2
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_pod_exec p2 ip route add default via 10.10.2.1
osm_pod_exec p3 ip route add default via 10.10.2.1
for m in m1 m2; do
    osm_pod_exec $m ip route add default via 10.10.9.1
    osm_pod_exec $m sysctl -q -w net.ipv4.ip_forward=1
    # They send back out the interface they received on: no redirects.
    osm_pod_exec $m sysctl -q -w net.ipv4.conf.all.send_redirects=0
    osm_pod_exec $m sysctl -q -w net.ipv4.conf.eth0.send_redirects=0
done
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.2.10
check_ping p1 10.10.2.11
check_ping p1 10.10.9.2
check_ping p1 10.10.9.3

# forwarded POD: the IPv4 datagrams POD has forwarded so far.
forwarded() {
    osm_pod_exec "$1" awk '/^Ip: [0-9]/ { print $7 }' /proc/net/snmp
}

# tcp_verdict POD IP: "timeout" if a TCP connection from POD to IP port
# 5203 (where nothing listens) gets no answer within 2 s, "refused" if
# the destination resets it, "connected" if it connects.
tcp_verdict() {
    osm_pod_exec "$1" python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], 5203), timeout=2)
    print("connected")
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")' "$2"
}

check_output refused tcp_verdict p1 10.10.2.10

# Bad policies fail the whole transaction and leave nothing behind.
check_error "column 11: end of input: expecting a value" \
    osmotic-nbctl lr-policy-add lr0 10 "ip4.src ==" \
    drop
check_error "bad next hop argument: 10.10.9.300" \
    osmotic-nbctl lr-policy-add lr0 10 ip4 reroute 10.10.9.300
check_error "not in the same addr family" \
    osmotic-nbctl lr-policy-add lr0 10 ip reroute 10.10.9.2,fd00::2
check_error "an IPv4 next hop for a match that no IPv4 packet meets" \
    osmotic-nbctl lr-policy-add lr0 11 ip4 drop \
    -- lr-policy-add lr0 10 "ip6.src == fd00::1" reroute 10.10.9.2
check_error "an IPv6 next hop for a match that no IPv6 packet meets" \
    osmotic-nbctl lr-policy-add lr0 10 "ip4.dst == 10.10.2.10" reroute fd00::2
check_error "Nexthop is required" \
    osmotic-nbctl lr-policy-add lr0 10 ip4 reroute
check_output "" osmotic-nbctl lr-policy-list lr0

# A drop policy drops only what it matches.
P12='ip4.src == 10.10.1.10 && ip4.dst == 10.10.2.10'
check osmotic-nbctl lr-policy-add lr0 100 "$P12" drop
check osmotic-nbctl --timeout=20 --wait=hv sync
check_no_ping p1 10.10.2.10
check_ping p1 10.10.2.11
check_output timeout tcp_verdict p1 10.10.2.10
check_output refused tcp_verdict p1 10.10.2.11

# An allow policy of higher priority wins over it: ICMP passes, TCP is
# still dropped.
check osmotic-nbctl lr-policy-add lr0 200 "$P12 && icmp4" allow
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.10.2.10
check_output timeout tcp_verdict p1 10.10.2.10
# (ovn-nbctl's columns.)
check_output "Routing Policies
$(printf '%10s %50s %15s\n' 200 "$P12 && icmp4" allow 100 "$P12" drop)" \
    osmotic-nbctl lr-policy-list lr0

# osmotic-trace names the policy that decided, in lr_in_policy.
TRACE_P1='inport == "lp1" && eth.src == 0a:00:00:00:01:01
    && eth.dst == 0a:00:00:00:ff:01 && ip4.src == 10.10.1.10
    && ip4.dst == 10.10.2.10 && ip.ttl == 64'
out=$(osmotic-trace --nb-db sw1 "$TRACE_P1 && tcp && tcp.dst == 80") \
    || fail "osmotic-trace: $out"
echo "$out" | grep -q "dropped in lr_in_policy" \
    || fail "trace: TCP not dropped by a policy: $out"
echo "$out" | grep -q "source: Logical_Router_Policy:.* \"100 $P12 drop\"" \
    || fail "trace: the drop policy is not named: $out"
out=$(osmotic-trace --nb-db sw1 "$TRACE_P1 && icmp4") \
    || fail "osmotic-trace: $out"
echo "$out" | grep -q "source: Logical_Router_Policy:.* \"200 $P12 && icmp4 allow\"" \
    || fail "trace: the allow policy is not named: $out"
echo "$out" | grep -q "delivered to lp2" \
    || fail "trace: ICMP not delivered: $out"

# The table budget, on a router with policies: a routed SYN that no
# policy matches, from p1 to p3 on another host.
ofport=$(osm_host_vsctl hv1 get interface v-p1 ofport)
osm_host_appctl hv1 ofproto/trace br-int "in_port=$ofport,tcp,\
dl_src=0a:00:00:00:01:01,dl_dst=0a:00:00:00:ff:01,nw_src=10.10.1.10,\
nw_dst=10.10.2.11,nw_ttl=64,tp_src=40000,tp_dst=80,tcp_flags=0x002" \
    > "$TESTDIR/trace" 2>&1 || fail "ofproto/trace: $(cat "$TESTDIR/trace")"
grep -q "tnl_push" "$TESTDIR/trace" \
    || fail "the SYN did not reach the tunnel: $(cat "$TESTDIR/trace")"
read -r lookups tables < <(count_trace_lookups < "$TESTDIR/trace")
echo "routed packet with policies: br-int lookups on the sending host:" \
     "$lookups ($tables tables)"
[ "$lookups" -le 20 ] || fail "$lookups lookups: over the budget of 20:" \
                              "$(cat "$TESTDIR/trace")"
# A packet that a policy matches (the allowed ping to p2) costs at most
# three lookups more: the policies' candidate flow, lr_in_policy and
# lr_in_arp_resolve.
osm_host_appctl hv1 ofproto/trace br-int "in_port=$ofport,icmp,\
dl_src=0a:00:00:00:01:01,dl_dst=0a:00:00:00:ff:01,nw_src=10.10.1.10,\
nw_dst=10.10.2.10,nw_ttl=64,icmp_type=8,icmp_code=0" \
    > "$TESTDIR/trace2" 2>&1 || fail "ofproto/trace: $(cat "$TESTDIR/trace2")"
grep -q "tnl_push" "$TESTDIR/trace2" \
    || fail "the ping did not reach the tunnel: $(cat "$TESTDIR/trace2")"
read -r lookups2 tables2 < <(count_trace_lookups < "$TESTDIR/trace2")
echo "routed packet that a policy allows: $lookups2 lookups ($tables2 tables)"
[ "$lookups2" -le $((lookups + 3)) ] \
    || fail "$lookups2 lookups for a policy's packet: $(cat "$TESTDIR/trace2")"

# Deleting the policies restores routing's decision.
check osmotic-nbctl lr-policy-del lr0 100 "$P12"
check osmotic-nbctl lr-policy-del lr0 200
check_output "" osmotic-nbctl lr-policy-list lr0
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output refused tcp_verdict p1 10.10.2.10

# A reroute policy: p1's traffic to p2 goes through m1, which forwards it
# back to the router; the policy matches the inport, so that the packets
# m1 forwards are routed as usual.
check osmotic-nbctl lr-policy-add lr0 50 \
    'inport == "lr0-sw1" && ip4.dst == 10.10.2.10' reroute 10.10.9.2
check osmotic-nbctl --timeout=20 --wait=hv sync
m1_before=$(forwarded m1)
m2_before=$(forwarded m2)
check_ping p1 10.10.2.10
check_tcp_transfer p1 p2 10.10.2.10 1048576
m1_after=$(forwarded m1)
echo "m1 forwarded $((m1_after - m1_before)) datagrams"
[ $((m1_after - m1_before)) -ge 10 ] \
    || fail "m1 forwarded $((m1_after - m1_before)) datagrams, expected" \
            "the pings and the transfer"
[ "$(forwarded m2)" = "$m2_before" ] || fail "m2 forwarded traffic too"
# One more hop: p2 sees TTL 64 - 3.
ttl=$(osm_pod_exec p2 timeout 5 tcpdump -c 1 -n -v -i eth0 \
          icmp and src 10.10.1.10 2>/dev/null &
      sleep 1; osm_pod_exec p1 ping -q -c 1 10.10.2.10 >/dev/null; wait)
echo "$ttl" | grep -q "ttl 61," || fail "TTL through the middlebox: $ttl"
# Traffic that the policy does not match is not rerouted.
m1_before=$(forwarded m1)
check_ping p1 10.10.2.11
[ "$(forwarded m1)" = "$m1_before" ] || fail "p1 -> p3 went through m1"
out=$(osmotic-trace --nb-db sw1 "$TRACE_P1 && icmp4") \
    || fail "osmotic-trace: $out"
echo "$out" | grep -q "reroute 10.10.9.2\"" \
    || fail "trace: the reroute policy is not named: $out"
echo "$out" | grep -q "delivered to lm1" \
    || fail "trace: not delivered to the middlebox: $out"

# A reroute policy with two next hops: each connection takes one of m1
# and m2, and stays on it (1 MB arrives whole on every connection).
check osmotic-nbctl lr-policy-del lr0 50
check osmotic-nbctl lr-policy-add lr0 50 \
    'inport == "lr0-sw1" && ip4.dst == 10.10.2.10' reroute \
    10.10.9.2,10.10.9.3
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output "Routing Policies
$(printf '%10s %50s %15s %25s, %s' 50 \
    'inport == "lr0-sw1" && ip4.dst == 10.10.2.10' reroute 10.10.9.2 \
    10.10.9.3)" osmotic-nbctl lr-policy-list lr0
ip netns exec "$(osm_ns p2)" timeout "$OSM_CLIENT_TIMEOUT" python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.10.2.10", 8000))
s.listen(64)
while True:
    c, _ = s.accept()
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.sendall(b"%d\n" % n)
    c.close()' < /dev/null > /dev/null 2>&1 &
echo $! > "$TESTDIR/server-p2.pid"
osm_track_pidfile "$TESTDIR/server-p2.pid"
wait_until tcp_listening p2 8000
m1_before=$(forwarded m1)
m2_before=$(forwarded m2)
osm_pod_exec p1 python3 -c '
import socket
data = b"x" * 1048576
for i in range(24):
    c = socket.create_connection(("10.10.2.10", 8000), timeout=10)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    print(c.makefile("rb").readline().decode().strip())
    c.close()' > "$TESTDIR/conns" || fail "connections: $(cat "$TESTDIR/conns")"
check_output 24 pipeline "grep -c '^1048576$' $TESTDIR/conns"
m1=$(($(forwarded m1) - m1_before))
m2=$(($(forwarded m2) - m2_before))
echo "24 connections: m1 forwarded $m1 datagrams, m2 $m2"
[ "$m1" -ge 100 ] || fail "m1 forwarded only $m1 datagrams"
[ "$m2" -ge 100 ] || fail "m2 forwarded only $m2 datagrams"
check_output 1 pipeline "osm_host_ofctl hv1 dump-groups br-int \
    | grep 'type=select' | grep '0x10001->reg1' | grep -c '0x10002->reg1'"
echo PASS
