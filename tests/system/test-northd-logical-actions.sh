#!/bin/bash
# osmotic-northd writes the actions of its logical flows in the logical
# action vocabulary (Documentation/pipeline.md, "Logical actions"): no
# OpenFlow table number, resubmit, OpenFlow action or register name
# reaches SB, and every flow's actions compile (osmotic-trace, which
# encodes them as the controller does, skips none).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

# A switch with every kind of flow the switch module writes: port
# security (IPv4 and IPv6), ARP and ND replies, unknown unicast,
# flooding, a disabled port.
check osmotic-nbctl init
check nbctl ls-add sw0 \
    -- lsp-add sw0 p1 \
    -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1 fd00::1" \
    -- lsp-set-port-security p1 "0a:00:00:00:00:01 10.0.0.1 fd00::1" \
    -- lsp-add sw0 p2 -- lsp-set-addresses p2 unknown \
    -- lsp-add sw0 p3 -- lsp-set-addresses p3 "0a:00:00:00:00:03 10.0.0.3" \
    -- lsp-set-enabled p3 disabled \
    -- lsp-add sw0 p4 -- lsp-set-addresses p4 "0a:00:00:00:00:04 10.0.0.4"

flows=$(sb_lflows sw0) || fail "sb_lflows"
actions=$(echo "$flows" | sed 's/.* actions=//' | sort -u)
n=$(echo "$flows" | wc -l)
[ "$n" -ge 15 ] || fail "expected at least 15 flows, got $n: $flows"

# The replies are there, written in logical actions.
echo "$actions" | grep -qx 'eth.dst = eth.src; eth.src = 0a:00:00:00:00:01; arp.op = 2; arp.tha = arp.sha; arp.sha = 0a:00:00:00:00:01; arp.tpa = arp.spa; arp.spa = 10.0.0.1; outport = inport; flags.loopback = 1; output;' \
    || fail "no ARP reply for 10.0.0.1 in: $actions"
echo "$actions" | grep -qx 'eth.dst = eth.src; eth.src = 0a:00:00:00:00:01; ip6.dst = ip6.src; ip6.src = fd00::1; nd.reserved = 0x60000000; nd.options_type = 2; icmp6.type = 136; outport = inport; flags.loopback = 1; next(ls_in_arp_rsp);' \
    || fail "no ND reply for fd00::1 in: $actions"
echo "$actions" | grep -qx 'outport = 32769; output;' \
    || fail "no unknown-unicast flow in: $actions"

# Nothing physical in any flow's actions.
bad=$(echo "$actions" \
      | grep -E 'resubmit|table|\breg([89]|1[0-9])\b|NXM_|load:|set_field|move:|(^|[^<])->|\[|ct\(|controller\(' \
      || true)
[ -z "$bad" ] || fail "physical layout in SB actions: $bad"

# Every flow compiles: the trace loads them all with the controller's
# encoder and warns about any it cannot.
# No port is bound here, so the trace ends at the unbound outport.
out=$(osmotic-trace sw0 'inport == "p1" && eth.src == 0a:00:00:00:00:01 && eth.dst == 0a:00:00:00:00:04 && ip4.src == 10.0.0.1 && ip4.dst == 10.0.0.4' 2> "$TESTDIR/trace.err")
[ ! -s "$TESTDIR/trace.err" ] || fail "trace skipped flows: $(cat "$TESTDIR/trace.err")"
case $out in
    *"actions: outport = 4; output;"*"outport p4 is not bound to any chassis"*) ;;
    *) fail "trace: $out" ;;
esac
echo PASS
