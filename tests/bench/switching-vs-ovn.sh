#!/bin/bash
# Switching benchmark: Osmotic against the reference OVN (23.03, Debian's
# ovn-central and ovn-host) on the same netns testbed, in the same run.
#
# Both systems get the same topology: one logical switch, two ports with
# addresses and port security, one pod on each of two hosts.  Each host is
# a namespace with its own ovsdb-server and ovs-vswitchd (userspace
# datapath), joined by Geneve over br-phy0 (tests/system/lib.sh).  The two
# testbeds run side by side and the measurements alternate between them,
# so a change of machine load hits both alike.
#
# Measured per system (medians over BENCH_RUNS rounds where it says so):
#   - TCP throughput pod to pod (iperf3 -t BENCH_TIME), median, and the
#     ovs-vswitchd CPU time (both hosts) per 100 MB received;
#   - new TCP connections per second (wrk, "Connection: close", against
#     bench-httpd in the other pod), median; once as configured and once
#     with the datapath's megaflow cache off, so that every connection's
#     first packets take the full OpenFlow pipeline (upcalls); with
#     each, the ovs-vswitchd CPU time (both hosts) per connection;
#   - ping latency (ping -c BENCH_PINGS -i 0.01 in every round): average
#     and p99 over the samples of all rounds, and the ovs-vswitchd CPU time
#     (both hosts) per ping;
#   - UDP request-response latency (sockperf ping-pong, 1000 messages/s
#     for BENCH_LAT_TIME seconds in every round): round-trip average and
#     p99, medians over the rounds;
#   - OpenFlow flows on br-int: total over both hosts, per pod port,
#     distinct tables holding flows, and (at the end) how many flows a
#     third pod adds;
#   - tables a pod-to-remote-pod TCP SYN crosses on the sending host
#     (ofproto/trace: lookups, and distinct tables);
#     (tests/bench/pipeline-features-vs-ovn.sh counts the same and the
#     flows with ACLs, a load balancer, a router or a colour class
#     configured);
#   - time for "nbctl --wait=hv lsp-add ... -- lsp-set-addresses ..." to
#     return, median of BENCH_PORT_ADDS adds;
#   - at the end, with host 1's ovs-vswitchd restarted under valgrind's
#     callgrind: the instructions it executes in user space per ping, per
#     new connection (megaflows on and off) and per MB of TCP, which,
#     unlike times, do not depend on the machine's load.
# Both systems run with the same outer UDP checksum on their Geneve
# tunnels (BENCH_CSUM, default false: osmotic-encap-csum on Osmotic's
# hosts, ovn-encap-csum on OVN's), checked on the tunnels themselves, and
# the same configuration: one switch, two ports with addresses and port
# security, no ACL, no load balancer, no router (checked in both NBs).
# Everything is configured with "nbctl --wait=hv" before measuring.
#
# It prints a table with both systems, their ratio osmotic/OVN as the
# median of per-round (or per-add) paired ratios with its range, a
# verdict that says "ahead" or "behind" only when the whole range is on
# one side, and the machine load (/proc/loadavg) before and after every
# round next to that round's figures.  Nothing here is pass/fail.
#
# usage: tests/bench/switching-vs-ovn.sh [osmotic] [ovn]   (default both)
#
# Environment: OSM_BUILDDIR (built tree with osmotic-* binaries),
# BENCH_RUNS (rounds, default 3), BENCH_TIME (seconds per iperf3/wrk run,
# default 10), BENCH_PINGS (pings per round, default 500), BENCH_LAT_TIME
# (seconds per sockperf run, default 5), BENCH_PORT_ADDS (default 5),
# BENCH_OUT (also write the result table to this file), BENCH_INSTRUCTIONS
# (1: count instructions, 0: do not, default: if valgrind is installed),
# BENCH_CSUM (true or false: the outer UDP checksum of both systems'
# tunnels, default false), OSM_CLIENT_TIMEOUT (seconds any client call may
# take, default 300), OSM_KEEP=1 (keep the test directory).  Needs root,
# iperf3, wrk, sockperf, a C compiler and, for OVN, ovn-central and ovn-host installed (their services need
# not and should not run: the benchmark starts its own daemons in its own
# directory).

here=$(cd "$(dirname "$0")" && pwd)
# Every client call is bounded (tests/system/lib.sh); a benchmark's
# calls run longer than a test's.
: "${OSM_CLIENT_TIMEOUT:=300}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"
. "$here/bench-lib.sh"

BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_TIME=${BENCH_TIME:-10}
BENCH_PORT_ADDS=${BENCH_PORT_ADDS:-5}
BENCH_PINGS=${BENCH_PINGS:-500}
BENCH_LAT_TIME=${BENCH_LAT_TIME:-5}
BENCH_INSTRUCTIONS=${BENCH_INSTRUCTIONS:-auto}
BENCH_CSUM=${BENCH_CSUM:-false}

