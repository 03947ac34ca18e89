#!/bin/bash
# Routing benchmark: Osmotic against the reference OVN (23.03, Debian's
# ovn-central and ovn-host) on the same netns testbed, in the same run.
#
# Both systems get the same topology, through their own nbctl with the
# same commands: router lr0 between switches sw1 (10.244.1.0/24, pod 1
# on host 1) and sw2 (10.244.2.0/24, pod 2 on host 2), and a gateway
# port lr0-ext (172.30.0.100/24) on switch ext, whose localnet port
# reaches the external network ("physnet", mapped to br-ex on the
# gateway hosts); gateway chassis host 3 (priority 20, the active one)
# and host 4 (10); a default route to 172.30.0.1, the external host, and
# SNAT of 10.244.0.0/16 to 172.30.0.100.  Each host is a namespace with
# its own ovsdb-server and ovs-vswitchd (userspace datapath), the hosts
# joined by Geneve over br-phy0 (tests/system/lib.sh); each system has
# its own central databases, northd, four hosts and external network
# (a namespace with a Linux bridge, 172.30.0.1/24), with the same
# addresses.  Both systems run BFD on their tunnels as they do by
# default: nothing here sets a BFD interval.  The outer UDP checksum of
# both systems' tunnels is BENCH_CSUM (default false), as in
# switching-vs-ovn.sh.
#
# Measured, in BENCH_RUNS paired rounds (round 1 Osmotic then OVN,
# round 2 OVN then Osmotic, ...), from pod 1:
#   routed (east-west), to pod 2 on host 2, through the router:
#   - TCP throughput: iperf3 -t BENCH_TIME, received rate, retransmits;
#   - new TCP connections per second: wrk -t1 -c8 -d BENCH_TIME with
#     "Connection: close" against bench-httpd in pod 2;
#   - latency: ping -c BENCH_PINGS -i 0.01 (average and p99 per round,
#     and over all rounds' samples), and UDP request/response round trips
#     with a long-running client (sockperf under-load --mps 1000
#     --reply-every 1 for BENCH_LAT_TIME s): average, p50 and p99;
#   SNATed (north-south), to the external host, through the active
#   gateway (host 3):
#   - TCP throughput (iperf3) and new TCP connections per second (wrk
#     against bench-httpd), as above;
# and once per system:
#   - the br-int lookups and distinct br-int tables an ofproto/trace of a
#     routed TCP SYN (to pod 2) and of a SNATed one (to the external
#     host) crosses on host 1 (count_trace_lookups in tests/system/lib.sh;
#     a trace that does not leave host 1 through the tunnel to host 2,
#     resp. host 3, is an error, not a figure);
#   - the OpenFlow flows on each host's br-int;
# and, after the rounds, BENCH_FAILOVERS paired gateway failovers: pod 1
# opens a new TCP connection to an echo server (bench-conns) on the
# external host every BENCH_PROBE_MS ms (tests/bench/failover-probe.py,
# an attempt fails after BENCH_PROBE_TIMEOUT_MS ms); the active
# gateway's underlay link is cut (its veth in the underlay namespace set
# down); the failover time is from the cut to the end of the first
# connection started after it that succeeds, which the external network
# must have received from host 4 (the backup); then the link is restored
# and the traffic waited for back on host 3.
#
# The report gives each system's median with the per-round figures, the
# ratio osmotic/OVN as the median of the per-round ratios with their
# range ("ahead"/"behind" only when the whole range is on one side), the
# issue's targets as met (every round), "not met in every round (the
# median meets it)" or not met, and the load average before and after
# every round.  Nothing here is pass/fail.
#
# usage: tests/bench/routing-vs-ovn.sh
#
# Environment: OSM_BUILDDIR (built tree with osmotic-* binaries),
# BENCH_RUNS (rounds, default 5), BENCH_TIME (seconds per iperf3/wrk run,
# default 10), BENCH_PINGS (pings per round, default 500), BENCH_LAT_TIME
# (seconds per sockperf run, default 5), BENCH_FAILOVERS (default 5),
# BENCH_PROBE_MS (default 10), BENCH_PROBE_TIMEOUT_MS (default 200),
# BENCH_CSUM (true or false, default false), BENCH_OUT (also write the
# table to this file), OSM_CLIENT_TIMEOUT (seconds any client call may
# take, default 300), OSM_KEEP=1 (keep the test directory).  Needs root,
# iperf3, wrk, sockperf, python3, a C compiler, and ovn-central and
# ovn-host installed (their services need not and should not run).

here=$(cd "$(dirname "$0")" && pwd)
: "${OSM_CLIENT_TIMEOUT:=300}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"
. "$here/bench-lib.sh"
export NBCTL_TIMEOUT=$OSM_CLIENT_TIMEOUT

BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_TIME=${BENCH_TIME:-10}
BENCH_PINGS=${BENCH_PINGS:-500}
BENCH_LAT_TIME=${BENCH_LAT_TIME:-5}
BENCH_FAILOVERS=${BENCH_FAILOVERS:-5}
BENCH_PROBE_MS=${BENCH_PROBE_MS:-10}
BENCH_PROBE_TIMEOUT_MS=${BENCH_PROBE_TIMEOUT_MS:-200}
BENCH_CSUM=${BENCH_CSUM:-false}

check_bench_knobs BENCH_RUNS BENCH_TIME BENCH_PINGS BENCH_LAT_TIME \
                  BENCH_FAILOVERS BENCH_PROBE_MS BENCH_PROBE_TIMEOUT_MS
command -v osmotic-northd >/dev/null \
    || fail "osmotic-northd not found (set OSM_BUILDDIR)"
command -v ovn-northd >/dev/null && command -v ovn-controller >/dev/null \
    || fail "OVN not found (apt-get install ovn-central ovn-host)"
for tool in iperf3 wrk sockperf ping cc python3; do
    command -v $tool >/dev/null || fail "$tool is needed"
done
[ "$(id -u)" = 0 ] || fail "the benchmark needs root (namespaces, OVS)"

osm_test_init
systems=(osmotic ovn)
cc -O2 -o "$TESTDIR/bench-httpd" "$here/bench-httpd.c" \
    || fail "cannot compile bench-httpd"
cc -O2 -o "$TESTDIR/bench-conns" "$here/bench-conns.c" \
    || fail "cannot compile bench-conns"

# The same addresses in both testbeds (each has its own namespaces).
MAC1=0a:00:00:00:01:0a
MAC2=0a:00:00:00:02:0a
IP1=10.244.1.10
IP2=10.244.2.10
RMAC1=0a:00:00:00:ff:01
RMAC2=0a:00:00:00:ff:02
XMAC=0a:00:00:00:ee:01
GW_IP=172.30.0.100
EXT_IP=172.30.0.1
HTTP_PORT=8080
ECHO_PORT=9000
SOCKPERF_PORT=11111
# Hosts: 1 and 2 have the pods, 3 and 4 are the gateway chassis.
HOSTS="1 2 3 4"

# RES[system.metric]; UNDERLAY[system.N]: host N's underlay address;
# ULINK[system.N]: its underlay link's name in the underlay namespace.
declare -A RES UNDERLAY ULINK
ROUND_LOADS=()

# pod SYSTEM N: the name of SYSTEM's pod N.
pod() {
    echo "$(sys_prefix "$1")-p$2"
}

# start_server SYSTEM WHERE NAME CMD...: starts server CMD in the
# namespace of SYSTEM's pod 2 (WHERE "pod") or external host (WHERE
# "ext"), its pid file $TESTDIR/SYSTEM-WHERE-NAME.pid followed by the
# cleanup.  "ip netns exec" execs CMD, so $! is the server's own pid.
start_server() {
    local s=$1 where=$2 name=$3 ns pidfile
    shift 3
    case $where in
        pod) ns=$(osm_ns "$(pod "$s" 2)") ;;
        ext) ns=$(ext_ns "$s") ;;
    esac
    pidfile=$TESTDIR/$s-$where-$name.pid
    ip netns exec "$ns" "$@" >/dev/null 2>&1 </dev/null &
    echo $! > "$pidfile"
    osm_track_pidfile "$pidfile"
}

# nb_config_args: the nbctl commands of the benchmark's topology, the same
# for both systems, into the caller's array "args".
nb_config_args() {
    local s=$1 gw1 gw2 sw lp mac ip
    gw1=$(hv_name "$s" 3)
    gw2=$(hv_name "$s" 4)
    args=(lr-add lr0
          -- lrp-add lr0 lr0-sw1 $RMAC1 10.244.1.1/24
          -- lrp-add lr0 lr0-sw2 $RMAC2 10.244.2.1/24
          -- lrp-add lr0 lr0-ext $XMAC $GW_IP/24
          -- lrp-set-gateway-chassis lr0-ext "$gw1" 20
          -- lrp-set-gateway-chassis lr0-ext "$gw2" 10
          -- lr-route-add lr0 0.0.0.0/0 $EXT_IP
          -- lr-nat-add lr0 snat $GW_IP 10.244.0.0/16
          -- ls-add sw1 -- ls-add sw2 -- ls-add ext
          -- lsp-add ext ln-ext -- lsp-set-type ln-ext localnet
          -- lsp-set-addresses ln-ext unknown
          -- lsp-set-options ln-ext network_name=physnet)
    for sw in sw1 sw2 ext; do
        args+=(-- lsp-add "$sw" "$sw-lr0" -- lsp-set-type "$sw-lr0" router
               -- lsp-set-addresses "$sw-lr0" router
               -- lsp-set-options "$sw-lr0" "router-port=lr0-$sw")
    done
    for lp in "lp1 sw1 $MAC1 $IP1" "lp2 sw2 $MAC2 $IP2"; do
        read -r lp sw mac ip <<<"$lp"
        args+=(-- lsp-add "$sw" "$lp" -- lsp-set-addresses "$lp" "$mac $ip"
               -- lsp-set-port-security "$lp" "$mac $ip")
    done
}

