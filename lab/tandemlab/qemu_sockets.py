"""Clients for a VM's two control sockets: QMP (the qemu monitor) and the qemu guest agent."""
import base64
import json
import os
import random
import socket
import time


class LabError(Exception):
    """A lab operation failed (VM, network, guest command); the message says what and where."""


class _JsonLines:
    """Newline-delimited JSON over a Unix stream socket."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self, timeout):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise LabError("socket closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        # The agent may prefix a 0xff sync byte; it is not JSON.
        line = line.lstrip(b"\xff").strip()
        return json.loads(line) if line else self.recv(timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Monitor:
    """QMP: used to power a VM off (`quit`, `system_powerdown`)."""

    def __init__(self, path):
        self.path = path

    def command(self, name, timeout=5.0, **arguments):
        conn = _JsonLines(self.path, timeout)
        try:
            conn.recv(timeout)  # greeting
            conn.send({"execute": "qmp_capabilities"})
            self._reply(conn, timeout)
            msg = {"execute": name}
            if arguments:
                msg["arguments"] = arguments
            conn.send(msg)
            try:
                return self._reply(conn, timeout)
            except (LabError, OSError):
                if name == "quit":
                    return {}  # qemu may exit before answering
                raise
        finally:
            conn.close()

    @staticmethod
    def _reply(conn, timeout):
        while True:
            msg = conn.recv(timeout)
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise LabError(f"QMP error: {msg['error']}")
            # events are skipped


class AgentUnreachable(LabError):
    """The agent did not answer (as opposed to answering with an error)."""


class GuestAgent:
    """qemu-guest-agent over virtio-serial: run commands in the guest without any guest network."""

    def __init__(self, path):
        self.path = path
        self.conn = None

    def _connect(self, timeout):
        if self.conn is None:
            self.conn = _JsonLines(self.path, timeout)
            self._sync(timeout)

    def _sync(self, timeout):
        # A fresh connection may see stale replies from a previous client: sync on a random id first.
        token = random.randint(1, 2**31)
        self.conn.send({"execute": "guest-sync", "arguments": {"id": token}})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.conn.recv(max(0.05, deadline - time.monotonic()))
            except (socket.timeout, TimeoutError):
                break
            if msg.get("return") == token:
                return
        self.close()
        raise LabError("guest agent did not answer")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def wait_ready(self, deadline):
        """Returns once the agent answers; raises after the monotonic `deadline`."""
        while True:
            try:
                self._connect(1.0)
                return
            except (LabError, OSError):
                self.close()
                if time.monotonic() > deadline:
                    raise LabError("guest agent not ready in time")
                time.sleep(0.5)

    def _call(self, name, timeout, **arguments):
        self._connect(timeout)
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        try:
            self.conn.send(msg)
            reply = self.conn.recv(timeout)
        except (OSError, LabError, ValueError) as e:
            self.close()
            raise AgentUnreachable(f"guest agent {name}: {e}") from None
        if "error" in reply:
            raise LabError(f"guest agent {name}: {reply['error'].get('desc', reply['error'])}")
        return reply.get("return")

    def exec(self, argv, timeout=30.0, input_data=None):
        """Runs argv in the guest; returns (exit code, stdout, stderr) as (int, str, str)."""
        args = {"path": argv[0], "arg": list(argv[1:]), "capture-output": True}
        if input_data is not None:
            args["input-data"] = base64.b64encode(input_data).decode()
        pid = self._call("guest-exec", 10.0, **args)["pid"]
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            try:
                st = self._call("guest-exec-status", 10.0, pid=pid)
            except AgentUnreachable:
                # A guest whose one vCPU is saturated (a large benchmark) can leave the agent silent for a
                # while; the command is still running, so ask again until the deadline.
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
                continue
            if st.get("exited"):
                out = base64.b64decode(st.get("out-data", "")).decode(errors="replace")
                err = base64.b64decode(st.get("err-data", "")).decode(errors="replace")
                code = st.get("exitcode", 128 + st.get("signal", 0))
                return code, out, err
            if time.monotonic() > deadline:
                raise LabError(f"guest command timed out after {timeout:.0f}s: {argv}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.2)

    def sh(self, script, timeout=30.0):
        """Runs a shell snippet in the guest; returns (exit code, stdout, stderr)."""
        return self.exec(["/bin/sh", "-c", script], timeout=timeout)

    def write_file(self, path, data, mode=None):
        """Writes bytes to a guest file (small files: configs, scripts)."""
        handle = self._call("guest-file-open", 10.0, path=path, mode="w")
        try:
            for i in range(0, len(data), 48 * 1024):
                self._call("guest-file-write", 10.0, handle=handle,
                           **{"buf-b64": base64.b64encode(data[i:i + 48 * 1024]).decode()})
        finally:
            self._call("guest-file-close", 10.0, handle=handle)
        if mode is not None:
            self.exec(["/bin/chmod", f"{mode:o}", path])


def wait_for_path(path, deadline):
    """Waits until a socket file exists (qemu creates it at start)."""
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise LabError(f"{path} did not appear")
        time.sleep(0.05)
