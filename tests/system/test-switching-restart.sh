#!/bin/bash
# Restarts: northd and the controller (killed, or "exit --restart") change
# no installed flow; with the southbound database down, traffic keeps
# flowing and nothing changes; a restarted ovs-vswitchd gets every flow
# back; "exit" removes the chassis and the other hosts' tunnels to it.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

osm_lsp_add sw0 lp1 0a:00:00:00:07:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:07:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:07:03 10.244.0.3
osm_add_pod hv1 p1 0a:00:00:00:07:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:07:02 10.244.0.2/24 lp2
osm_add_pod hv3 p3 0a:00:00:00:07:03 10.244.0.3/24 lp3
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2
check_ping p1 10.244.0.3

check osm_flows hv1 > "$TESTDIR/hv1.flows"
check osm_flows hv2 > "$TESTDIR/hv2.flows"
[ "$(wc -l < "$TESTDIR/hv1.flows")" -gt 20 ] || fail "too few flows on hv1"
same_flows() {
    local flows
    flows=$(osm_flows "$1") || fail "dump-flows on $1${2:+ ($2)}"
    diff -u "$TESTDIR/$1.flows" - <<<"$flows" \
        || fail "flows on $1 changed${2:+ ($2)}"
}
# bundles HOST [LOG]: the flow bundles that HOST's controller logged (in
# LOG, by default its current log).
bundles() {
    grep -c "ofctrl.*br-int: bundle [0-9]*: " \
        "${2:-$(osm_host_dir "$1")/osmotic-controller.log}"
}

# northd restart.
osm_stop_northd
osm_start_northd
check osmotic-nbctl --timeout=20 --wait=hv sync
same_flows hv1 "northd restart"
same_flows hv2 "northd restart"

# Controller killed and started again: it reads the installed flows and
# sends nothing.
osm_stop_controller hv1
mv "$(osm_host_dir hv1)/osmotic-controller.log" "$TESTDIR/hv1-ctl-1.log"
# (The first controller's bundles were logged: a bundle would be seen.)
[ "$(bundles hv1 "$TESTDIR/hv1-ctl-1.log")" -gt 0 ] \
    || fail "no bundle in the first controller's log"
osm_start_controller hv1
check osmotic-nbctl --timeout=20 --wait=hv sync
same_flows hv1 "controller restart"
[ "$(bundles hv1)" = 0 ] || fail "restarted controller sent flow changes"
check_ping p1 10.244.0.2

# "exit --restart" keeps the chassis; the next instance changes nothing.
check osm_ctl_appctl hv2 exit --restart
mv "$(osm_host_dir hv2)/osmotic-controller.log" "$TESTDIR/hv2-ctl-1.log"
osm_start_controller hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
same_flows hv2 "exit --restart"
[ "$(bundles hv2)" = 0 ] || fail "restarted controller sent flow changes"
osm_ctl_appctl hv2 ofctrl/flow-counts | grep -qx "meter mods sent: 0" \
    || fail "restarted controller sent meter changes"

# restart_vswitchd HOST IP: kills HOST's ovs-vswitchd and starts it again,
# with the underlay address (which lived on its internal port) back.
restart_vswitchd() {
    osm_stop_vswitchd "$1"
    osm_start_vswitchd "$1"
    wait_until osm_host_exec "$1" ip link show br-phy0
    osm_host_exec "$1" ip addr replace "$2/24" dev br-phy0
    osm_host_exec "$1" ip link set br-phy0 up
}

# Southbound database down: forwarding goes on, flows stay, even across
# an ovs-vswitchd restart.
osm_kill_pidfile "$TESTDIR/osmotic-sb.pid"
sleep 1
check_ping p1 10.244.0.2
same_flows hv1 "southbound down"
restart_vswitchd hv1 172.31.0.1
osm_prime_underlay hv1 hv2 hv3
wait_until osm_ping p1 10.244.0.2
same_flows hv1 "southbound down, ovs-vswitchd restarted"
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-sb.pid" \
    --unixctl="$TESTDIR/osmotic-sb.ctl" --log-file="$TESTDIR/osmotic-sb.log" \
    --remote=punix:"$TESTDIR/osmotic-sb.sock" "$TESTDIR/osmotic-sb.db" \
    || fail "restart southbound database"
check osmotic-nbctl --timeout=20 --wait=hv sync
same_flows hv1 "southbound back"
check_ping p1 10.244.0.3

# ovs-vswitchd killed: its flows are gone; once it is back every flow
# returns.
restart_vswitchd hv2 172.31.0.2
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.244.0.2
wait_until osm_ping p2 10.244.0.3
same_flows hv2 "ovs-vswitchd restart"
osm_host_ofctl hv2 dump-tlv-map br-int \
    | grep -Eq "0xfff0 +0x80 +8 +tun_metadata0" || fail "no Geneve TLV map"

# "exit" removes the chassis; the others drop their tunnels to it.
check osm_ctl_appctl hv3 exit
chassis=$(ovsdb-client transact "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
    {"op": "select", "table": "Chassis", "where": [], "columns": ["name"]}]') \
    || fail "cannot read the chassis"
case $chassis in
    *hv3*) fail "chassis hv3 still registered: $chassis" ;;
    *hv1*hv2*|*hv2*hv1*) ;;
    *) fail "chassis hv1 and hv2 not listed: $chassis" ;;
esac
# tunnels_to HOST CHASSIS: the names of HOST's tunnel ports to CHASSIS;
# fails the test if HOST's database cannot be read.
tunnels_to() {
    osm_host_vsctl "$1" --bare --columns=name find port \
        external_ids:osmotic-chassis="$2" || fail "find port on $1"
}
tunnel_gone() {
    [ -z "$(tunnels_to hv1 hv3)" ]
}
[ -n "$(tunnels_to hv1 hv2)" ] || fail "hv1 has no tunnel to hv2"
wait_until tunnel_gone
echo PASS
