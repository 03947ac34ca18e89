#!/bin/bash
# osmotic-northd compiles the matches of flow classes: a class that names
# the IPv4 addresses of a port group's ports ($PG_ip4) colours those
# addresses, and follows the group's members and their addresses; a
# class whose match tests outport (which osmotic-nbctl refuses, but
# another client may write) is skipped, with a warning in the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

# color_flows: the ls_in_color flows of sw0 that name UDP port 9001.
color_flows() {
    sb_lflows sw0 | grep '^ls_in_color .*9001' || true
}

check nbctl ls-add sw0
check nbctl lsp-add sw0 lp1 -- lsp-set-addresses lp1 "0a:00:00:00:00:01 10.0.0.1"
check nbctl lsp-add sw0 lp2 -- lsp-set-addresses lp2 "0a:00:00:00:00:02 10.0.0.2"
check nbctl pg-add pga lp1
check nbctl class-add frompg 300 'ip4.src == $pga_ip4 && udp.dst == 9001' \
    elephant
flows=$(color_flows)
echo "$flows"
grep -q 'nw_src=10.0.0.1,.*tp_dst=9001' <<<"$flows" \
    || fail "no ls_in_color flow for \$pga_ip4 (10.0.0.1)"
grep -q 'nw_dst=10.0.0.1,.*tp_src=9001' <<<"$flows" \
    || fail "no mirror flow for \$pga_ip4 (10.0.0.1)"
! grep -q '10.0.0.2' <<<"$flows" || fail "lp2 is not in pga"

# A new member, and a member's new address, change the class's flows.
check nbctl pg-set-ports pga lp1 lp2
grep -q 'nw_src=10.0.0.2,.*tp_dst=9001' <<<"$(color_flows)" \
    || fail "pga's new member lp2 is not coloured: $(color_flows)"
check nbctl lsp-set-addresses lp1 "0a:00:00:00:00:01 10.0.0.11"
flows=$(color_flows)
grep -q 'nw_src=10.0.0.11,' <<<"$flows" || fail "lp1's new address: $flows"
! grep -q 'nw_src=10.0.0.1,' <<<"$flows" || fail "lp1's old address: $flows"

# A class on outport, written without osmotic-nbctl: no flow, a warning.
elephant=$(osmotic-nbctl get Color elephant _uuid)
ovsdb-client transact "$OSMOTIC_NB_DB" '["Osmotic_Northbound",
    {"op":"insert","table":"Flow_Class","row":{"name":"toport",
     "priority":400,"match":"outport == \"lp2\" && udp.dst == 9001",
     "color":["uuid","'"$elephant"'"]}}]' > "$TESTDIR/transact.out" \
    || fail "insert of the outport class failed"
! grep -q '"error"' "$TESTDIR/transact.out" \
    || fail "insert: $(cat "$TESTDIR/transact.out")"
check nbctl sync
! color_flows | grep -q 'reg15' || fail "a class on outport got flows"
color_flows | grep -q 'nw_src=10.0.0.11,' || fail "frompg lost its flows"
wait_until grep -q 'flow class toport: .*outport: a flow class cannot match' \
    "$TESTDIR/northd.log"
echo PASS
