#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs (also in the assert pass:
#        build/assert/kernel.elf).
# Does:  runs /test/bin/timenolock (progs/timenolock.c): 20,000 raw calls
#        each of clock_gettime (four clocks), clock_getres, gettimeofday,
#        time, getcpu and sched_yield between reads of /proc/petrel/bkl;
#        their answers (the monotonic clock never back, the real-time
#        calls agreeing, EINVAL, EFAULT, EOPNOTSUPP, a child's CPU clock);
#        1 ms sleeps by nanosleep, clock_nanosleep and a private futex
#        wait with a timeout on one CPU; a signal ending a nanosleep and a
#        futex wait; two processes on one CPU taking turns by sched_yield.
# Expects: "timenolock: ok": each nolock call took the big lock fewer than
#        once in ten calls (the process CPU clock, locked, every time);
#        fewer than 0.5 takes a sleep besides the timer interrupts' (the
#        locked calls took 2 more); EINTR with the handler run and what
#        is left written; the 4,000 turns done.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

# Under sh, as timer-nolock: init's own wait would take the lock apart.
result = boot(["/bin/sh", "-c", "/test/bin/timenolock"], smp=2,
	      test_image=True)
expect_lines(result, ["timenolock: ok calls", "timenolock: ok answers",
		      "timenolock: ok sleeps", "timenolock: ok signals",
		      "timenolock: ok yield", "timenolock: ok"])
expect_status(result, 0)
passed()