# check_config SYSTEM: SYSTEM's NB holds the topology and nothing more
# (row counts), and its tunnels carry the outer UDP checksum BENCH_CSUM
# says; recorded for the report.
check_config() {
    local s=$1 t n got= csum
    local -a tables=(Logical_Switch Logical_Switch_Port Logical_Router
                     Logical_Router_Port Gateway_Chassis
                     Logical_Router_Static_Route NAT ACL Load_Balancer
                     Logical_Router_Policy BFD)
    local want="3 6 1 3 2 1 1 0 0 0 0"
    for t in "${tables[@]}"; do
        n=$(nb_rows "$s" $t) || fail "$s: list $t"
        got+="${got:+ }$n"
    done
    [ "$got" = "$want" ] \
        || fail "$s: NB rows of ${tables[*]}: $got, expected $want"
    csum=$(osm_host_vsctl "$(hv_name "$s" 1)" --bare --columns=options \
               find interface type=geneve) || fail "$s: reading the tunnels"
    case $csum in
        *csum=true*) csum=true ;;
        "") fail "$s: no Geneve tunnel on host 1" ;;
        *) csum=false ;;
    esac
    [ "$csum" = "$BENCH_CSUM" ] \
        || fail "$s: tunnel csum=$csum, BENCH_CSUM=$BENCH_CSUM"
    RES[$s.config]="NB rows of ${tables[*]}: $got; tunnel csum=$csum"
}

# reaches SYSTEM IP: pod 1 of SYSTEM gets an answer to a ping to IP.
reaches() {
    osm_pod_exec "$(pod "$1" 1)" ping -q -c 1 -W 1 "$2" >/dev/null
}

# setup_system SYSTEM BASE: central daemons, external network, four hosts
# (underlay addresses 172.31.0.BASE+N), the topology, both pods and the
# servers; waits until pod 1 reaches pod 2 and the external host.
setup_system() {
    local s=$1 base=$2 p n h
    local -a args
    p=$(sys_prefix "$s")
    start_central "$s"
    start_northd "$s"
    add_external "$s" $EXT_IP/24
    for n in $HOSTS; do
        h=$(hv_name "$s" $n)
        add_host "$s" $n 172.31.0.$((base + n))
        UNDERLAY[$s.$n]=172.31.0.$((base + n))
        ULINK[$s.$n]=h${OSM_N_HOSTS}l0
        osm_host_vsctl "$h" set open_vswitch . \
            external_ids:osmotic-encap-csum="$BENCH_CSUM" \
            external_ids:ovn-encap-csum="$BENCH_CSUM" \
            || fail "encap csum on $h"
        [ $n -ge 3 ] && connect_external "$s" $n
        start_controller "$s" $n
    done
    nb_config_args "$s"
    sys_nbctl "$s" "${args[@]}" >/dev/null || fail "$s: configuring"
    osm_add_pod "$p-hv1" "$p-p1" $MAC1 $IP1/24 lp1
    osm_add_pod "$p-hv2" "$p-p2" $MAC2 $IP2/24 lp2
    osm_pod_exec "$p-p1" ip route add default via 10.244.1.1
    osm_pod_exec "$p-p2" ip route add default via 10.244.2.1
    for n in 1 2; do
        # Many short connections: reuse ports in TIME_WAIT.
        osm_pod_exec "$p-p$n" sysctl -q -w \
            net.ipv4.ip_local_port_range="10000 65000" \
            net.ipv4.tcp_tw_reuse=1 >/dev/null
    done
    for n in 1 2; do
        sys_nbctl "$s" wait-until Logical_Switch_Port lp$n up=true \
            >/dev/null || fail "$s: port lp$n not up"
    done
    osm_prime_underlay $(for n in $HOSTS; do hv_name "$s" $n; done)
    sys_nbctl "$s" --wait=hv sync >/dev/null || fail "$s: --wait=hv sync"
    OSM_WAIT=60 wait_until reaches "$s" $IP2
    OSM_WAIT=60 wait_until reaches "$s" $EXT_IP
    check_config "$s"
    osm_pod_exec "$p-p2" iperf3 -s -D -I "$TESTDIR/$s-pod-iperf3.pid" \
        >/dev/null 2>&1 || fail "$s: iperf3 server in pod 2"
    osm_track_pidfile "$TESTDIR/$s-pod-iperf3.pid"
    ext_exec "$s" iperf3 -s -D -I "$TESTDIR/$s-ext-iperf3.pid" \
        >/dev/null 2>&1 || fail "$s: iperf3 server on the external host"
    osm_track_pidfile "$TESTDIR/$s-ext-iperf3.pid"
    start_server "$s" pod httpd "$TESTDIR/bench-httpd" $HTTP_PORT
    start_server "$s" pod sockperf sockperf server -i $IP2 -p $SOCKPERF_PORT
    start_server "$s" ext httpd "$TESTDIR/bench-httpd" $HTTP_PORT
    start_server "$s" ext echo "$TESTDIR/bench-conns" server $ECHO_PORT
    sleep 1
}

