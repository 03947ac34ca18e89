# Documentation programs and files.

# Reference of the match language (lib/expr.h).
EXTRA_DIST += Documentation/match-language.md

# Reference of the pipeline: registers, logical and physical tables
# (lib/pipeline.h).
EXTRA_DIST += Documentation/pipeline.md

# How to trace packets with osmotic-trace and osmotic-sbctl.
EXTRA_DIST += Documentation/tracing.md

# Manuals of the two database schemas (tests/unit/test-schema-docs.sh
# checks that they document every table and column).
dist_man_MANS += lib/osmotic-nb.5 lib/osmotic-sb.5

# Method and latest results of the benchmarks against OVN, and the plot
# of the colouring benchmark that README shows.
EXTRA_DIST += Documentation/benchmarks.md \
	Documentation/color-mice-vs-elephants.png
