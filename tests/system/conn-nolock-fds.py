#!/usr/bin/env python3
# Boots: the test image on microvm.
# Does:  runs /test/bin/connfds (tests/system/progs/connfds.c): 10,000
#        one-byte writes and reads through a pipe whose ends are fds 100
#        and 101, 10,000 preads of a tmpfs file at fd 200, each between
#        two reads of /proc/petrel/bkl; a write to /dev/null at fd 70, to
#        it closed, to fds -1 and INT_MAX, a read of unopened fd 300.
# Expects: "connfds: ok": fds past 63 run read, write and pread without
#        the big lock as the low ones do (a server's many sockets; before,
#        only fds 0-63 had the hint), and the rest answer as before.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

result = boot(["/test/bin/connfds"], test_image=True)
if "connfds: ok" not in result.output:
	fail("no \"connfds: ok\": " + result.output[-300:])
expect_status(result, 0)
passed()
