#!/bin/bash
# ICMP errors from routers.  Pods behind two routers in a row (lr0, then
# lr1 by a static route): traceroute from a pod on hv1 to a pod on hv2
# names each router's address on the way, then the pod; a ping with TTL
# 1 is answered by "time to live exceeded" from the first router; a
# destination without a route gets "network unreachable" from the router;
# UDP to a router address gets "port unreachable".  The errors are
# packet-ins, held to the meter of their operation: a burst of 1,000
# expiring packets gets far fewer errors.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lr-add lr1
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
check osmotic-nbctl lrp-add lr0 lr0-lr1 0a:00:00:00:ff:10 169.254.0.1/30 \
    peer=lr1-lr0 \
    -- lrp-add lr1 lr1-lr0 0a:00:00:00:ff:11 169.254.0.2/30 peer=lr0-lr1
check osmotic-nbctl lrp-add lr1 lr1-sw3 0a:00:00:00:ff:12 10.10.3.1/24
check osmotic-nbctl lr-route-add lr0 10.10.3.0/24 169.254.0.2
check osmotic-nbctl lr-route-add lr1 0.0.0.0/0 169.254.0.1
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
osm_lsp_add sw3 lp5 0a:00:00:00:03:01 10.10.3.10
check osmotic-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router \
    -- lsp-set-addresses sw1-lr0 router \
    -- lsp-set-options sw1-lr0 router-port=lr0-sw1
check osmotic-nbctl lsp-add sw3 sw3-lr1 -- lsp-set-type sw3-lr1 router \
    -- lsp-set-addresses sw3-lr1 router \
    -- lsp-set-options sw3-lr1 router-port=lr1-sw3
osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_add_pod hv2 p5 0a:00:00:00:03:01 10.10.3.10/24 lp5
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_pod_exec p5 ip route add default via 10.10.3.1
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.3.10

# traceroute (UDP probes, one per hop): lr0's address towards p1, lr1's
# towards lr0, then p5 itself.
hops() {
    osm_pod_exec p1 traceroute -n -q 1 -w 2 -m 5 10.10.3.10 2>&1 \
        | awk 'NR > 1 { print $2 }' | tr '\n' ' '
}
check_output "10.10.1.1 169.254.0.2 10.10.3.10 " hops

# TTL 1: time exceeded from the first router, on hv1 where p1's packet
# is routed.
out=$(osm_pod_exec p1 ping -c 1 -W 2 -t 1 10.10.3.10 2>&1)
echo "$out" | grep -q "From 10.10.1.1 .*Time to live exceeded" \
    || fail "ping -t 1: $out"

# No route: p5's router has a default route, p1's does not.
out=$(osm_pod_exec p1 ping -c 1 -W 2 192.0.2.1 2>&1)
echo "$out" | grep -q "From 10.10.1.1 .*Destination Net Unreachable" \
    || fail "ping to a destination without a route: $out"

# UDP to a router address: port unreachable.
out=$(osm_pod_exec p1 traceroute -n -q 1 -w 2 -m 3 169.254.0.2 2>&1)
echo "$out" | awk 'NR > 1 { print $2 }' | tail -1 | grep -qx 169.254.0.2 \
    || fail "traceroute to lr1's address did not end there: $out"

# A burst of 1,000 UDP packets with TTL 1 within a fraction of a second:
# the packet-in meter (100 a second, burst 100) lets a few hundred at
# most become errors.
n=$(osm_pod_exec p1 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.settimeout(0.5)
for i in range(1000):
    s.sendto(b"x", ("10.10.3.10", 40000 + i % 100))
n = 0
deadline = time.time() + 2
while time.time() < deadline:
    try:
        data = r.recv(2000)
    except socket.timeout:
        continue
    if data[20] == 11:
        n += 1
print(n)')
echo "time exceeded for 1000 expiring packets: $n"
[ "$n" -ge 1 ] || fail "no time exceeded for the burst"
[ "$n" -le 400 ] || fail "$n errors for 1000 packets: not rate-limited"
check_output "meter=6" pipeline "osm_host_ofctl hv1 dump-meters br-int \
    | grep -o '^meter=6'"
echo PASS
