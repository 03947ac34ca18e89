#!/bin/bash
# Route tables, as in OVN: a router port with options:route_table=T
# routes the traffic that enters by it with T's static routes and the
# router's connected networks; the other ports' traffic takes the main
# table's static routes and the connected networks.  Router lr0 joins sw1
# (pod p1 on hv1, table rtb-a), sw2 (p2 on hv2, table rtb-b), sw3 (p3 on
# hv3, the main table) and sw9, where two next hops m1 (hv3) and m2 (hv2)
# both hold 192.168.100.10 and forward nothing.  rtb-a's default route
# leads to m1, rtb-b's to m2, and the main table's 192.168.100.0/24 to m2:
# each pod's packets reach the next hop of its table (the ICMP and TCP
# counters of m1 and m2 say which), the main table's longer prefix does
# not apply to the table ports, the pods reach each other directly
# (connected networks apply to every table), and p3 has no route to what
# only the tables route.  ECMP within a table spreads connections; a port
# that leaves its table is routed by the main table again; osmotic-trace
# names the route and its table; bad table names write nothing.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

check osmotic-nbctl lr-add lr0
for n in 1 2 3 9; do
    check osmotic-nbctl lrp-add lr0 lr0-sw$n 0a:00:00:00:ff:0$n \
        10.10.$n.1/24
done
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
osm_lsp_add sw2 lp2 0a:00:00:00:02:01 10.10.2.10
osm_lsp_add sw3 lp3 0a:00:00:00:03:01 10.10.3.10
# The next hops answer for an address that is not theirs: no port
# security.
for n in 1 2; do
    check osmotic-nbctl --may-exist ls-add sw9 \
        -- lsp-add sw9 lm$n \
        -- lsp-set-addresses lm$n "0a:00:00:00:09:0$n 10.10.9.$((n + 1))"
done
for sw in sw1 sw2 sw3 sw9; do
    check osmotic-nbctl lsp-add $sw $sw-lr0 -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done

osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:02:01 10.10.2.10/24 lp2
osm_add_pod hv3 p3 0a:00:00:00:03:01 10.10.3.10/24 lp3
osm_add_pod hv3 m1 0a:00:00:00:09:01 10.10.9.2/24 lm1
osm_add_pod hv2 m2 0a:00:00:00:09:02 10.10.9.3/24 lm2
for n in 1 2 3; do
    osm_pod_exec p$n ip route add default via 10.10.$n.1
done
for m in m1 m2; do
    osm_pod_exec $m ip route add default via 10.10.9.1
    osm_pod_exec $m ip addr add 192.168.100.10/32 dev lo
done

# The routes and the tables the ports choose.
check osmotic-nbctl --route-table=rtb-a lr-route-add lr0 0.0.0.0/0 10.10.9.2
check osmotic-nbctl --route-table=rtb-b lr-route-add lr0 0.0.0.0/0 10.10.9.3
check osmotic-nbctl lr-route-add lr0 192.168.100.0/24 10.10.9.3
check osmotic-nbctl lrp-set-options lr0-sw1 route_table=rtb-a
check osmotic-nbctl lrp-set-options lr0-sw2 route_table=rtb-b
# (ovn-nbctl's format: one heading per table, the main one first.)
check_output "IPv4 Routes
Route Table <main>:
         192.168.100.0/24                 10.10.9.3 dst-ip

Route Table rtb-a:
                0.0.0.0/0                 10.10.9.2 dst-ip

Route Table rtb-b:
                0.0.0.0/0                 10.10.9.3 dst-ip" \
    osmotic-nbctl lr-route-list lr0
check_output "IPv4 Routes
Route Table rtb-b:
                0.0.0.0/0                 10.10.9.3 dst-ip" \
    osmotic-nbctl --route-table=rtb-b lr-route-list lr0

osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.9.2

# snmp POD PROTO FIELD: POD's counter FIELD of PROTO ("Icmp", "Udp") in
# /proc/net/snmp.
snmp() {
    osm_pod_exec "$1" awk -v p="$2:" -v f="$3" '
        $1 == p && !n { for (i = 2; i <= NF; i++) col[$i] = i; n = 1; next }
        $1 == p { print $col[f] }' /proc/net/snmp
}
echos() { snmp "$1" Icmp InEchos; }

# check_via POD M: POD pings 192.168.100.10 and only next hop M answers.
check_via() {
    local pod=$1 m=$2 other=m1 b_m b_o
    [ "$m" = m1 ] && other=m2
    b_m=$(echos $m)
    b_o=$(echos $other)
    check_ping "$pod" 192.168.100.10
    [ $(($(echos $m) - b_m)) -ge 3 ] \
        || fail "$pod -> 192.168.100.10: $m got $(($(echos $m) - b_m))" \
                "echo requests, expected 3"
    [ "$(echos $other)" = "$b_o" ] \
        || fail "$pod -> 192.168.100.10: $other got echo requests too"
}

# Each table port leaves by its table's next hop; the main table's
# longer 192.168.100.0/24 (via m2) does not apply to rtb-a's port.
check_via p1 m1
check_via p2 m2
# The main table routes the other ports.
check_via p3 m2

