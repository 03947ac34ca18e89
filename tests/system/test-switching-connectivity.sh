#!/bin/bash
# Pods on one logical switch, on the same host and on different hosts,
# reach each other: ARP (broadcast, flooded to the other chassis), ICMP,
# TCP and UDP.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

osm_lsp_add sw0 lp1 0a:00:00:00:01:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:01:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:01:03 10.244.0.3
osm_lsp_add sw0 lp4 0a:00:00:00:01:04 10.244.0.4
osm_add_pod hv1 p1 0a:00:00:00:01:01 10.244.0.1/24 lp1
osm_add_pod hv1 p2 0a:00:00:00:01:02 10.244.0.2/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:01:03 10.244.0.3/24 lp3
osm_add_pod hv3 p4 0a:00:00:00:01:04 10.244.0.4/24 lp4
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync

# Every port is bound where its interface is, and up.
for lp in lp1 lp2 lp3 lp4; do
    check_output up osmotic-nbctl lsp-get-up $lp
done

# Same host, then across hosts, both ways.
check_ping p1 10.244.0.2
check_ping p1 10.244.0.3
check_ping p3 10.244.0.4
check_ping p4 10.244.0.1

# Broadcast ARP: with the neighbour caches flushed, the first ping must
# resolve the address again (the request is flooded to every chassis).
for p in p1 p3 p4; do
    osm_pod_exec $p ip neigh flush dev eth0
done
check_ping p4 10.244.0.3
p4_knows_p3() {
    osm_pod_exec p4 ip neigh show 10.244.0.3 | grep -q 0a:00:00:00:01:03
}
check p4_knows_p3

# TCP and UDP across hosts.
osm_pod_exec p3 iperf3 -s -D -1 -p 5201 --pidfile "$TESTDIR/iperf-tcp.pid" \
    || fail "iperf3 server"
osm_track_pidfile "$TESTDIR/iperf-tcp.pid"
sleep 0.5
check osm_pod_exec p1 timeout 15 iperf3 -c 10.244.0.3 -p 5201 -t 2 \
    > "$TESTDIR/iperf-tcp.out"
grep -q receiver "$TESTDIR/iperf-tcp.out" || fail "no TCP transfer"

osm_pod_exec p4 iperf3 -s -D -1 -p 5202 --pidfile "$TESTDIR/iperf-udp.pid" \
    || fail "iperf3 server"
osm_track_pidfile "$TESTDIR/iperf-udp.pid"
sleep 0.5
check osm_pod_exec p2 timeout 15 iperf3 -u -b 10M -c 10.244.0.4 -p 5202 \
    -t 2 --json > "$TESTDIR/iperf-udp.json"
received=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["end"]["sum"]
print(r["packets"] - r["lost_packets"])' "$TESTDIR/iperf-udp.json")
[ "$received" -gt 0 ] || fail "no UDP datagram received"
echo PASS
