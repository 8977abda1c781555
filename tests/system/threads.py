#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/threads (progs/threads.c): 4 pthreads share a
#        mutex-guarded counter, then drain a condvar-guarded queue that the
#        main thread fills; main joins them all.
# Expects: exit status 0 and the deterministic totals.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/threads"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"threads: joined=4",
	"threads: counter=80000",
	"threads: items=1000 sum=500500",
	"threads: ok",
])
passed()
