#!/usr/bin/env python3
"""Checks the system tests and benchmarks for mistakes that make a
shell test pass whatever happens, or hang.

usage: check-system-tests.py [FILE]...

By default, every tests/system/*.sh and tests/bench/*.sh of the source
tree this script is in.  A command continued over several lines with
backslashes counts as one line; comment lines are skipped.  Problems:

  - "wait_until [ ... $(...) ... ]" or "wait_until test ... $(...)": the
    command substitution is expanded once, before the first try, so
    wait_until tests the same value again and again;
  - "wait_until CMD | grep ...": the pipe takes wait_until's output, and
    its status is not checked;
  - a database or OpenFlow client run through "sh -c", "bash -c", "ip
    netns exec" or "osm_host_exec HOST" without --timeout or timeout(1):
    that gets around tests/system/lib.sh's bounded stand-ins for those
    programs, so a server that does not answer hangs the test;
  - ovn-nbctl or ovn-sbctl without --timeout (lib.sh does not bound
    them).

Prints one line per problem, "FILE:LINE: what", and exits 1 if there is
any, 0 otherwise.
"""

import glob
import os
import re
import sys

CLIENTS = ('ovs-appctl', 'ovs-ofctl', 'ovs-vsctl', 'ovsdb-client',
           'osmotic-nbctl', 'osmotic-sbctl', 'osmotic-trace', 'ovn-nbctl',
           'ovn-sbctl')
CLIENT_RE = re.compile(r'(?<![\w.-])(%s)(?![\w.-])'
                       % '|'.join(re.escape(c) for c in CLIENTS))
BYPASS_RE = re.compile(r'(\bsh -c\b|\bbash -c\b|\bip netns exec\b|'
                       r'\bosm_host_exec\s+\S+)')
WAIT_TEST_RE = re.compile(r'\bwait_until\s+(\[\[?|test)\s')
WAIT_RE = re.compile(r'\bwait_until\b')
UNBOUNDED_OVN_RE = re.compile(r'(?<![\w.-])(ovn-nbctl|ovn-sbctl)(?![\w.-])')


def logical_lines(path):
    """Yields (line number, text) for each command line of 'path', with
    backslash continuations joined."""
    with open(path) as f:
        lines = f.read().split('\n')
    start, buf = 0, ''
    for i, line in enumerate(lines, 1):
        if not buf:
            start = i
        if line.endswith('\\'):
            buf += line[:-1] + ' '
            continue
        buf += line
        if not buf.lstrip().startswith('#'):
            yield start, buf
        buf = ''


def unescaped_substitution(text):
    """True if 'text' holds a "$(" not escaped as "\\$(" and not inside
    single quotes."""
    quoted = False
    for i, c in enumerate(text):
        if c == "'" and (i == 0 or text[i - 1] != '\\'):
            quoted = not quoted
        elif (not quoted and text.startswith('$(', i)
              and (i == 0 or text[i - 1] != '\\')):
            return True
    return False


def piped(text):
    """True if the command at the start of 'text' is piped into another:
    a "|" outside quotes, before the command ends (";", "&&", "||")."""
    quote = None
    i = 0
    while i < len(text):
        c = text[i]
        if c == '\\' and quote != "'":
            i += 2
            continue
        if quote:
            if c == quote:
                quote = None
        elif c in '"\'':
            quote = c
        elif text.startswith('||', i) or text.startswith('&&', i) \
                or c == ';':
            return False
        elif c == '|':
            return True
        i += 1
    return False


def bounded(text):
    """True if the client command in 'text' carries a bound."""
    return '--timeout' in text or re.search(r'\btimeout\s+\S+\s', text)


def check_file(path):
    problems = []
    for n, line in logical_lines(path):
        where = '%s:%d' % (path, n)
        m = WAIT_TEST_RE.search(line)
        if m and unescaped_substitution(line[m.end():]):
            problems.append('%s: wait_until with "$(...)" in a test: it is '
                            'expanded once, so the wait never reads the '
                            'value again' % where)
        m = WAIT_RE.search(line)
        if m and piped(line[m.end():]):
            problems.append('%s: wait_until piped into another command: '
                            'the pipe takes wait_until\'s output and its '
                            'result is not checked' % where)
        m = BYPASS_RE.search(line)
        if m:
            rest = line[m.end():]
            c = CLIENT_RE.search(rest)
            if c and not bounded(rest):
                problems.append('%s: %s run through "%s" without '
                                '--timeout: not bounded'
                                % (where, c.group(1), m.group(1)))
        for m in UNBOUNDED_OVN_RE.finditer(line):
            if not bounded(line[m.start():]):
                problems.append('%s: %s without --timeout: not bounded'
                                % (where, m.group(1)))
    return problems


def main(argv):
    files = argv[1:]
    if not files:
        top = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        files = sorted(glob.glob(os.path.join(top, 'tests/system/*.sh'))
                       + glob.glob(os.path.join(top, 'tests/bench/*.sh')))
    problems = []
    for path in files:
        problems += check_file(path)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
