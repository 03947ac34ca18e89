#!/bin/bash
# osmotic-northd: a port change costs the same on a switch of 10 ports and
# on one of 200: a port add writes the same number of Logical_Flow row
# changes to SB, and northd builds the same owners and flows for it (the
# port's own, and its bucket's, not every bucket of the switch, as the
# count of owners of each kind shows).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start 30

# make_switch NAME N ID: adds switch NAME with N ports NAME-p000...,
# each with addresses and port security "MAC IP", in one transaction.
make_switch() {
    local name=$1 n=$2 id=$3 args=(ls-add "$1") i mac ip
    for ((i = 0; i < n; i++)); do
        mac=$(printf '0a:%02x:00:00:%02x:%02x' "$id" $((i >> 8)) $((i & 255)))
        ip="10.$id.$((i >> 8)).$(((i & 255) + 1))"
        args+=(-- lsp-add "$name" "$(printf '%s-p%03d' "$name" "$i")"
               -- lsp-set-addresses "$(printf '%s-p%03d' "$name" "$i")" "$mac $ip"
               -- lsp-set-port-security "$(printf '%s-p%03d' "$name" "$i")" "$mac $ip")
    done
    check nbctl "${args[@]}"
}

# flow_uuids: the UUIDs of every Logical_Flow row, sorted.
flow_uuids() {
    sb_select Logical_Flow '["_uuid"]'
}

# port_add SWITCH ID: adds a port with addresses and port security to
# SWITCH and prints "ROW-CHANGES BUILT", the number of Logical_Flow rows
# inserted or deleted (rows are never modified in place: their UUIDs come
# from their content) and what northd's compile built.
port_add() {
    local before after changes mac=0a:ff:00:00:00:$(printf %02x "$2")
    before=$(flow_uuids)
    check nbctl lsp-add "$1" "$1-new" \
        -- lsp-set-addresses "$1-new" "$mac 10.$2.200.1" \
        -- lsp-set-port-security "$1-new" "$mac 10.$2.200.1"
    after=$(flow_uuids)
    changes=$(( $(comm -3 <(echo "$before") <(echo "$after") | grep -c .) ))
    echo "$changes $(northd_count northd "last compile built")"
}

check osmotic-nbctl init
make_switch small 10 1
make_switch large 200 2
check_output 10 pipeline "osmotic-nbctl lsp-list small | wc -l"
check_output 200 pipeline "osmotic-nbctl lsp-list large | wc -l"

# Both new ports land in a bucket that has ports already (keys 11 and 201:
# buckets 8-15 and 200-207), whose shared flows they change.
small=$(port_add small 1)
check_output 11 sb_port_key small-new
large=$(port_add large 2)
check_output 201 sb_port_key large-new
echo "small: $small; large: $large"
[ "$small" = "$large" ] \
    || fail "a port add costs [$small] on 10 ports, [$large] on 200"
# The port's own two flows (L2 lookup, ARP reply) are new; its bucket's
# three (port security both ways, own-address requests) replaced.
case $small in
    "8 2 owners, "*) ;;
    *) fail "unexpected cost of a port add: $small" ;;
esac
check_output "switch-bucket 1, switch-port 1" \
    northd_count northd "last compile owners"

# So is a change of a port, and its deletion.
for sw in small large; do
    before=$(flow_uuids)
    check nbctl lsp-set-enabled $sw-new disabled
    after=$(flow_uuids)
    eval "${sw}_disable=\"$(comm -3 <(echo "$before") <(echo "$after") \
        | grep -c .) $(northd_count northd "last compile built")\""
    before=$after
    check nbctl lsp-del $sw-new
    after=$(flow_uuids)
    eval "${sw}_del=\"$(comm -3 <(echo "$before") <(echo "$after") \
        | grep -c .) $(northd_count northd "last compile built")\""
done
[ "$small_disable" = "$large_disable" ] \
    || fail "disabling costs [$small_disable] and [$large_disable]"
[ "$small_del" = "$large_del" ] \
    || fail "deleting costs [$small_del] and [$large_del]"

# A batch that adds two ports to one switch and deletes one of its ports
# (northd tells which ports joined and left without a pass over the
# switch's port list), and one that also moves a port to another switch
# (it then makes that pass), leave SB as a full recompute would.
check_incremental_equals_full() {
    sb_dump > "$TESTDIR/incremental"
    check northd_ctl northd northd/recompute
    check nbctl sync
    sb_dump > "$TESTDIR/full"
    diff -u "$TESTDIR/incremental" "$TESTDIR/full" \
        || fail "full recompute differs from incremental result"
}
check nbctl lsp-add large a1 -- lsp-add large a2 -- lsp-del large-p005
check_output 6 sb_port_key a1
check_output 201 sb_port_key a2
check_output "" sb_port_key large-p005
check_incremental_equals_full
p=$(osmotic-nbctl get Logical_Switch_Port large-p007 _uuid)
small_uuid=$(osmotic-nbctl get Logical_Switch small _uuid)
large_uuid=$(osmotic-nbctl get Logical_Switch large _uuid)
check ovsdb-client transact "$OSMOTIC_NB_DB" "[\"Osmotic_Northbound\",
  {\"op\":\"mutate\",\"table\":\"Logical_Switch\",
   \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$large_uuid\"]]],
   \"mutations\":[[\"ports\",\"delete\",[\"uuid\",\"$p\"]]]},
  {\"op\":\"mutate\",\"table\":\"Logical_Switch\",
   \"where\":[[\"_uuid\",\"==\",[\"uuid\",\"$small_uuid\"]]],
   \"mutations\":[[\"ports\",\"insert\",[\"uuid\",\"$p\"]]]}]" > /dev/null
check nbctl sync
check_output 11 sb_port_key large-p007
check_incremental_equals_full
