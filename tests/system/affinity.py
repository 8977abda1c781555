#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/affinity (progs/affinity.c): pins itself to each
#        CPU in turn and asks where it runs; then two spinning threads
#        pinned to CPU 0, at nice 0 and 5, share it for a second.
# Expects: "affinity: ok": a pinned thread runs where it is pinned, the
#        pinned pair shares one CPU (together at most 1.5 s of CPU time),
#        and the thread at nice 0 gets at least 1.2 times the other's
#        time (Linux's weights: 3 times; the scheduler ignored affinity and
#        nice before; LTP nice05).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/affinity"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, ["affinity: ok"])
passed()
