#!/bin/bash
# osmotic-trace and colours: stage ls_in_color shows the colour a flow
# class gives a packet and names the class; --promoted=COLOR traces a
# packet of a connection its host promoted, whose colour a promoting class
# keeps and a static class of higher priority replaces; a colour that does
# not exist is an error.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_lsp_add sw0 lp1 0a:00:00:00:51:01 10.244.0.1
osm_lsp_add sw0 lp2 0a:00:00:00:51:02 10.244.0.2
check osmotic-nbctl color-add elephant dscp=10 lane=1
check osmotic-nbctl class-add bulk 100 'tcp.dst >= 5201 && tcp.dst <= 5202' \
    mouse --promote-to=elephant --promote-bytes=1000000
check osmotic-nbctl class-add backup 200 'tcp.dst == 873' elephant
check osmotic-nbctl class-add control 300 'tcp.dst == 5202' mouse
check osmotic-nbctl --wait=sb sync

# trace PORT [OPTION...]: the logical trace of a TCP packet from lp1 to
# lp2's PORT, naming NB objects.
trace() {
    local port=$1
    shift
    osmotic-trace --nb-db="$OSMOTIC_NB_DB" "$@" sw0 "inport == \"lp1\" &&
        eth.src == 0a:00:00:00:51:01 && eth.dst == 0a:00:00:00:51:02 &&
        ip4.src == 10.244.0.1 && ip4.dst == 10.244.0.2 &&
        tcp.src == 40000 && tcp.dst == $port"
}
# color_stage TRACE: the lines of TRACE's ls_in_color stage.
color_stage() {
    sed -n '/ls_in_color/,/ls_in_\(l2\|arp\)/p' <<<"$1"
}
# color_of TRACE: the colours that TRACE's stages set, one per line
# ("elephant (2)"), and the classes whose flows set them.
color_of() {
    sed -n 's/.*(colour = \(.*\))$/\1/p; s/.*source: Flow_Class:.* "\(.*\)" (lflow.*/class \1/p' <<<"$1"
}

# A static class: elephant, by class "backup".
out=$(trace 873) || fail "trace: $out"
check_output "class backup
elephant (2)" color_of "$out"

# A promoting class, connection not promoted: its starting colour, and
# the packet is sampled for the detector.
out=$(trace 5201) || fail "trace: $out"
check_output "class bulk
mouse (1)" color_of "$out"
grep -q "color_sample(1)" <<<"$out" || fail "no sampling: $out"

# Promoted: the packet starts as an elephant and the class keeps it.
out=$(trace 5201 --promoted=elephant) || fail "trace: $out"
grep -q "^ *promoted connection: table 9 sets reg9\[0..7\] = 2 (colour = elephant (2))" \
    <<<"$out" || fail "no promotion shown: $out"
check_output "elephant (2)
class bulk" color_of "$out"
grep -q "color_sample" <<<"$out" && fail "a promoted packet was sampled: $out"

# A static class of higher priority replaces the promoted colour.
out=$(trace 5202 --promoted=elephant) || fail "trace: $out"
check_output "elephant (2)
class control
mouse (1)" color_of "$out"

check_error "--promoted=whale: no such colour in the southbound Color table" \
    trace 5201 --promoted=whale
echo PASS
