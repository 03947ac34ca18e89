#!/bin/bash
# IPFIX from a real Open vSwitch: the flow samples ovs-vswitchd exports for
# sample(probability=P, collector_set_id=1, obs_domain_id=D,
# obs_point_id=R) decode, through lib/ipfix.c (tests/unit/ipfix-dump), to
# the packets that were sent: IPv4 and IPv6, TCP, UDP and ICMP, with
# their addresses, ports, protocol, domain and point, L3 byte counts, and
# packet counts scaled by the sampling probability.  Then, how templates
# reach a collector that starts after the exporter: changing the IPFIX
# target port in one transaction keeps the exporter and sends no
# templates (the new collector cannot decode), removing the targets and
# setting them again in a second transaction re-creates the exporter,
# which sends the templates before its next record; they go to that
# record's observation domain only, and a collector that shares templates
# between domains decodes the other domains' records with them.  (The
# re-sending every 600 s is too slow to test here; lib/ipfix.h says what
# was seen.)
#
# OSM_IPFIX_SAVE=DIR keeps every message of the first collector in DIR
# (msg-NNNN.bin), to refresh tests/unit/ipfix-vectors.
. "$(dirname "$0")/lib.sh"
export OSM_NO_CONTROLLER=1
osm_test_init

dump=$OSM_BUILDDIR/tests/unit/ipfix-dump
if [ ! -x "$dump" ]; then
    echo "$dump is missing (\"make check-system\" builds it)"
    exit 77
fi

osm_add_host hv1 172.31.0.1
osm_add_pod hv1 p1 0a:00:00:00:00:01 10.0.0.1/24 lp1
osm_add_pod hv1 p2 0a:00:00:00:00:02 10.0.0.2/24 lp2
osm_pod_exec p1 ip addr add fd00::1/64 dev eth0 nodad
osm_pod_exec p2 ip addr add fd00::2/64 dev eth0 nodad
osm_pod_exec p1 ip neigh replace 10.0.0.2 lladdr 0a:00:00:00:00:02 \
    dev eth0 nud permanent
osm_pod_exec p2 ip neigh replace 10.0.0.1 lladdr 0a:00:00:00:00:01 \
    dev eth0 nud permanent
osm_pod_exec p1 ip -6 neigh replace fd00::2 lladdr 0a:00:00:00:00:02 \
    dev eth0 nud permanent
osm_pod_exec p2 ip -6 neigh replace fd00::1 lladdr 0a:00:00:00:00:01 \
    dev eth0 nud permanent

# The pods are patched together; p1's packets from its own addresses are
# sampled (not link-local IPv6 chatter, not p2's replies), each kind at
# its own observation point.  UDP to port 7000 is sampled with
# probability 1/3, UDP to port 8000 in observation domain 8.
smp() {
    local point=$1 domain=${2:-7} prob=${3:-65535}
    printf 'sample(probability=%s,collector_set_id=1,' "$prob"
    printf 'obs_domain_id=%s,obs_point_id=%s),output:v-p2\n' "$domain" "$point"
}
cat > "$TESTDIR/flows" <<EOF
priority=10,in_port=v-p1,actions=output:v-p2
priority=10,in_port=v-p2,actions=output:v-p1
priority=20,tcp,in_port=v-p1,nw_src=10.0.0.1,actions=$(smp 3)
priority=20,udp,in_port=v-p1,nw_src=10.0.0.1,actions=$(smp 4)
priority=20,icmp,in_port=v-p1,nw_src=10.0.0.1,actions=$(smp 5)
priority=20,tcp6,in_port=v-p1,ipv6_src=fd00::1,actions=$(smp 6)
priority=20,udp6,in_port=v-p1,ipv6_src=fd00::1,actions=$(smp 7)
priority=20,icmp6,in_port=v-p1,ipv6_src=fd00::1,actions=$(smp 8)
priority=30,udp,in_port=v-p1,tp_dst=7000,actions=$(smp 9 7 21845)
priority=30,udp,in_port=v-p1,tp_dst=8000,actions=$(smp 10 8)
EOF
check osm_host_ofctl hv1 replace-flows br-int "$TESTDIR/flows"