# --- Traffic -------------------------------------------------------------------

# measure_ping SYSTEM: BENCH_PINGS routed pings at 10 ms from pod 1 to pod
# 2; appends ping's output to $TESTDIR/SYSTEM.ping and the round's
# average and p99 (ms) to $TESTDIR/SYSTEM.ping-rounds.
measure_ping() {
    local s=$1 out
    out=$(osm_pod_exec "$(pod "$s" 1)" ping -c "$BENCH_PINGS" -i 0.01 $IP2 \
              2>&1)
    echo "$out" >> "$TESTDIR/$s.ping"
    echo "$(ping_times <<<"$out" | mean)" \
         "$(ping_times <<<"$out" | nearest_rank 99)" \
        >> "$TESTDIR/$s.ping-rounds"
}

# measure_sockperf SYSTEM: UDP request/response round trips from pod 1 to
# pod 2 for BENCH_LAT_TIME s; appends "AVG P50 P99" (us).
measure_sockperf() {
    local s=$1
    osm_pod_exec "$(pod "$s" 1)" sockperf under-load -i $IP2 \
        -p $SOCKPERF_PORT -t "$BENCH_LAT_TIME" --mps 1000 --reply-every 1 \
        --full-rtt > "$TESTDIR/$s.sockperf.out" 2>&1
    cat "$TESTDIR/$s.sockperf.out" >> "$TESTDIR/$s.sockperf.log"
    sockperf_summary < "$TESTDIR/$s.sockperf.out" >> "$TESTDIR/$s.sockperf"
}

# measure_iperf SYSTEM IP FILE: iperf3 from pod 1 to IP; appends
# "MBIT/S RETRANSMITS MB" to $TESTDIR/SYSTEM.FILE.
measure_iperf() {
    local s=$1 ip=$2 file=$3
    osm_pod_exec "$(pod "$s" 1)" iperf3 -c "$ip" -t "$BENCH_TIME" -J \
        2>/dev/null | iperf_summary >> "$TESTDIR/$s.$file"
}

# measure_wrk SYSTEM IP FILE: wrk from pod 1 against bench-httpd at IP,
# every request a new connection; appends "CONNECTIONS/S CONNECTIONS".
measure_wrk() {
    local s=$1 ip=$2 file=$3 out
    out=$(osm_pod_exec "$(pod "$s" 1)" wrk -t1 -c8 -d"${BENCH_TIME}s" \
              -H 'Connection: close' "http://$ip:$HTTP_PORT/" 2>&1)
    echo "$out" >> "$TESTDIR/$s.$file.log"
    wrk_summary <<<"$out" >> "$TESTDIR/$s.$file"
}

# measure_round SYSTEM: one round of SYSTEM's traffic figures.
measure_round() {
    local s=$1
    measure_ping "$s"
    measure_sockperf "$s"
    measure_iperf "$s" $IP2 iperf
    measure_wrk "$s" $IP2 wrk
    measure_iperf "$s" $EXT_IP iperf-ns
    measure_wrk "$s" $EXT_IP wrk-ns
}

# --- Pipeline ------------------------------------------------------------------

# count_flows SYSTEM N: the OpenFlow flows on SYSTEM's host N's br-int.
count_flows() {
    local out n
    out=$(osm_host_ofctl "$(hv_name "$1" "$2")" dump-flows br-int \
              --no-stats) || fail "$1: dump-flows on host $2"
    # "--no-stats" leaves out "table=0": count every flow by its actions.
    n=$(grep -c 'actions=' <<<"$out")
    [ "$n" -gt 0 ] || fail "$1: no flow on host $2"
    echo "$n"
}

