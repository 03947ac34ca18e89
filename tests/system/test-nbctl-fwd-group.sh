#!/bin/bash
# osmotic-nbctl: forwarding groups (fwd-group-add, fwd-group-del,
# fwd-group-list) and static MAC bindings (static-mac-binding-add,
# static-mac-binding-del, static-mac-binding-list), with ovn-nbctl's
# arguments, output and messages; stored and validated, not applied to
# traffic yet.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

# Forwarding groups.
check_refused "sw0: switch name not found" \
    osmotic-nbctl fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:00:64 p1
check osmotic-nbctl ls-add sw0 -- ls-add sw1 -- lsp-add sw1 q1
check_refused "p1: logical switch port does not exist" \
    osmotic-nbctl fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:00:64 p1
check osmotic-nbctl lsp-add sw0 p1 -- lsp-add sw0 p2
check_refused "q1: port already exists but in logical switch sw1" \
    osmotic-nbctl fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:00:64 p1 q1
check_refused "invalid ip address fd00::1" \
    osmotic-nbctl fwd-group-add fg1 sw0 fd00::1 0a:00:00:00:00:64 p1
check_refused "invalid mac address 0a:00:00:00:64" \
    osmotic-nbctl fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:64 p1
check_error "'fwd-group-add' command requires at least 5 arguments" \
    osmotic-nbctl fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:00:64
check osmotic-nbctl fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:00:64 p2 p1
check osmotic-nbctl --liveness fwd-group-add fg0 sw1 10.1.0.100 \
    0a:00:00:00:01:64 q1
check_output "FWD_GROUP       LS            VIP             VMAC                  CHILD_PORTS
fg0             sw1           10.1.0.100     0a:00:00:00:01:64      q1
fg1             sw0           10.0.0.100     0a:00:00:00:00:64      p1 p2" \
    osmotic-nbctl fwd-group-list
check_output "FWD_GROUP       LS            VIP             VMAC                  CHILD_PORTS
fg1             sw0           10.0.0.100     0a:00:00:00:00:64      p1 p2" \
    osmotic-nbctl fwd-group-list sw0
check_output "true" osmotic-nbctl get Forwarding_Group fg0 liveness
check_output "false" osmotic-nbctl get Forwarding_Group fg1 liveness
check_refused "fg1: a forwarding group by this name already exists" \
    osmotic-nbctl fwd-group-add fg1 sw1 10.0.0.100 0a:00:00:00:00:64 q1
check_error "sw9: switch name not found" osmotic-nbctl fwd-group-list sw9

# The generic commands are held to the same rules, and a port that a
# group names stays until the group goes.
check_refused "child_port: q1: not a port of switch sw0" \
    osmotic-nbctl add Forwarding_Group fg1 child_port q1
check_refused "vmac: 01:00:00:00:00:01: " \
    osmotic-nbctl set Forwarding_Group fg1 vmac='"01:00:00:00:00:01"'
check_refused "p2: logical switch port is used by the forwarding group fg1" \
    osmotic-nbctl lsp-del p2
check osmotic-nbctl lsp-del p2 -- remove Forwarding_Group fg1 child_port p2
check_output "[p1]" osmotic-nbctl get Forwarding_Group fg1 child_port

# Deleting.
check_refused "fg9: forwarding group name not found" \
    osmotic-nbctl fwd-group-del fg9
check osmotic-nbctl --if-exists fwd-group-del fg9
check osmotic-nbctl fwd-group-del fg1
check_output 0 nb_count Forwarding_Group name=fg1
check osmotic-nbctl lsp-del p1
# Deleting a switch deletes its groups, whose names may be reused at once.
check osmotic-nbctl ls-del sw1 -- ls-add sw1 -- lsp-add sw1 q1 \
    -- fwd-group-add fg0 sw1 10.1.0.100 0a:00:00:00:01:64 q1
check_output 1 nb_count Forwarding_Group
check osmotic-nbctl ls-del sw1
check_output 0 nb_count Forwarding_Group
check_output "FWD_GROUP       LS            VIP             VMAC                  CHILD_PORTS" \
    osmotic-nbctl fwd-group-list

# Static MAC bindings.
check osmotic-nbctl lr-add lr0 \
    -- lrp-add lr0 lrp0 0a:00:00:00:10:01 192.168.10.1/24 \
    -- lrp-add lr0 lrp1 0a:00:00:00:10:02 192.168.11.1/24
check_output "" osmotic-nbctl static-mac-binding-list
check osmotic-nbctl static-mac-binding-add lrp0 192.168.10.10 0a:00:00:00:00:0a
check osmotic-nbctl static-mac-binding-add lrp0 fd00::0:10 0a:00:00:00:00:0b
check osmotic-nbctl static-mac-binding-add lrp1 10.0.0.10 0a:00:00:00:00:0c
check_refused "lrp9: port name not found" \
    osmotic-nbctl static-mac-binding-add lrp9 10.0.0.10 0a:00:00:00:00:0c
check_refused "10.0.0.x: Not a valid IPv4 or IPv6 address." \
    osmotic-nbctl static-mac-binding-add lrp0 10.0.0.x 0a:00:00:00:00:0c
check_refused "invalid mac address zz." \
    osmotic-nbctl static-mac-binding-add lrp0 10.0.0.11 zz
check_refused "lrp0, 192.168.10.10: a Static_MAC_Binding with this logical_port and ip already exists" \
    osmotic-nbctl static-mac-binding-add lrp0 192.168.10.10 0a:00:00:00:00:ff
# IPv6 addresses are compared in canonical form.
check_refused "lrp0, fd00::10: a Static_MAC_Binding" \
    osmotic-nbctl static-mac-binding-add lrp0 FD00:0::10 0a:00:00:00:00:ff
check osmotic-nbctl --may-exist static-mac-binding-add lrp0 192.168.10.10 \
    0a:00:00:00:00:ff
check_output "LOGICAL_PORT             IP                       MAC
lrp0                     192.168.10.10            0a:00:00:00:00:ff
lrp0                     fd00::10                 0a:00:00:00:00:0b
lrp1                     10.0.0.10                0a:00:00:00:00:0c" \
    osmotic-nbctl static-mac-binding-list
check_refused "logical_port: lrp7: no logical router port named lrp7" \
    osmotic-nbctl create Static_MAC_Binding logical_port=lrp7 ip='"10.0.0.1"' \
    mac='"0a:00:00:00:00:01"'
check_refused "ip: 10.0.0.300: " \
    osmotic-nbctl create Static_MAC_Binding logical_port=lrp0 \
    ip='"10.0.0.300"' mac='"0a:00:00:00:00:01"'
check_refused "no matching Static_MAC_Binding with port lrp1 and ip 10.0.0.99" \
    osmotic-nbctl static-mac-binding-del lrp1 10.0.0.99
check osmotic-nbctl --if-exists static-mac-binding-del lrp1 10.0.0.99
check osmotic-nbctl static-mac-binding-del lrp0 fd00::10
check_output 2 nb_count Static_MAC_Binding
# A router port takes its bindings with it.
check osmotic-nbctl lrp-del lrp1
check_output 1 nb_count Static_MAC_Binding
check osmotic-nbctl lr-del lr0
check_output 0 nb_count Static_MAC_Binding
echo PASS
