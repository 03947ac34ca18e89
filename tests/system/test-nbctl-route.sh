#!/bin/bash
# osmotic-nbctl: static routes (route tables, ECMP, discard routes, BFD)
# and routing policies of logical routers, with ovn-nbctl's arguments,
# output and messages, and the validation of routes that cannot live
# together whatever command writes them (test-routing-route-tables.sh
# checks route table names and routes traffic by the tables).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl lr-add lr0 \
    -- lrp-add lr0 lp0 f0:00:00:00:00:01 10.0.0.254/24 fd00::fe/64 \
    -- lrp-add lr0 lp1 f0:00:00:00:00:02 11.0.0.254/24

# Routes; a prefix with host bits set means its network, and a port
# instead of a next hop means a destination on that port's link.
check osmotic-nbctl lr-route-add lr0 0.0.0.0/0 192.168.0.1
check osmotic-nbctl lr-route-add lr0 10.0.1.1/24 11.0.1.1 lp0
check osmotic-nbctl lr-route-add lr0 10.0.10.0/24 lp0
check osmotic-nbctl --policy=src-ip lr-route-add lr0 9.16.1.0/24 11.0.0.1
check osmotic-nbctl lr-route-add lr0 20.0.0.0/24 discard
check osmotic-nbctl lr-route-add lr0 2001:0db8:0::/64 2001:0db8:0:f102::1 lp0
check_output "IPv4 Routes
Route Table <main>:
              10.0.1.0/24                  11.0.1.1 dst-ip lp0
             10.0.10.0/24                           dst-ip lp0
              20.0.0.0/24                   discard dst-ip
              9.16.1.0/24                  11.0.0.1 src-ip
                0.0.0.0/0               192.168.0.1 dst-ip

IPv6 Routes
Route Table <main>:
            2001:db8::/64        2001:db8:0:f102::1 dst-ip lp0" \
    osmotic-nbctl lr-route-list lr0

# Bad values and duplicates change nothing.
check_refused "bad prefix argument: 10.0.0.111a/24" \
    osmotic-nbctl lr-route-add lr0 10.0.0.111a/24 11.0.0.1
check_refused "bad IPv4 nexthop argument: 11.0.0.1a" \
    osmotic-nbctl lr-route-add lr0 10.0.2.0/24 11.0.0.1a
check_refused "bad IPv4 nexthop argument: fd00::1" \
    osmotic-nbctl lr-route-add lr0 10.0.2.0/24 fd00::1
check_refused "bad IPv4 nexthop argument: lp9" \
    osmotic-nbctl lr-route-add lr0 10.0.2.0/24 lp9
check_refused "bad policy: any" \
    osmotic-nbctl --policy=any lr-route-add lr0 10.0.2.0/24 11.0.0.1
check_refused "duplicate prefix: 10.0.1.0/24 (policy: dst-ip). Use option --ecmp to allow this for ECMP routing." \
    osmotic-nbctl lr-route-add lr0 10.0.1.0/24 11.0.0.9
check_refused "ecmp is not valid for discard routes." \
    osmotic-nbctl --ecmp lr-route-add lr0 21.0.0.0/24 discard
check_refused "bfd dst_ip cannot be discard." \
    osmotic-nbctl --bfd lr-route-add lr0 21.0.0.0/24 discard
check_refused "outport is not valid for discard routes." \
    osmotic-nbctl lr-route-add lr0 21.0.0.0/24 discard lp0
check_refused "discard nexthop for the same ECMP route exists." \
    osmotic-nbctl --ecmp lr-route-add lr0 20.0.0.0/24 11.0.0.1
check osmotic-nbctl --may-exist lr-route-add lr0 10.0.1.0/24 11.0.1.9 lp1
check_output "11.0.1.9 lp1" pipeline \
    "osmotic-nbctl --bare --columns=nexthop,output_port find Logical_Router_Static_Route ip_prefix=10.0.1.0/24 | xargs"

# ECMP: one prefix, several next hops.
check osmotic-nbctl --ecmp lr-route-add lr0 10.0.1.0/24 11.0.1.10
check osmotic-nbctl --ecmp-symmetric-reply lr-route-add lr0 10.0.1.0/24 11.0.1.11
check_refused "duplicate nexthop for the same ECMP route" \
    osmotic-nbctl --ecmp lr-route-add lr0 10.0.1.0/24 11.0.1.10
