#!/bin/bash
# What a feature costs the pipeline: Osmotic against OVN 23.03, in the
# same run, with each feature configured the same way on both.  No
# traffic is measured: the figures are counts, not times, so the
# machine's load does not move them.
#
# The testbed of switching-vs-ovn.sh, one per system: NB and SB
# ovsdb-servers and northd, two hosts (namespaces with their own
# ovsdb-server and ovs-vswitchd, userspace datapath) joined by Geneve,
# pod 1 (lp1) on host 1 and pod 2 (lp2) on host 2.  The configurations,
# each applied to an NB emptied of the previous one, then "--wait=hv":
#   plain    switch sw0 with lp1 and lp2 (addresses and port security
#            "MAC IP"): switching-vs-ovn.sh's configuration;
#   acl      plain, and port group "pods" with both ports holding
#                from-lport 1001 "inport == @pods && ip4 && tcp"
#                          allow-related
#                from-lport 1000 "inport == @pods && ip4" drop
#                to-lport 1001 "outport == @pods && ip4 && tcp"
#                          allow-related
#                to-lport 1000 "outport == @pods && ip4" drop
#   lb       plain, and load balancer lb0 on sw0: TCP VIP 10.96.0.10:80
#            with backends pod 1 and pod 2 (port 8080);
#   router   router lr0 between switches sw1 (lp1) and sw2 (lp2), one
#            subnet each;
#   color    (Osmotic only: OVN has no colours) plain, and colour
#            "elephant" with flow class "bulk": class-add bulk 100 tcp
#            mouse --promote-to=elephant --promote-bytes=1000000.
# Measured per configuration on host 1:
#   - ofproto/trace on br-int of a TCP SYN from pod 1: to pod 2 (plain,
#     acl, color), to the VIP (lb: addressed to pod 2's MAC, with the
#     first datapath hash from 1 on whose bucket, in the trace, is pod 2
#     on both systems: ofproto/trace does not follow the recirculation
#     that computes the hash), through the router to pod 2 (router); the
#     br-int lookups (a resubmit or a recirculation's is one more) and
#     the distinct br-int tables among them (count_trace_lookups in
#     tests/system/lib.sh), with conntrack's state taken as
#     ofproto/trace assumes it by default (trk|new: a connection's first
#     packet).  A trace whose last datapath actions do not send the SYN
#     through the tunnel to host 2, or that does not show the feature at
#     work (acl: a conntrack commit; lb: the NAT to pod 2; router: the
#     TTL decremented; color: the promotion's sampling), is an error, not
#     a figure;
#   - OpenFlow flows on host 1's br-int, and the flows of both hosts
#     divided by the pod ports (2), as switching-vs-ovn.sh's "flows per
#     pod port" (host 1 has one pod port: for these configurations,
#     the same on both hosts, the two figures are close).
# The configuration is checked on both NBs (row counts of every table
# the configurations write), and the report prints it.  Nothing here is
# pass/fail.
#
# usage: tests/bench/pipeline-features-vs-ovn.sh [CONFIG...]
#        (default: plain acl lb router color)
#
# Environment: OSM_BUILDDIR (built tree), BENCH_OUT (also write the
# table to this file), OSM_CLIENT_TIMEOUT (seconds any client call may
# take, default 300), OSM_KEEP=1 (keep the test directory, with every
# trace).  Needs root and ovn-central and ovn-host installed (their
# services need not and should not run).

here=$(cd "$(dirname "$0")" && pwd)
: "${OSM_CLIENT_TIMEOUT:=300}"
export OSM_CLIENT_TIMEOUT
. "$here/../system/lib.sh"
. "$here/bench-lib.sh"

# bench-lib.sh's sys_nbctl bounds every nbctl call so.
export NBCTL_TIMEOUT=$OSM_CLIENT_TIMEOUT

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(plain acl lb router color)
for c in "${configs[@]}"; do
    case $c in
        plain|acl|lb|router|color) ;;
        *) fail "unknown configuration '$c'" \
                "(plain, acl, lb, router or color)" ;;
    esac
