#!/bin/sh
# Runs inside a lab VM: ipvsd versus ipvsadm -R on the same large table, in the same boot.
# Usage: bench-in-vm.sh [SERVICES] [DESTINATIONS]; expects the ipvsd binary at /lab/Configs/ipvsd.
N=${1:-10000}; D=${2:-10}
B=/lab/Configs/ipvsd; RT=/run/tandem-bench; mkdir -p $RT; rm -f $RT/ipvsd.managed
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
waitlog() {  # waitlog FILE TEXT: until TEXT appears (at most 1200 s)
    i=0; while ! grep -q "$2" "$1" && [ $i -lt 12000 ]; do sleep 0.1; i=$((i+1)); done; }
modprobe ip_vs; ipvsadm -C
echo "services=$N destinations=$D kernel=$(uname -r) cpus=$(nproc)"
python3 - "$N" "$D" > /tmp/big.conf <<'PY'
import sys
n, d = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    # VIPs in 198.51.100.0/24, ports from 10000: 10,000 distinct (VIP, port) pairs.
    print(f"virtual_server 198.51.100.{i % 250 + 1} {10000 + i // 250} {{\n    lb_algo wlc\n    lb_kind DR\n    protocol TCP")
    for j in range(d):
        # The very first real server alone has a checker that fails, for the health-change step below.
        check = "        MISC_CHECK {\n            misc_path /bin/false\n            delay_loop 1\n            retry 0\n            warmup 0\n        }\n" if i == 0 and j == 0 else ""
        print(f"    real_server 203.0.113.{j + 1} {10000 + i // 250} {{\n        weight 1\n{check}    }}")
    print("}")
PY
echo "config: $(wc -l < /tmp/big.conf) lines"
# (Parsing alone is timed on the host: under TCG it would eat the agent's time budget.)

t0=$(now)
$B -f /tmp/big.conf --log-console --runtime-dir $RT > /tmp/bench.log 2>&1 & P=$!
waitlog /tmp/bench.log "reconcile (start)"
echo "ipvsd start to table installed (parse + dump + apply): $(elapsed $t0 $(now)) s"
grep "reconcile (start)" /tmp/bench.log
echo "ipvsd peak RSS: $(grep VmHWM /proc/$P/status)"
echo "kernel table: $(ipvsadm -Ln | grep -c '^TCP') services, $(ipvsadm -Ln | grep -c -- '->.*Route') destinations"

# One destination change through a reload: the weight of the first real server of the first service.
sed -i '0,/weight 1/s//weight 7/' /tmp/big.conf
t0=$(now); kill -HUP $P
waitlog /tmp/bench.log "reconcile (reload)"
echo "ipvsd reload with one destination changed (parse + dump + 1 op): $(elapsed $t0 $(now)) s"
grep "reconcile (reload)" /tmp/bench.log

# One destination changed by a health check: checkd (same config, same runtime directory) finds the first real
# server down and tells ipvsd, which applies that alone from its view of the table, without reading the kernel.
if [ -x /lab/Configs/checkd ]; then
    /lab/Configs/checkd -f /tmp/big.conf --log-console --runtime-dir $RT > /tmp/checkd.log 2>&1 & C=$!
    waitlog /tmp/bench.log "reconcile (health change)"
    echo "health change on the full table:"; grep "reconcile (health change)" /tmp/bench.log
    echo "ipvsadm: $(ipvsadm -Ln -t 198.51.100.1:10000 | grep -c -- '->.*Route') of $D destinations left in 198.51.100.1:10000"
    echo "checkd peak RSS: $(grep VmHWM /proc/$C/status)"
    kill -TERM $C; wait $C
fi
kill -TERM $P; wait $P

ipvsadm -Sn > /tmp/rules; ipvsadm -C
t0=$(now); ipvsadm -R < /tmp/rules; echo "ipvsadm -R of the same table from empty: $(elapsed $t0 $(now)) s"
t0=$(now); ipvsadm -e -t 198.51.100.1:10000 -r 203.0.113.2:10000 -g -w 3
echo "ipvsadm -e one destination: $(elapsed $t0 $(now)) s"
t0=$(now); ipvsadm -Sn > /dev/null; echo "ipvsadm -Sn (full dump): $(elapsed $t0 $(now)) s"
ipvsadm -C
