# Shell helpers the benchmarks against OVN share.  Source it after
# tests/system/lib.sh (which provides osm_add_host, osm_start_db, fail...):
#
#     . "$here/../system/lib.sh"
#     . "$here/bench-lib.sh"
#
# The caller sets BENCH_CSUM (true or false: the outer UDP checksum of
# OVN's tunnels) before add_ovn_host, and may set OVN_SCHEMADIR.  The
# helpers of the two-system testbed (sys_*, start_central, start_northd,
# load_node, add_host, start_controller) also need NB_SCHEMA and
# SB_SCHEMA (from lib.sh), NBCTL_TIMEOUT (seconds an nbctl call may take)
# and, for load_node, BENCH_PODS.  Further down: each system's external
# network for gateways (add_external, connect_external, ext_exec), the
# parsing of iperf3, wrk, ping and sockperf output, and the paired ratios
# of rounds (paired_ratio, verdict) the traffic benchmarks report.

OVN_SCHEMADIR=${OVN_SCHEMADIR:-/usr/share/ovn}
LOADS=()

# loadavg: the 1, 5 and 15 minute load averages now.
loadavg() {
    cut -d' ' -f1-3 /proc/loadavg
}

# note_load WHEN: records the load average at WHEN (in LOADS).
note_load() {
    LOADS+=("$1: $(loadavg)")
}

# median: prints the median of the numbers on stdin, or "n/a".
median() {
    sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) { print "n/a"; exit }
              if (NR % 2) { print v[(NR + 1) / 2] }
              else { printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

# now_ms: milliseconds since the epoch.
now_ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

# ratio A B: A/B with two decimals, or n/a.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) {
            print "n/a"
        } else {
            printf "%.2f\n", a / b
        } }'
}

# start_ovn_central: OVN's NB and SB ovsdb-servers and ovn-northd, all in
# $TESTDIR (ovn-nb.sock, ovn-sb.sock).
start_ovn_central() {
    osm_start_db ovn-nb "$OVN_SCHEMADIR/ovn-nb.ovsschema"
    osm_start_db ovn-sb "$OVN_SCHEMADIR/ovn-sb.ovsschema"
    ovn-northd --detach --no-chdir --pidfile="$TESTDIR/ovn-northd.pid" \
        --unixctl="$TESTDIR/ovn-northd.ctl" \
        --log-file="$TESTDIR/ovn-northd.log" \
        --ovnnb-db=unix:"$TESTDIR/ovn-nb.sock" \
        --ovnsb-db=unix:"$TESTDIR/ovn-sb.sock" || fail "start ovn-northd"
    osm_track_pidfile "$TESTDIR/ovn-northd.pid"
}

# add_ovn_host HOST IP [SB-SOCKET]: a testbed host (without Osmotic's
# controller) configured for OVN's SB at SB-SOCKET (default
# $TESTDIR/ovn-sb.sock, start_ovn_central's), running ovn-controller.
add_ovn_host() {
    local host=$1 ip=$2 sb=${3:-$TESTDIR/ovn-sb.sock} dir
    dir=$(osm_host_dir "$host")
    OSM_NO_CONTROLLER=1 osm_add_host "$host" "$ip"
    osm_host_vsctl "$host" set open_vswitch . \
        external_ids:ovn-remote="\"unix:$sb\"" \
        external_ids:ovn-encap-type=geneve \
        external_ids:ovn-encap-ip="\"$ip\"" \
        external_ids:ovn-encap-csum="$BENCH_CSUM" \
        external_ids:ovn-bridge-datapath-type=netdev \
        || fail "configure OVN on $host"
    start_ovn_controller "$host"
}

# start_ovn_controller HOST: ovn-controller on testbed host HOST, whose
# Open_vSwitch record says where OVN's SB is.
start_ovn_controller() {
    local host=$1 dir
    dir=$(osm_host_dir "$host")
    osm_host_exec "$host" env OVN_RUNDIR="$dir" \
        ovn-controller --detach --no-chdir \
        --pidfile="$dir/ovn-controller.pid" \
        --log-file="$dir/ovn-controller.log" unix:"$dir/db.sock" \
        || fail "start ovn-controller on $host"
    osm_track_pidfile "$dir/ovn-controller.pid"
}

