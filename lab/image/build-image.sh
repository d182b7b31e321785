#!/bin/bash
# Builds the lab's guest image into a cache directory: a debootstrapped bookworm root filesystem
# (ext4 image, booted directly as /dev/nvme0n1, no initramfs) plus Debian's cloud kernel.
# Usage: build-image.sh OUTDIR   (OUTDIR must not exist; it appears only when complete)
# Everything comes from Debian's apt: debootstrap for the rootfs, `apt-get download` for the kernel.
set -euo pipefail

out=${1:?usage: build-image.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mirror=${TANDEM_LAB_MIRROR:-http://deb.debian.org/debian}
cache_root=$(dirname "$out")
work=$(mktemp -d "$cache_root/build.XXXXXX")
rootfs=$work/rootfs

cleanup() {
    # debootstrap mounts proc/sys inside the target; an interrupted build must not leave them mounted.
    local m
    for m in $(findmnt -rn -o TARGET | grep -F "$work/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[build-image %s] %s\n' "$(date +%T)" "$*" >&2; }

packages=$(grep -v '^#' "$here/packages.txt" | grep -v '^$' | paste -sd, -)
mkdir -p "$cache_root/debs"

log "debootstrap bookworm ($mirror)"
debootstrap --variant=minbase --cache-dir="$cache_root/debs" --include="$packages" \
    bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

log "kernel: Debian's linux-image cloud-amd64"
kpkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$kpkg" ] || { log "cannot resolve linux-image-cloud-amd64 (run apt-get update)"; exit 1; }
(cd "$work" && apt-get -q -o APT::Sandbox::User=root download "$kpkg" > /dev/null)
dpkg-deb -x "$work"/"$kpkg"_*.deb "$work/kernel"
kver=${kpkg#linux-image-}
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"
mkdir -p "$rootfs/lib/modules"
cp -a "$work/kernel/lib/modules/$kver" "$rootfs/lib/modules/"
chroot "$rootfs" depmod -a "$kver"

log "guest configuration"
"$here/configure-rootfs.sh" "$rootfs"

log "ext4 image"
# Trim what a test VM never reads, so mkfs copies less.
rm -rf "$rootfs"/usr/share/{doc,man,info,locale} "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
truncate -s 2G "$work/rootfs.img"
mkfs.ext4 -q -F -L labroot -d "$rootfs" "$work/rootfs.img"
rm -rf "$rootfs"

echo "$kver" > "$work/kernel-version"
mkdir -p "$out"
mv "$work/rootfs.img" "$work/vmlinuz" "$work/kernel-version" "$out/"
log "done: $out"
