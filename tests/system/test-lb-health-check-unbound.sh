#!/bin/bash
# Load balancer health checks and backends that no controller probes: a
# TCP VIP (reached through the switch's router) with backends b1 (hv1) and b2 (hv2), both online.  b2's
# interface loses its iface-id (its port is unbound): its monitor turns
# offline without a probe and 40 new connections all reach b1; the
# iface-id back, b2 is probed online and gets connections again.  Then
# hv2's controller stops and its chassis is deleted: b2 is offline again
# and b1 serves everything; the controller restarts, registers and
# claims the port, and b2 is back.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw0 0a:00:00:00:ff:01 10.10.1.1/24
osm_lsp_add sw0 lb1 0a:00:00:00:01:11 10.10.1.11
osm_lsp_add sw0 lb2 0a:00:00:00:01:12 10.10.1.12
osm_lsp_add sw0 lc1 0a:00:00:00:01:21 10.10.1.21
osm_add_pod hv1 b1 0a:00:00:00:01:11 10.10.1.11/24 lb1
osm_add_pod hv2 b2 0a:00:00:00:01:12 10.10.1.12/24 lb2
osm_add_pod hv1 c1 0a:00:00:00:01:21 10.10.1.21/24 lc1
check osmotic-nbctl lsp-add sw0 sw0-lr0 \
    -- lsp-set-type sw0-lr0 router \
    -- lsp-set-addresses sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lr0-sw0
for pod in b1 b2 c1; do
    osm_pod_exec $pod ip route add default via 10.10.1.1
done
osm_prime_underlay hv1 hv2
check osmotic-nbctl --timeout=20 --wait=hv sync
wait_until osm_ping c1 10.10.1.12

# Each backend answers a TCP line on port 80 with its name.
SERVER='
import socket, sys, threading
name = sys.argv[1].encode()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80))
s.listen(128)
def serve(c):
    for line in c.makefile("rb"):
        c.sendall(name + b"\n")
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'
for pod in b1 b2; do
    ip netns exec "$(osm_ns $pod)" timeout 600 python3 -c "$SERVER" $pod \
        < /dev/null >> "$TESTDIR/server-$pod.log" 2>&1 &
    echo $! > "$TESTDIR/server-$pod.pid"
    osm_track_pidfile "$TESTDIR/server-$pod.pid"
done
for pod in b1 b2; do
    wait_until tcp_listening $pod 80
done

# clients N: N connections from c1 to the VIP; prints how many each
# backend answered ("b1=17 b2=23") and "fail=K" for those that failed.
clients() {
    osm_pod_exec c1 python3 -c '
import collections, socket, sys
count = collections.Counter()
for i in range(int(sys.argv[1])):
    try:
        s = socket.create_connection(("172.30.0.10", 80), timeout=2)
        s.sendall(b"hello\n")
        count[s.makefile("rb").readline().strip().decode() or "fail"] += 1
        s.close()
    except OSError:
        count["fail"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(count.items())))
' "$1"
}
# status IP: the status of the Service_Monitor row of backend IP.
status() {
    osmotic-sbctl --bare --columns=status find Service_Monitor ip="$1"
}
status_is() {
    [ "$(status "$1")" = "$2" ]
}
# check_only_b1 WHAT: 40 connections all succeed, all on b1.
check_only_b1() {
    local out
    check osmotic-nbctl --timeout=20 --wait=hv sync
    out=$(clients 40) || fail "clients: $out"
    echo "40 connections, $1: $out"
    [ "$out" = "b1=40" ] || fail "$1: $out"
}
# check_both WHAT: 40 connections all succeed, on both backends.
check_both() {
    local out
    check osmotic-nbctl --timeout=20 --wait=hv sync
    out=$(clients 40) || fail "clients: $out"
    echo "40 connections, $1: $out"
    case " $out " in
        *" fail="*) fail "$1: connections failed: $out" ;;
    esac
    case "$out" in
        *b1=*b2=*) ;;
        *) fail "$1: not both backends: $out" ;;
    esac
}

check osmotic-nbctl lb-add lbt 172.30.0.10:80 10.10.1.11:80,10.10.1.12:80 \
    tcp -- ls-lb-add sw0 lbt
check osmotic-nbctl \
    -- --id=@hc create Load_Balancer_Health_Check vip='"172.30.0.10:80"' \
       options:interval=1 options:timeout=1 options:success_count=1 \
       options:failure_count=2 \
    -- add Load_Balancer lbt health_check @hc \
    -- set Load_Balancer lbt ip_port_mappings:10.10.1.11=lb1:10.10.1.250 \
       ip_port_mappings:10.10.1.12=lb2:10.10.1.250
wait_until status_is 10.10.1.11 online
wait_until status_is 10.10.1.12 online
check_both "both backends online"

# b2's port unbound: no controller probes it any more.
check osm_host_vsctl hv2 remove interface v-b2 external_ids iface-id
wait_until status_is 10.10.1.12 offline
check_output online status 10.10.1.11
check_only_b1 "b2's port unbound"

# Bound again: probed, online, in rotation.
check osm_host_vsctl hv2 set interface v-b2 external_ids:iface-id=lb2
wait_until status_is 10.10.1.12 online
check_both "b2's port bound again"

# hv2's controller stops and its chassis goes from SB.
osm_stop_controller hv2
check osmotic-sbctl chassis-del hv2
wait_until status_is 10.10.1.12 offline
check_only_b1 "hv2's chassis deleted"

# The controller back: its chassis, the port's binding, probes.
osm_start_controller hv2
OSM_WAIT=30 wait_until status_is 10.10.1.12 online
check_both "hv2 back"

for pod in b1 b2; do
    osm_kill_pidfile "$TESTDIR/server-$pod.pid"
done
echo "PASS"
