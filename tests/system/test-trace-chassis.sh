#!/bin/bash
# osmotic-trace on a running deployment: northd's logical flows traced
# logically, and the same packets traced through the hosts' real br-int
# with --chassis; both must name the same output port.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:01:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:01:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:01:03 10.244.0.3
osm_add_pod hv1 p1 0a:00:00:00:01:01 10.244.0.1/24 lp1
osm_add_pod hv1 p2 0a:00:00:00:01:02 10.244.0.2/24 lp2
osm_add_pod hv2 p3 0a:00:00:00:01:03 10.244.0.3/24 lp3
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# osmotic-sbctl show lists what the controllers registered and bound.
check_output 'Chassis "hv1"
    hostname: '"$(hostname)"'
    Encap geneve
        ip: "172.31.0.1"
        lane: 0
    Port_Binding "lp1"
    Port_Binding "lp2"
Chassis "hv2"
    hostname: '"$(hostname)"'
    Encap geneve
        ip: "172.31.0.2"
        lane: 0
    Port_Binding "lp3"' osmotic-sbctl show

# trace_both NAME MICROFLOW: runs the logical and the hv1 trace of
# MICROFLOW on sw0, keeping both outputs in $TESTDIR/NAME.{logical,hv1}.
trace_both() {
    osmotic-trace sw0 "$2" > "$TESTDIR/$1.logical" \
        || fail "logical trace $1"
    osmotic-trace --chassis=hv1 --ovs-rundir="$(osm_host_dir hv1)" \
        sw0 "$2" > "$TESTDIR/$1.hv1" || fail "chassis trace $1"
    expect "$TESTDIR/$1.hv1" "The bridge agrees with the logical flows."
}

# expect FILE NEEDLE...: FILE contains every NEEDLE.
expect() {
    local file=$1 needle
    shift
    for needle in "$@"; do
        grep -qF -- "$needle" "$file" \
            || fail "$file lacks [$needle]: $(cat "$file")"
    done
}

L2FROM1='inport == "lp1" && eth.src == 0a:00:00:00:01:01'
FROM1="$L2FROM1 && ip4.src == 10.244.0.1"

# Pod to pod on the same chassis: both traces deliver to lp2 on hv1, and
# the chassis trace names the stages and logical flows it went through.
trace_both local "$FROM1 && eth.dst == 0a:00:00:00:01:02 && ip4.dst == 10.244.0.2 && tcp.dst == 80"
expect "$TESTDIR/local.logical" "Verdict: delivered to lp2 on chassis hv1"
expect "$TESTDIR/local.hv1" "Verdict: delivered to lp2 on chassis hv1" \
    "[phy_in: Port_Binding lp1" "[ls_in_l2_lkup: sw0 ls_in_l2_lkup" \
    "source Logical_Switch_Port:"

# With the NB, the sources are named.
osmotic-trace --nb-db sw0 "$FROM1 && eth.dst == 0a:00:00:00:01:02 && ip4.dst == 10.244.0.2" > "$TESTDIR/local.nb" || fail "trace --nb-db"
expect "$TESTDIR/local.nb" '"lp2"' '"sw0"'
osmotic-trace --json --nb-db="$OSMOTIC_NB_DB" sw0 "$FROM1 && eth.dst == 0a:00:00:00:01:02 && ip4.dst == 10.244.0.2" > "$TESTDIR/local.json" || fail "trace --json --nb-db"
expect "$TESTDIR/local.json" '"source_name": "lp2"'

# The chassis trace as JSON: the same verdicts, the steps with their SB
# rows, and the comparison.
osmotic-trace --json --chassis=hv1 --ovs-rundir="$(osm_host_dir hv1)" sw0 \
    "$FROM1 && eth.dst == 0a:00:00:00:01:02 && ip4.dst == 10.244.0.2" \
    > "$TESTDIR/local.hv1.json" || fail "chassis trace --json"
check_output "True ['delivered to lp2 on chassis hv1'] ['delivered to lp2 on chassis hv1'] phy_in Port_Binding lp1 (key 1)" \
    python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
print(t["agrees"], t["verdicts"], t["logical_verdicts"],
      t["steps"][0]["stage"], t["steps"][0]["sb_row"])' "$TESTDIR/local.hv1.json"

# --detrace annotates OVS output one runs by hand: a flow dump and an
# ofproto/trace.
osm_flows hv1 | osmotic-trace --detrace > "$TESTDIR/flows.detrace" \
    || fail "detrace of dump-flows"
expect "$TESTDIR/flows.detrace" "[ls_in_l2_lkup: sw0 ls_in_l2_lkup, priority 50, match (dl_dst=0a:00:00:00:01:02)" \
    "[phy_in: Port_Binding lp1 (key 1)]" "[ls_out_port_sec: sw0 ls_out_port_sec"
osm_host_appctl hv1 ofproto/trace br-int \
    "in_port=$(osm_host_vsctl hv1 get interface v-p1 ofport),dl_src=0a:00:00:00:01:01,dl_dst=0a:00:00:00:01:02" \
    | osmotic-trace --detrace > "$TESTDIR/trace.detrace" \
    || fail "detrace of ofproto/trace"
