# Shell library for Osmotic's system tests.  Source it from a test:
#
#     . "$(dirname "$0")/lib.sh"
#     osm_test_init
#     osm_start_nb
#     check osmotic-nbctl ls-add sw0
#
# Every daemon a test starts is recorded by its pid file and every network
# namespace by name; osm_cleanup (run from an EXIT trap) stops them all,
# also when the test fails or is killed.

set -u

OSM_SRCDIR=${OSM_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OSM_BUILDDIR=${OSM_BUILDDIR:-$OSM_SRCDIR/_build}
PATH=$OSM_BUILDDIR/utilities:$OSM_BUILDDIR/northd:$OSM_BUILDDIR/controller:$PATH
export PATH OSM_SRCDIR OSM_BUILDDIR

NB_SCHEMA=$OSM_SRCDIR/lib/osmotic-nb.ovsschema
SB_SCHEMA=$OSM_SRCDIR/lib/osmotic-sb.ovsschema

# Pid files of started daemons and names of created namespaces.
OSM_PIDFILES=()
OSM_NETNS=()

fail() {
    echo "FAILED: $*" >&2
    exit 1
}

# --- Bounded clients ---------------------------------------------------------
#
# Every client a test runs is bounded in time: a server that does not
# answer fails the test within OSM_CLIENT_TIMEOUT seconds (default 60),
# naming the command, instead of hanging until the runner's limit.  These
# functions stand in for the programs of the same name (a later --timeout
# on the command line wins); tests/unit/test-system-lint.sh checks that
# tests do not get around them ("sh -c", "ip netns exec").
OSM_CLIENT_TIMEOUT=${OSM_CLIENT_TIMEOUT:-60}
export OSM_CLIENT_TIMEOUT
osmotic-nbctl() { command osmotic-nbctl --timeout="$OSM_CLIENT_TIMEOUT" "$@"; }
osmotic-sbctl() { command osmotic-sbctl --timeout="$OSM_CLIENT_TIMEOUT" "$@"; }
osmotic-trace() { timeout "$OSM_CLIENT_TIMEOUT" osmotic-trace "$@"; }
osmotic-ctl() { timeout "$OSM_CLIENT_TIMEOUT" osmotic-ctl "$@"; }
ovs-appctl() { command ovs-appctl --timeout="$OSM_CLIENT_TIMEOUT" "$@"; }
ovs-ofctl() { command ovs-ofctl --timeout="$OSM_CLIENT_TIMEOUT" "$@"; }
ovs-vsctl() { command ovs-vsctl --timeout="$OSM_CLIENT_TIMEOUT" "$@"; }
ovsdb-client() { timeout "$OSM_CLIENT_TIMEOUT" ovsdb-client "$@"; }

# Databases, hosts, pods and the underlay (osm_start_nb, osm_add_host,
# osm_add_pod, osm_pod_exec, ...) come from the library the sandbox uses
# too; its client helpers (osm_host_vsctl, osm_host_ofctl, osm_ctl_appctl,
# osm_pod_exec, ...) are bounded by OSM_CLIENT_TIMEOUT as well.
. "$OSM_SRCDIR/utilities/osmotic-hosts.sh"

# osm_test_init: makes the test directory ($TESTDIR) and a short unique
# tag ($OSM_TAG) for names that must not collide with another run.  Under
# run.sh (OSM_STATE_DIR set), the directory is recorded there: the runner
# removes it once it has checked that the test left nothing behind.
osm_test_init() {
    TESTDIR=$(mktemp -d /tmp/osm-test.XXXXXX)
    OSM_TAG=o$(printf '%05d' $(( $$ % 100000 )))
    export TESTDIR OSM_TAG
    osm_record testdirs "$TESTDIR"
    export OSMOTIC_RUNDIR=$TESTDIR
    trap osm_cleanup EXIT
    trap 'exit 143' TERM INT
}

osm_cleanup() {
    local rc=$?
    local i
    for ((i = ${#OSM_PIDFILES[@]} - 1; i >= 0; i--)); do
        osm_kill_pidfile "${OSM_PIDFILES[i]}"
    done
    for ns in "${OSM_NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    # Exit status 77 is a skip: its reason, the test's last line, stays
    # last so that run.sh shows it.
    if [ $rc -eq 77 ]; then
        osm_remove_testdir
    elif [ $rc -ne 0 ]; then
        echo "--- test failed (rc $rc); logs in $TESTDIR ---"
        for f in "$TESTDIR"/*.log "$TESTDIR"/*/*.log; do
            [ -f "$f" ] || continue
            echo "--- $f (last lines)"
            tail -n 15 "$f"
        done
    else
        osm_remove_testdir
    fi
    exit $rc
}

# osm_remove_testdir: removes $TESTDIR unless OSM_KEEP is set or run.sh
# (OSM_STATE_DIR set) will remove it after its own checks.
osm_remove_testdir() {
    [ -n "${OSM_KEEP:-}" ] || [ -n "${OSM_STATE_DIR:-}" ] || rm -rf "$TESTDIR"
}

# check CMD...: runs CMD, fails the test if it fails.
check() {
    "$@" || fail "command failed (rc $?): $*"
}

# check_output EXPECTED CMD...: runs CMD, fails unless its stdout equals
# EXPECTED exactly.
check_output() {
    local expected=$1 out
    shift
    out=$("$@") || fail "command failed (rc $?): $*"
    [ "$out" = "$expected" ] || fail "$*: expected [$expected], got [$out]"
}

# check_error MESSAGE-SUBSTRING CMD...: runs CMD, fails unless it exits
# nonzero and prints MESSAGE-SUBSTRING on stderr.
check_error() {
    local needle=$1 err rc
    shift
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    [ $rc -ne 0 ] || fail "expected failure but succeeded: $*"
    case $err in
        *"$needle"*) ;;
        *) fail "$*: expected error containing [$needle], got [$err]" ;;
    esac
}

# pipeline 'CMD | CMD...': runs the pipeline (one string, a single
# pipeline: with "&&" or ";" only the last one's statuses are checked) in
# a subshell of the test's shell, so that the bounded clients above
# apply, and fails if any command of it fails.  A writer killed by SIGPIPE (status 141)
# is not a failure when a later command succeeded: "grep -q" stops
# reading at its first match, and the writer's next write then fails
# however correct its output was.
pipeline() {
    (
        local st i
        eval "$1"'
st=("${PIPESTATUS[@]}")'
        i=$(( ${#st[@]} - 1 ))
        [ "${st[$i]}" -eq 0 ] || exit "${st[$i]}"
        while [ $i -gt 0 ]; do
            i=$((i - 1))
            case ${st[$i]} in
                0|141) ;;
                *) exit "${st[$i]}" ;;
            esac
        done
        exit 0
    )
}

# rx LINK: packets the underlay namespace received on its link LINK (hNlM:
# from the host added Nth, on its lane M).
rx() {
    ip netns exec "$OSM_UNDERLAY_NS" cat "/sys/class/net/$1/statistics/rx_packets"
}

# wait_until CMD...: retries CMD for up to OSM_WAIT seconds (default 20).
# CMD runs anew on every try; an argument such as "$(...)" is expanded
# once, before the first, so put what must be read again in a function.
wait_until() {
    local deadline=$(( $(date +%s) + ${OSM_WAIT:-20} ))
    until "$@"; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "timed out waiting for: $*"
        sleep 0.2
    done
}

# --- Switching helpers ------------------------------------------------------

# osm_start_central: the NB and SB databases and osmotic-northd.
osm_start_central() {
    osm_start_nb
    osm_start_sb
    check osmotic-nbctl init
    osm_start_northd
}

# osm_lsp_add SWITCH LPORT MAC IP: adds LPORT to SWITCH (created if
# missing) with addresses and port security "MAC IP".
osm_lsp_add() {
    osmotic-nbctl ls-list | grep -q "($1)$" || check osmotic-nbctl ls-add "$1"
    check osmotic-nbctl lsp-add "$1" "$2"
    check osmotic-nbctl lsp-set-addresses "$2" "$3 $4"
    check osmotic-nbctl lsp-set-port-security "$2" "$3 $4"
}

# osm_prime_underlay HOST...: pings between the lane-0 underlay addresses
# of every pair of HOSTs, so that the userspace datapath knows its tunnel
# neighbours before the first encapsulated packet.
osm_prime_underlay() {
    local a b ip
    for a in "$@"; do
        for b in "$@"; do
            [ "$a" != "$b" ] || continue
            ip=$(osm_host_vsctl "$b" get open_vswitch . \
                     external_ids:osmotic-encap-ip | tr -d '"')
            # Open vSwitch learns tunnel neighbours from ARP replies only,
            # so make the kernel ask.
            osm_host_exec "$a" ip neigh flush dev br-phy0
            osm_host_exec "$a" ping -q -c 1 -W 2 "${ip%%,*}" >/dev/null \
                || fail "underlay $a -> $b ($ip)"
        done
    done
}

# osm_ping_answers POD IP [PING-OPTION...]: sends 3 pings from POD to IP
# and prints how many were answered.
osm_ping_answers() {
    local pod=$1 ip=$2 out n
    shift 2
    out=$(osm_pod_exec "$pod" ping -q -c 3 -i 0.2 -W 1 "$@" "$ip" 2>&1)
    n=$(echo "$out" \
        | sed -n 's/^3 packets transmitted, \([0-9]*\) received.*/\1/p')
    echo "${n:-0}"
}

# osm_ping POD IP [PING-OPTION...]: succeeds if POD gets an answer to
# every one of 3 pings to IP: on an idle testbed, a lost ping is a fault.
osm_ping() {
    [ "$(osm_ping_answers "$@")" = 3 ]
}

# osm_no_ping POD IP [PING-OPTION...]: succeeds if none of 3 pings from
# POD to IP is answered.
osm_no_ping() {
    [ "$(osm_ping_answers "$@")" = 0 ]
}

# check_ping POD IP / check_no_ping POD IP: fail the test unless POD
# reaches IP with no ping lost (reaches it with none answered).
check_ping() {
    local n
    n=$(osm_ping_answers "$@")
    [ "$n" = 3 ] || fail "$1 -> $2: $n of 3 pings answered"
}
check_no_ping() {
    local n
    n=$(osm_ping_answers "$@")
    [ "$n" = 0 ] || fail "$1 -> $2: $n of 3 pings answered, expected none"
}

# check_tcp_transfer FROM-POD TO-POD IP [BYTES]: sends BYTES (default 4 MB)
# of random data over one TCP connection from FROM-POD to a listener in
# TO-POD at IP (IPv4 or IPv6, port 5201), and fails the test unless
# exactly those bytes arrive.
check_tcp_transfer() {
    local from=$1 to=$2 ip=$3 bytes=${4:-4194304} f listener sender got
    local family=-4
    f=$TESTDIR/tcp-$from-$to
    [[ $ip == *:* ]] && family=-6
    head -c "$bytes" /dev/urandom > "$f.sent"
    ip netns exec "$(osm_ns "$to")" timeout "$OSM_CLIENT_TIMEOUT" \
        nc $family -l 5201 > "$f.received" < /dev/null &
    listener=$!
    wait_until tcp_listening "$to" 5201
    osm_pod_exec "$from" nc -N -w 10 "$ip" 5201 < "$f.sent"
    sender=$?
    # The receiver ends when the sender has closed and everything has
    # arrived; what has not arrived 10 s later will not.
    for _ in $(seq 50); do
        osm_pid_alive "$listener" || break
        sleep 0.2
    done
    kill "$listener" 2>/dev/null
    wait "$listener"
    got=$(stat -c %s "$f.received")
    cmp -s "$f.sent" "$f.received" \
        || fail "TCP $from -> $to: $bytes bytes sent, $got received" \
                "$( [ "$got" = "$bytes" ] && echo '(different)')"
    [ $sender -eq 0 ] || fail "TCP $from -> $to: the sender failed"
}

# tcp_listening POD PORT: something in POD listens on TCP port PORT.
tcp_listening() {
    osm_pod_exec "$1" ss -Htln "sport = :$2" | grep -q .
}

# check_udp_transfer FROM-POD TO-POD IP [COUNT]: sends COUNT (default
# 200) numbered UDP datagrams from FROM-POD to a receiver in TO-POD at IP
# (port 5202), 2 ms apart, and fails the test unless every one arrives.
check_udp_transfer() {
    local from=$1 to=$2 ip=$3 count=${4:-200} f receiver got
    f=$TESTDIR/udp-$from-$to
    ip netns exec "$(osm_ns "$to")" timeout "$OSM_CLIENT_TIMEOUT" \
        python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5202))
s.settimeout(5)
seen = set()
try:
    while len(seen) < int(sys.argv[1]):
        seen.add(int(s.recv(100)))
except socket.timeout:
    pass
print(len(seen))' "$count" > "$f.received" < /dev/null &
    receiver=$!
    wait_until udp_listening "$to" 5202
    osm_pod_exec "$from" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"%d" % i, (sys.argv[1], 5202))
    time.sleep(0.002)' "$ip" "$count" \
        || fail "UDP $from -> $to: the sender failed"
    wait "$receiver" || fail "UDP $from -> $to: the receiver failed"
    got=$(cat "$f.received")
    [ "$got" = "$count" ] \
        || fail "UDP $from -> $to: $count datagrams sent, ${got:-0} received"
}

