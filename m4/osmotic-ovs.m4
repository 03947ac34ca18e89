# OSMOTIC_CHECK_OVS
# -----------------
# Finds the Open vSwitch libraries (libopenvswitch, libovsdb) and the IDL
# generator.  In order of preference:
#
#   --with-ovs-build=DIR (and optionally --with-ovs-source=DIR): an
#       already built Open vSwitch tree.
#   pkg-config's libopenvswitch, when its headers include the internal
#       ones Osmotic uses (ovsdb-idl.h, db-ctl-base.h).
#   --with-ovs-tarball=FILE (default: Debian's openvswitch-source
#       tarball): built once into ./ovs/openvswitch of the build tree.
AC_DEFUN([OSMOTIC_CHECK_OVS], [
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch source tree (default: same as build)])],
    [OVS_SRCDIR=$withval], [OVS_SRCDIR=])
  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR], [built Open vSwitch tree])],
    [OVS_BUILDDIR=$withval], [OVS_BUILDDIR=])
  AC_ARG_WITH([ovs-tarball],
    [AS_HELP_STRING([--with-ovs-tarball=FILE],
      [Open vSwitch source tarball to build when no other is found
       (default: /usr/src/openvswitch/openvswitch.tar.gz)])],
    [OVS_TARBALL=$withval],
    [OVS_TARBALL=/usr/src/openvswitch/openvswitch.tar.gz])

  OVS_FROM_PKGCONFIG=no
  if test -z "$OVS_BUILDDIR"; then
    PKG_CHECK_MODULES([OVSPC], [libopenvswitch >= 2.17 libovsdb],
      [save_CPPFLAGS=$CPPFLAGS
       CPPFLAGS="$CPPFLAGS $OVSPC_CFLAGS"
       AC_CHECK_HEADERS([ovsdb-idl.h db-ctl-base.h],
                        [OVS_FROM_PKGCONFIG=yes], [OVS_FROM_PKGCONFIG=no])
       CPPFLAGS=$save_CPPFLAGS], [:])
  fi

  if test "$OVS_FROM_PKGCONFIG" = yes; then
    OVS_CFLAGS=$OVSPC_CFLAGS
    OVS_LDADD=$OVSPC_LIBS
    AC_PATH_PROGS([OVSDB_IDLC], [ovsdb-idlc])
    if test -z "$OVSDB_IDLC"; then
      AC_MSG_ERROR([libopenvswitch found by pkg-config, but no ovsdb-idlc])
    fi
    # Sources include <config.h> first.  With an OVS build tree that is
    # OVS's own; with installed libraries there is none, so provide one.
    AC_CONFIG_COMMANDS([config.h],
      [echo '#include "osmotic-config.h"' > config.h])
  else
    if test -z "$OVS_BUILDDIR"; then
      OVS_BUILDDIR=`pwd`/ovs/openvswitch
      AC_MSG_NOTICE([building Open vSwitch libraries from $OVS_TARBALL into $OVS_BUILDDIR (once)])
      $srcdir/build-aux/build-ovs.sh "$OVS_TARBALL" `pwd`/ovs \
        || AC_MSG_ERROR([could not build Open vSwitch from $OVS_TARBALL (is openvswitch-source installed?)])
    fi
    OVS_BUILDDIR=`cd "$OVS_BUILDDIR" && pwd`
    test -n "$OVS_SRCDIR" || OVS_SRCDIR=$OVS_BUILDDIR
    OVS_SRCDIR=`cd "$OVS_SRCDIR" && pwd`
    if test ! -f "$OVS_BUILDDIR/lib/libopenvswitch.la"; then
      AC_MSG_ERROR([$OVS_BUILDDIR has no built lib/libopenvswitch.la])
    fi
    # OVS's own config.h comes first on the include path: it describes the
    # build the libraries were compiled with, so structures and atomics in
    # its headers have the same layout on both sides.
    OVS_CFLAGS="-I$OVS_BUILDDIR -I$OVS_SRCDIR/include -I$OVS_BUILDDIR/include -I$OVS_SRCDIR/lib -I$OVS_BUILDDIR/lib -I$OVS_SRCDIR"
    OVS_LDADD="$OVS_BUILDDIR/ovsdb/libovsdb.la $OVS_BUILDDIR/lib/libopenvswitch.la"
    OVSDB_IDLC="env PYTHONPATH=$OVS_SRCDIR/python $PYTHON3 $OVS_SRCDIR/ovsdb/ovsdb-idlc.in"
  fi
  AC_SUBST([OVS_SRCDIR])
  AC_SUBST([OVS_BUILDDIR])
  AC_SUBST([OVS_CFLAGS])
  AC_SUBST([OVS_LDADD])
  AC_SUBST([OVSDB_IDLC])
  AM_CONDITIONAL([OVS_FROM_PKGCONFIG], [test "$OVS_FROM_PKGCONFIG" = yes])
])