# send KIND SRC SPORT DST DPORT PAYLOAD-BYTES [COUNT]: p1 sends COUNT
# (default 1) packets.  KIND is udp, or tcp for a bare SYN of 20 header
# bytes (a raw socket, so that its size is known).
send() {
    osm_pod_exec p1 python3 -c '
import socket, struct, sys
kind, src, sport, dst, dport, size = sys.argv[1:7]
count = int(sys.argv[7]) if len(sys.argv) > 7 else 1
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
for _ in range(count):
    if kind == "udp":
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, int(sport)))
        s.sendto(b"x" * int(size), (dst, int(dport)))
    else:
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
        s.bind((src, 0))
        hdr = struct.pack("!HHIIBBHHH", int(sport), int(dport), 1, 0,
                          5 << 4, 0x02, 65535, 0, 0)
        s.sendto(hdr + b"x" * int(size), (dst, 0))
    s.close()
' "$@" || fail "p1 cannot send $*"
}

# start_dump N [OPTION...]: starts collector N in hv1's namespace on a
# free port, its output in $TESTDIR/dumpN.out; sets $port.
start_dump() {
    local n=$1 save=()
    shift
    [ "$n" != 1 ] || [ -z "${OSM_IPFIX_SAVE:-}" ] \
        || save=(--save="$OSM_IPFIX_SAVE")
    rm -f "$TESTDIR/port$n"
    ip netns exec "$(osm_ns hv1)" "$dump" --port-file="$TESTDIR/port$n" \
        "${save[@]}" "$@" 0 > "$TESTDIR/dump$n.out" \
        2> "$TESTDIR/dump$n.err" &
    echo $! > "$TESTDIR/dump$n.pid"
    osm_track_pidfile "$TESTDIR/dump$n.pid"
    wait_until test -s "$TESTDIR/port$n"
    port=$(cat "$TESTDIR/port$n")
}

# stop_dump N: stops collector N (its counters go to dumpN.err).
stop_dump() {
    osm_kill_pidfile "$TESTDIR/dump$1.pid"
}

# records N: the flow records collector N printed, sorted.
records() {
    grep '^domain=' "$TESTDIR/dump$1.out" | sort
}

# has N LINE: collector N printed LINE.
has() {
    grep -qxF "$2" "$TESTDIR/dump$1.out"
}

