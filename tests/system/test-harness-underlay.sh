#!/bin/bash
# The test harness builds hosts joined by an underlay: two hosts reach each
# other over their underlay lanes (through br-phyN), and a pod is plugged
# into br-int with its iface-id.
. "$(dirname "$0")/lib.sh"
osm_test_init
OSM_NO_CONTROLLER=1
osm_start_sb
osm_add_underlay
osm_add_host hv1 172.31.0.1,172.31.1.1
osm_add_host hv2 172.31.0.2,172.31.1.2

# underlay_pings HOST IP: HOST gets an answer to each of 3 pings to IP.
underlay_pings() {
    osm_host_exec "$1" ping -q -c 3 -i 0.2 -W 2 "$2" \
        | grep -q "^3 packets transmitted, 3 received"
}
check underlay_pings hv1 172.31.0.2
check underlay_pings hv2 172.31.1.1
check_output hv1 osm_host_vsctl hv1 get open_vswitch . external_ids:system-id
check_output '"172.31.0.2,172.31.1.2"' \
    osm_host_vsctl hv2 get open_vswitch . external_ids:osmotic-encap-ip

osm_add_pod hv1 p1 0a:00:00:00:00:01 10.244.0.1/24 lp1
check_output lp1 osm_host_vsctl hv1 get interface v-p1 external_ids:iface-id
check_output 1400 osm_pod_exec p1 cat /sys/class/net/eth0/mtu
echo PASS
