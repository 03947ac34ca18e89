#!/bin/bash
# Load balancers of a router with two gateway ports, on two gateway
# chassis (gw1 for the external network 172.30.0.0/24, gw2 for
# 172.30.1.0/24; one external namespace on both), with backends on two
# hosts behind the router: a client on each network reaches the backends
# through a NodePort on its own gateway port's address, balanced on that
# port's chassis, whose conntrack un-DNATs the replies routed back by the
# same port; every answer comes from the VIP, each backend gets a share,
# and a connection keeps its backend.  Forced SNAT is not applied to
# such a router: the backends see the clients.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
ip netns exec "$OSM_EXTERNAL_NS" ip addr add 172.30.1.1/24 dev brx
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host gw1 172.31.0.3
osm_add_host gw2 172.31.0.4
osm_connect_external gw1 physnet1
osm_connect_external gw2 physnet2

osm_lsp_add sw1 lb1 0a:00:00:00:01:11 10.10.1.11
osm_lsp_add sw2 lb2 0a:00:00:00:02:12 10.10.2.12
check osmotic-nbctl lr-add lr0
for n in 1 2; do
    check osmotic-nbctl lrp-add lr0 lr0-sw$n 0a:00:00:00:ff:0$n 10.10.$n.1/24
    check osmotic-nbctl lsp-add sw$n sw$n-lr0 \
        -- lsp-set-type sw$n-lr0 router \
        -- lsp-set-addresses sw$n-lr0 router \
        -- lsp-set-options sw$n-lr0 router-port=lr0-sw$n
done
osm_add_pod hv1 b1 0a:00:00:00:01:11 10.10.1.11/24 lb1
osm_add_pod hv2 b2 0a:00:00:00:02:12 10.10.2.12/24 lb2
osm_pod_exec b1 ip route add default via 10.10.1.1
osm_pod_exec b2 ip route add default via 10.10.2.1
# Gateway port N on gwN, for external network 172.30.(N-1).0/24 through
# switch extN and physical network physnetN.
for n in 1 2; do
    check osmotic-nbctl lrp-add lr0 lr0-ext$n 0a:00:00:00:ee:0$n \
        172.30.$((n - 1)).100/24
    check osmotic-nbctl lrp-set-gateway-chassis lr0-ext$n gw$n 10
    check osmotic-nbctl ls-add ext$n
    check osmotic-nbctl lsp-add ext$n ln-ext$n \
        -- lsp-set-type ln-ext$n localnet \
        -- lsp-set-addresses ln-ext$n unknown \
        -- lsp-set-options ln-ext$n network_name=physnet$n
    check osmotic-nbctl lsp-add ext$n ext$n-lr0 \
        -- lsp-set-type ext$n-lr0 router \
        -- lsp-set-addresses ext$n-lr0 router \
        -- lsp-set-options ext$n-lr0 router-port=lr0-ext$n
done
osm_prime_underlay hv1 hv2 gw1 gw2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping b1 10.10.1.1
wait_until osm_ping b2 10.10.2.1

# Each backend answers every line of a TCP connection on port 80 and
# every UDP datagram on port 5683 with its name and the source address it
# sees ("b1 10.10.1.1").
SERVER='
import socket, sys, threading
name = sys.argv[1]
def dual(kind):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s
def peer(addr):
    a = addr[0]
    return a[7:] if a.startswith("::ffff:") else a
def tcp():
    s = dual(socket.SOCK_STREAM)
    s.bind(("::", 80))
    s.listen(128)
    while True:
        c, p = s.accept()
        threading.Thread(target=serve, args=(c, p), daemon=True).start()
def serve(c, p):
    f = c.makefile("rb")
    for line in f:
        c.sendall(("%s %s\n" % (name, peer(p))).encode())
    c.close()
threading.Thread(target=tcp, daemon=True).start()
u = dual(socket.SOCK_DGRAM)
u.bind(("::", 5683))
while True:
    data, p = u.recvfrom(100)
    u.sendto(("%s %s" % (name, peer(p))).encode(), p)
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

