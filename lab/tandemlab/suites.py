"""The two suites: Debian's keepalived, or our daemons (vrrpd, ipvsd, checkd) with their systemd units.

A suite says how to install a node's config and how to start, stop, reload and restart the load balancer on it;
the scenarios are the same for both."""
import glob
import os
import subprocess

from .qemu_sockets import LabError

DAEMONS = ("vrrpd", "ipvsd", "checkd")
# In a scenario's needs: it uses keepalived as the oracle for our daemons, so only the tandem suite runs it.
COMPARES_WITH_KEEPALIVED = "keepalived as oracle"
# In a scenario's needs: it drives something keepalived does not have (tandemctl switchover).
TANDEM_ONLY = "tandem only"
# In a scenario's needs: it installs our Debian package (scripts/package), carried on the payload disk as deb/.
PACKAGE = "the .deb"


def daemon_issues(lab_dir):
    """{daemon: issue number} from lab/daemon-issues.txt (lines `daemon issue`), for SKIP messages."""
    issues = {}
    path = os.path.join(lab_dir, "daemon-issues.txt")
    if os.path.exists(path):
        for line in open(path):
            parts = line.split("#", 1)[0].split()
            if len(parts) == 2:
                issues[parts[0]] = parts[1]
    return issues


class KeepalivedSuite:
    """Debian's keepalived 2.2.7 from the guest image: one service does VRRP, IPVS and checks."""

    name = "keepalived"
    units = ("keepalived",)

    def missing(self, needs):
        if COMPARES_WITH_KEEPALIVED in needs:
            return "compares our daemons with keepalived; it runs under --suite tandem"
        if PACKAGE in needs:
            return "installs tandem's own Debian package; it runs under --suite tandem"
        if TANDEM_ONLY in needs:
            return "drives what keepalived does not have (tandemctl switchover, daemons of its own); keepalived's stop is measured in `failover`"
        return None

    def install(self, vm, config_dir):
        vm.sh(f"mkdir -p /etc/keepalived && cp /lab/Configs/{config_dir}/{vm.name}.conf /etc/keepalived/keepalived.conf"
              f" && if [ -e /lab/Configs/{config_dir}/notify.sh ]; then"
              f" install -m 0755 /lab/Configs/{config_dir}/notify.sh /etc/keepalived/notify.sh; fi")

    def start(self, vm):
        vm.sh("systemctl start keepalived")

    def stop(self, vm):
        """Stops the whole suite gracefully (the failover scenario's "stop its service")."""
        vm.sh("systemctl stop keepalived")

    def reload(self, vm):
        vm.sh("systemctl reload keepalived")

    def restart(self, vm, daemon):
        raise LabError(f"keepalived has no separate {daemon}")


class TandemSuite:
    """Our three daemons, binaries from --bin and units from <repo>/systemd, carried in on the payload disk."""

    name = "tandem"
    units = DAEMONS

    def __init__(self, bin_dir, unit_dir, issues, repo=None):
        self.bin_dir = bin_dir
        self.unit_dir = unit_dir
        self.issues = issues
        self.repo = repo
        self.deb = None   # the host path of the .deb on the payload, when a scenario needs it

    def package(self, work_dir):
        """The .deb for the package scenario: $TANDEM_LAB_DEB if set, else built now from --bin by
        scripts/package into <work_dir>/dist (1–2 min: strip, dpkg-shlibdeps, xz; it refuses binaries that need the
        Swift runtime)."""
        given = os.environ.get("TANDEM_LAB_DEB")
        if given:
            if not os.path.isfile(given):
                raise LabError(f"TANDEM_LAB_DEB={given}: no such file")
            return os.path.abspath(given)
        dist = os.path.join(work_dir, "dist")
        p = subprocess.run([os.path.join(self.repo, "scripts", "package"), self.bin_dir], capture_output=True,
                           text=True, env=dict(os.environ, DIST=dist), timeout=600)
        if p.returncode != 0:
            raise LabError(f"scripts/package {self.bin_dir} failed: {(p.stderr or p.stdout).strip()[-500:]}")
        debs = glob.glob(os.path.join(dist, "tandem_*.deb"))
        if len(debs) != 1:
            raise LabError(f"scripts/package left {debs} in {dist}")
        return debs[0]

    def missing(self, needs):
        """The first daemon this scenario needs whose binary or unit is not there yet, as a SKIP reason."""
        for d in needs:
            if d in (COMPARES_WITH_KEEPALIVED, TANDEM_ONLY):
                continue
            if d == PACKAGE:
                if not os.environ.get("TANDEM_LAB_DEB") and not (self.repo and os.path.exists("/usr/bin/dpkg-deb")):
                    return "no dpkg-deb on the host to build the package (or set TANDEM_LAB_DEB)"
                continue
            if d == "tandemctl":   # a command, not a daemon: no unit
                if not (self.bin_dir and os.access(os.path.join(self.bin_dir, d), os.X_OK)):
                    return "waiting on tandemctl (not built)"
                continue
            if not (self.bin_dir and os.access(os.path.join(self.bin_dir, d), os.X_OK)
                    and os.path.exists(os.path.join(self.unit_dir, f"{d}.service"))):
                return f"waiting on {d} (issue {self.issues.get(d, '?')})"
        return None

    def payload(self, needs=(), work_dir=None):
        """Files to put on the payload disk: {path in payload: host path}. With PACKAGE in `needs` (the union of
        the runnable scenarios' needs) also deb/<the package>."""
        files = {}
        if PACKAGE in needs:
            self.deb = self.package(work_dir)
            files[f"deb/{os.path.basename(self.deb)}"] = self.deb
        for d in DAEMONS + ("tandemctl",):
            b = os.path.join(self.bin_dir or "", d)
            if os.path.exists(b):
                files[f"bin/{d}"] = b
        if os.path.isdir(self.unit_dir):
            for f in os.listdir(self.unit_dir):
                files[f"systemd/{f}"] = os.path.join(self.unit_dir, f)
        return files

    def install(self, vm, config_dir):
        # Binaries and units once per boot (the payload does not change during a run; /run is empty after a
        # reboot): sysusers, tmpfiles and daemon-reload cost ~7 s per scenario under TCG. The config every time.
        vm.sh("set -e; if [ ! -e /run/tandem-lab-installed ]; then install -m 0755 /lab/bin/* /usr/local/sbin/;"
              " for f in /lab/systemd/*; do case $f in"
              "  *.service) install -m 0644 $f /etc/systemd/system/ ;;"
              "  *sysusers*) install -D -m 0644 $f /etc/sysusers.d/tandem.conf ;;"
              "  *tmpfiles*) install -D -m 0644 $f /etc/tmpfiles.d/tandem.conf ;;"
              " esac; done;"
              " systemd-sysusers; systemd-tmpfiles --create; systemctl daemon-reload;"
              " touch /run/tandem-lab-installed; fi;"
              f" mkdir -p /etc/keepalived && cp /lab/Configs/{config_dir}/{vm.name}.conf /etc/keepalived/keepalived.conf;"
              f" if [ -e /lab/Configs/{config_dir}/notify.sh ]; then"
              f" install -m 0755 /lab/Configs/{config_dir}/notify.sh /etc/keepalived/notify.sh; fi")

    def start(self, vm):
        vm.sh("systemctl start " + " ".join(DAEMONS))

    def stop(self, vm):
        vm.sh("systemctl stop " + " ".join(DAEMONS))

    def reload(self, vm):
        vm.sh("systemctl reload " + " ".join(DAEMONS))

    def restart(self, vm, daemon):
        vm.sh(f"systemctl restart {daemon}")
