#!/bin/bash
# Each local port keeps its conntrack zone while it stays: ports coming
# and going, and controller restarts, do not renumber the others.  Zones
# are recorded on br-int.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1

osm_lsp_add sw0 lpb 0a:00:00:00:0b:02 10.244.0.2
osm_lsp_add sw0 lpc 0a:00:00:00:0b:03 10.244.0.3
osm_lsp_add sw0 lpa 0a:00:00:00:0b:01 10.244.0.1
osm_add_pod hv1 pb 0a:00:00:00:0b:02 10.244.0.2/24 lpb
osm_add_pod hv1 pc 0a:00:00:00:0b:03 10.244.0.3/24 lpc
check osmotic-nbctl --timeout=20 --wait=hv sync

# zone LPORT: the zone recorded on br-int for LPORT.
zone() {
    osm_host_vsctl hv1 get bridge br-int \
        external_ids:osmotic-ct-zone-"$1" 2>/dev/null | tr -d '"'
}
# flow_zone OFPORT: the zone table 0 loads for packets from OFPORT.
flow_zone() {
    osm_host_ofctl hv1 dump-flows br-int "table=0,in_port=$1" \
        | grep -o 'set_field:0x[0-9a-f]*->reg13' | sed 's/set_field://;
          s/->reg13//' | xargs printf '%d\n'
}
ofport() {
    osm_host_vsctl hv1 get interface "v-$1" ofport
}
zb=$(zone lpb)
zc=$(zone lpc)
[ -n "$zb" ] && [ -n "$zc" ] && [ "$zb" != "$zc" ] \
    || fail "zones lpb=$zb lpc=$zc"
check_output "$zb" flow_zone "$(ofport pb)"
check_output "$zc" flow_zone "$(ofport pc)"

# A port whose name sorts first arrives: the others keep their zones.
osm_add_pod hv1 pa 0a:00:00:00:0b:01 10.244.0.1/24 lpa
check osmotic-nbctl --timeout=20 --wait=hv sync
za=$(zone lpa)
[ -n "$za" ] && [ "$za" != "$zb" ] && [ "$za" != "$zc" ] \
    || fail "zone of lpa: $za (lpb $zb, lpc $zc)"
check_output "$zb" zone lpb
check_output "$zc" zone lpc
check_output "$zb" flow_zone "$(ofport pb)"

# A port leaves: its zone is forgotten, the others stay.
osm_del_pod hv1 pb
check osmotic-nbctl --timeout=20 --wait=hv sync
# zone_gone LPORT: br-int holds no zone for LPORT (and can be read).
zone_gone() {
    osm_host_vsctl hv1 get bridge br-int external_ids >/dev/null \
        && [ -z "$(zone "$1")" ]
}
wait_until zone_gone lpb
check_output "$zc" zone lpc
check_output "$za" zone lpa

# A restarted controller keeps them.
osm_stop_controller hv1
osm_start_controller hv1
check osmotic-nbctl --timeout=20 --wait=hv sync
check_output "$zc" zone lpc
check_output "$za" flow_zone "$(ofport pa)"
echo PASS
