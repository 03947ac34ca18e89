#!/bin/bash
# Configuration that the datapath does not apply yet is stored, with a
# warning: every osmotic-nbctl command that writes fair meters, QoS rules,
# mirrors, ACL labels, ACLs applied after load balancing, SCTP
# load balancers, the forced SNAT of routers with more than one gateway
# port, container ports, dynamic
# addresses or switch ports' HA chassis groups
# prints one line naming it on stderr and exits 0; switching commands,
# deletions, refused and dry-run commands print none; "show" notes such
# objects; osmotic-northd logs each such row once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/northd-lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb
osm_start_sb
osm_start_northd northd
check osmotic-nbctl init

# The end of every warning ("is stored" for the kinds named in the
# singular, NA1).
NA="are stored but not applied to traffic yet"
NA1="is stored but not applied to traffic yet"
MULTI="forced SNAT of load-balanced traffic (lb_force_snat_ip) on routers with more than one gateway port"
# na WHAT: the end of the warning about WHAT.
na() {
    case $1 in
        "$MULTI"|"control plane protection (CoPP)") echo "$NA1" ;;
        *) echo "$NA" ;;
    esac
}

# warns WHAT[|WHAT]... CMD...: CMD succeeds, prints on stderr exactly one
# line per WHAT, "osmotic-nbctl: warning: WHAT are (is) stored but not
# applied to traffic yet", in that order, and changes the database.
warns() {
    local what=$1 err before after expected="" kind
    shift
    local IFS='|'
    for kind in $what; do
        expected+="${expected:+$'\n'}osmotic-nbctl: warning: $kind $(na "$kind")"
    done
    unset IFS
    before=$(nb_dump) || fail "dump failed"
    err=$(osmotic-nbctl "$@" 2>&1 >/dev/null) \
        || fail "osmotic-nbctl $* failed: $err"
    [ "$err" = "$expected" ] \
        || fail "osmotic-nbctl $*: expected [$expected], got [$err]"
    after=$(nb_dump) || fail "dump failed"
    [ "$before" != "$after" ] || fail "osmotic-nbctl $* stored nothing"
}
# quiet CMD...: CMD succeeds and prints nothing on stderr.
quiet() {
    local err
    err=$(osmotic-nbctl "$@" 2>&1 >/dev/null) \
        || fail "osmotic-nbctl $* failed: $err"
    [ -z "$err" ] || fail "osmotic-nbctl $*: unexpected [$err]"
}

# Switching is applied: no warning.
quiet ls-add sw0 -- lsp-add sw0 p1 -- lsp-add sw0 p2 -- lsp-add sw0 p3
quiet lsp-set-addresses p3 "0a:00:00:00:00:03 10.0.0.3" unknown
quiet lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1"
quiet lsp-set-port-security p1 "0a:00:00:00:00:01 10.0.0.1"
quiet lsp-set-enabled p2 disabled
quiet set Logical_Switch sw0 external_ids:owner=test
# So are colours (their ramp-out gateways too) and flow classes,
# and routing: routers, their ports, routes, NAT, gateway chassis,
# ramp-out rules and switch ports of type router or localnet.
quiet color-add mice dscp=0 lane=1
quiet class-add bulk 100 'tcp.dst == 21' mice
quiet class-add web 90 'tcp.dst == 80' mouse --promote-to=elephant \
    --promote-bytes=1000000

# Each kind of configuration that is not applied, by its own command and
# by the generic ones.
# ACLs, port groups, address sets and meters (of ACL logs) are applied.
quiet acl-add sw0 to-lport 900 ip4 drop
quiet set ACL "$(osmotic-nbctl --bare --columns=_uuid list ACL)" \
    priority=901
quiet as-add web 10.0.0.0/24
quiet create Address_Set name=db
quiet pg-add pg_web p1
quiet pg-set-ports pg_web p1 p3
quiet as-set-addresses web 10.0.1.0/24
quiet meter-add m1 drop 100 kbps
warns "fair meters" --fair meter-add m3 drop 10 pktps
warns "QoS rules" qos-add sw0 from-lport 100 ip4 dscp=10
warns "ACL labels" --label=7 acl-add sw0 from-lport 10 ip4 allow
warns "ACLs applied after load balancing" \
    --apply-after-lb acl-add sw0 from-lport 11 ip4 allow
