#!/bin/bash
# An ARP request for a known address is answered on the asking pod's host:
# the answer arrives, the owner of the address sees nothing, and the ARP
# responder flow counts the request.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:04:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:04:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:04:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:04:02 10.244.0.2/24 lp2
# No IPv6 chatter on either end of the pods' veths (the host ends send
# straight to the pods, bypassing br-int).
for p in p1 p2; do
    osm_pod_exec $p sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
osm_host_exec hv1 sysctl -qw net.ipv6.conf.v-p1.disable_ipv6=1
osm_host_exec hv2 sysctl -qw net.ipv6.conf.v-p2.disable_ipv6=1
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2

# n_packets of hv1's responder flow for 10.244.0.2.
responder_hits() {
    osm_host_ofctl hv1 dump-flows br-int \
        "table=20,arp,arp_op=1,arp_tpa=10.244.0.2" \
        | grep -v reg14 | grep -o 'n_packets=[0-9]*' | cut -d= -f2
}
p2_rx() {
    osm_pod_exec p2 cat /sys/class/net/eth0/statistics/rx_packets
}

# Keep p2 quiet: no neighbour probes of its own that would be answered.
osm_pod_exec p2 ip neigh replace 10.244.0.1 lladdr 0a:00:00:00:04:01 \
    dev eth0 nud permanent
sleep 1
hits0=$(responder_hits)
[ -n "$hits0" ] || fail "no ARP responder flow for 10.244.0.2 on hv1"
rx0=$(p2_rx)
[ -n "$rx0" ] || fail "cannot read p2's counter"
out=$(osm_pod_exec p1 arping -b -c 2 -w 3 -I eth0 10.244.0.2) \
    || fail "no ARP reply: $out"
echo "$out" | grep -qi "0a:00:00:00:04:02" || fail "wrong ARP reply: $out"
sleep 1
rx1=$(p2_rx)
[ "$rx1" = "$rx0" ] || fail "p2 received $((rx1 - rx0)) packets"
responder_counted() {
    [ "$(responder_hits)" -ge $((hits0 + 2)) ]
}
wait_until responder_counted
echo PASS
