#!/bin/bash
# Switch load balancers with real traffic, pods on three hosts behind a
# router (clients reach VIPs through their default gateway, as pods
# reach Kubernetes services): a TCP VIP spreads 300 connections over
# three backends on three hosts, every one answered from the VIP, each
# backend getting a share; a connection stays on its backend; ordinary
# traffic to a pod does not enter conntrack; a UDP VIP answers
# request/response exchanges from the VIP; a VIP without a port takes all
# traffic (ping); a client on a host where the VIP has no backend; a
# backend removed gets no new connections; a backend reaches itself
# through its VIP (hairpin), with a port or without; a VIP without
# backends rejects (TCP reset, ICMP port unreachable); with stateful ACLs,
# all of it still works; the trace shows the VIP, the backend and the
# NAT, and a hairpin.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw0 0a:00:00:00:ff:01 10.10.1.1/24
osm_lsp_add sw0 lb1 0a:00:00:00:01:11 10.10.1.11
osm_lsp_add sw0 lb2 0a:00:00:00:01:12 10.10.1.12
osm_lsp_add sw0 lb3 0a:00:00:00:01:13 10.10.1.13
osm_lsp_add sw0 lc1 0a:00:00:00:01:21 10.10.1.21
check osmotic-nbctl lsp-add sw0 sw0-lr0 \
    -- lsp-set-type sw0-lr0 router \
    -- lsp-set-addresses sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lr0-sw0
osm_add_pod hv1 b1 0a:00:00:00:01:11 10.10.1.11/24 lb1
osm_add_pod hv2 b2 0a:00:00:00:01:12 10.10.1.12/24 lb2
osm_add_pod hv3 b3 0a:00:00:00:01:13 10.10.1.13/24 lb3
osm_add_pod hv1 c1 0a:00:00:00:01:21 10.10.1.21/24 lc1
for pod in b1 b2 b3 c1; do
    osm_pod_exec $pod ip route add default via 10.10.1.1
done
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping c1 10.10.1.1
check_ping c1 10.10.1.12

# Each backend answers every line of a TCP connection on port 80 and
# every UDP datagram on port 5683 with its own name.
SERVER='
import socket, sys, threading
name = sys.argv[1].encode()
def tcp():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 80))
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
# answered ("b1=98 b2=101 b3=101"), "fail=K" for those that got no
# answer, and "from=ADDR" for any UDP answer from another address than
# IP:PORT.
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
            data, peer = s.recvfrom(100)
            name = data.decode()
            if peer != (ip, port):
                count["from=%s:%d" % peer] += 1
        count[name or "fail"] += 1
        s.close()
    except OSError:
        count["fail"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(count.items())))
' "$2" "$3" "$4" "$5"
}

# share OUTPUT NAME: the count of NAME in clients' OUTPUT, 0 if none.
share() {
    local n
    n=$(grep -o "\b$2=[0-9]*" <<<"$1" | cut -d= -f2)
    echo "${n:-0}"
}

# A TCP VIP with three backends on three hosts.
check osmotic-nbctl lb-add lbt 172.30.0.10:80 \
    10.10.1.11:80,10.10.1.12:80,10.10.1.13:80 tcp
check osmotic-nbctl ls-lb-add sw0 lbt
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp 172.30.0.10 80 300) || fail "TCP clients: $out"
echo "300 TCP connections to the VIP: $out"
[ "$(share "$out" fail)" = 0 ] || fail "TCP to the VIP: $out"
for b in b1 b2 b3; do
    [ "$(share "$out" $b)" -ge 30 ] \
        || fail "TCP to the VIP: backend $b got too small a share: $out"
done

# The trace shows the VIP's flow, the backend the select group picks (the
# first, or the one --lb-dst names) and the NAT to it, then the packet
# going on to the router with its new destination.
PKT='inport == "lc1" && eth.src == 0a:00:00:00:01:21 && eth.dst == 0a:00:00:00:ff:01 && ip4.src == 10.10.1.21 && ip4.dst == 172.30.0.10 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80'
out=$(osmotic-trace sw0 "$PKT") || fail "osmotic-trace: $out"
echo "$out" > "$TESTDIR/trace-lb"
for want in "ls_in_pre_acl" "ls_in_lb" "nw_dst=172.30.0.10,tp_dst=80" \
        "ct_lb(10.10.1.11:80, 10.10.1.12:80, 10.10.1.13:80)" \
        "select group 1: choice 1 of 3" "destination now 10.10.1.11 port 80"; do
    grep -qF "$want" <<<"$out" || fail "trace lacks \"$want\": $out"
