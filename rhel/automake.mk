# The RPM spec (configure fills in rhel/osmotic.spec).  "make srpm" builds
# a source RPM from the "make dist" tarball into rhel/rpmbuild.
EXTRA_DIST += rhel/osmotic.spec.in
DISTCLEANFILES += rhel/osmotic.spec

srpm: dist rhel/osmotic.spec
	rm -rf rhel/rpmbuild
	$(MKDIR_P) rhel/rpmbuild
	rpmbuild -bs --define "_topdir $(abs_builddir)/rhel/rpmbuild" \
	    --define "_sourcedir $(abs_builddir)" rhel/osmotic.spec
.PHONY: srpm
clean-local: clean-srpm
clean-srpm:
	rm -rf rhel/rpmbuild
.PHONY: clean-srpm
