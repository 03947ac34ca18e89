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

# bound_on HOST LPORT: HOST's controller lists LPORT among its local
# ports (the status must be readable).
bound_on() {
    local status
    status=$(osm_ctl_appctl "$1" controller/status) \
        || fail "controller/status on $1"
    grep -q " $2(" <<<"$status"
}
# sw_flows HOST: how many of HOST's L2 lookup flows (table 22) belong to a
# datapath; fails the test if br-int cannot be read.
sw_flows() {
    local flows
    flows=$(osm_host_ofctl "$1" dump-flows br-int table=22) \
        || fail "dump-flows on $1"
    grep -c metadata= <<<"$flows" || true
}
check bound_on hv2 lp2
n=$(sw_flows hv2) || exit 1
[ "$n" -gt 0 ] || fail "hv2 has no sw0 flows while p2 is there"

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
n=$(sw_flows hv2) || exit 1
[ "$n" -eq 0 ] || fail "hv2 still has $n sw0 flows"
echo PASS
