#!/bin/bash
# The controller processes changes incrementally: a port added on another
# host to a local switch, a port bound on this host to a local switch, a
# port's addresses changed, and a port deleted, each update hv1's flows
# (traffic follows) without any recompute of its lflow or physical
# engine nodes, and send br-int only a few flows.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:21:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:21:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:21:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:21:02 10.244.0.2/24 lp2
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.244.0.2

# recomputes NODE: hv1's recompute count of engine node NODE.
recomputes() {
    osm_ctl_appctl hv1 controller/status \
        | sed -n "s/^engine $1: \([0-9]*\) recomputes.*/\1/p"
}
# incremental NODE: hv1's incremental pass count of engine node NODE.
incremental() {
    osm_ctl_appctl hv1 controller/status \
        | sed -n "s/^engine $1: .* \([0-9]*\) incremental$/\1/p"
}
# bundle_adds: the flow adds of hv1's bundles so far, summed.
bundle_adds() {
    sed -n 's/.*ofctrl.*bundle [0-9]*: \([0-9]*\) adds.*/\1/p' \
        "$(osm_host_dir hv1)/osmotic-controller.log" \
        | awk '{ s += $1 } END { print s + 0 }'
}

lflow_r=$(recomputes lflow)
phys_r=$(recomputes physical)
lflow_i=$(incremental lflow)
phys_i=$(incremental physical)
[ -n "$lflow_r" ] && [ -n "$phys_r" ] && [ -n "$lflow_i" ] \
    || fail "no engine counts in controller/status"

# A port on the other host, on hv1's switch.
adds=$(bundle_adds)
osm_lsp_add sw0 lp3 0a:00:00:00:21:03 10.244.0.3
osm_add_pod hv2 p3 0a:00:00:00:21:03 10.244.0.3/24 lp3
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.244.0.3
new=$(( $(bundle_adds) - adds ))
echo "remote port on a local switch: $new flow adds on hv1"
[ "$new" -gt 0 ] && [ "$new" -le 40 ] \
    || fail "a remote port cost hv1 $new flow adds (expected 1 to 40)"

# A port bound on hv1, on its switch.
osm_lsp_add sw0 lp4 0a:00:00:00:21:04 10.244.0.4
osm_add_pod hv1 p4 0a:00:00:00:21:04 10.244.0.4/24 lp4
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output up osmotic-nbctl --timeout=20 lsp-get-up lp4
wait_until osm_ping p4 10.244.0.2

# New addresses for a port: its flows follow.
check osmotic-nbctl --timeout=20 --wait=hv \
    -- lsp-set-addresses lp3 "0a:00:00:00:21:03 10.244.0.33" \
    -- lsp-set-port-security lp3 "0a:00:00:00:21:03 10.244.0.33"
osm_pod_exec p3 ip addr add 10.244.0.33/24 dev eth0
wait_until osm_ping p1 10.244.0.33

# A port deleted: its flows go, traffic to it stops.
check osmotic-nbctl --timeout=20 --wait=hv lsp-del lp3
no_ping() {
    ! osm_ping "$@"
}
wait_until no_ping p1 10.244.0.33

check_output "$lflow_r" recomputes lflow
check_output "$phys_r" recomputes physical
[ "$(incremental lflow)" -gt "$lflow_i" ] \
    || fail "the lflow node handled nothing incrementally"
[ "$(incremental physical)" -gt "$phys_i" ] \
    || fail "the physical node handled nothing incrementally"
echo PASS
