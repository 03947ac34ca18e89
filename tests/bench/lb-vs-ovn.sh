#!/bin/bash
# Switch load balancers: Osmotic against OVN 23.03, in the same run, on
# the same machine.  Two parts, either or both:
#
# "datapath": per system, three hosts (tests/system/lib.sh: namespaces
# with their own ovsdb-server and ovs-vswitchd on the userspace datapath,
# joined by Geneve) and a router lr0 between two switches, as pods reach
# a Kubernetes service: sw0 (10.10.1.0/24) with the backends b1 (on hv1),
# b2 and b3 (on hv2), each running bench-httpd on port 80; sw1
# (10.10.2.0/24) with the clients ca (on hv1, a host with a backend) and
# cb (on hv3, a host without).  One load balancer, VIP 172.30.0.10:80
# (TCP) to the three backends, in a load balancer group on both switches
# (as ovn-kubernetes attaches its ClusterIP group to every node switch).
# In BENCH_ROUNDS paired rounds (odd rounds Osmotic first, even rounds
# OVN first), from each client, to the VIP and, as the reference of the
# same system (what the VIP costs), directly to b2 (a backend on another
# host for both clients; the VIP sends a third of ca's connections to its
# local b1):
#   conn   new TCP connections per second: wrk, 8 connections, every
#          request on a new connection ("Connection: close"), BENCH_TIME
#          seconds;
#   p50, p99
#          request/response latency: wrk with one connection at a time
#          (each a new one), BENCH_LAT_TIME seconds, wrk's latency
#          percentiles (from the request's write to the response's end).
# Before every run the conntrack tables of the system's hosts are
# flushed, and a run is short enough (BENCH_TIME) for its connections
# not to use a client's source port twice (ports 10000-65000; Linux
# takes the even ones first): a connection from a port whose earlier
# connection conntrack still holds meets that entry.  Open vSwitch 3.1's
# userspace conntrack asserted so on OVN's hosts ("conn->conn_type ==
# CT_CONN_TYPE_DEFAULT" in conn_update_state()) in 10 s runs, and on
# Osmotic a direct connection from a port a VIP connection to the same
# backend had used got its SYN-ACK translated back to the VIP.
#
# "control": the scale topology of northd-scale-vs-ovn.sh, BENCH_NODES
# node switches of BENCH_PODS pods, and BENCH_SERVICES services: service
# I is load balancer svcI, VIP 10.96.X.Y:80 (TCP) with three backends on
# port 8080, three pods no other service has together, on three nodes
# (svc_backend), all in one load balancer group attached to every node
# switch.  Both systems get exactly the same NB content through their
# own nbctl, before their northd starts.  Measured once: the NB load,
# northd's initial compile (its start to "--wait=sb sync"), SB rows,
# northd's RSS, and on one host hv1 (BENCH_LOCAL ports of node0 and node1
# bound, its controller running: every VIP is on its switches) the
# OpenFlow flows and groups of br-int.  Then BENCH_ROUNDS paired rounds
# (order alternating) of BENCH_CHANGES changes of each kind, one at a
# time, each timed from nbctl's start to its return:
#   be_sb   one backend added to a service (a fourth), --wait=sb;
#   be_hv   the same on another service, --wait=hv.
# After each change, unmeasured, "--wait=hv sync": the next starts with
# hv1 at rest.  Each round's changes are undone (unmeasured) after it.
#
# Ratios osmotic/OVN are the medians of the per-round (per-change) paired
# ratios, with their range; the load average is recorded at the start and
# end of every round; the issue's targets are printed MET or NOT MET,
# MET only if every round (every change) meets them.  Nothing here is
# pass/fail.  In the datapath part, an ovs-vswitchd that dies during a
# run is restarted (after the run), that run has no figure, and the
# table says how often and with what assertion; any other daemon of one
# side that dies stops that side's measurements for the rest of the
# part, and its table says so.
#
# usage: tests/bench/lb-vs-ovn.sh [datapath] [control]  (default both)
#
# Environment: OSM_BUILDDIR (built tree), BENCH_ROUNDS (default 3),
# BENCH_TIME (seconds per connection-rate run, default 5),
# BENCH_LAT_TIME (seconds per latency run, default 5), BENCH_NODES
# (default 100), BENCH_PODS (pods per node, default 30), BENCH_SERVICES
# (default 10000), BENCH_LOCAL (default 20), BENCH_CHANGES (default 5),
# BENCH_CSUM (true or false, default false: the outer UDP checksum of
# both systems' tunnels in the datapath part, as in switching-vs-ovn.sh),
# BENCH_OUT (also write the tables to this file: emptied at the start,
# each part's table appended as it ends), OSM_CLIENT_TIMEOUT (seconds any
# client call may take, default 600), BENCH_OVN (1 or 0, default 1; 0
# measures Osmotic alone, where OVN is not installed: the OVN columns and
# the ratios read n/a and the flow target is not judged), OSM_KEEP=1.
# Needs root, python3, for the datapath part wrk and a C compiler, and
# (with BENCH_OVN=1) ovn-central and ovn-host installed (their services
# need not and should not run).

here=$(cd "$(dirname "$0")" && pwd)
: "${OSM_CLIENT_TIMEOUT:=600}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"
. "$here/bench-lib.sh"

BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_TIME=${BENCH_TIME:-5}
BENCH_LAT_TIME=${BENCH_LAT_TIME:-5}
BENCH_NODES=${BENCH_NODES:-100}
BENCH_PODS=${BENCH_PODS:-30}
BENCH_SERVICES=${BENCH_SERVICES:-10000}
BENCH_LOCAL=${BENCH_LOCAL:-20}
BENCH_CHANGES=${BENCH_CHANGES:-5}
BENCH_CSUM=${BENCH_CSUM:-false}
BENCH_OVN=${BENCH_OVN:-1}

case $BENCH_CSUM in
    true|false) ;;
    *) fail "BENCH_CSUM must be true or false, not '$BENCH_CSUM'" ;;
esac
case $BENCH_OVN in
    0|1) ;;
    *) fail "BENCH_OVN must be 1 or 0, not '$BENCH_OVN'" ;;
esac
for var in BENCH_ROUNDS BENCH_TIME BENCH_LAT_TIME BENCH_NODES BENCH_PODS \
           BENCH_SERVICES BENCH_LOCAL BENCH_CHANGES; do
    case ${!var} in
        ''|*[!0-9]*|0) fail "$var must be a positive integer, not '${!var}'" ;;
    esac
done
[ "$BENCH_NODES" -ge 3 ] && [ "$BENCH_NODES" -le 250 ] \
    || fail "BENCH_NODES must be 3..250 (a service's backends on 3 nodes)"
[ "$BENCH_PODS" -le 250 ] || fail "BENCH_PODS must be 1..250"
[ "$BENCH_SERVICES" -le 62500 ] || fail "BENCH_SERVICES must be 1..62500"
[ $((BENCH_NODES * BENCH_PODS)) -ge 20 ] \
    && [ $((2 + 2 * (BENCH_SERVICES / (BENCH_NODES * BENCH_PODS)))) \
         -lt $((BENCH_NODES * BENCH_PODS / 2)) ] \
    || fail "too few pods (BENCH_NODES * BENCH_PODS) for BENCH_SERVICES"
[ "$BENCH_SERVICES" -ge $((2 * BENCH_CHANGES)) ] \
    || fail "BENCH_SERVICES must be at least 2 * BENCH_CHANGES"
[ "$BENCH_LOCAL" -ge 2 ] && [ "$BENCH_LOCAL" -le $((2 * BENCH_PODS)) ] \
    || fail "BENCH_LOCAL must be 2.. two nodes' pods"
[ "$BENCH_CHANGES" -le 50 ] || fail "BENCH_CHANGES must be 1..50"

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(datapath control)
for p in "${parts[@]}"; do
    case $p in
        datapath|control) ;;
        *) fail "unknown part '$p' (datapath or control)" ;;
    esac
done
command -v osmotic-northd >/dev/null \
    || fail "osmotic-northd not found (set OSM_BUILDDIR)"
if [ "$BENCH_OVN" = 1 ]; then
    command -v ovn-northd >/dev/null && command -v ovn-controller >/dev/null \
        || fail "OVN not found (apt-get install ovn-central ovn-host," \
                "or BENCH_OVN=0)"
fi
tools=(python3 timeout)
[[ " ${parts[*]} " = *" datapath "* ]] && tools+=(wrk cc)
for tool in "${tools[@]}"; do
    command -v $tool >/dev/null || fail "$tool is needed"
done
[ "$(id -u)" = 0 ] || fail "the benchmark needs root (namespaces, OVS)"

osm_test_init
systems=(osmotic ovn)
[ "$BENCH_OVN" = 1 ] || systems=(osmotic)

# Results: RES[system.metric] = value; per round: RND[system.round.metric].
declare -A RES RND
LOADS=()
ROUND_LOADS=()
NBCTL_TIMEOUT=$OSM_CLIENT_TIMEOUT
CALL_TIMEOUT=60

# --- A side whose daemon dies ------------------------------------------------
#
# DEAD[PART.SYSTEM]: "DAEMON (WHERE): LINE" once a daemon of SYSTEM's side
# of PART has died (LINE the last assertion, abort or fatal-signal line of
# its log): the side's figures of that round are discarded and its later
# rounds of the part skipped.

declare -A DEAD DEAD_ROUND
# VS_CRASHES[SYSTEM]: how many times an ovs-vswitchd of SYSTEM's datapath
# testbed died and was restarted; VS_CRASH_NOTES[SYSTEM]: when and how.
declare -A VS_CRASHES VS_CRASH_NOTES

