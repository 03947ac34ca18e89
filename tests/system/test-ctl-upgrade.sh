#!/bin/bash
# osmotic-ctl upgrades a database made with an older schema: start_central
# converts it (keeping a backup and the data) and serves the new schema;
# a file that holds the wrong database is refused and left untouched.
# upgrade_dbs creates missing databases and converts a running server's
# online.
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

# An older NB schema: version 0.9.0, without Logical_Switch.other_config
# nor Rampout_Rule.status (new in 1.2.0).
OLD=$TESTDIR/old-nb.ovsschema
python3 - "$NB_SCHEMA" "$OLD" <<'EOF' || fail "cannot write old schema"
import json, sys
schema = json.load(open(sys.argv[1]))
schema["version"] = "0.9.0"
del schema["tables"]["Logical_Switch"]["columns"]["other_config"]
del schema["tables"]["Rampout_Rule"]["columns"]["status"]
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
# So is Rampout_Rule.status, which osmotic-northd writes.
check_output '[{"rows":[]}]' ovsdb-client query "$NB" '["Osmotic_Northbound",
    {"op": "select", "table": "Rampout_Rule", "where": [],
     "columns": ["status"]}]'

# The next start finds nothing to convert.
check ctl stop_central > /dev/null
out=$(ctl start_central) || fail "second start_central failed: $out"
case $out in
    *Upgrading*) fail "second start_central converted again: [$out]" ;;
esac
check ctl stop_central > /dev/null

# upgrade_dbs (what the packages run on installation and upgrade) creates
# missing databases and starts nothing.
DB2=$TESTDIR/db2
check ctl --db-dir="$DB2" upgrade_dbs > /dev/null
check_output Osmotic_Northbound ovsdb-tool db-name "$DB2/osmotic-nb.db"
check_output Osmotic_Southbound ovsdb-tool db-name "$DB2/osmotic-sb.db"
[ ! -e "$RUN/ovsdb-server-nb.pid" ] || fail "upgrade_dbs started a server"

# A server that runs on the old schema is converted online, with a backup
# taken through it, and keeps running with the data.
OLDDIR=$TESTDIR/old-schemas
mkdir -p "$OLDDIR"
cp "$OLD" "$OLDDIR/osmotic-nb.ovsschema"
cp "$SB_SCHEMA" "$OLDDIR/osmotic-sb.ovsschema"
rm -f "$DB2/osmotic-nb.db"
check ovsdb-tool create "$DB2/osmotic-nb.db" "$OLD"
check ctl --db-dir="$DB2" --schema-dir="$OLDDIR" start_central > /dev/null
pid=$(cat "$RUN/ovsdb-server-nb.pid")
check ovsdb-client transact "$NB" '["Osmotic_Northbound",
    {"op": "insert", "table": "Logical_Switch", "row": {"name": "sw-live"}}]' \
    > /dev/null
check_output 0.9.0 ovsdb-client get-schema-version "$NB" Osmotic_Northbound
cksum=$(ovsdb-client get-schema-cksum "$NB" Osmotic_Northbound | cut -d' ' -f1)
out=$(ctl --db-dir="$DB2" upgrade_dbs) || fail "upgrade_dbs failed: $out"
echo "$out"
case $out in
    *"Upgrading Osmotic_Northbound on unix:$RUN/osmotic-nb.sock from schema 0.9.0 to $(ovsdb-tool schema-version "$NB_SCHEMA")"*) ;;
    *) fail "upgrade_dbs did not report the online upgrade" ;;
esac
check_output "$(ovsdb-tool schema-version "$NB_SCHEMA")" \
    ovsdb-client get-schema-version "$NB" Osmotic_Northbound
[ "$(cat "$RUN/ovsdb-server-nb.pid")" = "$pid" ] || fail "NB server restarted"
backup=$DB2/osmotic-nb.db.backup0.9.0${cksum:+-$cksum}
check_output 0.9.0 ovsdb-tool db-version "$backup"
check_output '[{"rows":[{"name":"sw-live"}]}]' \
    ovsdb-tool query "$backup" '["Osmotic_Northbound",
        {"op": "select", "table": "Logical_Switch",
         "where": [["name", "==", "sw-live"]], "columns": ["name"]}]'
check_output '[{"rows":[{"name":"sw-live"}]}]' \
    ovsdb-client query "$NB" '["Osmotic_Northbound",
        {"op": "select", "table": "Logical_Switch",
         "where": [["name", "==", "sw-live"]], "columns": ["name"]}]'
# Once more: nothing left to convert.
out=$(ctl --db-dir="$DB2" upgrade_dbs) || fail "second upgrade_dbs: $out"
case $out in
    *Upgrading*) fail "second upgrade_dbs converted again: [$out]" ;;
esac
check ctl --db-dir="$DB2" stop_central > /dev/null
echo "ok"
