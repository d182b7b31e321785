#!/bin/sh
# Seed 004's notify script, which mailed root; the lab has no mail, so the transition goes to the journal.
# Called as: notify.sh master|backup|fault (vrrp_instance) or quorum-up|quorum-down (virtual_server).
case "$1" in
  master|backup|fault)
    logger -t vrrp-notify "$(hostname) changed to be $1, vip floating" ;;
  quorum-up|quorum-down)
    logger -t lvs-notify "$(hostname) 192.0.2.118:80 $1" ;;
  *)
    echo "Usage: $(basename "$0") {master|backup|fault|quorum-up|quorum-down}" >&2
    exit 1 ;;
esac
