# Frames for Petrel's packet tests, built with struct (no scapy): valid
# Ethernet frames of each protocol netd speaks (ARP, IPv4 with options and
# fragments, TCP with options, UDP, DHCP replies, ICMP errors, IPv6 with
# extension headers, ICMPv6 neighbour discovery), and the seeded mutations
# net-fuzz.py applies to them (bit flips, truncation, extension, boundary
# values in fields), with checksums made good again most of the time so a
# mutation gets past the checksum into the parsers. Imported by tests,
# not a test itself.

import socket
import struct

ETH_IP, ETH_ARP, ETH_IP6 = 0x0800, 0x0806, 0x86dd
BROADCAST = b"\xff" * 6
BOUNDARY8 = (0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff)
BOUNDARY16 = (0x0000, 0x0001, 0x7fff, 0x8000, 0xfffe, 0xffff)


def csum(data):
	if len(data) % 2:
		data += b"\0"
	s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return (~s) & 0xffff


def a4(text):
	return socket.inet_aton(text)


def a6(text):
	return socket.inet_pton(socket.AF_INET6, text)


def mac_bytes(text):
	return bytes.fromhex(text.replace(":", ""))


def eth(dst, src, kind, payload):
	return dst + src + struct.pack("!H", kind) + payload


# ---- IPv4 ------------------------------------------------------------------

def ip4(src, dst, proto, payload, options=b"", ident=0, frag=0, ttl=64,
	tos=0, length=None):
	"""An IPv4 packet; src and dst are 4 bytes; frag is the flags and
	offset word; options are padded to a multiple of 4."""
	options += bytes(-len(options) % 4)
	hlen = 20 + len(options)
	total = hlen + len(payload) if length is None else length
	head = struct.pack("!BBHHHBBH4s4s", 0x40 | hlen // 4, tos,
			   total & 0xffff, ident, frag, ttl, proto, 0, src,
			   dst) + options
	head = head[:10] + struct.pack("!H", csum(head)) + head[12:]
	return head + payload


def l4_sum4(src, dst, proto, segment, at):
	"""segment with its checksum (at offset at) computed over IPv4's
	pseudo-header."""
	segment = segment[:at] + b"\0\0" + segment[at + 2:]
	pseudo = src + dst + struct.pack("!BBH", 0, proto, len(segment))
	return segment[:at] + struct.pack("!H", csum(pseudo + segment)) + \
		segment[at + 2:]


def tcp(src, dst, sport, dport, seq, ack, flags, window=65535, options=b"",
	data=b"", urgent=0, v6=False):
	options += b"\x01" * (-len(options) % 4)	# NOP padding
	head = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
			   ack & 0xffffffff, (5 + len(options) // 4) << 4,
			   flags, window, 0, urgent)
	segment = head + options + data
	if v6:
		return l4_sum6(src, dst, 6, segment, 16)
	return l4_sum4(src, dst, 6, segment, 16)


def udp(src, dst, sport, dport, data, v6=False):
	segment = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
	if v6:
		return l4_sum6(src, dst, 17, segment, 6)
	return l4_sum4(src, dst, 17, segment, 6)


def icmp4(kind, code, rest, body=b""):
	msg = struct.pack("!BBH", kind, code, 0) + rest + body
	return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def arp(op, sha, spa, tha, tpa):
	return struct.pack("!HHBBH6s4s6s4s", 1, ETH_IP, 6, 4, op, sha, spa,
			   tha, tpa)


# ---- IPv6 ------------------------------------------------------------------

def l4_sum6(src, dst, proto, segment, at):
	segment = segment[:at] + b"\0\0" + segment[at + 2:]
	pseudo = src + dst + struct.pack("!I3xB", len(segment), proto)
	return segment[:at] + struct.pack("!H", csum(pseudo + segment)) + \
		segment[at + 2:]


def ip6(src, dst, next_header, payload, hops=255, length=None):
	size = len(payload) if length is None else length
	return struct.pack("!IHBB", 0x60000000, size & 0xffff, next_header,
			   hops) + src + dst + payload


def icmp6(src, dst, kind, code, body):
	return l4_sum6(src, dst, 58, struct.pack("!BBH", kind, code, 0) + body,
		       2)


