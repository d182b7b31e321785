#!/usr/bin/env python3
"""Prints the generic-netlink requests other programs send (through an nlmon device) as hex lines.
Usage: nlcapture.py IFACE OUTFILE  (runs until killed; one line per request: "hex")."""
import socket
import struct
import sys

ETH_P_ALL = 3
NETLINK_GENERIC = 16
iface, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
s.bind((iface, 0))
with open(out, "w", buffering=1) as f:
    while True:
        data, addr = s.recvfrom(65536)
        if addr[1] != NETLINK_GENERIC or len(data) < 16:
            continue
        length, mtype, flags = struct.unpack_from("=IHH", data)
        # Requests only (NLM_F_REQUEST), and not the controller's family lookups (type 0x10).
        if flags & 1 and mtype != 0x10:
            f.write(data[:length].hex() + "\n")
