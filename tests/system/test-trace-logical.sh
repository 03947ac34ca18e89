#!/bin/bash
# osmotic-trace through southbound logical flows: a switch with three
# ports on two chassis, loaded straight into the SB (no northd), traced
# for unicast, broadcast, spoofing, unknown MACs and a disabled port.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_sb

# Loads the topology and its logical flows into the SB.
sb_load() {
    local flows="" f
    # pipeline table stage priority match actions
    while IFS='|' read -r pipe table stage prio match actions; do
        [ -n "$pipe" ] || continue
        match=${match// OR / || }   # "|" separates the fields here.
        f="{\"op\":\"insert\",\"table\":\"Logical_Flow\",\"row\":{
            \"logical_datapath\":[\"named-uuid\",\"dp\"],
            \"pipeline\":\"$pipe\",\"table_id\":$table,\"stage\":\"$stage\",
            \"priority\":$prio,\"match\":\"$match\",
            \"actions\":\"$actions\",
            \"source\":\"Logical_Switch_Port:11111111-2222-3333-4444-555555555555\"}}"
        flows="$flows,$f"
    done <<'EOF'
ingress|0|ls_in_port_sec|100|reg14=3|drop;
ingress|0|ls_in_port_sec|50|reg14=1,dl_src=0a:00:00:00:00:01|next;
ingress|0|ls_in_port_sec|50|reg14=2,dl_src=0a:00:00:00:00:02|next;
ingress|2|ls_in_pre_acl|10|tcp,tp_dst=8080|ct_next;
ingress|2|ls_in_pre_acl|0||next;
ingress|3|ls_in_acl|10|ct_state=+trk+est|drop;
ingress|3|ls_in_acl|0||next;
ingress|12|ls_in_l2_lkup|70|dl_dst=01:00:00:00:00:00/01:00:00:00:00:00|outport = 32768; output;
ingress|12|ls_in_l2_lkup|50|dl_dst=0a:00:00:00:00:01|outport = 1; output;
ingress|12|ls_in_l2_lkup|50|dl_dst=0a:00:00:00:00:22 OR dl_dst=0a:00:00:00:00:02|outport = 2; output;
ingress|12|ls_in_l2_lkup|0||outport = 32769; output;
egress|5|ls_out_port_sec|0||output;
EOF
    check ovsdb-client transact "$OSMOTIC_SB_DB" "[\"Osmotic_Southbound\",
      {\"op\":\"insert\",\"table\":\"Encap\",\"uuid-name\":\"e1\",
       \"row\":{\"type\":\"geneve\",\"ip\":\"172.31.0.1\",\"lane\":0,
                \"chassis_name\":\"hv1\"}},
      {\"op\":\"insert\",\"table\":\"Encap\",\"uuid-name\":\"e2\",
       \"row\":{\"type\":\"geneve\",\"ip\":\"172.31.0.2\",\"lane\":0,
                \"chassis_name\":\"hv2\"}},
      {\"op\":\"insert\",\"table\":\"Chassis\",\"uuid-name\":\"hv1\",
       \"row\":{\"name\":\"hv1\",\"hostname\":\"host1\",
                \"encaps\":[\"named-uuid\",\"e1\"]}},
      {\"op\":\"insert\",\"table\":\"Chassis\",\"uuid-name\":\"hv2\",
       \"row\":{\"name\":\"hv2\",\"hostname\":\"host2\",
                \"encaps\":[\"named-uuid\",\"e2\"]}},
      {\"op\":\"insert\",\"table\":\"Datapath_Binding\",\"uuid-name\":\"dp\",
       \"row\":{\"name\":\"sw0\",\"type\":\"switch\",\"tunnel_key\":7}},
      {\"op\":\"insert\",\"table\":\"Port_Binding\",\"uuid-name\":\"p1\",
       \"row\":{\"logical_port\":\"p1\",\"datapath\":[\"named-uuid\",\"dp\"],
                \"tunnel_key\":1,\"enabled\":true,
                \"chassis\":[\"named-uuid\",\"hv1\"],
                \"port_security\":\"0a:00:00:00:00:01 10.0.0.1\"}},
      {\"op\":\"insert\",\"table\":\"Port_Binding\",\"uuid-name\":\"p2\",
       \"row\":{\"logical_port\":\"p2\",\"datapath\":[\"named-uuid\",\"dp\"],
                \"tunnel_key\":2,\"enabled\":true,
                \"chassis\":[\"named-uuid\",\"hv2\"]}},
      {\"op\":\"insert\",\"table\":\"Port_Binding\",\"uuid-name\":\"p3\",
       \"row\":{\"logical_port\":\"p3\",\"datapath\":[\"named-uuid\",\"dp\"],
                \"tunnel_key\":3,\"enabled\":false,
                \"chassis\":[\"named-uuid\",\"hv1\"]}},
      {\"op\":\"insert\",\"table\":\"Multicast_Group\",
       \"row\":{\"name\":\"_MC_flood\",\"tunnel_key\":32768,
                \"datapath\":[\"named-uuid\",\"dp\"],
                \"ports\":[\"set\",[[\"named-uuid\",\"p1\"],
                                   [\"named-uuid\",\"p2\"]]]}},
      {\"op\":\"insert\",\"table\":\"Multicast_Group\",
       \"row\":{\"name\":\"_MC_unknown\",\"tunnel_key\":32769,
                \"datapath\":[\"named-uuid\",\"dp\"],
                \"ports\":[\"set\",[]]}}
      $flows]" > /dev/null
}
sb_load

P1='inport == "p1" && eth.src == 0a:00:00:00:00:01'
IP='ip4.src == 10.0.0.1 && ip4.dst == 10.0.0.2 && tcp.dst == 80'

# Unicast between the two chassis: the right port on the right chassis,
# by name or by tunnel key of the datapath.
check_output "delivered to p2 on chassis hv2" \
    osmotic-trace --summary sw0 "$P1 && eth.dst == 0a:00:00:00:00:02 && $IP"
check_output "delivered to p2 on chassis hv2" \
    osmotic-trace --summary 7 "$P1 && eth.dst == 0a:00:00:00:00:02 && $IP"
out=$(osmotic-trace sw0 "$P1 && eth.dst == 0a:00:00:00:00:02 && $IP") \
    || fail "text trace failed"
for needle in 'ingress(dp="sw0", inport="p1") on chassis hv1' \
              '12. ls_in_l2_lkup (table 22), priority 50' \
              'match: dl_dst=0a:00:00:00:00:02 (alternative 2 of 2)' \
              'tunnel from chassis hv1 to chassis hv2' \
              'egress(dp="sw0", inport="p1", outport="p2") on chassis hv2' \
              ' 5. ls_out_port_sec (table 45), priority 0' \
              'source: Logical_Switch_Port:11111111-2222-3333-4444' \
              'Verdict: delivered to p2 on chassis hv2'; do
    case $out in
        *"$needle"*) ;;
        *) fail "text trace lacks [$needle]: $out" ;;
    esac
done

# JSON parses and carries the same verdict.
osmotic-trace --json sw0 "$P1 && eth.dst == 0a:00:00:00:00:02 && $IP" \
    > "$TESTDIR/trace.json" || fail "json trace failed"
check python3 -m json.tool "$TESTDIR/trace.json" > /dev/null
check_output "delivered p2 hv2 delivered to p2 on chassis hv2" \
    python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
v = t["verdicts"]
assert len(v) == 1, v
print(v[0]["verdict"], v[0]["port"], v[0]["chassis"], t["summary"])' \
    "$TESTDIR/trace.json"

# A broadcast ARP floods: no copy back to p1, one copy to p2 on hv2.
out=$(osmotic-trace sw0 "$P1 && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 \
      && arp.spa == 10.0.0.1 && arp.tpa == 10.0.0.2") || fail "arp trace"
for needle in 'multicast group _MC_flood (key 32768)' \
              'skip p1: it is the inport' 'copy to p2:' \
              'Verdict: delivered to p2 on chassis hv2'; do
    case $out in
        *"$needle"*) ;;
        *) fail "flood trace lacks [$needle]: $out" ;;
    esac
done

# A spoofed source is dropped by port security, which names the port and
# its allowed addresses.
check_output 'dropped in ls_in_port_sec: no flow matched; port p1 allows only "0a:00:00:00:00:01 10.0.0.1"' \
    osmotic-trace --summary sw0 'inport == "p1" && eth.src == 0a:00:00:00:00:66 && eth.dst == 0a:00:00:00:00:02'

# An unknown destination MAC goes to _MC_unknown, which has no member.
check_output 'dropped in ls_in_l2_lkup by flow priority=0, match=(), actions=(outport = 32769; output;) (source Logical_Switch_Port:11111111-2222-3333-4444-555555555555): multicast group _MC_unknown has no port to send to' \
    osmotic-trace --summary sw0 "$P1 && eth.dst == 0a:00:00:00:00:99"

# The disabled port's packet is dropped, and the trace says why.
out=$(osmotic-trace --summary sw0 'inport == "p3" && eth.src == 0a:00:00:00:00:03 && eth.dst == 0a:00:00:00:00:02')
case $out in
    "dropped in ls_in_port_sec by flow priority=100, match=(reg14=3)"*"port p3 is disabled") ;;
    *) fail "disabled port: got [$out]" ;;
esac

# Conntrack is not simulated: ct() continues with an assumed state, new
# by default, or as --ct says.
WEB="$P1 && eth.dst == 0a:00:00:00:00:02 && ip4.src == 10.0.0.1 && ip4.dst == 10.0.0.2 && tcp.dst == 8080"
out=$(osmotic-trace sw0 "$WEB") || fail "ct trace"
case $out in
    *"connection state assumed new|trk, continuing at table 13"*"Verdict: delivered to p2 on chassis hv2"*) ;;
    *) fail "ct trace: $out" ;;
esac
check_output "dropped in ls_in_acl by flow priority=10, match=(ct_state=+trk+est), actions=(drop;) (source Logical_Switch_Port:11111111-2222-3333-4444-555555555555)" \
    osmotic-trace --summary --ct=est sw0 "$WEB"
check_error '--ct=bogus: bogus: unknown connection tracking state flag' \
    osmotic-trace --ct=bogus sw0 "$WEB"

# Bad arguments: one clear line, non-zero exit.
check_error 'DATAPATH sw9: no such logical datapath' osmotic-trace sw9 "$P1"
check_error 'inport "p9": no such logical port on datapath sw0' \
    osmotic-trace sw0 'inport == "p9"'
check_error 'must set inport' osmotic-trace sw0 'eth.src == 0a:00:00:00:00:01'
check_error 'MICROFLOW' osmotic-trace sw0 'inport == '
check_error 'expected 2 arguments' osmotic-trace sw0
check_error "unix:$TESTDIR/nothing.sock: database connection failed" \
    osmotic-trace --db="unix:$TESTDIR/nothing.sock" sw0 "$P1"
check_error '--summary and --json cannot be combined' \
    osmotic-trace --summary --json sw0 "$P1 && eth.dst == 0a:00:00:00:00:02"
check_error '--chassis=nosuch: no chassis of that name in the southbound database' \
    osmotic-trace --chassis=nosuch sw0 "$P1 && eth.dst == 0a:00:00:00:00:02"
check_error "--chassis=hv1: cannot read the chassis's Open_vSwitch database unix:$TESTDIR/nothing/db.sock; pass --ovs-rundir=DIR" \
    osmotic-trace --chassis=hv1 --ovs-rundir="$TESTDIR/nothing" --timeout=2 \
    sw0 "$P1 && eth.dst == 0a:00:00:00:00:02"
check_error "unix:$TESTDIR/nothing.sock: database connection failed" \
    osmotic-trace --nb-db="unix:$TESTDIR/nothing.sock" sw0 "$P1"
exit 0
