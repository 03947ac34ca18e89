#!/bin/bash
# osmotic-nbctl: ACL commands and address set changes read only the
# switch or port group they name, its ACLs, and the port groups and
# address sets that a match names, yet behave exactly as with the whole
# database: the same refusals (missing group or set, a set of the wrong
# family, a malformed match, a duplicate), nothing written when refused,
# no ACL lost when a group's ACLs change, also when several clients add
# ACLs to one group at once, and only what they name deleted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

# replicated CMD...: runs osmotic-nbctl CMD and prints how many port
# groups, ACLs and address sets it replicated ("" if it read whole
# tables).
replicated() {
    local err
    err=$(osmotic-nbctl -vconsole:nbctl_partial:dbg "$@" 2>&1 >/dev/null) \
        || fail "osmotic-nbctl $* failed: $err"
    echo "$err" | sed -n 's/.*replicating \(.* port groups, .*\)/\1/p'
}

# A few groups of policy: each group pgI with a port, a set asI, and two
# ACLs that name them.
check osmotic-nbctl init -- ls-add s1
for i in 1 2 3 4; do
    check osmotic-nbctl lsp-add s1 p$i \
        -- lsp-set-addresses p$i "0a:00:00:00:00:0$i 10.0.0.$i"
    check osmotic-nbctl pg-add pg$i p$i -- as-add as$i 10.1.0.$i 10.1.1.$i \
        -- acl-add pg$i to-lport 1001 \
           "outport == @pg$i && ip4.src == \$as$i && tcp.dst == 80" \
           allow-related \
        -- acl-add pg$i to-lport 1000 "outport == @pg$i && ip4" drop
done
check osmotic-nbctl as-add as6 fd00::1 -- as-add as_empty
check osmotic-nbctl acl-add s1 from-lport 100 ip4 allow
check_output 9 nb_count ACL

# Only the named rows: the group, its two ACLs, the sets the match names.
check_output "1 port groups, 2 ACLs and 0 address sets" \
    replicated acl-list pg2
check_output "1 port groups, 2 ACLs and 1 address sets" \
    replicated acl-add pg2 to-lport 1002 \
    "outport == @pg2 && ip4.src == \$as2 && udp.dst == 53" allow-related
check_output "1 port groups, 3 ACLs and 0 address sets" \
    replicated acl-del pg2 to-lport 1002 \
    "outport == @pg2 && ip4.src == \$as2 && udp.dst == 53"
# A match that names another group and set, and a group's own addresses:
# those groups and sets too (only the ACLs of the groups replicated).
check_output "3 port groups, 6 ACLs and 1 address sets" \
    replicated acl-add pg1 to-lport 999 \
    "outport == @pg1 && inport == @pg3 && ip4.src == {\$as4, \$pg2_ip4}" \
    drop
check osmotic-nbctl acl-del pg1 to-lport 999 \
    "outport == @pg1 && inport == @pg3 && ip4.src == {\$as4, \$pg2_ip4}"
# A switch, by name and by UUID; no port is read.
s1=$(osmotic-nbctl --bare --columns=_uuid find Logical_Switch name=s1)
check_output "0 port groups, 1 ACLs and 0 address sets" \
    replicated acl-list s1
check_output "0 port groups, 1 ACLs and 0 address sets" \
    replicated acl-list "$s1"
out=$(osmotic-nbctl -vjsonrpc:dbg acl-list s1 2>&1 >/dev/null) \
    || fail "acl-list failed"
case $out in
    *'"Logical_Switch_Port"'*) fail "acl-list monitors ports: $out" ;;
esac
# Address set changes: that set alone.
check_output "0 port groups, 0 ACLs and 1 address sets" \
    replicated add Address_Set as3 addresses '"10.1.2.3"'
check_output "0 port groups, 0 ACLs and 1 address sets" \
    replicated remove Address_Set as3 addresses '"10.1.2.3"'
