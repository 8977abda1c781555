#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/nolock (tests/system/progs/nolock.c): 100,000
#        getpid, gettid, getppid and pread64 (of a tmpfs file) calls, as
#        many private futex wakes and waits that do not sleep, and as many
#        getuid calls, each between two reads of /proc/petrel/bkl; their
#        results against /proc/self and the file; then SIGTERM to a child
#        spinning in getpid calls.
# Expects: "nolock: ok": the nolock calls took the big lock rarely and
#        getuid at least 100,000 times, the results are right, and the
#        child died of the signal.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

result = boot(["/test/bin/nolock"], smp=2, test_image=True)
if "nolock: ok" not in result.output:
	fail("no \"nolock: ok\"")
expect_status(result, 0)
passed()
