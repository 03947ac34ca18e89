# Helpers for the osmotic-northd system tests; source after lib.sh.

# osm_start_northd NAME [OPTION...]: starts osmotic-northd on the test's
# NB and SB databases, with pid file, control socket and log file
# $TESTDIR/NAME.{pid,ctl,log}.
osm_start_northd() {
    local name=$1
    shift
    osmotic-northd --detach --no-chdir --pidfile="$TESTDIR/$name.pid" \
        --unixctl="$TESTDIR/$name.ctl" --log-file="$TESTDIR/$name.log" \
        --nb-db="$OSMOTIC_NB_DB" --sb-db="$OSMOTIC_SB_DB" "$@" \
        || fail "start $name"
    osm_track_pidfile "$TESTDIR/$name.pid"
}

# northd_test_start [NBCTL-TIMEOUT]: starts the test's NB and SB
# databases and one osmotic-northd named "northd"; nbctl then waits up to
# NBCTL-TIMEOUT seconds (default 10) for each change to reach SB.
northd_test_start() {
    osm_test_init
    osm_start_nb
    osm_start_sb
    osm_start_northd northd
    NORTHD_NBCTL_TIMEOUT=${1:-10}
}

# nbctl ARG...: runs osmotic-nbctl and waits until northd has brought SB
# up to date with the change.
nbctl() {
    osmotic-nbctl --wait=sb --timeout="${NORTHD_NBCTL_TIMEOUT:-10}" "$@"
}

# output_is EXPECTED CMD...: succeeds if CMD prints exactly EXPECTED (for
# wait_until, which must run the command anew on every try).
output_is() {
    local expected=$1
    shift
    [ "$("$@" 2>/dev/null)" = "$expected" ]
}

# northd_ctl NAME COMMAND...: runs a unixctl command of northd NAME.
northd_ctl() {
    local name=$1
    shift
    ovs-appctl -t "$TESTDIR/$name.ctl" "$@"
}

# northd_count NAME FIELD: prints the value of FIELD ("logical flows",
# "sb transactions", ...) from northd NAME's "northd/counts".
northd_count() {
    northd_ctl "$1" northd/counts | sed -n "s/^$2: //p"
}

# northd_state NAME: prints the state (active, standby, paused or
# disconnected) from northd NAME's "northd/status".
northd_state() {
    northd_ctl "$1" northd/status | sed -n "s/^state: //p"
}