check_bench_knobs BENCH_RUNS BENCH_TIME BENCH_PORT_ADDS BENCH_PINGS \
                  BENCH_LAT_TIME

systems=("$@")
[ ${#systems[@]} -gt 0 ] || systems=(osmotic ovn)
for s in "${systems[@]}"; do
    case $s in
        osmotic) command -v osmotic-northd >/dev/null \
                     || fail "osmotic-northd not found (set OSM_BUILDDIR)" ;;
        ovn) command -v ovn-northd >/dev/null || fail "ovn-northd not" \
                 "found (apt-get install ovn-central ovn-host)" ;;
        *) fail "unknown system '$s' (expected osmotic or ovn)" ;;
    esac
done
for tool in iperf3 wrk sockperf ping cc python3; do
    command -v $tool >/dev/null || fail "$tool is needed"
done
case $BENCH_INSTRUCTIONS in
    auto) if command -v valgrind >/dev/null \
              && command -v callgrind_control >/dev/null; then
              BENCH_INSTRUCTIONS=1
          else
              BENCH_INSTRUCTIONS=0
          fi ;;
    1) command -v callgrind_control >/dev/null \
           || fail "BENCH_INSTRUCTIONS=1 needs valgrind" ;;
    0) ;;
    *) fail "BENCH_INSTRUCTIONS must be 0 or 1, not '$BENCH_INSTRUCTIONS'" ;;
esac
[ "$(id -u)" = 0 ] || fail "the benchmark needs root (namespaces, OVS)"

osm_test_init
cc -O2 -o "$TESTDIR/bench-httpd" "$here/bench-httpd.c" \
    || fail "cannot compile bench-httpd"

# Pod addresses: the same in both testbeds (every pod has its own netns).
MAC1=0a:00:00:00:00:01
MAC2=0a:00:00:00:00:02
IP1=10.244.0.1
IP2=10.244.0.2
HTTP_PORT=8080
SOCKPERF_PORT=11111

# Results: RES[system.metric] = value.
declare -A RES
ROUND_LOADS=()

# sys_prefix SYSTEM: the short name prefix of SYSTEM's hosts and pods.
sys_prefix() {
    case $1 in
        osmotic) echo osm ;;
        ovn) echo ovn ;;
    esac
}

# sys_nbctl SYSTEM ARGS...: SYSTEM's nbctl against its NB database.
sys_nbctl() {
    local s=$1
    shift
    case $s in
        osmotic) osmotic-nbctl "$@" ;;
        ovn) ovn-nbctl --timeout="$OSM_CLIENT_TIMEOUT" \
                 --db=unix:"$TESTDIR/ovn-nb.sock" "$@" ;;
    esac
}

# start_osmotic_central: Osmotic's NB and SB ovsdb-servers and northd.
start_osmotic_central() {
    osm_start_nb
    osm_start_sb
    osm_start_northd
}

# add_lport SYSTEM PORT MAC IP: logical port PORT on sw0 with addresses and
# port security "MAC IP".
add_lport() {
    local s=$1 port=$2 mac=$3 ip=$4
    sys_nbctl "$s" lsp-add sw0 "$port" \
        -- lsp-set-addresses "$port" "$mac $ip" \
        -- lsp-set-port-security "$port" "$mac $ip" \
        || fail "$s: cannot add logical port $port"
}

# pod_reaches SYSTEM: true if pod 1 of SYSTEM pings pod 2.
pod_reaches() {
    osm_pod_exec "$(sys_prefix "$1")-p1" ping -q -c 1 -W 1 $IP2 >/dev/null
}