# side_daemons PART SYSTEM: "NAME|WHERE|PIDFILE|LOGFILE" of every daemon
# SYSTEM's side of PART runs.
side_daemons() {
    local part=$1 s=$2 dir ctl h hd p b
    local -a hosts
    ctl=osmotic-controller
    [ "$s" = ovn ] && ctl=ovn-controller
    case $part in
        datapath)
            dir=$TESTDIR/dp-$(sys_prefix "$s")
            p=$(dp_prefix "$s")
            hosts=("$p-hv1" "$p-hv2" "$p-hv3")
            for b in b1 b2 b3; do
                echo "bench-httpd|$p-$b|$TESTDIR/$p-$b-httpd.pid|"
            done ;;
        control)
            dir=$TESTDIR/$(sys_prefix "$s")
            hosts=("$(hv_name "$s" 1)") ;;
    esac
    echo "ovsdb-server|NB|$dir/nb.pid|$dir/nb.log"
    echo "ovsdb-server|SB|$dir/sb.pid|$dir/sb.log"
    echo "$s-northd|central|$dir/northd.pid|$dir/northd.log"
    for h in "${hosts[@]}"; do
        hd=$(osm_host_dir "$h")
        echo "ovsdb-server|$h|$hd/ovsdb-server.pid|$hd/ovsdb-server.log"
        echo "ovs-vswitchd|$h|$hd/ovs-vswitchd.pid|$hd/ovs-vswitchd.log"
        echo "$ctl|$h|$hd/$ctl.pid|$hd/$ctl.log"
    done
}

# side_died PART SYSTEM ROUND: true if a daemon of SYSTEM's side of PART
# has died, now (recorded, reported on stderr, the test directory kept)
# or before.
side_died() {
    local part=$1 s=$2 r=$3 name where pidfile log pid
    [ -z "${DEAD[$part.$s]:-}" ] || return 0
    while IFS='|' read -r name where pidfile log; do
        pid=$(cat "$pidfile" 2>/dev/null)
        [ -n "$pid" ] && osm_pid_alive "$pid" && continue
        DEAD[$part.$s]="$name ($where): $(crash_line "$log")"
        DEAD_ROUND[$part.$s]=$r
        export OSM_KEEP=1
        echo "$part: $s side: ${DEAD[$part.$s]} (round $r; log $log)" >&2
        return 0
    done < <(side_daemons "$part" "$s")
    return 1
}

# dead_notes PART: a line for every side of PART that died.
dead_notes() {
    local s
    for s in "${systems[@]}"; do
        [ -z "${DEAD[$1.$s]:-}" ] && continue
        echo "  $s side died in round ${DEAD_ROUND[$1.$s]}:" \
             "${DEAD[$1.$s]}; that round and the later ones have no" \
             "figures of it (test directory kept: $TESTDIR)"
    done
}

# What bench-lib.sh's report_part heads each table with, the part
# running, whose table a failure prints (fail_part, which replaces
# tests/system/lib.sh's fail here), and the first of its entries in LOADS.
BENCH_TITLE="Load balancer benchmark"
PART=
PART_LOADS=0
fail() {
    fail_part "$@"
}