# sb_select TABLE COLUMNS [CONDITIONS-JSON]: prints the matching SB rows,
# one per line, the columns (a JSON list) separated by spaces.  Sets
# print as sorted comma-separated lists, UUIDs bare, booleans as
# true/false.  Lines are sorted.
sb_select() {
    local table=$1 columns=$2 where=${3:-[]}
    ovsdb-client transact "$OSMOTIC_SB_DB" \
        "[\"Osmotic_Southbound\",{\"op\":\"select\",\"table\":\"$table\",
          \"where\":$where,\"columns\":$columns}]" \
    | python3 -c '
import json, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
columns = json.loads(sys.argv[1])
def show(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        if v[0] == "set":
            return ",".join(sorted(show(x) for x in v[1]))
        if v[0] in ("uuid", "named-uuid"):
            return v[1]
        if v[0] == "map":
            return ",".join(sorted("%s=%s" % (show(k), show(x))
                                   for k, x in v[1]))
    return str(v)
result = json.load(sys.stdin)[0]
if "error" in result:
    sys.exit("select failed: %s" % result)
lines = [" ".join(show(r[c]) for c in columns) for r in result["rows"]]
print("\n".join(sorted(lines)))
' "$columns"
}

# sb_lflows [DATAPATH-NAME]: prints the logical flows (of one datapath,
# its own and those of the datapath groups it is in) as "STAGE PRIORITY
# MATCH actions=ACTIONS", sorted.  Fails, saying so, if there is no
# datapath of that name (use sb_dp_rows to check that a deleted
# datapath left no rows).
sb_lflows() {
    local dp=""
    if [ $# -gt 0 ]; then
        dp=$(sb_select Datapath_Binding '["_uuid"]' \
                 "[[\"name\",\"==\",\"$1\"]]") || return 1
        if [ -z "$dp" ]; then
            echo "sb_lflows: no datapath named $1" >&2
            return 1
        fi
    fi
    ovsdb-client transact "$OSMOTIC_SB_DB" \
        "[\"Osmotic_Southbound\",
          {\"op\":\"select\",\"table\":\"Logical_Flow\",\"where\":[],
           \"columns\":[\"stage\",\"priority\",\"match\",\"actions\",
                        \"logical_datapath\",\"logical_dp_group\"]},
          {\"op\":\"select\",\"table\":\"Logical_DP_Group\",\"where\":[],
           \"columns\":[\"_uuid\",\"datapaths\"]}]" \
    | python3 -c '
import json, signal, sys
# Die by SIGPIPE, as a C filter would, when the reader has seen enough.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
dp = sys.argv[1]
flows, groups = json.load(sys.stdin)
def uuids(v):
    if v[0] == "set":
        return [x[1] for x in v[1]]
    return [v[1]]
members = {g["_uuid"][1]: uuids(g["datapaths"]) for g in groups["rows"]}
lines = []
for r in flows["rows"]:
    dps = uuids(r["logical_datapath"])
    for g in uuids(r["logical_dp_group"]):
        dps += members.get(g, [])
    if not dp or dp in dps:
        lines.append("%s %d %s actions=%s" % (r["stage"], r["priority"],
                                              r["match"], r["actions"]))
print("\n".join(sorted(lines)))
' "$dp"
}

# sb_dp_uuid NAME: prints the UUID of Datapath_Binding NAME; fails the
# test if there is none.
sb_dp_uuid() {
    local dp
    dp=$(sb_select Datapath_Binding '["_uuid"]' \
             "[[\"name\",\"==\",\"$1\"]]") || fail "sb_select failed"
    [ -n "$dp" ] || fail "no datapath named $1"
    echo "$dp"
}

# sb_dp_rows UUID: prints how many rows of SB refer to datapath UUID
# (Logical_Flow, Port_Binding, Multicast_Group) and whether the
# Datapath_Binding itself is there, as "flows ports groups datapaths".
# Take the UUID while the datapath exists: after its deletion, its name
# leads nowhere.
sb_dp_rows() {
    local ref="[\"uuid\",\"$1\"]" lf pb mg dp
    lf=$(sb_select Logical_Flow '["_uuid"]' \
             "[[\"logical_datapath\",\"==\",$ref]]") || return 1
    pb=$(sb_select Port_Binding '["_uuid"]' "[[\"datapath\",\"==\",$ref]]") \
        || return 1
    mg=$(sb_select Multicast_Group '["_uuid"]' \
             "[[\"datapath\",\"==\",$ref]]") || return 1
    dp=$(sb_select Datapath_Binding '["_uuid"]' "[[\"_uuid\",\"==\",$ref]]") \
        || return 1
    echo "$(grep -c . <<<"$lf") $(grep -c . <<<"$pb") $(grep -c . <<<"$mg")" \
         "$(grep -c . <<<"$dp")"
}

# check_lflows [DATAPATH] < LINES: every line of stdin must be a line
# that sb_lflows prints.  check_no_lflows: none of them may be.
check_lflows() {
    local have line
    have=$(sb_lflows ${1:+"$1"}) || fail "sb_lflows failed"
    while IFS= read -r line; do
        echo "$have" | grep -Fxq -- "$line" \
            || fail "missing logical flow: $line
$have"
    done
}
check_no_lflows() {
    local have line
    have=$(sb_lflows ${1:+"$1"}) || fail "sb_lflows failed"
    while IFS= read -r line; do
        ! echo "$have" | grep -Fxq -- "$line" \
            || fail "unexpected logical flow: $line"
    done
}

# sb_port_key PORT: prints the tunnel key of Port_Binding PORT.
sb_port_key() {
    sb_select Port_Binding '["tunnel_key"]' "[[\"logical_port\",\"==\",\"$1\"]]"
}

# sb_dp_key SWITCH: prints the tunnel key of Datapath_Binding SWITCH.
sb_dp_key() {
    sb_select Datapath_Binding '["tunnel_key"]' "[[\"name\",\"==\",\"$1\"]]"
}

# sb_dump: prints the southbound tables northd writes, except SB_Global
# (whose nb_cfg every "--wait" bumps).
sb_dump() {
    local t
    for t in Datapath_Binding Port_Binding Multicast_Group Logical_DP_Group \
             Logical_Flow; do
        ovsdb-client dump "$OSMOTIC_SB_DB" Osmotic_Southbound "$t" || return 1
    done
}
