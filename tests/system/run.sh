#!/bin/bash
# Runs Osmotic's system tests: each tests/system/test-*.sh is one test,
# run in its own shell with a time limit.  Prints PASS/FAIL per test and a
# closing "N passed, N failed" line; exits nonzero if any test failed.
#
# usage: run.sh [TEST-NAME-PATTERN...]
#
# Environment: OSM_BUILDDIR (built tree), OSM_SRCDIR (source tree),
# OSM_TEST_TIMEOUT (seconds per test, default 300), OSM_KEEP=1 to keep
# each test's directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export OSM_SRCDIR=${OSM_SRCDIR:-$(cd "$here/../.." && pwd)}
export OSM_BUILDDIR=${OSM_BUILDDIR:-$OSM_SRCDIR/_build}
timeout_s=${OSM_TEST_TIMEOUT:-300}

if [ "$(id -u)" != 0 ]; then
    echo "system tests need root (network namespaces, OVS daemons)" >&2
    exit 77
fi

tests=()
if [ $# -eq 0 ]; then
    tests=("$here"/test-*.sh)
else
    for pat in "$@"; do
        for t in "$here"/test-*"$pat"*.sh; do
            [ -e "$t" ] && tests+=("$t")
        done
    done
fi

passed=0
failed=0
failed_names=()
logdir=${OSM_TEST_LOGDIR:-$OSM_BUILDDIR/tests/system-logs}
mkdir -p "$logdir"
for t in "${tests[@]}"; do
    name=$(basename "$t" .sh)
    log=$logdir/$name.log
    start=$(date +%s)
    # setsid: the test and everything it starts form one process group,
    # so a timed-out test is killed whole (its own trap still cleans up
    # namespaces and daemons when it gets SIGTERM).
    timeout -k 20 "$timeout_s" setsid bash "$t" > "$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [ $rc -eq 0 ]; then
        echo "PASS: $name (${secs}s)"
        passed=$((passed + 1))
    elif [ $rc -eq 77 ]; then
        echo "SKIP: $name ($(tail -n 1 "$log"))"
    else
        [ $rc -eq 124 ] && why=" (timed out after ${timeout_s}s)" || why=""
        echo "FAIL: $name$why, last lines of $log:"
        tail -n 25 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
done
[ $failed -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
