"""Issue 19's lab proof: hostile configurations reloaded into the running MASTER. A reload must never be able to
end a daemon: one that died kept its VIPs on the interface while the BACKUP took them (both nodes held them).
Each hostile file is sent to all three daemons with SIGHUP (bypassing the units' validate-before-reload, which
would refuse it first); each daemon logs "reload refused" and keeps running, the VIPs and the table stay on lb01,
lb02 stays BACKUP, and client requests never fail."""
import time

from .checks import Load, expect, format_table, ipvs_table, say, wait_table, wait_vips
from .faults import VIPS, _journal_cursor, _state_changes
from .scenarios import LBS, dr_table, prepare, _main_pid, _wait
from .suites import TANDEM_ONLY

CONF = "/etc/keepalived/keepalived.conf"
# Each appends to a copy of the good configuration (kept in keepalived.conf.good) a shell-made hostile part.
HOSTILE = [
    ("100,000 nested braces",
     f"{{ printf 'vrrp_instance deep '; head -c 100000 /dev/zero | tr '\\0' '{{'; echo; }} >> {CONF}"),
    ("include of a FIFO nobody writes",
     f"rm -f /etc/keepalived/fifo.conf && mkfifo /etc/keepalived/fifo.conf && echo 'include /etc/keepalived/fifo.conf' >> {CONF}"),
    ("a dozen files including their own directory",
     "mkdir -p /etc/keepalived/loop && for i in $(seq 1 12); do echo 'include /etc/keepalived/loop/*.conf' > "
     f"/etc/keepalived/loop/f$i.conf; done && echo 'include /etc/keepalived/loop/*.conf' >> {CONF}"),
]
DAEMONS = ("vrrpd", "ipvsd", "checkd")


def _refusals(vm, unit, cursor):
    out = vm.sh(f"journalctl --no-pager -o cat -u {unit} --after-cursor '{cursor}' | grep -c 'reload refused' || true",
                check=False).strip()
    return int(out) if out.isdigit() else 0


def hostile_reload(ctx):
    """Each hostile file SIGHUPed into the MASTER's three daemons: every one refuses it and lives, no VIP moves, the
    table stays, no client request fails."""
    lab = ctx.lab
    master, backup = lab.vm("lb01"), lab.vm("lb02")
    prepare(ctx, "dr")
    wait_vips(lab, VIPS, "lb01")
    expected = dr_table("Route")
    wait_table(lab, "lb01", expected)
    units = " ".join(f"-u {u}" for u in ctx.suite.units)
    cursors = {n: _journal_cursor(lab.vm(n)) for n in LBS}
    pids = {d: _main_pid(master, d) for d in DAEMONS}
    master.sh(f"cp {CONF} {CONF}.good")
    load = Load(lab, "192.0.2.93", 80, duration=240)
    time.sleep(2)
    rounds = []
    for round_number, (what, make) in enumerate(HOSTILE, start=1):
        master.sh(f"cp {CONF}.good {CONF} && {make}")
        # systemctl reload would run -t first and refuse; the daemons' own reading is what is proven here.
        t0 = time.monotonic()
        # To the main processes only: checkd's running scripts are in its cgroup too.
        master.sh("kill -HUP " + " ".join(pids[d] for d in DAEMONS))
        refused = _wait(lambda: all(_refusals(master, d, cursors["lb01"]) >= round_number for d in DAEMONS),
                        timeout=60, step=1)
        took = time.monotonic() - t0
        alive = {d: _main_pid(master, d) for d in DAEMONS}
        holders = {v: lab.holders(v) for v in VIPS}
        rounds.append((what, refused, round(took, 1), alive == pids, holders))
        expect(refused, f"hostile reload ({what}): not every daemon said 'reload refused' within 60 s")
        expect(alive == pids, f"hostile reload ({what}): a daemon was restarted or died: {pids} -> {alive}")
        expect(all(h == ["lb01"] for h in holders.values()), f"hostile reload ({what}): a VIP moved: {holders}")
    table = ipvs_table(master)
    master.sh(f"cp {CONF}.good {CONF} && rm -f /etc/keepalived/fifo.conf && rm -rf /etc/keepalived/loop")
    master.sh("systemctl reload " + " ".join(DAEMONS))
    s = load.finish()
    changes = {n: _state_changes(lab.vm(n), units, cursors[n]) for n in LBS}
    reloaded = master.sh(f"journalctl --no-pager -o cat -u vrrpd --after-cursor '{cursors['lb01']}' | "
                         "grep -c 'reloaded ' || true", check=False).strip()
    say("hostile reloads on the MASTER (SIGHUP to all three daemons): "
        + "; ".join(f"{w}: refused in {t}s, daemons kept={k}" for w, _, t, k, _ in rounds)
        + f"; {s['requests']} requests, {s['failed']} failed; state changes {changes}; good reload after: {reloaded}")
    expect(table == expected or all(table.get(k) == v for k, v in expected.items()),
           f"hostile reload: the table changed: {format_table(table)}")
    expect(not any(changes.values()), f"hostile reload: a VRRP state changed (lb02 must stay BACKUP): {changes}")
    expect(s["requests"] > 50 and s["failed"] == 0, f"hostile reload: failed requests: {s}")
    expect(reloaded.isdigit() and int(reloaded) >= 1, "hostile reload: the good configuration did not reload after")
    ctx.measure("hostile reloads on the MASTER (3 files x 3 daemons)",
                f"all refused ({', '.join(f'{t}s' for _, _, t, _, _ in rounds)}), no daemon restarted, no VIP move, "
                f"lb02 stayed BACKUP, {s['failed']} failed of {s['requests']}")


HOSTILE_SCENARIOS = [
    ("hostile-reload", hostile_reload, ("vrrpd", "ipvsd", "checkd", TANDEM_ONLY)),
]
