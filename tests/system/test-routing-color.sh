#!/bin/bash
# A coloured connection crossing a router keeps its colour: pods on two
# switches behind one router, on two hosts joined by two underlay lanes.
# A flow class makes ICMP from lp1 to 10.10.2.11 an "elephant" (lane 1);
# the colour is decided on the first switch only (the class names lp1, a
# port of sw1), kept across the router and the second switch, and
# chooses the tunnel: those pings travel on lane 1, others on lane 0.  A ramp-out rule with --color is compiled for that colour only.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1,172.31.1.1
osm_add_host hv2 172.31.0.2,172.31.1.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
check osmotic-nbctl lrp-add lr0 lr0-sw2 0a:00:00:00:ff:02 10.10.2.1/24
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
osm_lsp_add sw2 lp3 0a:00:00:00:02:01 10.10.2.10
osm_lsp_add sw2 lp4 0a:00:00:00:02:02 10.10.2.11
for sw in sw1 sw2; do
    check osmotic-nbctl lsp-add $sw $sw-lr0 \
        -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done
check osmotic-nbctl color-add elephant lane=1
check osmotic-nbctl class-add big 100 \
    'inport == "lp1" && icmp4 && ip4.dst == 10.10.2.11' \
    elephant
osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_add_pod hv2 p3 0a:00:00:00:02:01 10.10.2.10/24 lp3
osm_add_pod hv2 p4 0a:00:00:00:02:02 10.10.2.11/24 lp4
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_pod_exec p3 ip route add default via 10.10.2.1
osm_pod_exec p4 ip route add default via 10.10.2.1
osm_prime_underlay hv1 hv2
osm_host_exec hv1 ping -q -c 1 -W 1 172.31.1.2 > /dev/null
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.2.10
wait_until osm_ping p1 10.10.2.11

# pings DEST: 20 quick pings from p1 to DEST, all answered, and the
# packets hv1 sent on each lane meanwhile as "LANE0 LANE1".
pings() {
    local a0 a1
    a0=$(rx h1l0)
    a1=$(rx h1l1)
    osm_pod_exec p1 ping -q -c 20 -i 0.05 -W 1 "$@" > "$TESTDIR/ping" 2>&1 \
        || fail "ping $*: $(cat "$TESTDIR/ping")"
    echo "$(( $(rx h1l0) - a0 )) $(( $(rx h1l1) - a1 ))"
}
read -r l0 l1 < <(pings 10.10.2.10)
echo "routed to p3 (not coloured): lane 0 $l0, lane 1 $l1"
[ "$l0" -ge 20 ] && [ "$l1" -lt 5 ] || fail "uncoloured pings not on lane 0"
read -r l0 l1 < <(pings 10.10.2.11)
echo "routed to p4 (elephant): lane 0 $l0, lane 1 $l1"
[ "$l1" -ge 20 ] && [ "$l0" -lt 5 ] \
    || fail "elephant pings lost their colour across the router"

# A ramp-out rule for elephants only: its flow matches the colour.
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext hv2 10
check osmotic-nbctl rampout-add lr0 big 10.10.1.0/24 hv2 \
    --snat-ip=172.30.0.102 --color=elephant
check osmotic-nbctl --timeout=20 --wait=sb sync
check_output 1 pipeline "osmotic-sbctl lflow-list lr0 \
    | grep -c 'lr_in_rampout.*nw_src=10.10.1.0/24,reg9=2/0xff'"
echo PASS
