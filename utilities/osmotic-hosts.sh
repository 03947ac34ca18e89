# Shell library of Osmotic hosts on one machine: central databases,
# hosts (chassis) as network namespaces with their own Open vSwitch,
# pods, and the underlay that joins the hosts.  The system tests
# (tests/system/lib.sh) and osmotic-sandbox both source it.
#
# The caller sets:
#   TESTDIR           directory for databases, sockets, logs and pid files
#   OSM_TAG           prefix of every namespace name (unique per run)
#   NB_SCHEMA, SB_SCHEMA   schema files, for osm_start_nb / osm_start_sb
# and may set:
#   OSM_STATE_DIR     if set, every pid file and namespace is also appended
#                     to OSM_STATE_DIR/pidfiles and OSM_STATE_DIR/netns, so
#                     another process can stop them later
#   OSM_NO_CONTROLLER if set, osm_add_host starts no osmotic-controller
#   OSM_CLIENT_TIMEOUT seconds after which the client helpers below
#                     (osm_host_vsctl, osm_host_ofctl, osm_host_appctl,
#                     osm_ctl_appctl, osm_pod_exec) give up, default 60
# and may define fail() (print a message and exit); a default is provided.
#
# Programs are found in PATH: the caller puts the build tree or the
# installed binaries there.

# Pid files of started daemons and names of created namespaces.
[ -n "${OSM_PIDFILES+set}" ] || OSM_PIDFILES=()
[ -n "${OSM_NETNS+set}" ] || OSM_NETNS=()

if ! declare -F fail > /dev/null; then
    # fail MESSAGE: prints MESSAGE and exits with status 1.
    fail() {
        echo "FAILED: $*" >&2
        exit 1
    }
fi

# osm_record KIND VALUE: appends VALUE to OSM_STATE_DIR/KIND, if set.
osm_record() {
    [ -z "${OSM_STATE_DIR:-}" ] || echo "$2" >> "$OSM_STATE_DIR/$1"
}

# osm_track_pidfile FILE: stop the daemon whose pid is in FILE at cleanup.
osm_track_pidfile() {
    OSM_PIDFILES+=("$1")
    osm_record pidfiles "$1"
}

# osm_pid_alive PID: true if process PID runs.  A zombie (exited, not yet
# reaped by its parent, which for a detached daemon is init) counts as
# gone: some container inits reap only every second or two.
osm_pid_alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# osm_kill_pidfile FILE: stops the daemon of one pid file now.
osm_kill_pidfile() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        osm_pid_alive "$pid" || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    return 0
}

# osm_start_db NAME SCHEMA: starts a file-backed ovsdb-server for SCHEMA
# listening on $TESTDIR/NAME.sock.
osm_start_db() {
    local name=$1 schema=$2
    ovsdb-tool create "$TESTDIR/$name.db" "$schema" || fail "create $name.db"
    ovsdb-server --detach --no-chdir --pidfile="$TESTDIR/$name.pid" \
        --unixctl="$TESTDIR/$name.ctl" --log-file="$TESTDIR/$name.log" \
        --remote=punix:"$TESTDIR/$name.sock" "$TESTDIR/$name.db" \
        || fail "start $name ovsdb-server"
    osm_track_pidfile "$TESTDIR/$name.pid"
}

# osm_start_nb / osm_start_sb: the central databases, with the
# environment pointing every tool at them.
osm_start_nb() {
    osm_start_db osmotic-nb "$NB_SCHEMA"
    export OSMOTIC_NB_DB=unix:$TESTDIR/osmotic-nb.sock
}
osm_start_sb() {
    osm_start_db osmotic-sb "$SB_SCHEMA"
    export OSMOTIC_SB_DB=unix:$TESTDIR/osmotic-sb.sock
}

