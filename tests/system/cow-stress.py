#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs (also in the asserts pass).
# Does:  runs /test/bin/cowstress (progs/cowstress.c) for 40 s: rounds of
#        single-threaded forks as LTP fcntl14 makes them (the child exits
#        while its parent writes the pages they share; half the rounds,
#        as they find the fcntl14 panic fastest), forks of
#        multi-threaded processes, writers beside munmap, mremap,
#        MADV_DONTNEED, mprotect, fork and vfork, and children reaped by
#        an ignored SIGCHLD; each process checks every page it reads
#        against what it or its ancestor wrote. COWSTRESS_SECONDS and
#        COWSTRESS_MODES (letters f, m, c, r) change the run.
# Expects: "cowstress: ok" and exit status 0: no page that holds another's
#        data and no kernel panic (a page freed once too often panics, and
#        the panic's backtrace is shown with addr2line's lines).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

seconds = int(os.environ.get("COWSTRESS_SECONDS", "40"))
modes = os.environ.get("COWSTRESS_MODES", "fmfcfr")
seed = os.environ.get("COWSTRESS_SEED", "1")
result = boot(["/test/bin/cowstress", "-t", str(seconds), "-m", modes,
	       "-s", seed], smp=2, test_image=True, timeout=seconds + 90)
if "cowstress: WRONG" in result.output:
	fail("a process read a page that was not what it wrote")
if "cowstress: ok" not in result.output:
	fail("no \"cowstress: ok\"")
expect_status(result, 0)
passed()
