#!/bin/bash
# Session affinity of switch load balancers (Load_Balancer
# options:affinity_timeout, Kubernetes' sessionAffinity: ClientIP), with
# real traffic, pods on two hosts behind a router: many connections from
# one client all reach one backend, for a TCP VIP, a UDP VIP, an IPv6 VIP
# and a VIP without a port; a second client keeps its own backend; once
# the timeout has passed since a client's last connection, its next
# connection is balanced afresh (the backend may change, and does within
# a few rounds); a backend removed from the VIP no longer gets the
# clients that had it; the trace shows the affinity lookup.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw0 0a:00:00:00:ff:01 10.10.1.1/24 \
    fd00:10::1/64
check osmotic-nbctl ls-add sw0
check osmotic-nbctl lsp-add sw0 sw0-lr0 \
    -- lsp-set-type sw0-lr0 router \
    -- lsp-set-addresses sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lr0-sw0

# add_pod HOST POD N: a pod on sw0 with addresses 10.10.1.N and
# fd00:10::N and default routes to the router.
add_pod() {
    local host=$1 pod=$2 n=$3 mac
    mac=0a:00:00:00:01:$n
    check osmotic-nbctl lsp-add sw0 "l$pod" \
        -- lsp-set-addresses "l$pod" "$mac 10.10.1.$n fd00:10::$n" \
        -- lsp-set-port-security "l$pod" "$mac 10.10.1.$n fd00:10::$n"
    osm_add_pod "$host" "$pod" "$mac" "10.10.1.$n/24" "l$pod"
    osm_pod_exec "$pod" ip -6 addr add "fd00:10::$n/64" dev eth0 nodad
    osm_pod_exec "$pod" ip route add default via 10.10.1.1
    osm_pod_exec "$pod" ip -6 route add default via fd00:10::1
}
add_pod hv1 b1 11
add_pod hv2 b2 12
add_pod hv2 b3 13
add_pod hv1 c1 21
add_pod hv2 c2 22
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping c1 10.10.1.1
wait_until osm_ping c1 fd00:10::1 -6
check_ping c2 10.10.1.11
wait_until osm_ping c2 fd00:10::11 -6

# Each backend answers every line of a TCP connection on port 80 (IPv4
# and IPv6) and every UDP datagram on port 5683 with its own name.
SERVER='
import socket, sys, threading
name = sys.argv[1].encode()
def tcp():
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
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
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 5683))
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

# clients POD PROTO IP PORT N: N connections (TCP) or exchanges from a new
# socket each (UDP) from POD to IP:PORT; prints how many each backend
# answered ("b2=60"), and "fail=K" for those that got no answer.
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
            s.settimeout(3)
            s.sendto(b"GET", (ip, port))
            name = s.recvfrom(100)[0].decode()
        count[name or "fail"] += 1
        s.close()
    except OSError:
        count["fail"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(count.items())))
' "$2" "$3" "$4" "$5"
}

# one_backend OUTPUT N: succeeds if clients' OUTPUT is N answers, all
# from one backend, and prints that backend.
one_backend() {
    case $1 in
        b[123]=$2) echo "${1%%=*}" ;;
        *) return 1 ;;
    esac
}

TIMEOUT=2
check osmotic-nbctl lb-add lbt 172.30.0.10:80 \
    10.10.1.11:80,10.10.1.12:80,10.10.1.13:80 tcp \
    -- lb-add lbu 172.30.0.10:5683 \
    10.10.1.11:5683,10.10.1.12:5683,10.10.1.13:5683 udp \
    -- lb-add lb6 [fd00:100::10]:80 \
    "[fd00:10::11]:80,[fd00:10::12]:80,[fd00:10::13]:80" tcp \
    -- lb-add lba 172.30.0.30 10.10.1.11,10.10.1.12,10.10.1.13
for lb in lbt lbu lb6 lba; do
    check osmotic-nbctl set Load_Balancer $lb \
        options:affinity_timeout=$TIMEOUT -- ls-lb-add sw0 $lb
done
check osmotic-nbctl --timeout=20 --wait=hv sync