# measure_trace SYSTEM KIND: ofproto/trace on host 1 of pod 1's TCP SYN,
# KIND "ew" to pod 2 (must leave through the tunnel to host 2 with its
# TTL decremented) or "ns" to the external host (through the tunnel to
# host 3, the active gateway); records the lookups and distinct tables.
measure_trace() {
    local s=$1 kind=$2 h ofport dst to f last lookups tables
    h=$(hv_name "$s" 1)
    f=$TESTDIR/$s.trace-$kind
    case $kind in
        ew) dst=$IP2 to=2 ;;
        ns) dst=$EXT_IP to=3 ;;
    esac
    ofport=$(osm_host_vsctl "$h" get interface "v-$(pod "$s" 1)" ofport) \
        || fail "$s: pod 1's ofport"
    osm_host_appctl "$h" ofproto/trace br-int "in_port=$ofport,tcp,\
dl_src=$MAC1,dl_dst=$RMAC1,nw_src=$IP1,nw_dst=$dst,nw_ttl=64,tp_src=40000,\
tp_dst=$HTTP_PORT,tcp_flags=0x002" > "$f" 2>&1 \
        || fail "$s: ofproto/trace: $(cat "$f")"
    last=$(grep '^Datapath actions:' "$f" | tail -1)
    case $last in
        *"tnl_push("*"ipv4(src=${UNDERLAY[$s.1]},dst=${UNDERLAY[$s.$to]},"*)
            ;;
        *) fail "$s: the traced SYN to $dst does not leave host 1 through" \
                "the tunnel to host $to; trace: $(cat "$f")" ;;
    esac
    if [ $kind = ew ]; then
        grep -qF 'set(ipv4(ttl=63))' <<<"$last" \
            || fail "$s: the traced SYN to pod 2 is not routed (no TTL" \
                    "decrement); trace: $(cat "$f")"
    fi
    read -r lookups tables < <(count_trace_lookups < "$f")
    RES[$s.trace_${kind}_lookups]=$lookups
    RES[$s.trace_${kind}_tables]=$tables
}

# measure_pipeline SYSTEM: traces and flows.
measure_pipeline() {
    local s=$1 n total=0
    osm_prime_underlay "$(hv_name "$s" 1)" "$(hv_name "$s" 2)" \
        "$(hv_name "$s" 3)"
    measure_trace "$s" ew
    measure_trace "$s" ns
    for n in $HOSTS; do
        RES[$s.flows_hv$n]=$(count_flows "$s" $n) || exit 1
        total=$((total + RES[$s.flows_hv$n]))
    done
    RES[$s.flows_total]=$total
    RES[$s.flows_per_host]=$(awk -v t=$total 'BEGIN { printf "%.1f\n", t / 4 }')
}

# --- Gateway failover ------------------------------------------------------------

# leaves_by SYSTEM N: pod 1's pings to the external host are all answered
# and reach the external network from host N.
leaves_by() {
    local s=$1 n=$2 before after
    before=$(ext_rx "$s" "$n")
    osm_pod_exec "$(pod "$s" 1)" ping -q -c 3 -i 0.1 -W 1 $EXT_IP \
        >/dev/null || return 1
    after=$(ext_rx "$s" "$n")
    [ $((after - before)) -ge 3 ]
}

# first_success_after FILE T: the end time (ns since the epoch) of the
# first successful attempt in the probe output FILE that started at or
# after T (ns), or nothing.
first_success_after() {
    awk -v t="$2" '$3 == 1 && $1 * 1e9 >= t {
                       printf "%.0f\n", $2 * 1e9; exit }' "$1"
}

# bfd_flaps SYSTEM: how many times so far a BFD session of SYSTEM's
# hosts 1, 2 and 4 on a tunnel that does not lead to host 3 went down
# (their ovs-vswitchd logs): during a failover, a session whose path
# stayed up, i.e. one that the machine's load made miss its packets.
bfd_flaps() {
    local s=$1 n h names name total=0 c
    local -a skip
    for n in 1 2 4; do
        h=$(hv_name "$s" $n)
        names=$(osm_host_vsctl "$h" --bare --columns=name find interface \
                    "options:remote_ip=\"${UNDERLAY[$s.3]}\"") \
            || fail "$s: the tunnels of host $n"
        skip=(-e '^$')
        for name in $names; do
            skip+=(-e "|$name: BFD")
        done
        c=$(grep -F 'BFD state change: up->down' \
                "$(osm_host_dir "$h")/ovs-vswitchd.log" \
                | grep -v -F "${skip[@]}" | wc -l)
        total=$((total + c))
    done
    echo $total
}

