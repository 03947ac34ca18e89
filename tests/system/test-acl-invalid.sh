#!/bin/bash
# Invalid traffic (ct.inv) and stateful ACLs, with real packets crafted
# by a raw socket: a TCP segment that belongs to no connection and cannot
# open one (a SYN+ACK, a segment with no flags at all) reaches a pod on
# a stateless switch, but once a stateful ACL applies to the pod's
# switch it is dropped, even though the ACLs allow everything, and the
# drop is counted on the OpenFlow flow of the logical flow that drops
# invalid traffic (ovs-ofctl dump-flows shows it; osmotic-trace
# --detrace names it).  A SYN to the same port still passes.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

osm_lsp_add sw0 lp1 0a:00:00:00:57:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:57:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:57:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:57:02 10.244.0.2/24 lp2
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
check_ping p1 10.244.0.2

acl_sync() {
    check osmotic-nbctl --timeout=20 --wait=hv sync
    osm_fresh_datapath hv1 hv2
}

# segments_seen: sends from p1 to p2, port 7777, three TCP segments of no
# connection (a SYN+ACK, one with no flags, then a SYN) and prints the
# flags (as "SA", "none", "S") of those that reached p2's eth0, in order.
segments_seen() {
    local sniffer out
    ip netns exec "$(osm_ns p2)" timeout "$OSM_CLIENT_TIMEOUT" python3 -c '
import socket, struct, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(("eth0", 0))
s.settimeout(0.2)
open("'"$TESTDIR"'/sniffing", "w").close()
seen = []
end = time.time() + 4
while time.time() < end and "S" not in seen:
    try:
        f = s.recv(2000)
    except socket.timeout:
        continue
    ip = f[14:]
    if ip[9] != 6 or ip[16:20] != socket.inet_aton("10.244.0.2"):
        continue
    tcp = ip[(ip[0] & 15) * 4:]
    if struct.unpack("!H", tcp[2:4])[0] != 7777:
        continue
    flags = tcp[13] & 0x3f
    seen.append({0x12: "SA", 0: "none", 0x02: "S"}.get(flags, hex(flags)))
print(" ".join(seen))' > "$TESTDIR/seen" < /dev/null &
    sniffer=$!
    wait_until test -e "$TESTDIR/sniffing"
    osm_pod_exec p1 python3 -c '
import socket, struct
src, dst = "10.244.0.1", "10.244.0.2"
def segment(sport, flags, seq, ack):
    tcp = struct.pack("!HHIIBBHHH", sport, 7777, seq, ack, 5 << 4, flags,
                      8192, 0, 0)
    pseudo = (socket.inet_aton(src) + socket.inet_aton(dst)
              + struct.pack("!BBH", 0, 6, len(tcp)))
    data = pseudo + tcp
    csum = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while csum >> 16:
        csum = (csum & 0xffff) + (csum >> 16)
    return tcp[:16] + struct.pack("!H", ~csum & 0xffff) + tcp[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for sport, flags in ((40001, 0x12), (40002, 0), (40003, 0x02)):
    s.sendto(segment(sport, flags, 1000, 2000), (dst, 0))' \
        || fail "p1 could not send its crafted segments"
    wait "$sniffer" || fail "the sniffer in p2 failed"
    rm -f "$TESTDIR/sniffing"
    cat "$TESTDIR/seen"
}

# inv_drops HOST: the packets HOST's br-int dropped by the flows that
# match invalid connection state.
inv_drops() {
    local flows
    flows=$(osm_host_ofctl "$1" dump-flows br-int) || return 1
    grep 'ct_state=+inv+trk' <<<"$flows" | grep -o 'n_packets=[0-9]*' \
        | awk -F= '{ n += $2 } END { print n + 0 }'
}

# A stateless switch: no conntrack, so nothing is invalid.
out=$(segments_seen)
[ "$out" = "SA none S" ] \
    || fail "stateless switch: p2 saw '$out', expected 'SA none S'"
[ "$(inv_drops hv1)" = 0 ] || fail "invalid drops without conntrack"

# A stateful ACL that allows everything to p2: the invalid segments are
# dropped, the SYN passes.  The whole switch is stateful now, so p1's
# segments meet conntrack first in p1's own ingress ACL stage, on hv1,
# which drops and counts them.
check osmotic-nbctl --timeout=20 \
    acl-add sw0 to-lport 1000 'outport == "lp2" && ip4' allow-related
acl_sync
before=$(inv_drops hv1)
out=$(segments_seen)
[ "$out" = "S" ] \
    || fail "stateful ACL: p2 saw '$out', expected only the SYN 'S'"
inv_counted() {
    [ "$(inv_drops hv1)" -ge $((before + 2)) ]
}
wait_until inv_counted
# The counting flow is the logical flow that drops invalid traffic.
out=$(pipeline "osm_host_ofctl hv1 dump-flows br-int \
                | grep 'ct_state=+inv+trk' | grep -v 'n_packets=0,' \
                | osmotic-trace --detrace")
grep -q 'ls_in_acl.*ct_state=+inv+trk.*drop' <<<"$out" \
    || fail "the counting flow is not ls_in_acl's invalid drop: $out"

# Traffic of real connections still passes.
check_tcp_transfer p1 p2 10.244.0.2 100000

# Without ACLs the switch is stateless again and the segments arrive.
check osmotic-nbctl --timeout=20 acl-del sw0
acl_sync
out=$(segments_seen)
[ "$out" = "SA none S" ] \
    || fail "after acl-del: p2 saw '$out', expected 'SA none S'"
echo PASS
