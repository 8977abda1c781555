#!/usr/bin/env python3
# Boots: the test image on microvm, twice.
# Does:  1. runs `env /test/bin/segv` (progs/segv.c writes through NULL) as a
#           guest argv, so init itself reports how the program died;
#        2. runs `/test/bin/segv; echo after=$?` in the shell
#        (tests/system/shared.py, which aarch64-progs.py runs too).
# Expects: 1. exit status 139 (128 + SIGSEGV);
#        2. the shell survives, prints "after=139" and exits 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, passed
from shared import check_segfault

check_segfault(boot)
passed()
