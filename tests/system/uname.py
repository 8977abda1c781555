#!/usr/bin/env python3
# Boots: the default image on microvm (TCG, 1 vCPU).
# Does:  runs `uname -s -r -m`, `uname -v` and `cat /proc/version` in a shell.
# Expects: exit status 0 and the line "Linux 6.12.0-petrel x86_64" (the
#        sysname is Linux's, as scripts that branch on `uname -s` want, the
#        release Linux-shaped, so programs that parse it for features see
#        Linux 6.12, its machine "x86_64"); `uname -v` names Petrel; and
#        /proc/version in Linux's form.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/bin/sh", "-c", "uname -s -r -m; uname -v; cat /proc/version"])
expect_status(result, 0)
expect_lines(result, ["Linux 6.12.0-petrel x86_64", "#1 SMP Petrel 0.1.0",
		      "Linux version 6.12.0-petrel (Petrel 0.1.0, x86_64) "
		      "#1 SMP Petrel 0.1.0"])
passed()
