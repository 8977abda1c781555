#!/usr/bin/env python3
# Boots: the default image on microvm with --net tap, QEMU inside a network
#        namespace this test makes (tests/system/netns.py): a tap whose host
#        side is 192.168.77.1/24, dnsmasq there as DHCP server (range .50 to
#        .99) and DNS server (petrel.test is 192.168.77.1), an HTTP and a
#        TCP server on 192.168.77.1. Nothing leaves the namespace.
# Does:  the guest waits for its lease, looks petrel.test up with nslookup,
#        pings it by name, fetches a page by name with wget, talks to the
#        TCP server with nc, then listens with nc; the host side pings the
#        guest's leased address and connects to that listener.
# Expects: the lease is dnsmasq's (netd.status says dhcp, the address is in
#        the range and in dnsmasq's lease file), /etc/resolv.conf names
#        192.168.77.1, every exchange carries the expected bytes; exit 0.
#        Skips (77) when not root or without ip, dnsmasq or /dev/net/tun.
import atexit, functools, http.server, ipaddress, os, secrets, shutil, socket
import sys, tempfile
import threading, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import fail, passed
from netns import Guest, Namespace, add_tap, need_tools, petrel_argv

HOST = "192.168.77.1"
FIRST, LAST = "192.168.77.50", "192.168.77.99"
TAP, MAC = "ptap0", "52:54:00:77:00:10"
HTTP_PORT, TCP_PORT, GUEST_PORT = 8000, 7001, 7000

need_tools("dnsmasq")
work = tempfile.mkdtemp(prefix="petrel-tap-")
atexit.register(shutil.rmtree, work, True)
with open(os.path.join(work, "hello.txt"), "w") as f:
	f.write("hello from the namespace\n")


def dnsmasq_argv():
	return ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
		"--no-resolv", "--no-hosts", "--bind-interfaces",
		"--interface=" + TAP, "--except-interface=lo", "--user=root",
		"--pid-file=", "--dhcp-leasefile=" + os.path.join(work, "leases"),
		"--dhcp-range=%s,%s,255.255.255.0,1h" % (FIRST, LAST),
		"--dhcp-option=option:router," + HOST,
		"--host-record=petrel.test," + HOST, "--local=/test/",
		"--log-facility=-", "--log-dhcp", "--log-queries"]


def dns_answers(ns, name):
	"""True once DNS on HOST answers an A query for name (dnsmasq up)."""
	query = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" +
		 b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) +
		 b"\x00\x00\x01\x00\x01")
	s = ns.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(0.5)
	try:
		s.sendto(query, (HOST, 53))
		reply = s.recv(512)
		return reply[:2] == b"\x12\x34" and socket.inet_aton(HOST) in reply
	except OSError:
		return False
	finally:
		s.close()


def serve_tcp(listener):
	"""Answers each connection with what it sent, once it has sent all."""
	while True:
		try:
			conn, _ = listener.accept()
		except OSError:
			return
		with conn:
			conn.settimeout(30)
			data = b""
			try:
				while True:
					chunk = conn.recv(4096)
					if not chunk:
						break
					data += chunk
				conn.sendall(b"host got: " + data)
			except OSError:
				pass


def serve_http(ns):
	handler = functools.partial(http.server.SimpleHTTPRequestHandler,
				    directory=work)
	class Quiet(handler.func):
		def log_message(self, *args):
			pass
	server = http.server.ThreadingHTTPServer(
		(HOST, HTTP_PORT), functools.partial(Quiet, directory=work),
		bind_and_activate=False)
	server.socket.close()
	server.socket = ns.socket(socket.AF_INET, socket.SOCK_STREAM)
	server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	server.server_bind()
	server.server_activate()
	threading.Thread(target=server.serve_forever, daemon=True).start()
	return server


GUEST_SCRIPT = (
	"i=0; until [ -s /run/netd.status ]; do "
	"i=$((i+1)); [ $i -gt 600 ] && { echo no-lease; exit 3; }; sleep 0.1; done; "
	"echo \"status: $(cat /run/netd.status)\"; "
	"grep nameserver /etc/resolv.conf; "
	"nslookup petrel.test; "
	"ping -c 1 -W 10 petrel.test >/dev/null && echo ping-name-ok; "
	"wget -q -O- http://petrel.test:%d/hello.txt; "
	"echo from-guest | nc %s %d; echo; "
	"echo guest-listening; nc -l -p %d </dev/null; echo; echo guest-end"
	% (HTTP_PORT, HOST, TCP_PORT, GUEST_PORT))


