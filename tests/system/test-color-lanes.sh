#!/bin/bash
# What a colour gets between hosts: its lane, its DSCP on the outer header
# (the inner header keeps the pod's own), and its meter.  Two hosts on two
# underlay lanes; packets to p3 are coloured "elephant" (lane 1, DSCP
# 10), to p4 "capped" (lane 0, 2 Mb/s meter), to p5 "far" (lane 2, which
# the hosts lack: lane 0), anything else is not coloured.  The southbound
# rows are written by hand, without northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sb-lib.sh"
osm_test_init
osm_start_sb

l2() {
    sb_lflow ingress 12 50 "dl_dst=0a:00:00:00:31:0$1" "outport = $1; output;"
}
color() {
    sb_lflow ingress 5 100 "ip,nw_dst=10.244.0.$1" "color = $2; next;"
}
sb "$(sb_datapath 7 sw), $(sb_port lp1 1), $(sb_port lp2 2),
    $(sb_port lp3 3), $(sb_port lp4 4), $(sb_port lp5 5),
    $(sb_lflow ingress 0 0 '' 'next;'),
    $(color 3 2), $(color 4 3), $(color 5 4),
    $(sb_lflow ingress 5 0 '' 'next;'),
    $(l2 1), $(l2 2), $(l2 3), $(l2 4), $(l2 5),
    {\"op\": \"insert\", \"table\": \"Color\", \"row\": {
        \"name\": \"elephant\", \"color_id\": 2, \"lane\": 1, \"dscp\": 10}},
    {\"op\": \"insert\", \"table\": \"Color\", \"row\": {
        \"name\": \"capped\", \"color_id\": 3, \"lane\": 0,
        \"meter_rate\": 2000, \"meter_burst\": 200}},
    {\"op\": \"insert\", \"table\": \"Color\", \"row\": {
        \"name\": \"far\", \"color_id\": 4, \"lane\": 2}}" > /dev/null

osm_add_underlay
osm_add_host hv1 172.31.0.1,172.31.1.1
osm_add_host hv2 172.31.0.2,172.31.1.2
osm_add_pod hv1 p1 0a:00:00:00:31:01 10.244.0.1/24 lp1
for i in 2 3 4 5; do
    osm_add_pod hv2 p$i 0a:00:00:00:31:0$i 10.244.0.$i/24 lp$i
done
for i in 2 3 4 5; do
    osm_pod_exec p1 ip neigh replace 10.244.0.$i \
        lladdr 0a:00:00:00:31:0$i dev eth0 nud permanent
    osm_pod_exec p$i ip neigh replace 10.244.0.1 \
        lladdr 0a:00:00:00:31:01 dev eth0 nud permanent
done
osm_prime_underlay hv1 hv2
osm_host_exec hv1 ping -q -c 1 -W 1 172.31.1.2 > /dev/null
wait_until osm_ping p1 10.244.0.2

# The DSCP port: one more tunnel per lane for DSCP 10, on UDP port 6210.
dscp_port=$(osm_host_vsctl hv1 --bare --columns=name find interface \
                options:tos=40 options:remote_ip=172.31.1.2)
[ -n "$dscp_port" ] || fail "no lane-1 tunnel with tos 40 on hv1"
check_output '"6210"' osm_host_vsctl hv1 get interface "$dscp_port" \
    options:dst_port

# pings DEST: 20 quick pings from p1 to DEST, all answered, and the
# packets hv1 sent on each lane meanwhile as "LANE0 LANE1".
pings() {
    local a0 a1
    a0=$(rx h1l0)
    a1=$(rx h1l1)
    osm_pod_exec p1 ping -q -c 20 -i 0.05 -W 1 "$@" > "$TESTDIR/ping" 2>&1 \
        || fail "ping $*: $(cat "$TESTDIR/ping")"
    echo "$(( $(rx h1l0) - a0 )) $(( $(rx h1l1) - a1 ))"
}

# Uncoloured: lane 0.
read -r l0 l1 < <(pings 10.244.0.2)
echo "to p2 (not coloured): lane 0 $l0, lane 1 $l1"
[ "$l0" -ge 20 ] && [ "$l1" -lt 5 ] || fail "uncoloured pings not on lane 0"

# Elephant: lane 1, outer DSCP 10 (tos 0x28), inner DSCP the pod's own
# (ping -Q 0x20).
timeout 8 ip netns exec "$OSM_UNDERLAY_NS" tcpdump -n -i h1l1 -c 3 \
    -w "$TESTDIR/cap.pcap" udp port 6210 > /dev/null 2>&1 &
capture=$!
sleep 1
read -r l0 l1 < <(pings -Q 0x20 10.244.0.3)
echo "to p3 (elephant): lane 0 $l0, lane 1 $l1"
[ "$l1" -ge 20 ] && [ "$l0" -lt 5 ] || fail "elephant pings not on lane 1"
wait $capture
# Each captured packet's outer and inner IP TOS: Ethernet, IPv4, UDP,
# Geneve (8 bytes and its options), then the inner Ethernet and IPv4.
tos=$(python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
off, out = 24, []
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    geneve = 14 + 20 + 8
    inner = geneve + 8 + (pkt[geneve] & 0x3f) * 4 + 14
    out.append("%#04x/%#04x" % (pkt[15], pkt[inner + 1]))
print(" ".join(out))
' "$TESTDIR/cap.pcap")
echo "outer/inner TOS on lane 1: $tos"
case $tos in
    0x28/0x20*) ;;
    *) fail "expected outer TOS 0x28 (DSCP 10), inner 0x20: $tos" ;;
esac

# A lane the hosts lack: lane 0.
read -r l0 l1 < <(pings 10.244.0.5)
echo "to p5 (lane 2, missing): lane 0 $l0, lane 1 $l1"
[ "$l0" -ge 20 ] && [ "$l1" -lt 5 ] || fail "missing lane not lane 0"

# received_mbps: 20 Mb/s of UDP from p1 to p4 for 3 s; prints the Mb/s
# that arrived.
received_mbps() {
    osm_pod_iperf3_server p4 5201 -1
    sleep 0.5
    osm_pod_exec p1 timeout 20 iperf3 -u -b 20M -t 3 -l 1000 -c 10.244.0.4 \
        --json > "$TESTDIR/iperf" 2>&1 || fail "iperf3: $(tail "$TESTDIR/iperf")"
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("%.2f" % (r["end"]["sum"]["bits_per_second"] * (1 - r["end"]["sum"]["lost_percent"] / 100) / 1e6))
' "$TESTDIR/iperf"
}

# The meter: 20 Mb/s of UDP to p4 arrive at about 2 Mb/s.
mbps=$(received_mbps)
echo "20 Mb/s sent to p4 (capped at 2 Mb/s): $mbps Mb/s received"
python3 -c "import sys; sys.exit(not (0.5 < $mbps < 3.5))" \
    || fail "the capped colour got $mbps Mb/s, not about 2"

# A new rate: the meter changes in place, and the colour's flows, which
# use it, stay (deleting a meter deletes them in Open vSwitch).
lane_flows() {
    osm_host_ofctl hv1 dump-flows br-int table=32 | grep -c "meter:"
}
before=$(lane_flows)
[ "$before" -gt 0 ] || fail "no table-32 flow uses a meter"
sb '{"op": "update", "table": "Color", "where": [["name", "==", "capped"]],
     "row": {"meter_rate": 8000, "meter_burst": 800}}' > /dev/null
new_rate() {
    osm_host_ofctl hv1 dump-meters br-int | grep -q "rate=8000"
}
wait_until new_rate
check_output "$before" lane_flows
mbps=$(received_mbps)
echo "20 Mb/s sent to p4 (capped at 8 Mb/s): $mbps Mb/s received"
python3 -c "import sys; sys.exit(not (5 < $mbps < 11))" \
    || fail "the capped colour got $mbps Mb/s, not about 8"
grep -q "conflicts with" "$(osm_host_dir hv1)/osmotic-controller.log" \
    && fail "the new rate conflicted with the old one"
echo PASS
