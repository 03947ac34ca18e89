#!/bin/bash
# A gateway port whose gateway chassis are those of an HA chassis group.
# Router lr0 has a pod on hv1 (10.10.1.10) and a gateway port on the
# external network (172.30.0.100) whose ha_chassis_group is hg: gw1 at
# priority 20, gw2 at 10.  The port also has a Gateway_Chassis of its own
# (gw2 at 30), which the group overrides, as in OVN.  The external
# namespace routes 10.10.1.0/24 to the port, without NAT.
#   - The external namespace reaches the pod through gw1, the group's
#     highest priority, and the pod's traffic leaves by gw1 only; SB's
#     Port_Binding lists the group's chassis.
#   - The active gateway claims the port in SB (Port_Binding:chassis),
#     and "osmotic-sbctl show" lists the port under it.
#   - gw1 cut off from the underlay: the traffic moves to gw2 (BFD) and
#     resumes, and SB names gw2 as the active gateway; back when gw1 is
#     reconnected.
#   - Raising gw2's priority in the group above gw1's moves the active
#     gateway to gw2, which announces itself (gratuitous ARPs).
#   - gw2's controller exits (its chassis leaves the database): traffic
#     moves back to gw1.
#   - A group that loses all its chassis makes the port an ordinary one
#     again; a group in use cannot be deleted.
# The times until pings pass again are printed.
. "$(dirname "$0")/lib.sh"
osm_test_init
osm_start_central
osm_add_underlay
osm_add_external 172.30.0.1/24
osm_add_host hv1 172.31.0.1
osm_add_host gw1 172.31.0.2
osm_add_host gw2 172.31.0.3
osm_connect_external gw1
osm_connect_external gw2

check osmotic-nbctl lr-add lr0
check osmotic-nbctl lrp-add lr0 lr0-sw1 0a:00:00:00:ff:01 10.10.1.1/24
osm_lsp_add sw1 lp1 0a:00:00:00:01:01 10.10.1.10
check osmotic-nbctl lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router \
    -- lsp-set-addresses sw1-lr0 router \
    -- lsp-set-options sw1-lr0 router-port=lr0-sw1
osm_add_pod hv1 p1 0a:00:00:00:01:01 10.10.1.10/24 lp1
osm_pod_exec p1 ip route add default via 10.10.1.1
check osmotic-nbctl lrp-add lr0 lr0-ext 0a:00:00:00:ee:01 172.30.0.100/24
check osmotic-nbctl ls-add ext
check osmotic-nbctl lsp-add ext ln-ext -- lsp-set-type ln-ext localnet \
    -- lsp-set-addresses ln-ext unknown \
    -- lsp-set-options ln-ext network_name=physnet
check osmotic-nbctl lsp-add ext ext-lr0 -- lsp-set-type ext-lr0 router \
    -- lsp-set-addresses ext-lr0 router \
    -- lsp-set-options ext-lr0 router-port=lr0-ext
check osmotic-nbctl lr-route-add lr0 0.0.0.0/0 172.30.0.1
check osm_external_exec ip route add 10.10.1.0/24 via 172.30.0.100

# The group, with ovn-nbctl's commands, and the port's own gateway
# chassis, which the group overrides.
check osmotic-nbctl ha-chassis-group-add hg
check osmotic-nbctl ha-chassis-group-add-chassis hg gw1 20
check osmotic-nbctl ha-chassis-group-add-chassis hg gw2 10
check osmotic-nbctl lrp-set-gateway-chassis lr0-ext gw2 30
hg=$(osmotic-nbctl --bare --columns=_uuid find HA_Chassis_Group name=hg) \
    || fail "find hg"
err=$(osmotic-nbctl set Logical_Router_Port lr0-ext ha_chassis_group="$hg" \
          2>&1) || fail "set ha_chassis_group: $err"
[ -z "$err" ] || fail "a router port's HA chassis group warned: $err"
check_output "$hg (hg)" pipeline "osmotic-nbctl ha-chassis-group-list hg | head -1"
check_error "hg: HA chassis group is in use by port lr0-ext" \
    osmotic-nbctl ha-chassis-group-del hg
check_error "nosuch: ha_chassis_group name not found" \
    osmotic-nbctl ha-chassis-group-list nosuch
osm_prime_underlay hv1 gw1 gw2
check osmotic-nbctl --timeout=20 --wait=hv sync

# SB's list is the group's, ranked in the order of preference.
sb_gateways() {
    osmotic-sbctl --bare --columns=gateway_chassis find Port_Binding \
        logical_port=lr0-ext
}
# sb_gateways_are LIST: SB's list is LIST.
sb_gateways_are() {
    [ "$(sb_gateways)" = "$1" ]
}
check_output "1=gw2 2=gw1" sb_gateways
grep -q "router port lr0-ext has both an HA chassis group (hg) and gateway chassis" \
    "$TESTDIR/northd.log" \
    || fail "northd did not warn about the ignored gateway chassis"