done
command -v osmotic-northd >/dev/null \
    || fail "osmotic-northd not found (set OSM_BUILDDIR)"
command -v ovn-northd >/dev/null && command -v ovn-controller >/dev/null \
    || fail "OVN not found (apt-get install ovn-central ovn-host)"
[ "$(id -u)" = 0 ] || fail "the benchmark needs root (namespaces, OVS)"

osm_test_init
systems=(osmotic ovn)

MAC1=0a:00:00:00:00:01
MAC2=0a:00:00:00:00:02
IP1=10.244.0.1
IP2=10.244.0.2
# The router configuration: pod 1 and pod 2 in subnets of their own.
RIP1=10.244.1.10
RIP2=10.244.2.10
RMAC1=0a:00:00:00:ff:01
RMAC2=0a:00:00:00:ff:02
VIP=10.96.0.10
VIP_PORT=80
BACKEND_PORT=8080
POD_PORTS=2

# Results: RES[system.config.metric] = value.
declare -A RES UNDERLAY

# setup_system SYSTEM BASE: central daemons and northd, two hosts with
# their controllers, pod 1 on host 1 and pod 2 on host 2 (bound once the
# configuration names their logical ports).
setup_system() {
    local s=$1 base=$2 p n
    p=$(sys_prefix "$s")
    start_central "$s"
    start_northd "$s"
    for n in 1 2; do
        add_host "$s" $n 172.31.0.$((base + n))
        UNDERLAY[$s.$n]=172.31.0.$((base + n))
        start_controller "$s" $n
    done
    osm_add_pod "$p-hv1" "$p-p1" $MAC1 $IP1/24 lp1
    osm_add_pod "$p-hv2" "$p-p2" $MAC2 $IP2/24 lp2
}

# clear_nb SYSTEM: removes every row any configuration writes (ports and
# ACLs go with their switches and port groups).
clear_nb() {
    local s=$1 t
    local -a args=()
    for t in Port_Group Load_Balancer Logical_Router Logical_Switch; do
        args+=(-- --all destroy "$t")
    done
    if [ "$s" = osmotic ]; then
        args+=(-- --all destroy Flow_Class -- --if-exists color-del elephant)
    fi
    sys_nbctl "$s" "${args[@]:1}" >/dev/null || fail "$s: clearing the NB"
}

# add_lsp_args SWITCH PORT MAC IP: appends to the caller's array "args"
# the nbctl commands of a port with addresses and port security "MAC IP".
add_lsp_args() {
    args+=(-- lsp-add "$1" "$2" -- lsp-set-addresses "$2" "$3 $4"
           -- lsp-set-port-security "$2" "$3 $4")
}

# configure SYSTEM CONFIG: CONFIG on an emptied NB, installed on the
# hosts (--wait=hv), with both pods' ports up.
configure() {
    local s=$1 c=$2 lp sw
    local -a args
    clear_nb "$s"
    if [ "$c" = router ]; then
        args=(lr-add lr0
              -- lrp-add lr0 lr0-sw1 "$RMAC1" 10.244.1.1/24
              -- lrp-add lr0 lr0-sw2 "$RMAC2" 10.244.2.1/24
              -- ls-add sw1 -- ls-add sw2)
        add_lsp_args sw1 lp1 $MAC1 $RIP1
        add_lsp_args sw2 lp2 $MAC2 $RIP2
        for sw in sw1 sw2; do
            args+=(-- lsp-add "$sw" "$sw-lr0"
                   -- lsp-set-type "$sw-lr0" router
                   -- lsp-set-addresses "$sw-lr0" router
                   -- lsp-set-options "$sw-lr0" "router-port=lr0-$sw")
        done
    else
        args=(ls-add sw0)
        add_lsp_args sw0 lp1 $MAC1 $IP1
        add_lsp_args sw0 lp2 $MAC2 $IP2
    fi
    case $c in
        acl)
            args+=(-- pg-add pods lp1 lp2
                   -- acl-add pods from-lport 1001
                      "inport == @pods && ip4 && tcp" allow-related
                   -- acl-add pods from-lport 1000 "inport == @pods && ip4"
                      drop
                   -- acl-add pods to-lport 1001
                      "outport == @pods && ip4 && tcp" allow-related
                   -- acl-add pods to-lport 1000 "outport == @pods && ip4"
                      drop) ;;
        lb)
            args+=(-- lb-add lb0 "$VIP:$VIP_PORT"
                      "$IP1:$BACKEND_PORT,$IP2:$BACKEND_PORT" tcp
                   -- ls-lb-add sw0 lb0) ;;
        color)
            args+=(-- color-add elephant
                   -- class-add bulk 100 tcp mouse --promote-to=elephant
                      --promote-bytes=1000000) ;;
    esac
    sys_nbctl "$s" "${args[@]}" >/dev/null || fail "$s: configuring $c"
    for lp in lp1 lp2; do
        sys_nbctl "$s" wait-until Logical_Switch_Port $lp up=true \
            >/dev/null || fail "$s ($c): port $lp not up"
    done
    sys_nbctl "$s" --wait=hv sync >/dev/null || fail "$s ($c): sync"
    check_config "$s" "$c"
}

