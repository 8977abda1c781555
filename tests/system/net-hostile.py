#!/usr/bin/env python3
# Boots: the default image on microvm with --net tap (netd with the static
#        address 192.168.79.2/24, httpd as a service), QEMU inside a
#        network namespace this test makes (tests/system/netns.py): a tap
#        whose host side is 192.168.79.1/24 and fe80::1, MTU 4000. The
#        test forges frames on the tap with a packet socket; nothing
#        leaves the namespace.
# Does:  1. answers the guest's first DAD solicitation for its link-local
#           address with an advertisement (another host has it);
#        2. pings that address, then sends an unsolicited advertisement
#           naming it and pings again at once;
#        3. pings the guest's IPv4 address in a normal frame, then hides
#           the same echo request at byte 2048 of a 3000-byte frame (the
#           place where virtio's second receive buffer starts, behind a
#           forged virtio header saying one buffer and DATA_VALID);
#        4. floods httpd's port with SYNs from forged addresses of the
#           subnet for 4 s while fetching a page every 0.3 s.
# Expects: 1. the guest tries its address again and answers pings on it
#        within 15 s; 2. every ping after the unsolicited advertisement
#        is answered (it is not DAD: the address stays); 3. the plain echo
#        request is answered and the hidden one never; 4. every fetch
#        during the flood gets its page within 3 s; exit 0.
#        Skips (77) when not root or without ip or /dev/net/tun.
import os, random, socket, struct, sys, threading, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import fail, passed
from netns import (Guest, Namespace, add_tap, http_get, need_tools,
		   petrel_argv)
from pktlib import csum, mac_bytes

HOST4, GUEST4 = "192.168.79.1", "192.168.79.2"
HOST6 = "fe80::1"
TAP, MAC = "ptap9", "52:54:00:79:00:20"
OTHER_MAC = bytes.fromhex("525400bbbbbb")	# the forged neighbour
ETH_P_ALL, ETH_IP, ETH_IP6 = 0x0003, 0x0800, 0x86dd
PACKET_OUTGOING = 4
VNET_BUF = 2048		# netd's receive buffer, virtio header included
VNET_HDR = 12


def link_local(mac):
	"""The EUI-64 link-local address lwIP derives from mac."""
	b = bytearray(mac_bytes(mac))
	iid = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:6]
	return socket.inet_ntop(socket.AF_INET6, b"\xfe\x80" + bytes(6) + iid)


GUEST6 = link_local(MAC)


def ip4_packet(src, dst, proto, payload):
	head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0,
			   64, proto, 0, socket.inet_aton(src),
			   socket.inet_aton(dst))
	head = head[:10] + struct.pack("!H", csum(head)) + head[12:]
	return head + payload


def icmp_echo(ident, seq=1):
	body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"petrel" * 8
	return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def tcp_syn(src, dst, sport, dport, seq):
	tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
			  65535, 0, 0)
	pseudo = (socket.inet_aton(src) + socket.inet_aton(dst) +
		  struct.pack("!BBH", 0, 6, len(tcp)))
	return tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]


def neighbour_advert(target):
	"""An unsolicited NA (to all nodes, Override) for target from the
	forged neighbour, as a whole Ethernet frame."""
	src = socket.inet_pton(socket.AF_INET6, "fe80::bad")
	dst = socket.inet_pton(socket.AF_INET6, "ff02::1")
	icmp = (struct.pack("!BBHI", 136, 0, 0, 0x20000000) +
		socket.inet_pton(socket.AF_INET6, target) +
		b"\x02\x01" + OTHER_MAC)
	pseudo = src + dst + struct.pack("!I3xB", len(icmp), 58)
	icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
	ip6 = struct.pack("!IHBB", 0x60000000, len(icmp), 58, 255) + src + dst
	return b"\x33\x33\x00\x00\x00\x01" + OTHER_MAC + \
		struct.pack("!H", ETH_IP6) + ip6 + icmp


