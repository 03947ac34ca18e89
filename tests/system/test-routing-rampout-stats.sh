#!/bin/bash
# Per-rule counters of ramp-out rules ("rampout/stats").  Router lr0 has
# pods on hv1 in 10.10.2.0/24 and 10.10.3.0/24 and a gateway port on the
# external network with gateway chassis gw1; rule r2 pins 10.10.2.0/24
# to gw1, SNATed to 172.30.0.102, rule r3 pins 10.10.3.0/24 to gw1,
# SNATed to 172.30.0.103.  Only p2 sends: on hv1, r2's "sent" counters
# grow by at least the packets and bytes sent, and r3's stay at zero; on
# gw1, r2's "received" counters grow the same way, and r3's stay at
# zero.  A stopped ovs-vswitchd makes the command fail after 10 s with
# a message saying so, not wait forever.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
osm_add_host hv1 172.31.0.1
osm_add_host gw1 172.31.0.2
osm_connect_external gw1

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
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 10
check osmotic-nbctl ls-add ext
check osmotic-nbctl lsp-add ext ln-ext -- lsp-set-type ln-ext localnet \
    -- lsp-set-addresses ln-ext unknown \
    -- lsp-set-options ln-ext network_name=physnet
check osmotic-nbctl lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router \
    -- lsp-set-addresses ext-lr0 router \
    -- lsp-set-options ext-lr0 router-port=lr0-ext
check osmotic-nbctl lr-route-add lr0 0.0.0.0/0 172.30.0.1
check osmotic-nbctl rampout-add lr0 r2 10.10.2.0/24 gw1 --snat-ip=172.30.0.102
check osmotic-nbctl rampout-add lr0 r3 10.10.3.0/24 gw1 --snat-ip=172.30.0.103
osm_prime_underlay hv1 gw1
check osmotic-nbctl --timeout=20 --wait=hv sync

# counter HOST RULE DIRECTION FIELD: prints RULE's DIRECTION (sent or
# received) FIELD (packets or bytes) as HOST's controller reports it.
counter() {
    local out
    out=$(osm_ctl_appctl "$1" rampout/stats) || fail "$1: rampout/stats"
    sed -n "s|^lr0/$2: .*\\<$3 packets=\\([0-9]*\\) bytes=\\([0-9]*\\).*|\\1 \\2|p" \
        <<<"$out" | awk -v f="$4" '{ print (f == "packets" ? $1 : $2) }'
}
# at_least N CMD...: CMD prints a number of at least N.
at_least() {
    local n=$1 v
    shift
    v=$("$@")
    [ -n "$v" ] && [ "$v" -ge "$n" ]
}

# Every rule is listed on both hosts, from zero for r3, once each
# controller's statistics connection to br-int is up.
for host in hv1 gw1; do
    wait_until pipeline "osm_ctl_appctl $host rampout/stats > /dev/null"
done
check_output "lr0/r2
lr0/r3" pipeline "osm_ctl_appctl hv1 rampout/stats | cut -d: -f1"
check_output "lr0/r2
lr0/r3" pipeline "osm_ctl_appctl gw1 rampout/stats | cut -d: -f1"

# The first packets teach the router the next hop's MAC.
wait_until osm_ping p2 172.30.0.1

# COUNT pings of SIZE bytes of payload from p2: each is SIZE + 28 bytes
# of IP, SIZE + 42 with its Ethernet header.  (The counters are read
# after a pause: Open vSwitch adds a datapath flow's packets to them
# about every 0.5 s.)
COUNT=20
SIZE=1000
sleep 1.5
sent0=$(counter hv1 r2 sent packets)
bytes0=$(counter hv1 r2 sent bytes)
recv0=$(counter gw1 r2 received packets)
rbytes0=$(counter gw1 r2 received bytes)
out=$(osm_pod_exec p2 ping -q -c $COUNT -i 0.05 -W 1 -s $SIZE 172.30.0.1) \
    || fail "p2's pings: $out"
total=$COUNT
wait_until at_least $((sent0 + total)) counter hv1 r2 sent packets
wait_until at_least $((bytes0 + total * (SIZE + 42))) counter hv1 r2 sent bytes
wait_until at_least $((recv0 + total)) counter gw1 r2 received packets
wait_until at_least $((rbytes0 + total * (SIZE + 42))) \
    counter gw1 r2 received bytes
echo "hv1: $(osm_ctl_appctl hv1 rampout/stats)"
echo "gw1: $(osm_ctl_appctl gw1 rampout/stats)"
# r3 carried nothing, in either place.
check_output "lr0/r3: sent packets=0 bytes=0, received packets=0 bytes=0" \
    pipeline "osm_ctl_appctl hv1 rampout/stats | grep '^lr0/r3:'"
check_output "lr0/r3: sent packets=0 bytes=0, received packets=0 bytes=0" \
    pipeline "osm_ctl_appctl gw1 rampout/stats | grep '^lr0/r3:'"
# hv1 is no gateway: it received nothing as one.
check_output "0" counter hv1 r2 received packets

# An ovs-vswitchd that does not answer (stopped): the command fails with
# a message after 10 s instead of waiting forever, and once ovs-vswitchd
# runs again the next one reads the counters (the late answers to the
# abandoned request are ignored).
vpid=$(cat "$(osm_host_dir gw1)/ovs-vswitchd.pid") || fail "gw1's vswitchd"
kill -STOP "$vpid"
err=$(OSM_CLIENT_TIMEOUT=30 osm_ctl_appctl gw1 rampout/stats 2>&1)
rc=$?
kill -CONT "$vpid"
[ $rc -ne 0 ] || fail "rampout/stats succeeded with ovs-vswitchd stopped"
case $err in
    *"br-int did not answer the flow statistics request; try again"*) ;;
    *) fail "rampout/stats with ovs-vswitchd stopped: [$err]" ;;
esac
wait_until pipeline "osm_ctl_appctl gw1 rampout/stats | grep -q '^lr0/r2: '"
echo PASS
