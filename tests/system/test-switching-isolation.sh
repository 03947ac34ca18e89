#!/bin/bash
# Two logical switches with pods in the same IP subnet, on the same hosts,
# stay isolated from each other while each switch works; a switch's
# broadcasts reach only the chassis that have ports on it.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

osm_lsp_add sw0 lp1 0a:00:00:00:02:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:02:02 10.244.0.2
osm_lsp_add sw1 lp3 0a:00:00:00:02:03 10.244.0.3
osm_lsp_add sw1 lp4 0a:00:00:00:02:04 10.244.0.4
osm_add_pod hv1 p1 0a:00:00:00:02:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:02:02 10.244.0.2/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:02:03 10.244.0.3/24 lp3
osm_add_pod hv2 p4 0a:00:00:00:02:04 10.244.0.4/24 lp4
osm_lsp_add sw1 lp5 0a:00:00:00:02:05 10.244.0.5
osm_add_pod hv3 p5 0a:00:00:00:02:05 10.244.0.5/24 lp5
osm_prime_underlay hv1 hv2 hv3
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

# Broadcasts on sw0 (ARP for an address nobody has) reach hv2, which has
# sw0 ports, but never hv3, which has none: there they would end in the
# default drop of table 31 (hv3 knows no sw0 port).
# counter HOST FLOW [REGEX]: the packets that HOST's flows matching FLOW
# (and, if given, whose line matches REGEX) have taken.
counter() {
    local flows
    flows=$(osm_host_ofctl "$1" dump-flows br-int "$2") \
        || fail "dump-flows $2 on $1"
    grep -E "${3:-.}" <<<"$flows" | grep -o 'n_packets=[0-9]*' | cut -d= -f2 \
        | awk '{ s += $1 } END { print s + 0 }'
}
hv2_flood=table=31,reg15=0x8000
hv3_drop=table=31
hv3_default=" priority=0 actions=drop$"
# (hv3 has that drop flow: what would count them is there.)
osm_host_ofctl hv3 dump-flows br-int $hv3_drop | grep -qE "$hv3_default" \
    || fail "no table 31 default flow on hv3"
sleep 1
hv2_rx0=$(counter hv2 $hv2_flood) || exit 1
hv3_rx0=$(counter hv3 $hv3_drop "$hv3_default") || exit 1
osm_pod_exec p1 arping -b -c 2 -w 3 -I eth0 10.244.0.99 >/dev/null
hv2_got_more() {
    [ "$(counter hv2 $hv2_flood)" -ge $((hv2_rx0 + 2)) ]
}
wait_until hv2_got_more
sleep 1
hv3_rx1=$(counter hv3 $hv3_drop "$hv3_default") || exit 1
[ "$hv3_rx1" = "$hv3_rx0" ] \
    || fail "hv3 got $((hv3_rx1 - hv3_rx0)) packets of sw0's broadcasts"
echo PASS