class Tap:
	"""A packet socket on the tap: sends frames, answers the guest's
	first DAD solicitation, and notes the echo replies it sees."""

	def __init__(self, ns):
		self.sock = ns.socket(socket.AF_PACKET, socket.SOCK_RAW,
				      socket.htons(ETH_P_ALL))
		self.sock.bind((TAP, 0))
		self.mac = None
		self.dad_answered = threading.Event()
		self.echo_ids = set()
		self.changed = threading.Condition()
		threading.Thread(target=self.read, daemon=True).start()

	def send(self, frame):
		self.sock.send(frame)

	def read(self):
		while True:
			frame, addr = self.sock.recvfrom(65536)
			if addr[2] == PACKET_OUTGOING or len(frame) < 14:
				continue
			kind = struct.unpack("!H", frame[12:14])[0]
			if kind == ETH_IP6:
				self.on_ip6(frame[14:])
			elif kind == ETH_IP:
				self.on_ip4(frame[14:])

	def on_ip6(self, ip6):
		"""Claims the guest's link-local address when it first asks."""
		if len(ip6) < 64 or ip6[6] != 58 or ip6[40] != 135:
			return
		unspecified = ip6[8:24] == bytes(16)
		target = socket.inet_ntop(socket.AF_INET6, ip6[48:64])
		if unspecified and target == GUEST6 and \
		   not self.dad_answered.is_set():
			print("answering the guest's DAD for %s" % target,
			      flush=True)
			self.send(neighbour_advert(GUEST6))
			self.dad_answered.set()

	def on_ip4(self, ip4):
		hlen = (ip4[0] & 0xf) * 4
		if len(ip4) >= hlen + 8 and ip4[9] == 1 and ip4[hlen] == 0:
			ident = struct.unpack("!H", ip4[hlen + 4:hlen + 6])[0]
			with self.changed:
				self.echo_ids.add(ident)
				self.changed.notify_all()

	def echo_seen(self, ident, seconds):
		deadline = time.monotonic() + seconds
		with self.changed:
			while ident not in self.echo_ids:
				left = deadline - time.monotonic()
				if left <= 0:
					return False
				self.changed.wait(left)
			return True


def ping6(ns, ifindex, ident, seconds):
	"""One ICMPv6 echo to the guest's link-local address; True if the
	reply comes within seconds."""
	s = ns.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
	try:
		s.settimeout(seconds)
		s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, 1) + b"v6",
			 (GUEST6, 0, 0, ifindex))
		deadline = time.monotonic() + seconds
		while time.monotonic() < deadline:
			s.settimeout(max(0.01, deadline - time.monotonic()))
			reply, _ = s.recvfrom(1500)
			if reply[0] == 129 and \
			   struct.unpack("!H", reply[4:6])[0] == ident:
				return True
	except (socket.timeout, TimeoutError):
		pass
	finally:
		s.close()
	return False


def check_dad(ns, tap, ifindex):
	if not tap.dad_answered.wait(90):
		fail("the guest never ran DAD for %s" % GUEST6)
	deadline = time.monotonic() + 15
	ident = 0x600
	while not ping6(ns, ifindex, ident, 1):
		ident += 1
		if time.monotonic() > deadline:
			fail("%s found duplicate once, never tried again" % GUEST6)
	print("%s answers after its DAD failed once" % GUEST6, flush=True)
	for i in range(3):
		tap.send(neighbour_advert(GUEST6))
		if not ping6(ns, ifindex, 0x700 + i, 0.8):
			fail("an unsolicited advertisement for %s took it away"
			     % GUEST6)
	print("unsolicited advertisements left %s in use" % GUEST6,
	      flush=True)