# check_config SYSTEM CONFIG: SYSTEM's NB holds CONFIG and nothing else
# (row counts of every table a configuration writes); records it for the
# report.
check_config() {
    local s=$1 c=$2 t got want=
    local -a tables=(Logical_Switch Logical_Switch_Port Logical_Router
                     Logical_Router_Port ACL Port_Group Load_Balancer)
    case $c in
        plain|color) want="1 2 0 0 0 0 0" ;;
        acl) want="1 2 0 0 4 1 0" ;;
        lb) want="1 2 0 0 0 0 1" ;;
        router) want="2 4 1 2 0 0 0" ;;
    esac
    local n
    got=
    for t in "${tables[@]}"; do
        n=$(nb_rows "$s" $t) || fail "$s: list $t"
        got+="${got:+ }$n"
    done
    [ "$got" = "$want" ] \
        || fail "$s ($c): NB rows of ${tables[*]}: $got, expected $want"
    RES[$s.$c.config]="NB rows of ${tables[*]}: $got"
    if [ "$s" = osmotic ]; then
        n=$(nb_rows osmotic Flow_Class) || fail "list Flow_Class"
        want=0
        [ "$c" = color ] && want=1
        [ "$n" = "$want" ] \
            || fail "osmotic ($c): $n flow classes, expected $want"
        RES[$s.$c.config]+="; Flow_Class $n"
    fi
}

# prime_underlay SYSTEM: makes SYSTEM's host 1 ask host 2's underlay
# address by ARP, so that its ovs-vswitchd knows the tunnel's neighbour
# (it learns neighbours from ARP replies only; without one, a trace ends
# in "neighbor cache miss" and drops).
prime_underlay() {
    local h
    h=$(hv_name "$1" 1)
    osm_host_exec "$h" ip neigh flush dev br-phy0
    osm_host_exec "$h" ping -q -c 1 -W 2 "${UNDERLAY[$1.2]}" >/dev/null \
        || fail "$1: host 1 does not reach host 2's underlay address"
}

