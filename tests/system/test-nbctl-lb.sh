#!/bin/bash
# osmotic-nbctl: load balancers, their VIPs and backends, attaching them
# (and groups of them) to switches and routers, with ovn-nbctl's
# arguments, output and messages.
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

# A second VIP for a load balancer; the same VIP again needs --may-exist,
# however it is written.
check osmotic-nbctl lb-add lb0 10.96.0.3:80 10.244.0.5:80
check_output 2 pipeline "osmotic-nbctl get Load_Balancer lb0 vips | tr ',' '\n' | grep -c '\"10.96'"
check_refused "lb6: a load balancer with this vip ([fd00::96]:53) already exists" \
    osmotic-nbctl lb-add lb6 '[fd00:0:0::96]:53' '[fd00::6]:53' udp
check osmotic-nbctl --may-exist lb-add lb6 '[fd00:0:0::96]:53' ',,[fd00::6]:53,,' udp
check_output '{"[fd00::96]:53"="[fd00::6]:53"}' osmotic-nbctl get Load_Balancer lb6 vips
# A new protocol applies to the whole load balancer.
check osmotic-nbctl --may-exist lb-add lb0 10.96.0.9:53 10.244.0.5:53 udp
check_output udp osmotic-nbctl get Load_Balancer lb0 protocol
check osmotic-nbctl lb-del lb0 10.96.0.9:53 -- set Load_Balancer lb0 protocol=tcp

# Bad values change nothing; every bad backend is named.
check_refused "10.96.0.300:80: should be an IP address (or an IP address and a port number with : as a separator)." \
    osmotic-nbctl lb-add lb2 10.96.0.300:80 10.244.0.5:80
check_refused "10.244.0.5:99999: should be an IP address and a port number with : as a separator." \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 10.244.0.5:99999
check_refused "10.244.0.5: should be an IP address and a port number with : as a separator." \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 10.244.0.5
check_refused "10.244.0.5:80: should be an IP address, 10.244.0.6:80: should be an IP address." \
    osmotic-nbctl lb-add lb2 10.96.0.4 10.244.0.5:80,10.244.0.6:80
check_refused "[fd00::5]:80: IP address family is different from VIP 10.96.0.4." \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 '[fd00::5]:80'
check_refused 'icmp: protocol must be one of "tcp", "udp",  or "sctp".' \
    osmotic-nbctl lb-add lb2 10.96.0.4:80 10.244.0.5:80 icmp
check_refused "Protocol is unnecessary when no port of vip is given." \
    osmotic-nbctl lb-add lb2 10.96.0.4 10.244.0.5 udp
check_refused "--reject and --event can't specified at the same time" \
    osmotic-nbctl --reject --event lb-add lb2 10.96.0.4 10.244.0.5
check_refused "Load_Balancer lb1: vips: 10.244.0.x: should be an IP address." \
    osmotic-nbctl set Load_Balancer lb1 'vips:"10.96.0.2"="10.244.0.x"'
# IPv6: a malformed VIP or backend, families mixed either way, also
# through "set" and in a batch that changes something else.
check_refused "[fd00::zz]:80: should be an IP address (or an IP address and a port number with : as a separator)." \
    osmotic-nbctl lb-add lb2 '[fd00::zz]:80' '[fd00::5]:80'
check_refused "[fd00::5:80: should be an IP address and a port number with : as a separator." \
    osmotic-nbctl lb-add lb2 '[fd00::4]:80' '[fd00::5:80'
check_refused "10.244.0.5:80: IP address family is different from VIP fd00::4." \
    osmotic-nbctl lb-add lb2 '[fd00::4]:80' '[fd00::5]:80,10.244.0.5:80'
check_refused "Load_Balancer lb1: vips: 10.244.0.5: IP address family is different from VIP fd00::4." \
    osmotic-nbctl set Load_Balancer lb1 'vips:"fd00::4"="10.244.0.5"' \
    -- lb-add lb2 10.96.0.4:80 10.244.0.5:80
# Session affinity: a whole number of seconds, 1 to 65535 (the idle
# timeout of the flows that remember it); a bad value fails the batch.
for bad in 0 -5 65536 86400 ten 1.5 "" " 5"; do
    check_refused "Load_Balancer lb1: options:affinity_timeout: $bad: must be a number of seconds from 1 to 65535" \
        osmotic-nbctl set Load_Balancer lb1 "options:affinity_timeout=\"$bad\"" \
        -- lb-add lb2 10.96.0.4:80 10.244.0.5:80
done
check osmotic-nbctl set Load_Balancer lb1 options:affinity_timeout=10800
check_output '{affinity_timeout="10800"}' osmotic-nbctl get Load_Balancer lb1 options
check osmotic-nbctl remove Load_Balancer lb1 options affinity_timeout
check_output 3 nb_count Load_Balancer