def check_hidden_frame(tap):
	guest_mac = mac_bytes(MAC)
	head = guest_mac + tap.mac + struct.pack("!H", ETH_IP)
	plain = head + ip4_packet(HOST4, GUEST4, 1, icmp_echo(0x4343))
	tap.send(plain)
	if not tap.echo_seen(0x4343, 10):
		fail("no echo reply to a plain echo request")
	# netd's first buffer holds its header and the frame's first
	# VNET_BUF - VNET_HDR bytes; the second starts at that frame offset.
	at = VNET_BUF - VNET_HDR
	forged_hdr = struct.pack("<BBHHHHH", 2, 0, 0, 0, 0, 0, 1)
	hidden = head + ip4_packet(HOST4, GUEST4, 1, icmp_echo(0x4242))
	frame = guest_mac + tap.mac + struct.pack("!H", 0x88b5)
	frame += bytes(at - len(frame)) + forged_hdr + hidden
	frame += bytes(3000 - len(frame))
	tap.send(frame)
	if tap.echo_seen(0x4242, 3):
		fail("netd answered an echo request hidden in a frame's "
		     "second receive buffer")
	print("the hidden echo request went unanswered", flush=True)


def flood(tap, seconds, sent):
	rng = random.Random(7)
	head = mac_bytes(MAC) + tap.mac + struct.pack("!H", ETH_IP)
	end = time.monotonic() + seconds
	while time.monotonic() < end:
		for _ in range(50):
			src = "192.168.79.%d" % rng.randrange(50, 250)
			syn = tcp_syn(src, GUEST4, rng.randrange(1024, 65535), 80,
				      rng.getrandbits(32))
			tap.send(head + ip4_packet(src, GUEST4, 6, syn))
			sent[0] += 1
		time.sleep(0.02)


def check_syn_flood(ns, tap):
	deadline = time.monotonic() + 60
	while http_get(ns, GUEST4, 3) is None:
		if time.monotonic() > deadline:
			fail("httpd never answered before the flood")
		time.sleep(0.5)
	sent = [0]
	flooder = threading.Thread(target=flood, args=(tap, 4, sent))
	flooder.start()
	times = []
	while flooder.is_alive():
		took = http_get(ns, GUEST4, 3)
		if took is None:
			flooder.join()
			fail("a fetch failed during the SYN flood (%d SYNs sent, "
			     "fetches before: %s)" % (sent[0], times))
		times.append(round(took, 2))
		time.sleep(0.3)
	flooder.join()
	print("%d SYNs sent; fetches during the flood took %s s"
	      % (sent[0], times), flush=True)
	if len(times) < 5 or sent[0] < 1000:
		fail("the flood or the fetches did not run as planned")


need_tools()
start = time.monotonic()
with Namespace("tap") as ns:
	add_tap(ns, TAP)
	ns.ip("link", "set", TAP, "mtu", "4000", "addrgenmode", "none")
	ns.ip("addr", "add", HOST4 + "/24", "dev", TAP)
	ns.ip("addr", "add", HOST6 + "/64", "dev", TAP, "nodad")
	ns.ip("link", "set", TAP, "up")
	tap = Tap(ns)
	for word in ns.ip("link", "show", TAP).split():
		if word.count(":") == 5 and word != "ff:ff:ff:ff:ff:ff":
			tap.mac = mac_bytes(word)
			break
	ifindex = int(ns.ip("link", "show", TAP).split(":")[0])
	script = ("until [ -s /run/netd.status ]; do sleep 0.1; done; "
		  "echo net-ready; sleep 80")
	guest = Guest(ns, petrel_argv(TAP, MAC, extra=[
		"--append", "netd.address=%s/24" % GUEST4]) + ["--", script],
		"guest")
	if guest.wait_line(lambda l: l == "net-ready", 90) is None:
		fail("the guest's network never came up")
	check_dad(ns, tap, ifindex)
	check_hidden_frame(tap)
	check_syn_flood(ns, tap)
print("net-hostile: %.1fs" % (time.monotonic() - start), flush=True)
passed()
