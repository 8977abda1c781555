#!/usr/bin/env python3
# Boots: the default image on microvm with 2 vCPUs and QEMU user
#        networking (also in the assert pass: build/assert/kernel.elf).
# Does:  pins netd and the shell to CPU 1, then, between two reads of
#        the interrupt counts (/proc/stat's, less /proc/interrupts' timer
#        lines: the device interrupts) and /proc/petrel/bkl, fetches a
#        16 MiB file from an HTTP server on the host's loopback with
#        BusyBox wget: CPU 0 runs nothing but its idle loop and the
#        interrupts it takes, the NIC's among them (its line goes to CPU
#        0), each raising netd's notification bit and waking it.
# Expects: the whole file, and CPU 0 taking the big lock fewer times than
#        there were device interrupts (before the NIC's interrupt was
#        delivered without it: 1.5 to 2 times as many, one each and the
#        idle loop's; after: about half as many, the idle loop's looks at
#        the timers).
import functools, http.server, os, re, sys, tempfile, threading
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_status, fail, passed

MIB = 16
www = tempfile.mkdtemp()
with open(os.path.join(www, "big"), "wb") as f:
	f.write(os.urandom(MIB << 20))
class Quiet(http.server.SimpleHTTPRequestHandler):
	def log_message(self, *args):
		pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
	functools.partial(Quiet, directory=www))
threading.Thread(target=server.serve_forever, daemon=True).start()

SCRIPT = ("until test -s /run/netd.status; do sleep 0.1; done; "
	  "taskset -p 2 $(pidof netd) >/dev/null; taskset -p 2 $$ >/dev/null; "
	  "grep intr /proc/stat; grep LOC /proc/interrupts; "
	  "grep cpu0 /proc/petrel/bkl; "
	  "wget -q -O /tmp/big http://10.0.2.2:%d/big; wc -c </tmp/big; "
	  "grep intr /proc/stat; grep LOC /proc/interrupts; "
	  "grep cpu0 /proc/petrel/bkl"
	  % server.server_address[1])

result = boot([SCRIPT], smp=2)
server.shutdown()
expect_status(result, 0)
expect_in(result, "%d\n" % (MIB << 20))
intr = [int(m) for m in re.findall(r"^intr (\d+)", result.output, re.M)]
timer = [sum(map(int, m.split())) for m in
	 re.findall(r"^LOC:([ \d]+)", result.output, re.M)]
taken = [int(m) for m in re.findall(r"^cpu0 (\d+) ", result.output, re.M)]
if len(intr) != 2 or len(timer) != 2 or len(taken) != 2:
	fail("no two reads of the interrupt and big lock counts")
devices = intr[1] - intr[0] - (timer[1] - timer[0])
takes = taken[1] - taken[0]
print("cpu0 took the big lock %d times; %d device interrupts" % (takes, devices))
if devices < 20 or takes >= devices:
	fail("CPU 0 took the big lock %d times in %d device interrupts "
	     "(want fewer)" % (takes, devices))
passed()
