#!/bin/bash
# Colouring benchmark: mice latency under elephant load, Osmotic's
# colours against no colouring and against the reference OVN (23.03,
# Debian's ovn-central and ovn-host), on the same netns testbed, in the
# same run.
#
# Each system gets two hosts (tests/system/lib.sh: a namespace with its
# own ovsdb-server and ovs-vswitchd on the userspace datapath, joined by
# Geneve) and four pods on one logical switch: mouse pods m1 (host 1) and
# m2 (host 2), elephant pods e1 (host 1) and e2 (host 2).  Osmotic's hosts
# have two underlay lanes, each its own link (a veth into its own Linux
# bridge in the underlay namespace); OVN's one.  Every underlay link is a
# bottleneck, the same on both sides and in both directions: an HTB
# shaper of BENCH_RATE Mbit/s (burst 64 KB) whose two classes serve
# packets with outer DSCP 10 after everything else (a u32 filter on the
# outer IP TOS), each class's queue a bfifo of what tbf with "latency
# BENCH_QUEUE_MS" would hold.  Nothing but Osmotic's coloured elephants
# in setting (c) carries DSCP 10, so in every other setting the queue is
# one FIFO (the class counters are reported to show it).
#
# Mice: from m1 to m2, a CoAP-like exchange over UDP port 5683
# (tests/bench/bench-coap.c: a confirmable GET every 10 ms, answered by a
# piggybacked 2.05; round trip timed inside the client) and, at the same
# time, ping -i 0.01.  Elephants: BENCH_ELEPHANTS parallel bulk TCP
# streams from e1 to e2 (iperf3 -P), started BENCH_WARMUP seconds before
# the mice and stopped when they end; their throughput is what e2's eth0
# receives while the mice run.  Settings, each measured in every round (round 1 all settings,
# round 2 all settings, ...), so a change of machine load falls on all:
#   idle      Osmotic, no elephant (colouring off)
#   ovn-idle  OVN, no elephant
#   ovn       OVN with the elephants
#   off       Osmotic with the elephants, colouring off (no flow class)
#   a         colouring: the elephant colour on lane 1, i.e. its own link
#   b         colouring: the elephant colour on lane 0 through a meter of
#             BENCH_METER kbit/s (below the link rate)
#   c         colouring: the elephant colour on lane 0 with DSCP 10, which
#             the bottleneck queue serves last
#   static    setting (a) with a static class instead of promotion:
#             "class-add bulk 100 'tcp.dst == 5201' elephant"
#   a-slow    setting (a) with the elephants paced by iperf3 to BENCH_SLOW
#             Mbit/s in all: the same network path with less work for
#             the hosts, to tell the network's share of the mice's
#             latency from the CPU's
# The main thread of every host's ovs-vswitchd (both systems) runs in the
# SCHED_RR class (BENCH_DATAPATH_RT): the userspace datapath forwards in
# it, and on this testbed it shares two CPUs with both hosts' pods, so in
# the normal class a mouse waits for that thread to be scheduled behind the
# elephants' senders and receivers (measured: 4.1 ms at the 99th
# percentile in host 1's ovs-vswitchd, Documentation/benchmarks.md); the
# kernel datapath of production hosts forwards in softirq context, ahead
# of the tasks.  The real-time class gives the userspace datapath a
# similar place, at a cost in CPU per packet (fewer batches) and for
# every normal-class task, on both systems alike.
#
# With colouring, the elephants are found the way a user would ask for
# it: one flow class "bulk" for all TCP, "class-add bulk 100 'tcp' mouse
# --promote-to=elephant --promote-bytes=BENCH_PROMOTE_BYTES", so every
# TCP connection starts as a mouse and the host's elephant detector
# (IPFIX samples) promotes it.
#
# Then, on Osmotic only:
#   - detection latency (setting (a)): BENCH_DETECT single bulk TCP
#     connections, one at a time, each captured on e1's eth0 (tcpdump);
#     from the moment its IP bytes from e1 reach the threshold, to the
#     controller's "promoted" log line (ms timestamps), and to its first
#     packet on lane 1's link;
#   - new TCP connections per second (wrk -c8 with "Connection: close"
#     from m1 against bench-httpd in m2), colouring off and on (the
#     promotion class, so every connection is sampled), alternating,
#     BENCH_CONN_RUNS rounds of BENCH_CONN_TIME seconds: paired ratios;
#   - BENCH_HOLD concurrent TCP connections from e1 to e2, each sending
#     64 bytes every BENCH_HOLD_INTERVAL ms (tests/bench/bench-conns.c),
#     while three bulk connections are detected as above; the
#     controller's CPU time and memory meanwhile, and the datapath flows.
#
# It prints a table: per setting the p50 and p99 of the CoAP round trip
# and of ping over the samples of all rounds, losses, the elephants'
# throughput (median of the rounds), and the ratios "p99 under load /
# p99 idle" (against the same system's idle, round by round) and
# "throughput / colouring off", each the median of the per-round ratios
# with their range; then the targets, the detection figures, the
# connection rate and the many-connections figures, and the machine load
# (/proc/loadavg) before and after every round.  Nothing here is
# pass/fail.  A PNG of the latency distributions goes to BENCH_PLOT.
#
# usage: tests/bench/color-mice-vs-elephants.sh
#
# Environment: OSM_BUILDDIR (built tree with osmotic-* binaries),
# BENCH_RUNS (rounds, default 3), BENCH_SETTINGS (default "idle ovn-idle
# ovn off a b c static a-slow"), BENCH_MICE_TIME (seconds of mice
# per setting and round, default 10), BENCH_WARMUP (seconds of elephants
# before the mice, default 3), BENCH_ELEPHANTS (parallel TCP streams,
# default 2), BENCH_RATE (Mbit/s of every link, default 100),
# BENCH_QUEUE_MS (default 50), BENCH_METER (kbit/s, default 80% of the
# link), BENCH_METER_BURST (kbit, default BENCH_METER / 100, i.e. 10 ms),
# BENCH_SLOW (Mbit/s, default BENCH_RATE / 5),
# BENCH_PROMOTE_BYTES (default 1000000), BENCH_DETECT (default
# 10), BENCH_CONN_RUNS (default 5), BENCH_CONN_TIME (default 5),
# BENCH_HOLD (default 10000; 0 skips), BENCH_HOLD_INTERVAL (default
# 5000), BENCH_CSUM (outer UDP checksum on both systems' tunnels, default
# false), BENCH_DATAPATH_RT (the SCHED_RR priority of the forwarding
# thread of every host's ovs-vswitchd, both systems, default 10; 0 leaves
# it in the normal class), BENCH_HOPS (settings whose mice are traced hop by hop in one
# more measurement after the rounds, default those of "idle a" that
# BENCH_SETTINGS has; empty: none),
# BENCH_OUT (also write the report to this file), BENCH_PLOT (the
# PNG, default BENCH_OUT with .png, else ./color-mice-vs-elephants.png),
# OSM_CLIENT_TIMEOUT (seconds any client call may take, default 300),
# OSM_KEEP=1 (keep the test directory, with every sample).  Needs root,
# iperf3, wrk, tcpdump, prlimit, a C compiler, python3 (with matplotlib
# for the plot) and ovn-central and ovn-host installed (their services
# need not and should not run: the benchmark starts its own daemons in
# its own directory).

here=$(cd "$(dirname "$0")" && pwd)
: "${OSM_CLIENT_TIMEOUT:=300}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"
. "$here/bench-lib.sh"

BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_SETTINGS=${BENCH_SETTINGS:-idle ovn-idle ovn off a b c static a-slow}
BENCH_MICE_TIME=${BENCH_MICE_TIME:-10}
BENCH_WARMUP=${BENCH_WARMUP:-3}
BENCH_ELEPHANTS=${BENCH_ELEPHANTS:-2}
BENCH_RATE=${BENCH_RATE:-100}
BENCH_QUEUE_MS=${BENCH_QUEUE_MS:-50}
BENCH_METER=${BENCH_METER:-$((BENCH_RATE * 800))}
BENCH_METER_BURST=${BENCH_METER_BURST:-$((BENCH_METER / 100))}
BENCH_SLOW=${BENCH_SLOW:-$((BENCH_RATE / 5))}
BENCH_PROMOTE_BYTES=${BENCH_PROMOTE_BYTES:-1000000}
BENCH_DETECT=${BENCH_DETECT:-10}
BENCH_CONN_RUNS=${BENCH_CONN_RUNS:-5}
BENCH_CONN_TIME=${BENCH_CONN_TIME:-5}
BENCH_HOLD=${BENCH_HOLD:-10000}
BENCH_HOLD_INTERVAL=${BENCH_HOLD_INTERVAL:-5000}
BENCH_CSUM=${BENCH_CSUM:-false}
BENCH_DATAPATH_RT=${BENCH_DATAPATH_RT:-10}
BENCH_HOPS=${BENCH_HOPS-default}
if [ -z "${BENCH_PLOT:-}" ]; then
    if [ -n "${BENCH_OUT:-}" ]; then
        BENCH_PLOT=${BENCH_OUT%.*}.png
    else
        BENCH_PLOT=$PWD/color-mice-vs-elephants.png
    fi
fi

for var in BENCH_RUNS BENCH_MICE_TIME BENCH_WARMUP BENCH_ELEPHANTS \
           BENCH_RATE BENCH_QUEUE_MS BENCH_METER BENCH_PROMOTE_BYTES \
           BENCH_CONN_TIME BENCH_METER_BURST BENCH_SLOW; do
    case ${!var} in
        ''|*[!0-9]*|0) fail "$var must be a positive integer, not '${!var}'" ;;
    esac
done
for var in BENCH_DETECT BENCH_CONN_RUNS BENCH_HOLD BENCH_HOLD_INTERVAL \
           BENCH_DATAPATH_RT; do
    case ${!var} in
        ''|*[!0-9]*) fail "$var must be an integer, not '${!var}'" ;;
    esac
done
[ "$BENCH_HOLD_INTERVAL" -gt 0 ] || fail "BENCH_HOLD_INTERVAL must be > 0"
[ "$BENCH_DATAPATH_RT" -le 99 ] \
    || fail "BENCH_DATAPATH_RT must be 0 to 99, not '$BENCH_DATAPATH_RT'"
case $BENCH_CSUM in
    true|false) ;;
    *) fail "BENCH_CSUM must be true or false, not '$BENCH_CSUM'" ;;
esac
SETTINGS=()
for s in $BENCH_SETTINGS; do
    case $s in
        idle|ovn-idle|ovn|off|a|b|c|static|a-slow) SETTINGS+=("$s") ;;
        *) fail "unknown setting '$s' in BENCH_SETTINGS" ;;
    esac
done
HOPS=()
for s in $BENCH_HOPS; do
    case " ${SETTINGS[*]} " in
        *" $s "*) HOPS+=("$s") ;;
        *) [ "$s" = default ] \
               || fail "BENCH_HOPS: '$s' is not one of BENCH_SETTINGS" ;;
    esac
done
if [ "$BENCH_HOPS" = default ]; then
    # Those of "idle a" that are measured.
    for s in idle a; do
        case " ${SETTINGS[*]} " in
            *" $s "*) HOPS+=("$s") ;;
        esac
    done
fi
[ $((BENCH_WARMUP + BENCH_MICE_TIME + 60)) -le "$OSM_CLIENT_TIMEOUT" ] \
    || fail "BENCH_WARMUP + BENCH_MICE_TIME need OSM_CLIENT_TIMEOUT of at" \
            "least $((BENCH_WARMUP + BENCH_MICE_TIME + 60))"

command -v osmotic-northd >/dev/null || fail "osmotic-northd not found" \
    "(set OSM_BUILDDIR)"
for s in "${SETTINGS[@]}"; do
    case $s in
        ovn*) command -v ovn-northd >/dev/null || fail "ovn-northd not" \
                  "found (apt-get install ovn-central ovn-host)" ;;
    esac
done
for tool in iperf3 wrk tcpdump prlimit ping tc cc python3 chrt; do
    command -v $tool >/dev/null || fail "$tool is needed"
done
[ "$(id -u)" = 0 ] || fail "the benchmark needs root (namespaces, OVS)"

# A python3 with matplotlib for the plot (python3 may be another one than
# the system's, which the package python3-matplotlib serves).
PLOT_PY=
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import matplotlib' 2>/dev/null; then
        PLOT_PY=$py
        break
    fi
done

osm_test_init
for prog in bench-coap bench-conns bench-httpd; do
    cc -O2 -o "$TESTDIR/$prog" "$here/$prog.c" \
        || fail "cannot compile $prog"
done
RES=$TESTDIR/res
mkdir -p "$RES"
START_S=$(date +%s)

# Pod addresses, the same in both testbeds (every pod has its own netns).
IP_M1=10.244.0.1
IP_M2=10.244.0.2
IP_E1=10.244.0.3
IP_E2=10.244.0.4
COAP_PORT=5683
IPERF_PORT=5201
HTTP_PORT=8080
HOLD_PORT=7000
# The outer DSCP of the elephant colour in setting (c), and its TOS byte.
DSCP=10
TOS=0x28

# Underlay links, by system and lane (set up below).
declare -A LINKS
ROUND_LOADS=()

# setting_label SETTING: how the report names SETTING.
setting_label() {
    case $1 in
        idle) echo "idle: Osmotic, no elephant" ;;
        ovn-idle) echo "idle: OVN 23.03, no elephant" ;;
        ovn) echo "OVN 23.03" ;;
        off) echo "Osmotic, colouring off" ;;
        a) echo "(a) elephants on lane 1" ;;
        b) echo "(b) elephant meter" ;;
        c) echo "(c) DSCP priority queue" ;;
        static) echo "(a), static class" ;;
        a-slow) echo "(a), elephants at ${BENCH_SLOW} Mbit/s" ;;
    esac
}

# setting_system SETTING: osm or ovn.
setting_system() {
    case $1 in
        ovn*) echo ovn ;;
        *) echo osm ;;
    esac
}

# setting_idle SETTING: the idle setting SETTING's ratios refer to.
setting_idle() {
    case $1 in
        ovn*) echo ovn-idle ;;
        *) echo idle ;;
    esac
}

# has_setting SETTING: true if SETTING is measured in this run.
has_setting() {
    local s
    for s in "${SETTINGS[@]}"; do
        [ "$s" = "$1" ] && return 0
    done
    return 1
}

# ul CMD...: runs CMD in the underlay namespace.
ul() {
    ip netns exec "$OSM_UNDERLAY_NS" "$@"
}

# shape LINK: the bottleneck on LINK's egress (towards its host) in the
# underlay namespace: HTB at BENCH_RATE Mbit/s, burst 64 KB; class 1:10
# (priority 0, the default) and class 1:20 (priority 1: outer DSCP 10),
# each with a bfifo of BENCH_QUEUE_MS at the rate plus the burst.
shape() {
    local dev=$1 rate=${BENCH_RATE}mbit limit
    limit=$((BENCH_RATE * 125 * BENCH_QUEUE_MS + 65536))
    ul tc qdisc replace dev "$dev" root handle 1: htb default 10 \
        || fail "htb on $dev"
    ul tc class add dev "$dev" parent 1: classid 1:1 htb rate $rate \
        ceil $rate burst 64kb cburst 64kb quantum 1600 \
        || fail "htb class on $dev"
    ul tc class add dev "$dev" parent 1:1 classid 1:10 htb rate 1mbit \
        ceil $rate burst 64kb cburst 64kb prio 0 quantum 1600 \
        || fail "htb class 1:10 on $dev"
    ul tc class add dev "$dev" parent 1:1 classid 1:20 htb rate 1mbit \
        ceil $rate burst 64kb cburst 64kb prio 1 quantum 1600 \
        || fail "htb class 1:20 on $dev"
    ul tc qdisc add dev "$dev" parent 1:10 handle 10: bfifo limit $limit \
        || fail "bfifo on $dev"
    ul tc qdisc add dev "$dev" parent 1:20 handle 20: bfifo limit $limit \
        || fail "bfifo on $dev"
    ul tc filter add dev "$dev" parent 1: protocol ip prio 1 u32 \
        match ip tos $TOS 0xfc flowid 1:20 || fail "u32 filter on $dev"
}

