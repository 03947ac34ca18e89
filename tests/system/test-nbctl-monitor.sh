#!/bin/bash
# osmotic-nbctl: switch and port commands read only the columns they need
# (start-up cost on a large database), and validation before commit still
# sees what it must; also the edge cases of unnamed switches, parent port
# deletion and MAC checks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl init
check osmotic-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2

# What "lsp-list" asks the server for: switch names and ports, port names,
# and NB_Global -- not the ports' other columns.
out=$(osmotic-nbctl -vjsonrpc:dbg lsp-list sw0 2>&1 >/dev/null) \
    || fail "lsp-list failed"
req=$(echo "$out" | grep -o 'params=\["Osmotic_Northbound".*' | head -n 1)
case $req in
    *'"Logical_Switch_Port":[{"columns":["name"]}]'*) ;;
    *) fail "lsp-list monitors more than port names: $req" ;;
esac
case $req in
    *'"Logical_Router"'*|*'"ACL"'*)
        fail "lsp-list monitors other tables: $req" ;;
esac
# A generic command still sees everything.
out=$(osmotic-nbctl -vjsonrpc:dbg list Logical_Switch_Port 2>&1 >/dev/null)
echo "$out" | grep -q '"Logical_Switch_Port":\[{"columns":\[.*"addresses"' \
    || fail "list does not monitor every column"

# Validation still covers what the lean commands write.
check osmotic-nbctl lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1"
check_refused "Error on switch sw0: duplicate IPv4 address '10.0.0.1'" \
    osmotic-nbctl lsp-set-addresses p2 "0a:00:00:00:00:02 10.0.0.1"
check_refused "options:router-port: lrp9: no logical router port named lrp9" \
    osmotic-nbctl lsp-set-type p2 router -- lsp-set-options p2 \
    router-port=lrp9
check osmotic-nbctl lr-add r0 -- lrp-add r0 lrp0 0a:00:00:00:01:01 \
    10.0.0.254/24
check osmotic-nbctl lsp-set-type p2 router -- lsp-set-options p2 \
    router-port=lrp0
check_output router osmotic-nbctl lsp-get-type p2
check_output "router-port=lrp0" osmotic-nbctl lsp-get-options p2
# A NAT rule that names a port keeps it from being deleted.
check osmotic-nbctl lr-nat-add r0 dnat_and_snat 172.16.0.1 10.0.0.1 p1 \
    0a:00:00:00:02:01
check_refused "p1: logical switch port is used by the NAT rule dnat_and_snat 172.16.0.1 10.0.0.1" osmotic-nbctl lsp-del p1
check osmotic-nbctl lr-nat-del r0
check osmotic-nbctl lsp-set-enabled p1 disabled
check_output disabled osmotic-nbctl lsp-get-enabled p1
check_output down osmotic-nbctl lsp-get-up p1

# --wait with a lean command: the nb_cfg bump is written and waited for.
check_error "timed out after 1 seconds waiting for osmotic-northd" \
    osmotic-nbctl --wait=sb --timeout=1 lsp-add sw0 p3
check_output 1 osmotic-nbctl get NB_Global . nb_cfg
check osmotic-nbctl set NB_Global . sb_cfg=5
check osmotic-nbctl --wait=sb --timeout=5 lsp-del p3

# Unnamed switches: "ls-add" makes a switch without a name, as many
# times as it is asked, as in OVN; --may-exist and --add-duplicate need
# a name.
check osmotic-nbctl ls-add
check osmotic-nbctl ls-add
check_output 3 nb_count Logical_Switch
check_refused "--may-exist requires specifying a name" \
    osmotic-nbctl --may-exist ls-add
check_refused "--add-duplicate requires specifying a name" \
    osmotic-nbctl --add-duplicate ls-add
check_output 3 nb_count Logical_Switch
check_refused "Multiple logical switches named ''.  Use a UUID." \
    osmotic-nbctl ls-del ''
for uuid in $(osmotic-nbctl --bare --columns=_uuid find Logical_Switch \
                  name='""'); do
    check osmotic-nbctl ls-del "$uuid"
done
check_output 1 nb_count Logical_Switch

# Deleting a parent port deletes its container ports with it, in whatever
# switch they are; other ports stay.
check osmotic-nbctl ls-add sw1
check osmotic-nbctl lsp-add sw0 vm1 -- lsp-add sw0 c1 vm1 10 \
    -- lsp-add sw1 c2 vm1 11 -- lsp-add sw1 other
check osmotic-nbctl lsp-del vm1
check_output "" osmotic-nbctl --bare --columns=name find Logical_Switch_Port \
    parent_name=vm1
check_refused "c1: port name not found" \
    osmotic-nbctl lsp-del c1
# port_names SWITCH: the names of SWITCH's ports, one per line.
port_names() {
    osmotic-nbctl lsp-list "$1" | sed 's/.*(\(.*\))/\1/'
}
check_output "other" port_names sw1
# Also when the parent and its child were added in the same batch.
check osmotic-nbctl lsp-add sw1 vm2 -- lsp-add sw1 c3 vm2 12 -- lsp-del vm2
check_output "other" port_names sw1
check_output "p1
p2" port_names sw0

# The all-zero MAC is refused everywhere a port's MAC is written, and two
# address entries of one port may not share a MAC.
check_refused "00:00:00:00:00:00: MAC address is all zeros" \
    osmotic-nbctl lsp-set-addresses p1 "00:00:00:00:00:00 10.0.0.5"
check_refused "00:00:00:00:00:00: MAC address is all zeros" \
    osmotic-nbctl lsp-set-port-security p1 00:00:00:00:00:00
check_refused "00:00:00:00:00:00: MAC address is all zeros" \
    osmotic-nbctl lrp-add r0 lrp1 00:00:00:00:00:00 10.1.0.1/24
check_refused "0a:00:00:00:00:07: MAC address is in two entries" \
    osmotic-nbctl lsp-set-addresses p1 "0a:00:00:00:00:07 10.0.0.7" \
    "0a:00:00:00:00:07 10.0.0.8"
check osmotic-nbctl lsp-set-addresses p1 "0a:00:00:00:00:07 10.0.0.7" \
    "0a:00:00:00:00:08 10.0.0.8"
echo PASS
