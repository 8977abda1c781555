#!/usr/bin/env python3
# Boots: the default image on microvm with QEMU user networking (netd and
#        httpd start as services).
# Does:  1. the guest fetches a file from an HTTP server on the host's
#           loopback (10.0.2.2 from the guest) with BusyBox wget, talks to
#           a TCP server there with BusyBox nc, and pings the gateway;
#        2. the host fetches the guest httpd's page over HTTP and HTTPS
#           through --fwd, keep-alive on one connection, and a 50 MiB file
#           of random bytes, checking its length and MD5 against the
#           guest's md5sum.
# Expects: the same bytes on both sides; exit status 0.
import hashlib, http.client, os, socket, ssl, subprocess, sys, threading, time
import http.server, functools, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, free_port, passed, \
	petrel_args, ROOT

BIG_MIB = 50
WAIT_NET = 'for i in $(seq 300); do [ -s /run/netd.status ] && break; sleep 0.1; done; '

# 1. Guest to host.
www = tempfile.mkdtemp()
with open(os.path.join(www, "file.txt"), "w") as f:
	f.write("from the host\n")
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=www)
class Quiet(handler.func):
	def log_message(self, *args):
		pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
	functools.partial(Quiet, directory=www))
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]
echo = socket.socket()
echo.bind(("127.0.0.1", 0))
echo.listen(1)
def answer_once():
	"""Replies to one connection with what it sent, once it has sent all."""
	conn, _ = echo.accept()
	with conn:
		conn.settimeout(60)
		data = b""
		while chunk := conn.recv(4096):
			data += chunk
		conn.sendall(b"host got: " + data)
threading.Thread(target=answer_once, daemon=True).start()
result = boot(WAIT_NET + "cat /run/netd.status; wget -q -O- http://10.0.2.2:%d/file.txt "
	      "&& echo from-guest | nc 10.0.2.2 %d && echo && "
	      "ping -c 1 -W 5 10.0.2.2 >/dev/null && echo ping-ok"
	      % (port, echo.getsockname()[1]))
server.shutdown()
echo.close()
expect_status(result, 0)
expect_lines(result, ["10.0.2.15/24 gateway 10.0.2.2 dhcp", "from the host",
		      "host got: from-guest", "ping-ok"])

# 2. Host to guest: the guest makes a 50 MiB file and waits; we fetch.
hport, sport = free_port(), free_port()
argv = petrel_args(extra=["--fwd", "%d:80" % hport, "--fwd", "%d:443" % sport]) + [
	"--", WAIT_NET + "dd if=/dev/urandom of=/srv/www/big bs=1048576 count=%d iflag=fullblock 2>/dev/null; "
	"md5sum /srv/www/big; touch /run/ready; sleep 120" % BIG_MIB]
print("$ " + " ".join(argv[1:]), flush=True)
guest = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
			 stdin=subprocess.DEVNULL)
def read_md5():
	for raw in guest.stdout:
		line = raw.decode(errors="replace").strip()
		print(line, flush=True)
		if line.endswith("/srv/www/big"):
			return line.split()[0]
	return None
try:
	want = read_md5()
	if not want:
		fail("the guest did not report its file")
	conn = None
	for attempt in range(50):	# httpd may still be starting
		try:
			conn = http.client.HTTPConnection("127.0.0.1", hport, timeout=30)
			conn.request("GET", "/")
			r = conn.getresponse()
			page = r.read()
			break
		except (ConnectionError, http.client.HTTPException, socket.timeout):
			time.sleep(0.2)
	if not conn or r.status != 200 or b"Hello from Petrel" not in page:
		fail("no page from the guest over HTTP")
	conn.request("GET", "/big")	# the same connection: keep-alive
	r = conn.getresponse()
	t0 = time.monotonic()
	body = r.read()
	print("host: HTTP %.1fs" % (time.monotonic() - t0), flush=True)
	got = hashlib.md5(body).hexdigest()
	print("host: /big %d bytes md5 %s" % (len(body), got), flush=True)
	if r.status != 200 or got != want or len(body) != BIG_MIB << 20:
		fail("%d MiB file over HTTP: status %d, %d bytes, md5 %s, want %s"
		     % (BIG_MIB, r.status, len(body), got, want))
	ctx = ssl.create_default_context()
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	tls = http.client.HTTPSConnection("127.0.0.1", sport, timeout=30, context=ctx)
	tls.request("GET", "/")
	r = tls.getresponse()
	if r.status != 200 or b"Hello from Petrel" not in r.read():
		fail("no page over HTTPS")
	tls.request("GET", "/big")
	t0 = time.monotonic()
	body = tls.getresponse().read()
	print("host: HTTPS %.1fs" % (time.monotonic() - t0), flush=True)
	if hashlib.md5(body).hexdigest() != want or len(body) != BIG_MIB << 20:
		fail("%d MiB file over HTTPS: %d bytes, wrong checksum" % (BIG_MIB, len(body)))
	print("host: HTTP, keep-alive, HTTPS and %d MiB checked" % BIG_MIB, flush=True)
finally:
	guest.kill()
	guest.wait()
passed()
