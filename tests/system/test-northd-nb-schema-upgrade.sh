#!/bin/bash
# osmotic-northd against a northbound database of the previous schema
# (1.1.0, before Rampout_Rule.status): it compiles and acknowledges
# changes as before and writes no status there; once the database is
# converted and its server restarted, it reports each ramp-out rule's
# active gateway.
. "$(dirname "$0")/lib.sh"
osm_test_init

NEW_NB_SCHEMA=$NB_SCHEMA
NB_SCHEMA=$TESTDIR/nb-1.1.0.ovsschema
python3 - "$NEW_NB_SCHEMA" "$NB_SCHEMA" <<'PY' || fail "cannot write old schema"
import json, sys
schema = json.load(open(sys.argv[1]))
schema["version"] = "1.1.0"
del schema["tables"]["Rampout_Rule"]["columns"]["status"]
json.dump(schema, open(sys.argv[2], "w"), indent=1)
PY
osm_start_central
osm_add_underlay
osm_add_host gw1 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl rampout-add lr0 r1 10.10.2.0/24 gw1
# A write to the missing column would fail northd's whole northbound
# transaction, and sb_cfg would never catch up.
check osmotic-nbctl --timeout=20 --wait=sb sync
check_output gw1 osmotic-sbctl --bare --columns=active_chassis list Rampout
check_output "r1: priority=0 subnets=10.10.2.0/24 gateways=gw1:1 active=none" \
    osmotic-nbctl rampout-list lr0
check osmotic-nbctl --timeout=20 --wait=sb lr-add lr1

# Converted online (as osmotic-ctl upgrade_dbs does), the database has
# the column, but ovsdb-server goes on announcing the schema its clients
# connected with (Open vSwitch 3.1 does not update _Server's copy), so
# northd still writes nothing there and keeps working.
check ovsdb-client convert "$OSMOTIC_NB_DB" "$NEW_NB_SCHEMA"
check_output "$(ovsdb-tool schema-version "$NEW_NB_SCHEMA")" \
    ovsdb-client get-schema-version "$OSMOTIC_NB_DB" Osmotic_Northbound
check osmotic-nbctl --timeout=20 --wait=sb lr-add lr2

# Once the server restarts, northd reconnects and fills the column in.
osm_kill_pidfile "$TESTDIR/osmotic-nb.pid"
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-nb.pid" \
    --unixctl="$TESTDIR/osmotic-nb.ctl" --log-file="$TESTDIR/osmotic-nb.log" \
    --remote=punix:"$TESTDIR/osmotic-nb.sock" "$TESTDIR/osmotic-nb.db" \
    || fail "restart the NB ovsdb-server"
r1_active_gw1() {
    [ "$(osmotic-nbctl rampout-list lr0)" = \
      "r1: priority=0 subnets=10.10.2.0/24 gateways=gw1:1 active=gw1" ]
}
wait_until r1_active_gw1
check osmotic-nbctl --timeout=20 --wait=sb lr-add lr3
echo PASS
