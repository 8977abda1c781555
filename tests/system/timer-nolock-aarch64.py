#!/usr/bin/env python3
# Boots: the aarch64 test image (build/aarch64/initramfs-test.cpio) with
#        2 vCPUs (TCG), as system/timer-nolock boots x86_64's.
# Does:  runs /test/bin/timersleep (progs/timersleep.c): count (two
#        one-thread processes, one on each CPU, each 200 empty
#        epoll_waits that end at their 1 ms deadline, between reads of
#        /proc/petrel/bkl, three times), spin (a child in user code on
#        CPU 1 for 400 ms, three times) and beside (ten 20 ms sleeps on
#        CPU 1 beside a 1 TiB mlockall on CPU 0).
# Expects: fewer than 1.5 big-lock takes a wait, all in: the wait's
#        clock read is a locked system call here (no vDSO on aarch64),
#        and the timer interrupt that ends the idle wfi takes none (1.07;
#        2.10 while arch/aarch64/trap.c took the lock for every timer
#        interrupt); fewer than 0.5 takes a timer interrupt in user code
#        (0.27, the clock reads included; 1.21 before); the ten sleeps
#        within 5 s; exit 0.
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from timersleep_counts import check_counts
from lib import passed
from aarch64lib import TEST_IMAGE, boot_aarch64, need_aarch64_build

need_aarch64_build("all", TEST_IMAGE)
result = boot_aarch64(["/bin/sh", "-c",
		       "/test/bin/timersleep count && "
		       "/test/bin/timersleep spin && "
		       "/test/bin/timersleep beside"],
		      smp=2, test_image=True)
check_counts(result, 1.5)
passed()