# setup_system SYSTEM LANE-BASE: central daemons, two hosts, the topology
# and two pods; waits until pod 1 reaches pod 2.
setup_system() {
    local s=$1 base=$2 p
    p=$(sys_prefix "$s")
    case $s in
        osmotic)
            start_osmotic_central
            OSM_NO_CONTROLLER=1 osm_add_host $p-hv1 172.31.0.$((base + 1))
            OSM_NO_CONTROLLER=1 osm_add_host $p-hv2 172.31.0.$((base + 2))
            for h in $p-hv1 $p-hv2; do
                osm_host_vsctl $h set open_vswitch . \
                    external_ids:osmotic-encap-csum="$BENCH_CSUM" \
                    || fail "osmotic-encap-csum on $h"
                osm_start_controller $h
            done
            ;;
        ovn)
            start_ovn_central
            add_ovn_host $p-hv1 172.31.0.$((base + 1))
            add_ovn_host $p-hv2 172.31.0.$((base + 2))
            ;;
    esac
    sys_nbctl "$s" ls-add sw0 || fail "$s: ls-add"
    add_lport "$s" lp1 $MAC1 $IP1
    add_lport "$s" lp2 $MAC2 $IP2
    osm_add_pod $p-hv1 $p-p1 $MAC1 $IP1/24 lp1
    osm_add_pod $p-hv2 $p-p2 $MAC2 $IP2/24 lp2
    for pod in $p-p1 $p-p2; do
        osm_pod_exec $pod sysctl -q -w \
            net.ipv4.ip_local_port_range="10000 65000" >/dev/null
    done
    sys_nbctl "$s" --wait=hv sync || fail "$s: --wait=hv sync"
    OSM_WAIT=60 wait_until pod_reaches "$s"
    check_config "$s"
    # Servers in pod 2: iperf3 and the HTTP responder.
    osm_pod_exec $p-p2 iperf3 -s -D --pidfile "$TESTDIR/$p-iperf3.pid" \
        >/dev/null 2>&1 || fail "$s: iperf3 server"
    osm_track_pidfile "$TESTDIR/$p-iperf3.pid"
    # Not through a shell function: "ip netns exec" execs the server, so
    # $! is the server's own pid.
    ip netns exec "$(osm_ns $p-p2)" "$TESTDIR/bench-httpd" $HTTP_PORT \
        >/dev/null 2>&1 </dev/null &
    echo $! > "$TESTDIR/$p-httpd.pid"
    osm_track_pidfile "$TESTDIR/$p-httpd.pid"
    ip netns exec "$(osm_ns $p-p2)" sockperf server -i $IP2 \
        -p $SOCKPERF_PORT >/dev/null 2>&1 </dev/null &
    echo $! > "$TESTDIR/$p-sockperf.pid"
    osm_track_pidfile "$TESTDIR/$p-sockperf.pid"
    sleep 1
}

# tunnel_csum SYSTEM: the outer UDP checksum setting ("true" or "false")
# of the Geneve tunnel on SYSTEM's host 1, as Open vSwitch has it (a
# tunnel without the option sends none).
tunnel_csum() {
    local p csum
    p=$(sys_prefix "$1")
    csum=$(osm_host_vsctl $p-hv1 --bare --columns=options find interface \
               type=geneve) || fail "$1: cannot read the tunnel"
    [ -n "$csum" ] || fail "$1: no Geneve tunnel on host 1"
    case $csum in
        *csum=true*) echo true ;;
        *) echo false ;;
    esac
}

# check_config SYSTEM: SYSTEM's NB holds the benchmark's configuration and
# nothing more (no ACL, load balancer or router on either side, so that
# "tables crossed" and "flows per port" compare like with like as far as
# configuration goes), and its tunnels carry the outer UDP checksum that
# BENCH_CSUM says.  Records both for the report.
check_config() {
    local s=$1 acls lbs lrs ports csum
    acls=$(sys_nbctl "$s" acl-list sw0) || fail "$s: acl-list"
    lbs=$(sys_nbctl "$s" ls-lb-list sw0) || fail "$s: ls-lb-list"
    lrs=$(sys_nbctl "$s" lr-list) || fail "$s: lr-list"
    ports=$(sys_nbctl "$s" lsp-list sw0 | wc -l) || fail "$s: lsp-list"
    [ -z "$acls$lbs$lrs" ] \
        || fail "$s: expected no ACL, load balancer or router:" \
                "[$acls] [$lbs] [$lrs]"
    [ "$ports" = 2 ] || fail "$s: expected 2 ports on sw0, got $ports"
    csum=$(tunnel_csum "$s") || exit 1
    [ "$csum" = "$BENCH_CSUM" ] \
        || fail "$s: tunnel csum=$csum, BENCH_CSUM=$BENCH_CSUM"
    RES[$s.config]="sw0 with 2 ports (addresses, port security), 0 ACLs,"
    RES[$s.config]+=" 0 load balancers, 0 routers; tunnel csum=$csum"
}

