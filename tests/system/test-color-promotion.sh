#!/bin/bash
# Dynamic colour promotion, configured with osmotic-nbctl, on the host
# that carries the traffic: a bulk TCP transfer from p1 (hv1) to p2 (hv2)
# starts as a mouse and, once its sampled bytes cross the class's
# threshold, becomes an elephant (lane 1, DSCP 10) in both directions
# (hv2 colours the replies), while pings from p1 to p3 that run meanwhile
# stay on lane 0; the elephant is demoted after the class's idle time; a
# static class of higher priority keeps a connection a mouse whatever it
# carries; a class with a rate threshold promotes a fast transfer and not
# a slow one; "osmotic-sbctl elephant-list" lists the promotions of the
# chassis, with their logical ports; after hv1's controller restarts, it
# deletes the rows its killed predecessor left, and promotion still works
# (the controller has Open vSwitch re-create its IPFIX exporter, which
# sends its templates again); a controller that exits takes its rows.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1,172.31.1.1
osm_add_host hv2 172.31.0.2,172.31.1.2
osm_lsp_add sw0 lp1 0a:00:00:00:41:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:41:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:41:03 10.244.0.3
osm_add_pod hv1 p1 0a:00:00:00:41:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:41:02 10.244.0.2/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:41:03 10.244.0.3/24 lp3
osm_prime_underlay hv1 hv2
osm_host_exec hv1 ping -q -c 1 -W 1 172.31.1.2 > /dev/null

check osmotic-nbctl color-add elephant dscp=10 lane=1
check osmotic-nbctl class-add bulk 100 \
    '(tcp.dst >= 5201 && tcp.dst <= 5202) || tcp.dst == 5211' \
    mouse --promote-to=elephant --promote-bytes=3000000 --demote-idle=3
check osmotic-nbctl class-add control 300 'tcp.dst == 5202' mouse
check osmotic-nbctl class-add fast 100 'tcp.dst == 5203' mouse \
    --promote-to=elephant --promote-rate=2000000 --interval=500 \
    --demote-idle=3
# A class that promotes to the same colour and keeps it longer (300 s):
# it must not keep bulk's connections elephants after their demotion.
check osmotic-nbctl class-add keep 90 'tcp.dst == 5299' mouse \
    --promote-to=elephant --promote-bytes=1000000000
check osmotic-nbctl --wait=hv sync
wait_until osm_ping p1 10.244.0.2

elephants() {
    osm_ctl_appctl "$1" color/elephants
}
no_elephant() {
    [ -z "$(elephants hv1)" ]
}
collector_up() {
    osm_ctl_appctl hv1 color/status | grep -q 'collector: 127.0.0.1'
}
wait_until collector_up
osm_ctl_appctl hv1 color/status

# log_ms HOST TEXT: the time, in ms since the epoch, of the first line
# of HOST's controller log that contains TEXT after line $2.
log_ms() {
    tail -n +"$3" "$(osm_host_dir "$1")/osmotic-controller.log" \
        | grep -h "$2" | head -1 | python3 -c '
import datetime, sys
t = sys.stdin.read().split("|")[0]
d = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
print(int(d.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000))'
}
log_lines() {
    wc -l < "$(osm_host_dir "$1")/osmotic-controller.log"
}
# transfer PORT SECONDS RATE: a TCP transfer from p1 to p2's PORT.
transfer() {
    osm_pod_exec p1 timeout 20 iperf3 -c 10.244.0.2 -p "$1" -t "$2" -b "$3" \
        > "$TESTDIR/transfer-$1" 2>&1 \
        || fail "iperf3 to $1: $(tail "$TESTDIR/transfer-$1")"
}
for port in 5201 5202 5203; do
    osm_pod_iperf3_server p2 $port
done
sleep 0.5

# A bulk transfer, with pings to p3 meanwhile; what crosses lane 1 is
# captured.
a1=$(rx h1l1)
b1=$(rx h2l1)
timeout 12 ip netns exec "$OSM_UNDERLAY_NS" tcpdump -n -i h1l1 \
    -w "$TESTDIR/lane1.pcap" udp port 6210 > /dev/null 2>&1 &
capture=$!
sleep 0.5
lines=$(log_lines hv1)
start_ms=$(date +%s%3N)
transfer 5201 4 50M &
bulk=$!
osm_pod_exec p1 ping -q -c 30 -i 0.1 -W 1 10.244.0.3 > "$TESTDIR/ping" 2>&1 \
    || fail "pings during the transfer: $(cat "$TESTDIR/ping")"
wait $bulk || fail "the transfer failed"

elephants hv1 > "$TESTDIR/el1"
cat "$TESTDIR/el1"
grep -q "tcp 10.244.0.1:[0-9]* > 10.244.0.2:5201 from=lp1 to=lp2 color=elephant rule=bulk" \
    "$TESTDIR/el1" || fail "the transfer was not promoted on hv1"
# The cluster-wide list has it too, as hv1's (the transfer is over, but
# its idle time is not).
sb_elephants() {
    osmotic-sbctl elephant-list
}
listed() {
    sb_elephants | grep -q "^hv1 sw0 tcp 10.244.0.1:[0-9]* > 10.244.0.2:5201 from=lp1 to=lp2 color=elephant rule=bulk since="
}
wait_until listed
check_output 1 pipeline "osmotic-sbctl elephant-list | wc -l"
# At 50 Mb/s, 3,000,000 bytes take about 480 ms.
promoted_ms=$(log_ms hv1 "promoted tcp 10.244.0.1" "$lines")
echo "promoted $((promoted_ms - start_ms)) ms after the transfer started" \
     "(threshold crossed after about 480 ms at 50 Mb/s)"
