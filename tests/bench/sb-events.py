#!/usr/bin/env python3
"""Timeline of southbound events, for tests/bench/controller-scale-vs-ovn.sh.

usage: sb-events.py watch SOCKET DATABASE LOG
       sb-events.py flows LOG COMMAND...
       sb-events.py analyze LOG FLOW-LOG WINDOWS CHASSIS

"watch" connects to an ovsdb-server's Unix socket, monitors the columns
of the southbound tables that tell when a change reached the database and
when a chassis acted on it, and appends one line per event to LOG, stamped
with the wall clock in microseconds when the update arrived:

    T sbcfg N                  SB_Global:nb_cfg became N (northd wrote a
                               change; its rows come in the same update)
    T hvcfg CHASSIS N          CHASSIS reported nb_cfg N in Chassis_Private
                               (its flows for N are installed)
    T pb-new PORT CHASSIS UP   a Port_Binding appeared
    T pb-chassis PORT CHASSIS  a Port_Binding was claimed (or released: -)
    T pb-up PORT true|false    a Port_Binding's "up" changed
    T pb-del PORT
    T ready                    after the initial contents (not logged)

Both kinds of event come through the same server and connection, so the
difference between two of them does not include the server's delay to
this client.  The schema is Osmotic's or OVN's: only columns both have are
monitored.

"flows" runs COMMAND, an "ovs-ofctl monitor BRIDGE watch:!initial", and
appends to LOG a line "T flow EVENT" for every flow change it reports
(T as above), until COMMAND exits.

"analyze" reads LOG, FLOW-LOG and WINDOWS, whose lines are either
"KIND ROUND K T0 T1 PORT NBCTL_MS" (one change, which took from T0 to T1,
in microseconds) or "end KIND ROUND T" (the end of a batch of changes),
and prints, for each change, one line:

    KIND ROUND K INSTALLED_MS FLOWS_MS UP_MS CLAIM_UP_MS NBCTL_MS

INSTALLED_MS: from the change reaching SB (the first of the nb_cfg bump
and the new port's Port_Binding in the window) to CHASSIS reporting that
nb_cfg; FLOWS_MS: from the same moment to the last flow change on the
bridge before the next change or the end of the batch; UP_MS: from the
port's Port_Binding appearing to its "up" turning true; CLAIM_UP_MS: from
CHASSIS's claim of it to "up" (both "-" unless CHASSIS claimed the
port); "-" where an event is missing (FLOWS_MS: no flow changed).
"""

import codecs
import json
import signal
import socket
import subprocess
import sys
import time


def value(datum):
    """An OVSDB datum as a Python value: a scalar, or None for an empty
    set (an optional column without a value)."""
    if isinstance(datum, list):
        if datum[0] == "set":
            return value(datum[1][0]) if datum[1] else None
        if datum[0] == "uuid":
            return datum[1]
    return datum


def watch(path, db, log_path):
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    out = open(log_path, "a")
    tables = {
        "SB_Global": {"columns": ["nb_cfg"]},
        "Chassis": {"columns": ["name"]},
        "Chassis_Private": {"columns": ["name", "nb_cfg"]},
        "Port_Binding": {"columns": ["logical_port", "chassis", "up"]},
    }
    sock.sendall(json.dumps({"method": "monitor", "id": "monitor",
                             "params": [db, "bench", tables]}).encode())
    chassis = {}    # Chassis UUID -> name.
    ports = {}      # Port_Binding UUID -> logical port name.

    def name_of(uuid):
        return "-" if uuid is None else chassis.get(uuid, uuid)

    def apply(updates, log):
        now = int(time.time() * 1e6)
        lines = []
        for uuid, u in updates.get("Chassis", {}).items():
            if u.get("new"):
                chassis[uuid] = u["new"]["name"]
        for uuid, u in updates.get("SB_Global", {}).items():
            new, old = u.get("new"), u.get("old")
            if new and (old is None or "nb_cfg" in old):
                lines.append("sbcfg %d" % new["nb_cfg"])
        for uuid, u in updates.get("Chassis_Private", {}).items():
            new, old = u.get("new"), u.get("old")
            if new and (old is None or "nb_cfg" in old):
                lines.append("hvcfg %s %d" % (new["name"], new["nb_cfg"]))
        for uuid, u in updates.get("Port_Binding", {}).items():
            new, old = u.get("new"), u.get("old")
            if new is None:
                lines.append("pb-del %s" % ports.pop(uuid, uuid))
                continue
            port = new["logical_port"]
            ports[uuid] = port
            up = value(new.get("up"))
            up = "true" if up else "false"
            if old is None:
                lines.append("pb-new %s %s %s"
                             % (port, name_of(value(new.get("chassis"))), up))
                continue
            if "chassis" in old:
                lines.append("pb-chassis %s %s"
                             % (port, name_of(value(new.get("chassis")))))
            if "up" in old:
                lines.append("pb-up %s %s" % (port, up))
        if log:
            for line in lines:
                out.write("%d %s\n" % (now, line))
            out.flush()

    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    buf = ""
    while True:
        data = sock.recv(1 << 20)
        if not data:
            return
        buf += utf8.decode(data)
        while True:
            buf = buf.lstrip()
            if not buf:
                break
            try:
                msg, end = decoder.raw_decode(buf)
            except ValueError:
                break
            buf = buf[end:]
            if msg.get("method") == "echo":
                sock.sendall(json.dumps({"id": msg["id"], "error": None,
                                         "result": msg["params"]}).encode())
            elif msg.get("method") == "update":
                apply(msg["params"][1], True)
            elif msg.get("id") == "monitor":
                if msg.get("error"):
                    sys.exit("monitor failed: %s" % msg["error"])
                apply(msg["result"], False)
                out.write("%d ready\n" % int(time.time() * 1e6))
                out.flush()


