#!/bin/bash
# Router load balancers: NodePort-style access through a router from an
# external network.  Backends are pods on two switches behind a router on
# two hosts (hv1, hv2); the router's gateway port is on gw1, on an
# external network reached through a localnet switch, with SNAT of the
# pods' subnets to the port's address.  From the external namespace: 200
# TCP connections to a VIP on the gateway port's own address (and
# another port) all succeed and each backend gets a share; UDP
# exchanges with it are answered from the VIP; a connection keeps its
# backend; the same over IPv6, on the port's IPv6 address and another
# one, for which the gateway answers neighbor solicitations.  The backends' own connections to the external network are
# still SNATed; a ramp-out rule that pins a backend's subnet to another
# gateway (gw2) takes its own connections there, and its load-balanced
# connections still work (their replies go back by gw1).  Another
# external VIP, whose address the gateway answers ARP for, works too;
# pods reach the same VIP through their switches' copy of the load
# balancer (east-west); without the SNAT rule the router un-DNATs the
# replies itself; a VIP without backends refuses (TCP reset, ICMP port
# unreachable), or drops with options:reject=false; the trace shows the VIP,
# the backend and the NAT on the router, and a reply sent to the gateway
# chassis and un-DNATed there (--ct branches); a load balancer removed
# from the router stops answering.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
ip netns exec "$OSM_EXTERNAL_NS" ip -6 addr add fd00:30::1/64 dev brx nodad
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host gw1 172.31.0.3
osm_add_host gw2 172.31.0.4
osm_connect_external gw1
osm_connect_external gw2

osm_lsp_add sw1 lb1 0a:00:00:00:01:11 "10.10.1.11 fd00:1::11"
osm_lsp_add sw2 lb2 0a:00:00:00:02:12 "10.10.2.12 fd00:2::12"
osm_lsp_add sw1 lc1 0a:00:00:00:01:21 10.10.1.21
check osmotic-nbctl lr-add lr0
for n in 1 2; do
    check osmotic-nbctl lrp-add lr0 lr0-sw$n 0a:00:00:00:ff:0$n 10.10.$n.1/24 \
        fd00:$n::1/64
    check osmotic-nbctl lsp-add sw$n sw$n-lr0 \
        -- lsp-set-type sw$n-lr0 router \
        -- lsp-set-addresses sw$n-lr0 router \
        -- lsp-set-options sw$n-lr0 router-port=lr0-sw$n
done
osm_add_pod hv1 b1 0a:00:00:00:01:11 10.10.1.11/24 lb1
osm_add_pod hv2 b2 0a:00:00:00:02:12 10.10.2.12/24 lb2
osm_add_pod hv2 c1 0a:00:00:00:01:21 10.10.1.21/24 lc1
osm_pod_exec b1 ip route add default via 10.10.1.1
osm_pod_exec b2 ip route add default via 10.10.2.1
# The backends have IPv6 addresses too (and their hosts' ends of the
# veths none, which would talk on the switch).
for n in 1 2; do
    pod=b$n
    host=hv$n
    osm_pod_exec $pod ip -6 addr add fd00:$n::1$n/64 dev eth0 nodad
    osm_pod_exec $pod ip -6 route add default via fd00:$n::1
    osm_host_exec $host sysctl -qw \
        "net.ipv6.conf.$(echo "v-$pod" | cut -c1-15).disable_ipv6=1"
done
osm_pod_exec c1 ip route add default via 10.10.1.1
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
check osmotic-nbctl lr-nat-add lr0 snat 172.30.0.100 10.10.0.0/16
osm_prime_underlay hv1 hv2 gw1 gw2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping b1 10.10.1.1
wait_until osm_ping b2 172.30.0.1

# Each backend answers every line of a TCP connection on port 80 and
# every UDP datagram on port 5683 with its own name.
SERVER='
import socket, sys, threading
name = sys.argv[1].encode()
def dual(kind):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s
def tcp():
    s = dual(socket.SOCK_STREAM)
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
u = dual(socket.SOCK_DGRAM)
u.bind(("::", 5683))
while True:
    data, peer = u.recvfrom(100)
    u.sendto(name, peer)
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

# The client program: N connections (TCP) or exchanges from a new socket
# each (UDP) to IP:PORT; prints how many each backend answered
# ("b1=98 b2=102"), "fail=K" for those that got no answer, and
# "from=ADDR" for any UDP answer from another address than IP:PORT.
CLIENT='
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
            s = socket.socket(socket.AF_INET6 if ":" in ip
                              else socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(3)
            s.sendto(b"GET", (ip, port))
            data, peer = s.recvfrom(100)
            name = data.decode()
            if peer[:2] != (ip, port):
                count["from=%s:%d" % peer[:2]] += 1
        count[name or "fail"] += 1
        s.close()
    except OSError:
        count["fail"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(count.items())))