# Connected networks are in every table: the pods reach each other
# directly (m1 and m2 forward nothing).
check_ping p1 10.10.2.10
check_ping p2 10.10.1.10
check_ping p1 10.10.3.10
check_ping p3 10.10.2.10
# The tables' default routes are theirs alone: p3 has no route to
# 192.168.200.10, and the router says so (network unreachable).
out=$(osm_pod_exec p3 ping -c 1 -W 2 192.168.200.10 2>&1)
echo "$out" | grep -q "From 10.10.3.1 .*Destination Net Unreachable" \
    || fail "p3 -> 192.168.200.10: expected net unreachable: $out"
check_ping p1 10.10.9.3

# osmotic-trace names the route that routed p1's packet, and its table.
TRACE_P1='inport == "lp1" && eth.src == 0a:00:00:00:01:01
    && eth.dst == 0a:00:00:00:ff:01 && ip4.src == 10.10.1.10
    && ip4.dst == 192.168.100.10 && ip.ttl == 64 && icmp4'
out=$(osmotic-trace --nb-db sw1 "$TRACE_P1") || fail "osmotic-trace: $out"
echo "$out" | grep -q 'source: Logical_Router_Static_Route:.* "route table rtb-a: 0.0.0.0/0 via 10.10.9.2"' \
    || fail "trace: rtb-a's route is not named: $out"
echo "$out" | grep -q "delivered to lm1" \
    || fail "trace: not delivered to m1: $out"

# tcp_spread POD N: POD opens N TCP connections, each from a source port
# of its own, to 192.168.100.10 port 9, where nothing listens; prints how
# many m1 and m2 refused (their TCP resets sent).  (ECMP picks a next hop
# per connection by a hash that leaves UDP ports out: TCP it is.)
tcp_spread() {
    local b1 b2
    b1=$(snmp m1 Tcp OutRsts)
    b2=$(snmp m2 Tcp OutRsts)
    osm_pod_exec "$1" python3 -c '
import socket, sys
for i in range(int(sys.argv[1])):
    s = socket.socket()
    s.settimeout(2)
    s.bind(("", 20000 + i))
    try:
        s.connect(("192.168.100.10", 9))
    except ConnectionRefusedError:
        pass
    s.close()' "$2" || fail "connections from $1"
    echo "$(($(snmp m1 Tcp OutRsts) - b1)) $(($(snmp m2 Tcp OutRsts) - b2))"
}

# ECMP within a table: rtb-b gets a second default route, via m1.  p2's
# connections spread over both next hops; rtb-a's traffic stays on m1 and
# the main table's on m2.
check osmotic-nbctl --ecmp --route-table=rtb-b lr-route-add lr0 0.0.0.0/0 \
    10.10.9.2
check osmotic-nbctl --timeout=20 --wait=hv sync
read -r u1 u2 < <(tcp_spread p2 32)
echo "rtb-b with ECMP: 32 connections from p2: m1 $u1, m2 $u2"
[ $((u1 + u2)) = 32 ] || fail "p2's connections: m1 $u1, m2 $u2, of 32"
[ "$u1" -gt 0 ] && [ "$u2" -gt 0 ] \
    || fail "ECMP in rtb-b did not spread: m1 $u1, m2 $u2"
check_output "32 0" tcp_spread p1 32
check_output "0 32" tcp_spread p3 32
check osmotic-nbctl --route-table=rtb-b lr-route-del lr0 0.0.0.0/0 10.10.9.2
check_output "IPv4 Routes
Route Table rtb-b:
                0.0.0.0/0                 10.10.9.3 dst-ip" \
    osmotic-nbctl --route-table=rtb-b lr-route-list lr0

# A port that leaves its table is routed by the main table again.
check osmotic-nbctl lrp-set-options lr0-sw1
check osmotic-nbctl --timeout=20 --wait=hv sync
check_via p1 m2
check osmotic-nbctl lrp-set-options lr0-sw1 route_table=rtb-a
check osmotic-nbctl --timeout=20 --wait=hv sync
check_via p1 m1

# Bad route table names are refused, and nothing is written.
check_error "options:route_table: rtb a: invalid route table name" \
    osmotic-nbctl lrp-set-options lr0-sw2 "route_table=rtb a"
check_error "options:route_table: empty route table name" \
    osmotic-nbctl lrp-set-options lr0-sw2 route_table=
long=$(printf 'r%.0s' $(seq 65))
check_error "$long: route table name longer than 64 characters" \
    osmotic-nbctl lrp-set-options lr0-sw2 route_table=$long
check_output "route_table=rtb-b" osmotic-nbctl lrp-get-options lr0-sw2
check_error "--route-table: rtb/b: invalid route table name" \
    osmotic-nbctl --route-table=rtb/b lr-route-add lr0 10.0.0.0/8 10.10.9.2
route=$(osmotic-nbctl --bare --columns=_uuid find Logical_Router_Static_Route \
            route_table=rtb-a) || fail "find rtb-a's route"
check_error "route_table: <main>: invalid route table name" \
    osmotic-nbctl set Logical_Router_Static_Route "$route" \
    'route_table="<main>"'
check_output 3 pipeline "osmotic-nbctl --bare --columns=_uuid list \
    Logical_Router_Static_Route | grep -c ."
check_output "rtb-a" osmotic-nbctl get Logical_Router_Static_Route "$route" \
    route_table
# Routing is as it was.
check osmotic-nbctl --timeout=20 --wait=hv sync
check_via p1 m1
check_via p2 m2
