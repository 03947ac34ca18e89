#!/bin/bash
# osmotic-nbctl: ACLs, port groups, address sets and meters; matches are
# checked by the match-language parser, with $set and @group references.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2

# Address sets.
check osmotic-nbctl as-add web 10.244.0.1 10.244.1.0/24 fd00::1
check_output "web: 10.244.0.1 10.244.1.0/24 fd00::1" osmotic-nbctl as-list
check_refused "10.244.0.256: invalid IP address" \
    osmotic-nbctl as-add db 10.244.0.256
check_refused "10.244.1.1/24: CIDR has host bits set" \
    osmotic-nbctl as-add db 10.244.1.1/24
check_refused "9db: invalid name" osmotic-nbctl as-add 9db
check_refused "web: an Address Set with this name already exists" \
    osmotic-nbctl as-add web
check osmotic-nbctl as-set-addresses web 10.244.0.2
check_output "web: 10.244.0.2" osmotic-nbctl as-list
check_refused "Address_Set web: addresses: nope: invalid IP address" \
    osmotic-nbctl add Address_Set web addresses nope

# Port groups.
check osmotic-nbctl pg-add pg_web p1
check_refused "nop: port name not found" \
    osmotic-nbctl pg-add pg_db nop
check_refused "invalid name" osmotic-nbctl pg-add pg-db
check_refused "pg_web: a port group with this name already exists" \
    osmotic-nbctl pg-add pg_web p2
check osmotic-nbctl --may-exist pg-add pg_web p2
check osmotic-nbctl pg-set-ports pg_web p1 p2
check_output 2 pipeline "osmotic-nbctl --bare --columns=ports list Port_Group pg_web | wc -w"

# Meters.
check osmotic-nbctl meter-add m1 drop 100 kbps 10
check_output "m1: bands:
  drop: 100 kbps, 10 kb burst" osmotic-nbctl meter-list
check_refused "rate must be in the range 1...4294967295" osmotic-nbctl meter-add m2 drop 0 kbps
check_refused "unit must be" osmotic-nbctl meter-add m2 drop 5 mbps
check_refused "action must be" osmotic-nbctl meter-add m2 remark 5 kbps
check_refused 'meter with name "m1" already exists' \
    osmotic-nbctl meter-add m1 drop 5 kbps
check_refused 'meter names that begin with "__" are reserved' \
    osmotic-nbctl meter-add __m drop 5 kbps
check_refused 'meter names that begin with "__" are reserved' \
    osmotic-nbctl create Meter name=__m unit=kbps rate=5
# --may-exist updates the meter; --fair makes it per ACL.
check osmotic-nbctl --may-exist --fair meter-add m1 drop 5 pktps 3
check_output "m1: (fair) bands:
  drop: 5 pktps, 3 packet burst" osmotic-nbctl meter-list

