#!/usr/bin/env python3
# Boots: the test image on microvm, QEMU user networking: one vCPU for the
#        count, then 2 and 4 vCPUs for the races (also in the assert pass:
#        build/assert/kernel.elf).
# Does:  runs /test/bin/epsleep (progs/epsleep.c) over 127.0.0.1: 300
#        epoll_pwait calls, with a deadline and a signal mask, that sleep
#        until a child's write, between reads of /proc/petrel/bklcalls;
#        then waits whose 1-3 ms deadline races a child's write, waits
#        that no event ends, waits a child's SIGUSR1s end, and waits a
#        peer's close ends.
# Expects: fewer than one epoll_pwait in five taken with the big lock
#        (before the sleep without it: each one), every byte once and in
#        order, no wait shorter than its timeout, EINTR with the handler
#        run under the call's mask and the old mask back after, the close
#        seen; exit 0 each time.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/epsleep", "count"], smp=1, test_image=True)
expect_status(result, 0)
expect_lines(result, ["epsleep: ok count"])
for smp in (2, 4):
	result = boot(["/test/bin/epsleep", "races"], smp=smp, test_image=True)
	expect_status(result, 0)
	expect_lines(result, ["epsleep: ok write", "epsleep: ok deadline",
			      "epsleep: ok close"])
passed()