# --- Two systems side by side -----------------------------------------------
#
# The testbed of the scale benchmarks: each SYSTEM (osmotic or ovn) has
# its NB and SB ovsdb-servers and northd in $(sys_dir SYSTEM) and its
# hosts named $(hv_name SYSTEM N), all loaded with the same NB content
# through the system's own nbctl.

# sys_prefix SYSTEM: the short name of SYSTEM's directory, hosts and
# namespaces.
sys_prefix() {
    case $1 in
        osmotic) echo osm ;;
        ovn) echo ovn ;;
    esac
}

# sys_dir SYSTEM: the directory of SYSTEM's central databases and northd
# ($TESTDIR/osm or $TESTDIR/ovn; with SYS_DIR_PREFIX set, a testbed of
# its own: $TESTDIR/${SYS_DIR_PREFIX}osm...).
sys_dir() {
    echo "$TESTDIR/${SYS_DIR_PREFIX:-}$(sys_prefix "$1")"
}

# sys_nbctl SYSTEM ARGS...: SYSTEM's nbctl on its NB database, bounded by
# NBCTL_TIMEOUT.
sys_nbctl() {
    local s=$1
    shift
    case $s in
        osmotic) command osmotic-nbctl --timeout="$NBCTL_TIMEOUT" \
                     --db=unix:"$(sys_dir osmotic)/nb.sock" "$@" ;;
        ovn) command ovn-nbctl --timeout="$NBCTL_TIMEOUT" \
                 --db=unix:"$(sys_dir ovn)/nb.sock" "$@" ;;
    esac
}

# start_central SYSTEM: SYSTEM's NB and SB ovsdb-servers.
start_central() {
    local s=$1 dir name schema
    dir=$(sys_dir "$s")
    mkdir -p "$dir"
    for name in nb sb; do
        case $s.$name in
            osmotic.nb) schema=$NB_SCHEMA ;;
            osmotic.sb) schema=$SB_SCHEMA ;;
            ovn.nb) schema=$OVN_SCHEMADIR/ovn-nb.ovsschema ;;
            ovn.sb) schema=$OVN_SCHEMADIR/ovn-sb.ovsschema ;;
        esac
        ovsdb-tool create "$dir/$name.db" "$schema" \
            || fail "$s: create $name.db"
        ovsdb-server --detach --no-chdir --pidfile="$dir/$name.pid" \
            --unixctl="$dir/$name.ctl" --log-file="$dir/$name.log" \
            --remote=punix:"$dir/$name.sock" "$dir/$name.db" \
            || fail "$s: start $name ovsdb-server"
        osm_track_pidfile "$dir/$name.pid"
    done
}

# start_northd SYSTEM: SYSTEM's northd.
start_northd() {
    local s=$1 dir
    dir=$(sys_dir "$s")
    case $s in
        osmotic)
            osmotic-northd --detach --no-chdir --pidfile="$dir/northd.pid" \
                --unixctl="$dir/northd.ctl" --log-file="$dir/northd.log" \
                --nb-db=unix:"$dir/nb.sock" --sb-db=unix:"$dir/sb.sock" \
                || fail "start osmotic-northd" ;;
        ovn)
            ovn-northd --detach --no-chdir --pidfile="$dir/northd.pid" \
                --unixctl="$dir/northd.ctl" --log-file="$dir/northd.log" \
                --ovnnb-db=unix:"$dir/nb.sock" \
                --ovnsb-db=unix:"$dir/sb.sock" \
                || fail "start ovn-northd" ;;
    esac
    osm_track_pidfile "$dir/northd.pid"
}

# pod_mac NODE POD, pod_ip NODE POD: addresses of pod POD on node NODE,
# as in northd-scale-vs-ovn.sh (node subnets 10.200.NODE.0/24).
pod_mac() {
    printf '0a:58:0a:c8:%02x:%02x' "$1" $(( $2 + 2 ))
}
pod_ip() {
    echo "10.200.$1.$(( $2 + 2 ))"
}

