#!/bin/bash
# osmotic-nbctl: colours, flow classes and ramp-out rules, with range,
# reference and match checks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

# Colours.
check osmotic-nbctl color-add mice dscp=0 lane=0
check osmotic-nbctl color-add elephants dscp=10 lane=1 rate=100000 burst=1000 rampout=gw2,gw1
check_output "elephants: dscp=10 lane=1 rate=100000 burst=1000 rampout=gw2:2,gw1:1 active=none
mice: dscp=0 lane=0" osmotic-nbctl color-list
# The order of preference is stored as priorities (an OVSDB set has no
# order).
check_output '["gw1:1", "gw2:2"]' osmotic-nbctl get Color elephants rampout_chassis
check osmotic-nbctl color-add gold rampout=gw1:5,gw3:20,gw2 snat-ip=172.16.0.10
check_output "gold: rampout=gw3:20,gw1:5,gw2:1 snat-ip=172.16.0.10 active=none" \
    pipeline "osmotic-nbctl color-list | grep ^gold"
check_output '"172.16.0.10"' osmotic-nbctl get Color gold options:snat_ip
check osmotic-nbctl color-set gold snat-ip=
check_output "gold: rampout=gw3:20,gw1:5,gw2:1 active=none" \
    pipeline "osmotic-nbctl color-list | grep ^gold"
# Of chassis with equal priorities, northd prefers the name that sorts
# last (as for Gateway_Chassis): color-list prints it first.
check osmotic-nbctl color-set gold rampout=gw1:5,gw2:5
check_output "gold: rampout=gw2:5,gw1:5 active=none" \
    pipeline "osmotic-nbctl color-list | grep ^gold"
check_refused "gw1: chassis listed twice" \
    osmotic-nbctl color-add c1 rampout=gw1,gw2,gw1
check_refused "40000: invalid chassis priority" \
    osmotic-nbctl color-add c1 rampout=gw1:40000
check_refused "172.16.0.300: invalid IP" \
    osmotic-nbctl color-add c1 snat-ip=172.16.0.300
check_refused "rampout_chassis: gw1:x: invalid priority" \
    osmotic-nbctl set Color gold 'rampout_chassis="gw1:x"'
check_refused "rampout_chassis: gw1: chassis listed twice" \
    osmotic-nbctl set Color gold 'rampout_chassis="gw1:1","gw1:2"'
check_refused "options:snat_ip: " \
    osmotic-nbctl set Color gold options:snat_ip=nowhere
# A SNAT address is answered for by ARP and applied to IPv4 traffic.
check_refused "fd00::10: not an IPv4 address" \
    osmotic-nbctl color-add c1 snat-ip=fd00::10
check_refused "options:snat_ip: fd00::10: not an IPv4 address" \
    osmotic-nbctl set Color gold options:snat_ip=fd00::10
check osmotic-nbctl color-del gold
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
# Each setting once, with a well-formed value; only color-set clears.
check_refused "dscp: setting given twice" \
    osmotic-nbctl color-add c1 dscp=1 dscp=2
check_refused " 5: invalid DSCP" osmotic-nbctl color-add c1 'dscp= 5'
check_refused "+5: invalid DSCP" osmotic-nbctl color-add c1 dscp=+5
check_refused "-0: invalid lane" osmotic-nbctl color-add c1 lane=-0
check_refused "1 : invalid rate" osmotic-nbctl color-add c1 'rate=1 '
check_refused "dscp=: empty value" osmotic-nbctl color-add c1 dscp=
check_refused "rampout=: empty value" \
    osmotic-nbctl color-add c1 rampout=
check_refused "lane: setting given twice" \
    osmotic-nbctl color-set mice lane=1 lane=
check_refused "0x3: invalid DSCP" osmotic-nbctl color-set mice dscp=0x3
check_refused "a-b: invalid name (only letters, digits, '_' and '.' are allowed)" \
    osmotic-nbctl color-add a-b
check osmotic-nbctl color-add a.b -- color-del a.b
# --may-exist leaves an existing colour as it is, and says so when the
# settings given differ; bad settings are refused all the same.
check_output "mice: dscp=0 lane=0" pipeline "osmotic-nbctl color-list | grep ^mice"
check_output "" osmotic-nbctl --may-exist color-add mice dscp=0
out=$(osmotic-nbctl --timeout=10 --may-exist color-add mice dscp=12 2>&1) \
    || fail "--may-exist color-add of an existing colour failed: $out"
grep -q "mice: the colour exists with other settings, which --may-exist leaves unchanged" <<<"$out" \
    || fail "--may-exist color-add with other settings said: $out"
check_output "mice: dscp=0 lane=0" pipeline "osmotic-nbctl color-list | grep ^mice"
check_refused "99: invalid DSCP" \
    osmotic-nbctl --may-exist color-add mice dscp=99
check osmotic-nbctl color-set mice dscp=8 rampout=gw3
check_output "mice: dscp=8 lane=0 rampout=gw3:1 active=none" pipeline "osmotic-nbctl color-list | grep ^mice"
check osmotic-nbctl color-set mice lane= rampout=
check_output "mice: dscp=8" pipeline "osmotic-nbctl color-list | grep ^mice"
check_refused "-1: invalid DSCP" osmotic-nbctl color-set mice dscp=-1
check_refused "nocolor: colour name not found" osmotic-nbctl color-set nocolor dscp=1
check_refused "Color mice: meter_burst: a burst needs a rate" \
    osmotic-nbctl set Color mice meter_burst=5