# target LABEL BETTER LIMIT VALUES...: "LABEL: MET" if every one of
# VALUES (a round's ratio or a change's time) is at least (BETTER
# "higher") or at most ("lower") LIMIT, else "NOT MET", with the values;
# "n/a" without any.
target() {
    local label=$1 better=$2 limit=$3 verdict
    shift 3
    if [ $# = 0 ]; then
        echo "  $label: n/a (no figures)"
        return
    fi
    verdict=$(printf '%s\n' "$@" | awk -v b="$better" -v l="$limit" '
        { if ((b == "higher" && $1 < l) || (b == "lower" && $1 > l)) bad++ }
        END { print bad ? "NOT MET" : "MET" }')
    echo "  $label: $verdict ($*)"
}

# round_ratios A B METRIC: the per-round ratios A/B of METRIC, one a line.
round_ratios() {
    local r
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        awk -v a="${RND[$1.$r.$3]:-n/a}" -v b="${RND[$2.$r.$3]:-n/a}" '
            BEGIN { if (a != "n/a" && b != "n/a" && b + 0 > 0)
                        printf "%.2f\n", a / b }'
    done
}

# --- Datapath ----------------------------------------------------------------

VIP=172.30.0.10
HTTP_PORT=80
DIRECT=10.10.1.12
BACKENDS=10.10.1.11:$HTTP_PORT,10.10.1.12:$HTTP_PORT,10.10.1.13:$HTTP_PORT
# name|host|switch|MAC|IP of every pod of the datapath testbed.
DP_PODS=(
    "b1|hv1|sw0|0a:00:00:00:01:11|10.10.1.11"
    "b2|hv2|sw0|0a:00:00:00:01:12|10.10.1.12"
    "b3|hv2|sw0|0a:00:00:00:01:13|10.10.1.13"
    "ca|hv1|sw1|0a:00:00:00:02:21|10.10.2.21"
    "cb|hv3|sw1|0a:00:00:00:02:22|10.10.2.22"
)

# dp_prefix SYSTEM: the prefix of SYSTEM's datapath hosts and pods.
dp_prefix() {
    echo "lb$(sys_prefix "$1")"
}

# dp_setup SYSTEM BASE: SYSTEM's central daemons, hosts, topology, pods,
# servers and load balancer; waits until both clients reach the VIP.
dp_setup() {
    local s=$1 base=$2 p h n ip dir entry name host sw mac pip gw
    p=$(dp_prefix "$s")
    dir=$(sys_dir "$s")
    start_central "$s"
    start_northd "$s"
    for n in 1 2 3; do
        h=$p-hv$n
        ip=172.31.0.$((base + n))
        if [ "$s" = osmotic ]; then
            # The same outer checksum as OVN's (add_ovn_host).
            OSMOTIC_SB_DB=unix:$dir/sb.sock OSM_NO_CONTROLLER=1 \
                osm_add_host "$h" "$ip"
            osm_host_vsctl "$h" set open_vswitch . \
                external_ids:osmotic-encap-csum="$BENCH_CSUM" \
                || fail "osmotic-encap-csum on $h"
            osm_start_controller "$h"
        else
            add_ovn_host "$h" "$ip" "$dir/sb.sock"
        fi
    done
    local -a args=(lr-add lr0)
    for n in 0 1; do
        args+=(-- ls-add sw$n
               -- lrp-add lr0 lr0-sw$n 0a:00:00:00:ff:0$((n + 1))
                  10.10.$((n + 1)).1/24
               -- lsp-add sw$n sw$n-lr0 -- lsp-set-type sw$n-lr0 router
               -- lsp-set-addresses sw$n-lr0 router
               -- lsp-set-options sw$n-lr0 router-port=lr0-sw$n)
    done
    for entry in "${DP_PODS[@]}"; do
        IFS='|' read -r name host sw mac pip <<<"$entry"
        args+=(-- lsp-add "$sw" "$name" -- lsp-set-addresses "$name" "$mac $pip"
               -- lsp-set-port-security "$name" "$mac $pip")
    done
    sys_nbctl "$s" "${args[@]}" || fail "$s: topology"
    sys_nbctl "$s" -- --id=@l create Load_Balancer name=lb0 protocol=tcp \
        "vips:\"$VIP:$HTTP_PORT\"=\"$BACKENDS\"" \
        -- --id=@g create Load_Balancer_Group name=cluster load_balancer=@l \
        -- add Logical_Switch sw0 load_balancer_group @g \
        -- add Logical_Switch sw1 load_balancer_group @g >/dev/null \
        || fail "$s: load balancer"
    for entry in "${DP_PODS[@]}"; do
        IFS='|' read -r name host sw mac pip <<<"$entry"
        gw=10.10.1.1
        [ "$sw" = sw1 ] && gw=10.10.2.1
        osm_add_pod "$p-$host" "$p-$name" "$mac" "$pip/24" "$name"
        osm_pod_exec "$p-$name" ip route add default via $gw \
            || fail "$s: default route of $name"
        osm_pod_exec "$p-$name" sysctl -q -w \
            net.ipv4.ip_local_port_range="10000 65000" >/dev/null
    done
    for name in b1 b2 b3; do
        # "ip netns exec" execs the server: $! is its own pid.
        ip netns exec "$(osm_ns "$p-$name")" "$TESTDIR/bench-httpd" \
            $HTTP_PORT >/dev/null 2>&1 </dev/null &
        echo $! > "$TESTDIR/$p-$name-httpd.pid"
        osm_track_pidfile "$TESTDIR/$p-$name-httpd.pid"
    done
    sys_nbctl "$s" --wait=hv sync >/dev/null || fail "$s: --wait=hv sync"
    for name in ca cb; do
        OSM_WAIT=60 wait_until dp_reaches "$s" $name $VIP
        OSM_WAIT=60 wait_until dp_reaches "$s" $name $DIRECT
    done
}

# dp_reaches SYSTEM CLIENT IP: true if CLIENT of SYSTEM's testbed gets an
# answer from the HTTP server at IP.
dp_reaches() {
    osm_pod_exec "$(dp_prefix "$1")-$2" timeout 5 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
assert s.recv(100).startswith(b"HTTP/1.1 200")' "$3" $HTTP_PORT 2>/dev/null
}

# wrk_latency_us: reads the output of "wrk --latency" and prints its 50%
# and 99% latencies in microseconds ("n/a n/a" without them, or if no
# request was answered: wrk then prints 0).
wrk_latency_us() {
    awk 'function us(v) {
             if (v ~ /us$/) { return v + 0 }
             if (v ~ /ms$/) { return v * 1000 }
             if (v ~ /s$/) { return v * 1000000 }
             return "n/a" }
         $1 == "50%" { p50 = us($2) }
         $1 == "99%" { p99 = us($2) }
         / requests in / { n = $1 }
         END { if (n + 0 == 0) { p50 = ""; p99 = "" }
               print (p50 == "" ? "n/a" : p50), (p99 == "" ? "n/a" : p99) }'
}

# dp_flush_conntrack SYSTEM: empties the conntrack tables of SYSTEM's
# hosts, so that every run starts from the same state and none meets the
# closed connections of the one before.
dp_flush_conntrack() {
    local h
    for h in 1 2 3; do
        osm_host_appctl "$(dp_prefix "$1")-hv$h" dpctl/flush-conntrack \
            >/dev/null || true
    done
}

# dp_dead_vswitchds SYSTEM: the hosts of SYSTEM's datapath testbed whose
# ovs-vswitchd is gone.
dp_dead_vswitchds() {
    local h pid
    for h in 1 2 3; do
        h=$(dp_prefix "$1")-hv$h
        pid=$(cat "$(osm_host_dir "$h")/ovs-vswitchd.pid" 2>/dev/null)
        [ -n "$pid" ] && osm_pid_alive "$pid" || echo "$h"
    done
}

# dp_revive SYSTEM ROUND WHAT: if an ovs-vswitchd of SYSTEM's testbed has
# died (during WHAT), records it in VS_CRASHES and restarts it, then
# waits until both clients reach the VIP again.  Returns 1 if another
# daemon of the side died, or the testbed does not come back.
dp_revive() {
    local s=$1 r=$2 what=$3 h dead c
    dead=$(dp_dead_vswitchds "$s")
    [ -n "$dead" ] || return 0
    for h in $dead; do
        VS_CRASHES[$s]=$(( ${VS_CRASHES[$s]:-0} + 1 ))
        VS_CRASH_NOTES[$s]+="    round $r, $what: ovs-vswitchd ($h):"
        VS_CRASH_NOTES[$s]+=" $(crash_line "$(osm_host_dir "$h")/ovs-vswitchd.log")"
        VS_CRASH_NOTES[$s]+=$'\n'
        echo "datapath: $s: ovs-vswitchd on $h died (round $r, $what):" \
             "restarted, the run's figures discarded" >&2
        mv "$(osm_host_dir "$h")/ovs-vswitchd.log" \
           "$(osm_host_dir "$h")/ovs-vswitchd.log.${VS_CRASHES[$s]}"
        osm_start_vswitchd "$h"
    done
    export OSM_KEEP=1
    side_died datapath "$s" "$r" && return 1
    for c in ca cb; do
        OSM_WAIT=60 wait_until dp_reaches "$s" $c $VIP
    done
    ! side_died datapath "$s" "$r"
}

# dp_run SYSTEM ROUND KEY CLIENT ARGS...: one wrk run of CLIENT with
# ARGS, its output logged and left in DP_OUT, which stays empty if an
# ovs-vswitchd of the side died meanwhile (restarted: dp_revive).
# Returns 1 if another daemon died.  (Not in a subshell: dp_revive
# records the crash and tracks the restarted daemon's pid.)
dp_run() {
    local s=$1 r=$2 key=$3 c=$4 out
    shift 4
    DP_OUT=
    dp_revive "$s" "$r" "before $key" || return 1
    dp_flush_conntrack "$s"
    out=$(osm_pod_exec "$(dp_prefix "$s")-$c" wrk "$@" 2>&1)
    echo "$s round $r $key: $out" >> "$TESTDIR/wrk.log"
    if [ -n "$(dp_dead_vswitchds "$s")" ]; then
        dp_revive "$s" "$r" "$key" || return 1
        return 0
    fi
    DP_OUT=$out
}

# dp_measure SYSTEM ROUND: from each client, to the VIP and to b2, a
# connection-rate run and a latency run, into RND[SYSTEM.ROUND.*] (a run
# during which an ovs-vswitchd died has none).  Returns 1 if another
# daemon of the side died (its figures of ROUND discarded).
dp_measure() {
    local s=$1 r=$2 c dst key ip
    for c in ca cb; do
        for dst in vip direct; do
            key=${c#c}_$dst
            ip=$VIP
            [ $dst = direct ] && ip=$DIRECT
            dp_run "$s" "$r" "$key conn" $c -t1 -c8 -d"${BENCH_TIME}s" \
                -H 'Connection: close' "http://$ip:$HTTP_PORT/" || break 2
            [ -z "$DP_OUT" ] || RND[$s.$r.${key}_conn]=$(wrk_summary \
                <<<"$DP_OUT" | cut -d' ' -f1)
            dp_run "$s" "$r" "$key latency" $c -t1 -c1 \
                -d"${BENCH_LAT_TIME}s" --latency -H 'Connection: close' \
                "http://$ip:$HTTP_PORT/" || break 2
            [ -z "$DP_OUT" ] || read -r "RND[$s.$r.${key}_p50]" \
                "RND[$s.$r.${key}_p99]" <<<"$(wrk_latency_us <<<"$DP_OUT")"
        done
    done
    if side_died datapath "$s" "$r"; then
        for key in a_vip a_direct b_vip b_direct; do
            unset "RND[$s.$r.${key}_conn]" "RND[$s.$r.${key}_p50]" \
                  "RND[$s.$r.${key}_p99]"
        done
        return 1
    fi
    # The VIP's cost on this system: VIP over direct.
    for c in a b; do
        RND[$s.$r.${c}_cost]=$(ratio "${RND[$s.$r.${c}_vip_conn]:-n/a}" \
                                     "${RND[$s.$r.${c}_direct_conn]:-n/a}")
    done
}

run_datapath() {
    local r s start_load
    local -a order ran
    cc -O2 -o "$TESTDIR/bench-httpd" "$here/bench-httpd.c" \
        || fail "cannot compile bench-httpd"
    SYS_DIR_PREFIX=dp-
    dp_setup osmotic 20
    [ "$BENCH_OVN" = 0 ] || dp_setup ovn 30
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        order=("${systems[@]}")
        [ $((r % 2)) = 0 ] && [ ${#systems[@]} = 2 ] \
            && order=("${systems[1]}" "${systems[0]}")
        start_load=$(loadavg)
        ran=()
        for s in "${order[@]}"; do
            [ -z "${DEAD[datapath.$s]:-}" ] || continue
            ran+=("$s")
            dp_measure "$s" "$r" || true
        done
        ROUND_LOADS[r]="${ran[*]:-nothing}; load $start_load at start,"
        ROUND_LOADS[r]+=" $(loadavg) at end"
        note_load "after datapath round $r"
    done
    # What is left is not measured: stop its northds before the next part.
    for s in "${systems[@]}"; do
        osm_kill_pidfile "$(sys_dir "$s")/northd.pid"
    done
    SYS_DIR_PREFIX=
}

report_datapath() {
    local row key label better m s
    local -a rows=(
        "a_vip_conn|ca (backend local) to VIP, conn/s|higher"
        "a_direct_conn|ca to b2 directly, conn/s|higher"
        "b_vip_conn|cb (no backend local) to VIP, conn/s|higher"
        "b_direct_conn|cb to b2 directly, conn/s|higher"
        "a_cost|ca: VIP / direct, conn/s|higher"
        "b_cost|cb: VIP / direct, conn/s|higher"
        "a_vip_p50|ca to VIP, latency p50, us|lower"
        "a_vip_p99|ca to VIP, latency p99, us|lower"
        "a_direct_p50|ca to b2 directly, p50, us|lower"
        "a_direct_p99|ca to b2 directly, p99, us|lower"
        "b_vip_p50|cb to VIP, latency p50, us|lower"
        "b_vip_p99|cb to VIP, latency p99, us|lower"
        "b_direct_p50|cb to b2 directly, p50, us|lower"
        "b_direct_p99|cb to b2 directly, p99, us|lower"
    )
    echo "VIP $VIP:$HTTP_PORT (TCP) to 3 backends (b1 on hv1, b2 and b3 on" \
         "hv2) through lr0; clients ca (hv1) and cb (hv3); $BENCH_ROUNDS" \
         "paired rounds, ${BENCH_TIME}s connection-rate and" \
         "${BENCH_LAT_TIME}s latency runs; median [min, max] over the rounds"
    printf '%-40s %20s %20s %18s %7s\n' metric osmotic ovn "ratio osm/ovn" \
        verdict
    for row in "${rows[@]}"; do
        IFS='|' read -r key label better <<<"$row"
        m=$(ratio_stats osmotic ovn "$key")
        printf '%-40s %20s %20s %18s %7s\n' "$label" \
            "$(stats osmotic "$key")" "$(stats ovn "$key")" "$m" \
            "$(verdict "$better" $(tr -d '[],' <<<"$m"))"
    done
    dead_notes datapath
    for s in "${systems[@]}"; do
        [ -n "${VS_CRASHES[$s]:-}" ] || continue
        echo "  $s: an ovs-vswitchd died ${VS_CRASHES[$s]} time(s), was" \
             "restarted, and the run it died in has no figure:"
        printf '%s' "${VS_CRASH_NOTES[$s]}"
    done
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        echo "  round $r: ${ROUND_LOADS[r]:-did not finish}"
    done
    echo "targets (osmotic; per-round ratios osmotic/OVN):"
    target "connections/s through the VIP from ca at least 1.2 x OVN's" \
        higher 1.2 $(round_ratios osmotic ovn a_vip_conn)
    target "connections/s through the VIP from cb at least 1.2 x OVN's" \
        higher 1.2 $(round_ratios osmotic ovn b_vip_conn)
}

# --- Control plane at scale --------------------------------------------------

# svc_vip I: service I's VIP.
svc_vip() {
    echo "10.96.$(( $1 / 250 )).$(( $1 % 250 + 1 ))"
}

# svc_backend I K: the K-th backend of service I (K 0..3: the fourth is
# the one a change adds), "IP:PORT".  With P pods, service I has pods R,
# R + 1 + Q and R + 2 + 2Q (modulo P), R = I % P and Q = I / P: every
# service its own three pods, on three nodes; the fourth is pod R + P / 2.
svc_backend() {
    local p=$((BENCH_NODES * BENCH_PODS)) r q g
    r=$(( $1 % p ))
    q=$(( $1 / p ))
    case $2 in
        0) g=$r ;;
        1) g=$(( (r + 1 + q) % p )) ;;
        2) g=$(( (r + 2 + 2 * q) % p )) ;;
        3) g=$(( (r + p / 2) % p )) ;;
    esac
    echo "$(pod_ip $(( g % BENCH_NODES )) $(( g / BENCH_NODES ))):8080"
}

