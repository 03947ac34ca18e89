#!/bin/sh
# The system tests and benchmarks pass the checker
# (tests/unit/check-system-tests.py), and the checker notices each
# mistake it looks for: a wait_until whose test is expanded once, a
# wait_until piped into grep, a client run through "sh -c" or "ip netns
# exec" without a bound, an ovn-nbctl without --timeout.
top=$(cd "$(dirname "$0")/../.." && pwd)
checker=$top/tests/unit/check-system-tests.py
PYTHON3=${PYTHON3:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/system-lint.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "FAILED: $*" >&2
    exit 1
}

# expect_problem NEEDLE LINE...: the checker must fail on a test made of
# the LINEs and print NEEDLE.
expect_problem() {
    needle=$1
    shift
    printf '%s\n' "$@" > "$tmp/test-x.sh"
    out=$("$PYTHON3" "$checker" "$tmp/test-x.sh")
    [ $? -eq 1 ] || fail "checker accepted [$*] (wanted: $needle)"
    case $out in
        *"$needle"*) echo "ok: $needle" ;;
        *) fail "checker said [$out], wanted [$needle]" ;;
    esac
}

# expect_clean LINE...: the checker accepts a test made of the LINEs.
expect_clean() {
    printf '%s\n' "$@" > "$tmp/test-x.sh"
    out=$("$PYTHON3" "$checker" "$tmp/test-x.sh") \
        || fail "checker refused [$*]: $out"
}

"$PYTHON3" "$checker" || fail "the system tests have the problems above"

expect_problem 'expanded once' \
    'wait_until [ "$(status_field hv1 ports)" = 2 ]'
expect_problem 'expanded once' \
    'wait_until test "$(grep -c x \' '    "$log")" -gt "$before"'
expect_problem "piped into another command" \
    'wait_until osm_pod_exec p1 ip addr show | grep -q fe80::1'
expect_problem 'ovs-appctl run through "sh -c" without --timeout' \
    'wait_until sh -c "ovs-appctl -t $ctl northd/status | grep -q x"'
expect_problem 'ovs-vsctl run through "ip netns exec"' \
    'ip netns exec ns ovs-vsctl --db=unix:x get bridge br-int name'
expect_problem 'ovs-ofctl run through "osm_host_exec hv1"' \
    'osm_host_exec hv1 ovs-ofctl dump-flows br-int'
expect_problem 'ovn-nbctl without --timeout' \
    'ovn-nbctl --db=unix:x ls-add sw0'

expect_clean 'wait_until field_is hv1 ports 2' \
    'wait_until output_is "$(sum 1 2)" monitored hv1' \
    'wait_until pipeline "ovs-appctl -t x status | grep -q y"' \
    'wait_until grep -q "a|b" "$log"' \
    'wait_until sh -c "[ \$(cat x) -gt 0 ]"' \
    'osm_host_exec hv1 ovs-appctl --timeout=5 -t x exit' \
    'ip netns exec ns timeout 5 ovsdb-client dump' \
    'ovn-nbctl --timeout=30 --db=unix:x ls-add sw0'
echo "system test checker: all checks passed"
