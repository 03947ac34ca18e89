#!/bin/sh
# The runner of OVN's ovn-nbctl and expression parser tests
# (tests/compat/ovn-compat.py) reads Autotest files and judges checks as
# Autotest would: run it on two small files whose every verdict is known
# (tests/compat/selftest) and compare the counts it reports.
top=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON3=${PYTHON3:-python3}
builddir=${OSM_BUILDDIR:-$(pwd)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ovn-compat-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

for tool in ovsdb-tool ovsdb-server; do
    if ! command -v $tool > /dev/null; then
        echo "skipped: $tool not found"
        exit 77
    fi
done

"$PYTHON3" "$top/tests/compat/ovn-compat.py" --builddir="$builddir" \
    --srcdir="$top" --ovn-tests="$top/tests/compat/selftest" \
    --json="$tmp/results.json" --workdir="$tmp/work" > "$tmp/report.txt"
status=$?
cat "$tmp/report.txt"
[ $status -eq 0 ] || { echo "FAILED: runner exited with $status"; exit 1; }

"$PYTHON3" - "$tmp/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
problems = []
def expect(what, got, want):
    if got != want:
        problems.append("%s: got %r, want %r" % (what, got, want))
n = r["nbctl"]
groups = {g["title"]: g for g in n["groups"]}
expect("groups", sorted(groups), ["checks that fail", "checks that pass",
                                  "ovn-nbctl - daemon only"])
g = groups["checks that pass"]
expect("passing group, exit status", g["status"], [12, 12])
expect("passing group, output", g["output"], [12, 12])
if g["filtered"] < 1:
    problems.append("the notice of unapplied configuration was not "
                    "filtered")
g = groups["checks that fail"]
expect("failing group, exit status", g["status"], [2, 3])
expect("failing group, output", g["output"], [2, 4])
expect("daemon group", "skipped" in groups["ovn-nbctl - daemon only"], True)
expect("misses", sorted(m["line"] for m in n["misses"]), [46, 47])
e = r["expr"]
expect("expression cases", e["totals"], {"agree": 7, "cases": 8})
expect("disagreement", [c["input"] for c in e["cases"] if not c["agree"]],
       ["ip4"])
for p in problems:
    print("FAILED: " + p)
sys.exit(1 if problems else 0)
PY
