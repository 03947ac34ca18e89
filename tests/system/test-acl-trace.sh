#!/bin/bash
# osmotic-trace through an explicit allow-related ACL: the first packet
# of a connection (--ct=new, the default) is decided by that ACL, which
# the trace names, and committed; a later packet in the same direction
# (--ct=est) and a reply (--ct=est,rpl) take the established path, the
# flows of connection state that no ACL owns; a new connection the ACLs
# do not allow is dropped by the drop ACL, which the trace names.  The
# chassis traces, through br-int, agree with the logical ones, and the
# datapath does what they say.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:58:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:58:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:58:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:58:02 10.244.0.2/24 lp2
osm_prime_underlay hv1 hv2

# p2 accepts TCP port 5201 from p1 and nothing else.
check osmotic-nbctl --timeout=20 \
    -- --name=p2-deny acl-add sw0 to-lport 1000 'outport == "lp2" && ip4' \
       drop \
    -- --name=p2-web acl-add sw0 to-lport 1001 \
       'outport == "lp2" && ip4.src == 10.244.0.1 && tcp.dst == 5201' \
       allow-related
check osmotic-nbctl --timeout=20 --wait=hv sync
osm_fresh_datapath hv1 hv2
web=$(osmotic-nbctl --timeout=20 --bare --columns=_uuid find ACL \
          name=p2-web) || fail "find ACL p2-web"
deny=$(osmotic-nbctl --timeout=20 --bare --columns=_uuid find ACL \
           name=p2-deny) || fail "find ACL p2-deny"

# The datapath: the connection works, a ping is dropped.
check_tcp_transfer p1 p2 10.244.0.2 100000
check_no_ping p1 10.244.0.2

REQ='inport == "lp1" && eth.src == 0a:00:00:00:58:01 && eth.dst == 0a:00:00:00:58:02 && ip4.src == 10.244.0.1 && ip4.dst == 10.244.0.2 && tcp.src == 40000 && tcp.dst == 5201'
REPLY='inport == "lp2" && eth.src == 0a:00:00:00:58:02 && eth.dst == 0a:00:00:00:58:01 && ip4.src == 10.244.0.2 && ip4.dst == 10.244.0.1 && tcp.src == 5201 && tcp.dst == 40000'

# expect FILE NEEDLE...: FILE holds every NEEDLE.
expect() {
    local f=$1 n
    shift
    for n in "$@"; do
        grep -qF -- "$n" "$f" || fail "$f lacks [$n]: $(cat "$f")"
    done
}
# acl_stage_flow FILE STAGE: the lines of FILE's STAGE step: the stage
# line and the flow lines after it, up to the next stage.
acl_stage_flow() {
    awk -v s="$2" '$0 ~ s " \\(table" { on = 1; print; next }
                   on && /\(table [0-9]+\)/ { exit }
                   on { print }' "$1"
}

# The first packet: p2-web decides in ls_out_acl and commits it.
osmotic-trace --nb-db sw0 "$REQ" > "$TESTDIR/new" || fail "trace: new"
acl_stage_flow "$TESTDIR/new" ls_out_acl > "$TESTDIR/new.acl"
expect "$TESTDIR/new.acl" "source: ACL:$web" "p2-web" "ct_commit"
expect "$TESTDIR/new" "Verdict: delivered to lp2 on chassis hv2"
grep -q "p2-deny" "$TESTDIR/new" && fail "p2-deny decided the first packet"

# The packets after it: still p2-web's, by its flow for established
# connections in their original direction, without a new commit.
osmotic-trace --nb-db --ct=est sw0 "$REQ" > "$TESTDIR/est" \
    || fail "trace: est"
acl_stage_flow "$TESTDIR/est" ls_out_acl > "$TESTDIR/est.acl"
expect "$TESTDIR/est.acl" "source: ACL:$web" "+est-rpl"
grep -q "ct_commit" "$TESTDIR/est.acl" && fail "established packet committed"
expect "$TESTDIR/est" "Verdict: delivered to lp2 on chassis hv2"

# The reply: no ACL decides; the established reply flow of each ACL stage
# lets it through, in p2's ingress and in p1's egress.
osmotic-trace --nb-db --ct=est,rpl sw0 "$REPLY" > "$TESTDIR/rpl" \
    || fail "trace: reply"
for stage in ls_in_acl ls_out_acl; do
    acl_stage_flow "$TESTDIR/rpl" $stage > "$TESTDIR/rpl.$stage"
    expect "$TESTDIR/rpl.$stage" "+est+rpl" "next;"
    grep -q "source: ACL:" "$TESTDIR/rpl.$stage" \
        && fail "an ACL decided the reply in $stage"
done
expect "$TESTDIR/rpl" "Verdict: delivered to lp1 on chassis hv1"
# The same reply as a new connection (p2 opening one to p1's port 40000)
# is not established, so it meets no reply flow: on p1's side nothing
# restricts it.
osmotic-trace --nb-db sw0 "$REPLY" > "$TESTDIR/rpl-new" \
    || fail "trace: reply as new"
grep -q "+est+rpl" "$TESTDIR/rpl-new" && fail "a new packet took the reply path"

# A new connection to another port: p2-deny drops it.
PING='inport == "lp1" && eth.src == 0a:00:00:00:58:01 && eth.dst == 0a:00:00:00:58:02 && ip4.src == 10.244.0.1 && ip4.dst == 10.244.0.2 && tcp.src == 40000 && tcp.dst == 22'
osmotic-trace --nb-db sw0 "$PING" > "$TESTDIR/deny" || fail "trace: deny"
expect "$TESTDIR/deny" "Verdict: dropped in ls_out_acl" "source: ACL:$deny" \
    "p2-deny"

# Through br-int: the first packet leaves hv1 by the tunnel to hv2,
# where p2-web's flow delivers it; the reply leaves hv2 for hv1, where
# the established reply flow delivers it; both traces agree.
ovs1=$(osm_host_dir hv1) ovs2=$(osm_host_dir hv2)
osmotic-trace --nb-db --chassis=hv2 --ovs-rundir="$ovs2" sw0 "$REPLY" \
    --ct=est,rpl > "$TESTDIR/rpl.hv2" || fail "chassis trace: reply"
expect "$TESTDIR/rpl.hv2" "Verdict: tunnel to chassis hv1" \
    "The bridge agrees with the logical flows."
osmotic-trace --nb-db --chassis=hv1 --ovs-rundir="$ovs1" sw0 "$REQ" \
    > "$TESTDIR/new.hv1" || fail "chassis trace: new"
expect "$TESTDIR/new.hv1" "Verdict: tunnel to chassis hv2" \
    "The bridge agrees with the logical flows."
echo PASS
