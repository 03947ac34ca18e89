#!/bin/bash
# controller/status counts what the controller works with (chassis in the
# southbound database, its tunnel ports, local ports, installed flows) and
# says when it last computed the flows and how long that took.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

osm_lsp_add sw0 lp1 0a:00:00:00:0c:01 10.244.0.1
osm_add_pod hv1 p1 0a:00:00:00:0c:01 10.244.0.1/24 lp1
check osmotic-nbctl --timeout=20 --wait=hv sync

# status_field HOST NAME: the value of line "NAME: VALUE" of HOST's status.
status_field() {
    osm_ctl_appctl "$1" controller/status | sed -n "s/^$2: //p"
}

# Three hosts: three chassis, and from hv1 one tunnel to each other one.
wait_until [ "$(status_field hv1 'tunnel ports')" = 2 ]
check_output 3 status_field hv1 'southbound chassis'
check_output 1 status_field hv1 'local ports'
check_output 0 status_field hv2 'local ports'
flows=$(status_field hv1 'installed flows')
switch_flows=$(osm_host_ofctl hv1 dump-flows --no-names br-int \
                   | grep -c 'table=')
[ "$flows" -gt 0 ] && [ "$flows" = "$switch_flows" ] \
    || fail "installed flows: status says $flows, br-int has $switch_flows"

# A recompute counts, takes a measurable time and happened just now.
n=$(status_field hv1 computes)
[ "$n" -gt 0 ] || fail "computes: $n"
check osm_ctl_appctl hv1 controller/recompute
wait_until [ "$(status_field hv1 computes)" -gt "$n" ]
last=$(status_field hv1 'last compute')
case $last in
    *" UTC, took "*" us") ;;
    *) fail "last compute: [$last]" ;;
esac
usec=${last##*took }
usec=${usec% us}
[ "$usec" -gt 0 ] && [ "$usec" -lt 10000000 ] \
    || fail "last compute duration: $usec us"
when=$(date -u -d "${last%%.*}" +%s) || fail "last compute time: [$last]"
age=$(( $(date -u +%s) - when ))
[ "$age" -ge -1 ] && [ "$age" -le 10 ] \
    || fail "last compute $age s ago: [$last]"

# Removing a host shrinks the counts of the others.
check osm_ctl_appctl hv3 exit
wait_until [ "$(status_field hv1 'southbound chassis')" = 2 ]
wait_until [ "$(status_field hv1 'tunnel ports')" = 1 ]
echo PASS
