#!/bin/bash
# Load balancer health checks of IPv6 backends with real traffic: a TCP
# VIP with three backends on two hosts and a health check (probes every
# second, two failures in a row take a backend out), written without a
# warning: every backend's Service_Monitor row turns online (the backend
# resolved the probes' source address by neighbour solicitation, answered
# on its port) and every backend serves; the server of one backend stops
# (no control-plane change) and its row turns offline, after which 50 new
# connections all succeed on the other two; the server comes back and so
# does its share.  A UDP VIP's health check finds a stopped UDP server by
# the ICMPv6 port unreachable it causes, and the VIP's exchanges all go
# to the other backend.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw0 0a:00:00:00:ff:01 fd00:10::1/64
check osmotic-nbctl ls-add sw0
check osmotic-nbctl lsp-add sw0 sw0-lr0 \
    -- lsp-set-type sw0-lr0 router \
    -- lsp-set-addresses sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lr0-sw0

# add_pod6 HOST POD MAC IPV6: a pod on sw0 (port lPOD) with one IPv6
# address and a default route to the router.
add_pod6() {
    local host=$1 pod=$2 mac=$3 ip=$4
    check osmotic-nbctl lsp-add sw0 "l$pod" \
        -- lsp-set-addresses "l$pod" "$mac $ip" \
        -- lsp-set-port-security "l$pod" "$mac $ip"
    osm_add_pod "$host" "$pod" "$mac" 192.0.2.1/32 "l$pod"
    osm_pod_exec "$pod" ip addr flush dev eth0 scope global
    osm_pod_exec "$pod" ip -6 addr add "$ip/64" dev eth0 nodad
    osm_pod_exec "$pod" ip -6 route add default via fd00:10::1
    osm_host_exec "$host" sysctl -qw \
        "net.ipv6.conf.$(echo "v-$pod" | cut -c1-15).disable_ipv6=1"
}
add_pod6 hv1 b1 0a:00:00:00:01:11 fd00:10::11
add_pod6 hv2 b2 0a:00:00:00:01:12 fd00:10::12
add_pod6 hv2 b3 0a:00:00:00:01:13 fd00:10::13
add_pod6 hv1 c1 0a:00:00:00:01:21 fd00:10::21
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# lla_ready POD: POD's link-local address is usable (no longer tentative).
lla_ready() {
    osm_pod_exec "$1" ip -6 addr show dev eth0 scope link > "$TESTDIR/lla" \
        && grep -q "inet6 fe80" "$TESTDIR/lla" \
        && ! grep -q tentative "$TESTDIR/lla"
}
for p in b1 b2 b3 c1; do
    wait_until lla_ready $p
done
wait_until osm_ping c1 fd00:10::1 -6

# Each backend answers a TCP line on port 80 and a UDP datagram on port
# 5683 with its own name.
SERVER='
import socket, sys, threading
name, proto = sys.argv[1].encode(), sys.argv[2]
if proto == "udp":
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("::", 5683))
    while True:
        data, peer = u.recvfrom(100)
        u.sendto(name, peer)
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 80))
s.listen(128)
def serve(c):
    for line in c.makefile("rb"):
        c.sendall(name + b"\n")
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'
# start_server POD PROTO: starts POD's server of PROTO.
start_server() {
    ip netns exec "$(osm_ns $1)" timeout 900 python3 -c "$SERVER" $1 $2 \
        < /dev/null >> "$TESTDIR/server-$1-$2.log" 2>&1 &
    echo $! > "$TESTDIR/server-$1-$2.pid"
    osm_track_pidfile "$TESTDIR/server-$1-$2.pid"
}
# stop_server POD PROTO: stops it (the backend's host and port stay up).
stop_server() {
    osm_kill_pidfile "$TESTDIR/server-$1-$2.pid"
}
for pod in b1 b2 b3; do
    start_server $pod tcp
    start_server $pod udp
done
for pod in b1 b2 b3; do
    wait_until tcp_listening $pod 80
    wait_until udp_listening $pod 5683
done

# clients POD PROTO IP PORT N: N connections (TCP) or exchanges (UDP)
# from POD to [IP]:PORT; prints how many each backend answered
# ("b1=17 b3=33") and "fail=K" for those that got no answer.
clients() {
    osm_pod_exec "$1" python3 -c '
import collections, socket, sys
proto, ip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
count = collections.Counter()
for i in range(n):
    try:
        if proto == "tcp":
            s = socket.create_connection((ip, port), timeout=3)
            s.sendall(b"hello\n")
            name = s.makefile("rb").readline().strip().decode()
        else:
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.settimeout(2)
            s.sendto(b"GET", (ip, port))
            name = s.recvfrom(100)[0].decode()
        count[name or "fail"] += 1
        s.close()
    except OSError:
        count["fail"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(count.items())))
' "$2" "$3" "$4" "$5"
}
# share OUTPUT NAME: the count of NAME in clients' OUTPUT, 0 if none.
share() {
    local n
    n=$(grep -o "\b$2=[0-9]*" <<<"$1" | cut -d= -f2)
    echo "${n:-0}"
}
# status IP PORT: the status of the Service_Monitor row of backend IP:PORT.
status() {
    osmotic-sbctl --bare --columns=status find Service_Monitor \
        ip="\"$1\"" port="$2"
}
# status_is IP PORT STATUS
status_is() {
    [ "$(status "$1" "$2")" = "$3" ]
}
# vip_actions_are ACTIONS: the actions of the logical flow of new TCP
# connections to [fd00:100::10]:80 are ACTIONS.
vip_actions_are() {
    osmotic-sbctl --bare --columns=actions find Logical_Flow \
        'match="ct_state=+new+trk,tcp6,ipv6_dst=fd00:100::10,tp_dst=80"' \
        > "$TESTDIR/vip-actions"
    [ "$(cat "$TESTDIR/vip-actions")" = "$1" ]
}