# failover_once SYSTEM: one failover of SYSTEM's gateway from host 3 to
# host 4 (host 3's underlay link cut), timed by the probe; appends
# "MS FAILED-ATTEMPTS BFD-FLAPS" to $TESTDIR/SYSTEM.failover (MS "n/a" if
# no new connection passed within 30 s; BFD-FLAPS from bfd_flaps, from
# the cut until the probe stops), then restores the link and waits for
# the traffic back on host 3.
failover_once() {
    local s=$1 i=$2 link out stop pidfile t_cut t_ok rx4 ms failed ok_before
    local bfd0 bfd1
    link=${ULINK[$s.3]}
    out=$TESTDIR/$s.probe.$i
    stop=$TESTDIR/$s.probe-stop.$i
    pidfile=$TESTDIR/$s.probe.pid
    OSM_WAIT=60 wait_until leaves_by "$s" 3
    ip netns exec "$(osm_ns "$(pod "$s" 1)")" timeout 120 \
        python3 "$here/failover-probe.py" $EXT_IP $ECHO_PORT \
        "$BENCH_PROBE_MS" "$BENCH_PROBE_TIMEOUT_MS" "$stop" \
        > "$out" 2>"$out.err" </dev/null &
    echo $! > "$pidfile"
    osm_track_pidfile "$pidfile"
    sleep 1
    rx4=$(ext_rx "$s" 4)
    bfd0=$(bfd_flaps "$s")
    # The time once the link is down: a connection the probe started
    # while "ip" was still starting up could pass through host 3.
    ip netns exec "$OSM_UNDERLAY_NS" ip link set "$link" down \
        || fail "$s: cannot cut host 3's underlay link $link"
    t_cut=$(date +%s%N)
    t_ok=
    for _ in $(seq 600); do
        t_ok=$(first_success_after "$out" "$t_cut")
        [ -n "$t_ok" ] && break
        sleep 0.05
    done
    bfd1=$(bfd_flaps "$s")
    touch "$stop"
    sleep $(awk -v t="$BENCH_PROBE_TIMEOUT_MS" 'BEGIN { print t / 1000 + 0.2 }')
    osm_kill_pidfile "$pidfile"
    ok_before=$(awk -v t="$t_cut" '$3 == 1 && $1 * 1e9 < t' "$out" | wc -l)
    [ "$ok_before" -gt 0 ] \
        || fail "$s: the failover probe made no connection before the cut:" \
                "$(head -5 "$out" "$out.err")"
    failed=$(awk -v t="$t_cut" -v e="${t_ok:-0}" '
        $3 == 0 && $1 * 1e9 >= t && (e == 0 || $1 * 1e9 < e)' "$out" | wc -l)
    if [ -n "$t_ok" ]; then
        ms=$(( (t_ok - t_cut) / 1000000 ))
        [ "$(ext_rx "$s" 4)" -gt "$rx4" ] \
            || fail "$s: new connections passed after the cut, but the" \
                    "external network received nothing from host 4"
    else
        ms=n/a
    fi
    echo "$ms $failed $((bfd1 - bfd0))" >> "$TESTDIR/$s.failover"
    ip netns exec "$OSM_UNDERLAY_NS" ip link set "$link" up \
        || fail "$s: cannot restore host 3's underlay link $link"
    OSM_WAIT=120 wait_until leaves_by "$s" 3
}

# --- Report ------------------------------------------------------------------------

# col FILE N: column N of $TESTDIR/$s.FILE, one line per round.
col() {
    cut -d' ' -f"$2" "$TESTDIR/$s.$1" 2>/dev/null
}

# rounds_of FILE N: column N of SYSTEM's FILE as "a b c".
rounds_of() {
    col "$1" "$2" | xargs
}

# target LABEL FILE COLUMN OP BOUND: the paired ratios of FILE's COLUMN
# against BOUND ("ge": at least BOUND, "le": at most BOUND): "met" if
# every round's ratio meets it, "not met in every round (the median meets
# it)" if only the median does, "not met" otherwise; with the ratios.
target() {
    local label=$1 r med lo hi
    r=$(paired_ratio "$2" "$3")
    read -r med lo hi <<<"$r"
    awk -v label="$label" -v op="$4" -v b="$5" -v med="$med" -v lo="$lo" \
        -v hi="$hi" 'BEGIN {
        if (med == "n/a") { printf "  %s: n/a (no ratio)\n", label; exit }
        if (op == "ge") { all = lo >= b; m = med >= b }
        else { all = hi <= b; m = med <= b }
        v = all ? "met" : m ? "not met in every round (the median meets it)" \
                            : "not met"
        printf "  %s: %s (ratio %s, range %s-%s)\n", label, v, med, lo, hi }'
}

