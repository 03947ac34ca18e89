#!/bin/bash
# osmotic-nbctl: database-level commands and options: connections, SSL,
# the generic db-ctl-base commands and their output formats, --dry-run,
# --oneline, --db, and errors before any change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb

osmotic-nbctl --help | grep -q "lsp-set-port-security PORT" || fail "--help"
osmotic-nbctl --version | grep -qx "DB Schema $(ovsdb-tool schema-version "$NB_SCHEMA")" \
    || fail "--version"
check_refused "unknown command 'ls-frobnicate'" osmotic-nbctl ls-frobnicate
check_refused "'ls-del' command requires at least 1 arguments" osmotic-nbctl ls-del
check_error "database connection failed" \
    osmotic-nbctl --db=unix:$TESTDIR/nothing.sock ls-list

# init creates NB_Global once.
check osmotic-nbctl init -- init
check_output 1 nb_count NB_Global

# Connections.
check osmotic-nbctl set-connection ptcp:6641:127.0.0.1 punix:$TESTDIR/x.sock
check_output "ptcp:6641:127.0.0.1
punix:$TESTDIR/x.sock" osmotic-nbctl get-connection
check_refused "tcp:127.0.0.1: invalid target (expected tcp:IP:PORT)" \
    osmotic-nbctl set-connection tcp:127.0.0.1
check_refused "ptcp:99999: invalid target" \
    osmotic-nbctl set-connection ptcp:99999
check_refused "udp:1.2.3.4:5: invalid connection target" \
    osmotic-nbctl set-connection udp:1.2.3.4:5
check_refused "Connection tcp:1.2.3.4: target: tcp:1.2.3.4: invalid target" \
    osmotic-nbctl -- --id=@c create Connection target='"tcp:1.2.3.4"' \
    -- add NB_Global . connections @c
check osmotic-nbctl --inactivity-probe=30000 set-connection \
    ptcp:6641:127.0.0.1 punix:$TESTDIR/x.sock
check_output "30000 30000" pipeline "osmotic-nbctl --bare \
    --columns=inactivity_probe list Connection | xargs"
check_refused "-5: invalid inactivity probe" \
    osmotic-nbctl --inactivity-probe=-5 set-connection ptcp:6641
check_refused "soon: invalid inactivity probe" \
    osmotic-nbctl --inactivity-probe=soon set-connection ptcp:6641
check osmotic-nbctl set-connection tcp:127.0.0.1:6641
check_output 1 nb_count Connection
check_output "[]" osmotic-nbctl get Connection . inactivity_probe
check osmotic-nbctl del-connection
check_output "" osmotic-nbctl get-connection
check_output 0 nb_count Connection

# SSL.
check osmotic-nbctl set-ssl /k.pem /c.pem /ca.pem TLSv1.2
check_output "Private key: /k.pem
Certificate: /c.pem
CA Certificate: /ca.pem
Bootstrap: false
SSL protocols: TLSv1.2" osmotic-nbctl get-ssl
check osmotic-nbctl del-ssl
check_output "" osmotic-nbctl get-ssl

# Generic commands and formats.
check osmotic-nbctl ls-add sw0 -- lsp-add sw0 p1 -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.0.0.1"
check_output 'name,addresses
p1,"[""0a:00:00:00:00:01 10.0.0.1""]"' osmotic-nbctl -f csv --columns=name,addresses list Logical_Switch_Port
osmotic-nbctl -f json --columns=name list Logical_Switch | grep -q '"data":\[\["sw0"\]\]' \
    || fail "json output"
check_output p1 osmotic-nbctl --bare --columns=name find Logical_Switch_Port 'addresses{>=}"0a:00:00:00:00:01 10.0.0.1"'
check osmotic-nbctl set Logical_Switch sw0 other_config:subnet=10.0.0.0/24
check_output '"10.0.0.0/24"' osmotic-nbctl get Logical_Switch sw0 other_config:subnet
check osmotic-nbctl remove Logical_Switch sw0 other_config subnet
check_output "{}" osmotic-nbctl get Logical_Switch sw0 other_config
uuid=$(osmotic-nbctl create Address_Set name=web addresses=10.0.0.7) || fail create
check_output "$uuid" osmotic-nbctl get Address_Set web _uuid
check osmotic-nbctl destroy Address_Set web
check osmotic-nbctl wait-until Logical_Switch sw0 name=sw0
check_refused "Address_Set bad-name: name: bad-name: invalid name" \
    osmotic-nbctl create Address_Set name=bad-name
# Switch names are labels, as in OVN: a second "sw0" may be created, and
# then commands that take a switch by name ask for its UUID.
dup=$(osmotic-nbctl create Logical_Switch name=sw0) || fail "create sw0"
check_refused "Multiple logical switches named 'sw0'.  Use a UUID." \
    osmotic-nbctl lsp-add sw0 px
check osmotic-nbctl ls-del "$dup"
check_refused 'name: "p1": another row of Logical_Switch_Port has this name' \
    osmotic-nbctl lsp-add sw0 p2 -- set Logical_Switch_Port p2 name=p1
check_refused "Logical_Switch_Port p1: parent_name: ghost: no logical switch port named ghost" \
    osmotic-nbctl set Logical_Switch_Port p1 parent_name=ghost tag_request=5
check_refused "constraint violation" \
    osmotic-nbctl set Logical_Switch_Port p1 tag_request=5000

# --dry-run validates but writes nothing; invalid input still fails.
before=$(nb_dump)
check osmotic-nbctl --dry-run ls-add sw1
[ "$before" = "$(nb_dump)" ] || fail "--dry-run changed the database"
check_refused "invalid MAC" osmotic-nbctl --dry-run lsp-set-addresses p1 zz

# --oneline.
check osmotic-nbctl lsp-set-port-security p1 "0a:00:00:00:00:01" "0a:00:00:00:00:02"
check_output 'enabled
0a:00:00:00:00:01\n0a:00:00:00:00:02' osmotic-nbctl --oneline lsp-get-enabled p1 -- lsp-get-port-security p1

# The whole batch fails on a bad command late in it.
check_refused "nosw: switch name not found" \
    osmotic-nbctl ls-add sw2 -- lsp-add sw2 p3 -- ls-del nosw
echo PASS
