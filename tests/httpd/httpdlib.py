# Helpers of httpd's host test (tests/httpd/host-test.py): the document
# root, starting and stopping httpd, raw HTTP over a socket, curl, and the
# list of failed checks. Installed beside it as build/host-tests/httpdlib.py.

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

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
	os.path.realpath(__file__))))
HTTPD = os.path.join(ROOT, "build", "httpd", "httpd-host")
HTTPD_MUSL = os.path.join(ROOT, "build", "httpd", "httpd")
FALLBACKS = os.path.join(ROOT, "build", "httpd", "fallbacks.so")
CERT = os.path.join(ROOT, "build", "httpd", "cert.pem")
KEY = os.path.join(ROOT, "build", "httpd", "key.pem")
HOST = "127.0.0.1"
IDLE_TIMEOUT = 2	# seconds, given to httpd with -t

failures = []


def check(cond, what):
	if not cond:
		failures.append(what)
		print("FAIL: %s" % what, flush=True)
	return cond


# ---- The document root --------------------------------------------------------

def make_root(top):
	rng = random.Random(1)
	root = os.path.join(top, "www")
	files = {
		"index.html": b"<!DOCTYPE html><title>petrel</title>hello\n",
		"style.css": b"body { color: black; }\n",
		"app.js": b"console.log('petrel');\n",
		"data.json": b'{"petrel": true}\n',
		"notes.txt": b"plain text\n",
		"image.png": b"\x89PNG\r\n\x1a\n" + rng.randbytes(3000),
		"photo.jpg": b"\xff\xd8\xff\xe0" + rng.randbytes(5000),
		"anim.gif": b"GIF89a" + rng.randbytes(100),
		"logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
		"favicon.ico": rng.randbytes(300),
		"mod.wasm": b"\x00asm\x01\x00\x00\x00",
		"doc.pdf": b"%PDF-1.4\n" + rng.randbytes(20000),
		"blob": rng.randbytes(64),
		"empty.txt": b"",
		"with space.txt": b"spaced\n",
		"big.bin": rng.randbytes(4 * 1024 * 1024 + 123),
		"sub/index.html": b"<p>sub index</p>\n",
		"sub/deep/page.html": b"<p>deep</p>\n",
		"nodex/file.txt": b"no index here\n",
	}
	for name, data in files.items():
		path = os.path.join(root, name)
		os.makedirs(os.path.dirname(path), exist_ok=True)
		with open(path, "wb") as f:
			f.write(data)
	# A file outside the root that traversal must not reach.
	with open(os.path.join(top, "secret.txt"), "wb") as f:
		f.write(b"SECRET-OUTSIDE-ROOT\n")
	return root, files


# ---- Starting and stopping httpd ---------------------------------------------

class Server:
	def __init__(self, root, args, log=None, binary=HTTPD, env=None,
		     preexec=None, bind=True):
		self.log = log
		argv = [binary, "-p", "0", "-r", root] + args
		if bind:
			argv += ["-b", HOST]
		if log is not None:
			argv += ["-l", log]
		self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
			stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
			env=env, preexec_fn=preexec)
		self.stderr = b""
		line = self.read_line(5)
		m = re.match(rb"httpd: listening on port (\d+)(, TLS port (\d+))?$",
			line)
		if not m:
			self.stop()
			raise RuntimeError("no listening line: %r %r" %
				(line, self.stderr))
		self.port = int(m.group(1))
		self.tls_port = int(m.group(3)) if m.group(3) else None

	def read_line(self, timeout):
		"""The next stderr line (without newline), or what came."""
		deadline = time.monotonic() + timeout
		fd = self.proc.stderr.fileno()
		while b"\n" not in self.stderr:
			left = deadline - time.monotonic()
			if left <= 0 or not select.select([fd], [], [], left)[0]:
				break
			chunk = os.read(fd, 4096)
			if not chunk:
				break
			self.stderr += chunk
		line, _, self.stderr = self.stderr.partition(b"\n")
		return line

	def read_stderr(self, timeout):
		"""Whatever stderr says within timeout seconds."""
		lines = []
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			line = self.read_line(deadline - time.monotonic())
			if line:
				lines.append(line)
		return lines

	def stop(self):
		"""SIGTERM; returns (exit status, rest of stderr)."""
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
		try:
			_, err = self.proc.communicate(timeout=5)
		except subprocess.TimeoutExpired:
			self.proc.kill()
			_, err = self.proc.communicate()
		return self.proc.returncode, self.stderr + err


# ---- Raw HTTP over a socket --------------------------------------------------

class Raw:
	"""One connection; responses are read in order from one buffer."""

	def __init__(self, port, tls=False):
		sock = socket.create_connection((HOST, port), timeout=5)
		if tls:
			ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
			ctx.check_hostname = False
			ctx.verify_mode = ssl.CERT_NONE
			sock = ctx.wrap_socket(sock, server_hostname="petrel")
		self.sock = sock
		self.file = sock.makefile("rb")

	def send(self, data):
		self.sock.sendall(data)

	def response(self, head=False):
		"""(status, headers with lower-case names, body)."""
		line = self.file.readline()
		if not line:
			return None, {}, b""
		status = int(line.split()[1])
		headers = {}
		while True:
			line = self.file.readline()
			if line in (b"\r\n", b"\n", b""):
				break
			name, _, value = line.decode("latin-1").partition(":")
			headers[name.strip().lower()] = value.strip()
		length = int(headers.get("content-length", "0"))
		body = b"" if head else self.file.read(length)
		return status, headers, body

	def closed_by_peer(self, timeout=3):
		"""True if the server closes the connection within timeout."""
		self.sock.settimeout(timeout)
		try:
			return self.file.read(1) == b""
		except (socket.timeout, TimeoutError):
			return False
		except (ConnectionResetError, ssl.SSLError):
			return True

	def close(self):
		self.file.close()
		self.sock.close()


def get(path, host="h"):
	return ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode()


def one(port, request, head=False, tls=False):
	c = Raw(port, tls)
	c.send(request)
	r = c.response(head)
	c.close()
	return r


def until(cond, timeout=3):
	"""Polls cond() until it is true or timeout seconds pass."""
	deadline = time.monotonic() + timeout
	while True:
		value = cond()
		if value or time.monotonic() > deadline:
			return value
		time.sleep(0.05)


def curl(*args):
	p = subprocess.run(["curl", "-s", "-S", "--max-time", "10"] +
		list(args), capture_output=True, timeout=20)
	return p.returncode, p.stdout, p.stderr
