"""Seed 000's topology: two LB VMs and three host namespaces (web01, web02, client) on two bridges.

Everything lives in namespaces this lab creates: the bridges and taps inside `tandem-lab-<id>` (no route
anywhere), the web servers and the client in `tandem-lab-<id>-<node>`, joined to the bridges by veth."""
import os
import shutil
import threading
import time

from . import plan
from .host import Namespaces, Processes, ns_run, run, wait_until
from .qemu_sockets import LabError
from .vm import VM

PYTHON = "/usr/bin/python3"


class Lab:
    """Owns every resource of one lab run and removes them all in `teardown`."""

    def __init__(self, lab_id, image_dir, payload_img, state_dir, log, realserver_tool=None):
        """`realserver_tool`: our tandemctl, which then sets up the DR real servers (`tandemctl realserver`)."""
        self.id = lab_id
        self.realserver_tool = realserver_tool
        self.image_dir = image_dir
        self.payload_img = payload_img
        self.state_dir = state_dir
        self.log = log
        self.ns = Namespaces()
        self.procs = Processes(os.path.join(state_dir, "pids"))
        self.lab_ns = f"tandem-lab-{lab_id}"
        self.node_ns = {n: f"tandem-lab-{lab_id}-{n}" for n in ("client", "web01", "web02")}
        self.vms = {}
        self.web_mode = None
        self.boot_times = []
        # LBs that had to be booted again because a boot did not come up (reported with the run's measures).
        self.boot_retries = []

    # ---- building ----
    def setup_network(self):
        ns = self.ns.add(self.lab_ns)
        for br in ("br-pub", "br-int"):
            run(["ip", "-n", ns, "link", "add", br, "type", "bridge", "mcast_snooping", "0"])
            run(["ip", "-n", ns, "link", "set", br, "up"])
        for lb in plan.LBS:
            for lan in ("pub", "int"):
                tap = f"{lb}-{lan}"
                run(["ip", "-n", ns, "tuntap", "add", "dev", tap, "mode", "tap"])
                run(["ip", "-n", ns, "link", "set", tap, "master", f"br-{lan}", "up"])
        for node, nns in self.node_ns.items():
            self.ns.add(nns)
            lans = ("pub",) if node == "client" else ("pub", "int")
            for i, lan in enumerate(lans):
                outside = f"{node}-{lan}"
                run(["ip", "-n", ns, "link", "add", outside, "type", "veth", "peer", "name", f"eth{i}", "netns", nns])
                run(["ip", "-n", ns, "link", "set", outside, "master", f"br-{lan}", "up"])
                run(["ip", "-n", nns, "link", "set", f"eth{i}", "up"])
        ns_run(self.node_ns["client"], ["ip", "addr", "add", f"{plan.CLIENT['pub']}/24", "dev", "eth0"])
        for web, w in plan.WEBS.items():
            wns = self.node_ns[web]
            ns_run(wns, ["ip", "addr", "add", f"{w['int']}/24", "dev", "eth1"])
            if not self.realserver_tool:
                for k, v in (("arp_ignore", 1), ("arp_announce", 2)):
                    for dev in ("all", "lo"):
                        ns_run(wns, ["sysctl", "-qw", f"net.ipv4.conf.{dev}.{k}={v}"])
        self.set_web_mode("dr")

    def set_web_mode(self, mode):
        """DR: public address up, every DR VIP on lo. NAT: no public address, default route via the gateway VIP."""
        if mode == self.web_mode:
            return
        for web, w in plan.WEBS.items():
            wns = self.node_ns[web]
            ns_run(wns, ["ip", "route", "flush", "default"], check=False)
            ns_run(wns, ["ip", "addr", "flush", "dev", "eth0"])
            if self.realserver_tool:
                # The suite's own tool, so every DR run proves it: VIPs on lo, arp_ignore/arp_announce, undone by down.
                state = os.path.join(self.state_dir, f"realserver-{web}")
                verb = "up" if mode == "dr" else "down"
                ns_run(wns, [self.realserver_tool, "realserver", verb, "--state-dir", state] + list(plan.DR_VIPS))
                if mode == "dr":
                    ns_run(wns, [self.realserver_tool, "realserver", "status", "--state-dir", state] + list(plan.DR_VIPS))
            else:
                for vip in plan.DR_VIPS:
                    ns_run(wns, ["ip", "addr", "del", f"{vip}/32", "dev", "lo"], check=False)
            if mode == "dr":
                ns_run(wns, ["ip", "addr", "add", f"{w['pub']}/24", "dev", "eth0"])
                if not self.realserver_tool:
                    for vip in plan.DR_VIPS:
                        ns_run(wns, ["ip", "addr", "add", f"{vip}/32", "dev", "lo"])
            else:
                ns_run(wns, ["ip", "route", "add", "default", "via", plan.NAT_GATEWAY_VIP])
        self.web_mode = mode

    def start_web(self, web, port):
        """Starts one page server (python3 http.server) in a web namespace; waits until it listens."""
        text = plan.WEBS[web]["pages"][port]
        d = os.path.join(self.state_dir, "www", web, str(port))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "index.html"), "w") as f:
            f.write(text + "\n")
        self.procs.start(f"www-{web}-{port}",
                         ["ip", "netns", "exec", self.node_ns[web], PYTHON, "-m", "http.server", str(port),
                          "--bind", "0.0.0.0", "--directory", d],
                         os.path.join(self.state_dir, f"www-{web}-{port}.log"))
        wait_until(lambda: self.listening(web, port), 10, 0.1, f"{web}:{port} to listen")

    def stop_web(self, web, port):
        self.procs.stop(f"www-{web}-{port}")

    def listening(self, web, port):
        p = ns_run(self.node_ns[web], ["ss", "-Htln", f"sport = :{port}"], check=False)
        return bool(p.stdout.strip())

    def start_all_web(self):
        for web, w in plan.WEBS.items():
            for port in w["pages"]:
                if not self.procs.running(f"www-{web}-{port}"):
                    self.start_web(web, port)

    def start_session_servers(self, port):
        """The line service (session.py serve) on every web server, for one long-lived connection (sync)."""
        here = os.path.dirname(os.path.abspath(__file__))
        for web in plan.WEBS:
            if not self.procs.running(f"session-{web}-{port}"):
                self.procs.start(f"session-{web}-{port}",
                                 ["ip", "netns", "exec", self.node_ns[web], PYTHON, os.path.join(here, "session.py"),
                                  "serve", str(port), web, "--tag", self.state_dir],
                                 os.path.join(self.state_dir, f"session-{web}-{port}.log"))
        for web in plan.WEBS:
            wait_until(lambda: self.listening(web, port), 10, 0.1, f"{web}:{port} to listen")

    def stop_session_servers(self, port):
        for web in plan.WEBS:
            self.procs.stop(f"session-{web}-{port}")

    def vm(self, name):
        if name not in self.vms:
            lb = plan.LBS[name]
            nics = [(f"{name}-pub", lb["macs"][0]), (f"{name}-int", lb["macs"][1])]
            self.vms[name] = VM(name, self.image_dir, self.payload_img, self.state_dir, self.lab_ns, nics, self.procs)
        return self.vms[name]

    def ensure_lbs(self, names=tuple(plan.LBS)):
        """Boots (in parallel) every LB VM in `names` that is not running, waits until each is ready and
        configures its interfaces. A VM that is already ready is left alone."""
        for n in names:
            if not self.vm(n).alive():
                self.vm(n).start()
        for n in names:
            v = self.vm(n)
            if v.ready:
                continue
            try:
                v.wait_ready()
            except LabError as e:
                # A boot that did not come up (the guest's disk or agent stuck under TCG) would fail every later
                # scenario too: power it off and boot it once more, keeping the failed boot's console.
                console = os.path.join(v.dir, "console.log")
                if os.path.exists(console):
                    shutil.copy(console, os.path.join(v.dir, f"console-failed-{len(self.boot_retries)}.log"))
                self.boot_retries.append(n)
                self.log(f"{n} did not come up ({e}); booting it again")
                v.power_off()
                v.start()
                v.wait_ready()
            lb = plan.LBS[n]
            v.sh(f"/lab/guest/lab-net.sh {lb['macs'][0]} {lb['pub']}/24 {lb['macs'][1]} {lb['int']}/24")
            v.ready = True
            self.boot_times.append(v.boot_seconds)
            self.log(f"{n} booted and ready in {v.boot_seconds:.1f}s")

    def on_lbs(self, fn, names=tuple(plan.LBS)):
        """Runs fn(vm) on several LBs at once (each VM has its own agent connection); re-raises the first error."""
        errors = []

        def one(n):
            try:
                fn(self.vm(n))
            except Exception as e:  # handed to the caller below
                errors.append(e)
        threads = [threading.Thread(target=one, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def reset_lbs(self):
        def reset(v):
            lb = plan.LBS[v.name]
            v.sh(f"/lab/guest/lab-reset.sh {lb['pub']}/24 {lb['int']}/24", timeout=60)
        self.on_lbs(reset, [n for n, v in self.vms.items() if v.alive()])

    # ---- observing ----
    def start_capture(self, name):
        """Captures every frame on both bridges (dumpcap in the lab namespace) to <state>/NAME.pcapng, when
        TANDEM_LAB_PCAP=1; returns the path or None. Kept with --keep, for tshark -r."""
        if os.environ.get("TANDEM_LAB_PCAP") != "1" or not os.path.exists("/usr/bin/dumpcap"):
            return None
        path = os.path.join(self.state_dir, f"{name}.pcapng")
        self.procs.start(f"pcap-{name}", ["ip", "netns", "exec", self.lab_ns, "/usr/bin/dumpcap", "-q",
                                          "-i", "br-pub", "-i", "br-int", "-w", path],
                         os.path.join(self.state_dir, f"pcap-{name}.log"))
        for node, nns in self.node_ns.items():  # and every neighbour-table change, timestamped
            self.procs.start(f"neigh-{name}-{node}", ["ip", "netns", "exec", nns, "ip", "-ts", "monitor", "neigh"],
                             os.path.join(self.state_dir, f"{name}-neigh-{node}.log"))
        time.sleep(1)
        return path

    def stop_capture(self, name):
        self.procs.stop(f"pcap-{name}")
        for node in self.node_ns:
            self.procs.stop(f"neigh-{name}-{node}")

    def snapshot(self):
        """The forwarding state a failed request depends on, as text: every node's neighbour table, the LBs'
        addresses, IPVS services and connections."""
        out = []
        for node, nns in self.node_ns.items():
            out.append(f"--- {node}: ip neigh\n" + ns_run(nns, ["ip", "-s", "neigh"], check=False).stdout.strip())
        for n, v in self.vms.items():
            if v.alive():
                out.append(f"--- {n}\n" + v.sh("ip -br -4 addr; ip neigh; ipvsadm -Ln; ipvsadm -Lnc",
                                              check=False).strip())
        return "\n".join(out)

    def client(self, argv, timeout=30):
        return ns_run(self.node_ns["client"], argv, check=False, timeout=timeout)

    def curl(self, vip, port, timeout=2.0):
        """One HTTP GET from the client namespace; returns the body stripped, or None on failure."""
        p = self.client(["curl", "-s", "--max-time", str(timeout), f"http://{vip}:{port}/"], timeout=timeout + 5)
        return p.stdout.strip() if p.returncode == 0 else None

    def holders(self, address):
        """Which running LBs have `address` on an interface (from `ip -o addr` in each VM)."""
        found = []
        for n, v in self.vms.items():
            if v.alive():
                out = v.sh("ip -o -4 addr show", check=False)
                if any(f" {address}/" in line for line in out.splitlines()):
                    found.append(n)
        return found

    # ---- removing ----
    def teardown(self):
        for v in self.vms.values():
            try:
                v.stop()
            except Exception as e:  # teardown goes on whatever one piece says
                self.log(f"teardown {v.name}: {e}")
        self.procs.stop_all()
        self.ns.delete_all()
