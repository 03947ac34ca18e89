#!/bin/bash
# osmotic-nbctl: load balancers, their VIPs and backends, and attaching
# them to switches and routers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl ls-add sw0 -- lr-add lr0
check osmotic-nbctl lb-add lb0 10.96.0.1:80 10.244.0.5:8080,10.244.0.6:8080
check osmotic-nbctl lb-add lb1 10.96.0.2 10.244.0.7 -- lb-add lb6 '[fd00::96]:53' '[fd00::5]:53' udp
check_output tcp osmotic-nbctl get Load_Balancer lb0 protocol
check_output udp osmotic-nbctl get Load_Balancer lb6 protocol
check_output '{"10.96.0.1:80"="10.244.0.5:8080,10.244.0.6:8080"}' \
    osmotic-nbctl get Load_Balancer lb0 vips
check_refused "lb0: a load balancer with this name already exists" \
    osmotic-nbctl lb-add lb0 10.96.0.3:80 10.244.0.5:80
check osmotic-nbctl --may-exist lb-add lb0 10.96.0.3:80 10.244.0.5:80
check_output 2 pipeline "osmotic-nbctl get Load_Balancer lb0 vips | tr ',' '\n' | grep -c '\"10.96'"
check_refused "10.96.0.300:80: invalid IP address" \
    osmotic-nbctl lb-add lb2 10.96.0.300:80 10.244.0.5:80
check_refused "10.96.0.4:0: invalid port" \
    osmotic-nbctl lb-add lb2 10.96.0.4:0 10.244.0.5:80
check_refused "10.244.0.5:99999: invalid port" \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 10.244.0.5:99999
check_refused "10.244.0.5: backend must have a port because VIP 10.96.0.4:80 has one" \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 10.244.0.5
check_refused "10.244.0.5:80: backend must not have a port because VIP 10.96.0.4 has none" \
    osmotic-nbctl lb-add lb2 10.96.0.4 10.244.0.5:80
check_refused "[fd00::5]:80: backend is not in the address family of VIP 10.96.0.4:80" \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 '[fd00::5]:80'
check_refused "icmp: invalid protocol" \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 10.244.0.5:80 icmp
check_refused "10.96.0.4: a protocol needs a VIP with a port" \
    osmotic-nbctl lb-add lb2 10.96.0.4 10.244.0.5 udp
check_refused "lb0: load balancer has protocol tcp" \
    osmotic-nbctl --may-exist lb-add lb0 10.96.0.9:53 10.244.0.5:53 udp
check_refused "Load_Balancer lb1: vips: 10.244.0.x: invalid IP address" \
    osmotic-nbctl set Load_Balancer lb1 'vips:"10.96.0.2"="10.244.0.x"'

# Attaching.
check osmotic-nbctl ls-lb-add sw0 lb0 -- ls-lb-add sw0 lb1 -- lr-lb-add lr0 lb6
check_output 2 pipeline "osmotic-nbctl ls-lb-list sw0 | grep -c '^[0-9a-f]'"
check_refused "lb0: load balancer is already attached to sw0" \
    osmotic-nbctl ls-lb-add sw0 lb0
check osmotic-nbctl --may-exist ls-lb-add sw0 lb0
check_refused "nolb: load balancer name not found" osmotic-nbctl ls-lb-add sw0 nolb
check_refused "nolr: router name not found" osmotic-nbctl lr-lb-add nolr lb0
out=$(osmotic-nbctl lr-lb-list lr0) || fail "lr-lb-list"
case $out in *"lb6"*"udp"*"[fd00::96]:53"*"[fd00::5]:53"*) ;; *) fail "lr-lb-list: $out" ;; esac
check osmotic-nbctl ls-lb-del sw0 lb1
check_refused "lb1: load balancer is not attached to sw0" \
    osmotic-nbctl ls-lb-del sw0 lb1
check osmotic-nbctl ls-lb-del sw0
check_output "" osmotic-nbctl ls-lb-list sw0

# Deleting VIPs and balancers.
check osmotic-nbctl lb-del lb0 10.96.0.3:80
check_output '{"10.96.0.1:80"="10.244.0.5:8080,10.244.0.6:8080"}' \
    osmotic-nbctl get Load_Balancer lb0 vips
check_refused "10.96.0.3:80: load balancer lb0 has no such VIP" \
    osmotic-nbctl lb-del lb0 10.96.0.3:80
check osmotic-nbctl lb-del lb0
check_refused "lb0: load balancer name not found" osmotic-nbctl lb-del lb0
check osmotic-nbctl --if-exists lb-del lb0
check_output 2 nb_count Load_Balancer
echo PASS
