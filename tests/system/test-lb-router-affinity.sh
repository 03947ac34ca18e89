#!/bin/bash
# Session affinity of router load balancers (Load_Balancer
# options:affinity_timeout on a load balancer of a router), with real
# traffic from an external network through the router's gateway port
# (gw1) to three backends on two hosts behind it: without affinity a
# client's connections spread over the backends; with it, many
# connections from one client reach one backend, for a TCP NodePort on
# the gateway port's address, a UDP one, an IPv6 VIP and a VIP without a
# port; a second client address keeps a backend of its own; once the
# timeout has passed since a client's last connection, its next
# connection is balanced afresh (the backend changes within a few
# rounds); the trace shows the affinity lookup on the router.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
ip netns exec "$OSM_EXTERNAL_NS" ip addr add 172.30.0.2/24 dev brx
ip netns exec "$OSM_EXTERNAL_NS" ip -6 addr add fd00:30::1/64 dev brx nodad
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host gw1 172.31.0.3
osm_connect_external gw1

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24 \
    fd00:1::1/64
check osmotic-nbctl ls-add sw1 -- lsp-add sw1 sw1-lr0 \
    -- lsp-set-type sw1-lr0 router \
    -- lsp-set-addresses sw1-lr0 router \
    -- lsp-set-options sw1-lr0 router-port=lr0-sw1
# add_pod HOST POD N: a backend on sw1 with addresses 10.10.1.N and
# fd00:1::N and default routes to the router.
add_pod() {
    local host=$1 pod=$2 n=$3 mac
    mac=0a:00:00:00:01:$n
    osm_lsp_add sw1 "l$pod" "$mac" "10.10.1.$n fd00:1::$n"
    osm_add_pod "$host" "$pod" "$mac" "10.10.1.$n/24" "l$pod"
    osm_pod_exec "$pod" ip -6 addr add "fd00:1::$n/64" dev eth0 nodad
    osm_pod_exec "$pod" ip route add default via 10.10.1.1
    osm_pod_exec "$pod" ip -6 route add default via fd00:1::1
    osm_host_exec "$host" sysctl -qw \
        "net.ipv6.conf.$(echo "v-$pod" | cut -c1-15).disable_ipv6=1"
}
add_pod hv1 b1 11
add_pod hv2 b2 12
add_pod hv2 b3 13
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24 \
    fd00:30::100/64
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 10
check osmotic-nbctl ls-add ext
check osmotic-nbctl lsp-add ext ln-ext -- lsp-set-type ln-ext localnet \
    -- lsp-set-addresses ln-ext unknown \
    -- lsp-set-options ln-ext network_name=physnet
check osmotic-nbctl lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router \
    -- lsp-set-addresses ext-lr0 router \
    -- lsp-set-options ext-lr0 router-port=lr0-ext
osm_prime_underlay hv1 hv2 gw1
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping b1 10.10.1.1
wait_until osm_ping b2 10.10.1.1

# Each backend answers every line of a TCP connection on port 80 and
# every UDP datagram on port 5683 with its own name.
SERVER='
import socket, sys, threading
name = sys.argv[1].encode()
def dual(kind):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s
def tcp():
    s = dual(socket.SOCK_STREAM)
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
u = dual(socket.SOCK_DGRAM)
u.bind(("::", 5683))
while True:
    data, peer = u.recvfrom(100)
    u.sendto(name, peer)
'
for pod in b1 b2 b3; do
    ip netns exec "$(osm_ns $pod)" timeout 900 python3 -c "$SERVER" $pod \
        < /dev/null > "$TESTDIR/server-$pod.log" 2>&1 &
    echo $! > "$TESTDIR/server-$pod.pid"
    osm_track_pidfile "$TESTDIR/server-$pod.pid"
done
for pod in b1 b2 b3; do
    wait_until tcp_listening $pod 80
    wait_until udp_listening $pod 5683
done

# clients SRC PROTO IP PORT N: N connections (TCP) or exchanges from a
# new socket each (UDP) from address SRC of the external namespace to
# IP:PORT; prints how many each backend answered ("b2=60"), and
# "fail=K" for those that got no answer.
clients() {
    osm_external_exec python3 -c '
import collections, socket, sys
src, proto, ip = sys.argv[1], sys.argv[2], sys.argv[3]
port, n = int(sys.argv[4]), int(sys.argv[5])
fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
count = collections.Counter()
for i in range(n):
    try:
        s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp"
                          else socket.SOCK_DGRAM)
        s.settimeout(3)
        s.bind((src, 0))
        if proto == "tcp":
            s.connect((ip, port))
            s.sendall(b"hello\n")
            name = s.makefile("rb").readline().strip().decode()
        else:
            s.sendto(b"GET", (ip, port))
            name = s.recvfrom(100)[0].decode()
        count[name or "fail"] += 1
        s.close()
    except OSError:
        count["fail"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(count.items())))
' "$@"
}

