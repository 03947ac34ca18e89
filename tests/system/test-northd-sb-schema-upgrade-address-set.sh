#!/bin/bash
# osmotic-northd and a controller against a southbound database of the
# previous schema (1.5.0, before Address_Set): an ACL over an address set
# compiles with the set's addresses in its logical flows, as before, and
# the host installs them; once the database is converted and its server
# restarted, northd writes the set's Address_Set row and flows that name
# the set, and the host installs the same OpenFlow matches from them.
. "$(dirname "$0")/lib.sh"
osm_test_init

NEW_SB_SCHEMA=$SB_SCHEMA
SB_SCHEMA=$TESTDIR/sb-1.5.0.ovsschema
python3 - "$NEW_SB_SCHEMA" "$SB_SCHEMA" <<'PY' || fail "cannot write old schema"
import json, sys
schema = json.load(open(sys.argv[1]))
schema["version"] = "1.5.0"
del schema["tables"]["Address_Set"]
json.dump(schema, open(sys.argv[2], "w"), indent=1)
PY
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

osm_lsp_add sw0 lp1 0a:00:00:00:5b:01 10.244.0.1
osm_add_pod hv1 p1 0a:00:00:00:5b:01 10.244.0.1/24 lp1
check osmotic-nbctl --timeout=20 \
    -- pg-add pg_web lp1 \
    -- as-add clients 10.244.0.8 10.244.0.9 \
    -- acl-add pg_web to-lport 1001 \
       'outport == @pg_web && ip4.src == $clients && tcp.dst == {80, 443}' \
       allow-related
check osmotic-nbctl --timeout=20 --wait=hv sync

# acl_matches: the matches of sw0's ls_out_acl flows.
acl_matches() {
    osmotic-sbctl --bare --columns=match find Logical_Flow stage=ls_out_acl
}
# host_has ADDRESS: hv1 has an OpenFlow flow that matches ADDRESS.
host_has() {
    osm_flows hv1 | grep -q "nw_src=$1[ ,]"
}
acl_matches | grep -q "nw_src=10.244.0.9" \
    || fail "old schema: the flows lack the set's addresses: $(acl_matches)"
acl_matches | grep -qF '$clients' \
    && fail "old schema: a flow names the set: $(acl_matches)"
host_has 10.244.0.9 || fail "old schema: hv1 lacks the set's flows"
check osmotic-nbctl --timeout=20 --wait=hv add Address_Set clients \
    addresses 10.244.0.7
host_has 10.244.0.7 || fail "old schema: hv1 lacks the added address"

# Converted, and its server restarted: the set is in Address_Set and the
# flows name it.
osm_kill_pidfile "$TESTDIR/osmotic-sb.pid"
check ovsdb-tool convert "$TESTDIR/osmotic-sb.db" "$NEW_SB_SCHEMA"
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-sb.pid" \
    --unixctl="$TESTDIR/osmotic-sb.ctl" --log-file="$TESTDIR/osmotic-sb.log" \
    --remote=punix:"$TESTDIR/osmotic-sb.sock" "$TESTDIR/osmotic-sb.db" \
    || fail "restart the SB ovsdb-server"
names_set() {
    acl_matches 2>/dev/null | grep -qF '[nw_src=$clients]'
}
wait_until names_set
check_output "10.244.0.7 10.244.0.8 10.244.0.9" osmotic-sbctl --bare \
    --columns=addresses find Address_Set name=clients
check osmotic-nbctl --timeout=20 --wait=hv sync
host_has 10.244.0.9 || fail "new schema: hv1 lacks the set's flows"
check osmotic-nbctl --timeout=20 --wait=hv remove Address_Set clients \
    addresses 10.244.0.9
host_has 10.244.0.9 && fail "new schema: hv1 kept the removed address"
host_has 10.244.0.8 || fail "new schema: hv1 lost the set's other address"
echo PASS
