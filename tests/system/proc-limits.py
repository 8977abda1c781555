#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/proclimits (progs/proclimits.c), then BusyBox
#        `timeout 5 echo hi` (a vfork child that forks and exits):
#        1. as uid 65534, a process cloned with exit signal SIGTERM is
#           orphaned and exits: init must get SIGCHLD, not SIGTERM (which
#           shuts the machine down);
#        2. as uid 65534, a fork bomb runs for 4 s under the default
#           RLIMIT_NPROC, its process group is killed, then root runs
#           /bin/true.
# Expects: exit status 0, both probes' lines, and "hi".
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot("/test/bin/proclimits && timeout 5 echo hi", smp=2,
	      test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"orphan: init still running",
	"forkbomb: limit set, root runs a program",
	"proclimits: ok",
	"hi",
])
passed()
