#!/bin/bash
# Conditional monitoring: a chassis downloads the port bindings, logical
# flows and multicast groups of its local datapaths only.  Ports added to
# a switch it has no port on send it nothing and cost it no recompute; a
# pod plugged into such a switch brings that switch's rows, and traffic
# works.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:0d:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:0d:02 10.244.0.2
osm_lsp_add sw1 lq1 0a:00:00:00:0e:01 10.245.0.1
osm_lsp_add sw1 lq2 0a:00:00:00:0e:02 10.245.0.2
osm_add_pod hv1 p1 0a:00:00:00:0d:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:0d:02 10.244.0.2/24 lp2
osm_add_pod hv2 q1 0a:00:00:00:0e:01 10.245.0.1/24 lq1
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2

# monitored HOST: "PORT-BINDINGS LOGICAL-FLOWS MULTICAST-GROUPS" in HOST's
# replica of SB.
monitored() {
    osm_ctl_appctl "$1" controller/status \
        | sed -n 's/^monitored: \([0-9]*\) port bindings, \([0-9]*\) logical flows, \([0-9]*\) multicast groups$/\1 \2 \3/p'
}
# in_sb SWITCH...: the same counts of the SWITCHes' rows in SB itself,
# each row once: a logical flow of a datapath group (shared by several
# switches) counts if a SWITCH is in the group.
in_sb() {
    timeout 10 ovsdb-client transact "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
        {"op": "select", "table": "Datapath_Binding", "where": [],
         "columns": ["_uuid", "name"]},
        {"op": "select", "table": "Port_Binding", "where": [],
         "columns": ["_uuid", "datapath"]},
        {"op": "select", "table": "Logical_Flow", "where": [],
         "columns": ["_uuid", "logical_datapath", "logical_dp_group"]},
        {"op": "select", "table": "Multicast_Group", "where": [],
         "columns": ["_uuid", "datapath"]},
        {"op": "select", "table": "Logical_DP_Group", "where": [],
         "columns": ["_uuid", "datapaths"]}]' \
    | python3 -c '
import json, sys
dps, pbs, lfs, mgs, groups = [r["rows"] for r in json.load(sys.stdin)]
want = {d["_uuid"][1] for d in dps if d["name"] in sys.argv[1:]}
def uuids(v):
    return [x[1] for x in v[1]] if v[0] == "set" else [v[1]]
members = {g["_uuid"][1]: set(uuids(g["datapaths"])) for g in groups}
def count(rows, column):
    return sum(1 for r in rows if set(uuids(r[column])) & want)
n_lfs = sum(1 for r in lfs
            if set(uuids(r["logical_datapath"])) & want
            or any(members.get(g, set()) & want
                   for g in uuids(r["logical_dp_group"])))
print(count(pbs, "datapath"), n_lfs, count(mgs, "datapath"))
' "$@"
}
# output_is EXPECTED CMD...: CMD prints EXPECTED (for wait_until).
output_is() {
    local expected=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$expected" ]
}
sw0=$(in_sb sw0) || fail "cannot count sw0's rows"
sw1=$(in_sb sw1) || fail "cannot count sw1's rows"
# Both switches have rows of every kind, and hv1 and hv2 report theirs.
[[ $sw0 =~ ^[1-9][0-9]*\ [1-9][0-9]*\ [1-9][0-9]*$ ]] || fail "sw0 rows: [$sw0]"
[[ $sw1 =~ ^[1-9][0-9]*\ [1-9][0-9]*\ [1-9][0-9]*$ ]] || fail "sw1 rows: [$sw1]"
check_output "$sw0" monitored hv1
check_output "$(in_sb sw0 sw1)" monitored hv2

# Five ports on sw1: hv1 gets nothing of them, hv2 gets them.  Not even a
# recompute on hv1: the one change it sees, SB_Global:nb_cfg, needs none.
computes() {
    osm_ctl_appctl "$1" controller/status | sed -n 's/^computes: //p'
}
before=$(computes hv1)
[ -n "$before" ] && [ "$before" -gt 0 ] || fail "computes on hv1: [$before]"
args=()
for i in 3 4 5 6 7; do
    args+=(-- lsp-add sw1 lq$i -- lsp-set-addresses lq$i "0a:00:00:00:0e:0$i 10.245.0.$i")
done
check osmotic-nbctl --timeout=20 --wait=hv "${args[@]:1}"
sw1_before=$sw1
sw1=$(in_sb sw1) || fail "cannot count sw1's rows"
[ "$sw1" != "$sw1_before" ] || fail "five more ports added no rows to sw1"
check_output "$sw0" monitored hv1
check_output "$(in_sb sw0 sw1)" monitored hv2
check_output "$before" computes hv1

# A switch created and deleted elsewhere: its Datapath_Binding reaches
# every host (that table is not conditional), but no node recomputes.
recomputes() {
    osm_ctl_appctl "$1" controller/status \
        | sed -n 's/^engine \(runtime\|lflow\|physical\): \([0-9]*\) recomputes.*/\2/p' \
        | tr '\n' ' '
}
before=$(recomputes hv1)
[ -n "$before" ] || fail "no recompute counts on hv1"
check osmotic-nbctl --timeout=20 --wait=hv ls-add swz
check osmotic-nbctl --timeout=20 --wait=hv ls-del swz
check_output "$before" recomputes hv1

# A pod of sw1 on hv1: sw1's rows come, and it reaches q1 on hv2.
osm_add_pod hv1 q2 0a:00:00:00:0e:02 10.245.0.2/24 lq2
wait_until output_is "$(in_sb sw0 sw1)" monitored hv1
wait_until osm_ping q2 10.245.0.1
grep -q "monitoring 2 local interfaces' ports and 2 local datapaths" \
    "$(osm_host_dir hv1)/osmotic-controller.log" || fail "no monitor change logged"
echo PASS
