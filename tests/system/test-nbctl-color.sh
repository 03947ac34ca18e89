#!/bin/bash
# osmotic-nbctl: colours, flow classes and ramp-out rules, with range,
# reference and match checks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

# Colours.
check osmotic-nbctl color-add mice dscp=0 lane=0
check osmotic-nbctl color-add elephants dscp=10 lane=1 rate=100000 burst=1000 rampout=gw1,gw2
check_output "elephants: dscp=10 lane=1 rate=100000 burst=1000 rampout=gw1,gw2
mice: dscp=0 lane=0" osmotic-nbctl color-list
check_output '[gw1, gw2]' osmotic-nbctl get Color elephants rampout_chassis
check_refused "64: invalid DSCP (expected an integer from 0 to 63)" \
    osmotic-nbctl color-add c1 dscp=64
check_refused "16: invalid lane (expected an integer from 0 to 15)" \
    osmotic-nbctl color-add c1 lane=16
check_refused "0: invalid rate" osmotic-nbctl color-add c1 rate=0
check_refused "burst=10: a burst needs a rate" \
    osmotic-nbctl color-add c1 burst=10
check_refused "\"\": invalid chassis name" \
    osmotic-nbctl color-add c1 rampout=gw1,,gw2
check_refused "speed: unknown setting" osmotic-nbctl color-add c1 speed=3
check_refused "dscp: invalid setting (expected KEY=VALUE)" \
    osmotic-nbctl color-add c1 dscp
check_refused "mice: a colour with this name already exists" \
    osmotic-nbctl color-add mice
check_refused "1st: invalid name" osmotic-nbctl color-add 1st
check osmotic-nbctl --may-exist color-add mice
check osmotic-nbctl color-set mice dscp=8 rampout=gw3
check_output "mice: dscp=8 lane=0 rampout=gw3" pipeline "osmotic-nbctl color-list | grep ^mice"
check osmotic-nbctl color-set mice lane= rampout=
check_output "mice: dscp=8" pipeline "osmotic-nbctl color-list | grep ^mice"
check_refused "-1: invalid DSCP" osmotic-nbctl color-set mice dscp=-1
check_refused "nocolor: colour name not found" osmotic-nbctl color-set nocolor dscp=1
check_refused "Color mice: meter_burst: a burst needs a rate" \
    osmotic-nbctl set Color mice meter_burst=5

# Flow classes; options may follow the arguments or precede the command.
check osmotic-nbctl class-add bulk 100 'tcp.dst == 21' mice \
    --promote-to=elephants --promote-bytes=10000000 --interval=1000
check osmotic-nbctl --promote-to=elephants --promote-rate=1250000 \
    --demote-idle=30 class-add stream 90 'udp' mice
check osmotic-nbctl class-add coap 200 'udp.dst == 5683' mice
check_output "coap: priority=200 match=(udp.dst == 5683) color=mice
bulk: priority=100 match=(tcp.dst == 21) color=mice promote-to=elephants promote-bytes=10000000 interval=1000
stream: priority=90 match=(udp) color=mice promote-to=elephants promote-rate=1250000 demote-idle=30" \
    osmotic-nbctl class-list
check_output "$(osmotic-nbctl get Color elephants _uuid)" osmotic-nbctl get Flow_Class bulk promote_color
check_refused 'tcp.dst == 99999: column 1' \
    osmotic-nbctl class-add c1 10 'tcp.dst == 99999' mice
check_refused 'ip.proto == 6 && udp.dst == 1: match can never be true: ip.proto == 6 && ip.proto == 17' \
    osmotic-nbctl class-add c1 10 'ip.proto == 6 && udp.dst == 1' mice
check_refused 'tcp.dst = 80: column 9' \
    osmotic-nbctl class-add c1 10 'tcp.dst = 80' mice
check_refused "grey: colour name not found" \
    osmotic-nbctl class-add c1 10 'tcp' grey
check_refused "navy: colour name not found" \
    osmotic-nbctl class-add c1 10 'tcp' mice --promote-to=navy --promote-bytes=5
check_refused "--promote-to=elephants needs --promote-bytes or --promote-rate" \
    osmotic-nbctl class-add c1 10 'tcp' mice --promote-to=elephants
check_refused "promotion options need --promote-to" \
    osmotic-nbctl class-add c1 10 'tcp' mice --promote-bytes=5
