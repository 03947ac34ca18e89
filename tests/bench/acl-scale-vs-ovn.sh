#!/bin/bash
# ACLs at Kubernetes scale: Osmotic against OVN 23.03, in the same run, on
# the same machine.  Two parts, either or both:
#
# "scale": the policy-heavy topology on the generator of
# northd-scale-vs-ovn.sh: BENCH_NODES node switches of BENCH_PODS pods
# (ports with addresses and port security), then BENCH_PGS port groups of
# 10 pods each, spread over 10 nodes (pod g = POD * BENCH_NODES + NODE is
# in group g / 10), one address set per group ("asI": the addresses of
# the next group's 10 pods) and one of every pod ("as_all"), and two ACLs
# per group, as a network policy gives them:
#     to-lport 1001 "outport == @pgI && ip4.src == $asI
#                    && tcp.dst == {80, 8080}" allow-related
#     to-lport 1000 "outport == @pgI && ip4" drop
# (every 100th group allows from $as_all instead of $asI).  Both systems
# get exactly the same NB content through their own nbctl, and run side
# by side: the NB and SB ovsdb-servers, northd, and one host hv1 (a
# namespace with its own ovsdb-server and ovs-vswitchd, userspace
# datapath) with BENCH_LOCAL ports of node0 and node1 bound on br-int,
# and its controller.  Measured once: NB load, northd's initial compile
# (northd's start to "--wait=sb sync"), SB rows, northd's RSS, OpenFlow
# flows on hv1's br-int.  Then BENCH_ROUNDS paired rounds (odd rounds
# Osmotic first, even rounds OVN first) of BENCH_CHANGES changes of each
# kind, one at a time, each timed from nbctl's start to its return:
#   acl_sb    acl-add of an allow-related ACL on a group hv1 does not
#             have, --wait=sb;
#   acl_nw    the same without --wait (nbctl and the NB commit alone:
#             the client's share of the figures above);
#   as_sb     one address added to a 10-address set, --wait=sb;
#   big_sb    one address added to as_all (10,000 addresses), --wait=sb;
#   big_hv    the same with --wait=hv (hv1 has a port of pg0, which
#             allows from as_all);
#   acl_hv    acl-add on a group with ports on hv1, --wait=hv;
#   as_hv     one address added to the address set of such a group,
#             --wait=hv.
# After each change, unmeasured, "--wait=hv sync": the next change starts
# with hv1 at rest.  Each round's changes are undone (not measured) before
# the next.
#
# "connrate": the testbed of switching-vs-ovn.sh (one switch, a pod on
# each of two hosts, bench-httpd in pod 2), one testbed per system; the
# server's port is in port group "srv" with
#     to-lport 1001 "outport == @srv && ip4 && tcp.dst == {8080, 5201}"
#                   VERDICT
# (8080 bench-httpd's port, 5201 iperf3's)
#     to-lport 1000 "outport == @srv && ip4" drop
# where VERDICT is allow-related ("stateful", both systems), or allow on
# Osmotic ("stateless": no conntrack at all), or Osmotic without ACLs
# ("none").  In BENCH_ROUNDS rounds (order alternating), each
# configuration gets a wrk run (new TCP connections per second,
# "Connection: close", BENCH_TIME seconds) and an iperf3 run
# (throughput); Osmotic's also a wrk run with the datapath's megaflow
# cache off (every connection's first packets take the OpenFlow
# pipeline: what stateless ACLs cost where it shows most; OVN's testbed
# managed 15 connections per second so, stateful, and its ovs-vswitchd
# then exited).  Osmotic's three
# configurations are one testbed whose ACLs change (--wait=hv) between
# runs.
#
# Ratios are medians of the per-round (per-change) paired ratios, with
# their range; the load average is recorded before and after every
# round, and the issue's targets are printed with met / not met.  Nothing
# here is pass/fail.
#
# Each part prints its table as soon as it ends (and appends it to
# BENCH_OUT), so a later failure loses nothing of it; a failure within a
# part prints the part's table with what it measured so far, marked
# INCOMPLETE.  After every measurement (a change, a wrk or iperf3 run)
# the script checks that every daemon of the side measured still runs
# (pid files): if one has died, that side's figures of the round are
# discarded, its later rounds of the part skipped, and the table says
# "crashed (DAEMON: LINE)" for its figures, LINE being the last
# assertion, abort or fatal-signal line of the daemon's log, and "n/a
# (OVN side crashed)" (or "... Osmotic ...") for the ratios with it; the
# test directory is kept for the logs, and the run goes on.  (Open
# vSwitch 3.1's userspace conntrack asserts so in OVN's stateful wrk
# runs.)  A crash during a change that waits for northd or hv1 is
# noticed when nbctl gives up (OSM_CLIENT_TIMEOUT).
#
# usage: tests/bench/acl-scale-vs-ovn.sh [scale] [connrate]  (default both)
#
# Environment: OSM_BUILDDIR (built tree), BENCH_NODES (default 100),
# BENCH_PODS (default 100), BENCH_PGS (default BENCH_NODES * BENCH_PODS /
# 10), BENCH_LOCAL (default 20), BENCH_ROUNDS (default 3), BENCH_CHANGES
# (default 5), BENCH_TIME (seconds per wrk or iperf3 run, default 10),
# BENCH_PERF=1 (profile osmotic-northd with perf during one more batch of
# acl_sb and big_sb changes), BENCH_CSUM (true or false, default false:
# the outer UDP checksum of both systems' tunnels in the connection
# testbed, as in switching-vs-ovn.sh), BENCH_OUT (also write the tables
# to this file: emptied at the start, each part's table appended as it
# ends), OSM_CLIENT_TIMEOUT (seconds any client call may take, default
# 600), OSM_KEEP=1.  Needs root, python3, wrk, iperf3, a C compiler,
# and ovn-central and ovn-host installed (their services need not and
# should not run).

here=$(cd "$(dirname "$0")" && pwd)
: "${OSM_CLIENT_TIMEOUT:=600}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"
. "$here/bench-lib.sh"

