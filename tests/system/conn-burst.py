#!/usr/bin/env python3
# Boots: the test image on microvm, QEMU user networking.
# Does:  runs /test/bin/connburst (progs/connburst.c): 1,000 connections
#        opened over 127.0.0.1 at once to a listener with backlog 1024,
#        none accepted until all are connected; then all accepted, a byte
#        over each.
# Expects: all 1,000 connected within 2.5 s of the last connect(), none
#        reset, then all accepted; exit 0. netd's listen queue was lwIP's,
#        at most 255 (a u8_t): the SYNs beyond it were dropped and sent
#        again 3 s later, as wrk's 4,000 were (docs/performance.md §9).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/connburst", "1000", "1024"], test_image=True)
print("\n".join(l for l in result.output.splitlines() if "connburst" in l))
expect_status(result, 0)
expect_lines(result, ["connburst: ok"])
passed()
