#!/bin/bash
# osmotic-nbctl: logical switches and their ports, validation of their
# values, batches, show output, and --wait without osmotic-northd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl init
check osmotic-nbctl ls-add sw0
check_refused "sw0: a switch with this name already exists" \
    osmotic-nbctl ls-add sw0
check osmotic-nbctl --may-exist ls-add sw0
check_output 1 nb_count Logical_Switch
# --add-duplicate makes a second switch of that name (as ovn-nbctl);
# commands that take it by name then ask for a UUID.
check osmotic-nbctl --add-duplicate ls-add sw0
check_output 2 nb_count Logical_Switch
check_refused "--may-exist and --add-duplicate may not be used together" \
    osmotic-nbctl --may-exist --add-duplicate ls-add sw0
check_refused "Multiple logical switches named 'sw0'.  Use a UUID." \
    osmotic-nbctl ls-del sw0
dup=$(osmotic-nbctl --bare --columns=_uuid find Logical_Switch name=sw0 \
          | tail -1) || fail "find sw0"
check osmotic-nbctl ls-del "$dup"
check_output 1 nb_count Logical_Switch
check osmotic-nbctl lsp-add sw0 p1 -- lsp-add sw0 p2
check_output "p1
p2" pipeline "osmotic-nbctl lsp-list sw0 | sed 's/.*(\(.*\))/\1/'"
check_refused "nosw: switch name not found" \
    osmotic-nbctl lsp-add nosw p3
check_refused "p1: a port with this name already" \
    osmotic-nbctl lsp-add sw0 p1
check osmotic-nbctl --may-exist lsp-add sw0 p1
check osmotic-nbctl ls-add sw1
check_refused "p1: port already exists but in switch sw0" \
    osmotic-nbctl --may-exist lsp-add sw1 p1

# Parent and tag.
check osmotic-nbctl lsp-add sw0 c1 p1 42
check_output 42 osmotic-nbctl get Logical_Switch_Port c1 tag_request
check_output p1 osmotic-nbctl get Logical_Switch_Port c1 parent_name
check_refused "4096: invalid tag" osmotic-nbctl lsp-add sw0 c2 p1 4096
check_refused "nop: port name not found" \
    osmotic-nbctl lsp-add sw0 c2 nop 7
check_refused "x: invalid tag" osmotic-nbctl lsp-add sw0 c2 p1 x

# Addresses.
check osmotic-nbctl lsp-set-addresses p1 "0a:00:00:00:00:01 10.244.0.1 fd00::1"
check_output "0a:00:00:00:00:01 10.244.0.1 fd00::1" \
    osmotic-nbctl lsp-get-addresses p1
check osmotic-nbctl lsp-set-addresses p2 dynamic unknown
check_refused "0a:00:00:00:00: invalid MAC address (expected xx:xx:xx:xx:xx:xx)" \
    osmotic-nbctl lsp-set-addresses p2 "0a:00:00:00:00 10.244.0.2"
check_refused "10.244.0.300: invalid IP address" \
    osmotic-nbctl lsp-set-addresses p2 "0a:00:00:00:00:02 10.244.0.300"
check_refused "10.244.0.2/24: a prefix length is not allowed" \
    osmotic-nbctl lsp-set-addresses p2 "0a:00:00:00:00:02 10.244.0.2/24"
check_refused "01:00:00:00:00:02: MAC address is multicast" \
    osmotic-nbctl lsp-set-addresses p2 "01:00:00:00:00:02"
check_refused "Error on switch sw0: duplicate IPv4 address '10.244.0.1'" \
    osmotic-nbctl lsp-set-addresses p2 "0a:00:00:00:00:02 10.244.0.1"
check_refused "nop: port name not found" \
    osmotic-nbctl lsp-set-addresses nop "0a:00:00:00:00:02"

# Port security.
check osmotic-nbctl lsp-set-port-security p1 "0a:00:00:00:00:01 10.244.0.0/24"
check_output "0a:00:00:00:00:01 10.244.0.0/24" \
    osmotic-nbctl lsp-get-port-security p1
check_refused "0a:00:00:00:00:0g: invalid MAC" \
    osmotic-nbctl lsp-set-port-security p1 "0a:00:00:00:00:0g"
check_refused "10.244.0.0/33: invalid IP address" \
    osmotic-nbctl lsp-set-port-security p1 "0a:00:00:00:00:01 10.244.0.0/33"

# Enabled, up, type, options.
check_output enabled osmotic-nbctl lsp-get-enabled p1
check osmotic-nbctl lsp-set-enabled p1 disabled
check_output disabled osmotic-nbctl lsp-get-enabled p1
check_output false osmotic-nbctl get Logical_Switch_Port p1 enabled
check_refused "maybe: state must be" \
    osmotic-nbctl lsp-set-enabled p1 maybe
check_output down osmotic-nbctl lsp-get-up p1
check osmotic-nbctl lsp-set-type p2 localnet
check_output localnet osmotic-nbctl lsp-get-type p2
check_refused "Logical switch port type 'vxlan' is unrecognized. Not setting type." \
    osmotic-nbctl lsp-set-type p2 vxlan
# Every type of OVN's northbound, but not those that only its southbound
# has.
for type in l2gateway localport vtep external virtual remote ""; do
    check osmotic-nbctl lsp-set-type p2 "$type"
    check_output "$type" osmotic-nbctl lsp-get-type p2
