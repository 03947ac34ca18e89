#!/bin/bash
# Host controller at Kubernetes scale: osmotic-controller against
# ovn-controller (OVN 23.03), in the same run, on the same machine.
#
# Topology: the one of northd-scale-vs-ovn.sh, BENCH_NODES node switches
# ("node0"...) of BENCH_PODS pod ports each, every port with addresses and
# port security "MAC IP", loaded through each system's own nbctl and
# compiled by its own northd.  OVN gets exactly the same NB content
# (switches and ports, no router).  Each system then gets two hosts
# (tests/system/lib.sh: a namespace with its own ovsdb-server and
# ovs-vswitchd on the userspace datapath, joined by Geneve):
#   hv1   the measured host: BENCH_LOCAL ports of node0 and node1 bound
#         to OVS internal ports on its br-int (external_ids:iface-id);
#   hv2   a second chassis, where the ports "on another host" are bound.
#
# Then, in BENCH_ROUNDS paired rounds (round 1 Osmotic then OVN, round 2
# OVN then Osmotic, ...), BENCH_CHANGES changes of each kind, one at a
# time, each with "nbctl --wait=hv":
#   (0) nothing: "nbctl --wait=hv sync" (what the wait alone costs a host);
#   (a) a port bound on hv1: its internal port with the iface-id on hv1's
#       br-int, then lsp-add on node0 or node1 with addresses and port
#       security, until the port is up;
#   (b) the same on hv2 (a port added on another host, on a switch hv1
#       has), until the port is up;
#   (c) the same on hv2 on a switch hv1 does not have (node2 and above).
# Measured on hv1's controller, for each kind and round:
#   - CPU time per change: its threads' time on CPU (/proc/PID/task/*/
#     schedstat, nanoseconds) over the batch, which ends with one more
#     "--wait=hv sync", divided by BENCH_CHANGES; likewise its wake-ups
#     (voluntary context switches) and the flows of hv1's br-int that the
#     batch changed (a diff of two dumps), and for Osmotic the flow
#     computes it made (controller/status);
#   - wall time, from two logs with microsecond timestamps (sb-events.py):
#     a client that stays connected to SB and an "ovs-ofctl monitor" of
#     hv1's br-int.  From the change reaching SB (the new port's
#     Port_Binding, or the nb_cfg bump for (0)) to hv1 reporting it
#     installed (Chassis_Private:nb_cfg, what --wait=hv waits for), and to
#     the last flow change on hv1's br-int before the next change; for (a)
#     also from the Port_Binding, and from hv1's claim of it, to "up";
#   - the wall time of the nbctl --wait=hv call itself;
#   - the CPU time idle over BENCH_IDLE seconds.
# And once, after loading: hv1's controller resident memory (VmRSS, VmHWM),
# what it downloads of SB (as each system reports it), the OpenFlow flows
# on br-int, and the time from its start to all its local ports up.
#
# It prints the absolute figures (median over the rounds [min, max]), the
# median of the per-round ratios osmotic/OVN with their range, the load
# average at the start and end of every round, and the issue's targets
# with met / not met.  Nothing here is pass/fail.
#
# usage: tests/bench/controller-scale-vs-ovn.sh [osmotic] [ovn]  (default
#        both; one alone checks a testbed)
#
# Environment: OSM_BUILDDIR (built tree), BENCH_NODES (default 100),
# BENCH_PODS (default 100), BENCH_LOCAL (default 20), BENCH_ROUNDS
# (default 3), BENCH_CHANGES (default 10), BENCH_IDLE (seconds, default
# 3), BENCH_PERF=1 (after the rounds, profile each controller with perf
# during one more batch of BENCH_PERF_KIND changes, a or b, default b),
# BENCH_OUT (also write the result
# table to this file), OSM_KEEP=1.  Needs root, python3 and, for OVN,
# ovn-central and ovn-host installed (their services need not and should
# not run).

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../system/lib.sh"
. "$here/bench-lib.sh"

BENCH_NODES=${BENCH_NODES:-100}
BENCH_PODS=${BENCH_PODS:-100}
BENCH_LOCAL=${BENCH_LOCAL:-20}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_CHANGES=${BENCH_CHANGES:-10}
BENCH_IDLE=${BENCH_IDLE:-3}
BENCH_PERF=${BENCH_PERF:-0}
BENCH_PERF_KIND=${BENCH_PERF_KIND:-b}
OVN_SCHEMADIR=${OVN_SCHEMADIR:-/usr/share/ovn}
EVENTS=$here/sb-events.py