def ext_header(next_header, body):
	"""A hop-by-hop, destination options or routing header: body padded
	to 8-byte units after its two leading bytes."""
	body += bytes(-(len(body) + 2) % 8)
	return bytes([next_header, (len(body) + 2) // 8 - 1]) + body


def frag6_header(next_header, offset, more, ident):
	return struct.pack("!BBHI", next_header, 0,
			   (offset << 3) | (1 if more else 0), ident)


def mcast_mac6(addr):
	return b"\x33\x33" + addr[12:]


# ---- Checksums after a mutation --------------------------------------------

def fix_sums(frame):
	"""frame with its IPv4 header and TCP/UDP/ICMP/ICMPv6 checksums
	computed again where its (mutated) headers still say where they are;
	anything it cannot parse is left as it is."""
	try:
		kind = struct.unpack("!H", frame[12:14])[0]
		if kind == ETH_IP:
			return frame[:14] + fix_ip4(frame[14:])
		if kind == ETH_IP6:
			return frame[:14] + fix_ip6(frame[14:])
	except (struct.error, IndexError, ValueError):
		pass
	return frame


def fix_ip4(pkt):
	hlen = (pkt[0] & 0xf) * 4
	if hlen < 20 or len(pkt) < hlen:
		return pkt
	head = pkt[:10] + b"\0\0" + pkt[12:hlen]
	pkt = head[:10] + struct.pack("!H", csum(head)) + pkt[12:]
	if struct.unpack("!H", pkt[6:8])[0] & 0x3fff:
		return pkt		# a fragment: its sum covers the whole
	total = min(struct.unpack("!H", pkt[2:4])[0], len(pkt))
	body = pkt[hlen:total]
	at = {6: 16, 17: 6}.get(pkt[9])
	if at is not None and len(body) >= at + 2:
		body = l4_sum4(pkt[12:16], pkt[16:20], pkt[9], body, at)
	elif pkt[9] == 1 and len(body) >= 4:
		body = body[:2] + b"\0\0" + body[4:]
		body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
	return pkt[:hlen] + body + pkt[total:]


def fix_ip6(pkt):
	"""Only the upper layer straight after the fixed header (a chain of
	extension headers keeps its sums as they were)."""
	at = {6: 16, 17: 6, 58: 2}.get(pkt[6])
	body = pkt[40:40 + struct.unpack("!H", pkt[4:6])[0]]
	if at is None or len(body) < at + 2:
		return pkt
	body = l4_sum6(pkt[8:24], pkt[24:40], pkt[6], body, at)
	return pkt[:40] + body + pkt[40 + len(body):]


# ---- Mutations -------------------------------------------------------------

def flip_bits(rng, data, start):
	data = bytearray(data)
	for _ in range(rng.randint(1, 8)):
		at = rng.randrange(start, len(data))
		data[at] ^= 1 << rng.randrange(8)
	return bytes(data)


def truncate(rng, data, start):
	return data[:rng.randrange(start, len(data))]


def extend(rng, data, start):
	more = rng.choice((1, 2, 7, 64, 600))
	return data + bytes(rng.getrandbits(8) for _ in range(more))


def boundary(rng, data, start):
	data = bytearray(data)
	for _ in range(rng.randint(1, 3)):
		at = rng.randrange(start, len(data))
		if at + 1 < len(data) and rng.random() < 0.5:
			data[at:at + 2] = struct.pack("!H", rng.choice(BOUNDARY16))
		else:
			data[at] = rng.choice(BOUNDARY8)
	return bytes(data)


MUTATIONS = (flip_bits, truncate, extend, boundary)


def mutate(rng, frame, start=14):
	"""frame after one to three seeded mutations from byte start on (the
	Ethernet header stays, so the frame still reaches the guest); its
	sums made good again three times in four."""
	if len(frame) <= start:
		return frame
	for _ in range(rng.randint(1, 3)):
		if len(frame) <= start + 1:
			break
		frame = rng.choice(MUTATIONS)(rng, frame, start)
	if rng.random() < 0.75:
		frame = fix_sums(frame)
	return frame