done
out=$(osmotic-trace --lb-dst=10.10.1.13:80 sw0 "$PKT") \
    || fail "osmotic-trace --lb-dst: $out"
grep -qF "choice 3 of 3" <<<"$out" \
    && grep -qF "destination now 10.10.1.13 port 80" <<<"$out" \
    || fail "trace --lb-dst=10.10.1.13:80: $out"

# The trace of a backend's connection to its VIP that the group sends
# back to it (hairpin): the VIP becomes its source, with no conntrack,
# the replies are learned, and it goes straight back out b1's port.
HPKT='inport == "lb1" && eth.src == 0a:00:00:00:01:11 && eth.dst == 0a:00:00:00:ff:01 && ip4.src == 10.10.1.11 && ip4.dst == 172.30.0.10 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80'
out=$(osmotic-trace --ct=new,trk,dnat --lb-dst=10.10.1.11:80 sw0 "$HPKT") \
    || fail "osmotic-trace of a hairpin: $out"
echo "$out" > "$TESTDIR/trace-hairpin"
for want in "lb_hairpin(tcp, vips=" "remembers the backend's replies" \
        "NXM_NX_CT_NW_DST[]->NXM_OF_IP_SRC[]" "ls_in_hairpin"; do
    grep -qF "$want" <<<"$out" || fail "hairpin trace lacks \"$want\": $out"
done
grep -qE 'delivered.*lb1|lb1.*delivered' <<<"$out" \
    || fail "hairpin trace: not delivered to lb1: $out"

# One connection stays on its backend: 50 requests, one answerer.
out=$(osm_pod_exec c1 python3 -c '
import socket
s = socket.create_connection(("172.30.0.10", 80), timeout=3)
f = s.makefile("rb")
names = set()
for i in range(50):
    s.sendall(b"again\n")
    names.add(f.readline().strip().decode())
print(" ".join(sorted(names)))') || fail "one connection: $out"
[ "$(wc -w <<<"$out")" = 1 ] \
    || fail "one connection was answered by several backends: $out"

# Traffic that matches no VIP does not enter conntrack (a ping to a pod:
# none of its datapath flows, in either direction, calls ct()).
osm_fresh_datapath hv1 hv2
check_ping c1 10.10.1.12
for h in hv1 hv2; do
    dp=$(osm_host_appctl $h dpctl/dump-flows) || fail "dpctl on $h"
    if grep -E 'src=10.10.1.(21|12),dst=10.10.1.(12|21),proto=1' \
            <<<"$dp" | grep -q 'ct('; then
        fail "a ping between pods went through conntrack on $h"
    fi
done

# A UDP VIP: request/response from new sockets, answered from the VIP.
check osmotic-nbctl lb-add lbu 172.30.0.10:5683 \
    10.10.1.11:5683,10.10.1.12:5683,10.10.1.13:5683 udp
check osmotic-nbctl ls-lb-add sw0 lbu
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 udp 172.30.0.10 5683 90) || fail "UDP clients: $out"
echo "90 UDP exchanges with the VIP: $out"

[ "$(share "$out" fail)" = 0 ] || fail "UDP to the VIP: $out"
grep -q "from=" <<<"$out" && fail "UDP answers not from the VIP: $out"
n=0
for b in b1 b2 b3; do
    [ "$(share "$out" $b)" -gt 0 ] && n=$((n + 1))
done
[ $n -ge 2 ] || fail "UDP to the VIP: one backend took everything: $out"

# A VIP without a port: all its traffic, ping included, to one backend.
check osmotic-nbctl lb-add lba 172.30.0.30 10.10.1.13
check osmotic-nbctl ls-lb-add sw0 lba
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping c1 172.30.0.30
out=$(clients c1 tcp 172.30.0.30 80 10) || fail "TCP to 172.30.0.30: $out"
[ "$out" = "b3=10" ] || fail "TCP to a VIP without a port: $out"

# A VIP whose backends are on the other hosts: the client's host (hv1)
# balances it all the same.
check osmotic-nbctl lb-add lbr 172.30.0.20:80 10.10.1.12:80,10.10.1.13:80
check osmotic-nbctl ls-lb-add sw0 lbr
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp 172.30.0.20 80 60) || fail "TCP clients: $out"
echo "60 TCP connections to a VIP with no backend on hv1: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" = 0 ] \
    && [ "$(share "$out" b2)" -gt 0 ] && [ "$(share "$out" b3)" -gt 0 ] \
    || fail "TCP to 172.30.0.20: $out"