check_output "0 port groups, 0 ACLs and 1 address sets" \
    replicated as-set-addresses as_empty 10.1.9.9
check_output "0 port groups, 0 ACLs and 1 address sets" \
    replicated set Address_Set as_empty addresses='[]'
# The first characters of a UUID, which only the whole table can
# resolve, and other commands, read whole tables.
as1=$(osmotic-nbctl --bare --columns=_uuid find Address_Set name=as1)
check_output "" replicated add Address_Set "${as1:0:8}" addresses \
    '"10.1.2.4"'
check_output '["10.1.0.1", "10.1.1.1", "10.1.2.4"]' \
    osmotic-nbctl get Address_Set as1 addresses
check_output "0 port groups, 0 ACLs and 1 address sets" \
    replicated remove Address_Set "$as1" addresses '"10.1.2.4"'
check_output "" replicated as-list
check_output "" replicated acl-list pg1 -- lsp-list s1

# Adding and deleting ACLs keeps the group's other ACLs and touches no
# other group.
check osmotic-nbctl acl-add pg2 to-lport 1002 \
    "outport == @pg2 && ip4.src == \$as3 && udp.dst == 53" allow-related
check_output "  to-lport  1002 (outport == @pg2 && ip4.src == \$as3 && udp.dst == 53) allow-related
  to-lport  1001 (outport == @pg2 && ip4.src == \$as2 && tcp.dst == 80) allow-related
  to-lport  1000 (outport == @pg2 && ip4) drop" osmotic-nbctl acl-list pg2
check_output 10 nb_count ACL
check osmotic-nbctl acl-del pg2 to-lport 1001 \
    "outport == @pg2 && ip4.src == \$as2 && tcp.dst == 80"
check_output "  to-lport  1002 (outport == @pg2 && ip4.src == \$as3 && udp.dst == 53) allow-related
  to-lport  1000 (outport == @pg2 && ip4) drop" osmotic-nbctl acl-list pg2
check_output 9 nb_count ACL
check osmotic-nbctl acl-del pg2 to-lport
check_output "" osmotic-nbctl acl-list pg2
check_output 7 nb_count ACL
check_output "  to-lport  1001 (outport == @pg3 && ip4.src == \$as3 && tcp.dst == 80) allow-related
  to-lport  1000 (outport == @pg3 && ip4) drop" osmotic-nbctl acl-list pg3
check_output "from-lport   100 (ip4) allow" osmotic-nbctl acl-list s1
# A batch sees its own ACLs: the second add of the same rule is a
# duplicate.
check_refused "Same ACL already existed on the ls pg2." \
    osmotic-nbctl acl-add pg2 to-lport 5 ip4 drop \
    -- acl-add pg2 to-lport 5 ip4 allow
check osmotic-nbctl acl-add pg2 to-lport 5 ip4 drop \
    -- --may-exist acl-add pg2 to-lport 5 ip4 allow
check_output "  to-lport     5 (ip4) drop" osmotic-nbctl acl-list pg2
# A batch may create the set that its ACL names.
check osmotic-nbctl as-add as_new 10.2.0.1 \
    -- acl-add pg2 to-lport 6 'ip4.dst == $as_new' allow

# The same refusals as with the whole database, and nothing changed.
check_refused 'column 12: @nopg: no port group of that name' \
    osmotic-nbctl acl-add pg1 to-lport 10 'outport == @nopg' drop
check_refused 'column 12: $noset: no address set of that name' \
    osmotic-nbctl acl-add pg1 to-lport 10 'ip4.src == $noset' drop
check_refused '$nopg_ip4: no port group nopg (whose addresses it names) and no address set of that name' \
    osmotic-nbctl acl-add pg1 to-lport 10 'ip4.src == $nopg_ip4' drop
check_refused '$as6: address set holds no IPv4 addresses, so ip4.src can never match it' \
    osmotic-nbctl acl-add pg1 to-lport 10 'ip4.src == $as6' drop
