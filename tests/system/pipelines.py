#!/usr/bin/env python3
# Boots: the default image on microvm, once.
# Does:  runs a shell script of pipelines: tr | wc, sort | head, grep | wc,
#        awk | sed, `yes | head` (yes must die of SIGPIPE), subshells,
#        command substitution, read from a pipe, pipeline exit status
#        (tests/system/shared.py, which aarch64-shell.py runs too).
# Expects: exit status 0 and each pipeline's known output, in order.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, passed
from shared import check_pipelines

check_pipelines(boot)
passed()
