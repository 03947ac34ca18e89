#!/bin/bash
# osmotic-nbctl reaches the northbound database over tcp: and ssl:
# remotes as well as the default Unix socket, with the usual
# --private-key/--certificate/--ca-cert options for ssl:.  Only
# loopback addresses are used.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nbctl-lib.sh"
osm_test_init
osm_start_nb
ctl=$TESTDIR/osmotic-nb.ctl

# listenings: how many times the NB server logged listening on a port.
listenings() {
    grep -c 'listening on port' "$TESTDIR/osmotic-nb.log"
}
# more_listenings N: the NB server has logged more than N listenings.
more_listenings() {
    [ "$(listenings)" -gt "$1" ]
}

# listen_port REMOTE: adds passive REMOTE (port 0) to the NB server and
# prints the port the kernel chose, from the server's log.
listen_port() {
    local before port
    before=$(listenings)
    ovs-appctl -t "$ctl" ovsdb-server/add-remote "$1" \
        || fail "add-remote $1"
    wait_until more_listenings "$before"
    port=$(grep 'listening on port' "$TESTDIR/osmotic-nb.log" | tail -n 1 \
           | sed 's/.*listening on port \([0-9]*\).*/\1/')
    [ -n "$port" ] || fail "no port for $1"
    echo "$port"
}

check osmotic-nbctl init
check osmotic-nbctl ls-add sw-unix

# tcp:
tport=$(listen_port ptcp:0:127.0.0.1)
check osmotic-nbctl --db=tcp:127.0.0.1:$tport ls-add sw-tcp
check_output "sw-tcp
sw-unix" pipeline "osmotic-nbctl --db=tcp:127.0.0.1:$tport ls-list \
                | awk '{print \$2}' | tr -d '()' | sort"

# ssl: a throwaway CA signs the server's and the client's certificates.
pki=$TESTDIR/pki
mkdir -p "$pki"
(
    cd "$pki" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test-ca \
        -keyout ca-key.pem -out ca-cert.pem
    for who in server client; do
        openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" \
            -keyout $who-key.pem -out $who-req.pem
        openssl x509 -req -in $who-req.pem -CA ca-cert.pem \
            -CAkey ca-key.pem -CAcreateserial -days 1 -out $who-cert.pem
    done
) > "$TESTDIR/pki.log" 2>&1 || fail "could not make certificates"

# ovsdb-server takes its key and certificates at start: restart it with
# them (the database file keeps the switches made so far).
osm_kill_pidfile "$TESTDIR/osmotic-nb.pid"
ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/osmotic-nb.pid" \
    --unixctl="$ctl" --log-file="$TESTDIR/osmotic-nb.log" \
    --remote=punix:"$TESTDIR/osmotic-nb.sock" \
    --private-key="$pki/server-key.pem" \
    --certificate="$pki/server-cert.pem" \
    --ca-cert="$pki/ca-cert.pem" "$TESTDIR/osmotic-nb.db" \
    || fail "restart NB with SSL"
sport=$(listen_port pssl:0:127.0.0.1)
ssl_opts=(--private-key="$pki/client-key.pem"
          --certificate="$pki/client-cert.pem"
          --ca-cert="$pki/ca-cert.pem")
check osmotic-nbctl --db=ssl:127.0.0.1:$sport "${ssl_opts[@]}" ls-add sw-ssl
check_output "sw-ssl
sw-tcp
sw-unix" pipeline "osmotic-nbctl --db=ssl:127.0.0.1:$sport ${ssl_opts[*]} \
                ls-list | awk '{print \$2}' | tr -d '()' | sort"

# Without the client certificate the connection cannot be made, and
# nbctl says so within its timeout instead of hanging.
start=$(date +%s)
check_error "ssl:127.0.0.1:$sport" \
    osmotic-nbctl --timeout=3 --db=ssl:127.0.0.1:$sport ls-list
[ $(( $(date +%s) - start )) -le 6 ] || fail "nbctl took over 3 s to give up"

# A malformed remote is refused up front, naming it.
check_error "bogus:1.2.3.4" osmotic-nbctl --db=bogus:1.2.3.4 ls-list
