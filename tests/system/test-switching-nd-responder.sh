#!/bin/bash
# A neighbor solicitation for a known IPv6 address is answered on the
# asking pod's host: ping6 works after the neighbour caches are flushed,
# neither pod receives a solicitation, and the ND responder flows count
# them.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

for i in 1 2; do
    mac=0a:00:00:00:07:0$i
    check osmotic-nbctl --may-exist ls-add sw0 -- lsp-add sw0 lp$i \
        -- lsp-set-addresses lp$i "$mac 10.244.0.$i fd00::$i" \
        -- lsp-set-port-security lp$i "$mac 10.244.0.$i fd00::$i"
    osm_add_pod hv$i p$i "$mac" 10.244.0.$i/24 lp$i
    osm_pod_exec p$i ip -6 addr add fd00::$i/64 dev eth0 nodad
    osm_host_exec hv$i sysctl -qw net.ipv6.conf.v-p$i.disable_ipv6=1
done
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# ping6_ok POD IP: POD gets an answer to each of 3 pings to IP.
ping6_ok() {
    osm_ping "$1" "$2" -6
}
# ns_in POD: neighbor solicitations POD's kernel has received.
ns_in() {
    osm_pod_exec "$1" awk '$1 == "Icmp6InNeighborSolicits" { print $2 }' \
        /proc/net/snmp6
}
# responder_hits HOST IP: packets HOST's ND responder flow for IP took.
responder_hits() {
    osm_host_ofctl "$1" dump-flows br-int \
        "table=20,icmp6,icmp_type=135,icmp_code=0,nd_target=$2" \
        | grep -v reg14 | grep -o 'n_packets=[0-9]*' | cut -d= -f2
}

ping6_ok p1 fd00::2 || fail "p1 cannot ping6 fd00::2"
sleep 1
for i in 1 2; do
    osm_pod_exec p$i ip -6 neigh flush dev eth0
done
ns1=$(ns_in p1) ns2=$(ns_in p2)
[ -n "$ns1" ] && [ -n "$ns2" ] || fail "cannot read the pods' ND counters"
hits1=$(responder_hits hv1 fd00::2) hits2=$(responder_hits hv2 fd00::1)
[ -n "$hits1" ] && [ -n "$hits2" ] || fail "no ND responder flows"

ping6_ok p1 fd00::2 || fail "p1 cannot ping6 fd00::2 after neigh flush"
osm_pod_exec p1 ip -6 neigh show dev eth0 | grep -q "fd00::2 lladdr 0a:00:00:00:07:02" \
    || fail "p1 did not learn p2's MAC: $(osm_pod_exec p1 ip -6 neigh show)"
sleep 1
[ "$(ns_in p2)" = "$ns2" ] || fail "p2 received $(( $(ns_in p2) - ns2 )) NS"
[ "$(ns_in p1)" = "$ns1" ] || fail "p1 received $(( $(ns_in p1) - ns1 )) NS"
answered() {
    [ "$(responder_hits hv1 fd00::2)" -gt "$hits1" ]
}
wait_until answered
echo PASS