# Many connections from one client: one backend, for each kind of VIP.
out=$(clients c1 tcp 172.30.0.10 80 60) || fail "TCP clients: $out"
echo "60 TCP connections from c1 with affinity: $out"
first=$(one_backend "$out" 60) || fail "TCP with affinity from c1: $out"
out=$(clients c2 tcp 172.30.0.10 80 60) || fail "TCP clients: $out"
echo "60 TCP connections from c2 with affinity: $out"
one_backend "$out" 60 > /dev/null || fail "TCP with affinity from c2: $out"
out=$(clients c1 udp 172.30.0.10 5683 40) || fail "UDP clients: $out"
echo "40 UDP exchanges (new sockets) from c1 with affinity: $out"
one_backend "$out" 40 > /dev/null || fail "UDP with affinity from c1: $out"
out=$(clients c1 tcp fd00:100::10 80 40) || fail "TCP6 clients: $out"
echo "40 IPv6 TCP connections from c1 with affinity: $out"
one_backend "$out" 40 > /dev/null || fail "IPv6 TCP with affinity: $out"
out=$(clients c2 tcp 172.30.0.30 80 40) || fail "TCP clients: $out"
echo "40 TCP connections from c2 to a VIP without a port: $out"
one_backend "$out" 40 > /dev/null \
    || fail "affinity of a VIP without a port: $out"

# The trace shows the lookup (a trace remembers nothing, so its packet is
# balanced as a client's first) and the choice being remembered.
PKT='inport == "lc1" && eth.src == 0a:00:00:00:01:21 && eth.dst == 0a:00:00:00:ff:01 && ip4.src == 10.10.1.21 && ip4.dst == 172.30.0.10 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80'
out=$(osmotic-trace sw0 "$PKT") || fail "osmotic-trace: $out"
echo "$out" > "$TESTDIR/trace-aff"
for want in "ls_in_lb_aff_check" "lb_aff_check: no backend remembered" \
        "affinity=$TIMEOUT, proto=tcp)" "learn: the load balancer remembers" \
        "destination now 10.10.1.11 port 80"; do
    grep -qF "$want" <<<"$out" || fail "trace lacks \"$want\": $out"
done
out=$(osmotic-trace --lb-dst=10.10.1.13:80 sw0 "$PKT") \
    || fail "osmotic-trace --lb-dst: $out"
grep -qF "choice 3 of 3" <<<"$out" \
    && grep -qF "destination now 10.10.1.13 port 80" <<<"$out" \
    || fail "trace --lb-dst=10.10.1.13:80 with affinity: $out"

# After the timeout without a new connection, the client is balanced
# afresh: within a few rounds (each new choice is one of three), another
# backend answers it.
changed=
for round in 1 2 3 4 5 6 7 8 9 10; do
    sleep $((TIMEOUT + 2))
    out=$(clients c1 tcp 172.30.0.10 80 5) || fail "TCP clients: $out"
    now=$(one_backend "$out" 5) || fail "round $round after the timeout: $out"
    echo "round $round, $((TIMEOUT + 2)) s after c1's last connection: $out"
    if [ "$now" != "$first" ]; then
        changed=$round
        break
    fi
done
[ -n "$changed" ] \
    || fail "c1 stayed on $first through 10 timeouts of affinity"

# A backend removed from the VIP: its clients go to the others, at once.
vips="10.10.1.11:80,10.10.1.12:80,10.10.1.13:80"
case $now in
    b1) vips=10.10.1.12:80,10.10.1.13:80 ;;
    b2) vips=10.10.1.11:80,10.10.1.13:80 ;;
    b3) vips=10.10.1.11:80,10.10.1.12:80 ;;
esac
check osmotic-nbctl --may-exist lb-add lbt 172.30.0.10:80 "$vips"
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp 172.30.0.10 80 30) || fail "TCP clients: $out"
echo "30 TCP connections from c1 after its backend $now left: $out"
other=$(one_backend "$out" 30) && [ "$other" != "$now" ] \
    || fail "c1 after its backend $now left the VIP: $out"

for pod in b1 b2 b3; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo "PASS"
