#!/usr/bin/env python3
# Boots: the test image on microvm, once.
# Does:  runs /test/bin/xattrfill (progs/xattrfill.c): 60,000-byte user.*
#        attributes on one tmpfs file until a set fails, one removed and
#        set again, then the file removed and filled again.
# Expects: ENOSPC after more than 1 MiB and less than half of memory
#        (the kernel's 1/32 of memory for user.* attributes), room for
#        one after a removal, as many again once the file is gone (its
#        attributes were freed with it), and exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot("/test/bin/xattrfill", test_image=True)
expect_status(result, 0)
expect_lines(result, ["filled: ENOSPC", "size: between 1 MiB and half of memory",
		      "one removed: room for one", "after unlink: as many again"])
passed()
