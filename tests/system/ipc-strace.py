#!/usr/bin/env python3
# Boots: the test image with the host's Debian strace added by `./petrel
#        run --pack` (skipped where the host has none).
# Does:  `ipc bench 200 rt` (300 short round trips with its warm-up)
#        under strace -f (client and server traced), then under strace of
#        the client alone, and reads /proc/petrel/ipc after each.
# Expects: both runs end (strace exits 0); a traced thread takes the
#        locked way, so with both traced the fast path is never taken,
#        and with the client alone traced only the server's fast replies
#        are (300: each hands the CPU back to the traced client); the
#        client's 300 short calls are in the trace.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_status, fail, passed, skip

STRACE = "/usr/bin/strace"

if not os.path.isfile(STRACE):
	skip("no %s on this host" % STRACE)


def run(flags):
	cmd = ("%s %s -o /tmp/st /test/bin/ipc bench 200 rt; "
	       "echo strace-status $?; echo calls $(grep -c 0x101c /tmp/st); "
	       "cat /proc/petrel/ipc" % (STRACE, flags))
	result = boot(cmd, test_image=True, extra=["--pack", STRACE])
	expect_status(result, 0)
	expect_in(result, "strace-status 0")
	fast = [l.split() for l in result.lines if l.startswith("cpu0 ")]
	if len(fast) != 1:
		fail("no line for cpu0 in /proc/petrel/ipc")
	return result, int(fast[0][1]), int(fast[0][2])


result, calls, replies = run("-f")
if calls or replies:
	fail("both traced: %d fast calls, %d fast replies (0 expected)" %
	     (calls, replies))
result, calls, replies = run("")
expect_in(result, "calls 300")
if calls or replies != 300:
	fail("client traced: %d fast calls, %d fast replies (0, 300 expected)" %
	     (calls, replies))
passed()
