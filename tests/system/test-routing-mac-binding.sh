#!/bin/bash
# MAC bindings of next hops that northd does not know.  A pod whose
# logical port's addresses are "unknown" is resolved by ARP from the
# controller into SB MAC_Binding; the row ages out after the router's
# mac_binding_age_threshold and comes back with the next packet; without
# the option the default (300 s) keeps it.  A flood of packets to a next
# hop that does not answer sends about one ARP request a second, not one
# per packet.  Deleting the router port deletes its rows, and deleting
# the router with rows left succeeds.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
check osmotic-nbctl lrp-add lr0 lr0-sw2 0a:00:00:00:ff:02 10.10.2.1/24
for sw in sw1 sw2; do
    check osmotic-nbctl --may-exist ls-add $sw
    check osmotic-nbctl lsp-add $sw $sw-lr0 -- lsp-set-type $sw-lr0 router \
        -- lsp-set-addresses $sw-lr0 router \
        -- lsp-set-options $sw-lr0 router-port=lr0-$sw
done
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
check osmotic-nbctl lsp-add sw2 lp3 -- lsp-set-addresses lp3 unknown
osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_add_pod hv2 p3 0a:00:00:00:02:03 10.10.2.30/24 lp3
osm_pod_exec p1 ip route add default via 10.10.1.1
osm_pod_exec p3 ip route add default via 10.10.2.1
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync

# is VALUE CMD...: CMD prints VALUE (for wait_until, which reruns it).
is() {
    local value=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$value" ]
}
# bindings: the MAC_Binding rows, "PORT IP MAC" sorted.
bindings() {
    osmotic-sbctl --bare --columns=logical_port,ip,mac list MAC_Binding \
        | awk 'NF { f[++n] = $0 } n == 3 { print f[1], f[2], f[3]; n = 0 }' \
        | sort | tr '\n' ';'
}
wait_until osm_ping p1 10.10.2.30
check_output "lr0-sw2 10.10.2.30 0a:00:00:00:02:03;" bindings

# The default threshold keeps the row; a threshold of 2 s ages it out,
# and the next packet brings it back.
sleep 3
check_output "lr0-sw2 10.10.2.30 0a:00:00:00:02:03;" bindings
check_error "mac_binding_age_threshold: \"soon\" is not a number" \
    osmotic-nbctl set Logical_Router lr0 \
    options:mac_binding_age_threshold=soon
check osmotic-nbctl set Logical_Router lr0 \
    options:mac_binding_age_threshold=2
wait_until is "" bindings
grep -q "10.10.2.30 is at 0a:00:00:00:02:03 aged out" "$TESTDIR/northd.log" \
    || fail "northd did not log the ageing"
wait_until osm_ping p1 10.10.2.30
check_output "lr0-sw2 10.10.2.30 0a:00:00:00:02:03;" bindings
check osmotic-nbctl set Logical_Router lr0 \
    options:mac_binding_age_threshold=0

# A flood of 1,000 UDP packets within about 2 s to a next hop that does
# not answer: the controller asks for it about once a second.
osm_pod_exec p3 timeout 6 tcpdump -l -n -i eth0 \
    "arp and arp[6:2] == 1 and host 10.10.2.99" > "$TESTDIR/arps" 2>/dev/null &
capture=$!
sleep 1
osm_pod_exec p1 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(1000):
    s.sendto(b"x", ("10.10.2.99", 9))
    time.sleep(0.002)'
wait $capture
n=$(grep -c "who-has 10.10.2.99" "$TESTDIR/arps")
echo "ARP requests for a silent next hop during a flood of 1000 packets: $n"
[ "$n" -ge 1 ] || fail "no ARP request for 10.10.2.99"
[ "$n" -le 5 ] || fail "$n ARP requests: a storm"
suppressed=$(osm_ctl_appctl hv1 ofctrl/flow-counts \
             | sed -n 's/^neighbour requests suppressed.*: //p')
[ "${suppressed:-0}" -ge 1 ] || fail "no request counted as suppressed"

# The router port goes: so do its bindings.  A router with bindings can
# be deleted.
check osmotic-nbctl lrp-add lr0 lr0-sw3 0a:00:00:00:ff:03 10.10.3.1/24
check osmotic-nbctl lsp-del sw2-lr0 -- lrp-del lr0-sw2
wait_until is "" bindings
check osmotic-nbctl lrp-add lr0 lr0-sw2 0a:00:00:00:ff:02 10.10.2.1/24 \
    -- lsp-add sw2 sw2-lr0 -- lsp-set-type sw2-lr0 router \
    -- lsp-set-addresses sw2-lr0 router \
    -- lsp-set-options sw2-lr0 router-port=lr0-sw2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping p1 10.10.2.30
check_output "lr0-sw2 10.10.2.30 0a:00:00:00:02:03;" bindings
check osmotic-nbctl lsp-del sw1-lr0 -- lsp-del sw2-lr0 -- lr-del lr0
check osmotic-nbctl --timeout=20 --wait=sb sync
check_output "" osmotic-sbctl --bare --columns=name find Datapath_Binding \
    type=router
check_output "" bindings
echo PASS
