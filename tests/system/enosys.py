#!/usr/bin/env python3
# Boots: the test image on microvm, once.
# Does:  runs /test/bin/enosys (progs/enosys.c: syscall(1000)), then a
#        second command in the same shell.
# Expects: the unknown system call fails with ENOSYS (it must never panic
#        the kernel), the shell goes on, exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot("/test/bin/enosys && echo still-running", test_image=True)
expect_status(result, 0)
expect_lines(result, ["enosys: ret=-1 errno=ENOSYS", "still-running"])
passed()
