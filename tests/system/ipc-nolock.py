#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs, then 4 (also in the
#        assert pass: build/assert/kernel.elf).
# Does:  runs /test/bin/ipcwait (progs/ipcwait.c), pinned to the last
#        CPU: 3,000 pt_wait looks (timeout 0) at an unsignalled
#        notification and an idle channel's server end between two reads
#        of that CPU's line of /proc/petrel/bkl (the other CPUs' idle
#        loops take the lock meanwhile); a raised notification among two
#        items, taken once; PEER_CLOSED of a closed client; items at a
#        bad address; 1,000 pairs of a pt_notify_signal and the pt_wait
#        that takes it; then a parent and a child, on CPU 0 and the last
#        CPU, passing one bit at a time 6,000 times through two
#        notifications, waiting by up to 50 looks then for ever, by waits
#        for ever and by 1 ms waits in turn.
# Expects: "ipcwait: ok": the looks took the big lock fewer than 600
#        times (3,018 before: pt_wait was locked), the pairs fewer than
#        1,200 (2,000 before), every result right, and every bit taken
#        once, on the other CPU too (a lost one hangs the test).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

for smp in (2, 4):
	result = boot(["/test/bin/ipcwait"], smp=smp, test_image=True)
	expect_status(result, 0)
	expect_lines(result, [
		"ipcwait: ok 3000 looks at nothing: 0",
		"ipcwait: ok 3000 looks take the big lock fewer than 600 times",
		"ipcwait: ok a raised notification: 1, its bits, the channel 0",
		"ipcwait: ok its bits taken once",
		"ipcwait: ok the client closed: PEER_CLOSED at once",
		"ipcwait: ok items at a bad address: EFAULT",
		"ipcwait: ok 1000 signals, each taken by the next wait",
		"ipcwait: ok 1000 signal and wait pairs take the big lock under 1200 times",
		"ipcwait: ok 6000 bits passed between two processes, each taken once",
		"ipcwait: ok",
	])
passed()
