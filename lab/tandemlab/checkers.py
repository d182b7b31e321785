"""Issue 14: DNS_CHECK, UDP_CHECK, SMTP_CHECK, PING_CHECK and FILE_CHECK give the same verdicts under checkd as
under keepalived, and ha_suspend, a virtual server's weight and sh's flags the same table. keepalived is the
oracle, as in `tables`: Configs/checkers on lb01 under keepalived, then under our daemons, against the same real
servers in web01 and web02 (dnsmasq, aiosmtpd, a UDP echo, a silent UDP port, ICMP echo) and the same track
files on lb01, the settled `ipvsadm -Sn` compared rule for rule; then web01's servers stop (and it stops
answering pings), web01's drain file says 1 and web02's boost file 4, and both are compared again."""
import os

from .checks import Failed, expect, say
from .host import ns_run, wait_until
from .suites import COMPARES_WITH_KEEPALIVED, KeepalivedSuite
from .tables import _settled_table
from .topology import PYTHON

WEBS = {"web01": "192.0.2.72", "web02": "192.0.2.80"}
VIP = "192.0.2.118"

UDP_ECHO = ("import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',int(sys.argv[1])))\n"
            "while True:\n d,a=s.recvfrom(65536)\n if sys.argv[2]=='echo': s.sendto(d,a)\n")


