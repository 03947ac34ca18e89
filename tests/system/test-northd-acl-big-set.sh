#!/bin/bash
# osmotic-northd: an ACL whose match crosses an address set of 10,000
# addresses with a port group and three TCP ports compiles into the
# switch's ACL stage with the set named, not expanded ("nw_src=$big"),
# and the set's addresses in SB Address_Set; an address added to the set
# reaches its Address_Set row, changes no logical flow and rebuilds no
# flow owner; a match that
# compares the set where it cannot stay symbolic is expanded, and one that
# would then need more than the ACL bound of 100,000 flows is logged and
# gets no flow, while the switch's other ACLs keep theirs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
northd_test_start 60

check nbctl ls-add sw0 \
    -- lsp-add sw0 p1 -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1" \
    -- lsp-add sw0 p2 -- lsp-set-addresses p2 "0a:00:00:00:00:02 10.0.0.2" \
    -- lsp-add sw0 p3 -- lsp-set-addresses p3 "0a:00:00:00:00:03 10.0.0.3" \
    -- pg-add pg_web p1 p2 p3

# 10,000 addresses, 10.64.0.1 to 10.103.15.1.
addrs=()
for i in $(seq 0 9999); do
    addrs+=("10.$((64 + i / 256)).$((i % 256)).1")
done
check osmotic-nbctl --timeout=60 as-add big "${addrs[@]}"
check nbctl --name=big-allow acl-add pg_web to-lport 1001 \
    'outport == @pg_web && ip4.src == $big && tcp.dst == {80, 443, 8080}' \
    allow-related

# sb_set_has ADDRESS: SB Address_Set "big" holds ADDRESS.
sb_set_has() {
    osmotic-sbctl --bare --columns=addresses find Address_Set name=big \
        | tr ' ' '\n' | grep -qx "$1"
}
flows=$(sb_lflows sw0) || fail "sb_lflows"
grep "^ls_out_acl 2001 " <<<"$flows" | grep -qF '[nw_src=$big]' \
    || fail "no flow of the ACL naming \$big in ls_out_acl: $(grep ls_out_acl <<<"$flows" | cut -c1-300)"
grep "^ls_out_acl 2001 " <<<"$flows" | grep -q "nw_src=10\." \
    && fail "the ACL's flow has the set's addresses"
sb_set_has 10.64.0.1 || fail "SB Address_Set big lacks the first address"
sb_set_has 10.103.15.1 || fail "SB Address_Set big lacks the last address"
grep -q "OpenFlow flows" "$TESTDIR/northd.log" \
    && fail "northd refused the ACL: $(grep 'OpenFlow flows' "$TESTDIR/northd.log")"

# One more address reaches the set's SB row, and no logical flow changes:
# northd rebuilds no flow owner (its count of compiles that built some
# stays as it was).
lflows_before=$(osmotic-sbctl --bare --columns=_uuid list Logical_Flow | sort)
compiles_before=$(northd_count northd compiles)
check nbctl add Address_Set big addresses 10.200.0.1
sb_set_has 10.200.0.1 || fail "the added address is not in SB Address_Set"
[ "$(osmotic-sbctl --bare --columns=_uuid list Logical_Flow | sort)" \
    = "$lflows_before" ] || fail "the address changed logical flows"
[ "$(northd_count northd compiles)" = "$compiles_before" ] \
    || fail "northd rebuilt owners for the address: $(northd_ctl northd northd/counts | grep -A2 'last compile')"

# Over the bound: twelve alternatives, each the set with another field
# (no conjunction can share them, and the set is compared six times on
# one field, so it is expanded), 120,000 flows.
over=""
for field in tcp.src tcp.dst udp.src udp.dst icmp4.type icmp4.code; do
    for a in src dst; do
        over+="${over:+ || }(ip4.$a == \$big && $field == 7)"
    done
done
check nbctl --name=too-big acl-add pg_web from-lport 900 "$over" drop
grep -q "too-big.*OpenFlow flows" "$TESTDIR/northd.log" \
    || fail "northd did not log the ACL over the bound: $(grep 'lflow_acl' "$TESTDIR/northd.log")"
flows=$(sb_lflows sw0) || fail "sb_lflows"
grep -q "^ls_in_acl 1900 " <<<"$flows" \
    && fail "the ACL over the bound has flows"
grep "^ls_out_acl 2001 " <<<"$flows" | grep -qF '[nw_src=$big]' \
    || fail "the other ACL lost its flow"
echo PASS
