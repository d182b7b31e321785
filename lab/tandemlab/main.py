"""lab/run's program: parse options, check the host, build or reuse the image, run the scenarios, clean up."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from . import plan
from . import checks
from .checks import Failed
from .host import run
from .image_cache import cache_root, ensure_image
from .payload import build_payload
from .qemu_sockets import GuestAgent, LabError
from .faults import FAULTS
from .checkers import CHECKERS
from .ecmp import ECMP, ECMP_OPTIONAL
from .hostile import HOSTILE_SCENARIOS
from .realserver import REALSERVER
from .scenarios import OPTIONAL as SEED_OPTIONAL, SCENARIOS as SEED_SCENARIOS
from .suites import KeepalivedSuite, TandemSuite, daemon_issues

SCENARIOS = SEED_SCENARIOS + FAULTS + REALSERVER + HOSTILE_SCENARIOS + ECMP
# checkers: ~3 min under TCG (two suites, two steps, DNS_CHECK's keepalived retries): over CI's lab budget today.
OPTIONAL = SEED_OPTIONAL + CHECKERS + ECMP_OPTIONAL
from .topology import Lab

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(LAB_DIR)
KEPT = os.path.join(cache_root(), "kept-lab.json")


def log(msg):
    print(f"[lab {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def parse(argv):
    command = None
    if "--" in argv:
        i = argv.index("--")
        argv, command = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(
        prog="lab/run",
        description="Boots Debian's cloud kernel with systemd in qemu TCG VMs (real IPVS) and runs the seed "
                    "scenarios. `lab/run -- NODE CMD...` runs one command on a node (lb01, lb02 via the guest "
                    "agent; web01, web02, client in their namespaces).")
    ap.add_argument("--suite", choices=("keepalived", "tandem"), default="keepalived",
                    help="keepalived: Debian's keepalived on the LBs; tandem: our vrrpd, ipvsd, checkd")
    ap.add_argument("--scenario", action="append", metavar="NAME",
                    help="run only this scenario (repeatable): " + ", ".join(n for n, _, _ in SCENARIOS)
                    + "; only when named: " + ", ".join(n for n, _, _ in OPTIONAL))
    ap.add_argument("--configs", default=os.path.join(REPO, "Configs"), help="Configs directory (default <repo>/Configs)")
    ap.add_argument("--bin", default=None, help="our built binaries (default <repo>/.build/release, else debug)")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="run the selected scenarios N times in the same lab (flake hunting); stops at the first "
                         "failure, so with --keep the lab stays as the failure left it")
    ap.add_argument("--keep", action="store_true", help="leave the lab up after the run (remove with --down)")
    ap.add_argument("--down", action="store_true", help="remove a lab left up by --keep")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    a = ap.parse_args(argv)
    a.command = command
    if a.bin is None:
        for kind in ("release", "debug"):
            d = os.path.join(REPO, ".build", kind)
            if os.path.isdir(d):
                a.bin = d
                break
    names = [n for n, _, _ in SCENARIOS + OPTIONAL]
    for n in a.scenario or []:
        if n not in names:
            ap.error(f"unknown scenario {n!r}; known: {', '.join(names)}")
    return a


def host_problem():
    """Why qemu/TCG and the lab's namespaces cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root (the lab creates network namespaces, taps and bridges)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun (the VMs' taps need it)"
    try:
        os.close(os.open("/dev/net/tun", os.O_RDWR))
    except OSError as e:
        return f"cannot open /dev/net/tun: {e.strerror}"
    missing = [t for t in ("qemu-system-x86_64", "debootstrap", "mkfs.ext4", "ip", "curl", "ss")
               if shutil.which(t) is None]
    if missing:
        log(f"installing host tools from Debian's apt: {' '.join(missing)}")
        pkgs = {"qemu-system-x86_64": "qemu-system-x86", "debootstrap": "debootstrap", "mkfs.ext4": "e2fsprogs",
                "ip": "iproute2", "curl": "curl", "ss": "iproute2"}
        p = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"]
                           + sorted({pkgs[m] for m in missing}), capture_output=True, text=True,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if p.returncode != 0:
            return f"cannot install {' '.join(missing)} with apt-get: {p.stderr.strip()[-200:]}"
    if not os.path.exists("/usr/bin/python3"):
        return "no /usr/bin/python3 for the web servers and the client"
    p = subprocess.run(["ip", "netns", "list"], capture_output=True)
    if p.returncode != 0:
        return "`ip netns` does not work here"
    return None


