#!/usr/bin/env python3
# Boots: the default image on microvm with 2 vCPUs and QEMU user
#        networking (also in the assert pass: build/assert/kernel.elf).
# Does:  pins netd to CPU 1, then, between two reads of /proc/petrel/bkl,
#        pings QEMU's gateway 300 times 10 ms apart from CPU 1: CPU 0 runs
#        nothing but its idle loop and the interrupts it takes (the NIC's
#        among them), which raise netd's notification bit and wake it.
# Expects: every ping answered, and CPU 0 taking the big lock fewer than
#        0.6 times a ping (before the NIC's interrupt was delivered
#        without it: 0.7 to 0.8; after: 0.25 to 0.45, the rest its idle
#        loop's look at the timers and its timer interrupts).
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_status, fail, passed

PINGS = 300
SCRIPT = ("until test -s /run/netd.status; do sleep 0.1; done; "
	  "taskset -p 2 $(pidof netd) >/dev/null; "
	  "grep cpu0 /proc/petrel/bkl; "
	  "taskset 2 ping -q -c %d -i 0.01 10.0.2.2; "
	  "grep cpu0 /proc/petrel/bkl" % PINGS)

result = boot([SCRIPT], smp=2)
expect_status(result, 0)
expect_in(result, "%d packets transmitted, %d packets received" % (PINGS, PINGS))
taken = [int(m) for m in re.findall(r"^cpu0 (\d+) ", result.output, re.M)]
if len(taken) != 2:
	fail("no two cpu0 lines of /proc/petrel/bkl")
print("cpu0 took the big lock %d times in %d pings" % (taken[1] - taken[0], PINGS))
if taken[1] - taken[0] >= PINGS * 6 // 10:
	fail("CPU 0 took the big lock %d times in %d pings (want < %d)" %
	     (taken[1] - taken[0], PINGS, PINGS * 6 // 10))
passed()