for var in BENCH_NODES BENCH_PODS BENCH_LOCAL BENCH_ROUNDS BENCH_CHANGES \
           BENCH_IDLE; do
    case ${!var} in
        ''|*[!0-9]*|0) fail "$var must be a positive integer, not '${!var}'" ;;
    esac
done
for var in BENCH_NODES BENCH_PODS BENCH_ROUNDS BENCH_CHANGES; do
    [ "${!var}" -le 250 ] || fail "$var must be 1..250, not '${!var}'"
done
[ "$BENCH_NODES" -ge 3 ] \
    || fail "BENCH_NODES must be at least 3 (two local switches, one not)"
[ "$BENCH_LOCAL" -ge 2 ] && [ "$BENCH_LOCAL" -le $((2 * BENCH_PODS)) ] \
    || fail "BENCH_LOCAL must be 2..$((2 * BENCH_PODS)) (two switches' pods)"
case $BENCH_PERF in
    0) ;;
    1) command -v perf >/dev/null || fail "BENCH_PERF=1 needs perf" ;;
    *) fail "BENCH_PERF must be 0 or 1, not '$BENCH_PERF'" ;;
esac
case $BENCH_PERF_KIND in
    a|b) ;;
    *) fail "BENCH_PERF_KIND must be a or b, not '$BENCH_PERF_KIND'" ;;
esac

systems=("$@")
[ ${#systems[@]} -gt 0 ] || systems=(osmotic ovn)
for s in "${systems[@]}"; do
    case $s in
        osmotic) command -v osmotic-controller >/dev/null \
                     || fail "osmotic-controller not found (set OSM_BUILDDIR)" ;;
        ovn) command -v ovn-controller >/dev/null || fail "ovn-controller" \
                 "not found (apt-get install ovn-central ovn-host)" ;;
        *) fail "unknown system '$s' (expected osmotic or ovn)" ;;
    esac
done
for tool in python3 ovs-vswitchd ovs-ofctl timeout; do
    command -v $tool >/dev/null || fail "$tool is needed"
done
[ "$(id -u)" = 0 ] || fail "the benchmark needs root (namespaces, OVS)"

osm_test_init

# Results: RES[system.metric] = value; per round: RND[system.round.metric].
declare -A RES RND
LOADS=()
ROUND_LOADS=()

# Bounds for client calls, seconds.
NBCTL_TIMEOUT=120
CALL_TIMEOUT=30

# now_us: the wall clock in microseconds (now_ms, and the testbed of
# both systems, are bench-lib.sh's).
now_us() {
    date +%s%6N
}

# start_events SYSTEM: the SB event log of SYSTEM ($dir/events), from a
# client that stays connected (sb-events.py).
start_events() {
    local s=$1 dir db
    dir=$(sys_dir "$s")
    case $s in
        osmotic) db=Osmotic_Southbound ;;
        ovn) db=OVN_Southbound ;;
    esac
    : > "$dir/events"
    python3 "$EVENTS" watch "$dir/sb.sock" $db "$dir/events" \
        2>"$dir/events.err" </dev/null &
    echo $! > "$dir/events.pid"
    osm_track_pidfile "$dir/events.pid"
    OSM_WAIT=120 wait_until grep -q ' ready$' "$dir/events"
}

# start_flow_log SYSTEM: the log of flow changes on hv1's br-int
# ($dir/flows), from an "ovs-ofctl monitor" that stays connected.
start_flow_log() {
    local s=$1 dir h
    dir=$(sys_dir "$s")
    h=$(hv_name "$s" 1)
    : > "$dir/flows"
    # Bounded like every client, by the longest a run may take.
    python3 "$EVENTS" flows "$dir/flows" \
        ip netns exec "$(osm_ns "$h")" env OVS_RUNDIR="$(osm_host_dir "$h")" \
        timeout 7200 ovs-ofctl monitor br-int 'watch:!initial' \
        2>"$dir/flows.err" </dev/null &
    echo $! > "$dir/flows.pid"
    osm_track_pidfile "$dir/flows.pid"
    sleep 1
    osm_pid_alive "$(cat "$dir/flows.pid")" \
        || fail "$s: ovs-ofctl monitor on hv1: $(cat "$dir/flows.err")"
}