# udp_listening POD PORT: something in POD listens on UDP port PORT.
udp_listening() {
    osm_pod_exec "$1" ss -Huln "sport = :$2" | grep -q .
}

# osm_fresh_datapath HOST...: removes every cached datapath flow of each
# HOST's ovs-vswitchd, so that the next packets are translated through
# the OpenFlow flows as they are now.  For tests that check the verdict
# of the flows right after a change that turns a drop into an allow (or
# the other way): "--wait=hv" returns once br-int holds the new flows, but
# a datapath flow cached before can outlive them.  (Seen in
# test-switching-port-security: after "lsp-set-enabled lp1 enabled", a
# cached drop of p1's packets to a pod on another host stayed for
# seconds, through "revalidator/wait", while ofproto/trace of the same
# packet showed it forwarded.)
osm_fresh_datapath() {
    local h
    for h in "$@"; do
        osm_host_appctl "$h" revalidator/purge > /dev/null \
            || fail "revalidator/purge on $h"
    done
}

# osm_flows HOST: HOST's br-int flows without counters, sorted; fails if
# br-int cannot be read.
osm_flows() {
    local flows
    flows=$(osm_host_ofctl "$1" dump-flows --no-stats br-int) || return 1
    sort <<<"$flows"
}

# count_trace_lookups: reads ofproto/trace output and prints the number
# of br-int table lookups and of distinct br-int tables among them.  A
# lookup line is "N. match..." (indented by resubmit depth); lookups in
# other bridges (the underlay bridge after tnl_push) are not counted, nor
# are they part of either system's pipeline.
count_trace_lookups() {
    awk '
        { match($0, /^ */); indent = RLENGTH }
        /bridge\("[^"]*"\)/ {
            while (n > 0 && ind[n] >= indent) { n-- }
            name = $0
            sub(/^.*bridge\("/, "", name)
            sub(/".*$/, "", name)
            n++; ind[n] = indent; br[n] = name
            next
        }
        /^ *[0-9]+\. / {
            while (n > 1 && ind[n] > indent) { n-- }
            if (n > 0 && br[n] == "br-int") {
                t = $1; sub(/\./, "", t)
                lookups++
                if (!(t in seen)) { seen[t] = 1; distinct++ }
            }
        }
        END { print lookups + 0, distinct + 0 }'
}
