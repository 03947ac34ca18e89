#!/bin/bash
# osmotic-controller's command line: version, help, and one-line errors
# that name the bad argument.
. "$(dirname "$0")/lib.sh"
osm_test_init

osmotic-controller --version | grep -q "^osmotic-controller (Osmotic) " \
    || fail "--version"
osmotic-controller --help | grep -q "usage: osmotic-controller" \
    || fail "--help"
check_error 'too many arguments: "b"' osmotic-controller a b
check_error "unrecognized option '--bogus'" osmotic-controller --bogus
check_error '/nonexistent/x.ctl: could not initialize control socket' \
    osmotic-controller --unixctl=/nonexistent/x.ctl unix:/nonexistent/db.sock
echo PASS
