"""Just enough of m4's quoting rules to read Autotest test files.

Autotest files are m4 input: "[" and "]" quote text, each expansion of a
macro strips one level of quotes from its arguments, "dnl" deletes the
rest of its line, and "#" starts a comment that is copied unexpanded.
The test runner in ovn-compat.py needs to find a few macro calls (a test
group, its checks, its data) and to read their arguments exactly as
Autotest would hand them to the shell, without running m4 itself: this
module splits text into literal text and calls of the macros it is told
about, and strips quotes the way one expansion does.
"""

import re

# Autotest's quadrigraphs: how a file writes characters that m4 would
# otherwise take as quotes or comments.  They are replaced last.
QUADRIGRAPHS = [("@<:@", "["), ("@:>@", "]"), ("@S|@", "$"),
                ("@%:@", "#"), ("@{:@", "("), ("@:}@", ")"), ("@&t@", "")]

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def unquadrigraph(text):
    """Replaces the quadrigraphs in 'text' by the characters they stand
    for."""
    for quad, char in QUADRIGRAPHS:
        text = text.replace(quad, char)
    return text


class Call:
    """A call of a macro: its name, its arguments with one level of quotes
    stripped (as the macro receives them), and the line it starts on."""

    def __init__(self, name, args, line):
        self.name = name
        self.args = args
        self.line = line

    def arg(self, i, default=""):
        return self.args[i] if i < len(self.args) else default

    def __repr__(self):
        return "Call(%s, %r, line %d)" % (self.name, self.args, self.line)


def _skip_dnl(text, i):
    """Returns the index just past the newline that ends the line holding
    'text[i]' (or the end of 'text')."""
    end = text.find("\n", i)
    return len(text) if end < 0 else end + 1


def _collect_args(text, i, line):
    """Collects the arguments of a call whose "(" is just before 'text[i]'.
    Returns (args, index past the closing parenthesis, line there)."""
    args = []
    cur = []
    depth = 0           # Quote depth.
    parens = 0          # Unquoted parentheses inside the argument.
    at_start = True     # Still skipping leading unquoted whitespace.
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        if depth == 0:
            if at_start and c in " \t\n":
                i += 1
                continue
            at_start = False
            if c == "[":
                depth = 1
            elif c == "]":
                cur.append(c)
            elif c == "(":
                parens += 1
                cur.append(c)
            elif c == ")":
                if parens == 0:
                    args.append("".join(cur))
                    return args, i + 1, line
                parens -= 1
                cur.append(c)
            elif c == "," and parens == 0:
                args.append("".join(cur))
                cur = []
                at_start = True
            elif c == "#":
                end = _skip_dnl(text, i)
                cur.append(text[i:end])
                line += text.count("\n", i + 1, end)
                i = end
                continue
            elif (c == "d" and text.startswith("dnl", i)
                  and (i == 0 or not (text[i - 1].isalnum()
                                      or text[i - 1] == "_"))
                  and not (i + 3 < n and (text[i + 3].isalnum()
                                          or text[i + 3] == "_"))):
                end = _skip_dnl(text, i)
                line += text.count("\n", i + 1, end)
                i = end
                continue
            else:
                cur.append(c)
        else:
            if c == "[":
                depth += 1
                cur.append(c)
            elif c == "]":
                depth -= 1
                if depth:
                    cur.append(c)
            else:
                cur.append(c)
        i += 1
    raise ValueError("unterminated macro call before line %d" % line)


def scan(text, macros, line=1, keep_lines=False):
    """Splits 'text' as m4 reads it (unquoted) into a list of pieces:
    ("text", STRING, LINE) for literal text, with one level of quotes
    stripped, "dnl" lines deleted and comments kept, and ("call", Call,
    LINE) for each call of a macro named in 'macros' ("NAME(...)"; a name
    in 'macros' not followed by "(" is a call without arguments).  LINE
    is the line of 'text' where the piece starts, counting from 'line'.
    With 'keep_lines', "dnl" leaves the newline that ends its line, so
    that the lines of literal text stay where they were (for shell code,
    where an empty line changes nothing)."""
    pieces = []
    out = []            # Literal text not yet in 'pieces'.
    out_line = line     # Line where 'out' starts.
    i = 0
    n = len(text)
    depth = 0           # Quote depth.

    def put(s):
        nonlocal out_line
        if not out:
            out_line = line
        out.append(s)

    def flush():
        if out:
            pieces.append(("text", "".join(out), out_line))
            del out[:]

    while i < n:
        c = text[i]
        if depth:
            if c == "[":
                depth += 1
                put(c)
            elif c == "]":
                depth -= 1
                if depth:
                    put(c)
            else:
                put(c)
            if c == "\n":
                line += 1
            i += 1
            continue
        if c == "[":
            depth = 1
            i += 1
            continue
        if c == "#":
            end = _skip_dnl(text, i)
            put(text[i:end])
            line += text.count("\n", i, end)
            i = end
            continue
        m = NAME_RE.match(text, i)
        if m and (i == 0 or not (text[i - 1].isalnum()
                                 or text[i - 1] == "_")):
            name = m.group(0)
            if name == "dnl":
                end = _skip_dnl(text, i)
                if keep_lines and text.endswith("\n", 0, end):
                    put("\n")
                line += text.count("\n", i, end)
                i = end
                continue
            if name in macros:
                flush()
                j = m.end()
                start_line = line
                if j < n and text[j] == "(":
                    args, j, line = _collect_args(text, j + 1, line)
                else:
                    args = []
                pieces.append(("call", Call(name, args, start_line),
                               start_line))
                i = j
                continue
            put(name)
            i = m.end()
            continue
        put(c)
        if c == "\n":
            line += 1
        i += 1
    flush()
    return pieces


def expand(text):
    """Returns 'text' as one more m4 expansion leaves it when it holds no
    macro this module knows: one level of quotes stripped, "dnl" lines
    deleted."""
    return "".join(piece[1] for piece in scan(text, ()) if piece[0] == "text")
