#!/bin/bash
# A colour's own ramp-out gateways, with failover.  One router with pods
# on two subnets on hv1 and a gateway port on the external network whose
# only gateway chassis is gw1, SNATed by the router's NAT rule to
# 172.30.0.100.  Colour "gold" (rampout=gw2,gw1 snat-ip=172.30.0.110)
# colours what the pods send to 172.30.0.2 (a class); what they send to
# 172.30.0.1 stays uncoloured.  The external namespace sees p1's gold
# pings arrive on gw2's link from 172.30.0.110 and its other pings on
# gw1's link from 172.30.0.100, all answered; a TCP transfer of gold
# passes through gw2's SNAT.  A ramp-out rule that holds p2's source
# (10.10.2.0/24 to gw1, SNAT 172.30.0.102) is more specific than the
# colour: p2's gold pings leave by gw1 from 172.30.0.102.  East-west
# traffic of the colour stays inside.  The replies of a connection from
# outside to a DNAT address of p1 leave by gw1, which DNATed it, even
# while mouse has gateways of its own.  osmotic-sbctl show,
# osmotic-nbctl color-list (per router) and osmotic-trace name the
# colour's active gateway.  When gw2's underlay link goes down (BFD), and
# again when its controller exits, gold moves to gw1, the next chassis of
# its list, and the databases say so.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
osm_external_exec ip addr add 172.30.0.2/24 dev brx
osm_add_host hv1 172.31.0.1
osm_add_host gw1 172.31.0.2
osm_add_host gw2 172.31.0.3
osm_connect_external gw1
osm_connect_external gw2

check osmotic-nbctl lr-add lr0
for n in 1 2; do
    check osmotic-nbctl lrp-add lr0 lr0-sw$n 0a:00:00:00:ff:0$n 10.10.$n.1/24
    osm_lsp_add sw$n lp$n 0a:00:00:00:0$n:01 10.10.$n.10
    check osmotic-nbctl lsp-add sw$n sw$n-lr0 \
        -- lsp-set-type sw$n-lr0 router \
        -- lsp-set-addresses sw$n-lr0 router \
        -- lsp-set-options sw$n-lr0 router-port=lr0-sw$n
    osm_add_pod hv1 p$n 0a:00:00:00:0$n:01 10.10.$n.10/24 lp$n
    osm_pod_exec p$n ip route add default via 10.10.$n.1
done
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 10
check osmotic-nbctl ls-add ext
check osmotic-nbctl lsp-add ext ln-ext -- lsp-set-type ln-ext localnet \
    -- lsp-set-addresses ln-ext unknown \
    -- lsp-set-options ln-ext network_name=physnet
check osmotic-nbctl lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router \
    -- lsp-set-addresses ext-lr0 router \
    -- lsp-set-options ext-lr0 router-port=lr0-ext
check osmotic-nbctl lr-route-add lr0 0.0.0.0/0 172.30.0.1
check osmotic-nbctl lr-nat-add lr0 snat 172.30.0.100 10.10.0.0/16
check osmotic-nbctl color-add gold rampout=gw2,gw1 snat-ip=172.30.0.110
check osmotic-nbctl class-add to_x2 100 'ip4.dst == 172.30.0.2' gold
check osmotic-nbctl rampout-add lr0 r2 10.10.2.0/24 gw1 \
    --snat-ip=172.30.0.102
osm_prime_underlay hv1 gw1 gw2
check osmotic-nbctl --timeout=20 --wait=hv sync

# arrives_via HOST SRC POD DST: pings DST from POD while capturing on
# HOST's link to the external network; succeeds if every ping is
# answered and an echo request from SRC to DST arrived on that link.
arrives_via() {
    local host=$1 src=$2 pod=$3 dst=$4 cap=$TESTDIR/cap-$1-$3-$4 pid n
    osm_external_exec timeout 5 tcpdump -l -n -c 1 -i "x-$host" \
        "icmp[icmptype] == icmp-echo and src host $src and dst host $dst" \
        > "$cap" 2>/dev/null &
    pid=$!
    sleep 1
    n=$(osm_ping_answers "$pod" "$dst")
    wait $pid
    [ "$n" = 3 ] && grep -q "$src" "$cap"
}

wait_until osm_ping p1 172.30.0.1
wait_until arrives_via gw2 172.30.0.110 p1 172.30.0.2
wait_until arrives_via gw1 172.30.0.100 p1 172.30.0.1
wait_until arrives_via gw1 172.30.0.102 p2 172.30.0.2
# And never by the other gateway.
arrives_via gw1 172.30.0.110 p1 172.30.0.2 && fail "gold also left by gw1"
arrives_via gw2 172.30.0.100 p1 172.30.0.1 \
    && fail "uncoloured traffic left by gw2"
arrives_via gw2 172.30.0.102 p2 172.30.0.2 \
    && fail "the rule's gold traffic left by the colour's gateway"

# TCP of the colour, through gw2's SNAT.
head -c 1048576 /dev/urandom > "$TESTDIR/tcp.sent"
osm_external_exec nc -l 172.30.0.2 5201 > "$TESTDIR/tcp.received" \
    < /dev/null &
listener=$!
sleep 0.5
osm_external_exec timeout 8 tcpdump -l -n -c 1 -i x-gw2 \
    "tcp and src host 172.30.0.110 and dst port 5201" \
    > "$TESTDIR/tcp.cap" 2>/dev/null &