warns "mirrors" mirror-add mir1 gre 1 to-lport 10.9.9.9
warns "mirrors" lsp-attach-mirror p1 mir1
quiet lr-add lr0
quiet lrp-add lr0 lrp0 0a:00:00:00:01:01 10.0.0.254/24
quiet lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router \
    -- lsp-set-options sw0-lr0 router-port=lrp0
quiet lsp-set-type p2 localnet
warns "switch ports of type l2gateway, localport, vtep, external, virtual or remote" \
    lsp-set-type p2 localport
quiet lsp-set-type p2 localnet
warns "container ports (parent and tag)" lsp-add sw0 c1 p1 42
warns "dynamic addresses" lsp-set-addresses p1 dynamic
quiet lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1"
quiet lr-route-add lr0 0.0.0.0/0 10.0.0.1
quiet lr-nat-add lr0 snat 172.16.0.1 10.0.0.0/24
quiet lrp-set-gateway-chassis lrp0 gw1 10
# HA chassis groups are applied as router ports' gateway chassis, but not
# as switch ports' (external ports).
quiet ha-chassis-group-add hg
quiet ha-chassis-group-add-chassis hg gw1 10
hg=$(osmotic-nbctl --bare --columns=_uuid find HA_Chassis_Group name=hg) \
    || fail "find hg"
quiet set Logical_Router_Port lrp0 ha_chassis_group="$hg"
quiet ha-chassis-group-set-chassis-prio hg gw1 20
warns "HA chassis groups of switch ports" \
    set Logical_Switch_Port p3 ha_chassis_group="$hg"
# Switch load balancers (IPv4 and IPv6, TCP or UDP) and their groups are
# applied.
quiet lb-add lb0 10.96.0.1:80 10.0.0.1:8080
quiet ls-lb-add sw0 lb0
quiet create Load_Balancer_Group name=lbg
quiet --reject lb-add lbr 10.96.0.8:80 ""
quiet lb-add lb6 '[fd00::96]:53' '[fd00::5]:53' udp
quiet ls-lb-add sw0 lb6
warns "SCTP load balancers" lb-add lbs 10.96.0.7:80 10.0.0.1:80 sctp
# Router load balancers (IPv4 and IPv6) are applied, session affinity
# (below) and forced SNAT included; a forced SNAT address that is not one
# is refused.
quiet lr-lb-add lr0 lb0
quiet lr-lb-add lr0 lb6
quiet lr-lb-del lr0 lb6
quiet set Logical_Router lr0 options:lb_force_snat_ip=router_ip
quiet set Logical_Router lr0 'options:lb_force_snat_ip="172.16.9.9 fd00::9"'
check_error 'options:lb_force_snat_ip: "10.0.0.1 10.0.0.2": more than one IPv4 address' \
    osmotic-nbctl set Logical_Router lr0 \
    'options:lb_force_snat_ip="10.0.0.1 10.0.0.2"'
check_error 'options:lb_force_snat_ip: "router_ip 10.0.0.1": router_ip stands alone' \
    osmotic-nbctl set Logical_Router lr0 \
    'options:lb_force_snat_ip="router_ip 10.0.0.1"'
check_error 'options:lb_force_snat_ip: "gw": gw is neither router_ip nor an IP address' \
    osmotic-nbctl set Logical_Router lr0 options:lb_force_snat_ip=gw
check_output '"172.16.9.9 fd00::9"' osmotic-nbctl get Logical_Router lr0 \
    options:lb_force_snat_ip
quiet set Logical_Router lr0 options:lb_force_snat_ip=router_ip
quiet color-set mice rampout=gw1 snat-ip=172.16.0.9
warns "forwarding groups" fwd-group-add fg1 sw0 10.0.0.100 0a:00:00:00:00:64 p1
warns "static MAC bindings" \
    static-mac-binding-add lrp0 10.0.0.7 0a:00:00:00:00:07
quiet rampout-add lr0 edge 10.0.0.0/24 gw1
# Parts of routing and NAT that are not applied yet, each its own kind.
quiet --ecmp lr-route-add lr0 0.0.0.0/0 10.0.0.2
quiet --ecmp-symmetric-reply lr-route-add lr0 0.0.0.0/0 10.0.0.3
quiet --route-table=rt1 lr-route-add lr0 10.1.0.0/16 10.0.0.1
quiet lrp-set-options lrp0 route_table=rt1
quiet --bfd lr-route-add lr0 10.2.0.0/16 10.0.0.1 lrp0
warns "BFD sessions to IPv6 neighbours" \
    --bfd lr-route-add lr0 fd02::/64 fd00::1 lrp0
