#!/bin/bash
# Gateways, NAT and ramp-out rules, with failover.  One router with pods on
# three subnets on hv1 and a gateway port on the external network, whose
# gateway chassis are gw2 (active) and gw1.  Ramp-out rules pin
# 10.10.2.0/24 to gw1 (backup gw2), SNATed to 172.30.0.102, and
# 10.10.3.0/24 to gw2, SNATed to 172.30.0.103; 10.10.4.0/24 has no rule
# and leaves by the port's gateway, SNATed by the router's NAT rule.  The
# external namespace sees each subnet's pings arrive on the link of the
# right gateway from the right address, and the replies return.  A
# dnat_and_snat rule makes a pod reachable from outside.  Cutting gw1's
# underlay link moves 10.10.2.0/24 to gw2 (BFD), and so does gw1's
# controller exiting (its chassis leaves the database); the times until
# pings pass again are printed.  After each move the new gateway names
# itself: osmotic-sbctl show and osmotic-nbctl rampout-list name the
# gateway the traffic leaves by.  A controller killed without clean-up
# leaves its gateway forwarding.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
osm_add_host hv1 172.31.0.1
osm_add_host gw1 172.31.0.2
osm_add_host gw2 172.31.0.3
osm_connect_external gw1
osm_connect_external gw2

check osmotic-nbctl lr-add lr0
for n in 2 3 4; do
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
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw2 20
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
check osmotic-nbctl rampout-add lr0 r2 10.10.2.0/24 gw1,gw2 \
    --snat-ip=172.30.0.102
check osmotic-nbctl rampout-add lr0 r3 10.10.3.0/24 gw2 --snat-ip=172.30.0.103
osm_prime_underlay hv1 gw1 gw2
check osmotic-nbctl --timeout=20 --wait=hv sync

# arrives_via HOST SRC POD: pings the external address from POD while
# capturing on HOST's link to the external network; succeeds if every
# ping is answered and an echo request from SRC arrived on that link.
arrives_via() {
    local host=$1 src=$2 pod=$3 cap=$TESTDIR/cap-$1-$3 pid n
    osm_external_exec timeout 5 tcpdump -l -n -c 1 -i "x-$host" \
        "icmp[icmptype] == icmp-echo and src host $src" > "$cap" 2>/dev/null &
    pid=$!
    sleep 1
    n=$(osm_ping_answers "$pod" 172.30.0.1)
    wait $pid
    [ "$n" = 3 ] && grep -q "$src" "$cap"
}

# The first packets of each subnet teach the router the external next
# hop's MAC (ARP from the controller, then SB MAC_Binding).
wait_until osm_ping p2 172.30.0.1
check_output 1 pipeline "osmotic-sbctl --columns=ip find MAC_Binding \
    ip=172.30.0.1 | grep -c 172.30.0.1"
wait_until arrives_via gw1 172.30.0.102 p2
wait_until arrives_via gw2 172.30.0.103 p3
wait_until arrives_via gw2 172.30.0.100 p4
# And never by the other gateway.
arrives_via gw2 172.30.0.102 p2 && fail "10.10.2.0/24 also left by gw2"
arrives_via gw1 172.30.0.103 p3 && fail "10.10.3.0/24 also left by gw1"
arrives_via gw1 172.30.0.100 p4 && fail "10.10.4.0/24 also left by gw1"

# East-west traffic is never pinned.
check_ping p2 10.10.3.10

# TCP through SNAT: a transfer to a listener in the external namespace.
check_tcp_to_external() {
    local pod=$1 f=$TESTDIR/tcp-ext-$1 listener
    head -c 1048576 /dev/urandom > "$f.sent"
    osm_external_exec nc -l 5201 > "$f.received" < /dev/null &
    listener=$!
    sleep 0.5
    osm_pod_exec "$pod" nc -N -w 10 172.30.0.1 5201 < "$f.sent"
    wait $listener
    cmp -s "$f.sent" "$f.received" || fail "$pod: TCP to the external" \
        "network: $(stat -c %s "$f.received") of 1048576 bytes arrived"
}
check_tcp_to_external p2
check_tcp_to_external p4

# DNAT: an external address for p4.
check osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.30.0.120 10.10.4.10
check osmotic-nbctl --timeout=20 --wait=hv sync
ext_reaches_p4() {
    osm_external_exec ping -q -c 3 -i 0.2 -W 1 172.30.0.120 > /dev/null
}
wait_until ext_reaches_p4

