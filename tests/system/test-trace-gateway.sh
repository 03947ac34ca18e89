#!/bin/bash
# osmotic-trace names the gateway a packet leaves by as the database
# says it: the chassis that claimed the gateway port (Port_Binding:chassis)
# or the ramp-out rule (Rampout:active_chassis), which after a failover
# that only BFD noticed is not the first of the list.  Router lr0 has pods
# on 10.10.2.0/24 and 10.10.3.0/24 on hv1 and a gateway port whose
# gateway chassis are gw1 (20) and gw2 (10); a ramp-out rule pins
# 10.10.2.0/24 to gw1, then gw2.  With gw1's underlay link cut, gw1 stays
# registered (its controller reaches the database) but gw2 takes both
# over, and the trace of each subnet's packet names gw2.  Where no chassis
# has claimed them (northd stopped and the claims cleared by hand), the
# trace falls back to the registered gateway of highest priority and says
# so.
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
for n in 2 3; do
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
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 20
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw2 10
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
osm_prime_underlay hv1 gw1 gw2
check osmotic-nbctl --timeout=20 --wait=hv sync

# The first packets teach the router the external next hop's MAC, which
# the trace needs to reach the gateway.
wait_until osm_ping p2 172.30.0.1
wait_until osm_ping p3 172.30.0.1

# port_claimed_by CHASSIS: SB binds the gateway port to CHASSIS.
port_claimed_by() {
    osmotic-sbctl show | awk -v ch="Chassis \"$1\"" '
        /^Chassis/ { in_ch = ($0 ~ "^" ch) }
        in_ch && /Port_Binding "lr0-ext" active gateway/ { found = 1 }
        END { exit !found }'
}
# rule_claimed_by CHASSIS: SB names CHASSIS the active gateway of r2.
rule_claimed_by() {
    osmotic-sbctl show | awk -v ch="Chassis \"$1\"" '
        /^Chassis/ { in_ch = ($0 ~ "^" ch) }
        in_ch && /Rampout "lr0\/r2" active/ { found = 1 }
        END { exit !found }'
}
# trace_from N: traces a ping from pod pN to the external network.
trace_from() {
    osmotic-trace sw$1 "inport == \"lp$1\" && eth.src == 0a:00:00:00:0$1:01
        && eth.dst == 0a:00:00:00:ff:0$1 && ip4.src == 10.10.$1.10
        && ip4.dst == 172.30.0.1 && ip.ttl == 64 && icmp4"
}
# check_leaves N PORT CHASSIS: the trace of pN's ping leaves by redirect
# port PORT to CHASSIS, and says nothing of a fallback.
check_leaves() {
    local out
    out=$(trace_from "$1") || fail "osmotic-trace: $out"
    echo "$out" | grep -q "output to $2: tunnel from chassis hv1 to chassis $3\$" \
        || fail "trace of p$1: not out by $2 on $3: $out"
}

wait_until port_claimed_by gw1
wait_until rule_claimed_by gw1
check_leaves 3 cr-lr0-ext gw1
check_leaves 2 rampout-lr0/r2 gw1

# Failover: gw1 cut off from the underlay.  Its controller still reaches
# the database, so gw1 stays registered, but gw2 (BFD) claims both.
ip netns exec "$(osm_ns underlay)" ip link set h2l0 down
wait_until port_claimed_by gw2
wait_until rule_claimed_by gw2
check osmotic-sbctl --bare --columns=name find Chassis name=gw1
check_leaves 3 cr-lr0-ext gw2
check_leaves 2 rampout-lr0/r2 gw2

# No claim at all: northd stopped (it would fill one in), the gateways'
# controllers too (they would claim again), and the claims cleared.  The
# trace takes the registered gateway of highest priority, gw1, and says
# that no chassis claimed it.
ip netns exec "$(osm_ns underlay)" ip link set h2l0 up
osm_stop_northd
osm_stop_controller gw1
osm_stop_controller gw2
check osmotic-sbctl clear Port_Binding lr0-ext chassis
check osmotic-sbctl clear Rampout lr0/r2 active_chassis
for n in 3 2; do
    port=cr-lr0-ext
    [ $n = 3 ] || port=rampout-lr0/r2
    out=$(trace_from $n) || fail "osmotic-trace: $out"
    echo "$out" | grep -q "output to $port: tunnel from chassis hv1 to chassis gw1 (no chassis has claimed it: its registered gateway of highest priority)" \
        || fail "trace of p$n without a claim: $out"
done
echo PASS
