#!/bin/sh
# Runs inside a lab VM: records what the kernel answers ipvsadm's queries (service and destination dumps with
# their counters and rates, GET_INFO, GET_CONFIG, GET_DAEMON), next to what ipvsadm printed from the same bytes.
# The replies are kept as test data (Tests/IPVSTests/KernelReplyCaptureTests.swift): ipvsd must decode them to
# the figures ipvsadm printed. Run from the repository with bench/ipvs/capture-replies.
say() { echo; echo "=== $*"; }
modprobe ip_vs || exit 1
if ! { modprobe nlmon 2>/dev/null && ip link add nlmon0 type nlmon 2>/dev/null && ip link set nlmon0 up; }; then
    echo "no nlmon in this kernel: capture skipped"; exit 1
fi
ipvsadm -C
# Services of every shape the decoder handles: IPv4 NAT with thresholds and DR, persistence with a netmask and
# TUN, fwmark with scheduler flags, IPv6 UDP.
ipvsadm -A -t 198.51.100.200:80 -s wlc
ipvsadm -a -t 198.51.100.200:80 -r 203.0.113.7:8080 -m -w 3 -x 100 -y 10
ipvsadm -a -t 198.51.100.200:80 -r 203.0.113.8:80 -g -w 1
ipvsadm -A -t 198.51.100.201:443 -s rr -p 300 -M 255.255.255.0
ipvsadm -a -t 198.51.100.201:443 -r 203.0.113.9:443 -i -w 2
ipvsadm -A -f 7 -s sh -b sh-port
ipvsadm -a -f 7 -r 203.0.113.9:0 -g -w 2
ipvsadm -A -u [2001:db8::1]:53 -s rr
ipvsadm -a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -m
ipvsadm --set 900 120 300
ipvsadm --start-daemon master --mcast-interface eth0 --syncid 5
# Counters that are not zero: local connections to the first VIP (on lo here, so the route is local) pass
# IPVS's LOCAL_OUT hook and are scheduled; the destinations do not exist, so each stays a half-open entry.
ip addr add 198.51.100.200/32 dev lo
for port in 1 2 3 4 5 6 7 8; do
    timeout 1 bash -c ': > /dev/tcp/198.51.100.200/80' 2>/dev/null
done
sleep 3   # the rate estimator runs every 2 s

rm -f /tmp/replies.txt
python3 /lab/Configs/nlcapture.py nlmon0 /tmp/replies.txt replies & CAP=$!
# Python starts slowly under TCG: wait until it has opened its output (after binding the socket).
i=0; while [ ! -e /tmp/replies.txt ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; sleep 0.5
# One query per process, so each one's replies carry its own port id; the port ids are printed in order.
for query in "-Ln --stats --exact" "-Ln --rate --exact" "-Ln" "-L --timeout" "-L --daemon"; do
    say "ipvsadm $query"
    ipvsadm $query
done
sleep 1; kill $CAP
say "replies (port id, then the kernel's buffer as hex)"
sed 's/^/REPLY /' /tmp/replies.txt
ipvsadm --stop-daemon master; ipvsadm -C; ip addr del 198.51.100.200/32 dev lo; ip link del nlmon0
