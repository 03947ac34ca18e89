#!/bin/bash
# osmotic-northd against a northbound database of schema 1.4.0, before
# Color.status: it compiles and acknowledges changes as before, reports a
# ramp-out rule's active gateway (Rampout_Rule.status is there) and writes
# no colour status; once the database is converted and its server
# restarted, color-list names the active gateway of a colour's own
# ramp-out on each router.
. "$(dirname "$0")/lib.sh"
osm_test_init

NEW_NB_SCHEMA=$NB_SCHEMA
NB_SCHEMA=$TESTDIR/nb-1.4.0.ovsschema
python3 - "$NEW_NB_SCHEMA" "$NB_SCHEMA" <<'PY' || fail "cannot write old schema"
import json, sys
schema = json.load(open(sys.argv[1]))
schema["version"] = "1.4.0"
del schema["tables"]["Color"]["columns"]["status"]
json.dump(schema, open(sys.argv[2], "w"), indent=1)
PY
osm_start_central
osm_add_underlay
osm_add_host gw1 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 10
check osmotic-nbctl rampout-add lr0 r1 10.10.2.0/24 gw1
check osmotic-nbctl color-add gold rampout=gw1
# A write to the missing column would fail northd's whole northbound
# transaction, and sb_cfg would never catch up.
check osmotic-nbctl --timeout=20 --wait=sb sync
check_output gw1 osmotic-sbctl --bare --columns=active_chassis find Rampout \
    name='"lr0/color:gold"'
r1_active_gw1() {
    [ "$(osmotic-nbctl rampout-list lr0)" = \
      "r1: priority=0 subnets=10.10.2.0/24 gateways=gw1:1 active=gw1" ]
}
wait_until r1_active_gw1
check_output "gold: rampout=gw1:1 active=none" osmotic-nbctl color-list
check osmotic-nbctl --timeout=20 --wait=sb lr-add lr1

# Converted (as osmotic-ctl upgrade_dbs does) and the server restarted
# (Open vSwitch 3.1's ovsdb-server goes on announcing the schema its
# clients connected with until then), northd fills the column in.
check ovsdb-client convert "$OSMOTIC_NB_DB" "$NEW_NB_SCHEMA"
osm_kill_pidfile "$TESTDIR/osmotic-nb.pid"
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-nb.pid" \
    --unixctl="$TESTDIR/osmotic-nb.ctl" --log-file="$TESTDIR/osmotic-nb.log" \
    --remote=punix:"$TESTDIR/osmotic-nb.sock" "$TESTDIR/osmotic-nb.db" \
    || fail "restart the NB ovsdb-server"
gold_active_gw1() {
    [ "$(osmotic-nbctl color-list)" = "gold: rampout=gw1:1 active=lr0:gw1" ]
}
wait_until gold_active_gw1
check osmotic-nbctl --timeout=20 --wait=sb lr-add lr2
echo PASS
