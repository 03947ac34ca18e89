#!/bin/bash
# osmotic-ctl upgrades a database made with an older schema: start_central
# converts it (keeping a backup and the data) and serves the new schema;
# a file that holds the wrong database is refused and left untouched.
. "$(dirname "$0")/lib.sh"
osm_test_init

RUN=$TESTDIR/run
DB=$TESTDIR/db
ctl() {
    osmotic-ctl --run-dir="$RUN" --db-dir="$DB" --log-dir="$TESTDIR/log" \
        --schema-dir="$OSM_SRCDIR/lib" --no-northd "$@"
}
for d in ovsdb-server-nb ovsdb-server-sb; do
    osm_track_pidfile "$RUN/$d.pid"
done
NB=unix:$RUN/osmotic-nb.sock
mkdir -p "$DB"

# An older NB schema: version 0.9.0, without Logical_Switch.other_config.
OLD=$TESTDIR/old-nb.ovsschema
python3 - "$NB_SCHEMA" "$OLD" <<'EOF' || fail "cannot write old schema"
import json, sys
schema = json.load(open(sys.argv[1]))
schema["version"] = "0.9.0"
del schema["tables"]["Logical_Switch"]["columns"]["other_config"]
json.dump(schema, open(sys.argv[2], "w"), indent=1)
EOF
check ovsdb-tool create "$DB/osmotic-nb.db" "$OLD"
check ovsdb-tool transact "$DB/osmotic-nb.db" '["Osmotic_Northbound",
    {"op": "insert", "table": "Logical_Switch",
     "row": {"name": "sw-old", "external_ids": ["map", [["k", "v"]]]}}]' \
    > /dev/null
cksum=$(ovsdb-tool db-cksum "$DB/osmotic-nb.db" | cut -d' ' -f1)

# A database file that holds the wrong database is refused, unchanged.
check ovsdb-tool create "$TESTDIR/wrong.db" "$SB_SCHEMA"
before=$(md5sum < "$TESTDIR/wrong.db")
check_error "wrong.db: holds database Osmotic_Southbound, expected Osmotic_Northbound" \
    ctl --db-nb-file="$TESTDIR/wrong.db" start_central
[ "$(md5sum < "$TESTDIR/wrong.db")" = "$before" ] || fail "wrong.db changed"
[ ! -e "$RUN/ovsdb-server-nb.pid" ] || fail "NB server started on wrong.db"

# start_central converts the old database and keeps a backup of it.
out=$(ctl start_central) || fail "start_central failed: $out"
echo "$out"
case $out in
    *"Upgrading $DB/osmotic-nb.db from schema 0.9.0 to $(ovsdb-tool schema-version "$NB_SCHEMA")"*) ;;
    *) fail "start_central did not report the upgrade" ;;
esac
[ -f "$DB/osmotic-nb.db.backup0.9.0${cksum:+-$cksum}" ] || fail "no backup of the old db"
check_output 0.9.0 ovsdb-tool db-version "$DB/osmotic-nb.db.backup0.9.0${cksum:+-$cksum}"
check_output "$(ovsdb-tool schema-version "$NB_SCHEMA")" \
    ovsdb-client get-schema-version "$NB" Osmotic_Northbound

# The row is kept, and the new column is there to be written.
check ovsdb-client transact "$NB" '["Osmotic_Northbound",
    {"op": "update", "table": "Logical_Switch",
     "where": [["name", "==", "sw-old"]],
     "row": {"other_config": ["map", [["a", "b"]]]}}]' > /dev/null
check_output '[{"rows":[{"external_ids":["map",[["k","v"]]],"name":"sw-old","other_config":["map",[["a","b"]]]}]}]' \
    ovsdb-client query "$NB" '["Osmotic_Northbound",
        {"op": "select", "table": "Logical_Switch", "where": [],
         "columns": ["name", "external_ids", "other_config"]}]'

# The next start finds nothing to convert.
check ctl stop_central > /dev/null
out=$(ctl start_central) || fail "second start_central failed: $out"
case $out in
    *Upgrading*) fail "second start_central converted again: [$out]" ;;
esac
check ctl stop_central > /dev/null
echo "ok"
