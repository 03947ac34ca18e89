#!/bin/bash
# The OpenFlow cost of switch load balancers on a host: a VIP with a
# port (TCP) adds two flows to each of the host's switches that has it
# (its conntrack flow, ls_in_pre_acl, and its ct_lb flow, ls_in_lb),
# whatever its backends; a backend adds two (its replies' conntrack
# flow, ls_out_pre_acl, and its hairpin flow, ls_in_stateful), shared by
# every VIP it is a backend of.  Measured with ovs-ofctl dump-flows on a
# host whose one switch has six pods: five services of the same three
# backends, then one of three other backends.  Hairpin through such
# VIPs (tests/system/test-lb-switch.sh) needs no flow per VIP.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

for i in 1 2 3 4 5 6; do
    osm_lsp_add sw0 lp$i 0a:00:00:00:5a:0$i 10.244.0.$i
    osm_add_pod hv1 p$i 0a:00:00:00:5a:0$i 10.244.0.$i/24 lp$i
done
check osmotic-nbctl --timeout=20 --wait=hv sync

# nflows: the number of hv1's br-int flows.
nflows() {
    local flows
    flows=$(osm_flows hv1) || fail "dump-flows on hv1"
    grep -c 'actions=' <<<"$flows"
}

check osmotic-nbctl lb-add svc0 10.96.0.10:80 \
    10.244.0.1:8080,10.244.0.2:8080,10.244.0.3:8080 -- ls-lb-add sw0 svc0
check osmotic-nbctl --timeout=20 --wait=hv sync
one=$(nflows)
for n in 1 2 3 4; do
    check osmotic-nbctl lb-add svc$n 10.96.0.$((10 + n)):80 \
        10.244.0.1:8080,10.244.0.2:8080,10.244.0.3:8080 -- ls-lb-add sw0 svc$n
done
check osmotic-nbctl --timeout=20 --wait=hv sync
five=$(nflows)
echo "flows: $one with one service, $five with five of the same backends"
[ $((five - one)) -le 8 ] \
    || fail "4 more services of the same backends added $((five - one)) flows (at most 2 each)"

check osmotic-nbctl lb-add svc5 10.96.0.20:80 \
    10.244.0.4:8080,10.244.0.5:8080,10.244.0.6:8080 -- ls-lb-add sw0 svc5
check osmotic-nbctl --timeout=20 --wait=hv sync
six=$(nflows)
echo "flows: $six with a sixth service of three other backends"
[ $((six - five)) -le 8 ] \
    || fail "a service of 3 new backends added $((six - five)) flows (at most 2 + 2 per backend)"
echo "PASS"