class Context:
    """What a scenario gets: the lab, the suite, and a place to record measured figures."""

    def __init__(self, lab, suite):
        self.lab = lab
        self.suite = suite
        self.measured = []

    def measure(self, what, value):
        self.measured.append((what, value))


def run_suite(a, state_dir, lab_id):
    issues = daemon_issues(LAB_DIR)
    if a.suite == "keepalived":
        suite = KeepalivedSuite()
    else:
        suite = TandemSuite(a.bin, os.path.join(REPO, "systemd"), issues, repo=REPO)
    selected = SCENARIOS if not a.scenario else [s for s in SCENARIOS + OPTIONAL if s[0] in a.scenario]
    results = []  # (name, status, seconds, detail)
    runnable = []
    needs_of_run = set()
    for name, fn, needs in selected:
        why = suite.missing(needs)
        if why:
            results.append((name, "SKIP", 0.0, why))
            print(f"SKIP {name}: {why}", flush=True)
        else:
            runnable.append((name, fn))
            needs_of_run.update(needs)
    measured = []
    lab = None
    if runnable:
        problem = host_problem()
        if problem:
            print(f"skipped: {problem}", flush=True)
            for name, _ in runnable:
                results.append((name, "SKIP", 0.0, problem))
                print(f"SKIP {name}: {problem}", flush=True)
            runnable = []
    if runnable:
        if not os.path.isdir(a.configs):
            raise LabError(f"no Configs directory at {a.configs} (use --configs DIR)")
        image_dir, built = ensure_image(os.path.join(LAB_DIR, "image"), log)
        if built:
            measured.append(("image build (cold cache)", f"{built:.0f}s"))
        extra = suite.payload(needs_of_run, state_dir) if hasattr(suite, "payload") else {}
        payload = build_payload(state_dir, LAB_DIR, a.configs, extra)
        tool = os.path.join(a.bin, "tandemctl") if a.suite == "tandem" and a.bin else None
        lab = Lab(lab_id, image_dir, payload, state_dir, log,
                  realserver_tool=tool if tool and os.access(tool, os.X_OK) else None)
        ctx = Context(lab, suite)
        try:
            lab.setup_network()
            t0 = time.monotonic()
            lab.ensure_lbs()
            measured.append(("first boot of lb01+lb02 (parallel)", f"{time.monotonic() - t0:.1f}s"))
            for round_no, (name, fn) in enumerate(runnable * max(1, a.repeat)):
                if a.repeat > 1 and round_no % len(runnable) == 0:
                    if any(r[1] == "FAIL" for r in results):
                        break
                    log(f"round {round_no // len(runnable) + 1} of {a.repeat}")
                log(f"scenario {name}")
                t0 = time.monotonic()
                checks.SCENARIO_START[0] = t0
                try:
                    fn(ctx)
                    status, detail = "PASS", ""
                except Failed as e:
                    status, detail = "FAIL", str(e)
                except LabError as e:
                    status, detail = "FAIL", f"lab error: {e}"
                dt = time.monotonic() - t0
                results.append((name, status, dt, detail))
                print(f"{status} {name} ({dt:.1f}s){': ' + detail if detail else ''}", flush=True)
        finally:
            measured.extend(ctx.measured)
            if lab.boot_times:
                measured.append(("VM boots", ", ".join(f"{t:.1f}s" for t in lab.boot_times)))
            if lab.boot_retries:
                measured.append(("VM boots that did not come up and were booted again", ", ".join(lab.boot_retries)))
            if a.keep:
                keep(lab, state_dir)
            else:
                lab.teardown()
    return results, measured


def keep(lab, state_dir):
    state = {"state_dir": state_dir, "namespaces": lab.ns.names, "node_ns": lab.node_ns,
             "qga": {n: v.qga_path for n, v in lab.vms.items()},
             "qmp": {n: v.qmp_path for n, v in lab.vms.items()},
             "pids": [p.pid for p in lab.procs.procs.values()]}
    with open(KEPT, "w") as f:
        json.dump(state, f)
    open(os.path.join(state_dir, "kept"), "w").close()
    log(f"lab kept up: `lab/run -- lb01 CMD...` runs commands on it; `lab/run --down` removes it ({KEPT})")


