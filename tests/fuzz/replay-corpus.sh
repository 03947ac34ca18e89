#!/bin/sh
# Runs every fuzz harness once over every input of their corpus (seeds
# and regress-* cases, the inputs the fuzzer once stopped on), without
# mutation: a harness aborts, printing the input, on any bug it checks
# for (a crash, canonical text that does not parse back to itself, ...).
srcdir=${srcdir:-.}
./tests/fuzz/replay-expr "$srcdir/tests/fuzz/corpus/expr" \
    && ./tests/fuzz/replay-actions "$srcdir/tests/fuzz/corpus/actions" \
    && ./tests/fuzz/replay-compile "$srcdir/tests/fuzz/corpus/compile" \
    && ./tests/fuzz/replay-ipfix "$srcdir/tests/fuzz/corpus/ipfix" \
        "$srcdir/tests/unit/ipfix-vectors" \
    && ./tests/fuzz/replay-rampout "$srcdir/tests/fuzz/corpus/rampout" \
    && ./tests/fuzz/replay-svc-probe "$srcdir/tests/fuzz/corpus/svc-probe" \
    && ./tests/fuzz/replay-bfd "$srcdir/tests/fuzz/corpus/bfd"
