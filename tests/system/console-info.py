#!/usr/bin/env python3
# Boots: the test image on microvm, 2 CPUs, with user networking (netd's DHCP
#        lease: 10.0.2.15/24, gateway 10.0.2.2).
# Does:  waits for the lease, then runs BusyBox ifconfig, route -n,
#        ip addr, ip route, ip link, free and hostname -i; reads
#        /proc/cpuinfo's flags, /proc/net/dev and /etc/hosts; runs the
#        glibc-linked dynprobe, which prints its own /proc/self/maps.
# Expects: eth0 with 10.0.2.15 and lo with 127.0.0.1 in ifconfig and
#        ip addr, the default route via 10.0.2.2 in route and ip route,
#        free's Mem line with a total near the guest's memory, sse2 among
#        the flags, the host name resolved from /etc/hosts, and the
#        maps naming the program, glibc's libc.so.6 and its loader by
#        their paths.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_status, fail, passed

script = ("until [ -e /run/netd.status ]; do sleep 0.2; done; "
	  "ifconfig; route -n; ip addr; ip route; ip link; free; "
	  "hostname -i; grep -c '^flags.* sse2 ' /proc/cpuinfo; "
	  "cat /proc/net/dev /etc/hosts; /test/bin/dynprobe-glibc maps")
result = boot(script, test_image=True, smp=2)
expect_status(result, 0)
for text in ("eth0      Link encap:Ethernet  HWaddr ",
	     "inet addr:10.0.2.15  Bcast:10.0.2.255  Mask:255.255.255.0",
	     "lo        Link encap:Local Loopback",
	     "inet addr:127.0.0.1  Mask:255.0.0.0",
	     "0.0.0.0         10.0.2.2        0.0.0.0         UG    0      0        0 eth0",
	     "10.0.2.0        0.0.0.0         255.255.255.0   U     0      0        0 eth0",
	     "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536",
	     "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500",
	     "inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic eth0",
	     "inet 127.0.0.1/8 scope host lo",
	     "default via 10.0.2.2 dev eth0",
	     "10.0.2.0/24 dev eth0 scope link  src 10.0.2.15",
	     "127.0.1.1\n",
	     "    lo:", "  eth0:",
	     "127.0.0.1\tlocalhost", "127.0.1.1\tpetrel"):
	expect_in(result, text)
out = result.output
mem = re.search(r"Mem:\s+(\d+)\s+(\d+)\s+(\d+)", out)
if not mem or not (32000 < int(mem.group(1)) < 4000000) or \
   int(mem.group(2)) + int(mem.group(3)) > int(mem.group(1)):
	fail("free's Mem line is not sane: %r" % (mem and mem.group(0)))
if not re.search(r"^[1-9]\d*\r?$", out, re.M):
	fail("no CPU lists sse2 in /proc/cpuinfo")
for path in ("/test/bin/dynprobe-glibc", "/lib/x86_64-linux-gnu/libc.so.6",
	     "ld-linux-x86-64.so.2"):
	if not re.search(r"^[0-9a-f]{8,}-[0-9a-f]{8,} r-xp [0-9a-f]{8} "
			 r"[0-9a-f]{2}:[0-9a-f]{2} \d+ +\S*" + re.escape(path),
			 out, re.M):
		fail("maps has no executable mapping of %s" % path)
passed()
