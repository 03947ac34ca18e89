#!/bin/bash
# osmotic-nbctl: switch and port commands that name their objects read only
# those rows (and the rows their checks need), as do the generic commands
# that change the VIPs of one load balancer, yet behave exactly as
# with the whole database: the same refusals, no lost ports when a
# switch's port list changes, deletions that take out only what they name,
# a load balancer's other columns kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

# port_names SWITCH: the names of SWITCH's ports, one per line.
port_names() {
    osmotic-nbctl lsp-list "$1" | sed 's/.*(\(.*\))/\1/'
}

# replicated CMD...: runs osmotic-nbctl CMD and prints how many switches
# and ports it replicated.
replicated() {
    local err
    err=$(osmotic-nbctl -vconsole:nbctl_partial:dbg "$@" 2>&1 >/dev/null) \
        || fail "osmotic-nbctl $* failed: $err"
    echo "$err" | sed -n 's/.*replicating \(.*\)/\1/p'
}

check osmotic-nbctl init
check osmotic-nbctl ls-add s1 -- ls-add s2 -- ls-add s3
for s in s1 s2 s3; do
    for p in 1 2 3 4; do
        check osmotic-nbctl lsp-add $s $s-p$p -- lsp-set-addresses $s-p$p \
            "0a:00:00:00:0${s#s}:0$p 10.0.${s#s}.$p"
    done
done

# Only the named rows are replicated: the switch, and the port (which does
# not exist yet); with addresses, also the port's switch and its other
# ports, to check that an IP address is used once.
check_output "1 logical switches and 0 logical switch ports" \
    replicated lsp-add s1 n1
check_output "0 logical switches and 1 logical switch ports" \
    replicated lsp-get-addresses s2-p1
check_output "1 logical switches and 5 logical switch ports" \
    replicated lsp-set-addresses n1 "0a:00:00:00:01:05 10.0.1.5"
# The same rows when the server is given as a list of remotes, where
# osmotic-nbctl does not look the switch's ports up beforehand.
check_output "1 logical switches and 5 logical switch ports" \
    replicated --db="$OSMOTIC_NB_DB,$OSMOTIC_NB_DB" lsp-set-addresses n1 \
    "0a:00:00:00:01:05 10.0.1.5"
# "ls-add" does not read ports at all.
check_output "1 logical switches and 0 logical switch ports" \
    replicated --may-exist ls-add s1
out=$(osmotic-nbctl -vjsonrpc:dbg --may-exist ls-add s1 2>&1 >/dev/null) \
    || fail "ls-add failed"
case $out in
    *'"Logical_Switch_Port"'*) fail "ls-add monitors ports: $out" ;;
esac
# Other commands still read the whole database.
check_output "" replicated lsp-list s1

# Adding a port keeps the switch's other ports: the port list is changed
# with a mutation, not rewritten from the few rows replicated.
check osmotic-nbctl lsp-add s1 n2
check_output "n1
n2
s1-p1
s1-p2
s1-p3
s1-p4" port_names s1
check_output "s2-p1
s2-p2
s2-p3
s2-p4" port_names s2
check_output 14 nb_count Logical_Switch_Port

# The same refusals as with the whole database, and nothing changed.
check_refused \
    "s2-p1: a port with this name already exists" \
    osmotic-nbctl lsp-add s1 s2-p1
check_refused "nosw: switch name not found" \
    osmotic-nbctl lsp-add nosw n3
check_refused "nop: port name not found" \
    osmotic-nbctl lsp-add s1 c1 nop 7
check_refused "s2-p1: port already exists but in switch s2" \
    osmotic-nbctl --may-exist lsp-add s1 s2-p1
check osmotic-nbctl --may-exist lsp-add s2 s2-p1
check_refused "s2: a switch with this name already exists" \
    osmotic-nbctl ls-add s2
check osmotic-nbctl --may-exist ls-add s2
check_output 3 nb_count Logical_Switch
check_output 14 nb_count Logical_Switch_Port
# An IP address of a port that the command does not name.
check_refused "Error on switch s2: duplicate IPv4 address '10.0.2.3'" \
    osmotic-nbctl lsp-set-addresses s2-p1 "0a:00:00:00:02:01 10.0.2.3"
check_refused "Error on switch s2: duplicate IPv4 address '10.0.2.3'" \
    osmotic-nbctl lsp-add s2 n3 -- lsp-set-addresses n3 \
    "0a:00:00:00:02:09 10.0.2.3"
# Two ports added by one batch: the second sees the first in the switch.
check_refused "Error on switch s3: duplicate IPv4 address '10.0.3.9'" \
    osmotic-nbctl lsp-add s3 n4 -- lsp-set-addresses n4 \
    "0a:00:00:00:03:09 10.0.3.9" -- lsp-add s3 n5 -- lsp-set-addresses n5 \
    "0a:00:00:00:03:0a 10.0.3.9"
check_output s2 pipeline "osmotic-nbctl lsp-add s2 n6 -- lsp-get-ls n6 \
    | sed 's/.*(\(.*\))/\1/'"
check osmotic-nbctl --may-exist lsp-add s2 n7 -- --may-exist lsp-add s2 n7
check_output "n6
n7
s2-p1
s2-p2
s2-p3
s2-p4" port_names s2

