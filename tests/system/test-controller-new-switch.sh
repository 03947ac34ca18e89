#!/bin/bash
# A port of a switch new to a host comes up, also right after a flow
# class was added and deleted (which changes the datapath groups the host
# monitors, so that the southbound client library deletes rows that the
# new monitor condition excludes): the controller notices the port's
# binding however the library numbers its changes.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_lsp_add sw0 lp1 0a:00:00:00:0f:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:0f:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:0f:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:0f:02 10.244.0.2/24 lp2
check osmotic-nbctl --wait=hv sync

for i in 1 2 3; do
    check osmotic-nbctl --wait=hv ls-add sw$((5 + i)) \
        -- lsp-add sw$((5 + i)) q$i \
        -- lsp-set-addresses q$i "0a:00:00:00:0f:1$i 10.248.$i.1"
    check osmotic-nbctl --wait=hv class-add pin 200 \
        "tcp.dst == 5201 && ip4.dst == 10.244.0.$((40 + i))" mouse
    check osmotic-nbctl --wait=hv class-del pin
    check osm_host_vsctl hv1 add-port br-int tq$i \
        -- set interface tq$i type=internal external_ids:iface-id=q$i
    # No other change comes to wake the controller: the binding must.
    check osmotic-nbctl --timeout=10 wait-until Logical_Switch_Port q$i up=true
done
echo PASS