check_refused "--promote-to=mice: a class cannot promote to its own colour" \
    osmotic-nbctl class-add c1 10 'tcp' mice --promote-to=mice --promote-bytes=5
check_refused "50: invalid interval (expected an integer from 100 to 3600000)" \
    osmotic-nbctl class-add c1 10 'tcp' mice --promote-to=elephants --promote-bytes=5 --interval=50
check_refused "0: invalid promote-bytes" \
    osmotic-nbctl class-add c1 10 'tcp' mice --promote-to=elephants --promote-bytes=0
check_refused "90000: invalid demote-idle" \
    osmotic-nbctl class-add c1 10 'tcp' mice --promote-to=elephants --promote-bytes=5 --demote-idle=90000
check_refused "40000: invalid priority" osmotic-nbctl class-add c1 40000 'tcp' mice
check_refused "--speed=3: unknown option" osmotic-nbctl class-add c1 1 tcp mice --speed=3
check_refused "expected NAME PRIORITY MATCH COLOR, got 5 arguments" \
    osmotic-nbctl class-add c1 1 tcp mice extra
check_refused "bulk: a flow class with this name already exists" \
    osmotic-nbctl class-add bulk 1 tcp mice
check_refused "Flow_Class bulk: match: column 1" \
    osmotic-nbctl set Flow_Class bulk 'match="tcp.dts == 1"'
check_refused "Flow_Class coap: promote_color: promotion needs promote_bytes or promote_rate" \
    osmotic-nbctl set Flow_Class coap promote_color=$(osmotic-nbctl get Color elephants _uuid)
check_refused "elephants: colour is used by flow class" \
    osmotic-nbctl color-del elephants

# Ramp-out rules.
check osmotic-nbctl lr-add lr0
check osmotic-nbctl rampout-add lr0 edge 10.244.1.0/24,10.244.2.0/24 gw1,gw2 \
    --snat-ip=172.16.0.10 --color=elephants --priority=10
check osmotic-nbctl rampout-add lr0 fog 10.244.3.0/24 gw3:7,gw1:9
check_output "edge: priority=10 subnets=10.244.1.0/24,10.244.2.0/24 gateways=gw1:2,gw2:1 snat-ip=172.16.0.10 color=elephants
fog: priority=0 subnets=10.244.3.0/24 gateways=gw1:9,gw3:7" osmotic-nbctl rampout-list lr0
check_output 4 nb_count Gateway_Chassis
check_refused "10.244.4.1/24: CIDR has host bits set" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.1/24 gw1
check_refused "10.244.4.0/33: invalid" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.0/33 gw1
check_refused "172.16.0.300: invalid IP address" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.0/24 gw1 --snat-ip=172.16.0.300
check_refused "grey: colour name not found" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.0/24 gw1 --color=grey
check_refused "40000: invalid chassis priority" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.0/24 gw1:40000
check_refused "gw1: chassis listed twice" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.0/24 gw1,gw1
check_refused "\"\": invalid chassis name" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.0/24 gw1,
check_refused "-1: invalid priority" \
    osmotic-nbctl rampout-add lr0 r1 10.244.4.0/24 gw1 --priority=-1
check_refused "nolr: router name not found" \
    osmotic-nbctl rampout-add nolr r1 10.244.4.0/24 gw1
check_refused "edge: router lr0 already has a ramp-out rule" \
    osmotic-nbctl rampout-add lr0 edge 10.244.4.0/24 gw1
check osmotic-nbctl --may-exist rampout-add lr0 edge 10.244.4.0/24 gw1
check_refused "Rampout_Rule edge: subnets: 10.0.0.0/99: invalid" \
    osmotic-nbctl add Rampout_Rule edge subnets '"10.0.0.0/99"'
check_refused "elephants: colour is used by" osmotic-nbctl color-del elephants
check osmotic-nbctl rampout-del lr0 edge
check_refused "edge: router lr0 has no ramp-out rule with this name" \
    osmotic-nbctl rampout-del lr0 edge
check osmotic-nbctl --if-exists rampout-del lr0 edge
check_output 2 nb_count Gateway_Chassis
check osmotic-nbctl class-del bulk -- class-del stream
check osmotic-nbctl color-del elephants
check_output "mice: dscp=8" osmotic-nbctl color-list
echo PASS
