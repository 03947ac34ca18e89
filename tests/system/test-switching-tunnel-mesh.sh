#!/bin/bash
# Chassis registration and the tunnel mesh: one Encap per underlay lane,
# one Geneve port per (remote chassis, shared lane) with the right
# addresses and options, updated when a chassis's lanes change and removed
# when a chassis goes; ports the controller does not own are left alone.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1,172.31.1.1
osm_add_host hv2 172.31.0.2,172.31.1.2
osm_add_host hv3 172.31.0.3

# SB: hv1 has lanes 0 and 1.
encaps() {
    ovsdb-client transact "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
        {"op": "select", "table": "Encap",
         "where": [["chassis_name", "==", "'"$1"'"]],
         "columns": ["ip", "lane", "type"]}]' | python3 -c '
import json, sys
rows = json.load(sys.stdin)[0]["rows"]
print(" ".join("%d:%s:%s" % (r["lane"], r["ip"], r["type"])
               for r in sorted(rows, key=lambda r: r["lane"])))'
}
wait_until pipeline "ovsdb-client dump $OSMOTIC_SB_DB Chassis name | grep -q hv3"
check_output "0:172.31.0.1:geneve 1:172.31.1.1:geneve" encaps hv1
check_output "0:172.31.0.3:geneve" encaps hv3

# hv1's tunnels: hv2 on both lanes, hv3 on lane 0 only.
tunnels() {
    for port in $(osm_host_vsctl "$1" --bare --columns=name find port \
                      external_ids:osmotic-chassis!=x | sort); do
        local ch lane
        ch=$(osm_host_vsctl "$1" get port "$port" \
                 external_ids:osmotic-chassis 2>/dev/null) || continue
        lane=$(osm_host_vsctl "$1" get port "$port" \
                   external_ids:osmotic-lane | tr -d '"')
        echo "$(echo "$ch" | tr -d '"'):$lane:$(osm_host_vsctl "$1" get \
            interface "$port" options:local_ip options:remote_ip | tr -d '"' \
            | paste -sd-)"
    done | sort | paste -sd' '
}
expected="hv2:0:172.31.0.1-172.31.0.2 hv2:1:172.31.1.1-172.31.1.2"
expected="$expected hv3:0:172.31.0.1-172.31.0.3"
hv1_tunnels_ok() {
    [ "$(tunnels hv1)" = "$expected" ]
}
wait_until hv1_tunnels_ok || fail "hv1 tunnels: $(tunnels hv1)"
name=$(osm_host_vsctl hv1 --bare --columns=name find port \
           external_ids:osmotic-chassis=hv2 external_ids:osmotic-lane=1)
[ "${#name}" -le 15 ] || fail "tunnel name $name is too long"
# The userspace datapath sends no outer UDP checksum unless told to.
opts='{csum="false", key=flow, local_ip="172.31.1.1",'
opts="$opts remote_ip=\"172.31.1.2\", tos=inherit}"
check_output "$opts" \
    osm_host_vsctl hv1 get interface "$name" options
check osm_host_vsctl hv1 set open_vswitch . \
    external_ids:osmotic-encap-csum=true
csum_is() {
    [ "$(osm_host_vsctl hv1 get interface "$name" options:csum)" = "\"$1\"" ]
}
wait_until csum_is true
# A bad value is reported by name and changes no tunnel.
check osm_host_vsctl hv1 set open_vswitch . external_ids:osmotic-encap-csum=on
status_says() {
    osm_ctl_appctl hv1 controller/status | grep -qF "$1"
}
wait_until status_says 'configuration error: osmotic-encap-csum: "on"'
csum_is true || fail "a bad osmotic-encap-csum changed the tunnel"
check osm_host_vsctl hv1 remove open_vswitch . external_ids osmotic-encap-csum
wait_until csum_is false

# A port of someone else's on br-int is never touched.
check osm_host_vsctl hv1 add-port br-int other -- \
    set interface other type=internal
# hv2 drops lane 1: its Encap goes, and so does hv1's lane-1 tunnel.
check osm_host_vsctl hv2 set open_vswitch . \
    external_ids:osmotic-encap-ip=172.31.0.2
hv2_one_lane() {
    [ "$(encaps hv2)" = "0:172.31.0.2:geneve" ]
}
wait_until hv2_one_lane
# find_tunnels HOST CONDITION...: the names of HOST's ports matching
# every CONDITION; fails the test if HOST's database cannot be read.
find_tunnels() {
    local host=$1
    shift
    osm_host_vsctl "$host" --bare --columns=name find port "$@" \
        || fail "find port on $host"
}
lane1_gone() {
    [ -z "$(find_tunnels hv1 external_ids:osmotic-chassis=hv2 \
                external_ids:osmotic-lane=1)" ]
}
wait_until lane1_gone

# hv3 leaves: hv1 drops its tunnel to hv3.
check osm_ctl_appctl hv3 exit
hv3_gone() {
    [ -z "$(find_tunnels hv1 external_ids:osmotic-chassis=hv3)" ]
}
wait_until hv3_gone
[ -n "$(find_tunnels hv1 external_ids:osmotic-chassis=hv2)" ] \
    || fail "hv1's tunnel to hv2 went too"
check_output other osm_host_vsctl hv1 --bare --columns=name find port \
    name=other
echo PASS
