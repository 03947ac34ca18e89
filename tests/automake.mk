# Unit tests (Check) run by "make check"; system tests by
# "make check-system" (root: network namespaces and real OVS daemons).
if HAVE_CHECK
check_PROGRAMS += tests/unit/osmotic-unit
TESTS += tests/unit/osmotic-unit
tests_unit_osmotic_unit_SOURCES = \
	tests/unit/main.c \
	tests/unit/unit-suites.h \
	tests/unit/test-lport-addresses.c
tests_unit_osmotic_unit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_osmotic_unit_LDADD = $(OSMOTIC_LDADD) $(CHECK_LIBS)
endif
