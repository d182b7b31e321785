#!/usr/bin/env python3
"""Loopback backends for the checkd benchmark, in one single-threaded epoll loop.

--tcp N listeners accept and close at once (TCP_CHECK targets); --http N listeners answer every request
with a fixed 200 response (HTTP_GET targets). It also plays ipvsd and vrrpd: SOCK_SEQPACKET listeners in
--runtime that count the datagrams checkd sends. Ports go to --ports (one "kind port" a line); counters
are rewritten into --stats every second.
"""
import argparse, json, os, select, socket, time

parser = argparse.ArgumentParser()
parser.add_argument("--tcp", type=int, required=True)
parser.add_argument("--http", type=int, required=True)
parser.add_argument("--ports", required=True)
parser.add_argument("--runtime", required=True)
parser.add_argument("--stats", required=True)
args = parser.parse_args()

RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
epoll = select.epoll()
listeners = {}   # fd -> (socket, kind)
conns = {}       # fd -> (socket, buffer)
peers = {}       # fd -> (socket, name)
stats = {"tcp_accepted": 0, "http_served": 0, "datagrams": {"ipvsd": 0, "vrrpd": 0}, "time": 0}

lines = []
for kind, count in (("tcp", args.tcp), ("http", args.http)):
    for _ in range(count):
        s = socket.socket()
        s.setblocking(False)
        s.bind(("127.0.0.1", 0))
        s.listen(256)
        listeners[s.fileno()] = (s, kind)
        epoll.register(s.fileno(), select.EPOLLIN)
        lines.append(f"{kind} {s.getsockname()[1]}")

os.makedirs(args.runtime, exist_ok=True)
for name in ("ipvsd", "vrrpd"):
    path = os.path.join(args.runtime, name + ".sock")
    if os.path.exists(path):
        os.unlink(path)
    u = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    u.bind(path)
    os.chmod(path, 0o666)
    u.listen(4)
    u.setblocking(False)
    listeners[u.fileno()] = (u, "unix-" + name)
    epoll.register(u.fileno(), select.EPOLLIN)

with open(args.ports + ".tmp", "w") as f:
    f.write("\n".join(lines) + "\n")
os.rename(args.ports + ".tmp", args.ports)

last = 0
while True:
    for fd, event in epoll.poll(0.2):
        if fd in listeners:
            sock, kind = listeners[fd]
            while True:
                try:
                    c, _ = sock.accept()
                except (BlockingIOError, InterruptedError):
                    break
                if kind == "tcp":
                    stats["tcp_accepted"] += 1
                    c.close()
                elif kind == "http":
                    c.setblocking(False)
                    conns[c.fileno()] = (c, b"")
                    epoll.register(c.fileno(), select.EPOLLIN)
                else:
                    c.setblocking(False)
                    peers[c.fileno()] = (c, kind[5:])
                    epoll.register(c.fileno(), select.EPOLLIN)
        elif fd in conns:
            c, buf = conns[fd]
            try:
                data = c.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            buf += data
            if data and b"\r\n\r\n" not in buf:
                conns[fd] = (c, buf)
                continue
            if data:
                try:
                    c.send(RESPONSE)
                    stats["http_served"] += 1
                except OSError:
                    pass
            epoll.unregister(fd)
            del conns[fd]
            c.close()
        elif fd in peers:
            c, name = peers[fd]
            while True:
                try:
                    data = c.recv(65536)
                except BlockingIOError:
                    break
                if not data:
                    epoll.unregister(fd)
                    del peers[fd]
                    c.close()
                    break
                stats["datagrams"][name] += 1
    now = time.time()
    if now - last >= 1:
        last = now
        stats["time"] = now
        with open(args.stats + ".tmp", "w") as f:
            json.dump(stats, f)
        os.rename(args.stats + ".tmp", args.stats)
