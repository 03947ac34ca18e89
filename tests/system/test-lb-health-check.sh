#!/bin/bash
# Load balancer health checks with real traffic: a TCP VIP with three
# backends on three hosts and a health check (probes every second, two
# failures in a row take a backend out): every backend serves; the
# server of one backend stops (no control-plane change) and its
# Service_Monitor row turns offline, after which 50 new connections all
# succeed on the other two; the server comes back and so does its share.
# A UDP VIP's health check finds a stopped UDP server by the ICMP port
# unreachable it causes.  osmotic-nbctl refuses a health check without a
# VIP port and a malformed ip_port_mappings entry, writing nothing.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw0 0a:00:00:00:ff:01 10.10.1.1/24
osm_lsp_add sw0 lb1 0a:00:00:00:01:11 10.10.1.11
osm_lsp_add sw0 lb2 0a:00:00:00:01:12 10.10.1.12
osm_lsp_add sw0 lb3 0a:00:00:00:01:13 10.10.1.13
osm_lsp_add sw0 lc1 0a:00:00:00:01:21 10.10.1.21
check osmotic-nbctl lsp-add sw0 sw0-lr0 \
    -- lsp-set-type sw0-lr0 router \
    -- lsp-set-addresses sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lr0-sw0
osm_add_pod hv1 b1 0a:00:00:00:01:11 10.10.1.11/24 lb1
osm_add_pod hv2 b2 0a:00:00:00:01:12 10.10.1.12/24 lb2
osm_add_pod hv3 b3 0a:00:00:00:01:13 10.10.1.13/24 lb3
osm_add_pod hv1 c1 0a:00:00:00:01:21 10.10.1.21/24 lc1
for pod in b1 b2 b3 c1; do
    osm_pod_exec $pod ip route add default via 10.10.1.1
done
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping c1 10.10.1.1

# Each backend answers a TCP line on port 80 and a UDP datagram on port
# 5683 with its own name.
SERVER='
import socket, sys, threading
name, proto = sys.argv[1].encode(), sys.argv[2]
if proto == "udp":
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", 5683))
    while True:
        data, peer = u.recvfrom(100)
        u.sendto(name, peer)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80))
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
# from POD to IP:PORT; prints how many each backend answered
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
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
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
        ip="$1" port="$2"
}
# status_is IP PORT STATUS
status_is() {
    [ "$(status "$1" "$2")" = "$3" ]
}

# The VIP, its health check and where each backend is.
check osmotic-nbctl lb-add lbt 172.30.0.10:80 \
    10.10.1.11:80,10.10.1.12:80,10.10.1.13:80 tcp
check osmotic-nbctl ls-lb-add sw0 lbt

# Bad input: refused whole, nothing written.
check_error "should be a VIP with a port" osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check vip=172.30.0.10 \
    -- add Load_Balancer lbt health_check @hc
check_error "should be LOGICAL_PORT:SOURCE_IP" osmotic-nbctl \
    set Load_Balancer lbt ip_port_mappings:10.10.1.11=lb1
check_error "10.10.1.300: should be an IPv4 address" osmotic-nbctl \
    set Load_Balancer lbt ip_port_mappings:10.10.1.11=lb1:10.10.1.300
check_error "options:interval" osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check vip='"172.30.0.10:80"' \
       options:interval=0 \
    -- add Load_Balancer lbt health_check @hc
check_output "" osmotic-nbctl --bare --columns=_uuid \
    list Load_Balancer_Health_Check
check_output "{}" osmotic-nbctl get Load_Balancer lbt ip_port_mappings

check osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check vip='"172.30.0.10:80"' \
       options:interval=1 options:timeout=1 options:success_count=1 \
       options:failure_count=2 \
    -- add Load_Balancer lbt health_check @hc \
    -- set Load_Balancer lbt ip_port_mappings:10.10.1.11=lb1:10.10.1.250 \
       ip_port_mappings:10.10.1.12=lb2:10.10.1.250 \
       ip_port_mappings:10.10.1.13=lb3:10.10.1.250
