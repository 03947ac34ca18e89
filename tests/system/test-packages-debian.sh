#!/bin/bash
# osm-test: slow timeout=3000
# The Debian packages, built and installed as an operator would: builds
# osmotic-common, osmotic-central and osmotic-host with dpkg-buildpackage
# (lintian finds nothing to report), makes a clean minbase root of this
# machine's release with debootstrap from the archive apt uses, and
# installs them there with "apt-get install ./*.deb".  In the root (its
# daemons in a network namespace of their own; no systemd runs there, so
# the init scripts start the services through osmotic-ctl):
#   - the databases are created and the central and host services run;
#     options appended to /etc/default/osmotic-central (TCP listeners)
#     apply when the central node restarts;
#     the packaged systemd units pass "systemd-analyze verify";
#   - a switch and two ports made with osmotic-nbctl reach the SB, and a
#     port bound on the host comes up;
#   - logrotate rotates the logs and the daemons write to the new files;
#   - an upgrade to packages rebuilt with a newer NB schema (version and
#     a new column) converts the running database, keeps a backup and the
#     data, restarts the services and leaves the chassis registered;
#   - removing osmotic-host releases the chassis; removing the rest keeps
#     the databases; purging deletes them, the logs and the options.
#
# Needs root, the packaging tools (./setup.sh packages installs them and
# runs this test) and the package archive.  Not part of the default run
# (six to eleven minutes on two cores, most of it the build): run it by
# name, "tests/system/run.sh packages-debian", or with
# OSM_TEST_SLOW=1.  OSM_DEBS=DIR installs the .deb files of DIR instead of
# building them.
. "$(dirname "$0")/lib.sh"
osm_test_init

