#!/bin/bash
# Every program reports Osmotic's own version, not that of the Open
# vSwitch libraries it is built on.
. "$(dirname "$0")/lib.sh"
osm_test_init

version=$(sed -n 's/^AC_INIT(\[osmotic\], \[\([^]]*\)\].*/\1/p' \
              "$OSM_SRCDIR/configure.ac")
[ -n "$version" ] || fail "cannot read the version from configure.ac"
for prog in osmotic-nbctl osmotic-sbctl osmotic-northd osmotic-controller \
            osmotic-trace; do
    out=$("$prog" --version) || fail "$prog --version failed"
    first=${out%%$'\n'*}
    [ "$first" = "$prog (Osmotic) $version" ] \
        || fail "$prog --version: expected [$prog (Osmotic) $version], got [$first]"
done
check_output "$(ovsdb-tool schema-version "$NB_SCHEMA")" \
    pipeline "osmotic-nbctl --version | sed -n 's/^DB Schema //p'"