# --- Hosts, pods and the underlay -----------------------------------------
#
# A host (chassis) is a network namespace with its own ovsdb-server,
# ovs-vswitchd (userspace datapath) and osmotic-controller, all keeping
# their files in $TESTDIR/HOST.  Its underlay lanes are veths into one
# Linux bridge in the underlay namespace; lane N's IP sits on the host's
# OVS bridge br-phyN, which holds the lane's veth "ulN".  Give each lane
# its own /24 (e.g. lane 0 172.31.0.0/24, lane 1 172.31.1.0/24).  A pod is
# a namespace whose eth0 is a veth into its host's br-int.

# Number of hosts added so far (names underlay veths uniquely).
OSM_N_HOSTS=0

# osm_ns NAME: the network namespace name of host or pod NAME.
osm_ns() {
    echo "$OSM_TAG-$1"
}

# osm_host_dir HOST: the private directory of HOST.
osm_host_dir() {
    echo "$TESTDIR/$1"
}

# osm_add_netns NS: creates namespace NS (removed at cleanup) with lo up.
osm_add_netns() {
    ip netns add "$1" || fail "ip netns add $1"
    OSM_NETNS+=("$1")
    osm_record netns "$1"
    ip netns exec "$1" ip link set lo up
}

# osm_add_underlay: the underlay namespace with Linux bridge "br0".  Call
# before osm_add_host.
osm_add_underlay() {
    OSM_UNDERLAY_NS=$(osm_ns underlay)
    osm_add_netns "$OSM_UNDERLAY_NS"
    ip netns exec "$OSM_UNDERLAY_NS" ip link add br0 type bridge \
        || fail "underlay bridge"
    ip netns exec "$OSM_UNDERLAY_NS" ip link set br0 up
}

# osm_host_exec HOST CMD...: runs CMD in HOST's namespace with HOST's OVS
# environment (so ovs-vsctl, ovs-ofctl br-int and ovs-appctl find it).
osm_host_exec() {
    local host=$1 dir
    shift
    dir=$(osm_host_dir "$host")
    OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir \
        OVS_PKGDATADIR=${OVS_PKGDATADIR:-/usr/share/openvswitch} \
        ip netns exec "$(osm_ns "$host")" "$@"
}

# osm_host_vsctl HOST ARGS...: ovs-vsctl against HOST's own database.
osm_host_vsctl() {
    local host=$1
    shift
    osm_host_exec "$host" ovs-vsctl --timeout=10 \
        --db=unix:"$(osm_host_dir "$host")/db.sock" "$@"
}

# osm_host_ofctl HOST ARGS...: ovs-ofctl (OpenFlow 1.5) in HOST, e.g.
# "osm_host_ofctl hv1 dump-flows br-int".
osm_host_ofctl() {
    local host=$1
    shift
    osm_host_exec "$host" ovs-ofctl --timeout="${OSM_CLIENT_TIMEOUT:-60}" \
        -O OpenFlow15 "$@"
}

# osm_host_appctl HOST ARGS...: ovs-appctl to HOST's ovs-vswitchd.
osm_host_appctl() {
    local host=$1
    shift
    osm_host_exec "$host" ovs-appctl --timeout="${OSM_CLIENT_TIMEOUT:-60}" \
        -t "$(osm_host_dir "$host")/ovs-vswitchd.ctl" "$@"
}

# osm_ctl_appctl HOST ARGS...: ovs-appctl to HOST's osmotic-controller.
osm_ctl_appctl() {
    local host=$1
    shift
    osm_host_exec "$host" ovs-appctl --timeout="${OSM_CLIENT_TIMEOUT:-60}" \
        -t "$(osm_host_dir "$host")/osmotic-controller.ctl" "$@"
}

# osm_start_vswitchd HOST: (re)starts HOST's ovs-vswitchd.
osm_start_vswitchd() {
    local host=$1 dir
    dir=$(osm_host_dir "$host")
    osm_host_exec "$host" ovs-vswitchd --detach --no-chdir \
        --pidfile="$dir/ovs-vswitchd.pid" --unixctl="$dir/ovs-vswitchd.ctl" \
        --log-file="$dir/ovs-vswitchd.log" unix:"$dir/db.sock" \
        || fail "start ovs-vswitchd on $host"
    osm_track_pidfile "$dir/ovs-vswitchd.pid"
}