quiet lr-route-add lr0 10.3.0.0/16 lrp0
warns "bridged gateway redirects (redirect-type)" \
    lrp-set-redirect-type lrp0 bridged
# Routing policies are applied, but for their packet marks.
quiet lr-policy-add lr0 9 "ip4.src == 10.0.0.4" drop
warns "routing policy packet marks (pkt_mark)" \
    lr-policy-add lr0 10 "ip4.src == 10.0.0.5" allow pkt_mark=5
warns "stateless NAT rules" \
    --stateless lr-nat-add lr0 dnat_and_snat 172.16.0.2 10.0.0.2
warns "NAT port ranges" \
    --portrange lr-nat-add lr0 dnat 172.16.0.3 10.0.0.3 8080
warns "NAT rules of named gateway ports" \
    --gateway-port=lrp0 lr-nat-add lr0 dnat 172.16.0.4 10.0.0.4
warns "routes to NAT addresses" \
    --add-route lr-nat-add lr0 dnat 172.16.0.5 10.0.0.5
warns "NAT external address sets" lr-nat-update-ext-ip lr0 dnat 172.16.0.5 web
warns "load balancer options (event, add_route)" \
    --event lb-add lb1 10.96.0.2:80 10.0.0.1:8080

# A write warns only if it writes the setting that is not applied, not
# when it changes something else of a row that has one.
quiet lrp-set-enabled lrp0 disabled
quiet lrp-set-enabled lrp0 enabled
quiet lrp-set-options lrp0 route_table=rt1 redirect-type=bridged foo=bar
quiet lrp-set-redirect-type lrp0 overlay
warns "bridged gateway redirects (redirect-type)" \
    lrp-set-options lrp0 route_table=rt1 redirect-type=bridged foo=baz
check osmotic-nbctl lsp-add sw0 lp -- lsp-set-type lp localport
quiet lsp-set-options lp foo=bar
quiet lsp-set-addresses lp "0a:00:00:00:00:0b 10.0.0.11"
quiet set Logical_Switch_Port lp external_ids:owner=test
check osmotic-nbctl lb-add lb2 10.96.0.9:80 10.0.0.1:8080 \
    -- lb-add lb2 10.96.0.10:80 10.0.0.2:8080
quiet lb-del lb2 10.96.0.9:80
warns "load balancer options (event, add_route)" \
    set Load_Balancer lb2 options:event=true
quiet lb-add lb2 10.96.0.11:80 10.0.0.3:8080
# Session affinity is applied, on switches and routers alike: a router
# that gets a load balancer with affinity, directly or through a group,
# and the load balancer's own write are quiet.
quiet lr-lb-del lr0 lb0
quiet set Load_Balancer lb0 options:affinity_timeout=10
quiet lr-lb-add lr0 lb0
quiet set Load_Balancer lb0 options:affinity_timeout=20
quiet set Load_Balancer lb2 options:affinity_timeout=20
lb2=$(osmotic-nbctl get Load_Balancer lb2 _uuid) || fail "get lb2"
quiet add Load_Balancer_Group lbg load_balancer "$lb2"
quiet add Logical_Router lr0 load_balancer_group \
    "$(osmotic-nbctl get Load_Balancer_Group lbg _uuid)"
quiet set Load_Balancer lb2 options:affinity_timeout=30
quiet remove Load_Balancer lb2 options affinity_timeout
quiet remove Load_Balancer_Group lbg load_balancer "$lb2"
# A router with load balancers and a second gateway port: its load
# balancers are applied, its forced SNAT is not (osmotic-northd leaves
# it out), which the load balancer's addition and the option's write
# warn about.
quiet lrp-add lr0 lrp1 0a:00:00:00:01:02 172.16.1.254/24 \
    -- lrp-set-gateway-chassis lrp1 gw2 10
quiet lr-lb-del lr0 lb0
warns "$MULTI" lr-lb-add lr0 lb0
quiet remove Logical_Router lr0 options lb_force_snat_ip
quiet lr-lb-del lr0 lb0
quiet lr-lb-add lr0 lb0
warns "$MULTI" set Logical_Router lr0 options:lb_force_snat_ip=router_ip
quiet lrp-del lrp1
quiet set Logical_Router lr0 options:lb_force_snat_ip=router_ip
# Health checks are applied, of IPv4 and IPv6 backends alike (a checked
# IPv6 VIP and a mapped IPv6 backend).
quiet -- --id=@hc create Load_Balancer_Health_Check vip='"10.96.0.1:80"' \
    -- add Load_Balancer lb0 health_check @hc \
    -- set Load_Balancer lb0 ip_port_mappings:10.0.0.1=p1:10.0.0.250
