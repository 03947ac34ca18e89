#!/bin/bash
# Symmetric ECMP replies.  Router lr0's gateway port lr0-ext
# (172.30.0.100, gateway chassis gw1) routes 192.168.50.0/24 over two
# next hops on the external network, A (172.30.0.11) and B
# (172.30.0.12), with --ecmp-symmetric-reply.  A holds 192.168.50.1 and
# B 192.168.50.2; neither forwards.  Pod p1 on hv1 (10.10.1.10, floating
# IP 172.30.0.110) echoes UDP and TCP.  Datagrams that A sends from many
# source ports and TCP connections it opens, to the pod's address and to
# its floating IP, all get their answers back through A, and B's through
# B, whatever member the pod's host picks for each connection: A's link
# carries every answer to 192.168.50.1, with A's MAC as destination, and
# B's link none of them (and the other way round).  Plain ECMP sends
# some of them to the other next hop, which drops them (its select group
# hashes UDP by addresses only, TCP with the ports too).  The same holds
# for IPv6 datagrams and connections: routes to fd50::/64 via fd30::11 (A) and fd30::12
# (B), whose clients are fd50::1 and fd50::2, to the pod's fd10:1::10.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
osm_external_exec ip addr add fd30::1/64 dev brx nodad
osm_add_host hv1 172.31.0.1
osm_add_host gw1 172.31.0.2
osm_connect_external gw1

MAC_A=0a:00:00:00:aa:0a
MAC_B=0a:00:00:00:bb:0b
# add_nexthop NAME MAC IP CLIENT-IP IP6 CLIENT-IP6: namespace NAME on
# the external network with MAC, IP and IP6 on its "eth0" (whose bridge
# end is "x-NAME"), CLIENT-IP and CLIENT-IP6 on its loopback, and routes
# to the pods via lr0-ext.
add_nexthop() {
    local name=$1 mac=$2 ip=$3 client=$4 ip6=$5 client6=$6 ns
    ns=$(osm_ns "$name")
    osm_add_netns "$ns"
    ip link add name eth0 netns "$ns" type veth \
        peer name "x-$name" netns "$OSM_EXTERNAL_NS" \
        || fail "veth of $name"
    osm_external_exec ip link set "x-$name" master brx up
    osm_external_exec ethtool -K "x-$name" tx off > /dev/null 2>&1
    ip netns exec "$ns" ip link set eth0 address "$mac" up
    ip netns exec "$ns" ethtool -K eth0 tx off > /dev/null 2>&1
    ip netns exec "$ns" ip addr add "$ip/24" dev eth0
    ip netns exec "$ns" ip addr add "$client/32" dev lo
    ip netns exec "$ns" ip route add 10.10.0.0/16 via 172.30.0.100 \
        src "$client" || fail "route of $name"
    ip netns exec "$ns" ip route add 172.30.0.110/32 via 172.30.0.100 \
        src "$client" || fail "route of $name"
    ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=0
    ip netns exec "$ns" ip -6 addr add "$ip6/64" dev eth0 nodad
    ip netns exec "$ns" ip -6 addr add "$client6/128" dev lo nodad
    ip netns exec "$ns" ip -6 route add fd10:1::/64 via fd30::100 \
        src "$client6" || fail "IPv6 route of $name"
}
add_nexthop nha $MAC_A 172.30.0.11 192.168.50.1 fd30::11 fd50::1
add_nexthop nhb $MAC_B 172.30.0.12 192.168.50.2 fd30::12 fd50::2
# nh_exec NAME CMD...: runs CMD in next hop NAME's namespace.
nh_exec() {
    local name=$1
    shift
    ip netns exec "$(osm_ns "$name")" timeout "$OSM_CLIENT_TIMEOUT" "$@"
}

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24 \
    fd10:1::1/64
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 "10.10.1.10 fd10:1::10"
check osmotic-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router \
    -- lsp-set-addresses sw1-lr0 router \
    -- lsp-set-options sw1-lr0 router-port=lr0-sw1
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24 \
    fd30::100/64
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 20
check osmotic-nbctl ls-add ext
check osmotic-nbctl lsp-add ext ln-ext -- lsp-set-type ln-ext localnet \
    -- lsp-set-addresses ln-ext unknown \
    -- lsp-set-options ln-ext network_name=physnet
check osmotic-nbctl lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router \
    -- lsp-set-addresses ext-lr0 router \
    -- lsp-set-options ext-lr0 router-port=lr0-ext
check osmotic-nbctl --ecmp-symmetric-reply lr-route-add lr0 \
    192.168.50.0/24 172.30.0.11