# --- The collector runs before the exporter exists. ---
start_dump 1
ipfix=$(osm_host_vsctl hv1 -- --id=@br get bridge br-int \
            -- --id=@i create IPFIX targets=\"127.0.0.1:$port\" \
               cache_max_flows=0 \
            -- create Flow_Sample_Collector_Set id=1 bridge=@br ipfix=@i) \
    || fail "cannot configure the IPFIX collector set"
ipfix=$(osm_host_vsctl hv1 --bare --columns=_uuid list IPFIX)

send udp 10.0.0.1 1234 10.0.0.2 5678 10
send udp fd00::1 1235 fd00::2 5679 20
send tcp 10.0.0.1 40000 10.0.0.2 80 0
send tcp fd00::1 40001 fd00::2 443 8
osm_pod_exec p1 ping -q -c 1 -W 1 -s 56 10.0.0.2 > /dev/null \
    || fail "p1 cannot ping p2"
osm_pod_exec p1 ping -q -c 1 -W 1 -s 56 fd00::2 > /dev/null \
    || fail "p1 cannot ping p2 over IPv6"

expected="domain=7 point=3 v4 6 10.0.0.1:40000 > 10.0.0.2:80 octets=40 packets=1
domain=7 point=4 v4 17 10.0.0.1:1234 > 10.0.0.2:5678 octets=38 packets=1
domain=7 point=5 v4 1 10.0.0.1:0 > 10.0.0.2:0 octets=84 packets=1
domain=7 point=6 v6 6 [fd00::1]:40001 > [fd00::2]:443 octets=68 packets=1
domain=7 point=7 v6 17 [fd00::1]:1235 > [fd00::2]:5679 octets=68 packets=1
domain=7 point=8 v6 58 [fd00::1]:0 > [fd00::2]:0 octets=104 packets=1"
got() {
    [ "$(records 1)" = "$expected" ]
}
OSM_WAIT=10 wait_until got
# The templates came first: all of them, and no data set was skipped.
has 1 templates=89 || fail "collector 1 did not get OVS's 89 templates"
! grep -q '^skipped=\|^error' "$TESTDIR/dump1.out" \
    || fail "collector 1: $(grep '^skipped=\|^error' "$TESTDIR/dump1.out")"

# Sampling at 1/3: each record stands for 3 packets (65535 / 21845), and
# its octets for 3 times the IP length.
send udp 10.0.0.1 1236 10.0.0.2 7000 10 30
OSM_WAIT=10 wait_until has 1 \
    "domain=7 point=9 v4 17 10.0.0.1:1236 > 10.0.0.2:7000 octets=114 packets=3"
sleep 0.5
n=$(grep -c 'point=9 ' "$TESTDIR/dump1.out")
[ "$n" -ge 3 ] && [ "$n" -le 25 ] \
    || fail "$n of 30 packets sampled at probability 1/3"
stop_dump 1
cat "$TESTDIR/dump1.err"

# --- A new collector on a new port, set in one transaction. ---
start_dump 2
check osm_host_vsctl hv1 set IPFIX "$ipfix" targets=\"127.0.0.1:$port\"
send udp 10.0.0.1 1234 10.0.0.2 5678 10
OSM_WAIT=10 wait_until has 2 skipped=1
sleep 1
[ -z "$(records 2)" ] \
    || fail "collector 2 decoded records without templates: $(records 2)"
! has 2 templates=89 || fail "OVS re-sent templates on a port change"
stop_dump 2
echo "one-transaction port change: no templates, records not decodable"

# --- Targets removed, then set in a second transaction. ---
start_dump 3
check osm_host_vsctl hv1 clear IPFIX "$ipfix" targets
check osm_host_vsctl hv1 set IPFIX "$ipfix" targets=\"127.0.0.1:$port\"
send udp 10.0.0.1 1234 10.0.0.2 5678 10
OSM_WAIT=10 wait_until has 3 \
    "domain=7 point=4 v4 17 10.0.0.1:1234 > 10.0.0.2:5678 octets=38 packets=1"
has 3 templates=89 || fail "collector 3 did not get the templates"

# The templates went to domain 7 only: domain 8's records are skipped.
send udp 10.0.0.1 1237 10.0.0.2 8000 10
OSM_WAIT=10 wait_until has 3 skipped=1
send udp fd00::1 1235 fd00::2 5679 20
OSM_WAIT=10 wait_until has 3 \
    "domain=7 point=7 v6 17 [fd00::1]:1235 > [fd00::2]:5679 octets=68 packets=1"
! grep -q 'domain=8' "$TESTDIR/dump3.out" || fail "domain 8 decoded"
! grep -q '^error' "$TESTDIR/dump3.out" \
    || fail "collector 3: $(grep '^error' "$TESTDIR/dump3.out")"
stop_dump 3
cat "$TESTDIR/dump3.err"
echo "two-transaction re-creation: templates (domain 7 only), records decoded"

# --- The same, with templates shared between domains. ---
start_dump 4 --share-templates
check osm_host_vsctl hv1 clear IPFIX "$ipfix" targets
check osm_host_vsctl hv1 set IPFIX "$ipfix" targets=\"127.0.0.1:$port\"
send udp 10.0.0.1 1234 10.0.0.2 5678 10
send udp 10.0.0.1 1237 10.0.0.2 8000 10
OSM_WAIT=10 wait_until has 4 \
    "domain=8 point=10 v4 17 10.0.0.1:1237 > 10.0.0.2:8000 octets=38 packets=1"
has 4 \
    "domain=7 point=4 v4 17 10.0.0.1:1234 > 10.0.0.2:5678 octets=38 packets=1" \
    || fail "collector 4 lacks domain 7's record"
! grep -q '^skipped=\|^error' "$TESTDIR/dump4.out" \
    || fail "collector 4: $(grep '^skipped=\|^error' "$TESTDIR/dump4.out")"
stop_dump 4
echo "shared templates: domain 8 decoded with domain 7's templates"