# Options of new load balancers.
check osmotic-nbctl --reject --add-route lb-add lb3 10.96.0.5:80 ''
check_output '{add_route="true", reject="true"}' osmotic-nbctl get Load_Balancer lb3 options
check osmotic-nbctl lb-del lb3

# Several load balancers of one name: --add-duplicate, then by UUID.
check osmotic-nbctl lb-add lb2 10.96.0.6:80 10.244.0.5:80
check osmotic-nbctl --add-duplicate lb-add lb2 10.96.0.6:80 10.244.0.5:80
check_refused "Multiple load balancers named 'lb2'.  Use a UUID." \
    osmotic-nbctl lb-del lb2
for uuid in $(osmotic-nbctl --bare --columns=_uuid find Load_Balancer name=lb2); do
    check osmotic-nbctl lb-del "$uuid"
done

# The listing.
check_output "UUID                                    LB                  PROTO      VIP              IPs
$(osmotic-nbctl get Load_Balancer lb0 _uuid)    lb0                 tcp        10.96.0.1:80     10.244.0.5:8080,10.244.0.6:8080
                                                            tcp        10.96.0.3:80     10.244.0.5:80
$(osmotic-nbctl get Load_Balancer lb1 _uuid)    lb1                            10.96.0.2        10.244.0.7
$(osmotic-nbctl get Load_Balancer lb6 _uuid)    lb6                 udp        [fd00::96]:53    [fd00::6]:53" \
    osmotic-nbctl lb-list
check_output 1 pipeline "osmotic-nbctl lb-list lb1 | grep -c lb1"

# Attaching.
check osmotic-nbctl ls-lb-add sw0 lb0 -- ls-lb-add sw0 lb1 -- lr-lb-add lr0 lb6
check_output 2 pipeline "osmotic-nbctl ls-lb-list sw0 | grep -c '^[0-9a-f]'"
check_refused "$(osmotic-nbctl get Load_Balancer lb0 _uuid) : a load balancer with this UUID already exists" \
    osmotic-nbctl ls-lb-add sw0 lb0
check osmotic-nbctl --may-exist ls-lb-add sw0 lb0
check_refused "nolb: load balancer name not found" osmotic-nbctl ls-lb-add sw0 nolb
check_refused "nolr: router name not found" osmotic-nbctl lr-lb-add nolr lb0
out=$(osmotic-nbctl lr-lb-list lr0) || fail "lr-lb-list"
case $out in *"lb6"*"udp"*"[fd00::96]:53"*"[fd00::6]:53"*) ;; *) fail "lr-lb-list: $out" ;; esac
check osmotic-nbctl ls-lb-del sw0 lb1
check_refused "load balancer lb1 is not part of any logical switch." \
    osmotic-nbctl ls-lb-del sw0 lb1
check osmotic-nbctl --if-exists ls-lb-del sw0 lb1
check osmotic-nbctl ls-lb-del sw0
check_output "" osmotic-nbctl ls-lb-list sw0

# Groups: their load balancers are listed with the switch's and router's
# own; a deleted load balancer leaves its groups.
lbg=$(osmotic-nbctl create Load_Balancer_Group name=lbg -- \
      add Load_Balancer_Group lbg load_balancer "$(osmotic-nbctl get Load_Balancer lb1 _uuid)") \
    || fail "create group"
check osmotic-nbctl add Logical_Switch sw0 load_balancer_group "$lbg"
check_output "lb1" pipeline "osmotic-nbctl ls-lb-list sw0 | awk 'NR > 1 {print \$2}'"
check osmotic-nbctl add Logical_Router lr0 load_balancer_group "$lbg"
check_output "lb1
lb6" pipeline "osmotic-nbctl lr-lb-list lr0 | awk 'NR > 1 {print \$2}'"
check osmotic-nbctl lb-del lb1
check_output "[]" osmotic-nbctl get Load_Balancer_Group lbg load_balancer
check osmotic-nbctl remove Logical_Switch sw0 load_balancer_group "$lbg" \
    -- remove Logical_Router lr0 load_balancer_group "$lbg"

# Deleting VIPs and balancers.
check osmotic-nbctl lb-del lb0 10.96.0.3:80
check_output '{"10.96.0.1:80"="10.244.0.5:8080,10.244.0.6:8080"}' \
    osmotic-nbctl get Load_Balancer lb0 vips
check_refused "vip 10.96.0.3:80 is not part of the load balancer." \
    osmotic-nbctl lb-del lb0 10.96.0.3:80
check osmotic-nbctl --if-exists lb-del lb0 10.96.0.3:80
check osmotic-nbctl lb-del lb0
check_refused "lb0: load balancer name not found" osmotic-nbctl lb-del lb0
check osmotic-nbctl --if-exists lb-del lb0
check_output 1 nb_count Load_Balancer
echo PASS
