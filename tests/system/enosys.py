#!/usr/bin/env python3
# Boots: the test image on microvm, once.
# Does:  runs /test/bin/enosys (progs/enosys.c: syscall(1000)), then a
#        second command in the same shell.
# Expects: the unknown system call fails with ENOSYS (it must never panic
#        the kernel), the shell goes on, exit status 0; the kernel's line
#        about it is in the kernel log (dmesg), not on the console.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, describe, expect_lines, expect_status, fail, passed

result = boot("/test/bin/enosys && echo still-running && "
	      "dmesg | grep -c 'unknown system call'", test_image=True)
expect_status(result, 0)
expect_lines(result, ["enosys: ret=-1 errno=ENOSYS", "still-running", "1"])
if any("unknown system call" in line for line in result.lines):
	fail("the ENOSYS line reached the console:\n" + describe(result))
passed()
