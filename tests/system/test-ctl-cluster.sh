#!/bin/bash
# Clustered databases: osmotic-ctl starts three central members whose
# northbound and southbound databases form Raft clusters (the first
# creates them, the others join), each member with its own osmotic-northd
# on the comma-separated list of every member.  Two hosts' controllers
# reach the southbound cluster the same way.  While ports are being added
# with osmotic-nbctl (given every member), the NB and SB leaders are
# killed: every port whose lsp-add was acknowledged is still there, in
# the NB and (through northd) in the SB; northd and the controllers carry
# on (new ports come up and carry traffic between the hosts), and
# osmotic-trace reads both clusters; the killed members restart, rejoin
# and serve everything.
. "$(dirname "$0")/lib.sh"
osm_test_init

# free_port: a TCP port of the loopback that nothing listens on, chosen
# at random (so that two runs do not collide).
USED_PORTS=
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 30000))
        case " $USED_PORTS " in *" $port "*) continue ;; esac
        if ! ss -Htln "sport = :$port" | grep -q .; then
            USED_PORTS="$USED_PORTS $port"
            echo "$port"
            return 0
        fi
    done
    fail "no free TCP port"
}

NB_PORT=() SB_PORT=()
for m in 1 2 3 4; do
    NB_PORT[m]=$(free_port)
    SB_PORT[m]=$(free_port)
done
NB=unix:$TESTDIR/m1/osmotic-nb.sock,unix:$TESTDIR/m2/osmotic-nb.sock,unix:$TESTDIR/m3/osmotic-nb.sock
SB=unix:$TESTDIR/m1/osmotic-sb.sock,unix:$TESTDIR/m2/osmotic-sb.sock,unix:$TESTDIR/m3/osmotic-sb.sock
export OSMOTIC_NB_DB=$NB OSMOTIC_SB_DB=$SB

# member M ARGS...: osmotic-ctl for central member M (files in TESTDIR/mM,
# cluster ports on 127.0.0.1; members 2 and 3 join through member 1).
member() {
    local m=$1 join=()
    shift
    if [ "$m" != 1 ]; then
        join=(--db-nb-cluster-remote-addr=127.0.0.1
              --db-nb-cluster-remote-port="${NB_PORT[1]}"
              --db-sb-cluster-remote-addr=127.0.0.1
              --db-sb-cluster-remote-port="${SB_PORT[1]}")
    fi
    osmotic-ctl --run-dir="$TESTDIR/m$m" --db-dir="$TESTDIR/m$m" \
        --log-dir="$TESTDIR/m$m" --schema-dir="$OSM_SRCDIR/lib" \
        --db-nb-cluster-local-addr=127.0.0.1 \
        --db-nb-cluster-local-port="${NB_PORT[m]}" \
        --db-sb-cluster-local-addr=127.0.0.1 \
        --db-sb-cluster-local-port="${SB_PORT[m]}" \
        "${join[@]}" --northd-nb-db="$NB" --northd-sb-db="$SB" "$@"
}
for m in 1 2 3; do
    for d in ovsdb-server-nb ovsdb-server-sb osmotic-northd; do
        osm_track_pidfile "$TESTDIR/m$m/$d.pid"
    done
done

# cluster_status M ROLE: "cluster/status" of member M's ROLE (nb or sb).
cluster_status() {
    local db=Osmotic_Northbound
    [ "$2" = sb ] && db=Osmotic_Southbound
    ovs-appctl -t "$TESTDIR/m$1/ovsdb-server-$2.ctl" cluster/status "$db"
}
# members_are N M ROLE: member M's ROLE cluster has N servers, all seen.
members_are() {
    local out
    out=$(cluster_status "$2" "$3") || return 1
    [ "$(echo "$out" | sed -n '/^Servers:/,$p' | grep -c '127.0.0.1')" \
        -eq "$1" ] && echo "$out" | grep -q '^Role: \(leader\|follower\)'
}
# leader_of ROLE: the member that leads ROLE's cluster now.
leader_of() {
    local m
    for m in 1 2 3; do
        [ -S "$TESTDIR/m$m/ovsdb-server-$1.ctl" ] || continue
        if cluster_status "$m" "$1" 2>/dev/null | grep -q '^Role: leader'; then
            echo "$m"
            return 0
        fi
    done
    return 1
}

# Three members: the first creates both clusters, the others join.
out=$(member 1 start_central) || fail "member 1: $out"
echo "$out"
case $out in
    *"Creating Osmotic_Northbound cluster"*"Creating Osmotic_Southbound cluster"*) ;;
    *) fail "member 1 did not create the clusters" ;;
esac
for m in 2 3; do
    out=$(member $m start_central) || fail "member $m: $out"
    echo "$out"
    case $out in
        *"Joining Osmotic_Northbound cluster"*"Joining Osmotic_Southbound cluster"*) ;;
        *) fail "member $m did not join the clusters" ;;
    esac
done
OSM_WAIT=60
for m in 1 2 3; do
    wait_until members_are 3 $m nb
    wait_until members_are 3 $m sb
done
check ovsdb-tool db-is-clustered "$TESTDIR/m2/osmotic-nb.db"

# A member whose file is standalone is refused when cluster options say
# otherwise, and nothing starts.
check ovsdb-tool create "$TESTDIR/standalone.db" "$NB_SCHEMA"
check_error "standalone.db: a standalone database, but cluster options are set" \
    member 4 --db-nb-file="$TESTDIR/standalone.db" start_nb_ovsdb
