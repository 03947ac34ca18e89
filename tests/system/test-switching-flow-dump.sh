#!/bin/bash
# The controller explains what it installed: every logical flow's OpenFlow
# flow carries the first 32 bits of its Logical_Flow's UUID as cookie (the
# controller's own skip flows cookie 0),
# ofctrl/dump-flows names each table's stage, ofctrl/flow-counts agrees
# with the switch, and controller/status shows a bad setting by name.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:09:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:09:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:09:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:09:02 10.244.0.2/24 lp2
check osmotic-nbctl --timeout=20 --wait=hv sync

# Cookies of the logical tables (10..29, 40..59) are Logical_Flow UUIDs,
# except for the skip flows of stages without logical flows: priority 0,
# cookie 0, a resubmit and nothing else.
# (Without statistics, ovs-ofctl leaves out a zero cookie.)
skips=$(osm_host_ofctl hv1 dump-flows --no-stats br-int | grep -v "cookie=" \
        | grep -E " table=(1[0-9]|2[0-9]|4[0-9]|5[0-9]),")
[ -n "$skips" ] || fail "no skip flow"
bad=$(echo "$skips" | grep -vE "^ *table=[0-9]+, priority=0,metadata=0x[0-9a-f]+ actions=resubmit\(,[0-9]+\)$" || true)
[ -z "$bad" ] || fail "cookie 0 on flows other than skip flows: $bad"
ovsdb-client transact "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
    {"op": "select", "table": "Logical_Flow", "where": [],
     "columns": ["_uuid"]}]' \
    | grep -o '"uuid","[0-9a-f]\{8\}' | cut -d'"' -f4 | sort -u \
    > "$TESTDIR/lflow-prefixes"
[ -s "$TESTDIR/lflow-prefixes" ] || fail "no logical flows"
osm_host_ofctl hv1 dump-flows br-int \
    | sed -n 's/.*cookie=0x\([0-9a-f]*\),.*table=\([0-9]*\),.*/\2 \1/p' \
    | while read -r table cookie; do
          [ "$cookie" = 0 ] && continue
          if [ "$table" -ge 10 ] && [ "$table" -lt 30 ] \
             || [ "$table" -ge 40 ] && [ "$table" -lt 60 ]; then
              printf '%08x\n' $((16#$cookie))
          fi
      done | sort -u > "$TESTDIR/cookies"
[ -s "$TESTDIR/cookies" ] || fail "no logical flows installed on hv1"
unknown=$(comm -23 "$TESTDIR/cookies" "$TESTDIR/lflow-prefixes")
[ -z "$unknown" ] || fail "cookies that name no logical flow: $unknown"

# Stage names in the annotated dump.
dump=$(osm_ctl_appctl hv1 ofctrl/dump-flows) || fail "ofctrl/dump-flows"
for name in phy_in ls_in_port_sec ls_in_l2_lkup phy_out_remote \
            phy_out_local phy_deliver; do
    echo "$dump" | grep -q "($name)" || fail "no $name flow in the dump"
done

# Flow counts agree with the switch.
total=$(osm_ctl_appctl hv1 ofctrl/flow-counts | sed -n 's/^total: //p')
n=$(osm_host_ofctl hv1 dump-flows --no-stats br-int | grep -c actions=)
[ "$total" = "$n" ] || fail "flow-counts says $total, br-int has $n"

# A bad setting is reported by name, and fixing it is enough.
osm_host_vsctl hv2 set open_vswitch . external_ids:osmotic-encap-ip=bogus
# status_says TEXT / status_clean: hv2's controller/status answers, with
# (without) a line containing TEXT (a configuration error).
status_says() {
    osm_ctl_appctl hv2 controller/status > "$TESTDIR/hv2.status" \
        && grep -qF -- "$1" "$TESTDIR/hv2.status"
}
status_clean() {
    osm_ctl_appctl hv2 controller/status > "$TESTDIR/hv2.status" \
        && ! grep -q 'configuration error' "$TESTDIR/hv2.status"
}
wait_until status_says 'configuration error: osmotic-encap-ip: "bogus"'
osm_host_vsctl hv2 set open_vswitch . external_ids:osmotic-encap-ip=172.31.0.2
wait_until status_clean
echo PASS