# svc_vips I N: the vips column of service I with its first N backends,
# as a "key=value" argument of nbctl's set/create.
svc_vips() {
    local i=$1 n=$2 k b=
    for ((k = 0; k < n; k++)); do
        b+="${b:+,}$(svc_backend "$i" $k)"
    done
    echo "vips:\"$(svc_vip "$i"):80\"=\"$b\""
}

# load_services SYSTEM: the load balancer group "cluster" on every node
# switch, then the services in it, 250 per nbctl call.
load_services() {
    local s=$1 grp n i k
    local -a args
    grp=$(sys_nbctl "$s" create Load_Balancer_Group name=cluster) \
        || fail "$s: load balancer group"
    args=()
    for ((n = 0; n < BENCH_NODES; n++)); do
        args+=(-- add Logical_Switch "node$n" load_balancer_group "$grp")
    done
    sys_nbctl "$s" "${args[@]:1}" >/dev/null || fail "$s: group on switches"
    for ((i = 0; i < BENCH_SERVICES; i += 250)); do
        args=()
        for ((k = i; k < i + 250 && k < BENCH_SERVICES; k++)); do
            args+=(-- "--id=@l$k" create Load_Balancer "name=svc$k"
                      protocol=tcp "$(svc_vips $k 3)"
                   -- add Load_Balancer_Group "$grp" load_balancer "@l$k")
        done
        sys_nbctl "$s" "${args[@]:1}" >/dev/null \
            || fail "$s: loading services $i.."
    done
}

