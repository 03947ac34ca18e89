#!/bin/bash
# Checks of the packaging that need no package build (make check, in the
# build tree):
#   - the systemd units pass "systemd-analyze verify" (their programs
#     taken from the build tree, their manuals from the source tree);
#   - the RPM spec parses ("rpmspec -P");
#   - debian/changelog and the RPM spec carry the version configure has;
#   - the maintainer and init scripts are valid shell;
#   - maintainer scripts and RPM scriptlets pass osmotic-ctl the options
#     of the service.
# A check whose tool is missing is skipped with a message (./setup.sh
# installs systemd and rpm).  Building and installing the packages is
# tests/system/test-packages-debian.sh.
set -u
builddir=$(pwd)
srcdir=${OSM_UNIT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$builddir/Makefile")
failures=0
skipped=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# systemd units.
if command -v systemd-analyze > /dev/null; then
    bindir=$(sed -n 's/^bindir = //p' "$builddir/Makefile")
    prefix=$(sed -n 's/^prefix = //p' "$builddir/Makefile")
    bindir=${bindir//\$\{exec_prefix\}/$prefix}
    mkdir -p "$tmp/units" "$tmp/man/man1" "$tmp/man/man5" "$tmp/man/man8" \
        "$tmp/bin"
    # The units run osmotic-ctl from the configured bindir: here the
    # build tree's.
    cp "$builddir/utilities/osmotic-ctl" "$tmp/bin/"
    for unit in "$builddir"/services/*.service; do
        sed "s|$bindir/|$tmp/bin/|g" "$unit" > "$tmp/units/${unit##*/}"
    done
    for page in "$srcdir"/*/*.[158]; do
        ln -s "$page" "$tmp/man/man${page##*.}/"
    done
    # Documentation= is checked with man(1), if there is one.
    man_opt=
    command -v man > /dev/null || man_opt=--man=no
    if ! out=$(cd "$tmp/units" && MANPATH=$tmp/man: \
               systemd-analyze verify $man_opt ./*.service 2>&1) \
       || [ -n "$out" ]; then
        fail "systemd-analyze verify: $out"
    fi
else
    echo "skipped: systemd-analyze is not installed"
    skipped=$((skipped + 1))
fi

# RPM spec.
spec=$builddir/rhel/osmotic.spec
if command -v rpmspec > /dev/null; then
    if ! out=$(rpmspec -P "$spec" 2>&1 > "$tmp/spec"); then
        fail "rpmspec -P: $out"
    fi
    grep -qx "Version: *$version" "$tmp/spec" \
        || fail "the RPM spec's Version is not $version"
else
    echo "skipped: rpmspec is not installed"
    skipped=$((skipped + 1))
fi

# The Debian changelog's version (a native package) is configure's.
deb_version=$(sed -n '1s/^osmotic (\([^)]*\)).*/\1/p' "$srcdir/debian/changelog")
[ "$deb_version" = "$version" ] \
    || fail "debian/changelog has version $deb_version, configure $version"

# Maintainer and init scripts.
for script in "$srcdir"/debian/*.postinst "$srcdir"/debian/*.postrm \
              "$srcdir"/debian/*.prerm "$srcdir"/debian/*.init; do
    sh -n "$script" || fail "$script: not valid shell"
done
(cd "$srcdir" && make -n -f debian/rules clean) > /dev/null 2>&1 \
    || fail "debian/rules: not a valid makefile"

# Every maintainer script and RPM scriptlet that runs osmotic-ctl gives
# it the service's options (/etc/default or /etc/sysconfig): they may move
# the run and database directories, where osmotic-ctl finds the daemons.
for script in "$srcdir"/debian/*.postinst "$srcdir"/debian/*.prerm \
              "$srcdir"/debian/*.postrm "$srcdir"/rhel/osmotic.spec.in; do
    calls=$(grep -nE 'osmotic-ctl[[:space:]]+[^[:space:]]' "$script" \
                | grep -vE '^[0-9]+:[[:space:]]*#' \
                | grep -vF '$OSMOTIC_CTL_OPTS')
    [ -z "$calls" ] \
        || fail "${script##*/} runs osmotic-ctl without \$OSMOTIC_CTL_OPTS: $calls"
done

if [ $failures -gt 0 ]; then
    echo "$failures packaging checks failed"
    exit 1
fi
echo "packaging: checks passed ($skipped skipped)"
