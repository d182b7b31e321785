#!/usr/bin/env python3
"""Backends for the checkd churn run (bench/checkd/churn), in one selector loop.

--count K listeners of each hostile kind on 127.0.0.1:
  garbage     answers any connection with random bytes, then closes
  bigheader   answers with a status line and a 10 MB header (never a blank line), as fast as the peer reads
  slowloris   sends one byte of a status line every second and never finishes
  tlsfail     reads the ClientHello and answers with bytes that are not TLS (SSL_GET handshake failure)
--flap M listeners of each normal kind (tcp: accept and close; http: a 200 response) that go down (listener
closed: connection refused) and come back, each on its own random period of 3-12 s.
Ports go to --ports as "kind port" lines; it also plays ipvsd and vrrpd in --runtime (SOCK_SEQPACKET listeners
that drop what they get).
"""
import argparse, os, random, selectors, socket, time

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=20)
parser.add_argument("--flap", type=int, default=100)
parser.add_argument("--ports", required=True)
parser.add_argument("--runtime", required=True)
args = parser.parse_args()

sel = selectors.DefaultSelector()
BIG = memoryview(b"HTTP/1.0 200 OK\r\nX-Filler: " + b"a" * (10 * 1024 * 1024))
RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
SLOW = b"HTTP/1.0 200 OK\r\n"


def listen(port=0):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    s.setblocking(False)
    return s


class Conn:
    def __init__(self, sock, kind):
        self.sock, self.kind, self.sent, self.inbuf = sock, kind, 0, b""
        sock.setblocking(False)
        self.events = selectors.EVENT_READ | (selectors.EVENT_WRITE if kind in ("garbage", "bigheader") else 0)
        sel.register(sock, self.events, self)

    def close(self):
        try:
            sel.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        self.sock.close()
        slow.discard(self)

    def readable(self):
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            return self.close()
        if self.kind == "tlsfail":
            try:
                self.sock.send(b"\x15\x03\x03\x00\x02\x02\x28 this is not TLS\r\n")
            except OSError:
                pass
            return self.close()
        if self.kind == "http":
            self.inbuf += data
            if b"\r\n\r\n" in self.inbuf:
                try:
                    self.sock.send(RESPONSE)
                except OSError:
                    pass
                self.close()

    def writable(self):
        try:
            if self.kind == "garbage":
                self.sock.send(os.urandom(512))
                return self.close()
            n = self.sock.send(BIG[self.sent:self.sent + 262144])
            self.sent += n
            if self.sent >= len(BIG):
                self.close()
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.close()


class Listener:
    def __init__(self, kind):
        self.kind = kind
        self.sock = listen()
        self.port = self.sock.getsockname()[1]
        sel.register(self.sock, selectors.EVENT_READ, self)
        self.flip_at = time.monotonic() + random.uniform(3, 12) if kind in ("tcp", "http") else None

    def readable(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if self.kind == "tcp":
                c.close()
            elif self.kind == "peer":
                Conn(c, "peer")
            else:
                conn = Conn(c, self.kind)
                if self.kind == "slowloris":
                    conn.next_byte = 0
                    slow.add(conn)

    def flip(self, now):
        if self.sock is not None:
            sel.unregister(self.sock)
            self.sock.close()
            self.sock = None
        else:
            try:
                self.sock = listen(self.port)
                sel.register(self.sock, selectors.EVENT_READ, self)
            except OSError:
                pass  # port taken meanwhile: try again next flip
        self.flip_at = now + random.uniform(3, 12)


slow = set()
listeners = []
for kind in ("garbage", "bigheader", "slowloris", "tlsfail"):
    listeners += [Listener(kind) for _ in range(args.count)]
for kind in ("tcp", "http"):
    listeners += [Listener(kind) for _ in range(args.flap)]

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
    peer = Listener.__new__(Listener)
    peer.kind, peer.sock, peer.flip_at = "peer", u, None
    sel.register(u, selectors.EVENT_READ, peer)

with open(args.ports + ".tmp", "w") as f:
    f.write("".join(f"{l.kind} {l.port}\n" for l in listeners))
os.rename(args.ports + ".tmp", args.ports)

last_tick = time.monotonic()
while True:
    for key, mask in sel.select(0.2):
        obj = key.data
        if isinstance(obj, Conn) and obj.kind == "peer":
            try:
                if not obj.sock.recv(65536):
                    obj.close()
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                obj.close()
            continue
        if mask & selectors.EVENT_READ:
            obj.readable()
        if mask & selectors.EVENT_WRITE and isinstance(obj, Conn) and obj.sock.fileno() >= 0:
            obj.writable()
    now = time.monotonic()
    if now - last_tick >= 1:
        last_tick = now
        for conn in list(slow):
            try:
                conn.sock.send(SLOW[conn.next_byte % len(SLOW):][:1])
                conn.next_byte += 1
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                conn.close()
    for l in listeners:
        if l.flip_at is not None and now >= l.flip_at:
            l.flip(now)