# The southbound database names the active chassis of each rule, and
# rampout-list too.
# active_in_sb CHASSIS RULE: osmotic-sbctl show lists RULE as active
# under CHASSIS.
active_in_sb() {
    osmotic-sbctl show | awk -v ch="Chassis \"$1\"" -v r="Rampout \"lr0/$2\" active" '
        /^Chassis/ { in_ch = ($0 ~ "^" ch) }
        in_ch && index($0, r) { found = 1 }
        END { exit !found }'
}
# active_in_nb CHASSIS RULE: osmotic-nbctl rampout-list names CHASSIS as
# RULE's active gateway.
active_in_nb() {
    osmotic-nbctl rampout-list lr0 | grep -q "^$2: .* active=$1\$"
}
wait_until active_in_sb gw1 r2
wait_until active_in_sb gw2 r3
active_in_sb gw2 r2 && fail "SB names gw2 active for r2 too"
wait_until active_in_nb gw1 r2
wait_until active_in_nb gw2 r3

# osmotic-trace shows the rule that pins a packet and the chassis it
# leaves by, and the SNAT on the way out.
out=$(osmotic-trace sw2 'inport == "lp2" && eth.src == 0a:00:00:00:02:01
    && eth.dst == 0a:00:00:00:ff:02 && ip4.src == 10.10.2.10
    && ip4.dst == 172.30.0.1 && ip.ttl == 64 && icmp4') \
    || fail "osmotic-trace: $out"
echo "$out" | grep -q "reg7 = 1" || fail "trace: no rule pinned it: $out"
echo "$out" | grep -q "output to rampout-lr0/r2: tunnel .* to chassis gw1" \
    || fail "trace: not out of gw1 by rule r2: $out"
echo "$out" | grep -q "ct_snat(172.30.0.102)" \
    || fail "trace: no SNAT to 172.30.0.102: $out"

# Failover: cut gw1's underlay link.  BFD on the tunnels notices; hv1
# sends 10.10.2.0/24 to gw2, and gw1, cut off, stops answering.
start=$(date +%s%N)
ip netns exec "$(osm_ns underlay)" ip link set h2l0 down
one_ping_via_gw2() {
    osm_pod_exec p2 ping -q -c 1 -W 0.1 172.30.0.1 > /dev/null
}
n=0
until one_ping_via_gw2; do
    n=$((n + 1))
    [ $n -lt 200 ] || fail "10.10.2.0/24 did not fail over to gw2"
done
end=$(date +%s%N)
echo "failover of 10.10.2.0/24 from gw1 to gw2: $(( (end - start) / 1000000 )) ms"
wait_until arrives_via gw2 172.30.0.102 p2
# gw1 is still registered (its controller reaches the database), but gw2
# took over and says so.
wait_until active_in_sb gw2 r2
wait_until active_in_nb gw2 r2
check_output "r2: priority=0 subnets=10.10.2.0/24 gateways=gw1:2,gw2:1 snat-ip=172.30.0.102 active=gw2" \
    pipeline "osmotic-nbctl rampout-list lr0 | grep ^r2"

# gw1 reconnected: 10.10.2.0/24 returns to it, the first of its list.
ip netns exec "$(osm_ns underlay)" ip link set h2l0 up
wait_until arrives_via gw1 172.30.0.102 p2
wait_until active_in_sb gw1 r2
wait_until active_in_nb gw1 r2

# gw1's controller exits, deleting its chassis: the other chassis move
# 10.10.2.0/24 to gw2 again, and gw1 no longer answers outside.
start=$(date +%s%N)
check osm_ctl_appctl gw1 exit
n=0
until one_ping_via_gw2; do
    n=$((n + 1))
    [ $n -lt 200 ] || fail "10.10.2.0/24 did not fail over after gw1's exit"
done
end=$(date +%s%N)
echo "failover of 10.10.2.0/24 after gw1's controller exited:" \
     "$(( (end - start) / 1000000 )) ms"
wait_until arrives_via gw2 172.30.0.102 p2
wait_until active_in_nb gw2 r2

# A controller killed without clean-up leaves its datapath and flows: the
# gateway goes on forwarding (10.10.3.0/24 by gw2).
osm_stop_controller gw2
check arrives_via gw2 172.30.0.103 p3
echo PASS
