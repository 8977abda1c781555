#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs (also in the asserts pass).
# Does:  runs /test/bin/pagecache (progs/pagecache.c): a fault loop pinned
#        to each CPU, lseek + read pairs on a tmpfs file of its own, and a
#        stress of pages faulted in on one CPU and unmapped on the other,
#        with forks, reading /proc/petrel/mm, /proc/petrel/bkl and
#        /proc/meminfo around them.
# Expects: "pagecache: ok" and exit status 0: fresh pages read zero, the
#        page allocator's lock taken fewer than once per 8 faults, the big
#        lock fewer than once per 5 lseek + read pairs, no page lost
#        (MemFree + Slab back within 256 KiB), no kernel panic.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

result = boot(["/test/bin/pagecache"], smp=2, test_image=True, timeout=240)
if "pagecache: ok" not in result.output:
	fail("no \"pagecache: ok\"")
expect_status(result, 0)
passed()
