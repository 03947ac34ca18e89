#!/bin/bash
# Sets up a Debian or Ubuntu host to build, test and try Osmotic.
#
# usage: ./setup.sh build      install what is missing, then build in ./_build
#        ./setup.sh test       build, then "make check", "make check-packages"
#                              and "make check-system"
#        ./setup.sh bench      build, install the reference OVN and the
#                              load generators, then run the benchmarks
#                              in tests/bench (minutes)
#        ./setup.sh sandbox    build, then start the sandbox (see
#                              utilities/osmotic-sandbox); further arguments
#                              go to "osmotic-sandbox start"
#        ./setup.sh packages   build, install the packaging tools, then
#                              build the Debian packages and install them
#                              in a fresh root (the slow system test
#                              tests/system/test-packages-debian.sh)
#
# Run it as root from the top of a checkout.  Packages are installed only
# when missing; the Open vSwitch libraries are built once into
# _build/ovs by configure and reused afterwards.
#
# Environment:
#   CONFIGURE_FLAGS   extra arguments for configure (first build only)
#   OSMOTIC_NO_APT=1  never run apt-get; fail if something is missing
set -u

top=$(cd "$(dirname "$0")" && pwd)
builddir=$top/_build
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export PATH

die() {
    echo "setup.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '2,19s/^# \{0,1\}//p' "$0"
}

# Packages the build and the tests need, on Debian 12 and Ubuntu alike.
base_packages=(build-essential autoconf automake libtool pkg-config python3
    openvswitch-switch openvswitch-common python3-openvswitch
    libssl-dev libcap-ng-dev libunbound-dev libevent-dev libjansson-dev check
    clang iproute2 iputils-ping iputils-arping ethtool iperf3 netcat-openbsd
    tcpdump traceroute
    procps openssl
    valgrind
    systemd rpm)

# What building and testing the packages needs besides (./setup.sh
# packages).
packaging_packages=(dpkg-dev debhelper fakeroot lintian debootstrap)

# is_installed PKG: true if dpkg has PKG installed.
is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = \
      "install ok installed" ]
}

# has_candidate PKG: true if apt can install PKG on this distribution.
has_candidate() {
    local c
    c=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -n "$c" ] && [ "$c" != "(none)" ]
}

# apt_quiet ARGS...: runs apt-get non-interactively, showing its output
# only when it fails.
apt_quiet() {
    local log rc
    log=$(mktemp)
    DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@" > "$log" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        cat "$log" >&2
        rm -f "$log"
        die "apt-get $1 failed (exit $rc)"
    fi
    rm -f "$log"
}

# install_missing PKG...: installs the packages of the list that are not
# installed yet.  Services that the packages would start (the system's own
# ovsdb-server and ovs-vswitchd) are kept from starting: Osmotic's tests
# and sandbox run their own daemons.
install_missing() {
    local missing=() p policy=/usr/sbin/policy-rc.d added_policy=
    for p in "$@"; do
        is_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    if [ "${OSMOTIC_NO_APT:-}" = 1 ] || [ "$(id -u)" != 0 ]; then
        die "missing packages (install them as root): ${missing[*]}"
    fi
    echo "setup.sh: installing ${missing[*]}"
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# Added by Osmotic setup.sh during apt-get.\nexit 101\n' \
            > "$policy"
        chmod 755 "$policy"
        added_policy=yes
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt_quiet install --no-install-recommends "${missing[@]}"
    if [ -n "$added_policy" ]; then
        rm -f "$policy"
        trap - EXIT
    fi
}

