#!/bin/sh
# Configures a lab VM's interfaces (run in the guest through the agent):
#   lab-net.sh MAC0 ADDR0/PFX MAC1 ADDR1/PFX
# The NIC with MAC0 becomes eth0 (public LAN), the one with MAC1 eth1 (internal LAN), whatever order the
# kernel probed them in.
set -eu
place() {  # place MAC WANTED-NAME ADDR
    cur=$(ip -o link | awk -v m="$1" 'tolower($0) ~ m {sub(":","",$2); print $2; exit}')
    [ -n "$cur" ] || { echo "no NIC with MAC $1" >&2; exit 1; }
    if [ "$cur" != "$2" ]; then
        ip link set "$cur" down
        if ip link show "$2" >/dev/null 2>&1; then ip link set "$2" down; ip link set "$2" name "tmp-$2"; fi
        ip link set "$cur" name "$2"
    fi
}
place "$1" eth0
place "$3" eth1
[ -e /sys/class/net/tmp-eth1 ] && ip link set tmp-eth1 name eth1 2>/dev/null || true
[ -e /sys/class/net/tmp-eth0 ] && ip link set tmp-eth0 name eth0 2>/dev/null || true
ip addr replace "$2" dev eth0
ip addr replace "$4" dev eth1
ip link set eth0 up
ip link set eth1 up
ip link set lo up
