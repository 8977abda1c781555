#!/usr/bin/env python3
# Boots: build/kernel.iso (GRUB, Multiboot2) from a CD on QEMU pc, then q35;
#        the per-run command line reaches the kernel through fw_cfg.
# Does:  runs `true && echo petrel-booted && nproc` (1 vCPU, then 2 on q35).
# Expects: exit status 0, "petrel-booted", and nproc equal to the vCPU count.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import check_machine_runs, passed

check_machine_runs("pc", smps=(1,), iso=True)
check_machine_runs("q35", smps=(2,), iso=True)
passed()