# skip REASON: ends the test as skipped, saying why.
skip() {
    echo "skipped: $*"
    exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
for tool in dpkg-buildpackage dh debootstrap lintian; do
    command -v "$tool" > /dev/null \
        || skip "$tool is not installed (./setup.sh packages installs the packaging tools)"
done

# This machine's release and the archive apt takes it from.
. /etc/os-release
SUITE=${VERSION_CODENAME:-}
[ -n "$SUITE" ] || skip "no VERSION_CODENAME in /etc/os-release"
MIRROR=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' \
             'Created-By: Packages' 2>/dev/null \
         | awk -v s="$SUITE" '$1 == s { print $2; exit }')
[ -n "$MIRROR" ] || skip "apt has no archive for $SUITE (run apt-get update)"
/usr/lib/apt/apt-helper download-file "${MIRROR%/}/dists/$SUITE/Release" \
    "$TESTDIR/Release" > /dev/null 2>&1 \
    || skip "the package archive $MIRROR cannot be reached"

VERSION=$(sed -n '1s/^osmotic (\([^)]*\)).*/\1/p' "$OSM_SRCDIR/debian/changelog")
NEW_VERSION=$VERSION+upgrade1
ROOT=$TESTDIR/root
NS=$(osm_ns pkg)

# --- Clean-up: the root's daemons, mounts and namespace. -----------------
for f in run/osmotic/ovsdb-server-nb run/osmotic/ovsdb-server-sb \
         run/osmotic/osmotic-northd run/osmotic/osmotic-controller \
         run/openvswitch/ovsdb-server run/openvswitch/ovs-vswitchd; do
    osm_track_pidfile "$ROOT/$f.pid"
done
pkg_cleanup() {
    local rc=$? i
    for ((i = ${#OSM_PIDFILES[@]} - 1; i >= 0; i--)); do
        osm_kill_pidfile "${OSM_PIDFILES[i]}"
    done
    if mountpoint -q "$ROOT/proc"; then
        umount "$ROOT/proc" || umount -l "$ROOT/proc"
    fi
    (exit $rc)
    osm_cleanup
}
trap pkg_cleanup EXIT

# inroot CMD...: runs CMD in the root, in its network namespace, for at
# most 10 minutes.
inroot() {
    timeout 600 ip netns exec "$NS" chroot "$ROOT" \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/root \
        DEBIAN_FRONTEND=noninteractive "$@"
}
# online CMD...: runs CMD in the root with this machine's network (apt
# downloads), for at most 10 minutes.
online() {
    timeout 600 chroot "$ROOT" \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/root \
        DEBIAN_FRONTEND=noninteractive "$@"
}
# nbctl / sbctl ARGS...: the installed tools, in the root.
nbctl() { inroot osmotic-nbctl --timeout=30 "$@"; }
sbctl() { inroot osmotic-sbctl --timeout=30 "$@"; }

# --- The packages. --------------------------------------------------------
if [ -n "${OSM_DEBS:-}" ]; then
    DEBS=$OSM_DEBS
else
    # The source tree as it is (without build directories), built as a
    # source package of its own.
    src=$TESTDIR/build/osmotic-$VERSION
    mkdir -p "$src"
    if git -C "$OSM_SRCDIR" rev-parse --git-dir > /dev/null 2>&1; then
        (cd "$OSM_SRCDIR" && git ls-files -co --exclude-standard -z \
             | grep -zv '^_build' | xargs -0 tar -cf -) | tar -xf - -C "$src"
    else
        (cd "$OSM_SRCDIR" && tar --exclude='./_build*' -cf - .) \
            | tar -xf - -C "$src"
    fi
    [ -f "$src/debian/rules" ] || fail "could not copy the source tree"
    echo "building the packages (log: $TESTDIR/build/build.log)"
    (cd "$src" && dpkg-buildpackage -us -uc -b -j2) \
        > "$TESTDIR/build/build.log" 2>&1 \
        || { tail -n 40 "$TESTDIR/build/build.log"; fail "dpkg-buildpackage failed"; }
    DEBS=$TESTDIR/build
fi
for p in osmotic-common osmotic-central osmotic-host; do
    ls "$DEBS/${p}_${VERSION}_"*.deb > /dev/null 2>&1 \
        || fail "no $p $VERSION package in $DEBS"
done

# Lintian has nothing to say (overrides, if any, are in the packages).
if ! out=$(lintian --fail-on error,warning --tag-display-limit 0 \
               "$DEBS"/osmotic-*_"$VERSION"_*.deb 2>&1); then
    echo "$out"
    fail "lintian reported errors or warnings"
fi
out=$(echo "$out" | grep -v 'running with root privileges')
echo "lintian: ${out:-nothing to report}"

# The upgrade: the same packages rebuilt as $NEW_VERSION, with a newer NB
# schema (its version's last number up, and one more column).
NEW=$TESTDIR/new-debs
mkdir -p "$NEW"
for p in osmotic-common osmotic-central osmotic-host; do
    deb=$(ls "$DEBS/${p}_${VERSION}_"*.deb)
    tree=$TESTDIR/repack/$p
    mkdir -p "$tree"
    dpkg-deb -R "$deb" "$tree" || fail "unpack $deb"
    sed -i -e "s/^Version: .*/Version: $NEW_VERSION/" \
        -e "s/(= $VERSION)/(= $NEW_VERSION)/g" "$tree/DEBIAN/control"
    schema=$tree/usr/share/osmotic/osmotic-nb.ovsschema
    if [ -f "$schema" ]; then
        python3 - "$schema" <<'PY' || fail "cannot bump the NB schema"
import json, sys
path = sys.argv[1]
schema = json.load(open(path))
v = schema["version"].split(".")
v[-1] = str(int(v[-1]) + 1)
schema["version"] = ".".join(v)
schema["tables"]["Logical_Switch"]["columns"]["upgrade_note"] = {
    "type": {"key": "string", "min": 0, "max": 1}}
json.dump(schema, open(path, "w"), indent=1)
PY
    fi
    (cd "$tree" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' \
         | sort -z | xargs -0 -r md5sum > DEBIAN/md5sums)
    dpkg-deb --root-owner-group -b "$tree" \
        "$NEW/${p}_${NEW_VERSION}_$(dpkg --print-architecture).deb" \
        > /dev/null || fail "repack $p"
done
NEW_NB_VERSION=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' \
    "$TESTDIR/repack/osmotic-common/usr/share/osmotic/osmotic-nb.ovsschema")

# --- A clean root. --------------------------------------------------------
echo "debootstrap $SUITE from $MIRROR (log: $TESTDIR/debootstrap.log)"
cache=$OSM_BUILDDIR/tests/debootstrap-cache
mkdir -p "$cache"
timeout 900 debootstrap --variant=minbase --cache-dir="$cache" "$SUITE" \
    "$ROOT" "$MIRROR" > "$TESTDIR/debootstrap.log" 2>&1 \
    || { tail -n 20 "$TESTDIR/debootstrap.log"; fail "debootstrap failed"; }
mount -t proc proc "$ROOT/proc" || fail "mount /proc in the root"
# The userspace datapath makes its internal ports with /dev/net/tun.
mkdir -p "$ROOT/dev/net"
[ -e "$ROOT/dev/net/tun" ] || mknod "$ROOT/dev/net/tun" c 10 200
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# Services: Osmotic's start (no systemd here: their init scripts run
# osmotic-ctl); Open vSwitch's do not (no kernel module here), the test
# starts its daemons itself.
cat > "$ROOT/usr/sbin/policy-rc.d" <<'POLICY'
#!/bin/sh
case $1 in
    osmotic-*) exit 0 ;;
    *) exit 101 ;;
esac
POLICY
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
osm_add_netns "$NS"
mkdir -p "$ROOT/debs/old" "$ROOT/debs/new"
cp "$DEBS"/osmotic-*_"$VERSION"_*.deb "$ROOT/debs/old/"
cp "$NEW"/*.deb "$ROOT/debs/new/"
ARCH=$(dpkg --print-architecture)
OLD_DEBS=() NEW_DEBS=()
for p in osmotic-common osmotic-central osmotic-host; do
    OLD_DEBS+=("/debs/old/${p}_${VERSION}_$ARCH.deb")
    NEW_DEBS+=("/debs/new/${p}_${NEW_VERSION}_$ARCH.deb")
done
check online apt-get -q update > "$TESTDIR/apt.log"
# Everything is downloaded first, then installed inside the namespace,
# so that the daemons that the packages start run there.
check online apt-get -q -y --no-install-recommends --download-only install \
    "${OLD_DEBS[@]}" logrotate >> "$TESTDIR/apt.log"

# --- Installation. --------------------------------------------------------
out=$(inroot apt-get -q -y --no-install-recommends install \
          "${OLD_DEBS[@]}" logrotate 2>&1) \
    || { echo "$out"; fail "apt-get install ./*.deb failed"; }
echo "$out" >> "$TESTDIR/apt.log"
case $out in
    *"Creating Osmotic_Northbound database /var/lib/osmotic/osmotic-nb.db"*) ;;
    *) echo "$out"; fail "the installation did not create the NB database" ;;
esac
for f in /var/lib/osmotic/osmotic-nb.db /var/lib/osmotic/osmotic-sb.db \
         /etc/default/osmotic-central /etc/default/osmotic-host \
         /etc/logrotate.d/osmotic /usr/share/bash-completion/completions/osmotic-nbctl \
         /usr/share/bash-completion/completions/osmotic-sbctl; do
    [ -e "$ROOT$f" ] || fail "$f is not installed"
done
check inroot osmotic-ctl status_central
check inroot osmotic-ctl status_host
for d in ovsdb-server-nb ovsdb-server-sb osmotic-northd osmotic-controller; do
    [ -f "$ROOT/var/log/osmotic/$d.log" ] || fail "no /var/log/osmotic/$d.log"
done

# TCP listeners for other machines, as README says: options appended to
# /etc/default/osmotic-central and a restart of the central node.
echo 'OSMOTIC_CTL_OPTS="--nb-remote=ptcp:6641 --sb-remote=ptcp:6642"' \
    >> "$ROOT/etc/default/osmotic-central"
check inroot invoke-rc.d osmotic-central restart
check_output "" nbctl --db=tcp:127.0.0.1:6641 ls-list
check_output "" sbctl --db=tcp:127.0.0.1:6642 --bare --columns=name list Chassis

# The packaged units: programs and manuals taken from the root.
units=$TESTDIR/units
mkdir -p "$units"
for u in "$ROOT"/lib/systemd/system/osmotic-*.service; do
    sed "s|/usr/bin/|$ROOT/usr/bin/|g" "$u" > "$units/${u##*/}"
done
[ "$(ls "$units" | wc -l)" -eq 6 ] || fail "expected 6 units: $(ls "$units")"
if command -v systemd-analyze > /dev/null; then
    man_opt=
    command -v man > /dev/null || man_opt=--man=no
    out=$(cd "$units" && MANPATH=$ROOT/usr/share/man: \
              systemd-analyze verify $man_opt ./*.service 2>&1) \
        && [ -z "$out" ] || fail "systemd-analyze verify: $out"
else
    echo "systemd-analyze is not installed: units not verified"
fi

# --- The host's Open vSwitch, and a switch with two ports. ----------------
mkdir -p "$ROOT/run/openvswitch"
check inroot ovsdb-tool create /etc/openvswitch/conf.db \
    /usr/share/openvswitch/vswitch.ovsschema
check inroot ovsdb-server --detach --no-chdir \
    --pidfile=/run/openvswitch/ovsdb-server.pid \
    --remote=punix:/run/openvswitch/db.sock \
    --log-file=/var/log/openvswitch/ovsdb-server.log /etc/openvswitch/conf.db
check inroot ovs-vsctl --timeout=30 --no-wait init
check inroot ovs-vswitchd --detach --no-chdir \
    --pidfile=/run/openvswitch/ovs-vswitchd.pid \
    --log-file=/var/log/openvswitch/ovs-vswitchd.log
check inroot ovs-vsctl --timeout=30 set open_vswitch . \
    external_ids:system-id=pkg-host \
    external_ids:osmotic-remote=unix:/run/osmotic/osmotic-sb.sock \
    external_ids:osmotic-encap-ip=172.31.9.1 \
    external_ids:osmotic-bridge-datapath-type=netdev

# chassis_is NAME: the SB has exactly chassis NAME.
chassis_is() {
    [ "$(sbctl --bare --columns=name list Chassis)" = "$1" ]
}
OSM_WAIT=60 wait_until chassis_is pkg-host
chassis_uuid=$(sbctl --bare --columns=_uuid list Chassis)

check nbctl ls-add sw0
check nbctl lsp-add sw0 p1 -- lsp-set-addresses p1 "0a:00:00:00:00:01 10.244.0.1"
check nbctl lsp-add sw0 p2 -- lsp-set-addresses p2 "0a:00:00:00:00:02 10.244.0.2"
check nbctl --wait=sb sync
check_output "p1
p2" pipeline "sbctl --bare --columns=logical_port list Port_Binding | grep . | sort"
# br_int_exists: the controller has made br-int.
br_int_exists() {
    inroot ovs-vsctl --timeout=30 br-exists br-int
}
OSM_WAIT=60 wait_until br_int_exists
check inroot ovs-vsctl --timeout=30 add-port br-int p1 \
    -- set interface p1 type=internal external_ids:iface-id=p1
# p1_up: the controller has bound p1 on this host.
p1_up() {
    [ "$(nbctl lsp-get-up p1)" = up ]
}
OSM_WAIT=60 wait_until p1_up

# --- Log rotation: every daemon reopens its log. --------------------------
check inroot logrotate -f /etc/logrotate.d/osmotic
for d in ovsdb-server-nb ovsdb-server-sb osmotic-northd osmotic-controller; do
    [ -f "$ROOT/var/log/osmotic/$d.log.1" ] || fail "$d.log was not rotated"
done
# reopened D: daemon D has its new log file open, not the rotated one.
reopened() {
    local pid files
    pid=$(cat "$ROOT/run/osmotic/$1.pid") || return 1
    files=$(ls -l "/proc/$pid/fd" 2>/dev/null) || return 1
    echo "$files" | grep -q "/var/log/osmotic/$1.log$" \
        && ! echo "$files" | grep -q "/var/log/osmotic/$1.log.1"
}
for d in ovsdb-server-nb ovsdb-server-sb osmotic-northd osmotic-controller; do
    wait_until reopened "$d"
done

# --- Upgrade to packages with a newer NB schema. --------------------------
old_nb_version=$(inroot ovsdb-client --timeout=30 get-schema-version \
                     unix:/run/osmotic/osmotic-nb.sock Osmotic_Northbound)
controller_pid=$(cat "$ROOT/run/osmotic/osmotic-controller.pid")
out=$(inroot apt-get -q -y --no-install-recommends install \
          "${NEW_DEBS[@]}" 2>&1) \
    || { echo "$out"; fail "the upgrade failed"; }
echo "$out" >> "$TESTDIR/apt.log"
case $out in
    *"Upgrading Osmotic_Northbound"*"from schema $old_nb_version to $NEW_NB_VERSION"*) ;;
    *) echo "$out"; fail "the upgrade did not convert the NB database" ;;
esac
check_output "$NEW_NB_VERSION" inroot ovsdb-client --timeout=30 \
    get-schema-version unix:/run/osmotic/osmotic-nb.sock Osmotic_Northbound
ls "$ROOT/var/lib/osmotic/osmotic-nb.db.backup$old_nb_version"* > /dev/null \
    2>&1 || fail "no backup of the NB database from schema $old_nb_version"
check_output "p1
p2" pipeline "nbctl lsp-list sw0 | awk '{print \$2}' | tr -d '()'"
# The new column is there to be written (the programs, built with the
# old schema, do not know it: ovsdb-client writes it).
check inroot ovsdb-client --timeout=30 transact unix:/run/osmotic/osmotic-nb.sock \
    '["Osmotic_Northbound", {"op": "update", "table": "Logical_Switch",
      "where": [["name", "==", "sw0"]], "row": {"upgrade_note": "converted"}}]' \
    > /dev/null
check inroot osmotic-ctl status_central
check inroot osmotic-ctl status_host
[ "$(cat "$ROOT/run/osmotic/osmotic-controller.pid")" != "$controller_pid" ] \
    || fail "the upgrade did not restart osmotic-controller"
check_output "$chassis_uuid" sbctl --bare --columns=_uuid list Chassis
# The restarted northd and controller carry on: a new port reaches the SB
# and, bound on the host, comes up.
check nbctl --wait=sb lsp-add sw0 p3
check_output "p1
p2
p3" pipeline "sbctl --bare --columns=logical_port list Port_Binding | grep . | sort"
check inroot ovs-vsctl --timeout=30 add-port br-int p3 \
    -- set interface p3 type=internal external_ids:iface-id=p3
# p3_up: the controller has bound p3 on this host.
p3_up() {
    [ "$(nbctl lsp-get-up p3)" = up ]
}
OSM_WAIT=60 wait_until p3_up
check_output up nbctl lsp-get-up p1
check_output "$chassis_uuid" sbctl --bare --columns=_uuid list Chassis

# --- Removal: the host leaves; the databases stay. ------------------------
check inroot apt-get -q -y remove osmotic-host >> "$TESTDIR/apt.log"
check_output "" sbctl --bare --columns=name list Chassis
check inroot apt-get -q -y remove osmotic-central osmotic-common \
    >> "$TESTDIR/apt.log"
for d in ovsdb-server-nb ovsdb-server-sb osmotic-northd osmotic-controller; do
    pid=$(cat "$ROOT/run/osmotic/$d.pid" 2>/dev/null) || continue
    ! osm_pid_alive "$pid" || fail "$d still runs after removal"
done
for f in osmotic-nb.db osmotic-sb.db; do
    [ -f "$ROOT/var/lib/osmotic/$f" ] || fail "removal deleted $f"
done
check_output "$NEW_NB_VERSION" inroot ovsdb-tool db-version \
    /var/lib/osmotic/osmotic-nb.db
[ -f "$ROOT/etc/default/osmotic-central" ] \
    || fail "removal deleted /etc/default/osmotic-central"

# --- Purge: the databases, logs and options go. ---------------------------
check inroot apt-get -q -y purge osmotic-central osmotic-host osmotic-common \
    >> "$TESTDIR/apt.log"
for f in /var/lib/osmotic /var/log/osmotic /etc/default/osmotic-central \
         /etc/default/osmotic-host /etc/logrotate.d/osmotic; do
    [ ! -e "$ROOT$f" ] || fail "$f is still there after purge: $(ls -a "$ROOT$f")"
done
echo ok