# A backend removed: new connections avoid it, and all succeed.
check osmotic-nbctl --may-exist lb-add lbt 172.30.0.10:80 \
    10.10.1.11:80,10.10.1.12:80
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients c1 tcp 172.30.0.10 80 90) || fail "TCP clients: $out"
echo "90 TCP connections after b3 left the VIP: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b3)" = 0 ] \
    && [ "$(share "$out" b1)" -gt 0 ] && [ "$(share "$out" b2)" -gt 0 ] \
    || fail "TCP after removing a backend: $out"

# Hairpin: a backend that connects to its own VIP reaches itself too,
# from the VIP (as OVN does: SNAT to the VIP), over TCP and UDP.
out=$(clients b1 tcp 172.30.0.10 80 60) || fail "TCP from b1: $out"
echo "60 TCP connections from backend b1 to its VIP: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    && [ "$(share "$out" b2)" -gt 0 ] || fail "hairpin TCP from b1: $out"
out=$(clients b2 udp 172.30.0.10 5683 60) || fail "UDP from b2: $out"
echo "60 UDP exchanges from backend b2 with its VIP: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b2)" -gt 0 ] \
    || fail "hairpin UDP from b2: $out"
grep -q "from=" <<<"$out" && fail "hairpin UDP answers not from the VIP: $out"
# A VIP gone takes the replies b1's hairpin through it taught hv1 (table
# 34, OFTABLE_LB_HAIRPIN), though b1 still backs another VIP (lbt's):
# else b1's later packets from port 80 to that address would still be
# sent back to b1.  Its hairpin through lbt's VIP still works.  (The
# connections are over first, their datapath flows purged: a packet of a
# hairpinned connection through the VIP after it is gone teaches its
# replies again, Documentation/pipeline.md.)
hairpin_learned() {
    osm_host_ofctl hv1 dump-flows br-int table=34 | grep -c "nw_dst=$1,"
}
check osmotic-nbctl lb-add lbw 172.30.0.60:80 10.10.1.11:80,10.10.1.12:80 \
    -- ls-lb-add sw0 lbw
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients b1 tcp 172.30.0.60 80 30) || fail "TCP from b1: $out"
echo "30 TCP connections from b1 to a second VIP: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    || fail "hairpin TCP from b1 through a second VIP: $out"
[ "$(hairpin_learned 172.30.0.60)" -gt 0 ] \
    || fail "no hairpin reply flow learned for 172.30.0.60 on hv1"
osm_fresh_datapath hv1
check osmotic-nbctl --timeout=20 --wait=hv lb-del lbw
[ "$(hairpin_learned 172.30.0.60)" = 0 ] \
    || fail "hairpin reply flows of a deleted VIP stay on hv1:" \
            "$(osm_host_ofctl hv1 dump-flows br-int table=34)"
out=$(clients b1 tcp 172.30.0.10 80 30) || fail "TCP from b1: $out"
echo "30 TCP connections from b1 to its VIP after another VIP left: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    || fail "hairpin TCP from b1 after another VIP left: $out"
# Hairpin through a VIP without a port (all traffic): b1 reaches itself
# and b2 through it, by TCP, UDP (answered from the VIP) and ping.
check osmotic-nbctl lb-add lbh 172.30.0.50 10.10.1.11,10.10.1.12 \
    -- ls-lb-add sw0 lbh
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(clients b1 tcp 172.30.0.50 80 60) || fail "TCP from b1: $out"
echo "60 TCP connections from backend b1 to its VIP without a port: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    && [ "$(share "$out" b2)" -gt 0 ] \
    || fail "hairpin TCP from b1 through a VIP without a port: $out"
out=$(clients b1 udp 172.30.0.50 5683 60) || fail "UDP from b1: $out"
echo "60 UDP exchanges from backend b1 with its VIP without a port: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    || fail "hairpin UDP from b1 through a VIP without a port: $out"
grep -q "from=" <<<"$out" && fail "hairpin UDP answers not from the VIP: $out"
for i in 1 2 3 4 5; do
    check_ping b1 172.30.0.50
done

# A VIP without backends rejects: TCP gets a reset, UDP an ICMP port
# unreachable, at once.
check osmotic-nbctl lb-add lbn 172.30.0.40:80 ""
check osmotic-nbctl lb-add lbnu 172.30.0.40:5683 "" udp
check osmotic-nbctl ls-lb-add sw0 lbn -- ls-lb-add sw0 lbnu
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(osm_pod_exec c1 python3 -c '
import socket
try:
    socket.create_connection(("172.30.0.40", 80), timeout=3)
    print("connected")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("172.30.0.40", 5683))