# ctl_pidfile SYSTEM N: the pid file of SYSTEM's controller on hvN.
ctl_pidfile() {
    case $1 in
        osmotic) echo "$(osm_host_dir "$(hv_name "$1" "$2")")/osmotic-controller.pid" ;;
        ovn) echo "$(osm_host_dir "$(hv_name "$1" "$2")")/ovn-controller.pid" ;;
    esac
}

# ctl_pid SYSTEM: the pid of SYSTEM's controller on hv1.
ctl_pid() {
    cat "$(ctl_pidfile "$1" 1)"
}

# ctl_appctl SYSTEM ARGS...: a control command to SYSTEM's controller on
# hv1, bounded.
ctl_appctl() {
    local s=$1 h dir
    shift
    h=$(hv_name "$s" 1)
    dir=$(osm_host_dir "$h")
    case $s in
        osmotic) osm_host_exec "$h" timeout $CALL_TIMEOUT ovs-appctl \
                     -t "$dir/osmotic-controller.ctl" "$@" ;;
        # ovn-controller has no --unixctl: its socket is named after its
        # pid in OVN_RUNDIR.
        ovn) osm_host_exec "$h" timeout $CALL_TIMEOUT ovn-appctl \
                 -t "$dir/ovn-controller.$(ctl_pid ovn).ctl" "$@" ;;
    esac
}

# add_iface SYSTEM N IFACE LPORT: an internal port IFACE on hvN's br-int
# bound to logical port LPORT.
add_iface() {
    hv_vsctl "$1" "$2" add-port br-int "$3" \
        -- set interface "$3" type=internal external_ids:iface-id="$4" \
        || fail "$1: interface $3 on hv$2"
}

# local_ports: the logical ports bound on hv1 at start: the first half
# of BENCH_LOCAL pods of node0, the rest of node1.
local_ports() {
    local i half=$(( (BENCH_LOCAL + 1) / 2 ))
    for ((i = 0; i < BENCH_LOCAL; i++)); do
        if [ $i -lt $half ]; then
            echo "node0-pod$i"
        else
            echo "node1-pod$((i - half))"
        fi
    done
}

# lsp_up SYSTEM PORT: waits until PORT is up in NB (bounded).
lsp_up() {
    sys_nbctl "$1" wait-until Logical_Switch_Port "$2" up=true \
        || fail "$1: port $2 not up"
}

# ctl_cpu_ns SYSTEM: nanoseconds on CPU so far of hv1's controller, all
# its threads.
ctl_cpu_ns() {
    local pid total=0 ns
    pid=$(ctl_pid "$1")
    for ns in $(cut -d' ' -f1 /proc/"$pid"/task/*/schedstat 2>/dev/null); do
        total=$((total + ns))
    done
    echo $total
}

# ctl_wakeups SYSTEM: the times hv1's controller has gone to sleep and
# been woken up so far (voluntary context switches, all threads).
ctl_wakeups() {
    cat /proc/"$(ctl_pid "$1")"/task/*/status 2>/dev/null \
        | awk '$1 == "voluntary_ctxt_switches:" { n += $2 } END { print n + 0 }'
}

# ctl_mem_kb SYSTEM FIELD: FIELD (VmRSS or VmHWM) of hv1's controller, kB.
ctl_mem_kb() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$(ctl_pid "$1")/status"
}

# count_flows SYSTEM: flows on hv1's br-int.
count_flows() {
    osm_host_exec "$(hv_name "$1" 1)" timeout $CALL_TIMEOUT \
        ovs-ofctl -O OpenFlow15 dump-flows br-int 2>/dev/null \
        | grep -c 'table='
}

# dump_flows SYSTEM: hv1's br-int flows without counters, sorted.
dump_flows() {
    osm_host_exec "$(hv_name "$1" 1)" timeout $CALL_TIMEOUT \
        ovs-ofctl -O OpenFlow15 dump-flows --no-stats br-int 2>/dev/null \
        | grep 'actions=' | sort
}