# arrives_via HOST: pings the external address from p1 while capturing on
# HOST's link to the external network; succeeds if every ping is
# answered and an echo request from the pod arrived on that link.
arrives_via() {
    local host=$1 cap=$TESTDIR/cap-$1 pid n
    osm_external_exec timeout 5 tcpdump -l -n -c 1 -i "x-$host" \
        "icmp[icmptype] == icmp-echo and src host 10.10.1.10" \
        > "$cap" 2>/dev/null &
    pid=$!
    sleep 1
    n=$(osm_ping_answers p1 172.30.0.1)
    wait $pid
    [ "$n" = 3 ] && grep -q 10.10.1.10 "$cap"
}
# reaches_pod_via HOST: the external namespace pings the pod; succeeds if
# every ping is answered and a reply from the pod arrived on HOST's link.
reaches_pod_via() {
    local host=$1 cap=$TESTDIR/capin-$1 pid
    osm_external_exec timeout 5 tcpdump -l -n -c 1 -i "x-$host" \
        "icmp[icmptype] == icmp-echoreply and src host 10.10.1.10" \
        > "$cap" 2>/dev/null &
    pid=$!
    sleep 1
    osm_external_exec ping -q -c 3 -i 0.2 -W 1 10.10.1.10 > /dev/null
    local rc=$?
    wait $pid
    [ $rc = 0 ] && grep -q 10.10.1.10 "$cap"
}
# one_ping: one ping from the external namespace to the pod, answered.
one_ping() {
    osm_external_exec ping -q -c 1 -W 0.1 10.10.1.10 > /dev/null
}
# time_until_ping WHAT: pings until one passes, prints how long it took
# since $start.
time_until_ping() {
    local n=0 end
    until one_ping; do
        n=$((n + 1))
        [ $n -lt 200 ] || fail "no traffic after $1"
    done
    end=$(date +%s%N)
    echo "$1: pings pass again after $(( (end - start) / 1000000 )) ms"
}

# sb_active_is CHASSIS: SB names CHASSIS the port's active gateway: the
# Port_Binding's chassis, and "osmotic-sbctl show" lists the port under
# that chassis (only).
sb_active_is() {
    local uuid
    uuid=$(osmotic-sbctl --bare --columns=_uuid find Chassis name="$1") \
        && [ -n "$uuid" ] \
        && [ "$(osmotic-sbctl --bare --columns=chassis find Port_Binding \
                logical_port=lr0-ext)" = "$uuid" ] \
        && [ "$(pipeline "osmotic-sbctl show \
                | awk '/^Chassis /{c = \$2}
                       /Port_Binding \"lr0-ext\" active gateway/{print c}'")" \
             = "\"$1\"" ]
}

# gw1, of highest priority in the group, carries the traffic both ways,
# and SB says so.
wait_until reaches_pod_via gw1
wait_until arrives_via gw1
wait_until sb_active_is gw1
arrives_via gw2 && fail "the pod's traffic also left by gw2"
reaches_pod_via gw2 && fail "replies to the external host also left by gw2"

# Failover: gw1 cut off from the underlay; gw2 takes over.
start=$(date +%s%N)
ip netns exec "$(osm_ns underlay)" ip link set h2l0 down
time_until_ping "gw1 cut off"
wait_until reaches_pod_via gw2
wait_until arrives_via gw2
wait_until sb_active_is gw2
# gw1 reconnected: the traffic returns to it, and so does the claim.
ip netns exec "$(osm_ns underlay)" ip link set h2l0 up
wait_until reaches_pod_via gw1
wait_until sb_active_is gw1

# announced HOST: the packets HOST sent to announce its gateways.
announced() {
    osm_ctl_appctl "$1" ofctrl/flow-counts \
        | sed -n 's/^gateway announcements: .*, \([0-9]*\) packets sent$/\1/p'
}
before=$(announced gw2)
# Priorities: gw2 above gw1 makes gw2 the active gateway.
check osmotic-nbctl ha-chassis-group-set-chassis-prio hg gw2 30
wait_until sb_gateways_are "1=gw1 2=gw2"
wait_until reaches_pod_via gw2
wait_until arrives_via gw2
reaches_pod_via gw1 && fail "replies also left by gw1 after the change"
wait_until sb_active_is gw2
[ "$(announced gw2)" -gt "$before" ] \
    || fail "gw2 did not announce itself when it became active"

# gw2's controller exits, its chassis leaves the database: back to gw1.
start=$(date +%s%N)
check osm_ctl_appctl gw2 exit
time_until_ping "gw2's controller exited"
wait_until reaches_pod_via gw1
wait_until arrives_via gw1
wait_until sb_active_is gw1

# A group without chassis: the port is an ordinary router port again,
# and SB lists no gateway.
check osmotic-nbctl ha-chassis-group-remove-chassis hg gw1 \
    -- ha-chassis-group-remove-chassis hg gw2
wait_until sb_gateways_are ""
check_output "" osmotic-sbctl --bare --columns=chassis find Port_Binding \
    logical_port=lr0-ext
check osmotic-nbctl clear Logical_Router_Port lr0-ext ha_chassis_group
check osmotic-nbctl ha-chassis-group-del hg
check_output "" osmotic-nbctl ha-chassis-group-list
# Its own gateway chassis are in effect again.
wait_until sb_gateways_are "1=gw2"
echo PASS
