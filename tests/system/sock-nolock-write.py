#!/usr/bin/env python3
# Boots: the test image on microvm, QEMU user networking: once with one
#        vCPU (netd runs only when the writer waits), once with 2 vCPUs
#        (netd and the readers on one CPU while writers write on the
#        other).
# Does:  runs /test/bin/socktx (progs/socktx.c) over 127.0.0.1: 800
#        64-byte writes in bursts of 8 between reads of /proc/petrel/bkl
#        (one vCPU), then 100 whole rounds of such a burst and its read
#        (netd's answers to the writes included), 100 corked responses as
#        nginx sends them (cork, header, body, uncork), the bursts again with a
#        second thread started; two children each writing 512 KiB in varied sizes
#        on a connection of their own while the parent reads both; two
#        threads writing 512 KiB each on one socket (some corked) while a
#        third reads; a
#        write from a bad buffer; writes after the peer closed; a
#        signal ending a write blocked for room.
# Expects: the writes within netd's promised room took the big lock
#        fewer than once in five (they run without it), the rounds fewer
#        than 2.4 times a write (netd's answer, tx_done, runs without it:
#        2.86 before), the corked responses fewer than 0.5 times each (5
#        to 6 before session 19), with two threads too (each write took it
#        before session 19), every byte
#        arrives once and in order (each thread's own), EFAULT sends nothing, EPIPE or
#        ECONNRESET, EINTR; exit 0 both times.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/socktx", "count"], smp=1, test_image=True)
expect_status(result, 0)
expect_lines(result, ["socktx: ok count", "socktx: ok corked",
		      "socktx: ok count threaded"])
result = boot(["/test/bin/socktx"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"socktx: ok streams",
	"socktx: ok threads",
	"socktx: ok efault",
	"socktx: ok epipe",
	"socktx: ok eintr",
])
passed()