s.settimeout(3)
s.send(b"x")
try:
    s.recv(10)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")' 2>&1)
[ "$(echo $out)" = "refused refused" ] \
    || fail "a VIP without backends: TCP and UDP should be refused: $out"

# Stateless ACLs only: as in OVN, the replies of a load-balanced
# connection pass by their conntrack state (c1 gets the answers through
# the VIP, which its egress ACLs see as their source), while the same ACL
# drops what b2 sends c1 otherwise.
check osmotic-nbctl --timeout=20 --wait=hv \
    acl-add sw0 to-lport 1000 \
    'outport == "lc1" && ip4.src == {172.30.0.10, 10.10.1.12}' drop
osm_fresh_datapath hv1 hv2 hv3
out=$(clients c1 tcp 172.30.0.10 80 40) || fail "TCP clients: $out"
echo "40 TCP connections with a stateless drop of b2's traffic: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b2)" -gt 0 ] \
    || fail "TCP to the VIP with stateless ACLs: $out"
check_no_ping c1 10.10.1.12
check osmotic-nbctl --timeout=20 acl-del sw0

# With stateful ACLs on the switch, one conntrack pass per pipeline
# serves both: a client whose traffic an allow-related ACL commits still
# gets its connections load balanced (the ACL's commit waits for the load
# balancer's), and the backends' ACLs see the backend's port.
check osmotic-nbctl \
    -- acl-add sw0 from-lport 1000 'inport == "lc1" && ip' allow-related \
    -- acl-add sw0 to-lport 1000 'outport == "lb1" && (tcp || icmp4)' drop \
    -- acl-add sw0 to-lport 1001 'outport == "lb1" && tcp.dst == 80' \
       allow-related \
    -- acl-add sw0 to-lport 1000 'outport == "lc1" && ip4.src == 10.10.1.12' \
       drop
check osmotic-nbctl --timeout=20 --wait=hv sync
osm_fresh_datapath hv1 hv2 hv3
out=$(clients c1 tcp 172.30.0.10 80 60) || fail "TCP clients: $out"
echo "60 TCP connections with stateful ACLs: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    && [ "$(share "$out" b2)" -gt 0 ] \
    || fail "TCP to the VIP with stateful ACLs: $out"
out=$(clients c1 udp 172.30.0.10 5683 30) || fail "UDP clients: $out"
echo "30 UDP exchanges with stateful ACLs: $out"
[ "$(share "$out" fail)" = 0 ] || fail "UDP to the VIP with stateful ACLs: $out"
check_no_ping c1 10.10.1.11
# A backend's connections to itself pass its own ACLs as any client's
# (b1 accepts TCP port 80 only).
out=$(clients b1 tcp 172.30.0.10 80 30) || fail "TCP from b1: $out"
echo "30 TCP connections from b1 to its VIP with stateful ACLs: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    || fail "hairpin TCP from b1 with stateful ACLs: $out"
out=$(clients b1 tcp 172.30.0.50 80 30) || fail "TCP from b1: $out"
echo "30 TCP connections from b1 to its VIP without a port, stateful ACLs: $out"
[ "$(share "$out" fail)" = 0 ] && [ "$(share "$out" b1)" -gt 0 ] \
    && [ "$(share "$out" b2)" -gt 0 ] \
    || fail "hairpin TCP without a port from b1 with stateful ACLs: $out"
# c1's own connection to b2 is committed after ls_in_lb: b2's replies
# pass the drop ACL as replies.
check_tcp_transfer c1 b2 10.10.1.12 100000
check_ping c1 172.30.0.30

# The ACLs follow the switch's load balancers: without any, they commit
# in ls_in_acl again; with one again, in ls_in_stateful.
acl_commits() {
    osmotic-sbctl --bare --columns=actions find Logical_Flow stage=ls_in_acl
}
check osmotic-nbctl --timeout=20 --wait=hv ls-lb-del sw0
out=$(acl_commits) || fail "ACL flows: $out"
grep -q "reg0 = 1" <<<"$out" && fail "ACLs defer commits without LBs: $out"
check_tcp_transfer c1 b2 10.10.1.12 100000
check osmotic-nbctl --timeout=20 --wait=hv ls-lb-add sw0 lbt
out=$(acl_commits) || fail "ACL flows: $out"
grep -q "reg0 = 1" <<<"$out" || fail "ACLs commit before load balancing: $out"
out=$(clients c1 tcp 172.30.0.10 80 20) || fail "TCP clients: $out"
[ "$(share "$out" fail)" = 0 ] || fail "TCP to the VIP, LB added again: $out"

for pod in b1 b2 b3; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo "PASS"
