#!/bin/bash
# ACLs of a port group that spans two switches, with an address set and
# the port group's own address set ($pg_ip4), with real traffic between
# pods on two hosts; an address set or port group change takes effect
# after --wait=hv and changes only the flows that depend on it; an ACL
# added or deleted on one switch changes only its own flows; logging
# lines carry the verdict and are rate-limited; osmotic-trace names the
# ACL that decides, logically and through br-int, for reject, drop and
# allow.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:52:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:52:02 10.244.0.2
osm_lsp_add sw1 lp3 0a:00:00:00:52:03 10.244.1.3
osm_lsp_add sw1 lp4 0a:00:00:00:52:04 10.244.1.4
osm_add_pod hv1 p1 0a:00:00:00:52:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:52:02 10.244.0.2/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:52:03 10.244.1.3/24 lp3
osm_add_pod hv2 p4 0a:00:00:00:52:04 10.244.1.4/24 lp4
osm_prime_underlay hv1 hv2

# web: p2 and p4, on two switches.  Only the clients may open TCP 5201
# to them; anything else to them is dropped and logged.
check osmotic-nbctl --timeout=20 \
    -- pg-add pg_web lp2 lp4 \
    -- as-add clients 10.244.0.1 10.244.1.3
check osmotic-nbctl --timeout=20 \
    -- --log --name=web-deny --severity=warning acl-add pg_web to-lport \
       1000 'outport == @pg_web && ip4' drop \
    -- acl-add pg_web to-lport 1001 \
       'outport == @pg_web && ip4.src == $clients && tcp.dst == 5201' \
       allow-related
check osmotic-nbctl --timeout=20 --wait=hv sync
osm_fresh_datapath hv1 hv2

check_tcp_transfer p1 p2 10.244.0.2 200000
check_tcp_transfer p3 p4 10.244.1.4 200000
check_no_ping p1 10.244.0.2
check_no_ping p3 10.244.1.4
# The group's members reach out and get their replies.
check_ping p2 10.244.0.1
check_ping p4 10.244.1.3

# Logging: the drop ACL's lines on hv2 (where the to-lport ACL decides),
# with name, severity, verdict and direction; a flood is held to the
# meter's rate, far fewer lines than packets.
log2=$(osm_host_dir hv2)/osmotic-controller.log
grep -q "pinctrl_log|WARN|log(name=web-deny, severity=warning, verdict=drop, direction=to-lport, datapath=sw0, inport=lp1, outport=lp2): .*icmp.*nw_src=10.244.0.1,nw_dst=10.244.0.2" "$log2" \
    || fail "no log line for the dropped ping: $(grep pinctrl_log "$log2")"
before=$(grep -c "name=web-deny" "$log2")
osm_pod_exec p1 timeout 10 ping -q -f -c 3000 -W 1 10.244.0.2 >/dev/null
sleep 1
lines=$(( $(grep -c "name=web-deny" "$log2") - before ))
echo "flood of 3000 dropped pings: $lines log lines"
[ "$lines" -gt 0 ] && [ "$lines" -lt 3000 ] \
    || fail "3000 dropped pings logged $lines lines (expected 1 to 2999)"

# The ACL's own meter (--meter, an NB Meter) holds its lines to the
# meter's rate: 2 packets per second, burst 2, for a flood of 4 seconds.
check osmotic-nbctl --timeout=20 meter-add acl-log drop 2 pktps 2
acl=$(osmotic-nbctl --timeout=20 --bare --columns=_uuid find ACL \
          name=web-deny) || fail "find ACL"
check osmotic-nbctl --timeout=20 --wait=hv set ACL "$acl" meter=acl-log
before=$(grep -c "name=web-deny" "$log2")
osm_pod_exec p1 timeout 10 ping -q -i 0.01 -w 4 -W 1 10.244.0.2 >/dev/null
sleep 1
lines=$(( $(grep -c "name=web-deny" "$log2") - before ))
echo "4 s of dropped pings every 10 ms, meter of 2 packets/s: $lines lines"
[ "$lines" -ge 2 ] && [ "$lines" -le 14 ] \
    || fail "metered log: $lines lines (expected 2 to 14)"
