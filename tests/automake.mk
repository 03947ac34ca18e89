# Unit tests (Check) run by "make check"; system tests by
# "make check-system" (root: network namespaces and real OVS daemons).
check_PROGRAMS += tests/unit/osmotic-unit
TESTS += tests/unit/osmotic-unit
tests_unit_osmotic_unit_SOURCES = \
	tests/unit/main.c \
	tests/unit/compile-check.c \
	tests/unit/compile-check.h \
	tests/unit/unit-asserts.h \
	tests/unit/unit-suites.h \
	tests/unit/test-bfd-packet.c \
	tests/unit/test-change-index.c \
	tests/unit/test-ctl-chassis.c \
	tests/unit/test-ctl-lflow.c \
	tests/unit/test-ctl-ofctrl.c \
	tests/unit/test-daemon-files.c \
	tests/unit/test-expr-compile.c \
	tests/unit/test-expr-eval.c \
	tests/unit/test-expr-parse.c \
	tests/unit/test-idl-pending.c \
	tests/unit/test-ipfix.c \
	tests/unit/test-lflow-sim.c \
	tests/unit/test-lflow-table.c \
	tests/unit/test-logical-actions.c \
	tests/unit/test-lport-addresses.c \
	tests/unit/test-nb-unapplied.c \
	tests/unit/test-nb-validate.c \
	tests/unit/test-osmotic-dirs.c \
	tests/unit/test-pipeline.c \
	tests/unit/test-svc-probe.c \
	tests/unit/test-tunnel-keys.c
tests_unit_osmotic_unit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_osmotic_unit_CPPFLAGS = $(AM_CPPFLAGS) \
	-DOSM_UNIT_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_osmotic_unit_LDADD = controller/libcontroller.la \
	northd/libnorthd.la $(OSMOTIC_LDADD) $(CHECK_LIBS)

EXTRA_DIST += tests/system/run.sh tests/system/lib.sh \
	tests/system/nbctl-lib.sh tests/system/northd-lib.sh \
	tests/system/sb-lib.sh \
	$(wildcard $(srcdir)/tests/system/test-*.sh)

# Benchmarks against OVN (scripts, not tests; Documentation/benchmarks.md).
EXTRA_DIST += tests/bench/bench-httpd.c tests/bench/bench-lib.sh \
	tests/bench/bench-coap.c tests/bench/bench-conns.c \
	tests/bench/color-mice-vs-elephants.sh tests/bench/mice-hops.py \
	tests/bench/benchpcap.py \
	tests/bench/switching-vs-ovn.sh tests/bench/northd-scale-vs-ovn.sh \
	tests/bench/controller-scale-vs-ovn.sh tests/bench/sb-events.py \
	tests/bench/acl-scale-vs-ovn.sh tests/bench/pipeline-features-vs-ovn.sh \
	tests/bench/routing-vs-ovn.sh tests/bench/failover-probe.py \
	tests/bench/lb-vs-ovn.sh

# ipfix-dump: the IPFIX collector of tests/system/test-ipfix-ovs.sh, which
# "make check-system" builds.
check_PROGRAMS += tests/unit/ipfix-dump
tests_unit_ipfix_dump_SOURCES = tests/unit/ipfix-dump.c
tests_unit_ipfix_dump_LDADD = $(OSMOTIC_LDADD)
check-system: tests/unit/ipfix-dump
EXTRA_DIST += $(wildcard $(srcdir)/tests/unit/ipfix-vectors/*.bin)

# System tests: real ovsdb-server and ovs-vswitchd in network namespaces.
check-system: all
	OSM_BUILDDIR=$(abs_top_builddir) OSM_SRCDIR=$(abs_top_srcdir) \
	    $(abs_top_srcdir)/tests/system/run.sh $(TESTS_PATTERN)
.PHONY: check-system

# The schema manuals must document every table and column of the schemas.
TESTS += tests/unit/test-schema-docs.sh
EXTRA_DIST += tests/unit/test-schema-docs.sh tests/unit/check-schema-docs.py

# The bash completion of osmotic-nbctl and osmotic-sbctl.
TESTS += tests/unit/test-bash-completion.sh
EXTRA_DIST += tests/unit/test-bash-completion.sh

# The packages: the source RPM (rhel/), then the Debian packages, built,
# installed in a fresh root, upgraded, removed and purged (slow: not part
# of check-system; ./setup.sh packages).
check-packages: all srpm
	OSM_BUILDDIR=$(abs_top_builddir) OSM_SRCDIR=$(abs_top_srcdir) \
	    $(abs_top_srcdir)/tests/system/run.sh packages-debian
.PHONY: check-packages

# The packaging: systemd units, RPM spec, versions, maintainer scripts.
TESTS += tests/unit/test-packaging.sh
EXTRA_DIST += tests/unit/test-packaging.sh

# The system tests hold no wait that cannot fail and no unbounded client.
TESTS += tests/unit/test-system-lint.sh
EXTRA_DIST += tests/unit/test-system-lint.sh tests/unit/check-system-tests.py

# Compatibility with ovn-nbctl, measured with OVN's own tests
# (tests/compat/ovn-compat.py; Documentation/benchmarks.md).  OVN's test
# files are not part of Osmotic: give their directory in OVN_TESTS, or a
# clone of OVN in OVN_GIT to fetch them from once (into
# tests/compat/ovn-REF in the build tree).  A measurement, not a test.
OVN_COMPAT_FLAGS =
check-ovn-compat: utilities/osmotic-nbctl
	$(PYTHON3) $(abs_top_srcdir)/tests/compat/ovn-compat.py \
	    --builddir=$(abs_top_builddir) --srcdir=$(abs_top_srcdir) \
	    $(if $(OVN_TESTS),--ovn-tests=$(OVN_TESTS)) \
	    $(if $(OVN_GIT),--ovn-git=$(OVN_GIT)) $(OVN_COMPAT_FLAGS)
.PHONY: check-ovn-compat
EXTRA_DIST += tests/compat/ovn-compat.py tests/compat/m4lite.py \
	tests/compat/prelude.sh tests/compat/selftest/ovn-nbctl.at \
	tests/compat/selftest/ovn.at

# The runner itself is tested on files whose every verdict is known.
TESTS += tests/compat/test-ovn-compat.sh
EXTRA_DIST += tests/compat/test-ovn-compat.sh
