#!/bin/bash
# The first flow of a stage that had none changes no other flow: on a
# switch whose 20 ports have port security (60 OpenFlow flows in the port
# security stage), the first port address (the first ARP responder flows)
# adds that stage's flows and changes a skip flow or two, nothing else.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

args=()
for i in $(seq 1 20); do
    mac=$(printf '0a:00:00:00:0c:%02x' $i)
    args+=(-- lsp-add sw0 lp$i -- lsp-set-port-security lp$i "$mac 10.244.0.$i")
done
check osmotic-nbctl --timeout=20 ls-add sw0 "${args[@]}"
osm_add_pod hv1 p1 0a:00:00:00:0c:01 10.244.0.1/24 lp1
osm_add_pod hv1 p2 0a:00:00:00:0c:02 10.244.0.2/24 lp2
# The other 18 ports are bound on hv1 too (internal ports), so that hv1
# installs the port security flows of all 20: a host installs those of its
# own ports only.
for i in $(seq 3 20); do
    check osm_host_vsctl hv1 add-port br-int lp$i \
        -- set interface lp$i type=internal external_ids:iface-id=lp$i
done
check osmotic-nbctl --timeout=20 --wait=hv sync
log=$(osm_host_dir hv1)/osmotic-controller.log
n=$(osm_host_ofctl hv1 dump-flows br-int table=10 | grep -c "nw_src=10.244.0")
[ "$n" -ge 20 ] || fail "expected at least 20 port security flows, got $n"
# No logical flow in the ARP responder stage yet: its skip flow only.
check_output 1 eval "osm_host_ofctl hv1 dump-flows br-int table=20 | grep -c priority="

# changes: the flow adds and deletes of the bundles logged after line $1.
changes() {
    tail -n +"$(($1 + 1))" "$log" \
        | sed -n 's/.*bundle [0-9]*: \([0-9]*\) adds, \([0-9]*\) deletes.*/\1 \2/p' \
        | awk '{ n += $1 + $2 } END { print n + 0 }'
}
mark=$(wc -l < "$log")
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-addresses lp1 \
    "0a:00:00:00:0c:01 10.244.0.1"
osm_host_ofctl hv1 dump-flows br-int table=20 | grep -q "arp_tpa=10.244.0.1" \
    || fail "no ARP reply for 10.244.0.1"
c=$(changes "$mark")
echo "flow changes for the first address: $c"
# The responder stage's flows (default, reply, own request) and lp1's L2
# lookup and egress port security flows: about 10; rewriting the port
# security stage would be more than 60.
[ "$c" -gt 0 ] || fail "no flow change logged for the first address"
[ "$c" -le 20 ] || fail "the first ARP responder flow caused $c flow changes"
# And the packet still goes the whole way.
osm_pod_exec p2 arping -c 1 -w 2 -I eth0 10.244.0.1 > /dev/null \
    || fail "no ARP reply from the responder"
echo PASS