# osm_stop_vswitchd HOST: kills HOST's ovs-vswitchd (flows are lost).
osm_stop_vswitchd() {
    osm_kill_pidfile "$(osm_host_dir "$1")/ovs-vswitchd.pid"
}

# osm_start_controller HOST [OPTION...]: (re)starts HOST's
# osmotic-controller, pointed at HOST's database.  With OSM_VALGRIND set,
# under valgrind, its report in HOST's directory as valgrind.PID.
osm_start_controller() {
    local host=$1 dir vg=()
    shift
    dir=$(osm_host_dir "$host")
    if [ -n "${OSM_VALGRIND:-}" ]; then
        vg=(valgrind -q --trace-children=yes --leak-check=full
            --errors-for-leak-kinds=definite
            --log-file="$dir/valgrind.%p")
    fi
    osm_host_exec "$host" "${vg[@]}" osmotic-controller --detach --no-chdir \
        --pidfile="$dir/osmotic-controller.pid" \
        --unixctl="$dir/osmotic-controller.ctl" \
        --log-file="$dir/osmotic-controller.log" "$@" \
        unix:"$dir/db.sock" || fail "start osmotic-controller on $host"
    osm_track_pidfile "$dir/osmotic-controller.pid"
}

# osm_stop_controller HOST: kills HOST's osmotic-controller with SIGTERM
# (its SB rows stay, as after a crash).
osm_stop_controller() {
    osm_kill_pidfile "$(osm_host_dir "$1")/osmotic-controller.pid"
}

