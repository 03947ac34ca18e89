#!/bin/bash
# BFD on static routes.  Router lr0's gateway port lr0-ext (172.30.0.100,
# gateway chassis gw1) routes 192.168.50.0/24 via next hop A
# (172.30.0.11) with a BFD session (lr-route-add --bfd), and the less
# specific 192.168.0.0/16 via next hop B (172.30.0.12), the backup.
# Both next hops own 192.168.50.1 and answer TCP on port 8000 with their
# name.  While no BFD peer answers in A, the session is down: NB
# BFD:status says so and pod p1 on hv1 reaches 192.168.50.1 through B.
# Once a BFD responder runs in A (a small one in Python, RFC 5880's
# asynchronous mode), the session comes up and the traffic takes A;
# when the responder stops, the session goes down and the traffic takes
# B again.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
osm_add_host hv1 172.31.0.1
osm_add_host gw1 172.31.0.2
osm_connect_external gw1

# add_nexthop NAME MAC IP: namespace NAME on the external network with
# MAC and IP on its "eth0", 192.168.50.1 on its loopback, a route to the
# pods via lr0-ext, and a TCP server on 192.168.50.1:8000 that answers
# with NAME.
add_nexthop() {
    local name=$1 mac=$2 ip=$3 ns
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
    ip netns exec "$ns" ip addr add 192.168.50.1/32 dev lo
    ip netns exec "$ns" ip route add 10.10.0.0/16 via 172.30.0.100 \
        || fail "route of $name"
    ip netns exec "$ns" timeout "$OSM_CLIENT_TIMEOUT" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.50.1", 8000))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[1].encode() + b"\n")
    c.close()' "$name" < /dev/null > /dev/null 2>&1 &
    echo $! > "$TESTDIR/server-$name.pid"
    osm_track_pidfile "$TESTDIR/server-$name.pid"
    wait_until tcp_listening "$name" 8000
}
add_nexthop nha 0a:00:00:00:aa:0a 172.30.0.11
add_nexthop nhb 0a:00:00:00:bb:0b 172.30.0.12

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
check osmotic-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router \
    -- lsp-set-addresses sw1-lr0 router \
    -- lsp-set-options sw1-lr0 router-port=lr0-sw1
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 20
check osmotic-nbctl ls-add ext
check osmotic-nbctl lsp-add ext ln-ext -- lsp-set-type ln-ext localnet \
    -- lsp-set-addresses ln-ext unknown \
    -- lsp-set-options ln-ext network_name=physnet
check osmotic-nbctl lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router \
    -- lsp-set-addresses ext-lr0 router \
    -- lsp-set-options ext-lr0 router-port=lr0-ext
# No warning: BFD on routes is applied.
check_output "" pipeline "osmotic-nbctl --bfd lr-route-add lr0 \
    192.168.50.0/24 172.30.0.11 lr0-ext 2>&1 >/dev/null"
check osmotic-nbctl lr-route-add lr0 192.168.0.0/16 172.30.0.12
bfd=$(osmotic-nbctl --bare --columns=_uuid find BFD dst_ip=172.30.0.11) \
    || fail "find BFD"
# Short intervals: down within 3 x 100 ms of the peer's silence.
check osmotic-nbctl set BFD "$bfd" min_tx=100 min_rx=100 detect_mult=3

osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_prime_underlay hv1 gw1
check osmotic-nbctl --timeout=20 --wait=hv sync

# SB has the session, with the NB timers.
check_output "lr0-ext 172.30.0.11 100 100 3" pipeline \
    "osmotic-sbctl --bare --columns=logical_port,dst_ip,min_tx,min_rx,detect_mult \
     list BFD | xargs"

# prints EXPECTED CMD...: CMD prints EXPECTED (for wait_until).
prints() {
    local expected=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$expected" ]
}
# bfd_status: NB BFD:status of the session.
bfd_status() {
    osmotic-nbctl --bare --columns=status list BFD "$bfd"
}
# path: the name of the next hop that answers p1's connection to
# 192.168.50.1.
path() {
    osm_pod_exec p1 python3 -c '
import socket
c = socket.create_connection(("192.168.50.1", 8000), timeout=2)
print(c.makefile().readline().strip())'
}
# path_is NAME: p1's connections go through next hop NAME.
path_is() {
    [ "$(path 2>/dev/null)" = "$1" ]
}

# No BFD peer: the session is down, the route withdrawn; traffic takes
# the /16 through B.
wait_until prints down bfd_status
wait_until path_is nhb
check_output nhb path

# A BFD responder in A: asynchronous mode, 100 ms intervals, detect
# multiplier 3, no authentication.
ip netns exec "$(osm_ns nha)" timeout "$OSM_CLIENT_TIMEOUT" python3 -c '
import random, select, socket, struct, time
DOWN, INIT, UP = 1, 2, 3
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("172.30.0.11", 3784))
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
tx.bind(("172.30.0.11", 49999))
my_disc = random.randint(1, 2**32 - 1)
state, your_disc, last, final = DOWN, 0, 0.0, False
next_tx = time.time()
while True:
    r, _, _ = select.select([rx], [], [], max(0, next_tx - time.time()))
    now = time.time()
    if r:
        d, a = rx.recvfrom(512)
        if len(d) >= 24 and d[0] >> 5 == 1:
            rstate = d[1] >> 6
            your_disc = struct.unpack("!I", d[4:8])[0]
            last = now
            if rstate == 0:
                state = DOWN
            elif state == DOWN and rstate == DOWN:
                state = INIT
            elif state == DOWN and rstate == INIT:
                state = UP
            elif state == INIT and rstate in (INIT, UP):
                state = UP
            elif state == UP and rstate == DOWN:
                state = DOWN
            final = bool(d[1] & 0x20)
    if state in (INIT, UP) and now - last > 0.3:
        state, your_disc = DOWN, 0
    if final or now >= next_tx:
        flags = (state << 6) | (0x10 if final else 0)
        pkt = struct.pack("!BBBBIIIII", 1 << 5, flags, 3, 24, my_disc,
                          your_disc, 100000, 100000, 0)
        tx.sendto(pkt, ("172.30.0.100", 3784))
        final = False
        if now >= next_tx:
            next_tx = now + 0.1 * random.uniform(0.75, 1.0)
' < /dev/null > /dev/null 2>&1 &
bfd_pid=$!
echo $bfd_pid > "$TESTDIR/bfd-peer.pid"
osm_track_pidfile "$TESTDIR/bfd-peer.pid"

# The session comes up: the route is used, traffic takes A.
wait_until prints up bfd_status
check_output up osmotic-sbctl --bare --columns=status list BFD
wait_until path_is nha
check_output nha path

# The peer stops: the session goes down, the route is withdrawn and
# traffic takes B again.
kill "$bfd_pid"
wait_until prints down bfd_status
wait_until path_is nhb
check_output nhb path
echo PASS
