# Service files: systemd units, the options files the units read, and the
# log rotation.  The units are installed only with
# --with-systemdsystemunitdir=DIR; the packages (debian/, rhel/) install
# the options files and the log rotation where their distribution keeps
# them.
OSMOTIC_SERVICE_UNITS = \
	services/osmotic-central.service \
	services/osmotic-ovsdb-server-nb.service \
	services/osmotic-ovsdb-server-sb.service \
	services/osmotic-northd.service \
	services/osmotic-host.service \
	services/osmotic-controller.service
if INSTALL_SYSTEMD_UNITS
systemdsystemunit_DATA = $(OSMOTIC_SERVICE_UNITS)
else
noinst_DATA += $(OSMOTIC_SERVICE_UNITS)
endif
noinst_DATA += services/osmotic.logrotate
CLEANFILES += $(OSMOTIC_SERVICE_UNITS) services/osmotic.logrotate
EXTRA_DIST += $(OSMOTIC_SERVICE_UNITS:=.in) services/osmotic.logrotate.in \
	services/osmotic-central.default services/osmotic-host.default

# Substitutes the configured directories into a service file.
OSMOTIC_SERVICE_SUBST = sed \
	-e 's|[@]bindir[@]|$(bindir)|g' \
	-e 's|[@]OSMOTIC_RUNDIR[@]|$(OSMOTIC_RUNDIR)|g' \
	-e 's|[@]OSMOTIC_LOGDIR[@]|$(OSMOTIC_LOGDIR)|g' \
	-e 's|[@]SERVICE_ENV_DIR[@]|$(SERVICE_ENV_DIR)|g'
$(OSMOTIC_SERVICE_UNITS) services/osmotic.logrotate: Makefile
	$(AM_V_GEN)$(MKDIR_P) services && \
	$(OSMOTIC_SERVICE_SUBST) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@
services/osmotic-central.service: services/osmotic-central.service.in
services/osmotic-ovsdb-server-nb.service: services/osmotic-ovsdb-server-nb.service.in
services/osmotic-ovsdb-server-sb.service: services/osmotic-ovsdb-server-sb.service.in
services/osmotic-northd.service: services/osmotic-northd.service.in
services/osmotic-host.service: services/osmotic-host.service.in
services/osmotic-controller.service: services/osmotic-controller.service.in
services/osmotic.logrotate: services/osmotic.logrotate.in
