#!/usr/bin/env python3
# Boots: the test image on microvm, twice.
# Does:  1. runs `env /test/bin/segv` (progs/segv.c writes through NULL) as a
#           guest argv, so init itself reports how the program died;
#        2. runs `/test/bin/segv; echo after=$?` in the shell.
# Expects: 1. exit status 139 (128 + SIGSEGV);
#        2. the shell survives, prints "after=139" and exits 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["env", "/test/bin/segv"], test_image=True)
expect_status(result, 139)
expect_lines(result, ["segv: writing through NULL"])

result = boot("/test/bin/segv; echo after=$?", test_image=True)
expect_status(result, 0)
expect_lines(result, ["segv: writing through NULL", "after=139"])
passed()