# vswitchd_cpu_ns SYSTEM: nanoseconds of CPU time used so far by the
# ovs-vswitchd of both of SYSTEM's hosts, all threads (from the
# scheduler's statistics, finer than clock ticks).
vswitchd_cpu_ns() {
    local p h pid total=0 ns
    p=$(sys_prefix "$1")
    for h in $p-hv1 $p-hv2; do
        pid=$(cat "$(osm_host_dir $h)/ovs-vswitchd.pid")
        for ns in $(cut -d' ' -f1 /proc/$pid/task/*/schedstat \
                        2>/dev/null); do
            total=$((total + ns))
        done
    done
    echo $total
}

# measure_iperf SYSTEM: one iperf3 run; appends Mbit/s, retransmits and
# the milliseconds of ovs-vswitchd CPU (both hosts) per 100 MB received.
measure_iperf() {
    local s=$1 p t0 t1 mbps retr mb
    p=$(sys_prefix "$s")
    t0=$(vswitchd_cpu_ns "$s")
    read -r mbps retr mb < <(osm_pod_exec $p-p1 iperf3 -c $IP2 \
                                 -t "$BENCH_TIME" -J 2>/dev/null \
                                 | iperf_summary)
    t1=$(vswitchd_cpu_ns "$s")
    awk -v m="$mbps" -v r="$retr" -v mb="$mb" -v ns=$((t1 - t0)) 'BEGIN {
        printf "%s %s %.1f\n", m, r, (mb > 0 ? ns / 1e6 * 100 / mb : 0) }' \
        >> "$TESTDIR/$s.iperf"
}

# vswitchd_ticks SYSTEM: CPU time (user + system, clock ticks) used so
# far by the ovs-vswitchd of both of SYSTEM's hosts, all threads.
vswitchd_ticks() {
    local p h pid total=0
    p=$(sys_prefix "$1")
    for h in $p-hv1 $p-hv2; do
        pid=$(cat "$(osm_host_dir $h)/ovs-vswitchd.pid")
        total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") ))
    done
    echo $total
}

# measure_connrate SYSTEM FILE: one wrk run; appends to FILE the requests
# (= new TCP connections) per second and the microseconds of ovs-vswitchd
# CPU (both hosts) per connection.  CPU time per connection depends much
# less on the machine's other load than the rate does.
measure_connrate() {
    local s=$1 file=$2 p out t0 t1
    p=$(sys_prefix "$s")
    t0=$(vswitchd_ticks "$s")
    out=$(osm_pod_exec $p-p1 wrk -t1 -c8 -d"${BENCH_TIME}s" \
              -H 'Connection: close' "http://$IP2:$HTTP_PORT/" 2>&1)
    t1=$(vswitchd_ticks "$s")
    echo "$out" >> "$TESTDIR/$s.wrk.log"
    wrk_summary <<<"$out" \
        | awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '
            { printf "%s %.1f\n", $1, ($2 > 0 ? ticks * 1e6 / hz / $2 : 0) }' \
        >> "$file"
}

# measure_connrate_upcalls SYSTEM: measure_connrate with the megaflow
# cache of both hosts disabled, so that the datapath caches exact-match
# flows only and the first packet of every new connection (each
# direction) is an upcall through the whole OpenFlow pipeline.  This is
# what every new connection costs once the megaflows match L4 fields
# (conntrack, L4 ACLs, load balancers, colouring); with the default cache
# and no such features, all connections between two pods share one
# megaflow and the rate does not depend on the pipeline.
measure_connrate_upcalls() {
    local s=$1 p h
    p=$(sys_prefix "$s")
    for h in $p-hv1 $p-hv2; do
        osm_host_appctl $h upcall/disable-megaflows >/dev/null
    done
    measure_connrate "$s" "$TESTDIR/$s.connrate-upcalls"
    for h in $p-hv1 $p-hv2; do
        osm_host_appctl $h upcall/enable-megaflows >/dev/null
    done
}

# measure_ping SYSTEM: BENCH_PINGS pings at 10 ms; appends ping's output
# to $TESTDIR/SYSTEM.ping, this round's average and p99 (ms) to
# $TESTDIR/SYSTEM.ping-rounds and the microseconds of ovs-vswitchd CPU
# (both hosts) per ping to $TESTDIR/SYSTEM.ping-cpu.
measure_ping() {
    local s=$1 p t0 t1 out
    p=$(sys_prefix "$s")
    t0=$(vswitchd_cpu_ns "$s")
    out=$(osm_pod_exec $p-p1 ping -c "$BENCH_PINGS" -i 0.01 $IP2 2>&1)
    t1=$(vswitchd_cpu_ns "$s")
    echo "$out" >> "$TESTDIR/$s.ping"
    echo $(( (t1 - t0) / 1000 / BENCH_PINGS )) >> "$TESTDIR/$s.ping-cpu"
    grep -o 'time=[0-9.]*' <<<"$out" | cut -d= -f2 | sort -g \
        | awk '{ v[NR] = $1; t += $1 }
               END { if (!NR) { print "n/a n/a"; exit }
                     i = int(NR * 0.99 + 0.999)
                     printf "%.3f %s\n", t / NR, v[i] }' \
        >> "$TESTDIR/$s.ping-rounds"
}

# ping_results SYSTEM: average, p99 and loss over all of SYSTEM's pings.
ping_results() {
    local s=$1 sent received
    RES[$s.ping_avg]=$(grep -o 'time=[0-9.]*' "$TESTDIR/$s.ping" \
        | cut -d= -f2 | awk '{ t += $1 }
                             END { if (NR) { printf "%.3f\n", t / NR }
                                   else { print "n/a" } }')
    RES[$s.ping_p99]=$(grep -o 'time=[0-9.]*' "$TESTDIR/$s.ping" \
        | cut -d= -f2 | sort -g \
        | awk '{ v[NR] = $1 } END { i = int(NR * 0.99 + 0.999);
                                    if (i < 1) { print "n/a" }
                                    else { print v[i] } }')
    sent=$(awk '/packets transmitted/ { n += $1 } END { print n + 0 }' \
               "$TESTDIR/$s.ping")
    received=$(grep -c 'time=' "$TESTDIR/$s.ping")
    RES[$s.ping_samples]=$received
    RES[$s.ping_loss]=$(awk -v s="$sent" -v r="$received" 'BEGIN {
        if (s > 0) { printf "%.1f\n", (s - r) * 100 / s }
        else { print "n/a" } }')
    RES[$s.ping_cpu]=$(median < "$TESTDIR/$s.ping-cpu")
}

# measure_sockperf SYSTEM: one sockperf UDP ping-pong run from pod 1 to
# pod 2 at 1000 messages/s; appends the round-trip average and p99 (us).
measure_sockperf() {
    local s=$1 p
    p=$(sys_prefix "$s")
    timeout $((BENCH_LAT_TIME + 20)) ip netns exec "$(osm_ns $p-p1)" \
        sockperf ping-pong -i $IP2 -p $SOCKPERF_PORT -t "$BENCH_LAT_TIME" \
        --mps 1000 --full-rtt > "$TESTDIR/$s.sockperf.out" 2>&1
    cat "$TESTDIR/$s.sockperf.out" >> "$TESTDIR/$s.sockperf.log"
    sed 's/\x1b\[[0-9;]*m//g' "$TESTDIR/$s.sockperf.out" | awk '
        /avg-rtt=/ { a = $0; sub(/.*avg-rtt=/, "", a); sub(/ .*/, "", a) }
        /percentile 99.000 =/ { q = $NF }
        END { print (a == "" ? "n/a" : a), (q == "" ? "n/a" : q) }' \
        >> "$TESTDIR/$s.sockperf"
}

