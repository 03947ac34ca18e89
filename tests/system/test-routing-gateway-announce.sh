#!/bin/bash
# The new active gateway announces itself.  Router lr0's gateway port
# (172.30.0.100, fd30::100) has gateway chassis gw1 (active) and gw2,
# and a ramp-out rule r1 with SNAT address 172.30.0.101 on gw1 (backup
# gw2); the router's NAT rules have the external addresses 172.30.0.110
# (dnat_and_snat, pod p1's floating IP), 172.30.0.111 (snat),
# 172.30.0.112 (dnat) and 172.30.0.100 (snat to the port's own address,
# announced once as the port's).  The external host has learnt the
# port's MAC on gw1's link.  Cutting gw1's underlay link makes gw2
# active: it sends gratuitous ARPs for 172.30.0.100 and the NAT
# addresses (from the port's MAC) and 172.30.0.101 (from the rule's MAC)
# and an unsolicited neighbor advertisement for fd30::100 on its link,
# so that at once, before any traffic, the external bridge forwards the
# port's MAC to gw2's link and the external host's neighbour entries
# (set to a wrong MAC beforehand) hold the right MACs, and p1's floating
# IP answers through gw2.  gw1, cut off, sends none; gw2 sends a few
# (GATEWAY_ANNOUNCE_COUNT), not one per second forever.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
osm_external_exec ip addr add fd30::1/64 dev brx nodad
osm_add_host hv1 172.31.0.1
osm_add_host gw1 172.31.0.2
osm_add_host gw2 172.31.0.3
osm_connect_external gw1
osm_connect_external gw2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
check osmotic-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router \
    -- lsp-set-addresses sw1-lr0 router \
    -- lsp-set-options sw1-lr0 router-port=lr0-sw1
osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_pod_exec p1 ip route add default via 10.10.1.1
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24 \
    fd30::100/64
# The NAT rules come first: a change of the addresses while a chassis
# is active starts its announcements over, which would make the count
# below depend on timing.
check osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.30.0.110 10.10.1.10
check osmotic-nbctl lr-nat-add lr0 snat 172.30.0.111 10.10.2.0/24
check osmotic-nbctl lr-nat-add lr0 dnat 172.30.0.112 10.10.1.11
check osmotic-nbctl lr-nat-add lr0 snat 172.30.0.100 10.10.3.0/24
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 20
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw2 10
check osmotic-nbctl ls-add ext
check osmotic-nbctl lsp-add ext ln-ext -- lsp-set-type ln-ext localnet \
    -- lsp-set-addresses ln-ext unknown \
    -- lsp-set-options ln-ext network_name=physnet
check osmotic-nbctl lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router \
    -- lsp-set-addresses ext-lr0 router \
    -- lsp-set-options ext-lr0 router-port=lr0-ext
check osmotic-nbctl lr-route-add lr0 0.0.0.0/0 172.30.0.1
check osmotic-nbctl rampout-add lr0 r1 10.10.1.0/24 gw1,gw2 \
    --snat-ip=172.30.0.101
osm_prime_underlay hv1 gw1 gw2
check osmotic-nbctl --timeout=20 --wait=hv sync

# prints EXPECTED CMD...: CMD prints EXPECTED (for wait_until).
prints() {
    local expected=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$expected" ]
}

PORT_MAC=0a:00:00:00:ee:01
RULE_MAC=$(printf '02:0e:00:00:%02x:01' \
               "$(osmotic-sbctl --bare --columns=tunnel_key find \
                      Datapath_Binding name=lr0)")