grep -q "log(name=web-deny, severity=warning, verdict=drop, direction=to-lport, meter=acl-log, datapath=sw0, inport=lp1, outport=lp2)" "$log2" \
    || fail "no log line naming the meter: $(grep pinctrl_log "$log2" | tail -3)"
# No meter any more: the controller's own log meter again.
check osmotic-nbctl --timeout=20 --wait=hv clear ACL "$acl" meter
before=$(grep -c "name=web-deny" "$log2")
osm_pod_exec p1 timeout 10 ping -q -i 0.01 -w 4 -W 1 10.244.0.2 >/dev/null
sleep 1
lines=$(( $(grep -c "name=web-deny" "$log2") - before ))
echo "the same without the meter: $lines lines"
[ "$lines" -ge 100 ] || fail "unmetered log: only $lines lines"

# An address set change: p1 is no client any more.  Only the flows of the
# ACL that names the set change on the hosts (its logical flows are
# rewritten, so all of them, with new cookies).
flows1=$(osm_flows hv2) || fail "dump-flows"
check osmotic-nbctl --timeout=20 --wait=hv as-set-addresses clients \
    10.244.1.3
osm_fresh_datapath hv1 hv2
flows2=$(osm_flows hv2) || fail "dump-flows"
changed=$(diff <(echo "$flows1") <(echo "$flows2") | grep '^[<>]')
[ -n "$changed" ] || fail "the address set change changed no flow on hv2"
grep -v 'tp_dst=5201' <<<"$changed" | grep -q . \
    && fail "the address set change touched other flows: $changed"
( check_tcp_transfer p1 p2 10.244.0.2 1000 ) 2>/dev/null \
    && fail "TCP from p1 reached p2 after p1 left the address set"
check_tcp_transfer p3 p4 10.244.1.4 100000

# A port group's own address set ($NAME_ip4, as OVN names it): ping from
# the ports of pg_clients, which follows the group's ports.
check osmotic-nbctl --timeout=20 --wait=hv pg-add pg_clients lp1 \
    -- acl-add pg_web to-lport 1002 \
       'outport == @pg_web && ip4.src == $pg_clients_ip4 && icmp4' \
       allow-related
osm_fresh_datapath hv1 hv2
check_ping p1 10.244.0.2
check_no_ping p3 10.244.1.4
check osmotic-nbctl --timeout=20 --wait=hv pg-set-ports pg_clients lp1 lp3
osm_fresh_datapath hv1 hv2
check_ping p3 10.244.1.4
check osmotic-nbctl --timeout=20 --wait=hv pg-set-ports pg_clients lp3
osm_fresh_datapath hv1 hv2
check_no_ping p1 10.244.0.2

# A port group change: p4 leaves the group, and its traffic is free.
check osmotic-nbctl --timeout=20 --wait=hv pg-set-ports pg_web lp2
osm_fresh_datapath hv1 hv2
check_ping p3 10.244.1.4
check_no_ping p1 10.244.0.2

# An ACL of one switch, in a direction the switch already has ACLs in:
# exactly its own flows come and go on the host that has both switches,
# and nothing else changes.  (The first ACL of a direction also brings
# that stage's default flow.)
flows1=$(osm_flows hv2) || fail "dump-flows"
check osmotic-nbctl --timeout=20 --wait=hv acl-add sw0 to-lport 900 \
    'outport == "lp2" && udp.dst == 9999' drop
flows2=$(osm_flows hv2) || fail "dump-flows"
added=$(diff <(echo "$flows1") <(echo "$flows2") | grep -c '^>')
removed=$(diff <(echo "$flows1") <(echo "$flows2") | grep -c '^<')
echo "one ACL added: $added flows added, $removed removed on hv2"
# (Its two flows, new and established connections, for UDP over IPv4 and
# over IPv6.)
[ "$added" = 4 ] && [ "$removed" = 0 ] \
    || fail "one drop ACL: $added flows added, $removed removed (expected 4, 0)"
diff <(echo "$flows1") <(echo "$flows2") | grep '^>' | grep -v 'tp_dst=9999' \
    | grep -q . && fail "the ACL add changed other flows"
