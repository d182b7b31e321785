#!/bin/sh
# Runs inside a lab VM: ipvsd under systemd as its unit runs it (Type=notify with a watchdog) on a table large
# enough that one reconcile blocks its loop for longer than the watchdog interval: the start (table installed
# from empty), then a reload (the whole table read back). ipvsd must come through both with the same PID.
# Usage: watchdog-in-vm.sh [SERVICES] [DESTINATIONS] [WATCHDOG_SECONDS] [START_TIMEOUT_SECONDS];
# expects ipvsd at /lab/Configs/ipvsd. Run from the repository with bench/ipvs/watchdog.
N=${1:-4000}; D=${2:-10}; WD=${3:-3}; TS=${4:-90}
UNIT=ipvsd-watchdog-test; RT=/run/tandem-watchdog-test
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.1f}')"; }
state() { systemctl show $UNIT -p ActiveState -p SubState -p MainPID -p Result -p NRestarts | tr '\n' ' '; }
# until the unit is active (start done) or has failed, at most 600 s
wait_started() { i=0; while [ $i -lt 6000 ]; do
    case "$(systemctl show $UNIT -p ActiveState --value)" in active|failed|inactive) [ $i -gt 5 ] && return;; esac
    sleep 0.1; i=$((i+1)); done; }
modprobe ip_vs; ipvsadm -C; rm -rf $RT; mkdir -p $RT
python3 - "$N" "$D" > /tmp/big.conf <<'PY'
import sys
n, d = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    print(f"virtual_server 198.51.100.{i % 250 + 1} {10000 + i // 250} {{\n    lb_algo wlc\n    lb_kind DR\n    protocol TCP")
    for j in range(d):
        print(f"    real_server 203.0.113.{j + 1} {10000 + i // 250} {{\n        weight 1\n    }}")
    print("}")
PY
echo "services=$N destinations=$D WatchdogSec=${WD}s TimeoutStartSec=${TS}s kernel=$(uname -r)"

t0=$(now)
systemd-run --no-block --unit=$UNIT -p Type=notify -p NotifyAccess=main -p WatchdogSec=${WD}s \
    -p TimeoutStartSec=${TS}s /lab/Configs/ipvsd -f /tmp/big.conf --runtime-dir $RT >/dev/null 2>&1
wait_started
echo "start: $(elapsed $t0 $(now)) s; $(state)"
PID=$(systemctl show $UNIT -p MainPID --value)
if [ "$(systemctl show $UNIT -p ActiveState --value)" = active ]; then
    t0=$(now); systemctl kill -s HUP $UNIT
    i=0; while ! journalctl -u $UNIT -o cat | grep -q "reloaded " && [ $i -lt 3000 ]; do
        case "$(systemctl show $UNIT -p ActiveState --value)" in active|reloading) ;; *) break;; esac
        sleep 0.2; i=$((i+1)); done
    echo "reload: 'reloaded' logged within $(elapsed $t0 $(now)) s of SIGHUP"
    sleep $((WD + 1))   # a watchdog kill would come within one interval
    echo "after the reload: $(state)"
    [ "$(systemctl show $UNIT -p MainPID --value)" = "$PID" ] && echo "same PID $PID after the reload" \
        || echo "PID changed: $PID -> $(systemctl show $UNIT -p MainPID --value)"
fi
echo "kernel table: $(ipvsadm -Ln | grep -c '^TCP') services"
echo "journal:"
journalctl -u $UNIT -o short-monotonic --no-pager | grep -E "reconcile|reloaded|atchdog|imeout|Start|start|Main process|Failed|signal" | tail -15
systemctl stop $UNIT 2>/dev/null; systemctl reset-failed $UNIT 2>/dev/null; ipvsadm -C; rm -rf $RT