# count_flows SYSTEM HOST: prints the number of flows on HOST's br-int.
count_flows() {
    # "--no-stats" leaves out "table=0": count every flow by its actions.
    osm_host_ofctl "$2" dump-flows br-int --no-stats 2>/dev/null \
        | grep -c 'actions='
}

# flow_tables: the table of each flow of "dump-flows --no-stats" on stdin
# (which names no table for table 0).
flow_tables() {
    awk '/actions=/ { t = 0
                      if (match($0, /table=[0-9]+/))
                          t = substr($0, RSTART + 6, RLENGTH - 6)
                      print t }'
}

# measure_flows SYSTEM: flows on both hosts, per pod port, and the number
# of distinct tables holding flows on host 1.
measure_flows() {
    local s=$1 p n1 n2
    p=$(sys_prefix "$s")
    n1=$(count_flows "$s" $p-hv1)
    n2=$(count_flows "$s" $p-hv2)
    RES[$s.flows_total]=$((n1 + n2))
    RES[$s.flows_per_port]=$(( (n1 + n2) / 2 ))
    RES[$s.flow_tables]=$(osm_host_ofctl $p-hv1 dump-flows br-int \
        --no-stats 2>/dev/null | flow_tables | sort -u | wc -l)
}

# measure_trace SYSTEM: ofproto/trace of a TCP SYN from pod 1 to pod 2 on
# host 1; records table lookups and distinct tables crossed.
measure_trace() {
    local s=$1 p ofport flow
    p=$(sys_prefix "$s")
    ofport=$(osm_host_vsctl $p-hv1 get interface v-$p-p1 ofport)
    flow="in_port=$ofport,tcp,dl_src=$MAC1,dl_dst=$MAC2,nw_src=$IP1"
    flow+=",nw_dst=$IP2,nw_ttl=64,tp_src=40000,tp_dst=$HTTP_PORT"
    flow+=",tcp_flags=0x002"
    osm_host_appctl $p-hv1 ofproto/trace br-int "$flow" \
        > "$TESTDIR/$s.trace" 2>&1
    read -r RES[$s.trace_lookups] RES[$s.trace_tables] \
        < <(count_trace_lookups < "$TESTDIR/$s.trace")
}

# measure_port_add SYSTEM: median milliseconds for nbctl --wait=hv to add
# a port with addresses.
measure_port_add() {
    local s=$1 i t0 t1
    : > "$TESTDIR/$s.portadd"
    for i in $(seq "$BENCH_PORT_ADDS"); do
        t0=$(now_ms)
        sys_nbctl "$s" --wait=hv lsp-add sw0 "bench$i" \
            -- lsp-set-addresses "bench$i" \
               "0a:00:00:00:01:$(printf %02x "$i") 10.244.1.$i" \
            >/dev/null || fail "$s: lsp-add --wait=hv bench$i"
        t1=$(now_ms)
        echo $((t1 - t0)) >> "$TESTDIR/$s.portadd"
    done
    RES[$s.port_add_ms]=$(median < "$TESTDIR/$s.portadd")
    # The extra ports stay unbound; remove them so they add no flows.
    for i in $(seq "$BENCH_PORT_ADDS"); do
        sys_nbctl "$s" lsp-del "bench$i"
    done
    sys_nbctl "$s" --wait=hv sync
}

# pod3_reaches SYSTEM: true if pod 3 of SYSTEM pings pod 2.
pod3_reaches() {
    osm_pod_exec "$(sys_prefix "$1")-p3" ping -q -c 1 -W 1 $IP2 >/dev/null
}

