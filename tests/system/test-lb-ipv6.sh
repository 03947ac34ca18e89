#!/bin/bash
# IPv6 switch load balancers with real traffic, pods on two hosts behind
# a router (clients reach VIPs through their default gateway): a TCP VIP
# spreads 100 connections over backends on both hosts, every one
# answered from the VIP; a UDP VIP answers exchanges from the VIP; a VIP
# without a port takes all traffic (ping6); a backend reaches itself
# through its VIP (hairpin, with a port or without); a VIP without
# backends rejects (TCP reset, ICMPv6 port unreachable); the trace shows
# the VIP, the backend and the NAT.
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

# add_pod6 HOST POD MAC IPV6: a pod on sw0 with one IPv6 address and a
# default route to the router.
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
add_pod6 hv1 c1 0a:00:00:00:01:21 fd00:10::21
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# lla_ready POD: POD's link-local address is usable (no longer tentative).
lla_ready() {
    osm_pod_exec "$1" ip -6 addr show dev eth0 scope link > "$TESTDIR/lla" \
        && grep -q "inet6 fe80" "$TESTDIR/lla" \
        && ! grep -q tentative "$TESTDIR/lla"
}
for p in b1 b2 c1; do
    wait_until lla_ready $p
done
wait_until osm_ping c1 fd00:10::1 -6
check_ping c1 fd00:10::12 -6
check_ping b2 fd00:10::11 -6

# Each backend answers every line of a TCP connection on port 80 and
# every UDP datagram on port 5683 with its own name.
SERVER='
import socket, sys, threading
name = sys.argv[1].encode()
def tcp():
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", 80))
    s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
def serve(c):
    f = c.makefile("rb")
    for line in f:
        c.sendall(name + b"\n")
    c.close()
threading.Thread(target=tcp, daemon=True).start()
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.bind(("::", 5683))
while True:
    data, peer = u.recvfrom(100)
    u.sendto(name, peer)
'
for pod in b1 b2; do
    ip netns exec "$(osm_ns $pod)" timeout 900 python3 -c "$SERVER" $pod \
        < /dev/null > "$TESTDIR/server-$pod.log" 2>&1 &
    echo $! > "$TESTDIR/server-$pod.pid"
    osm_track_pidfile "$TESTDIR/server-$pod.pid"
done
for pod in b1 b2; do
    wait_until tcp_listening $pod 80
    wait_until udp_listening $pod 5683
done

# clients POD PROTO IP PORT N: N connections (TCP) or exchanges from a new
# socket each (UDP) from POD to [IP]:PORT; prints how many each backend
# answered ("b1=49 b2=51"), "fail=K" for those that got no answer, and
# "from=ADDR" for any UDP answer from another address than IP:PORT.
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
            s.settimeout(3)
            s.sendto(b"GET", (ip, port))
            data, peer = s.recvfrom(100)
            name = data.decode()
            if peer[:2] != (ip, port):
                count["from=[%s]:%d" % peer[:2]] += 1
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

# A TCP VIP with backends on both hosts (ovn-nbctl's syntax).
check osmotic-nbctl lb-add lb6 [fd00:100::10]:80 \
    "[fd00:10::11]:80,[fd00:10::12]:80" tcp
check osmotic-nbctl ls-lb-add sw0 lb6
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp fd00:100::10 80 100) || fail "TCP clients: $out"
echo "100 TCP connections to the IPv6 VIP: $out"
[ "$(share "$out" fail)" = 0 ] || fail "TCP to the IPv6 VIP: $out"
for b in b1 b2; do
    [ "$(share "$out" $b)" -ge 15 ] \
        || fail "TCP to the IPv6 VIP: backend $b got too small a share: $out"
done

