#!/usr/bin/env python3
# Boots: the test image on microvm, once.
# Does:  runs /test/bin/shmfree (progs/shmfree.c): an 8 MiB System V
#        segment, touched, removed with IPC_RMID while attached, then
#        detached by munmap, by its process's exit and by exec.
# Expects: each time /proc/meminfo's Shmem falls back at once (the
#        segment is destroyed at its last detach, not at the next shm
#        call), and exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot("/test/bin/shmfree", test_image=True)
expect_status(result, 0)
expect_lines(result, ["attached: counted", "munmap: freed", "exit: freed",
		      "exec: freed"])
passed()
