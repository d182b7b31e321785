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

say "capture what ipvsadm sends (nlmon)"
if modprobe nlmon 2>/dev/null && ip link add nlmon0 type nlmon 2>/dev/null && ip link set nlmon0 up; then
    python3 /lab/Configs/nlcapture.py nlmon0 /tmp/capture.txt & CAP=$!
    sleep 1
    ipvsadm -A -t 198.51.100.200:80 -s wlc
    ipvsadm -a -t 198.51.100.200:80 -r 203.0.113.7:8080 -m -w 3
    ipvsadm -e -t 198.51.100.200:80 -r 203.0.113.7:8080 -m -w 5 -x 100 -y 10
    ipvsadm -a -t 198.51.100.200:80 -r 203.0.113.8:80 -g -w 1
    ipvsadm -d -t 198.51.100.200:80 -r 203.0.113.8:80
    ipvsadm -E -t 198.51.100.200:80 -s rr -p 300 -M 255.255.255.0
    ipvsadm -A -f 7 -s sh -b sh-port
    ipvsadm -a -f 7 -r 203.0.113.9:0 -i -w 2
    ipvsadm -A -u [2001:db8::1]:53 -s rr
    ipvsadm -a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -m
    ipvsadm -D -t 198.51.100.200:80
    ipvsadm -D -f 7
    ipvsadm -D -u [2001:db8::1]:53
    sleep 1; kill $CAP; ip link del nlmon0
    cat /tmp/capture.txt | sed 's/^/CAPTURE /'
else
    echo "no nlmon in this kernel: capture skipped"
fi

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
ipvsadm -d -t 192.0.2.94:81 -r 192.0.2.80:81
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