# The trace shows the VIP's flow, the backend the select group picks (the
# first, or the one --lb-dst names) and the NAT to it.
PKT='inport == "lc1" && eth.src == 0a:00:00:00:01:21 && eth.dst == 0a:00:00:00:ff:01 && ip6.src == fd00:10::21 && ip6.dst == fd00:100::10 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80'
out=$(osmotic-trace sw0 "$PKT") || fail "osmotic-trace: $out"
echo "$out" > "$TESTDIR/trace-lb6"
for want in "ls_in_pre_acl" "ls_in_lb" "ipv6_dst=fd00:100::10,tp_dst=80" \
        "ct_lb([fd00:10::11]:80, [fd00:10::12]:80)" \
        "select group 1: choice 1 of 2" \
        "destination now fd00:10::11 port 80"; do
    grep -qF "$want" <<<"$out" || fail "trace lacks \"$want\": $out"
done
out=$(osmotic-trace --lb-dst=[fd00:10::12]:80 sw0 "$PKT") \
    || fail "osmotic-trace --lb-dst: $out"
grep -qF "choice 2 of 2" <<<"$out" \
    && grep -qF "destination now fd00:10::12 port 80" <<<"$out" \
    || fail "trace --lb-dst=[fd00:10::12]:80: $out"

# A UDP VIP: request/response from new sockets, answered from the VIP.
check osmotic-nbctl lb-add lb6u [fd00:100::10]:5683 \
    "[fd00:10::11]:5683,[fd00:10::12]:5683" udp
check osmotic-nbctl ls-lb-add sw0 lb6u
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 udp fd00:100::10 5683 60) || fail "UDP clients: $out"
echo "60 UDP exchanges with the IPv6 VIP: $out"
[ "$(share "$out" fail)" = 0 ] || fail "UDP to the IPv6 VIP: $out"
grep -q "from=" <<<"$out" && fail "UDP answers not from the VIP: $out"
[ "$(share "$out" b1)" -gt 0 ] && [ "$(share "$out" b2)" -gt 0 ] \
    || fail "UDP to the IPv6 VIP: one backend took everything: $out"

# A VIP without a port: all its traffic, ping6 included, to its backend
# on the other host.
check osmotic-nbctl lb-add lb6a fd00:100::30 fd00:10::12
check osmotic-nbctl ls-lb-add sw0 lb6a
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping c1 fd00:100::30 -6
out=$(clients c1 tcp fd00:100::30 80 10) || fail "TCP to fd00:100::30: $out"
[ "$out" = "b2=10" ] || fail "TCP to an IPv6 VIP without a port: $out"
# Its backend reaches itself through it (hairpin without a port).
out=$(clients b2 tcp fd00:100::30 80 10) || fail "TCP from b2: $out"
[ "$out" = "b2=10" ] || fail "IPv6 hairpin through a VIP without a port: $out"
check_ping b2 fd00:100::30 -6

# Hairpin: a backend that connects to its own VIP reaches itself too.
out=$(clients b1 tcp fd00:100::10 80 40) || fail "TCP from b1: $out"
echo "40 TCP connections from backend b1 to its IPv6 VIP: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    && [ "$(share "$out" b2)" -gt 0 ] || fail "IPv6 hairpin TCP from b1: $out"

# A VIP without backends rejects: TCP gets a reset, UDP an ICMPv6 port
# unreachable, at once.
check osmotic-nbctl lb-add lb6n [fd00:100::40]:80 ""
check osmotic-nbctl lb-add lb6nu [fd00:100::40]:5683 "" udp
check osmotic-nbctl ls-lb-add sw0 lb6n -- ls-lb-add sw0 lb6nu
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(osm_pod_exec c1 python3 -c '
import socket
try:
    socket.create_connection(("fd00:100::40", 80), timeout=3)
    print("connected")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect(("fd00:100::40", 5683))
s.settimeout(3)
s.send(b"x")
try:
    s.recv(10)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")' 2>&1)
[ "$(echo $out)" = "refused refused" ] \
    || fail "an IPv6 VIP without backends: TCP and UDP should be refused: $out"

for pod in b1 b2; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo "PASS"