# measure_marginal_flows SYSTEM: adds a third port and pod (on host 1)
# and records how many flows that adds on both hosts together: the cost
# of one more pod without the fixed flows every host has.
measure_marginal_flows() {
    local s=$1 p before after
    p=$(sys_prefix "$s")
    before=$(( $(count_flows "$s" $p-hv1) + $(count_flows "$s" $p-hv2) ))
    add_lport "$s" lp3 0a:00:00:00:00:03 10.244.0.3
    osm_add_pod $p-hv1 $p-p3 0a:00:00:00:00:03 10.244.0.3/24 lp3
    OSM_WAIT=60 wait_until pod3_reaches "$s"
    sys_nbctl "$s" --wait=hv sync || fail "$s: sync"
    after=$(( $(count_flows "$s" $p-hv1) + $(count_flows "$s" $p-hv2) ))
    RES[$s.flows_marginal]=$((after - before))
}

# cg_start SYSTEM: restarts the ovs-vswitchd of SYSTEM's host 1 under
# callgrind, and waits until pod 1 reaches pod 2 again (the controller
# reinstalls the flows).
cg_start() {
    local s=$1 p real
    p=$(sys_prefix "$s")
    real=$(command -v ovs-vswitchd) || fail "ovs-vswitchd not found"
    mkdir -p "$TESTDIR/cg"
    {
        echo '#!/bin/sh'
        echo "exec valgrind --tool=callgrind --trace-children=yes \\"
        echo "    --callgrind-out-file=$TESTDIR/cg/$p.%p.out $real \"\$@\""
    } > "$TESTDIR/cg/ovs-vswitchd"
    chmod +x "$TESTDIR/cg/ovs-vswitchd"
    osm_stop_vswitchd $p-hv1
    PATH=$TESTDIR/cg:$PATH osm_start_vswitchd $p-hv1
    OSM_WAIT=180 wait_until pod_reaches "$s"
}

# cg_count SYSTEM CMD...: runs CMD and prints the instructions that
# SYSTEM's host 1 ovs-vswitchd executed meanwhile (all of them: what it
# executes anyway, about a million a second here, is included).
cg_count() {
    local s=$1 p pid f ir
    shift
    p=$(sys_prefix "$s")
    pid=$(cat "$(osm_host_dir $p-hv1)/ovs-vswitchd.pid")
    callgrind_control -z "$pid" >/dev/null 2>&1
    "$@"
    callgrind_control -d "$pid" >/dev/null 2>&1
    f=$(ls -t "$TESTDIR/cg/$p.$pid.out".* 2>/dev/null | head -1)
    ir=$(awk '/^totals:/ { print $2 }' "$f" 2>/dev/null)
    echo "${ir:-0}"
}

# cg_wrk SYSTEM: a 5-second wrk run in SYSTEM's pod 1 with 2 connections
# at a time; records the connections made in $TESTDIR/SYSTEM.cg-conns.
cg_wrk() {
    osm_pod_exec "$(sys_prefix "$1")-p1" wrk -t1 -c2 -d5s \
        -H 'Connection: close' "http://$IP2:$HTTP_PORT/" 2>&1 \
        | awk '/ requests in / { print $1 }' > "$TESTDIR/$1.cg-conns"
}

# cg_iperf SYSTEM: iperf3 of 20 MB in SYSTEM's pod 1; records the MB
# received in $TESTDIR/SYSTEM.cg-mb.
cg_iperf() {
    osm_pod_exec "$(sys_prefix "$1")-p1" iperf3 -c $IP2 -n 20M -J \
        2>/dev/null | python3 -c '
import json, sys
try:
    print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bytes"]
                    / 1e6))
except Exception:
    print(0)
' > "$TESTDIR/$1.cg-mb"
}

# cg_megaflows SYSTEM enable|disable: the megaflow cache of both hosts.
cg_megaflows() {
    local p h
    p=$(sys_prefix "$1")
    for h in $p-hv1 $p-hv2; do
        osm_host_appctl $h upcall/$2-megaflows >/dev/null
    done
}

# per UNITS: prints thousands of instructions (stdin) per unit, or n/a.
per() {
    awk -v n="$1" '{ if (n > 0) { printf "%.1f\n", $1 / n / 1000 }
                     else { print "n/a" } }'
}

