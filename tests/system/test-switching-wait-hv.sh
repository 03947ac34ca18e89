#!/bin/bash
# "osmotic-nbctl --wait=hv" returns once every chassis has the flows in
# place: a single probe packet sent right after it returns goes through.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_add_host hv3 172.31.0.3

osm_lsp_add sw0 lp1 0a:00:00:00:06:01 10.244.0.1
osm_add_pod hv1 p1 0a:00:00:00:06:01 10.244.0.1/24 lp1
osm_prime_underlay hv1 hv2 hv3
check osmotic-nbctl --timeout=20 --wait=hv sync

# The pods' interfaces exist before their logical ports do.
osm_add_pod hv2 p2 0a:00:00:00:06:02 10.244.0.2/24 lp2
osm_add_pod hv3 p3 0a:00:00:00:06:03 10.244.0.3/24 lp3
for i in 2 3; do
    check osmotic-nbctl --timeout=20 --wait=hv -- lsp-add sw0 lp$i \
        -- lsp-set-addresses lp$i "0a:00:00:00:06:0$i 10.244.0.$i" \
        -- lsp-set-port-security lp$i "0a:00:00:00:06:0$i 10.244.0.$i"
    check osm_pod_exec p$i ping -c 1 -W 2 10.244.0.1
done
check osm_pod_exec p3 ping -c 1 -W 2 10.244.0.2

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
