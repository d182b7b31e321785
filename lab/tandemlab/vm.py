"""One lab VM: Debian's cloud kernel booted under qemu TCG on the cached rootfs, driven by the guest agent."""
import os
import time

from .qemu_sockets import GuestAgent, LabError, Monitor, wait_for_path


def memory_mb():
    """Guest memory: 256 MB (a small LB), or TANDEM_LAB_MEMORY_MB for benchmarks with very large tables."""
    value = os.environ.get("TANDEM_LAB_MEMORY_MB", "256")
    if not value.isdigit() or not 128 <= int(value) <= 4096:
        raise LabError(f"TANDEM_LAB_MEMORY_MB={value!r}: give megabytes between 128 and 4096")
    return int(value)


class VM:
    """A qemu TCG guest with systemd as PID 1, joined to the lab's bridges through taps."""

    def __init__(self, name, image_dir, payload_img, state_dir, lab_ns, nics, procs):
        self.name = name
        self.image_dir = image_dir
        self.payload_img = payload_img
        self.dir = os.path.join(state_dir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.lab_ns = lab_ns
        self.nics = nics  # [(tap name, mac)] in guest order eth0, eth1
        self.procs = procs
        self.qga_path = os.path.join(self.dir, "qga.sock")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.agent = GuestAgent(self.qga_path)
        self.monitor = Monitor(self.qmp_path)
        self.boot_seconds = None
        self.ready = False  # set by the topology once booted and its interfaces are configured

    def argv(self):
        """The qemu command line (TCG; NVMe root needs no initramfs; payload on virtio-blk, read-only)."""
        # nvme_core.io_timeout: under TCG on a loaded host one disk request can outlast the driver's default 30 s;
        # the guest then aborts it and ext4 goes read-only mid-boot (seen once after a cold boot).
        append = ("console=ttyS0 root=/dev/nvme0n1 rw net.ifnames=0 biosdevname=0 quiet loglevel=3 "
                  f"systemd.hostname={self.name} systemd.show_status=0 mitigations=off tsc=reliable "
                  "nvme_core.io_timeout=255")
        a = ["qemu-system-x86_64", "-name", self.name,
             "-accel", "tcg,tb-size=64", "-m", str(memory_mb()), "-smp", "1",
             "-nodefaults", "-no-user-config", "-display", "none",
             "-kernel", os.path.join(self.image_dir, "vmlinuz"), "-append", append,
             "-drive", f"if=none,id=root,file={os.path.join(self.image_dir, 'rootfs.img')},format=raw,snapshot=on",
             "-device", "nvme,drive=root,serial=labroot",
             "-drive", f"if=virtio,file={self.payload_img},format=raw,readonly=on",
             "-device", "virtio-serial-pci",
             "-chardev", f"socket,id=qga,path={self.qga_path},server=on,wait=off",
             "-device", "virtserialport,chardev=qga,name=org.qemu.guest_agent.0",
             "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
             "-serial", f"file:{os.path.join(self.dir, 'console.log')}"]
        for i, (tap, mac) in enumerate(self.nics):
            a += ["-netdev", f"tap,id=n{i},ifname={tap},script=no,downscript=no",
                  "-device", f"virtio-net-pci,netdev=n{i},mac={mac}"]
        return a

    def start(self):
        for p in (self.qga_path, self.qmp_path):
            if os.path.exists(p):
                os.unlink(p)
        self.agent.close()
        self.ready = False
        self.started_at = time.monotonic()
        env = dict(os.environ, TMPDIR=self.dir)  # snapshot=on overlays go here, removed with the state dir
        self.procs.start(f"qemu-{self.name}", ["ip", "netns", "exec", self.lab_ns] + self.argv(),
                         os.path.join(self.dir, "qemu.log"), env=env)

    def alive(self):
        return self.procs.running(f"qemu-{self.name}")

    def wait_ready(self, timeout=180):
        """Waits for the agent and the mounted payload disk; records the boot time."""
        deadline = time.monotonic() + timeout
        wait_for_path(self.qga_path, deadline)
        while True:
            if not self.alive():
                raise LabError(f"{self.name}: qemu exited (see {self.dir}/qemu.log)")
            try:
                self.agent.wait_ready(min(deadline, time.monotonic() + 5))
                # fstab mounts the payload when udev finds it; under load that can outlast the unit's device
                # timeout, so mount it here if it is there but not mounted yet.
                code, _, _ = self.agent.sh("test -e /lab/payload.id || { test -e /dev/disk/by-label/labdata &&"
                                           " mount -o ro /dev/disk/by-label/labdata /lab; test -e /lab/payload.id; }",
                                           timeout=20)
                if code == 0:
                    break
            except LabError:
                pass
            if time.monotonic() > deadline:
                raise LabError(f"{self.name}: not ready after {timeout}s (agent or /lab payload missing; "
                               f"console: {self.dir}/console.log)")
            time.sleep(0.5)
        self.boot_seconds = time.monotonic() - self.started_at

    def sh(self, script, timeout=60, check=True):
        """Runs a shell snippet in the guest; returns stdout. With check, a non-zero exit raises."""
        code, out, err = self.agent.sh(script, timeout=timeout)
        if check and code != 0:
            raise LabError(f"{self.name}: `{script}` exited {code}: {(err or out).strip()[-500:]}")
        return out

    def power_off(self):
        """Pulls the plug: qemu `quit` (no shutdown inside the guest)."""
        self.agent.close()
        try:
            self.monitor.command("quit")
        except (LabError, OSError):
            pass
        self.procs.stop(f"qemu-{self.name}")
        self.ready = False

    def stop(self):
        self.agent.close()
        if self.alive():
            self.power_off()
