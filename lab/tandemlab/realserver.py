"""`tandemctl realserver --tunnel` on a kernel that has the tunnel modules (the lab's VMs; the host has no ipip):
the LVS-TUN setup of a real server, idempotent, and undone by `down`."""
import json

from .checks import expect, say
from .suites import TANDEM_ONLY

TUN_VIPS = ["192.0.2.200", "2001:db8::200"]
SYSCTLS = ["net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce", "net.ipv4.conf.all.rp_filter"]


def _sysctls(vm):
    return {k: vm.sh(f"sysctl -n {k}").strip() for k in SYSCTLS}


def _addresses(vm, device):
    return vm.sh(f"ip -o addr show dev {device} 2>/dev/null | awk '{{print $4}}'", check=False).split()


def realserver_tunnel(ctx):
    """On lb02 (no daemon running): with IPv6 disabled on ip6tnl0 (the lab's default) `up --tunnel` of an IPv6 VIP
    fails and says why; with it enabled, `tandemctl realserver up --tunnel` puts an IPv4 VIP on tunl0 (module ipip) and
    an IPv6 one on ip6tnl0 (ip6_tunnel), brings them up, sets rp_filter 0 and the ARP sysctls; a second `up`
    changes nothing; `status --json` says ok; `down` removes both and restores every sysctl it changed."""
    lab = ctx.lab
    lab.ensure_lbs(("lb02",))
    vm = lab.vm("lb02")
    ctx.suite.install(vm, "dr")          # the binaries (and a config nothing reads here)
    vm.sh("systemctl stop vrrpd ipvsd checkd 2>/dev/null || true")
    state = "--state-dir /run/lab-realserver"
    # The lab's guests run with IPv6 disabled; a TUN real server for an IPv6 VIP needs it on ip6tnl0 (which takes
    # `default` when ip6_tunnel loads). tandemctl does not turn it on by itself: first it must say so plainly.
    initial = _sysctls(vm)
    refused = vm.sh(f"tandemctl realserver up --tunnel {state} 2001:db8::201 2>&1; echo rc=$?", check=False)
    vm.sh(f"tandemctl realserver down --tunnel {state} 2001:db8::201 >/dev/null 2>&1 || true")
    after_refusal = _sysctls(vm)
    ipv6 = "net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.ip6tnl0.disable_ipv6"
    saved_ipv6 = vm.sh(f"sysctl -e {ipv6}", check=False)
    vm.sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 "
          "net.ipv6.conf.ip6tnl0.disable_ipv6=0")
    before = _sysctls(vm)
    vips = " ".join(TUN_VIPS)
    vm.sh(f"tandemctl realserver up --tunnel {state} {vips}")
    first = (_addresses(vm, "tunl0"), _addresses(vm, "ip6tnl0"), _sysctls(vm),
             vm.sh("sysctl -n net.ipv4.conf.tunl0.rp_filter").strip())
    vm.sh(f"tandemctl realserver up --tunnel {state} {vips}")
    second = (_addresses(vm, "tunl0"), _addresses(vm, "ip6tnl0"), _sysctls(vm),
              vm.sh("sysctl -n net.ipv4.conf.tunl0.rp_filter").strip())
    report = json.loads(vm.sh(f"tandemctl realserver status --tunnel --json {state} {vips}"))
    links = vm.sh("ip -o link show tunl0; ip -o link show ip6tnl0")
    vm.sh(f"tandemctl realserver down --tunnel {state} {vips}")
    after = (_addresses(vm, "tunl0"), _addresses(vm, "ip6tnl0"), _sysctls(vm))
    for line in saved_ipv6.splitlines():
        if " = " in line:
            key, value = line.split(" = ", 1)
            vm.sh(f"sysctl -qw {key.strip()}={value.strip()}", check=False)
    say(f"realserver --tunnel with IPv6 disabled: {refused.strip().splitlines()[0]}")
    say(f"realserver --tunnel on lb02: tunl0 {first[0]}, ip6tnl0 {first[1]}, sysctls {first[2]}, tunl0 rp_filter "
        f"{first[3]}; second up the same: {first == second}; status ok {report.get('ok')}; after down: tunl0 "
        f"{after[0]}, ip6tnl0 {after[1]}, sysctls {after[2]} (before {before})")
    expect("rc=1" in refused and "2001:db8::201/128" in refused and "disable_ipv6" in refused,
           f"up --tunnel with IPv6 disabled on ip6tnl0 did not say so: {refused}")
    expect(after_refusal == initial, f"a refused up (and its down) left sysctls changed: {initial} → {after_refusal}")
    expect("192.0.2.200/32" in first[0], f"tunl0 lacks the VIP: {first[0]}")
    expect("2001:db8::200/128" in first[1], f"ip6tnl0 lacks the VIP: {first[1]}")
    expect(",UP" in links.split("\n")[0] or "UP," in links.split("\n")[0], f"tunl0 not up: {links}")
    expect(first[2]["net.ipv4.conf.all.arp_ignore"] == "1" and first[2]["net.ipv4.conf.all.arp_announce"] == "2"
           and first[2]["net.ipv4.conf.all.rp_filter"] == "0" and first[3] == "0", f"sysctls after up: {first}")
    expect(first == second, f"a second up changed something: {first} → {second}")
    expect(report.get("ok") is True and not report.get("problems"), f"realserver status: {report}")
    expect("192.0.2.200/32" not in after[0] and "2001:db8::200/128" not in after[1], f"down left a VIP: {after}")
    expect(after[2] == before, f"down did not restore the sysctls: {before} → {after[2]}")
    ctx.measure("realserver --tunnel (lab kernel)", "tunl0 + ip6tnl0 set up, idempotent, undone by down")


# (name, function, daemons it needs under --suite tandem)
REALSERVER = [
    ("realserver-tunnel", realserver_tunnel, ("tandemctl", TANDEM_ONLY)),
]
