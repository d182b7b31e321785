"""Issue 6: each Configs/ file with virtual servers gives the kernel the same IPVS table from our ipvsd as from
keepalived. keepalived is the oracle: the same file, the same VM, the same web servers, one after the other, and
the whole `ipvsadm -Sn` compared (schedulers, flags, persistence, forwarding, weights, thresholds)."""
import time

from .checks import Failed, say
from .host import wait_until
from .suites import KeepalivedSuite

# Configs directories that define virtual servers, with the web servers' mode their real servers need.
CONFIGS = (("dr", "dr"), ("dr-sorry", "dr"), ("nat", "nat"), ("nat-http", "nat"))


def _settled_table(vm, what, timeout=90, quiet=6):
    """`ipvsadm -Sn` as sorted lines once it is non-empty and unchanged for `quiet` seconds (checks settled)."""
    seen = {"rules": None, "since": None}

    def settled():
        rules = sorted(vm.sh("ipvsadm -Sn").splitlines())
        now = time.monotonic()
        if rules != seen["rules"]:
            seen["rules"], seen["since"] = rules, now
            return False
        return bool(rules) and now - seen["since"] >= quiet
    wait_until(settled, timeout, 1.0, f"{what}: a settled IPVS table on {vm.name}")
    return seen["rules"]


def tables(ctx):
    """Every Configs/ file with virtual servers: ipvsd's kernel table equals keepalived's, rule for rule."""
    lab, ours = ctx.lab, ctx.suite
    keepalived = KeepalivedSuite()
    lab.ensure_lbs(["lb01"])
    vm = lab.vm("lb01")
    for config_dir, web_mode in CONFIGS:
        lab.set_web_mode(web_mode)
        lab.start_all_web()
        results = {}
        for suite in (keepalived, ours):
            lab.reset_lbs()
            suite.install(vm, config_dir)
            suite.start(vm)
            results[suite.name] = _settled_table(vm, f"{config_dir} under {suite.name}")
            suite.stop(vm)
        lab.reset_lbs()
        theirs, mine = results["keepalived"], results[ours.name]
        if theirs != mine:
            only_theirs = [r for r in theirs if r not in mine]
            only_mine = [r for r in mine if r not in theirs]
            raise Failed(f"Configs/{config_dir}/lb01.conf: tables differ; keepalived only: {only_theirs}; "
                         f"{ours.name} only: {only_mine}")
        say(f"Configs/{config_dir}: {len(mine)} rules, identical to keepalived's")
        ctx.measure(f"tables {config_dir}", f"{len(mine)} rules = keepalived")
