#!/bin/bash
# Central compiler at Kubernetes scale: osmotic-northd against ovn-northd
# (OVN 23.03), in the same run, on the same machine.
#
# Topology, Kubernetes-shaped: BENCH_NODES node switches ("node0"...) of
# BENCH_PODS pods each; every pod port has addresses and port security
# "MAC IP", as a CNI sets them.  It is loaded through each system's own
# nbctl, one nbctl call per node switch, with northd not yet running.
# Four configurations are measured, in pairs:
#   osmotic       the switches and ports only;
#   ovn           exactly the same NB content in OVN: the ratio
#                 osmotic/OVN is taken against this one;
#   osmotic-router, ovn-router
#                 the same, with the node switches behind one cluster
#                 router as ovn-kubernetes builds it (a router port per
#                 node and a "router"-type switch port): the ratio
#                 osmotic-router/ovn-router.
# For each: time to load the NB through nbctl; northd's initial compile
# (from northd's start until "nbctl --wait=sb sync" returns); the median
# of BENCH_PORT_ADDS single-port adds with --wait=sb at that size, and of
# as many of the same port adds without --wait (what nbctl and the NB
# server take to commit the change, without northd: the client's share);
# SB row counts; northd's RSS (current and peak) after all that; the
# load average (/proc/loadavg) before and after each configuration.
# Ratios osmotic/OVN of the port adds are the median of the paired
# ratios (add i against add i) with their range; the others are measured
# once per configuration.
#
# usage: tests/bench/northd-scale-vs-ovn.sh [osmotic] [ovn] [osmotic-router]
#                                            [ovn-router]
#        (default: all four)
#
# Environment: OSM_BUILDDIR (built tree), BENCH_NODES (default 100),
# BENCH_PODS (pods per node, default 100), BENCH_PORT_ADDS (default 5),
# BENCH_OUT (also write the result table to this file), OSM_CLIENT_TIMEOUT
# (seconds any client call may take, default 600), OSM_KEEP=1.

here=$(cd "$(dirname "$0")" && pwd)
# Every client call is bounded (tests/system/lib.sh); loading and
# compiling 10,000 ports takes longer than a test's calls.
: "${OSM_CLIENT_TIMEOUT:=600}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"

BENCH_NODES=${BENCH_NODES:-100}
BENCH_PODS=${BENCH_PODS:-100}
BENCH_PORT_ADDS=${BENCH_PORT_ADDS:-5}
OVN_SCHEMADIR=${OVN_SCHEMADIR:-/usr/share/ovn}

for var in BENCH_NODES BENCH_PODS BENCH_PORT_ADDS; do
    case ${!var} in
        ''|*[!0-9]*|0) fail "$var must be a positive integer, not '${!var}'" ;;
    esac
done
for var in BENCH_NODES BENCH_PODS; do
    [ "${!var}" -le 250 ] || fail "$var must be 1..250, not '${!var}'"
done

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(osmotic ovn osmotic-router ovn-router)
for c in "${configs[@]}"; do
    case $c in
        osmotic|osmotic-router) command -v osmotic-northd >/dev/null \
                     || fail "osmotic-northd not found (set OSM_BUILDDIR)" ;;
        ovn|ovn-router)
            command -v ovn-northd >/dev/null \
                || fail "ovn-northd not found (apt-get install ovn-central)" ;;
        *) fail "unknown configuration '$c'" \
                "(osmotic, ovn, osmotic-router or ovn-router)" ;;
    esac
done

osm_test_init

# Results: RES[config.metric] = value.
declare -A RES
LOADS=()

# loadavg1: the 1-minute load average now.
loadavg1() {
    cut -d' ' -f1 /proc/loadavg
}

# note_load WHEN: records the load average at WHEN.
note_load() {
    LOADS+=("$1: $(cut -d' ' -f1-3 /proc/loadavg)")
}

# now_ms: milliseconds since the epoch.
now_ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

