#!/bin/bash
# osmotic-nbctl: NAT rules of logical routers (lr-nat-add, lr-nat-del,
# lr-nat-list, lr-nat-update-ext-ip), with ovn-nbctl's arguments, output
# and messages, and the validation of rules that cannot live together
# whatever command writes them; stored, not applied to traffic yet.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl lr-add lr0 -- ls-add sw0 -- lsp-add sw0 pod1
HDR="TYPE             GATEWAY_PORT          EXTERNAL_IP        EXTERNAL_PORT    LOGICAL_IP          EXTERNAL_MAC         LOGICAL_PORT"

# Bad values change nothing.
check_refused 'nat: type must be one of "dnat", "snat" and "dnat_and_snat".' \
    osmotic-nbctl lr-nat-add lr0 nat 172.16.0.13 10.244.0.7
check_refused "172.16.0.300: Not a valid IPv4 or IPv6 address." \
    osmotic-nbctl lr-nat-add lr0 dnat 172.16.0.300 10.244.0.7
check_refused "10.244.0.0/24: Not a valid IPv4 address." \
    osmotic-nbctl lr-nat-add lr0 dnat 172.16.0.13 10.244.0.0/24
check_refused "fd00::7: Not a valid IPv4 address." \
    osmotic-nbctl lr-nat-add lr0 dnat 172.16.0.13 fd00::7
check_refused "10.244.0: should be an IPv4 address or network." \
    osmotic-nbctl lr-nat-add lr0 snat 172.16.0.13 10.244.0
check_refused "nopod: port name not found" \
    osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.16.0.13 10.244.0.7 nopod 0a:00:00:00:03:02
check_refused "invalid mac address 0a:00:00:00:03." \
    osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.16.0.13 10.244.0.7 pod1 0a:00:00:00:03
check_refused 'logical_port and external_mac are only valid when type is "dnat_and_snat".' \
    osmotic-nbctl lr-nat-add lr0 dnat 172.16.0.13 10.244.0.7 pod1 0a:00:00:00:03:02
check_refused "lr-nat-add with logical_port must also specify external_mac." \
    osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.16.0.13 10.244.0.7 pod1
check_refused "routes cannot be added for snat types." \
    osmotic-nbctl --add-route lr-nat-add lr0 snat 172.16.0.13 10.244.0.0/24
check_refused "stateless is not applicable to dnat or snat types" \
    osmotic-nbctl --stateless lr-nat-add lr0 dnat 172.16.0.13 10.244.0.7
for range in 0 1- -300 1-2-3 300-300 500-300 a-300 100-b 0-10 1-65536; do
    check_refused "invalid port range $range." \
        osmotic-nbctl --portrange lr-nat-add lr0 dnat 172.16.0.13 10.244.0.7 $range
done
check_output 0 nb_count NAT

# Rules; a network given with host bits set means the network.
check osmotic-nbctl lr-nat-add lr0 snat 172.16.0.10 10.244.0.1/24
check osmotic-nbctl lr-nat-add lr0 dnat_and_snat 172.16.0.11 10.244.0.5 pod1 0a:00:00:00:03:01
check osmotic-nbctl lr-nat-add lr0 dnat 172.16.0.12 10.244.0.6
check osmotic-nbctl lr-nat-add lr0 dnat fd01::1 fd11::2
check osmotic-nbctl --portrange lr-nat-add lr0 dnat 172.16.0.14 10.244.0.8 1-3000
check osmotic-nbctl --add-route lr-nat-add lr0 dnat 172.16.0.15 10.244.0.9
check_output "$HDR
dnat                                   172.16.0.12                         10.244.0.6
dnat                                   172.16.0.14        1-3000           10.244.0.8
dnat                                   172.16.0.15                         10.244.0.9
dnat                                   fd01::1                             fd11::2
dnat_and_snat                          172.16.0.11                         10.244.0.5          0a:00:00:00:03:01    pod1
snat                                   172.16.0.10                         10.244.0.0/24" \
    osmotic-nbctl lr-nat-list lr0
check_output '{add_route="true", stateless="false"}' \
    osmotic-nbctl get NAT "$(osmotic-nbctl --bare --columns=_uuid find NAT external_ip=172.16.0.15)" options
out=$(osmotic-nbctl show lr0) || fail "show lr0"
grep -qxF '        external port(s): "1-3000"' <<<"$out" \
    || fail "show lacks the port range: $out"