# cp_setup SYSTEM BASE: everything up to the first round.
cp_setup() {
    local s=$1 base=$2 t0 t1 n dir
    dir=$(sys_dir "$s")
    start_central "$s"
    note_load "$s: before NB load"
    t0=$(now_ms)
    for ((n = 0; n < BENCH_NODES; n++)); do
        load_node "$s" "$n"
    done
    load_services "$s"
    t1=$(now_ms)
    RES[$s.nb_load_ms]=$((t1 - t0))
    note_load "$s: before compile"
    t0=$(now_ms)
    start_northd "$s"
    sys_nbctl "$s" --wait=sb sync || fail "$s: initial compile"
    t1=$(now_ms)
    RES[$s.compile_ms]=$((t1 - t0))
    count_sb_rows "$s" > "$dir/sb-rows"
    RES[$s.sb_rows]=$(awk '$1 == "total" { print $2 }' "$dir/sb-rows")
    RES[$s.sb_lflows]=$(awk '$1 == "Logical_Flow" { print $2 }' \
                            "$dir/sb-rows")
    LOCAL_PORTS=()
    add_hv1 "$s" 172.31.0.$((base + 1))
    sleep 2
    RES[$s.flows]=$(hv1_flows "$s")
    RES[$s.groups]=$(osm_host_exec "$(hv_name "$s" 1)" timeout $CALL_TIMEOUT \
        ovs-ofctl -O OpenFlow15 dump-groups br-int 2>/dev/null \
        | grep -c 'group_id=')
    RES[$s.rss_mb]=$(( $(northd_kb "$s" VmRSS) / 1024 ))
    note_load "$s: loaded"
}

