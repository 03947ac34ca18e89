# Shell helpers the benchmarks against OVN share.  Source it after
# tests/system/lib.sh (which provides osm_add_host, osm_start_db, fail...):
#
#     . "$here/../system/lib.sh"
#     . "$here/bench-lib.sh"
#
# The caller sets BENCH_CSUM (true or false: the outer UDP checksum of
# OVN's tunnels) before add_ovn_host, and may set OVN_SCHEMADIR.

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

# add_ovn_host HOST IP: a testbed host (without Osmotic's controller)
# configured for OVN, running ovn-controller.
add_ovn_host() {
    local host=$1 ip=$2 dir
    dir=$(osm_host_dir "$host")
    OSM_NO_CONTROLLER=1 osm_add_host "$host" "$ip"
    osm_host_vsctl "$host" set open_vswitch . \
        external_ids:ovn-remote="\"unix:$TESTDIR/ovn-sb.sock\"" \
        external_ids:ovn-encap-type=geneve \
        external_ids:ovn-encap-ip="\"$ip\"" \
        external_ids:ovn-encap-csum="$BENCH_CSUM" \
        external_ids:ovn-bridge-datapath-type=netdev \
        || fail "configure OVN on $host"
    osm_host_exec "$host" env OVN_RUNDIR="$dir" \
        ovn-controller --detach --no-chdir \
        --pidfile="$dir/ovn-controller.pid" \
        --log-file="$dir/ovn-controller.log" unix:"$dir/db.sock" \
        || fail "start ovn-controller on $host"
    osm_track_pidfile "$dir/ovn-controller.pid"
}
