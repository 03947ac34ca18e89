#!/bin/bash
# The test runner (run.sh) leaves nothing behind a test that times out or
# leaks: a test hung in a foreground command that ends on SIGTERM cleans
# up after itself; one whose foreground command ignores SIGTERM is killed
# whole and the runner stops its daemons (one of them stopped with
# SIGSTOP), the processes in its namespaces and the namespaces; both are
# reported as timed out.  A test that passes but leaves a daemon running
# fails.  The tests run here are fixtures written on the spot, run by a
# second run.sh with a short time limit.
. "$(dirname "$0")/lib.sh"
osm_test_init

fx=$TESTDIR/fixtures
logs=$TESTDIR/logs
mkdir -p "$fx" "$logs"
export FX_INFO=$TESTDIR/info
: > "$FX_INFO"

# Every fixture notes what it started ("pid comm" or "netns NAME") in
# $FX_INFO, so that this test can look for it afterwards.
cat > "$fx/fixture-lib.sh" <<'EOF'
. "$OSM_SRCDIR/tests/system/lib.sh"
osm_test_init
# note_pid PID: PID is to be gone after the run.
note_pid() {
    echo "$1 $(cat "/proc/$1/comm")" >> "$FX_INFO"
}
osm_start_nb
note_pid "$(cat "$TESTDIR/osmotic-nb.pid")"
osm_add_netns "$(osm_ns ns)"
echo "netns $(osm_ns ns)" >> "$FX_INFO"
EOF

# A foreground client that never returns, and a background job.
cat > "$fx/test-fx-hang.sh" <<'EOF'
. "$(dirname "$0")/fixture-lib.sh"
sleep 1000 &
note_pid $!
command ovsdb-client monitor "$OSMOTIC_NB_DB" Osmotic_Northbound \
    Logical_Switch > /dev/null
EOF

# A foreground command that ignores SIGTERM, a stopped daemon and a
# process of its own in a namespace, outside the test's session.
cat > "$fx/test-fx-stubborn.sh" <<'EOF'
. "$(dirname "$0")/fixture-lib.sh"
setsid ip netns exec "$(osm_ns ns)" sleep 1000 < /dev/null > /dev/null 2>&1 &
sleep 0.5
note_pid "$(ip netns pids "$(osm_ns ns)")"
kill -STOP "$(cat "$TESTDIR/osmotic-nb.pid")"
bash -c 'trap "" TERM; sleep 1000'
EOF

# A test that passes but forgets a daemon.
cat > "$fx/test-fx-leak.sh" <<'EOF'
. "$(dirname "$0")/fixture-lib.sh"
ip netns del "$(osm_ns ns)"
OSM_PIDFILES=()
exit 0
EOF

# A test that passes and cleans up.
cat > "$fx/test-fx-clean.sh" <<'EOF'
. "$(dirname "$0")/fixture-lib.sh"
exit 0
EOF

# Should this test itself be killed, its runner cleans up the fixtures'
# leftovers too.
for f in hang stubborn leak clean; do
    osm_record statedirs "$logs/test-fx-$f.state"
done

start=$(date +%s)
out=$(OSM_SYSTEM_TESTS=$fx OSM_TEST_TIMEOUT=4 OSM_TEST_GRACE=5 \
      OSM_TEST_LOGDIR=$logs "$OSM_SRCDIR/tests/system/run.sh" 2>&1)
rc=$?
echo "$out"
echo "(runner exit status $rc after $(( $(date +%s) - start ))s)"
[ $rc -ne 0 ] || fail "the runner succeeded"

# has LINE: the runner printed LINE.
has() {
    grep -qxF -- "$*" <<<"$out" || fail "the runner did not print [$*]"
}
grep -q "^PASS: test-fx-clean ([0-9]*s)$" <<<"$out" \
    || fail "the clean fixture did not pass"
has "TIMEOUT: test-fx-hang (timed out after 4s), last lines of" \
    "$logs/test-fx-hang.log:"
has "TIMEOUT: test-fx-stubborn (timed out after 4s, killed after 5s more)," \
    "last lines of $logs/test-fx-stubborn.log:"
has "FAIL: test-fx-leak (exit status 0, but it left behind:)"
grep -q "^ *process [0-9]* (ovsdb-server) of .*/osmotic-nb.pid$" \
    <<<"$(sed -n '/^FAIL: test-fx-leak/,/^[A-Z]/p' <<<"$out")" \
    || fail "the leak is not named"
has "1 passed, 1 failed, 2 timed out"
# The stubborn test's own clean-up never ran: the runner did it.
grep -q "^ *namespace o[0-9]*-ns$" \
    <<<"$(sed -n '/^TIMEOUT: test-fx-stubborn/,/^[A-Z]/p' <<<"$out")" \
    || fail "the runner did not delete the stubborn test's namespace"

# Nothing of theirs is left.
n=0
while read -r what name; do
    n=$((n + 1))
    if [ "$what" = netns ]; then
        [ ! -e "/run/netns/$name" ] || fail "namespace $name is left"
    elif osm_pid_alive "$what" \
         && [ "$(cat "/proc/$what/comm" 2>/dev/null)" = "$name" ]; then
        fail "process $what ($name) is left"
    fi
done < "$FX_INFO"
# Four fixtures with a database and a namespace each, the background job
# and the process in the namespace.
[ $n -eq 10 ] || fail "expected 10 things noted, got $n: $(cat "$FX_INFO")"

# The fixtures that failed kept their directories.
sed -n 's/^ *logs in \(\/tmp\/osm-test\.[A-Za-z0-9]*\)$/\1/p' <<<"$out" \
    | xargs -r rm -rf
echo PASS