check_refused '$as1: address set holds no IPv6 addresses, so ip6.dst can never match it' \
    osmotic-nbctl acl-add pg1 to-lport 10 'outport == @pg1 && ip6.dst == $as1' drop
# An empty set fits either family.
check osmotic-nbctl acl-add pg1 to-lport 11 'ip6.dst == $as_empty' drop
check_refused 'column 7: end of input' \
    osmotic-nbctl acl-add pg1 to-lport 10 'ip4 &&' drop
check_refused '"&&": && and || must be parenthesized' \
    osmotic-nbctl acl-add pg1 to-lport 10 'outport == @pg1 || ip4 && inport == @pg2' drop
check_refused "Same ACL already existed on the ls pg1." \
    osmotic-nbctl acl-add pg1 to-lport 1000 "outport == @pg1 && ip4" allow
check_refused "'nowhere' is not found for port-group or switch." \
    osmotic-nbctl acl-add nowhere to-lport 10 ip4 drop
check_refused "s1: port group name not found" \
    osmotic-nbctl --type=port-group acl-list s1
check_refused "pg1: switch name not found" \
    osmotic-nbctl --type=switch acl-add pg1 to-lport 10 ip4 drop
check_refused "nom: meter name not found" \
    osmotic-nbctl --meter=nom acl-add pg1 to-lport 10 ip4 drop
check_refused "no to-lport ACL with priority 901" \
    osmotic-nbctl acl-del pg1 to-lport 901 ip4
# A name that is both a switch and a port group, and two switches of one
# name.
check osmotic-nbctl pg-add s1
check_refused "Same name 's1' exists in both port-groups and logical switches." \
    osmotic-nbctl acl-add s1 to-lport 10 ip4 drop
check osmotic-nbctl pg-del s1
check osmotic-nbctl --add-duplicate ls-add s1
check_refused "Multiple logical switches named 's1'.  Use a UUID." \
    osmotic-nbctl acl-list s1
check_output "from-lport   100 (ip4) allow" osmotic-nbctl acl-list "$s1"
# Address sets: a bad address, a name taken, a set that does not exist.
check_refused "Address_Set as1: addresses: nope: invalid IP address" \
    osmotic-nbctl add Address_Set as1 addresses nope
check_refused "10.1.0.300: invalid IP address" \
    osmotic-nbctl as-set-addresses as1 10.1.0.300
check_refused "as1: an Address Set with this name already exists" \
    osmotic-nbctl as-add as1
check_refused 'no row "nosuch" in table Address_Set' \
    osmotic-nbctl add Address_Set nosuch addresses '"10.1.0.9"'
check_refused "nosuch: Address Set name not found" \
    osmotic-nbctl as-set-addresses nosuch 10.1.0.9
check_output '["10.1.0.1", "10.1.1.1"]' \
    osmotic-nbctl get Address_Set as1 addresses

# ACLs added to one group at the same time by several clients are all
# kept: they join the group by mutation, not by rewriting its list.
pids=()
for i in 1 2 3 4 5 6 7 8; do
    osmotic-nbctl acl-add pg4 from-lport $((200 + i)) \
        "inport == @pg4 && udp.dst == $i" drop & pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || fail "a concurrent acl-add failed"
done
check_output 10 pipeline "osmotic-nbctl acl-list pg4 | wc -l"
# Added and deleted in one batch: nothing is left; deleted, the group's
# ACLs go with it, also those the batch added.
check osmotic-nbctl acl-add pg4 to-lport 7 ip4 drop -- acl-del pg4 to-lport 7 ip4
check_output 10 pipeline "osmotic-nbctl acl-list pg4 | wc -l"
n=$(nb_count ACL)
check osmotic-nbctl acl-add pg4 to-lport 7 ip4 drop -- pg-del pg4
check_output $((n - 10)) nb_count ACL
echo PASS