def flows(log_path, command):
    out = open(log_path, "a")
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    signal.signal(signal.SIGTERM, lambda *_: (proc.terminate(), sys.exit(0)))
    for line in proc.stderr:
        now = int(time.time() * 1e6)
        f = line.decode(errors="replace").split()
        if f and f[0].startswith("event="):
            out.write("%d flow %s\n" % (now, f[0][6:]))
            out.flush()
    proc.wait()


def analyze(log_path, flow_log_path, windows_path, hv):
    events = []
    for line in open(log_path):
        f = line.split()
        if len(f) >= 2:
            events.append((int(f[0]), f[1], f[2:]))
    flow_times = sorted(int(line.split()[0]) for line in open(flow_log_path)
                        if line.strip())

    def ms(a, b):
        return "-" if a is None or b is None else "%.1f" % ((b - a) / 1000)

    rows = [line.split() for line in open(windows_path) if line.strip()]
    for i, row in enumerate(rows):
        if row[0] == "end":
            continue
        kind, rnd, k, t0, t1, port, nbctl_ms = row
        t0, t1 = int(t0), int(t1)
        # Flow changes count up to the next change or the end of the
        # batch ("end KIND ROUND T" has its time where a change has T0).
        limit = int(rows[i + 1][3]) if i + 1 < len(rows) else t1 + 5000000
        inside = [e for e in events if t0 <= e[0] <= t1]
        t_sb = t_new = t_claim = t_up = None
        cfg = None
        for t, what, args in inside:
            if what == "sbcfg" and cfg is None:
                cfg, t_cfg = int(args[0]), t
                t_sb = t if t_sb is None else min(t_sb, t)
            elif what == "pb-new" and args[0] == port:
                t_new = t
                t_sb = t if t_sb is None else min(t_sb, t)
                if args[1] == hv:
                    t_claim = t
                if args[2] == "true" and t_up is None:
                    t_up = t
            elif what == "pb-chassis" and args[0] == port and args[1] == hv:
                t_claim = t
            elif what == "pb-up" and args[0] == port and args[1] == "true":
                if t_up is None:
                    t_up = t
        t_installed = None
        if cfg is not None:
            # The report may come after the window (nbctl's wait is for
            # every chassis, the window ends with the last of them).
            for t, what, args in events:
                if (t >= t_cfg and what == "hvcfg" and args[0] == hv
                        and int(args[1]) >= cfg):
                    t_installed = t
                    break
        t_flows = None
        if t_sb is not None:
            changed = [t for t in flow_times if t_sb <= t < limit]
            t_flows = changed[-1] if changed else None
        up = claim_up = "-"
        if t_claim is not None:
            up = ms(t_new, t_up)
            claim_up = ms(t_claim, t_up)
        print(kind, rnd, k, ms(t_sb, t_installed), ms(t_sb, t_flows), up,
              claim_up, nbctl_ms)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "watch":
        watch(*sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "flows":
        flows(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 6 and sys.argv[1] == "analyze":
        analyze(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