report() {
    local row key label better source a b r med lo hi s
    local -a rows=(
        "-|routed east-west, pod 1 -> pod 2 (two switches, one router, two hosts)||"
        "iperf|  TCP throughput, Mbit/s|higher|iperf 1"
        "iperf_retr|  TCP retransmits per run|lower|iperf 2"
        "wrk|  new TCP connections/s|higher|wrk 1"
        "ping_avg|  ping avg, ms|lower|ping-rounds 1"
        "ping_p99|  ping p99, ms|lower|ping-rounds 2"
        "sp_avg|  UDP request/response RTT avg, us|lower|sockperf 1"
        "sp_p50|  UDP request/response RTT p50, us|lower|sockperf 2"
        "sp_p99|  UDP request/response RTT p99, us|lower|sockperf 3"
        "-|SNATed north-south, pod 1 -> external host via gateway host 3||"
        "iperf_ns|  TCP throughput, Mbit/s|higher|iperf-ns 1"
        "iperf_ns_retr|  TCP retransmits per run|lower|iperf-ns 2"
        "wrk_ns|  new TCP connections/s|higher|wrk-ns 1"
        "-|pipeline (ofproto/trace of a TCP SYN on host 1; br-int flows)||"
        "trace_ew_lookups|  br-int lookups, routed SYN|lower|"
        "trace_ew_tables|  distinct br-int tables, same|lower|"
        "trace_ns_lookups|  br-int lookups, SNATed SYN|lower|"
        "trace_ns_tables|  distinct br-int tables, same|lower|"
        "flows_hv1|  flows, host 1 (pod 1)|lower|"
        "flows_hv2|  flows, host 2 (pod 2)|lower|"
        "flows_hv3|  flows, host 3 (active gateway)|lower|"
        "flows_hv4|  flows, host 4 (backup gateway)|lower|"
        "flows_per_host|  flows per host (4 hosts)|lower|"
        "-|gateway failover (host 3's underlay link cut)||"
        "failover|  cut to first new connection, ms|lower|failover 1"
        "failover_failed|  failed attempts meanwhile|lower|failover 2"
    )
    echo "Routing benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
    echo "rounds: $BENCH_RUNS x (${BENCH_TIME}s iperf3 and wrk, routed and" \
         "SNATed; $BENCH_PINGS pings; ${BENCH_LAT_TIME}s sockperf);" \
         "$BENCH_FAILOVERS failovers, probe every ${BENCH_PROBE_MS} ms," \
         "timeout ${BENCH_PROBE_TIMEOUT_MS} ms"
    for s in "${systems[@]}"; do
        echo "configuration, $s: ${RES[$s.config]:-n/a}"
    done
    echo "figures: median of the rounds; ratio osmotic/OVN: median of the" \
         "per-round ratios and their range;"
    echo " verdict \"ahead\"/\"behind\" only when the whole range is on one" \
         "side"
    printf '%-42s %9s %9s %6s %11s %7s\n' metric osmotic ovn ratio range \
        verdict
    for row in "${rows[@]}"; do
        IFS='|' read -r key label better source <<<"$row"
        if [ "$key" = - ]; then
            echo "$label"
            continue
        fi
        a=${RES[osmotic.$key]:-n/a}
        b=${RES[ovn.$key]:-n/a}
        if [ -n "$source" ]; then
            r=$(paired_ratio $source)
        else
            r=$(ratio "$a" "$b")
            [ "$r" = n/a ] || r="$r $r $r"
        fi
        read -r med lo hi <<<"$r"
        printf '%-42s %9s %9s %6s %11s %7s\n' "$label" "$a" "$b" "$med" \
            "${lo:+$lo-$hi}" "$(verdict "$better" $r)"
    done
    for s in "${systems[@]}"; do
        echo "  $s: ${RES[$s.ping_samples]:-0} ping samples over all" \
             "rounds: avg ${RES[$s.ping_all_avg]:-n/a} ms, p99" \
             "${RES[$s.ping_all_p99]:-n/a} ms, loss ${RES[$s.ping_loss]:-n/a}%"
    done
    echo "targets (osmotic against OVN in the same rounds):"
    target "routed TCP throughput at least 0.97x OVN's" iperf 1 ge 0.97
    # Latency "at least 0.97x OVN's": at most 1/0.97 of OVN's time.
    target "routed ping avg at least 0.97x OVN's (time at most 1.031x)" \
        ping-rounds 1 le 1.031
    target "routed RTT p50 at least 0.97x OVN's (time at most 1.031x)" \
        sockperf 2 le 1.031
    target "routed RTT p99 at least 0.97x OVN's (time at most 1.031x)" \
        sockperf 3 le 1.031
    target "routed connections/s at least 1.2x OVN's" wrk 1 ge 1.2
    target "SNATed connections/s at least 1.2x OVN's" wrk-ns 1 ge 1.2
    s=osmotic
    awk -v all="$(rounds_of failover 1)" -v ovn="${RES[ovn.failover]:-n/a}" '
        BEGIN { n = split(all, v, " "); ok = n > 0; below = 0
                for (i = 1; i <= n; i++) {
                    if (v[i] == "n/a" || v[i] >= 1000) { ok = 0 }
                    else { below++ } }
                verdict = ok ? "met" : (below * 2 > n) \
                    ? "not met in every failover (the median meets it)" \
                    : "not met"
                printf "  gateway failover under 1 s: %s (%s ms; OVN with" \
                       " its BFD defaults: median %s ms)\n", verdict, all,
                       ovn }'
    echo "every round (routed Mbit/s, conn/s, ping avg ms, RTT avg/p50/p99" \
         "us; SNATed Mbit/s, conn/s), and the load average (1/5/15 min):"
    for round in $(seq "$BENCH_RUNS"); do
        echo "  round $round: ${ROUND_LOADS[round - 1]:-n/a}"
        for s in "${systems[@]}"; do
            printf '    %-8s %s; %s; %s; %s; %s; %s\n' "$s" \
                "$(sed -n "${round}p" "$TESTDIR/$s.iperf" | cut -d' ' -f1)" \
                "$(sed -n "${round}p" "$TESTDIR/$s.wrk" | cut -d' ' -f1)" \
                "$(sed -n "${round}p" "$TESTDIR/$s.ping-rounds" \
                       | cut -d' ' -f1)" \
                "$(sed -n "${round}p" "$TESTDIR/$s.sockperf" | tr ' ' /)" \
                "$(sed -n "${round}p" "$TESTDIR/$s.iperf-ns" | cut -d' ' -f1)" \
                "$(sed -n "${round}p" "$TESTDIR/$s.wrk-ns" | cut -d' ' -f1)"
        done
    done
    echo "every failover (ms from the cut to the first new connection;" \
         "failed attempts meanwhile; BFD sessions not to host 3 that" \
         "went down meanwhile):"
    for s in "${systems[@]}"; do
        printf '  %-8s %s\n' "$s" "$(paste -sd';' "$TESTDIR/$s.failover" \
                                         2>/dev/null | sed 's/;/; /g')"
    done
    echo "load average (1/5/15 min):"
    printf '  %s\n' "${LOADS[@]}"
}

