#!/usr/bin/env python3
# Boots: two guests of the test image on microvm with --net tap, their taps
#        on one bridge (192.168.78.1/24 on the host side) in a network
#        namespace this test makes (tests/system/netns.py). Each guest's
#        command starts netd itself (--device virtio-net --serve inet) with
#        a static address, --address 192.168.78.11/24 and .12/24.
# Does:  both run /test/bin/udpcast (tests/system/progs/udpcast.c) on UDP
#        port 5000: joined to 239.1.2.3, each sends to 255.255.255.255, to
#        192.168.78.255, to 239.1.2.3 and to 239.1.2.4 (joined by nobody)
#        until it has each kind from the other and the other has all of
#        its own. Meanwhile the bridge's multicast table must show both
#        guests' IGMP joins.
# Expects: broadcast is EACCES before SO_BROADCAST; each guest gets the
#        limited and subnet broadcast and the multicast from the other, and
#        never the unjoined group's; both exit 0.
#        Skips (77) when not root or without ip or /dev/net/tun.
import os, sys, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import fail, passed
from netns import Guest, Namespace, add_tap, need_tools, petrel_argv

BRIDGE, GROUP, PORT = "pbr0", "239.1.2.3", 5000
GUESTS = {	# name: (tap, MAC, address)
	"a": ("ptap1", "52:54:00:78:00:11", "192.168.78.11"),
	"b": ("ptap2", "52:54:00:78:00:12", "192.168.78.12"),
}
SECONDS = 45	# udpcast's own limit, once its netd has the address


def guest_script(name, addr):
	return ("netd --address %s/24 >/var/log/netd.log 2>&1 & "
		"i=0; until [ -s /run/netd.status ]; do "
		"i=$((i+1)); [ $i -gt 300 ] && { echo no-address; exit 3; }; "
		"sleep 0.1; done; cat /run/netd.status; "
		"exec /test/bin/udpcast %s %d %s 192.168.78.255 %d"
		% (addr, name, PORT, GROUP, SECONDS))


def joined_ports(ns):
	"""The bridge ports whose guests joined GROUP (IGMP snooping)."""
	status, output = ns.run(["bridge", "mdb", "show", "dev", BRIDGE])
	return {line.split()[3] for line in output.splitlines()
		if GROUP in line and len(line.split()) > 3}


def check_guest(guest, name, peer):
	peer_addr = GUESTS[peer][2]
	wanted = ["%s/24 gateway 0.0.0.0 static" % GUESTS[name][2],
		  "broadcast without SO_BROADCAST: EACCES"]
	wanted += ["got %s from %s (%s)" % (kind, peer_addr, peer)
		   for kind in ("broadcast", "subnet-broadcast", "multicast")]
	wanted += ["udpcast %s complete" % name]
	for want in wanted:
		if want not in guest.lines:
			fail("guest %s: expected the line %r" % (name, want))
	if any(l and "unjoined" in l for l in guest.lines):
		fail("guest %s got a datagram for a group it did not join" % name)


start = time.monotonic()
with Namespace("bridge") as ns:
	ns.ip("link", "add", BRIDGE, "type", "bridge", "forward_delay", "0")
	ns.ip("addr", "add", "192.168.78.1/24", "dev", BRIDGE)
	ns.ip("link", "set", BRIDGE, "up")
	guests = {}
	for name, (tap, mac, addr) in GUESTS.items():
		add_tap(ns, tap)
		ns.ip("link", "set", tap, "master", BRIDGE)
		ns.ip("link", "set", tap, "up")
	for name, (tap, mac, addr) in GUESTS.items():
		argv = petrel_argv(tap, mac, test_image=True, timeout=120,
				   extra=["--device", "virtio-net", "--serve", "inet"])
		guests[name] = Guest(ns, argv + ["--", guest_script(name, addr)], name)
	for name in GUESTS:
		if guests[name].wait_line(lambda l: "SO_BROADCAST" in l, 90) is None:
			fail("guest %s did not get as far as its socket" % name)
	taps = {tap for tap, mac, addr in GUESTS.values()}
	deadline = time.monotonic() + 30
	while joined_ports(ns) != taps:
		if time.monotonic() > deadline:
			fail("the bridge did not see both guests join %s" % GROUP)
		time.sleep(0.5)
	for name, guest in guests.items():
		status = guest.wait_exit(SECONDS + 30)
		if status != 0:
			fail("guest %s ended with status %r" % (name, status))
	check_guest(guests["a"], "a", "b")
	check_guest(guests["b"], "b", "a")
print("net-bridge: %.1fs" % (time.monotonic() - start), flush=True)
passed()