# timed FILE SYSTEM ARGS...: sys_nbctl SYSTEM ARGS..., its wall time (ms)
# appended to FILE; then, unmeasured, "--wait=hv sync".  Returns 1 if a
# daemon of SYSTEM's side died (the change is not recorded).
timed() {
    local file=$1 s=$2 t0 t1
    shift 2
    t0=$(now_ms)
    if ! sys_nbctl "$s" "$@" >/dev/null; then
        side_died control "$s" "$CP_ROUND" && return 1
        fail "$s: nbctl $*"
    fi
    t1=$(now_ms)
    side_died control "$s" "$CP_ROUND" && return 1
    echo $((t1 - t0)) >> "$file"
    if ! sys_nbctl "$s" --wait=hv sync >/dev/null; then
        side_died control "$s" "$CP_ROUND" && return 1
        fail "$s: sync"
    fi
}

# change_svc ROUND K KIND: the service the K-th change of KIND (0 be_sb,
# 1 be_hv) of ROUND changes: a different one for every change.
change_svc() {
    echo $(( ((($1 - 1) * BENCH_CHANGES + $2) * 2 + $3) * 97 % BENCH_SERVICES ))
}

# cp_round SYSTEM ROUND: the changes of each kind, then their undoing.
# Returns 1 if a daemon of SYSTEM's side died.
cp_round() {
    local s=$1 r=$2 k i dir kind
    local -a undo=()
    CP_ROUND=$r
    dir=$(sys_dir "$s")
    for kind in be_sb be_hv; do
        : > "$dir/$kind.$r"
    done
    for ((k = 0; k < BENCH_CHANGES; k++)); do
        i=$(change_svc "$r" $k 0)
        timed "$dir/be_sb.$r" "$s" --wait=sb set Load_Balancer "svc$i" \
            "$(svc_vips "$i" 4)" || return 1
        undo+=(-- set Load_Balancer "svc$i" "$(svc_vips "$i" 3)")
        i=$(change_svc "$r" $k 1)
        timed "$dir/be_hv.$r" "$s" --wait=hv set Load_Balancer "svc$i" \
            "$(svc_vips "$i" 4)" || return 1
        undo+=(-- set Load_Balancer "svc$i" "$(svc_vips "$i" 3)")
    done
    for kind in be_sb be_hv; do
        RND[$s.$r.$kind]=$(median < "$dir/$kind.$r")
    done
    if ! sys_nbctl "$s" --wait=hv "${undo[@]:1}" >/dev/null; then
        side_died control "$s" "$r" && return 1
        fail "$s: undoing round $r"
    fi
    ! side_died control "$s" "$r"
}