# A rule that duplicates or contradicts another is refused; --may-exist
# accepts the same rule, and updates its logical port and MAC.
check_refused "172.16.0.12, 10.244.0.6: a NAT with this external_ip and logical_ip already exists" \
    osmotic-nbctl lr-nat-add lr0 dnat 172.16.0.12 10.244.0.6
check_refused "a NAT with this type (dnat), external_ip (172.16.0.12) already exists" \
    osmotic-nbctl lr-nat-add lr0 dnat 172.16.0.12 10.244.0.7
check_refused "a NAT with this type (dnat), external_ip (172.16.0.12) already exists" \
    osmotic-nbctl --may-exist lr-nat-add lr0 dnat 172.16.0.12 10.244.0.7
check_refused "a NAT with this type (snat), logical_ip (10.244.0.0/24) already exists" \
    osmotic-nbctl lr-nat-add lr0 snat 172.16.0.99 10.244.0.0/24
check osmotic-nbctl --may-exist lr-nat-add lr0 dnat_and_snat 172.16.0.11 10.244.0.5
check_output "" osmotic-nbctl --bare --columns=logical_port find NAT type=dnat_and_snat
# Several networks may leave through one external IP.
check osmotic-nbctl lr-nat-add lr0 snat 172.16.0.10 10.244.1.0/24

# Stateless rules keep their external IP to themselves.
check osmotic-nbctl --stateless lr-nat-add lr0 dnat_and_snat 172.16.0.20 10.244.0.20
check_output 1 nb_count NAT options:stateless=true
check_refused "172.16.0.20, 10.244.0.21: External ip cannot be shared across stateless and stateful NATs" \
    osmotic-nbctl lr-nat-add lr0 snat 172.16.0.20 10.244.0.21
check_refused "172.16.0.10, 10.244.0.22: External ip cannot be shared across stateless and stateful NATs" \
    osmotic-nbctl --stateless lr-nat-add lr0 dnat_and_snat 172.16.0.10 10.244.0.22
# The generic commands are held to the same rules.
uuid=$(osmotic-nbctl --bare --columns=_uuid find NAT external_ip=172.16.0.14) \
    || fail "find NAT"
check_refused "Logical_Router lr0: nat: two dnat rules for external IP 172.16.0.12" \
    osmotic-nbctl set NAT "$uuid" external_ip=172.16.0.12
check_refused "external_port_range: 0-5: invalid port range" \
    osmotic-nbctl set NAT "$uuid" external_port_range=0-5
check_refused "options:stateless: only a dnat_and_snat rule can be stateless, not dnat" \
    osmotic-nbctl set NAT "$uuid" options:stateless=true
check_refused "nat: external IP 172.16.0.20 is shared by a stateless NAT rule and another rule" \
    osmotic-nbctl set NAT "$uuid" external_ip=172.16.0.20

# External IPs a rule applies to, or does not.
check osmotic-nbctl as-add allowed 1.1.1.1 -- as-add exempted 2.2.2.2
check osmotic-nbctl lr-nat-update-ext-ip lr0 snat 10.244.0.0/24 allowed
allowed=$(osmotic-nbctl get Address_Set allowed _uuid) || fail "get allowed"
check_output "$allowed" osmotic-nbctl --bare --columns=allowed_ext_ips find NAT logical_ip='"10.244.0.0/24"'
# Exempting replaces the allowed set (a rule with both would be ignored).
check osmotic-nbctl --is-exempted lr-nat-update-ext-ip lr0 snat 10.244.0.0/24 exempted
check_output "" osmotic-nbctl --bare --columns=allowed_ext_ips find NAT logical_ip='"10.244.0.0/24"'
check_refused "nosuch: Address Set name not found" \
    osmotic-nbctl lr-nat-update-ext-ip lr0 snat 10.244.0.0/24 nosuch
check_refused "10.244.16: Invalid IP address or CIDR" \
    osmotic-nbctl lr-nat-update-ext-ip lr0 snat 10.244.16 allowed
check_refused "dnat: Could not locate nat rule for: 10.9.9.9." \
    osmotic-nbctl lr-nat-update-ext-ip lr0 dnat 10.9.9.9 allowed
check_refused "'lr-nat-update-ext-ip' command requires at least 4 arguments" \
    osmotic-nbctl lr-nat-update-ext-ip lr0 snat 10.244.0.0/24
