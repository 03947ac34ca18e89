#!/bin/bash
# "up" means installed: a port the controller has claimed stays down, in
# SB and NB, until br-int holds its flows; then Port_Binding:up and
# Logical_Switch_Port:up turn true and the Interface gets
# external_ids:osmotic-installed=true.  Here br-int cannot take flows
# for a while (its ovs-vswitchd is stopped) after the claim.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_lsp_add sw0 lp1 0a:00:00:00:0f:01 10.244.0.1
check osmotic-nbctl --timeout=20 --wait=sb sync
dir=$(osm_host_dir hv1)

pb() {
    osmotic-sbctl --timeout=10 --bare --columns="$1" list Port_Binding lp1
}
installed() {
    local value
    value=$(osm_host_vsctl hv1 --if-exists get interface v-p1 \
                external_ids:osmotic-installed) || return 1
    tr -d '"' <<<"$value"
}
output_is() {
    local expected=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$expected" ]
}

# The pod is plugged in while the controller is stopped, then br-int's
# switch is stopped and the controller let go.
kill -STOP "$(cat "$dir/osmotic-controller.pid")"
osm_add_pod hv1 p1 0a:00:00:00:0f:01 10.244.0.1/24 lp1
# has_ofport: v-p1 got its OpenFlow port number.
has_ofport() {
    local ofport
    ofport=$(osm_host_vsctl hv1 get interface v-p1 ofport) \
        && [ "$ofport" -gt 0 ]
}
wait_until has_ofport
kill -STOP "$(cat "$dir/ovs-vswitchd.pid")"
kill -CONT "$(cat "$dir/osmotic-controller.pid")"

# Claimed, but not up.
chassis=$(osmotic-sbctl --timeout=10 --bare --columns=_uuid list Chassis hv1)
wait_until output_is "$chassis" pb chassis
sleep 2
up=$(pb up) || fail "cannot read Port_Binding lp1"
[ "$up" != true ] || fail "up before its flows are installed"
up=$(osmotic-nbctl --timeout=10 get Logical_Switch_Port lp1 up) \
    || fail "cannot read Logical_Switch_Port lp1"
[ "$up" != true ] || fail "NB up before its flows are installed"
check_output "" installed

# br-int back: flows in, then up.
kill -CONT "$(cat "$dir/ovs-vswitchd.pid")"
wait_until output_is true pb up
osm_host_ofctl hv1 dump-flows br-int table=0 \
    | grep -q "in_port=$(osm_host_vsctl hv1 get interface v-p1 ofport)" \
    || fail "up before the port's flows are in br-int"
check_output true installed
wait_until output_is true osmotic-nbctl --timeout=10 get \
    Logical_Switch_Port lp1 up
grep -q "logical port lp1: flows installed, up" "$dir/osmotic-controller.log" \
    || fail "not logged"

# "up" set false by another writer (nothing else changed): the host
# marks it up again, its flows being installed.
check osmotic-sbctl --timeout=10 set Port_Binding lp1 up=false
wait_until output_is true pb up
echo PASS