# measure_instructions: restarts host 1's ovs-vswitchd of every system
# under callgrind and counts, three times per system and alternating, its
# instructions per second idle, per ping, per new connection (megaflows on
# and off) and per MB of TCP; records the medians.
measure_instructions() {
    local s p round ir
    for s in "${systems[@]}"; do
        cg_start "$s"
    done
    sleep 10
    for round in 1 2 3; do
        for s in "${systems[@]}"; do
            p=$(sys_prefix "$s")
            cg_count "$s" sleep 2 | per 2 >> "$TESTDIR/$s.cg-idle"
            cg_count "$s" osm_pod_exec $p-p1 ping -q -c 200 -i 0.02 $IP2 \
                | tail -1 | per 200 >> "$TESTDIR/$s.cg-ping"
            ir=$(cg_count "$s" cg_wrk "$s")
            echo "$ir" | per "$(cat "$TESTDIR/$s.cg-conns")" \
                >> "$TESTDIR/$s.cg-conn"
            cg_megaflows "$s" disable
            ir=$(cg_count "$s" cg_wrk "$s")
            cg_megaflows "$s" enable
            echo "$ir" | per "$(cat "$TESTDIR/$s.cg-conns")" \
                >> "$TESTDIR/$s.cg-conn-nomf"
            ir=$(cg_count "$s" cg_iperf "$s")
            echo "$ir" | per "$(cat "$TESTDIR/$s.cg-mb")" \
                >> "$TESTDIR/$s.cg-mb-ins"
        done
    done
    for s in "${systems[@]}"; do
        RES[$s.ins_idle]=$(median < "$TESTDIR/$s.cg-idle")
        RES[$s.ins_ping]=$(median < "$TESTDIR/$s.cg-ping")
        RES[$s.ins_conn]=$(median < "$TESTDIR/$s.cg-conn")
        RES[$s.ins_conn_nomf]=$(median < "$TESTDIR/$s.cg-conn-nomf")
        RES[$s.ins_mb]=$(median < "$TESTDIR/$s.cg-mb-ins")
    done
}

# in_round FILE: the first figure of line $round of $TESTDIR/$s.FILE.
in_round() {
    sed -n "${round}p" "$TESTDIR/$s.$1" | cut -d' ' -f1
}

# report: prints the result table (and copies it to $BENCH_OUT).  Each
# row: KEY|LABEL|BETTER|SOURCE, where SOURCE is "FILE COLUMN" of the
# per-round (per-add) figures whose paired ratios make the ratio column,
# or empty for a figure measured once (its ratio is the ratio of the two
# values, and its range that one value).
report() {
    local key label better source a b r med lo hi row s
    local -a rows=(
        "iperf_mbps|TCP throughput, Mbit/s (median)|higher|iperf 1"
        "iperf_retr|TCP retransmits per run (median)|lower|iperf 2"
        "iperf_cpu|  vswitchd CPU per 100 MB, ms (median)|lower|iperf 3"
        "connrate|New TCP connections/s (median)|higher|connrate 1"
        "conn_cpu|  vswitchd CPU per connection, us|lower|connrate 2"
        "connrate_upcalls|Same, megaflows off: upcall each (median)|higher|"\
"connrate-upcalls 1"
        "conn_cpu_upcalls|  vswitchd CPU per connection, us|lower|"\
"connrate-upcalls 2"
        "ping_avg|Ping avg, ms|lower|ping-rounds 1"
        "ping_p99|Ping p99, ms|lower|ping-rounds 2"
        "ping_loss|Ping loss, %||"
        "ping_cpu|  vswitchd CPU per ping, us (median)|lower|ping-cpu 1"
        "sockperf_avg|UDP ping-pong RTT avg, us (median)|lower|sockperf 1"
        "sockperf_p99|UDP ping-pong RTT p99, us (median)|lower|sockperf 2"
        "flows_total|OpenFlow flows, both hosts|lower|"
        "flows_per_port|OpenFlow flows per pod port|lower|"
        "flows_marginal|Flows one more pod adds, both hosts|lower|"
        "flow_tables|OpenFlow tables with flows (host 1)|lower|"
        "trace_lookups|br-int lookups, TCP SYN to remote pod|lower|"
        "trace_tables|Distinct br-int tables, same packet|lower|"
        "port_add_ms|lsp-add --wait=hv, ms (median)|lower|portadd 1"
        "ins_idle|Host 1 vswitchd instructions/s idle, k|lower|cg-idle 1"
        "ins_ping|  same, per ping, k|lower|cg-ping 1"
        "ins_conn|  same, per new TCP connection, k|lower|cg-conn 1"
        "ins_conn_nomf|  same, megaflows off, k|lower|cg-conn-nomf 1"
        "ins_mb|  same, per MB of TCP, k|lower|cg-mb-ins 1"
    )
    {
        echo "Switching benchmark," \
             "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
        echo "rounds: $BENCH_RUNS x ${BENCH_TIME}s iperf3 and wrk," \
             "$BENCH_PINGS pings and ${BENCH_LAT_TIME}s sockperf per system"
        for s in "${systems[@]}"; do
            echo "configuration, $s: ${RES[$s.config]:-n/a}"
        done
        echo "(Tables crossed and flows per port: the same configuration on" \
             "both sides, no ACL, load balancer or router; Osmotic's"
        echo " pipeline skips the stages that have no flows, OVN's crosses" \
             "all of its tables; pipeline-features-vs-ovn.sh counts them"
        echo " with ACLs, a load balancer, a router or a colour class" \
             "configured.)"
        echo "ratio: osmotic/OVN, median of the per-round (per-add) ratios" \
             "and their range; verdict \"ahead\"/\"behind\""
        echo " only when the whole range is on one side"
        printf '%-40s %10s %10s %6s %11s %7s\n' metric osmotic ovn ratio \
            range verdict
        for row in "${rows[@]}"; do
            IFS='|' read -r key label better source <<<"$row"
            a=${RES[osmotic.$key]:-n/a}
            b=${RES[ovn.$key]:-n/a}
            if [ -n "$source" ]; then
                r=$(paired_ratio $source)
            else
                r=$(ratio "$a" "$b")
                [ "$r" = n/a ] || r="$r $r $r"
            fi
            read -r med lo hi <<<"$r"
            printf '%-40s %10s %10s %6s %11s %7s\n' "$label" "$a" "$b" \
                "$med" "${lo:+$lo-$hi}" "$(verdict "$better" $r)"
        done
        echo "every round (Mbit/s; connections/s; same, megaflows off;" \
             "sockperf avg us; ping avg ms), and the load average (1/5/15" \
             "min) before and after it:"
        for round in $(seq "$BENCH_RUNS"); do
            echo "  round $round: ${ROUND_LOADS[round - 1]:-n/a}"
            for s in "${systems[@]}"; do
                printf '    %-8s %s; %s; %s; %s; %s\n' "$s" \
                    "$(in_round iperf)" "$(in_round connrate)" \
                    "$(in_round connrate-upcalls)" "$(in_round sockperf)" \
                    "$(in_round ping-rounds)"
            done
        done
        for s in "${systems[@]}"; do
            echo "  $s: ${RES[$s.ping_samples]:-0} ping samples"
        done
        if [ "$BENCH_INSTRUCTIONS" = 1 ]; then
            echo "instructions, every round (k per second idle; per ping;" \
                 "per connection; same, megaflows off; per MB):"
            for s in "${systems[@]}"; do
                printf '  %-8s %s; %s; %s; %s; %s\n' "$s" \
                    "$(xargs < "$TESTDIR/$s.cg-idle")" \
                    "$(xargs < "$TESTDIR/$s.cg-ping")" \
                    "$(xargs < "$TESTDIR/$s.cg-conn")" \
                    "$(xargs < "$TESTDIR/$s.cg-conn-nomf")" \
                    "$(xargs < "$TESTDIR/$s.cg-mb-ins")"
            done
        fi
        echo "load average (1/5/15 min):"
        printf '  %s\n' "${LOADS[@]}"
    } | tee ${BENCH_OUT:+"$BENCH_OUT"}
}

