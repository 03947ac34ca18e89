#!/bin/bash
# Port security, one direction at a time, counted at the receiver: a pod
# sending with a spoofed MAC or IP source is dropped on the way in (the
# receiver's side open), a packet to a secured port for an address it
# does not have is dropped on the way out (the sender's side open), and a
# disabled port neither sends nor receives, each direction checked with
# the other end enabled.  Adding a secured port leaves the other ports'
# OpenFlow flows untouched.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:03:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:03:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:03:03 10.244.0.3
osm_add_pod hv1 p1 0a:00:00:00:03:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:03:02 10.244.0.2/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:03:03 10.244.0.3/24 lp3
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2
check_ping p1 10.244.0.3

# Static neighbour entries for every pod: nothing needs an answer (an
# ARP reply, which would need the other direction) to get through.
for i in 1 2 3; do
    for j in 1 2 3; do
        [ $i = $j ] || check osm_pod_exec p$i ip neigh replace \
            10.244.0.$j lladdr 0a:00:00:00:03:0$j dev eth0 nud permanent
    done
done

# received FROM TO IP [SOURCE-IP]: sends 10 UDP datagrams from pod FROM
# to IP (port 9), from SOURCE-IP if given (an address FROM must have), and
# prints how many of them pod TO's eth0 received (whether or not IP is
# TO's address), counted by a packet socket in TO.
received() {
    local tag=$RANDOM$RANDOM out sniffer
    out=$TESTDIR/sniffed-$tag
    : > "$out"
    ip netns exec "$(osm_ns "$2")" timeout 10 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("eth0", 0))
print("ready", flush=True)
tag, n, end = sys.argv[1].encode(), 0, time.time() + 1.5
while n < 10 and time.time() < end:
    s.settimeout(max(end - time.time(), 0.01))
    try:
        frame, addr = s.recvfrom(2048)
    except socket.timeout:
        break
    if addr[2] == socket.PACKET_OUTGOING or frame[12:14] != b"\x08\x00":
        continue
    ip = frame[14:]
    if ip[9] == 17 and tag in ip:
        n += 1
print(n)' "$tag" > "$out" < /dev/null &
    sniffer=$!
    wait_until grep -q ready "$out"
    osm_pod_exec "$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 3:
    s.bind((sys.argv[3], 0))
for i in range(10):
    s.sendto(sys.argv[1].encode(), (sys.argv[2], 9))
    time.sleep(0.01)' "$tag" "$3" ${4:+"$4"} || fail "$1 could not send"
    wait "$sniffer" || fail "the packet counter in $2 failed"
    tail -n 1 "$out"
}
# arrives / dropped FROM TO IP [SOURCE-IP]: all 10 (none) of the
# datagrams reach TO.
arrives() {
    local n
    n=$(received "$@") || exit 1
    [ "$n" -ge 10 ] || fail "line ${BASH_LINENO[0]}: $1 -> $2" \
                            "($3${4:+ from $4}): $n of 10 arrived"
}
dropped() {
    local n
    n=$(received "$@") || exit 1
    [ "$n" -eq 0 ] || fail "line ${BASH_LINENO[0]}: $1 -> $2" \
                           "($3${4:+ from $4}): $n of 10 arrived," \
                           "expected none"
}

# The paths work: across hosts and on one host.
arrives p1 p2 10.244.0.2
arrives p1 p3 10.244.0.3
arrives p3 p2 10.244.0.2

# Ingress, spoofed MAC: p2 and p3 accept anything to their addresses.
osm_pod_exec p1 ip link set eth0 address 0a:00:00:00:03:99
dropped p1 p2 10.244.0.2
dropped p1 p3 10.244.0.3
osm_pod_exec p1 ip link set eth0 address 0a:00:00:00:03:01
arrives p1 p2 10.244.0.2