expect "$TESTDIR/trace.detrace" "[phy_in: Port_Binding lp1 (key 1)]" \
    "[ls_in_port_sec: sw0 ls_in_port_sec"
check_error '--detrace takes no arguments' osmotic-trace --detrace sw0

# Pod to pod across chassis: the logical trace ends at lp3 on hv2, the
# hv1 trace at the tunnel to hv2 carrying outport lp3.
trace_both remote "$FROM1 && eth.dst == 0a:00:00:00:01:03 && ip4.dst == 10.244.0.3 && udp.dst == 53"
expect "$TESTDIR/remote.logical" "Verdict: delivered to lp3 on chassis hv2"
expect "$TESTDIR/remote.hv1" "Verdict: tunnel to chassis hv2 (172.31.0.2)" \
    "for outport lp3"

# A broadcast ARP request for a pod's address is answered by the switch:
# the reply goes back out of lp1.
ARP="$L2FROM1 && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.spa == 10.244.0.1 && arp.sha == 0a:00:00:00:01:01"
trace_both arprsp "$ARP && arp.tpa == 10.244.0.3"
expect "$TESTDIR/arprsp.logical" "ls_in_arp_rsp (table 20)" \
    "set_field:0a:00:00:00:01:03->eth_src" \
    "Verdict: delivered to lp1 on chassis hv1"
expect "$TESTDIR/arprsp.hv1" "Verdict: delivered to lp1 on chassis hv1"

# For an address nobody has it is flooded: to lp2 locally and to hv2
# (for lp3) by tunnel, not back to lp1.
trace_both arp "$ARP && arp.tpa == 10.244.0.99"
expect "$TESTDIR/arp.logical" "multicast group _MC_flood" \
    "skip lp1: it is the inport" \
    "Verdict: delivered to lp2 on chassis hv1" \
    "Verdict: delivered to lp3 on chassis hv2"
expect "$TESTDIR/arp.hv1" "Verdict: delivered to lp2 on chassis hv1" \
    "Verdict: tunnel to chassis hv2 (172.31.0.2) via ot"
grep -q "delivered to lp1" "$TESTDIR/arp.hv1" "$TESTDIR/arp.logical" \
    && fail "flood went back to the inport"

# A spoofed source: dropped in port security on both.
trace_both spoof 'inport == "lp1" && eth.src == 0a:00:00:00:01:66 && eth.dst == 0a:00:00:00:01:02'
expect "$TESTDIR/spoof.logical" "Verdict: dropped in ls_in_port_sec" \
    'port lp1 allows only "0a:00:00:00:01:01 10.244.0.1"'
expect "$TESTDIR/spoof.hv1" "Verdict: dropped on chassis hv1"

# A packet to an unknown MAC: the lookup stage's default flow drops it,
# on both traces.
UNKNOWN="$FROM1 && eth.dst == 0a:00:00:00:01:99 && ip4.dst == 10.244.0.99"
out=$(osmotic-trace --summary sw0 "$UNKNOWN")
case $out in
    "dropped in ls_in_l2_lkup by flow priority=0, match=(), actions=(drop;) (source Logical_Switch)") ;;
    *) fail "unknown MAC: got [$out]" ;;
esac
check_output "dropped on chassis hv1" osmotic-trace --summary \
    --chassis=hv1 --ovs-rundir="$(osm_host_dir hv1)" sw0 "$UNKNOWN"

# A disabled port's packets are dropped in port security, which says so.
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-enabled lp2 disabled
out=$(osmotic-trace --summary sw0 'inport == "lp2" && eth.src == 0a:00:00:00:01:02 && eth.dst == 0a:00:00:00:01:01')
case $out in
    "dropped in ls_in_port_sec by flow priority=100, match=(reg14=2)"*"port lp2 is disabled") ;;
    *) fail "disabled port: got [$out]" ;;
esac

# A bridge that does not do what the logical flows say is caught: a
# stray flow on hv1 drops what the logical flows deliver to lp3.
check osm_host_ofctl hv1 add-flow br-int \
    "table=22,priority=1000,dl_dst=0a:00:00:00:01:03,actions=drop"
out=$(osmotic-trace --chassis=hv1 --ovs-rundir="$(osm_host_dir hv1)" sw0 \
      "$FROM1 && eth.dst == 0a:00:00:00:01:03 && ip4.dst == 10.244.0.3") \
    || fail "chassis trace of stray drop"
case $out in
    *'DISAGREEMENT with the logical flows; the bridge does not send out "delivered to lp3 on chassis hv2"'*) ;;
    *) fail "stray drop not caught: $out" ;;
esac

# The inport must be on the chassis traced.
check_error 'inport "lp3" is bound to chassis hv2, not hv1' \
    osmotic-trace --chassis=hv1 --ovs-rundir="$(osm_host_dir hv1)" sw0 \
    'inport == "lp3" && eth.src == 0a:00:00:00:01:03'
exit 0
