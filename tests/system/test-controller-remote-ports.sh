#!/bin/bash
# A host installs the flows that match a logical inport (ingress) or
# outport (egress) only for its own ports: hv1 has port security flows
# for lp1, not for hv2's lp2..lp4, and hv2 the other way round; a port
# added on hv2 changes only the few hv1 flows that concern it (its L2
# lookup, ARP reply and output), not the port security flows of the other
# ports of its bucket (northd puts the port security of 8 ports, by
# tunnel key, in one logical flow; lp1 to lp16 have keys 1 to 16, so the
# new lp17 joins lp16's bucket, with no port of hv1 in it); a port that
# moves to hv1 brings its flows there and takes them
# from hv2; traffic goes both ways throughout.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

sec() {
    printf '0a:00:00:00:0d:%02x 10.244.0.%d' "$1" "$1"
}
args=()
for i in $(seq 1 16); do
    args+=(-- lsp-add sw0 lp$i -- lsp-set-addresses lp$i "$(sec $i)"
           -- lsp-set-port-security lp$i "$(sec $i)")
done
check osmotic-nbctl ls-add sw0 "${args[@]}"
osm_add_pod hv1 p1 0a:00:00:00:0d:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:0d:02 10.244.0.2/24 lp2
for i in 3 4; do
    check osm_host_vsctl hv2 add-port br-int lp$i \
        -- set interface lp$i type=internal external_ids:iface-id=lp$i
done
check osmotic-nbctl --wait=hv sync
osm_prime_underlay hv1 hv2
wait_until osm_ping p1 10.244.0.2

# port_flows HOST TABLE REG KEY: the flows of HOST's br-int in TABLE that
# match REG (reg14 or reg15) = KEY.
port_flows() {
    osm_host_ofctl "$1" dump-flows --no-stats br-int "table=$2" \
        | grep -c "$3=$(printf '0x%x' "$4"),"
}
key() {
    osmotic-sbctl --bare --columns=tunnel_key find Port_Binding \
        logical_port="$1"
}
# has_flows HOST PORT: HOST has ingress (table 10) and egress (table 45)
# port security flows of PORT; no_flows: it has neither.
has_flows() {
    local k
    k=$(key "$2")
    [ "$(port_flows "$1" 10 reg14 "$k")" -gt 0 ] \
        && [ "$(port_flows "$1" 45 reg15 "$k")" -gt 0 ]
}
no_flows() {
    local k
    k=$(key "$2")
    [ "$(port_flows "$1" 10 reg14 "$k")" = 0 ] \
        && [ "$(port_flows "$1" 45 reg15 "$k")" = 0 ]
}
has_flows hv1 lp1 || fail "hv1 lacks lp1's port security flows"
for p in lp2 lp3 lp4; do
    wait_until has_flows hv2 $p
    no_flows hv1 $p || fail "hv1 has the port security flows of $p"
done
no_flows hv2 lp1 || fail "hv2 has the port security flows of lp1"

# A port added on hv2: few flow changes on hv1.
log=$(osm_host_dir hv1)/osmotic-controller.log
changes() {
    tail -n +"$(($1 + 1))" "$log" \
        | sed -n 's/.*bundle [0-9]*: \([0-9]*\) adds, \([0-9]*\) deletes.*/\1 \2/p' \
        | awk '{ n += $1 + $2 } END { print n + 0 }'
}
mark=$(wc -l < "$log")
osm_flows hv1 > "$TESTDIR/before"
check osm_host_vsctl hv2 add-port br-int lp17 \
    -- set interface lp17 type=internal external_ids:iface-id=lp17
check osmotic-nbctl --wait=hv lsp-add sw0 lp17 \
    -- lsp-set-addresses lp17 "$(sec 17)" \
    -- lsp-set-port-security lp17 "$(sec 17)"
c=$(changes "$mark")
echo "hv1's flow changes for a port added on hv2: $c"
osm_flows hv1 > "$TESTDIR/after"
diff "$TESTDIR/before" "$TESTDIR/after" | grep "^[<>]"
# Its L2 lookup, its ARP reply, its output to hv2.
[ "$c" -le 3 ] || fail "a port on hv2 changed $c flows on hv1"
no_flows hv1 lp17 || fail "hv1 has lp17's port security flows"
has_flows hv2 lp17 || fail "hv2 lacks lp17's port security flows"

# lp3 moves to hv1: its flows follow it, without a recompute on hv1.
computes() {
    osm_ctl_appctl hv1 controller/status | sed -n 's/^engine lflow: \([0-9]*\) recomputes.*/\1/p'
}
before=$(computes)
check osm_host_vsctl hv2 del-port br-int lp3
osm_add_pod hv1 p3 0a:00:00:00:0d:03 10.244.0.3/24 lp3
wait_until has_flows hv1 lp3
wait_until no_flows hv2 lp3
check_output "$before" computes
wait_until osm_ping p3 10.244.0.2
osm_ping p2 10.244.0.3 || fail "p2 cannot reach p3 on hv1"
osm_ping p2 10.244.0.1 || fail "p2 cannot reach p1"
# And back: hv1 drops them again.
osm_del_pod hv1 p3
wait_until no_flows hv1 lp3
echo PASS
