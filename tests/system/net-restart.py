#!/usr/bin/env python3
# Boots: the default image on microvm with QEMU user networking.
# Does:  the guest downloads a slow 8 MiB file from a server on the host's
#        loopback, and nc waits on an idle connection to another, which
#        never sends; netd is killed (SIGKILL) in the middle.
# Expects: the download fails with an error instead of hanging, and nc's
#        wait ends too (the kernel marks every socket on the dead server's
#        channel dead when it signals PT_SIG_PEER_CLOSED); init starts
#        netd again (the device stopped and reopened, DHCP again), and a new
#        download works; exit status 0.
import functools, http.server, os, socket, sys, threading, time
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

# Accepts connections and keeps them open, silent, until the test ends.
idle = socket.socket()
idle.bind(("127.0.0.1", 0))
idle.listen(4)
held = []
def hold():
	while True:
		try:
			held.append(idle.accept()[0])
		except OSError:
			return
threading.Thread(target=hold, daemon=True).start()
script = (
	"until [ -s /run/netd.status ]; do sleep 0.1; done; "
	"(wget -q -O /dev/null %s/slow; echo first=$?) & "
	"mkfifo /tmp/quiet; (nc 10.0.2.2 %d </tmp/quiet; echo idle-ended) & "
	"exec 3>/tmp/quiet; "	# nc's input stays open, with nothing to send
	"sleep 1.5; rm /run/netd.status; killall -9 netd; wait; "
	"until [ -s /run/netd.status ]; do sleep 0.1; done; echo netd-back; "
	"wget -q -O - %s/small | wc -c" %
	(url, idle.getsockname()[1], url))
result = boot(script)
server.shutdown()
idle.close()
expect_status(result, 0)
expect_lines(result, ["first=1", "netd-back", "65536"])
expect_lines(result, ["idle-ended", "netd-back"])
passed()