check osmotic-nbctl --may-exist --ecmp lr-route-add lr0 10.0.1.0/24 11.0.1.10
# Like ovn-nbctl, routes of one prefix are listed by next hop as text.
check_output "              10.0.1.0/24                 11.0.1.10 dst-ip ecmp
              10.0.1.0/24                 11.0.1.11 dst-ip ecmp ecmp-symmetric-reply
              10.0.1.0/24                  11.0.1.9 dst-ip lp1 ecmp" \
    pipeline "osmotic-nbctl lr-route-list lr0 | grep 10.0.1.0/24"
check osmotic-nbctl lr-route-del lr0 10.0.1.0/24 11.0.1.10
check_output 2 nb_count Logical_Router_Static_Route ip_prefix=10.0.1.0/24
# The generic commands are held to the same rules.
route=$(osmotic-nbctl --bare --columns=_uuid find Logical_Router_Static_Route \
            nexthop=11.0.1.11) || fail "find route"
check_refused "static_routes: two routes for 10.0.1.0/24 by next hop 11.0.1.9" \
    osmotic-nbctl set Logical_Router_Static_Route "$route" nexthop=11.0.1.9
check_refused "a discard route has no other route for its prefix" \
    osmotic-nbctl set Logical_Router_Static_Route "$route" nexthop=discard
check_refused "output_port: lp9: no logical router port named lp9" \
    osmotic-nbctl set Logical_Router_Static_Route "$route" output_port=lp9

# Route tables.
check osmotic-nbctl --route-table=rtb-1 lr-route-add lr0 0.0.0.0/0 192.168.0.2
check osmotic-nbctl lrp-set-options lp1 route_table=rtb-1
check_output "route_table=rtb-1" osmotic-nbctl lrp-get-options lp1
check_output "IPv4 Routes
Route Table rtb-1:
                0.0.0.0/0               192.168.0.2 dst-ip" \
    osmotic-nbctl --route-table=rtb-1 lr-route-list lr0
check_refused "duplicate prefix: 0.0.0.0/0 (policy: dst-ip)" \
    osmotic-nbctl --route-table=rtb-1 lr-route-add lr0 0.0.0.0/0 192.168.0.3
# An empty table name is refused, not taken for the main table.
check_refused "empty route table name" \
    osmotic-nbctl --route-table= lr-route-add lr0 10.77.0.0/16 192.168.0.2
# Deleting with a prefix takes the routes of one table only.
check osmotic-nbctl lr-route-del lr0 0.0.0.0/0
check_output 1 nb_count Logical_Router_Static_Route ip_prefix='"0.0.0.0/0"'
check osmotic-nbctl --route-table=rtb-1 lr-route-del lr0 0.0.0.0/0
check_refused "no matching route: policy 'any', prefix '0.0.0.0/0', nexthop 'any', output_port 'any'." \
    osmotic-nbctl lr-route-del lr0 0.0.0.0/0
check osmotic-nbctl --if-exists lr-route-del lr0 0.0.0.0/0
check_refused "no matching route: policy 'any', prefix '10.0.10.0/24', nexthop '11.0.1.2', output_port 'any'." \
    osmotic-nbctl lr-route-del lr0 10.0.10.0/24 11.0.1.2

# BFD: a session for the next hop by the route's port, created with the
# route and deleted with it; or an existing one.
check osmotic-nbctl --bfd lr-route-add lr0 10.0.20.0/24 11.0.2.1 lp0
check_output "lp0 11.0.2.1" pipeline \
    "osmotic-nbctl --bare --columns=logical_port,dst_ip list BFD | xargs"
check_output "             10.0.20.0/24                  11.0.2.1 dst-ip lp0 bfd" \
    pipeline "osmotic-nbctl lr-route-list lr0 | grep 10.0.20.0"
check_refused "insert entry in the BFD table failed" \
    osmotic-nbctl --bfd lr-route-add lr0 10.0.21.0/24 11.0.2.2
check_refused "no entry found in the BFD table" \
    osmotic-nbctl --bfd=$(uuidgen) lr-route-add lr0 10.0.21.0/24 11.0.2.2
bfd=$(osmotic-nbctl create BFD logical_port=lp1 dst_ip=11.0.0.50 min_tx=250) \
    || fail "create BFD"