def down():
    if not os.path.exists(KEPT):
        print("no kept lab")
        return 0
    state = json.load(open(KEPT))
    for pid in state["pids"]:
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            continue
        if state["state_dir"].encode() in cmdline or b"http.server" in cmdline or b"loadgen" in cmdline:
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    time.sleep(1)
    for ns in reversed(state["namespaces"]):
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
    shutil.rmtree(state["state_dir"], ignore_errors=True)
    os.unlink(KEPT)
    print("kept lab removed")
    return 0


def adhoc(a, state_dir, lab_id):
    """`lab/run -- NODE CMD...`: on a kept lab if there is one, else on a fresh one torn down afterwards."""
    node, cmd = a.command[0], a.command[1:]
    if not cmd:
        print("usage: lab/run -- NODE CMD...", file=sys.stderr)
        return 2
    nodes = list(plan.LBS) + ["client", "web01", "web02"]
    if node not in nodes:
        print(f"unknown node {node!r}; nodes: {', '.join(nodes)}", file=sys.stderr)
        return 2
    # TANDEM_LAB_FRESH: a benchmark must not land on a lab someone else kept up for debugging.
    if os.path.exists(KEPT) and not os.environ.get("TANDEM_LAB_FRESH"):
        state = json.load(open(KEPT))
        if node in plan.LBS:
            return exec_on_agent(GuestAgent(state["qga"][node]), cmd)
        return subprocess.run(["ip", "netns", "exec", state["node_ns"][node]] + cmd).returncode
    problem = host_problem()
    if problem:
        print(f"skipped: {problem}")
        return 1
    image_dir, _ = ensure_image(os.path.join(LAB_DIR, "image"), log)
    payload = build_payload(state_dir, LAB_DIR, a.configs, {})
    lab = Lab(lab_id, image_dir, payload, state_dir, log)
    try:
        lab.setup_network()
        if node in plan.LBS:
            lab.ensure_lbs([node])
            return exec_on_agent(lab.vm(node).agent, cmd)
        return subprocess.run(["ip", "netns", "exec", lab.node_ns[node]] + cmd).returncode
    finally:
        lab.teardown()


def exec_on_agent(agent, cmd):
    agent.wait_ready(time.monotonic() + 10)
    # Long benchmarks (10,000 IPVS services under TCG) take longer than a scenario step; they say so.
    timeout = int(os.environ.get("TANDEM_LAB_EXEC_TIMEOUT", "300"))
    code, out, err = agent.exec(cmd, timeout=timeout)
    sys.stdout.write(out)
    sys.stderr.write(err)
    print(f"[exit code {code}]")
    return code


def main(argv):
    a = parse(argv)
    if a.list:
        for name, fn, _ in SCENARIOS + OPTIONAL:
            print(f"{name:16} {fn.__doc__.splitlines()[0]}")
        return 0
    if a.down:
        return down()
    lab_id = os.environ.get("TANDEM_LAB_ID", str(os.getpid()))
    state_dir = os.environ.get("TANDEM_LAB_STATE") or f"/tmp/tandem-lab-{lab_id}"
    os.makedirs(state_dir, exist_ok=True)
    # SIGTERM unwinds like Ctrl-C, so every `finally` tears down what it built.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    if a.command is not None:
        return adhoc(a, state_dir, lab_id)
    t0 = time.monotonic()
    print(f"tandem lab: suite {a.suite}, configs {a.configs}", flush=True)
    try:
        results, measured = run_suite(a, state_dir, lab_id)
    except LabError as e:
        print(f"lab error: {e}", flush=True)
        print("0 passed, 1 failed, 0 skipped")
        return 1
    except KeyboardInterrupt:
        print("interrupted; the lab was torn down", flush=True)
        return 130
    print("\nsummary:")
    for name, status, dt, detail in results:
        print(f"  {status:4} {name:16} {dt:6.1f}s  {detail}")
    for what, value in measured:
        print(f"  measured: {what}: {value}")
    print(f"  total wall time: {time.monotonic() - t0:.0f}s")
    passed = sum(r[1] == "PASS" for r in results)
    failed = sum(r[1] == "FAIL" for r in results)
    skipped = sum(r[1] == "SKIP" for r in results)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0
