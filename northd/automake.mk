# northd programs and files.

# The compiler's modules, in a library that osmotic-northd and the unit
# tests link.
noinst_LTLIBRARIES += northd/libnorthd.la
northd_libnorthd_la_SOURCES = \
	northd/bfd.c \
	northd/bfd.h \
	northd/cfg.c \
	northd/cfg.h \
	northd/colors.c \
	northd/colors.h \
	northd/change-index.c \
	northd/change-index.h \
	northd/datapaths.c \
	northd/datapaths.h \
	northd/gateways.c \
	northd/gateways.h \
	northd/svc-monitors.c \
	northd/svc-monitors.h \
	northd/dp-kinds.c \
	northd/dp-kinds.h \
	northd/lflow-acl.c \
	northd/lflow-acl.h \
	northd/lflow-color.c \
	northd/lflow-color.h \
	northd/lflow-lb.c \
	northd/lflow-lb.h \
	northd/lflow-router.c \
	northd/lflow-router.h \
	northd/lflow-router-lb.c \
	northd/lflow-router-lb.h \
	northd/lflow-router-neighbours.c \
	northd/lflow-router-neighbours.h \
	northd/lflow-switch.c \
	northd/lflow-switch.h \
	northd/lflow-table.c \
	northd/lflow-table.h \
	northd/mac-binding-aging.c \
	northd/mac-binding-aging.h \
	northd/nat-addresses.c \
	northd/nat-addresses.h \
	northd/nb-match.c \
	northd/nb-match.h \
	northd/northd.c \
	northd/northd.h \
	northd/owners.c \
	northd/owners.h \
	northd/router-ports.c \
	northd/router-ports.h \
	northd/sb-address-sets.c \
	northd/sb-address-sets.h \
	northd/unapplied.c \
	northd/unapplied.h

bin_PROGRAMS += northd/osmotic-northd
northd_osmotic_northd_SOURCES = northd/osmotic-northd.c
northd_osmotic_northd_LDADD = northd/libnorthd.la $(OSMOTIC_LDADD)
dist_man_MANS += northd/osmotic-northd.8