# sb_download SYSTEM: what hv1's controller says it downloads of SB.
sb_download() {
    case $1 in
        osmotic) ctl_appctl osmotic controller/status | grep '^monitored:' ;;
        ovn) ctl_appctl ovn memory/show | tr ' ' '\n' \
                 | grep '^idl-cells-OVN_Southbound:' ;;
    esac
}

# osm_computes: the computes osmotic-controller on hv1 has made.
osm_computes() {
    ctl_appctl osmotic controller/status | sed -n 's/^computes: //p'
}

# setup_system SYSTEM BASE: central databases, the NB topology, northd's
# initial compile, the event log, hv2 with its controller, hv1 with its
# local ports, then hv1's controller; records what the host holds.
setup_system() {
    local s=$1 base=$2 t0 t1 n i p
    start_central "$s"
    note_load "$s: before NB load"
    t0=$(now_ms)
    for ((n = 0; n < BENCH_NODES; n++)); do
        load_node "$s" "$n"
    done
    t1=$(now_ms)
    RES[$s.nb_load_ms]=$((t1 - t0))
    t0=$(now_ms)
    start_northd "$s"
    NBCTL_TIMEOUT=900 sys_nbctl "$s" --wait=sb sync \
        || fail "$s: initial compile"
    t1=$(now_ms)
    RES[$s.compile_ms]=$((t1 - t0))
    start_events "$s"

    add_host "$s" 2 172.31.0.$((base + 2))
    start_controller "$s" 2
    add_host "$s" 1 172.31.0.$((base + 1))
    i=0
    for p in $(local_ports); do
        add_iface "$s" 1 "l$i" "$p"
        i=$((i + 1))
    done
    note_load "$s: before hv1 controller start"
    RES[$s.start_us]=$(now_us)
    start_controller "$s" 1
    for p in $(local_ports); do
        lsp_up "$s" "$p"
    done
    sys_nbctl "$s" --wait=hv sync >/dev/null || fail "$s: sync"
    # From hv1's controller start to the last of its ports up in SB.
    RES[$s.cold_ms]=$(awk -v t0="${RES[$s.start_us]}" -v n="$BENCH_LOCAL" '
        $2 == "pb-up" && $4 == "true" && $1 >= t0 && !($3 in up) {
            up[$3] = $1; k++; last = $1 }
        END { if (k >= n) { printf "%d\n", (last - t0) / 1000 }
              else { print "n/a" } }' "$(sys_dir "$s")/events")
    sleep 2
    RES[$s.rss_mb]=$(awk -v k="$(ctl_mem_kb "$s" VmRSS)" \
                         'BEGIN { printf "%.1f\n", k / 1024 }')
    RES[$s.hwm_mb]=$(awk -v k="$(ctl_mem_kb "$s" VmHWM)" \
                         'BEGIN { printf "%.1f\n", k / 1024 }')
    RES[$s.flows]=$(count_flows "$s")
    RES[$s.download]=$(sb_download "$s")
    start_flow_log "$s"
    note_load "$s: loaded"
}

# change_name KIND ROUND K: the logical port (and interface) of change K
# of KIND in ROUND.
change_name() {
    echo "$1$2-$3"
}

# one_change SYSTEM KIND ROUND K: one change of KIND; appends its window
# to $dir/windows.
one_change() {
    local s=$1 kind=$2 r=$3 k=$4 dir lp sw hv mac ip t0 t1 n0 n1 kn
    dir=$(sys_dir "$s")
    lp=$(change_name "$kind" "$r" "$k")
    case $kind in
        a) kn=1 hv=1 sw=node$((k % 2)) ;;
        b) kn=2 hv=2 sw=node$((k % 2)) ;;
        c) kn=3 hv=2 sw=node$(( 2 + ((r - 1) * BENCH_CHANGES + k - 1) \
                                    % (BENCH_NODES - 2) )) ;;
    esac
    t0=$(now_us)
    if [ "$kind" = 0 ]; then
        n0=$(now_ms)
        sys_nbctl "$s" --wait=hv sync || fail "$s: sync"
        n1=$(now_ms)
        lp=-
    else
        mac=$(printf '0a:5a:00:%02x:%02x:%02x' $kn "$r" "$k")
        ip=10.$((200 + kn)).$r.$k
        add_iface "$s" $hv "$lp" "$lp"
        n0=$(now_ms)
        sys_nbctl "$s" --wait=hv lsp-add "$sw" "$lp" \
            -- lsp-set-addresses "$lp" "$mac $ip" \
            -- lsp-set-port-security "$lp" "$mac $ip" \
            || fail "$s: change $lp"
        n1=$(now_ms)
        lsp_up "$s" "$lp"
    fi
    t1=$(now_us)
    echo "$kind $r $k $t0 $t1 $lp $((n1 - n0))" >> "$dir/windows"
}

