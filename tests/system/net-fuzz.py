#!/usr/bin/env python3
# Boots: the default image on microvm with --net tap (netd taking its
#        address by DHCP from this test, httpd as a service), QEMU inside a
#        network namespace this test makes (tests/system/netns.py): a tap
#        whose host side is 192.168.80.1/24 and fe80::1, MTU 4000. The test
#        serves DHCP itself (lease 192.168.80.2) and forges frames on the
#        tap with a packet socket; nothing leaves the namespace.
# Does:  answers netd's first DHCP DISCOVER and REQUEST with 60 mutated
#        offers or acks each before the good one; then rounds of seeded
#        packet fuzzing (tests/system/pktlib.py): each round sends PKT_FUZZ_FRAMES (250) frames of one protocol, most of
#        them mutated valid ones: ARP, IPv4 with options, fragments and bad
#        lengths, TCP with odd flags and options (also inside connections
#        it opened to httpd from forged addresses), UDP, DHCP replies to
#        netd's own transaction, ICMP errors quoting bogus headers, IPv6
#        with extension header chains and fragments, ICMPv6 neighbour
#        discovery and MLD. PKT_FUZZ_ROUNDS (16: each protocol twice) and
#        PKT_FUZZ_SEED (1) choose the run; the same seed sends the same
#        frames; PKT_FUZZ_ONLY=tcp,nd keeps to those protocols. The
#        guest pings the host and listens on UDP port 9 meanwhile, so
#        netd's raw ICMP and UDP sockets see the frames too.
# Expects: after every round the guest answers a ping on 192.168.80.2 and
#        on its link-local address, httpd serves a page, and netd's pid,
#        which the guest prints every second, is the one it had at first
#        (a restarted netd fails the test: a packet must not kill it);
#        exit 0. A failing round's frames are written to a pcap file.
#        Skips (77) when not root or without ip or /dev/net/tun.
import os, random, socket, struct, sys, tempfile, threading, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import fail, passed
from netns import (Guest, Namespace, add_tap, http_get, need_tools,
		   petrel_argv)
import pktlib as P

HOST4, GUEST4 = "192.168.80.1", "192.168.80.2"
HOST6 = "fe80::1"
TAP, MAC = "ptapf", "52:54:00:80:00:30"
OTHER_MAC = bytes.fromhex("525400cccccc")	# every forged host's
FORGED_FIRST, FORGED_LAST = 100, 199		# 192.168.80.x forged hosts
ETH_P_ALL, PACKET_OUTGOING = 0x0003, 4
ROUNDS = int(os.environ.get("PKT_FUZZ_ROUNDS", "16"))
SEED = int(os.environ.get("PKT_FUZZ_SEED", "1"))
FRAMES = int(os.environ.get("PKT_FUZZ_FRAMES", "250"))
BOOT_DHCP_FRAMES = 60		# bad replies to the first DISCOVER and REQUEST
GUEST_MAC = P.mac_bytes(MAC)


def link_local(mac):
	b = bytearray(P.mac_bytes(mac))
	iid = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:6]
	return socket.inet_ntop(socket.AF_INET6, b"\xfe\x80" + bytes(6) + iid)


GUEST6 = link_local(MAC)
G4, H4, G6, H6 = P.a4(GUEST4), P.a4(HOST4), P.a6(GUEST6), P.a6(HOST6)
FORGED6 = P.a6("fe80::bad")


def forged4(rng):
	return P.a4("192.168.80.%d" % rng.randint(FORGED_FIRST, FORGED_LAST))


# ---- The tap: DHCP server, ARP for forged hosts, connections seen --------