'
# ext_clients PROTO IP PORT N: the clients, from the external namespace.
ext_clients() {
    osm_external_exec python3 -c "$CLIENT" "$@"
}
# pod_clients POD PROTO IP PORT N: the clients, from POD.
pod_clients() {
    local pod=$1
    shift
    osm_pod_exec "$pod" python3 -c "$CLIENT" "$@"
}

# share OUTPUT NAME: the count of NAME in the clients' OUTPUT, 0 if none.
share() {
    local n
    n=$(grep -o "\b$2=[0-9]*" <<<"$1" | cut -d= -f2)
    echo "${n:-0}"
}

# check_spread WHAT OUTPUT MIN: every exchange answered, from the VIP,
# and each backend answered at least MIN.
check_spread() {
    [ "$(share "$2" fail)" = 0 ] || fail "$1: $2"
    grep -q "from=" <<<"$2" && fail "$1: answers not from the VIP: $2"
    for b in b1 b2; do
        [ "$(share "$2" $b)" -ge "$3" ] \
            || fail "$1: backend $b got too small a share: $2"
    done
}

# A NodePort: TCP and UDP on the gateway port's own address, backends on
# both hosts.
check osmotic-nbctl lb-add lbn 172.30.0.100:8080 10.10.1.11:80,10.10.2.12:80 tcp
check osmotic-nbctl lb-add lbu 172.30.0.100:5683 \
    10.10.1.11:5683,10.10.2.12:5683 udp
check osmotic-nbctl lr-lb-add lr0 lbn
check osmotic-nbctl lr-lb-add lr0 lbu
check osmotic-nbctl --timeout=20 --wait=hv sync
first_connection() {
    [ "$(ext_clients tcp 172.30.0.100 8080 1)" != fail=1 ]
}
wait_until first_connection
out=$(ext_clients tcp 172.30.0.100 8080 200) || fail "TCP clients: $out"
echo "200 TCP connections to the NodePort 172.30.0.100:8080: $out"
check_spread "TCP to the NodePort" "$out" 30
out=$(ext_clients udp 172.30.0.100 5683 60) || fail "UDP clients: $out"
echo "60 UDP exchanges with the NodePort 172.30.0.100:5683: $out"
check_spread "UDP to the NodePort" "$out" 5

# IPv6: a NodePort on the gateway port's IPv6 address, TCP and UDP.
check osmotic-nbctl lb-add lbn6 "[fd00:30::100]:8080" \
    "[fd00:1::11]:80,[fd00:2::12]:80" tcp
check osmotic-nbctl lb-add lbu6 "[fd00:30::100]:5683" \
    "[fd00:1::11]:5683,[fd00:2::12]:5683" udp
check osmotic-nbctl lr-lb-add lr0 lbn6
check osmotic-nbctl lr-lb-add lr0 lbu6
check osmotic-nbctl --timeout=20 --wait=hv sync
first_connection6() {
    [ "$(ext_clients tcp fd00:30::100 8080 1)" != fail=1 ]
}
wait_until first_connection6
out=$(ext_clients tcp fd00:30::100 8080 100) || fail "TCP clients: $out"
echo "100 TCP connections to the NodePort [fd00:30::100]:8080: $out"
check_spread "TCP to the IPv6 NodePort" "$out" 15
out=$(ext_clients udp fd00:30::100 5683 40) || fail "UDP clients: $out"
echo "40 UDP exchanges with the NodePort [fd00:30::100]:5683: $out"
check_spread "UDP to the IPv6 NodePort" "$out" 3
# Another IPv6 VIP: the gateway answers neighbor solicitations for it.
check osmotic-nbctl lb-add lbx6 "[fd00:30::150]:80" \
    "[fd00:1::11]:80,[fd00:2::12]:80" tcp
check osmotic-nbctl lr-lb-add lr0 lbx6
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(ext_clients tcp fd00:30::150 80 40) || fail "TCP clients: $out"
echo "40 TCP connections to the external VIP [fd00:30::150]:80: $out"
check_spread "TCP to [fd00:30::150]:80" "$out" 5
check_output "0a:00:00:00:ee:01" pipeline "osm_external_exec ip -6 neigh \
    show fd00:30::150 | grep -o 0a:00:00:00:ee:01"

