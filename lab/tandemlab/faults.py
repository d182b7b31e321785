"""Fault scenarios of issue 16 that need the lab's real kernel and systemd: the wall clock stepped on the master,
and ipvsd killed in the middle of a large reconcile."""
import time

from .checks import Load, expect, format_table, ipvs_table, say, wait_table, wait_vips
from .scenarios import LBS, dr_table, prepare, _main_pid, _wait
from .suites import TANDEM_ONLY

VIPS = ["192.0.2.93", "192.0.2.94"]


def _journal_cursor(vm):
    """The journal's position now: entries after it are found by order, not by their (stepped) timestamps."""
    out = vm.sh("journalctl --no-pager -n 0 --show-cursor", check=False)
    return out.strip().rsplit("-- cursor: ", 1)[-1].strip()


def _state_changes(vm, unit_args, cursor):
    """Lines in which the suite logged a VRRP state change after the journal position `cursor`."""
    out = vm.sh(f"journalctl --no-pager -o cat {unit_args} --after-cursor '{cursor}' | "
                "grep -E '→ (MASTER|BACKUP|FAULT)|Entering (MASTER|BACKUP|FAULT) STATE' || true", check=False)
    return [line for line in out.splitlines() if line.strip()]


def clock_step(ctx):
    """The master's wall clock stepped by +1 h, back, by −1 h and back, under client load: the daemons' timers are
    monotonic, so nothing happens — 0 failed requests, no state change on either node, the VIPs and the table stay."""
    lab = ctx.lab
    master = lab.vm("lb01")
    prepare(ctx, "dr")
    wait_vips(lab, VIPS, "lb01")
    expected = dr_table("Route")
    wait_table(lab, "lb01", expected)
    units = " ".join(f"-u {u}" for u in ctx.suite.units)
    cursors = {n: _journal_cursor(lab.vm(n)) for n in LBS}
    # No NTP client in the image may undo the steps while the scenario runs (the VMs have no route out anyway).
    master.sh("timedatectl set-ntp false 2>/dev/null || true")
    load = Load(lab, "192.0.2.93", 80, duration=90)
    time.sleep(2)
    holders, tables = [], []
    for step in ("+3600", "-3600", "-3600", "+3600"):
        master.sh(f"date -s @$(( $(date +%s) {step[0]} {step[1:]} )) >/dev/null")
        time.sleep(6)
        holders.append({v: lab.holders(v) for v in VIPS})
        tables.append(ipvs_table(master))
    s = load.finish()
    changes = {n: _state_changes(lab.vm(n), units, cursors[n]) for n in LBS}
    say(f"clock steps ±1 h on lb01 under load: {s['requests']} requests, {s['failed']} failed; "
        f"state changes {sum(len(c) for c in changes.values())}; VIP holders {holders[-1]}")
    expect(s["requests"] > 50 and s["failed"] == 0, f"clock step: failed requests: {s}")
    expect(all(h == ["lb01"] for seen in holders for h in seen.values()), f"clock step: a VIP moved: {holders}")
    expect(all(t == expected for t in tables), f"clock step: the table changed: {[format_table(t) for t in tables]}")
    # The first start's changes are before the cursor; any after it is the clock's doing.
    expect(not any(changes.values()), f"clock step: VRRP state changed: {changes}")
    ctx.measure("wall clock ±1 h on the master", f"{s['failed']} failed of {s['requests']}, no state change, no VIP move")


# 2,000 services with one destination each (no checker: always in the table), beside Configs/dr's three.
BIG_SERVICES = 2000


def _big_config(scheduler):
    """A shell command appending BIG_SERVICES virtual servers on 203.0.113.1-250, ports 10000-10007."""
    return (f"for a in $(seq 1 250); do for p in $(seq 10000 10007); do "
            f"printf 'virtual_server 203.0.113.%s %s {{\\n  lb_algo {scheduler}\\n  lb_kind DR\\n  protocol TCP\\n"
            f"  real_server 198.51.100.10 %s {{\\n    weight 1\\n  }}\\n}}\\n' $a $p $p; "
            f"done; done >> /etc/keepalived/keepalived.conf")


