#!/usr/bin/env python3
# Boots: the test image on microvm, 1 vCPU.
# Does:  runs /test/bin/handles (progs/handles.c): a closed handle's value
#        after its slot is reused, each type's default rights, the map
#        rights (also against mprotect), WAIT, SIGNAL, DUP, TRANSFER, channel
#        READ/WRITE, and a handle of the wrong type in every kind of call.
# Expects: the stale value is EBADF, every missing right EPERM, the wrong
#        type EBADFD; every check prints "ok"; exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/handles"], test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"handles: ok a reused slot gives a new value",
	"handles: ok the stale value is EBADF (signal)",
	"handles: ok each type gets its default rights",
	"handles: ok mprotect cannot add what MAP_WRITE lacks",
	"handles: ok executable without MAP_EXEC is EPERM",
	"handles: ok passing on without TRANSFER is EPERM",
	"handles: ok call without WRITE is EPERM",
	"handles: ok a handle of another type is EBADFD in every call",
	"handles: all passed",
])
passed()