[ $((promoted_ms - start_ms)) -lt 4000 ] \
    || fail "promoted only after $((promoted_ms - start_ms)) ms"

# Both directions on lane 1: hv1's data and hv2's acknowledgements.
a1=$(( $(rx h1l1) - a1 ))
b1=$(( $(rx h2l1) - b1 ))
echo "lane 1 during the transfer: $a1 packets from hv1, $b1 from hv2"
[ "$a1" -gt 1000 ] || fail "the elephant's data did not take lane 1"
[ "$b1" -gt 100 ] || fail "the elephant's replies did not take lane 1"

# No ping crossed lane 1: the inner protocol of every captured packet
# (Ethernet, IPv4, UDP, Geneve with its options, then the inner frame).
kill $capture 2>/dev/null
wait $capture 2>/dev/null
icmp=$(python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    inner = 14 + 20 + 8 + 8 + (pkt[42] & 0x3f) * 4 + 14
    n += inner + 9 < len(pkt) and pkt[inner + 9] == 1
print(n)' "$TESTDIR/lane1.pcap")
[ "$icmp" = 0 ] || fail "$icmp pings took the elephant's lane"

# Idle: demoted after 3 s.
OSM_WAIT=10 wait_until no_elephant
no_sb_elephant() {
    [ -z "$(sb_elephants)" ]
}
wait_until no_sb_elephant
grep -q "demoted tcp 10.244.0.1" \
    "$(osm_host_dir hv1)/osmotic-controller.log" || fail "no demotion logged"

# A static class of higher priority wins: the same transfer to port 5202
# stays a mouse.
transfer 5202 2 50M
no_elephant || fail "a static mouse was promoted: $(elephants hv1)"

# A rate threshold: 2,000,000 bytes/s over 500 ms.  A slow transfer
# (1 Mb/s) stays a mouse; a fast one (50 Mb/s) is promoted.
transfer 5203 2 1M
no_elephant || fail "a slow transfer was promoted: $(elephants hv1)"
transfer 5203 2 50M
elephants hv1 | grep -q "> 10.244.0.2:5203 from=lp1 to=lp2 color=elephant rule=fast" \
    || fail "the fast transfer was not promoted: $(elephants hv1)"
OSM_WAIT=10 wait_until no_elephant

# A demoted connection is a mouse again in both directions, although
# "keep" promotes to the same colour with a longer idle time: 4 MB, 8 s
# idle (demoted after 3), 1 MB more on the same connection, which must
# not take lane 1 (1 MB: far enough below bulk's 3 MB that the sampled
# estimate does not promote the connection again).
osm_pod_exec p2 timeout 30 python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 5211))
s.listen(1)
c, _ = s.accept()
while c.recv(65536):
    pass' &
server=$!
wait_until tcp_listening p2 5211
lines=$(log_lines hv1)
osm_pod_exec p1 timeout 30 python3 -c '
import socket, time
s = socket.create_connection(("10.244.0.2", 5211))
s.sendall(b"x" * 4000000)
time.sleep(8)
s.sendall(b"x" * 1000000)
time.sleep(1)
s.close()' &
client=$!
# Demoted within the client's 8 s pause (3 s idle after the 4 MB): wait
# for it for at most 7 s, so that the 1 MB after the pause is sent after
# the demotion.
demoted_5211() {
    tail -n +"$lines" "$(osm_host_dir hv1)/osmotic-controller.log" \
        | grep -q "demoted tcp 10.244.0.1:[0-9]* > 10.244.0.2:5211"
}
OSM_WAIT=7 wait_until demoted_5211
a1=$(rx h1l1)
b1=$(rx h2l1)
wait $client || fail "the client to 5211 failed"
wait $server
a1=$(( $(rx h1l1) - a1 ))
b1=$(( $(rx h2l1) - b1 ))
echo "after demotion, 1 MB more: lane 1 $a1 packets from hv1, $b1 from hv2"
[ "$a1" -lt 100 ] && [ "$b1" -lt 100 ] \
    || fail "a demoted connection still took lane 1"

# A controller that leaves (exit) takes its chassis' rows with it; one
# killed leaves them to its next run, which deletes them.  Here the row of
# the last promotion stays while hv1's controller is down.
transfer 5201 2 50M
wait_until listed

# hv1's controller restarts: it gets a new collector port, and Open
# vSwitch's exporter, which already sent its templates to the old one,
# is re-created so that it sends them again.
lines=$(log_lines hv1)
osm_stop_controller hv1
listed || fail "the row went with the controller that was killed"
osm_start_controller hv1
wait_until collector_up
wait_until no_sb_elephant
check osmotic-nbctl --wait=hv sync
transfer 5201 2 50M
elephants hv1 | grep -q "> 10.244.0.2:5201 from=lp1 to=lp2 color=elephant rule=bulk" \
    || fail "no promotion after a restart: $(osm_ctl_appctl hv1 color/status)"
tail -n +"$lines" "$(osm_host_dir hv1)/osmotic-controller.log" \
    | grep -q "clearing the targets to re-create the exporter" \
    || fail "the exporter was not re-created"
osm_ctl_appctl hv1 color/counters
wait_until listed
osm_ctl_appctl hv1 exit
wait_until no_sb_elephant
echo PASS
