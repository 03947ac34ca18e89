#!/bin/bash
# "osmotic-nbctl --wait=hv" returns once every chassis has the flows in
# place: one UDP datagram sent the moment it returns arrives.  The pods
# know each other's MAC addresses in advance (permanent neighbour
# entries), so no ARP exchange or retry can make up for flows that come
# late, and nothing is sent twice.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

mac() {
    printf '0a:00:00:00:06:%02x' "$1"
}

osm_lsp_add sw0 lp1 "$(mac 1)" 10.244.0.1
osm_add_pod hv1 p1 "$(mac 1)" 10.244.0.1/24 lp1
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync

# The pods' interfaces exist before their logical ports do: p2 and p5 on
# hv2, p3 on hv3, p4 on hv1 with p1.
pods="2:hv2 3:hv3 4:hv1 5:hv2"
for ph in $pods; do
    osm_add_pod "${ph#*:}" "p${ph%%:*}" "$(mac "${ph%%:*}")" \
        "10.244.0.${ph%%:*}/24" "lp${ph%%:*}"
done

# Every pod receives UDP port 9999 and appends what it gets to
# $TESTDIR/rx-POD; every pod knows p1's MAC and p1 knows every pod's.
for i in 1 2 3 4 5; do
    # Not through osm_pod_exec: $! must be the listener itself.
    ip netns exec "$(osm_ns "p$i")" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9999))
with open(sys.argv[1], "a", buffering=1) as f:
    while True:
        f.write(s.recv(100).decode() + "\n")' "$TESTDIR/rx-p$i" &
    echo $! > "$TESTDIR/rx-p$i.pid"
    osm_track_pidfile "$TESTDIR/rx-p$i.pid"
    if [ $i -ne 1 ]; then
        check osm_pod_exec "p$i" ip neigh replace 10.244.0.1 \
            lladdr "$(mac 1)" dev eth0 nud permanent
        check osm_pod_exec p1 ip neigh replace "10.244.0.$i" \
            lladdr "$(mac $i)" dev eth0 nud permanent
    fi
done
for i in 1 2 3 4 5; do
    wait_until eval "osm_pod_exec p$i ss -Huln | grep -q ':9999 '"
done

# send POD IP MESSAGE: one datagram from POD to IP, port 9999.
send() {
    osm_pod_exec "$1" bash -c "echo $3 > /dev/udp/$2/9999"
}

# received POD MESSAGE: succeeds if POD received MESSAGE.
received() {
    grep -qx "$2" "$TESTDIR/rx-$1" 2>/dev/null
}

# Each port add: right after --wait=hv, one datagram from the new port to
# p1 and one from p1 to the new port.  Either is lost if any of the
# chassis involved installed its flows after reporting them.
for ph in $pods; do
    i=${ph%%:*}
    check osmotic-nbctl --timeout=20 --wait=hv -- lsp-add sw0 "lp$i" \
        -- lsp-set-addresses "lp$i" "$(mac $i) 10.244.0.$i" \
        -- lsp-set-port-security "lp$i" "$(mac $i) 10.244.0.$i"
    send "p$i" 10.244.0.1 "from-p$i" || fail "send from p$i"
    send p1 "10.244.0.$i" "to-p$i" || fail "send to p$i"
done
for ph in $pods; do
    i=${ph%%:*}
    OSM_WAIT=3 wait_until received p1 "from-p$i"
    OSM_WAIT=3 wait_until received "p$i" "to-p$i"
done

# Each chassis reported the configuration it installed.
behind=$(ovsdb-client transact "$OSMOTIC_SB_DB" '["Osmotic_Southbound",
    {"op": "select", "table": "SB_Global", "where": []},
    {"op": "select", "table": "Chassis_Private", "where": []}]' \
    | python3 -c '
import json, sys
r = json.load(sys.stdin)
cfg = r[0]["rows"][0]["nb_cfg"]
print(" ".join("%s:%d" % (c["name"], c["nb_cfg"])
               for c in r[1]["rows"] if c["nb_cfg"] != cfg))
print(len(r[1]["rows"]))') || fail "cannot read Chassis_Private"
check_output "$(printf '\n3')" echo "$behind"
osm_ctl_appctl hv3 controller/status \
    | grep -q "^nb_cfg: \([0-9]*\) computed, \1 installed$" \
    || fail "hv3 status: $(osm_ctl_appctl hv3 controller/status)"
echo PASS
