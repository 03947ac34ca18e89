# northd programs and files.
bin_PROGRAMS += northd/osmotic-northd
northd_osmotic_northd_SOURCES = \
	northd/cfg.c \
	northd/cfg.h \
	northd/datapaths.c \
	northd/datapaths.h \
	northd/lflow-switch.c \
	northd/lflow-switch.h \
	northd/lflow-table.c \
	northd/lflow-table.h \
	northd/northd.c \
	northd/northd.h \
	northd/osmotic-northd.c
northd_osmotic_northd_LDADD = $(OSMOTIC_LDADD)
dist_man_MANS += northd/osmotic-northd.8
