# libosmotic: the controller library every program links.
noinst_LTLIBRARIES += lib/libosmotic.la

lib_libosmotic_la_SOURCES = \
	lib/daemon-files.c \
	lib/daemon-files.h \
	lib/expr-ast.c \
	lib/expr-ast.h \
	lib/expr-check.c \
	lib/expr-check.h \
	lib/expr-compile.c \
	lib/expr-compile.h \
	lib/expr-compile-conj.c \
	lib/expr-compile-conj.h \
	lib/expr-eval.c \
	lib/expr-lex.c \
	lib/expr-lex.h \
	lib/expr-parse.c \
	lib/expr-symtab.c \
	lib/expr-symtab.h \
	lib/expr.h \
	lib/idl-pending.c \
	lib/idl-pending.h \
	lib/ipfix.c \
	lib/ipfix.h \
	lib/lflow-sim.c \
	lib/lflow-sim.h \
	lib/logical-actions.c \
	lib/logical-actions.h \
	lib/lb-vips.c \
	lib/lb-vips.h \
	lib/lport-addresses.c \
	lib/lport-addresses.h \
	lib/nb-gateways.c \
	lib/nb-gateways.h \
	lib/nb-unapplied.c \
	lib/nb-unapplied.h \
	lib/nb-validate.c \
	lib/nb-validate.h \
	lib/osmotic-dirs.c \
	lib/osmotic-dirs.h \
	lib/pipeline.c \
	lib/pipeline.h \
	lib/rampout.c \
	lib/rampout.h \
	lib/tunnel-keys.c \
	lib/tunnel-keys.h
nodist_lib_libosmotic_la_SOURCES = \
	lib/osmotic-nb-idl.c \
	lib/osmotic-nb-idl.h \
	lib/osmotic-sb-idl.c \
	lib/osmotic-sb-idl.h
lib_libosmotic_la_LIBADD = $(OVS_LDADD)

# Every program links libosmotic and through it libopenvswitch.
OSMOTIC_LDADD = lib/libosmotic.la $(OVS_LDADD)

BUILT_SOURCES += \
	lib/osmotic-nb-idl.c lib/osmotic-nb-idl.h \
	lib/osmotic-sb-idl.c lib/osmotic-sb-idl.h
CLEANFILES += \
	lib/osmotic-nb-idl.c lib/osmotic-nb-idl.h lib/osmotic-nb-idl.ovsidl \
	lib/osmotic-sb-idl.c lib/osmotic-sb-idl.h lib/osmotic-sb-idl.ovsidl

pkgdata_DATA += lib/osmotic-nb.ovsschema lib/osmotic-sb.ovsschema
EXTRA_DIST += \
	lib/osmotic-nb.ovsschema lib/osmotic-sb.ovsschema \
	lib/osmotic-nb-idl.ann lib/osmotic-sb-idl.ann

# C IDLs generated from the schemas by OVS's ovsdb-idlc.
lib/osmotic-nb-idl.ovsidl: lib/osmotic-nb.ovsschema lib/osmotic-nb-idl.ann
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(OVSDB_IDLC) annotate $(srcdir)/lib/osmotic-nb.ovsschema \
	    $(srcdir)/lib/osmotic-nb-idl.ann > $@.tmp && mv $@.tmp $@
lib/osmotic-sb-idl.ovsidl: lib/osmotic-sb.ovsschema lib/osmotic-sb-idl.ann
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(OVSDB_IDLC) annotate $(srcdir)/lib/osmotic-sb.ovsschema \
	    $(srcdir)/lib/osmotic-sb-idl.ann > $@.tmp && mv $@.tmp $@
SUFFIXES += .ovsidl
.ovsidl.c:
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@
.ovsidl.h:
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@