class Tap:
	def __init__(self, ns):
		self.sock = ns.socket(socket.AF_PACKET, socket.SOCK_RAW,
				      socket.htons(ETH_P_ALL))
		self.sock.bind((TAP, 0))
		self.mac = None
		self.xid = None			# netd's DHCP transaction
		self.leased = threading.Event()
		self.conns = {}		# (peer, port) -> [guest seq, our seq]
		self.fuzzed = set()	# DHCP kinds answered with fuzz first
		self.dhcp_seen = []		# netd's DHCP messages, in order
		self.boot_rng = random.Random("%d-dhcp" % SEED)
		self.lock = threading.Lock()
		threading.Thread(target=self.read, daemon=True).start()

	def send(self, frame):
		try:
			self.sock.send(frame)
		except OSError:
			pass	# longer than the tap's MTU, or too short

	def read(self):
		while True:
			frame, addr = self.sock.recvfrom(65536)
			if addr[2] == PACKET_OUTGOING or len(frame) < 14:
				continue
			kind = struct.unpack("!H", frame[12:14])[0]
			try:
				if kind == P.ETH_ARP:
					self.on_arp(frame[14:])
				elif kind == P.ETH_IP:
					self.on_ip4(frame[14:])
			except (struct.error, IndexError):
				pass

	def on_arp(self, pkt):
		"""Answers for the forged hosts, so the guest can reply to
		them (connections to httpd)."""
		op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", pkt[:28])
		last = tpa[3]
		if op == 1 and tpa[:3] == G4[:3] and \
		   FORGED_FIRST <= last <= FORGED_LAST:
			self.send(P.eth(sha, OTHER_MAC, P.ETH_ARP,
					P.arp(2, OTHER_MAC, tpa, sha, spa)))

	def on_ip4(self, pkt):
		hlen = (pkt[0] & 0xf) * 4
		if pkt[9] == 17 and pkt[hlen:hlen + 4] == b"\x00\x44\x00\x43":
			self.on_dhcp(pkt[hlen + 8:])
		elif pkt[9] == 6 and pkt[16:20] != H4:
			self.on_tcp(pkt[16:20], pkt[hlen:])

	def on_dhcp(self, msg):
		"""Serves the lease, sending malformed replies to netd's first
		DISCOVER and first REQUEST before the good ones."""
		xid, = struct.unpack("!I", msg[4:8])
		kind = dhcp_type(msg)
		self.xid = xid
		self.dhcp_seen.append({1: "DISCOVER", 3: "REQUEST"}.get(
			kind, str(kind)))
		if kind not in (1, 3):		# DISCOVER, REQUEST
			return
		reply = 2 if kind == 1 else 5	# OFFER, ACK
		if kind not in self.fuzzed:
			self.fuzzed.add(kind)
			for _ in range(BOOT_DHCP_FRAMES):
				self.send(dhcp_boot_fuzz(self.boot_rng, self.mac,
							 xid, reply))
		self.send(dhcp_reply(self.mac, xid, reply))
		if kind == 3:
			self.leased.set()

	def on_tcp(self, peer, seg):
		"""Notes httpd's SYN-ACKs to forged hosts: their connections
		carry the in-window segments of the tcp rounds."""
		sport, dport, seq = struct.unpack("!HHI", seg[:8])
		if seg[13] & 0x12 == 0x12:
			with self.lock:
				self.conns[(peer, dport)] = [seq + 1, None]

	def connection(self, rng):
		with self.lock:
			if not self.conns:
				return None
			key = rng.choice(sorted(self.conns))
			return key, self.conns[key]


def dhcp_type(msg):
	opts = msg[240:]
	i = 0
	while i + 1 < len(opts) and opts[i] != 255:
		if opts[i] == 0:
			i += 1
			continue
		if opts[i] == 53:
			return opts[i + 2]
		i += 2 + opts[i + 1]
	return None


def dhcp_options(kind):
	return (bytes([53, 1, kind]) + bytes([54, 4]) + H4 +
		bytes([51, 4]) + struct.pack("!I", 3600) +
		bytes([1, 4, 255, 255, 255, 0]) + bytes([3, 4]) + H4 +
		bytes([6, 4]) + H4)


def dhcp_reply(src_mac, xid, kind, options=None):
	"""A DHCP OFFER, ACK or other reply for the guest, as a frame."""
	msg = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", 2, 1, 6, 0, xid, 0, 0,
			  bytes(4), G4, H4, bytes(4), GUEST_MAC, b"", b"",
			  0x63825363)
	msg += (dhcp_options(kind) if options is None else options) + b"\xff"
	return P.eth(GUEST_MAC, src_mac, P.ETH_IP,
		     P.ip4(H4, b"\xff" * 4, 17, P.udp(H4, b"\xff" * 4, 67, 68,
						      msg)))


