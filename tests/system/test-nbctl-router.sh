#!/bin/bash
# osmotic-nbctl: logical routers, router ports, gateway chassis, static
# routes and NAT, with validation of every value.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl lr-add lr0 -- lr-add lr1
check_refused "lr0: a router with this name already exists" \
    osmotic-nbctl lr-add lr0
check osmotic-nbctl --may-exist lr-add lr0
check_output "lr0
lr1" pipeline "osmotic-nbctl lr-list | sed 's/.*(\(.*\))/\1/'"

# Router ports.
check osmotic-nbctl lrp-add lr0 lr0-sw0 0a:00:00:00:01:01 10.244.0.1/24 fd00::1/64
check_output '["10.244.0.1/24", "fd00::1/64"]' \
    osmotic-nbctl get Logical_Router_Port lr0-sw0 networks
check_output '"0a:00:00:00:01:01"' osmotic-nbctl get Logical_Router_Port lr0-sw0 mac
check_refused "lrp2: invalid mac address 0a:00:00:00:01" \
    osmotic-nbctl lrp-add lr0 lrp2 0a:00:00:00:01 10.0.0.1/24
check_refused "lrp2: invalid network address: 10.0.0.1: network must be ADDRESS/PLEN" \
    osmotic-nbctl lrp-add lr0 lrp2 0a:00:00:00:01:02 10.0.0.1
check_refused "lrp2: invalid network address: 10.0.0.1/40: invalid" \
    osmotic-nbctl lrp-add lr0 lrp2 0a:00:00:00:01:02 10.0.0.1/40
check_refused "lrp2: router port requires specifying a network" \
    osmotic-nbctl lrp-add lr0 lrp2 0a:00:00:00:01:02 peer=x
check_refused "nolr: router name not found" \
    osmotic-nbctl lrp-add nolr lrp2 0a:00:00:00:01:02 10.0.0.1/24
check_refused "lr0-sw0: a port with this name already exists" \
    osmotic-nbctl lrp-add lr0 lr0-sw0 0a:00:00:00:01:01 10.244.0.1/24
check osmotic-nbctl --may-exist lrp-add lr0 lr0-sw0 0a:00:00:00:01:01 fd00::1/64 10.244.0.1/24
check_refused "lr0-sw0: port already exists with mac 0a:00:00:00:01:01" \
    osmotic-nbctl --may-exist lrp-add lr0 lr0-sw0 0a:00:00:00:01:09 10.244.0.1/24
# Peers must exist: a pair is created in one batch.
check_refused "Logical_Router_Port a: peer: b: no logical router port named b" \
    osmotic-nbctl lrp-add lr0 a 0a:00:00:00:02:01 169.254.0.1/30 peer=b
check osmotic-nbctl lrp-add lr0 a 0a:00:00:00:02:01 169.254.0.1/30 peer=b \
    -- lrp-add lr1 b 0a:00:00:00:02:02 169.254.0.2/30 peer=a
check_output b osmotic-nbctl get Logical_Router_Port a peer
check_refused "peer: nothere: no logical router port named nothere" \
    osmotic-nbctl set Logical_Router_Port a peer=nothere
check_refused "Logical_Router_Port a: mac: 0a:zz:00:00:02:01: invalid MAC" \
    osmotic-nbctl set Logical_Router_Port a mac='"0a:zz:00:00:02:01"'
check_refused "networks: 300.0.0.1/24: invalid CIDR" \
    osmotic-nbctl add Logical_Router_Port a networks '"300.0.0.1/24"'

check osmotic-nbctl lrp-set-enabled a disabled
check_output disabled osmotic-nbctl lrp-get-enabled a
check_refused "off: state must be" \
    osmotic-nbctl lrp-set-enabled a off

# Gateway chassis: the chassis need not exist yet.
check osmotic-nbctl lrp-set-gateway-chassis lr0-sw0 gw1 10
check osmotic-nbctl lrp-set-gateway-chassis lr0-sw0 gw2 20
check_output "lr0-sw0-gw2    20
lr0-sw0-gw1    10" osmotic-nbctl lrp-get-gateway-chassis lr0-sw0
check osmotic-nbctl lrp-set-gateway-chassis lr0-sw0 gw1 30
check_output "lr0-sw0-gw1    30
lr0-sw0-gw2    20" osmotic-nbctl lrp-get-gateway-chassis lr0-sw0
check_refused "32768: invalid priority" \
    osmotic-nbctl lrp-set-gateway-chassis lr0-sw0 gw3 32768
check_refused "nop: port name not found" \
    osmotic-nbctl lrp-set-gateway-chassis nop gw3
check osmotic-nbctl lrp-del-gateway-chassis lr0-sw0 gw2
check_output 1 nb_count Gateway_Chassis
check_refused "chassis gw2 is not added to logical port lr0-sw0" \
    osmotic-nbctl lrp-del-gateway-chassis lr0-sw0 gw2