# median: prints the median of the numbers on stdin.
median() {
    sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) { print "n/a"; exit }
              if (NR % 2) { print v[(NR + 1) / 2] }
              else { printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

# The configuration being measured, and where its files are.
CFG=
CFGDIR=

# nbctl ARGS...: the current configuration's nbctl on its NB database.
nbctl() {
    case $CFG in
        osmotic*) osmotic-nbctl --db=unix:"$CFGDIR/nb.sock" "$@" ;;
        ovn*) ovn-nbctl --timeout="$OSM_CLIENT_TIMEOUT" \
                  --db=unix:"$CFGDIR/nb.sock" "$@" ;;
    esac
}

# start_dbs: the NB and SB ovsdb-servers of the current configuration.
start_dbs() {
    local nb_schema sb_schema name
    case $CFG in
        osmotic*) nb_schema=$NB_SCHEMA sb_schema=$SB_SCHEMA ;;
        ovn*) nb_schema=$OVN_SCHEMADIR/ovn-nb.ovsschema
              sb_schema=$OVN_SCHEMADIR/ovn-sb.ovsschema ;;
    esac
    mkdir -p "$CFGDIR"
    for name in nb sb; do
        [ $name = nb ] && schema=$nb_schema || schema=$sb_schema
        ovsdb-tool create "$CFGDIR/$name.db" "$schema" \
            || fail "$CFG: create $name.db"
        ovsdb-server --detach --no-chdir --pidfile="$CFGDIR/$name.pid" \
            --unixctl="$CFGDIR/$name.ctl" --log-file="$CFGDIR/$name.log" \
            --remote=punix:"$CFGDIR/$name.sock" "$CFGDIR/$name.db" \
            || fail "$CFG: start $name ovsdb-server"
        osm_track_pidfile "$CFGDIR/$name.pid"
    done
}

# start_northd: the current configuration's northd, in the background.
start_northd() {
    case $CFG in
        osmotic*)
            osmotic-northd --detach --no-chdir \
                --pidfile="$CFGDIR/northd.pid" \
                --unixctl="$CFGDIR/northd.ctl" \
                --log-file="$CFGDIR/northd.log" \
                --nb-db=unix:"$CFGDIR/nb.sock" \
                --sb-db=unix:"$CFGDIR/sb.sock" \
                || fail "start osmotic-northd"
            ;;
        ovn*)
            ovn-northd --detach --no-chdir --pidfile="$CFGDIR/northd.pid" \
                --unixctl="$CFGDIR/northd.ctl" \
                --log-file="$CFGDIR/northd.log" \
                --ovnnb-db=unix:"$CFGDIR/nb.sock" \
                --ovnsb-db=unix:"$CFGDIR/sb.sock" \
                || fail "start ovn-northd"
            ;;
    esac
    osm_track_pidfile "$CFGDIR/northd.pid"
}

# pod_mac NODE POD, pod_ip NODE POD: addresses of pod POD on node NODE
# (node subnets 10.200.NODE.0/24; .1 is the node's router port).
pod_mac() {
    printf '0a:58:0a:c8:%02x:%02x' "$1" $(( $2 + 2 ))
}
pod_ip() {
    echo "10.200.$1.$(( $2 + 2 ))"
}

# load_node NODE: one nbctl call that adds node switch NODE with its pods
# (and, for the *-router configurations, its router port).
load_node() {
    local n=$1 j mac ip lsp
    local -a args=(ls-add "node$n")
    for ((j = 0; j < BENCH_PODS; j++)); do
        mac=$(pod_mac "$n" "$j")
        ip=$(pod_ip "$n" "$j")
        lsp=node$n-pod$j
        args+=(-- lsp-add "node$n" "$lsp"
               -- lsp-set-addresses "$lsp" "$mac $ip"
               -- lsp-set-port-security "$lsp" "$mac $ip")
    done
    if [[ $CFG = *-router ]]; then
        args+=(-- lrp-add cluster "rtr-node$n"
                   "$(printf '0a:58:0a:c8:%02x:01' "$n")" "10.200.$n.1/24"
               -- lsp-add "node$n" "stor-node$n"
               -- lsp-set-type "stor-node$n" router
               -- lsp-set-addresses "stor-node$n" router
               -- lsp-set-options "stor-node$n" router-port="rtr-node$n")
    fi
    nbctl "${args[@]}" >/dev/null || fail "$CFG: loading node$n"
}

