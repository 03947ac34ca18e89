#!/bin/bash
# Port security drops a pod's packets with a spoofed MAC or IP source, a
# disabled port neither sends nor receives, and adding a secured port
# leaves the other ports' OpenFlow flows untouched.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:03:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:03:02 10.244.0.2
osm_lsp_add sw0 lp3 0a:00:00:00:03:03 10.244.0.3
osm_add_pod hv1 p1 0a:00:00:00:03:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:03:02 10.244.0.2/24 lp2
osm_add_pod hv1 p3 0a:00:00:00:03:03 10.244.0.3/24 lp3
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2
check_ping p1 10.244.0.3

# Spoofed MAC.
osm_pod_exec p1 ip link set eth0 address 0a:00:00:00:03:99
check_no_ping p1 10.244.0.2
check_no_ping p1 10.244.0.3
osm_pod_exec p1 ip link set eth0 address 0a:00:00:00:03:01
check_ping p1 10.244.0.2

# Spoofed IP (the right MAC, another source address).
osm_pod_exec p1 ip addr flush dev eth0
osm_pod_exec p1 ip addr add 10.244.0.9/24 dev eth0
check_no_ping p1 10.244.0.2
check_no_ping p1 10.244.0.3
osm_pod_exec p1 ip addr flush dev eth0
osm_pod_exec p1 ip addr add 10.244.0.1/24 dev eth0
check_ping p1 10.244.0.2

# A disabled port is cut off both ways, on this host and across hosts.
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-enabled lp1 disabled
check_no_ping p1 10.244.0.2
check_no_ping p1 10.244.0.3
check_no_ping p2 10.244.0.1
check_no_ping p3 10.244.0.1
check_ping p2 10.244.0.3
check osmotic-nbctl --timeout=20 --wait=hv lsp-set-enabled lp1 enabled
check_ping p1 10.244.0.2
check_ping p3 10.244.0.1

# Adding a port with port security leaves every OpenFlow flow of the other
# ports as it was, on the new port's host and elsewhere.  Only the flood
# group's own flows (reg15=0x8000) gain the new member, and the flows the
# new port's bucket of ports shares (port security allows in tables 10 and
# 45, own-address requests in table 20) get the cookie of the bucket's new
# logical flow, with match and actions unchanged.
others() {
    osm_flows "$1" | grep -v 'reg15=0x8000'
}
check osmotic-nbctl --timeout=20 --wait=hv sync
others hv1 > "$TESTDIR/hv1.before"
others hv2 > "$TESTDIR/hv2.before"
osm_lsp_add sw0 lp4 0a:00:00:00:03:04 10.244.0.4
osm_add_pod hv1 p4 0a:00:00:00:03:04 10.244.0.4/24 lp4
check osmotic-nbctl --timeout=20 --wait=hv sync
no_cookie() {
    sed 's/cookie=0x[0-9a-f]*, //' "$1" | sort
}
for hv in hv1 hv2; do
    others $hv > "$TESTDIR/$hv.after"
    changed=$(comm -23 <(no_cookie "$TESTDIR/$hv.before") \
                       <(no_cookie "$TESTDIR/$hv.after"))
    [ -z "$changed" ] || fail "adding lp4 changed flows on $hv: $changed"
    recookied=$(comm -23 "$TESTDIR/$hv.before" "$TESTDIR/$hv.after")
    [ -n "$recookied" ] || fail "no bucket flow of lp4 on $hv"
    echo "$recookied" | grep -vE 'table=(10, priority=90|20, priority=60|45, priority=90),' \
        && fail "adding lp4 changed cookies beyond its bucket on $hv"
    cmp -s "$TESTDIR/$hv.before" "$TESTDIR/$hv.after" \
        && fail "adding lp4 added no flow on $hv"
done
check_ping p4 10.244.0.2
check_ping p4 10.244.0.3
osm_pod_exec p4 ip link set eth0 address 0a:00:00:00:03:98
check_no_ping p4 10.244.0.2
check_no_ping p4 10.244.0.3
echo PASS