# A port given by UUID.
uuid=$(osmotic-nbctl --bare --columns=_uuid find Logical_Switch_Port \
       name=s3-p2)
check_output "0a:00:00:00:03:02 10.0.3.2" \
    osmotic-nbctl lsp-get-addresses "$uuid"

# Deleting a port takes out only that port, from its switch.
check osmotic-nbctl lsp-del s1-p2
check_output "n1
n2
s1-p1
s1-p3
s1-p4" port_names s1
check_output 15 nb_count Logical_Switch_Port
# Added and deleted in one batch: nothing is left.
check osmotic-nbctl lsp-add s3 t1 -- lsp-del t1
check_output "s3-p1
s3-p2
s3-p3
s3-p4" port_names s3

# Container ports: a deleted parent takes its children along, from any
# switch; a grandchild whose parent would go is refused, as before.
check osmotic-nbctl lsp-add s1 c1 s1-p1 7 -- lsp-add s2 c2 s1-p1 8
check osmotic-nbctl lsp-add s3 g1 c1 9
check_refused "c1: logical switch port is used by the logical switch port g1" \
    osmotic-nbctl lsp-del s1-p1
check osmotic-nbctl lsp-del g1
check osmotic-nbctl lsp-del s1-p1
check_output "n1
n2
s1-p3
s1-p4" port_names s1
check_output "n6
n7
s2-p1
s2-p2
s2-p3
s2-p4" port_names s2

# A NAT rule that names a port keeps it from being deleted.
check osmotic-nbctl lr-add r1
check osmotic-nbctl lr-nat-add r1 dnat_and_snat 172.16.0.1 10.0.3.3 s3-p3 \
    0a:00:00:00:09:01
check_refused "s3-p3: logical switch port is used by the NAT rule dnat_and_snat 172.16.0.1 10.0.3.3" \
    osmotic-nbctl lsp-del s3-p3
check osmotic-nbctl lr-nat-del r1
check osmotic-nbctl lsp-del s3-p3

# A port that a database written by other means lists in two switches:
# adding it to a third is refused, and deleting it takes it out of both.
p4=$(osmotic-nbctl --bare --columns=_uuid find Logical_Switch_Port \
     name=s3-p4)
ovsdb-client transact "$OSMOTIC_NB_DB" '["Osmotic_Northbound",
    {"op": "mutate", "table": "Logical_Switch",
     "where": [["name", "==", "s1"]],
     "mutations": [["ports", "insert", ["uuid", "'"$p4"'"]]]}]' >/dev/null \
    || fail "transact failed"
check_output "n1
n2
s1-p3
s1-p4
s3-p4" port_names s1
# (Either owner may be named.)
check_refused "s3-p4: port already exists but in switch s" \
    osmotic-nbctl --may-exist lsp-add s2 s3-p4
check osmotic-nbctl lsp-del s3-p4
check_output "n1
n2
s1-p3
s1-p4" port_names s1
check_output "s3-p1
s3-p2" port_names s3

# Ports added to one switch at the same time by several clients are all
# kept.
pids=()
for i in 1 2 3 4 5 6 7 8; do
    osmotic-nbctl lsp-add s3 par$i & pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || fail "a concurrent lsp-add failed"
done
check_output "par1
par2
par3
par4
par5
par6
par7
par8
s3-p1
s3-p2" port_names s3
# A load balancer's VIPs changed, by name or UUID: that load
# balancer alone is replicated, its other columns are kept, and a bad
# backend is refused as before.
check osmotic-nbctl lb-add lb1 10.96.0.1:80 10.0.0.1:8080 tcp \
    -- lb-add lb2 10.96.0.2:80 10.0.0.2:8080 tcp
check osmotic-nbctl set Load_Balancer lb1 options:affinity_timeout=30
check_output "1 load balancers" replicated set Load_Balancer lb1 \
    'vips:"10.96.0.1:80"="10.0.0.1:8080,10.0.0.3:8080"'
check_output '{"10.96.0.1:80"="10.0.0.1:8080,10.0.0.3:8080"}' \
    osmotic-nbctl get Load_Balancer lb1 vips
check_output '{affinity_timeout="30"}' \
    osmotic-nbctl get Load_Balancer lb1 options
lb2=$(osmotic-nbctl get Load_Balancer lb2 _uuid) || fail "get lb2"
check_output "1 load balancers" replicated add Load_Balancer "$lb2" vips \
    '"10.96.0.3:80"="10.0.0.2:8080"'
check_refused "vips: " osmotic-nbctl set Load_Balancer lb2 \
    'vips:"10.96.0.2:80"="10.0.0.2"'
vips='{"10.96.0.2:80"="10.0.0.2:8080", "10.96.0.3:80"="10.0.0.2:8080"}'
check_output "$vips" osmotic-nbctl get Load_Balancer lb2 vips
# Another column, or another command: the whole database.
check_output "" replicated set Load_Balancer lb1 \
    'vips:"10.96.0.1:80"="10.0.0.1:8080"' options:affinity_timeout=60
check_output "" replicated list Load_Balancer lb1

echo PASS
