#!/bin/bash
# Runs Osmotic's system tests: each tests/system/test-*.sh is one test,
# run in a session of its own with a time limit.  Prints PASS, FAIL,
# TIMEOUT or SKIP per test and a closing "N passed, N failed, N timed
# out" line; exits nonzero if any test failed or timed out.
#
# usage: run.sh [TEST-NAME-PATTERN...]
#
# A test whose script has a line "# osm-test: slow" (it takes many
# minutes: it builds packages, say) runs only when named by a pattern or
# with OSM_TEST_SLOW=1; otherwise it is listed as skipped.  On the same
# line, "timeout=SECS" gives the test a longer time limit than the
# default.
#
# Environment: OSM_BUILDDIR (built tree), OSM_SRCDIR (source tree),
# OSM_TEST_TIMEOUT (seconds per test, default 300), OSM_TEST_GRACE
# (seconds a timed-out test gets to clean up after SIGTERM before
# everything it runs is killed, default 20), OSM_TEST_LOGDIR (where the
# logs go, default BUILDDIR/tests/system-logs), OSM_SYSTEM_TESTS (the
# directory of the test-*.sh scripts, default this script's), OSM_KEEP=1
# to keep each test's directory.
#
# What a test starts is recorded as it goes (tests/system/lib.sh writes
# the pid files of its daemons and the names of its network namespaces
# under $OSM_STATE_DIR, which this script sets for each test).  However a
# test ends, this script then kills what is left of the test's session,
# stops every recorded daemon still running, kills the processes left in
# the recorded namespaces and deletes those namespaces.  A test that
# passes but leaves something behind fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export OSM_SRCDIR=${OSM_SRCDIR:-$(cd "$here/../.." && pwd)}
export OSM_BUILDDIR=${OSM_BUILDDIR:-$OSM_SRCDIR/_build}
testdir=${OSM_SYSTEM_TESTS:-$here}
timeout_s=${OSM_TEST_TIMEOUT:-300}
grace_s=${OSM_TEST_GRACE:-20}
hz=$(getconf CLK_TCK)

if [ "$(id -u)" != 0 ]; then
    echo "system tests need root (network namespaces, OVS daemons)" >&2
    exit 77
fi

