#!/bin/bash
# Forced SNAT of a router's load-balanced connections (Logical_Router
# options:lb_force_snat_ip, as ovn-kubernetes sets on its gateway
# routers), with real traffic from an external network through the
# router's gateway port (gw1) to backends on two switches and two hosts
# behind it.  Without the option each backend sees the client's address;
# with router_ip, the address of the router port toward it (10.10.1.1
# for b1, 10.10.2.1 for b2; fd00:1::1 over IPv6), for TCP and UDP, and
# every reply gets back to the client from the VIP; with configured
# addresses, those (IPv4 and IPv6); the router's own address still
# answers pings from a backend; the option removed, the client's address
# again.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
ip netns exec "$OSM_EXTERNAL_NS" ip -6 addr add fd00:30::1/64 dev brx nodad
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host gw1 172.31.0.3
osm_connect_external gw1

osm_lsp_add sw1 lb1 0a:00:00:00:01:11 "10.10.1.11 fd00:1::11"
osm_lsp_add sw2 lb2 0a:00:00:00:02:12 "10.10.2.12 fd00:2::12"
check osmotic-nbctl lr-add lr0
for n in 1 2; do
    check osmotic-nbctl lrp-add lr0 lr0-sw$n 0a:00:00:00:ff:0$n \
        10.10.$n.1/24 fd00:$n::1/64
    check osmotic-nbctl lsp-add sw$n sw$n-lr0 \
        -- lsp-set-type sw$n-lr0 router \
        -- lsp-set-addresses sw$n-lr0 router \
        -- lsp-set-options sw$n-lr0 router-port=lr0-sw$n
done
osm_add_pod hv1 b1 0a:00:00:00:01:11 10.10.1.11/24 lb1
osm_add_pod hv2 b2 0a:00:00:00:02:12 10.10.2.12/24 lb2
for n in 1 2; do
    pod=b$n
    host=hv$n
    osm_pod_exec $pod ip route add default via 10.10.$n.1
    osm_pod_exec $pod ip -6 addr add fd00:$n::1$n/64 dev eth0 nodad
    osm_pod_exec $pod ip -6 route add default via fd00:$n::1
    osm_host_exec $host sysctl -qw \
        "net.ipv6.conf.$(echo "v-$pod" | cut -c1-15).disable_ipv6=1"
done
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

# check_sources WHAT OUTPUT SRC1 SRC2: every exchange answered, from the
# VIP, by b1 seeing source SRC1 or b2 seeing SRC2, and each backend
# answered.
check_sources() {
    local what=$1 out=$2 word
    for word in $out; do
        case $word in
            b1/$3=*|b2/$4=*) ;;
            *) fail "$what: unexpected answers: $out" ;;
        esac
    done
    grep -q "b1/" <<<"$out" && grep -q "b2/" <<<"$out" \
        || fail "$what: a backend got nothing: $out"
}

check osmotic-nbctl lb-add lbt 172.30.0.100:8080 10.10.1.11:80,10.10.2.12:80 \
    tcp -- lb-add lbu 172.30.0.100:5683 10.10.1.11:5683,10.10.2.12:5683 udp \
    -- lb-add lb6 "[fd00:30::100]:8080" "[fd00:1::11]:80,[fd00:2::12]:80" tcp
for lb in lbt lbu lb6; do
    check osmotic-nbctl lr-lb-add lr0 $lb
done
check osmotic-nbctl --timeout=20 --wait=hv sync
first_connection() {
    [ "$(clients tcp 172.30.0.100 8080 1)" != fail=1 ]
}
wait_until first_connection

# Without the option, the backends see the client.
out=$(clients tcp 172.30.0.100 8080 40) || fail "TCP clients: $out"
echo "40 TCP connections without forced SNAT: $out"
check_sources "TCP without forced SNAT" "$out" 172.30.0.1 172.30.0.1

# router_ip: the address of the router port toward the backend.
check osmotic-nbctl set Logical_Router lr0 options:lb_force_snat_ip=router_ip
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients tcp 172.30.0.100 8080 100) || fail "TCP clients: $out"
echo "100 TCP connections, lb_force_snat_ip=router_ip: $out"
check_sources "TCP with router_ip" "$out" 10.10.1.1 10.10.2.1
out=$(clients udp 172.30.0.100 5683 40) || fail "UDP clients: $out"
echo "40 UDP exchanges, lb_force_snat_ip=router_ip: $out"
check_sources "UDP with router_ip" "$out" 10.10.1.1 10.10.2.1
out=$(clients tcp fd00:30::100 8080 40) || fail "TCP6 clients: $out"
echo "40 IPv6 TCP connections, lb_force_snat_ip=router_ip: $out"
check_sources "IPv6 TCP with router_ip" "$out" fd00:1::1 fd00:2::1
# One connection keeps its backend and its translation.
out=$(osm_external_exec python3 -c '
import socket
s = socket.create_connection(("172.30.0.100", 8080), timeout=3)
f = s.makefile("rb")
seen = set()
for i in range(30):
    s.sendall(b"again\n")
    seen.add(f.readline().strip().decode())
print(" ".join(sorted(seen)))') || fail "one connection: $out"
case $out in
    "b1 10.10.1.1"|"b2 10.10.2.1") ;;
    *) fail "one connection with router_ip answered: $out" ;;
esac
# The router still answers a backend's pings to its own address.
check_ping b1 10.10.1.1

# Configured addresses, one per family.
check osmotic-nbctl set Logical_Router lr0 \
    'options:lb_force_snat_ip="192.168.99.1 fd00:99::1"'
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients tcp 172.30.0.100 8080 60) || fail "TCP clients: $out"
echo "60 TCP connections, lb_force_snat_ip=192.168.99.1: $out"
check_sources "TCP with 192.168.99.1" "$out" 192.168.99.1 192.168.99.1
out=$(clients udp 172.30.0.100 5683 40) || fail "UDP clients: $out"
echo "40 UDP exchanges, lb_force_snat_ip=192.168.99.1: $out"
check_sources "UDP with 192.168.99.1" "$out" 192.168.99.1 192.168.99.1
out=$(clients tcp fd00:30::100 8080 40) || fail "TCP6 clients: $out"
echo "40 IPv6 TCP connections, lb_force_snat_ip=fd00:99::1: $out"
check_sources "IPv6 TCP with fd00:99::1" "$out" fd00:99::1 fd00:99::1

# The option removed: the client's address again.
check osmotic-nbctl remove Logical_Router lr0 options lb_force_snat_ip
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients tcp 172.30.0.100 8080 40) || fail "TCP clients: $out"
echo "40 TCP connections, option removed: $out"
check_sources "TCP after removing the option" "$out" 172.30.0.1 172.30.0.1

for pod in b1 b2; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo PASS