def _big_services(vm, scheduler="[a-z]+"):
    """How many of the BIG_SERVICES services the kernel has, with `scheduler` (a regular expression)."""
    out = vm.sh(f"ipvsadm -Ln | grep -cE '^TCP  203[.]0[.]113[.][0-9]+:[0-9]+ {scheduler}( |$)' || true",
                check=False).strip()
    return int(out) if out.isdigit() else -1


def kill_ipvsd(ctx):
    """kill -9 of ipvsd in the middle of a 2,000-service reconcile (a reload that changes every scheduler): systemd
    restarts it and it converges to the configured table; a service it does not own (added with ipvsadm) and
    Configs/dr's services are not touched, and client traffic through them never fails."""
    lab = ctx.lab
    vm = lab.vm("lb01")
    prepare(ctx, "dr", edit=_big_config("rr"))
    wait_vips(lab, VIPS, "lb01")
    expected = dr_table("Route")
    ok = _wait(lambda: _big_services(vm) == BIG_SERVICES, timeout=240, step=3)
    expect(ok, f"kill ipvsd: the {BIG_SERVICES} services were not installed ({_big_services(vm)})")
    # ipvsadm -A/-a: a service ipvsd does not own.
    vm.sh("ipvsadm -A -t 198.51.100.50:9999 -s sh && ipvsadm -a -t 198.51.100.50:9999 -r 198.51.100.51:9999 -g -w 3")
    load = Load(lab, "192.0.2.93", 80, duration=600)
    time.sleep(1)
    attempts, scheduler, took = [], "rr", 0.0
    # A reload of 2,000 schedulers takes ~2 s to start changing them in the TCG VM: try that first.
    for delay in (2.0, 3.0, 1.0, 0.5):
        before = _main_pid(vm, "ipvsd")
        scheduler = "wrr" if scheduler == "rr" else "rr"
        vm.sh(f"sed -i '/^virtual_server 203.0.113/,/^}}/ s/lb_algo [a-z]*$/lb_algo {scheduler}/' "
              "/etc/keepalived/keepalived.conf")
        t0 = time.monotonic()
        vm.sh(f"systemctl kill -s HUP ipvsd; sleep {delay}; systemctl kill -s KILL ipvsd")
        changed = _big_services(vm, scheduler)
        attempts.append((delay, changed))
        restarted = _wait(lambda: _main_pid(vm, "ipvsd") not in ("0", before), timeout=30)
        expect(restarted, "kill ipvsd: systemd did not restart ipvsd after kill -9")
        converged = _wait(lambda: _big_services(vm, scheduler) == BIG_SERVICES, timeout=300, step=3)
        took = time.monotonic() - t0
        expect(converged, f"kill ipvsd: not converged to {scheduler} on all {BIG_SERVICES} services after the restart")
        if 0 < changed < BIG_SERVICES:
            break
    table = ipvs_table(vm)
    foreign = table.get("TCP 198.51.100.50:9999 sh")
    s = load.finish()
    mid = attempts[-1]
    say(f"kill -9 ipvsd {mid[0]}s into a {BIG_SERVICES}-service reload: {mid[1]} of {BIG_SERVICES} services changed "
        f"at the kill (attempts {attempts}); converged {took:.0f}s after the reload; foreign service {foreign}; "
        f"{s['requests']} requests through .93:80, {s['failed']} failed")
    expect(0 < mid[1] < BIG_SERVICES, f"kill ipvsd: never caught mid-reconcile: {attempts}")
    expect(foreign == {"198.51.100.51:9999": ("Route", 3)}, f"kill ipvsd: the foreign service was touched: {foreign}")
    expect(all(table.get(svc) == dests for svc, dests in expected.items()),
           f"kill ipvsd: Configs/dr's services changed: {format_table({k: table.get(k) for k in expected})}")
    expect(s["failed"] == 0, f"kill ipvsd: {s['failed']} of {s['requests']} requests failed")
    ctx.measure("kill -9 ipvsd mid-reconcile (2,000 services)",
                f"{mid[1]}/{BIG_SERVICES} changed at the kill, converged in {took:.0f}s, foreign service kept, "
                f"{s['failed']} failed of {s['requests']}")


# (name, function, daemons it needs under --suite tandem); run after the seed scenarios.
FAULTS = [
    ("clock-step", clock_step, ("vrrpd", "ipvsd", "checkd")),
    ("kill-ipvsd", kill_ipvsd, ("ipvsd", "vrrpd", "checkd", TANDEM_ONLY)),
]
