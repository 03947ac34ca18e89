#!/bin/bash
# Static routes without a next hop and discard routes, with real
# traffic.  Router lr0 connects sw1 (pod p1 on hv1) and sw9 (pod n1 on
# hv2).  n1 also owns 10.30.0.5, 10.40.0.5 and 10.40.1.5, addresses
# that are on no network of the router:
#   - 10.30.0.0/24 out of lr0-sw9 without a next hop: the packet's own
#     destination is its next hop, which the router asks for by ARP on
#     sw9's link, so p1 reaches 10.30.0.5;
#   - 10.40.0.0/16 via n1 (10.10.9.2) and 10.40.0.0/24 to discard: p1
#     reaches 10.40.1.5 but not 10.40.0.5, until the discard route goes.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
check osmotic-nbctl lrp-add lr0 lr0-sw9 0a:00:00:00:ff:09 10.10.9.1/24
for sw in sw1 sw9; do
    check osmotic-nbctl --may-exist ls-add $sw
    check osmotic-nbctl lsp-add $sw $sw-lr0 -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
# n1 receives traffic for addresses that are not its own in NB: its port
# has an address but no port security.
check osmotic-nbctl lsp-add sw9 ln1 \
    -- lsp-set-addresses ln1 "0a:00:00:00:09:01 10.10.9.2"

# No warning: both kinds are applied.
check_output "" pipeline \
    "osmotic-nbctl lr-route-add lr0 10.30.0.0/24 lr0-sw9 2>&1 >/dev/null"
check_output "" pipeline \
    "osmotic-nbctl lr-route-add lr0 10.40.0.0/24 discard 2>&1 >/dev/null"
check osmotic-nbctl lr-route-add lr0 10.40.0.0/16 10.10.9.2

osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_add_pod hv2 n1 0a:00:00:00:09:01 10.10.9.2/24 ln1
for ip in 10.30.0.5 10.40.0.5 10.40.1.5; do
    osm_pod_exec n1 ip addr add $ip/32 dev lo
done
osm_pod_exec n1 ip route add default via 10.10.9.1
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.9.2

# The route without a next hop: the router resolved 10.30.0.5 itself.
wait_until osm_ping p1 10.30.0.5
check_output "0a:00:00:00:09:01" osmotic-sbctl --bare --columns=mac \
    find MAC_Binding ip=10.30.0.5
# The discard route drops; the less specific route still routes.
check_ping p1 10.40.1.5
check_no_ping p1 10.40.0.5
check_tcp_transfer p1 n1 10.30.0.5 1048576

# Without the discard route, 10.40.0.5 takes the /16 route; without the
# route to the link, 10.30.0.5 is unreachable (the router answers
# destination unreachable).
check osmotic-nbctl lr-route-del lr0 10.40.0.0/24
check osmotic-nbctl lr-route-del lr0 10.30.0.0/24
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.40.0.5
check_no_ping p1 10.30.0.5
echo PASS