[ ! -e "$TESTDIR/m4/ovsdb-server-nb.pid" ] || fail "member 4 started"

# The tools take the list of members.
check osmotic-nbctl --db="$NB" init
check osmotic-nbctl ls-add sw0

# Two hosts whose controllers get the list of SB members.
osm_add_host hv1 172.31.0.1
osm_add_host hv2 172.31.0.2
osm_prime_underlay hv1 hv2
osm_lsp_add sw0 a 0a:00:00:00:00:0a 10.244.0.10
osm_lsp_add sw0 b 0a:00:00:00:00:0b 10.244.0.11
osm_add_pod hv1 a 0a:00:00:00:00:0a 10.244.0.10/24 a
osm_add_pod hv2 b 0a:00:00:00:00:0b 10.244.0.11/24 b
check osmotic-nbctl --wait=hv sync
check_ping a 10.244.0.11

# Ports are added one by one in the background, each lsp-add given 20 s
# (--may-exist: a command whose reply the dying leader did not send is
# retried and finds its port there); the ports whose lsp-add succeeded
# are recorded.  Every one must succeed: nbctl rides over the election.
N=60
ACKED=$TESTDIR/acked
: > "$ACKED"
add_ports() {
    local i
    for i in $(seq 1 $N); do
        if command osmotic-nbctl --timeout=20 --db="$NB" \
                --may-exist lsp-add sw0 "p$i" 2>> "$TESTDIR/adder.err"; then
            echo "p$i" >> "$ACKED"
        else
            echo "lsp-add p$i failed" >> "$TESTDIR/adder.err"
        fi
    done
}
add_ports &
adder=$!

# acked_at_least N: N ports have been acknowledged.
acked_at_least() {
    [ "$(wc -l < "$ACKED")" -ge "$1" ]
}
wait_until acked_at_least 10
nb_leader=$(leader_of nb) || fail "no NB leader"
sb_leader=$(leader_of sb) || fail "no SB leader"
echo "killing the NB leader (member $nb_leader) and the SB leader (member $sb_leader)" \
    "after $(wc -l < "$ACKED") ports"
kill -9 "$(cat "$TESTDIR/m$nb_leader/ovsdb-server-nb.pid")" \
    || fail "kill NB leader"
kill -9 "$(cat "$TESTDIR/m$sb_leader/ovsdb-server-sb.pid")" \
    || fail "kill SB leader"

OSM_WAIT=240 wait_until pipeline "! kill -0 $adder 2> /dev/null"
wait "$adder"
acked=$(wc -l < "$ACKED")
echo "$acked of $N lsp-add acknowledged"
[ -s "$TESTDIR/adder.err" ] && cat "$TESTDIR/adder.err"
[ "$acked" -eq $N ] || fail "only $acked of $N lsp-add succeeded"

# Every acknowledged port is in the NB, read through the surviving members.
ports=$(osmotic-nbctl lsp-list sw0 | awk '{print $2}' | tr -d '()') \
    || fail "lsp-list"
while read -r p; do
    echo "$ports" | grep -qx "$p" || fail "acknowledged port $p is lost"
done < "$ACKED"

# northd carries on: every NB port gets its SB Port_Binding.
check osmotic-nbctl --wait=sb sync
sb_ports() {
    osmotic-sbctl --bare --columns=logical_port list Port_Binding | grep . \
        | sort
}
nb_ports() {
    echo "$ports" | sort
}
check_output "$(nb_ports)" sb_ports

# The controllers carry on: ports added now come up and carry traffic.
osm_lsp_add sw0 c 0a:00:00:00:00:0c 10.244.0.12
osm_lsp_add sw0 d 0a:00:00:00:00:0d 10.244.0.13
osm_add_pod hv1 c 0a:00:00:00:00:0c 10.244.0.12/24 c
osm_add_pod hv2 d 0a:00:00:00:00:0d 10.244.0.13/24 d
check osmotic-nbctl --wait=hv sync
check_output up osmotic-nbctl lsp-get-up c
check_output up osmotic-nbctl lsp-get-up d
check_ping c 10.244.0.13
check_ping a 10.244.0.11
# osmotic-trace reads both databases through the lists of members while
# the killed ones are down.
FLOW='inport == "c" && eth.src == 0a:00:00:00:00:0c && eth.dst == 0a:00:00:00:00:0d'
FLOW+=' && ip4.src == 10.244.0.12 && ip4.dst == 10.244.0.13 && icmp4'
out=$(osmotic-trace --db="$SB" --nb-db="$NB" sw0 "$FLOW") \
    || fail "osmotic-trace on the members: $out"
grep -qF "Verdict: delivered to d on chassis hv2" <<<"$out" \
    || fail "osmotic-trace on the members: $out"

# The killed members restart, rejoin and serve every acknowledged port
# from their own copy (read with ovsdb-client, which reads a follower).
# has_all_ports M: member M's own NB server has every acknowledged port.
has_all_ports() {
    local mine
    mine=$(ovsdb-client -f csv --no-headings dump \
               "unix:$TESTDIR/m$1/osmotic-nb.sock" Osmotic_Northbound \
               Logical_Switch_Port name 2>/dev/null | tr -d '"') || return 1
    while read -r p; do
        echo "$mine" | grep -qx "$p" || return 1
    done < "$ACKED"
}
for m in $(echo "$nb_leader $sb_leader" | tr ' ' '\n' | sort -u); do
    check member "$m" start_central > /dev/null
    wait_until members_are 3 "$m" nb
    wait_until members_are 3 "$m" sb
    wait_until has_all_ports "$m"
done
echo ok