# trace SYSTEM CONFIG DP_HASH FILE: ofproto/trace on SYSTEM's host 1 of
# CONFIG's TCP SYN from pod 1, into FILE.  DP_HASH (lb only) is the hash
# the datapath would give the packet for the load balancer's select
# group: ofproto/trace does not follow the recirculation that computes
# it, so it is given in the traced flow, where nothing else matches it.
trace() {
    local s=$1 c=$2 p ofport flow
    p=$(sys_prefix "$s")
    ofport=$(osm_host_vsctl "$p-hv1" get interface "v-$p-p1" ofport) \
        || fail "$s: pod 1's ofport"
    prime_underlay "$s"
    case $c in
        router) flow="dl_src=$MAC1,dl_dst=$RMAC1,nw_src=$RIP1,nw_dst=$RIP2"
                flow+=",tp_dst=$BACKEND_PORT" ;;
        lb) flow="dl_src=$MAC1,dl_dst=$MAC2,nw_src=$IP1,nw_dst=$VIP"
            flow+=",tp_dst=$VIP_PORT,dp_hash=$3" ;;
        *) flow="dl_src=$MAC1,dl_dst=$MAC2,nw_src=$IP1,nw_dst=$IP2"
           flow+=",tp_dst=$BACKEND_PORT" ;;
    esac
    osm_host_appctl "$p-hv1" ofproto/trace br-int \
        "in_port=$ofport,tcp,$flow,nw_ttl=64,tp_src=40000,tcp_flags=0x002" \
        > "$4" 2>&1 || fail "$s ($c): ofproto/trace: $(cat "$4")"
}

# trace_delivers SYSTEM FILE: true if the last datapath actions of the
# trace in FILE (those of its last recirculation) send the packet through
# the tunnel from SYSTEM's host 1 to its host 2.
trace_delivers() {
    local s=$1 last
    last=$(grep '^Datapath actions:' "$2" | tail -1)
    case $last in
        *"tnl_push("*"ipv4(src=${UNDERLAY[$s.1]},dst=${UNDERLAY[$s.2]},"*)
            return 0 ;;
    esac
    return 1
}

# feature_sign CONFIG: what the trace of CONFIG must show, the feature
# at work on the SYN: a conntrack commit (the stateful ACLs' allow); the
# TTL decremented (routed); the sampling of the class's promotion rule.
# (lb: the backend the VIP is NATed to, checked by measure.)
feature_sign() {
    case $1 in
        acl) echo "a ct(commit,...) action" ;;
        router) echo "set(ipv4(ttl=63)) in the datapath actions" ;;
        color) echo "a sample(...) datapath action" ;;
        *) echo "nothing more" ;;
    esac
}

# trace_shows_feature CONFIG FILE: true if the trace in FILE shows what
# feature_sign CONFIG says.
trace_shows_feature() {
    case $1 in
        acl) grep -q '^ *ct(commit' "$2" ;;
        router) grep '^Datapath actions:' "$2" | tail -1 \
                    | grep -qF 'set(ipv4(ttl=63))' ;;
        color) grep '^Datapath actions:' "$2" | tail -1 \
                   | grep -qF 'sample(' ;;
        *) return 0 ;;
    esac
}

# lb_backend FILE: the backend address the trace in FILE NATs the VIP
# to, or nothing.
lb_backend() {
    awk '/^ Modified flow:.*nw_dst=/ {
             sub(/.*nw_dst=/, ""); sub(/,.*/, ""); b = $0 }
         END { print b }' "$1"
}

# count_flows SYSTEM N: the OpenFlow flows on SYSTEM's host N's br-int;
# fails if they cannot be read, or if there are none.
count_flows() {
    local out n
    out=$(osm_host_ofctl "$(hv_name "$1" "$2")" dump-flows br-int \
              --no-stats) || fail "$1: dump-flows on host $2"
    # "--no-stats" leaves out "table=0": count every flow by its actions.
    n=$(grep -c 'actions=' <<<"$out")
    [ "$n" -gt 0 ] || fail "$1: no flow on host $2"
    echo "$n"
}

