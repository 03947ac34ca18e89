#!/bin/bash
# osmotic-nbctl: ovn-nbctl's DHCP options, HA chassis group and CoPP
# commands, container port getters, and its cluster and wait options.
# All of this is stored and validated; all but a router port's HA chassis
# group (a gateway port's chassis) warns that nothing applies it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl init
check osmotic-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 c1 p1 42
check osmotic-nbctl lr-add lr0

# Container ports.
check_output p1 osmotic-nbctl lsp-get-parent c1
check_output 42 osmotic-nbctl lsp-get-tag c1
check_output "" osmotic-nbctl lsp-get-parent p1
check_output "" osmotic-nbctl lsp-get-tag p1
check_refused "nop: port name not found" osmotic-nbctl lsp-get-tag nop

# DHCP options.
err=$(osmotic-nbctl dhcp-options-create 10.0.0.0/24 owner=test 2>&1 >/dev/null) \
    || fail "dhcp-options-create"
[ "$err" = "osmotic-nbctl: warning: DHCP options are stored but not applied to traffic yet" ] \
    || fail "dhcp-options-create warning: [$err]"
check osmotic-nbctl dhcp-options-create fd00::/64
check_refused "Invalid cidr format '10.0.0.300/24'" \
    osmotic-nbctl dhcp-options-create 10.0.0.300/24
check_refused "owner: invalid option (expected KEY=VALUE)" \
    osmotic-nbctl dhcp-options-create 10.0.1.0/24 owner
v4=$(osmotic-nbctl --bare --columns=_uuid find DHCP_Options cidr=10.0.0.0/24) \
    || fail "find v4"
v6=$(osmotic-nbctl --bare --columns=_uuid find DHCP_Options cidr='"fd00::/64"') \
    || fail "find v6"
check_output "$v4
$v6" osmotic-nbctl dhcp-options-list
check_output '{owner=test}' osmotic-nbctl get DHCP_Options "$v4" external_ids
check osmotic-nbctl dhcp-options-set-options "$v4" lease_time=3600 \
    router=10.0.0.1 server_id=10.0.0.1 server_mac=0a:00:00:00:00:01
check_output "lease_time=3600
router=10.0.0.1
server_id=10.0.0.1
server_mac=0a:00:00:00:00:01" osmotic-nbctl dhcp-options-get-options "$v4"
check_refused "00000000-0000-0000-0000-000000000000: dhcp options UUID not found" \
    osmotic-nbctl dhcp-options-get-options 00000000-0000-0000-0000-000000000000
check osmotic-nbctl lsp-set-dhcpv4-options p1 "$v4"
check osmotic-nbctl lsp-set-dhcpv6-options p1 "$v6"
check_output "$v4 (10.0.0.0/24)" osmotic-nbctl lsp-get-dhcpv4-options p1
check_output "$v6 (fd00::/64)" osmotic-nbctl lsp-get-dhcpv6-options p1
check_refused "DHCP options cidr 'fd00::/64' is not IPv4" \
    osmotic-nbctl lsp-set-dhcpv4-options p1 "$v6"
check_refused "DHCP options cidr '10.0.0.0/24' is not IPv6" \
    osmotic-nbctl lsp-set-dhcpv6-options p1 "$v4"
# The generic commands are checked as well.
check_refused "Logical_Switch_Port p1: dhcpv6_options: DHCP options cidr '10.0.0.0/24' is not IPv6" \
    osmotic-nbctl set Logical_Switch_Port p1 dhcpv6_options="$v4"
check_refused "cidr: Invalid cidr format 'nonsense'" \
    osmotic-nbctl set DHCP_Options "$v4" cidr=nonsense
check osmotic-nbctl lsp-set-dhcpv6-options p1
check_output "" osmotic-nbctl lsp-get-dhcpv6-options p1
# Deleting options detaches them from their ports, as in OVN.
check osmotic-nbctl dhcp-options-del "$v4"
check_output "" osmotic-nbctl lsp-get-dhcpv4-options p1
check osmotic-nbctl --if-exists dhcp-options-del "$v4"
check_refused "$v4: dhcp options UUID not found" \
    osmotic-nbctl dhcp-options-del "$v4"

# HA chassis groups: applied as a router port's gateway chassis, so no
# warning for them; a switch port's (external ports) is not applied.
err=$(osmotic-nbctl ha-chassis-group-add hg1 2>&1 >/dev/null) \
    || fail "ha-chassis-group-add"
[ -z "$err" ] || fail "ha-chassis-group-add warned: [$err]"
check_refused "hg1: a HA chassis group with this name already exists" \
    osmotic-nbctl ha-chassis-group-add hg1
check osmotic-nbctl ha-chassis-group-add-chassis hg1 ch1 20
check osmotic-nbctl ha-chassis-group-add-chassis hg1 ch2 10
check osmotic-nbctl ha-chassis-group-set-chassis-prio hg1 ch2 30
check_refused "40000: priority must in range 0...32767" \
    osmotic-nbctl ha-chassis-group-add-chassis hg1 ch3 40000
