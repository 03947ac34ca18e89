#!/bin/bash
# osmotic-sandbox starts three hosts whose pods ping each other across
# hosts but not across logical switches, and whose bulk transfer is
# promoted to elephant and takes lane 1; "status" reports every daemon
# running; "stop" leaves no daemon and no namespace behind.
. "$(dirname "$0")/lib.sh"
osm_test_init

sandbox=$OSM_BUILDDIR/utilities/osmotic-sandbox
dir=$TESTDIR/sandbox
# Namespace prefix: at most 6 characters, unique to this run.
pfx=s$(printf '%05d' $(( $$ % 100000 )))

# Whatever the sandbox started is stopped too when this test ends early.
sandbox_cleanup() {
    local rc=$?
    if [ -f "$dir/pidfiles" ]; then
        "$sandbox" stop --dir="$dir" > /dev/null 2>&1
    fi
    if [ $rc -ne 0 ] && [ -f "$dir/start.log" ]; then
        echo "--- $dir/start.log (last lines)"
        tail -n 20 "$dir/start.log"
    fi
    (exit $rc)
    osm_cleanup
}
trap sandbox_cleanup EXIT
# And if this test is killed, its runner stops what the sandbox recorded.
osm_record statedirs "$dir"

# Bad options are refused before anything starts.
check_error "--hosts: 9 is out of range" "$sandbox" start --hosts=9 --dir="$dir"
check_error "--prefix" "$sandbox" start --prefix=far-too-long --dir="$dir"
[ ! -e "$dir" ] || fail "a refused start created $dir"

# Started under a pipe (both outputs), start returns: the daemons do not
# hold the pipe open.
out=$(timeout 120 "$sandbox" start --hosts=3 --dir="$dir" --prefix="$pfx" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "osmotic-sandbox start failed (rc $rc)"
case $out in
    *"fog1-a   -> edge1-b  10.244.0.32  ok"*) ;;
    *) fail "start did not report fog1-a reaching edge1-b" ;;
esac
case $out in
    *"fog1-a   -> edge1-b  tcp 5201   promoted to elephant"*) ;;
    *) fail "start did not report the transfer promoted to elephant" ;;
esac

# Traffic, checked again from here: across hosts on "demo" and on "other",
# none between the switches (same subnet, different switches).
check "$sandbox" exec --dir="$dir" fog1-a ping -q -c 1 -W 2 10.244.0.32
check "$sandbox" exec --dir="$dir" edge1-b ping -q -c 1 -W 2 10.244.0.11
check "$sandbox" exec --dir="$dir" cloud-x ping -q -c 1 -W 2 10.244.0.121
if "$sandbox" exec --dir="$dir" fog1-a ping -q -c 2 -i 0.3 -W 1 10.244.0.121; then
    fail "a pod of switch demo reached a pod of switch other"
fi

# The environment file points the tools at the sandbox's databases.
# shellcheck disable=SC1091
. "$dir/env"
check_output "unix:$dir/osmotic-nb.sock" printenv OSMOTIC_NB_DB
lswitches=$(osmotic-nbctl ls-list) || fail "osmotic-nbctl ls-list failed"
case $lswitches in
    *"(demo)"*"(other)"*|*"(other)"*"(demo)"*) ;;
    *) fail "expected switches demo and other, got [$lswitches]" ;;
esac

# The README's tour works in the sandbox as written: every command of
# its examples, in order, succeeds (osmotic-sandbox is this one).
osmotic-sandbox() {
    "$sandbox" "$1" --dir="$dir" "${@:2}"
}
python3 - "$OSM_SRCDIR/README" > "$TESTDIR/tour" <<'PY' \
    || fail "cannot read the README's tour"
import sys
text = open(sys.argv[1]).read()
tour = text[text.index("To follow along"):
            text.index("The generic database commands")]
command = ""
for line in tour.split("\n"):
    if not line.startswith("    "):
        continue
    command += line[4:]
    if command.endswith("\\"):
        command = command[:-1]
    else:
        print(command)
        command = ""
PY
[ "$(grep -c . "$TESTDIR/tour")" -gt 20 ] || fail "the README's tour is short"
while IFS= read -r command; do
    eval "$command" < /dev/null > "$TESTDIR/tour.out" 2>&1 \
        || fail "README tour: $command: $(cat "$TESTDIR/tour.out")"
done < "$TESTDIR/tour"
check_output "gold: dscp=46 lane=1" pipeline "osmotic-nbctl color-list | grep ^gold"
# What the tour says it shows: the ramp-out rule's counters at zero (no
# sandbox pod is in its subnet), the HA chassis group's chassis in SB in
# order of preference, and the port under its active gateway, fog1.
# (The colour's gateways that the tour adds later are a rule too.)
check_output "lr0/edge: sent packets=0 bytes=0, received packets=0 bytes=0" \
    pipeline "osmotic-sandbox host cloud ovs-appctl -T 10 \
    -t osmotic-controller rampout/stats | grep '^lr0/edge:'"
gateways_are() {
    [ "$(osmotic-sbctl get Port_Binding lr0-ext gateway_chassis)" = "$1" ]
}
wait_until gateways_are "{1=cloud, 2=fog1}"
wait_until pipeline "osmotic-sbctl show \
    | awk '/^Chassis /{c = \$2} /Port_Binding \"lr0-ext\" active gateway/{print c}' \
    | grep -qx '\"fog1\"'"
# The tour's colour with gateways of its own leaves by fog1, as it says.
bulk_active_on_fog1() {
    osmotic-sbctl show | awk '
        /^Chassis/ { in_ch = ($0 ~ /^Chassis "fog1"/) }
        in_ch && index($0, "Rampout \"lr0/color:bulk\" active") { found = 1 }
        END { exit !found }'
}
wait_until bulk_active_on_fog1

status=$("$sandbox" status --dir="$dir") || fail "status: not all running"
case $status in
    *"12 of 12 daemons running"*) ;;
    *) fail "unexpected status: $status" ;;
esac

# "host HOST ovs-appctl" reaches the host's ovs-vswitchd without -t, and
# its other daemons by name.
out=$("$sandbox" host --dir="$dir" fog1 ovs-appctl --timeout=10 version) \
    || fail "host fog1 ovs-appctl version failed: $out"
case $out in
    ovs-vswitchd*) ;;
    *) fail "host fog1 ovs-appctl version: $out" ;;
esac
out=$("$sandbox" host --dir="$dir" fog1 ovs-appctl -T 10 \
          -t osmotic-controller version) \
    || fail "host fog1 ovs-appctl -t osmotic-controller failed: $out"
case $out in
    osmotic-controller*) ;;
    *) fail "host fog1 ovs-appctl -t osmotic-controller version: $out" ;;
esac

pids=$(xargs cat < "$dir/pidfiles")
[ "$(echo "$pids" | wc -w)" -eq 12 ] || fail "expected 12 daemons: $pids"

check "$sandbox" stop --dir="$dir"
for pid in $pids; do
    ! osm_pid_alive "$pid" || fail "daemon $pid still runs after stop"
done
left=$(ip netns list | grep "^$pfx-")
[ -z "$left" ] || fail "namespaces left after stop: $left"
"$sandbox" status --dir="$dir" > /dev/null
[ $? -eq 3 ] || fail "status after stop should exit 3"
echo PASS
