#!/bin/bash
# osmotic-northd and a controller against a southbound database of the
# previous schema (1.3.0, before Service_Monitor): a load balancer with
# a health check compiles as without one (every backend in rotation) and
# no monitor is written; once the database is converted and its server
# restarted, northd writes the monitors, and the backends, whose ports
# no chassis binds, are offline.
. "$(dirname "$0")/lib.sh"
osm_test_init

NEW_SB_SCHEMA=$SB_SCHEMA
SB_SCHEMA=$TESTDIR/sb-1.3.0.ovsschema
python3 - "$NEW_SB_SCHEMA" "$SB_SCHEMA" <<'PY' || fail "cannot write old schema"
import json, sys
schema = json.load(open(sys.argv[1]))
schema["version"] = "1.3.0"
del schema["tables"]["Service_Monitor"]
del schema["tables"]["Address_Set"]
json.dump(schema, open(sys.argv[2], "w"), indent=1)
PY
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

osm_lsp_add sw0 p1 0a:00:00:00:00:02 10.0.0.2
osm_lsp_add sw0 p2 0a:00:00:00:00:03 10.0.0.3
check osmotic-nbctl lb-add lb0 172.16.0.100:80 10.0.0.2:80,10.0.0.3:80 \
    -- ls-lb-add sw0 lb0 \
    -- --id=@hc create Load_Balancer_Health_Check vip='"172.16.0.100:80"' \
    -- add Load_Balancer lb0 health_check @hc \
    -- set Load_Balancer lb0 ip_port_mappings:10.0.0.2=p1:10.0.0.250 \
       ip_port_mappings:10.0.0.3=p2:10.0.0.250
# A write to the missing table would fail northd's whole southbound
# transaction, and sb_cfg would never catch up.
check osmotic-nbctl --timeout=20 --wait=hv sync
vip_actions() {
    osmotic-sbctl --bare --columns=actions find Logical_Flow \
        'match="ct_state=+new+trk,tcp,nw_dst=172.16.0.100,tp_dst=80"'
}
check_output "ct_lb(10.0.0.2:80, 10.0.0.3:80);" vip_actions
check osmotic-nbctl --timeout=20 --wait=hv lb-add lb1 172.16.0.101:80 \
    10.0.0.2:80

# Converted, and its server restarted, the database gets the monitors.
check ovsdb-client convert "$OSMOTIC_SB_DB" "$NEW_SB_SCHEMA"
osm_kill_pidfile "$TESTDIR/osmotic-sb.pid"
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-sb.pid" \
    --unixctl="$TESTDIR/osmotic-sb.ctl" --log-file="$TESTDIR/osmotic-sb.log" \
    --remote=punix:"$TESTDIR/osmotic-sb.sock" "$TESTDIR/osmotic-sb.db" \
    || fail "restart the SB ovsdb-server"
n_monitors() {
    osmotic-sbctl --bare --columns=ip list Service_Monitor | grep -c .
}
two_monitors() {
    [ "$(n_monitors 2>/dev/null)" = 2 ]
}
wait_until two_monitors
check osmotic-nbctl --timeout=20 --wait=hv lb-add lb2 172.16.0.102:80 \
    10.0.0.2:80
check_output "offline offline" pipeline \
    "osmotic-sbctl --bare --columns=status list Service_Monitor | xargs"
check_output "" vip_actions
check pipeline "osmotic-sbctl --bare --columns=actions find Logical_Flow \
    'match=\"tcp,nw_dst=172.16.0.100,tp_dst=80\"' | grep -qx 'reject;'"
echo PASS