# load_node SYSTEM NODE: one nbctl call that adds node switch NODE with
# its BENCH_PODS pods.
load_node() {
    local s=$1 n=$2 j mac ip lsp
    local -a args=(ls-add "node$n")
    for ((j = 0; j < BENCH_PODS; j++)); do
        mac=$(pod_mac "$n" "$j")
        ip=$(pod_ip "$n" "$j")
        lsp=node$n-pod$j
        args+=(-- lsp-add "node$n" "$lsp"
               -- lsp-set-addresses "$lsp" "$mac $ip"
               -- lsp-set-port-security "$lsp" "$mac $ip")
    done
    sys_nbctl "$s" "${args[@]}" >/dev/null || fail "$s: loading node$n"
}

# hv_name SYSTEM N: the name of SYSTEM's host hvN.
hv_name() {
    echo "$(sys_prefix "$1")-hv$2"
}

# hv_vsctl SYSTEM N ARGS...: ovs-vsctl on SYSTEM's host hvN.
hv_vsctl() {
    local h
    h=$(hv_name "$1" "$2")
    shift 2
    osm_host_vsctl "$h" "$@"
}

# add_host SYSTEM N IP: SYSTEM's host hvN with underlay IP, configured
# for SYSTEM's SB, with br-int (netdev) but no controller yet.
add_host() {
    local s=$1 n=$2 ip=$3 h dir remote=
    h=$(hv_name "$s" "$n")
    dir=$(sys_dir "$s")
    [ "$s" = osmotic ] && remote=unix:$dir/sb.sock
    OSMOTIC_SB_DB=$remote OSM_NO_CONTROLLER=1 osm_add_host "$h" "$ip"
    if [ "$s" = ovn ]; then
        osm_host_vsctl "$h" set open_vswitch . \
            external_ids:ovn-remote="\"unix:$dir/sb.sock\"" \
            external_ids:ovn-encap-type=geneve \
            external_ids:ovn-encap-ip="\"$ip\"" \
            external_ids:ovn-bridge-datapath-type=netdev \
            || fail "configure OVN on $h"
    fi
    osm_host_vsctl "$h" add-br br-int \
        -- set bridge br-int datapath_type=netdev fail_mode=secure \
           other_config:disable-in-band=true || fail "br-int on $h"
}

# start_controller SYSTEM N: SYSTEM's controller on hvN.
start_controller() {
    local s=$1 n=$2 h
    h=$(hv_name "$s" "$n")
    case $s in
        osmotic) osm_start_controller "$h" ;;
        ovn) start_ovn_controller "$h" ;;
    esac
}

# nb_rows SYSTEM TABLE: the number of rows of TABLE in SYSTEM's NB.
nb_rows() {
    local out
    out=$(sys_nbctl "$1" --bare --columns=_uuid list "$2") || return 1
    awk 'NF { n++ } END { print n + 0 }' <<<"$out"
}

# --- The scale testbed's measurements ---------------------------------------
#
# One host hv1 of the scale topology with BENCH_LOCAL ports of node0 and
# node1 bound (add_hv1, into LOCAL_PORTS), its flows, the SB rows and
# northd's memory.

# count_sb_rows SYSTEM: prints "TABLE COUNT" for every SB table, then
# "total N".
count_sb_rows() {
    local sock db table sel
    sock=unix:$(sys_dir "$1")/sb.sock
    db=$(ovsdb-client list-dbs "$sock" | grep -v _Server)
    for table in $(ovsdb-client list-tables "$sock" "$db" | tail -n +3); do
        sel="{\"op\":\"select\",\"table\":\"$table\","
        sel+="\"where\":[],\"columns\":[\"_uuid\"]}"
        ovsdb-client transact "$sock" "[\"$db\",$sel]" | python3 -c '
import json, sys
print(sys.argv[1], len(json.load(sys.stdin)[0]["rows"]))' "$table"
    done | awk '{ print; t += $2 } END { print "total", t }'
}