quiet set Load_Balancer lb6 'ip_port_mappings:"fd00::5"="p1:[fd00::250]"'
quiet -- --id=@hc create Load_Balancer_Health_Check vip='"[fd00::96]:53"' \
    -- add Load_Balancer lb6 health_check @hc

# One line per kind in a batch, in a fixed order.
err=$(osmotic-nbctl acl-add sw0 from-lport 100 ip4 allow \
          -- --fair meter-add m2 drop 10 pktps \
          -- color-add edge rampout=gw1 \
          -- qos-add sw0 from-lport 101 ip4 dscp=11 2>&1 >/dev/null) \
    || fail "batch: $err"
check_output "osmotic-nbctl: warning: QoS rules $NA
osmotic-nbctl: warning: fair meters $NA" echo "$err"

# Nothing stored, nothing to warn about: a refused command, a dry run, a
# command that changes nothing; and removing such configuration is quiet.
check_error 'column 7: end of input' \
    osmotic-nbctl acl-add sw0 to-lport 10 'ip4 &&' drop
err=$(osmotic-nbctl acl-add sw0 to-lport 10 'ip4 &&' drop 2>&1)
case $err in *warning*) fail "a refused command warned: $err" ;; esac
quiet --dry-run color-add c1
quiet --may-exist color-add mice
quiet acl-del sw0 from-lport
quiet lsp-set-type p2 ''

# "show" counts each kind on stderr; its standard output is ovn-nbctl's.
err=$(osmotic-nbctl show 2>&1 >/dev/null) || fail "show"
for line in "osmotic-nbctl: note: fair meters $NA (2)" \
            "osmotic-nbctl: note: QoS rules $NA (2)"; do
    grep -qxF -- "$line" <<<"$err" || fail "show lacks [$line]: $err"
done
grep -q "health check" <<<"$err" && fail "show notes health checks: $err"
grep -q "note: \(ramp-out rules\|static routes\|NAT rules\) are " <<<"$err" \
    && fail "show notes routing: $err"
out=$(osmotic-nbctl show 2>/dev/null) || fail "show"
grep -q "^router .* (lr0)$" <<<"$out" || fail "show lacks lr0: $out"
grep -q "note\|not applied\|load balancer\|acls" <<<"$out" \
    && fail "show adds lines of its own to stdout: $out"
err=$(osmotic-nbctl show sw0 2>&1 >/dev/null) || fail "show sw0"
[ -z "$err" ] || fail "show sw0 has notes: $err"

# An ACL applied after load balancing gets no flows: a switch whose only
# ACL it is has none in the ACL stages.
check osmotic-nbctl --wait=sb --timeout=10 ls-add sw9 \
    -- --apply-after-lb acl-add sw9 from-lport 10 ip4 drop
sw9=$(osmotic-nbctl get Logical_Switch sw9 _uuid) || fail "get sw9"
dp9=$(osmotic-sbctl --bare --columns=_uuid find Datapath_Binding \
          nb_uuid="$sw9") || fail "find sw9's datapath"
[ -n "$dp9" ] || fail "no datapath for sw9"
check_output 0 pipeline "osmotic-sbctl --bare --columns=_uuid find Logical_Flow \
    logical_datapath=$dp9 stage=ls_in_acl | grep -c . || true"
check osmotic-nbctl --wait=sb --timeout=10 acl-add sw9 from-lport 10 ip4 drop
check_output 2 pipeline "osmotic-sbctl --bare --columns=_uuid find Logical_Flow \
    logical_datapath=$dp9 stage=ls_in_acl | grep -c . || true"

# Route tables are applied: a route of table rt1, which lrp0 chooses,
# routes rt1's traffic (reg5 1), a route of the main table the other
# ports' (reg5 0).  The route whose BFD session no chassis runs is
# withdrawn; the one to an IPv6 neighbour is used as if it had none.
routes=$(osmotic-sbctl --bare --columns=match find Logical_Flow \
             stage=lr_in_ip_routing) || fail "find routing flows"
grep -q "reg5=0,ip,nw_dst=10.3.0.0/16" <<<"$routes" \
    || fail "no flow for a route of the main table: $routes"
grep -q "nw_dst=10.2.0.0/16" <<<"$routes" \
    && fail "a flow for a route whose BFD session is down: $routes"
