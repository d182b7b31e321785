#!/bin/sh
# Returns a lab VM to its freshly booted network state between scenarios (run in the guest):
# stops the load balancer suite and the lab's helper listeners, flushes IPVS, and removes every address
# except the node's own (a killed keepalived leaves its VIPs behind).
#   lab-reset.sh PUBADDR/PFX INTADDR/PFX
set -u
for u in keepalived vrrpd ipvsd checkd lab-sorry lab-8001; do
    systemctl stop "$u" 2>/dev/null
    systemctl reset-failed "$u" 2>/dev/null
done
ipvsadm -C
for dev in eth0 eth1; do
    case $dev in eth0) keep=$1 ;; eth1) keep=$2 ;; esac
    ip -o -4 addr show dev "$dev" | awk '{print $4}' | while read -r a; do
        [ "$a" = "$keep" ] || ip addr del "$a" dev "$dev"
    done
done
ip -o -4 addr show dev lo | awk '{print $4}' | while read -r a; do
    [ "$a" = "127.0.0.1/8" ] || ip addr del "$a" dev lo
done
rm -f /etc/keepalived/keepalived.conf /etc/keepalived/notify.sh
exit 0