# northd_kb SYSTEM FIELD: northd's FIELD (VmRSS or VmHWM) in kB.
northd_kb() {
    awk -v f="$2:" '$1 == f { print $2 }' \
        "/proc/$(cat "$(sys_dir "$1")/northd.pid")/status"
}

# add_hv1 SYSTEM IP: SYSTEM's host hv1 with BENCH_LOCAL ports of node0
# and node1 bound, and its controller; waits until they are up.
add_hv1() {
    local s=$1 ip=$2 i half lp
    add_host "$s" 1 "$ip"
    half=$(( (BENCH_LOCAL + 1) / 2 ))
    for ((i = 0; i < BENCH_LOCAL; i++)); do
        if [ $i -lt $half ]; then
            lp=node0-pod$i
        else
            lp=node1-pod$((i - half))
        fi
        hv_vsctl "$s" 1 add-port br-int "l$i" \
            -- set interface "l$i" type=internal external_ids:iface-id="$lp" \
            || fail "$s: interface l$i"
        LOCAL_PORTS+=("$lp")
    done
    start_controller "$s" 1
    for lp in "${LOCAL_PORTS[@]}"; do
        sys_nbctl "$s" wait-until Logical_Switch_Port "$lp" up=true \
            || fail "$s: port $lp not up"
    done
    sys_nbctl "$s" --wait=hv sync >/dev/null || fail "$s: sync"
}

# hv1_flows SYSTEM: OpenFlow flows on hv1's br-int (within CALL_TIMEOUT
# seconds).
hv1_flows() {
    osm_host_exec "$(hv_name "$1" 1)" timeout $CALL_TIMEOUT \
        ovs-ofctl -O OpenFlow15 dump-flows br-int 2>/dev/null \
        | grep -c 'table='
}

# --- Gateways and their external network ------------------------------------
#
# Each SYSTEM has an external network of its own (a namespace with a
# Linux bridge, osm_add_external), so that both can use the same
# addresses.

# ext_ns SYSTEM: the namespace of SYSTEM's external network.
ext_ns() {
    osm_ns "$(sys_prefix "$1")-ext"
}

# add_external SYSTEM IP/PLEN: SYSTEM's external network, holding IP/PLEN.
add_external() {
    osm_add_external "$2" "$(sys_prefix "$1")-ext"
}

# connect_external SYSTEM N: SYSTEM's host hvN joined to SYSTEM's
# external network on its provider bridge br-ex, physical network
# "physnet" mapped to it for SYSTEM's controller (osmotic- or
# ovn-bridge-mappings).  Before the host's controller starts.
connect_external() {
    local s=$1 n=$2 h
    h=$(hv_name "$s" "$n")
    OSM_EXTERNAL_NS=$(ext_ns "$s")
    osm_connect_external "$h" physnet
    if [ "$s" = ovn ]; then
        osm_host_vsctl "$h" set open_vswitch . \
            external_ids:ovn-bridge-mappings=physnet:br-ex \
            || fail "bridge mappings on $h"
    fi
}

# ext_exec SYSTEM CMD...: CMD in SYSTEM's external network's namespace,
# for at most OSM_CLIENT_TIMEOUT seconds.
ext_exec() {
    local s=$1
    shift
    ip netns exec "$(ext_ns "$s")" timeout "$OSM_CLIENT_TIMEOUT" "$@"
}

# ext_rx SYSTEM N: packets SYSTEM's external network has received from
# its host hvN (on the veth that joins them).
ext_rx() {
    local link
    link=$(echo "x-$(hv_name "$1" "$2")" | cut -c1-15)
    ip netns exec "$(ext_ns "$1")" \
        cat "/sys/class/net/$link/statistics/rx_packets"
}

# --- Traffic figures ---------------------------------------------------------

# iperf_summary: reads the JSON of "iperf3 -J" and prints what the server
# received, "MBIT/S RETRANSMITS MB", or "0 0 0" if the run failed.
iperf_summary() {
    python3 -c '
import json, sys
try:
    e = json.load(sys.stdin)["end"]
    print("%.1f %d %.3f" % (e["sum_received"]["bits_per_second"] / 1e6,
                            e["sum_sent"].get("retransmits", 0),
                            e["sum_received"]["bytes"] / 1e6))
except Exception:
    print("0 0 0")
'
}

