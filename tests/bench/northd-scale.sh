#!/bin/bash
# Scale measurement of osmotic-northd (not a pass/fail test).
#
# Writes BENCH_SWITCHES switches of BENCH_PORTS ports each straight into
# the NB database (one transaction per BENCH_BATCH switches, over
# JSON-RPC), every port with addresses and port security "MAC IP", then
# measures:
#   - northd's initial compile: from its start until "osmotic-nbctl
#     --wait=sb sync" returns, and the compile time northd reports;
#   - BENCH_PORT_ADDS single-port adds with "osmotic-nbctl --wait=sb"
#     (median, max), the incremental compile time northd reports for them,
#     and the same number of adds from a client that stays connected
#     (commit to sb_cfg, without nbctl's start-up: process, connection
#     and the download of the rows its commands name);
#   - a restart: its compile time and the SB transactions it made
#     (expected 0);
#   - for the initial compile and the restart, the CPU time northd used,
#     which depends less than wall-clock times on the machine's other load;
#   - SB row counts and northd's resident memory.
#
# usage: tests/bench/northd-scale.sh
# Environment: OSM_BUILDDIR (built tree), BENCH_SWITCHES (default 100),
# BENCH_PORTS (default 100), BENCH_BATCH (default 10), BENCH_PORT_ADDS
# (default 9), OSM_CLIENT_TIMEOUT (seconds any client call may take,
# default 600), OSM_KEEP=1 to keep the directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# Every client call is bounded (tests/system/lib.sh), the JSON-RPC
# clients below too.
: "${OSM_CLIENT_TIMEOUT:=600}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"
. "$here/../system/northd-lib.sh"

n_switches=${BENCH_SWITCHES:-100}
n_ports=${BENCH_PORTS:-100}
batch=${BENCH_BATCH:-10}
n_adds=${BENCH_PORT_ADDS:-9}

osm_test_init
osm_start_nb
osm_start_sb
check osmotic-nbctl init

# ms: prints the wall clock in milliseconds.
ms() {
    date +%s%3N
}

# load_nb: writes the switches and ports into NB over JSON-RPC.
load_nb() {
    timeout "$OSM_CLIENT_TIMEOUT" python3 - "$TESTDIR/osmotic-nb.sock" \
        "$n_switches" "$n_ports" "$batch" <<'EOF'
import json, socket, sys
path, n_sw, n_p, batch = sys.argv[1], *map(int, sys.argv[2:])
sock = socket.socket(socket.AF_UNIX)
sock.connect(path)
dec = json.JSONDecoder()

def call(ops, txn_id):
    msg = {"method": "transact", "id": txn_id,
           "params": ["Osmotic_Northbound"] + ops}
    sock.sendall(json.dumps(msg).encode())
    buf = ""
    while True:
        buf += sock.recv(1 << 20).decode()
        try:
            reply, _ = dec.raw_decode(buf)
        except ValueError:
            continue
        if reply.get("id") != txn_id:
            buf = ""
            continue
        for r in reply["result"]:
            if r and "error" in r:
                sys.exit("transaction failed: %s" % r)
        return

for first in range(0, n_sw, batch):
    ops = []
    for s in range(first, min(first + batch, n_sw)):
        ports = []
        for p in range(n_p):
            name = "s%d-p%d" % (s, p)
            mac = "0a:00:%02x:%02x:%02x:%02x" % (s >> 8, s & 255,
                                                  p >> 8, p & 255)
            ip = "10.%d.%d.%d" % (s & 255, p >> 8, (p & 255) + 1)
            addr = "%s %s" % (mac, ip)
            ops.append({"op": "insert", "table": "Logical_Switch_Port",
                        "uuid-name": "p%d_%d" % (s, p),
                        "row": {"name": name, "addresses": addr,
                                "port_security": addr}})
            ports.append(["named-uuid", "p%d_%d" % (s, p)])
        ops.append({"op": "insert", "table": "Logical_Switch",
                    "row": {"name": "s%d" % s,
                            "ports": ["set", ports]}})
    call(ops, first)
EOF
}

# compile_ms: the duration of northd's last compile, in ms.
compile_ms() {
    northd_count northd "last compile" | sed 's/.*, \([0-9.]*\) ms$/\1/'
}

# cpu_ms: the CPU time (user and system) northd has used, in ms.
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
        "/proc/$(cat "$TESTDIR/northd.pid")/stat"
}

# rss_kb: northd's resident set size in kB.
rss_kb() {
    sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' \
        "/proc/$(cat "$TESTDIR/northd.pid")/status"
}

t0=$(ms)
load_nb || fail "loading NB failed"
t1=$(ms)
echo "NB load ($n_switches switches x $n_ports ports): $((t1 - t0)) ms"