# clients PROTO IP PORT N: N connections (TCP) or exchanges from a new
# socket each (UDP) from the external namespace to IP:PORT; prints how
# many answers said each "BACKEND/SOURCE" ("b1/10.10.1.1=30"), "fail=K"
# for those that got none and "from=ADDR" for any UDP answer from another
# address than the VIP.
clients() {
    osm_external_exec python3 -c '
import collections, socket, sys
proto, ip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
count = collections.Counter()
for i in range(n):
    try:
        if proto == "tcp":
            s = socket.create_connection((ip, port), timeout=3)
            s.sendall(b"hello\n")
            text = s.makefile("rb").readline().strip().decode()
        else:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(3)
            s.sendto(b"GET", (ip, port))
            data, peer = s.recvfrom(100)
            text = data.decode()
            if peer[:2] != (ip, port):
                count["from=%s:%d" % peer[:2]] += 1
        count[text.replace(" ", "/") or "fail"] += 1
        s.close()
    except OSError:
        count["fail"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(count.items())))
' "$@"
}

# check_spread WHAT OUTPUT SRC: every exchange answered, from the VIP,
# by both backends, each seeing source SRC.
check_spread() {
    local what=$1 out=$2 word
    for word in $out; do
        case $word in
            b1/$3=*|b2/$3=*) ;;
            *) fail "$what: unexpected answers: $out" ;;
        esac
    done
    grep -q "b1/" <<<"$out" && grep -q "b2/" <<<"$out" \
        || fail "$what: a backend got nothing: $out"
}

check osmotic-nbctl lb-add lbt 172.30.0.100:8080 10.10.1.11:80,10.10.2.12:80 \
    tcp -- lb-add lbt 172.30.1.100:8080 10.10.1.11:80,10.10.2.12:80 \
    -- lb-add lbu 172.30.0.100:5683 10.10.1.11:5683,10.10.2.12:5683 udp \
    -- lb-add lbu 172.30.1.100:5683 10.10.1.11:5683,10.10.2.12:5683
check osmotic-nbctl lr-lb-add lr0 lbt -- lr-lb-add lr0 lbu
check osmotic-nbctl --timeout=20 --wait=hv sync
first_connection() {
    [ "$(clients tcp 172.30.0.100 8080 1)" != fail=1 ] \
        && [ "$(clients tcp 172.30.1.100 8080 1)" != fail=1 ]
}
wait_until first_connection

for n in 0 1; do
    out=$(clients tcp 172.30.$n.100 8080 60) || fail "TCP clients: $out"
    echo "60 TCP connections to the NodePort 172.30.$n.100:8080: $out"
    check_spread "TCP to 172.30.$n.100" "$out" 172.30.$n.1
    out=$(clients udp 172.30.$n.100 5683 30) || fail "UDP clients: $out"
    echo "30 UDP exchanges with the NodePort 172.30.$n.100:5683: $out"
    check_spread "UDP to 172.30.$n.100" "$out" 172.30.$n.1
done
# Each port's connections are balanced on its own gateway chassis.
for n in 1 2; do
    osm_host_appctl gw$n dpctl/dump-conntrack > "$TESTDIR/ct-gw$n" 2>&1
done
grep -q "dst=172.30.0.100,sport=[0-9]*,dport=8080" "$TESTDIR/ct-gw1" \
    || fail "gw1 balanced nothing: $(cat "$TESTDIR/ct-gw1")"
grep -q "dst=172.30.1.100,sport=[0-9]*,dport=8080" "$TESTDIR/ct-gw2" \
    || fail "gw2 balanced nothing: $(cat "$TESTDIR/ct-gw2")"
grep -q "dst=172.30.1.100" "$TESTDIR/ct-gw1" \
    && fail "gw1 balanced gw2's connections: $(cat "$TESTDIR/ct-gw1")"
# One connection keeps its backend.
out=$(osm_external_exec python3 -c '
import socket
s = socket.create_connection(("172.30.1.100", 8080), timeout=3)
f = s.makefile("rb")
seen = set()
for i in range(30):
    s.sendall(b"again\n")
    seen.add(f.readline().strip().decode())
print(" ".join(sorted(seen)))') || fail "one connection: $out"
case $out in
    "b1 172.30.1.1"|"b2 172.30.1.1") ;;
    *) fail "one connection through gw2 answered: $out" ;;
esac

# Forced SNAT is not applied with two gateway ports: the backends see
# the clients.
check osmotic-nbctl set Logical_Router lr0 options:lb_force_snat_ip=router_ip
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients tcp 172.30.1.100 8080 30) || fail "TCP clients: $out"
echo "30 TCP connections through gw2 with lb_force_snat_ip set: $out"
check_spread "TCP to 172.30.1.100 with lb_force_snat_ip" "$out" 172.30.1.1

for pod in b1 b2; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo PASS
