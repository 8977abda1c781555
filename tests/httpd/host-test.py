#!/usr/bin/env python3
# Host test of httpd (build/httpd/httpd-host, under ASan/UBSan): starts it
# on ephemeral 127.0.0.1 ports over a temporary document root and checks
# it with curl, http.client, ssl and raw sockets: files and types, keep-
# alive, pipelining, HEAD, ranges, errors, HTTPS, timeouts and the access
# log. Installed as build/host-tests/httpd; exit 0 passes, 1 fails.

import hashlib
import http.client
import os
import random
import re
import resource
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from httpdlib import *	# noqa: F401,F403 (check, Server, Raw, failures...)

# ---- The checks -----------------------------------------------------------------

TYPES = {
	"index.html": "text/html; charset=utf-8",
	"style.css": "text/css; charset=utf-8",
	"app.js": "text/javascript; charset=utf-8",
	"data.json": "application/json",
	"notes.txt": "text/plain; charset=utf-8",
	"image.png": "image/png",
	"photo.jpg": "image/jpeg",
	"anim.gif": "image/gif",
	"logo.svg": "image/svg+xml",
	"favicon.ico": "image/x-icon",
	"mod.wasm": "application/wasm",
	"doc.pdf": "application/pdf",
	"blob": "application/octet-stream",
	"big.bin": "application/octet-stream",
}


def test_files(srv, files):
	url = "http://%s:%d/" % (HOST, srv.port)
	rc, out, _ = curl("-D", "-", url)
	head, _, body = out.partition(b"\r\n\r\n")
	check(rc == 0 and head.startswith(b"HTTP/1.1 200 "), "curl GET /")
	check(body == files["index.html"], "GET / serves index.html")
	check(b"Content-Type: text/html; charset=utf-8" in head,
		"index Content-Type")
	for hdr in (b"Date: ", b"Last-Modified: ", b"Server: ",
		    b"Content-Length: %d" % len(files["index.html"])):
		check(hdr in head, "GET / has %r" % hdr)

	conn = http.client.HTTPConnection(HOST, srv.port, timeout=5)
	for name, ctype in TYPES.items():
		conn.request("GET", "/" + name)
		r = conn.getresponse()
		body = r.read()
		check(r.status == 200, "GET /%s status %d" % (name, r.status))
		check(r.getheader("Content-Type") == ctype,
			"/%s type %s" % (name, r.getheader("Content-Type")))
		check(r.getheader("Content-Length") == str(len(files[name])),
			"/%s length" % name)
		check(body == files[name], "/%s body" % name)
	conn.close()

	big = hashlib.sha256(files["big.bin"]).hexdigest()
	rc, out, _ = curl(url + "big.bin")
	check(rc == 0 and hashlib.sha256(out).hexdigest() == big,
		"curl big.bin checksum")
	rc, out, _ = curl(url + "image.png")
	check(out == files["image.png"], "curl image.png bytes")

	s, h, b = one(srv.port, get("/empty.txt"))
	check(s == 200 and h.get("content-length") == "0" and b == b"",
		"empty file")
	s, h, b = one(srv.port, get("/with%20space.txt"))
	check(s == 200 and b == files["with space.txt"], "percent-decoding")
	s, h, b = one(srv.port, get("/sub/deep/page.html"))
	check(s == 200 and b == files["sub/deep/page.html"], "nested path")
	s, h, b = one(srv.port, get("/sub"))
	check(s == 301 and h.get("location") == "/sub/", "directory redirect")
	s, h, b = one(srv.port, get("/sub/"))
	check(s == 200 and b == files["sub/index.html"], "directory index")
	s, h, b = one(srv.port, get("/nodex/"))
	check(s == 404, "directory without index.html: 404")
	s, h, b = one(srv.port,
		b"GET http://h/notes.txt HTTP/1.1\r\nHost: h\r\n\r\n")
	check(s == 200 and b == files["notes.txt"], "absolute-form target")
	lastmod = h.get("last-modified")
	c = Raw(srv.port)
	c.send(("GET /notes.txt HTTP/1.1\r\nHost: h\r\n"
		"If-Modified-Since: %s\r\n\r\n" % lastmod).encode())
	s, h, b = c.response()
	check(s == 304 and b == b"", "If-Modified-Since: 304")
	c.send(get("/notes.txt"))
	s, h, b = c.response()
	check(s == 200 and b == files["notes.txt"], "after 304, same conn")
	c.close()