check osmotic-nbctl --ecmp-symmetric-reply lr-route-add lr0 \
    192.168.50.0/24 172.30.0.12
for nh in fd30::11 fd30::12; do
    check osmotic-nbctl --ecmp-symmetric-reply lr-route-add lr0 fd50::/64 $nh
done
check osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.30.0.110 10.10.1.10

osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_pod_exec p1 ip -6 addr add fd10:1::10/64 dev eth0 nodad
osm_pod_exec p1 ip -6 route add default via fd10:1::1
osm_host_exec hv1 sysctl -qw net.ipv6.conf.v-p1.disable_ipv6=1
# UDP and TCP echo servers on port 5201.
ip netns exec "$(osm_ns p1)" timeout "$OSM_CLIENT_TIMEOUT" python3 -c '
import socket, socketserver, threading
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline())
socketserver.ThreadingTCPServer.allow_reuse_address = True
tcp = socketserver.ThreadingTCPServer(("0.0.0.0", 5201), Echo)
threading.Thread(target=tcp.serve_forever, daemon=True).start()
class Echo6(socketserver.ThreadingTCPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()
tcp6 = Echo6(("::", 5201), Echo)
threading.Thread(target=tcp6.serve_forever, daemon=True).start()
def udp(family, address):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((address, 5201))
    while True:
        d, a = s.recvfrom(2048)
        s.sendto(d, a)
threading.Thread(target=udp, args=(socket.AF_INET6, "::"),
                 daemon=True).start()
udp(socket.AF_INET, "0.0.0.0")' < /dev/null > /dev/null 2>&1 &
echo $! > "$TESTDIR/server.pid"
osm_track_pidfile "$TESTDIR/server.pid"
wait_until tcp_listening p1 5201

osm_prime_underlay hv1 gw1
check osmotic-nbctl --timeout=20 --wait=hv sync

# The router learns both next hops' MACs (the first packets to each ask
# for it).
wait_until osm_ping p1 172.30.0.11
wait_until osm_ping p1 172.30.0.12
wait_until osm_ping p1 fd30::11 -6
wait_until osm_ping p1 fd30::12 -6
# mac_binding IP: the MAC the southbound database binds IP to.
mac_binding() {
    osmotic-sbctl --bare --columns=mac find MAC_Binding ip="$1"
}
# prints EXPECTED CMD...: CMD prints EXPECTED (for wait_until).
prints() {
    local expected=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$expected" ]
}
wait_until prints $MAC_A mac_binding 172.30.0.11
wait_until prints $MAC_B mac_binding 172.30.0.12
wait_until prints $MAC_A mac_binding '"fd30::11"'
wait_until prints $MAC_B mac_binding '"fd30::12"'
check osmotic-nbctl --timeout=20 --wait=hv sync

# echoes NAME DST N: from next hop NAME, one datagram to DST port 5201
# from each of N sockets (N source ports, N connections); prints how
# many were answered.
echoes() {
    nh_exec "$1" python3 -c '
import socket, sys
dst, n = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(n):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(b"hello %d" % i, (dst, 5201))
    socks.append(s)
answered = 0
for s in socks:
    try:
        s.recvfrom(2048)
        answered += 1
    except socket.timeout:
        pass
print(answered)' "$2" "$3"
}
# tcp_echoes NAME DST N: from next hop NAME, N TCP connections to DST
# port 5201, one line each; prints how many were echoed.
tcp_echoes() {
    nh_exec "$1" python3 -c '
import socket, sys
dst, n = sys.argv[1], int(sys.argv[2])
echoed = 0
for i in range(n):
    try:
        c = socket.create_connection((dst, 5201), timeout=3)
        c.sendall(b"hello %d\n" % i)
        if c.makefile("rb").readline() == b"hello %d\n" % i:
            echoed += 1
        c.close()
    except OSError:
        pass
print(echoed)' "$2" "$3"
}
# A first connection each way, so that every path is warm.
wait_until prints 1 echoes nha 10.10.1.10 1
wait_until prints 1 echoes nhb 10.10.1.10 1
wait_until prints 1 echoes nha fd10:1::10 1
wait_until prints 1 echoes nhb fd10:1::10 1

# What each next hop's link carries, with MACs.
for nh in nha nhb; do
    ip netns exec "$OSM_EXTERNAL_NS" timeout 60 tcpdump -l -n -e -Q out \
        -i "x-$nh" "src port 5201" > "$TESTDIR/cap-$nh" 2>&1 &
    echo $! > "$TESTDIR/tcpdump-$nh.pid"
    osm_track_pidfile "$TESTDIR/tcpdump-$nh.pid"
done
sleep 1

N=16
for dst in 10.10.1.10 172.30.0.110; do
    for nh in nha nhb; do
        n=$(echoes $nh $dst $N)
        echo "$nh -> $dst: $n of $N answered"
        [ "$n" = $N ] || fail "$nh -> $dst: $n of $N datagrams answered"
        n=$(tcp_echoes $nh $dst $N)
        echo "$nh -> $dst: $n of $N TCP connections echoed"
        [ "$n" = $N ] || fail "$nh -> $dst: $n of $N TCP connections echoed"
    done
done
for nh in nha nhb; do
    n=$(echoes $nh fd10:1::10 $N)
    echo "$nh -> fd10:1::10: $n of $N answered"
    [ "$n" = $N ] || fail "$nh -> fd10:1::10: $n of $N datagrams answered"
    n=$(tcp_echoes $nh fd10:1::10 $N)
    echo "$nh -> fd10:1::10: $n of $N TCP connections echoed"
    [ "$n" = $N ] \
        || fail "$nh -> fd10:1::10: $n of $N TCP connections echoed"
done
sleep 1
for nh in nha nhb; do
    kill "$(cat "$TESTDIR/tcpdump-$nh.pid")" 2>/dev/null
    wait "$(cat "$TESTDIR/tcpdump-$nh.pid")" 2>/dev/null
done
# count NAME PATTERN: the captured frames on NAME's link that match.
count() {
    grep -c -e "$2" "$TESTDIR/cap-$1" || true
}
for dst in 10.10.1.10 172.30.0.110; do
    check_output $N count nha \
        "> $MAC_A, .* $dst\.5201 > 192\.168\.50\.1\.[0-9]*: UDP"
    check_output $N count nhb \
        "> $MAC_B, .* $dst\.5201 > 192\.168\.50\.2\.[0-9]*: UDP"
    # Every TCP connection's SYN-ACK.
    check_output $N count nha \
        "> $MAC_A, .* $dst\.5201 > 192\.168\.50\.1\.[0-9]*: Flags \[S\.\]"
    check_output $N count nhb \
        "> $MAC_B, .* $dst\.5201 > 192\.168\.50\.2\.[0-9]*: Flags \[S\.\]"
    check_output 0 count nhb "$dst\.5201 > 192\.168\.50\.1\."
    check_output 0 count nha "$dst\.5201 > 192\.168\.50\.2\."
done
check_output $N count nha "> $MAC_A, .* fd10:1::10\.5201 > fd50::1\.[0-9]*: UDP"
check_output $N count nhb "> $MAC_B, .* fd10:1::10\.5201 > fd50::2\.[0-9]*: UDP"
check_output $N count nha \
    "> $MAC_A, .* fd10:1::10\.5201 > fd50::1\.[0-9]*: Flags \[S\.\]"
check_output $N count nhb \
    "> $MAC_B, .* fd10:1::10\.5201 > fd50::2\.[0-9]*: Flags \[S\.\]"
check_output 0 count nhb "fd10:1::10\.5201 > fd50::1\."
check_output 0 count nha "fd10:1::10\.5201 > fd50::2\."

# The gateway committed the connections from the next hops with the
# port's key (ct_mark bits 16..31) and the next hop's MAC (ct_label bits
# 32..79): every datagram's connection, to the pod and (DNATed) to its
# floating IP.
KEY=$(osmotic-sbctl --bare --columns=tunnel_key find Port_Binding \
          logical_port=lr0-ext)
osm_host_appctl gw1 dpctl/dump-conntrack > "$TESTDIR/conntrack" \
    || fail "dump-conntrack"
grep "192.168.50" "$TESTDIR/conntrack" | head -4
# committed NEXT-HOP-IP MAC: how many of the gateway's connections from
# NEXT-HOP-IP carry the port's key and MAC.
committed() {
    local label
    label=0x$(echo "${2}00000000" | tr -d : | sed 's/^0*//')
    grep "src=$1," "$TESTDIR/conntrack" \
        | grep "mark=$((KEY << 16))," | grep -c "labels=$label\($\|,\)" \
        || true
}
n=$(committed 192.168.50.1 $MAC_A)
[ "$n" -ge $((4 * N)) ] || fail "$n connections from A committed"
n=$(committed 192.168.50.2 $MAC_B)
[ "$n" -ge $((4 * N)) ] || fail "$n connections from B committed"
echo PASS
