#!/bin/bash
# Static flow classes, configured with osmotic-nbctl: TCP connections to
# ports 5201 to 5203 are elephants (lane 1, DSCP 10) in both directions,
# but a class of higher priority makes port 5203 a mouse; anything else
# is a mouse too (lane 0); a class may name the addresses of a port
# group's ports ($PG_ip4); removing a class takes its flows away.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1,172.31.1.1
osm_add_host hv2 172.31.0.2,172.31.1.2
osm_lsp_add sw0 lp1 0a:00:00:00:61:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:61:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:61:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:61:02 10.244.0.2/24 lp2
osm_prime_underlay hv1 hv2
osm_host_exec hv1 ping -q -c 1 -W 1 172.31.1.2 > /dev/null

check osmotic-nbctl --timeout=20 color-add elephant dscp=10 lane=1
check osmotic-nbctl --timeout=20 class-add bulk 100 \
    'tcp.dst >= 5201 && tcp.dst <= 5203' elephant
check osmotic-nbctl --timeout=20 class-add control 300 'tcp.dst == 5203' \
    mouse
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.244.0.2

# lanes CMD...: runs CMD, prints the packets hv1 and hv2 sent meanwhile
# on lane 0 and on lane 1: "H1L0 H1L1 H2L0 H2L1".
lanes() {
    local a b c d
    a=$(rx h1l0); b=$(rx h1l1); c=$(rx h2l0); d=$(rx h2l1)
    "$@" > "$TESTDIR/out" 2>&1 || fail "$*: $(tail "$TESTDIR/out")"
    echo "$(( $(rx h1l0) - a )) $(( $(rx h1l1) - b ))" \
         "$(( $(rx h2l0) - c )) $(( $(rx h2l1) - d ))"
}

for port in 5201 5203 5204 5205; do
    osm_pod_iperf3_server p2 $port
done
sleep 0.5
# TCP to 5201: both directions on lane 1.
read -r a b c d < <(lanes osm_pod_exec p1 timeout 20 iperf3 -c 10.244.0.2 \
                        -p 5201 -t 2 -b 20M)
echo "tcp 5201 (elephant): hv1 lane0 $a lane1 $b, hv2 lane0 $c lane1 $d"
[ "$b" -gt 500 ] && [ "$a" -lt "$((b / 10))" ] \
    || fail "the elephant's data did not take lane 1"
[ "$d" -gt 50 ] && [ "$c" -lt "$((d / 10))" ] \
    || fail "the elephant's replies did not take lane 1"
# TCP to 5203: the higher class's mouse, lane 0; to 5204: no class.
for port in 5203 5204; do
    read -r a b c d < <(lanes osm_pod_exec p1 timeout 20 iperf3 \
                            -c 10.244.0.2 -p $port -t 2 -b 20M)
    echo "tcp $port (mouse): hv1 lane0 $a lane1 $b, hv2 lane0 $c lane1 $d"
    [ "$a" -gt 500 ] && [ "$b" -lt "$((a / 10))" ] \
        || fail "a mouse to port $port took lane 1"
done

# A class that names the IPv4 addresses of port group pga's ports
# ($pga_ip4): p1's connections to port 5205 are elephants.
check osmotic-nbctl --timeout=20 pg-add pga lp1
check osmotic-nbctl --timeout=20 --wait=hv class-add frompg 200 \
    'ip4.src == $pga_ip4 && tcp.dst == 5205' elephant
read -r a b c d < <(lanes osm_pod_exec p1 timeout 20 iperf3 -c 10.244.0.2 \
                        -p 5205 -t 2 -b 20M)
echo "tcp 5205 from \$pga_ip4 (elephant): hv1 lane0 $a lane1 $b," \
     "hv2 lane0 $c lane1 $d"
[ "$b" -gt 500 ] && [ "$a" -lt "$((b / 10))" ] \
    || fail "the data of a class naming \$pga_ip4 did not take lane 1"
[ "$d" -gt 50 ] && [ "$c" -lt "$((d / 10))" ] \
    || fail "the replies of a class naming \$pga_ip4 did not take lane 1"

# The classes' flows name their class.
timeout 20 ovsdb-client dump --format=csv --no-headings "$OSMOTIC_SB_DB" \
    Osmotic_Southbound Logical_Flow stage source \
    | grep -q 'Flow_Class:.*ls_in_color' \
    || fail "no ls_in_color flow names its flow class"

# Without the class, the same transfer is a mouse.
check osmotic-nbctl --timeout=20 --wait=hv class-del bulk
read -r a b c d < <(lanes osm_pod_exec p1 timeout 20 iperf3 -c 10.244.0.2 \
                        -p 5201 -t 2 -b 20M)
echo "tcp 5201 without its class: hv1 lane0 $a lane1 $b"
[ "$a" -gt 500 ] && [ "$b" -lt "$((a / 10))" ] \
    || fail "the class's flows stayed"
echo PASS
