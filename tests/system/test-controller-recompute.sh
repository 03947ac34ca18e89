#!/bin/bash
# No change after recompute: after a series of changes (ports added,
# bound, moved, disabled and deleted, addresses and port security
# changed), a forced full recompute on every host changes no installed
# flow, group or meter, and sends br-int nothing.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:11:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:11:02 10.244.0.2
osm_lsp_add sw1 lq1 0a:00:00:00:12:01 10.245.0.1
osm_add_pod hv1 p1 0a:00:00:00:11:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:11:02 10.244.0.2/24 lp2
osm_add_pod hv1 q1 0a:00:00:00:12:01 10.245.0.1/24 lq1
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# The changes.
osm_lsp_add sw0 lp3 0a:00:00:00:11:03 10.244.0.3
osm_add_pod hv2 p3 0a:00:00:00:11:03 10.244.0.3/24 lp3
check osmotic-nbctl --timeout=20 lsp-set-addresses lp2 \
    "0a:00:00:00:11:02 10.244.0.2 fd00::2" unknown
check osmotic-nbctl --timeout=20 lsp-set-port-security lp1 \
    "0a:00:00:00:11:01 10.244.0.1 fd00::1"
check osmotic-nbctl --timeout=20 lsp-set-enabled lq1 disabled
check osmotic-nbctl --timeout=20 lsp-add sw1 lq2
osm_del_pod hv2 p3
osm_add_pod hv1 p3 0a:00:00:00:11:03 10.244.0.3/24 lp3
check osmotic-nbctl --timeout=20 lsp-del lq2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.244.0.3

# state HOST: br-int's flows (without statistics), groups and meters.
state() {
    osm_host_ofctl "$1" dump-flows --no-stats br-int | sort
    osm_host_ofctl "$1" dump-groups br-int | sort
    osm_host_ofctl "$1" dump-meters br-int | sort
}
count() {
    osm_ctl_appctl "$1" ofctrl/flow-counts | sed -n "s/^$2: //p"
}
for h in hv1 hv2; do
    state $h > "$TESTDIR/$h.before"
    bundles=$(grep -c "ofctrl.*bundle" "$(osm_host_dir $h)/osmotic-controller.log")
    meter_mods=$(count $h "meter mods sent")
    computes=$(osm_ctl_appctl $h controller/status | sed -n 's/^computes: //p')
    check osm_ctl_appctl $h controller/recompute
    wait_until sh -c "[ \$(ip netns exec $(osm_ns $h) ovs-appctl -t \
        $(osm_host_dir $h)/osmotic-controller.ctl controller/status \
        | sed -n 's/^computes: //p') -gt $computes ]"
    sleep 1
    state $h | diff -u "$TESTDIR/$h.before" - \
        || fail "a full recompute changed $h's br-int"
    check_output "$bundles" grep -c "ofctrl.*bundle" \
        "$(osm_host_dir $h)/osmotic-controller.log"
    check_output "$meter_mods" count $h "meter mods sent"
done
echo PASS
