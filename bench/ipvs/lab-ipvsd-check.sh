#!/bin/sh
# Runs inside a lab VM (lb01): ipvsd against the real kernel's IPVS.
# Expects /lab/Configs/ipvsd (release build) and /lab/Configs/dr/lb01.conf.
# Prints sections the report quotes; never exits early so every section shows.
B=/lab/Configs/ipvsd
RT=/run/tandem-check
mkdir -p $RT
say() { echo; echo "=== $*"; }
ipvs() { ipvsadm -Ln | sed 1,2d; }

say "kernel"; uname -r; modprobe ip_vs && echo "ip_vs loaded"; ipvsadm -Ln | head -1

sh /lab/Configs/capture-ipvsadm.sh

say "an unmanaged service before ipvsd starts"
ipvsadm -A -t 203.0.113.50:443 -s sh
ipvsadm -a -t 203.0.113.50:443 -r 203.0.113.51:443 -m -w 7
ipvs

say "ipvsd start (dr/lb01.conf)"
$B -f /lab/Configs/dr/lb01.conf --log-console --runtime-dir $RT > /tmp/ipvsd.log 2>&1 & P=$!
sleep 3
cat /tmp/ipvsd.log
ipvs
echo "managed file:"; cat $RT/ipvsd.managed

say "behind ipvsd's back: stray destination, changed weight, deleted destination"
ipvsadm -a -t 192.0.2.93:80 -r 192.0.2.99:80 -g -w 1
ipvsadm -e -t 192.0.2.93:80 -r 192.0.2.72:80 -g -w 9
ipvsadm -d -t 192.0.2.94:82 -r 192.0.2.80:82
ipvs
sleep 11
say "after the next periodic reconcile"
tail -n +1 /tmp/ipvsd.log | grep -v "^$" | tail -8
ipvs

say "stop (SIGTERM): the table stays"
kill -TERM $P; wait $P; echo "exit $?"
ipvs

say "restart: nothing to change, nothing flushed"
$B -f /lab/Configs/dr/lb01.conf --log-console --runtime-dir $RT > /tmp/ipvsd2.log 2>&1 & P=$!
sleep 3
cat /tmp/ipvsd2.log
ipvs

say "restart with a service removed from the config"
kill -TERM $P; wait $P
sed '/^virtual_server 192.0.2.94 81/,$d' /lab/Configs/dr/lb01.conf > /tmp/one.conf
$B -f /tmp/one.conf --log-console --runtime-dir $RT > /tmp/ipvsd3.log 2>&1 & P=$!
sleep 3
cat /tmp/ipvsd3.log
ipvs
kill -TERM $P; wait $P
echo "managed file:"; cat $RT/ipvsd.managed
