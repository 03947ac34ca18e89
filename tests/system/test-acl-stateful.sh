#!/bin/bash
# ACLs on a switch with pods on two hosts, with real traffic: a stateless
# drop by address and protocol (no conntrack anywhere), then stateful
# policy on one pod (allow-related lets replies in and the pod open its
# own connections while new inbound ones are dropped), reject (TCP gets a
# reset at once, UDP an ICMP port unreachable, a ping an ICMP
# "administratively prohibited"), a drop added under an
# established connection, an ACL that matches ct.new, and deleting every
# ACL restores everything.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:51:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:51:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:51:03 10.244.0.3
osm_add_pod hv1 p1 0a:00:00:00:51:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:51:02 10.244.0.2/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:51:03 10.244.0.3/24 lp3
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2
check_ping p1 10.244.0.3

# no_conntrack HOST: no OpenFlow flow of HOST's br-int sends packets
# through conntrack before a verdict (ct_next), and none of the datapath
# flows that the traffic so far installed calls conntrack.
no_conntrack() {
    local flows dp
    flows=$(osm_flows "$1") || fail "dump-flows on $1"
    dp=$(osm_host_appctl "$1" dpctl/dump-flows) || fail "dpctl on $1"
    ! grep -q 'ct(table=' <<<"$flows" && ! grep -q 'ct(' <<<"$dp"
}
# acl_sync: the hosts have the flows of the NB as it is now, and no
# datapath flow cached before the change decides for them.
acl_sync() {
    check osmotic-nbctl --timeout=20 --wait=hv sync
    osm_fresh_datapath hv1 hv2
}

# A stateless drop: ICMP from p1 to p2, in p1's ingress.
check osmotic-nbctl --timeout=20 acl-add sw0 from-lport 1000 \
    'inport == "lp1" && icmp4 && ip4.dst == 10.244.0.2' drop
acl_sync
check_no_ping p1 10.244.0.2
check_ping p1 10.244.0.3
check_tcp_transfer p1 p2 10.244.0.2 100000
no_conntrack hv1 || fail "a stateless ACL sends traffic to conntrack on hv1"
no_conntrack hv2 || fail "a stateless ACL sends traffic to conntrack on hv2"
# The same in p2's egress, by UDP port.
check osmotic-nbctl --timeout=20 acl-del sw0
check osmotic-nbctl --timeout=20 acl-add sw0 to-lport 1000 \
    'outport == "lp2" && udp.dst == 5202' drop
acl_sync
check_ping p1 10.244.0.2
check_udp_transfer p1 p3 10.244.0.3 20
# (check_udp_transfer fails the test: run it in a subshell.)
( check_udp_transfer p1 p2 10.244.0.2 5 ) 2>/dev/null \
    && fail "UDP to p2 port 5202 passed a drop ACL"
check osmotic-nbctl --timeout=20 acl-del sw0

# Stateful: p2 accepts only TCP port 5201 from p1; everything else
# inbound is dropped, but p2's own connections get their replies.
check osmotic-nbctl --timeout=20 \
    -- acl-add sw0 to-lport 1000 'outport == "lp2" && ip' drop \
    -- acl-add sw0 to-lport 1001 \
       'outport == "lp2" && ip4.src == 10.244.0.1 && tcp.dst == 5201' \
       allow-related
acl_sync
check_tcp_transfer p1 p2 10.244.0.2 1000000
check_no_ping p1 10.244.0.2
check_no_ping p3 10.244.0.2
check_ping p2 10.244.0.1
check_ping p2 10.244.0.3
( check_tcp_transfer p3 p2 10.244.0.2 1000 ) 2>/dev/null \
    && fail "TCP from p3 reached p2"

# reject: TCP port 5300 to p2 is refused at once.
check osmotic-nbctl --timeout=20 acl-add sw0 to-lport 1002 \
    'outport == "lp2" && tcp.dst == 5300' reject
check osmotic-nbctl --timeout=20 acl-add sw0 from-lport 1002 \
    'inport == "lp1" && udp.dst == 5301' reject
