#!/bin/bash
# Conjunctive matches: two logical flows whose conjunctions share a clause
# (the same table, priority and match) both take effect, through one
# OpenFlow flow that carries both conjunction actions; deleting one
# leaves the other.  Stage ls_in_acl drops IP by default; flow A lets p1
# reach p2, flow B lets p1 reach p3, each a conjunction of sources and
# destinations with p1's address in both.  The southbound rows are
# written by hand, without northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sb-lib.sh"
osm_test_init
osm_start_sb

l2() {
    sb_lflow ingress 12 50 "dl_dst=0a:00:00:00:51:0$1" "outport = $1; output;"
}
conj_a='ip && [nw_src=10.244.0.1 | nw_src=10.244.0.5] && [nw_dst=10.244.0.2 | nw_dst=10.244.0.6]'
conj_b='ip && [nw_src=10.244.0.1 | nw_src=10.244.0.7] && [nw_dst=10.244.0.3 | nw_dst=10.244.0.8]'
sb "$(sb_datapath 7 sw), $(sb_port lp1 1), $(sb_port lp2 2),
    $(sb_port lp3 3),
    $(sb_lflow ingress 0 0 '' 'next;'),
    $(sb_lflow ingress 3 100 "$conj_a" 'next;'),
    $(sb_lflow ingress 3 100 "$conj_b" 'next;'),
    $(sb_lflow ingress 3 90 'ip,nw_dst=10.244.0.1' 'next;'),
    $(sb_lflow ingress 3 0 '' 'drop;'),
    $(l2 1), $(l2 2), $(l2 3)" > /dev/null

osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_pod hv1 p1 0a:00:00:00:51:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:51:02 10.244.0.2/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:51:03 10.244.0.3/24 lp3
for i in 2 3; do
    osm_pod_exec p1 ip neigh replace 10.244.0.$i \
        lladdr 0a:00:00:00:51:0$i dev eth0 nud permanent
    osm_pod_exec p$i ip neigh replace 10.244.0.1 \
        lladdr 0a:00:00:00:51:01 dev eth0 nud permanent
done
osm_prime_underlay hv1 hv2

wait_until osm_ping p1 10.244.0.2
check_ping p1 10.244.0.3

# The shared clause is one flow with both conjunctions.
osm_flows hv1 > "$TESTDIR/flows"
grep "table=13" "$TESTDIR/flows" | grep "nw_src=10.244.0.1 " \
    | grep -q "conjunction(.*),conjunction(" \
    || fail "no flow with both conjunctions: $(grep table=13 "$TESTDIR/flows")"
[ "$(grep -c "conj_id=" "$TESTDIR/flows")" = 2 ] \
    || fail "expected 2 conj_id flows: $(grep conj_id "$TESTDIR/flows")"

# Delete flow A: p1 reaches p3 still, not p2.
uuid=$(timeout 10 ovsdb-client dump --format=csv --no-headings \
           "$OSMOTIC_SB_DB" Osmotic_Southbound Logical_Flow _uuid match \
       | awk -F, '/10.244.0.6/ { print $1 }')
[ -n "$uuid" ] || fail "flow A not found"
sb "{\"op\": \"delete\", \"table\": \"Logical_Flow\",
     \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$uuid\"]]]}" > /dev/null
no_ping() {
    ! osm_ping "$@"
}
wait_until no_ping p1 10.244.0.2
check_ping p1 10.244.0.3
osm_flows hv1 > "$TESTDIR/flows"
[ "$(grep -c "conj_id=" "$TESTDIR/flows")" = 1 ] \
    || fail "expected 1 conj_id flow: $(grep conj_id "$TESTDIR/flows")"
echo PASS
