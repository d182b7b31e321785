"""Assertions and observations the scenarios share: VIP placement, IPVS tables, client requests, load runs."""
import json
import os
import sys
import time

from . import plan
from .host import wait_until
from .qemu_sockets import LabError


class Failed(Exception):
    """A scenario's assertion did not hold; the message says what was expected and what was seen."""


def expect(cond, message):
    if not cond:
        raise Failed(message)


def parse_ipvsadm(text):
    """`ipvsadm -Ln` → {"TCP 192.0.2.93:80 rr": {"192.0.2.72:80": ("Route", 1), ...}} (counters dropped)."""
    table, current = {}, None
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in ("TCP", "UDP", "SCTP", "FWM"):
            current = " ".join(parts[:3])
            table[current] = {}
        elif current and len(parts) >= 3 and parts[0] == "->" and parts[1] != "RemoteAddress:Port":
            table[current][parts[1]] = (parts[2], int(parts[3]) if len(parts) > 3 else None)
    return table


def ipvs_table(vm):
    return parse_ipvsadm(vm.sh("ipvsadm -Ln"))


def format_table(t):
    return "; ".join(f"{svc} -> " + ", ".join(f"{d} {m} {w}" for d, (m, w) in sorted(dests.items()))
                     for svc, dests in sorted(t.items())) or "(empty)"


def wait_table(lab, node, expected, timeout=40):
    """Waits until `node`'s IPVS table equals `expected` exactly."""
    seen = {}

    def ok():
        seen["t"] = ipvs_table(lab.vm(node))
        return seen["t"] == expected
    try:
        wait_until(ok, timeout, 0.5, f"{node}'s IPVS table")
    except LabError:
        raise Failed(f"{node} IPVS table: expected {format_table(expected)}; saw {format_table(seen.get('t', {}))}")


def wait_vips(lab, vips, node, timeout=40):
    """Waits until every address in `vips` is on `node` and on no other LB."""
    seen = {}

    def ok():
        seen.update({v: lab.holders(v) for v in vips})
        return all(seen[v] == [node] for v in vips)
    try:
        wait_until(ok, timeout, 0.3, f"{', '.join(vips)} on {node}")
    except LabError:
        raise Failed(f"expected {', '.join(vips)} on {node} only; holders: "
                     + ", ".join(f"{v}: {seen.get(v) or 'nobody'}" for v in vips))


def responders(lab, vip, port, n):
    """n sequential GETs from the client; returns the list of answers (None for a failure)."""
    return [lab.curl(vip, port) for _ in range(n)]


def expect_alternating(answers, pages, what):
    expect(None not in answers, f"{what}: failed requests: {answers}")
    expect(set(answers) == set(pages), f"{what}: expected answers from {sorted(pages)}, got {answers}")
    expect(all(a != b for a, b in zip(answers, answers[1:])), f"{what}: not alternating (rr): {answers}")


def expect_only(answers, page, what):
    expect(answers and all(a == page for a in answers), f"{what}: expected only {page!r}, got {answers}")


class ClientTool:
    """A python tool of this package run in the background in the client namespace; it prints a JSON summary
    as its last line when stopped. Load and Session are the two."""

    def __init__(self, lab, kind, script, argv):
        self.lab = lab
        self.name = f"{kind}-{time.monotonic_ns()}"
        self.out = os.path.join(lab.state_dir, f"{self.name}.json")
        here = os.path.dirname(os.path.abspath(__file__))
        lab.procs.start(self.name, ["ip", "netns", "exec", lab.node_ns["client"], "/usr/bin/python3",
                                    os.path.join(here, script)] + argv + ["--tag", lab.state_dir], self.out)

    def summary(self, grace, what):
        """Stops the tool (SIGTERM, then `grace` seconds) and returns its summary dict."""
        self.lab.procs.stop(self.name, grace=grace)
        lines = [l for l in open(self.out).read().splitlines() if l.startswith("{")]
        if not lines:
            raise LabError(f"{what} printed no summary ({self.out})")
        return json.loads(lines[-1])


class Load(ClientTool):
    """A client load loop (loadgen.py in the client namespace) running in the background."""

    def __init__(self, lab, vip, port, duration=120, interval=0.05, timeout=0.5):
        super().__init__(lab, "load", "loadgen.py", [vip, str(port), "--duration", str(duration),
                                                      "--interval", str(interval), "--timeout", str(timeout)])

    def finish(self):
        """Stops the loop; returns its summary dict (requests, ok, failed, outage_s, by_server)."""
        return self.summary(10, "load generator")


class Session(ClientTool):
    """One long-lived TCP connection from the client (session.py client), a numbered line every `interval`."""

    def __init__(self, lab, vip, port, duration=300, interval=0.2, timeout=20.0):
        self.status_path = os.path.join(lab.state_dir, f"session-{time.monotonic_ns()}.status")
        super().__init__(lab, "session", "session.py",
                         ["client", vip, str(port), "--duration", str(duration), "--interval", str(interval),
                          "--timeout", str(timeout), "--status", self.status_path])

    def status(self):
        """The client's last status (sent, answered, server, peer, local, error, max_gap_s), or {}."""
        try:
            return json.load(open(self.status_path))
        except (OSError, ValueError):
            return {}

    def wait(self, cond, timeout, what):
        """Waits until cond(status) holds; fails early if the connection broke."""
        seen = {}

        def ok():
            seen.update(self.status())
            if seen.get("error"):
                raise Failed(f"the connection broke while waiting for {what}: {seen}")
            return cond(seen)
        try:
            wait_until(ok, timeout, 0.2, what)
        except LabError:
            raise Failed(f"timed out waiting for {what}: {seen}")
        return dict(seen)

    def finish(self):
        return self.summary(25, "session client")


def wait_requests_succeed(lab, vip, port, timeout=30):
    """Waits until a GET through the VIP succeeds again."""
    try:
        return wait_until(lambda: lab.curl(vip, port, timeout=1.0), timeout, 0.2, f"{vip}:{port} to answer")
    except LabError:
        raise Failed(f"{vip}:{port} did not answer again within {timeout}s")


SCENARIO_START = [time.monotonic()]


def say(msg):
    """A progress line under the current scenario, stamped with the seconds since it began."""
    print(f"    [{time.monotonic() - SCENARIO_START[0]:5.1f}s] {msg}", flush=True)