acl_sync
out=$(osm_pod_exec p1 timeout 5 nc -v -w 4 10.244.0.2 5300 </dev/null 2>&1)
grep -q "refused" <<<"$out" \
    || fail "TCP to a rejected port: expected a refusal, got: $out"
# UDP: the ICMP port unreachable makes a connected socket's recv() fail.
out=$(osm_pod_exec p1 timeout 5 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("10.244.0.3", 5301))
s.settimeout(3)
s.send(b"x")
try:
    s.recv(10)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")' 2>&1)
[ "$out" = refused ] \
    || fail "UDP to a rejected port: expected refused, got: $out"
check_output "packet-ins reject: 1" \
    pipeline "osm_ctl_appctl hv2 ofctrl/flow-counts | grep 'packet-ins reject'"
# Other IP (a ping): ICMP "administratively prohibited", which ping
# reports at once.
check osmotic-nbctl --timeout=20 acl-add sw0 from-lport 1002 \
    'inport == "lp1" && icmp4 && ip4.dst == 10.244.0.3' reject
acl_sync
out=$(osm_pod_exec p1 timeout 5 ping -c 1 -W 4 10.244.0.3 2>&1)
grep -q "From 10.244.0.3 .*Packet filtered" <<<"$out" \
    || fail "ping of a rejected address: expected Packet filtered, got: $out"

# A drop added under a running connection: its packets stop, in both
# directions (OVN's default: the connection is blocked).
check osmotic-nbctl --timeout=20 acl-del sw0
check osmotic-nbctl --timeout=20 \
    -- acl-add sw0 from-lport 1000 'inport == "lp1" && ip' allow-related
acl_sync
ip netns exec "$(osm_ns p2)" timeout "$OSM_CLIENT_TIMEOUT" \
    python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5400))
s.listen(1)
c, _ = s.accept()
c.settimeout(30)
while True:
    d = c.recv(100)
    if not d:
        break
    c.send(d)' </dev/null &
server=$!
wait_until tcp_listening p2 5400
coproc client { osm_pod_exec p1 python3 -u -c '
import socket, sys
s = socket.create_connection(("10.244.0.2", 5400))
s.settimeout(2)
for line in sys.stdin:
    try:
        s.send(b"x")
        print("echo" if s.recv(10) else "closed")
    except socket.timeout:
        print("timeout")
    except OSError as e:
        print("error", e)'; }
echo go >&"${client[1]}"
read -r -t 10 reply <&"${client[0]}"
[ "$reply" = echo ] || fail "before the drop: connection got '$reply'"
check osmotic-nbctl --timeout=20 acl-add sw0 from-lport 1001 \
    'inport == "lp1" && tcp.dst == 5400' drop
acl_sync
echo go >&"${client[1]}"
read -r -t 10 reply <&"${client[0]}"
[ "$reply" = timeout ] || fail "after the drop: connection got '$reply'"
kill "$client_PID" "$server" 2>/dev/null
wait "$server" 2>/dev/null

# ct.* fields in an ACL match: new ICMP connections to p2 are dropped,
# but p2's own pings get their replies (established, reply direction).
check osmotic-nbctl --timeout=20 acl-del sw0
check osmotic-nbctl --timeout=20 \
    -- acl-add sw0 to-lport 1000 'outport == "lp2" && ip4' allow-related \
    -- acl-add sw0 to-lport 1002 'outport == "lp2" && ct.new && icmp4' drop
acl_sync
check_no_ping p1 10.244.0.2
check_ping p2 10.244.0.1
check_tcp_transfer p1 p2 10.244.0.2 100000

# Without ACLs, everything works again and conntrack is gone.
check osmotic-nbctl --timeout=20 acl-del sw0
acl_sync
check_ping p1 10.244.0.2
check_ping p3 10.244.0.2
check_tcp_transfer p3 p2 10.244.0.2 100000
no_conntrack hv1 || fail "conntrack flows stay on hv1 without ACLs"
no_conntrack hv2 || fail "conntrack flows stay on hv2 without ACLs"
echo PASS
