#!/bin/bash
# The table budget: a switched packet with ACLs crosses at most 12
# OpenFlow tables on the sending host.  A switch whose flows use the
# ACL stages (conntrack in ls_in_pre_acl, commit in ls_in_acl) but not
# ls_in_color or ls_in_lb: a TCP SYN to a pod on another host is traced
# with ofproto/trace on the sender, through the conntrack recirculation,
# and its br-int lookups are counted; the empty stages cost one skip
# flow, which goes straight to ls_in_arp_rsp.  The southbound rows are
# written by hand, without northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sb-lib.sh"
osm_test_init
osm_start_sb

sb "$(sb_datapath 7 sw), $(sb_port lp1 1), $(sb_port lp2 2),
    $(sb_lflow ingress 0 90 reg14=1,dl_src=0a:00:00:00:10:01 'next;'),
    $(sb_lflow ingress 0 90 reg14=2,dl_src=0a:00:00:00:10:02 'next;'),
    $(sb_lflow ingress 2 100 ip 'ct_next;'),
    $(sb_lflow ingress 2 0 '' 'next;'),
    $(sb_lflow ingress 3 100 'ct_state=+new+trk,ip' 'ct_commit; next;'),
    $(sb_lflow ingress 3 90 'ct_state=+est+trk,ip' 'next;'),
    $(sb_lflow ingress 3 0 '' 'next;'),
    $(sb_lflow ingress 10 0 '' 'next;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:10:01 'outport = 1; output;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:10:02 'outport = 2; output;')" \
    > /dev/null

osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_pod hv1 p1 0a:00:00:00:10:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:10:02 10.244.0.2/24 lp2
osm_prime_underlay hv1 hv2
osm_pod_exec p1 ip neigh replace 10.244.0.2 lladdr 0a:00:00:00:10:02 \
    dev eth0 nud permanent
osm_pod_exec p2 ip neigh replace 10.244.0.1 lladdr 0a:00:00:00:10:01 \
    dev eth0 nud permanent
wait_until osm_ping p1 10.244.0.2

ofport=$(osm_host_vsctl hv1 get interface v-p1 ofport)
osm_host_appctl hv1 ofproto/trace br-int "in_port=$ofport,tcp,\
dl_src=0a:00:00:00:10:01,dl_dst=0a:00:00:00:10:02,nw_src=10.244.0.1,\
nw_dst=10.244.0.2,nw_ttl=64,tp_src=40000,tp_dst=80,tcp_flags=0x002" \
    > "$TESTDIR/trace" 2>&1 || fail "ofproto/trace: $(cat "$TESTDIR/trace")"
grep -q "tnl_push" "$TESTDIR/trace" \
    || fail "the SYN did not reach the tunnel: $(cat "$TESTDIR/trace")"
grep -q "ct(commit" "$TESTDIR/trace" \
    || fail "the SYN did not go through the ACL stages: $(cat "$TESTDIR/trace")"
read -r lookups tables < <(count_trace_lookups < "$TESTDIR/trace")
echo "br-int lookups on the sending host: $lookups ($tables tables)"
# (A trace the counter could not read would count 0 and pass the budget.)
[ "$lookups" -ge 3 ] && [ "$tables" -ge 3 ] \
    || fail "only $lookups lookups in $tables tables counted:" \
            "$(cat "$TESTDIR/trace")"
[ "$lookups" -le 12 ] || fail "$lookups lookups: over the budget of 12"
# The empty ls_in_color (table 15) goes straight to ls_in_arp_rsp (20):
# ls_in_lb (17) is never looked up.
grep -Eq "^ *17\. " "$TESTDIR/trace" && fail "an empty stage was traversed"
grep -Eq "^ *15\. " "$TESTDIR/trace" || fail "no skip flow in table 15"
echo PASS