# ---- Generators: one valid frame of a protocol each ----------------------

def to_guest4(tap, src, proto, payload, **kw):
	return P.eth(GUEST_MAC, OTHER_MAC, P.ETH_IP,
		     P.ip4(src, G4, proto, payload, **kw))


def echo4(rng, size=32):
	return P.icmp4(8, 0, struct.pack("!HH", rng.getrandbits(16), 1),
		       bytes(rng.getrandbits(8) for _ in range(size)))


def gen_arp(tap, rng):
	op = rng.choice((1, 2))
	spa = forged4(rng)
	tpa = G4 if rng.random() < 0.7 else forged4(rng)
	dst = P.BROADCAST if op == 1 else GUEST_MAC
	tha = bytes(6) if op == 1 else GUEST_MAC
	return P.eth(dst, OTHER_MAC, P.ETH_ARP,
		     P.arp(op, OTHER_MAC, spa, tha, tpa))


def ip4_options(rng):
	return rng.choice((
		b"\x01" * 4,					# NOPs
		b"\x00" * 4,					# end of list
		b"\x07\x0b\x04" + bytes(8),			# record route
		b"\x44\x0c\x05\x00" + bytes(8),		# timestamp
		b"\x94\x04\x00\x00",				# router alert
		b"\x83\x03\x04\x00",				# loose source route
		bytes([rng.getrandbits(8) for _ in range(rng.choice((4, 8, 40)))]),
	))


