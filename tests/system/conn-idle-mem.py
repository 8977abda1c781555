#!/usr/bin/env python3
# Boots: the test image on microvm, QEMU user networking.
# Does:  runs /test/bin/sockidle (progs/sockidle.c): 400 TCP connections
#        over 127.0.0.1, one byte sent on each and read by the accepted
#        side, then all idle; it prints the kernel heap's growth (Slab).
# Expects: at most 3 kB of heap per connection pair (the two sockets and
#        their files). The kernel once kept the 4 KiB buffer of bytes netd
#        hands over with readiness for the socket's whole life: 10,000 idle
#        keep-alive connections held 40 MB of it (docs/performance-net.md,
#        "Many-connection figures").
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

PAIRS = 400
result = boot(["/test/bin/sockidle", str(PAIRS)], test_image=True)
expect_status(result, 0)
m = re.search(r"sockidle: (\d+) pairs, slab \+(-?\d+) kB", result.output)
if not m:
	fail("no sockidle line")
kb = int(m.group(2))
print("%d kB of kernel heap for %d idle pairs" % (kb, PAIRS))
if kb > 3 * PAIRS:
	fail("the kernel heap grew by %d kB for %d idle pairs" % (kb, PAIRS))
passed()
