#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/wakeup (progs/wakeup.c): a sleeper pinned beside
#        two CPU hogs woken by a pipe write from the other CPU (then by its
#        timer, shown only); a futex ping-pong pair; spinners woken by a futex wake from
#        a waker that spins, and two woken together.
# Expects: "wakeup: ok": the sleeper's median wait from a pipe wake to
#        its run is under a quarter of a slice, the pair
#        runs 3/4 of its turns on one CPU (wake-affine), and woken spinners
#        get 1.5 CPU seconds or more in 1 s (they spread over both CPUs).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/wakeup"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, ["wakeup: ok"])
passed()