# ACLs on a switch and on a port group.
check osmotic-nbctl acl-add sw0 from-lport 1000 'ip4.src == $web && tcp.dst == 80' allow-related
check osmotic-nbctl --log --severity=info --name=deny --meter=m1 acl-add sw0 to-lport 900 'ip4' drop
check osmotic-nbctl --type=port-group acl-add pg_web from-lport 500 'inport == @pg_web' allow
check_output "from-lport  1000 (ip4.src == \$web && tcp.dst == 80) allow-related
  to-lport   900 (ip4) drop log(name=deny,severity=info,meter=\"m1\")" \
    osmotic-nbctl acl-list sw0
check_output "from-lport   500 (inport == @pg_web) allow" osmotic-nbctl acl-list pg_web
check_refused "Same ACL already existed on the ls sw0." \
    osmotic-nbctl acl-add sw0 from-lport 1000 'ip4.src == $web && tcp.dst == 80' drop
check osmotic-nbctl --may-exist acl-add sw0 from-lport 1000 'ip4.src == $web && tcp.dst == 80' drop
check_refused 'tcp.dts == 80: column 1: "tcp.dts": no field of that name' \
    osmotic-nbctl acl-add sw0 from-lport 10 'tcp.dts == 80' drop
check_refused 'ip4.src == $nosuch: column 12: $nosuch: no address set of that name' \
    osmotic-nbctl acl-add sw0 from-lport 10 'ip4.src == $nosuch' drop
check_refused 'ip6.src == $web: column 12: $web: address set holds no IPv6 addresses, so ip6.src can never match it' \
    osmotic-nbctl acl-add sw0 from-lport 10 'ip6.src == $web' drop
# A port group's own address sets are of one family each, as in OVN.
check osmotic-nbctl acl-add sw0 from-lport 11 'ip4.src == $pg_web_ip4' drop
check osmotic-nbctl acl-add sw0 from-lport 12 'ip6.src == $pg_web_ip6' drop
check_refused 'ip4.src == $pg_web_ip6: column 12: $pg_web_ip6: address set holds no IPv4 addresses, so ip4.src can never match it' \
    osmotic-nbctl acl-add sw0 from-lport 10 'ip4.src == $pg_web_ip6' drop
check_refused 'ip6.dst == $pg_web_ip4: column 12: $pg_web_ip4: address set holds no IPv6 addresses, so ip6.dst can never match it' \
    osmotic-nbctl acl-add sw0 from-lport 10 'ip6.dst == $pg_web_ip4' drop
check osmotic-nbctl acl-del sw0 from-lport 11 'ip4.src == $pg_web_ip4'
check osmotic-nbctl acl-del sw0 from-lport 12 'ip6.src == $pg_web_ip6'
check_refused 'column 12: 10.0.0.1/8: host bits set beyond the prefix length' \
    osmotic-nbctl acl-add sw0 from-lport 10 'ip4.src == 10.0.0.1/8' drop
check_refused 'tcp.src < 0: match can never be true: tcp.src < 0' \
    osmotic-nbctl acl-add sw0 from-lport 10 'tcp.src < 0' drop
check_refused 'column 11: @nopg: no port group of that name' \
    osmotic-nbctl acl-add sw0 from-lport 10 'inport == @nopg' drop
# OVN's strict rules for the matches people write, also through the
# generic commands; the canonical text of such a match is not checked.
check_refused 'column 12: "&&": && and || must be parenthesized when used together' \
    osmotic-nbctl acl-add sw0 from-lport 10 'ip4 || ip6 && udp' drop
check_refused 'column 8: "!=": inport is a nominal field and may only be tested for equality' \
    osmotic-nbctl acl-add sw0 from-lport 10 'inport != "p1"' drop
check_refused 'column 10: ">": eth.type is a nominal field' \
    osmotic-nbctl acl-add sw0 from-lport 10 'eth.type > 0x800' drop
check_refused 'column 1: "!": put the comparison it negates in parentheses' \
    osmotic-nbctl acl-add sw0 from-lport 10 '!tcp.dst == 80' drop
acl=$(osmotic-nbctl --bare --columns=_uuid find ACL priority=900) \
    || fail "find ACL"
check_refused 'match: column 8: "!=": inport is a nominal field' \
    osmotic-nbctl set ACL "$acl" 'match="inport != \"p1\""'
# OVN's grammar: subfields, values first, ranges, "!" of a field.
check osmotic-nbctl acl-add sw0 from-lport 11 'eth.dst[40] && 1 < vlan.pcp <= 4' drop \
    -- acl-add sw0 from-lport 12 '0x800 == eth.type && !vlan.pcp' drop \
    -- acl-add sw0 from-lport 13 '!tcp || (ip4 && !(tcp.dst == 80))' drop \
    -- acl-add sw0 from-lport 14 'ip4.src == ::10.0.0.1/::ffff:ffff' drop
check osmotic-nbctl acl-del sw0 from-lport 11 'eth.dst[40] && 1 < vlan.pcp <= 4' \
    -- acl-del sw0 from-lport 12 '0x800 == eth.type && !vlan.pcp' \
    -- acl-del sw0 from-lport 13 '!tcp || (ip4 && !(tcp.dst == 80))' \
    -- acl-del sw0 from-lport 14 'ip4.src == ::10.0.0.1/::ffff:ffff'
check_refused "32768: priority must in range" \
    osmotic-nbctl acl-add sw0 from-lport 32768 ip4 drop
check_refused "sideways: direction must be" \
    osmotic-nbctl acl-add sw0 sideways 10 ip4 drop
check_refused "pass: action must be one of" \
    osmotic-nbctl acl-add sw0 from-lport 10 ip4 pass
check_refused "permit: action must be one of" \
    osmotic-nbctl acl-add sw0 from-lport 10 ip4 permit
check_refused "bad severity: loud" \
    osmotic-nbctl --severity=loud acl-add sw0 from-lport 10 ip4 drop
check_refused "nom: meter name not found" \
    osmotic-nbctl --meter=nom acl-add sw0 from-lport 10 ip4 drop
check_refused "'nowhere' is not found for port-group or switch." \
    osmotic-nbctl acl-add nowhere from-lport 10 ip4 drop
check_refused "sw0: port group name not found" \
    osmotic-nbctl --type=port-group acl-add sw0 from-lport 10 ip4 drop
# The generic commands go through the same parser.
acl=$(osmotic-nbctl --bare --columns=_uuid find ACL priority=500)
check_refused "ACL $acl: match: column 7: end of input" \
    osmotic-nbctl set ACL "$acl" 'match="ip4 &&"'
check_refused "meter: nom: no meter named nom" \
    osmotic-nbctl set ACL "$acl" meter=nom
# A batch may create the address set an ACL refers to.
check osmotic-nbctl as-add db 10.244.2.0/24 -- acl-add sw0 to-lport 800 'ip4.dst == $db' allow

check_refused "m1: meter is used by the ACL" osmotic-nbctl meter-del m1
# Deleting a row that an ACL names is refused, whatever command does it.
check_refused 'm1: meter is used by the ACL "ip4"' osmotic-nbctl destroy Meter m1
check_refused 'web: address set is used by the ACL "ip4.src == $web && tcp.dst == 80"' \
    osmotic-nbctl as-del web
check osmotic-nbctl acl-add sw0 to-lport 700 'outport == @pg_web' allow
check_refused 'pg_web: port group is used by the ACL "outport == @pg_web"' \
    osmotic-nbctl pg-del pg_web
check osmotic-nbctl acl-del sw0 to-lport 700 'outport == @pg_web'
# A group's own ACLs go with it.
check osmotic-nbctl pg-add pg_tmp p1 -- --type=port-group acl-add pg_tmp \
    from-lport 1 'inport == @pg_tmp' drop
check osmotic-nbctl pg-del pg_tmp
check_refused "no to-lport ACL with priority 901" \
    osmotic-nbctl acl-del sw0 to-lport 901 ip4
check osmotic-nbctl acl-del sw0 to-lport 900 ip4
check osmotic-nbctl meter-del m1
check osmotic-nbctl acl-del sw0 from-lport
check_output "  to-lport   800 (ip4.dst == \$db) allow" osmotic-nbctl acl-list sw0
check osmotic-nbctl acl-del sw0
check_output "" osmotic-nbctl acl-list sw0

# Labels and ACLs applied after load balancing, listed as ovn-nbctl does:
# those before load balancing first in each direction.
check osmotic-nbctl --label=1234 acl-add sw0 from-lport 70 icmp allow-related
check osmotic-nbctl --apply-after-lb acl-add sw0 from-lport 500 tcp allow
check osmotic-nbctl acl-add sw0 from-lport 300 tcp allow
check_output "from-lport   300 (tcp) allow
from-lport    70 (icmp) allow-related label=1234
from-lport   500 (tcp) allow [after-lb]" osmotic-nbctl acl-list sw0
check_output 1234 osmotic-nbctl --bare --columns=label find ACL priority=70
after=$(osmotic-nbctl --bare --columns=_uuid find ACL priority=500 \
            match=tcp) || fail "find ACL"
check_output '{apply-after-lb="true"}' osmotic-nbctl get ACL "$after" options
# The same rule after load balancing is another rule.
check osmotic-nbctl --apply-after-lb acl-add sw0 from-lport 300 tcp allow
check_refused "Same ACL already existed on the ls sw0." \
    osmotic-nbctl --apply-after-lb acl-add sw0 from-lport 300 tcp drop
check_refused 'label can only be set with actions "allow" or "allow-related"' \
    osmotic-nbctl --label=1 acl-add sw0 to-lport 50 ip drop
check_refused "4294967296: label must in range 0...4294967295" \
    osmotic-nbctl --label=4294967296 acl-add sw0 to-lport 50 ip allow
check_refused "abc: label must in range 0...4294967295" \
    osmotic-nbctl --label=abc acl-add sw0 to-lport 50 ip allow
check_refused "label: 5: a label can only be set with actions allow and allow-related" \
    osmotic-nbctl set ACL "$after" action=drop label=5
check_refused "options:apply-after-lb: yes: must be true or false" \
    osmotic-nbctl set ACL "$after" options:apply-after-lb=yes
# Directions may be abbreviated, as in ovn-nbctl.
check osmotic-nbctl acl-add sw0 to 10 ip4 drop
check_output "  to-lport    10 (ip4) drop" \
    pipeline "osmotic-nbctl acl-list sw0 | grep to-lport"
check osmotic-nbctl acl-del sw0
# A name that is both a switch and a port group needs --type.
check osmotic-nbctl pg-add sw0
check_refused "Same name 'sw0' exists in both port-groups and logical switches." \
    osmotic-nbctl acl-add sw0 to-lport 100 ip drop
check osmotic-nbctl --type=port-group acl-add sw0 to-lport 100 ip drop
check_output "" osmotic-nbctl --type=switch acl-list sw0
check_refused "Invalid value 'bridge' for option --type" \
    osmotic-nbctl --type=bridge acl-list sw0
check osmotic-nbctl pg-del sw0

# acl-add and acl-list read the switches, port groups, ACLs, address sets
# and meters, not the ports (most of a large database), and still check
# what they must: a set's family, a missing group or meter.
# monitored CMD...: the tables osmotic-nbctl CMD monitors, one per line
# (with or without a condition on their rows).
monitored() {
    osmotic-nbctl -vjsonrpc:file:dbg --log-file="$TESTDIR/monitored.log" \
        "$@" >/dev/null || fail "osmotic-nbctl $* failed"
    sed -n 's/.*method="monitor_cond[_a-z]*", params=\["Osmotic_Northbound",\[[^]]*\],{\(.*\)}.*/\1/p' \
        "$TESTDIR/monitored.log" \
        | grep -o '"[A-Za-z_]*":\[{"\(columns\|where\)"' \
        | cut -d'"' -f2 | sort
    rm -f "$TESTDIR/monitored.log"
}
check_output "$(printf '%s\n' ACL Address_Set Connection Logical_Switch \
                    Meter NB_Global Port_Group SSL)" \
    monitored acl-add sw0 to-lport 300 "ip4.src == \$web" drop
check_output "$(printf '%s\n' ACL Address_Set Connection Logical_Switch \
                    Meter NB_Global Port_Group SSL)" \
    monitored acl-list sw0
# The generic commands that only read monitor the table they read; those
# that change an address set's addresses, the address sets alone.
check_output "$(printf '%s\n' Connection Logical_Switch_Port NB_Global SSL)" \
    monitored wait-until Logical_Switch_Port p1 name=p1
check_output "$(printf '%s\n' Address_Set Connection NB_Global SSL)" \
    monitored add Address_Set web addresses 10.244.2.1
check pipeline "osmotic-nbctl get Address_Set web addresses | grep -q '\"10.244.2.1\"'"
check_refused "10.244.2.300: invalid IP address" \
    osmotic-nbctl remove Address_Set web addresses 10.244.2.1 \
        -- add Address_Set web addresses 10.244.2.300
check osmotic-nbctl remove Address_Set web addresses 10.244.2.1
check_refused "@nogroup: no port group of that name" \
    osmotic-nbctl acl-add sw0 to-lport 301 "outport == @nogroup" drop
check_refused "nometer: meter name not found" \
    osmotic-nbctl --meter=nometer acl-add sw0 to-lport 302 ip drop
check osmotic-nbctl acl-del sw0 to-lport 300 "ip4.src == \$web"
check osmotic-nbctl pg-del pg_web
check_output 0 nb_count ACL
check osmotic-nbctl as-del web
check_refused "web: Address Set name not found" osmotic-nbctl as-del web
echo PASS
