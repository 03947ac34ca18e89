#!/usr/bin/env python3
"""Where the mice's round trips went, hop by hop.

usage: mice-hops.py DIR PREFIX

Reads six captures DIR/PREFIX.POINT.pcap of the colouring benchmark's
mice (tests/bench/color-mice-vs-elephants.sh), in path order for a
request: m1 (eth0 in the client pod), v1 (the client pod's veth on host
1, where ovs-vswitchd reads it), h1 (lane 0's underlay port of host 1,
Geneve), h2 (the same on host 2), v2 (the server pod's veth on host 2),
m2 (eth0 in the server pod). Matches each request (a CoAP message id, an
ICMP echo id and sequence) and its answer at every point and prints, per
protocol, how many of the requests captured leaving the client were
seen, with their answers, at every point, and the 50th and 99th
percentiles of every hop: the time from one point to the next, request
then answer, with "turn" the server's own time from request to answer.
The Geneve captures are decoded down to the inner packet. Every
capture's timestamps come from the same clock; a received packet is
stamped when its veth hands it to the stack, before the per-CPU backlog
(net.core.netdev_tstamp_prequeue, 1 by default), so the wait in that
backlog falls in the next hop (in ovs-vswitchd's, or the server's
"turn"). With tcpdump's own report of packets it dropped
(DIR/PREFIX.POINT.err) when present. Fails, naming it, when a capture is
missing or empty.
"""
import os
import struct
import sys

from benchpcap import packets

POINTS = ("m1", "v1", "h1", "h2", "v2", "m2")
COAP_PORT = 5683


def inner_ip(frame, encap):
    """The (inner, for a Geneve capture) IPv4 packet of an Ethernet frame,
    or None."""
    ip = frame[14:]
    if encap:
        if len(ip) < 20:
            return None
        geneve = ip[(ip[0] & 0xf) * 4 + 8:]
        if len(geneve) < 8:
            return None
        ip = geneve[8 + (geneve[0] & 0x3f) * 4 + 14:]
    if len(ip) < 28 or ip[0] >> 4 != 4:
        return None
    return ip


def key(ip):
    """(source, destination, protocol, id) of a mouse packet, or None."""
    l4 = ip[(ip[0] & 0xf) * 4:]
    if ip[9] == 1 and l4[0] in (0, 8):
        return ip[12:16], ip[16:20], "icmp", l4[4:8]
    if ip[9] == 17 and len(l4) >= 12 and COAP_PORT in struct.unpack(
            "!HH", l4[:4]):
        return ip[12:16], ip[16:20], "coap", l4[10:12]
    return None


def first_seen(path, encap):
    """Mouse packet key -> the time it was first seen in capture 'path'."""
    seen = {}
    for t, frame in packets(path):
        ip = inner_ip(frame, encap)
        k = key(ip) if ip else None
        if k and k not in seen:
            seen[k] = t
    return seen


def percentile(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(1, int(len(v) * p / 100 + 0.999999)) - 1]


def tcpdump_drops(d, prefix):
    """'POINT: N' for each capture whose tcpdump reported packets it
    dropped."""
    drops = []
    for point in POINTS:
        try:
            with open(os.path.join(d, "%s.%s.err" % (prefix, point))) as f:
                for line in f:
                    if "dropped by kernel" in line:
                        drops.append("%s: %s" % (point, line.split()[0]))
        except OSError:
            pass
    return drops


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: mice-hops.py DIR PREFIX\n")
        sys.exit(2)
    d, prefix = sys.argv[1:3]
    seen = {}
    for point in POINTS:
        path = os.path.join(d, "%s.%s.pcap" % (prefix, point))
        seen[point] = first_seen(path, point[0] == "h")
        if not seen[point]:
            sys.stderr.write("mice-hops.py: no mouse packet in %s\n" % path)
            sys.exit(1)
    drops = [x for x in tcpdump_drops(d, prefix) if not x.endswith(" 0")]
    print("tcpdump dropped: %s" % (", ".join(drops) if drops else "none"))
    names = (["%s>%s" % (POINTS[i], POINTS[i + 1]) for i in range(5)]
             + ["turn"]
             + ["%s<%s" % (POINTS[4 - i], POINTS[5 - i]) for i in range(5)])
    for proto in ("coap", "icmp"):
        requests = sorted((t, k) for k, t in seen["m1"].items()
                          if k[2] == proto)
        if not requests:
            print("%s: no packets captured" % proto)
            continue
        client = requests[0][1][0]
        sent = sum(1 for _, k in requests if k[0] == client)
        hops = [[] for _ in names]
        for _, k in requests:
            if k[0] != client:
                continue
            answer = (k[1], k[0], proto, k[3])
            try:
                t = ([seen[p][k] for p in POINTS]
                     + [seen[p][answer] for p in reversed(POINTS)])
            except KeyError:
                continue        # Lost, or missed by a capture.
            for i in range(len(names)):
                hops[i].append(t[i + 1] - t[i])
        n = len(hops[0])
        if not n:
            print("%s: no round trip seen at every point" % proto)
            continue
        rtt = [sum(h[j] for h in hops) for j in range(n)]
        print("%s: of %d requests captured leaving m1, %d seen with their"
              " answers at every point; round trip p50 %.3f p99 %.3f ms"
              % (proto, sent, n, percentile(rtt, 50), percentile(rtt, 99)))
        print("  hop (ms)  " + " ".join("%8s" % x for x in names))
        for p in (50, 99):
            print("  p%-8d" % p
                  + " ".join("%8.3f" % percentile(h, p) for h in hops))


if __name__ == "__main__":
    main()
