#!/usr/bin/env python3
# Boots: the default image by PVH (-kernel) on QEMU q35, with 1 and then
#        2 vCPUs.
# Does:  runs `true && echo petrel-booted && nproc`.
# Expects: exit status 0, "petrel-booted", and nproc equal to the vCPU count
#        (every vCPU is brought up).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import check_machine_runs, passed

check_machine_runs("q35", smps=(1, 2))
passed()
