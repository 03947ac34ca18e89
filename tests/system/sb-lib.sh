# Helpers for system tests that write southbound rows by hand, without
# northd; source after lib.sh.  A test builds one transaction from the
# row helpers, with the datapath named "dp":
#
#     sb "$(sb_datapath 7 sw), $(sb_port lp1 1),
#         $(sb_lflow ingress 12 50 dl_dst=0a:00:00:00:0a:01 'outport = 1; output;')"

# sb OPERATIONS: runs one transaction of JSON OPERATIONS on the test's SB
# database, bounded by 10 s, and prints the reply.
sb() {
    timeout 10 ovsdb-client transact "$OSMOTIC_SB_DB" \
        "[\"Osmotic_Southbound\", $1]" || fail "transact: $1"
}

# sb_datapath KEY NAME [ID]: inserts switch datapath ID (default "dp").
sb_datapath() {
    echo "{\"op\": \"insert\", \"table\": \"Datapath_Binding\",
        \"uuid-name\": \"${3:-dp}\",
        \"row\": {\"tunnel_key\": $1, \"type\": \"switch\", \"name\": \"$2\"}}"
}

# sb_lflow PIPELINE TABLE PRIORITY MATCH ACTIONS [DP]: inserts a logical
# flow of datapath DP (default "dp").
sb_lflow() {
    echo "{\"op\": \"insert\", \"table\": \"Logical_Flow\", \"row\": {
        \"logical_datapath\": [\"named-uuid\", \"${6:-dp}\"],
        \"pipeline\": \"$1\", \"table_id\": $2, \"stage\": \"s\",
        \"priority\": $3, \"match\": \"$4\", \"actions\": \"$5\"}}"
}

# sb_port NAME KEY [DP]: inserts an enabled port binding of datapath DP
# (default "dp").
sb_port() {
    echo "{\"op\": \"insert\", \"table\": \"Port_Binding\",
        \"row\": {\"logical_port\": \"$1\", \"tunnel_key\": $2,
                  \"datapath\": [\"named-uuid\", \"${3:-dp}\"],
                  \"enabled\": true}}"
}

# sb_dp_group ID DP...: inserts datapath group ID with datapaths DP...
sb_dp_group() {
    local id=$1 dps="" dp
    shift
    for dp in "$@"; do
        dps="$dps${dps:+, }[\"named-uuid\", \"$dp\"]"
    done
    echo "{\"op\": \"insert\", \"table\": \"Logical_DP_Group\",
        \"uuid-name\": \"$id\",
        \"row\": {\"datapaths\": [\"set\", [$dps]]}}"
}

# sb_group_lflow GROUP PIPELINE TABLE PRIORITY MATCH ACTIONS: inserts a
# logical flow of datapath group GROUP.
sb_group_lflow() {
    echo "{\"op\": \"insert\", \"table\": \"Logical_Flow\", \"row\": {
        \"logical_dp_group\": [\"named-uuid\", \"$1\"],
        \"pipeline\": \"$2\", \"table_id\": $3, \"stage\": \"s\",
        \"priority\": $4, \"match\": \"$5\", \"actions\": \"$6\"}}"
}
