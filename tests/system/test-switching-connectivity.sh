#!/bin/bash
# Pods on one logical switch, on the same host and on different hosts,
# reach each other: ARP (broadcast, flooded to the other chassis), ICMP
# with no ping lost, TCP (4 MB arrive intact) and UDP (every one of 200
# datagrams arrives).
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

# TCP and UDP across hosts: every byte sent arrives, every datagram.
check_tcp_transfer p1 p3 10.244.0.3
check_udp_transfer p2 p4 10.244.0.4
echo PASS
