#!/bin/bash
# osmotic-nbctl: IP addresses unique on a switch whatever command writes
# them, and deleting a row that another row still names is refused with
# an error that names the user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl init
check osmotic-nbctl ls-add sw0 -- ls-add sw1
check osmotic-nbctl lsp-add sw0 v6a -- lsp-add sw0 v6b -- lsp-add sw1 v6c
check osmotic-nbctl lsp-set-addresses v6a "00:00:00:00:06:0a 10.0.0.10 fd00::6a"

# IPv6 addresses are compared as addresses, as ovn-nbctl compares them.
check_refused "Error on switch sw0: duplicate IPv6 address 'fd00::6a' found on logical switch port 'v6a'" \
    osmotic-nbctl lsp-set-addresses v6b "00:00:00:00:06:0b fd00::6a"
check_refused "Error on switch sw0: duplicate IPv6 address 'fd00::6a' found on logical switch port 'v6a'" \
    osmotic-nbctl lsp-set-addresses v6b "00:00:00:00:06:0b fd00:0::6a"
check_refused "Error on switch sw0: duplicate IPv4 address '10.0.0.10' found on logical switch port 'v6a'" \
    osmotic-nbctl lsp-set-addresses v6b "00:00:00:00:06:0b 10.0.0.10"
check_refused "fd00::6b: IP address given twice" \
    osmotic-nbctl lsp-set-addresses v6b "00:00:00:00:06:0b fd00::6b" \
    "00:00:00:00:06:0c fd00:0:0::6b"
# Another switch may reuse them; so may the port itself.
check osmotic-nbctl lsp-set-addresses v6c "00:00:00:00:06:0c 10.0.0.10 fd00::6a"
check osmotic-nbctl lsp-set-addresses v6a "00:00:00:00:06:0a 10.0.0.10 fd00:0::6a"

# The generic database commands are checked the same way.
check_refused "Logical_Switch_Port v6b: addresses: on switch sw0: duplicate IPv4 address '10.0.0.10' found on logical switch port 'v6a'" \
    osmotic-nbctl set Logical_Switch_Port v6b 'addresses="00:00:00:00:06:0b 10.0.0.10"'
check_refused "duplicate IPv6 address 'fd00::6a' found on logical switch port 'v6a'" \
    osmotic-nbctl add Logical_Switch_Port v6b addresses '"00:00:00:00:06:0b fd00:0::6a"'
# ...and so is moving a port with addresses onto a switch.
v6c=$(osmotic-nbctl get Logical_Switch_Port v6c _uuid) || fail "v6c uuid"
check_refused "Logical_Switch sw0: ports: v6c: duplicate IPv4 address '10.0.0.10' found on logical switch port 'v6a'" \
    osmotic-nbctl remove Logical_Switch sw1 ports "$v6c" -- \
        add Logical_Switch sw0 ports "$v6c"
check osmotic-nbctl set Logical_Switch_Port v6b 'addresses="00:00:00:00:06:0b 10.0.0.11 fd00::6b"'

# Deleting what another row names: the error says who uses it.
check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lrp0 00:00:00:00:ff:01 10.0.0.1/24
check osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.16.0.10 10.0.0.11 v6b 0a:00:00:00:03:01
check_refused "v6b: logical switch port is used by the NAT rule dnat_and_snat 172.16.0.10 10.0.0.11" \
    osmotic-nbctl lsp-del v6b
check osmotic-nbctl lr-route-add lr0 192.168.0.0/16 10.0.0.254 lrp0
check_refused "lrp0: logical router port is used by the static route 192.168.0.0/16 10.0.0.254" \
    osmotic-nbctl lrp-del lrp0
check osmotic-nbctl as-add as1 10.0.0.10
check osmotic-nbctl acl-add sw0 to-lport 100 'ip4.src == $as1' drop
check_refused 'as1: address set is used by the ACL "ip4.src == $as1"' \
    osmotic-nbctl as-del as1
# Renaming it takes its name away too; so does renaming a port group or a
# meter that an ACL uses.  A name no one uses may change.
check_refused 'as1: address set is used by the ACL "ip4.src == $as1"' \
    osmotic-nbctl set Address_Set as1 name=as2
check osmotic-nbctl pg-add pg1 -- acl-add pg1 to-lport 100 'outport == @pg1' drop
check_refused 'pg1: port group is used by the ACL "outport == @pg1"' \
    osmotic-nbctl set Port_Group pg1 name=pg2
# A port group deleted with the ACLs it holds, in one batch.
check osmotic-nbctl acl-del pg1 -- pg-del pg1
check_output 0 nb_count Port_Group
check osmotic-nbctl as-add as9 10.0.0.9 -- set Address_Set as9 name=as8
check osmotic-nbctl as-del as8
check osmotic-nbctl fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:00:64 v6a
check_refused "v6a: logical switch port is used by the forwarding group fg1" \
    osmotic-nbctl lsp-del v6a
check osmotic-nbctl meter-add m5 drop 10 kbps
check osmotic-nbctl --meter=m5 --log acl-add sw0 from-lport 100 ip4 allow
check_refused 'm5: meter is used by the ACL "ip4"' osmotic-nbctl meter-del m5
check_refused 'm5: meter is used by the ACL "ip4"' \
    osmotic-nbctl set Meter m5 name=m6
# Once the user is gone, the deletion goes through.
# in the same batch too: a NAT rule, route or ACL that a command takes
# off its router or switch is deleted at commit, with what it named.
check osmotic-nbctl lr-nat-del lr0 dnat_and_snat 172.16.0.10 -- lsp-del v6b
check osmotic-nbctl lr-route-del lr0 -- lrp-del lrp0
check osmotic-nbctl acl-del sw0 to-lport 100 'ip4.src == $as1' -- as-del as1
check_output 0 nb_count Address_Set
check_output 0 nb_count NAT
check osmotic-nbctl fwd-group-del fg1 -- lsp-del v6a
check_output 1 nb_count Logical_Switch_Port
echo PASS
