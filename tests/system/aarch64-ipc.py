#!/usr/bin/env python3
# Boots: the aarch64 test image (mk/aarch64-test.mk) through `./petrel run
#        --arch aarch64` (QEMU virt, TCG), with 1 and then 2 vCPUs.
# Does:  ipc.py's checks: /test/bin/ipc (progs/ipc.c, static glibc for
#        arm64), the native IPC calls, among them the short calls whose
#        message and reply come back in x1-x5 (tests/system/shared.py).
# Expects: every check prints "ok"; exit status 0.
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import passed
from aarch64lib import TEST_IMAGE, boot_aarch64, need_aarch64_build
from shared import check_ipc

need_aarch64_build("all", TEST_IMAGE)
for smp in (1, 2):
	check_ipc(boot_aarch64, smp)
passed()
