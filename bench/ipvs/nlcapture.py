#!/usr/bin/env python3
"""Prints generic-netlink messages seen on an nlmon device as hex lines, until killed.
Usage: nlcapture.py IFACE OUTFILE [requests|replies]
  requests (default): one line per request another program sends: "hex" (its first message).
  replies: one line per buffer the kernel sends back, whole (a dump packs several messages in one):
           "PORTID hex", PORTID being the receiving socket's, so each process's replies can be told apart."""
import socket
import struct
import sys

ETH_P_ALL = 3
NETLINK_GENERIC = 16
iface, out = sys.argv[1], sys.argv[2]
replies = len(sys.argv) > 3 and sys.argv[3] == "replies"
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
s.bind((iface, 0))
with open(out, "w", buffering=1) as f:
    while True:
        data, addr = s.recvfrom(65536)
        if addr[1] != NETLINK_GENERIC or len(data) < 16:
            continue
        length, mtype, flags, _seq, port = struct.unpack_from("=IHHII", data)
        if replies:
            # From the kernel (no NLM_F_REQUEST), not the controller's answers to family lookups (type 0x10).
            if not flags & 1 and mtype != 0x10:
                f.write("%d %s\n" % (port, data.hex()))
        # Requests only (NLM_F_REQUEST), and not the controller's family lookups (type 0x10).
        elif flags & 1 and mtype != 0x10:
            f.write(data[:length].hex() + "\n")