BENCH_NODES=${BENCH_NODES:-100}
BENCH_PODS=${BENCH_PODS:-100}
BENCH_PGS=${BENCH_PGS:-$((BENCH_NODES * BENCH_PODS / 10))}
BENCH_LOCAL=${BENCH_LOCAL:-20}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_CHANGES=${BENCH_CHANGES:-5}
BENCH_TIME=${BENCH_TIME:-10}
BENCH_PERF=${BENCH_PERF:-0}
OVN_SCHEMADIR=${OVN_SCHEMADIR:-/usr/share/ovn}
BENCH_CSUM=${BENCH_CSUM:-false}

case $BENCH_CSUM in
    true|false) ;;
    *) fail "BENCH_CSUM must be true or false, not '$BENCH_CSUM'" ;;
esac
for var in BENCH_NODES BENCH_PODS BENCH_PGS BENCH_LOCAL BENCH_ROUNDS \
           BENCH_CHANGES BENCH_TIME; do
    case ${!var} in
        ''|*[!0-9]*|0) fail "$var must be a positive integer, not '${!var}'" ;;
    esac
done
[ "$BENCH_NODES" -ge 10 ] && [ "$BENCH_NODES" -le 250 ] \
    || fail "BENCH_NODES must be 10..250 (a group spans 10 nodes)"
[ "$BENCH_PODS" -le 250 ] || fail "BENCH_PODS must be 1..250"
[ $((BENCH_PGS * 10)) -le $((BENCH_NODES * BENCH_PODS)) ] \
    || fail "BENCH_PGS * 10 must not exceed the pods"
[ "$BENCH_PGS" -ge 20 ] || fail "BENCH_PGS must be at least 20"
[ "$BENCH_LOCAL" -le 20 ] && [ "$BENCH_LOCAL" -ge 2 ] \
    && [ "$BENCH_LOCAL" -le $((2 * BENCH_PODS)) ] \
    || fail "BENCH_LOCAL must be 2..20 and at most two nodes' pods"
[ "$BENCH_CHANGES" -le 50 ] || fail "BENCH_CHANGES must be 1..50"
case $BENCH_PERF in
    0) ;;
    1) command -v perf >/dev/null || fail "BENCH_PERF=1 needs perf" ;;
    *) fail "BENCH_PERF must be 0 or 1, not '$BENCH_PERF'" ;;
esac

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(scale connrate)
for p in "${parts[@]}"; do
    case $p in
        scale|connrate) ;;
        *) fail "unknown part '$p' (scale or connrate)" ;;
    esac
done
command -v osmotic-northd >/dev/null \
    || fail "osmotic-northd not found (set OSM_BUILDDIR)"
command -v ovn-northd >/dev/null && command -v ovn-controller >/dev/null \
    || fail "OVN not found (apt-get install ovn-central ovn-host)"
for tool in python3 wrk iperf3 cc timeout; do
    command -v $tool >/dev/null || fail "$tool is needed"
done
[ "$(id -u)" = 0 ] || fail "the benchmark needs root (namespaces, OVS)"

osm_test_init
systems=(osmotic ovn)

# Results: RES[system.metric] = value; per round: RND[system.round.metric].
declare -A RES RND
LOADS=()
ROUND_LOADS=()
# Every round's load of the connection part (indexed by round).
CR_LOADS=()
NBCTL_TIMEOUT=$OSM_CLIENT_TIMEOUT
CALL_TIMEOUT=60

# --- Daemons that die, and what each part prints ----------------------------
#
# A side (one system's daemons in one part) whose daemon dies during a
# measurement does not end the run: the measurement and the rest of the
# side's round are discarded, its later rounds of the part skipped, and
# the part's table says "crashed (DAEMON: LINE)" where the side's figures
# would be (after those of the rounds before the crash, if any), LINE
# being the last assertion, abort or fatal-signal line of the daemon's
# log; ratios with that side say "n/a (OVN side crashed)" (or the ratio
# of the rounds before, if any).  Open vSwitch 3.1's userspace conntrack
# asserted so under OVN's stateful connection run.  Each part prints its
# table (and appends it to BENCH_OUT) as soon as it ends, or when a
# failure stops it, with what it measured until then.

# CRASH[PART.SYSTEM]: "DAEMON: LINE" of a side that crashed;
# CRASH_ROUND[PART.SYSTEM]: the round; CRASH_NOTE[PART.SYSTEM]: the
# details the report prints under the table.
declare -A CRASH CRASH_ROUND CRASH_NOTE

# side_daemons PART SYSTEM: "NAME|WHERE|PIDFILE|LOGFILE" of every daemon
# that SYSTEM's side of PART started (LOGFILE empty for those without).
side_daemons() {
    local part=$1 s=$2 dir ctl h hd
    local -a hosts
    ctl=osmotic-controller
    [ "$s" = ovn ] && ctl=ovn-controller
    case $part in
        scale)
            dir=$(sys_dir "$s")
            echo "ovsdb-server|NB|$dir/nb.pid|$dir/nb.log"
            echo "ovsdb-server|SB|$dir/sb.pid|$dir/sb.log"
            echo "$s-northd|central|$dir/northd.pid|$dir/northd.log"
            hosts=("$(hv_name "$s" 1)") ;;
        connrate)
            dir=$TESTDIR/cr-$(sys_prefix "$s")
            echo "ovsdb-server|NB|$dir-nb.pid|$dir-nb.log"
            echo "ovsdb-server|SB|$dir-sb.pid|$dir-sb.log"
            echo "$s-northd|central|$dir-northd.pid|$dir-northd.log"
            h=cr$(sys_prefix "$s")
            echo "iperf3 server|$h-p2|$TESTDIR/$h-iperf3.pid|"
            echo "bench-httpd|$h-p2|$TESTDIR/$h-httpd.pid|"
            hosts=("$h-hv1" "$h-hv2") ;;
    esac
    for h in "${hosts[@]}"; do
        hd=$(osm_host_dir "$h")
        echo "ovsdb-server|$h|$hd/ovsdb-server.pid|$hd/ovsdb-server.log"
        echo "ovs-vswitchd|$h|$hd/ovs-vswitchd.pid|$hd/ovs-vswitchd.log"
        echo "$ctl|$h|$hd/$ctl.pid|$hd/$ctl.log"
    done
}

