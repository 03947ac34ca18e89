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
# Enough flows for a compute to take a while: 100 more ports on sw0, with
# addresses (L2 lookup and ARP responder flows on hv1).
args=()
for i in $(seq 2 101); do
    mac=$(printf '0a:00:00:00:0d:%02x' "$i")
    args+=(-- lsp-add sw0 "lp$i" -- lsp-set-addresses "lp$i" "$mac 10.244.1.$i")
done
check osmotic-nbctl "${args[@]:1}"
check osmotic-nbctl --timeout=20 --wait=hv sync

# status_field HOST NAME: the value of line "NAME: VALUE" of HOST's status.
status_field() {
    osm_ctl_appctl "$1" controller/status | sed -n "s/^$2: //p"
}
# field_is HOST NAME VALUE: HOST's status says "NAME: VALUE" (read anew
# on every call, for wait_until).
field_is() {
    [ "$(status_field "$1" "$2")" = "$3" ]
}
# field_differs HOST NAME VALUE: HOST's status line NAME is not VALUE.
field_differs() {
    local v
    v=$(status_field "$1" "$2") && [ -n "$v" ] && [ "$v" != "$3" ]
}

# Three hosts: three chassis, and from hv1 one tunnel to each other one.
wait_until field_is hv1 'tunnel ports' 2
check_output 3 status_field hv1 'southbound chassis'
check_output 1 status_field hv1 'local ports'
check_output 0 status_field hv2 'local ports'
flows=$(status_field hv1 'installed flows')
switch_flows=$(osm_host_ofctl hv1 dump-flows --no-names br-int \
                   | grep -c 'table=')
[ "$flows" -gt 0 ] && [ "$flows" = "$switch_flows" ] \
    || fail "installed flows: status says $flows, br-int has $switch_flows"

# A recompute counts, and "took" is its duration: no shorter than a
# compute of hv1's flows can be (over a hundred flows parsed, encoded and
# compared), and no longer than the time from asking for it to seeing it
# reported.  (The controller reports at least 1 us, so "more than 0"
# would prove nothing.)  The incremental passes that may follow it (its
# own writes coming back) report under "last compute", not here.
n=$(status_field hv1 computes)
[ -n "$n" ] && [ "$n" -gt 0 ] || fail "computes: [$n]"
before=$(status_field hv1 'last full recompute')
[ -n "$before" ] || fail "no 'last full recompute' line"
t0=$(date +%s%N)
check osm_ctl_appctl hv1 controller/recompute
wait_until field_differs hv1 'last full recompute' "$before"
t1=$(date +%s%N)
case $(status_field hv1 'last compute') in
    *" UTC, took "*" us") ;;
    *) fail "last compute: [$(status_field hv1 'last compute')]" ;;
esac
n2=$(status_field hv1 computes)
[ "$n2" -gt "$n" ] || fail "computes did not grow: $n then $n2"
last=$(status_field hv1 'last full recompute')
case $last in
    *" UTC, took "*" us") ;;
    *) fail "last full recompute: [$last]" ;;
esac
usec=${last##*took }
usec=${usec% us}
echo "recompute took $usec us; asked and seen within $(( (t1 - t0) / 1000 )) us"
[ "$usec" -ge 100 ] && [ "$usec" -le $(( (t1 - t0) / 1000 )) ] \
    || fail "last full recompute duration: $usec us"
when=$(date -u -d "${last%%.*}" +%s) || fail "last compute time: [$last]"
age=$(( $(date -u +%s) - when ))
[ "$age" -ge -1 ] && [ "$age" -le 10 ] \
    || fail "last compute $age s ago: [$last]"

# Removing a host shrinks the counts of the others.
check osm_ctl_appctl hv3 exit
wait_until field_is hv1 'southbound chassis' 2
wait_until field_is hv1 'tunnel ports' 1
echo PASS
