#!/bin/bash
# Two logical switches with pods in the same IP subnet, on the same hosts,
# stay isolated from each other while each switch works.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:02:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:02:02 10.244.0.2
osm_lsp_add sw1 lp3 0a:00:00:00:02:03 10.244.0.3
osm_lsp_add sw1 lp4 0a:00:00:00:02:04 10.244.0.4
osm_add_pod hv1 p1 0a:00:00:00:02:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:02:02 10.244.0.2/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:02:03 10.244.0.3/24 lp3
osm_add_pod hv2 p4 0a:00:00:00:02:04 10.244.0.4/24 lp4
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

check_ping p1 10.244.0.2
check_ping p3 10.244.0.4
check_no_ping p1 10.244.0.3
check_no_ping p1 10.244.0.4
check_no_ping p4 10.244.0.2

# Even with the other switch's MAC known, nothing crosses over.
osm_pod_exec p1 ip neigh replace 10.244.0.3 lladdr 0a:00:00:00:02:03 \
    dev eth0 nud permanent
check_no_ping p1 10.244.0.3
echo PASS