# measure SYSTEM CONFIG: the trace and the flow counts of CONFIG.  For
# lb, the trace of the first dp_hash from LB_DP_HASH (the one the
# systems measured before used) on whose bucket is pod 2; returns 1 if
# that is not LB_DP_HASH, which is then the new one.
measure() {
    local s=$1 c=$2 f h=0 lookups tables flows
    f=$TESTDIR/$s.$c.trace
    if [ "$c" = lb ]; then
        local first=${LB_DP_HASH:-1}
        h=$first
        while :; do
            trace "$s" "$c" "$h" "$f"
            [ "$(lb_backend "$f")" = "$IP2" ] && break
            h=$((h + 1))
            [ $h -le 64 ] || fail "$s (lb): no dp_hash from $first to 64" \
                "balanced to pod 2 in the trace; last trace: $(cat "$f")"
        done
        if [ -n "${LB_DP_HASH:-}" ] && [ "$h" != "$LB_DP_HASH" ]; then
            LB_DP_HASH=$h
            return 1
        fi
        LB_DP_HASH=$h
    else
        trace "$s" "$c" "" "$f"
    fi
    trace_delivers "$s" "$f" \
        || fail "$s ($c): the traced SYN does not leave host 1 through" \
                "the tunnel to host 2; trace: $(cat "$f")"
    trace_shows_feature "$c" "$f" \
        || fail "$s ($c): the trace does not show the feature configured" \
                "($(feature_sign "$c")); trace: $(cat "$f")"
    read -r lookups tables < <(count_trace_lookups < "$f")
    [ "${lookups:-0}" -gt 0 ] || fail "$s ($c): no br-int lookup in $f"
    RES[$s.$c.lookups]=$lookups
    RES[$s.$c.tables]=$tables
    RES[$s.$c.flows]=$(count_flows "$s" 1) || exit 1
    flows=$(count_flows "$s" 2) || exit 1
    RES[$s.$c.per_port]=$(awk -v f=$((RES[$s.$c.flows] + flows)) \
                              -v n=$POD_PORTS \
                              'BEGIN { printf "%.1f\n", f / n }')
    RES[$s.$c.dp_hash]=$h
    return 0
}

# run_config CONFIG: CONFIG on every system that has it, measured.
run_config() {
    local c=$1 s
    local -a on=("${systems[@]}")
    [ "$c" = color ] && on=(osmotic)
    for s in "${on[@]}"; do
        configure "$s" "$c"
    done
    # The lb trace's dp_hash must pick pod 2 on both systems: measure
    # again from the one a later system needed (at most 64 times).
    for _ in $(seq 64); do
        for s in "${on[@]}"; do
            measure "$s" "$c" || continue 2
        done
        return 0
    done
    fail "$c: no source port balanced to pod 2 on both systems"
}

report() {
    local c s row key label a b
    local -a rows=(
        "lookups|br-int lookups, TCP SYN on host 1"
        "tables|distinct br-int tables, same SYN"
        "flows|OpenFlow flows on host 1"
        "per_port|flows per pod port (both hosts / $POD_PORTS)"
    )
    echo "Pipeline cost of features, $(date -u '+%Y-%m-%d %H:%M UTC')," \
         "$(nproc) CPUs"
    echo "(counts, not times: the machine's load does not change them)"
    for c in "${configs[@]}"; do
        for s in "${systems[@]}"; do
            [ -n "${RES[$s.$c.config]:-}" ] || continue
            echo "configuration $c, $s: ${RES[$s.$c.config]}"
        done
    done
    [ -n "${RES[osmotic.lb.dp_hash]:-}" ] \
        && echo "lb: SYN traced with dp_hash=${RES[osmotic.lb.dp_hash]}," \
                "balanced to pod 2 on both systems"
    printf '%-8s %-38s %9s %16s %7s\n' config metric osmotic ovn ratio
    for c in "${configs[@]}"; do
        for row in "${rows[@]}"; do
            key=${row%%|*}
            label=${row#*|}
            a=${RES[osmotic.$c.$key]:-n/a}
            if [ "$c" = color ]; then
                b="n/a (no colours)"
            else
                b=${RES[ovn.$c.$key]:-n/a}
            fi
            printf '%-8s %-38s %9s %16s %7s\n' "$c" "$label" "$a" "$b" \
                "$(ratio "$a" "$b")"
        done
    done
}

note_load start
setup_system osmotic 0
setup_system ovn 10
for c in "${configs[@]}"; do
    run_config "$c"
done
note_load end
{
    report
    echo "load average (1/5/15 min):"
    printf '  %s\n' "${LOADS[@]}"
} | tee ${BENCH_OUT:+"$BENCH_OUT"}
