#!/usr/bin/env python3
# Boots: the default image on microvm with QEMU user networking (netd and
#        httpd start as services).
# Does:  1. the guest fetches a file from an HTTP server on the host's
#           loopback (10.0.2.2 from the guest) with BusyBox wget, and pings
#           the gateway;
#        2. the host fetches the guest httpd's page over HTTP and HTTPS
#           through --fwd, keep-alive on one connection, and a 4 MiB file
#           with its checksum.
# Expects: the same bytes on both sides; exit status 0.
import hashlib, http.client, os, socket, ssl, subprocess, sys, threading, time
import http.server, functools, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed, petrel_args, ROOT

WAIT_NET = 'for i in $(seq 50); do [ -s /run/netd.status ] && break; sleep 0.1; done; '

def free_port():
	s = socket.socket()
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	return port

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
result = boot(WAIT_NET + "cat /run/netd.status; wget -q -O- http://10.0.2.2:%d/file.txt "
	      "&& ping -c 1 -W 5 10.0.2.2 >/dev/null && echo ping-ok" % port)
server.shutdown()
expect_status(result, 0)
expect_lines(result, ["10.0.2.15/24 gateway 10.0.2.2 dhcp", "from the host", "ping-ok"])

# 2. Host to guest: the guest makes a 4 MiB file and waits; we fetch.
hport, sport = free_port(), free_port()
argv = petrel_args(extra=["--fwd", "%d:80" % hport, "--fwd", "%d:443" % sport]) + [
	"--", WAIT_NET + "dd if=/dev/urandom of=/srv/www/big bs=1024 count=4096 2>/dev/null; "
	"md5sum /srv/www/big; touch /run/ready; sleep 60"]
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
	body = r.read()
	got = hashlib.md5(body).hexdigest()
	print("host: /big %d bytes md5 %s" % (len(body), got), flush=True)
	if r.status != 200 or got != want:
		fail("4 MiB file over HTTP: status %d, md5 %s, want %s" % (r.status, got, want))
	ctx = ssl.create_default_context()
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	tls = http.client.HTTPSConnection("127.0.0.1", sport, timeout=30, context=ctx)
	tls.request("GET", "/")
	r = tls.getresponse()
	if r.status != 200 or b"Hello from Petrel" not in r.read():
		fail("no page over HTTPS")
	tls.request("GET", "/big")
	body = tls.getresponse().read()
	if hashlib.md5(body).hexdigest() != want:
		fail("4 MiB file over HTTPS: wrong checksum")
	print("host: HTTP, keep-alive, HTTPS and 4 MiB checked", flush=True)
finally:
	guest.kill()
	guest.wait()
passed()
