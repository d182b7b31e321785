#!/bin/sh
# Seed 004's notify script, which mailed root; the lab has no mail, so the transition goes to the journal.
# Called as: notify.sh master|backup|fault
case "$1" in
  master|backup|fault)
    logger -t vrrp-notify "$(hostname) changed to be $1, vip floating" ;;
  *)
    echo "Usage: $(basename "$0") {master|backup|fault}" >&2
    exit 1 ;;
esac
