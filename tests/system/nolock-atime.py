#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/atimeday (tests/system/progs/atimeday.c): on each
#        CPU, a tmpfs file's atime moved by a read, then CLOCK_REALTIME
#        set to it plus a day less 300 s, plus a day less 10 s and plus
#        a day and 10 s, a pread64 (the nolock call) after each.
# Expects: "atimeday: ok": relatime's day rule moved the atime only at
#        the last, the first decided by the CPU's coarse clock alone and
#        the second, within the coarse clock's lag, by the clock
#        (mount_atime_due).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

result = boot(["/test/bin/atimeday"], smp=2, test_image=True)
if "atimeday: ok" not in result.output:
	fail("no \"atimeday: ok\"")
expect_status(result, 0)
passed()
