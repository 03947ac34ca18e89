#!/usr/bin/env python3
"""failover-probe: new TCP connections at a steady pace, each timed, for
the gateway failover figure of tests/bench/routing-vs-ovn.sh.

usage: failover-probe.py IP PORT INTERVAL-MS TIMEOUT-MS STOP-FILE

Every INTERVAL-MS milliseconds it opens a new TCP connection to IP:PORT
(tests/bench/bench-conns.c's echo server, which serves connections side
by side, so that one whose packets were lost in the failover holds up
no other), sends a few bytes and reads them back; an attempt that has
not had its echo within TIMEOUT-MS counts as failed.
Attempts overlap: a lost SYN does not delay the next attempt, so the
resolution of "when did new connections flow again" is INTERVAL-MS,
whatever the kernel's SYN retransmission timer.  For every attempt it
prints, flushed, "START END OK": its start and end as seconds since the
epoch (the clock "date +%s%N" reads) and 1 or 0.  It stops once
STOP-FILE exists (the pod shares the caller's file system), leaving
the attempts in flight unreported.
"""

import os
import selectors
import socket
import sys
import time

REQUEST = b"failover-probe\n"


def main():
    if len(sys.argv) != 6:
        sys.stderr.write(__doc__)
        return 1
    ip, port = sys.argv[1], int(sys.argv[2])
    interval = int(sys.argv[3]) / 1000.0
    timeout = int(sys.argv[4]) / 1000.0
    stop_file = sys.argv[5]
    sel = selectors.DefaultSelector()
    # Socket -> [start, "connect" or "read"].
    pending = {}

    def finish(sock, ok):
        start = pending.pop(sock)[0]
        sel.unregister(sock)
        sock.close()
        print("%.6f %.6f %d" % (start, time.time(), 1 if ok else 0),
              flush=True)

    next_start = time.time()
    while not os.path.exists(stop_file):
        now = time.time()
        if now >= next_start:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                sock.connect((ip, port))
            except BlockingIOError:
                pass
            except OSError:
                print("%.6f %.6f 0" % (now, time.time()), flush=True)
                sock.close()
                sock = None
            if sock is not None:
                pending[sock] = [now, "connect"]
                sel.register(sock, selectors.EVENT_WRITE, pending[sock])
            next_start += interval
            if next_start < now:
                next_start = now + interval
        wake = next_start
        if pending:
            wake = min(wake, min(p[0] for p in pending.values()) + timeout)
        for key, _ in sel.select(max(0.0, wake - time.time())):
            sock, state = key.fileobj, key.data
            if state[1] == "connect":
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    finish(sock, False)
                    continue
                try:
                    sock.send(REQUEST)
                except OSError:
                    finish(sock, False)
                    continue
                state[1] = "read"
                sel.modify(sock, selectors.EVENT_READ, state)
            else:
                try:
                    data = sock.recv(len(REQUEST))
                except OSError:
                    data = b""
                finish(sock, data == REQUEST)
        now = time.time()
        for sock in [s for s, p in pending.items() if now - p[0] > timeout]:
            finish(sock, False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