t0=$(ms)
osm_start_northd northd
check osmotic-nbctl --wait=sb --timeout=600 sync
t1=$(ms)
echo "initial compile, northd start to sb_cfg: $((t1 - t0)) ms" \
     "(northd's own compile: $(compile_ms) ms, northd CPU: $(cpu_ms) ms)"
echo "RSS after initial compile: $(rss_kb) kB"

adds=()
compiles=()
for i in $(seq "$n_adds"); do
    t0=$(ms)
    check osmotic-nbctl --wait=sb --timeout=60 lsp-add s0 extra$i \
        -- lsp-set-addresses extra$i "0a:ff:00:00:00:$(printf %02x "$i") 10.0.200.$i"
    t1=$(ms)
    adds+=($((t1 - t0)))
    compiles+=("$(compile_ms)")
done
sorted=$(printf '%s\n' "${adds[@]}" | sort -n)
echo "port add with --wait=sb ($n_adds runs): median" \
     "$(echo "$sorted" | sed -n "$(( (n_adds + 1) / 2 ))p") ms," \
     "max $(echo "$sorted" | tail -n 1) ms"
echo "northd incremental compile per port add: $(printf '%s ' "${compiles[@]}")ms"
# The same, from a client that stays connected: each add commits the port
# and an nb_cfg bump, then an OVSDB "wait" returns once northd has set
# sb_cfg to it.  This is northd's latency without nbctl's start-up.
timeout "$OSM_CLIENT_TIMEOUT" python3 - "$TESTDIR/osmotic-nb.sock" "$n_adds" \
    <<'EOF2' || fail "persistent adds failed"
import json, socket, sys, time
sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
dec = json.JSONDecoder()
buf = ""
def call(ops, txn_id):
    global buf
    sock.sendall(json.dumps({"method": "transact", "id": txn_id,
                             "params": ["Osmotic_Northbound"] + ops}).encode())
    while True:
        try:
            reply, end = dec.raw_decode(buf)
            buf = buf[end:]
            if reply.get("id") == txn_id:
                for r in reply["result"]:
                    if r and "error" in r:
                        sys.exit("failed: %s" % r)
                return reply["result"]
            continue
        except ValueError:
            buf += sock.recv(1 << 20).decode()
times = []
for i in range(int(sys.argv[2])):
    cfg = call([{"op": "select", "table": "NB_Global", "where": [],
                 "columns": ["nb_cfg"]}], "s%d" % i)[0]["rows"][0]["nb_cfg"]
    t0 = time.monotonic()
    call([{"op": "insert", "table": "Logical_Switch_Port", "uuid-name": "p",
           "row": {"name": "fast%d" % i,
                   "addresses": "0a:fe:00:00:00:%02x 10.0.201.%d" % (i, i + 1),
                   "port_security": "0a:fe:00:00:00:%02x 10.0.201.%d" % (i, i + 1)}},
          {"op": "mutate", "table": "Logical_Switch",
           "where": [["name", "==", "s1"]],
           "mutations": [["ports", "insert", ["named-uuid", "p"]]]},
          {"op": "update", "table": "NB_Global", "where": [],
           "row": {"nb_cfg": cfg + 1}}], "a%d" % i)
    call([{"op": "wait", "table": "NB_Global", "where": [], "timeout": 60000,
           "columns": ["sb_cfg"], "until": "==",
           "rows": [{"sb_cfg": cfg + 1}]}], "w%d" % i)
    times.append((time.monotonic() - t0) * 1000)
times.sort()
print("port add from a connected client, commit to sb_cfg (%d runs): "
      "median %.1f ms, max %.1f ms" % (len(times), times[len(times) // 2],
                                       times[-1]))
EOF2
echo "northd incremental compile for the last one: $(compile_ms) ms"

t0=$(ms)
check osmotic-nbctl --timeout=60 lsp-list s0 > /dev/null
t1=$(ms)
echo "(for reference, a read-only osmotic-nbctl lsp-list: $((t1 - t0)) ms)"

for t in Datapath_Binding Port_Binding Multicast_Group Logical_Flow; do
    echo "SB $t rows: $(sb_select "$t" '["_uuid"]' | grep -c .)"
done
northd_ctl northd northd/counts | sed 's/^/  /'
echo "RSS: $(rss_kb) kB"
echo "memory/show: $(northd_ctl northd memory/show)"

osm_kill_pidfile "$TESTDIR/northd.pid"
t0=$(ms)
osm_start_northd northd
wait_until output_is "1 full, 0 incremental" northd_count northd compiles
t1=$(ms)
sleep 1
echo "restart: compiled in $(compile_ms) ms (start to compiled: $((t1 - t0)) ms," \
     "northd CPU: $(cpu_ms) ms), SB transactions:" \
     "$(northd_count northd "sb transactions")"
