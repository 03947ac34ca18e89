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

# osm_test_init: makes the test directory ($TESTDIR) and a short unique
# tag ($OSM_TAG) for names that must not collide with another run.
osm_test_init() {
    TESTDIR=$(mktemp -d /tmp/osm-test.XXXXXX)
    OSM_TAG=o$(printf '%05d' $(( $$ % 100000 )))
    export TESTDIR OSM_TAG
    export OSMOTIC_RUNDIR=$TESTDIR
    trap osm_cleanup EXIT
    trap 'exit 143' TERM INT
}

# osm_track_pidfile FILE: stop the daemon whose pid is in FILE at cleanup.
osm_track_pidfile() {
    OSM_PIDFILES+=("$1")
}

# osm_kill_pidfile FILE: stops the daemon of one pid file now.
osm_kill_pidfile() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    return 0
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
    if [ $rc -ne 0 ]; then
        echo "--- test failed (rc $rc); logs in $TESTDIR ---"
        for f in "$TESTDIR"/*.log "$TESTDIR"/*/*.log; do
            [ -f "$f" ] || continue
            echo "--- $f (last lines)"
            tail -n 15 "$f"
        done
    elif [ -z "${OSM_KEEP:-}" ]; then
        rm -rf "$TESTDIR"
    fi
    exit $rc
}

# osm_start_db NAME SCHEMA: starts a file-backed ovsdb-server for SCHEMA
# listening on $TESTDIR/NAME.sock.
osm_start_db() {
    local name=$1 schema=$2
    ovsdb-tool create "$TESTDIR/$name.db" "$schema" || fail "create $name.db"
    ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/$name.pid" \
        --unixctl="$TESTDIR/$name.ctl" --log-file="$TESTDIR/$name.log" \
        --remote=punix:"$TESTDIR/$name.sock" "$TESTDIR/$name.db" \
        || fail "start $name ovsdb-server"
    osm_track_pidfile "$TESTDIR/$name.pid"
}

# osm_start_nb / osm_start_sb: the central databases, with the
# environment pointing every tool at them.
osm_start_nb() {
    osm_start_db osmotic-nb "$NB_SCHEMA"
    export OSMOTIC_NB_DB=unix:$TESTDIR/osmotic-nb.sock
}
osm_start_sb() {
    osm_start_db osmotic-sb "$SB_SCHEMA"
    export OSMOTIC_SB_DB=unix:$TESTDIR/osmotic-sb.sock
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

# wait_until CMD...: retries CMD for up to OSM_WAIT seconds (default 20).
wait_until() {
    local deadline=$(( $(date +%s) + ${OSM_WAIT:-20} ))
    until "$@"; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "timed out waiting for: $*"
        sleep 0.2
    done
}
