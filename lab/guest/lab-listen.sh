#!/bin/sh
# Starts a lab helper web listener in the guest as a transient systemd unit, so `systemctl stop UNIT` ends it:
#   lab-listen.sh UNIT PORT TEXT
# The sorry server (seed 004) and the stand-in for nginx's stream proxy on 8001 (seed 001) are both this.
# busybox httpd starts in a fraction of the time python3 needs under TCG; python3 is the fallback.
set -eu
unit=$1 port=$2 text=$3
dir=/run/$unit
mkdir -p "$dir"
printf '%s\n' "$text" > "$dir/index.html"
systemctl stop "$unit" 2>/dev/null || true
systemctl reset-failed "$unit" 2>/dev/null || true
if command -v busybox >/dev/null; then
    systemd-run --quiet --unit="$unit" busybox httpd -f -p "0.0.0.0:$port" -h "$dir"
else
    systemd-run --quiet --unit="$unit" /usr/bin/python3 -m http.server "$port" --bind 0.0.0.0 --directory "$dir"
fi
# Ready when it accepts connections.
i=0
while ! /bin/bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 200 ] || { echo "listener on $port did not start" >&2; exit 1; }
    sleep 0.1
done