# install_deps: everything the build and the tests need.
install_deps() {
    command -v dpkg-query > /dev/null \
        || die "this script supports Debian and Ubuntu (dpkg and apt); install the packages listed in README by hand"

    local p need_update=
    for p in "${base_packages[@]}"; do
        is_installed "$p" || need_update=yes
    done
    if ! is_installed openvswitch-source && ! is_installed libopenvswitch-dev; then
        need_update=yes
    fi
    if [ -n "$need_update" ] && [ "${OSMOTIC_NO_APT:-}" != 1 ] \
       && [ "$(id -u)" = 0 ]; then
        echo "setup.sh: apt-get update"
        apt_quiet update
    fi
    install_missing "${base_packages[@]}"

    # The Open vSwitch development files: Ubuntu ships libopenvswitch-dev,
    # Debian the source tarball that configure builds once.  Both when
    # available: configure uses the library only if its headers suffice.
    local ovs=()
    for p in libopenvswitch-dev openvswitch-source; do
        if is_installed "$p" || has_candidate "$p"; then
            ovs+=("$p")
        fi
    done
    [ ${#ovs[@]} -gt 0 ] \
        || die "neither libopenvswitch-dev nor openvswitch-source is available from apt"
    install_missing "${ovs[@]}"

    # The clang runtime (libFuzzer, sanitizers) matching the installed
    # clang: libclang-rt-N-dev on newer releases, libclang-common-N-dev
    # before it was split out.
    local fuzzer ver
    fuzzer=$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a" 2>/dev/null)
    if [ ! -f "$fuzzer" ]; then
        ver=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
        for p in "libclang-rt-$ver-dev" "libclang-common-$ver-dev"; do
            if has_candidate "$p"; then
                install_missing "$p"
                break
            fi
        done
    fi
}

# build: configures ./_build once (configure builds the OVS libraries into
# _build/ovs, once) and runs make.
build() {
    cd "$top" || die "cannot enter $top"
    if [ ! -x configure ] || [ ! -f Makefile.in ]; then
        echo "setup.sh: ./boot.sh"
        ./boot.sh > /dev/null 2>&1 || { ./boot.sh; die "boot.sh failed"; }
    fi
    mkdir -p "$builddir" || die "cannot create $builddir"
    cd "$builddir" || die "cannot enter $builddir"
    if [ ! -f config.status ] || [ ! -f Makefile ]; then
        echo "setup.sh: configure (builds the Open vSwitch libraries once, a few minutes)"
        # shellcheck disable=SC2086
        ../configure -q ${CONFIGURE_FLAGS:-} \
            || die "configure failed; see $builddir/config.log"
    fi
    echo "setup.sh: make -j$(nproc)"
    make -s -j"$(nproc)" || die "build failed"
}

# run_tests: unit tests, then system tests; fails if either failed.
run_tests() {
    local rc=0
    cd "$builddir" || die "no build directory"
    echo "setup.sh: make check (unit tests)"
    make -s check || rc=1
    echo "setup.sh: make check-packages (the Debian packages in a fresh root)"
    make -s check-packages || rc=1
    echo "setup.sh: make check-system (system tests)"
    make -s check-system || rc=1
    # No line after the system tests' "N passed, N failed": it closes the
    # output.
    [ $rc -eq 0 ] || echo "setup.sh: tests FAILED" >&2
    return $rc
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
    build)
        install_deps
        build
        ;;
    test)
        install_deps
        install_missing "${packaging_packages[@]}"
        build
        run_tests
        ;;
    sandbox)
        install_deps
        build
        exec "$builddir/utilities/osmotic-sandbox" start \
            --builddir="$builddir" "$@"
        ;;
    bench)
        # The benchmarks compare with the reference OVN: its packages (their
        # services are kept from starting) and the load generators.
        install_deps
        install_missing ovn-central ovn-host wrk sockperf tcpdump \
            python3-matplotlib
        build
        cd "$top" || die "cannot enter $top"
        OSM_BUILDDIR=$builddir tests/bench/switching-vs-ovn.sh "$@" \
            && OSM_BUILDDIR=$builddir tests/bench/northd-scale-vs-ovn.sh \
            && OSM_BUILDDIR=$builddir tests/bench/controller-scale-vs-ovn.sh \
            && OSM_BUILDDIR=$builddir \
               tests/bench/color-mice-vs-elephants.sh \
            && OSM_BUILDDIR=$builddir tests/bench/acl-scale-vs-ovn.sh \
            && OSM_BUILDDIR=$builddir \
               tests/bench/pipeline-features-vs-ovn.sh \
            && OSM_BUILDDIR=$builddir tests/bench/routing-vs-ovn.sh \
            && OSM_BUILDDIR=$builddir tests/bench/lb-vs-ovn.sh
        ;;
    packages)
        install_deps
        install_missing "${packaging_packages[@]}"
        build
        cd "$builddir" || die "no build directory"
        make -s check-packages
        ;;
    -h|--help|help)
        usage
        ;;
    *)
        [ -n "$cmd" ] && echo "setup.sh: unknown command '$cmd'" >&2
        usage >&2
        exit 1
        ;;
esac
