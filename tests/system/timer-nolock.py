#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs for the count (also in the
#        assert pass: build/assert/kernel.elf), then 2 and 4 vCPUs under
#        multi-threaded TCG for the races.
# Does:  runs /test/bin/timersleep (progs/timersleep.c): two one-thread
#        processes, one on each CPU, each 200 empty epoll_waits that end at
#        their 1 ms deadline, between reads of /proc/petrel/bkl, three
#        times (the least counts); a child spinning in user code on CPU
#        1, three times; ten 20 ms sleeps on CPU 1 beside a 1 TiB
#        mlockall on CPU 0 (a long locked call); then
#        timeouts racing futex wakes, signals, pipe writes, thread exits
#        and timerfd and alarm cancels on every CPU.
# Expects: fewer than 0.5 big-lock takes a wait, all in (each CPU's
#        timers its own, a sleep's timeout run without the big lock, and
#        the timer interrupt that ends a halt taking none: 0.08 a wait;
#        1.08 while that interrupt took it, 3.1-3.4 while the idle loop
#        took it for each due timer and every other CPU's arm); fewer
#        than 0.5 takes a timer interrupt while a CPU runs 400 ms of user
#        code (0.08; 1.09 while the interrupt took it); the ten sleeps
#        beside the mlockall within 5 s (0.3-1.6 s; 39 s, the mlockall's
#        end, while its preemption points let only its own CPU's threads
#        have the lock: bkl_pass); no wait ended early, every result one
#        the call may give; exit 0 each time.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from timersleep_counts import check_counts
from lib import boot, expect_lines, expect_status, passed

# Under sh: run as init's own command, the program's parent is init,
# whose wait for it takes the big lock apart from the timers.
result = boot(["/bin/sh", "-c",
	       "/test/bin/timersleep count && /test/bin/timersleep spin && "
	       "/test/bin/timersleep beside"],
	      smp=2, test_image=True)
check_counts(result, 0.5)
for smp in (2, 4):
	result = boot(["/test/bin/timersleep", "races"], smp=smp,
		      test_image=True, accel="tcg-multi")
	expect_status(result, 0)
	expect_lines(result, ["timersleep: ok futex", "timersleep: ok signal",
			      "timersleep: ok epoll", "timersleep: ok cancel"])
passed()