# batch SYSTEM KIND ROUND: BENCH_CHANGES changes of KIND, one at a time,
# and a last "--wait=hv sync"; records hv1's controller CPU and wake-ups
# per change, the br-int flows the batch added or removed (or modified:
# then it counts twice), and for Osmotic the flow computes it made.  The
# status calls and flow dumps are outside the CPU samples.
batch() {
    local s=$1 kind=$2 r=$3 k c0 c1 before after w0 w1 dir
    dir=$(sys_dir "$s")
    [ "$s" = osmotic ] && c0=$(osm_computes)
    dump_flows "$s" > "$dir/flows.before"
    w0=$(ctl_wakeups "$s")
    before=$(ctl_cpu_ns "$s")
    for ((k = 1; k <= BENCH_CHANGES; k++)); do
        one_change "$s" "$kind" "$r" "$k"
    done
    sys_nbctl "$s" --wait=hv sync || fail "$s: sync"
    after=$(ctl_cpu_ns "$s")
    w1=$(ctl_wakeups "$s")
    echo "end $kind $r $(now_us)" >> "$dir/windows"
    RND[$s.$r.cpu_$kind]=$(( (after - before) / 1000 / BENCH_CHANGES ))
    RND[$s.$r.wake_$kind]=$(awk -v w=$((w1 - w0)) -v n="$BENCH_CHANGES" \
                                'BEGIN { printf "%.1f\n", w / n }')
    dump_flows "$s" > "$dir/flows.after"
    RND[$s.$r.flows_$kind]=$(diff "$dir/flows.before" "$dir/flows.after" \
        | grep -c '^[<>]' | awk -v n="$BENCH_CHANGES" \
                                '{ printf "%.1f\n", $1 / n }')
    if [ "$s" = osmotic ]; then
        c1=$(osm_computes)
        RND[$s.$r.computes_$kind]=$((c1 - c0))
    fi
}

# undo_round SYSTEM ROUND: removes the ports and interfaces of ROUND (not
# measured), so that every round starts from the same state.
undo_round() {
    local s=$1 r=$2 kind k lp
    local -a del=() if1=() if2=()
    for kind in a b c; do
        for ((k = 1; k <= BENCH_CHANGES; k++)); do
            lp=$(change_name $kind "$r" "$k")
            del+=(-- lsp-del "$lp")
            if [ $kind = a ]; then
                if1+=(-- --if-exists del-port br-int "$lp")
            else
                if2+=(-- --if-exists del-port br-int "$lp")
            fi
        done
    done
    sys_nbctl "$s" --wait=hv "${del[@]:1}" >/dev/null \
        || fail "$s: removing round $r's ports"
    hv_vsctl "$s" 1 "${if1[@]:1}" || fail "$s: hv1 interfaces"
    hv_vsctl "$s" 2 "${if2[@]:1}" || fail "$s: hv2 interfaces"
    sys_nbctl "$s" --wait=hv sync >/dev/null || fail "$s: sync"
}

# measure_round SYSTEM ROUND: idle CPU, then the batches of every kind.
measure_round() {
    local s=$1 r=$2 before after kind
    before=$(ctl_cpu_ns "$s")
    sleep "$BENCH_IDLE"
    after=$(ctl_cpu_ns "$s")
    RND[$s.$r.cpu_idle]=$(( (after - before) / 1000 / BENCH_IDLE ))
    for kind in 0 a b c; do
        batch "$s" $kind "$r"
    done
    undo_round "$s" "$r"
}

