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

# sb_datapath KEY NAME: inserts switch datapath "dp".
sb_datapath() {
    echo "{\"op\": \"insert\", \"table\": \"Datapath_Binding\",
        \"uuid-name\": \"dp\",
        \"row\": {\"tunnel_key\": $1, \"type\": \"switch\", \"name\": \"$2\"}}"
}

# sb_lflow PIPELINE TABLE PRIORITY MATCH ACTIONS: inserts a logical flow
# of "dp".
sb_lflow() {
    echo "{\"op\": \"insert\", \"table\": \"Logical_Flow\", \"row\": {
        \"logical_datapath\": [\"named-uuid\", \"dp\"],
        \"pipeline\": \"$1\", \"table_id\": $2, \"stage\": \"s\",
        \"priority\": $3, \"match\": \"$4\", \"actions\": \"$5\"}}"
}

# sb_port NAME KEY: inserts an enabled port binding of "dp".
sb_port() {
    echo "{\"op\": \"insert\", \"table\": \"Port_Binding\",
        \"row\": {\"logical_port\": \"$1\", \"tunnel_key\": $2,
                  \"datapath\": [\"named-uuid\", \"dp\"],
                  \"enabled\": true}}"
}