check osmotic-nbctl --timeout=20 --wait=hv sync
for ip in 10.10.1.11 10.10.1.12 10.10.1.13; do
    wait_until status_is $ip 80 online
done
out=$(clients c1 tcp 172.30.0.10 80 60) || fail "TCP clients: $out"
echo "60 connections, all backends up: $out"
[ "$(share "$out" fail)" = 0 ] || fail "TCP to the VIP: $out"
for b in b1 b2 b3; do
    [ "$(share "$out" $b)" -gt 0 ] || fail "backend $b got nothing: $out"
done

# b2's server stops: its probes get resets, two in a row make it offline
# (about two seconds), and the VIP's connections go to the others.
start=$(date +%s)
stop_server b2 tcp
OSM_WAIT=30 wait_until status_is 10.10.1.12 80 offline
echo "b2 offline after $(( $(date +%s) - start )) s (interval 1 s, 2 failures)"
check_output online status 10.10.1.11 80
check_output online status 10.10.1.13 80
# The VIP's flow follows (ct_lb without b2 in SB).
wait_until pipeline "osmotic-sbctl --bare --columns=actions find Logical_Flow \
    'match=\"ct_state=+new+trk,tcp,nw_dst=172.30.0.10,tp_dst=80\"' \
    | grep -qx 'ct_lb(10.10.1.11:80, 10.10.1.13:80);'"
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp 172.30.0.10 80 50) || fail "TCP clients: $out"
echo "50 connections, b2 stopped: $out"
[ "$(share "$out" fail)" = 0 ] || fail "connections failed with b2 down: $out"
[ "$(share "$out" b2)" = 0 ] || fail "b2 got connections while down: $out"
[ "$(share "$out" b1)" -gt 0 ] && [ "$(share "$out" b3)" -gt 0 ] \
    || fail "one backend took everything: $out"

# It comes back: online, and in rotation again.
start_server b2 tcp
wait_until tcp_listening b2 80
wait_until status_is 10.10.1.12 80 online
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp 172.30.0.10 80 60) || fail "TCP clients: $out"
echo "60 connections, b2 back: $out"
[ "$(share "$out" fail)" = 0 ] || fail "TCP to the VIP: $out"
[ "$(share "$out" b2)" -gt 0 ] || fail "b2 back but got nothing: $out"

# UDP: a stopped server answers probes with ICMP port unreachable.
check osmotic-nbctl lb-add lbu 172.30.0.10:5683 \
    10.10.1.11:5683,10.10.1.13:5683 udp
check osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check vip='"172.30.0.10:5683"' \
       options:interval=1 options:timeout=1 options:success_count=1 \
       options:failure_count=2 \
    -- add Load_Balancer lbu health_check @hc \
    -- set Load_Balancer lbu ip_port_mappings:10.10.1.11=lb1:10.10.1.250 \
       ip_port_mappings:10.10.1.13=lb3:10.10.1.250
check osmotic-nbctl ls-lb-add sw0 lbu
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until status_is 10.10.1.11 5683 online
wait_until status_is 10.10.1.13 5683 online
stop_server b3 udp
OSM_WAIT=30 wait_until status_is 10.10.1.13 5683 offline
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 udp 172.30.0.10 5683 20) || fail "UDP clients: $out"
echo "20 UDP exchanges, b3's UDP server stopped: $out"
[ "$out" = "b1=20" ] || fail "UDP with b3 down: $out"

# A health check removed: its monitors go, the backends are in rotation.
check osmotic-nbctl clear Load_Balancer lbt health_check
check osmotic-nbctl --timeout=20 --wait=sb sync
check_output "" osmotic-sbctl --bare --columns=_uuid find Service_Monitor \
    port=80

for pod in b1 b2 b3; do
    osm_kill_pidfile "$TESTDIR/server-$pod-tcp.pid"
    osm_kill_pidfile "$TESTDIR/server-$pod-udp.pid"
done
echo "PASS"
