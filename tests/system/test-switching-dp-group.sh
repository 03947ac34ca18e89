#!/bin/bash
# The datapath-wide flows of switches (the same in every switch) are one
# southbound Logical_Flow row each, all with one Logical_DP_Group that
# lists every switch; each host installs them for each of its switches, and
# pods of two switches on two hosts reach their own switch's pods and not
# the other's.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
# For sb_select (after osm_start_central: it has its own osm_start_northd).
. "$(dirname "$0")/northd-lib.sh"
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:03:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:03:02 10.244.0.2
osm_lsp_add sw1 lp3 0a:00:00:00:03:03 10.244.0.3
osm_lsp_add sw1 lp4 0a:00:00:00:03:04 10.244.0.4
osm_add_pod hv1 p1 0a:00:00:00:03:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:03:02 10.244.0.2/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:03:03 10.244.0.3/24 lp3
osm_add_pod hv2 p4 0a:00:00:00:03:04 10.244.0.4/24 lp4
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# One row for the multicast-source drop, in a group of both switches, and
# no such flow of one datapath.
dps=$(sb_select Datapath_Binding '["_uuid"]' | paste -sd,)
mcast_drop='[["match","==","dl_src=01:00:00:00:00:00/01:00:00:00:00:00"]]'
uuid=$(sb_select Logical_Flow '["_uuid"]' "$mcast_drop")
[ "$(echo "$uuid" | wc -w)" = 1 ] || fail "not one row: [$uuid]"
check_output "" sb_select Logical_Flow '["logical_datapath"]' "$mcast_drop"
group=$(sb_select Logical_Flow '["logical_dp_group"]' "$mcast_drop")
[ -n "$group" ] || fail "no datapath group"
check_output Logical_Switch sb_select Logical_Flow '["source"]' "$mcast_drop"
check_output "$dps" sb_select Logical_DP_Group '["datapaths"]' \
    "[[\"_uuid\",\"==\",[\"uuid\",\"$group\"]]]"

# Every datapath-wide flow is shared so: the rows of the table alone, all
# of them in one group, of both switches (one group per set of switches),
# and nothing else in the groups.
shared=$(sb_select Logical_Flow '["_uuid","logical_dp_group"]' \
             '[["source","==","Logical_Switch"]]' | cut -d' ' -f2)
n=$(echo "$shared" | grep -c .)
[ "$n" -ge 8 ] || fail "only $n shared flows"
check_output "$group" pipeline "echo '$shared' | sort -u"
check_output 1 pipeline "ovsdb-client dump --format=csv --no-headings \
    '$OSMOTIC_SB_DB' Osmotic_Southbound Logical_DP_Group _uuid | tail -n +2 | wc -l"
check_output "" sb_select Logical_Flow '["_uuid"]' \
    '[["source","==","Logical_Switch"],["logical_datapath","!=",["set",[]]]]'

# Each host installs the shared row for both of its switches, with the
# row's cookie.
cookie=$(printf '0x%x' $((16#${uuid:0:8})))
for hv in hv1 hv2; do
    n=$(osm_flows $hv | grep "cookie=$cookie," | grep -c 'dl_src=01:00:00:00:00:00/01:00:00:00:00:00')
    [ "$n" = 2 ] || fail "$hv installs the shared flow $n times: $(osm_flows $hv)"
done

# Traffic: within each switch across hosts, not between the switches.
check_ping p1 10.244.0.2
check_ping p3 10.244.0.4
check_ping p4 10.244.0.3
check_no_ping p1 10.244.0.4
check_no_ping p2 10.244.0.3
echo PASS