# The tables the first packet of a NodePort connection crosses on the
# gateway chassis, from the external network to the tunnel towards a
# backend's host (ofproto/trace, through the conntrack recirculations;
# it does not follow the recirculation that computes the select group's
# hash, so the hash is given in the traced flow, the first that picks a
# bucket).
ofport=$(osm_host_vsctl gw1 get interface osm-physnet-to-br-ex ofport) \
    || fail "no patch port from br-ex on gw1"
for h in $(seq 0 63); do
    osm_host_appctl gw1 ofproto/trace br-int "in_port=$ofport,tcp,\
dl_src=02:00:00:00:00:01,dl_dst=0a:00:00:00:ee:01,nw_src=172.30.0.1,\
nw_dst=172.30.0.100,nw_ttl=64,tp_src=40000,tp_dst=8080,tcp_flags=0x002,\
dp_hash=$h" > "$TESTDIR/of-trace" 2>&1 \
        || fail "ofproto/trace: $(cat "$TESTDIR/of-trace")"
    grep -q "tnl_push" "$TESTDIR/of-trace" && break
done
grep -q "tnl_push" "$TESTDIR/of-trace" \
    || fail "the SYN did not reach the tunnel: $(cat "$TESTDIR/of-trace")"
read -r lookups tables < <(count_trace_lookups < "$TESTDIR/of-trace")
echo "NodePort SYN: br-int lookups on the gateway chassis: $lookups" \
     "($tables tables)"

# One connection stays on its backend: 30 requests, one answerer.
out=$(osm_external_exec python3 -c '
import socket
s = socket.create_connection(("172.30.0.100", 8080), timeout=3)
f = s.makefile("rb")
names = set()
for i in range(30):
    s.sendall(b"again\n")
    names.add(f.readline().strip().decode())
print(" ".join(sorted(names)))') || fail "one connection: $out"
[ "$(wc -w <<<"$out")" = 1 ] \
    || fail "one connection was answered by several backends: $out"

# The backends' own connections to the external network are still SNATed
# to the port's address (the un-DNAT of their replies does not take
# their outbound traffic).
check_tcp_to_external() {
    local pod=$1 f=$TESTDIR/tcp-ext-$1 listener
    head -c 262144 /dev/urandom > "$f.sent"
    osm_external_exec nc -l 5201 > "$f.received" < /dev/null &
    listener=$!
    sleep 0.5
    osm_pod_exec "$pod" nc -N -w 10 172.30.0.1 5201 < "$f.sent"
    wait $listener
    cmp -s "$f.sent" "$f.received" || fail "$pod: TCP to the external" \
        "network: $(stat -c %s "$f.received") of 262144 bytes arrived"
}
check_tcp_to_external b1
check_tcp_to_external b2

# A ramp-out rule pins b2's subnet to gw2: b2's own connections leave
# there, from the rule's address, but the replies of its load-balanced
# connections still go back by gw1, where they were balanced.
check osmotic-nbctl rampout-add lr0 r2 10.10.2.0/24 gw2 \
    --snat-ip=172.30.0.102
check osmotic-nbctl --timeout=20 --wait=hv sync
# source_seen POD: the source address of a TCP connection from POD to
# the external namespace, as the external namespace sees it.
source_seen() {
    local out listener
    osm_external_exec python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("172.30.0.1", 5202))
s.listen(1)
s.settimeout(5)
c, peer = s.accept()
print(peer[0])' > "$TESTDIR/source-$1" &
    listener=$!
    sleep 0.5
    osm_pod_exec "$1" nc -w 2 172.30.0.1 5202 < /dev/null
    wait $listener
    cat "$TESTDIR/source-$1"
}
check_output 172.30.0.102 source_seen b2
out=$(ext_clients tcp 172.30.0.100 8080 60) || fail "TCP clients: $out"
echo "60 TCP connections to the NodePort, b2's subnet pinned to gw2: $out"
check_spread "TCP to the NodePort with a ramp-out rule" "$out" 5

# Another external VIP: the gateway answers ARP for it.
check osmotic-nbctl lb-add lbx 172.30.0.150:80 10.10.1.11:80,10.10.2.12:80 tcp
check osmotic-nbctl lr-lb-add lr0 lbx
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(ext_clients tcp 172.30.0.150 80 100) || fail "TCP clients: $out"
echo "100 TCP connections to the external VIP 172.30.0.150:80: $out"
check_spread "TCP to 172.30.0.150:80" "$out" 15
check_output "0a:00:00:00:ee:01" pipeline "osm_external_exec ip neigh show \
    172.30.0.150 | grep -o 0a:00:00:00:ee:01"