# round_latencies SYSTEM: per round and kind, the medians of the
# latencies of its changes (from the event log).
round_latencies() {
    local s=$1 dir r kind hv
    dir=$(sys_dir "$s")
    hv=$(hv_name "$s" 1)
    python3 "$EVENTS" analyze "$dir/events" "$dir/flows" "$dir/windows" \
        "$hv" > "$dir/latencies" || fail "$s: analysing the event logs"
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        for kind in 0 a b c; do
            RND[$s.$r.inst_$kind]=$(awk -v k=$kind -v r="$r" \
                '$1 == k && $2 == r && $4 != "-" { print $4 }' \
                "$dir/latencies" | median)
            RND[$s.$r.fl_$kind]=$(awk -v k=$kind -v r="$r" \
                '$1 == k && $2 == r && $5 != "-" { print $5 }' \
                "$dir/latencies" | median)
            RND[$s.$r.nbctl_$kind]=$(awk -v k=$kind -v r="$r" \
                '$1 == k && $2 == r { print $8 }' "$dir/latencies" | median)
        done
        RND[$s.$r.up_a]=$(awk -v r="$r" \
            '$1 == "a" && $2 == r && $6 != "-" { print $6 }' \
            "$dir/latencies" | median)
        RND[$s.$r.claim_up_a]=$(awk -v r="$r" \
            '$1 == "a" && $2 == r && $7 != "-" { print $7 }' \
            "$dir/latencies" | median)
    done
    RES[$s.up_a_max]=$(awk '$1 == "a" && $6 != "-" { print $6 }' \
                           "$dir/latencies" | sort -g | tail -1)
}

# profile SYSTEM: one more batch of (b) changes with hv1's controller
# under perf (DWARF call graphs: the binaries keep no frame pointers); the
# functions with the most CPU time, their callees' included, go to
# $dir/perf.txt.
profile() {
    local s=$1 dir pid k
    dir=$(sys_dir "$s")
    perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 \
        -p "$(ctl_pid "$s")" -o "$dir/perf.data" >/dev/null 2>&1 &
    pid=$!
    echo $pid > "$dir/perf.pid"
    osm_track_pidfile "$dir/perf.pid"
    sleep 1
    for ((k = 1; k <= BENCH_CHANGES; k++)); do
        one_change "$s" "$BENCH_PERF_KIND" 250 "$k"
    done
    kill -INT $pid
    wait $pid
    # Gone: its pid must not be signalled at cleanup.
    : > "$dir/perf.pid"
    timeout 600 perf report -i "$dir/perf.data" --stdio --children \
        --sort dso,symbol -g none 2>/dev/null | grep -v '^#' | grep . \
        | sed 's/[ -]*$//' | head -40 > "$dir/perf.txt"
}

# ratio_stats METRIC: "median [min, max]" of the per-round ratios
# osmotic/OVN of METRIC, then a verdict: ahead (the whole range below 1,
# less is better), behind (the whole range above 1) or mixed.  (The
# figures of one system are bench-lib.sh's stats.)
ratio_stats() {
    local m=$1 r a b
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        a=${RND[osmotic.$r.$m]:-n/a}
        b=${RND[ovn.$r.$m]:-n/a}
        awk -v a="$a" -v b="$b" 'BEGIN {
            if (a != "n/a" && b != "n/a" && b + 0 > 0) { print a / b } }'
    done | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) { print "n/a"; exit }
              m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              verdict = v[NR] < 1 ? "ahead" : (v[1] > 1 ? "behind" : "mixed")
              printf "%.2f [%.2f, %.2f] %s\n", m, v[1], v[NR], verdict }'
}

# ratio_max METRIC: the largest per-round ratio osmotic/OVN of METRIC.
ratio_max() {
    ratio_stats "$1" | awk '{ gsub(/[\[\],]/, ""); print ($1 == "n/a") ? "n/a" : $3 }'
}

# met COND: "met" or "not met" (COND evaluated by awk), or "n/a" if
# COND involves a missing figure.
met() {
    case $1 in
        *n/a*) echo n/a ;;
        *) awk "BEGIN { print ($1) ? \"met\" : \"not met\" }" ;;
    esac
}

