#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs (also in the assert pass:
#        build/assert/kernel.elf).
# Does:  runs /test/bin/tmpfswrite (progs/tmpfswrite.c): 2,000 appends to
#        a file of one process's own and to one it shares with a child,
#        2,000 pwrites and 2,000 two-piece writevs between reads of
#        /proc/petrel/bkl; two processes appending 20,000 64-byte records
#        each to one file at once (one through its own open file, one
#        through a shared one); appends to a tmpfs mounted with size=8k.
# Expects: "tmpfswrite: ok": each 2,000 calls took the big lock fewer
#        than 200 times (the locked write: 2,000); every record whole and
#        each writer's in order; 8,192 bytes, then ENOSPC.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

# Under sh, as time-nolock: init's own wait would take the lock apart.
result = boot(["/bin/sh", "-c", "/test/bin/tmpfswrite"], smp=2,
	      test_image=True)
expect_lines(result, ["tmpfswrite: ok calls", "tmpfswrite: ok appends",
		      "tmpfswrite: ok full", "tmpfswrite: ok"])
expect_status(result, 0)
passed()