done
for type in patch l3gateway chassisredirect; do
    check_refused "Logical switch port type '$type' is unrecognized." \
        osmotic-nbctl lsp-set-type p2 $type
done
check_output "" osmotic-nbctl lsp-get-type p2
check osmotic-nbctl lsp-set-type p2 localnet
check osmotic-nbctl lsp-set-options p2 network_name=phys b=2
check_output "b=2
network_name=phys" osmotic-nbctl lsp-get-options p2
check_refused "novalue: invalid option (expected KEY=VALUE)" \
    osmotic-nbctl lsp-set-options p2 novalue
check_output "$(osmotic-nbctl ls-list | grep '(sw0)')" osmotic-nbctl lsp-get-ls p2

# The generic commands are validated too.
check_refused "Logical_Switch_Port p2: addresses: zz: invalid MAC address" \
    osmotic-nbctl set Logical_Switch_Port p2 'addresses="zz 10.0.0.1"'
check_refused "Logical_Switch_Port p2: port_security: 10.0.0.1: invalid MAC" \
    osmotic-nbctl add Logical_Switch_Port p2 port_security '"10.0.0.1"'
check_refused "type: Logical switch port type 'gre' is unrecognized." \
    osmotic-nbctl set Logical_Switch_Port p2 type=gre
check_refused "Logical_Switch_Port p9: addresses: 0a:00:00:00:00: invalid MAC" \
    osmotic-nbctl -- --id=@p create Logical_Switch_Port name=p9 \
    'addresses="0a:00:00:00:00"' -- add Logical_Switch sw0 ports @p

# A batch is atomic: one bad command and nothing is written.
check_refused "0a:00:00:00:00:0z: invalid MAC" \
    osmotic-nbctl lsp-add sw0 p3 -- ls-add sw2 \
    -- lsp-set-addresses p3 "0a:00:00:00:00:0z"
check_output "" osmotic-nbctl --bare --columns=name find Logical_Switch name=sw2

# show.
check_output "switch $(osmotic-nbctl get Logical_Switch sw1 _uuid) (sw1)" \
    osmotic-nbctl show sw1
out=$(osmotic-nbctl show sw0) || fail "show sw0"
for line in "    port p1" "        addresses: [\"0a:00:00:00:00:01 10.244.0.1 fd00::1\"]" \
            "        parent: p1" "        tag: 42" "        type: localnet"; do
    grep -qxF -- "$line" <<<"$out" || fail "show sw0 lacks [$line]: $out"
done
# Standard output is ovn-nbctl's: no state or notes that it lacks.
grep -q "enabled\|note\|not applied" <<<"$out" && fail "show sw0 adds lines of its own to stdout: $out"
# As ovn-nbctl: "show" of a name that nothing has prints nothing.
check_output "" osmotic-nbctl show nothing

# Deletion.
check osmotic-nbctl lsp-del c1
check_refused "c1: port name not found" \
    osmotic-nbctl lsp-del c1
check osmotic-nbctl --if-exists lsp-del c1
check osmotic-nbctl ls-del sw0
check_output 0 nb_count Logical_Switch_Port
check osmotic-nbctl --if-exists ls-del sw0
check_refused "sw0: switch name not found" osmotic-nbctl ls-del sw0

# --wait=sb with no osmotic-northd: the change commits, the wait times out.
start=$(date +%s)
check_error "timed out after 1 seconds waiting for osmotic-northd" \
    osmotic-nbctl --wait=sb --timeout=1 ls-add sw5
[ $(( $(date +%s) - start )) -le 3 ] || fail "--timeout=1 took too long"
check_output 1 osmotic-nbctl get NB_Global . nb_cfg
check_output 0 osmotic-nbctl get NB_Global . sb_cfg
check_error "timed out after 1 seconds waiting for osmotic-northd and every chassis" \
    osmotic-nbctl --wait=hv --timeout=1 sync
check_output 2 osmotic-nbctl get NB_Global . nb_cfg
# Once sb_cfg catches up, the wait returns.
check osmotic-nbctl set NB_Global . sb_cfg=5
check osmotic-nbctl --wait=sb --timeout=5 ls-add sw6
check_refused "--wait: soon: invalid value" osmotic-nbctl --wait=soon ls-list
# "show" of a switch's router port, exactly as ovn-nbctl prints it: a
# lone "router" address left out, other addresses before router-port.
check osmotic-nbctl lr-add lrx \
    -- lrp-add lrx lrx-sw7 0a:00:00:00:09:01 10.9.0.1/24 \
    -- ls-add sw7 -- lsp-add sw7 sw7-lrx -- lsp-set-type sw7-lrx router \
    -- lsp-set-addresses sw7-lrx router \
    -- lsp-set-options sw7-lrx router-port=lrx-sw7
sw7=$(osmotic-nbctl get Logical_Switch sw7 _uuid) || fail "sw7 uuid"
check_output "switch $sw7 (sw7)
    port sw7-lrx
        type: router
        router-port: lrx-sw7" osmotic-nbctl show sw7
check osmotic-nbctl lsp-set-addresses sw7-lrx "0a:00:00:00:09:01 10.9.0.1"
check_output "switch $sw7 (sw7)
    port sw7-lrx
        type: router
        addresses: [\"0a:00:00:00:09:01 10.9.0.1\"]
        router-port: lrx-sw7" osmotic-nbctl show sw7
echo PASS