run_control() {
    local base=0 r s start_load kind
    local -a order ran
    for s in "${systems[@]}"; do
        cp_setup "$s" $base
        base=$((base + 10))
    done
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        order=("${systems[@]}")
        [ $((r % 2)) = 0 ] && [ ${#systems[@]} = 2 ] \
            && order=("${systems[1]}" "${systems[0]}")
        start_load=$(loadavg)
        ran=()
        for s in "${order[@]}"; do
            [ -z "${DEAD[control.$s]:-}" ] || continue
            ran+=("$s")
            if ! cp_round "$s" "$r"; then
                for kind in be_sb be_hv; do
                    unset "RND[$s.$r.$kind]"
                    mv "$(sys_dir "$s")/$kind.$r" \
                       "$(sys_dir "$s")/discarded-$kind.$r" 2>/dev/null
                done
            fi
        done
        ROUND_LOADS[r]="${ran[*]:-nothing}; load $start_load at start,"
        ROUND_LOADS[r]+=" $(loadavg) at end"
        note_load "after control round $r"
    done
}

# all_changes SYSTEM KIND: every change's time of KIND, over the rounds.
all_changes() {
    local r
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        [ -n "${RND[$1.$r.$2]:-}" ] && cat "$(sys_dir "$1")/$2.$r"
    done
}

# change_ratios KIND: the paired ratios osmotic/OVN of change i against
# change i of KIND, every round, "median [min, max]".
change_ratios() {
    local r
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        [ -n "${RND[osmotic.$r.$1]:-}" ] && [ -n "${RND[ovn.$r.$1]:-}" ] \
            && paste -d' ' "$(sys_dir osmotic)/$1.$r" "$(sys_dir ovn)/$1.$r"
    done | awk '$2 + 0 != 0 { print $1 / $2 }' | sort -g | awk '
        { v[NR] = $1 }
        END { if (!NR) { print "n/a"; exit }
              h = int((NR + 1) / 2)
              m = NR % 2 ? v[h] : (v[h] + v[h + 1]) / 2
              printf "%.2f [%.2f, %.2f]\n", m, v[1], v[NR] }'
}

report_control() {
    local row key label m fr
    local -a once=(
        "nb_load_ms|NB load through nbctl, ms"
        "compile_ms|northd initial compile, ms"
        "sb_lflows|SB Logical_Flow rows"
        "sb_rows|SB rows, all tables"
        "rss_mb|northd RSS after compile and hv1, MB"
        "flows|OpenFlow flows on hv1's br-int"
        "groups|OpenFlow groups on hv1's br-int"
    )
    echo "$BENCH_SERVICES services of 3 backends (TCP), one load balancer" \
         "group on $BENCH_NODES node switches of $BENCH_PODS pods;" \
         "hv1 has $BENCH_LOCAL local ports (on node0 and node1)"
    printf '%-40s %12s %12s %8s\n' "after loading" osmotic ovn ratio
    for row in "${once[@]}"; do
        IFS='|' read -r key label <<<"$row"
        printf '%-40s %12s %12s %8s\n' "$label" \
            "${RES[osmotic.$key]:-n/a}" "${RES[ovn.$key]:-n/a}" \
            "$(ratio "${RES[osmotic.$key]:-n/a}" "${RES[ovn.$key]:-n/a}")"
    done
    grep -E '^(Logical_Flow|Logical_DP_Group|Load_Balancer|Datapath_Binding) ' \
        "$(sys_dir osmotic)/sb-rows" 2>/dev/null \
        | sed 's/^/  osmotic SB: /'
    grep -E '^(Logical_Flow|Logical_DP_Group|Load_Balancer|Datapath_Binding) ' \
        "$(sys_dir ovn)/sb-rows" 2>/dev/null | sed 's/^/  ovn SB: /'
    echo "$BENCH_ROUNDS paired rounds of $BENCH_CHANGES changes of each" \
         "kind: per-round medians, median [min, max]; ratio osmotic/OVN:" \
         "median [range] of the paired ratios of single changes"
    printf '%-40s %18s %18s %18s %7s\n' change osmotic ovn ratio verdict
    for row in "be_sb|one backend add, --wait=sb, ms" \
               "be_hv|one backend add, --wait=hv, ms"; do
        IFS='|' read -r key label <<<"$row"
        m=$(change_ratios "$key")
        printf '%-40s %18s %18s %18s %7s\n' "$label" \
            "$(stats osmotic "$key")" "$(stats ovn "$key")" "$m" \
            "$(verdict lower $(tr -d '[],' <<<"$m"))"
    done
    dead_notes control
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        echo "  round $r: ${ROUND_LOADS[r]:-did not finish}"
    done
    echo "targets (osmotic):"
    fr=$(ratio "${RES[osmotic.flows]:-n/a}" "${RES[ovn.flows]:-n/a}")
    if [ "$fr" = n/a ]; then
        target "OpenFlow flows on hv1 at most 0.5 x OVN's" lower 0.5
    else
        target "OpenFlow flows on hv1 at most 0.5 x OVN's" lower 0.5 "$fr"
    fi
    target "one backend add --wait=sb at most 50 ms (every change, ms)" \
        lower 50 $(all_changes osmotic be_sb)
}

# BENCH_OUT starts empty; each part's table is appended as the part ends.
if [ -n "${BENCH_OUT:-}" ]; then
    : > "$BENCH_OUT" || fail "cannot write BENCH_OUT=$BENCH_OUT"
fi
for p in "${parts[@]}"; do
    PART_LOADS=${#LOADS[@]}
    ROUND_LOADS=()
    note_load "$p: start"
    PART=$p
    run_$p
    PART=
    note_load "$p: end"
    report_part "$p"
done
