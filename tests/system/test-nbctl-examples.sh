#!/bin/bash
# The EXAMPLES of osmotic-nbctl(8) work as written, in order, from an
# empty database with osmotic-northd running, and leave what they say.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_central

# The example lines of the manual, roff escapes undone, continuation
# lines joined.
python3 - "$OSM_SRCDIR/utilities/osmotic-nbctl.8" > "$TESTDIR/examples" <<'PY' \
    || fail "cannot read the manual's EXAMPLES"
import sys
text = open(sys.argv[1]).read()
section = text[text.index(".SH EXAMPLES"):text.index('.SH "SEE ALSO"')]
body = section[section.index(".nf\n") + 4:section.index(".fi\n")]
command = ""
for line in body.split("\n"):
    line = line.replace("\\-", "-").replace("\\e", "\\")
    if not line:
        continue
    command += line.strip() if command else line
    if command.endswith("\\"):
        command = command[:-1] + " "
    else:
        print(command)
        command = ""
PY
[ "$(grep -c '^osmotic-nbctl ' "$TESTDIR/examples")" -ge 10 ] \
    || fail "the EXAMPLES are short: $(cat "$TESTDIR/examples")"
while IFS= read -r command; do
    echo "+ $command"
    eval "$command" < /dev/null > "$TESTDIR/out" 2>&1 \
        || fail "EXAMPLES: $command: $(cat "$TESTDIR/out")"
    cat "$TESTDIR/out"
done < "$TESTDIR/examples"

check_output "bulk: priority=100 match=(tcp.dst == 21) color=mouse promote-to=elephant promote-bytes=10000000" \
    pipeline "osmotic-nbctl class-list | grep ^bulk"
check_output "elephant: dscp=10 lane=1 rate=100000" \
    pipeline "osmotic-nbctl color-list | grep ^elephant"
check_output "edge: priority=0 subnets=10.244.1.0/24 gateways=gw1:2,gw2:1 snat-ip=172.16.0.10 color=elephant active=none" \
    osmotic-nbctl rampout-list lr0
check_output 2 pipeline "osmotic-nbctl acl-list web | grep -c ."
echo PASS
