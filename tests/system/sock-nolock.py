#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs (netd posting on one CPU
#        while the reader reads on the other), QEMU user networking.
# Does:  runs /test/bin/sockrx (progs/sockrx.c) over 127.0.0.1: 6,400
#        64-byte reads (read, recv, recvfrom) of a socket's kept bytes
#        between reads of /proc/petrel/bkl; a child's 1 MiB stream read
#        in varied sizes; a read into a bad buffer; a signal ending a
#        blocked read; a read blocked when the peer closes; 3,000
#        non-blocking reads of a socket netd has nothing for, then a
#        child's stream read without blocking, waiting in poll or epoll
#        at each EAGAIN, its end of file, and a peer's reset; then, with
#        a second thread started, 1,280 kept-byte reads again, and two
#        threads reading one socket at once while 1,000,000 bytes come.
# Expects: the kept-byte reads took the big lock fewer than once in five
#        (they run without it), every byte arrives once and in order,
#        EFAULT leaves the bytes, EINTR, then the bytes and end of file;
#        the EAGAIN reads took the big lock fewer than once in five, no
#        wait for readiness timed out, end of file, ECONNRESET; with two
#        threads the kept-byte reads still took it fewer than once in
#        five, and the two readers' counts and byte sums add up to what
#        was sent (no byte read twice or lost); exit 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/sockrx"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"sockrx: ok nolock",
	"sockrx: ok stream",
	"sockrx: ok efault",
	"sockrx: ok eintr",
	"sockrx: ok close",
	"sockrx: ok empty",
	"sockrx: ok nolock threaded",
	"sockrx: ok shared",
])
passed()