def _servers(lab, web, address, silent_udp):
    """What web runs for the checkers: DNS on 53, SMTP on 25, a UDP echo on 9000 and (web01) a UDP port that
    never answers on 9001."""
    ns = lab.node_ns[web]
    state = lab.state_dir
    lab.procs.start(f"dns-{web}", ["ip", "netns", "exec", ns, "dnsmasq", "--keep-in-foreground", "--log-facility=-",
                                   "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root",
                                   "--bind-interfaces", f"--listen-address={address}", "--port=53",
                                   f"--pid-file={os.path.join(state, f'dnsmasq-{web}.pid')}",
                                   "--address=/example.test/192.0.2.118"],
                    os.path.join(state, f"dns-{web}.log"))
    lab.procs.start(f"smtp-{web}", ["ip", "netns", "exec", ns, PYTHON, "-m", "aiosmtpd", "-n", "-l", f"{address}:25"],
                    os.path.join(state, f"smtp-{web}.log"))
    lab.procs.start(f"udp-{web}-9000", ["ip", "netns", "exec", ns, PYTHON, "-c", UDP_ECHO, "9000", "echo"],
                    os.path.join(state, f"udp-{web}.log"))
    if silent_udp:
        lab.procs.start(f"udp-{web}-9001", ["ip", "netns", "exec", ns, PYTHON, "-c", UDP_ECHO, "9001", "silent"],
                        os.path.join(state, f"udp-{web}-9001.log"))
    ns_run(ns, ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=0"])
    # UDP_CHECK's verdict on a closed port is the ICMP port unreachable it gets back; the kernel's default rate
    # limit (one per second per peer, a burst of 6) drops some once DNS, UDP and the retries of both ask at once,
    # and a dropped one reads as silence, which is up (under keepalived as under checkd). The lab wants the
    # verdict, not the limit.
    ns_run(ns, ["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"])

    def listening():
        udp = ns_run(ns, ["ss", "-Huln"], check=False).stdout
        tcp = ns_run(ns, ["ss", "-Htln"], check=False).stdout
        return f"{address}:53 " in udp and ":9000 " in udp and f"{address}:25 " in tcp
    wait_until(listening, 20, 0.2, f"{web}'s DNS, UDP and SMTP servers to listen")


def _stop_servers(lab, web):
    for name in (f"dns-{web}", f"smtp-{web}", f"udp-{web}-9000", f"udp-{web}-9001"):
        lab.procs.stop(name)
    ns_run(lab.node_ns[web], ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"])


def _rule(port, proto, web):
    flag = "-u" if proto == "UDP" else "-t"
    return f"-a {flag} {VIP}:{port} -r {WEBS[web]}:{port} -g -w 1"


TRACK_DIR = "/run/tandem-lab"


def _expected(up, file_weights):
    """The real-server rules when `up` ({port: [webs]}) answer; `file_weights` ({web: weight}) are the FILE_CHECK
    service's servers in (8081); the ha_suspend service (192.0.2.119:8082) keeps both, never checked."""
    protos = {53: "UDP", 9000: "UDP", 9001: "UDP", 25: "TCP", 80: "TCP"}
    rules = [_rule(port, protos[port], web) for port, webs in up.items() for web in webs]
    rules += [f"-a -t {VIP}:8081 -r {WEBS[web]}:8081 -g -w {weight}" for web, weight in file_weights.items()]
    # (The -A lines are compared with keepalived's whole, not here: 8083 must be rr with persistence 30.)
    rules += [f"-a -t 192.0.2.119:8082 -r {address}:8082 -g -w 1" for address in WEBS.values()]
    # The service written twice (8083): the real servers of both blocks, never checked.
    rules += [f"-a -t {VIP}:8083 -r {WEBS['web01']}:8083 -g -w 2", f"-a -t {VIP}:8083 -r {WEBS['web02']}:8083 -g -w 7"]
    # No protocol line (UDP), persistence_granularity (NAT), a DR port reset to the service's, MISC_CHECK exit
    # codes (exit 2 is down, exit 5 under misc_dynamic weight 3): never depend on the web servers.
    rules += [f"-a -u {VIP}:5353 -r {WEBS['web01']}:5353 -g -w 1", f"-a -t {VIP}:8084 -r {WEBS['web01']}:8084 -m -w 1",
              f"-a -t {VIP}:8085 -r {WEBS['web01']}:8085 -g -w 1", f"-a -t {VIP}:8086 -r {WEBS['web02']}:8086 -g -w 3"]
    return sorted(rules)


def _track_files(vm, drain, boost):
    """The two FILE_CHECK files on lb01, written whole (the checkers follow the directory, as keepalived)."""
    vm.sh(f"mkdir -p {TRACK_DIR} && chmod 755 {TRACK_DIR} && echo {drain} > {TRACK_DIR}/web01-drain "
          f"&& echo {boost} > {TRACK_DIR}/web02-boost && chmod 644 {TRACK_DIR}/web01-drain {TRACK_DIR}/web02-boost")


def _compare(lab, vm, ours, step, expected):
    """One step: keepalived's and our settled tables on lb01, from a fresh start each."""
    keepalived = KeepalivedSuite()
    results = {}
    timeouts = {}
    for suite in (keepalived, ours):
        lab.reset_lbs()
        # The kernel's defaults again (ipvsadm --set survives a flush), so each suite must set lvs_timeouts itself.
        vm.sh("ipvsadm --set 900 120 300")
        suite.install(vm, "checkers")
        suite.start(vm)
        # DNS_CHECK's keepalived defaults take up to delay_loop + 3 × (connect_timeout + delay_loop) to say down.
        results[suite.name] = _settled_table(vm, f"checkers ({step}) under {suite.name}", timeout=120, quiet=14)
        timeouts[suite.name] = vm.sh("ipvsadm -L --timeout").strip()
        suite.stop(vm)
    lab.reset_lbs()
    vm.sh("ipvsadm --set 900 120 300")
    expect(timeouts["keepalived"] == timeouts[ours.name] == "Timeout (tcp tcpfin udp): 7200 60 120",
           f"checkers ({step}): ipvsadm -L --timeout: keepalived {timeouts['keepalived']!r}, "
           f"{ours.name} {timeouts[ours.name]!r} (lvs_timeouts tcp 7200 tcpfin 60 udp 120)")
    theirs, mine = results["keepalived"], results[ours.name]
    if theirs != mine:
        raise Failed(f"checkers ({step}): tables differ; keepalived only: {[r for r in theirs if r not in mine]}; "
                     f"{ours.name} only: {[r for r in mine if r not in theirs]}")
    real = sorted(r for r in mine if r.startswith("-a "))
    expect(real == expected, f"checkers ({step}): keepalived and {ours.name} agree, but not on what the servers "
                             f"do: expected {expected}; both have {real}")
    say(f"Configs/checkers ({step}): {len(mine)} rules, identical to keepalived's: {'; '.join(real)}")
    return mine


def checkers(ctx):
    """DNS_CHECK, UDP_CHECK (echo with require_reply and a wildcard; silence is up, port unreachable is down),
    SMTP_CHECK and PING_CHECK: our kernel table equals keepalived's with every server up, then with web01's
    servers stopped and its pings unanswered."""
    lab, ours = ctx.lab, ctx.suite
    lab.ensure_lbs(["lb01"])
    vm = lab.vm("lb01")
    lab.set_web_mode("dr")
    try:
        for web, address in WEBS.items():
            _servers(lab, web, address, silent_udp=(web == "web01"))
        everyone = ["web01", "web02"]
        _track_files(vm, 0, 0)
        _compare(lab, vm, ours, "all up", _expected({53: everyone, 9000: everyone, 9001: ["web01"], 25: everyone,
                                                    80: everyone}, {"web01": 3, "web02": 3}))
        _stop_servers(lab, "web01")
        _track_files(vm, 1, 4)
        _compare(lab, vm, ours, "web01's servers stopped, web01 drained, web02 boosted",
                 _expected({53: ["web02"], 9000: ["web02"], 9001: [], 25: ["web02"], 80: ["web02"]}, {"web02": 11}))
        # checkd's unit opened ICMP datagram sockets to its group (ExecStartPre, as root) and no further.
        rng = vm.sh("cat /proc/sys/net/ipv4/ping_group_range").split()
        gid = vm.sh("getent group tandem-checkd | cut -d: -f3").strip()
        say(f"lb01's net.ipv4.ping_group_range after both suites: {' '.join(rng)} (tandem-checkd is {gid}; "
            "keepalived widens it to every group itself)")
        ctx.measure("checkers", "DNS/UDP/SMTP/PING/FILE verdicts, ha_suspend, sh flags, VS weight = keepalived's, all up and web01 down")
    finally:
        vm.sh(f"rm -rf {TRACK_DIR}", check=False)
        for web in WEBS:
            _stop_servers(lab, web)
            ns_run(lab.node_ns[web], ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=0"], check=False)


# (name, function, daemons it needs under --suite tandem)
CHECKERS = [
    ("checkers", checkers, ("ipvsd", "vrrpd", "checkd", COMPARES_WITH_KEEPALIVED)),
]
