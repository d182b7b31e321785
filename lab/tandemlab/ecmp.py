"""The ecmp scenario (issue 17): both LBs active behind a router that spreads flows over them (BGP ECMP).

No VRRP: each LB runs our daemons on Configs/ecmp (tandem_announce publishes the addresses while their virtual
servers have quorum) and FRR (lab/frr/director.frr.conf), which announces them to a router namespace on the
public LAN running FRR's zebra and bgpd (lab/frr/router.*.conf, `maximum-paths 4`). The client reaches the
addresses only through that router, on a link of its own (203.0.113.0/28); the web servers answer it directly
(DR) through the router too. Everything the scenario adds (the router, its link, routes in the web and client
namespaces) it removes at its end."""
import os
import time

from . import plan
from .checks import Failed, Load, Session, expect, say
from .host import LabError, ns_run, run, wait_until
from .suites import TANDEM_ONLY

FRR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "frr")
FRR_BIN = "/usr/lib/frr"
ROUTER = {"pub": "192.0.2.254", "client": "203.0.113.1"}
CLIENT = "203.0.113.2"
CLIENT_NET = "203.0.113.0/28"
VIP, VIP_PAGES = "203.0.113.100", "203.0.113.101"
SESSION_PORT = 9000
LBS = tuple(plan.LBS)


def _template(template, **values):
    with open(os.path.join(FRR_DIR, template)) as f:
        return f.read().format(**values)


