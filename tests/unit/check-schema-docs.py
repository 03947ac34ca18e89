#!/usr/bin/env python3
"""Checks that the schema manuals document exactly the schemas.

usage: check-schema-docs.py [SCHEMA MANPAGE]...

For each pair (by default lib/osmotic-nb.ovsschema with lib/osmotic-nb.5
and lib/osmotic-sb.ovsschema with lib/osmotic-sb.5 of the source tree this
script is in), every table of SCHEMA must have a section
'.SH "TABLE TABLE"' in MANPAGE, and every column of the table an entry in
that section: a '.TP' line followed by a line that starts with
'\\fBCOLUMN\\fR' or, for a key of a map column, '\\fBCOLUMN:KEY\\fR', with a
description of at least a few words.  Sections and entries for tables or
columns that the schema does not have are errors too, so that the manuals
cannot go stale in either direction.  If groff is installed, the manual
must also format without warnings.

Prints one line per problem and exits 1 if there is any, 0 otherwise.
"""

import json
import os
import re
import shutil
import subprocess
import sys

SECTION_RE = re.compile(r'^\.SH\s+"([A-Za-z_][A-Za-z0-9_]*) TABLE"\s*$')
ENTRY_RE = re.compile(r'^\\fB([A-Za-z_][A-Za-z0-9_]*)(:[^\\]+)?\\fR')

# An entry's description must have at least this many words.
MIN_WORDS = 3


def schema_columns(path):
    """Returns {table: set of column names} of the schema at 'path'."""
    with open(path, encoding='utf-8') as f:
        schema = json.load(f)
    return {name: set(table['columns'])
            for name, table in schema['tables'].items()}


def manual_entries(path):
    """Returns ({table: {column: description words}}, [problems]) for the
    man page at 'path'."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    tables = {}
    problems = []
    table = None
    entry = None
    for i, line in enumerate(lines):
        m = SECTION_RE.match(line)
        if m:
            table = m.group(1)
            entry = None
            if table in tables:
                problems.append('%s:%d: table %s documented twice'
                                % (path, i + 1, table))
            tables[table] = {}
            continue
        if line.startswith('.SH') or line.startswith('.SS'):
            table = None
            entry = None
            continue
        if table is None:
            continue
        if line.startswith('.TP'):
            entry = None
            if i + 1 < len(lines):
                m = ENTRY_RE.match(lines[i + 1])
                if m:
                    column = m.group(1)
                    entry = column
                    tables[table].setdefault(column, 0)
            continue
        if entry is not None and i > 0 and not lines[i - 1].startswith('.TP'):
            if not line.startswith('.') or line.startswith(('.B', '.I')):
                words = re.sub(r'\\f[BIRP]', '', line).split()
                tables[table][entry] += len(words)
    return tables, problems


def check_pair(schema_path, man_path):
    """Returns the list of problems for one schema and its manual."""
    schema = schema_columns(schema_path)
    documented, problems = manual_entries(man_path)
    man = os.path.basename(man_path)
    for table in sorted(schema):
        if table not in documented:
            problems.append('%s: table %s is not documented' % (man, table))
            continue
        for column in sorted(schema[table]):
            if column not in documented[table]:
                problems.append('%s: column %s:%s is not documented'
                                % (man, table, column))
            elif documented[table][column] < MIN_WORDS:
                problems.append('%s: column %s:%s has no description'
                                % (man, table, column))
    for table in sorted(documented):
        if table not in schema:
            problems.append('%s: documents table %s, which is not in %s'
                            % (man, table, os.path.basename(schema_path)))
            continue
        for column in sorted(documented[table]):
            if column not in schema[table]:
                problems.append('%s: documents column %s:%s, which is not '
                                'in the schema' % (man, table, column))
    problems.extend(groff_warnings(man_path))
    return problems


def groff_warnings(man_path):
    """Returns groff's warnings for 'man_path' (none without groff)."""
    if not shutil.which('groff'):
        return []
    result = subprocess.run(['groff', '-man', '-ww', '-z', man_path],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, check=False)
    return ['%s: groff: %s' % (os.path.basename(man_path), line)
            for line in result.stderr.splitlines() if line.strip()]


def main(argv):
    args = argv[1:]
    if not args:
        top = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           '..', '..')
        args = [os.path.join(top, 'lib', name) for name in
                ('osmotic-nb.ovsschema', 'osmotic-nb.5',
                 'osmotic-sb.ovsschema', 'osmotic-sb.5')]
    if len(args) % 2:
        sys.stderr.write('usage: %s [SCHEMA MANPAGE]...\n' % argv[0])
        return 2
    problems = []
    for schema_path, man_path in zip(args[::2], args[1::2]):
        problems.extend(check_pair(schema_path, man_path))
    for problem in problems:
        print(problem)
    if not problems:
        print('%d manual(s) document every table and column'
              % (len(args) // 2))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