# Ingress, spoofed IP (the right MAC, another source address).
check osm_pod_exec p1 ip addr add 10.244.0.9/32 dev eth0
dropped p1 p2 10.244.0.2 10.244.0.9
dropped p1 p3 10.244.0.3 10.244.0.9
arrives p1 p2 10.244.0.2 10.244.0.1
check osm_pod_exec p1 ip addr del 10.244.0.9/32 dev eth0

# Egress: p3 sends from its own addresses (its side is open) to p2's MAC,
# but for an IP address p2's port security does not list.
check osm_pod_exec p3 ip neigh replace 10.244.0.77 \
    lladdr 0a:00:00:00:03:02 dev eth0 nud permanent
dropped p3 p2 10.244.0.77
arrives p3 p2 10.244.0.2
# ... which arrives once p2's port security no longer restricts it.
# (After each change the datapath's cached flows are removed before
# anything is counted: see osm_fresh_datapath.)
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-port-security lp2
osm_fresh_datapath hv1 hv2
arrives p3 p2 10.244.0.77
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-port-security lp2 \
    "0a:00:00:00:03:02 10.244.0.2"
osm_fresh_datapath hv1 hv2
dropped p3 p2 10.244.0.77

# A disabled port is cut off in each direction on its own, on this host
# and across hosts: from it to enabled ports, and from enabled ports to
# it.
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-enabled lp1 disabled
osm_fresh_datapath hv1 hv2
dropped p1 p2 10.244.0.2
dropped p1 p3 10.244.0.3
dropped p2 p1 10.244.0.1
dropped p3 p1 10.244.0.1
arrives p2 p3 10.244.0.3
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-enabled lp1 enabled
osm_fresh_datapath hv1 hv2
arrives p1 p2 10.244.0.2
arrives p3 p1 10.244.0.1
arrives p2 p1 10.244.0.1

# Adding a port with port security leaves every OpenFlow flow of the other
# ports as it was, on the new port's host and elsewhere.  Only the flood
# group's own flows (reg15=0x8000) gain the new member, and the flows the
# new port's bucket of ports shares (port security allows in tables 10 and
# 45, own-address requests in table 20) get the cookie of the bucket's new
# logical flow, with match and actions unchanged.
others() {
    local flows
    flows=$(osm_flows "$1") || fail "dump-flows on $1"
    [ -n "$flows" ] || fail "no flows on $1"
    echo "$flows" | grep -v 'reg15=0x8000'
}
check osmotic-nbctl --timeout=20 --wait=hv sync
others hv1 > "$TESTDIR/hv1.before"
others hv2 > "$TESTDIR/hv2.before"
osm_lsp_add sw0 lp4 0a:00:00:00:03:04 10.244.0.4
osm_add_pod hv1 p4 0a:00:00:00:03:04 10.244.0.4/24 lp4
check osmotic-nbctl --timeout=20 --wait=hv sync
no_cookie() {
    sed 's/cookie=0x[0-9a-f]*, //' "$1" | sort
}
for hv in hv1 hv2; do
    others $hv > "$TESTDIR/$hv.after"
    changed=$(comm -23 <(no_cookie "$TESTDIR/$hv.before") \
                       <(no_cookie "$TESTDIR/$hv.after"))
    [ -z "$changed" ] || fail "adding lp4 changed flows on $hv: $changed"
    recookied=$(comm -23 "$TESTDIR/$hv.before" "$TESTDIR/$hv.after")
    [ -n "$recookied" ] || fail "no bucket flow of lp4 on $hv"
    echo "$recookied" | grep -vE 'table=(10, priority=90|20, priority=60|45, priority=90),' \
        && fail "adding lp4 changed cookies beyond its bucket on $hv"
    cmp -s "$TESTDIR/$hv.before" "$TESTDIR/$hv.after" \
        && fail "adding lp4 added no flow on $hv"
done
check_ping p4 10.244.0.2
check_ping p4 10.244.0.3
osm_pod_exec p4 ip link set eth0 address 0a:00:00:00:03:98
check_no_ping p4 10.244.0.2
check_no_ping p4 10.244.0.3
echo PASS
