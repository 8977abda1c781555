#!/usr/bin/env python3
# Boots: the default image on microvm (TCG, 1 vCPU).
# Does:  runs `uname -s -r -m`, executed directly by init (no shell).
# Expects: exit status 0 and the line "Petrel 6.12.0-petrel x86_64" (the
#        kernel's sysname is "Petrel", its release Linux-shaped, so programs
#        that parse it for features see Linux 6.12, its machine "x86_64").
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["uname", "-s", "-r", "-m"])
expect_status(result, 0)
expect_lines(result, ["Petrel 6.12.0-petrel x86_64"])
passed()