# A port deleted and added again in one batch gets gateway chassis of
# the same names.
check osmotic-nbctl lrp-add lr0 gwp 0a:00:00:00:01:07 10.9.0.1/24 \
    -- lrp-set-gateway-chassis gwp gw1 10
check osmotic-nbctl lrp-del gwp -- lrp-add lr0 gwp 0a:00:00:00:01:07 10.9.0.1/24 \
    -- lrp-set-gateway-chassis gwp gw1 20
check_output "gwp-gw1    20" osmotic-nbctl lrp-get-gateway-chassis gwp

# Redirect type of a gateway port.
check_output overlay osmotic-nbctl lrp-get-redirect-type gwp
check osmotic-nbctl lrp-set-redirect-type gwp bridged
check_output bridged osmotic-nbctl lrp-get-redirect-type gwp
check_refused "Invalid redirect type: abcd" \
    osmotic-nbctl lrp-set-redirect-type gwp abcd
check_refused "nop: port name not found" \
    osmotic-nbctl lrp-set-redirect-type nop bridged
check osmotic-nbctl lrp-del gwp
check_output 1 nb_count Gateway_Chassis

# lrp-add sets other columns after the networks, as "set" does.
check osmotic-nbctl lrp-add lr0 withopt 0a:00:00:00:01:08 10.8.0.1/24 \
    options:route_table=rtb1 enabled=false
check_output rtb1 osmotic-nbctl get Logical_Router_Port withopt options:route_table
check_output false osmotic-nbctl get Logical_Router_Port withopt enabled
check_refused "does not contain a column whose name matches \"nosuch\"" \
    osmotic-nbctl lrp-add lr0 withbad 0a:00:00:00:01:09 10.7.0.1/24 nosuch=1
check osmotic-nbctl lrp-del withopt

# Routers, like switches, may share a name with --add-duplicate.
check osmotic-nbctl --add-duplicate lr-add lr1
check_refused "Multiple logical routers named 'lr1'.  Use a UUID." \
    osmotic-nbctl lrp-list lr1
dup=$(osmotic-nbctl --bare --columns=_uuid find Logical_Router name=lr1 \
          ports='[]') || fail "find lr1"
check osmotic-nbctl lr-del "$dup"

# Static routes and policies (tests/system/test-nbctl-route.sh has the
# details).
check osmotic-nbctl lr-route-add lr0 0.0.0.0/0 10.244.0.254
check_refused "b: logical router lr0 has no port with this name" \
    osmotic-nbctl lr-route-add lr0 10.244.2.0/24 10.244.0.1 b
check osmotic-nbctl lr-route-del lr0
check_output 0 nb_count Logical_Router_Static_Route

# NAT (tests/system/test-nbctl-nat.sh has the details).
check osmotic-nbctl ls-add sw0 -- lsp-add sw0 pod1
check osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.16.0.11 10.244.0.5 pod1 0a:00:00:00:03:01
check_refused "logical_port: ghost: no logical switch port named ghost" \
    osmotic-nbctl set NAT "$(osmotic-nbctl --bare --columns=_uuid list NAT)" \
    logical_port=ghost

# show.
out=$(osmotic-nbctl show lr0) || fail "show lr0"
for line in "    port lr0-sw0" "        mac: \"0a:00:00:00:01:01\"" \
            "        gateway chassis: [gw1]" "    port a" \
            "        type: \"dnat_and_snat\"" "        external ip: \"172.16.0.11\""; do
    grep -qxF -- "$line" <<<"$out" || fail "show lr0 lacks [$line]: $out"
done

# A switch port of type router names its router port, which must exist.
check osmotic-nbctl lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lr0-sw0
check_refused "Logical_Switch_Port sw0-lr0: options:router-port: nolrp: no logical router port named nolrp" \
    osmotic-nbctl lsp-set-options sw0-lr0 router-port=nolrp
check_refused "lr0-sw0: logical router port is used by the logical switch port sw0-lr0" \
    osmotic-nbctl lrp-del lr0-sw0
check osmotic-nbctl lsp-del sw0-lr0

# Deleting a row that another names is refused unless the other goes too.
check_refused "b: logical router port is used by the logical router port a" \
    osmotic-nbctl lrp-del b
check_refused "b: logical router port is used by the logical router port a" \
    osmotic-nbctl lr-del lr1
check_refused "pod1: logical switch port is used by the NAT rule dnat_and_snat" \
    osmotic-nbctl lsp-del pod1
check_refused "pod1: logical switch port is used by the NAT rule dnat_and_snat" \
    osmotic-nbctl ls-del sw0
check osmotic-nbctl lrp-del b -- lrp-del a

# Deleting a port and a router.
check osmotic-nbctl lrp-del lr0-sw0
check_output 0 nb_count Gateway_Chassis
check osmotic-nbctl lr-del lr0
check_output 0 nb_count NAT
check_refused "lr0: router name not found" osmotic-nbctl lr-del lr0
check osmotic-nbctl --if-exists lr-del lr0
echo PASS
