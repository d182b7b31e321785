#!/bin/sh
# Runs inside a lab VM: records the generic-netlink requests ipvsadm sends for a few operations.
say() { echo; echo "=== $*"; }
modprobe ip_vs
say "capture what ipvsadm sends (nlmon)"
if modprobe nlmon 2>/dev/null && ip link add nlmon0 type nlmon 2>/dev/null && ip link set nlmon0 up; then
    rm -f /tmp/capture.txt
    python3 /lab/Configs/nlcapture.py nlmon0 /tmp/capture.txt & CAP=$!
    # Python starts slowly under TCG: wait until it has opened its output (after binding the socket).
    i=0; while [ ! -e /tmp/capture.txt ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; sleep 0.5
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

