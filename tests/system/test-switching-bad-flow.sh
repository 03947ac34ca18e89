#!/bin/bash
# A logical flow whose match or actions do not parse (OpenFlow actions in
# place of logical ones included) is skipped and logged with its UUID;
# one that br-int refuses (here: a match on an unmapped Geneve option) is
# logged and left out, and every other update still reaches br-int.  The
# southbound rows are written by hand, without northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sb-lib.sh"
osm_test_init
osm_start_sb

sb "$(sb_datapath 7 sw),
    $(sb_port lp1 1), $(sb_port lp2 2),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0a:01 'outport = 1; output;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0a:02 'outport = 2; output;'),
    $(sb_lflow ingress 12 40 dl_dst=ff:ff:ff:ff:ff:ff 'outport = 2; next;')" \
    > /dev/null

osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_pod hv1 p1 0a:00:00:00:0a:01 10.244.0.1/24 lp1
log=$(osm_host_dir hv1)/osmotic-controller.log
wait_until grep -q "bundle" "$log"

dp=$(ovsdb-client transact "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
    {"op": "select", "table": "Datapath_Binding", "where": [],
     "columns": ["_uuid"]}]' | grep -o '"uuid","[^"]*"' | cut -d'"' -f4)
bad=$(sb "{\"op\": \"insert\", \"table\": \"Logical_Flow\", \"row\": {
        \"logical_datapath\": [\"uuid\", \"$dp\"], \"pipeline\": \"ingress\",
        \"table_id\": 12, \"stage\": \"s\", \"priority\": 60,
        \"match\": \"nosuchfield=1\", \"actions\": \"next;\"}}" \
      | grep -o '"uuid","[^"]*"' | cut -d'"' -f4)
raw=$(sb "{\"op\": \"insert\", \"table\": \"Logical_Flow\", \"row\": {
        \"logical_datapath\": [\"uuid\", \"$dp\"], \"pipeline\": \"ingress\",
        \"table_id\": 12, \"stage\": \"s\", \"priority\": 65,
        \"match\": \"ip\", \"actions\": \"resubmit(,30)\"}}" \
      | grep -o '"uuid","[^"]*"' | cut -d'"' -f4)
# The parser takes a match on a Geneve option that br-int has no mapping
# for; the switch refuses it.
sb "{\"op\": \"insert\", \"table\": \"Logical_Flow\", \"row\": {
        \"logical_datapath\": [\"uuid\", \"$dp\"], \"pipeline\": \"ingress\",
        \"table_id\": 12, \"stage\": \"s\", \"priority\": 70,
        \"match\": \"tun_metadata5=0x1\", \"actions\": \"next;\"}}" > /dev/null
wait_until grep -q "logical flow $bad.* skipped: .*nosuchfield" "$log"
# OpenFlow actions are not logical actions: refused, named.
wait_until grep -q "logical flow $raw skipped: actions \"resubmit(,30)\": unknown action or field \"resubmit\"" "$log"
wait_until grep -q "br-int refused flow .*tun_metadata5" "$log"

# Updates keep flowing: a second pod gets its flows and traffic passes.
osm_add_pod hv1 p2 0a:00:00:00:0a:02 10.244.0.2/24 lp2
osm_pod_exec p1 ip neigh replace 10.244.0.2 lladdr 0a:00:00:00:0a:02 \
    dev eth0 nud permanent
osm_pod_exec p2 ip neigh replace 10.244.0.1 lladdr 0a:00:00:00:0a:01 \
    dev eth0 nud permanent
wait_until osm_ping p1 10.244.0.2
n=$(osm_host_ofctl hv1 dump-flows br-int table=22 | grep -c "priority=50")
[ "$n" = 2 ] || fail "expected 2 L2 flows in table 22, got $n"
! osm_host_ofctl hv1 dump-flows br-int | grep -q "tun_metadata5" \
    || fail "the refused flow is installed"
echo PASS
