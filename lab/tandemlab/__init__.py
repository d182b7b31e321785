"""The tandem lab: real kernel IPVS and real systemd in qemu TCG VMs, driven from the host."""
