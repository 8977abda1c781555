#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/fuzzprobe (progs/fuzzprobe.c): minimal probes for
#        the kernel hangs and panics the system-call fuzzer found
#        (docs/fuzzing.md), one line each.
# Expects: exit status 0 and every probe's "ok" line, within 90 s (a
#        probe that hangs the kernel ends in petrel's timeout).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/fuzzprobe"], smp=2, test_image=True, timeout=90)
expect_status(result, 0)
expect_lines(result, ["fuzzprobe: ok"])
passed()
