#!/bin/bash
# osmotic-northd: route tables (tests/system/test-routing-route-tables.sh
# routes traffic by them).  The ports that choose tables get their
# table's number (1, 2, ... by name) loaded into reg5 in lr_in_admission,
# the load balancers' admission flows included; each static route of the
# router then matches its table's number (0 the main table), IPv4 and
# IPv6, and ECMP groups form within a table; connected networks match any
# table.  A table that no enabled port chooses has no flows, and a new
# table renumbers the others by name.  Route flows have the route as
# source.  A full recompute agrees with the incremental result.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start

check osmotic-nbctl init
check nbctl lr-add lr0 \
    -- lrp-add lr0 lrp1 0a:00:00:00:ff:01 10.1.0.1/24 fd01::1/64 \
    -- lrp-add lr0 lrp2 0a:00:00:00:ff:02 10.2.0.1/24 \
    -- lrp-add lr0 lrp9 0a:00:00:00:ff:09 10.9.0.1/24 fd09::1/64

# Without a port that chooses a table, routes match no register.
check nbctl lr-route-add lr0 0.0.0.0/0 10.9.0.2
check nbctl --route-table=rtb-b lr-route-add lr0 0.0.0.0/0 10.9.0.3
check nbctl sync
check_lflows lr0 <<EOF
lr_in_ip_routing 4 ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 3; flags.loopback = 1; next;
lr_in_admission 50 reg14=1,dl_dst=0a:00:00:00:ff:01 actions=next(lr_in_ip_routing);
EOF
check_output 1 pipeline "sb_lflows lr0 | grep -c 'lr_in_ip_routing 4 '"

# lrp2 chooses rtb-b, lrp1 rtb-a (numbers 2 and 1, by name): rtb-a has
# no route yet.
check nbctl lrp-set-options lrp2 route_table=rtb-b \
    -- lrp-set-options lrp1 route_table=rtb-a
check nbctl --route-table=rtb-a lr-route-add lr0 10.50.0.0/16 10.9.0.2 \
    -- --ecmp --route-table=rtb-b lr-route-add lr0 0.0.0.0/0 10.9.0.2 \
    -- --route-table=rtb-a lr-route-add lr0 fd50::/64 fd09::2
check nbctl sync
check_lflows lr0 <<EOF
lr_in_admission 50 reg14=1,dl_dst=0a:00:00:00:ff:01 actions=reg5 = 1; next(lr_in_ip_routing);
lr_in_admission 50 reg14=2,dl_dst=0a:00:00:00:ff:02 actions=reg5 = 2; next(lr_in_ip_routing);
lr_in_admission 50 reg14=3,dl_dst=0a:00:00:00:ff:09 actions=next(lr_in_ip_routing);
lr_in_ip_routing 101 ip,nw_dst=10.1.0.0/24 actions=ip.ttl--; reg0 = ip4.dst; eth.src = 0a:00:00:00:ff:01; outport = 1; flags.loopback = 1; next(lr_in_arp_resolve);
lr_in_ip_routing 4 reg5=0,ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 3; flags.loopback = 1; next(lr_in_arp_resolve);
lr_in_ip_routing 68 reg5=0x1,ip,nw_dst=10.50.0.0/16 actions=ip.ttl--; reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 3; flags.loopback = 1; next(lr_in_arp_resolve);
lr_in_ip_routing 260 reg5=0x1,ipv6,ipv6_dst=fd50::/64 actions=ip.ttl--; xxreg0 = fd09::2; eth.src = 0a:00:00:00:ff:09; outport = 3; flags.loopback = 1; next(lr_in_arp_resolve);
lr_in_ip_routing 4 reg5=0x2,ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg1 = select(65537, 65538);
EOF
# (rtb-b's ECMP group: its two next hops, the main table's route apart.)
check_output "reg0 = 0xa090002
reg0 = 0xa090003" pipeline "sb_lflows lr0 | grep lr_in_ip_routing_ecmp \
    | grep -o 'reg0 = 0x[0-9a-f]*' | sort"

# A route's flows have the route as source.
route=$(osmotic-nbctl --bare --columns=_uuid find Logical_Router_Static_Route \
            ip_prefix='"10.50.0.0/16"') || fail "find route"
check_output "lr_in_ip_routing" sb_select Logical_Flow '["stage"]' \
    "[[\"source\",\"==\",\"Logical_Router_Static_Route:$route\"]]"

# A table that no enabled port chooses routes nothing: rtb-c, or rtb-a
# while lrp1 is disabled.  A new table renumbers the others by name:
# lrp9 chooses "main", between rtb-* and nothing.
check nbctl --route-table=rtb-c lr-route-add lr0 10.60.0.0/16 10.9.0.2
check nbctl lrp-set-enabled lrp1 disabled
check nbctl sync
check_no_lflows lr0 <<EOF
lr_in_ip_routing 68 reg5=0x1,ip,nw_dst=10.50.0.0/16 actions=ip.ttl--; reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 3; flags.loopback = 1; next(lr_in_arp_resolve);
EOF
pipeline "sb_lflows lr0 | grep -q 'nw_dst=10.60.0.0/16'" \
    && fail "a flow for a table that no port chooses"
pipeline "sb_lflows lr0 | grep -q 'nw_dst=10.50.0.0/16'" \
    && fail "a flow for the table of a disabled port"
check_lflows lr0 <<EOF
lr_in_admission 50 reg14=2,dl_dst=0a:00:00:00:ff:02 actions=reg5 = 1; next(lr_in_ip_routing);
lr_in_ip_routing 4 reg5=0x1,ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg1 = select(65537, 65538);
EOF
check nbctl lrp-set-enabled lrp1 enabled -- lrp-set-options lrp9 route_table=main
check nbctl sync
check_lflows lr0 <<EOF
lr_in_admission 50 reg14=1,dl_dst=0a:00:00:00:ff:01 actions=reg5 = 2; next(lr_in_ip_routing);
lr_in_admission 50 reg14=2,dl_dst=0a:00:00:00:ff:02 actions=reg5 = 3; next(lr_in_ip_routing);
lr_in_admission 50 reg14=3,dl_dst=0a:00:00:00:ff:09 actions=reg5 = 1; next(lr_in_ip_routing);
lr_in_ip_routing 68 reg5=0x2,ip,nw_dst=10.50.0.0/16 actions=ip.ttl--; reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 3; flags.loopback = 1; next(lr_in_arp_resolve);
lr_in_ip_routing 4 reg5=0,ip,nw_dst=0.0.0.0/0 actions=ip.ttl--; reg0 = 0xa090002; eth.src = 0a:00:00:00:ff:09; outport = 3; flags.loopback = 1; next(lr_in_arp_resolve);
EOF

# The load balancers' admission flows of a gateway port load its table
# too.
check nbctl lrp-set-gateway-chassis lrp9 gw1 10 \
    -- lb-add lb0 10.9.0.100:80 10.1.0.10:8080 tcp -- lr-lb-add lr0 lb0
check nbctl sync
check_lflows lr0 <<EOF
lr_in_admission 84 reg14=3,dl_dst=0a:00:00:00:ff:09,tcp,nw_dst=10.9.0.100,tp_dst=80 actions=reg5 = 1; ct_dnat;
EOF

# A full recompute agrees with all of that.
sb_dump > "$TESTDIR/incremental"
check northd_ctl northd northd/recompute
check osmotic-nbctl --wait=sb sync
sb_dump > "$TESTDIR/full"
diff -u "$TESTDIR/incremental" "$TESTDIR/full" \
    || fail "full recompute differs from incremental result"
