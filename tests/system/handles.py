#!/usr/bin/env python3
# Boots: the test image on microvm, 1 vCPU.
# Does:  runs /test/bin/handles (progs/handles.c): a closed handle's value
#        after its slot is reused.
# Expects: the stale value is EBADF in every call; every check prints "ok";
#        exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/handles"], test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"handles: ok a reused slot gives a new value",
	"handles: ok the stale value is EBADF (signal)",
	"handles: all passed",
])
passed()
