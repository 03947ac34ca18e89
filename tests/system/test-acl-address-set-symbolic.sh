#!/bin/bash
# An ACL's address set stays a name in its logical flows ("nw_src=$clients",
# the addresses in SB Address_Set), with real traffic: a pod the set
# allows reaches the web pod (TCP through a conjunction whose dimension
# names the set, ping through a plain alternative that names it); its
# peer's address added to the set lets the peer in after --wait=hv, and
# removed keeps it out again, while no Logical_Flow row changes (same
# UUIDs); osmotic-trace, from SB, decides as the datapath does.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:5a:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:5a:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:5a:03 10.244.0.3
osm_add_pod hv1 p1 0a:00:00:00:5a:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:5a:02 10.244.0.2/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:5a:03 10.244.0.3/24 lp3
osm_prime_underlay hv1 hv2

# web: p2.  Only the clients may open TCP 5201 or 5202 (a set crossed
# with a set: a conjunction) or ping it (the set alone: plain
# alternatives); anything else to it is dropped.
check osmotic-nbctl --timeout=20 \
    -- pg-add pg_web lp2 \
    -- as-add clients 10.244.0.1 10.244.7.7
check osmotic-nbctl --timeout=20 \
    -- acl-add pg_web to-lport 1000 'outport == @pg_web && ip4' drop \
    -- acl-add pg_web to-lport 1001 \
       'outport == @pg_web && ip4.src == $clients && tcp.dst == {5201, 5202}' \
       allow-related \
    -- acl-add pg_web to-lport 1001 \
       'outport == @pg_web && ip4.src == $clients && icmp4' allow-related
check osmotic-nbctl --timeout=20 --wait=hv sync
osm_fresh_datapath hv1 hv2

# The flows name the set; SB Address_Set has its addresses.
acl_flows=$(osmotic-sbctl --bare --columns=match find Logical_Flow \
                stage=ls_out_acl) || fail "list ACL flows"
grep -qF '[nw_src=$clients]' <<<"$acl_flows" \
    || fail "no ACL flow names \$clients in a dimension: $acl_flows"
grep -v '\[' <<<"$acl_flows" | grep -q 'icmp,.*nw_src=\$clients$' \
    || fail "no ACL flow names \$clients in a plain alternative: $acl_flows"
grep -q 'nw_src=10\.244\.' <<<"$acl_flows" \
    && fail "an ACL flow holds the set's addresses: $acl_flows"
check_output "10.244.0.1 10.244.7.7" osmotic-sbctl --bare \
    --columns=addresses find Address_Set name=clients

# lflow_uuids: every Logical_Flow row's UUID, sorted.
lflow_uuids() {
    osmotic-sbctl --bare --columns=_uuid list Logical_Flow | grep . | sort
}
# tcp_blocked FROM-POD IP: a TCP connection from FROM-POD to IP port
# 5201, where a listener waits, does not open.
tcp_blocked() {
    local listener rc
    ip netns exec "$(osm_ns p2)" timeout 10 nc -4 -l 5201 \
        > /dev/null < /dev/null &
    listener=$!
    wait_until tcp_listening p2 5201
    osm_pod_exec "$1" nc -z -w 2 "$2" 5201
    rc=$?
    kill "$listener" 2>/dev/null
    wait "$listener" 2>/dev/null
    [ $rc -ne 0 ]
}
# trace_verdict FROM-PORT FROM-MAC FROM-IP: osmotic-trace's verdict, from
# SB, for a new TCP connection to p2's port 5201.
trace_verdict() {
    osmotic-trace sw0 "inport == \"$1\" && eth.src == $2 && eth.dst == 0a:00:00:00:5a:02 && ip4.src == $3 && ip4.dst == 10.244.0.2 && tcp.src == 40000 && tcp.dst == 5201" \
        | grep "Verdict:"
}
p3_trace() {
    trace_verdict lp3 0a:00:00:00:5a:03 10.244.0.3
}

check_tcp_transfer p1 p2 10.244.0.2 200000
check_ping p1 10.244.0.2
check_no_ping p3 10.244.0.2
tcp_blocked p3 10.244.0.2 || fail "p3 opened TCP to p2 outside the set"
trace_verdict lp1 0a:00:00:00:5a:01 10.244.0.1 | grep -q "delivered to lp2" \
    || fail "trace of p1 -> p2: $(trace_verdict lp1 0a:00:00:00:5a:01 10.244.0.1)"
p3_trace | grep -q "dropped" || fail "trace of p3 -> p2: $(p3_trace)"

# p3's address added: p3 gets in, and no logical flow changed.
before=$(lflow_uuids)
check osmotic-nbctl --timeout=20 --wait=hv add Address_Set clients \
    addresses 10.244.0.3
check_ping p3 10.244.0.2
check_tcp_transfer p3 p2 10.244.0.2 200000
p3_trace | grep -q "delivered to lp2" || fail "trace of p3 -> p2: $(p3_trace)"
[ "$(lflow_uuids)" = "$before" ] \
    || fail "adding an address changed Logical_Flow rows: $(diff <(echo "$before") <(lflow_uuids))"

# Removed again: p3 is kept out, p1 still gets in.
check osmotic-nbctl --timeout=20 --wait=hv remove Address_Set clients \
    addresses 10.244.0.3
check_no_ping p3 10.244.0.2
tcp_blocked p3 10.244.0.2 || fail "p3 opened TCP to p2 after its removal"
p3_trace | grep -q "dropped" || fail "trace of p3 -> p2: $(p3_trace)"
check_ping p1 10.244.0.2
check_tcp_transfer p1 p2 10.244.0.2 200000
[ "$(lflow_uuids)" = "$before" ] \
    || fail "removing an address changed Logical_Flow rows"
echo PASS
