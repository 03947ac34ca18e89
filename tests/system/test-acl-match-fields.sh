#!/bin/bash
# ACLs on OVN's TCP flags, fragment and neighbour discovery fields: the
# controller compiles them into br-int flows that br-int accepts, and an
# ACL that drops pure SYNs to a port keeps TCP connections from opening
# while ping still passes.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

osm_lsp_add sw0 lp1 0a:00:00:00:53:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:53:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:53:01 10.244.0.1/24 lp1
osm_add_pod hv1 p2 0a:00:00:00:53:02 10.244.0.2/24 lp2

check osmotic-nbctl --timeout=20 \
    -- acl-add sw0 from-lport 1000 \
       'inport == "lp1" && tcp.flags == 0x2 && tcp.dst == 5201' drop \
    -- acl-add sw0 from-lport 900 'ip4 && ip.later_frag' drop \
    -- acl-add sw0 from-lport 800 'nd_ns && nd.target == fd00::99' drop \
    -- acl-add sw0 from-lport 700 'nd_na && nd.tll == 0a:00:00:00:00:99' drop
check osmotic-nbctl --timeout=20 --wait=hv sync
osm_fresh_datapath hv1

flows=$(osm_flows hv1) || fail "dump-flows"
for want in "tcp_flags=syn" "nw_frag=later" "nd_target=fd00::99" \
            "nd_tll=0a:00:00:00:00:99"; do
    grep -q -- "$want" <<<"$flows" || fail "br-int has no flow with $want"
done
log=$(osm_host_dir hv1)/osmotic-controller.log
grep -q "refused" "$log" && fail "br-int refused flows: $(grep refused "$log")"

# The SYN of a new connection from p1 to port 5201 is dropped: no
# connection; ping passes.
check_ping p1 10.244.0.2
ip netns exec "$(osm_ns p2)" timeout "$OSM_CLIENT_TIMEOUT" \
    nc -l 5201 > /dev/null < /dev/null &
listener=$!
wait_until tcp_listening p2 5201
osm_pod_exec p1 timeout 10 nc -N -w 3 10.244.0.2 5201 < /dev/null \
    && fail "a TCP connection opened despite the ACL on tcp.flags"
kill "$listener" 2>/dev/null
wait "$listener"

# Without the ACL it opens.
check osmotic-nbctl --timeout=20 --wait=hv \
    acl-del sw0 from-lport 1000 \
    'inport == "lp1" && tcp.flags == 0x2 && tcp.dst == 5201'
osm_fresh_datapath hv1
check_tcp_transfer p1 p2 10.244.0.2 100000
echo PASS
