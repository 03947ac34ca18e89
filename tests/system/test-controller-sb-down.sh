#!/bin/bash
# While the southbound database is down (a restart, an upgrade, a cluster
# election), osmotic-controller waits for it without spinning, also while
# it holds a promoted connection (whose statistics it reads on a timer):
# its log shows no wake-ups for a timeout of 0 ms; once the database is
# back, the controller reconnects and binds a new port.
. "$(dirname "$0")/lib.sh"
osm_test_init

osm_start_central
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_lsp_add sw0 lp1 0a:00:00:00:42:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:42:02 10.244.0.2
osm_add_pod hv1 p1 0a:00:00:00:42:01 10.244.0.1/24 lp1
osm_add_pod hv2 p2 0a:00:00:00:42:02 10.244.0.2/24 lp2
osm_prime_underlay hv1 hv2
# A transfer to port 5201 becomes an elephant after 1 MB and stays one
# for a minute after it ends.
check osmotic-nbctl class-add bulk 100 'tcp.dst == 5201' mouse \
    --promote-to=elephant --promote-bytes=1000000 --demote-idle=60
check osmotic-nbctl --wait=hv sync
wait_until osm_ping p1 10.244.0.2

LOG=$(osm_host_dir hv1)/osmotic-controller.log
# spins: hv1's controller logged a wake-up for a timeout of 0 ms with
# high CPU usage (poll_loop logs those when a process uses most of a CPU).
spins() {
    grep -q 'poll_loop.*wakeup due to 0-ms timeout.*CPU usage' "$LOG"
}
# collector_up: hv1's controller receives its flow samples.
collector_up() {
    osm_ctl_appctl hv1 color/status | grep -q 'collector: 127.0.0.1'
}
wait_until collector_up
osm_pod_iperf3_server p2 5201
sleep 0.5
osm_pod_exec p1 timeout 20 iperf3 -c 10.244.0.2 -p 5201 -t 2 -b 20M \
    > "$TESTDIR/transfer" 2>&1 || fail "iperf3: $(tail "$TESTDIR/transfer")"
# promoted: hv1 holds the transfer as an elephant.
promoted() {
    osm_ctl_appctl hv1 color/elephants | grep -q 'color=elephant rule=bulk'
}
wait_until promoted
spins && fail "the controller spun before the test"

# The SB server stops for 5 seconds.
osm_kill_pidfile "$TESTDIR/osmotic-sb.pid"
sleep 5
if spins; then
    grep 'poll_loop' "$LOG" | tail -n 3
    fail "the controller spun while the SB was down"
fi
promoted || fail "the promotion was lost while the SB was down"

# Back, on the same file: the controller reconnects and binds a new port.
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-sb.pid" \
    --unixctl="$TESTDIR/osmotic-sb.ctl" --log-file="$TESTDIR/osmotic-sb.log" \
    --remote=punix:"$TESTDIR/osmotic-sb.sock" "$TESTDIR/osmotic-sb.db" \
    || fail "restart the SB server"
osm_lsp_add sw0 lp3 0a:00:00:00:42:03 10.244.0.3
osm_add_pod hv1 p3 0a:00:00:00:42:03 10.244.0.3/24 lp3
check osmotic-nbctl --timeout=60 --wait=hv sync
check_output up osmotic-nbctl lsp-get-up lp3
check_ping p3 10.244.0.2
echo ok