# proc_field PID N: prints field N of /proc/PID/stat (3 is the state, 6
# the session, 22 the start time), or fails if PID does not exist.
proc_field() {
    local line fields
    read -r line 2>/dev/null < "/proc/$1/stat" || return 1
    # The command name, field 2, is in parentheses and may hold spaces.
    fields=(${line##*) })
    echo "${fields[$(($2 - 3))]}"
}

# comm PID: the command name of process PID.
comm() {
    cat "/proc/$1/comm" 2>/dev/null
}

# alive PID: true if process PID runs (a zombie has exited).
alive() {
    local state
    state=$(proc_field "$1" 3) && [ "$state" != Z ]
}

# session_pids SID: prints the processes of session SID, exited or not.
session_pids() {
    local f line fields
    for f in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null < "$f" || continue
        fields=(${line##*) })
        [ "${fields[3]}" = "$1" ] && echo "${f//[^0-9]/}"
    done
}

# show_failure LOG: the last lines the test itself printed (what failed),
# then the end of the daemons' logs that osm_cleanup appended after them.
show_failure() {
    local own
    own=$(sed '/^--- test failed (rc [0-9]*); logs in /,$d' "$1")
    echo "$own" | tail -n 20 | sed 's/^/    /'
    if [ "$(wc -l < "$1")" -gt "$(echo "$own" | wc -l)" ]; then
        echo "    [daemon logs:]"
        tail -n 20 "$1" | sed 's/^/    /'
    fi
}

# kill_session SIGNAL SID: sends SIGNAL to every process of session SID.
kill_session() {
    local pids
    pids=$(session_pids "$2")
    [ -z "$pids" ] || kill -"$1" $pids 2>/dev/null
}

# started_before PID FILE: true if process PID started before FILE was
# last written, that is, if PID is the process that pid file FILE names
# and not a later one that got the same number.
started_before() {
    local start mtime uptime now
    start=$(proc_field "$1" 22) || return 1
    mtime=$(stat -c %.3Y "$2" 2>/dev/null) || return 1
    read -r uptime _ < /proc/uptime
    now=$(date +%s.%N)
    awk -v s="$start" -v hz="$hz" -v u="$uptime" -v n="$now" -v m="$mtime" \
        'BEGIN { exit !(n - (u - s / hz) <= m + 0.5) }'
}

# stop_pid PID: SIGTERM, then after 5 s SIGKILL, until PID has exited.
stop_pid() {
    local i
    kill "$1" 2>/dev/null || return 0
    for i in $(seq 50); do
        alive "$1" || return 0
        sleep 0.1
    done
    kill -9 "$1" 2>/dev/null
}

# cleanup_state DIR: stops what DIR records and prints one line per daemon
# or namespace it found still there.  DIR/pidfiles lists pid files (the
# last started is stopped first), DIR/netns namespaces, DIR/statedirs more
# directories of the same kind (a sandbox's); DIR/testdirs the test's
# directory, which this script removes after a clean pass.
cleanup_state() {
    local dir=$1 files=() f pid ns pids sub i
    if [ -f "$dir/statedirs" ]; then
        while read -r sub; do
            [ -n "$sub" ] && cleanup_state "$sub"
        done < "$dir/statedirs"
    fi
    if [ -f "$dir/pidfiles" ]; then
        mapfile -t files < "$dir/pidfiles"
    fi
    for ((i = ${#files[@]} - 1; i >= 0; i--)); do
        f=${files[i]}
        pid=$(cat "$f" 2>/dev/null) || continue
        [[ $pid =~ ^[0-9]+$ ]] || continue
        if alive "$pid" && started_before "$pid" "$f"; then
            echo "process $pid ($(comm "$pid")) of $f"
            stop_pid "$pid"
        fi
    done
    if [ -f "$dir/netns" ]; then
        while read -r ns; do
            [ -n "$ns" ] && [ -e "/run/netns/$ns" ] || continue
            pids=$(ip netns pids "$ns" 2>/dev/null)
            for pid in $pids; do
                echo "process $pid ($(comm "$pid")) in namespace $ns"
                stop_pid "$pid"
            done
            echo "namespace $ns"
            ip netns del "$ns" 2>/dev/null
        done < "$dir/netns"
    fi
}

# The test running now, for the signal handler.
current_pid=
current_state=
on_signal() {
    if [ -n "$current_pid" ]; then
        kill_session TERM "$current_pid"
        sleep 1
        kill_session KILL "$current_pid"
        cleanup_state "$current_state" > /dev/null
    fi
    echo "interrupted" >&2
    exit 130
}
trap on_signal INT TERM HUP

# test_marks TEST: the words of TEST's "# osm-test:" line.
test_marks() {
    sed -n 's/^# osm-test: *//p' "$1" | head -n 1
}

tests=()
named=$#
if [ $# -eq 0 ]; then
    tests=("$testdir"/test-*.sh)
else
    for pat in "$@"; do
        for t in "$testdir"/test-*"$pat"*.sh; do
            [ -e "$t" ] && tests+=("$t")
        done
    done
fi

passed=0
failed=0
timedout=0
failed_names=()
logdir=${OSM_TEST_LOGDIR:-$OSM_BUILDDIR/tests/system-logs}
mkdir -p "$logdir"
for t in "${tests[@]}"; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    marks=" $(test_marks "$t") "
    case $marks in
        *" slow "*)
            if [ "$named" -eq 0 ] && [ "${OSM_TEST_SLOW:-}" != 1 ]; then
                echo "SKIP: $name (slow: run it by name or with OSM_TEST_SLOW=1)"
                continue
            fi ;;
    esac
    test_timeout=$timeout_s
    case $marks in
        *" timeout="*)
            t_marked=${marks#* timeout=}
            t_marked=${t_marked%% *}
            [ "$t_marked" -gt "$test_timeout" ] 2>/dev/null \
                && test_timeout=$t_marked ;;
    esac
    log=$logdir/$name.log
    state=$logdir/$name.state
    rm -rf "$state"
    mkdir -p "$state"
    start=$(date +%s)
    unset ended

    # The test leads a session of its own (a background job of this
    # non-interactive shell is no process group leader, so setsid does
    # not fork: the session's id is $!).  The clock runs beside it.
    OSM_STATE_DIR=$state setsid bash "$t" > "$log" 2>&1 < /dev/null &
    pid=$!
    current_pid=$pid current_state=$state
    sleep "$test_timeout" &
    clock=$!
    wait -n -p ended "$pid" "$clock"
    rc=$?
    why=
    if [ "${ended:-}" = "$pid" ]; then
        kill "$clock" 2>/dev/null
        wait "$clock" 2>/dev/null
    else
        # Time is up.  SIGTERM to the whole session ends the command the
        # test waits for, so that its own clean-up can run; after the
        # grace period whatever is left is killed, the test's shell too.
        why="timed out after ${test_timeout}s"
        kill_session TERM "$pid"
        for ((i = 0; i < grace_s * 10; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            why="$why, killed after ${grace_s}s more"
        fi
        kill_session KILL "$pid"
        { wait "$pid"; } 2>/dev/null
        rc=$?
    fi
    # What the session still runs (a background job of the test's), then
    # what the test recorded.
    left=$(session_pids "$pid" | while read -r p; do
               alive "$p" \
                   && echo "process $p ($(comm "$p")) of the test's session"
           done)
    kill_session KILL "$pid"
    left=$(echo "$left"; cleanup_state "$state")
    left=$(echo "$left" | grep . | sed 's/^/        /')
    current_pid=
    secs=$(( $(date +%s) - start ))

    if [ -z "$why" ] && { [ $rc -eq 124 ] || [ $rc -eq 137 ]; }; then
        why="timed out (exit status $rc)"
    fi
    if [ -n "$why" ]; then
        echo "TIMEOUT: $name ($why), last lines of $log:"
        show_failure "$log"
        [ -z "$left" ] || echo "    cleaned up after it:"$'\n'"$left"
        timedout=$((timedout + 1))
        failed_names+=("$name")
    elif [ $rc -eq 0 ] && [ -z "$left" ]; then
        echo "PASS: $name (${secs}s)"
        passed=$((passed + 1))
    elif [ $rc -eq 77 ] && [ -z "$left" ]; then
        echo "SKIP: $name ($(tail -n 1 "$log"))"
    else
        if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then
            echo "FAIL: $name (exit status $rc, but it left behind:)"
        else
            echo "FAIL: $name (exit status $rc), last lines of $log:"
            show_failure "$log"
            [ -z "$left" ] || echo "    and it left behind:"
        fi
        [ -z "$left" ] || echo "$left"
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
    # The test's directory goes once it has passed and left nothing;
    # otherwise it stays, with the logs.
    if [ -f "$state/testdirs" ]; then
        if { [ $rc -eq 0 ] || [ $rc -eq 77 ]; } && [ -z "$why" ] \
           && [ -z "$left" ] && [ -z "${OSM_KEEP:-}" ]; then
            xargs -r rm -rf < "$state/testdirs"
        else
            sed 's/^/    logs in /' "$state/testdirs"
        fi
    fi
    rm -rf "$state"
done
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed, $timedout timed out"
[ $failed -eq 0 ] && [ $timedout -eq 0 ]
