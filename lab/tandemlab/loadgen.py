"""Client load: sequential HTTP GETs to one URL, run inside the client namespace.

    python3 loadgen.py HOST PORT --duration S [--interval S] [--timeout S]

Stops after --duration or on SIGTERM/SIGINT and prints one JSON line: request counts, which server answered
how often, and the outage (the longest time between two successful requests that had failures between them).
Bounded in count and time by construction; talks only to the address it is given."""
import argparse
import json
import signal
import socket
import sys
import time


def get(host, port, timeout):
    """One HTTP/1.0 GET /; returns the body's first line, or None on any failure."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n", 1)[0] + b" ":
        return None
    return body.decode(errors="replace").strip().splitlines()[0] if body.strip() else ""


def summarize(samples):
    """samples: [(monotonic time, body or None)] → dict with counts and the outage."""
    ok = [t for t, b in samples if b is not None]
    failed = len(samples) - len(ok)
    outage, last_ok, in_gap, first_fail = 0.0, None, False, None
    for t, b in samples:
        if b is None:
            if not in_gap:
                in_gap, first_fail = True, t
        else:
            if in_gap:
                start = last_ok if last_ok is not None else first_fail
                outage = max(outage, t - start)
                in_gap = False
            last_ok = t
    unfinished = in_gap  # still failing at the end
    by_server = {}
    for _, b in samples:
        if b is not None:
            by_server[b] = by_server.get(b, 0) + 1
    t0 = samples[0][0] if samples else 0.0
    return {"requests": len(samples), "ok": len(ok), "failed": failed, "outage_s": round(outage, 3),
            "still_failing_at_end": unfinished, "by_server": by_server,
            "seconds": round(samples[-1][0] - t0, 2) if samples else 0.0,
            "failures_at": [round(t - t0, 2) for t, b in samples if b is None][:40]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=0.5)
    ap.add_argument("--tag", help="ignored; names the lab run so its cleanup can recognise this process")
    a = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    samples = []
    end = time.monotonic() + min(a.duration, 600)
    while not stop and time.monotonic() < end:
        t = time.monotonic()
        samples.append((t, get(a.host, a.port, a.timeout)))
        rest = a.interval - (time.monotonic() - t)
        if rest > 0:
            time.sleep(rest)
    print(json.dumps(summarize(samples)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
