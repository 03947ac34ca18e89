#!/bin/bash
# osmotic-nbctl: QoS rules of a switch (qos-add, qos-del, qos-list), with
# ovn-nbctl's arguments, output and messages; stored and validated, not
# applied to traffic yet.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl ls-add sw0
check osmotic-nbctl qos-add sw0 from-lport 600 tcp dscp=63
check osmotic-nbctl qos-add sw0 from-lport 500 udp rate=100 burst=1000
check osmotic-nbctl qos-add sw0 to-lport 100 ip4 dscp=13 rate=301 burst=30000
check_output "from-lport   600 (tcp) dscp=63
from-lport   500 (udp) rate=100 burst=1000
  to-lport   100 (ip4) rate=301 burst=30000 dscp=13" \
    osmotic-nbctl qos-list sw0
check_output 'dscp=13' osmotic-nbctl --bare --columns=action find QoS priority=100

# Duplicates, and bad values: nothing changes.
check_refused "Same qos already existed on the ls sw0." \
    osmotic-nbctl qos-add sw0 to-lport 100 ip4 dscp=11
check osmotic-nbctl --may-exist qos-add sw0 to-lport 100 ip4 dscp=11
check_refused "100010111111: rate must be in the range 1...4294967295" \
    osmotic-nbctl qos-add sw0 from-lport 600 ip rate=100010111111
check_refused "0: burst must be in the range 1...4294967295" \
    osmotic-nbctl qos-add sw0 from-lport 600 ip rate=1 burst=0
check_refused "-1: dscp must be in the range 0...63" \
    osmotic-nbctl qos-add sw0 from-lport 600 ip dscp=-1
check_refused 'dscpa=1: supported arguments are "dscp=", "rate=", and "burst="' \
    osmotic-nbctl qos-add sw0 from-lport 600 ip dscpa=1
check_refused 'Either "rate" and/or "dscp" must be specified' \
    osmotic-nbctl qos-add sw0 from-lport 600 ip burst=123
check_refused '"tcp.dts": no field of that name' \
    osmotic-nbctl qos-add sw0 from-lport 600 'tcp.dts == 1' dscp=1
check_refused "nosw: switch name not found" \
    osmotic-nbctl qos-add nosw from-lport 600 ip dscp=1
check_refused "a QoS rule needs a dscp action or a rate" \
    osmotic-nbctl set QoS "$(osmotic-nbctl --bare --columns=_uuid find QoS priority=600)" action='{}'
check_refused "bandwidth: a burst needs a rate" \
    osmotic-nbctl set QoS "$(osmotic-nbctl --bare --columns=_uuid find QoS priority=500)" bandwidth='{burst=5}'

# Deletion: one rule, one direction, by UUID, all.
check osmotic-nbctl qos-del sw0 to-lport
check_output "from-lport   600 (tcp) dscp=63
from-lport   500 (udp) rate=100 burst=1000" osmotic-nbctl qos-list sw0
check osmotic-nbctl qos-del sw0 from-lport 600 tcp
check_refused "no from-lport QoS rule with priority 600" \
    osmotic-nbctl qos-del sw0 from-lport 600 tcp
uuid=$(osmotic-nbctl --bare --columns=_uuid find QoS) || fail "find"
check_refused "uuid must be the only argument" \
    osmotic-nbctl qos-del sw0 "$uuid" 500 udp
check osmotic-nbctl qos-del sw0 "$uuid"
check_refused "uuid is not found" osmotic-nbctl qos-del sw0 "$uuid"
check_output 0 nb_count QoS
check osmotic-nbctl qos-add sw0 from-lport 1 ip dscp=1 -- qos-add sw0 to-lport 1 ip dscp=2
check osmotic-nbctl qos-del sw0
check_output 0 nb_count QoS
# A switch's rules go with it.
check osmotic-nbctl qos-add sw0 from-lport 1 ip dscp=1 -- ls-del sw0
check_output 0 nb_count QoS
