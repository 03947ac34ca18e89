# The Debian packaging ("dpkg-buildpackage -us -uc -b" in a source tree;
# tests/system/test-packages-debian.sh builds and installs it).
EXTRA_DIST += \
	debian/automake.mk \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/osmotic-central.dirs \
	debian/osmotic-central.init \
	debian/osmotic-central.install \
	debian/osmotic-central.lintian-overrides \
	debian/osmotic-central.postinst \
	debian/osmotic-central.postrm \
	debian/osmotic-common.dirs \
	debian/osmotic-common.docs \
	debian/osmotic-common.install \
	debian/osmotic-common.postrm \
	debian/osmotic-host.init \
	debian/osmotic-host.install \
	debian/osmotic-host.lintian-overrides \
	debian/osmotic-host.postrm \
	debian/osmotic-host.prerm \
	debian/rules \
	debian/source/format