# Traffic through gw1 teaches the external bridge and host where the
# port's MAC is.
ext_pings_gw() {
    osm_external_exec ping -q -c 1 -W 1 172.30.0.100 > /dev/null
}
wait_until ext_pings_gw
wait_until osm_ping p1 172.30.0.1
# fdb_port MAC: the external bridge's port for MAC.
fdb_port() {
    osm_external_exec bridge fdb show br brx | awk -v m="$1" \
        '$1 == m && $0 !~ /permanent/ { print $3; exit }'
}
check_output x-gw1 fdb_port $PORT_MAC
# announced HOST: the packets HOST sent to announce its gateways.
announced() {
    osm_ctl_appctl "$1" ofctrl/flow-counts \
        | sed -n 's/^gateway announcements: .*, \([0-9]*\) packets sent$/\1/p'
}
# gw1 announced itself when it became active: 3 times a gratuitous ARP
# and a neighbor advertisement for the port, a gratuitous ARP for each
# of the 3 NAT addresses besides the port's own, and one for the rule.
# (Its last comes 3 s after its first.)
wait_until prints 18 announced gw1
check_output 0 announced gw2
check_output "0a:00:00:00:ee:01 172.30.0.110 172.30.0.111 172.30.0.112" \
    osmotic-sbctl --bare --columns=nat_addresses find Port_Binding \
        logical_port=lr0-ext

# Wrong MACs in the external host's neighbour entries: only an
# announcement can correct them without traffic.
NAT_IPS="172.30.0.110 172.30.0.111 172.30.0.112"
for ip in 172.30.0.100 172.30.0.101 fd30::100 $NAT_IPS; do
    check osm_external_exec ip neigh replace $ip lladdr 00:00:5e:00:53:99 \
        dev brx nud stale
done
# neigh_mac IP: the MAC of the external host's entry for IP.
neigh_mac() {
    osm_external_exec ip neigh show "$1" dev brx | awk '{ print $3 }'
}
sleep 1.1                               # Past the entries' locktime.


for gw in gw1 gw2; do
    osm_external_exec timeout 15 tcpdump -l -n -e -Q in -i "x-$gw" \
        "arp or (icmp6 and ip6[40] == 136)" > "$TESTDIR/cap-$gw" 2>&1 &
    echo $! > "$TESTDIR/tcpdump-$gw.pid"
done
sleep 1

# Failover: gw1 cut off from the underlay; gw2 takes over.
ip netns exec "$(osm_ns underlay)" ip link set h2l0 down
wait_until prints x-gw2 fdb_port $PORT_MAC
wait_until prints $PORT_MAC neigh_mac 172.30.0.100
wait_until prints $RULE_MAC neigh_mac 172.30.0.101
wait_until prints $PORT_MAC neigh_mac fd30::100
for ip in $NAT_IPS; do
    wait_until prints $PORT_MAC neigh_mac $ip
done
for gw in gw1 gw2; do
    wait "$(cat "$TESTDIR/tcpdump-$gw.pid")"
done
cat "$TESTDIR/cap-gw2"
grep -q "$PORT_MAC > ff:ff:ff:ff:ff:ff.*Request who-has 172.30.0.100 tell 172.30.0.100" \
    "$TESTDIR/cap-gw2" || fail "no gratuitous ARP for 172.30.0.100 on gw2's link"
grep -q "$RULE_MAC > ff:ff:ff:ff:ff:ff.*Request who-has 172.30.0.101 tell 172.30.0.101" \
    "$TESTDIR/cap-gw2" || fail "no gratuitous ARP for 172.30.0.101 on gw2's link"
grep -q "$PORT_MAC > 33:33:00:00:00:01.*fd30::100 > ff02::1.*neighbor advertisement, tgt is fd30::100" \
    "$TESTDIR/cap-gw2" || fail "no neighbor advertisement for fd30::100 on gw2's link"
for ip in $NAT_IPS; do
    grep -q "$PORT_MAC > ff:ff:ff:ff:ff:ff.*Request who-has $ip tell $ip" \
        "$TESTDIR/cap-gw2" || fail "no gratuitous ARP for $ip on gw2's link"
done
n=$(grep -c "Request who-has 172.30.0.100 tell 172.30.0.100" "$TESTDIR/cap-gw2")
echo "gratuitous ARPs for 172.30.0.100 from gw2 in 15 s: $n"
[ "$n" = 3 ] || fail "$n gratuitous ARPs, expected 3"
check_output 18 announced gw2
# p1's floating IP answers from outside through gw2.
check osm_external_exec ping -q -c 1 -W 2 172.30.0.110
grep -q "who-has 172.30.0.100 tell 172.30.0.100" "$TESTDIR/cap-gw1" \
    && fail "gw1, cut off, announced itself: $(cat "$TESTDIR/cap-gw1")"
echo PASS