# wrk_summary: reads wrk's output and prints "REQUESTS/S REQUESTS" (0 0 if
# it has none).
wrk_summary() {
    awk '/^Requests\/sec:/ { r = $2 }
         / requests in / { n = $1 }
         END { print (r == "" ? 0 : r), (n == "" ? 0 : n) }'
}

# ping_times: reads ping's output and prints the round trip of every
# answered echo, in ms, one a line.
ping_times() {
    grep -o 'time=[0-9.]*' | cut -d= -f2
}

# nearest_rank P: the P-th percentile (nearest rank) of the numbers on
# stdin, or n/a.
nearest_rank() {
    sort -g | awk -v p="$1" '{ v[NR] = $1 }
        END { i = int(NR * p / 100 + 0.999)
              if (i < 1) { print "n/a" } else { print v[i] } }'
}

# mean: the mean of the numbers on stdin with three decimals, or n/a.
mean() {
    awk '{ t += $1 } END { if (NR) { printf "%.3f\n", t / NR }
                           else { print "n/a" } }'
}

# sockperf_summary: reads the output of "sockperf under-load --full-rtt"
# and prints the round trip's average, p50 and p99 in us ("n/a" for what
# it lacks).
sockperf_summary() {
    sed 's/\x1b\[[0-9;]*m//g' | awk '
        /avg-rtt=/ { a = $0; sub(/.*avg-rtt=/, "", a); sub(/ .*/, "", a) }
        /percentile 50.000 =/ { m = $NF }
        /percentile 99.000 =/ { q = $NF }
        END { print (a == "" ? "n/a" : a), (m == "" ? "n/a" : m),
                    (q == "" ? "n/a" : q) }'
}

# --- Ratios of paired rounds -------------------------------------------------

# crash_line LOGFILE: the last assertion, abort, core dump or fatal
# signal line of LOGFILE, without its time stamp and module.
crash_line() {
    [ -n "$1" ] && [ -f "$1" ] || return 0
    grep -E 'assertion|Aborted|core dump|\|EMER\||terminating with signal' \
        "$1" | tail -1 | sed 's/^[^|]*|[^|]*|[^|]*|[^|]*|//'
}

# paired_ratio FILE COLUMN: the ratios osmotic/OVN of column COLUMN of
# $TESTDIR/osmotic.FILE and $TESTDIR/ovn.FILE taken line by line (round
# by round, or add by add), as "MEDIAN MIN MAX", or "n/a".
paired_ratio() {
    local a=$TESTDIR/osmotic.$1 b=$TESTDIR/ovn.$1
    if [ ! -s "$a" ] || [ ! -s "$b" ]; then
        echo n/a
        return
    fi
    paste -d' ' <(cut -d' ' -f"$2" "$a") <(cut -d' ' -f"$2" "$b") \
        | awk '$1 != "n/a" && $2 != "n/a" && $2 + 0 != 0 { print $1 / $2 }' \
        | sort -g | awk '{ v[NR] = $1 }
            END { if (!NR) { print "n/a"; exit }
                  h = int((NR + 1) / 2)
                  m = NR % 2 ? v[h] : (v[h] + v[h + 1]) / 2
                  printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}

# verdict BETTER MEDIAN MIN MAX: "ahead" if Osmotic is better than OVN over
# the whole range of ratios (BETTER is "higher" or "lower": which ratio
# is better for Osmotic), "behind" if it is worse over the whole range,
# "level" if every ratio is 1, "mixed" otherwise; "" without a BETTER or
# a ratio.
verdict() {
    [ -n "$1" ] && [ "$2" != n/a ] || return 0
    awk -v better="$1" -v lo="$3" -v hi="$4" 'BEGIN {
        if (lo == 1 && hi == 1) { print "level"; exit }
        if (better == "higher") { ahead = lo > 1; behind = hi < 1 }
        else { ahead = hi < 1; behind = lo > 1 }
        print ahead ? "ahead" : behind ? "behind" : "mixed" }'
}