# results SYSTEM: the medians of SYSTEM's rounds into RES.
results() {
    local s=$1 all
    RES[$s.iperf]=$(col iperf 1 | median)
    RES[$s.iperf_retr]=$(col iperf 2 | median)
    RES[$s.wrk]=$(col wrk 1 | median)
    RES[$s.ping_avg]=$(col ping-rounds 1 | median)
    RES[$s.ping_p99]=$(col ping-rounds 2 | median)
    RES[$s.sp_avg]=$(col sockperf 1 | median)
    RES[$s.sp_p50]=$(col sockperf 2 | median)
    RES[$s.sp_p99]=$(col sockperf 3 | median)
    RES[$s.iperf_ns]=$(col iperf-ns 1 | median)
    RES[$s.iperf_ns_retr]=$(col iperf-ns 2 | median)
    RES[$s.wrk_ns]=$(col wrk-ns 1 | median)
    RES[$s.failover]=$(col failover 1 | grep -v n/a | median)
    RES[$s.failover_failed]=$(col failover 2 | median)
    all=$(ping_times < "$TESTDIR/$s.ping")
    RES[$s.ping_samples]=$(grep -c . <<<"$all")
    RES[$s.ping_all_avg]=$(mean <<<"$all")
    RES[$s.ping_all_p99]=$(nearest_rank 99 <<<"$all")
    RES[$s.ping_loss]=$(awk -v r="${RES[$s.ping_samples]}" \
        '/packets transmitted/ { n += $1 }
         END { if (n) { printf "%.1f\n", (n - r) * 100 / n }
               else { print "n/a" } }' "$TESTDIR/$s.ping")
}

# order ROUND: the systems in ROUND's order (Osmotic first in odd rounds).
order() {
    if [ $(($1 % 2)) = 1 ]; then
        echo osmotic ovn
    else
        echo ovn osmotic
    fi
}

t_start=$(date +%s)
note_load "before setup"
setup_system osmotic 0
setup_system ovn 10
for s in "${systems[@]}"; do
    measure_pipeline "$s"
done
note_load "before traffic"
for round in $(seq "$BENCH_RUNS"); do
    load_before=$(loadavg)
    for s in $(order "$round"); do
        measure_round "$s"
    done
    ROUND_LOADS+=("$(order "$round" | sed 's/ / then /'); load $load_before\
 before, $(loadavg) after")
    note_load "after round $round"
done
for i in $(seq "$BENCH_FAILOVERS"); do
    for s in $(order "$i"); do
        failover_once "$s" "$i"
    done
done
note_load "after the failovers"
for s in "${systems[@]}"; do
    results "$s"
done
note_load "end ($(( $(date +%s) - t_start )) s after the start)"
report | tee ${BENCH_OUT:+"$BENCH_OUT"}
