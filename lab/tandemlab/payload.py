"""The payload disk: a small read-only ext4 image (mkfs.ext4 -d, no mount) that carries the guest scripts,
the Configs and, for the tandem suite, our binaries and units into both VMs as /lab."""
import os
import shutil

from .host import run


def build_payload(state_dir, lab_dir, configs_dir, extra_files):
    """Writes <state_dir>/payload.img; `extra_files` is {path inside payload: host path}."""
    root = os.path.join(state_dir, "payload")
    shutil.copytree(os.path.join(lab_dir, "guest"), os.path.join(root, "guest"))
    shutil.copytree(configs_dir, os.path.join(root, "Configs"))
    for rel, src in extra_files.items():
        dst = os.path.join(root, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    with open(os.path.join(root, "payload.id"), "w") as f:
        f.write(state_dir + "\n")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
    img = os.path.join(state_dir, "payload.img")
    with open(img, "wb") as f:
        f.truncate(size * 2 + 32 * 1024 * 1024)
    run(["mkfs.ext4", "-q", "-F", "-L", "labdata", "-d", root, img])
    shutil.rmtree(root)
    return img
