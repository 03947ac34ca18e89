#!/bin/bash
# osmotic-nbctl: port mirrors (mirror-add, mirror-del, mirror-list,
# lsp-attach-mirror, lsp-detach-mirror), with ovn-nbctl's arguments,
# output and messages; stored and validated, not applied to traffic yet.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

check osmotic-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2
check osmotic-nbctl mirror-add m1 gre 0 from-lport 10.10.10.1
check osmotic-nbctl mirror-add m2 erspan 7 to-lport fd00::1
check_output "m1:
  Type     :  gre
  Sink     :  10.10.10.1
  Filter   :  from-lport
  Index/Key:  0

m2:
  Type     :  erspan
  Sink     :  fd00::1
  Filter   :  to-lport
  Index/Key:  7" osmotic-nbctl mirror-list

# Bad values and duplicates change nothing.
check_refused "Mirror with m1 name already exists." \
    osmotic-nbctl mirror-add m1 gre 0 from-lport 10.10.10.5
check osmotic-nbctl --may-exist mirror-add m1 gre 0 from-lport 10.10.10.5
check_refused 'vxlan: type must be "gre" or "erspan"' \
    osmotic-nbctl mirror-add m3 vxlan 0 from-lport 10.10.10.1
check_refused "Invalid Index" \
    osmotic-nbctl mirror-add m3 gre x from-lport 10.10.10.1
check_refused 'both: selection must be "to-lport" or "from-lport"' \
    osmotic-nbctl mirror-add m3 gre 0 both 10.10.10.1
check_refused "Invalid sink ip: 10.10.10" \
    osmotic-nbctl mirror-add m3 gre 0 from-lport 10.10.10
check_refused "Mirror m1: sink: nowhere: invalid IP address" \
    osmotic-nbctl set Mirror m1 sink=nowhere
check osmotic-nbctl set Mirror m1 sink=192.168.1.13
check_output '"192.168.1.13"' osmotic-nbctl get Mirror m1 sink

# Ports.
m1=$(osmotic-nbctl get Mirror m1 _uuid) || fail "get m1"
check osmotic-nbctl lsp-attach-mirror p1 m1 -- lsp-attach-mirror p2 m1
check_output "[$m1]" osmotic-nbctl get Logical_Switch_Port p1 mirror_rules
check_refused "mirror m1 is already attached to the logical port p1." \
    osmotic-nbctl lsp-attach-mirror p1 m1
check osmotic-nbctl --may-exist lsp-attach-mirror p1 m1
check_refused "p9: port name not found" osmotic-nbctl lsp-attach-mirror p9 m1
check_refused "m9: mirror name not found" osmotic-nbctl lsp-attach-mirror p1 m9
check osmotic-nbctl lsp-detach-mirror p2 m1
check_output "[]" osmotic-nbctl get Logical_Switch_Port p2 mirror_rules
check_refused "mirror m1 is not attached to the logical port p2." \
    osmotic-nbctl lsp-detach-mirror p2 m1
check osmotic-nbctl --if-exists lsp-detach-mirror p2 m1

# Deleting a mirror takes it off its ports.
check osmotic-nbctl mirror-del m1
check_output "[]" osmotic-nbctl get Logical_Switch_Port p1 mirror_rules
check_refused "m1: mirror name not found" osmotic-nbctl mirror-del m1
check osmotic-nbctl --if-exists mirror-del m1
check osmotic-nbctl mirror-add m3 gre 3 to-lport 10.10.10.3
check osmotic-nbctl mirror-del
check_output "" osmotic-nbctl mirror-list
check_output 0 nb_count Mirror
