#!/bin/bash
# Stateful ACLs over IPv6, with real traffic between pods on two hosts:
# allow-related lets the replies of an allowed TCP connection in while a
# new inbound connection is dropped; an ICMPv6 error of an allowed
# connection passes as related traffic through ACLs that drop the rest;
# neighbour discovery works for ports whose own traffic the ACLs drop
# (it passes the ACL stages of a stateful switch untouched, as in OVN);
# reject answers TCP with a reset, UDP with an ICMPv6 port unreachable
# and a ping with an ICMPv6 "administratively prohibited".
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

for i in 1 2 3; do
    mac=0a:00:00:00:56:0$i
    osm_lsp_add sw0 lp$i "$mac" "10.244.0.$i fd00::$i"
done
osm_add_pod hv1 p1 0a:00:00:00:56:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:56:02 10.244.0.2/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:56:03 10.244.0.3/24 lp3
for i in 1 2 3; do
    osm_pod_exec p$i ip -6 addr add fd00::$i/64 dev eth0 nodad
done
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 fd00::2 -6
check_ping p3 fd00::2 -6

acl_sync() {
    check osmotic-nbctl --timeout=20 --wait=hv sync
    osm_fresh_datapath hv1 hv2
}
# forget_neighbours POD...: each POD forgets the link-layer addresses it
# learned, so that its next packet to a neighbour starts with a neighbour
# solicitation.
forget_neighbours() {
    local p
    for p in "$@"; do
        osm_pod_exec "$p" ip -6 neigh flush dev eth0
        osm_pod_exec "$p" ip -4 neigh flush dev eth0
    done
}

# p1 may open TCP connections and nothing else over IPv6; p2 accepts
# only TCP port 5201 from p1.  Neighbour discovery is neither, so the
# ACLs would drop it, as they drop p1's pings.
check osmotic-nbctl --timeout=20 \
    -- acl-add sw0 from-lport 1000 'inport == "lp1" && ip6' drop \
    -- acl-add sw0 from-lport 1001 'inport == "lp1" && ip6 && tcp' \
       allow-related \
    -- acl-add sw0 to-lport 1000 'outport == "lp2" && ip6' drop \
    -- acl-add sw0 to-lport 1001 \
       'outport == "lp2" && ip6.src == fd00::1 && tcp.dst == 5201' \
       allow-related
acl_sync
forget_neighbours p1 p2 p3

# Neighbour discovery and the allowed connection, with its replies.
check_tcp_transfer p1 p2 fd00::2 1000000
out=$(osm_pod_exec p1 ip -6 neigh show fd00::2 dev eth0)
grep -q "lladdr 0a:00:00:00:56:02" <<<"$out" \
    || fail "p1 did not resolve fd00::2 through its ACLs: $out"
# New inbound connections to p2 are dropped: pings, TCP from p3.
check_no_ping p1 fd00::2 -6
check_no_ping p3 fd00::2 -6
( check_tcp_transfer p3 p2 fd00::2 1000 ) 2>/dev/null \
    && fail "TCP from p3 reached p2 over IPv6"
# p3's solicitations for p2 passed p2's egress ACLs all the same.
out=$(osm_pod_exec p3 ip -6 neigh show fd00::2 dev eth0)
grep -q "lladdr 0a:00:00:00:56:02" <<<"$out" \
    || fail "p3 did not resolve fd00::2 through p2's ACLs: $out"
# p2's own connections get their replies through both drops.
check_ping p2 fd00::3 -6
check_ping p2 fd00::1 -6

# An ICMPv6 error of an allowed connection is related traffic: p2's UDP
# datagram to a closed port of p1 gets p1's port unreachable through
# p1's ingress drop and p2's egress drop, so the connected socket's
# recv() fails at once.
udp6_verdict() {
    osm_pod_exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect((sys.argv[1], int(sys.argv[2])))
s.settimeout(3)
s.send(b"x")
try:
    s.recv(10)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")' "$2" "$3" 2>&1
}
out=$(udp6_verdict p2 fd00::1 5999)
[ "$out" = refused ] \
    || fail "ICMPv6 error of an allowed UDP flow: expected refused, got: $out"

# reject over IPv6: TCP gets a reset, UDP an ICMPv6 port unreachable, a
# ping an ICMPv6 "administratively prohibited", each at once.
check osmotic-nbctl --timeout=20 \
    -- acl-add sw0 to-lport 1002 'outport == "lp2" && tcp.dst == 5300' \
       reject \
    -- acl-add sw0 from-lport 1002 'inport == "lp3" && udp.dst == 5301' \
       reject \
    -- acl-add sw0 from-lport 1002 \
       'inport == "lp3" && icmp6 && ip6.dst == fd00::1' reject
acl_sync
out=$(osm_pod_exec p1 timeout 5 nc -6 -v -w 4 fd00::2 5300 </dev/null 2>&1)
grep -q "refused" <<<"$out" \
    || fail "IPv6 TCP to a rejected port: expected a refusal, got: $out"
out=$(udp6_verdict p3 fd00::1 5301)
[ "$out" = refused ] \
    || fail "IPv6 UDP to a rejected port: expected refused, got: $out"
out=$(osm_pod_exec p3 timeout 5 ping -6 -c 1 -W 4 fd00::1 2>&1)
grep -q "From fd00::1 .*Administratively prohibited" <<<"$out" \
    || fail "ping of a rejected IPv6 address: expected" \
            "administratively prohibited, got: $out"

# Without ACLs everything passes again.
check osmotic-nbctl --timeout=20 acl-del sw0
acl_sync
check_ping p1 fd00::2 -6
check_ping p3 fd00::2 -6
check_tcp_transfer p3 p2 fd00::2 100000
echo PASS
