#!/bin/bash
# osmotic-northd and osmotic-controller against a southbound database of
# the previous schema (1.2.0, before Port_Binding.nat_addresses and Service_Monitor): northd
# compiles and the controllers catch up as before, with no NAT addresses
# written; once the database is converted and its server restarted,
# northd fills the gateway port's NAT addresses in.
. "$(dirname "$0")/lib.sh"
osm_test_init

NEW_SB_SCHEMA=$SB_SCHEMA
SB_SCHEMA=$TESTDIR/sb-1.2.0.ovsschema
python3 - "$NEW_SB_SCHEMA" "$SB_SCHEMA" <<'PY' || fail "cannot write old schema"
import json, sys
schema = json.load(open(sys.argv[1]))
schema["version"] = "1.2.0"
del schema["tables"]["Port_Binding"]["columns"]["nat_addresses"]
del schema["tables"]["Service_Monitor"]
del schema["tables"]["Address_Set"]
json.dump(schema, open(sys.argv[2], "w"), indent=1)
PY
osm_start_central
osm_add_underlay
osm_add_host gw1 172.31.0.2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw1 20
check osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.30.0.110 10.10.1.10
# A write to the missing column would fail northd's whole southbound
# transaction: no Port_Binding, and the chassis would never catch up.
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output lr0-ext osmotic-sbctl --bare --columns=logical_port find \
    Port_Binding logical_port=lr0-ext
check osmotic-nbctl --timeout=20 --wait=hv lr-nat-add lr0 snat \
    172.30.0.120 10.10.2.0/24

# Converted, and its server restarted, the database has the column and
# northd fills it in.
osm_kill_pidfile "$TESTDIR/osmotic-sb.pid"
check ovsdb-tool convert "$TESTDIR/osmotic-sb.db" "$NEW_SB_SCHEMA"
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-sb.pid" \
    --unixctl="$TESTDIR/osmotic-sb.ctl" --log-file="$TESTDIR/osmotic-sb.log" \
    --remote=punix:"$TESTDIR/osmotic-sb.sock" "$TESTDIR/osmotic-sb.db" \
    || fail "restart the SB ovsdb-server"
nat_addresses() {
    [ "$(osmotic-sbctl --bare --columns=nat_addresses find Port_Binding \
           logical_port=lr0-ext 2>/dev/null)" = \
      "0a:00:00:00:ee:01 172.30.0.110 172.30.0.120" ]
}
wait_until nat_addresses
check osmotic-nbctl --timeout=20 --wait=hv lr-add lr1
echo PASS
