#!/bin/sh
# Builds the parts of Open vSwitch that Osmotic links against (lib/ and
# ovsdb/, plus the IDL generator) from a source tarball, once.
#
# usage: build-ovs.sh TARBALL DESTDIR
#
# DESTDIR/openvswitch holds the configured and built tree afterwards.  A
# stamp file records which tarball was built, so running this again with
# the same tarball does nothing: the build tree is the cache.
set -e

tarball=$1
dest=$2
if [ -z "$tarball" ] || [ -z "$dest" ]; then
    echo "usage: $0 TARBALL DESTDIR" >&2
    exit 1
fi
if [ ! -r "$tarball" ]; then
    echo "$0: $tarball: cannot read the Open vSwitch source tarball" >&2
    exit 1
fi

# The libraries compile in Open vSwitch's directories (the run directory,
# where a bridge's br-int.mgmt socket is, the database and configuration
# directories): those of the distributions' openvswitch packages, so that
# Osmotic's programs find the system's Open vSwitch by default.
ovs_dirs="--prefix=/usr --localstatedir=/var --sysconfdir=/etc"

stamp=$dest/openvswitch/.osmotic-built
sum="$(cksum < "$tarball") $ovs_dirs"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    exit 0
fi

rm -rf "$dest/openvswitch"
mkdir -p "$dest"
tar -xzf "$tarball" -C "$dest"
if [ ! -d "$dest/openvswitch" ]; then
    # Tarballs from "make dist" unpack to openvswitch-VERSION.
    mv "$dest"/openvswitch-* "$dest/openvswitch"
fi

jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
cd "$dest/openvswitch"
# $ovs_dirs is split into words on purpose.
# shellcheck disable=SC2086
./configure --enable-ssl --disable-dependency-tracking $ovs_dirs \
    > osmotic-build.log 2>&1 \
    || { tail -n 30 osmotic-build.log >&2; exit 1; }
# Only the libraries are needed, but their generated headers come from
# BUILT_SOURCES, which "make all" would build first; build them explicitly.
if ! { printf 'osmotic-built-sources: $(BUILT_SOURCES)\n' \
           | make -j"$jobs" -f Makefile -f - osmotic-built-sources \
       && make -j"$jobs" lib/libopenvswitch.la ovsdb/libovsdb.la \
                        ovsdb/ovsdb-idlc; } >> osmotic-build.log 2>&1; then
    tail -n 30 osmotic-build.log >&2
    exit 1
fi
echo "$sum" > "$stamp"
