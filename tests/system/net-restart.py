#!/usr/bin/env python3
# Boots: the default image on microvm with QEMU user networking.
# Does:  the guest downloads a slow 8 MiB file from a server on the host's
#        loopback; netd is killed (SIGKILL) in the middle.
# Expects: the download fails with an error instead of hanging; init starts
#        netd again (the device stopped and reopened, DHCP again), and a new
#        download works; exit status 0.
import functools, http.server, os, sys, threading, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

class Slow(http.server.BaseHTTPRequestHandler):
	def do_GET(self):
		body = b"x" * 65536
		count = 128 if self.path == "/slow" else 1
		self.send_response(200)
		self.send_header("Content-Length", str(len(body) * count))
		self.end_headers()
		try:
			for i in range(count):
				self.wfile.write(body)
				if count > 1:
					time.sleep(0.05)
		except OSError:
			pass
	def log_message(self, *args):
		pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = "http://10.0.2.2:%d" % server.server_address[1]
script = (
	"until [ -s /run/netd.status ]; do sleep 0.1; done; "
	"(wget -q -O /dev/null %s/slow; echo first=$?) & "
	"sleep 1.5; rm /run/netd.status; killall -9 netd; wait; "
	"until [ -s /run/netd.status ]; do sleep 0.1; done; echo netd-back; "
	"wget -q -O - %s/small | wc -c" % (url, url))
result = boot(script)
server.shutdown()
expect_status(result, 0)
expect_lines(result, ["first=1", "netd-back", "65536"])
passed()