check osmotic-nbctl --bfd="$bfd" lr-route-add lr0 10.0.22.0/24 11.0.0.50
check_refused "BFD $bfd: dst_ip: nowhere: invalid IP address" \
    osmotic-nbctl set BFD "$bfd" dst_ip=nowhere
check osmotic-nbctl lr-route-del lr0 10.0.20.0/24
check_output 1 nb_count BFD
check osmotic-nbctl lr-route-del lr0
check_output 0 nb_count Logical_Router_Static_Route
check_output 0 nb_count BFD

# Routing policies.
check osmotic-nbctl lr-policy-add lr0 100 "ip4.src == 1.1.1.0/24" drop
check osmotic-nbctl lr-policy-add lr0 100 "ip4.src == 1.1.2.0/24" allow pkt_mark=100
check osmotic-nbctl lr-policy-add lr0 101 "ip4.src == 2.1.1.0/24" reroute 3.3.3.3,3.3.3.4
check_output "Routing Policies
       101                              ip4.src == 2.1.1.0/24         reroute                   3.3.3.3, 3.3.3.4
       100                              ip4.src == 1.1.1.0/24            drop
       100                              ip4.src == 1.1.2.0/24           allow               pkt_mark=100" \
    osmotic-nbctl lr-policy-list lr0
check_refused "Same routing policy already existed on the logical router lr0." \
    osmotic-nbctl lr-policy-add lr0 100 "ip4.src == 1.1.1.0/24" drop
check osmotic-nbctl --may-exist lr-policy-add lr0 100 "ip4.src == 1.1.1.0/24" drop
check_refused 'deny: action must be one of "allow", "drop", and "reroute"' \
    osmotic-nbctl lr-policy-add lr0 103 ip4 deny
check_refused "Nexthop is required when action is reroute." \
    osmotic-nbctl lr-policy-add lr0 103 ip4 reroute
check_refused "bad next hop argument: 3.3.3.x" \
    osmotic-nbctl lr-policy-add lr0 103 ip4 reroute 3.3.3.x
check_refused "bad next hops argument, not in the same addr family : 3.3.3.3,fd00::3" \
    osmotic-nbctl lr-policy-add lr0 103 ip4 reroute 3.3.3.3,fd00::3
check_refused "No value specified for the option : foo" \
    osmotic-nbctl lr-policy-add lr0 103 ip4 allow foo
check_refused "32768: priority must in range 0...32767" \
    osmotic-nbctl lr-policy-add lr0 32768 ip4 allow
check_refused '"ip5": no field of that name' \
    osmotic-nbctl lr-policy-add lr0 103 ip5 allow
policy=$(osmotic-nbctl --bare --columns=_uuid find Logical_Router_Policy \
             action=drop) || fail "find policy"
check_refused "nexthops: a reroute policy needs a next hop" \
    osmotic-nbctl set Logical_Router_Policy "$policy" action=reroute
check_refused "nexthops: a drop policy has no next hop" \
    osmotic-nbctl set Logical_Router_Policy "$policy" nexthops=1.1.1.1
# Deletion: by priority and match, by priority, by UUID, all.
check osmotic-nbctl lr-policy-del lr0 100 "ip4.src == 1.1.1.0/24"
check_refused 'no routing policy with priority 100 and match "ip4.src == 1.1.1.0/24" on the logical router lr0' \
    osmotic-nbctl lr-policy-del lr0 100 "ip4.src == 1.1.1.0/24"
check osmotic-nbctl lr-policy-del lr0 101
check_output 1 nb_count Logical_Router_Policy
uuid=$(osmotic-nbctl --bare --columns=_uuid list Logical_Router_Policy) \
    || fail "list policies"
check osmotic-nbctl lr-policy-del lr0 "$uuid"
check_refused "Logical router policy uuid is not found." \
    osmotic-nbctl lr-policy-del lr0 "$uuid"
check osmotic-nbctl --if-exists lr-policy-del lr0 "$uuid"
check osmotic-nbctl lr-policy-add lr0 1 ip4 drop -- lr-policy-add lr0 2 ip6 drop
check osmotic-nbctl lr-policy-del lr0
check_output 0 nb_count Logical_Router_Policy
check_output "" osmotic-nbctl lr-policy-list lr0