# side_crashed PART SYSTEM ROUND WHAT: true if SYSTEM's side of PART has
# crashed: now (a daemon of side_daemons is gone: recorded, reported on
# stderr, and the test directory kept for its logs) or before.
side_crashed() {
    local part=$1 s=$2 r=$3 what=$4 name where pidfile log pid line
    [ -z "${CRASH[$part.$s]:-}" ] || return 0
    while IFS='|' read -r name where pidfile log; do
        pid=$(cat "$pidfile" 2>/dev/null)
        if [ -n "$pid" ] && osm_pid_alive "$pid"; then
            continue
        fi
        line=$(crash_line "$log")
        CRASH[$part.$s]="$name: ${line:-exited, no assertion, abort or fatal signal in its log}"
        CRASH_ROUND[$part.$s]=$r
        CRASH_NOTE[$part.$s]="$s side crashed in round $r ($what): $name"
        if [ -n "$pid" ]; then
            CRASH_NOTE[$part.$s]+=" ($where, pid $pid) is gone"
        else
            CRASH_NOTE[$part.$s]+=" ($where) is gone, and its pid file"
        fi
        [ -z "$log" ] || CRASH_NOTE[$part.$s]+="; its log: $log"
        CRASH_NOTE[$part.$s]+="; its figures of round $r discarded and"
        CRASH_NOTE[$part.$s]+=" its later rounds of this part skipped"
        export OSM_KEEP=1
        echo "$part: ${CRASH_NOTE[$part.$s]}: ${CRASH[$part.$s]}" >&2
        return 0
    done < <(side_daemons "$part" "$s")
    return 1
}

# side_ok PART SYSTEM: true unless SYSTEM's side of PART has crashed.
side_ok() {
    [ -z "${CRASH[$1.$2]:-}" ]
}

# side_cell PART SYSTEM VALUE: VALUE, or for a side that crashed, "crashed
# (DAEMON: LINE)", after VALUE if the rounds before the crash gave one.
side_cell() {
    if side_ok "$1" "$2"; then
        echo "$3"
    elif [ "$3" = n/a ]; then
        echo "crashed (${CRASH[$1.$2]})"
    else
        echo "$3, then crashed (${CRASH[$1.$2]})"
    fi
}

# ratio_cell PART VALUE SYSTEM...: the ratio VALUE of SYSTEMs' figures,
# saying which side crashed: "n/a (OVN side crashed)", or, with the
# ratio of the rounds before the crash, "(OVN side crashed in round R)"
# ("Osmotic and OVN sides", "Osmotic side ... in round R, OVN side in
# round S" if both did).
ratio_cell() {
    local part=$1 v=$2 s name who='' when='' n=0
    shift 2
    for s in "$@"; do
        side_ok "$part" "$s" && continue
        name=Osmotic
        [ "$s" = ovn ] && name=OVN
        n=$((n + 1))
        who+="${who:+ and }$name"
        if [ $n = 1 ]; then
            when="$name side crashed in round ${CRASH_ROUND[$part.$s]}"
        else
            when+=", $name side in round ${CRASH_ROUND[$part.$s]}"
        fi
    done
    if [ $n = 0 ]; then
        echo "$v"
    elif [ "$v" = n/a ]; then
        echo "n/a ($who side$([ $n -gt 1 ] && echo s) crashed)"
    else
        echo "$v ($when)"
    fi
}

# crash_notes PART: the details of every crashed side of PART.
crash_notes() {
    local s
    for s in "${systems[@]}"; do
        side_ok "$1" "$s" || echo "  ${CRASH_NOTE[$1.$s]}" \
            "(test directory kept: $TESTDIR)"
    done
}

# What bench-lib.sh's report_part heads each table with, the part
# running, whose table a failure prints (fail_part, which replaces
# tests/system/lib.sh's fail here), and the first of its entries in LOADS.
BENCH_TITLE="ACL benchmark"
PART=
PART_LOADS=0
fail() {
    fail_part "$@"
}

# --- The policy-heavy topology ----------------------------------------------

# pod_of G: "NODE POD" of pod number G.
pod_of() {
    echo "$(( $1 % BENCH_NODES )) $(( $1 / BENCH_NODES ))"
}

# allow_match I: the match of group I's allow ACL.
allow_match() {
    local as=as$1
    [ $(( $1 % 100 )) = 0 ] && as=as_all
    echo "outport == @pg$1 && ip4.src == \$$as && tcp.dst == {80, 8080}"
}

