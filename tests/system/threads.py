#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  runs /test/bin/threads (progs/threads.c): 4 pthreads share a
#        mutex-guarded counter, then drain a condvar-guarded queue that the
#        main thread fills; main joins them all (tests/system/shared.py,
#        which aarch64-progs.py runs too, with more threads).
# Expects: exit status 0 and the deterministic totals.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, passed
from shared import check_threads

check_threads(boot, smp=2)
passed()
