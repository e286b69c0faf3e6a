#!/usr/bin/python3
"""A userspace ERSPAN mirror for kernels built without GRE support (no `ip link add ... type erspan`): it reads
every frame an interface sends and receives (an AF_PACKET socket) and sends each one to a collector as
IP protocol 47 / GRE / ERSPAN / the frame. Standard library only; used by test/network/live-lab.test.ts inside a
network namespace, towards a namespace-local collector.

Usage: erspan-mirror.py IFACE COLLECTOR_IP TYPE SESSION COUNT TIMEOUT
  TYPE 2: GRE protocol 0x88BE with the S bit and a sequence number, 8-byte header Ver=1, En=3, session, index
  TYPE 3: GRE protocol 0x22EB, 12-byte header Ver=2, session, a 32-bit timestamp in 100 ns units (Gra=1),
          hardware id 1 and the direction bit D (1 for frames the interface sent, 0 for frames it received)
Header layouts: draft-foschiano-erspan-03 and Linux include/net/erspan.h (shared reference network.md §2.4).
Prints "ready" once listening and "mirrored N" at the end.
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    iface, collector = sys.argv[1], sys.argv[2]
    kind, session, count, timeout = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniff.bind((iface, 0))
    # Without IP_HDRINCL the kernel writes the IP header, with protocol 47.
    out = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
    print("ready", flush=True)
    start = time.monotonic()
    seq = 0
    while seq < count and time.monotonic() - start < timeout:
        ready, _, _ = select.select([sniff], [], [], 0.1)
        if not ready:
            continue
        frame, addr = sniff.recvfrom(65535)
        seq += 1
        if kind == 3:
            gre = struct.pack("!HHI", 0x1000, 0x22EB, seq)
            stamp = int((time.monotonic() - start) * 1e7) & 0xFFFFFFFF
            egress = 1 if addr[2] == PACKET_OUTGOING else 0
            # SGT 0 | P 0, FT 0 (Ethernet), HW id 1, D, Gra 1 (100 ns), O 0
            last = (1 << 4) | (egress << 3) | (1 << 1)
            header = struct.pack("!HHIHH", 2 << 12, session & 0x3FF, stamp, 0, last)
        else:
            gre = struct.pack("!HHI", 0x1000, 0x88BE, seq)
            header = struct.pack("!HHI", 1 << 12, (3 << 11) | (session & 0x3FF), seq & 0xFFFFF)
        out.sendto(gre + header + frame, (collector, 0))
    print("mirrored", seq, flush=True)


if __name__ == "__main__":
    main()
