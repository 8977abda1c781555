#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs (the race needs the reader
#        and netd on different CPUs), QEMU user networking.
# Does:  runs /test/bin/tcpcount (progs/tcpcount.c) over 127.0.0.1: 3000
#        chunks written and spun on with FIONREAD, then a writer thread
#        against a reader that spins on FIONREAD, MSG_PEEK and read.
# Expects: FIONREAD and MSG_PEEK never report more than was written and not
#        yet read (the kernel once added bytes netd posted after answering
#        FIONREAD to netd's count, which still held them: 200 for 100),
#        poll says POLLIN, every byte arrives once, in order; exit 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/tcpcount", "3000"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"tcpcount: ok lockstep",
	"tcpcount: ok threads",
])
passed()