capture=$!
sleep 1
osm_pod_exec p1 nc -N -w 10 172.30.0.2 5201 < "$TESTDIR/tcp.sent"
wait $listener
wait $capture
cmp -s "$TESTDIR/tcp.sent" "$TESTDIR/tcp.received" \
    || fail "gold TCP to the external network:" \
            "$(stat -c %s "$TESTDIR/tcp.received") of 1048576 bytes arrived"
grep -q 172.30.0.110 "$TESTDIR/tcp.cap" || fail "gold TCP not by gw2"

# East-west traffic of the colour is never pinned: a class that colours
# p1 -> p2 gold too.
check osmotic-nbctl class-add p1_p2 100 'ip4.dst == 10.10.2.10' gold
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.10.2.10

# The southbound database names the colour's active gateway.
# active_in_sb CHASSIS: osmotic-sbctl show lists the colour's ramp-out as
# active under CHASSIS.
active_in_sb() {
    osmotic-sbctl show | awk -v ch="Chassis \"$1\"" \
        -v r='Rampout "lr0/color:gold" active' '
        /^Chassis/ { in_ch = ($0 ~ "^" ch) }
        in_ch && index($0, r) { found = 1 }
        END { exit !found }'
}
wait_until active_in_sb gw2
# And so does color-list, per router, from what northd reports in NB.
# active_in_nb CHASSIS: color-list names CHASSIS as gold's active
# gateway on lr0.
active_in_nb() {
    [ "$(osmotic-nbctl color-list | grep ^gold)" = \
      "gold: rampout=gw2:2,gw1:1 snat-ip=172.30.0.110 active=lr0:$1" ]
}
wait_until active_in_nb gw2
check_output "gold: rampout=gw2:2,gw1:1 snat-ip=172.30.0.110 active=lr0:gw2" \
    osmotic-nbctl color-list

# osmotic-trace names the colour's gateway and the SNAT.
out=$(osmotic-trace sw1 'inport == "lp1" && eth.src == 0a:00:00:00:01:01
    && eth.dst == 0a:00:00:00:ff:01 && ip4.src == 10.10.1.10
    && ip4.dst == 172.30.0.2 && ip.ttl == 64 && icmp4') \
    || fail "osmotic-trace: $out"
echo "$out" | grep -q "output to rampout-lr0/color:gold: tunnel .* to chassis gw2" \
    || fail "trace: not out of gw2 by the colour: $out"
echo "$out" | grep -q "ct_snat(172.30.0.110)" \
    || fail "trace: no SNAT to 172.30.0.110: $out"

# A connection from outside to a DNAT address of a pod is uncoloured,
# so mouse: with gateways of mouse's own (gw2), its replies still go
# back by the gateway port's chassis (gw1), whose conntrack DNATed it.
check osmotic-nbctl --timeout=20 --wait=hv \
    lr-nat-add lr0 dnat 172.30.0.50 10.10.1.10 \
    -- color-set mouse rampout=gw2
osm_pod_exec p1 timeout 10 sh -c 'echo hello | nc -l 8080' \
    > "$TESTDIR/dnat.received" &
server=$!
sleep 0.5
out=$(echo hi | osm_external_exec timeout 8 nc -w 3 -s 172.30.0.2 \
      172.30.0.50 8080)
wait $server
[ "$out" = hello ] \
    || fail "TCP from outside to p1 by DNAT, mouse on gw2: got [$out]"
check osmotic-nbctl --timeout=20 --wait=hv \
    lr-nat-del lr0 dnat 172.30.0.50 -- color-set mouse rampout=

# Cutting gw2's underlay link: BFD on the tunnels notices, hv1 sends gold
# to gw1, the next of its list, and gw1 says so; gold returns to gw2 when
# the link does.
one_gold_ping() {
    osm_pod_exec p1 ping -q -c 1 -W 0.1 172.30.0.2 > /dev/null
}
start=$(date +%s%N)
ip netns exec "$(osm_ns underlay)" ip link set h3l0 down
n=0
until one_gold_ping; do
    n=$((n + 1))
    [ $n -lt 200 ] || fail "gold did not fail over to gw1 (BFD)"
done
end=$(date +%s%N)
echo "failover of gold from gw2 to gw1 (underlay link down):" \
     "$(( (end - start) / 1000000 )) ms"
wait_until arrives_via gw1 172.30.0.110 p1 172.30.0.2
wait_until active_in_sb gw1
wait_until active_in_nb gw1
ip netns exec "$(osm_ns underlay)" ip link set h3l0 up
wait_until arrives_via gw2 172.30.0.110 p1 172.30.0.2
wait_until active_in_sb gw2
wait_until active_in_nb gw2

# gw2's controller exits, deleting its chassis: gold moves to gw1 again,
# and gw2 no longer answers outside.
start=$(date +%s%N)
check osm_ctl_appctl gw2 exit
n=0
until one_gold_ping; do
    n=$((n + 1))
    [ $n -lt 200 ] || fail "gold did not fail over to gw1"
done
end=$(date +%s%N)
echo "failover of gold after gw2's controller exited:" \
     "$(( (end - start) / 1000000 )) ms"
wait_until arrives_via gw1 172.30.0.110 p1 172.30.0.2
wait_until active_in_sb gw1
wait_until active_in_nb gw1
check arrives_via gw1 172.30.0.100 p1 172.30.0.1
echo PASS
