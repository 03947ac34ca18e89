#!/usr/bin/env python3
"""Measures osmotic-nbctl against OVN's own tests of ovn-nbctl.

Two suites, both read from OVN's source tree (OVN's files are never
copied into Osmotic: give their directory with --ovn-tests, or a git
repository of OVN with --ovn-git, from which they are fetched once into a
cache under the build tree):

  nbctl  tests/ovn-nbctl.at: every test group, run with osmotic-nbctl
         standing in for ovn-nbctl (as a program named ovn-nbctl), each
         group in a fresh Osmotic_Northbound database of its own.  Each
         check ("AT_CHECK" and the helpers that wrap one) is judged on
         its exit status and on its output, as Autotest would, but every
         check runs even after one fails.  The report gives the share of
         exit-status checks and of output checks that pass.

  expr   the "expression parser" cases of tests/ovn.at: each input is
         given to "acl-add" as an ACL match; OVN's expected result is
         either a normal form (OVN accepts the match) or an error (OVN
         rejects it).  A case agrees when osmotic-nbctl accepts what OVN
         accepts and rejects what OVN rejects.

Lines that osmotic-nbctl prints on purpose and ovn-nbctl does not (the
warning that configuration is stored but not applied to traffic yet, and
the notes "show" prints on stderr for it) are filtered out before outputs are
compared; the report says how many checks passed only thanks to that.

Exit status: 0, or 1 if a --min-* threshold is not met, 2 on error.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import m4lite  # noqa: E402

DEFAULT_REF = "v23.03.0"
DEFAULT_URL = "https://github.com/ovn-org/ovn.git"
OVN_FILES = ("ovn-nbctl.at", "ovn.at")

# The lines osmotic-nbctl adds to what ovn-nbctl would print, all on
# stderr: the warning for configuration that is stored but not applied
# to traffic yet, and the notes of "show" about it.
FILTER_SED = r"""/^ovn-nbctl: warning: .* stored but not applied to traffic yet$/d
/^ovn-nbctl: note: .* stored but not applied to traffic yet ([0-9]*)$/d
"""


def die(msg):
    sys.stderr.write("ovn-compat: %s\n" % msg)
    sys.exit(2)


# Getting OVN's test files.

def have_files(d):
    return d and all(os.path.isfile(os.path.join(d, f)) for f in OVN_FILES)


def fetch_from_git(repo, ref, dest):
    """Copies OVN_FILES of 'ref' in git repository 'repo' (a local
    repository, bare or not, or a URL) into 'dest'."""
    tmp = None
    try:
        if os.path.isdir(repo):
            gitdir = repo
        else:
            tmp = tempfile.mkdtemp(prefix="ovn-compat-clone.")
            subprocess.run(["git", "clone", "--quiet", "--bare", "--depth",
                            "1", "--branch", ref, repo, tmp], check=True)
            gitdir = tmp
        os.makedirs(dest, exist_ok=True)
        for f in OVN_FILES:
            text = subprocess.run(
                ["git", "--git-dir", gitdir_of(gitdir), "show",
                 "%s:tests/%s" % (ref, f)],
                check=True, stdout=subprocess.PIPE).stdout
            with open(os.path.join(dest, f), "wb") as out:
                out.write(text)
    except (subprocess.CalledProcessError, OSError) as e:
        die("could not fetch %s from %s: %s" % (ref, repo, e))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def gitdir_of(path):
    """Returns the git directory of repository 'path', bare or not."""
    dotgit = os.path.join(path, ".git")
    return dotgit if os.path.exists(dotgit) else path


def ovn_test_dir(args):
    if args.ovn_tests:
        if not have_files(args.ovn_tests):
            die("%s: does not hold %s" % (args.ovn_tests,
                                          " and ".join(OVN_FILES)))
        return args.ovn_tests
    cache = args.cache or os.path.join(args.builddir, "tests", "compat",
                                       "ovn-" + args.ovn_ref)
    if have_files(cache):
        return cache
    if not args.ovn_git:
        die("OVN's test files are needed: give --ovn-tests=DIR (OVN's tests "
            "directory), or --ovn-git=REPO (a clone of OVN, or %s) to fetch "
            "them into %s" % (DEFAULT_URL, cache))
    fetch_from_git(args.ovn_git, args.ovn_ref, cache)
    return cache


# Translating a test group into a shell script.

class CheckInfo:
    """What the report says about one check of the file."""

    def __init__(self, line, text):
        self.line = line
        self.text = text


def stream_mode(arg, save_name, exp_name):
    """Maps an AT_CHECK stdout or stderr argument to a prelude mode."""
    a = arg.strip()
    if arg == "":
        return "", None
    if a in ("ignore", "ignore-no-log"):
        return "ignore", None
    if a in (save_name, save_name + "-nolog"):
        return "save", None
    if a == exp_name:
        return exp_name, None
    return "literal", m4lite.unquadrigraph(arg)


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


class Translator:
    """Turns the body of one test group into shell code that runs every
    check and records its verdicts."""

    CHECK_MACROS = {"AT_CHECK", "AT_CHECK_UNQUOTED", "OVS_WAIT_UNTIL",
                    "AT_CAPTURE_FILE", "AT_KEYWORDS", "AT_SKIP_IF",
                    "AT_FAIL_IF"}
    HELPER_RE = re.compile(r"^(\s*)(check|check_column|check_row_count)\b")

    def __init__(self, expdir, checks, source_lines):
        self.expdir = expdir
        self.checks = checks            # id -> CheckInfo, shared.
        self.source_lines = source_lines

    def new_check(self, line):
        cid = len(self.checks) + 1
        text = self.source_lines[line - 1].strip() if line > 0 else ""
        self.checks[cid] = CheckInfo(line, text)
        return cid

    def text(self, s, line):
        """Literal shell text: notes the line of each helper check."""
        out = []
        for i, l in enumerate(s.split("\n")):
            m = self.HELPER_RE.match(l)
            if m:
                l = "%sAT_LINE=%d; %s" % (m.group(1), line + i,
                                          l[len(m.group(1)):])
            out.append(l)
        return m4lite.unquadrigraph("\n".join(out))

    def check(self, call, line):
        args = [m4lite.expand(a) for a in call.args]
        while len(args) < 4:
            args.append("")
        cmd = m4lite.unquadrigraph(args[0])
        status = args[1].strip()
        cid = self.new_check(line)
        outmode, outtext = stream_mode(args[2], "stdout", "expout")
        errmode, errtext = stream_mode(args[3], "stderr", "experr")
        code = ["AT_LINE=%d" % line]
        for which, text in (("out", outtext), ("err", errtext)):
            if text is None:
                continue
            path = "%s/%d.%s" % (self.expdir, cid, which)
            if call.name == "AT_CHECK_UNQUOTED":
                # The expected text is expanded by the shell when the
                # check runs.
                delim = "AT_EOF_%d" % cid
                if text.endswith("\n"):
                    code.append('cat > "$AT_EXP/%d.%s" <<%s\n%s%s'
                                % (cid, which, delim, text, delim))
                else:
                    code.append('printf %%s "$(cat <<%s\n%s\n%s\n)" > '
                                '"$AT_EXP/%d.%s"'
                                % (delim, text, delim, cid, which))
            else:
                with open(path, "w") as f:
                    f.write(text)
        code.append('( %s\n) < /dev/null > "$AT_TMP/got.out" '
                    '2> "$AT_TMP/got.err"' % cmd)
        code.append("at_finish %d %d %s %s %s $?"
                    % (cid, line, shell_quote(status), shell_quote(outmode),
                       shell_quote(errmode)))
        return "\n".join(code)

    def translate(self, body, first_line):
        out = []
        for piece in m4lite.scan(body, self.CHECK_MACROS,
                                 keep_lines=True):
            line = first_line + piece[2] - 1
            if piece[0] == "text":
                out.append(self.text(piece[1], line))
                continue
            call = piece[1]
            if call.name in ("AT_CHECK", "AT_CHECK_UNQUOTED"):
                out.append(self.check(call, line))
            elif call.name == "OVS_WAIT_UNTIL":
                cond = m4lite.unquadrigraph(m4lite.expand(call.arg(0)))
                out.append("at_wait_until() {\n%s\n}\n"
                           "for at_i in $(seq 50); do at_wait_until && "
                           "break; sleep 0.1; done" % cond)
            # The others only matter to Autotest's own logs.
        return "".join(out)


class Group:
    """One test group of ovn-nbctl.at."""

    def __init__(self, title, line):
        self.title = title
        self.line = line
        self.body = None        # Shell code, or None if not run.
        self.skip_reason = None
        self.results = []       # (check id, status verdict, output
                                #  verdict, filtered)
        self.details = {}       # check id -> text of what differed
        self.error = None


def parse_nbctl_groups(text, workdir):
    """Returns the groups of ovn-nbctl.at, translated, and the table of
    checks."""
    lines = text.split("\n")
    checks = {}
    expdir = os.path.join(workdir, "expected")
    os.makedirs(expdir, exist_ok=True)
    tr = Translator(expdir, checks, lines)
    groups = []
    setup = None
    for piece in m4lite.scan(text, {"OVN_NBCTL_TEST", "AT_SETUP",
                                    "AT_CLEANUP", "m4_define", "AT_BANNER",
                                    "OVS_START_SHELL_HELPERS",
                                    "OVS_END_SHELL_HELPERS"}):
        if piece[0] != "call":
            if setup is not None:
                setup.append(piece[1])
            continue
        call = piece[1]
        if call.name == "OVN_NBCTL_TEST":
            g = Group(m4lite.expand(call.arg(1)), call.line)
            fn = m4lite.expand(call.arg(0)).strip()
            body = tr.translate(call.arg(2), call.line)
            g.body = "%s() {\n%s\n}\n%s\n" % (fn, body, fn)
            groups.append(g)
        elif call.name == "AT_SETUP":
            g = Group(m4lite.expand(call.arg(0)), call.line)
            setup = []
            groups.append(g)
        elif call.name == "AT_CLEANUP" and setup is not None:
            g = groups[-1]
            body = "".join(setup)
            if "daemon" in body or "start_daemon" in body:
                g.skip_reason = ("needs ovn-nbctl's daemon mode "
                                 "(--detach, OVN_NB_DAEMON), which "
                                 "osmotic-nbctl does not have")
            else:
                g.skip_reason = "not an OVN_NBCTL_TEST group"
            setup = None
    return groups, checks


SCRIPT_HEAD = """#!/bin/bash
set +e
export PATH=%(bin)s:$PATH
export AT_RESULTS=%(results)s AT_EXP=%(exp)s AT_TMP=%(tmp)s
export AT_FILTER=%(filter)s
unset OVN_NB_DB OVN_NB_DAEMON
. %(prelude)s
cd %(dir)s || exit 99
export OVS_RUNDIR=$PWD OVS_LOGDIR=$PWD OVS_DBDIR=$PWD
export OSMOTIC_NB_DB=unix:$PWD/ovnnb_db.sock
ovsdb-tool create ovn-nb.db %(schema)s || exit 99
ovsdb-server --detach --no-chdir --pidfile=$PWD/ovsdb-server.pid \\
    --log-file=$PWD/ovsdb-server.log --remote=punix:$PWD/ovnnb_db.sock \\
    --unixctl=$PWD/ovsdb-server.ctl ovn-nb.db || exit 99
