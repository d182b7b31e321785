#!/bin/bash
# Makes a debootstrapped rootfs boot fast and quietly as a lab VM (run by build-image.sh).
# Per-VM settings (hostname, addresses) are applied at run time, so one image serves every node.
set -euo pipefail
r=${1:?usage: configure-rootfs.sh ROOTFS}
mask() { local u; for u in "$@"; do ln -sf /dev/null "$r/etc/systemd/system/$u"; done; }

# Root on the NVMe disk (built into the cloud kernel); the lab payload disk (virtio, label labdata)
# is optional so a boot never waits for it.
cat > "$r/etc/fstab" <<'FSTAB'
/dev/nvme0n1  /     ext4  rw,noatime,errors=remount-ro  0 1
LABEL=labdata /lab  ext4  ro,nofail,x-systemd.device-timeout=30s  0 0
FSTAB
mkdir -p "$r/lab"

# Boot time: nothing interactive, no persistent journal, no periodic jobs.
mask getty@tty1.service serial-getty@ttyS0.service getty.target \
     systemd-journal-flush.service systemd-update-utmp.service systemd-update-utmp-runlevel.service \
     apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer \
     systemd-tmpfiles-clean.timer man-db.timer logrotate.timer \
     e2scrub_reap.service systemd-timesyncd.service systemd-networkd-wait-online.service systemd-logind.service
mkdir -p "$r/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' > "$r/etc/systemd/journald.conf.d/lab.conf"

ln -sf /lib/systemd/system/multi-user.target "$r/etc/systemd/system/default.target"

# keepalived and FRR start only when a scenario asks for them.
rm -f "$r/etc/systemd/system/multi-user.target.wants/keepalived.service" \
      "$r/etc/systemd/system/multi-user.target.wants/frr.service"

# IPVS is what the lab is for: load it at boot so `ipvsadm -Ln` always answers.
printf 'ip_vs\nip_vs_rr\nip_vs_wrr\n' > "$r/etc/modules-load.d/lab-ipvs.conf"

# Forwarding for NAT directors; DR/NAT sysctls the scenarios expect.
cat > "$r/etc/sysctl.d/60-lab.conf" <<'SYSCTL'
net.ipv4.ip_forward = 1
net.ipv4.conf.all.rp_filter = 0
net.ipv4.conf.default.rp_filter = 0
net.ipv4.ip_nonlocal_bind = 1
net.ipv6.conf.all.disable_ipv6 = 1
net.ipv6.conf.default.disable_ipv6 = 1
SYSCTL

echo lab > "$r/etc/hostname"
printf '127.0.0.1 localhost\n' > "$r/etc/hosts"
: > "$r/etc/machine-id"
passwd -R "$r" -d root > /dev/null