def frags4(tap, rng):
	"""One fragment of an echo request cut at odd, maybe overlapping,
	places."""
	body = echo4(rng, 64)
	start = rng.choice((0, 8, 16, 24, 8 * rng.randint(0, 20)))
	size = rng.choice((8, 16, 24, 40))
	more = rng.random() < 0.6
	frag = (0x2000 if more else 0) | (start // 8)
	return to_guest4(tap, forged4(rng), 1, body[start:start + size],
			 ident=rng.choice((1, 2)), frag=frag)


def gen_ip4(tap, rng):
	pick = rng.random()
	if pick < 0.4:
		return frags4(tap, rng)
	proto = rng.choice((1, 17, 6, 2, 41, 47, 255))
	payload = echo4(rng) if proto == 1 else bytes(rng.randrange(40))
	kw = {}
	if pick < 0.7:
		kw["options"] = ip4_options(rng)
	if rng.random() < 0.3:
		kw["length"] = rng.choice((0, 19, 20, 21, 60, 1500, 65535))
	dst = G4 if rng.random() < 0.8 else P.a4("192.168.80.255")
	frame = P.eth(GUEST_MAC, OTHER_MAC, P.ETH_IP,
		      P.ip4(forged4(rng), dst, proto, payload, **kw))
	return frame


def tcp_options(rng):
	parts = []
	for _ in range(rng.randint(1, 4)):
		parts.append(rng.choice((
			b"\x02\x04\x00\x00",			# MSS 0
			b"\x02\x04" + struct.pack("!H", rng.choice((1, 536, 65535))),
			b"\x03\x03" + bytes([rng.choice((0, 14, 15, 200, 255))]),
			b"\x04\x02",				# SACK permitted
			b"\x05\x0a" + struct.pack("!II", rng.getrandbits(32),
						  rng.getrandbits(32)),
			b"\x05" + bytes([rng.choice((2, 3, 18, 34, 255))]),
			b"\x08\x0a" + struct.pack("!II", rng.getrandbits(32), 0),
			b"\x00", b"\x01", b"\x02\x00", b"\x03\x01",
			b"\x1e\x04\x00\x00",
		)))
	return b"".join(parts)[:40]


def gen_tcp(tap, rng):
	conn = tap.connection(rng) if rng.random() < 0.5 else None
	if conn is None:
		src, port = forged4(rng), rng.randrange(1024, 65536)
		flags = 0x02 if rng.random() < 0.6 else rng.getrandbits(8)
		dport = 80 if rng.random() < 0.8 else rng.randrange(1, 1024)
		seg = P.tcp(src, G4, port, dport, rng.getrandbits(32),
			    rng.getrandbits(32) if flags & 0x10 else 0, flags,
			    rng.choice((0, 1, 65535)), tcp_options(rng))
		return to_guest4(tap, src, 6, seg)
	(src, port), state = conn
	ours = state[1] if state[1] is not None else 1000
	if state[1] is None:
		state[1] = ours
	if rng.random() < 0.3:
		return merge_burst(rng, src, port, state)
	data = b""
	if rng.random() < 0.3:
		data = b"GET / HTTP/1.1\r\nHost: g\r\n\r\n"
	flags = rng.choice((0x10, 0x18, 0x11, 0x14, 0x04, 0x30, 0x12, 0x3f))
	seq = ours + rng.choice((0, 0, 1, -1, 70000, 1 << 31))
	seg = P.tcp(src, G4, port, 80, seq, state[0] + rng.choice((0, 1, 5000)),
		    flags, rng.choice((0, 1, 512, 65535)), tcp_options(rng),
		    data, urgent=rng.choice((0, 0, 1, 65535)))
	if seq == ours and data:
		state[1] = ours + len(data)
	return to_guest4(tap, src, 6, seg)


def merge_burst(rng, src, port, state):
	"""Option-less data segments in sequence, as netd merges them
	(netif.c), each maybe cut, its flags, window or ACK changed."""
	frames = []
	for _ in range(rng.randint(2, 6)):
		data = b"x" * rng.choice((1, 100, 1460, 1460))
		flags = rng.choice((0x10,) * 8 + (0x18, 0x11, 0x19))
		seg = P.tcp(src, G4, port, 80, state[1], state[0], flags, 512,
			    b"", data)
		frames.append(to_guest4(None, src, 6, seg))
		state[1] += len(data)
	return frames


def gen_udp(tap, rng):
	src = forged4(rng)
	dport = rng.choice((68, 67, 53, 7, 9, rng.randrange(1, 65536)))
	data = bytes(rng.getrandbits(8) for _ in range(rng.choice((0, 1, 8, 300))))
	return to_guest4(tap, src, 17, P.udp(src, G4, rng.randrange(1, 65536),
					       dport, data))


def dhcp_fuzz_options(rng):
	opts = bytes([53, 1, rng.choice((2, 5, 6, 0, 9))])
	for _ in range(rng.randint(1, 8)):
		code = rng.choice((1, 3, 6, 15, 51, 52, 54, 58, 59, 28, 12, 255,
				   0, rng.randrange(256)))
		size = rng.choice((0, 1, 2, 4, 8, 255))
		opts += bytes([code, size]) + bytes(
			rng.getrandbits(8) for _ in range(min(size, 64)))
	return opts


def dhcp_boot_fuzz(rng, src_mac, xid, kind):
	"""A mutated OFFER or ACK for a client selecting or requesting, with
	the fields that decide where the guest lives kept sane (dhcp_sane):
	lwIP takes the first one it can parse."""
	frame = dhcp_reply(src_mac, xid, kind,
			   dhcp_options(kind) + dhcp_fuzz_options(rng)[3:])
	frame = P.mutate(rng, frame, DHCP_AT + 8) if rng.random() < 0.8 \
		else frame
	return dhcp_sane(frame)


DHCP_AT = 14 + 20 + 8		# the BOOTP message in dhcp_reply's frames
SANE_DHCP = {1: bytes([255, 255, 255, 0]), 3: H4, 51: struct.pack("!I", 3600),
	     58: struct.pack("!I", 1800), 59: struct.pack("!I", 3150)}


def dhcp_sane(frame):
	"""frame with the guest's address, mask, router and lease times as
	the test serves them wherever its options give them: a reply that
	moved the guest elsewhere or let its lease run out would break the
	health checks, not find a bug."""
	data = bytearray(frame)
	if len(data) < DHCP_AT + 240:
		return frame
	data[DHCP_AT + 16:DHCP_AT + 20] = G4
	i = DHCP_AT + 240
	while i + 1 < len(data) and data[i] != 255:
		if data[i] == 0:
			i += 1
			continue
		code, size = data[i], data[i + 1]
		if code in SANE_DHCP and size >= 4 and i + 6 <= len(data):
			data[i + 2:i + 6] = SANE_DHCP[code]
		i += 2 + size
	return P.fix_sums(bytes(data))


def gen_dhcp(tap, rng):
	"""A reply to netd's own transaction (its xid and MAC), so lwIP
	parses it; bound, netd takes none of them."""
	return tap_dhcp(tap, rng)


def tap_dhcp(tap, rng):
	xid = tap.xid if tap.xid is not None else rng.getrandbits(32)
	return dhcp_reply(tap.mac, xid, 2, dhcp_fuzz_options(rng))


def quoted4(rng):
	"""The IP header and 8 bytes an ICMP error quotes: a guest packet
	to a forged host, or nonsense."""
	inner_proto = rng.choice((6, 17, 1, 58, 0))
	eight = bytes(rng.getrandbits(8) for _ in range(8))
	if inner_proto == 6:
		eight = struct.pack("!HHI", 80, rng.randrange(1024, 65536),
				    rng.getrandbits(32))
	inner = P.ip4(G4, forged4(rng), inner_proto, eight,
		      options=ip4_options(rng) if rng.random() < 0.3 else b"")
	return inner[:rng.choice((len(inner), len(inner), 10, 20, 28))]


def gen_icmp(tap, rng):
	kind, code = rng.choice(((3, 0), (3, 1), (3, 3), (3, 4), (3, 13),
				 (11, 0), (11, 1), (12, 0), (5, 1), (4, 0),
				 (0, 0), (8, 0), (13, 0), (17, 0), (255, 255)))
	if kind == 8:
		size = rng.choice((0, 56, 1400))
		return to_guest4(tap, forged4(rng), 1, echo4(rng, size))
	rest = struct.pack("!I", rng.choice((0, 68, 576, 0xffff, 1 << 31)))
	return to_guest4(tap, forged4(rng), 1,
			 P.icmp4(kind, code, rest, quoted4(rng)))


def hbh_options(rng):
	return rng.choice((
		b"\x00\x00\x00\x00",		# Pad1s
		b"\x01\x02\x00\x00",		# PadN
		b"\x05\x02\x00\x00",		# router alert
		b"\xc2\x04\x00\x01\x00\x00",	# jumbo payload
		b"\x80\x02\x00\x00",		# unknown: discard and report
		b"\x40\x02\x00\x00",		# unknown: discard
		b"\x01\xff",			# PadN past the end
		bytes(rng.getrandbits(8) for _ in range(6)),
	))


def ext_chain(rng, last, payload):
	"""payload behind a chain of extension headers; (first, bytes)."""
	chain = []
	if rng.random() < 0.5:
		chain.append(0)			# hop-by-hop first
	for _ in range(rng.randint(0, 4)):
		chain.append(rng.choice((0, 60, 43, 44, 60, 51, 135)))
	data = payload
	nxt = last
	for kind in reversed(chain):
		if kind in (0, 60):
			data = P.ext_header(nxt, hbh_options(rng)) + data
		elif kind == 43:
			left = rng.choice((0, 1, 2, 255))
			data = P.ext_header(nxt, bytes([rng.choice((0, 2, 3, 4, 253)),
							left]) + bytes(4) + G6) + data
		elif kind == 44:
			data = P.frag6_header(nxt, 0, False,
					      rng.getrandbits(32)) + data
		else:
			data = bytes([nxt, rng.choice((0, 1, 4))]) + bytes(14) + data
		nxt = kind
	return nxt, data


def echo6_body(rng, size=16):
	return struct.pack("!HH", rng.getrandbits(16), 1) + \
		bytes(rng.getrandbits(8) for _ in range(size))


def frags6(tap, rng):
	msg = P.icmp6(FORGED6, G6, 128, 0, echo6_body(rng, 64))
	start = rng.choice((0, 8, 16, 8 * rng.randint(0, 12)))
	size = rng.choice((8, 16, 24, 48))
	more = rng.random() < 0.6
	payload = P.frag6_header(58, start // 8, more, rng.choice((7, 8))) + \
		msg[start:start + size]
	return P.eth(GUEST_MAC, OTHER_MAC, P.ETH_IP6,
		     P.ip6(FORGED6, G6, 44, payload))


def gen_ip6(tap, rng):
	if rng.random() < 0.35:
		return frags6(tap, rng)
	last = rng.choice((58, 17, 6, 59))
	if last == 58:
		body = P.icmp6(FORGED6, G6, 128, 0, echo6_body(rng))
	elif last == 17:
		body = P.udp(FORGED6, G6, 5000, rng.randrange(1, 65536), b"x" * 9,
			     v6=True)
	elif last == 6:
		body = P.tcp(FORGED6, G6, 5000, 80, rng.getrandbits(32), 0, 2,
			     options=tcp_options(rng), v6=True)
	else:
		body = b""
	first, data = ext_chain(rng, last, body)
	return P.eth(GUEST_MAC, OTHER_MAC, P.ETH_IP6,
		     P.ip6(FORGED6, G6, first, data))


def nd_options(rng):
	opts = b""
	for _ in range(rng.randint(1, 4)):
		pick = rng.randrange(7)
		if pick == 0:
			opts += b"\x01\x01" + OTHER_MAC		# source lladdr
		elif pick == 1:
			opts += b"\x02\x01" + OTHER_MAC		# target lladdr
		elif pick == 2:				# prefix information
			plen = rng.choice((0, 1, 48, 64, 64, 65, 127, 128, 129, 255))
			prefix = P.a6(rng.choice(("2001:db8:1::", "fe80::",
						  "ff02::", "::", "2001:db8::")))
			valid = rng.choice((0, 1, 7200, 0xffffffff))
			pref = rng.choice((0, 1, 3600, 0xffffffff))
			opts += struct.pack("!BBBBIII16s", 3, 4, plen,
					    rng.choice((0xc0, 0x40, 0x80, 0xff)),
					    valid, pref, 0, prefix)
		elif pick == 3:				# MTU
			opts += struct.pack("!BBHI", 5, 1, 0, rng.choice(
				(0, 68, 1279, 1280, 1500, 65535, 0xffffffff)))
		elif pick == 4:				# RDNSS
			opts += struct.pack("!BBHI", 25, rng.choice((1, 3, 5)), 0,
					    600) + P.a6("2001:db8::53") * 2
		elif pick == 5:				# length 0
			opts += bytes([rng.randrange(1, 40), 0]) + bytes(6)
		else:
			opts += bytes([rng.randrange(256), rng.choice((1, 2, 255))]) + \
				bytes(6)
	return opts


def gen_nd(tap, rng):
	kind = rng.choice((134, 134, 135, 136, 137, 130, 133, 1, 2, 3, 4))
	dst, dst_mac = P.a6("ff02::1"), P.mcast_mac6(P.a6("ff02::1"))
	if rng.random() < 0.4:
		dst, dst_mac = G6, GUEST_MAC
	target = rng.choice((G6, P.a6("fe80::77"), P.a6("2001:db8:1::5"),
			     P.a6("ff02::1")))
	if kind == 134:
		body = struct.pack("!BBHII", rng.choice((64, 0, 255)),
				   rng.choice((0, 0xc0, 0x08)),
				   rng.choice((0, 1800, 65535)),
				   rng.choice((0, 30000)), rng.choice((0, 1000)))
	elif kind in (135, 136):
		body = struct.pack("!I", rng.choice((0, 0x20000000, 0xe0000000))) + \
			target
	elif kind == 137:
		body = bytes(4) + target + rng.choice((G6, FORGED6, P.a6("::1")))
	elif kind == 130:
		body = struct.pack("!HH", rng.choice((0, 1000)), 0) + \
			rng.choice((bytes(16), P.a6("ff02::1:ff00:1")))
	elif kind in (1, 2, 3, 4):
		quoted = P.ip6(G6, FORGED6, rng.choice((6, 17, 58, 0)),
			       bytes(rng.choice((0, 8, 40))))
		body = struct.pack("!I", rng.choice((0, 1280, 0xffffffff))) + \
			quoted[:rng.choice((len(quoted), 8, 40))]
		return P.eth(dst_mac, OTHER_MAC, P.ETH_IP6,
			     P.ip6(FORGED6, dst, 58,
				   P.icmp6(FORGED6, dst, kind, 0, body)))
	else:
		body = bytes(4)
	body += nd_options(rng)
	return P.eth(dst_mac, OTHER_MAC, P.ETH_IP6,
		     P.ip6(FORGED6, dst, 58, P.icmp6(FORGED6, dst, kind, 0, body)))


GENERATORS = (("arp", gen_arp), ("ip4", gen_ip4), ("tcp", gen_tcp),
	      ("udp", gen_udp), ("dhcp", gen_dhcp), ("icmp", gen_icmp),
	      ("ip6", gen_ip6), ("nd", gen_nd))


USED = [g for g in GENERATORS if g[0] in
	os.environ.get("PKT_FUZZ_ONLY", g[0]).split(",")]


def guard(frame):
	"""frame, unless a mutation made it speak for the test's own host
	(a forged ARP or neighbour entry for it would break the health
	checks, not find a bug): then the forged host's address instead."""
	kind = struct.unpack("!H", frame[12:14])[0] if len(frame) >= 14 else 0
	data = bytearray(frame)
	if kind == P.ETH_ARP and data[28:32] == H4:
		data[28:32] = P.a4("192.168.80.150")
	elif kind == P.ETH_IP and data[26:30] == H4 and frame[23] != 17:
		data[26:30] = P.a4("192.168.80.150")
	elif kind == P.ETH_IP6:
		if data[22:38] == H6:
			data[22:38] = FORGED6
		if len(data) > 78 and data[54] in (135, 136, 137) and \
		   data[62:78] == H6:
			data[62:78] = FORGED6
	else:
		return frame
	return P.fix_sums(bytes(data)) if bytes(data) != frame else frame


# ---- Health checks ----------------------------------------------------------

def ping(ns, family, addr, ident, seconds):
	"""True if an echo reply to ident comes within seconds."""
	proto = socket.IPPROTO_ICMP if family == socket.AF_INET else \
		socket.IPPROTO_ICMPV6
	s = ns.socket(family, socket.SOCK_RAW, proto)
	try:
		if family == socket.AF_INET:
			msg, reply_type, skip = P.icmp4(8, 0, struct.pack(
				"!HH", ident, 1), b"health"), 0, 20
		else:
			msg, reply_type, skip = struct.pack(
				"!BBHHH", 128, 0, 0, ident, 1) + b"health", 129, 0
		s.sendto(msg, addr)
		deadline = time.monotonic() + seconds
		while time.monotonic() < deadline:
			s.settimeout(max(0.01, deadline - time.monotonic()))
			reply, _ = s.recvfrom(1500)
			if family == socket.AF_INET:
				skip = (reply[0] & 0xf) * 4
			if reply[skip] == reply_type and struct.unpack(
			   "!H", reply[skip + 4:skip + 6])[0] == ident:
				return True
	except (socket.timeout, TimeoutError, OSError, IndexError):
		pass
	finally:
		s.close()
	return False


def retry(check, tries):
	for _ in range(tries):
		if check():
			return True
	return False


class Health:
	def __init__(self, ns, guest, ifindex):
		self.ns, self.guest, self.ifindex = ns, guest, ifindex
		self.ident = 0x5000
		self.netd_pid = None

	def latest_pid(self, after):
		"""The netd pid of the first console report after line index
		after (the guest prints one a second)."""
		deadline = time.monotonic() + 20
		while time.monotonic() < deadline:
			with self.guest.changed:
				lines = self.guest.lines[after:]
				for l in lines:
					if l is None:
						return None
					if l.startswith("netd-pid"):
						return l.split()[1:] or ["none"]
				self.guest.changed.wait(1)
		return None

	def death(self):
		"""init's console line about netd's end, if there is one."""
		with self.guest.changed:
			for line in self.guest.lines:
				if line is not None and line.startswith("init: netd"):
					return "netd died (%s)" % line
		return None

	def check(self):
		"""None if healthy, else what is wrong."""
		trouble = self.probe()
		return self.death() or trouble

	def probe(self):
		mark = len(self.guest.lines)
		self.ident += 1
		if not retry(lambda: ping(self.ns, socket.AF_INET, (GUEST4, 0),
					  self.ident, 2), 3):
			return "no answer to ping %s" % GUEST4
		if not retry(lambda: ping(self.ns, socket.AF_INET6,
					  (GUEST6, 0, 0, self.ifindex),
					  self.ident, 2), 3):
			return "no answer to ping %s" % GUEST6
		if not retry(lambda: http_get(self.ns, GUEST4, 5) is not None, 3):
			return "httpd does not serve %s" % GUEST4
		pid = self.latest_pid(mark)
		if pid is None:
			return "the guest stopped reporting netd's pid"
		if self.netd_pid is None:
			self.netd_pid = pid
		elif pid != self.netd_pid:
			return "netd's pid changed from %s to %s (it died)" % (
				self.netd_pid, pid)
		return None


def write_pcap(frames, name):
	path = os.path.join(tempfile.gettempdir(), name)
	with open(path, "wb") as f:
		f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
		for frame in frames:
			f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)))
			f.write(frame)
	return path


