#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/mmnolock (tests/system/progs/mmnolock.c): 5,000
#        cycles of mmap, stores, mprotect and munmap of private anonymous
#        memory in a process of one thread, then in one of two, each
#        between two reads of /proc/petrel/bkl; and a MAP_FIXED and a file
#        map (the locked path).
# Expects: "mmnolock: ok": the one-thread cycles took the big lock fewer
#        than 5,000 times, once a cycle (the timer ticks, the reads of the
#        file: 203 to 340 on a quiet host, 1,017 once under load), the
#        two-thread ones at least 15,000 times (each call), every page
#        read zero first and kept its store.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

result = boot(["/test/bin/mmnolock"], smp=2, test_image=True)
if "mmnolock: ok" not in result.output:
	fail("no \"mmnolock: ok\"")
expect_status(result, 0)
passed()
