#!/usr/bin/env python3
# Boots: the default image on microvm, once.
# Does:  a shell whose child exits while the shell has exec'd into a
#        program that never waits (`sleep`), so the child is a zombie when
#        its parent ends and is handed to init already dead; then counts
#        zombies.
# Expects: init reaps it (the kernel announces a reparented zombie with
#        SIGCHLD, which init takes with sigtimedwait): no zombie is left.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot("sh -c 'sleep 0 & exec sleep 1'; sleep 2; "
	      "echo zombies=$(ps -o stat | grep -c '^Z')")
expect_status(result, 0)
expect_lines(result, ["zombies=0"])
passed()
