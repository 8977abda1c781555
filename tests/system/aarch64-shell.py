#!/usr/bin/env python3
# Boots: the aarch64 default image through `./petrel run --arch aarch64`
#        (QEMU virt, TCG), once with --smp 1 and once with --smp 2.
# Does:  the x86_64 pipelines.py's shell script of pipelines on 1 CPU, and
#        applets.py's BusyBox applets (ls, find, grep, sed, awk, rm, ps,
#        free, uptime, mount...) on 2, with Debian's arm64 BusyBox: the
#        same scripts and checks (tests/system/shared.py).
# Expects: what those tests expect: each pipeline's output, one line per
#        applet, exit status 0.
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import passed
from aarch64lib import boot_aarch64, need_aarch64_build
from shared import check_applets, check_pipelines

need_aarch64_build()
check_pipelines(boot_aarch64, smp=1)
check_applets(boot_aarch64, smp=2)
passed()