ovn-nbctl init || exit 98
"""


def kill_pidfile(path):
    try:
        with open(path) as f:
            pid = int(f.read().strip())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        pass


def make_bin(workdir, nbctl):
    """A directory with "ovn-nbctl": osmotic-nbctl under that name."""
    bindir = os.path.join(workdir, "bin")
    os.makedirs(bindir, exist_ok=True)
    wrapper = os.path.join(bindir, "ovn-nbctl")
    with open(wrapper, "w") as f:
        f.write("#!/bin/bash\nexec -a ovn-nbctl %s --timeout=30 \"$@\"\n"
                % shell_quote(nbctl))
    os.chmod(wrapper, 0o755)
    return bindir


def run_group(g, idx, workdir, bindir, schema, prelude, filt):
    gdir = os.path.join(workdir, "group-%02d" % idx)
    tmp = os.path.join(gdir, ".at")
    os.makedirs(tmp, exist_ok=True)
    results = os.path.join(tmp, "results")
    script = os.path.join(tmp, "run.sh")
    with open(script, "w") as f:
        f.write(SCRIPT_HEAD % {
            "bin": shell_quote(bindir), "results": shell_quote(results),
            "exp": shell_quote(os.path.join(workdir, "expected")),
            "tmp": shell_quote(tmp), "filter": shell_quote(filt),
            "prelude": shell_quote(prelude), "dir": shell_quote(gdir),
            "schema": shell_quote(schema)})
        f.write(g.body)
    open(results, "w").close()
    try:
        proc = subprocess.Popen(["bash", script], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            g.error = "timed out"
        if proc.returncode in (98, 99):
            g.error = "could not set up the database: %s" % (
                out.decode(errors="replace").strip()[-500:])
    finally:
        kill_pidfile(os.path.join(gdir, "ovsdb-server.pid"))
    with open(results) as f:
        for l in f:
            cid, line, sv, ov, filtered = l.rstrip("\n").split("\t")
            g.results.append((int(cid), int(line), sv, ov, filtered == "1"))
    detail = results + ".detail"
    if os.path.exists(detail):
        with open(detail, errors="replace") as f:
            cur = None
            for l in f:
                m = re.match(r"@@ check (\d+) \(line (\d+)\)", l)
                if m:
                    cur = (int(m.group(1)), int(m.group(2)))
                    g.details.setdefault(cur, [])
                elif cur:
                    g.details[cur].append(l.rstrip("\n"))


def miss_reason(detail):
    """A one-line summary of what differed in a check."""
    parts = []
    status = [l for l in detail if l.startswith("exit status")]
    if status:
        parts.append(status[0])
    # The lines osmotic-nbctl printed on stderr, when they differ.
    got_err = []
    exp_out, got_out = [], []
    section = None
    for l in detail:
        if l.startswith("--- expected std"):
            section = "exp" + l[-3:]
            continue
        if l.startswith("+++ got std"):
            section = "got" + l[-3:]
            continue
        if section == "goterr":
            got_err.append(l)
        elif section == "expout":
            exp_out.append(l)
        elif section == "gotout":
            got_out.append(l)
    if got_err:
        parts.append("stderr: " + " | ".join(got_err[:2]))
    if exp_out or got_out:
        diff = [(e, g) for e, g in zip(exp_out, got_out) if e != g]
        if diff:
            parts.append("stdout: expected %r, got %r" % diff[0])
        elif len(exp_out) != len(got_out):
            parts.append("stdout: %d lines, expected %d"
                         % (len(got_out), len(exp_out)))
    return "; ".join(parts) if parts else "output differs"


def run_nbctl_suite(args, testdir, workdir):
    with open(os.path.join(testdir, "ovn-nbctl.at"), errors="replace") as f:
        text = f.read()
    wd = os.path.join(workdir, "nbctl")
    os.makedirs(wd, exist_ok=True)
    groups, checks = parse_nbctl_groups(text, wd)
    bindir = make_bin(wd, args.nbctl)
    filt = os.path.join(wd, "filter.sed")
    with open(filt, "w") as f:
        f.write(FILTER_SED)
    prelude = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "prelude.sh")
    for i, g in enumerate(groups):
        if g.body is None:
            continue
        if args.group and args.group not in g.title:
            g.skip_reason = "not selected"
            continue
        run_group(g, i, wd, bindir, args.schema, prelude, filt)

    totals = {"status": [0, 0], "output": [0, 0], "filtered": 0}
    report = {"groups": [], "misses": []}
    lines_of = text.split("\n")
    for g in groups:
        entry = {"title": g.title, "line": g.line}
        if g.body is None or g.skip_reason:
            entry["skipped"] = g.skip_reason
            report["groups"].append(entry)
            continue
        st = [0, 0]
        ou = [0, 0]
        filtered = 0
        for cid, line, sv, ov, filt_used in g.results:
            if sv != "-":
                st[1] += 1
                st[0] += sv == "pass"
            if ov != "-":
                ou[1] += 1
                ou[0] += ov == "pass"
                filtered += filt_used
            if sv == "fail" or ov == "fail":
                detail = g.details.get((cid, line), [])
                text_line = (checks[cid].text if cid in checks
                             else lines_of[line - 1].strip())
                report["misses"].append({
                    "group": g.title, "line": line, "check": text_line,
                    "status": sv, "output": ov,
                    "reason": miss_reason(detail), "detail": detail})
        entry.update({"status": st, "output": ou, "filtered": filtered})
        if g.error:
            entry["error"] = g.error
        report["groups"].append(entry)
        for k, v in (("status", st), ("output", ou)):
            totals[k][0] += v[0]
            totals[k][1] += v[1]
        totals["filtered"] += filtered
    report["totals"] = totals
    return report


# The expression parser cases.

def parse_expr_cases(text):
    """Returns [(line, input, expected, ovn_accepts)] from the
    "expression parser" group of ovn.at."""
    start = text.find("AT_SETUP([expression parser])")
    if start < 0:
        die("ovn.at has no \"expression parser\" test group")
    end = text.find("AT_CLEANUP", start)
    first_line = text.count("\n", 0, start) + 1
    region = text[start:end]
    cases = []
    for piece in m4lite.scan(region, {"AT_DATA", "AT_SETUP"}):
        if piece[0] != "call" or piece[1].name != "AT_DATA":
            continue
        call = piece[1]
        if m4lite.expand(call.arg(0)).strip() != "test-cases.txt":
            continue
        data = m4lite.unquadrigraph(m4lite.expand(call.arg(1)))
        # The data starts on the line of the call.
        data_line = first_line + piece[2] - 1
        for i, l in enumerate(data.split("\n")):
            if not l.strip():
                continue
            if " => " in l:
                inp, exp = l.split(" => ", 1)
            else:
                inp, exp = l, l
            # OVN's error messages are sentences; its normal forms are
            # expressions, which never end in a period.
            accepts = not exp.rstrip().endswith(".")
            cases.append((data_line + i, inp, exp, accepts))
    return cases


def nbctl_run(nbctl, db, argv):
    p = subprocess.run([nbctl, "--timeout=30", "--db=" + db] + argv,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


# What the "expression parser" cases of OVN's test program expect to
# exist: address sets set1 to set4 and port groups pg1 and pg_empty.
EXPR_SETUP = [
    ["ls-add", "ls0", "--", "lsp-add", "ls0", "lsp1", "--",
     "lsp-add", "ls0", "lsp2", "--", "lsp-add", "ls0", "lsp3"],
    ["as-add", "set1", "10.0.0.1", "10.0.0.2", "10.0.0.3"],
    ["as-add", "set2", "::1", "::2", "::3"],
    ["as-add", "set3", "00:00:00:00:00:01", "00:00:00:00:00:02",
     "00:00:00:00:00:03"],
    ["as-add", "set4"],
    ["pg-add", "pg1", "lsp1", "lsp2", "lsp3"],
    ["pg-add", "pg_empty"],
]


def run_expr_suite(args, testdir, workdir):
    with open(os.path.join(testdir, "ovn.at"), errors="replace") as f:
        text = f.read()
    cases = parse_expr_cases(text)
    wd = os.path.join(workdir, "expr")
    os.makedirs(wd, exist_ok=True)
    db = "unix:%s/nb.sock" % wd
    subprocess.run(["ovsdb-tool", "create", os.path.join(wd, "nb.db"),
                    args.schema], check=True)
    subprocess.run(["ovsdb-server", "--detach", "--no-chdir",
                    "--pidfile=%s/ovsdb-server.pid" % wd,
                    "--log-file=%s/ovsdb-server.log" % wd,
                    "--remote=p" + db,
                    "--unixctl=%s/ovsdb-server.ctl" % wd,
                    os.path.join(wd, "nb.db")], check=True,
                   stderr=subprocess.DEVNULL)
    report = {"cases": [], "setup": []}
    try:
        for argv in [["init"]] + EXPR_SETUP:
            rc, _, err = nbctl_run(args.nbctl, db, argv)
            if rc:
                report["setup"].append("%s: %s" % (" ".join(argv),
                                                   err.strip()))
        agree = 0
        for line, inp, exp, accepts in cases:
            rc, _, err = nbctl_run(args.nbctl, db, [
                "acl-add", "ls0", "from-lport", "1000", inp, "allow"])
            if rc == 0:
                nbctl_run(args.nbctl, db, ["acl-del", "ls0"])
            osm_accepts = rc == 0
            ok = osm_accepts == accepts
            agree += ok
            err_lines = [l for l in err.strip().split("\n")
                         if l and "stored but not applied" not in l]
            report["cases"].append({
                "line": line, "input": inp, "ovn": exp,
                "ovn_accepts": accepts, "osmotic_accepts": osm_accepts,
                "osmotic_error": " ".join(err_lines) if rc else "",
                "agree": ok})
        report["totals"] = {"agree": agree, "cases": len(cases)}
    finally:
        kill_pidfile(os.path.join(wd, "ovsdb-server.pid"))
    return report


# Reporting.

def pct(a, b):
    return 100.0 * a / b if b else 100.0


def print_nbctl(report, verbose, out):
    out.write("ovn-nbctl.at, with osmotic-nbctl as ovn-nbctl\n")
    out.write("%-48s %13s %13s\n" % ("test group", "exit status",
                                     "output"))
    for g in report["groups"]:
        if "skipped" in g:
            out.write("%-48s %s\n" % (g["title"][:48],
                                      "not run: " + g["skipped"]))
            continue
        out.write("%-48s %6d/%-6d %6d/%-6d%s\n"
                  % (g["title"][:48], g["status"][0], g["status"][1],
                     g["output"][0], g["output"][1],
                     "  " + g["error"] if "error" in g else ""))
    t = report["totals"]
    out.write("\nexit-status checks: %d of %d pass (%.1f%%)\n"
              % (t["status"][0], t["status"][1],
                 pct(t["status"][0], t["status"][1])))
    out.write("output checks: %d of %d pass (%.1f%%), %d of them once "
              "Osmotic's not-applied notices were filtered\n"
              % (t["output"][0], t["output"][1],
                 pct(t["output"][0], t["output"][1]), t["filtered"]))
    if report["misses"]:
        out.write("\nMisses (%d):\n" % len(report["misses"]))
        for m in report["misses"]:
            what = []
            if m["status"] == "fail":
                what.append("status")
            if m["output"] == "fail":
                what.append("output")
            out.write("  %s, line %d [%s]: %s\n      %s\n"
                      % (m["group"], m["line"], "+".join(what),
                         m["check"][:100], m["reason"][:300]))
            if verbose:
                for l in m["detail"]:
                    out.write("        %s\n" % l)


def print_expr(report, verbose, out):
    out.write("ovn.at \"expression parser\" cases, as acl-add matches\n")
    for s in report["setup"]:
        out.write("  setup: %s\n" % s)
    t = report["totals"]
    out.write("agreement: %d of %d cases (%.1f%%)\n"
              % (t["agree"], t["cases"], pct(t["agree"], t["cases"])))
    misses = [c for c in report["cases"] if not c["agree"]]
    if misses:
        out.write("\nDisagreements (%d):\n" % len(misses))
        for c in misses:
            if c["ovn_accepts"]:
                out.write("  line %d: OVN accepts, Osmotic rejects: %s\n"
                          "      Osmotic: %s\n"
                          % (c["line"], c["input"], c["osmotic_error"]))
            else:
                out.write("  line %d: OVN rejects, Osmotic accepts: %s\n"
                          "      OVN: %s\n"
                          % (c["line"], c["input"], c["ovn"]))
    if verbose:
        out.write("\nAll cases:\n")
        for c in report["cases"]:
            out.write("  %s line %d: %s\n      OVN: %s\n      Osmotic: %s\n"
                      % ("ok  " if c["agree"] else "MISS", c["line"],
                         c["input"], c["ovn"],
                         "accepts" if c["osmotic_accepts"]
                         else c["osmotic_error"]))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Run OVN's ovn-nbctl and expression parser tests "
        "against osmotic-nbctl and report the pass rates.")
    ap.add_argument("--ovn-tests", metavar="DIR",
                    help="OVN's tests directory (holding ovn-nbctl.at and "
                    "ovn.at)")
    ap.add_argument("--ovn-git", metavar="REPO",
                    help="a git repository of OVN (path or URL) to fetch "
                    "the files from, e.g. " + DEFAULT_URL)
    ap.add_argument("--ovn-ref", default=DEFAULT_REF,
                    help="the OVN version to fetch (default %(default)s)")
    ap.add_argument("--cache", metavar="DIR",
                    help="where fetched files are kept (default "
                    "BUILDDIR/tests/compat/ovn-REF)")
    ap.add_argument("--builddir", default=os.getcwd(),
                    help="Osmotic's build tree (default: the current "
                    "directory)")
    ap.add_argument("--srcdir", default=os.path.dirname(os.path.dirname(
        here)), help="Osmotic's source tree")
    ap.add_argument("--nbctl", help="the osmotic-nbctl to test (default "
                    "BUILDDIR/utilities/osmotic-nbctl)")
    ap.add_argument("--schema", help="the northbound schema (default "
                    "SRCDIR/lib/osmotic-nb.ovsschema)")
    ap.add_argument("--suite", choices=("nbctl", "expr", "all"),
                    default="all")
    ap.add_argument("--group", metavar="TEXT",
                    help="run only the ovn-nbctl.at groups whose title "
                    "contains TEXT")
    ap.add_argument("--workdir", metavar="DIR",
                    help="run in DIR and keep it (default: a temporary "
                    "directory, removed afterwards)")
    ap.add_argument("--json", metavar="FILE", help="also write the "
                    "results as JSON to FILE")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print what differed in every miss")
    ap.add_argument("--min-status", type=float, metavar="PCT")
    ap.add_argument("--min-output", type=float, metavar="PCT")
    ap.add_argument("--min-expr", type=float, metavar="PCT")
    args = ap.parse_args()

    args.builddir = os.path.abspath(args.builddir)
    args.nbctl = os.path.abspath(args.nbctl or os.path.join(
        args.builddir, "utilities", "osmotic-nbctl"))
    args.schema = os.path.abspath(args.schema or os.path.join(
        args.srcdir, "lib", "osmotic-nb.ovsschema"))
    for path in (args.nbctl, args.schema):
        if not os.path.exists(path):
            die("%s: not found" % path)
    for tool in ("ovsdb-tool", "ovsdb-server"):
        if not shutil.which(tool):
            die("%s: not found in PATH" % tool)
    testdir = ovn_test_dir(args)

    if args.workdir:
        workdir = os.path.abspath(args.workdir)
        os.makedirs(workdir, exist_ok=True)
    else:
        workdir = tempfile.mkdtemp(prefix="ovn-compat.")
    started = time.time()
    results = {"ovn_tests": testdir}
    ok = True
    try:
        if args.suite in ("nbctl", "all"):
            rep = run_nbctl_suite(args, testdir, workdir)
            print_nbctl(rep, args.verbose, sys.stdout)
            results["nbctl"] = rep
            t = rep["totals"]
            for thr, (a, b) in ((args.min_status, t["status"]),
                                (args.min_output, t["output"])):
                if thr is not None and pct(a, b) < thr:
                    ok = False
        if args.suite in ("expr", "all"):
            if args.suite == "all":
                sys.stdout.write("\n")
            rep = run_expr_suite(args, testdir, workdir)
            print_expr(rep, args.verbose, sys.stdout)
            results["expr"] = rep
            t = rep["totals"]
            if (args.min_expr is not None
                    and pct(t["agree"], t["cases"]) < args.min_expr):
                ok = False
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    results["seconds"] = round(time.time() - started, 1)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if not ok:
        sys.stdout.write("\nbelow the required pass rate\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
