#!/bin/bash
# IPv6 port security: a pod may send from its listed IPv6 addresses and
# from the one link-local address its MAC gives (EUI-64), not from any
# other link-local address; unspecified-source neighbor solicitations
# (duplicate address detection) and neighbor advertisements pass only
# with the port's own link-layer address and, for advertisements, a
# target among the port's own addresses.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

mac1=0a:00:00:00:06:01 mac2=0a:00:00:00:06:02
lla1=fe80::800:ff:fe00:601 lla2=fe80::800:ff:fe00:602
for i in 1 2; do
    mac=0a:00:00:00:06:0$i
    check osmotic-nbctl --may-exist ls-add sw0 -- lsp-add sw0 lp$i \
        -- lsp-set-addresses lp$i "$mac 10.244.0.$i fd00::$i" \
        -- lsp-set-port-security lp$i "$mac 10.244.0.$i fd00::$i"
    osm_add_pod hv1 p$i "$mac" 10.244.0.$i/24 lp$i
    osm_pod_exec p$i ip -6 addr add fd00::$i/64 dev eth0 nodad
    osm_host_exec hv1 sysctl -qw net.ipv6.conf.v-p$i.disable_ipv6=1
done
check osmotic-nbctl --timeout=20 --wait=hv sync
# has_lla POD ADDRESS: POD's eth0 has link-local ADDRESS, usable.
has_lla() {
    osm_pod_exec "$1" ip -6 addr show dev eth0 scope link > "$TESTDIR/lla" \
        && grep "inet6 $2/64" "$TESTDIR/lla" | grep -qv tentative
}
wait_until has_lla p1 "$lla1"
wait_until has_lla p2 "$lla2"

# Listed address and the EUI-64 link-local address both work, with no
# ping lost.
check_ping p1 fd00::2 -6
check_ping p1 "$lla2%eth0" -6

# Another link-local source is dropped (it used to pass as fe80::/10), as
# is an unlisted global one: not one ping is answered.
osm_pod_exec p1 ip -6 addr del "$lla1/64" dev eth0
osm_pod_exec p1 ip -6 addr add fe80::99/64 dev eth0 nodad
osm_pod_exec p1 ip -6 neigh flush dev eth0
check_no_ping p1 "$lla2%eth0" -6
osm_pod_exec p1 ip -6 addr del fe80::99/64 dev eth0
osm_pod_exec p1 ip -6 addr add "$lla1/64" dev eth0 nodad
check_ping p1 "$lla2%eth0" -6
osm_pod_exec p1 ip -6 addr add fd00::99/64 dev eth0 nodad
check_no_ping p1 fd00::2 -6 -I fd00::99
check_ping p1 fd00::2 -6 -I fd00::1

# Neighbor discovery through hv1's br-int: the datapath actions of a
# packet from p1 are empty (drop) or output somewhere.
ofport1=$(osm_host_vsctl hv1 get interface v-p1 ofport)
nd_verdict() {
    local out
    out=$(osm_host_appctl hv1 ofproto/trace br-int \
              "in_port=$ofport1,dl_src=$mac1,dl_dst=33:33:00:00:00:01,$1") \
        || fail "ofproto/trace $1: $out"
    case $out in
        *"Datapath actions: drop"*) echo drop ;;
        *"Datapath actions: "*) echo pass ;;
        *) fail "ofproto/trace $1: $out" ;;
    esac
}
na="icmp6,icmpv6_type=136,icmpv6_code=0,ipv6_dst=ff02::1"
ns="icmp6,icmpv6_type=135,icmpv6_code=0,ipv6_dst=ff02::1:ff00:2"
check_output pass nd_verdict "$na,ipv6_src=$lla1,nd_target=fd00::1,nd_tll=$mac1"
check_output pass nd_verdict "$na,ipv6_src=fd00::1,nd_target=$lla1,nd_tll=00:00:00:00:00:00"
check_output drop nd_verdict "$na,ipv6_src=$lla1,nd_target=fd00::2,nd_tll=$mac1"
check_output drop nd_verdict "$na,ipv6_src=$lla1,nd_target=fd00::1,nd_tll=$mac2"
check_output drop nd_verdict "$na,ipv6_src=::,nd_target=fd00::1,nd_tll=$mac1"
check_output pass nd_verdict "$ns,ipv6_src=::,nd_target=fd00::5,nd_sll=00:00:00:00:00:00"
check_output pass nd_verdict "$ns,ipv6_src=fd00::1,nd_target=fd00::2,nd_sll=$mac1"
check_output drop nd_verdict "$ns,ipv6_src=::,nd_target=fd00::5,nd_sll=$mac2"
check_output drop nd_verdict "$ns,ipv6_src=fd00::1,nd_target=fd00::2,nd_sll=$mac2"
check_output drop nd_verdict "ipv6,ipv6_src=::,nw_proto=17,ipv6_dst=ff02::1"
echo PASS