# load_policy SYSTEM: the port groups, address sets and ACLs, 100 groups
# per nbctl call.
load_policy() {
    local s=$1 i k g node pod next ports addrs
    local -a args all=()
    # as_all in pieces: one argument may hold 128 kB at most.
    sys_nbctl "$s" create Address_Set name=as_all >/dev/null \
        || fail "$s: as_all"
    for ((g = 0; g < BENCH_NODES * BENCH_PODS; g++)); do
        read -r node pod <<<"$(pod_of $g)"
        all+=("\"$(pod_ip "$node" "$pod")\"")
        if [ ${#all[@]} = 1000 ] || [ $g = $((BENCH_NODES * BENCH_PODS - 1)) ]
        then
            sys_nbctl "$s" add Address_Set as_all addresses "${all[@]}" \
                >/dev/null || fail "$s: as_all"
            all=()
        fi
    done
    for ((i = 0; i < BENCH_PGS; i += 100)); do
        args=()
        for ((k = i; k < i + 100 && k < BENCH_PGS; k++)); do
            ports=() addrs=
            for ((g = k * 10; g < k * 10 + 10; g++)); do
                read -r node pod <<<"$(pod_of $g)"
                ports+=("node$node-pod$pod")
            done
            next=$(( (k + 1) % BENCH_PGS ))
            for ((g = next * 10; g < next * 10 + 10; g++)); do
                read -r node pod <<<"$(pod_of $g)"
                addrs+="${addrs:+,}\"$(pod_ip "$node" "$pod")\""
            done
            args+=(-- pg-add "pg$k" "${ports[@]}"
                   -- create Address_Set "name=as$k" "addresses=[$addrs]"
                   -- acl-add "pg$k" to-lport 1001 "$(allow_match $k)"
                      allow-related
                   -- acl-add "pg$k" to-lport 1000 \
                      "outport == @pg$k && ip4" drop)
        done
        sys_nbctl "$s" "${args[@]:1}" >/dev/null \
            || fail "$s: loading groups $i.."
    done
}

# setup_scale SYSTEM BASE: everything up to the first round.
setup_scale() {
    local s=$1 base=$2 t0 t1 n dir
    dir=$(sys_dir "$s")
    start_central "$s"
    note_load "$s: before NB load"
    t0=$(now_ms)
    for ((n = 0; n < BENCH_NODES; n++)); do
        load_node "$s" "$n"
    done
    load_policy "$s"
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
    RES[$s.rss_mb]=$(( $(northd_kb "$s" VmRSS) / 1024 ))
    note_load "$s: loaded"
}

# group_is_local K: true if group K has a port bound on hv1 (node0 or
# node1, pod below BENCH_LOCAL / 2, rounded up).
group_is_local() {
    local k=$1 g node pod half=$(( (BENCH_LOCAL + 1) / 2 ))
    for ((g = k * 10; g < k * 10 + 10; g++)); do
        read -r node pod <<<"$(pod_of $g)"
        [ "$node" -le 1 ] && [ "$pod" -lt $half ] && return 0
    done
    return 1
}

# pick_groups: the groups for the changes, none of them one that allows
# from as_all: REMOTE_PGS (no port on hv1, from the second half of the
# groups, 50 at most) and LOCAL_PGS (a port bound on hv1).
pick_groups() {
    local k
    REMOTE_PGS=() LOCAL_PGS=()
    for ((k = 1; k < BENCH_PGS; k++)); do
        [ $((k % 100)) = 0 ] && continue
        if group_is_local $k; then
            LOCAL_PGS+=($k)
        elif [ $k -ge $((BENCH_PGS / 2)) ] && [ ${#REMOTE_PGS[@]} -lt 50 ]
        then
            REMOTE_PGS+=($k)
        fi
    done
    [ ${#LOCAL_PGS[@]} -ge 1 ] || fail "no group with a port on hv1"
}

# timed FILE SYSTEM ARGS...: runs sys_nbctl SYSTEM ARGS... and appends its
# wall time, ms, to FILE; then, unmeasured, waits until hv1 has caught up
# ("--wait=hv sync"), so that the next change starts from a host at rest
# (a change measured with --wait=sb leaves hv1 working on it).  Returns 1
# if a daemon of SYSTEM's side died meanwhile (side_crashed; the change
# is not recorded), and fails on any other error.
timed() {
    local file=$1 t0 t1 what
    shift
    what=${file##*/}
    what="${what%.*} change"
    t0=$(now_ms)
    if ! sys_nbctl "$@" >/dev/null; then
        side_crashed scale "$1" "$SCALE_ROUND" "$what" && return 1
        fail "$1: nbctl ${*:2}"
    fi
    t1=$(now_ms)
    side_crashed scale "$1" "$SCALE_ROUND" "$what" && return 1
    echo $((t1 - t0)) >> "$file"
    if ! sys_nbctl "$1" --wait=hv sync >/dev/null; then
        side_crashed scale "$1" "$SCALE_ROUND" "sync after a change" \
            && return 1
        fail "$1: sync"
    fi
}

# change_ip ROUND K KIND: the address a change adds.
change_ip() {
    echo "10.250.$(( $3 * 10 + $1 )).$(( $2 + 1 ))"
}

# extra_match K: the match of the ACL change K adds to group PG.
extra_match() {
    echo "outport == @pg$1 && ip4.src == \$as$1 && udp.dst == $((5000 + $2))"
}

# scale_round SYSTEM ROUND: the changes of every kind, then their undoing.
# Returns 1 if a daemon of SYSTEM's side died during it.
scale_round() {
    local s=$1 r=$2 k pg dir kind
    SCALE_ROUND=$r
    dir=$(sys_dir "$s")
    for kind in acl_sb acl_nw as_sb big_sb big_hv acl_hv as_hv; do
        : > "$dir/$kind.$r"
    done
    for ((k = 0; k < BENCH_CHANGES; k++)); do
        pg=${REMOTE_PGS[$(( (r * BENCH_CHANGES + k) % ${#REMOTE_PGS[@]} ))]}
        timed "$dir/acl_sb.$r" "$s" --wait=sb acl-add "pg$pg" to-lport 1002 \
            "$(extra_match $pg $k)" allow-related || return 1
        pg=${REMOTE_PGS[$(( (r * BENCH_CHANGES + k + 7) % ${#REMOTE_PGS[@]} ))]}
        timed "$dir/acl_nw.$r" "$s" acl-add "pg$pg" to-lport 1003 \
            "$(extra_match $pg $k)" allow-related || return 1
        pg=${REMOTE_PGS[$(( (r * BENCH_CHANGES + k) % ${#REMOTE_PGS[@]} ))]}
        timed "$dir/as_sb.$r" "$s" --wait=sb add Address_Set "as$pg" \
            addresses "\"$(change_ip $r $k 1)\"" || return 1
        timed "$dir/big_sb.$r" "$s" --wait=sb add Address_Set as_all \
            addresses "\"$(change_ip $r $k 2)\"" || return 1
        timed "$dir/big_hv.$r" "$s" --wait=hv add Address_Set as_all \
            addresses "\"$(change_ip $r $k 4)\"" || return 1
        pg=${LOCAL_PGS[$(( (r * BENCH_CHANGES + k) % ${#LOCAL_PGS[@]} ))]}
        timed "$dir/acl_hv.$r" "$s" --wait=hv acl-add "pg$pg" to-lport 1002 \
            "$(extra_match $pg $k)" allow-related || return 1
        timed "$dir/as_hv.$r" "$s" --wait=hv add Address_Set "as$pg" \
            addresses "\"$(change_ip $r $k 3)\"" || return 1
    done
    for kind in acl_sb acl_nw as_sb big_sb big_hv acl_hv as_hv; do
        RND[$s.$r.$kind]=$(median < "$dir/$kind.$r")
    done
    # Undo: the ACLs of priority 1002 and 1003 (each group once), and
    # every address added.
    local -a del=()
    local -A acl_pgs=()
    for ((k = 0; k < BENCH_CHANGES; k++)); do
        for pg in ${REMOTE_PGS[$(( (r * BENCH_CHANGES + k) % ${#REMOTE_PGS[@]} ))]} \
                  ${LOCAL_PGS[$(( (r * BENCH_CHANGES + k) % ${#LOCAL_PGS[@]} ))]}; do
            acl_pgs[$pg.1002.$k]=1
            del+=(-- remove Address_Set "as$pg" addresses
                     "\"$(change_ip $r $k 1)\"" "\"$(change_ip $r $k 3)\"")
        done
        pg=${REMOTE_PGS[$(( (r * BENCH_CHANGES + k + 7) % ${#REMOTE_PGS[@]} ))]}
        acl_pgs[$pg.1003.$k]=1
        del+=(-- remove Address_Set as_all addresses
                 "\"$(change_ip $r $k 2)\"" "\"$(change_ip $r $k 4)\"")
    done
    local key pri
    for key in "${!acl_pgs[@]}"; do
        IFS=. read -r pg pri k <<<"$key"
        del+=(-- acl-del "pg$pg" to-lport "$pri" "$(extra_match $pg $k)")
    done
    if ! sys_nbctl "$s" --wait=hv "${del[@]:1}" >/dev/null; then
        side_crashed scale "$s" "$r" "undoing the round's changes" \
            && return 1
        fail "$s: undoing round $r"
    fi
    ! side_crashed scale "$s" "$r" "undoing the round's changes"
}

# profile_northd: osmotic-northd under perf during one more batch of
# acl_sb and big_sb changes; its top functions go to $dir/perf.txt.
profile_northd() {
    local dir pid k pg
    dir=$(sys_dir osmotic)
    SCALE_ROUND=profile
    perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 \
        -p "$(cat "$dir/northd.pid")" -o "$dir/perf.data" >/dev/null 2>&1 &
    pid=$!
    echo $pid > "$dir/perf.pid"
    osm_track_pidfile "$dir/perf.pid"
    sleep 1
    for ((k = 0; k < BENCH_CHANGES; k++)); do
        pg=${REMOTE_PGS[$k]}
        timed "$dir/perf-acl" osmotic --wait=sb acl-add "pg$pg" to-lport \
            1004 "$(extra_match $pg $k)" allow-related || break
        timed "$dir/perf-big" osmotic --wait=sb add Address_Set as_all \
            addresses "\"10.251.0.$((k + 1))\"" || break
    done
    kill -INT $pid
    wait $pid
    : > "$dir/perf.pid"
    timeout 600 perf report -i "$dir/perf.data" --stdio --children \
        --sort dso,symbol -g none 2>/dev/null | grep -v '^#' | grep . \
        | sed 's/[ -]*$//' | head -40 > "$dir/perf.txt"
}

# discard_scale_round SYSTEM ROUND: SYSTEM's figures of ROUND, in which
# its side crashed, are kept aside (discarded-KIND.ROUND) and not counted.
discard_scale_round() {
    local s=$1 r=$2 dir kind
    dir=$(sys_dir "$s")
    for kind in acl_sb acl_nw as_sb big_sb big_hv acl_hv as_hv; do
        unset "RND[$s.$r.$kind]"
        [ -f "$dir/$kind.$r" ] && mv "$dir/$kind.$r" "$dir/discarded-$kind.$r"
    done
}

run_scale() {
    local base=0 r s start_load
    local -a order ran
    for s in "${systems[@]}"; do
        setup_scale "$s" $base
        base=$((base + 10))
    done
    pick_groups
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        order=("${systems[@]}")
        [ $((r % 2)) = 0 ] && order=("${systems[1]}" "${systems[0]}")
        start_load=$(cut -d' ' -f1-3 /proc/loadavg)
        ran=()
        for s in "${order[@]}"; do
            side_ok scale "$s" || continue
            ran+=("$s")
            scale_round "$s" "$r" || discard_scale_round "$s" "$r"
        done
        ROUND_LOADS[r]="${ran[*]:-nothing}; load $start_load at start,"
        ROUND_LOADS[r]+=" $(cut -d' ' -f1-3 /proc/loadavg) at end"
        note_load "after scale round $r"
    done
    if [ "$BENCH_PERF" = 1 ] && side_ok scale osmotic; then
        profile_northd
    fi
    # What is left is not measured: stop it before the other part.
    for s in "${systems[@]}"; do
        osm_kill_pidfile "$(sys_dir "$s")/northd.pid"
    done
}

# --- Connection rate ---------------------------------------------------------

MAC1=0a:00:00:00:00:01
MAC2=0a:00:00:00:00:02
IP1=10.244.0.1
IP2=10.244.0.2
HTTP_PORT=8080
# iperf3's server port (its default): the ACLs allow it too.
IPERF_PORT=5201

# cr_nbctl SYSTEM ARGS...: the connection testbed's nbctl of SYSTEM.
cr_nbctl() {
    local s=$1
    shift
    case $s in
        osmotic) command osmotic-nbctl --timeout=$NBCTL_TIMEOUT \
                     --db=unix:"$TESTDIR/cr-osm-nb.sock" "$@" ;;
        ovn) command ovn-nbctl --timeout=$NBCTL_TIMEOUT \
                 --db=unix:"$TESTDIR/cr-ovn-nb.sock" "$@" ;;
    esac
}

# cr_setup SYSTEM BASE: central daemons, two hosts, sw0 with two pods,
# the servers in pod 2.
cr_setup() {
    local s=$1 base=$2 p h ip dir
    p=cr$(sys_prefix "$s")
    if [ "$s" = osmotic ]; then
        osm_start_db cr-osm-nb "$NB_SCHEMA"
        osm_start_db cr-osm-sb "$SB_SCHEMA"
    else
        osm_start_db cr-ovn-nb "$OVN_SCHEMADIR/ovn-nb.ovsschema"
        osm_start_db cr-ovn-sb "$OVN_SCHEMADIR/ovn-sb.ovsschema"
    fi
    dir=$TESTDIR/cr-$(sys_prefix "$s")
    case $s in
        osmotic)
            osmotic-northd --detach --no-chdir --pidfile="$dir-northd.pid" \
                --log-file="$dir-northd.log" --unixctl="$dir-northd.ctl" \
                --nb-db=unix:"$dir-nb.sock" --sb-db=unix:"$dir-sb.sock" \
                || fail "start osmotic-northd" ;;
        ovn)
            ovn-northd --detach --no-chdir --pidfile="$dir-northd.pid" \
                --log-file="$dir-northd.log" --unixctl="$dir-northd.ctl" \
                --ovnnb-db=unix:"$dir-nb.sock" \
                --ovnsb-db=unix:"$dir-sb.sock" || fail "start ovn-northd" ;;
    esac
    osm_track_pidfile "$dir-northd.pid"
    for h in 1 2; do
        ip=172.31.0.$((base + h + 100))
        if [ "$s" = osmotic ]; then
            # The same outer checksum as OVN's (add_ovn_host).
            OSMOTIC_SB_DB=unix:$dir-sb.sock OSM_NO_CONTROLLER=1 \
                osm_add_host $p-hv$h "$ip"
            osm_host_vsctl $p-hv$h set open_vswitch . \
                external_ids:osmotic-encap-csum="$BENCH_CSUM" \
                || fail "osmotic-encap-csum on $p-hv$h"
            osm_start_controller $p-hv$h
        else
            add_ovn_host $p-hv$h "$ip" "$dir-sb.sock"
        fi
    done
    cr_nbctl "$s" ls-add sw0 \
        -- lsp-add sw0 lp1 -- lsp-set-addresses lp1 "$MAC1 $IP1" \
        -- lsp-set-port-security lp1 "$MAC1 $IP1" \
        -- lsp-add sw0 lp2 -- lsp-set-addresses lp2 "$MAC2 $IP2" \
        -- lsp-set-port-security lp2 "$MAC2 $IP2" \
        -- pg-add srv lp2 || fail "$s: topology"
    osm_add_pod $p-hv1 $p-p1 $MAC1 $IP1/24 lp1
    osm_add_pod $p-hv2 $p-p2 $MAC2 $IP2/24 lp2
    osm_pod_exec $p-p1 sysctl -q -w \
        net.ipv4.ip_local_port_range="10000 65000" >/dev/null
    cr_acls "$s" stateful || fail "$s: ACLs stateful"
    osm_pod_exec $p-p2 iperf3 -s -p $IPERF_PORT -D \
        --pidfile "$TESTDIR/$p-iperf3.pid" \
        >/dev/null 2>&1 || fail "$s: iperf3 server"
    osm_track_pidfile "$TESTDIR/$p-iperf3.pid"
    ip netns exec "$(osm_ns $p-p2)" "$TESTDIR/bench-httpd" $HTTP_PORT \
        >/dev/null 2>&1 </dev/null &
    echo $! > "$TESTDIR/$p-httpd.pid"
    osm_track_pidfile "$TESTDIR/$p-httpd.pid"
    OSM_WAIT=60 wait_until cr_reaches "$s"
}

# cr_reaches SYSTEM: true if pod 1 of SYSTEM's testbed opens a TCP
# connection to the server in pod 2 (ping is what the ACLs drop).
cr_reaches() {
    osm_pod_exec "cr$(sys_prefix "$1")-p1" timeout 5 bash -c \
        "echo > /dev/tcp/$IP2/$HTTP_PORT" 2>/dev/null
}

# cr_acls SYSTEM CONFIG: the ACLs of CONFIG (stateful, stateless, none)
# on port group srv, installed on the hosts; returns 1 if nbctl fails.
cr_acls() {
    local s=$1 c=$2 verdict=allow
    local ports="{$HTTP_PORT, $IPERF_PORT}"
    local -a args=(-- acl-del srv)
    [ "$c" = stateful ] && verdict=allow-related
    case $c in
        stateful|stateless)
            args+=(-- acl-add srv to-lport 1001 \
                      "outport == @srv && ip4 && tcp.dst == $ports" \
                      $verdict
                   -- acl-add srv to-lport 1000 "outport == @srv && ip4" \
                      drop) ;;
    esac
    cr_nbctl "$s" --wait=hv "${args[@]:1}" >/dev/null || return 1
    CR_CONFIG[$s]=$c
}

# cr_wrk SYSTEM KEY ROUND METRIC: a wrk run in SYSTEM's pod 1 against
# the server (new TCP connections per second) into RND[KEY.ROUND.METRIC].
cr_wrk() {
    RND[$2.$3.$4]=$(osm_pod_exec "cr$(sys_prefix "$1")-p1" wrk -t1 -c8 \
        -d"${BENCH_TIME}s" -H 'Connection: close' \
        "http://$IP2:$HTTP_PORT/" 2>&1 | tee -a "$TESTDIR/$2.wrk.log" \
        | awk '/^Requests\/sec:/ { print $2 }')
}

# cr_megaflows SYSTEM enable|disable: the megaflow cache of SYSTEM's
# testbed hosts.
cr_megaflows() {
    local h
    for h in 1 2; do
        osm_host_appctl "cr$(sys_prefix "$1")-hv$h" upcall/$2-megaflows \
            >/dev/null
    done
}

# cr_measure SYSTEM CONFIG ROUND: wrk and iperf3 through SYSTEM's
# testbed with CONFIG's ACLs, then on Osmotic wrk with megaflows off.
# After each run, a check that every daemon of SYSTEM's side still runs:
# if one died, the side's figures of ROUND are discarded
# (discard_cr_round) and it returns 1.
cr_measure() {
    local s=$1 c=$2 r=$3 p key=$1-$2
    p=cr$(sys_prefix "$s")
    if [ "${CR_CONFIG[$s]}" != "$c" ] && ! cr_acls "$s" "$c"; then
        cr_crashed "$s" "$r" "$c, changing the ACLs" && return 1
        fail "$s: ACLs $c"
    fi
    # A connection to the server is refused without the allow ACL: check
    # that the ACLs are the ones measured.
    if ! cr_reaches "$s"; then
        cr_crashed "$s" "$r" "$c, before wrk" && return 1
        fail "$s ($c): no connection to the server"
    fi
    # And ping is dropped, but for "none".
    if osm_pod_exec $p-p1 ping -q -c 1 -W 1 $IP2 >/dev/null; then
        [ "$c" = none ] || fail "$s ($c): ping passes the drop ACL"
    fi
    cr_wrk "$s" "$key" "$r" conn
    cr_crashed "$s" "$r" "$c, wrk" && return 1
    # Bounded: after a crash, iperf3 would wait for its control
    # connection's answer for many minutes.
    RND[$key.$r.tput]=$(OSM_CLIENT_TIMEOUT=$((BENCH_TIME + 30)) \
        osm_pod_exec $p-p1 iperf3 -c $IP2 -p $IPERF_PORT -t "$BENCH_TIME" \
        -J 2>/dev/null | python3 -c '
import json, sys
try:
    print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]
                    ["bits_per_second"] / 1e6))
except Exception:
    print("n/a")')
    cr_crashed "$s" "$r" "$c, iperf3" && return 1
    # Megaflows off: Osmotic only.  OVN's testbed, stateful, managed 15
    # connections per second so, and its ovs-vswitchd then exited.
    [ "$s" = osmotic ] || return 0
    cr_megaflows "$s" disable
    cr_wrk "$s" "$key" "$r" conn_up
    cr_crashed "$s" "$r" "$c, wrk with megaflows off" && return 1
    cr_megaflows "$s" enable
}

# cr_crashed SYSTEM ROUND WHAT: true if a daemon of SYSTEM's connection
# testbed has died (side_crashed), whose figures of ROUND, for every
# configuration, are then discarded.
cr_crashed() {
    local s=$1 r=$2 c
    side_crashed connrate "$s" "$r" "$3" || return 1
    for c in stateful stateless none; do
        unset "RND[$s-$c.$r.conn]" "RND[$s-$c.$r.tput]" \
              "RND[$s-$c.$r.conn_up]"
    done
    return 0
}

declare -A CR_CONFIG
run_connrate() {
    local r c start_load
    local -a order ran
    cc -O2 -o "$TESTDIR/bench-httpd" "$here/bench-httpd.c" \
        || fail "cannot compile bench-httpd"
    cr_setup osmotic 0
    cr_setup ovn 10
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        order=("osmotic stateful" "ovn stateful" "osmotic stateless"
               "osmotic none")
        if [ $((r % 2)) = 0 ]; then
            order=("osmotic none" "osmotic stateless" "ovn stateful"
                   "osmotic stateful")
        fi
        start_load=$(cut -d' ' -f1-3 /proc/loadavg)
        ran=()
        for c in "${order[@]}"; do
            side_ok connrate "${c%% *}" || continue
            ran+=("$c")
            # shellcheck disable=SC2086
            cr_measure $c "$r" || true
        done
        CR_LOADS[r]="$(IFS=,; echo "${ran[*]:-nothing}" | sed 's/,/, /g');"
        CR_LOADS[r]+=" load $start_load at start,"
        CR_LOADS[r]+=" $(cut -d' ' -f1-3 /proc/loadavg) at end"
        note_load "after connection round $r"
    done
}

# --- Report ------------------------------------------------------------------

# paired_ratio KIND: the median and range of the ratios osmotic/OVN of
# change i of KIND against change i, over every round.
paired_ratio() {
    local kind=$1 r
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        paste -d' ' "$(sys_dir osmotic)/$kind.$r" "$(sys_dir ovn)/$kind.$r"
    done 2>/dev/null | awk '$2 + 0 != 0 { print $1 / $2 }' | sort -g \
        | awk '{ v[NR] = $1 }
            END { if (!NR) { print "n/a"; exit }
                  h = int((NR + 1) / 2)
                  m = NR % 2 ? v[h] : (v[h] + v[h + 1]) / 2
                  printf "%.3f [%.3f, %.3f]\n", m, v[1], v[NR] }'
}

# all_changes SYSTEM KIND: every change's time of KIND, over the rounds.
all_changes() {
    cat "$(sys_dir "$1")"/"$2".* 2>/dev/null
}

report_scale() {
    local row key label kind max
    local -a once=(
        "nb_load_ms|NB load through nbctl, ms"
        "compile_ms|northd initial compile, ms"
        "sb_lflows|SB Logical_Flow rows"
        "sb_rows|SB rows, all tables"
        "rss_mb|northd RSS after compile and hv1, MB"
        "flows|OpenFlow flows on hv1's br-int"
    )
    local -a rows=(
        "acl_sb|ACL add, --wait=sb, ms"
        "acl_nw|ACL add, no wait (nbctl + NB), ms"
        "as_sb|10-address set +1, --wait=sb, ms"
        "big_sb|10,000-address set +1, --wait=sb, ms"
        "big_hv|10,000-address set +1, --wait=hv, ms"
        "acl_hv|ACL add on hv1's group, --wait=hv, ms"
        "as_hv|hv1's group's set +1, --wait=hv, ms"
    )
    echo "ACL scale: $BENCH_NODES node switches x $BENCH_PODS pods," \
         "$BENCH_PGS port groups of 10 pods, $((2 * BENCH_PGS)) ACLs," \
         "$((BENCH_PGS + 1)) address sets (10 and" \
         "$((BENCH_NODES * BENCH_PODS)) addresses); hv1 has" \
         "$BENCH_LOCAL local ports"
    printf '%-40s %12s %12s %8s\n' "after loading" osmotic ovn ratio
    for row in "${once[@]}"; do
        key=${row%%|*}
        label=${row#*|}
        printf '%-40s %12s %12s %8s\n' "$label" \
            "${RES[osmotic.$key]:-n/a}" "${RES[ovn.$key]:-n/a}" \
            "$(ratio "${RES[osmotic.$key]:-n/a}" "${RES[ovn.$key]:-n/a}")"
    done
    echo "$BENCH_ROUNDS paired rounds of $BENCH_CHANGES changes of each" \
         "kind: per-round medians, median [min, max]; ratio osmotic/OVN:" \
         "median [range] of the paired ratios of single changes"
    printf '%-40s %18s %18s %22s\n' change osmotic ovn ratio
    for row in "${rows[@]}"; do
        key=${row%%|*}
        label=${row#*|}
        printf '%-40s %18s %18s %22s\n' "$label" \
            "$(side_cell scale osmotic "$(stats osmotic "$key")")" \
            "$(side_cell scale ovn "$(stats ovn "$key")")" \
            "$(ratio_cell scale "$(paired_ratio "$key")" osmotic ovn)"
    done
    crash_notes scale
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        echo "  round $r: ${ROUND_LOADS[r]:-did not finish}"
    done
    echo "targets (osmotic):"
    side_ok scale osmotic || echo "  (Osmotic's side crashed: its rounds" \
        "before the crash only)"
    for kind in acl_sb as_sb big_sb; do
        max=$(all_changes osmotic $kind | sort -g | tail -1)
        echo "  $kind at most 50 ms: $(met "${max:-n/a} <= 50")" \
             "(largest single change ${max:-n/a} ms; OVN's median" \
             "$(all_changes ovn $kind | median) ms)"
    done
    key=$(ratio "${RES[osmotic.flows]:-n/a}" "${RES[ovn.flows]:-n/a}")
    echo "  OpenFlow flows on a host at most 0.5 x OVN's: $(met "$key <= 0.5")" \
         "(ratio $key)"
    if [ "$BENCH_PERF" = 1 ]; then
        echo "osmotic-northd during ACL adds and as_all changes, CPU time by" \
             "function (with callees; self):"
        sed 's/^/  /' "$(sys_dir osmotic)/perf.txt"
    fi
}

report_connrate() {
    local row key label c x ovn_cell
    local -a rows=(
        "conn|new TCP connections/s"
        "conn_up|same, megaflows off, connections/s"
        "tput|TCP throughput, Mbit/s"
    )
    echo "Connections through ACLs: sw0 with a pod on each of two hosts;" \
         "$BENCH_ROUNDS rounds of $BENCH_TIME s runs; median [min, max]"
    printf '%-36s %18s %18s %18s %18s\n' metric "osmotic stateful" \
        "ovn stateful" "osmotic stateless" "osmotic none"
    for row in "${rows[@]}"; do
        key=${row%%|*}
        label=${row#*|}
        # OVN's testbed is not run with megaflows off.
        ovn_cell=n/a
        [ "$key" = conn_up ] \
            || ovn_cell=$(side_cell connrate ovn "$(stats ovn-stateful "$key")")
        printf '%-36s %18s %18s %18s %18s\n' "$label" \
            "$(side_cell connrate osmotic "$(stats osmotic-stateful "$key")")" \
            "$ovn_cell" \
            "$(side_cell connrate osmotic "$(stats osmotic-stateless "$key")")" \
            "$(side_cell connrate osmotic "$(stats osmotic-none "$key")")"
    done
    echo "paired ratios, median [min, max] over the rounds:"
    for row in "${rows[@]}"; do
        key=${row%%|*}
        label=${row#*|}
        x=n/a
        [ "$key" = conn_up ] \
            || x=$(ratio_cell connrate \
                       "$(ratio_stats osmotic-stateful ovn-stateful "$key")" \
                       osmotic ovn)
        printf '  %-34s stateful osmotic/OVN %s; osmotic stateless/none %s\n' \
            "$label" "$x" \
            "$(ratio_cell connrate \
                 "$(ratio_stats osmotic-stateless osmotic-none "$key")" \
                 osmotic)"
    done
    crash_notes connrate
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        echo "  round $r: ${CR_LOADS[r]:-did not finish}"
    done
    echo "targets (osmotic):"
    side_ok connrate osmotic && side_ok connrate ovn \
        || echo "  (a side crashed: the rounds before the crash only)"
    x=$(ratio_stats osmotic-stateful ovn-stateful conn | cut -d' ' -f1)
    echo "  conn: stateful at least 1.3 x OVN's: $(met "$x >= 1.3")" \
         "(median ratio $x)"
    for key in conn conn_up tput; do
        x=$(ratio_stats osmotic-stateless osmotic-none $key | cut -d' ' -f1)
        echo "  $key: stateless at least 0.97 x no ACLs: $(met "$x >= 0.97")" \
             "(median ratio $x)"
    done
}

# BENCH_OUT starts empty; each part's table is appended as the part ends.
if [ -n "${BENCH_OUT:-}" ]; then
    : > "$BENCH_OUT" || fail "cannot write BENCH_OUT=$BENCH_OUT"
fi
for p in "${parts[@]}"; do
    PART_LOADS=${#LOADS[@]}
    note_load "$p: start"
    PART=$p
    run_$p
    PART=
    note_load "$p: end"
    report_part "$p"
done