# one_backend OUTPUT N: succeeds if clients' OUTPUT is N answers, all
# from one backend, and prints that backend.
one_backend() {
    case $1 in
        b[123]=$2) echo "${1%%=*}" ;;
        *) return 1 ;;
    esac
}

check osmotic-nbctl lb-add lbt 172.30.0.100:8080 \
    10.10.1.11:80,10.10.1.12:80,10.10.1.13:80 tcp \
    -- lb-add lbu 172.30.0.100:5683 \
    10.10.1.11:5683,10.10.1.12:5683,10.10.1.13:5683 udp \
    -- lb-add lb6 "[fd00:30::100]:8080" \
    "[fd00:1::11]:80,[fd00:1::12]:80,[fd00:1::13]:80" tcp \
    -- lb-add lba 172.30.0.150 10.10.1.11,10.10.1.12,10.10.1.13
for lb in lbt lbu lb6 lba; do
    check osmotic-nbctl lr-lb-add lr0 $lb
done
check osmotic-nbctl --timeout=20 --wait=hv sync
first_connection() {
    [ "$(clients 172.30.0.1 tcp 172.30.0.100 8080 1)" != fail=1 ]
}
wait_until first_connection

# Without affinity, one client's connections spread.
out=$(clients 172.30.0.1 tcp 172.30.0.100 8080 60) \
    || fail "TCP clients: $out"
echo "60 TCP connections without affinity: $out"
grep -q fail <<<"$out" && fail "TCP without affinity: $out"
one_backend "$out" 60 > /dev/null \
    && fail "60 connections without affinity reached one backend: $out"

TIMEOUT=2
for lb in lbt lbu lb6 lba; do
    check osmotic-nbctl set Load_Balancer $lb \
        options:affinity_timeout=$TIMEOUT
done
check osmotic-nbctl --timeout=20 --wait=hv sync

# Many connections from one client: one backend, for each kind of VIP.
out=$(clients 172.30.0.1 tcp 172.30.0.100 8080 60) \
    || fail "TCP clients: $out"
echo "60 TCP connections from 172.30.0.1 with affinity: $out"
first=$(one_backend "$out" 60) || fail "TCP with affinity: $out"
out=$(clients 172.30.0.2 tcp 172.30.0.100 8080 60) \
    || fail "TCP clients: $out"
echo "60 TCP connections from 172.30.0.2 with affinity: $out"
one_backend "$out" 60 > /dev/null \
    || fail "TCP with affinity from 172.30.0.2: $out"
out=$(clients 172.30.0.1 udp 172.30.0.100 5683 40) \
    || fail "UDP clients: $out"
echo "40 UDP exchanges (new sockets) with affinity: $out"
one_backend "$out" 40 > /dev/null || fail "UDP with affinity: $out"
out=$(clients fd00:30::1 tcp fd00:30::100 8080 40) \
    || fail "TCP6 clients: $out"
echo "40 IPv6 TCP connections with affinity: $out"
one_backend "$out" 40 > /dev/null || fail "IPv6 TCP with affinity: $out"
out=$(clients 172.30.0.2 tcp 172.30.0.150 80 40) \
    || fail "TCP clients: $out"
echo "40 TCP connections to a VIP without a port: $out"
one_backend "$out" 40 > /dev/null \
    || fail "affinity of a VIP without a port: $out"

# The trace shows the lookup on the router (a trace remembers nothing,
# so its packet is balanced as a client's first) and the choice being
# remembered.
PKT='inport == "ln-ext" && eth.src == 02:00:00:00:00:01 && eth.dst == 0a:00:00:00:ee:01 && ip4.src == 172.30.0.1 && ip4.dst == 172.30.0.100 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 8080'
out=$(osmotic-trace --lb-dst=10.10.1.13:80 ext "$PKT") \
    || fail "osmotic-trace: $out"
echo "$out" > "$TESTDIR/trace-aff"
for want in "lr_in_lb_aff_check" "lb_aff_check: no backend remembered" \
        "affinity=$TIMEOUT, proto=tcp)" "choice 3 of 3" \
        "learn: the load balancer remembers" \
        "destination now 10.10.1.13 port 80"; do
    grep -qF "$want" <<<"$out" || fail "trace lacks \"$want\": $out"
done

# After the timeout without a new connection, the client is balanced
# afresh: within a few rounds (each new choice is one of three), another
# backend answers it.
changed=
for round in 1 2 3 4 5 6 7 8 9 10; do
    sleep $((TIMEOUT + 2))
    out=$(clients 172.30.0.1 tcp 172.30.0.100 8080 5) \
        || fail "TCP clients: $out"
    now=$(one_backend "$out" 5) || fail "round $round after the timeout: $out"
    echo "round $round, $((TIMEOUT + 2)) s after the last connection: $out"
    if [ "$now" != "$first" ]; then
        changed=$round
        break
    fi
done
[ -n "$changed" ] \
    || fail "172.30.0.1 stayed on $first through 10 timeouts of affinity"

for pod in b1 b2 b3; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo PASS
