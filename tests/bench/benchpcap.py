"""Reading the benchmarks' packet captures (tcpdump -w files)."""
import struct


def packets(path):
    """(time in ms, frame) of every packet of the pcap file 'path' (none
    when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise ValueError("%s: not a pcap file (pcapng?)" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl = struct.unpack(order + "III", data[off:off + 12])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        yield sec * 1000 + frac / (1e6 if nano else 1e3), frame
