#!/bin/bash
# ACL flows go only to the hosts that need them: the flows of a port
# group's ACLs are on the hosts with a port of a switch the group has
# ports on, and on no other (ovs-ofctl dump-flows on a host with such a
# port and on one without); adding a port to the group, or removing it,
# changes the flows of the hosts with ports on that port's switch, and
# not one flow anywhere else.  (No router joins the two switches: a
# switch behind a router is local, with its flows, on the hosts of the
# switches on the router's other side too, as in OVN.)
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

# sw0 only on hv1, sw1 only on hv2.
osm_lsp_add sw0 lp1 0a:00:00:00:59:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:59:02 10.244.0.2
osm_lsp_add sw1 lp3 0a:00:00:00:59:03 10.244.1.3
osm_lsp_add sw1 lp4 0a:00:00:00:59:04 10.244.1.4
osm_add_pod hv1 p1 0a:00:00:00:59:01 10.244.0.1/24 lp1
osm_add_pod hv1 p2 0a:00:00:00:59:02 10.244.0.2/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:59:03 10.244.1.3/24 lp3
osm_add_pod hv2 p4 0a:00:00:00:59:04 10.244.1.4/24 lp4
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# acl_flows HOST: the number of HOST's br-int flows in the ACL stages
# (their cookies lead to logical flows of ls_in_pre_acl, ls_in_acl,
# ls_out_pre_acl or ls_out_acl, as osmotic-trace --detrace annotates
# them).
acl_flows() {
    local flows
    flows=$(osm_flows "$1") || fail "dump-flows on $1"
    osmotic-trace --detrace <<<"$flows" > "$TESTDIR/detrace.$1" \
        || fail "detrace of $1's flows"
    grep -cE '\[ls_(in|out)_(pre_)?acl: ' "$TESTDIR/detrace.$1" || true
}
# same_flows HOST BEFORE: HOST's flows are exactly BEFORE.
same_flows() {
    local now
    now=$(osm_flows "$1") || fail "dump-flows on $1"
    [ "$now" = "$2" ] || fail "$1's flows changed: $(diff <(echo "$2") \
                                                        <(echo "$now"))"
}

check_output 0 acl_flows hv1
check_output 0 acl_flows hv2
hv2_start=$(osm_flows hv2) || fail "dump-flows on hv2"

# pg_web: p1.  Only TCP port 5201 may reach it.
check osmotic-nbctl --timeout=20 \
    -- pg-add pg_web lp1 \
    -- acl-add pg_web to-lport 1000 'outport == @pg_web && ip4' drop \
    -- acl-add pg_web to-lport 1001 \
       'outport == @pg_web && ip4 && tcp.dst == 5201' allow-related
check osmotic-nbctl --timeout=20 --wait=hv sync
osm_fresh_datapath hv1 hv2
n1=$(acl_flows hv1)
echo "ACLs on pg_web (p1, sw0): $n1 ACL flows on hv1, $(acl_flows hv2) on hv2"
[ "$n1" -gt 0 ] || fail "no ACL flows on hv1, which has p1"
check_output 0 acl_flows hv2
same_flows hv2 "$hv2_start"
grep -q "ACL:" "$TESTDIR/detrace.hv1" \
    || fail "no flow on hv1 comes from an ACL"
check_no_ping p2 10.244.0.1
check_tcp_transfer p2 p1 10.244.0.1 100000
check_ping p3 10.244.1.4

# p3 (sw1, hv2) joins the group: hv2 gets the ACL flows, hv1's flows do
# not change at all.
hv1_before=$(osm_flows hv1) || fail "dump-flows on hv1"
check osmotic-nbctl --timeout=20 --wait=hv pg-set-ports pg_web lp1 lp3
osm_fresh_datapath hv1 hv2
n2=$(acl_flows hv2)
echo "p3 joins pg_web: $n2 ACL flows on hv2"
[ "$n2" -gt 0 ] || fail "no ACL flows on hv2 after p3 joined the group"
same_flows hv1 "$hv1_before"
check_no_ping p4 10.244.1.3
check_tcp_transfer p4 p3 10.244.1.3 100000

# p2 (sw0, hv1) joins: hv1's flows change, not one of hv2's.
hv2_before=$(osm_flows hv2) || fail "dump-flows on hv2"
hv1_before=$(osm_flows hv1) || fail "dump-flows on hv1"
check osmotic-nbctl --timeout=20 --wait=hv pg-set-ports pg_web lp1 lp2 lp3
osm_fresh_datapath hv1 hv2
same_flows hv2 "$hv2_before"
hv1_after=$(osm_flows hv1) || fail "dump-flows on hv1"
[ "$hv1_after" != "$hv1_before" ] || fail "p2 joined, hv1's flows did not change"
check_no_ping p1 10.244.0.2

# p3 leaves: hv2 is back to the flows it had before any ACL, and hv1's
# do not change.
hv1_before=$hv1_after
check osmotic-nbctl --timeout=20 --wait=hv pg-set-ports pg_web lp1 lp2
osm_fresh_datapath hv1 hv2
check_output 0 acl_flows hv2
same_flows hv2 "$hv2_start"
same_flows hv1 "$hv1_before"
check_ping p4 10.244.1.3
echo PASS
