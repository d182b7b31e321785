"""Host-side plumbing: commands, network namespaces, and the processes the lab starts (tracked by PID)."""
import os
import signal
import subprocess
import time

from .qemu_sockets import LabError


def run(argv, check=True, timeout=60, capture=True):
    """Runs a host command; returns CompletedProcess. Raises LabError with stderr on failure."""
    p = subprocess.run(argv, capture_output=capture, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise LabError(f"{' '.join(argv)}: exit {p.returncode}: {(p.stderr or '').strip()}")
    return p


def ns_run(ns, argv, **kw):
    """Runs a command inside network namespace `ns`."""
    return run(["ip", "netns", "exec", ns] + list(argv), **kw)


class Processes:
    """Every long-running process the lab starts, so teardown ends exactly those (by PID) and no others.

    PIDs are also appended to `pidfile`, which lab/run's shell trap reads if Python itself dies."""

    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.procs = {}

    def start(self, name, argv, log_path, **kw):
        log = open(log_path, "ab")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True, **kw)
        log.close()
        self.procs[name] = p
        with open(self.pidfile, "a") as f:
            f.write(f"{p.pid}\n")
        return p

    def running(self, name):
        p = self.procs.get(name)
        return p is not None and p.poll() is None

    def stop(self, name, grace=3.0):
        """Stops one process group we started: SIGTERM, then SIGKILL after `grace` seconds."""
        p = self.procs.pop(name, None)
        if p is None or p.poll() is not None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name)


class Namespaces:
    """Network namespaces the lab creates; `delete_all` removes exactly those."""

    def __init__(self):
        self.names = []

    def add(self, name):
        run(["ip", "netns", "add", name])
        self.names.append(name)
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        return name

    def delete_all(self):
        for name in reversed(self.names):
            # A namespace whose processes are gone disappears with its veths, bridges and taps.
            run(["ip", "netns", "delete", name], check=False)
        self.names = []


def wait_until(predicate, timeout, interval=0.2, what="condition"):
    """Polls `predicate` until it returns a truthy value; returns it, or raises LabError on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise LabError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
