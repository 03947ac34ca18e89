#!/bin/bash
# Load balancer health checks against a backend that lies about its
# neighbour: two UDP backends on one host, both checked, so the port of
# each hands ICMP destination unreachables to the controller.  a1 reads
# (here, from inside b1) the source port of b1's probe and sends an ICMP
# port unreachable quoting it, from its own port: b1 stays online.  The
# same forgery quoting a1's own probe takes a1 offline, which shows that
# the forged answers reach the controller.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

osm_lsp_add sw0 lb1 0a:00:00:00:01:11 10.10.1.11
osm_lsp_add sw0 la1 0a:00:00:00:01:12 10.10.1.12
osm_add_pod hv1 b1 0a:00:00:00:01:11 10.10.1.11/24 lb1
osm_add_pod hv1 a1 0a:00:00:00:01:12 10.10.1.12/24 la1

# Both serve UDP on 5683, so that no real probe gets an unreachable.
SERVER='
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 5683))
while True:
    data, peer = u.recvfrom(100)
    u.sendto(b"x", peer)
'
for pod in b1 a1; do
    ip netns exec "$(osm_ns $pod)" timeout 600 python3 -c "$SERVER" \
        < /dev/null >> "$TESTDIR/server-$pod.log" 2>&1 &
    echo $! > "$TESTDIR/server-$pod.pid"
    osm_track_pidfile "$TESTDIR/server-$pod.pid"
done
for pod in b1 a1; do
    wait_until udp_listening $pod 5683
done

# A probe every 2 s, waited for 2 s; one failure makes a backend offline,
# three successes online again.
check osmotic-nbctl lb-add lbu 172.30.0.10:5683 \
    10.10.1.11:5683,10.10.1.12:5683 udp
check osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check vip='"172.30.0.10:5683"' \
       options:interval=2 options:timeout=2 options:success_count=1 \
       options:failure_count=1 \
    -- add Load_Balancer lbu health_check @hc \
    -- set Load_Balancer lbu ip_port_mappings:10.10.1.11=lb1:10.10.1.250 \
       ip_port_mappings:10.10.1.12=la1:10.10.1.250 \
    -- ls-lb-add sw0 lbu
check osmotic-nbctl --timeout=20 --wait=hv sync

status() {
    osmotic-sbctl --bare --columns=status find Service_Monitor \
        ip="$1" port=5683
}
status_is() {
    [ "$(status "$1")" = "$2" ]
}
wait_until status_is 10.10.1.11 online
wait_until status_is 10.10.1.12 online
# From now on a success needs three probes in a row: a forged failure
# that the controller takes shows for at least 4 s.
hc=$(osmotic-nbctl --bare --columns=_uuid list Load_Balancer_Health_Check) \
    || fail "list Load_Balancer_Health_Check"
check osmotic-nbctl set Load_Balancer_Health_Check "$hc" \
    options:success_count=3
check osmotic-nbctl --timeout=20 --wait=hv sync

# probe_port POD: waits in POD for the next probe and prints its source
# port.
probe_port() {
    osm_pod_exec "$1" timeout 10 python3 -c '
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
while True:
    f = s.recv(2048)
    ip = f[14:]
    ihl = (ip[0] & 15) * 4
    if (ip[9] == 17 and ip[12:16] == socket.inet_aton("10.10.1.250")
            and struct.unpack("!H", ip[ihl + 2:ihl + 4])[0] == 5683):
        print(struct.unpack("!H", ip[ihl:ihl + 2])[0])
        break
'
}
# forge_unreachable BACKEND SPORT: from a1's own port, MAC and address, an
# ICMP port unreachable to the probes' source quoting the probe of
# BACKEND:5683 from source port SPORT.
forge_unreachable() {
    osm_pod_exec a1 timeout 10 python3 -c '
import socket, struct, sys
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff
def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
backend, sport = sys.argv[1], int(sys.argv[2])
quoted = ip4("10.10.1.250", backend, 17, struct.pack("!HHHH", sport, 5683, 8, 0))
icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
frame = (bytes.fromhex("0a580afe0001") + bytes.fromhex("0a0000000112")
         + b"\x08\x00" + ip4("10.10.1.12", "10.10.1.250", 1, icmp))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(frame)
' "$1" "$2"
}

# a1 quotes b1's probes: b1 stays online.
for i in 1 2 3; do
    sport=$(probe_port b1) || fail "no probe seen in b1"
    forge_unreachable 10.10.1.11 "$sport" || fail "forge"
    sleep 1
    check_output online status 10.10.1.11
done
echo "b1 online after 3 forged unreachables from a1"

# a1 quotes its own probe: that one counts (the forgery is delivered).
sport=$(probe_port a1) || fail "no probe seen in a1"
forge_unreachable 10.10.1.12 "$sport" || fail "forge"
wait_until status_is 10.10.1.12 offline
echo "a1 offline after quoting its own probe"

for pod in b1 a1; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo "PASS"