# A colour keeps its name, whichever command writes it ("mouse" colours
# all unclassified traffic: a rename would give it another's settings).
check_refused "Color mice2: name: colour mice cannot be renamed (to mice2)" \
    osmotic-nbctl set Color mice name=mice2
check_refused "cannot be renamed" \
    osmotic-nbctl set Color mice name=mice2 -- set Color elephants name=mice
check_refused "name: unknown setting" \
    osmotic-nbctl color-set mice name=mice2

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
check_refused "--promote-to: option needs a value after '=' (--promote-to=COLOR)" \
    osmotic-nbctl class-add c1 1 tcp mice --promote-to elephants --promote-bytes=5
check_refused "--promote-rate: option needs a value after '=' (--promote-rate=BYTES_PER_S)" \
    osmotic-nbctl class-add c1 1 tcp mice --promote-to=elephants --promote-rate 5
check_refused "--may-exist=yes: option takes no value" \
    osmotic-nbctl class-add c1 1 tcp mice --may-exist=yes
check_refused "--interval: option given twice" \
    osmotic-nbctl class-add c1 1 tcp mice --promote-to=elephants \
    --promote-bytes=5 --interval=100 --interval=200
check_refused " 5: invalid promote-bytes" \
    osmotic-nbctl class-add c1 1 tcp mice --promote-to=elephants '--promote-bytes= 5'
check_refused ": invalid promote-bytes" \
    osmotic-nbctl class-add c1 1 tcp mice --promote-to=elephants --promote-bytes=
check_refused "--snat-ip: option needs a value after '=' (--snat-ip=IP)" \
    osmotic-nbctl rampout-add lr9 r1 10.244.4.0/24 gw1 --snat-ip 1.2.3.4
check_refused "expected NAME PRIORITY MATCH COLOR, got 5 arguments" \
    osmotic-nbctl class-add c1 1 tcp mice extra
check_refused "bulk: a flow class with this name already exists" \
    osmotic-nbctl class-add bulk 1 tcp mice
check_refused "Flow_Class bulk: match: column 1" \
    osmotic-nbctl set Flow_Class bulk 'match="tcp.dts == 1"'
# As in OVN, port names in a match are not checked, nor the deletion of
# a port that a match names.
check osmotic-nbctl class-add k1 100 'inport == "nosuchport"' mice
check osmotic-nbctl ls-add swk -- lsp-add swk pk
check osmotic-nbctl class-add k2 100 'inport == "pk"' mice
check osmotic-nbctl lsp-del pk
check osmotic-nbctl ls-del swk -- class-del k1 -- class-del k2

# No class can match outport: colouring comes before the switch chooses
# the output port.
check_refused 'outport == "p1": outport: a flow class cannot match the output port' \
    osmotic-nbctl class-add c1 10 'outport == "p1"' mice
check_refused 'Flow_Class coap: match: outport: a flow class cannot match the output port' \
    osmotic-nbctl set Flow_Class coap 'match="udp && outport == \"p1\""'
check_refused "Flow_Class coap: promote_color: promotion needs promote_bytes or promote_rate" \
    osmotic-nbctl set Flow_Class coap promote_color=$(osmotic-nbctl get Color elephants _uuid)
check_refused "elephants: colour is used by flow class" \
    osmotic-nbctl color-del elephants

# A class may name the addresses of a port group's ports ($PG_ip4); the
# group cannot go while the class names it.
check osmotic-nbctl ls-add sw0 -- lsp-add sw0 lp1 -- pg-add pga lp1
check osmotic-nbctl class-add frompg 300 'ip4.src == $pga_ip4 && udp.dst == 9001' mice
check_refused 'pga: port group is used by the flow class frompg' \
    osmotic-nbctl pg-del pga
check osmotic-nbctl class-del frompg -- pg-del pga -- ls-del sw0

# Ramp-out rules.
check osmotic-nbctl lr-add lr0
check osmotic-nbctl rampout-add lr0 edge 10.244.1.0/24,10.244.2.0/24 gw1,gw2 \
    --snat-ip=172.16.0.10 --color=elephants --priority=10
check osmotic-nbctl rampout-add lr0 fog 10.244.3.0/24 gw3:7,gw1:9
check_refused "name: color:gold: a rule's name may not start with \"color:\"" \
    osmotic-nbctl rampout-add lr0 color:gold 10.244.5.0/24 gw1
check_refused "fd00::1: not an IPv4 address" \
    osmotic-nbctl rampout-add lr0 v6 10.244.5.0/24 gw1 --snat-ip=fd00::1
check_output "edge: priority=10 subnets=10.244.1.0/24,10.244.2.0/24 gateways=gw1:2,gw2:1 snat-ip=172.16.0.10 color=elephants active=none
fog: priority=0 subnets=10.244.3.0/24 gateways=gw1:9,gw3:7 active=none" osmotic-nbctl rampout-list lr0
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
