# libFuzzer harnesses.  They need clang, so they are not part of "all":
# "make fuzz" builds them with $(FUZZ_CC) (found by configure) and runs
# each for $(FUZZ_TIME) seconds.  New inputs found along the way go to
# tests/fuzz/work/ in the build tree, and an input that stops the fuzzer
# to tests/fuzz/artifacts/; the corpus in the source tree stays
# untouched.  Keep every input the fuzzer stops on, once fixed, as
# tests/fuzz/corpus/HARNESS/regress-NN: "make check" replays the corpus.
FUZZ_TIME = 60
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address

# The harness is built from the sources themselves, so that all of the
# match language is instrumented; libopenvswitch is linked as built.
FUZZ_EXPR_SRCS = \
	tests/fuzz/fuzz-expr.c \
	lib/expr-ast.c \
	lib/expr-check.c \
	lib/expr-eval.c \
	lib/expr-lex.c \
	lib/expr-parse.c \
	lib/expr-symtab.c

# The compiler harness checks compiled matches against evaluation with
# the unit tests' oracle.
FUZZ_COMPILE_SRCS = \
	tests/fuzz/fuzz-compile.c \
	tests/unit/compile-check.c \
	lib/expr-ast.c \
	lib/expr-check.c \
	lib/expr-compile.c \
	lib/expr-compile-conj.c \
	lib/expr-eval.c \
	lib/expr-lex.c \
	lib/expr-parse.c \
	lib/expr-symtab.c \
	lib/lport-addresses.c \
	lib/pipeline.c

FUZZ_ACTIONS_SRCS = \
	tests/fuzz/fuzz-actions.c \
	lib/logical-actions.c \
	lib/pipeline.c

# The IPFIX harness is seeded with messages Open vSwitch sent
# (tests/unit/ipfix-vectors) and with hand-made ones.
FUZZ_IPFIX_SRCS = \
	tests/fuzz/fuzz-ipfix.c \
	lib/ipfix.c

# A colour's gateway entries (lib/rampout.c).
FUZZ_RAMPOUT_SRCS = \
	tests/fuzz/fuzz-rampout.c \
	lib/rampout.c

# The packets a health-checked backend sends back.
FUZZ_SVC_PROBE_SRCS = \
	tests/fuzz/fuzz-svc-probe.c \
	controller/svc-probe.c \
	controller/pinctrl-packet.c

# The BFD control packets a static route's neighbour sends.
FUZZ_BFD_SRCS = \
	tests/fuzz/fuzz-bfd.c \
	controller/bfd-packet.c \
	controller/pinctrl-packet.c

EXTRA_DIST += \
	tests/fuzz/expr.dict \
	tests/fuzz/replay-corpus.sh \
	$(wildcard $(srcdir)/tests/fuzz/corpus/expr/*) \
	$(wildcard $(srcdir)/tests/fuzz/corpus/actions/*) \
	$(wildcard $(srcdir)/tests/fuzz/corpus/compile/*) \
	$(wildcard $(srcdir)/tests/fuzz/corpus/ipfix/*) \
	$(wildcard $(srcdir)/tests/fuzz/corpus/rampout/*) \
	$(wildcard $(srcdir)/tests/fuzz/corpus/svc-probe/*) \
	$(wildcard $(srcdir)/tests/fuzz/corpus/bfd/*)

# "make check" runs every harness over its whole corpus once, without
# libFuzzer or clang: seeds, and every input the fuzzer ever stopped on
# (corpus/*/regress-*), each a regression test.
check_PROGRAMS += tests/fuzz/replay-expr tests/fuzz/replay-actions \
	tests/fuzz/replay-compile tests/fuzz/replay-ipfix \
	tests/fuzz/replay-rampout tests/fuzz/replay-svc-probe \
	tests/fuzz/replay-bfd
tests_fuzz_replay_expr_SOURCES = tests/fuzz/fuzz-expr.c tests/fuzz/replay.c
tests_fuzz_replay_expr_LDADD = $(OSMOTIC_LDADD)
tests_fuzz_replay_actions_SOURCES = \
	tests/fuzz/fuzz-actions.c tests/fuzz/replay.c
tests_fuzz_replay_actions_LDADD = $(OSMOTIC_LDADD)
tests_fuzz_replay_compile_SOURCES = \
	tests/fuzz/fuzz-compile.c tests/fuzz/replay.c \
	tests/unit/compile-check.c tests/unit/compile-check.h
tests_fuzz_replay_compile_LDADD = $(OSMOTIC_LDADD)
tests_fuzz_replay_ipfix_SOURCES = tests/fuzz/fuzz-ipfix.c tests/fuzz/replay.c
tests_fuzz_replay_ipfix_LDADD = $(OSMOTIC_LDADD)
tests_fuzz_replay_rampout_SOURCES = \
	tests/fuzz/fuzz-rampout.c tests/fuzz/replay.c
tests_fuzz_replay_rampout_LDADD = $(OSMOTIC_LDADD)
tests_fuzz_replay_svc_probe_SOURCES = \
	tests/fuzz/fuzz-svc-probe.c tests/fuzz/replay.c
tests_fuzz_replay_svc_probe_LDADD = controller/libcontroller.la \
	$(OSMOTIC_LDADD)