def fuzz_round(tap, number):
	name, generate = USED[number % len(USED)]
	rng = random.Random("%d-%d" % (SEED, number))
	sent = []
	for i in range(FRAMES):
		made = generate(tap, rng)
		burst = isinstance(made, list)
		for frame in made if burst else [made]:
			if rng.random() < (0.3 if burst else 0.85):
				frame = P.mutate(rng, frame)
			frame = guard(frame)
			tap.send(frame)
			sent.append(frame)
		if i % 25 == 24:
			time.sleep(0.02)	# the guest's receive ring is 256
	return name, sent


def main():
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
				tap.mac = P.mac_bytes(word)
				break
		ifindex = int(ns.ip("link", "show", TAP).split(":")[0])
		script = ("until [ -s /run/netd.status ]; do sleep 0.1; done; "
			  "cat /run/netd.status; "
			  "ping -q 192.168.80.1 >/dev/null 2>&1 & "
			  "nc -u -l -p 9 >/dev/null 2>&1 & "
			  "echo net-ready; "
			  "while :; do echo netd-pid $(pidof netd); sleep 1; done")
		guest = Guest(ns, petrel_argv(TAP, MAC, timeout=90 + 20 * ROUNDS)
			      + ["--", script], "guest")
		if guest.wait_line(lambda l: l == "net-ready", 90) is None:
			fail("the guest's network never came up")
		if not tap.leased.is_set() or tap.xid is None:
			fail("the guest did not take its lease from the test")
		print("netd's DHCP messages: %s (the first DISCOVER and REQUEST "
		      "had %d bad replies each before the good one)" % (
		      " ".join(tap.dhcp_seen), BOOT_DHCP_FRAMES), flush=True)
		health = Health(ns, guest, ifindex)
		trouble = health.check()
		if trouble:
			fail("unhealthy before any fuzzing: " + trouble)
		print("netd's pid is %s; %d rounds of %d frames, seed %d" % (
		      " ".join(health.netd_pid), ROUNDS, FRAMES, SEED), flush=True)
		for number in range(ROUNDS):
			name, sent = fuzz_round(tap, number)
			time.sleep(0.3)
			trouble = health.check()
			if trouble:
				path = write_pcap(sent, "petrel-fuzz-%d-%d.pcap" % (
					SEED, number))
				fail("after round %d (%s, PKT_FUZZ_SEED=%d): %s; its "
				     "frames are in %s" % (number, name, SEED,
							    trouble, path))
			print("round %d (%s): %d frames, healthy (%d connections "
			      "to httpd from forged hosts so far)" % (
			      number, name, len(sent), len(tap.conns)), flush=True)
	print("net-fuzz: %.1fs" % (time.monotonic() - start), flush=True)
	passed()


main()
