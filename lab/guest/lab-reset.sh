#!/bin/sh
# Returns a lab VM to its freshly booted network state between scenarios (run in the guest):
# stops the load balancer suite and the lab's helper listeners, flushes IPVS (services, connection entries and
# sync daemons), and removes every address except the node's own (a killed keepalived leaves its VIPs behind).
#   lab-reset.sh PUBADDR/PFX INTADDR/PFX
set -u
for u in keepalived vrrpd ipvsd checkd lab-sorry lab-8001 frr; do
    systemctl stop "$u" 2>/dev/null
    systemctl reset-failed "$u" 2>/dev/null
done
ipvsadm --stop-daemon master 2>/dev/null
ipvsadm --stop-daemon backup 2>/dev/null
ipvsadm -C
# `ipvsadm -C` removes the services but not the kernel's connection entries (FIN_WAIT and TIME_WAIT live 2 min,
# ESTABLISHED 15 min). One left by the previous scenario whose destination is gone (deleted with its service)
# makes IPVS silently drop a new SYN from the same client address:port (net.ipv4.vs.expire_nodest_conn=0,
# and conn_reuse_mode=1 does not reschedule FIN_WAIT), and the client reuses ports within that time: the
# flaky NAT failover (lab/README.md). Unloading ip_vs is the only way to drop them all; it loads again at once.
for m in $(awk '$1 ~ /^ip_vs_/ {print $1}' /proc/modules); do modprobe -r "$m"; done
modprobe -r ip_vs
modprobe ip_vs
left=$(ipvsadm -Lnc | tail -n +3)
if [ -n "$left" ]; then
    echo "lab-reset: IPVS connection entries survived the reset:" >&2
    echo "$left" | head -5 >&2
    exit 1
fi
for dev in eth0 eth1; do
    case $dev in eth0) keep=$1 ;; eth1) keep=$2 ;; esac
    ip -o -4 addr show dev "$dev" | awk '{print $4}' | while read -r a; do
        [ "$a" = "$keep" ] || ip addr del "$a" dev "$dev"
    done
done
ip -o -4 addr show dev lo | awk '{print $4}' | while read -r a; do
    [ "$a" = "127.0.0.1/8" ] || ip addr del "$a" dev lo
done
# What the ecmp scenario adds: tandem_announce's routes (vrrpd removes them at its stop; not after a kill),
# the routes FRR learnt, its nftables rules.
ip route flush table 200 2>/dev/null
ip route flush table local proto 201 2>/dev/null
ip route flush proto bgp 2>/dev/null
nft flush ruleset 2>/dev/null
rm -f /etc/keepalived/keepalived.conf /etc/keepalived/notify.sh
exit 0
