#!/bin/sh
# The schema manuals osmotic-nb(5) and osmotic-sb(5) document every table
# and column of the schemas, and the checker notices when they do not: a
# column added to a schema, an entry removed from or left empty in a
# manual, and a table the schema no longer has.
top=$(cd "$(dirname "$0")/../.." && pwd)
checker=$top/tests/unit/check-schema-docs.py
PYTHON3=${PYTHON3:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/schema-docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "FAILED: $*" >&2
    exit 1
}

# expect_problem NEEDLE SCHEMA MANPAGE: the checker must fail on the pair
# and print NEEDLE.
expect_problem() {
    needle=$1
    out=$("$PYTHON3" "$checker" "$2" "$3")
    [ $? -eq 1 ] || fail "checker accepted $2 / $3 (wanted: $needle)"
    case $out in
        *"$needle"*) echo "ok: $needle" ;;
        *) fail "checker said [$out], wanted [$needle]" ;;
    esac
}

# The real manuals.
"$PYTHON3" "$checker" || fail "the schema manuals are out of date"

nb_schema=$top/lib/osmotic-nb.ovsschema
nb_man=$top/lib/osmotic-nb.5

# A new column in the schema.
"$PYTHON3" - "$nb_schema" "$tmp/new-col.ovsschema" <<'EOF' || exit 1
import json, sys
schema = json.load(open(sys.argv[1]))
schema["tables"]["Color"]["columns"]["weight"] = {"type": "integer"}
json.dump(schema, open(sys.argv[2], "w"))
EOF
expect_problem "column Color:weight is not documented" \
    "$tmp/new-col.ovsschema" "$nb_man"

# A table gone from the schema is still documented.
"$PYTHON3" - "$nb_schema" "$tmp/no-meter.ovsschema" <<'EOF' || exit 1
import json, sys
schema = json.load(open(sys.argv[1]))
del schema["tables"]["Meter"]
json.dump(schema, open(sys.argv[2], "w"))
EOF
expect_problem "documents table Meter, which is not in" \
    "$tmp/no-meter.ovsschema" "$nb_man"

# An entry removed from the manual.
sed '/^\\fBpromote_rate\\fR/,/^\.TP/{/^\.TP/!d}' "$nb_man" > "$tmp/no-entry.5"
expect_problem "column Flow_Class:promote_rate is not documented" \
    "$nb_schema" "$tmp/no-entry.5"

# An entry without a description.
sed '/^\\fBsnat_ip\\fR/,/^\.TP/{/^\\fBsnat_ip/b;/^\.TP/b;d}' "$nb_man" \
    > "$tmp/empty-entry.5"
expect_problem "column Rampout_Rule:snat_ip has no description" \
    "$nb_schema" "$tmp/empty-entry.5"

echo "schema manuals: all checks passed"