check osmotic-nbctl --timeout=20 --wait=hv acl-del sw0 to-lport 900 \
    'outport == "lp2" && udp.dst == 9999'
flows3=$(osm_flows hv2) || fail "dump-flows"
[ "$flows3" = "$flows1" ] || fail "deleting the ACL left other flows changed"

# The trace names the ACL that decides, logically and on br-int.
check osmotic-nbctl --timeout=20 --wait=hv -- --name=no-7777 \
    acl-add pg_web from-lport 1000 'inport == @pg_web && udp.dst == 7777' \
    reject
FLOW='inport == "lp2" && eth.src == 0a:00:00:00:52:02 && eth.dst == 0a:00:00:00:52:01 && ip4.src == 10.244.0.2 && ip4.dst == 10.244.0.1 && udp.dst == 7777'
out=$(osmotic-trace --nb-db sw0 "$FLOW") || fail "logical trace"
for needle in "ls_in_acl" "source: ACL:" "no-7777" "reject"; do
    grep -qF -- "$needle" <<<"$out" || fail "trace lacks [$needle]: $out"
done
out=$(osmotic-trace --nb-db --chassis=hv2 --ovs-rundir="$(osm_host_dir hv2)" sw0 \
          "$FLOW") || fail "chassis trace: $out"
# (--name implies --log, as in ovn-nbctl.)
for needle in "dropped in ls_in_acl" "verdict=reject); reject;)" \
              "The bridge agrees with the logical flows."; do
    grep -qF -- "$needle" <<<"$out" || fail "chassis trace lacks [$needle]: $out"
done

# The same for the other verdicts: ping from p1 to p2 is dropped by
# web-deny in p2's egress (logically; on hv1, where p1 is, the packet
# leaves by the tunnel to hv2, which decides), and what p2 sends that no
# from-lport ACL matches is allowed and delivered, on both hosts' bridges.
FLOW='inport == "lp1" && eth.src == 0a:00:00:00:52:01 && eth.dst == 0a:00:00:00:52:02 && ip4.src == 10.244.0.1 && ip4.dst == 10.244.0.2 && icmp4'
out=$(osmotic-trace --nb-db sw0 "$FLOW") || fail "logical trace"
for needle in "ls_out_acl" "web-deny" "Verdict: dropped in ls_out_acl"; do
    grep -qF -- "$needle" <<<"$out" || fail "trace lacks [$needle]: $out"
done
out=$(osmotic-trace --nb-db --chassis=hv1 --ovs-rundir="$(osm_host_dir hv1)" sw0 \
          "$FLOW") || fail "chassis trace: $out"
for needle in "Verdict: tunnel to chassis hv2" \
              "The bridge agrees with the logical flows."; do
    grep -qF -- "$needle" <<<"$out" || fail "chassis trace lacks [$needle]: $out"
done
FLOW='inport == "lp2" && eth.src == 0a:00:00:00:52:02 && eth.dst == 0a:00:00:00:52:01 && ip4.src == 10.244.0.2 && ip4.dst == 10.244.0.1 && udp.dst == 7000'
out=$(osmotic-trace --nb-db sw0 "$FLOW") || fail "logical trace"
grep -qF "Verdict: delivered to lp1 on chassis hv1" <<<"$out" \
    || fail "trace of an allowed packet: $out"
out=$(osmotic-trace --nb-db --chassis=hv2 --ovs-rundir="$(osm_host_dir hv2)" sw0 \
          "$FLOW") || fail "chassis trace: $out"
for needle in "Verdict: tunnel to chassis hv1" \
              "The bridge agrees with the logical flows."; do
    grep -qF -- "$needle" <<<"$out" || fail "chassis trace lacks [$needle]: $out"
done

# Deleting every ACL restores full connectivity.
check osmotic-nbctl --timeout=20 --wait=hv acl-del pg_web
osm_fresh_datapath hv1 hv2
check_ping p1 10.244.0.2
check_ping p3 10.244.1.4
check_tcp_transfer p1 p2 10.244.0.2 100000
echo PASS
