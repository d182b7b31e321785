"""The guest image cache under ~/.cache/tandem-lab/, keyed by a hash of the package list and build scripts."""
import hashlib
import os
import shutil
import subprocess
import time

from .qemu_sockets import LabError

BUILD_INPUTS = ("packages.txt", "build-image.sh", "configure-rootfs.sh")


def cache_root():
    return os.environ.get("TANDEM_LAB_CACHE", os.path.expanduser("~/.cache/tandem-lab"))


def image_key(image_src):
    h = hashlib.sha256()
    for name in BUILD_INPUTS:
        h.update(name.encode() + b"\0")
        with open(os.path.join(image_src, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def ensure_image(image_src, log):
    """Returns (image dir, seconds spent building or 0.0 if it was cached). Stale images are removed."""
    root = cache_root()
    os.makedirs(root, exist_ok=True)
    key = image_key(image_src)
    target = os.path.join(root, f"img-{key}")
    if os.path.exists(os.path.join(target, "kernel-version")):
        return target, 0.0
    for old in os.listdir(root):
        if old.startswith("img-") and old != f"img-{key}":
            log(f"removing stale image {old}")
            shutil.rmtree(os.path.join(root, old), ignore_errors=True)
    log(f"building guest image img-{key} (debootstrap + Debian cloud kernel; a few minutes)")
    t0 = time.monotonic()
    p = subprocess.run([os.path.join(image_src, "build-image.sh"), target])
    if p.returncode != 0:
        raise LabError(f"image build failed (exit {p.returncode})")
    return target, time.monotonic() - t0