note_load "before setup"
base=0
for s in "${systems[@]}"; do
    setup_system "$s" $base
    base=$((base + 10))
done

# Static measurements first, then the alternating traffic rounds.
for s in "${systems[@]}"; do
    measure_flows "$s"
    measure_trace "$s"
done
note_load "before traffic"
for round in $(seq "$BENCH_RUNS"); do
    load_before=$(loadavg)
    for s in "${systems[@]}"; do
        measure_ping "$s"
        measure_sockperf "$s"
        measure_iperf "$s"
        measure_connrate "$s" "$TESTDIR/$s.connrate"
        measure_connrate_upcalls "$s"
    done
    ROUND_LOADS+=("load $load_before before, $(loadavg) after")
    note_load "after round $round"
done
for s in "${systems[@]}"; do
    ping_results "$s"
    RES[$s.sockperf_avg]=$(cut -d' ' -f1 "$TESTDIR/$s.sockperf" | median)
    RES[$s.sockperf_p99]=$(cut -d' ' -f2 "$TESTDIR/$s.sockperf" | median)
    RES[$s.iperf_mbps]=$(cut -d' ' -f1 "$TESTDIR/$s.iperf" | median)
    RES[$s.iperf_retr]=$(cut -d' ' -f2 "$TESTDIR/$s.iperf" | median)
    RES[$s.iperf_cpu]=$(cut -d' ' -f3 "$TESTDIR/$s.iperf" | median)
    RES[$s.connrate]=$(cut -d' ' -f1 "$TESTDIR/$s.connrate" | median)
    RES[$s.conn_cpu]=$(cut -d' ' -f2 "$TESTDIR/$s.connrate" | median)
    RES[$s.connrate_upcalls]=$(cut -d' ' -f1 "$TESTDIR/$s.connrate-upcalls" \
                                   | median)
    RES[$s.conn_cpu_upcalls]=$(cut -d' ' -f2 \
                                   "$TESTDIR/$s.connrate-upcalls" | median)
done
for s in "${systems[@]}"; do
    measure_port_add "$s"
    measure_marginal_flows "$s"
done
if [ "$BENCH_INSTRUCTIONS" = 1 ]; then
    measure_instructions
fi
note_load "end"
report
