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

# state HOST: br-int's flows (without statistics), groups and meters;
# fails the test if br-int cannot be read.
state() {
    local what out
    for what in "dump-flows --no-stats" dump-groups dump-meters; do
        out=$(osm_host_ofctl "$1" $what br-int) \
            || fail "ovs-ofctl $what br-int failed on $1"
        echo "$out" | sort
    done
}
count() {
    osm_ctl_appctl "$1" ofctrl/flow-counts | sed -n "s/^$2: //p"
}
# computes HOST: the number of flow computations HOST's controller made.
computes() {
    osm_ctl_appctl "$1" controller/status | sed -n 's/^computes: //p'
}
# computed_since HOST N: HOST's controller computed more than N times.
computed_since() {
    local n
    n=$(computes "$1") && [ -n "$n" ] && [ "$n" -gt "$2" ]
}
# bundles HOST: the flow bundles HOST's controller logged.
bundles() {
    grep -c "ofctrl.*br-int: bundle [0-9]*: " \
        "$(osm_host_dir "$1")/osmotic-controller.log"
}
for h in hv1 hv2; do
    state $h > "$TESTDIR/$h.before"
    [ "$(grep -c 'table=' "$TESTDIR/$h.before")" -gt 20 ] \
        || fail "too few flows on $h: $(cat "$TESTDIR/$h.before")"
    # The bundles that installed them were logged: a bundle sent by the
    # recompute would be seen.
    bundles=$(bundles $h)
    [ "$bundles" -gt 0 ] || fail "no bundle logged on $h"
    meter_mods=$(count $h "meter mods sent")
    n_computes=$(computes $h)
    [ -n "$n_computes" ] || fail "no compute count on $h"
    check osm_ctl_appctl $h controller/recompute
    wait_until computed_since "$h" "$n_computes"
    sleep 1
    state $h | diff -u "$TESTDIR/$h.before" - \
        || fail "a full recompute changed $h's br-int"
    check_output "$bundles" bundles $h
    check_output "$meter_mods" count $h "meter mods sent"
done
echo PASS
