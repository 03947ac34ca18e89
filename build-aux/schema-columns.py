#!/usr/bin/env python3
"""Fills the table lists of a template from OVSDB schemas: every
@NAME@ of the template, for each NAME=SCHEMA argument, becomes one line
per table of SCHEMA, the table's name followed by its columns, separated
by spaces (tables and columns sorted).  The bash completion of
osmotic-nbctl and osmotic-sbctl is built this way.

usage: schema-columns.py TEMPLATE NAME=SCHEMA... > OUTPUT
"""
import json
import sys


def table_lines(schema_file):
    """Returns the lines of 'schema_file's tables, joined by newlines."""
    with open(schema_file) as f:
        schema = json.load(f)
    lines = []
    for table in sorted(schema["tables"]):
        columns = sorted(schema["tables"][table]["columns"])
        lines.append(" ".join([table] + columns))
    return "\n".join(lines)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(1)
    with open(sys.argv[1]) as f:
        text = f.read()
    for arg in sys.argv[2:]:
        name, sep, schema_file = arg.partition("=")
        if not sep:
            sys.stderr.write("%s: expected NAME=SCHEMA\n" % arg)
            sys.exit(1)
        placeholder = "@%s@" % name
        if placeholder not in text:
            sys.stderr.write("%s: no %s in the template\n"
                             % (sys.argv[1], placeholder))
            sys.exit(1)
        text = text.replace(placeholder, table_lines(schema_file))
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
