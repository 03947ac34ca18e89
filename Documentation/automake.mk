# Documentation programs and files.

# Manuals of the two database schemas (tests/unit/test-schema-docs.sh
# checks that they document every table and column).
dist_man_MANS += lib/osmotic-nb.5 lib/osmotic-sb.5