# class_bytes LINK CLASS: bytes sent so far by htb class CLASS of LINK.
class_bytes() {
    ul tc -s class show dev "$1" classid "$2" \
        | awk '/Sent/ { print $2; exit }'
}

# class_drops LINK CLASS: packets htb class CLASS of LINK dropped so far.
class_drops() {
    ul tc -s class show dev "$1" classid "$2" \
        | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' | head -1
}

# backlog_drops: packets the kernel dropped so far for want of room in
# its per-CPU input queues (/proc/net/softnet_stat, second column; the
# whole machine, every namespace): where veths hand packets to the
# receiving side.
backlog_drops() {
    local n=0 d
    for d in $(awk '{ print $2 }' /proc/net/softnet_stat); do
        n=$((n + 16#$d))
    done
    echo $n
}

# link_bytes LINK: bytes the underlay sent to the host on LINK.
link_bytes() {
    ul cat "/sys/class/net/$1/statistics/tx_bytes"
}

# cpu_busy: "BUSY TOTAL" jiffies of all CPUs so far (/proc/stat): busy
# is everything but idle and iowait.
cpu_busy() {
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9,
                              $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' \
        /proc/stat
}

# vswitchd_ns SYSTEM: nanoseconds of CPU time used so far by the
# ovs-vswitchd of both of SYSTEM's hosts, all threads.
vswitchd_ns() {
    local h pid total=0 ns
    for h in $1-hv1 $1-hv2; do
        pid=$(cat "$(osm_host_dir $h)/ovs-vswitchd.pid")
        for ns in $(cut -d' ' -f1 /proc/$pid/task/*/schedstat \
                        2>/dev/null); do
            total=$((total + ns))
        done
    done
    echo $total
}

# pod_rx_bytes POD: bytes POD's eth0 received so far.
pod_rx_bytes() {
    ip netns exec "$(osm_ns "$1")" cat /sys/class/net/eth0/statistics/rx_bytes
}

# sys_nbctl SYSTEM ARGS...: SYSTEM's nbctl against its NB database.
sys_nbctl() {
    local s=$1
    shift
    case $s in
        osm) osmotic-nbctl "$@" ;;
        ovn) ovn-nbctl --timeout="$OSM_CLIENT_TIMEOUT" \
                 --db=unix:"$TESTDIR/ovn-nb.sock" "$@" ;;
    esac
}

# pod_reaches POD IP: true if POD pings IP.
pod_reaches() {
    osm_pod_exec "$1" ping -q -c 1 -W 1 "$2" >/dev/null
}

# start_server POD NAME CMD...: runs CMD in POD in the background as a
# daemon of the benchmark (its pid file $TESTDIR/NAME.pid).
start_server() {
    local pod=$1 name=$2
    shift 2
    # Not through a shell function: "ip netns exec" execs the server, so
    # $! is the server's own pid.
    ip netns exec "$(osm_ns "$pod")" "$@" >/dev/null 2>&1 </dev/null &
    echo $! > "$TESTDIR/$name.pid"
    osm_track_pidfile "$TESTDIR/$name.pid"
}

# bg_start NAME NETNS CMD...: runs CMD in NETNS in the background, for at
# most BG_TIMEOUT seconds (default OSM_CLIENT_TIMEOUT), its pid in
# $TESTDIR/NAME.pid, which the
# cleanup stops if the run ends (or is interrupted) before bg_wait NAME.
bg_start() {
    local name=$1 ns=$2
    shift 2
    # "ip netns exec" execs timeout: $! is timeout's pid, and timeout
    # passes the signal that stops it on to CMD.
    ip netns exec "$ns" timeout "${BG_TIMEOUT:-$OSM_CLIENT_TIMEOUT}" "$@" &
    echo $! > "$TESTDIR/$name.pid"
    osm_track_pidfile "$TESTDIR/$name.pid"
}

# bg_pod NAME POD CMD...: bg_start in POD's namespace.
bg_pod() {
    local name=$1 pod=$2
    shift 2
    bg_start "$name" "$(osm_ns "$pod")" "$@"
}

# bg_wait NAME: waits for background command NAME and returns its exit
# status; its pid file goes, so that the cleanup never signals a pid that
# may since belong to another process.
bg_wait() {
    local pid rc
    pid=$(cat "$TESTDIR/$1.pid")
    wait "$pid"
    rc=$?
    rm -f "$TESTDIR/$1.pid"
    return $rc
}

# bg_signal SIGNAL NAME: sends SIGNAL to background command NAME.
bg_signal() {
    kill -s "$1" "$(cat "$TESTDIR/$2.pid")" 2>/dev/null
}

# datapath_rt SYSTEM: the main thread of SYSTEM's two hosts'
# ovs-vswitchd, the one that forwards for the userspace datapath's ports
# (none of them is a poll-mode port), in the SCHED_RR class at priority
# BENCH_DATAPATH_RT (0: left alone).  Its other threads (handlers,
# revalidators) stay in the normal class, so that they never hold up the
# forwarding thread for a round-robin slice.
datapath_rt() {
    local h pid
    [ "$BENCH_DATAPATH_RT" -gt 0 ] || return 0
    for h in $1-hv1 $1-hv2; do
        pid=$(cat "$(osm_host_dir $h)/ovs-vswitchd.pid")
        chrt -r -p "$BENCH_DATAPATH_RT" "$pid" \
            || fail "cannot put $h's ovs-vswitchd in SCHED_RR"
    done
}

# setup_system SYSTEM: central daemons, two hosts, the switch, four pods
# and their servers; the bottleneck on every underlay link of SYSTEM.
setup_system() {
    local s=$1 h n0 pod
    case $s in
        osm)
            osm_start_nb
            osm_start_sb
            osm_start_northd
            osmotic-nbctl color-add elephant || fail "color-add elephant"
            n0=$OSM_N_HOSTS
            OSM_NO_CONTROLLER=1 osm_add_host osm-hv1 172.31.0.1,172.31.1.1
            OSM_NO_CONTROLLER=1 osm_add_host osm-hv2 172.31.0.2,172.31.1.2
            LINKS[osm.0]="h$((n0 + 1))l0 h$((n0 + 2))l0"
            LINKS[osm.1]="h$((n0 + 1))l1 h$((n0 + 2))l1"
            for h in osm-hv1 osm-hv2; do
                osm_host_vsctl $h set open_vswitch . \
                    external_ids:osmotic-encap-csum="$BENCH_CSUM" \
                    || fail "osmotic-encap-csum on $h"
                osm_start_controller $h
            done
            ;;
        ovn)
            start_ovn_central
            n0=$OSM_N_HOSTS
            add_ovn_host ovn-hv1 172.31.0.11
            add_ovn_host ovn-hv2 172.31.0.12
            LINKS[ovn.0]="h$((n0 + 1))l0 h$((n0 + 2))l0"
            ;;
    esac
    sys_nbctl $s ls-add sw0 || fail "$s: ls-add"
    add_pod $s hv1 m1 01 $IP_M1
    add_pod $s hv2 m2 02 $IP_M2
    add_pod $s hv1 e1 03 $IP_E1
    add_pod $s hv2 e2 04 $IP_E2
    sys_nbctl $s --wait=hv sync || fail "$s: --wait=hv sync"
    OSM_WAIT=60 wait_until pod_reaches $s-m1 $IP_M2
    OSM_WAIT=60 wait_until pod_reaches $s-e1 $IP_E2
    # Both directions known before any measurement.
    pod_reaches $s-m2 $IP_M1
    pod_reaches $s-e2 $IP_E1
    for dev in ${LINKS[$s.0]} ${LINKS[$s.1]:-}; do
        shape "$dev"
    done
    datapath_rt $s
    start_server $s-m2 $s-coap "$TESTDIR/bench-coap" server $COAP_PORT
    osm_pod_exec $s-e2 iperf3 -s -D -p $IPERF_PORT \
        --pidfile "$TESTDIR/$s-iperf3.pid" >/dev/null 2>&1 \
        || fail "$s: iperf3 server"
    osm_track_pidfile "$TESTDIR/$s-iperf3.pid"
    if [ $s = osm ]; then
        start_server $s-m2 $s-httpd "$TESTDIR/bench-httpd" $HTTP_PORT
        # One descriptor per held connection, whatever the caller's
        # "ulimit -n".
        start_server $s-e2 $s-conns prlimit --nofile=$((BENCH_HOLD + 1024)) \
            "$TESTDIR/bench-conns" server $HOLD_PORT
    fi
}

# add_pod SYSTEM HOST NAME N IP: logical port and pod SYSTEM-NAME on
# SYSTEM-HOST, MAC 0a:00:00:00:00:N, with addresses and port security.
add_pod() {
    local s=$1 host=$2 name=$3 mac=0a:00:00:00:00:$4 ip=$5
    sys_nbctl $s lsp-add sw0 $name \
        -- lsp-set-addresses $name "$mac $ip" \
        -- lsp-set-port-security $name "$mac $ip" \
        || fail "$s: cannot add logical port $name"
    osm_add_pod $s-$host $s-$name $mac $ip/24 $name
    # Many short connections one after the other (wrk): without reuse,
    # the client's ports in TIME_WAIT fill the range after about 50,000
    # connections and every connect() then searches for a free port.
    osm_pod_exec $s-$name sysctl -q -w \
        net.ipv4.ip_local_port_range="10000 65000" \
        net.ipv4.tcp_tw_reuse=1 >/dev/null
}

# Osmotic's colour configuration now, to change only what differs.
CUR_COLOR=unset
CUR_CLASS=unset

# osm_configure SETTING: Osmotic's colours and flow classes for SETTING,
# installed on both hosts (--wait=hv) before it returns.
osm_configure() {
    local color class args=()
    case $1 in
        idle|off) color=$CUR_COLOR; class=none ;;
        a|a-slow) color="lane=1 dscp= burst= rate="; class=promote ;;
        static) color="lane=1 dscp= burst= rate="; class=static ;;
        b) color="lane=0 dscp= burst=$BENCH_METER_BURST rate=$BENCH_METER"
           class=promote ;;
        c) color="lane=0 dscp=$DSCP burst= rate="; class=promote ;;
    esac
    if [ "$color" != "$CUR_COLOR" ]; then
        # shellcheck disable=SC2086
        args+=(-- color-set elephant $color)
    fi
    if [ "$class" != "$CUR_CLASS" ]; then
        args+=(-- --if-exists class-del bulk)
        case $class in
            promote) args+=(-- class-add bulk 100 tcp mouse
                            --promote-to=elephant
                            --promote-bytes="$BENCH_PROMOTE_BYTES"
                            --demote-idle=2) ;;
            static) args+=(-- class-add bulk 100 "tcp.dst == $IPERF_PORT"
                           elephant) ;;
        esac
    fi
    [ ${#args[@]} -gt 0 ] || return 0
    osmotic-nbctl --wait=hv "${args[@]}" >/dev/null \
        || fail "configure setting $1: ${args[*]}"
    CUR_COLOR=$color
    CUR_CLASS=$class
}

# elephants_promoted: the connections osm-hv1's detector holds promoted.
elephants_promoted() {
    osm_ctl_appctl osm-hv1 color/elephants | grep -c 'color=elephant'
}

# percentile P: the P-th percentile (nearest rank) of the numbers on
# stdin, or n/a.
percentile() {
    sort -g | awk -v p="$1" '{ v[NR] = $1 }
        END { if (!NR) { print "n/a"; exit }
              i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1
              print v[i] }'
}

# hop_captures start SETTING SYSTEM | stop: tcpdump of the mice at six
# points of their path (tests/bench/mice-hops.py), into
# $RES/SETTING.hops.POINT.pcap; "stop" ends them.
HOP_POINTS=(m1 v1 h1 h2 v2 m2)
hop_captures() {
    local pt ns dev filter mice="udp port $COAP_PORT or icmp"
    if [ "$1" = stop ]; then
        for pt in "${HOP_POINTS[@]}"; do
            bg_signal INT "cap-$pt"
        done
        for pt in "${HOP_POINTS[@]}"; do
            bg_wait "cap-$pt"
        done
        return
    fi
    for pt in "${HOP_POINTS[@]}"; do
        filter=$mice
        case $pt in
            m?) ns=$(osm_ns "$3-m${pt#m}"); dev=eth0 ;;
            v?) ns=$(osm_ns "$3-hv${pt#v}"); dev=$(echo "v-$3-m${pt#v}" \
                                                    | cut -c1-15) ;;
            h?) ns=$(osm_ns "$3-hv${pt#h}"); dev=ul0
                filter="geneve and ($mice)" ;;
        esac
        BG_TIMEOUT=$((BENCH_WARMUP + BENCH_MICE_TIME + 60)) \
            bg_start "cap-$pt" "$ns" tcpdump -n -i "$dev" -s 200 \
            -w "$RES/$2.hops.$pt.pcap" "$filter" 2> "$RES/$2.hops.$pt.err"
    done
    for pt in "${HOP_POINTS[@]}"; do
        wait_until capture_ready "$RES/$2.hops.$pt.err"
    done
}

# stop_elephants SETTING ROUND: stops the elephants of SETTING's round
# ROUND, which must have run for as long as the mice did: their
# throughput is taken over the mice's time, which can run past its
# nominal length when the pods wait for a CPU (ping -i 0.01 was seen to
# take 15.7 s for 1,000 echoes).
stop_elephants() {
    # iperf3 prints "iperf Done." when it ends (not when interrupted).
    ! grep -q 'iperf Done' "$RES/$1.$2.iperf" \
        || fail "$1 round $2: the elephants ended before the mice" \
                "($(tail -n 3 "$RES/$1.$2.iperf"))"
    bg_signal INT elephants
    bg_wait elephants
    grep -q 'sender$' "$RES/$1.$2.iperf" \
        || echo "warning: $1 round $2: iperf3 failed:" \
                "$(tail -n 3 "$RES/$1.$2.iperf")" >&2
}

# run_setting SETTING ROUND: one measurement of SETTING: the elephants
# (unless idle), then the mice; appends to $RES/SETTING.rounds "ROUND
# COAP-P50 COAP-P99 PING-P50 PING-P99 ELEPHANT-MBPS COAP-LOST PING-LOST
# PROMOTED LANE0-MB LANE1-MB LOWBAND-MB CPU-BUSY VSWITCHD-CPU" (ms,
# Mbit/s, counts, MB sent towards host 2 on its lane-0 and lane-1 links
# and in lane 0's DSCP class, the machine's CPUs busy in % of all, and
# the CPU time of both hosts' ovs-vswitchd in % of one CPU, then the
# packets dropped by lane 0's bottleneck towards host 2 in its default
# and its DSCP class, and by the kernel's input queues (the whole
# machine), all while the mice ran).  ROUND "hops" is instead one more
# measurement with the mice captured along their path (hop_captures),
# whose breakdown goes to $RES/SETTING.hops and nowhere else.
run_setting() {
    local set=$1 round=$2 s p load=yes count rx0 rx1 t0 t1 mbps
    local promoted=n/a l0a l0b l1a l1b lowa lowb dev0 dev1
    local busy0 busy1 total0 total1 vs0 vs1 pace=() d10a d10b d20a d20b
    local bla blb
    s=$(setting_system "$set")
    p=$s
    case $set in
        idle|ovn-idle) load= ;;
    esac
    [ $s = osm ] && osm_configure "$set"
    count=$((BENCH_MICE_TIME * 100))
    dev0=$(echo ${LINKS[$s.0]} | cut -d' ' -f2)
    dev1=$(echo ${LINKS[$s.1]:-} | cut -d' ' -f2)
    [ "$set" = a-slow ] \
        && pace=(-b "$((BENCH_SLOW * 1000 / BENCH_ELEPHANTS))K")
    [ "$round" = hops ] && hop_captures start "$set" "$p"
    if [ -n "$load" ]; then
        bg_pod elephants $p-e1 iperf3 -c $IP_E2 -p $IPERF_PORT "${pace[@]}" \
            -P "$BENCH_ELEPHANTS" -t $((BENCH_WARMUP + BENCH_MICE_TIME + 50)) \
            > "$RES/$set.$round.iperf" 2>&1
        sleep "$BENCH_WARMUP"
    fi
    l0a=$(link_bytes "$dev0"); lowa=$(class_bytes "$dev0" 1:20)
    d10a=$(class_drops "$dev0" 1:10); d20a=$(class_drops "$dev0" 1:20)
    bla=$(backlog_drops)
    l1a=0; [ -n "$dev1" ] && l1a=$(link_bytes "$dev1")
    read -r busy0 total0 <<<"$(cpu_busy)"
    vs0=$(vswitchd_ns $s)
    rx0=$(pod_rx_bytes $p-e2)
    t0=$(date +%s%N)
    bg_pod coap-client $p-m1 "$TESTDIR/bench-coap" client $IP_M2 \
        $COAP_PORT $count 10 > "$RES/$set.$round.coap" 2>&1
    osm_pod_exec $p-m1 ping -c $count -i 0.01 -W 1 $IP_M2 \
        > "$RES/$set.$round.ping" 2>&1
    bg_wait coap-client
    t1=$(date +%s%N)
    rx1=$(pod_rx_bytes $p-e2)
    if [ "$round" = hops ]; then
        hop_captures stop
        [ -n "$load" ] && stop_elephants "$set" "$round"
        python3 "$here/mice-hops.py" "$RES" "$set.hops" > "$RES/$set.hops" \
            || fail "$set: the mice's hops could not be measured"
        return
    fi
    vs1=$(vswitchd_ns $s)
    read -r busy1 total1 <<<"$(cpu_busy)"
    l0b=$(link_bytes "$dev0"); lowb=$(class_bytes "$dev0" 1:20)
    d10b=$(class_drops "$dev0" 1:10); d20b=$(class_drops "$dev0" 1:20)
    blb=$(backlog_drops)
    l1b=0; [ -n "$dev1" ] && l1b=$(link_bytes "$dev1")
    if [ -n "$load" ]; then
        [ $s = osm ] && promoted=$(elephants_promoted)
        mbps=$(awk -v b=$((rx1 - rx0)) -v t=$((t1 - t0)) \
                   'BEGIN { printf "%.1f\n", b * 8 * 1000 / t }')
        stop_elephants "$set" "$round"
    else
        mbps=0
    fi
    grep -v '^#' "$RES/$set.$round.coap" | grep -v lost \
        | awk '{ printf "%.3f\n", $1 / 1000 }' > "$RES/$set.$round.coap-ms"
    grep -o 'time=[0-9.]*' "$RES/$set.$round.ping" | cut -d= -f2 \
        > "$RES/$set.$round.ping-ms"
    cat "$RES/$set.$round.coap-ms" >> "$RES/$set.coap-ms"
    cat "$RES/$set.$round.ping-ms" >> "$RES/$set.ping-ms"
    echo "$round" \
        "$(percentile 50 < "$RES/$set.$round.coap-ms")" \
        "$(percentile 99 < "$RES/$set.$round.coap-ms")" \
        "$(percentile 50 < "$RES/$set.$round.ping-ms")" \
        "$(percentile 99 < "$RES/$set.$round.ping-ms")" \
        "$mbps" \
        "$(grep -c '^lost' "$RES/$set.$round.coap")" \
        "$((count - $(wc -l < "$RES/$set.$round.ping-ms")))" \
        "$promoted" \
        "$(( (l0b - l0a) / 1000000 ))" "$(( (l1b - l1a) / 1000000 ))" \
        "$(( (lowb - lowa) / 1000000 ))" \
        "$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) \
               'BEGIN { printf "%.0f", t ? b * 100 / t : 0 }')" \
        "$(awk -v c=$((vs1 - vs0)) -v t=$((t1 - t0)) \
               'BEGIN { printf "%.0f", c * 100 / t }')" \
        "$((d10b - d10a))" "$((d20b - d20a))" "$((blb - bla))" \
        >> "$RES/$set.rounds"
}

# log_ms FILE LINE: the time of a controller log line, ms since the epoch.
log_ms() {
    python3 -c '
import datetime, sys
t = sys.argv[1].split("|")[0]
d = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
print(int(d.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000))' "$1"
}

# capture_ready FILE: tcpdump, whose stderr is FILE, listens.
capture_ready() {
    grep -q 'listening on' "$1"
}

# detect_one TAG: one bulk TCP connection from e1 to e2 (iperf3, 2 s,
# one stream); appends to $RES/TAG.detect "CROSS-TO-LOG-MS
# CROSS-TO-LANE1-MS DETECTED-AFTER-MS ESTIMATE BYTES-AT-PROMOTION" for it,
# or "n/a" when it was not promoted: the time from its IP bytes from e1
# (tcpdump on e1's eth0) reaching BENCH_PROMOTE_BYTES to the controller's
# "promoted" line, and to its first packet on lane 1's link (tcpdump in
# the underlay; nothing else uses lane 1 then); the controller's own
# detected_after_ms (first sample to promotion) and estimate; the bytes
# really sent when it was promoted.
detect_one() {
    local tag=$1 log lines pod_cap lane_cap line ms sport
    log=$(osm_host_dir osm-hv1)/osmotic-controller.log
    lines=$(wc -l < "$log")
    pod_cap=$RES/$tag.pod.pcap
    lane_cap=$RES/$tag.lane1.pcap
    BG_TIMEOUT=20 bg_pod pod-capture osm-e1 tcpdump -n -i eth0 -s 80 \
        -w "$pod_cap" "tcp and src host $IP_E1 and dst port $IPERF_PORT" \
        2> "$RES/$tag.pod.err"
    BG_TIMEOUT=20 bg_start lane-capture "$OSM_UNDERLAY_NS" tcpdump -n \
        -i "$(echo ${LINKS[osm.1]} | cut -d' ' -f2)" -c 1 -w "$lane_cap" udp \
        2> "$RES/$tag.lane.err"
    wait_until capture_ready "$RES/$tag.pod.err"
    wait_until capture_ready "$RES/$tag.lane.err"
    osm_pod_exec osm-e1 iperf3 -c $IP_E2 -p $IPERF_PORT -P 1 -t 2 \
        > "$RES/$tag.iperf" 2>&1
    sleep 0.5
    osm_ctl_appctl osm-hv1 color/elephants > "$RES/$tag.elephants"
    bg_signal INT pod-capture
    bg_signal INT lane-capture
    bg_wait pod-capture
    bg_wait lane-capture
    line=$(tail -n +$((lines + 1)) "$log" | grep -m1 "promoted tcp $IP_E1:")
    if [ -z "$line" ]; then
        echo n/a >> "$RES/$tag.detect"
        return
    fi
    ms=$(log_ms "$line")
    sport=$(echo "$line" | sed -n "s/.*promoted tcp $IP_E1:\([0-9]*\) .*/\1/p")
    PYTHONPATH=$here python3 - "$pod_cap" "$lane_cap" "$sport" "$ms" \
        "$BENCH_PROMOTE_BYTES" "$RES/$tag.elephants" \
        >> "$RES/$tag.detect" <<'EOF'
import re, struct, sys
from benchpcap import packets

pod, lane, sport, log_ms, threshold, elephants = sys.argv[1:]
sport, log_ms, threshold = int(sport), int(log_ms), int(threshold)
total, cross, at_log = 0, None, None
for t, f in packets(pod):
    ihl = (f[14] & 0xf) * 4
    if struct.unpack("!H", f[14 + ihl:16 + ihl])[0] != sport:
        continue
    if t <= log_ms:
        at_log = total + struct.unpack("!H", f[16:18])[0]
    total += struct.unpack("!H", f[16:18])[0]
    if cross is None and total >= threshold:
        cross = t
first_lane = next((t for t, f in packets(lane)), None)
after = est = "n/a"
for line in open(elephants):
    if (":%d " % sport) in line:
        m = re.search(r"detected_after_ms=(\d+)", line)
        after = m.group(1) if m else after
        m = re.search(r"estimate=(\d+)", line)
        est = m.group(1) if m else est
if cross is None:
    print("n/a")
else:
    print("%.1f %s %s %s %s" % (
        log_ms - cross,
        "%.1f" % (first_lane - cross) if first_lane is not None else "n/a",
        after, est, at_log if at_log is not None else 0))
EOF
}

# detection_rounds TAG N: N detections (detect_one) in setting (a).
detection_rounds() {
    local i
    osm_configure a
    for i in $(seq "$2"); do
        detect_one "$1"
        sleep 1
    done
}

# vswitchd_ticks: CPU time (clock ticks) used so far by both Osmotic
# hosts' ovs-vswitchd.
vswitchd_ticks() {
    local h total=0 pid
    for h in osm-hv1 osm-hv2; do
        pid=$(cat "$(osm_host_dir $h)/ovs-vswitchd.pid")
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
    done
    echo $total
}

# controllers_ms: CPU time (ms) used so far by both Osmotic hosts'
# osmotic-controller.
controllers_ms() {
    echo $(( $(proc_cpu_ms "$(osm_host_dir osm-hv1)/osmotic-controller.pid") \
             + $(proc_cpu_ms "$(osm_host_dir osm-hv2)/osmotic-controller.pid") ))
}

# measure_connrate MODE: one wrk run from m1 against bench-httpd in m2
# with colouring MODE (off: no flow class; on: the promotion class);
# appends "CONNECTIONS/S VSWITCHD-US-PER-CONNECTION CPUS-BUSY-%
# CONTROLLERS-CPU-%" to $RES/conn.MODE (both hosts' ovs-vswitchd, all
# threads; the machine's CPUs busy, in % of all; both hosts'
# osmotic-controller, in % of one CPU).
measure_connrate() {
    local mode=$1 out t0 t1 busy0 busy1 total0 total1 c0 c1 w0 w1
    if [ "$mode" = on ]; then
        osm_configure a
    else
        osm_configure off
    fi
    t0=$(vswitchd_ticks)
    c0=$(controllers_ms)
    w0=$(now_ms)
    read -r busy0 total0 <<<"$(cpu_busy)"
    out=$(osm_pod_exec osm-m1 wrk -t1 -c8 -d"${BENCH_CONN_TIME}s" \
              -H 'Connection: close' "http://$IP_M2:$HTTP_PORT/" 2>&1)
    read -r busy1 total1 <<<"$(cpu_busy)"
    w1=$(now_ms)
    c1=$(controllers_ms)
    t1=$(vswitchd_ticks)
    echo "$out" >> "$RES/conn.$mode.log"
    echo "$out" | awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
        -v busy=$((busy1 - busy0)) -v total=$((total1 - total0)) \
        -v ctl=$((c1 - c0)) -v wall=$((w1 - w0)) '
        /^Requests\/sec:/ { r = $2 }
        / requests in / { n = $1 }
        END { printf "%s %.1f %.0f %.1f\n", (r == "" ? 0 : r),
                     (n > 0 ? ticks * 1e6 / hz / n : 0),
                     (total ? busy * 100 / total : 0),
                     (wall ? ctl * 100 / wall : 0) }' \
        >> "$RES/conn.$mode"
}

# proc_cpu_ms PIDFILE: CPU time (user + system) of the process, ms.
proc_cpu_ms() {
    local pid
    pid=$(cat "$1")
    awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
        "/proc/$pid/stat"
}

# proc_mem PIDFILE: "RSS-MB PEAK-RSS-MB" of the process.
proc_mem() {
    awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
         END { printf "%.1f %.1f\n", r / 1024, h / 1024 }' \
        "/proc/$(cat "$1")/status"
}

# dp_flows HOST: the datapath flows of HOST's ovs-vswitchd.
dp_flows() {
    osm_host_appctl "$1" dpctl/dump-flows | grep -c 'actions'
}

# hold_open FILE: bench-conns reported all its connections open in FILE;
# fails the run at once if the client exited without.
hold_open() {
    grep -q '^open' "$1" && return 0
    osm_pid_alive "$(cat "$TESTDIR/hold-client.pid")" \
        || fail "the held connections' client exited: $(tail -n 3 "$1")"
    return 1
}

# measure_hold: BENCH_HOLD connections from e1 to e2, then three
# detections; records the figures in HOLD[...].
declare -A HOLD
measure_hold() {
    local ctl_pid cpu0 cpu1 t0 t1 out seconds
    ctl_pid=$(osm_host_dir osm-hv1)/osmotic-controller.pid
    osm_configure a
    HOLD[mem_before]=$(proc_mem "$ctl_pid")
    HOLD[counters_before]=$(osm_ctl_appctl osm-hv1 color/counters \
                                | grep -i 'follow' | xargs)
    out=$RES/hold.out
    seconds=40
    bg_pod hold-client osm-e1 prlimit --nofile=$((BENCH_HOLD + 1024)) \
        "$TESTDIR/bench-conns" client $IP_E2 $HOLD_PORT "$BENCH_HOLD" \
        "$BENCH_HOLD_INTERVAL" $seconds > "$out" 2>&1
    t0=$(now_ms)
    OSM_WAIT=120 wait_until hold_open "$out"
    HOLD[open_s]=$(awk -v t=$(( $(now_ms) - t0 )) \
                       'BEGIN { printf "%.1f", t / 1000 }')
    sleep 5
    cpu0=$(proc_cpu_ms "$ctl_pid")
    t0=$(now_ms)
    detection_rounds hold 3
    cpu1=$(proc_cpu_ms "$ctl_pid")
    t1=$(now_ms)
    HOLD[cpu_pct]=$(awk -v c=$((cpu1 - cpu0)) -v t=$((t1 - t0)) \
                        'BEGIN { printf "%.1f", c * 100 / t }')
    HOLD[mem_after]=$(proc_mem "$ctl_pid")
    HOLD[counters]=$(osm_ctl_appctl osm-hv1 color/counters \
                         | grep -i 'follow' | xargs)
    # One more bulk connection between the same two pods: while it is
    # promoted (its flows in table 9), the datapath flows of the other
    # connections between the two pods match their ports too.
    bg_pod hold-bulk osm-e1 iperf3 -c $IP_E2 -p $IPERF_PORT -P 1 -t 6 \
        > "$RES/hold.bulk" 2>&1
    sleep 4
    HOLD[promoted_now]=$(elephants_promoted)
    HOLD[dpflows]=$(dp_flows osm-hv1)
    bg_wait hold-bulk
    sleep 3
    HOLD[dpflows_after]=$(dp_flows osm-hv1)
    HOLD[conns_ss]=$(osm_pod_exec osm-e1 ss -Htn state established \
                         "dport = :$HOLD_PORT" | wc -l)
    bg_wait hold-client
    HOLD[client]=$(grep '^#' "$out" | sed 's/^# //')
}

# --- The report -----------------------------------------------------------

# col SETTING N: column N of every line of $RES/SETTING.rounds.
col() {
    cut -d' ' -f"$2" "$RES/$1.rounds" 2>/dev/null
}

# paired A B COLUMN: the per-round ratios of column COLUMN of settings A
# and B, as "MEDIAN MIN MAX", or "n/a".
paired() {
    [ -s "$RES/$1.rounds" ] && [ -s "$RES/$2.rounds" ] || { echo n/a; return; }
    paste -d' ' <(col "$1" "$3") <(col "$2" "$3") \
        | awk '$1 != "n/a" && $2 != "n/a" && $2 + 0 != 0 { print $1 / $2 }' \
        | sort -g | awk '{ v[NR] = $1 }
            END { if (!NR) { print "n/a"; exit }
                  h = int((NR + 1) / 2)
                  m = NR % 2 ? v[h] : (v[h] + v[h + 1]) / 2
                  printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}

# fmt_ratio "MEDIAN MIN MAX": "MEDIAN (MIN-MAX)".
fmt_ratio() {
    local m lo hi
    read -r m lo hi <<<"$1"
    if [ "$m" = n/a ] || [ -z "$m" ]; then
        echo n/a
    else
        echo "$m ($lo-$hi)"
    fi
}

# target_check "MEDIAN MIN MAX" OP LIMIT: "met" if every per-round ratio
# is on the right side of LIMIT (OP "le" or "ge"), "not met" if the
# median is not, "not met in every round (the median meets it)"
# otherwise.
target_check() {
    local m lo hi
    read -r m lo hi <<<"$1"
    [ "$m" != n/a ] && [ -n "$m" ] || { echo "not measured"; return; }
    awk -v m="$m" -v lo="$lo" -v hi="$hi" -v op="$2" -v l="$3" 'BEGIN {
        if (op == "le") { all = hi <= l; med = m <= l }
        else { all = lo >= l; med = m >= l }
        print all ? "met" : med ? "not met in every round (the median meets it)" \
                                : "not met" }'
}

# summary FILE: "MEDIAN MIN MAX COUNT" of the numbers in FILE, n/a lines
# skipped.
summary() {
    grep -v n/a "$1" 2>/dev/null | sort -g | awk '{ v[NR] = $1 }
        END { if (!NR) { print "n/a"; exit }
              h = int((NR + 1) / 2)
              m = NR % 2 ? v[h] : (v[h] + v[h + 1]) / 2
              printf "%.1f %.1f %.1f %d\n", m, v[1], v[NR], NR }'
}

# detect_target FIGURE: "met" if every one of the detections has FIGURE
# (cross_log or cross_lane), i.e. was promoted and seen, and every one is
# at most 100 ms.
detect_target() {
    local ms lo hi n all
    read -r ms lo hi n <<<"$(summary "$RES/detect.$1")"
    all=$(cat "$RES/detect.detect" 2>/dev/null | wc -l)
    if [ "$ms" = n/a ]; then
        echo "not measured"
    else
        awk -v h="$hi" -v m="$ms" -v n="$n" -v all="${all:-0}" 'BEGIN {
            printf "%s (median %s, max %s ms; %d of %d connections)\n",
                n == all && h <= 100 ? "met" : "not met", m, h, n, all }'
    fi
}

report() {
    local set label c50 c99 p50 p99 lost mbps r_c r_p r_t n ms
    local -A pr
    {
        echo "Colouring benchmark: mice under elephant load," \
             "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
        echo "every underlay link: HTB ${BENCH_RATE} Mbit/s, burst 64 KB," \
             "queue ${BENCH_QUEUE_MS} ms (bfifo $((BENCH_RATE * 125 * BENCH_QUEUE_MS + 65536)) B)" \
             "per class, outer DSCP $DSCP served last"
        echo "elephants: $BENCH_ELEPHANTS TCP streams e1 -> e2 (iperf3 -P)," \
             "started ${BENCH_WARMUP}s before the mice; mice m1 -> m2:" \
             "CoAP-like GET every 10 ms and ping -i 0.01, ${BENCH_MICE_TIME}s;" \
             "$BENCH_RUNS rounds"
        echo "colouring: class-add bulk 100 'tcp' mouse" \
             "--promote-to=elephant --promote-bytes=$BENCH_PROMOTE_BYTES;" \
             "(a) elephant lane=1; (b) elephant rate=$BENCH_METER" \
             "burst=$BENCH_METER_BURST (kbit/s, kbit); (c) elephant dscp=$DSCP;"
        echo "static: class-add bulk 100 'tcp.dst == $IPERF_PORT' elephant," \
             "lane 1 as in (a)"
        if [ "$BENCH_DATAPATH_RT" -gt 0 ]; then
            echo "every host's ovs-vswitchd main (forwarding) thread," \
                 "both systems: SCHED_RR, priority $BENCH_DATAPATH_RT"
        else
            echo "every host's ovs-vswitchd (both systems): normal" \
                 "scheduling (SCHED_OTHER)"
        fi
        echo "latency in ms over all rounds' samples; throughput: what e2" \
             "received during the mice, median of the rounds; ratios: median" \
             "of the per-round ratios (range)"
        printf '%-30s %7s %7s %7s %7s %6s %7s %4s  %-18s %-18s %-18s\n' \
            setting coap50 coap99 ping50 ping99 lost "Mbit/s" cpu% \
            "coap p99/idle" "ping p99/idle" "Mbit/s / off"
        for set in "${SETTINGS[@]}"; do
            label=$(setting_label "$set")
            c50=$(percentile 50 < "$RES/$set.coap-ms")
            c99=$(percentile 99 < "$RES/$set.coap-ms")
            p50=$(percentile 50 < "$RES/$set.ping-ms")
            p99=$(percentile 99 < "$RES/$set.ping-ms")
            lost="$(col "$set" 7 | awk '{ n += $1 } END { print n + 0 }')"
            lost+="/$(col "$set" 8 | awk '{ n += $1 } END { print n + 0 }')"
            mbps=$(col "$set" 6 | median)
            case $set in
                idle|ovn-idle) r_c=-; r_p=-; r_t=- ;;
                *) r_c=$(paired "$set" "$(setting_idle "$set")" 3)
                   r_p=$(paired "$set" "$(setting_idle "$set")" 5)
                   pr[$set.c]=$r_c
                   pr[$set.p]=$r_p
                   r_c=$(fmt_ratio "$r_c")
                   r_p=$(fmt_ratio "$r_p")
                   if has_setting off; then
                       r_t=$(paired "$set" off 6)
                       pr[$set.t]=$r_t
                       r_t=$(fmt_ratio "$r_t")
                   else
                       r_t=n/a
                   fi ;;
            esac
            printf '%-30s %7s %7s %7s %7s %6s %7s %4s  %-18s %-18s %-18s\n' \
                "$label" "$c50" "$c99" "$p50" "$p99" "$lost" "$mbps" \
                "$(col "$set" 13 | median)" \
                "$r_c" "$r_p" "$r_t"
        done
        echo "(lost: CoAP requests unanswered within 1 s / pings" \
             "unanswered, over all rounds; cpu%: the machine's CPUs busy" \
             "while the mice ran, median of the rounds)"
        echo
        echo "targets (met = in every round):"
        for set in a b c static a-slow; do
            has_setting $set || continue
            [ $set = a-slow ] && echo "  (a control, not a target:)"
            echo "  mice p99 <= 1.5 x idle, $(setting_label $set):" \
                 "CoAP $(target_check "${pr[$set.c]}" le 1.5)," \
                 "ping $(target_check "${pr[$set.p]}" le 1.5)"
        done
        for set in a c static; do
            has_setting $set || continue
            echo "  elephants >= 0.9 x colouring off, $(setting_label $set):" \
                 "$(target_check "${pr[$set.t]}" ge 0.9)"
        done
        echo "  promotion within 100 ms of the threshold, to the" \
             "\"promoted\" log line: $(detect_target cross_log)"
        echo "  the same, to the first packet on lane 1 (in the" \
             "datapath): $(detect_target cross_lane)"
        if [ -s "$RES/conn.on" ] && [ -s "$RES/conn.off" ]; then
            r_t=$(paste -d' ' <(cut -d' ' -f1 "$RES/conn.on") \
                      <(cut -d' ' -f1 "$RES/conn.off") \
                  | awk '$2 > 0 { print $1 / $2 }' | sort -g \
                  | awk '{ v[NR] = $1 } END { h = int((NR + 1) / 2)
                         m = NR % 2 ? v[h] : (v[h] + v[h + 1]) / 2
                         printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }')
            echo "  connections/s with colouring >= 0.95 x without:" \
                 "$(target_check "$r_t" ge 0.95)"
        fi
        echo
        echo "detection, setting (a), $BENCH_DETECT single bulk connections" \
             "(ms from the connection's IP bytes reaching" \
             "$BENCH_PROMOTE_BYTES; median, min, max, count):"
        echo "  to the \"promoted\" log line:   $(summary "$RES/detect.cross_log")"
        echo "  to its first packet on lane 1: $(summary "$RES/detect.cross_lane")"
        echo "  first sample to promotion (detected_after_ms): $(summary "$RES/detect.after")"
        echo "  bytes sent when promoted / estimate: $(summary "$RES/detect.est_ratio")"
        echo "  not promoted: $(grep -c n/a "$RES/detect.detect" 2>/dev/null || true)"
        if [ -s "$RES/conn.on" ]; then
            echo
            echo "new TCP connections/s (wrk -c8, Connection: close, m1 -> m2)," \
                 "$BENCH_CONN_RUNS rounds of ${BENCH_CONN_TIME}s:"
            for mode in off on; do
                echo "  colouring $mode: $(cut -d' ' -f1 "$RES/conn.$mode" | xargs)" \
                     "(median $(cut -d' ' -f1 "$RES/conn.$mode" | median));" \
                     "medians: vswitchd us/conn" \
                     "$(cut -d' ' -f2 "$RES/conn.$mode" | median)," \
                     "CPUs busy $(cut -d' ' -f3 "$RES/conn.$mode" | median)%," \
                     "controllers $(cut -d' ' -f4 "$RES/conn.$mode" | median)% of a CPU"
            done
            echo "  ratio on/off: $(fmt_ratio "$r_t")"
        fi
        if [ "$BENCH_HOLD" -gt 0 ]; then
            echo
            echo "$BENCH_HOLD concurrent connections e1 -> e2 (64 B each" \
                 "every ${BENCH_HOLD_INTERVAL} ms), setting (a):"
            echo "  all open after ${HOLD[open_s]:-n/a} s; established while" \
                 "measuring: ${HOLD[conns_ss]:-n/a}; client: ${HOLD[client]:-n/a}"
            echo "  3 bulk connections meanwhile, to the promotion:" \
                 "$(summary "$RES/hold.cross_log") ms (median min max count);" \
                 "to lane 1: $(summary "$RES/hold.cross_lane")"
            echo "  not promoted: $(grep -c n/a "$RES/hold.detect" 2>/dev/null || true)"
            echo "  osm-hv1 controller CPU meanwhile: ${HOLD[cpu_pct]:-n/a}%;" \
                 "RSS/peak MB before ${HOLD[mem_before]:-n/a}, after" \
                 "${HOLD[mem_after]:-n/a}"
            echo "  detector before: ${HOLD[counters_before]:-n/a}"
            echo "  detector after:  ${HOLD[counters]:-n/a}"
            echo "  osm-hv1 datapath flows while one more bulk connection" \
                 "ran, promoted (${HOLD[promoted_now]:-n/a} promoted):" \
                 "${HOLD[dpflows]:-n/a}; 3 s after it: ${HOLD[dpflows_after]:-n/a}"
        fi
        if [ ${#HOPS[@]} -gt 0 ]; then
            echo
            echo "where the mice's time went: one more measurement of each" \
                 "setting below, the mice captured at m1's eth0 (m1), its" \
                 "veth on host 1 (v1), lane 0's underlay port of host 1 (h1)" \
                 "and host 2 (h2), m2's veth on host 2 (v2) and m2's eth0" \
                 "(m2); a>b: request from a to b, turn: the server's answer" \
                 "time, a<b: answer from b to a; v1>h1 and v1<h1 are" \
                 "host 1's backlog and ovs-vswitchd, h2>v2 and h2<v2" \
                 "host 2's, h1>h2 and h1<h2 the underlay):"
            for set in "${HOPS[@]}"; do
                echo "  $(setting_label "$set"):"
                sed 's/^/    /' "$RES/$set.hops"
            done
        fi
        echo
        echo "every round (coap p50 p99, ping p50 p99 ms; Mbit/s; lost" \
             "coap/ping; promoted; MB to host 2 on lane 0, lane 1, lane 0's" \
             "DSCP class; CPUs busy %; both vswitchd CPU % of one CPU;" \
             "packets dropped by lane 0's shaper to host 2, default and DSCP" \
             "class, and by the kernel's input queues):"
        for round in $(seq "$BENCH_RUNS"); do
            echo "  round $round: ${ROUND_LOADS[round - 1]:-n/a}"
            for set in "${SETTINGS[@]}"; do
                awk -v r="$round" -v l="$(setting_label "$set")" '$1 == r {
                    printf "    %-30s %s %s, %s %s; %s; %s/%s; %s; %s %s %s; %s; %s; %s %s %s\n",
                        l, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                        $13, $14, $15, $16, $17 }' \
                    "$RES/$set.rounds"
            done
        done
        echo "plot: $BENCH_PLOT"
        echo "run time: $(( $(date +%s) - START_S )) s"
        echo "load average (1/5/15 min):"
        printf '  %s\n' "${LOADS[@]}"
    } | tee ${BENCH_OUT:+"$BENCH_OUT"}
}

# plot: the latency distributions per setting (CoAP and ping: the
# fraction of samples above each latency, log scales) and the elephants'
# throughput, as a PNG at BENCH_PLOT.
plot() {
    local args=() set
    if [ -z "$PLOT_PY" ]; then
        echo "no python3 with matplotlib: no plot (apt-get install" \
             "python3-matplotlib)" >&2
        return
    fi
    for set in "${SETTINGS[@]}"; do
        args+=("$(setting_label "$set")" "$RES/$set")
    done
    "$PLOT_PY" - "$BENCH_PLOT" "$BENCH_RATE" "${args[@]}" <<'EOF' \
        || echo "warning: the plot failed" >&2
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out, rate, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
sets = list(zip(rest[0::2], rest[1::2]))
fig, axes = plt.subplots(1, 3, figsize=(16, 5),
                         gridspec_kw={"width_ratios": [3, 3, 2]})
for ax, kind, title in ((axes[0], "coap-ms", "CoAP-like request/response"),
                        (axes[1], "ping-ms", "ping -i 0.01")):
    for label, base in sets:
        try:
            v = sorted(float(x) for x in open("%s.%s" % (base, kind)))
        except OSError:
            continue
        if not v:
            continue
        n = len(v)
        style = "--" if label.startswith("idle") else "-"
        ax.step(v, [1 - i / n for i in range(n)], style, where="post",
                label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1.05)
    ax.axhline(0.01, color="grey", linewidth=0.5)
    ax.axhline(0.5, color="grey", linewidth=0.5)
    ax.set_xlabel("round trip, ms")
    ax.set_ylabel("fraction of samples slower")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
axes[0].legend(fontsize=8)
names, mbps = [], []
for label, base in sets:
    if label.startswith("idle"):
        continue
    try:
        rows = [l.split() for l in open(base + ".rounds")]
    except OSError:
        continue
    v = sorted(float(r[5]) for r in rows)
    names.append(label)
    mbps.append(v[len(v) // 2] if len(v) % 2 else
                (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2)
axes[2].barh(names[::-1], mbps[::-1])
axes[2].set_xlabel("elephants' throughput, Mbit/s (median)")
axes[2].set_title("elephants, %s Mbit/s links" % rate)
axes[2].tick_params(axis="y", labelsize=8)
fig.tight_layout()
fig.savefig(out, dpi=100)
EOF
}

# --- The run --------------------------------------------------------------

note_load "before setup"
setup_system osm
for set in "${SETTINGS[@]}"; do
    case $set in
        ovn*) setup_system ovn; break ;;
    esac
done
osm_configure off
note_load "before traffic"

for round in $(seq "$BENCH_RUNS"); do
    load_before=$(loadavg)
    for set in "${SETTINGS[@]}"; do
        run_setting "$set" "$round"
    done
    ROUND_LOADS+=("load $load_before before, $(loadavg) after")
    note_load "after round $round"
done
for set in "${HOPS[@]}"; do
    run_setting "$set" hops
done
[ ${#HOPS[@]} -gt 0 ] && note_load "after the hop captures"

if [ "$BENCH_DETECT" -gt 0 ]; then
    detection_rounds detect "$BENCH_DETECT"
    note_load "after detection"
fi
for round in $(seq "$BENCH_CONN_RUNS"); do
    measure_connrate off
    measure_connrate on
done
[ "$BENCH_CONN_RUNS" -gt 0 ] && note_load "after connection rates"
if [ "$BENCH_HOLD" -gt 0 ]; then
    measure_hold
    note_load "after $BENCH_HOLD connections"
fi
for tag in detect hold; do
    [ -s "$RES/$tag.detect" ] || continue
    awk '$1 != "n/a" { print $1 }' "$RES/$tag.detect" > "$RES/$tag.cross_log"
    awk '$1 != "n/a" { print $2 }' "$RES/$tag.detect" > "$RES/$tag.cross_lane"
    awk '$1 != "n/a" { print $3 }' "$RES/$tag.detect" > "$RES/$tag.after"
    awk '$1 != "n/a" && $4 > 0 { printf "%.2f\n", $5 / $4 }' \
        "$RES/$tag.detect" > "$RES/$tag.est_ratio"
done
note_load "end"
plot
report