# The VIP, its health check and where each backend is: written without
# a note that anything is not applied.
check osmotic-nbctl lb-add lb6 [fd00:100::10]:80 \
    "[fd00:10::11]:80,[fd00:10::12]:80,[fd00:10::13]:80" tcp
check osmotic-nbctl ls-lb-add sw0 lb6
err=$(osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check \
       vip='"[fd00:100::10]:80"' \
       options:interval=1 options:timeout=1 options:success_count=1 \
       options:failure_count=2 \
    -- add Load_Balancer lb6 health_check @hc \
    -- set Load_Balancer lb6 \
       'ip_port_mappings:"fd00:10::11"="lb1:[fd00:10::250]"' \
       'ip_port_mappings:"fd00:10::12"="lb2:[fd00:10::250]"' \
       'ip_port_mappings:"fd00:10::13"="lb3:[fd00:10::250]"' \
    2>&1 >/dev/null) || fail "health check: $err"
[ -z "$err" ] || fail "osmotic-nbctl noted the IPv6 health check: $err"
check osmotic-nbctl --timeout=20 --wait=hv sync
for ip in fd00:10::11 fd00:10::12 fd00:10::13; do
    wait_until status_is $ip 80 online
done
# The backends asked for the probes' source address and got the service
# monitor MAC.
for pod in b1 b2 b3; do
    out=$(osm_pod_exec $pod ip -6 neigh show fd00:10::250) \
        || fail "ip neigh in $pod"
    grep -q "lladdr 0a:58:0a:fe:00:01" <<<"$out" \
        || fail "$pod has no neighbour entry for the monitor: $out"
done
out=$(clients c1 tcp fd00:100::10 80 60) || fail "TCP clients: $out"
echo "60 connections, all backends up: $out"
[ "$(share "$out" fail)" = 0 ] || fail "TCP to the VIP: $out"
for b in b1 b2 b3; do
    [ "$(share "$out" $b)" -gt 0 ] || fail "backend $b got nothing: $out"
done

# b2's server stops: its probes get resets, two in a row make it offline,
# and the VIP's connections go to the others.
start=$(date +%s)
stop_server b2 tcp
OSM_WAIT=30 wait_until status_is fd00:10::12 80 offline
echo "b2 offline after $(( $(date +%s) - start )) s (interval 1 s, 2 failures)"
check_output online status fd00:10::11 80
check_output online status fd00:10::13 80
wait_until vip_actions_are "ct_lb([fd00:10::11]:80, [fd00:10::13]:80);"
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp fd00:100::10 80 50) || fail "TCP clients: $out"
echo "50 connections, b2 stopped: $out"
[ "$(share "$out" fail)" = 0 ] || fail "connections failed with b2 down: $out"
[ "$(share "$out" b2)" = 0 ] || fail "b2 got connections while down: $out"
[ "$(share "$out" b1)" -gt 0 ] && [ "$(share "$out" b3)" -gt 0 ] \
    || fail "one backend took everything: $out"

# It comes back: online, and in rotation again.
start_server b2 tcp
wait_until tcp_listening b2 80
wait_until status_is fd00:10::12 80 online
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp fd00:100::10 80 60) || fail "TCP clients: $out"
echo "60 connections, b2 back: $out"
[ "$(share "$out" fail)" = 0 ] || fail "TCP to the VIP: $out"
[ "$(share "$out" b2)" -gt 0 ] || fail "b2 back but got nothing: $out"

# UDP: a stopped server answers probes with ICMPv6 port unreachable.
check osmotic-nbctl lb-add lb6u [fd00:100::10]:5683 \
    "[fd00:10::11]:5683,[fd00:10::13]:5683" udp
check osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check \
       vip='"[fd00:100::10]:5683"' \
       options:interval=1 options:timeout=1 options:success_count=1 \
       options:failure_count=2 \
    -- add Load_Balancer lb6u health_check @hc \
    -- set Load_Balancer lb6u \
       'ip_port_mappings:"fd00:10::11"="lb1:[fd00:10::250]"' \
       'ip_port_mappings:"fd00:10::13"="lb3:[fd00:10::250]"'
check osmotic-nbctl ls-lb-add sw0 lb6u
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until status_is fd00:10::11 5683 online
wait_until status_is fd00:10::13 5683 online
stop_server b3 udp
OSM_WAIT=30 wait_until status_is fd00:10::13 5683 offline
check_output online status fd00:10::11 5683
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 udp fd00:100::10 5683 20) || fail "UDP clients: $out"
echo "20 UDP exchanges, b3's UDP server stopped: $out"
[ "$out" = "b1=20" ] || fail "UDP with b3 down: $out"

for pod in b1 b2 b3; do
    osm_kill_pidfile "$TESTDIR/server-$pod-tcp.pid"
    osm_kill_pidfile "$TESTDIR/server-$pod-udp.pid"
done
echo "PASS"
