"""One long-lived TCP connection through a VIP: a line service for the web servers and a client for the client.

    python3 session.py serve PORT NAME                    # in a web namespace: answers each line on its own
    python3 session.py client HOST PORT --duration S [--interval S] [--timeout S]   # in the client namespace

The server answers every line `N` with `NAME PEERADDR:PEERPORT N`, so the client can check that every answer came
from the same real server over the same connection (the server sees the client's own address and port: DR and
NAT keep them). The client opens ONE connection, never reconnects, sends a numbered line every --interval and waits
up to --timeout for its answer. It stops after --duration, on SIGTERM/SIGINT, or at the first error (reset, EOF,
timeout, a wrong answer), and prints one JSON line: what it sent and got, who answered, the longest gap between two
answers and when it was, and the error if there was one. A background `--status FILE` is rewritten after each
answer, so a scenario can watch progress while it runs."""
import argparse
import json
import os
import signal
import socket
import socketserver
import sys
import time


def serve(port, name):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            peer = f"{self.client_address[0]}:{self.client_address[1]}"
            for line in self.rfile:
                self.wfile.write(f"{name} {peer} {line.decode(errors='replace').strip()}\n".encode())
                self.wfile.flush()

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True
    with Server(("0.0.0.0", port), Handler) as s:
        s.serve_forever()


def client(a):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    result = {"sent": 0, "answered": 0, "server": None, "peer": None, "local": None, "error": None,
              "max_gap_s": 0.0, "max_gap_at_s": None, "seconds": 0.0}
    t0 = time.monotonic()
    last_answer = None

    def status():
        result["seconds"] = round(time.monotonic() - t0, 2)
        if a.status:
            with open(a.status + ".tmp", "w") as f:
                json.dump(result, f)
            os.replace(a.status + ".tmp", a.status)
    try:
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
        ip, port = s.getsockname()[:2]
        result["local"] = f"{ip}:{port}"
        f = s.makefile("rb")
        end = t0 + min(a.duration, 600)
        n = 0
        while not stop and time.monotonic() < end:
            t = time.monotonic()
            n += 1
            s.sendall(f"{n}\n".encode())
            result["sent"] = n
            line = f.readline()
            if not line:
                raise ConnectionError("connection closed by the other side (EOF)")
            got = time.monotonic()
            words = line.decode(errors="replace").split()
            if len(words) != 3 or words[2] != str(n):
                raise ConnectionError(f"unexpected answer to {n}: {line!r}")
            server, peer = words[0], words[1]
            if result["server"] is None:
                result["server"], result["peer"] = server, peer
            if (server, peer) != (result["server"], result["peer"]):
                raise ConnectionError(f"answer {n} from {server} {peer}, earlier ones from "
                                      f"{result['server']} {result['peer']}")
            if last_answer is not None and got - last_answer > result["max_gap_s"]:
                result["max_gap_s"] = round(got - last_answer, 3)
                result["max_gap_at_s"] = round(last_answer - t0, 2)
            last_answer = got
            result["answered"] = n
            status()
            rest = a.interval - (time.monotonic() - t)
            if rest > 0:
                time.sleep(rest)
        s.close()
    except (OSError, ConnectionError) as e:
        result["error"] = f"{type(e).__name__}: {e}"
        result["error_at_s"] = round(time.monotonic() - t0, 2)
    status()
    print(json.dumps(result), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    sv = sub.add_parser("serve")
    sv.add_argument("port", type=int)
    sv.add_argument("name")
    sv.add_argument("--tag", help="ignored; names the lab run so its cleanup can recognise this process")
    cl = sub.add_parser("client")
    cl.add_argument("host")
    cl.add_argument("port", type=int)
    cl.add_argument("--duration", type=float, required=True)
    cl.add_argument("--interval", type=float, default=0.2)
    cl.add_argument("--timeout", type=float, default=20.0)
    cl.add_argument("--status", help="file rewritten (JSON) after every answer")
    cl.add_argument("--tag", help="ignored; names the lab run so its cleanup can recognise this process")
    a = ap.parse_args()
    if a.mode == "serve":
        serve(a.port, a.name)
        return 0
    return client(a)


if __name__ == "__main__":
    sys.exit(main())
