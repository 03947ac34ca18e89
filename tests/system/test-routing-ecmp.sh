#!/bin/bash
# ECMP between static routes of equal prefix.  Router lr0 routes
# 10.20.0.0/24 via two next hops, pods n1 (on hv2) and n2 (on hv3), each
# of which owns 10.20.0.1 itself and serves TCP port 8000 with its own
# name.  Connections from a pod on hv1 to 10.20.0.1 spread over both
# (each path is the one that answers), and each connection keeps its
# path: a 1 MB transfer on every connection arrives whole (a packet sent
# the other way would meet no socket there and reset the connection).
# Deleting one route moves every new connection to the other.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
check osmotic-nbctl lrp-add lr0 lr0-sw9 0a:00:00:00:ff:09 10.10.9.1/24
for sw in sw1 sw9; do
    check osmotic-nbctl --may-exist ls-add $sw
    check osmotic-nbctl lsp-add $sw $sw-lr0 -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
# The next hops receive traffic for 10.20.0.1, which is not theirs in
# NB: their ports have addresses but no port security.
for n in 1 2; do
    check osmotic-nbctl lsp-add sw9 ln$n \
        -- lsp-set-addresses ln$n "0a:00:00:00:09:0$n 10.10.9.$((n + 1))"
done
check osmotic-nbctl lr-route-add lr0 10.20.0.0/24 10.10.9.2
check osmotic-nbctl --ecmp lr-route-add lr0 10.20.0.0/24 10.10.9.3
check_error "duplicate nexthop for the same ECMP route" osmotic-nbctl --ecmp lr-route-add lr0 \
    10.20.0.0/24 10.10.9.3

osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_add_pod hv2 n1 0a:00:00:00:09:01 10.10.9.2/24 ln1
osm_add_pod hv3 n2 0a:00:00:00:09:02 10.10.9.3/24 ln2
for n in n1 n2; do
    osm_pod_exec $n ip addr add 10.20.0.1/32 dev lo
    osm_pod_exec $n ip route add default via 10.10.9.1
    # A server that names itself, then reads the client's data and
    # answers with its length.
    ip netns exec "$(osm_ns $n)" timeout "$OSM_CLIENT_TIMEOUT" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.20.0.1", 8000))
s.listen(64)
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[1].encode() + b"\n")
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.sendall(b"%d\n" % n)
    c.close()' $n < /dev/null > /dev/null 2>&1 &
    echo $! > "$TESTDIR/server-$n.pid"
    osm_track_pidfile "$TESTDIR/server-$n.pid"
    wait_until tcp_listening $n 8000
done
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.9.2
wait_until osm_ping p1 10.10.9.3

# connect N: N connections from p1 to 10.20.0.1, one after the other,
# each sending 1 MB; prints the server of each and the bytes it counted.
connect() {
    osm_pod_exec p1 python3 -c '
import socket, sys
data = b"x" * 1048576
for i in range(int(sys.argv[1])):
    c = socket.create_connection(("10.20.0.1", 8000), timeout=10)
    f = c.makefile("rb")
    name = f.readline().decode().strip()
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    print(name, f.readline().decode().strip())
    c.close()' "$1"
}
connect 24 > "$TESTDIR/conns" || fail "connections: $(cat "$TESTDIR/conns")"
cat "$TESTDIR/conns" | sort | uniq -c
[ "$(wc -l < "$TESTDIR/conns")" = 24 ] \
    || fail "not every connection completed: $(cat "$TESTDIR/conns")"
grep -qv " 1048576$" "$TESTDIR/conns" \
    && fail "a connection lost data: $(cat "$TESTDIR/conns")"
grep -q "^n1 " "$TESTDIR/conns" || fail "no connection took n1"
grep -q "^n2 " "$TESTDIR/conns" || fail "no connection took n2"

# One select group on hv1 with both next hops.
check_output 1 pipeline "osm_host_ofctl hv1 dump-groups br-int \
    | grep 'type=select' | grep '0x10001->reg1' | grep -c '0x10002->reg1'"

# Without one of the routes, every connection takes the other.
check osmotic-nbctl lr-route-del lr0 10.20.0.0/24 10.10.9.2
check osmotic-nbctl --timeout=20 --wait=hv sync
connect 8 > "$TESTDIR/conns2" || fail "connections: $(cat "$TESTDIR/conns2")"
check_output 8 pipeline "grep -c '^n2 1048576$' $TESTDIR/conns2"
echo PASS
