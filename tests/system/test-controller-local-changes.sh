#!/bin/bash
# The controller judges changes of its host's Open vSwitch database by
# what concerns the flows: an interface without an OpenFlow port and a
# setting of no concern cost no pass of its engine; an iface-id changed
# (and changed back) while a pass waits for the southbound database is
# followed; a port moved into br-int from another bridge, or out of it,
# in one transaction (only the bridges' "ports" change) is bound, or
# released.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lpa 0a:00:00:00:31:01 10.244.0.1
osm_lsp_add sw0 lpb 0a:00:00:00:31:05 10.244.0.5
osm_lsp_add sw0 lpc 0a:00:00:00:31:06 10.244.0.6
osm_lsp_add sw0 lp2 0a:00:00:00:31:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:31:01 10.244.0.1/24 lpa
osm_add_pod hv2 p2 0a:00:00:00:31:02 10.244.0.2/24 lp2
check osmotic-nbctl --timeout=20 --wait=hv sync

# chassis_of LSP: the chassis LSP's Port_Binding names, if any.
chassis_of() {
    osmotic-sbctl --bare --columns=chassis find port_binding \
        logical_port="$1"
}
# computes: hv1's count of engine passes.
computes() {
    osm_ctl_appctl hv1 controller/status | sed -n 's/^computes: //p'
}
# bound LSP / unbound LSP: LSP is (is not) bound to a chassis (read anew
# on every call).
bound() {
    [ -n "$(chassis_of "$1")" ]
}
unbound() {
    [ -z "$(chassis_of "$1")" ]
}
check bound lpa

# An interface that never gets an OpenFlow port (no such device) and a
# setting of br-int that concerns no flow cost no pass.
n0=$(computes)
check osm_host_vsctl hv1 add-port br-int nodev0 \
    -- set interface nodev0 external_ids:iface-id=lpc
wait_until pipeline "osm_host_vsctl hv1 get interface nodev0 ofport | grep -qx -- -1"
check osm_host_vsctl hv1 set bridge br-int external_ids:test-note=hello
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output "$n0" computes
check unbound lpc
check osm_host_vsctl hv1 del-port br-int nodev0

# An iface-id changed to lpb, back to lpa and to lpb again while hv1's
# southbound transaction (its claim of lpb) is in flight (the southbound
# server is stopped), then back to lpa once more: lpa ends bound and lpb
# released.
sbpid=$(cat "$TESTDIR/osmotic-sb.pid")
kill -STOP "$sbpid"
for id in lpb lpa lpb; do
    osm_host_vsctl hv1 set interface v-p1 external_ids:iface-id=$id \
        || { kill -CONT "$sbpid"; fail "setting iface-id $id"; }
    sleep 0.5
done
kill -CONT "$sbpid"
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until bound lpb
check osm_host_vsctl hv1 set interface v-p1 external_ids:iface-id=lpa
wait_until bound lpa
wait_until unbound lpb

# A port moved from another bridge into br-int in one transaction (same
# Port and Interface rows, same OpenFlow port number) is bound; moved
# back, released.
check osm_host_exec hv1 ip link add vx type veth peer name vy
check osm_host_exec hv1 ip link set vx up
check osm_host_vsctl hv1 add-br brx -- set bridge brx datapath_type=netdev \
    -- add-port brx vx -- set interface vx ofport_request=7 \
       external_ids:iface-id=lpc
wait_until pipeline "osm_host_vsctl hv1 get interface vx ofport | grep -qx 7"
brx=$(osm_host_vsctl hv1 get bridge brx _uuid) || fail "brx uuid"
brint=$(osm_host_vsctl hv1 get bridge br-int _uuid) || fail "br-int uuid"
vx=$(osm_host_vsctl hv1 get port vx _uuid) || fail "vx uuid"
check osm_host_vsctl hv1 remove bridge "$brx" ports "$vx" \
    -- add bridge "$brint" ports "$vx"
wait_until bound lpc
check osm_host_vsctl hv1 remove bridge "$brint" ports "$vx" \
    -- add bridge "$brx" ports "$vx"
wait_until unbound lpc

# A pod's interface plugged before its logical port exists binds nothing
# yet: no recompute of the bindings or the tunnels (only the southbound
# monitor asks for the port); once the port is created it is bound, and
# the port is released when the interface goes.
runtime_recomputes() {
    osm_ctl_appctl hv1 controller/status \
        | sed -n 's/^engine \(runtime\|tunnels\): \([0-9]*\) recomputes.*/\1 \2/p'
}
check osmotic-nbctl --timeout=20 --wait=hv sync
r0=$(runtime_recomputes)
[ -n "$r0" ] || fail "no engine lines in controller/status"
check osm_host_exec hv1 ip link add vlate type veth peer name vlate-peer
check osm_host_exec hv1 ip link set vlate up
check osm_host_vsctl hv1 add-port br-int vlate \
    -- set interface vlate external_ids:iface-id=lplate
wait_until pipeline "osm_host_vsctl hv1 get interface vlate ofport | grep -qx '[1-9][0-9]*'"
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output "$r0" runtime_recomputes
check osmotic-nbctl --timeout=20 --wait=hv lsp-add sw0 lplate
wait_until bound lplate
check osm_host_vsctl hv1 del-port br-int vlate
wait_until unbound lplate
echo PASS