def test_keepalive(srv, files):
	c = Raw(srv.port)
	names = ["index.html", "style.css", "image.png", "doc.pdf", "blob"]
	for name in names:
		c.send(get("/" + name))
		s, h, b = c.response()
		check(s == 200 and b == files[name], "keep-alive /%s" % name)
		check("connection" not in h, "HTTP/1.1 keeps the connection")
	c.close()

	# HTTP/1.0: closes by default, stays with Connection: keep-alive.
	c = Raw(srv.port)
	c.send(b"GET /notes.txt HTTP/1.0\r\n\r\n")
	s, h, b = c.response()
	check(s == 200 and h.get("connection") == "close", "1.0 closes")
	check(c.closed_by_peer(), "1.0 connection closed")
	c.close()
	c = Raw(srv.port)
	for _ in range(3):
		c.send(b"GET /notes.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		s, h, b = c.response()
		check(s == 200 and h.get("connection") == "keep-alive" and
			b == files["notes.txt"], "1.0 keep-alive")
	c.close()

	c = Raw(srv.port)
	c.send(b"GET /notes.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	s, h, b = c.response()
	check(s == 200 and h.get("connection") == "close", "Connection: close")
	check(c.closed_by_peer(), "closed after Connection: close")
	c.close()


def test_pipelining(srv, files, tls=False):
	port = srv.tls_port if tls else srv.port
	tag = " (TLS)" if tls else ""
	names = ["notes.txt", "big.bin", "style.css", "empty.txt", "data.json"]
	c = Raw(port, tls)
	c.send(b"".join(get("/" + n) for n in names) +
		b"HEAD /doc.pdf HTTP/1.1\r\nHost: h\r\n\r\n" + get("/missing"))
	for name in names:
		s, h, b = c.response()
		check(s == 200 and b == files[name],
			"pipelined /%s%s" % (name, tag))
	s, h, b = c.response(head=True)
	check(s == 200 and h.get("content-length") == str(len(files["doc.pdf"])),
		"pipelined HEAD" + tag)
	s, h, b = c.response()
	check(s == 404, "pipelined 404" + tag)
	c.close()


def test_head(srv, files):
	# HEAD sends no body: the next response follows the head at once.
	c = Raw(srv.port)
	c.send(b"HEAD /doc.pdf HTTP/1.1\r\nHost: h\r\n\r\n" + get("/notes.txt"))
	s, h, b = c.response(head=True)
	check(s == 200 and h.get("content-length") == str(len(files["doc.pdf"]))
		and h.get("content-type") == "application/pdf", "HEAD headers")
	s, h, b = c.response()
	check(s == 200 and b == files["notes.txt"], "HEAD sent no body")
	c.close()
	rc, out, _ = curl("-I", "http://%s:%d/big.bin" % (HOST, srv.port))
	check(rc == 0 and b"Content-Length: %d" % len(files["big.bin"]) in out,
		"curl -I")


def test_ranges(srv, files, tls=False):
	port = srv.tls_port if tls else srv.port
	tag = " (TLS)" if tls else ""
	data = files["doc.pdf"]
	size = len(data)
	cases = [("bytes=0-9", 0, 9), ("bytes=100-", 100, size - 1),
		 ("bytes=-5", size - 5, size - 1),
		 ("bytes=10-10", 10, 10), ("bytes=5-999999", 5, size - 1)]
	c = Raw(port, tls)
	for spec, first, last in cases:
		c.send(("GET /doc.pdf HTTP/1.1\r\nHost: h\r\nRange: %s\r\n\r\n"
			% spec).encode())
		s, h, b = c.response()
		check(s == 206 and b == data[first:last + 1] and
			h.get("content-range") == "bytes %d-%d/%d" %
			(first, last, size), "range %s%s" % (spec, tag))
	for spec in ("bytes=%d-" % size, "bytes=-0", "bytes=99999-99999"):
		c.send(("GET /doc.pdf HTTP/1.1\r\nHost: h\r\nRange: %s\r\n\r\n"
			% spec).encode())
		s, h, b = c.response()
		check(s == 416 and h.get("content-range") == "bytes */%d" % size,
			"416 for %s%s" % (spec, tag))
	# Several ranges, or a stale If-Range: the whole file.
	for extra in ("Range: bytes=0-1,5-6\r\n",
		      "Range: bytes=0-1\r\nIf-Range: Mon, 01 Jan 1990 "
		      "00:00:00 GMT\r\n"):
		c.send(("GET /doc.pdf HTTP/1.1\r\nHost: h\r\n%s\r\n" %
			extra).encode())
		s, h, b = c.response()
		check(s == 200 and b == data, "range ignored%s: %r" % (tag, extra))
	c.close()
	if not tls:
		big = files["big.bin"]
		rc, out, _ = curl("-r", "1000000-3000000",
			"http://%s:%d/big.bin" % (HOST, srv.port))
		check(out == big[1000000:3000001], "curl -r on big.bin")


def test_errors(srv, files):
	s, h, b = one(srv.port, get("/nothing-here.html"))
	check(s == 404 and b"404" in b, "404")
	for method in ("POST", "PUT", "DELETE", "OPTIONS", "BREW"):
		s, h, b = one(srv.port,
			("%s /index.html HTTP/1.1\r\nHost: h\r\n\r\n" %
			 method).encode())
		check(s == 405 and h.get("allow") == "GET, HEAD",
			"405 for %s" % method)
	c = Raw(srv.port)
	c.send(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd")
	s, h, b = c.response()
	check(s == 405 and h.get("connection") == "close", "POST with a body")
	c.close()
	s, h, b = one(srv.port,
		b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
	check(s == 413, "GET with a body: 413")
	big_head = b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"a" * 20000 + \
		b"\r\n\r\n"
	s, h, b = one(srv.port, big_head)
	check(s == 413 and h.get("connection") == "close", "head over 16 KiB")
	c = Raw(srv.port)
	c.send(b"GET / HTTP/1.1\r\nHost: h\r\nX-Ok: " + b"b" * 15000 +
		b"\r\n\r\n")
	s, h, b = c.response()
	check(s == 200, "head of 15 KB is fine")
	c.close()

	for target in ("/../secret.txt", "/%2e%2e/secret.txt",
		       "/sub/../../secret.txt", "/sub/%2E%2E/%2e%2e/secret.txt",
		       "/..%2fsecret.txt", "http://h/../secret.txt"):
		s, h, b = one(srv.port, get(target))
		check(s == 400 and b"SECRET" not in b,
			"traversal %s refused (%s)" % (target, s))
	rc, out, _ = curl("--path-as-is",
		"http://%s:%d/../secret.txt" % (HOST, srv.port))
	check(b"SECRET" not in out and b"400" in out, "curl --path-as-is ..")

	bad = [b"GARBAGE\r\n\r\n", b"GET /\r\n\r\n",
	       b"GET / HTTP/1.1\r\n\r\n",			# no Host
	       b"GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
	       b"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
	       b"GET / HTTP/1.1\r\nBad Header: x\r\nHost: h\r\n\r\n",
	       b"GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n",
	       b"GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n",
	       b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"]	# TLS hello
	for req in bad:
		c = Raw(srv.port)
		c.send(req)
		s, h, b = c.response()
		check(s == 400, "400 for %r (got %s)" % (req[:30], s))
		check(c.closed_by_peer(), "closed after 400 for %r" % req[:30])
		c.close()
	s, h, b = one(srv.port, b"GET / HTTP/2.0\r\nHost: h\r\n\r\n")
	check(s == 505, "505 for HTTP/2.0")


def test_tls(srv, files):
	base = "https://%s:%d" % (HOST, srv.tls_port)
	rc, out, err = curl("-k", "-v", base + "/index.html",
		base + "/notes.txt", base + "/sub/")
	check(rc == 0 and out == files["index.html"] + files["notes.txt"] +
		files["sub/index.html"], "curl -k over TLS")
	check(err.count(b"Re-using existing connection") == 2,
		"curl keeps the TLS connection")
	rc, out, _ = curl("-k", base + "/big.bin")
	check(hashlib.sha256(out).digest() ==
		hashlib.sha256(files["big.bin"]).digest(), "big.bin over TLS")
	rc, out, _ = curl("-k", "-r", "0-99", base + "/big.bin")
	check(out == files["big.bin"][:100], "curl -k -r 0-99")

	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
	ctx.load_verify_locations(CERT)		# verified against our cert
	conn = http.client.HTTPSConnection("localhost", srv.tls_port,
		context=ctx, timeout=5)
	sock = None
	for name in ("index.html", "image.png", "doc.pdf", "big.bin"):
		conn.request("GET", "/" + name)
		r = conn.getresponse()
		body = r.read()
		check(r.status == 200 and body == files[name] and
			r.getheader("Content-Type") == TYPES[name],
			"https /%s" % name)
		check(sock is None or conn.sock is sock,
			"https keep-alive /%s" % name)
		sock = conn.sock
	conn.close()

	c = Raw(srv.tls_port, tls=True)
	c.send(b"GET /notes.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	s, h, b = c.response()
	check(s == 200 and b == files["notes.txt"], "TLS Connection: close")
	check(c.closed_by_peer(), "TLS connection closed")
	c.close()
	s, h, b = one(srv.tls_port, get("/nope"), tls=True)
	check(s == 404, "404 over TLS")
	# Plain HTTP to the TLS port only gets the connection closed.
	c = Raw(srv.tls_port)
	c.send(get("/"))
	check(c.closed_by_peer(), "plain HTTP on the TLS port closed")
	c.close()


def test_no_blocking(srv, files):
	"""A stalled TLS handshake and a client that does not read its big
	response hold up no one else."""
	stalled = socket.create_connection((HOST, srv.tls_port))
	stalled.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
	lazy = socket.create_connection((HOST, srv.port))
	lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
	lazy.sendall(get("/big.bin") * 3)
	time.sleep(0.2)
	start = time.monotonic()
	s, h, b = one(srv.port, get("/notes.txt"))
	check(s == 200 and b == files["notes.txt"], "served beside stalled")
	s, h, b = one(srv.tls_port, get("/notes.txt"), tls=True)
	check(s == 200 and b == files["notes.txt"], "TLS beside stalled")
	check(time.monotonic() - start < 2, "no wait behind stalled clients")
	stalled.close()
	lazy.close()


def test_cache(srv, root, files):
	"""The open-file cache: an edited, replaced, shrunk or deleted file is
	seen within a second or so; more paths than it keeps are all served right;
	a body in flight survives its entry's eviction."""
	path = os.path.join(root, "cached.txt")
	with open(path, "wb") as f:
		f.write(b"first\n")
	c = Raw(srv.port)
	c.send(get("/cached.txt"))
	check(c.response()[2] == b"first\n", "cache: first version")

	def sees(want_status, want_body):
		c.send(get("/cached.txt"))
		s, h, b = c.response()
		check(h.get("content-length") == str(len(b)),
			"cache: length and body agree")
		return s == want_status and b == want_body
	with open(path, "wb") as f:
		f.write(b"second, longer\n")
	check(until(lambda: sees(200, b"second, longer\n")), "cache: edit seen")
	with open(path + ".new", "wb") as f:
		f.write(b"3rd\n")
	os.rename(path + ".new", path)
	check(until(lambda: sees(200, b"3rd\n")), "cache: replacement seen")
	with open(path, "wb") as f:	# shorter, in place
		f.write(b"x\n")

	def shrunk():
		s, h, b = one(srv.port, get("/cached.txt"))
		return s == 200 and b == b"x\n" and h.get("content-length") == "2"
	check(until(shrunk), "cache: shrunk file seen")
	os.unlink(path)
	check(until(lambda: one(srv.port, get("/cached.txt"))[0] == 404),
		"cache: deletion seen")
	c.close()

	lazy = Raw(srv.port)
	lazy.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
	lazy.send(get("/big.bin"))
	many = os.path.join(root, "many")
	os.makedirs(many, exist_ok=True)
	c = Raw(srv.port)
	for i in range(100):
		with open(os.path.join(many, "%d.txt" % i), "wb") as f:
			f.write(b"file %d\n" % i)
	for rounds in range(2):
		for i in range(100):
			c.send(get("/many/%d.txt" % i))
			s, h, b = c.response()
			check(s == 200 and b == b"file %d\n" % i,
				"cache: /many/%d.txt" % i)
	c.close()
	s, h, b = lazy.response()
	lazy.close()
	check(s == 200 and b == files["big.bin"],
		"cache: body sent past eviction")


def test_timeout(srv):
	idle = Raw(srv.port)
	partial = Raw(srv.port)
	partial.send(b"GET / HTTP/1.1\r\nHost")
	start = time.monotonic()
	check(idle.closed_by_peer(IDLE_TIMEOUT + 3), "idle connection closed")
	check(partial.closed_by_peer(3), "partial head closed")
	took = time.monotonic() - start
	check(IDLE_TIMEOUT - 0.5 < took < IDLE_TIMEOUT + 2,
		"idle timeout took %.1fs" % took)
	idle.close()
	partial.close()


def test_garbage(srv):
	"""Random bytes and cut requests: the server answers or closes, and
	lives on."""
	rng = random.Random(7)
	seed = b"GET /a%20b?c HTTP/1.1\r\nHost: h\r\nRange: bytes=1-2\r\n\r\n"
	for i in range(150):
		data = bytearray(seed)
		for _ in range(rng.randrange(1, 6)):
			data[rng.randrange(len(data))] = rng.randrange(256)
		if i % 3 == 0:
			data = data[:rng.randrange(len(data))]
		tls = i % 10 == 0
		try:
			s = socket.create_connection(
				(HOST, srv.tls_port if tls else srv.port), timeout=2)
			s.sendall(bytes(data))
			s.shutdown(socket.SHUT_WR)
			s.recv(65536)
			s.close()
		except OSError:
			pass
	check(srv.proc.poll() is None, "alive after garbage")
	s, h, b = one(srv.port, get("/notes.txt"))
	check(s == 200, "serving after garbage")


CLF = re.compile(r'^(\S+) - - \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000)\] '
	r'"(.*)" (\d{3}) (\d+|-)$')


def test_log(srv, log, files):
	"""Requests of every kind, then their lines in the log file."""
	want = []

	def expect(req, port=None, tls=False, head=False):
		s, h, b = one(port or srv.port, req, head=head, tls=tls)
		line = req.split(b"\r\n")[0].decode().replace('"', "\\x22")
		want.append(("127.0.0.1", line, str(s), str(len(b)) if b else "-"))

	expect(get("/index.html"))
	expect(b"HEAD /doc.pdf HTTP/1.1\r\nHost: h\r\n\r\n", head=True)
	expect(get("/log-404"))
	expect(b"POST /index.html HTTP/1.1\r\nHost: h\r\n\r\n")
	expect(b"GET /doc.pdf HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9\r\n\r\n")
	expect(get("/../secret.txt"))
	expect(get('/quote"d'))
	expect(get("/big.bin"), port=srv.tls_port, tls=True)

	def logged():
		with open(log) as f:
			return f.read().splitlines()
	until(lambda: len(logged()) > 0 and '"GET /big.bin' in logged()[-1])
	lines = logged()
	parsed = [CLF.match(line) for line in lines]
	check(lines and all(parsed), "every log line is CLF: %r" %
		[l for l, p in zip(lines, parsed) if not p][:3])
	entries = [(p.group(1), p.group(3), p.group(4), p.group(5))
		   for p in parsed if p]
	check(want[0][3] == str(len(files["index.html"])), "sizes as sent")
	for w in want:
		check(w in entries, "log has %r" % (w,))


def test_log_options(root):
	"""Access lines on stderr without -l; none with -q."""
	srv = Server(root, [])
	one(srv.port, get("/notes.txt"))
	line = srv.read_line(3)
	srv.stop()
	check(CLF.match(line.decode()) and b'"GET /notes.txt HTTP/1.1" 200'
		in line, "access log on stderr: %r" % line)
	srv = Server(root, ["-q"])
	one(srv.port, get("/notes.txt"))
	lines = srv.read_stderr(0.3)
	srv.stop()
	check(lines == [], "-q logs nothing: %r" % lines)


def children_of(pid):
	"""The pids whose parent is pid, from /proc/*/stat."""
	found = []
	for name in os.listdir("/proc"):
		try:
			with open("/proc/%s/stat" % name) as f:
				stat = f.read()
		except OSError:
			continue
		if int(stat.rpartition(")")[2].split()[1]) == pid:
			found.append(int(name))
	return found


def alive(pid):
	try:
		with open("/proc/%d/stat" % pid) as f:
			return f.read().rpartition(")")[2].split()[0] != "Z"
	except OSError:
		return False


def test_workers(root):
	"""-w 3: two workers forked, every request answered, all gone after
	SIGTERM to the first; killed, the first takes its workers with it."""
	srv = Server(root, ["-w", "3", "-q"])
	kids = until(lambda: len(children_of(srv.proc.pid)) == 2 and
		     children_of(srv.proc.pid))
	check(kids and len(kids) == 2, "-w 3 forks 2 workers: %r" % kids)
	statuses = [one(srv.port, get("/notes.txt"))[0] for _ in range(30)]
	check(statuses == [200] * 30, "-w 3 answers: %r" % statuses)
	code, _ = srv.stop()
	check(code == 0, "-w 3 exits 0 on SIGTERM (%s)" % code)
	check(not any(alive(k) for k in kids or []), "workers stopped with it")
	srv = Server(root, ["-w", "2", "-q"])
	kids = until(lambda: children_of(srv.proc.pid))
	srv.proc.kill()
	srv.stop()
	check(kids and until(lambda: not any(alive(k) for k in kids)),
	      "a worker ends when the first process is killed: %r" % kids)


def test_fd_limit(root, files):
	"""With 16 descriptors, extra clients are dropped, the server lives
	and serves again once they leave."""
	def limit():
		resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
	srv = Server(root, ["-q"], preexec=limit)
	try:
		clients = []
		for _ in range(30):
			c = socket.create_connection((HOST, srv.port), timeout=2)
			c.sendall(b"GET / HTTP/1.1\r\n")
			clients.append(c)
		for c in clients:
			c.setblocking(False)
		gone = set()

		def dropped():
			for c in clients:
				try:
					if c.recv(1) == b"":
						gone.add(c)
				except BlockingIOError:
					pass
				except ConnectionResetError:
					gone.add(c)
			return len(gone)
		check(until(dropped) > 0, "clients past the limit dropped")
		check(srv.proc.poll() is None, "alive at the fd limit")
		for c in clients:
			c.close()

		def served():
			try:
				return one(srv.port, get("/notes.txt"))[2] == \
					files["notes.txt"]
			except OSError:
				return False
		check(until(served), "serves after the limit")
	finally:
		code, err = srv.stop()
	check(code == 0 and b"Sanitizer" not in err, "fd limit: clean exit")


def test_fd_limit_held(root, files):
	"""With 16 descriptors, clients already served keep being served
	while newcomers past the limit are turned away at accept: a flood of
	connections must not take the descriptors their next files need."""
	def limit():
		resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
	srv = Server(root, ["-q"], preexec=limit)
	held, flood = [], []
	try:
		for _ in range(2):
			c = Raw(srv.port)
			c.send(get("/notes.txt"))
			check(c.response()[0] == 200, "held client served")
			held.append(c)
		for _ in range(30):
			c = socket.create_connection((HOST, srv.port), timeout=2)
			c.sendall(b"GET / HTTP/1.1\r\n")
			flood.append(c)
		time.sleep(0.5)
		for name in ("doc.pdf", "data.json", "style.css"):
			for c in held:
				c.send(get("/" + name))
				status, _, body = c.response()
				check(status == 200 and body == files[name],
					"held client gets /%s past the limit: %s"
					% (name, status))
		check(srv.proc.poll() is None, "alive with held clients")
	finally:
		for c in held:
			c.close()
		for c in flood:
			c.close()
		code, err = srv.stop()
	check(code == 0 and b"Sanitizer" not in err,
		"fd limit, held clients: clean exit")


def test_rsa(top, root, files):
	"""An RSA certificate: BearSSL's full RSA server profile."""
	cert = os.path.join(top, "rsa-cert.pem")
	key = os.path.join(top, "rsa-key.pem")
	subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
		"-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key,
		"-out", cert], check=True, capture_output=True, timeout=30)
	srv = Server(root, ["-q", "-s", "0", "-c", cert, "-k", key])
	try:
		ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
		ctx.load_verify_locations(cert)
		conn = http.client.HTTPSConnection("localhost", srv.tls_port,
			context=ctx, timeout=5)
		for name in ("index.html", "doc.pdf"):
			conn.request("GET", "/" + name)
			r = conn.getresponse()
			check(r.status == 200 and r.read() == files[name],
				"RSA https /%s" % name)
		conn.close()
	finally:
		code, err = srv.stop()
	check(code == 0, "RSA server exits 0")


def run_steps(title, steps):
	for name, step in steps:
		start = time.monotonic()
		before = len(failures)
		try:
			step()
		except Exception as e:
			check(False, "%s %s: %s: %s" % (title, name,
				type(e).__name__, e))
		print("%s %s %s (%.2fs)" % ("ok" if len(failures) == before
			else "FAIL", title, name, time.monotonic() - start),
			flush=True)


def run_suite(title, root, files, log, full, **server_args):
	"""Starts an httpd with TLS and runs the checks on it."""
	srv = Server(root, ["-s", "0", "-c", CERT, "-k", KEY,
			    "-t", str(IDLE_TIMEOUT)], log, **server_args)
	try:
		steps = [
			("files", lambda: test_files(srv, files)),
			("keep-alive", lambda: test_keepalive(srv, files)),
			("pipelining", lambda: test_pipelining(srv, files)),
			("head", lambda: test_head(srv, files)),
			("ranges", lambda: test_ranges(srv, files)),
			("errors", lambda: test_errors(srv, files)),
			("tls", lambda: test_tls(srv, files)),
			("tls pipelining",
			 lambda: test_pipelining(srv, files, tls=True)),
			("tls ranges", lambda: test_ranges(srv, files, tls=True)),
			("garbage", lambda: test_garbage(srv)),
		]
		if full:
			steps += [
				("no blocking", lambda: test_no_blocking(srv, files)),
				("file cache", lambda: test_cache(srv, root, files)),
				("timeout", lambda: test_timeout(srv)),
				("log", lambda: test_log(srv, log, files)),
			]
		run_steps(title, steps)
		check(srv.proc.poll() is None, "%s: httpd still running" % title)
	finally:
		code, err = srv.stop()
	check(code == 0, "%s: httpd exits 0 on SIGTERM (%s)" % (title, code))
	check(b"Sanitizer" not in err and b"runtime error" not in err,
		"%s: no sanitizer report: %s" % (title,
		err.decode(errors="replace")[-2000:]))


def main():
	for path in (HTTPD, HTTPD_MUSL, CERT, KEY, FALLBACKS):
		if not os.path.exists(path):
			print("missing %s: run make" % path)
			return 1
	if shutil.which("curl") is None:
		print("curl is missing (tools/deps.sh installs it)")
		return 1
	top = tempfile.mkdtemp(prefix="httpd-test.")
	try:
		root, files = make_root(top)
		log = os.path.join(top, "access.log")
		run_suite("host", root, files, log, full=True)
		# The static musl binary that goes into Petrel's image.
		run_suite("musl", root, files, None, full=False,
			  binary=HTTPD_MUSL)
		# No sendfile, accept4, getrandom or IPv6: the fallbacks,
		# with the default address (narrowed to loopback by the shim).
		taken = os.path.join(top, "fallbacks")
		env = dict(os.environ, LD_PRELOAD=FALLBACKS,
			   FALLBACKS_LOG=taken,
			   ASAN_OPTIONS="verify_asan_link_order=0")
		run_suite("fallbacks", root, files, None, full=False, env=env,
			  bind=False)
		with open(taken) as f:
			seen = set(f.read().split())
		check(seen == {"sendfile", "accept4", "getrandom", "socket6",
			       "bind-any"}, "fallbacks taken: %s" % sorted(seen))
		run_steps("other", [
			("log options", lambda: test_log_options(root)),
			("workers", lambda: test_workers(root)),
			("fd limit", lambda: test_fd_limit(root, files)),
			("fd limit, held clients",
			 lambda: test_fd_limit_held(root, files)),
			("rsa", lambda: test_rsa(top, root, files)),
		])
	finally:
		shutil.rmtree(top, ignore_errors=True)
	print("%d failures" % len(failures))
	return 1 if failures else 0


if __name__ == "__main__":
	sys.exit(main())