check_refused "-1: priority must in range 0...32767" \
    osmotic-nbctl ha-chassis-group-set-chassis-prio hg1 ch2 -1
check_refused "x: priority must in range 0...32767" \
    osmotic-nbctl ha-chassis-group-add-chassis hg1 ch3 x
check_refused "ch9: ha chassis not found in hg1 ha chassis group" \
    osmotic-nbctl ha-chassis-group-set-chassis-prio hg1 ch9 5
check_refused "ch9: ha chassis not found in hg1 ha chassis group" \
    osmotic-nbctl ha-chassis-group-remove-chassis hg1 ch9
check_refused "hg9: ha_chassis_group name not found" \
    osmotic-nbctl ha-chassis-group-add-chassis hg9 ch1 1
check_refused "hg9: ha_chassis_group name not found" \
    osmotic-nbctl ha-chassis-group-del hg9
check_refused "hg9: ha_chassis_group name not found" \
    osmotic-nbctl ha-chassis-group-list hg9
check_refused "ha_chassis: ch1: chassis is in the group twice" \
    osmotic-nbctl -- --id=@c create HA_Chassis chassis_name=ch1 priority=5 \
    -- add HA_Chassis_Group hg1 ha_chassis @c
# A chassis needs a name, and is in a group once, however it is written:
# the group's commands change its chassis with mutations, which later
# commands of a batch and the validation see too.
check_refused "empty chassis name" \
    osmotic-nbctl ha-chassis-group-add-chassis hg1 "" 5
ch2=$(osmotic-nbctl --bare --columns=_uuid find HA_Chassis chassis_name=ch2) \
    || fail "ch2 uuid"
check_refused "chassis_name: ch1: chassis is in HA chassis group hg1 twice" \
    osmotic-nbctl set HA_Chassis "$ch2" chassis_name=ch1
check_refused "chassis_name: empty chassis name" \
    osmotic-nbctl set HA_Chassis "$ch2" chassis_name='""'
# Added twice in one batch: one chassis, with the last priority.
check osmotic-nbctl ha-chassis-group-add-chassis hg1 ch3 5 \
    -- ha-chassis-group-add-chassis hg1 ch3 6 \
    -- ha-chassis-group-set-chassis-prio hg1 ch3 7
check_output 1 nb_count HA_Chassis chassis_name=ch3
check_output 7 osmotic-nbctl --bare --columns=priority find HA_Chassis \
    chassis_name=ch3
check osmotic-nbctl ha-chassis-group-add-chassis hg1 ch4 1 \
    -- ha-chassis-group-remove-chassis hg1 ch4 \
    -- ha-chassis-group-remove-chassis hg1 ch3
check_output 0 nb_count HA_Chassis chassis_name=ch3
check_output 0 nb_count HA_Chassis chassis_name=ch4
hg1=$(osmotic-nbctl get HA_Chassis_Group hg1 _uuid) || fail "hg1 uuid"
out=$(osmotic-nbctl ha-chassis-group-list) || fail "ha-chassis-group-list"
[ "$(head -1 <<<"$out")" = "$hg1 (hg1)" ] || fail "list: [$out]"
check_output "ch1 20
ch2 30" pipeline "osmotic-nbctl ha-chassis-group-list | awk '/\(ch/ { c = \$2 } /priority/ { print c, \$2 }' | tr -d '()' | sort"
# One group, by name or UUID.
check osmotic-nbctl ha-chassis-group-add hg2
check_output "$hg1 (hg1)" pipeline "osmotic-nbctl ha-chassis-group-list hg1 | head -1"
check_output "$out" osmotic-nbctl ha-chassis-group-list "$hg1"
check_output 0 pipeline "osmotic-nbctl ha-chassis-group-list hg1 | grep -c hg2 || true"
check osmotic-nbctl ha-chassis-group-del hg2
# A router port's group: no warning; a group in use is not deleted.
check osmotic-nbctl lrp-add lr0 lrp9 0a:00:00:00:01:09 10.0.9.1/24
err=$(osmotic-nbctl set Logical_Router_Port lrp9 ha_chassis_group="$hg1" \
          2>&1 >/dev/null) || fail "set lrp9 ha_chassis_group: $err"
[ -z "$err" ] || fail "a router port's group warned: [$err]"
check_refused "hg1: HA chassis group is in use by port lrp9" \
    osmotic-nbctl ha-chassis-group-del hg1
# A gateway port for NAT, as with gateway chassis.
check osmotic-nbctl --gateway-port=lrp9 lr-nat-add lr0 snat 10.0.9.1 \
    192.168.0.0/16
check osmotic-nbctl lr-nat-del lr0
check osmotic-nbctl clear Logical_Router_Port lrp9 ha_chassis_group
# The manual's idiom: attached by name in one transaction; a mistyped
# name names the missing row.  ovn-nbctl's $(find) idiom fails on a
# mistyped name with the generic message the manual warns of.
check osmotic-nbctl -- --id=@g get HA_Chassis_Group hg1 \
    -- set Logical_Router_Port lrp9 ha_chassis_group=@g
check_output "$hg1" osmotic-nbctl get Logical_Router_Port lrp9 \
    ha_chassis_group