check_refused "allowed_ext_ips and exempted_ext_ips exclude each other" \
    osmotic-nbctl set NAT "$(osmotic-nbctl --bare --columns=_uuid find NAT logical_ip='"10.244.0.0/24"')" allowed_ext_ips="$allowed"
check_refused "exempted: Address Set is used by the NAT rule for snat 172.16.0.10" \
    osmotic-nbctl as-del exempted

# Routers with several gateway ports: a rule names its gateway port, or
# the external IP says which one it is.
check osmotic-nbctl lrp-add lr0 gw0 00:00:00:01:02:03 172.64.0.10/24 \
    -- lrp-add lr0 gw1 00:00:00:01:02:04 172.64.1.10/24 \
    -- lrp-add lr0 plain 00:00:00:01:02:05 172.64.2.10/24 \
    -- lrp-set-gateway-chassis gw0 chassis1 -- lrp-set-gateway-chassis gw1 chassis2
check_refused "plain is not a distributed gateway router port." \
    osmotic-nbctl --gateway-port=plain lr-nat-add lr0 dnat 172.64.2.10 20.0.0.10
check osmotic-nbctl lr-add lr1 -- lrp-add lr1 other 00:00:00:01:02:06 172.64.3.10/24
check_refused "other is not a router port of logical router: lr0." \
    osmotic-nbctl --gateway-port=other lr-nat-add lr0 dnat 172.64.3.10 20.0.0.10
check_refused "logical router: lr0 has multiple distributed gateway ports and gateway_port can not be determined from external IP of NAT rule." \
    osmotic-nbctl lr-nat-add lr0 dnat 30.0.0.10 20.0.0.10
check osmotic-nbctl --gateway-port=gw0 lr-nat-add lr0 dnat 30.0.0.10 20.0.0.10
check osmotic-nbctl --gateway-port=gw1 lr-nat-add lr0 dnat 30.0.0.10 20.0.0.10
check osmotic-nbctl lr-nat-add lr0 snat 172.64.1.10 20.0.0.10
check_refused "172.64.1.10, 20.0.0.10: a NAT with this external_ip and logical_ip already exists" \
    osmotic-nbctl --gateway-port=gw1 lr-nat-add lr0 snat 172.64.1.10 20.0.0.10
check_output "dnat             gw0                   30.0.0.10                           20.0.0.10
dnat             gw1                   30.0.0.10                           20.0.0.10" \
    pipeline "osmotic-nbctl lr-nat-list lr0 | grep 30.0.0.10"
check_refused "applies on gateway port other, which is not a port of the router" \
    osmotic-nbctl set NAT "$(osmotic-nbctl --bare --columns=_uuid find NAT external_ip=30.0.0.10 gateway_port=$(osmotic-nbctl get Logical_Router_Port gw0 _uuid))" \
    gateway_port="$(osmotic-nbctl get Logical_Router_Port other _uuid)"

# Deletion: by type and gateway port, by type, IP and gateway port, by
# type and IP (nothing to delete is not an error), by type, all.
check osmotic-nbctl lr-nat-del lr0 dnat gw0
check_output "dnat             gw1                   30.0.0.10                           20.0.0.10" \
    pipeline "osmotic-nbctl lr-nat-list lr0 | grep 30.0.0.10"
check_refused "gw9: port name not found" osmotic-nbctl lr-nat-del lr0 dnat gw9
check_refused "no matching NAT with the type (dnat), external_ip (30.0.0.10) and gateway_port (gw0)" \
    osmotic-nbctl lr-nat-del lr0 dnat 30.0.0.10 gw0
check osmotic-nbctl --if-exists lr-nat-del lr0 dnat 30.0.0.10 gw0
check osmotic-nbctl lr-nat-del lr0 dnat 30.0.0.10 gw1
check_refused "30.0.0: Invalid IP address or CIDR" \
    osmotic-nbctl lr-nat-del lr0 dnat 30.0.0 gw1
check osmotic-nbctl lr-nat-del lr0 dnat fd01::1
check osmotic-nbctl lr-nat-del lr0 dnat 10.99.99.99
check_output 0 nb_count NAT external_ip='"fd01::1"'
check osmotic-nbctl lr-nat-del lr0 dnat
check_output 0 nb_count NAT type=dnat
check osmotic-nbctl lr-nat-del lr0
check_output "" osmotic-nbctl lr-nat-list lr0
check_output 0 nb_count NAT