def expect_after(guest, wanted, seconds=60):
	"""Fails unless each wanted line comes, in order."""
	for want in wanted:
		if guest.wait_line(lambda l: l == want, seconds) is None:
			fail("expected the guest line %r" % want)


def leased_address(guest):
	line = guest.wait_line(lambda l: l.startswith("status: ") or
			       l == "no-lease", 90)
	if line is None or line == "no-lease":
		fail("the guest got no address")
	words = line.split()	# status: A/N gateway GW dhcp
	if len(words) != 5 or words[2:] != ["gateway", HOST, "dhcp"]:
		fail("netd.status is %r, want a DHCP lease with gateway %s"
		     % (line, HOST))
	addr = words[1].split("/")[0]
	if not (ipaddress.ip_address(FIRST) <= ipaddress.ip_address(addr)
		<= ipaddress.ip_address(LAST)) or not words[1].endswith("/24"):
		fail("leased %s is not in %s-%s/24" % (words[1], FIRST, LAST))
	return addr


def check_lease_file(addr):
	with open(os.path.join(work, "leases")) as f:
		leases = f.read()
	print("dnsmasq leases: " + leases.strip(), flush=True)
	if not any(l.split()[1:3] == [MAC, addr] for l in leases.splitlines()
		   if len(l.split()) >= 3):
		fail("dnsmasq's lease file does not give %s to %s" % (addr, MAC))


def host_to_guest(ns, addr, token):
	"""Pings the guest, then says token to its nc listener."""
	# BusyBox (busybox-static, in tools/deps.sh) rather than iputils.
	status, output = ns.run(["busybox", "ping", "-c", "2", "-W", "10", addr])
	if status != 0 or " 0% packet loss" not in output:
		fail("the host side could not ping the guest at %s" % addr)
	deadline = time.monotonic() + 30
	while True:
		s = ns.socket(socket.AF_INET, socket.SOCK_STREAM)
		s.settimeout(10)
		try:
			s.connect((addr, GUEST_PORT))
			s.sendall(token.encode() + b"\n")
			s.close()
			return
		except OSError as e:
			s.close()
			if time.monotonic() > deadline:
				fail("no TCP connection to the guest's nc: %s" % e)
			time.sleep(0.3)


start = time.monotonic()
with Namespace("tap") as ns:
	add_tap(ns, TAP)
	ns.ip("addr", "add", HOST + "/24", "dev", TAP)
	ns.ip("link", "set", TAP, "up")
	ns.start(dnsmasq_argv())
	for _ in range(100):
		if dns_answers(ns, "petrel.test"):
			break
	else:
		fail("dnsmasq did not answer on %s" % HOST)
	http_server = serve_http(ns)
	tcp_listener = ns.socket(socket.AF_INET, socket.SOCK_STREAM)
	tcp_listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	tcp_listener.bind((HOST, TCP_PORT))
	tcp_listener.listen(4)
	threading.Thread(target=serve_tcp, args=(tcp_listener,), daemon=True).start()

	guest = Guest(ns, petrel_argv(TAP, MAC) + ["--", GUEST_SCRIPT], "guest")
	addr = leased_address(guest)
	check_lease_file(addr)
	expect_after(guest, ["nameserver " + HOST, "Name:\tpetrel.test",
			     "Address: " + HOST, "ping-name-ok",
			     "hello from the namespace", "host got: from-guest",
			     "guest-listening"])
	token = "host-says-" + secrets.token_hex(4)
	host_to_guest(ns, addr, token)
	expect_after(guest, [token, "guest-end"], 30)
	status = guest.wait_exit(30)
	if status != 0:
		fail("the guest command ended with status %r" % status)
	http_server.shutdown()
	tcp_listener.close()
print("net-tap: %.1fs" % (time.monotonic() - start), flush=True)
passed()