grep -q "reg5=0,ipv6,ipv6_dst=fd02::/64" <<<"$routes" \
    || fail "no flow for the route with an IPv6 BFD session: $routes"
check_output down osmotic-nbctl --bare --columns=status find BFD \
    dst_ip=10.0.0.1
grep -q "reg5=0x1,ip,nw_dst=10.1.0.0/16" <<<"$routes" \
    || fail "no flow for a route of table rt1: $routes"

# osmotic-northd logs each such row once, however often it changes.
check osmotic-nbctl --wait=sb --timeout=10 sync
check osmotic-nbctl --wait=sb --timeout=10 set Meter m1 rate=101
check osmotic-nbctl --wait=sb --timeout=10 set Meter m1 rate=102
check osmotic-nbctl --wait=sb --timeout=10 set Color mice dscp=1
check osmotic-nbctl --wait=sb --timeout=10 set Color mice dscp=2
log=$TESTDIR/northd.log
# logged TEXT: northd logged "unapplied|WARN|TEXT $NA" exactly once.
logged() {
    check_output 1 grep -c "unapplied|WARN|$1 $NA" "$log"
}
logged "Meter m3: fair meters"
grep "unapplied|WARN|Load_Balancer lb6:" "$log" \
    && fail "northd logged lb6, whose health check is applied"
grep "unapplied|WARN|.*affinity\|unapplied|WARN|.*lb_force_snat_ip" "$log" \
    | grep -vF ": $MULTI $NA1" \
    && fail "northd logged session affinity or forced SNAT, which are applied"
grep "unapplied|WARN|Meter " "$log" | grep -v ": fair meters $NA" \
    && fail "northd logged a meter that is applied"
for t in Address_Set Port_Group; do
    grep -q "unapplied|WARN|$t " "$log" && fail "northd logged a row of $t"
done
# ACLs are applied, but for their labels and the stage after load
# balancing.
grep "unapplied|WARN|ACL " "$log" \
    | grep -v -e ": ACL labels $NA" -e ": ACLs applied after load balancing $NA" \
    && fail "northd logged an ACL that is applied"
grep -q "unapplied|WARN|Flow_Class\|unapplied|WARN|Color" "$log" \
    && fail "northd logged a flow class or a colour"
# Routing is applied, but for the parts above.
grep "unapplied|WARN|Logical_Router\|unapplied|WARN|Rampout\|unapplied|WARN|NAT" \
    "$log" | grep -v -e ": routing policy packet marks (pkt_mark) $NA" \
        -e ": stateless NAT rules $NA" -e ": NAT port ranges $NA" \
        -e ": NAT rules of named gateway ports $NA" \
        -e ": routes to NAT addresses $NA" \
        -e ": NAT external address sets $NA" \
        -e ": bridged gateway redirects (redirect-type) $NA" \
        -e ": $MULTI $NA1" \
    && fail "northd logged routing configuration that is applied"
# Every kind, and nothing about switching or routing.
for what in "fair meters" "QoS rules" "mirrors" "ACL labels" \
            "ACLs applied after load balancing" \
            "SCTP load balancers" \
            "$MULTI" \
            "container ports (parent and tag)" "dynamic addresses" \
            "routing policy packet marks (pkt_mark)" \
            "BFD sessions to IPv6 neighbours" \
            "stateless NAT rules" "NAT port ranges" \
            "NAT rules of named gateway ports" "routes to NAT addresses" \
            "NAT external address sets" "forwarding groups" \
            "bridged gateway redirects (redirect-type)" \
            "static MAC bindings" \
            "load balancer options (event, add_route)" \
            "HA chassis groups of switch ports"; do
    grep -qF ": $what $(na "$what")" <<<"$(grep "unapplied|WARN|" "$log")" \
        || fail "northd did not log $what"
done
grep "unapplied|WARN|Logical_Switch_Port p3:" "$log" \
    | grep -v ": HA chassis groups of switch ports $NA" \
    && fail "northd logged a switch port that is applied"
grep -q "unapplied|WARN|HA_Chassis" "$log" \
    && fail "northd logged an HA chassis group"
grep "unapplied|WARN|BFD " "$log" \
    | grep -v ": BFD sessions to IPv6 neighbours $NA" \
    && fail "northd logged a BFD session to an IPv4 neighbour"
grep -q "unapplied|WARN|Logical_Switch " "$log" \
    && fail "northd logged a switch"
echo PASS
