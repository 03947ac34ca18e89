#!/bin/bash
# osmotic-sbctl: rows made with the generic commands, then "show" (chassis,
# encaps, bound ports) and "lflow-list" (grouped, sorted, with stages).
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_sb

check osmotic-sbctl init
check osmotic-sbctl \
    -- --id=@e1 create Encap type=geneve ip=172.31.0.1 lane=0 \
           chassis_name=hv1 \
    -- --id=@e2 create Encap type=geneve ip=172.31.1.1 lane=1 \
           chassis_name=hv1 \
    -- --id=@hv1 create Chassis name=hv1 hostname=host1 encaps=@e1,@e2 \
    -- --id=@e3 create Encap type=geneve ip=172.31.0.2 lane=0 \
           chassis_name=hv2 \
    -- --id=@hv2 create Chassis name=hv2 hostname=host2 encaps=@e3 \
    -- --id=@dp create Datapath_Binding name=sw0 type=switch tunnel_key=7 \
    -- create Port_Binding logical_port=p2 datapath=@dp tunnel_key=2 \
           chassis=@hv2 enabled=true \
    -- create Port_Binding logical_port=p1 datapath=@dp tunnel_key=1 \
           chassis=@hv1 enabled=true \
    -- create Port_Binding logical_port=p3 datapath=@dp tunnel_key=3 \
           enabled=true \
    -- create Logical_Flow logical_datapath=@dp pipeline=egress table_id=5 \
           stage=ls_out_port_sec priority=0 match='""' actions='"output;"' \
    -- create Logical_Flow logical_datapath=@dp pipeline=ingress \
           table_id=12 priority=50 match='"dl_dst=0a:00:00:00:00:02"' \
           actions='"outport = 2; output;"' \
    -- create Logical_Flow logical_datapath=@dp pipeline=ingress \
           table_id=0 stage=ls_in_port_sec priority=50 match='"reg14=1"' \
           actions='"next;"' \
    -- create Logical_Flow logical_datapath=@dp pipeline=ingress \
           table_id=12 stage=ls_in_l2_lkup priority=70 \
           match='"dl_dst=01:00:00:00:00:00/01:00:00:00:00:00"' \
           actions='"outport = 32768; output;"' > /dev/null

check_output 'Chassis "hv1"
    hostname: host1
    Encap geneve
        ip: "172.31.0.1"
        lane: 0
    Encap geneve
        ip: "172.31.1.1"
        lane: 1
    Port_Binding "p1"
Chassis "hv2"
    hostname: host2
    Encap geneve
        ip: "172.31.0.2"
        lane: 0
    Port_Binding "p2"' osmotic-sbctl show

# Flows come out grouped by pipeline, by table and by descending
# priority; a flow without a stage name gets it from the pipeline.
out=$(osmotic-sbctl lflow-list sw0 | sed 's/([0-9a-f-]*, key/(UUID, key/')
expected='Datapath: "sw0" (UUID, key 7)  Pipeline: ingress
  table=0 (ls_in_port_sec     ), priority=50   , match=(reg14=1), action=(next;)
  table=12(ls_in_l2_lkup      ), priority=70   , match=(dl_dst=01:00:00:00:00:00/01:00:00:00:00:00), action=(outport = 32768; output;)
  table=12(ls_in_l2_lkup      ), priority=50   , match=(dl_dst=0a:00:00:00:00:02), action=(outport = 2; output;)
Datapath: "sw0" (UUID, key 7)  Pipeline: egress
  table=5 (ls_out_port_sec    ), priority=0    , match=(), action=(output;)'
[ "$out" = "$expected" ] || fail "lflow-list: expected [$expected], got [$out]"

# The same with the datapath given by tunnel key, and without a datapath.
check_output "$(osmotic-sbctl lflow-list sw0)" osmotic-sbctl lflow-list 7
check_output "$(osmotic-sbctl lflow-list sw0)" osmotic-sbctl lflow-list

# --uuid prints the cookie of each flow.
uuid=$(osmotic-sbctl --bare --columns=_uuid find Logical_Flow priority=70)
case $(osmotic-sbctl --uuid lflow-list sw0) in
    *"uuid=0x${uuid:0:8}, table=12"*) ;;
    *) fail "--uuid lflow-list lacks uuid=0x${uuid:0:8}" ;;
esac

# Generic commands work on SB tables by name.
check_output 'host2' osmotic-sbctl get Chassis hv2 hostname
check_output 'p3' osmotic-sbctl --bare --columns=logical_port \
    find Port_Binding 'chassis=[]'

# elephant-list of a chassis without promotions prints nothing; of a
# chassis that does not exist, an error.
check_output '' osmotic-sbctl elephant-list hv2
check_error 'elephant-list: no chassis named nosuch' \
    osmotic-sbctl elephant-list nosuch

# chassis-del removes the chassis and its encaps, and unbinds its ports.
check osmotic-sbctl chassis-del hv1
check_output 'hv2' osmotic-sbctl --bare --columns=name list Chassis
check_output '172.31.0.2' osmotic-sbctl --bare --columns=ip list Encap
check_output '' osmotic-sbctl --bare --columns=chassis list Port_Binding p1
check_error 'chassis-del: hv1: chassis not found' \
    osmotic-sbctl chassis-del hv1
check osmotic-sbctl --if-exists chassis-del hv1

check_error 'sw9: datapath not found' osmotic-sbctl lflow-list sw9
check_error 'unknown command' osmotic-sbctl no-such-command
exit 0