# count_sb_rows: prints "TABLE COUNT" for every SB table, then "total N".
count_sb_rows() {
    local db table sel
    db=$(ovsdb-client list-dbs unix:"$CFGDIR/sb.sock" | grep -v _Server)
    for table in $(ovsdb-client list-tables unix:"$CFGDIR/sb.sock" "$db" \
                       | tail -n +3); do
        sel="{\"op\":\"select\",\"table\":\"$table\","
        sel+="\"where\":[],\"columns\":[\"_uuid\"]}"
        ovsdb-client transact unix:"$CFGDIR/sb.sock" "[\"$db\",$sel]" \
            | python3 -c '
import json, sys
print(sys.argv[1], len(json.load(sys.stdin)[0]["rows"]))' "$table"
    done | awk '{ print; t += $2 } END { print "total", t }'
}

# rss_kb FIELD: northd's FIELD (VmRSS or VmHWM) in kB.
rss_kb() {
    awk -v f="$1:" '$1 == f { print $2 }' \
        "/proc/$(cat "$CFGDIR/northd.pid")/status"
}

# measure CONFIG: the whole measurement of one configuration; stops its
# daemons at the end so the next configuration runs alone.
measure() {
    local t0 t1 n i mac
    CFG=$1
    CFGDIR=$TESTDIR/$CFG
    RES[$CFG.load_before]=$(loadavg1)
    start_dbs
    if [[ $CFG = *-router ]]; then
        nbctl lr-add cluster || fail "$CFG: lr-add"
    fi

    note_load "$CFG: before load"
    t0=$(now_ms)
    for ((n = 0; n < BENCH_NODES; n++)); do
        load_node "$n"
    done
    t1=$(now_ms)
    RES[$CFG.load_ms]=$((t1 - t0))

    note_load "$CFG: before compile"
    t0=$(now_ms)
    start_northd
    nbctl --timeout=600 --wait=sb sync || fail "$CFG: initial compile"
    t1=$(now_ms)
    RES[$CFG.compile_ms]=$((t1 - t0))

    : > "$CFGDIR/portadd"
    for ((i = 0; i < BENCH_PORT_ADDS; i++)); do
        mac=$(printf '0a:58:0a:c9:00:%02x' $((i + 2)))
        t0=$(now_ms)
        nbctl --wait=sb lsp-add node0 "extra$i" \
            -- lsp-set-addresses "extra$i" "$mac 10.201.0.$((i + 2))" \
            >/dev/null || fail "$CFG: port add extra$i"
        t1=$(now_ms)
        echo $((t1 - t0)) >> "$CFGDIR/portadd"
    done
    RES[$CFG.port_add_ms]=$(median < "$CFGDIR/portadd")
    # The client's own share: the same port adds without --wait, which
    # return once the NB server has committed the change (northd's work
    # is not waited for).
    : > "$CFGDIR/portadd-nowait"
    for ((i = 0; i < BENCH_PORT_ADDS; i++)); do
        mac=$(printf '0a:58:0a:c9:01:%02x' $((i + 2)))
        t0=$(now_ms)
        nbctl lsp-add node0 "nowait$i" \
            -- lsp-set-addresses "nowait$i" "$mac 10.201.1.$((i + 2))" \
            >/dev/null || fail "$CFG: port add nowait$i"
        t1=$(now_ms)
        echo $((t1 - t0)) >> "$CFGDIR/portadd-nowait"
    done
    RES[$CFG.port_add_nowait_ms]=$(median < "$CFGDIR/portadd-nowait")
    nbctl --wait=sb sync || fail "$CFG: sync"
    note_load "$CFG: after port adds"

    count_sb_rows > "$CFGDIR/sb-rows"
    RES[$CFG.sb_rows]=$(awk '$1 == "total" { print $2 }' "$CFGDIR/sb-rows")
    RES[$CFG.sb_lflows]=$(awk '$1 == "Logical_Flow" { print $2 }' \
                              "$CFGDIR/sb-rows")
    RES[$CFG.rss_mb]=$(( $(rss_kb VmRSS) / 1024 ))
    RES[$CFG.hwm_mb]=$(( $(rss_kb VmHWM) / 1024 ))

    for f in northd sb nb; do
        osm_kill_pidfile "$CFGDIR/$f.pid"
    done
    RES[$CFG.load_after]=$(loadavg1)
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

# paired_ratio FILE A B: the ratios A/B of the numbers in
# $TESTDIR/A/FILE and $TESTDIR/B/FILE taken line by line, as
# "MEDIAN MIN-MAX", or "n/a".
paired_ratio() {
    local a=$TESTDIR/$2/$1 b=$TESTDIR/$3/$1
    if [ ! -s "$a" ] || [ ! -s "$b" ]; then
        echo n/a
        return
    fi
    paste -d' ' "$a" "$b" | awk '$2 + 0 != 0 { print $1 / $2 }' | sort -g \
        | awk '{ v[NR] = $1 }
            END { if (!NR) { print "n/a"; exit }
                  h = int((NR + 1) / 2)
                  m = NR % 2 ? v[h] : (v[h] + v[h + 1]) / 2
                  printf "%.2f %.2f-%.2f\n", m, v[1], v[NR] }'
}

# report: prints the result table (and copies it to $BENCH_OUT).  A row
# with a FILE has a ratio from paired measurements (median and range);
# the others are measured once per configuration.
report() {
    local row key label file a b r med range pair x y
    local -a rows=(
        "load_ms|NB load through nbctl, ms|"
        "compile_ms|northd initial compile, ms|"
        "port_add_ms|one port add --wait=sb, ms (median)|portadd"
        "port_add_nowait_ms|same, no wait (nbctl + NB commit), ms|"\
"portadd-nowait"
        "sb_lflows|SB Logical_Flow rows|"
        "sb_rows|SB rows, all tables|"
        "rss_mb|northd RSS, MB|"
        "hwm_mb|northd peak RSS, MB|"
        "load_before|load average (1 min) before|"
        "load_after|load average (1 min) after|"
    )
    {
        echo "northd scale benchmark," \
             "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
        echo "$BENCH_NODES node switches x $BENCH_PODS pods" \
             "($((BENCH_NODES * BENCH_PODS)) pod ports)"
        echo "ratio: osmotic/ovn, each against its own kind; for the port" \
             "adds, the median of the paired ratios (add i against add i)" \
             "and their range"
        for pair in "osmotic ovn" "osmotic-router ovn-router"; do
            read -r x y <<<"$pair"
            echo
            printf '%-38s %14s %12s %6s %11s\n' metric "$x" "$y" ratio range
            for row in "${rows[@]}"; do
                IFS='|' read -r key label file <<<"$row"
                a=${RES[$x.$key]:-n/a}
                b=${RES[$y.$key]:-n/a}
                if [ -n "$file" ]; then
                    r=$(paired_ratio "$file" "$x" "$y")
                else
                    r=$(ratio "$a" "$b")
                fi
                case $key in load_before|load_after) r=n/a ;; esac
                read -r med range <<<"$r"
                printf '%-38s %14s %12s %6s %11s\n' "$label" "$a" "$b" \
                    "$med" "$range"
            done
        done
        echo "load average (1/5/15 min):"
        printf '  %s\n' "${LOADS[@]}"
    } | tee ${BENCH_OUT:+"$BENCH_OUT"}
}

for c in "${configs[@]}"; do
    measure "$c"
done
note_load "end"
report