# stats KEY METRIC: "median [min, max]" of KEY's per-round METRIC,
# RND[KEY.ROUND.METRIC] for ROUND 1..BENCH_ROUNDS ("n/a" if none).
stats() {
    local k=$1 m=$2 r
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        echo "${RND[$k.$r.$m]:-n/a}"
    done | grep -v n/a | sort -g | awk '
        function f(x) { return x >= 100 ? sprintf("%.0f", x) \
                                        : sprintf("%.3g", x) }
        { v[NR] = $1 }
        END { if (NR == 0) { print "n/a"; exit }
              m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%s [%s, %s]\n", f(m), f(v[1]), f(v[NR]) }'
}

# ratio_stats A B METRIC: "median [min, max]" of the per-round ratios
# A/B of METRIC (RND[A.ROUND.METRIC] / RND[B.ROUND.METRIC]).
ratio_stats() {
    local a=$1 b=$2 m=$3 r
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        awk -v a="${RND[$a.$r.$m]:-n/a}" -v b="${RND[$b.$r.$m]:-n/a}" '
            BEGIN { if (a != "n/a" && b != "n/a" && b + 0 > 0) print a / b }'
    done | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) { print "n/a"; exit }
              m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.2f [%.2f, %.2f]\n", m, v[1], v[NR] }'
}

# met COND: "met" or "not met" (COND evaluated by awk), or "n/a".
met() {
    case $1 in
        *n/a*) echo n/a ;;
        *) awk "BEGIN { print ($1) ? \"met\" : \"not met\" }" ;;
    esac
}

# check_bench_knobs VAR...: fails unless every VAR holds a positive
# integer, BENCH_CSUM is "true" or "false", and OSM_CLIENT_TIMEOUT leaves
# a BENCH_TIME-second traffic run a minute of slack.
check_bench_knobs() {
    local var
    for var in "$@"; do
        case ${!var} in
            ''|*[!0-9]*|0)
                fail "$var must be a positive integer, not '${!var}'" ;;
        esac
    done
    case $BENCH_CSUM in
        true|false) ;;
        *) fail "BENCH_CSUM must be true or false, not '$BENCH_CSUM'" ;;
    esac
    [ $((BENCH_TIME + 60)) -le "$OSM_CLIENT_TIMEOUT" ] \
        || fail "BENCH_TIME=$BENCH_TIME needs OSM_CLIENT_TIMEOUT of at" \
                "least $((BENCH_TIME + 60))"
}

# --- Benchmarks in parts ----------------------------------------------------
#
# A benchmark run in parts (lb-vs-ovn.sh, acl-scale-vs-ovn.sh) names
# itself in BENCH_TITLE, has a report_PART printing each PART's table,
# keeps the part running in PART and the first of its entries in LOADS
# in PART_LOADS, and fails with fail_part.

# report_part PART [WHY]: PART's table with the load averages recorded
# during it, on stdout and appended to BENCH_OUT; WHY, if given, is why
# the part stopped before its end.
report_part() {
    local p=$1 why=${2:-}
    {
        echo "$BENCH_TITLE, part $p, $(date -u '+%Y-%m-%d %H:%M UTC')," \
             "$(nproc) CPUs"
        [ -z "$why" ] || echo "INCOMPLETE: the part stopped: $why"
        report_$p
        echo "load average (1/5/15 min):"
        printf '  %s\n' "${LOADS[@]:$PART_LOADS}"
    } | tee -a ${BENCH_OUT:+"$BENCH_OUT"}
}

# fail_part MESSAGE: as tests/system/lib.sh's fail, but first prints the
# table of the part running with what it measured so far (only from the
# script's own shell: a failure in a subshell is the caller's to handle).
fail_part() {
    local p=$PART
    echo "FAILED: $*" >&2
    if [ -n "$p" ] && [ "$BASHPID" = "$$" ]; then
        PART=
        note_load "$p stopped"
        report_part "$p" "$*"
    fi
    exit 1
}
