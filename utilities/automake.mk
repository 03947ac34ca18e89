# utilities programs and files.

# osmotic-ctl: the start/stop script, with the configured directories
# substituted in.
bin_SCRIPTS += utilities/osmotic-ctl
CLEANFILES += utilities/osmotic-ctl
EXTRA_DIST += utilities/osmotic-ctl.in
dist_man_MANS += utilities/osmotic-ctl.8
utilities/osmotic-ctl: utilities/osmotic-ctl.in Makefile
	$(AM_V_GEN)$(MKDIR_P) utilities && \
	sed -e 's|[@]VERSION[@]|$(VERSION)|g' \
	    -e 's|[@]bindir[@]|$(bindir)|g' \
	    -e 's|[@]sbindir[@]|$(sbindir)|g' \
	    -e 's|[@]pkgdatadir[@]|$(pkgdatadir)|g' \
	    -e 's|[@]sysconfdir[@]|$(sysconfdir)|g' \
	    -e 's|[@]localstatedir[@]|$(localstatedir)|g' \
	    -e 's|[@]OSMOTIC_RUNDIR[@]|$(OSMOTIC_RUNDIR)|g' \
	    -e 's|[@]OSMOTIC_DBDIR[@]|$(OSMOTIC_DBDIR)|g' \
	    -e 's|[@]OSMOTIC_LOGDIR[@]|$(OSMOTIC_LOGDIR)|g' \
	    $(srcdir)/utilities/osmotic-ctl.in > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

# The shell library of hosts, pods and the underlay that osmotic-sandbox
# and the system tests share.
pkgdata_DATA += utilities/osmotic-hosts.sh
EXTRA_DIST += utilities/osmotic-hosts.sh

# osmotic-sandbox: a small deployment on one machine, with the version and
# data directory substituted in.
bin_SCRIPTS += utilities/osmotic-sandbox
CLEANFILES += utilities/osmotic-sandbox
EXTRA_DIST += utilities/osmotic-sandbox.in
dist_man_MANS += utilities/osmotic-sandbox.8
utilities/osmotic-sandbox: utilities/osmotic-sandbox.in Makefile
	$(AM_V_GEN)$(MKDIR_P) utilities && \
	sed -e 's|[@]VERSION[@]|$(VERSION)|g' \
	    -e 's|[@]pkgdatadir[@]|$(pkgdatadir)|g' \
	    $(srcdir)/utilities/osmotic-sandbox.in > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

# The main loop and options shared by the database command-line tools.
noinst_LTLIBRARIES += utilities/libctlcommon.la
utilities_libctlcommon_la_SOURCES = \
	utilities/ctl-common.c \
	utilities/ctl-common.h

# osmotic-nbctl: the northbound database command-line tool.
bin_PROGRAMS += utilities/osmotic-nbctl
utilities_osmotic_nbctl_SOURCES = \
	utilities/nbctl-color.c \
	utilities/nbctl-fwd-group.c \
	utilities/nbctl-lb.c \
	utilities/nbctl-mac-binding.c \
	utilities/nbctl-dhcp.c \
	utilities/nbctl-ha-chassis.c \
	utilities/nbctl-copp.c \
	utilities/nbctl-mirror.c \
	utilities/nbctl-nat.c \
	utilities/nbctl-partial.c \
	utilities/nbctl-policy.c \
	utilities/nbctl-qos.c \
	utilities/nbctl-route.c \
	utilities/nbctl-router.c \
	utilities/nbctl-switch.c \
	utilities/nbctl.h \
	utilities/osmotic-nbctl.c
utilities_osmotic_nbctl_LDADD = utilities/libctlcommon.la $(OSMOTIC_LDADD)
dist_man_MANS += utilities/osmotic-nbctl.8

# osmotic-trace: the packet tracer (logical flows, or one host's br-int).
bin_PROGRAMS += utilities/osmotic-trace
utilities_osmotic_trace_SOURCES = \
	utilities/osmotic-trace.c \
	utilities/trace-chassis.c \
	utilities/trace-chassis.h \
	utilities/trace-nb.c \
	utilities/trace-nb.h \
	utilities/trace-render.c \
	utilities/trace-render.h \
	utilities/trace-sb.c \
	utilities/trace-sb.h
utilities_osmotic_trace_LDADD = $(OSMOTIC_LDADD)
dist_man_MANS += utilities/osmotic-trace.8

# osmotic-sbctl: the southbound database command-line tool.
bin_PROGRAMS += utilities/osmotic-sbctl
utilities_osmotic_sbctl_SOURCES = utilities/osmotic-sbctl.c
utilities_osmotic_sbctl_LDADD = utilities/libctlcommon.la $(OSMOTIC_LDADD)
dist_man_MANS += utilities/osmotic-sbctl.8

# Bash completion of osmotic-nbctl and osmotic-sbctl: one script with the
# schemas' tables and columns filled in, installed under both names (the
# completion loader looks a command's name up in the directory).
bashcompdir = $(BASH_COMPLETION_DIR)
noinst_DATA += utilities/osmotic-dbctl.bash
CLEANFILES += utilities/osmotic-dbctl.bash
EXTRA_DIST += utilities/osmotic-dbctl.bash.in build-aux/schema-columns.py
utilities/osmotic-dbctl.bash: utilities/osmotic-dbctl.bash.in \
		build-aux/schema-columns.py lib/osmotic-nb.ovsschema \
		lib/osmotic-sb.ovsschema
	$(AM_V_GEN)$(MKDIR_P) utilities && \
	$(PYTHON3) $(srcdir)/build-aux/schema-columns.py \
	    $(srcdir)/utilities/osmotic-dbctl.bash.in \
	    NB_TABLE_COLUMNS=$(srcdir)/lib/osmotic-nb.ovsschema \
	    SB_TABLE_COLUMNS=$(srcdir)/lib/osmotic-sb.ovsschema > $@.tmp && \
	mv $@.tmp $@
install-data-local: install-bashcomp
uninstall-local: uninstall-bashcomp
install-bashcomp: utilities/osmotic-dbctl.bash
	$(MKDIR_P) $(DESTDIR)$(bashcompdir)
	$(INSTALL_DATA) utilities/osmotic-dbctl.bash \
	    $(DESTDIR)$(bashcompdir)/osmotic-nbctl
	cd $(DESTDIR)$(bashcompdir) && rm -f osmotic-sbctl && \
	    $(LN_S) osmotic-nbctl osmotic-sbctl
uninstall-bashcomp:
	rm -f $(DESTDIR)$(bashcompdir)/osmotic-nbctl \
	    $(DESTDIR)$(bashcompdir)/osmotic-sbctl
.PHONY: install-bashcomp uninstall-bashcomp
