#!/usr/bin/env python3
# Boots: the aarch64 test image (mk/aarch64-test.mk: the default image and
#        /test, static glibc for arm64) through `./petrel run --arch
#        aarch64` (QEMU virt, TCG), three times.
# Does:  the x86_64 segfault.py's checks: /test/bin/segv (progs/segv.c)
#        writes through NULL, run by init and then from the shell; and
#        threads.py's on 2 CPUs with 16 workers: /test/bin/threads 16
#        (progs/threads.c) shares a mutex-guarded counter and a
#        condvar-guarded queue, and joins them (tests/system/shared.py).
# Expects: status 139 from init, after=139 from the shell, which survives
#        (the kernel too); the threads' deterministic totals, status 0.
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import passed
from aarch64lib import TEST_IMAGE, boot_aarch64, need_aarch64_build
from shared import check_segfault, check_threads

need_aarch64_build("all", TEST_IMAGE)
check_segfault(boot_aarch64)
check_threads(boot_aarch64, workers=16, smp=2)
passed()