# targets: the issue's targets, met or not.
targets() {
    local x all r c k
    echo "targets (osmotic):"
    if [ -n "${RND[ovn.1.cpu_a]:-}" ] && [ -n "${RND[osmotic.1.cpu_a]:-}" ]; then
        for k in a b; do
            x=$(ratio_max cpu_$k)
            if [ "$x" = n/a ]; then
                c=n/a
            else
                c=$(met "$x <= 0.5")
            fi
            echo "  ($k) controller CPU per change at most 0.5 x" \
                 "ovn-controller's: $c (largest per-round ratio $x)"
        done
        x=$(ratio "${RES[osmotic.rss_mb]}" "${RES[ovn.rss_mb]}")
        echo "  resident memory at most ovn-controller's:" \
             "$([ "$x" = n/a ] && echo n/a || met "$x <= 1") (VmRSS ratio $x)"
    fi
    if [ -n "${RND[osmotic.1.cpu_c]:-}" ]; then
        # Nothing to do for the host: no flow compute and no flow change
        # in any round.  What a --wait=hv costs anyway (acknowledging
        # nb_cfg) is shown beside it, not counted against it.
        all=yes
        c=
        for ((r = 1; r <= BENCH_ROUNDS; r++)); do
            [ "${RND[osmotic.$r.computes_c]}" = 0 ] || all=no
            [ "${RND[osmotic.$r.flows_c]}" = 0.0 ] || all=no
            c="${c:+$c }${RND[osmotic.$r.computes_c]}"
        done
        echo "  (c) costs the host nothing (no flow compute, no flow" \
             "change): $([ $all = yes ] && echo met || echo not met)" \
             "(computes per round: $c; CPU per change" \
             "$(stats osmotic cpu_c) us; a --wait=hv with no change costs" \
             "$(stats osmotic cpu_0) us)"
        x=${RES[osmotic.up_a_max]:-n/a}
        all=yes
        for ((r = 1; r <= BENCH_ROUNDS; r++)); do
            [ "$(met "${RND[osmotic.$r.up_a]} <= 20")" = met ] || all=no
        done
        echo "  (a) installed and up within 20 ms of its Port_Binding" \
             "reaching SB: $([ $all = yes ] && echo met || echo not met)" \
             "(median per round $(stats osmotic up_a) ms, largest single $x ms)"
    fi
}