# osm_add_host HOST IP[,IP2...]: adds a host with one underlay lane per IP
# (a.b.c.d or a.b.c.d/plen, default /24) and starts its controller (unless
# OSM_NO_CONTROLLER is set), configured for $OSMOTIC_SB_DB.
osm_add_host() {
    local host=$1 ips=$2 ns dir lane=0 ip plen encap_ips=""
    ns=$(osm_ns "$host")
    dir=$(osm_host_dir "$host")
    [ -n "${OSM_UNDERLAY_NS:-}" ] || osm_add_underlay
    OSM_N_HOSTS=$((OSM_N_HOSTS + 1))
    mkdir -p "$dir"
    osm_add_netns "$ns"
    # A lane's veth "ulN" stays in the kernel's stack as well as in the
    # userspace datapath: with the default arp_ignore it would answer ARP
    # for the lane's address with its own MAC, which the datapath does not
    # decapsulate for (only the bridge's MAC is), and a peer that learnt
    # that answer last would send its tunnel packets nowhere.
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
        || fail "arp_ignore on $host"
    ovsdb-tool create "$dir/conf.db" \
        /usr/share/openvswitch/vswitch.ovsschema || fail "create $host db"
    osm_host_exec "$host" ovsdb-server --detach --no-chdir \
        --pidfile="$dir/ovsdb-server.pid" --unixctl="$dir/ovsdb-server.ctl" \
        --log-file="$dir/ovsdb-server.log" --remote=punix:"$dir/db.sock" \
        "$dir/conf.db" || fail "start ovsdb-server on $host"
    osm_track_pidfile "$dir/ovsdb-server.pid"
    osm_host_vsctl "$host" --no-wait init || fail "init $host db"
    osm_start_vswitchd "$host"
    for ip in ${ips//,/ }; do
        case $ip in
            */*) plen=${ip#*/}; ip=${ip%/*} ;;
            *) plen=24 ;;
        esac
        ip link add name "ul$lane" netns "$ns" type veth \
            peer name "h${OSM_N_HOSTS}l$lane" netns "$OSM_UNDERLAY_NS" \
            || fail "underlay veth for $host lane $lane"
        # One Linux bridge per lane: on a shared segment, a host would
        # answer ARP for one lane's address from another lane's port.
        if ! ip netns exec "$OSM_UNDERLAY_NS" ip link show "br$lane" \
                > /dev/null 2>&1; then
            ip netns exec "$OSM_UNDERLAY_NS" ip link add "br$lane" \
                type bridge || fail "underlay bridge for lane $lane"
            ip netns exec "$OSM_UNDERLAY_NS" ip link set "br$lane" up
        fi
        ip netns exec "$OSM_UNDERLAY_NS" ip link set "h${OSM_N_HOSTS}l$lane" \
            master "br$lane" up
        ip netns exec "$ns" ip link set "ul$lane" up
        osm_host_vsctl "$host" add-br "br-phy$lane" \
            -- set bridge "br-phy$lane" datapath_type=netdev \
            -- add-port "br-phy$lane" "ul$lane" \
            || fail "br-phy$lane on $host"
        ip netns exec "$ns" ip addr add "$ip/$plen" dev "br-phy$lane"
        ip netns exec "$ns" ip link set "br-phy$lane" up
        encap_ips=${encap_ips:+$encap_ips,}$ip
        lane=$((lane + 1))
    done
    osm_host_vsctl "$host" set open_vswitch . \
        external_ids:system-id="\"$host\"" \
        external_ids:osmotic-remote="\"${OSMOTIC_SB_DB:-}\"" \
        external_ids:osmotic-encap-type=geneve \
        external_ids:osmotic-encap-ip="\"$encap_ips\"" \
        external_ids:osmotic-bridge-datapath-type=netdev \
        || fail "configure $host"
    if [ -z "${OSM_NO_CONTROLLER:-}" ]; then
        osm_start_controller "$host"
    fi
}

# osm_add_external IP/PLEN [NAME]: the external network of gateways:
# namespace NAME (default "external") with a Linux bridge "brx" that holds
# IP/PLEN; osm_connect_external and osm_external_exec then use it.
# Transmit checksum offload is off on it and its ports: TCP through
# conntrack NAT in the userspace datapath fails with partial checksums.
osm_add_external() {
    OSM_EXTERNAL_NS=$(osm_ns "${2:-external}")
    osm_add_netns "$OSM_EXTERNAL_NS"
    ip netns exec "$OSM_EXTERNAL_NS" ip link add brx type bridge \
        || fail "external bridge"
    ip netns exec "$OSM_EXTERNAL_NS" ip addr add "$1" dev brx
    ip netns exec "$OSM_EXTERNAL_NS" ip link set brx up
    ip netns exec "$OSM_EXTERNAL_NS" ethtool -K brx tx off >/dev/null 2>&1
}

# osm_connect_external HOST [NETWORK]: joins HOST to the external network:
# a veth "x-HOST" in the external bridge whose other end, "ex0", is on
# HOST's provider bridge br-ex (netdev), and maps physical network
# NETWORK (default physnet) to br-ex (external_ids:
# osmotic-bridge-mappings).
osm_connect_external() {
    local host=$1 net=${2:-physnet} ns xv
    ns=$(osm_ns "$host")
    xv=$(echo "x-$host" | cut -c1-15)
    ip link add name ex0 netns "$ns" type veth \
        peer name "$xv" netns "$OSM_EXTERNAL_NS" \
        || fail "external veth for $host"
    ip netns exec "$OSM_EXTERNAL_NS" ip link set "$xv" master brx up
    ip netns exec "$OSM_EXTERNAL_NS" ethtool -K "$xv" tx off >/dev/null 2>&1
    ip netns exec "$ns" ip link set ex0 up
    ip netns exec "$ns" ethtool -K ex0 tx off >/dev/null 2>&1
    osm_host_vsctl "$host" add-br br-ex \
        -- set bridge br-ex datapath_type=netdev -- add-port br-ex ex0 \
        || fail "br-ex on $host"
    osm_host_vsctl "$host" set open_vswitch . \
        external_ids:osmotic-bridge-mappings="\"$net:br-ex\"" \
        || fail "bridge mappings on $host"
}

# osm_external_exec CMD...: runs CMD in the external network's namespace,
# for at most OSM_CLIENT_TIMEOUT seconds.
osm_external_exec() {
    ip netns exec "$OSM_EXTERNAL_NS" timeout "${OSM_CLIENT_TIMEOUT:-60}" "$@"
}

# osm_add_pod HOST POD MAC IP/PLEN LPORT: adds pod POD on HOST: namespace
# POD with eth0 (MAC, IP/PLEN, MTU 1400, tx checksum offload off), its peer
# "v-POD" (first 15 characters) in br-int with external_ids:iface-id=LPORT.
osm_add_pod() {
    local host=$1 pod=$2 mac=$3 ip=$4 lport=$5 pns hv
    pns=$(osm_ns "$pod")
    hv=$(echo "v-$pod" | cut -c1-15)
    osm_add_netns "$pns"
    ip link add name "$hv" netns "$(osm_ns "$host")" type veth \
        peer name eth0 netns "$pns" || fail "veth for pod $pod"
    ip netns exec "$pns" ip link set eth0 address "$mac" mtu 1400
    ip netns exec "$pns" ip addr add "$ip" dev eth0
    ip netns exec "$pns" ip link set eth0 up
    ip netns exec "$pns" ethtool -K eth0 tx off >/dev/null 2>&1
    osm_host_exec "$host" ip link set "$hv" mtu 1400 up
    if ! osm_host_vsctl "$host" br-exists br-int; then
        osm_host_vsctl "$host" add-br br-int \
            -- set bridge br-int datapath_type=netdev fail_mode=secure \
            other_config:disable-in-band=true || fail "br-int on $host"
    fi
    osm_host_vsctl "$host" add-port br-int "$hv" \
        -- set interface "$hv" external_ids:iface-id="$lport" \
        || fail "plug pod $pod into br-int on $host"
}

# osm_del_pod HOST POD: unplugs POD from HOST's br-int and deletes it.
osm_del_pod() {
    local host=$1 pod=$2 hv
    hv=$(echo "v-$pod" | cut -c1-15)
    osm_host_vsctl "$host" --if-exists del-port br-int "$hv"
    ip netns del "$(osm_ns "$pod")" 2>/dev/null
}

# osm_pod_exec POD CMD...: runs CMD inside pod POD, for at most
# OSM_CLIENT_TIMEOUT seconds.
osm_pod_exec() {
    local pod=$1
    shift
    ip netns exec "$(osm_ns "$pod")" \
        timeout "${OSM_CLIENT_TIMEOUT:-60}" "$@"
}

# osm_pod_iperf3_server POD PORT [OPTION...]: starts an iperf3 server in
# POD on PORT as a daemon, whose pid file the cleanup follows (a daemon
# outlives its namespace).
osm_pod_iperf3_server() {
    local pod=$1 port=$2 pidfile
    shift 2
    pidfile=$TESTDIR/iperf3-$pod-$port.pid
    osm_pod_exec "$pod" iperf3 -s -D -p "$port" -I "$pidfile" "$@" \
        > /dev/null 2>&1 || fail "iperf3 server in $pod on port $port"
    osm_track_pidfile "$pidfile"
}

# osm_start_northd [OPTION...]: starts osmotic-northd on $OSMOTIC_NB_DB and
# $OSMOTIC_SB_DB.  With OSM_VALGRIND set, under valgrind, its report in
# $TESTDIR as valgrind-northd.PID.
osm_start_northd() {
    local vg=()
    if [ -n "${OSM_VALGRIND:-}" ]; then
        vg=(valgrind -q --trace-children=yes --leak-check=full
            --errors-for-leak-kinds=definite
            --log-file="$TESTDIR/valgrind-northd.%p")
    fi
    "${vg[@]}" osmotic-northd --detach --no-chdir \
        --pidfile="$TESTDIR/northd.pid" \
        --unixctl="$TESTDIR/northd.ctl" --log-file="$TESTDIR/northd.log" \
        "$@" || fail "start osmotic-northd"
    osm_track_pidfile "$TESTDIR/northd.pid"
}

# osm_stop_northd: stops osmotic-northd.
osm_stop_northd() {
    osm_kill_pidfile "$TESTDIR/northd.pid"
}