class Router:
    """The router namespace, its link to the client, and its FRR."""

    def __init__(self, lab):
        self.lab = lab
        self.ns = f"{lab.lab_ns}-router"
        self.dir = os.path.join(lab.state_dir, "frr-router")
        self.client_ns = lab.node_ns["client"]
        self.webs = [lab.node_ns[w] for w in plan.WEBS]
        self.up = False

    def setup(self):
        lab = self.lab
        run(["ip", "netns", "add", self.ns])
        self.up = True
        ns_run(self.ns, ["ip", "link", "set", "lo", "up"])
        run(["ip", "-n", lab.lab_ns, "link", "add", "router-pub", "type", "veth", "peer", "name", "eth0", "netns", self.ns])
        run(["ip", "-n", lab.lab_ns, "link", "set", "router-pub", "master", "br-pub", "up"])
        run(["ip", "-n", self.ns, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", self.client_ns])
        for argv in (["ip", "addr", "add", f"{ROUTER['pub']}/24", "dev", "eth0"], ["ip", "link", "set", "eth0", "up"],
                     ["ip", "addr", "add", f"{ROUTER['client']}/28", "dev", "eth1"], ["ip", "link", "set", "eth1", "up"],
                     ["sysctl", "-qw", "net.ipv4.ip_forward=1"],
                     # Hash on ports too: each of the client's connections may take another director.
                     ["sysctl", "-qw", "net.ipv4.fib_multipath_hash_policy=1"]):
            ns_run(self.ns, argv)
        ns_run(self.client_ns, ["ip", "addr", "add", f"{CLIENT}/28", "dev", "eth1"])
        ns_run(self.client_ns, ["ip", "link", "set", "eth1", "up"])
        for vip in (VIP, VIP_PAGES):
            ns_run(self.client_ns, ["ip", "route", "add", f"{vip}/32", "via", ROUTER["client"], "src", CLIENT])
        for web in self.webs:
            ns_run(web, ["ip", "route", "add", CLIENT_NET, "via", ROUTER["pub"]])
        os.makedirs(self.dir, exist_ok=True)
        neighbors = "\n".join(f" neighbor {lb['pub']} remote-as 65001\n neighbor {lb['pub']} timers 1 3\n"
                              f" neighbor {lb['pub']} timers connect 1" for lb in plan.LBS.values())
        configs = {"zebra": _template("router.zebra.conf"),
                   "bgpd": _template("router.bgpd.conf", address=ROUTER["pub"], neighbors=neighbors)}
        socket = os.path.join(self.dir, "zserv.api")
        run(["chown", "frr:frr", self.dir])
        for daemon in ("zebra", "bgpd"):
            path = os.path.join(self.dir, f"{daemon}.conf")
            with open(path, "w") as f:
                f.write(configs[daemon])
            # FRR's daemons become the user frr: their directory is theirs.
            lab.procs.start(f"router-{daemon}", ["ip", "netns", "exec", self.ns, f"{FRR_BIN}/{daemon}", "-f", path,
                                                 "-i", os.path.join(self.dir, f"{daemon}.pid"), "-z", socket,
                                                 "--vty_socket", self.dir],
                            os.path.join(self.dir, f"{daemon}.log"))
            if daemon == "zebra":
                wait_until(lambda: os.path.exists(socket), 20, 0.1, "the router's zebra")

    def next_hops(self, address):
        """The directors the router's kernel forwards `address` to (zebra installs bgpd's paths)."""
        out = ns_run(self.ns, ["ip", "-4", "route", "show", address], check=False).stdout.split()
        return sorted(out[i + 1] for i, word in enumerate(out[:-1]) if word == "via")

    def wait_next_hops(self, address, expected, timeout=60):
        seen = {}

        def ok():
            seen["hops"] = self.next_hops(address)
            return seen["hops"] == sorted(expected)
        t0 = time.monotonic()
        try:
            wait_until(ok, timeout, 0.05, f"the router's route to {address} via {expected}")
        except LabError:
            raise Failed(f"the router's route to {address}: expected via {sorted(expected)}, saw {seen.get('hops')}")
        return time.monotonic() - t0

    def teardown(self):
        for daemon in ("bgpd", "zebra"):
            self.lab.procs.stop(f"router-{daemon}")
        for web in self.webs:
            ns_run(web, ["ip", "route", "del", CLIENT_NET], check=False)
        if self.up:
            # Each link by hand, which deletes both ends at once: a deleted namespace's links go only when the
            # kernel gets round to cleaning it up, and the next scenario would meet them.
            run(["ip", "-n", self.lab.lab_ns, "link", "del", "router-pub"], check=False)
            ns_run(self.client_ns, ["ip", "link", "del", "eth1"], check=False)
            run(["ip", "netns", "delete", self.ns], check=False)
            self.up = False


def _director_frr(vm):
    """FRR on an LB: bgpd on, zebra importing table 200, one neighbour: the router."""
    lb = plan.LBS[vm.name]
    conf = _template("director.frr.conf", name=vm.name, address=lb["pub"], router=ROUTER["pub"])
    vm.sh("sed -i 's/^bgpd=no/bgpd=yes/' /etc/frr/daemons && cat > /etc/frr/frr.conf <<'FRR'\n" + conf + "FRR\n"
          "chown frr:frr /etc/frr/frr.conf && systemctl restart frr", timeout=90)


def _ipvs_conns(vm, service):
    """The connections IPVS scheduled for `service` ("TCP 203.0.113.100:80") on `vm` since its start."""
    for line in vm.sh("ipvsadm -Ln --stats", check=False).splitlines():
        parts = line.split()
        if len(parts) >= 3 and f"{parts[0]} {parts[1]}" == service:
            return int(parts[2])
    return 0


def _carrier(lab, local):
    """Which LB forwards the client's connection from `local` (ip:port) to VIP:SESSION_PORT, and to which server."""
    found = {}
    for n in LBS:
        vm = lab.vm(n)
        if not vm.alive():
            continue
        for line in vm.sh("ipvsadm -Lnc", check=False).splitlines():
            parts = line.split()
            if len(parts) >= 6 and parts[3] == local and parts[4] == f"{VIP}:{SESSION_PORT}" and parts[2] == "ESTABLISHED":
                found[n] = parts[5]
    return found


def _start_directors(ctx, scheduler="mh"):
    """Our daemons on Configs/ecmp (with `scheduler` instead of mh) and FRR, on every LB."""
    from .scenarios import prepare
    lab = ctx.lab
    edit = None
    if scheduler != "mh":
        edit = f"sed -i 's/lb_algo mh/lb_algo {scheduler}/; /mh-port/d' /etc/keepalived/keepalived.conf"
    prepare(ctx, "ecmp", edit=edit)
    # A packet of a connection IPVS does not know yet (one that comes from the other director) is scheduled
    # too: without sloppy_tcp only a SYN is, and the director's own stack answers the rest with a reset.
    lab.on_lbs(lambda vm: vm.sh("sysctl -qw net.ipv4.vs.sloppy_tcp=1"))
    lab.on_lbs(_director_frr)


def _sessions(lab, count):
    """`count` long-lived connections through VIP:SESSION_PORT, each with the LB that carries it."""
    sessions = [Session(lab, VIP, SESSION_PORT, duration=240, interval=0.2, timeout=15) for _ in range(count)]
    carried = []
    for s in sessions:
        st = s.wait(lambda x: x.get("answered", 0) >= 3, 30, "the first answers on a connection")
        where = {}
        wait_until(lambda: where.update(_carrier(lab, st["local"])) or where, 20, 0.3,
                   f"an LB to show the connection {st['local']}")
        expect(len(where) == 1, f"connection {st['local']} on {where}")
        (lb, real), = where.items()
        carried.append({"session": s, "local": st["local"], "lb": lb, "real": real, "server": st["server"]})
    return carried


def _lose_director(ctx, scheduler, router):
    """Sessions through both LBs; the LB carrying the most is powered off. Returns (moved, kept, gaps, withdrawn s)."""
    lab = ctx.lab
    carried = _sessions(lab, 6)
    counts = {n: sum(1 for c in carried if c["lb"] == n) for n in LBS}
    lost = max(LBS, key=lambda n: counts[n])
    survivor = next(n for n in LBS if n != lost)
    say(f"{scheduler}: 6 connections, {counts} per LB; powering {lost} off")
    lab.vm(lost).power_off()
    withdrawn = router.wait_next_hops(VIP, [plan.LBS[survivor]["pub"]], timeout=30)
    say(f"{scheduler}: the router dropped {lost}'s path {withdrawn:.2f}s after the power-off (BGP hold time 3 s)")
    time.sleep(6)
    moved, kept, gaps = 0, 0, []
    for c in carried:
        s = c["session"].finish()
        if c["lb"] != lost:
            continue
        moved += 1
        if not s["error"] and s["server"] == c["server"] and s["answered"] >= s["sent"] - 1:
            kept += 1
            gaps.append(s["max_gap_s"])
        else:
            say(f"{scheduler}: connection {c['local']} (was {lost} -> {c['real']}): {s['error'] or s}")
    say(f"{scheduler}: {kept} of {moved} connections that went through {lost} went on through {survivor} "
        f"(longest gap {max(gaps) if gaps else 0:.2f}s)")
    return moved, kept, gaps, withdrawn, lost


BOTH = sorted(lb["pub"] for lb in plan.LBS.values())


def ecmp(ctx):
    """Both LBs announce; the router spreads the client's connections over both; health, restarts, a drain and the
    loss of a director with mh."""
    lab = ctx.lab
    router = Router(lab)
    lab.start_session_servers(SESSION_PORT)
    try:
        router.setup()
        _start_directors(ctx)
        both = BOTH
        took = router.wait_next_hops(VIP, both, timeout=90)
        router.wait_next_hops(VIP_PAGES, both, timeout=30)
        say(f"the router has one route to {VIP} and {VIP_PAGES} through both LBs ({took:.1f}s after the start)")
        ctx.measure("ecmp both directors announced after start", f"{took:.1f}s")

        # Spread: each request a new connection from a new port; both LBs schedule some, both servers answer.
        before = {n: _ipvs_conns(lab.vm(n), f"TCP {VIP}:80") for n in LBS}
        load = Load(lab, VIP, 80, duration=60, interval=0.05, timeout=2)
        time.sleep(8)
        s = load.finish()
        per_lb = {n: _ipvs_conns(lab.vm(n), f"TCP {VIP}:80") - before[n] for n in LBS}
        expect(s["failed"] == 0 and s["ok"] > 20, f"requests through the router failed: {s}")
        expect(all(v > 0 for v in per_lb.values()), f"one LB scheduled nothing: {per_lb} ({s})")
        expect(len(s["by_server"]) == 2, f"not both web servers answered: {s['by_server']}")
        say(f"{s['ok']} requests, 0 failed; scheduled per LB {per_lb}; answered per server {s['by_server']}")
        ctx.measure("ecmp connections per director (8 s of requests)", ", ".join(f"{n} {c}" for n, c in sorted(per_lb.items())))

        # checkd and ipvsd restart on lb01: the announcement follows health, not processes.
        lb01 = lab.vm("lb01")
        samples = []
        lb01.sh("systemctl restart checkd ipvsd")
        t_end = time.monotonic() + 8
        while time.monotonic() < t_end:
            samples.append(router.next_hops(VIP))
            time.sleep(0.1)
        expect(all(h == both for h in samples), f"a restart of checkd and ipvsd on lb01 moved the route: {samples}")
        say(f"checkd and ipvsd restarted on lb01: the router kept both paths ({len(samples)} looks in 8 s)")

        # lb02's checks on port 80 fail (its own firewall): it withdraws 203.0.113.100 only; lb01 serves it.
        lab.vm("lb02").sh("nft add table ip lab && nft add chain ip lab out '{ type filter hook output priority 0; }'"
                          " && nft add rule ip lab out tcp dport 80 drop")
        took = router.wait_next_hops(VIP, [plan.LBS["lb01"]["pub"]], timeout=30)
        expect(router.next_hops(VIP_PAGES) == both, f"{VIP_PAGES} moved too: {router.next_hops(VIP_PAGES)}")
        answers = [lab.curl(VIP, 80) for _ in range(6)]
        expect(None not in answers, f"requests failed after lb02 withdrew {VIP}: {answers}")
        say(f"lb02's checks on port 80 blocked: it withdrew {VIP} ({took:.1f}s), kept {VIP_PAGES}; requests served by lb01")
        lab.vm("lb02").sh("nft delete table ip lab")
        took = router.wait_next_hops(VIP, both, timeout=30)
        say(f"lb02's checks pass again: {VIP} through both LBs again ({took:.1f}s)")

        # Drain: vrrpd stops on lb01 under load; the route goes first, no request fails.
        load = Load(lab, VIP, 80, duration=60, interval=0.05, timeout=2)
        time.sleep(2)
        t0 = time.monotonic()
        lb01.sh("systemctl stop vrrpd", timeout=90)
        stopped = time.monotonic() - t0
        expect(router.next_hops(VIP) == [plan.LBS["lb02"]["pub"]], f"after lb01's drain: {router.next_hops(VIP)}")
        time.sleep(2)
        s = load.finish()
        expect(s["failed"] == 0, f"requests failed during lb01's drain: {s}")
        say(f"systemctl stop vrrpd on lb01 took {stopped:.1f}s (withdraw_delay 3 s): {s['ok']} requests, 0 failed")
        ctx.measure("ecmp failed requests during a director's drain", f"0 of {s['ok']}")
        lb01.sh("systemctl start vrrpd")
        router.wait_next_hops(VIP, both, timeout=30)

        # A director lost with mh: the connections it carried go on through the other, same real server.
        moved, kept, gaps, withdrawn, lost = _lose_director(ctx, "mh", router)
        expect(moved > 0, "no connection went through the director that was powered off")
        expect(kept == moved, f"mh: only {kept} of {moved} connections survived the loss of {lost}")
        ctx.measure("ecmp mh connections kept across a director's loss", f"{kept} of {moved}")
        ctx.measure("ecmp route withdrawn after a director's power-off (hold 3 s)", f"{withdrawn:.2f}s")
        ctx.measure("ecmp mh longest gap on a moved connection", f"{max(gaps):.2f}s")
    finally:
        router.teardown()
        lab.stop_session_servers(SESSION_PORT)


def ecmp_rr(ctx):
    """The control: the same loss of a director with rr, where the survivor picks its own real server for a
    connection it did not see start (prepare boots an LB a previous scenario powered off)."""
    lab = ctx.lab
    router = Router(lab)
    lab.start_session_servers(SESSION_PORT)
    try:
        router.setup()
        _start_directors(ctx, scheduler="rr")
        router.wait_next_hops(VIP, BOTH, timeout=90)
        moved, kept, _, _, _ = _lose_director(ctx, "rr", router)
        expect(moved > 0, "no connection went through the director that was powered off")
        say(f"rr control: {kept} of {moved} connections survived (mh keeps all)")
        ctx.measure("ecmp rr (control) connections kept across a director's loss", f"{kept} of {moved}")
    finally:
        router.teardown()
        lab.stop_session_servers(SESSION_PORT)


# Run last in a suite (main.py): the scenario powers an LB off, which any later scenario would boot again.
ECMP = [("ecmp", ecmp, ("vrrpd", "ipvsd", "checkd", TANDEM_ONLY))]
# Only when named: the control with rr (~70 s with an LB boot); bench/ecmp/run runs both.
ECMP_OPTIONAL = [("ecmp-rr", ecmp_rr, ("vrrpd", "ipvsd", "checkd", TANDEM_ONLY))]