# report: prints the result table (and copies it to $BENCH_OUT).
report() {
    local row key label s r
    local -a once=(
        "rss_mb|hv1 controller RSS after loading, MB"
        "hwm_mb|hv1 controller peak RSS (VmHWM), MB"
        "flows|OpenFlow flows on hv1's br-int"
        "cold_ms|hv1 controller start to local ports up, ms"
        "nb_load_ms|NB load through nbctl, ms"
        "compile_ms|northd initial compile, ms"
    )
    local -a rows=(
        "cpu_idle|controller CPU idle, us per second"
        "cpu_0|CPU per change, us: (0) --wait=hv sync"
        "cpu_a|  (a) port bound on this host"
        "cpu_b|  (b) port on hv2, local switch"
        "cpu_c|  (c) port on hv2, switch not local"
        "wake_0|wake-ups per change: (0)"
        "wake_a|  (a)"
        "wake_b|  (b)"
        "wake_c|  (c)"
        "flows_0|br-int flows changed per change: (0)"
        "flows_a|  (a)"
        "flows_b|  (b)"
        "flows_c|  (c)"
        "inst_0|SB change to hv1's nb_cfg, ms: (0)"
        "inst_a|  (a)"
        "inst_b|  (b)"
        "inst_c|  (c)"
        "fl_a|SB change to last flow change, ms: (a)"
        "fl_b|  (b)"
        "fl_c|  (c)"
        "up_a|(a) Port_Binding in SB to up, ms"
        "claim_up_a|(a) claim in SB to up, ms"
        "nbctl_0|nbctl --wait=hv returns, ms: (0)"
        "nbctl_a|  (a)"
        "nbctl_b|  (b)"
        "nbctl_c|  (c)"
    )
    {
        echo "Controller scale benchmark," \
             "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
        echo "$BENCH_NODES node switches x $BENCH_PODS pods" \
             "($((BENCH_NODES * BENCH_PODS)) pod ports); hv1 has" \
             "$BENCH_LOCAL local ports on node0 and node1"
        echo "$BENCH_ROUNDS paired rounds of $BENCH_CHANGES changes of each" \
             "kind, one at a time, each with --wait=hv"
        printf '%-44s %12s %12s %8s\n' "after loading" osmotic ovn ratio
        for row in "${once[@]}"; do
            key=${row%%|*}
            label=${row#*|}
            printf '%-44s %12s %12s %8s\n' "$label" \
                "${RES[osmotic.$key]:-n/a}" "${RES[ovn.$key]:-n/a}" \
                "$(ratio "${RES[osmotic.$key]:-n/a}" "${RES[ovn.$key]:-n/a}")"
        done
        echo "SB downloaded by hv1's controller, as each reports it:"
        echo "  osmotic: ${RES[osmotic.download]:-n/a}"
        echo "  ovn: ${RES[ovn.download]:-n/a}"
        echo "per round: median over the rounds [min, max]; ratio osmotic/OVN:" \
             "median of the per-round ratios [min, max]"
        printf '%-38s %22s %22s %28s\n' metric osmotic ovn ratio
        for row in "${rows[@]}"; do
            key=${row%%|*}
            label=${row#*|}
            printf '%-38s %22s %22s %28s\n' "$label" \
                "$(stats osmotic "$key")" "$(stats ovn "$key")" \
                "$(ratio_stats "$key")"
        done
        echo "every round (CPU us per change (0) (a) (b) (c), idle us/s;" \
             "to nb_cfg ms (0) (a) (b) (c); to last flow ms (a) (b); up ms):"
        for ((r = 1; r <= BENCH_ROUNDS; r++)); do
            echo "  round $r: ${ROUND_LOADS[r]}"
            for s in "${systems[@]}"; do
                printf '    %-8s %s %s %s %s, %s; %s %s %s %s; %s %s; %s\n' \
                    "$s" \
                    "${RND[$s.$r.cpu_0]}" "${RND[$s.$r.cpu_a]}" \
                    "${RND[$s.$r.cpu_b]}" "${RND[$s.$r.cpu_c]}" \
                    "${RND[$s.$r.cpu_idle]}" \
                    "${RND[$s.$r.inst_0]}" "${RND[$s.$r.inst_a]}" \
                    "${RND[$s.$r.inst_b]}" "${RND[$s.$r.inst_c]}" \
                    "${RND[$s.$r.fl_a]}" "${RND[$s.$r.fl_b]}" \
                    "${RND[$s.$r.up_a]}"
            done
        done
        if [ -n "${RND[osmotic.1.cpu_0]:-}" ]; then
            echo "osmotic-controller computes per batch (0) (a) (b) (c):"
            for ((r = 1; r <= BENCH_ROUNDS; r++)); do
                echo "  round $r: ${RND[osmotic.$r.computes_0]}" \
                     "${RND[osmotic.$r.computes_a]}" \
                     "${RND[osmotic.$r.computes_b]}" \
                     "${RND[osmotic.$r.computes_c]}"
            done
        fi
        targets
        echo "load average (1/5/15 min):"
        printf '  %s\n' "${LOADS[@]}"
        if [ "$BENCH_PERF" = 1 ]; then
            for s in "${systems[@]}"; do
                echo "$s's controller during ($BENCH_PERF_KIND) changes," \
                     "CPU time by function" \
                     "(with callees; self):"
                sed 's/^/  /' "$(sys_dir "$s")/perf.txt"
            done
        fi
    } | tee ${BENCH_OUT:+"$BENCH_OUT"}
}

note_load "start"
base=0
for s in "${systems[@]}"; do
    setup_system "$s" $base
    base=$((base + 10))
done

for ((r = 1; r <= BENCH_ROUNDS; r++)); do
    # Odd rounds in the order given, even rounds reversed.
    order=("${systems[@]}")
    if [ $((r % 2)) = 0 ] && [ ${#systems[@]} = 2 ]; then
        order=("${systems[1]}" "${systems[0]}")
    fi
    start_load=$(cut -d' ' -f1-3 /proc/loadavg)
    for s in "${order[@]}"; do
        measure_round "$s" "$r"
    done
    end_load=$(cut -d' ' -f1-3 /proc/loadavg)
    ROUND_LOADS[r]="${order[*]}; load $start_load at start, $end_load at end"
    note_load "after round $r"
done
for s in "${systems[@]}"; do
    round_latencies "$s"
done
if [ "$BENCH_PERF" = 1 ]; then
    for s in "${systems[@]}"; do
        profile "$s"
    done
fi
note_load "end"
report
