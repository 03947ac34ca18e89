#!/bin/bash
# Packet-ins: a logical flow with log() hands its packets to the
# controller, whose log handler writes one line per packet; a pod
# flooding about 10,000 such packets a second is held to the handler's
# meter (100 packets/s, burst 100) in the datapath, the controller keeps
# answering its management socket, and another pod's traffic passes.  The
# southbound rows are written by hand, without northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sb-lib.sh"
osm_test_init
osm_start_sb

sb "$(sb_datapath 7 sw),
    $(sb_port lp1 1), $(sb_port lp2 2), $(sb_port lp3 3),
    $(sb_lflow ingress 3 100 udp,tp_dst=9999 'log(name=flood, severity=info, verdict=allow); next;'),
    $(sb_lflow ingress 3 0 '' 'next;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0b:01 'outport = 1; output;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0b:02 'outport = 2; output;'),
    $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0b:03 'outport = 3; output;')" \
    > /dev/null

osm_add_underlay
osm_add_host hv1 172.31.0.1
for i in 1 2 3; do
    osm_add_pod hv1 p$i 0a:00:00:00:0b:0$i 10.244.0.$i/24 lp$i
done
for i in 1 2 3; do
    for j in 1 2 3; do
        [ $i = $j ] || osm_pod_exec p$i ip neigh replace 10.244.0.$j \
            lladdr 0a:00:00:00:0b:0$j dev eth0 nud permanent
    done
done
log=$(osm_host_dir hv1)/osmotic-controller.log
wait_until osm_ping p3 10.244.0.2

# count FIELD: a counter of the controller's ofctrl/flow-counts.
count() {
    osm_ctl_appctl hv1 ofctrl/flow-counts | sed -n "s/^$1: //p"
}
check_output connected count "packet-in connection"

# One packet: one log line, with the action's options and the headers.
udp_send() {
    osm_pod_exec p1 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rate, secs = int(sys.argv[1]), float(sys.argv[2])
n, start = 0, time.time()
while True:
    now = time.time() - start
    if now >= secs:
        break
    while n < int(now * rate) + 1:
        s.sendto(b"flood", ("10.244.0.2", 9999))
        n += 1
    time.sleep(0.0005)
print(n)
' "$@"
}
check udp_send 1 0.001
wait_until grep -q "pinctrl_log|INFO|log(name=flood, severity=info, verdict=allow, direction=from-lport, datapath=sw, inport=lp1, outport=-): udp,.*nw_src=10.244.0.1,nw_dst=10.244.0.2,.*tp_dst=9999" "$log"
check_output 1 count "packet-ins log"

# The flood, 3 s at 10,000 packets/s, while the controller is asked for
# its status and p3 pings p2.
udp_send 10000 3 > "$TESTDIR/sent" &
flood=$!
ok=0 slowest=0
for i in $(seq 10); do
    t0=$(date +%s%N)
    timeout 1 ovs-appctl -t "$(osm_host_dir hv1)/osmotic-controller.ctl" \
        controller/status > /dev/null || fail "controller/status timed out during the flood"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ $ms -le $slowest ] || slowest=$ms
    sleep 0.2
done
osm_ping p3 10.244.0.2 || fail "p3 cannot reach p2 during the flood"
wait $flood || fail "flood sender failed"
sent=$(cat "$TESTDIR/sent")
echo "flood: $sent packets sent; slowest controller/status ${slowest} ms"
# A busy machine may not reach the full rate; a third of it is still a
# flood 30 times the meter's rate.
[ "$sent" -ge 10000 ] || fail "the flood sent only $sent packets"
sleep 1
n=$(count "packet-ins log")
echo "packet-ins handled: $n"
# At 100/s with a burst of 100 over about 4 s (3 s of flood and the
# setup): far fewer than were sent, and some.
[ "$n" -le 600 ] || fail "the meter let $n of $sent packet-ins through"
[ "$n" -ge 100 ] || fail "only $n packet-ins handled"
osm_pod_exec p2 true || fail "p2 gone"
echo PASS