tests_fuzz_replay_bfd_SOURCES = tests/fuzz/fuzz-bfd.c tests/fuzz/replay.c
tests_fuzz_replay_bfd_LDADD = controller/libcontroller.la $(OSMOTIC_LDADD)
TESTS += tests/fuzz/replay-corpus.sh
CLEANFILES += tests/fuzz/fuzz-expr tests/fuzz/fuzz-actions \
	tests/fuzz/fuzz-compile tests/fuzz/fuzz-ipfix tests/fuzz/fuzz-rampout \
	tests/fuzz/fuzz-svc-probe tests/fuzz/fuzz-bfd

# fuzz_link: the command that links harness $@ with $(FUZZ_CC); the
# sources and libraries follow it.
fuzz_link = \
	if test -z "$(FUZZ_CC)"; then \
	    echo "make fuzz: no clang found (configure looked for clang," \
	         "clang-16, clang-15, clang-14); install clang and" \
	         "libclang-rt-dev, or set FUZZ_CC=/path/to/clang" >&2; \
	    exit 1; \
	fi; \
	$(MKDIR_P) tests/fuzz && \
	$(LIBTOOL) --quiet --tag=CC --mode=link $(FUZZ_CC) $(FUZZ_CFLAGS) \
	    $(AM_CPPFLAGS) $(CPPFLAGS) -o $@

tests/fuzz/fuzz-expr: $(FUZZ_EXPR_SRCS:%=$(srcdir)/%) \
	$(srcdir)/lib/expr.h $(srcdir)/lib/expr-ast.h \
	$(srcdir)/lib/expr-check.h $(srcdir)/lib/expr-lex.h \
	$(srcdir)/lib/expr-symtab.h
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_EXPR_SRCS:%=$(srcdir)/%) $(OVS_LDADD)

tests/fuzz/fuzz-actions: $(FUZZ_ACTIONS_SRCS:%=$(srcdir)/%) \
	$(srcdir)/lib/logical-actions.h $(srcdir)/lib/pipeline.h
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_ACTIONS_SRCS:%=$(srcdir)/%) \
	    $(OVS_LDADD)

tests/fuzz/fuzz-compile: $(FUZZ_COMPILE_SRCS:%=$(srcdir)/%) \
	$(srcdir)/lib/expr.h $(srcdir)/lib/expr-ast.h \
	$(srcdir)/lib/expr-check.h $(srcdir)/lib/expr-compile.h \
	$(srcdir)/lib/expr-compile-conj.h $(srcdir)/lib/expr-lex.h \
	$(srcdir)/lib/expr-symtab.h $(srcdir)/lib/lport-addresses.h \
	$(srcdir)/lib/pipeline.h $(srcdir)/tests/unit/compile-check.h
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_COMPILE_SRCS:%=$(srcdir)/%) \
	    $(OVS_LDADD)

tests/fuzz/fuzz-ipfix: $(FUZZ_IPFIX_SRCS:%=$(srcdir)/%) \
	$(srcdir)/lib/ipfix.h
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_IPFIX_SRCS:%=$(srcdir)/%) \
	    $(OVS_LDADD)

tests/fuzz/fuzz-rampout: $(FUZZ_RAMPOUT_SRCS:%=$(srcdir)/%) \
	$(srcdir)/lib/rampout.h
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_RAMPOUT_SRCS:%=$(srcdir)/%) \
	    $(OVS_LDADD)

tests/fuzz/fuzz-svc-probe: $(FUZZ_SVC_PROBE_SRCS:%=$(srcdir)/%) \
	$(srcdir)/controller/svc-probe.h $(srcdir)/controller/pinctrl-packet.h
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_SVC_PROBE_SRCS:%=$(srcdir)/%) \
	    $(OVS_LDADD)

tests/fuzz/fuzz-bfd: $(FUZZ_BFD_SRCS:%=$(srcdir)/%) \
	$(srcdir)/controller/bfd-packet.h $(srcdir)/controller/pinctrl-packet.h
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_BFD_SRCS:%=$(srcdir)/%) \
	    $(OVS_LDADD)

fuzz: tests/fuzz/fuzz-expr tests/fuzz/fuzz-actions tests/fuzz/fuzz-compile \
	tests/fuzz/fuzz-ipfix tests/fuzz/fuzz-rampout tests/fuzz/fuzz-svc-probe \
	tests/fuzz/fuzz-bfd
	$(MKDIR_P) tests/fuzz/work/expr tests/fuzz/work/actions \
	    tests/fuzz/work/compile tests/fuzz/work/ipfix \
	    tests/fuzz/work/rampout tests/fuzz/work/svc-probe tests/fuzz/work/bfd \
	    tests/fuzz/artifacts
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-expr \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/expr- \
	    -dict=$(srcdir)/tests/fuzz/expr.dict \
	    tests/fuzz/work/expr $(srcdir)/tests/fuzz/corpus/expr
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-actions \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/actions- \
	    tests/fuzz/work/actions $(srcdir)/tests/fuzz/corpus/actions
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-compile \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/compile- \
	    -dict=$(srcdir)/tests/fuzz/expr.dict \
	    tests/fuzz/work/compile $(srcdir)/tests/fuzz/corpus/compile
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-ipfix \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/ipfix- \
	    tests/fuzz/work/ipfix $(srcdir)/tests/fuzz/corpus/ipfix \
	    $(srcdir)/tests/unit/ipfix-vectors
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-rampout \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/rampout- \
	    tests/fuzz/work/rampout $(srcdir)/tests/fuzz/corpus/rampout
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-svc-probe \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/svc-probe- \
	    tests/fuzz/work/svc-probe $(srcdir)/tests/fuzz/corpus/svc-probe
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-bfd \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/bfd- \
	    tests/fuzz/work/bfd $(srcdir)/tests/fuzz/corpus/bfd
.PHONY: fuzz