# East-west: the pods reach the same VIP through their switches' copy of
# the load balancer (the router's is applied to traffic from outside).
check osmotic-nbctl ls-lb-add sw1 lbn
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(pod_clients c1 tcp 172.30.0.100 8080 60) || fail "pod clients: $out"
echo "60 TCP connections from pod c1 to the NodePort: $out"
check_spread "TCP from c1 to the NodePort" "$out" 5

# Without the SNAT rule, the router's own un-DNAT of the backends' replies
# (lr_out_snat) does what the rule's conntrack did.
check osmotic-nbctl lr-nat-del lr0 snat 10.10.0.0/16
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(ext_clients tcp 172.30.0.100 8080 60) || fail "TCP clients: $out"
echo "60 TCP connections to the NodePort without SNAT rule: $out"
check_spread "TCP to the NodePort without SNAT rule" "$out" 5

# A VIP without backends refuses, as a service without endpoints does: a
# TCP connection gets a reset, a UDP datagram an ICMP port unreachable,
# sent back from the gateway chassis out the port the client is behind;
# with options:reject=false it drops (nothing answers).  No other
# traffic to the router changes: it still answers pings.
# refusal PROTO IP PORT: "refused", "answered" or "timeout" (3 s), for
# one TCP connection or one UDP datagram (a connected socket, which
# reports an ICMP port unreachable as a refusal).
REFUSAL='
import socket, sys
proto, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp"
                  else socket.SOCK_DGRAM)
s.settimeout(3)
try:
    s.connect((ip, port))
    s.send(b"hello\n")
    s.recv(100)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
'
refusal() {
    osm_external_exec python3 -c "$REFUSAL" "$@"
}
check osmotic-nbctl lb-add lbe 172.30.0.160:80 "" tcp
check osmotic-nbctl lb-add lbeu 172.30.0.160:53 "" udp
check osmotic-nbctl lr-lb-add lr0 lbe
check osmotic-nbctl lr-lb-add lr0 lbeu
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output refused refusal tcp 172.30.0.160 80
check_output refused refusal udp 172.30.0.160 53
check osmotic-nbctl set load_balancer lbe options:reject=false
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output timeout refusal tcp 172.30.0.160 80
check osm_external_exec ping -q -c 2 -i 0.2 -W 1 172.30.0.100

# The trace: from the external network, the VIP's conntrack pass, its
# flow in lr_in_lb, the backend the select group picks (--lb-dst) and
# the NAT to it; then a reply from that backend (--ct=est,rpl), sent to
# the gateway chassis and un-DNATed there.
PKT='inport == "ln-ext" && eth.src == 02:00:00:00:00:01 && eth.dst == 0a:00:00:00:ee:01 && ip4.src == 172.30.0.1 && ip4.dst == 172.30.0.100 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 8080'
out=$(osmotic-trace --lb-dst=10.10.2.12:80 ext "$PKT") \
    || fail "osmotic-trace: $out"
echo "$out" > "$TESTDIR/trace-in"
for want in "lr_in_admission" "ct_dnat;" "lr_in_lb" \
        "nw_dst=172.30.0.100,tp_dst=8080" \
        "ct_lb(10.10.1.11:80, 10.10.2.12:80)" "choice 2 of 2" \
        "destination now 10.10.2.12 port 80"; do
    grep -qF "$want" <<<"$out" || fail "trace lacks \"$want\": $out"
done
RPL='inport == "lb2" && eth.src == 0a:00:00:00:02:12 && eth.dst == 0a:00:00:00:ff:02 && ip4.src == 10.10.2.12 && ip4.dst == 172.30.0.1 && ip.ttl == 64 && tcp.src == 80 && tcp.dst == 40000'
out=$(osmotic-trace --ct=est,rpl sw2 "$RPL") || fail "osmotic-trace: $out"
echo "$out" > "$TESTDIR/trace-rpl"
for want in "lr_in_gw_redirect (table 24), priority 111" \
        "output to cr-lr0-ext: tunnel from chassis hv2 to chassis gw1" \
        "lr_out_snat (table 40), priority 99" "ct_dnat;" \
        "a connection NATed before gets its translation here"; do
    grep -qF "$want" <<<"$out" || fail "reply trace lacks \"$want\": $out"
done

# The load balancer taken off the router: the NodePort stops answering.
check osmotic-nbctl lr-lb-del lr0 lbn
check osmotic-nbctl --timeout=20 --wait=hv sync
out=$(ext_clients tcp 172.30.0.100 8080 1) || fail "TCP clients: $out"
[ "$out" = fail=1 ] || fail "a load balancer removed still answered: $out"
echo PASS