check osmotic-nbctl clear Logical_Router_Port lrp9 ha_chassis_group
check_refused 'no row "hgx" in table HA_Chassis_Group' \
    osmotic-nbctl -- --id=@g get HA_Chassis_Group hgx \
    -- set Logical_Router_Port lrp9 ha_chassis_group=@g
check_refused 'ha_chassis_group=: argument does not end in "=" followed by a value' \
    osmotic-nbctl set Logical_Router_Port lrp9 ha_chassis_group="$(
        osmotic-nbctl --bare --columns=_uuid find HA_Chassis_Group name=hgx)"
# show and lrp-get-gateway-chassis print the port's own gateway chassis,
# also while its group overrides them (as ovn-nbctl does).
check osmotic-nbctl lrp-set-gateway-chassis lrp9 ch7 3 \
    -- set Logical_Router_Port lrp9 ha_chassis_group="$hg1"
check_output "lrp9-ch7     3" osmotic-nbctl lrp-get-gateway-chassis lrp9
check_output "        gateway chassis: [ch7]" \
    pipeline "osmotic-nbctl show lr0 | grep 'gateway chassis'"
check osmotic-nbctl clear Logical_Router_Port lrp9 ha_chassis_group
check osmotic-nbctl lrp-del lrp9
# A switch port's group warns.
err=$(osmotic-nbctl set Logical_Switch_Port p1 ha_chassis_group="$hg1" \
          2>&1 >/dev/null) || fail "set p1 ha_chassis_group: $err"
[ "$err" = "osmotic-nbctl: warning: HA chassis groups of switch ports are stored but not applied to traffic yet" ] \
    || fail "a switch port's group: [$err]"
check_refused "hg1: HA chassis group is in use by port p1" \
    osmotic-nbctl ha-chassis-group-del hg1
check osmotic-nbctl clear Logical_Switch_Port p1 ha_chassis_group
check osmotic-nbctl ha-chassis-group-remove-chassis hg1 ch1
check_output 1 nb_count HA_Chassis
check osmotic-nbctl ha-chassis-group-del hg1
check_output 0 nb_count HA_Chassis_Group
check_output 0 nb_count HA_Chassis

# CoPP.
check osmotic-nbctl meter-add m1 drop 10 pktps
err=$(osmotic-nbctl copp-add copp0 arp m1 2>&1 >/dev/null) || fail "copp-add"
case $err in
    *"warning: control plane protection (CoPP) is stored but not applied"*) ;;
    *) fail "copp-add warning: [$err]" ;;
esac
check osmotic-nbctl copp-add copp0 bfd m1
check_refused "Invalid control protocol. Allowed values: arp, arp-resolve," \
    osmotic-nbctl copp-add copp0 ssh m1
check_refused "meters:dns: nom: no meter named nom" \
    osmotic-nbctl copp-add copp0 dns nom
check_output "arp: m1
bfd: m1" osmotic-nbctl copp-list copp0
check osmotic-nbctl ls-copp-add copp0 sw0 -- lr-copp-add copp0 lr0
check_output "$(osmotic-nbctl get Copp copp0 _uuid)" \
    osmotic-nbctl get Logical_Router lr0 copp
check_refused "nosw: switch name not found" osmotic-nbctl ls-copp-add copp0 nosw
check_refused "nocopp: copp name not found" osmotic-nbctl lr-copp-add nocopp lr0
check_refused "m1: meter is used by the CoPP copp0" osmotic-nbctl destroy Meter m1
check osmotic-nbctl copp-del copp0 arp
check_output "bfd: m1" osmotic-nbctl copp-list copp0
check osmotic-nbctl copp-del copp0 bfd
check_output 0 nb_count Copp
check osmotic-nbctl copp-del copp0

# --may-exist on lrp-set-gateway-chassis is accepted (and changes
# nothing: the command updates an existing entry anyway).
check osmotic-nbctl lrp-add lr0 lrp0 00:00:00:00:ff:01 10.0.0.1/24
check osmotic-nbctl --may-exist lrp-set-gateway-chassis lrp0 gw1 10
check osmotic-nbctl --may-exist lrp-set-gateway-chassis lrp0 gw1 20
check_output "lrp0-gw1    20" osmotic-nbctl lrp-get-gateway-chassis lrp0

# ovn-nbctl's global options are accepted.
check osmotic-nbctl --no-leader-only --no-shuffle-remotes --no-syslog ls-list
check osmotic-nbctl --leader-only --shuffle-remotes ls-list
# --print-wait-time reports the stages once the wait is over.
check osmotic-nbctl set NB_Global . sb_cfg=100 hv_cfg=100 \
    nb_cfg_timestamp=0 sb_cfg_timestamp=0 hv_cfg_timestamp=0
out=$(osmotic-nbctl --wait=hv --print-wait-time --timeout=5 ls-add sw9) \
    || fail "--print-wait-time"
case $out in
    "Time spent on processing nb_cfg "*"osmotic-northd delay before processing:"*"osmotic-controller(s) completion:"*) ;;
    *) fail "--print-wait-time output: [$out]" ;;
esac
echo PASS
