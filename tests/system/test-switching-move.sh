#!/bin/bash
# Moving a pod to another host moves its port binding, and the other pods
# reach it at its new place.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

osm_lsp_add sw0 lp1 0a:00:00:00:05:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:05:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:05:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:05:02 10.244.0.2/24 lp2
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2

bound_on() {
    osm_ctl_appctl "$1" controller/status | grep -q " $2("
}
check bound_on hv2 lp2

# Move p2 from hv2 to hv3 (same addresses, same logical port).
osm_del_pod hv2 p2
osm_add_pod hv3 p2 0a:00:00:00:05:02 10.244.0.2/24 lp2
wait_until bound_on hv3 lp2
check osmotic-nbctl --timeout=20 --wait=hv sync
! bound_on hv2 lp2 || fail "lp2 still bound on hv2"
check_output up osmotic-nbctl lsp-get-up lp2
check_ping p1 10.244.0.2
check_ping p2 10.244.0.1

# hv2 has no port of sw0 left, so none of its logical flows either.
n=$(osm_host_ofctl hv2 dump-flows br-int table=22 | grep -c metadata=)
[ "$n" -eq 0 ] || fail "hv2 still has $n sw0 flows"
echo PASS
