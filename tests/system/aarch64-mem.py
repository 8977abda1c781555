#!/usr/bin/env python3
# Boots: the aarch64 default image through `./petrel run --arch aarch64
#        --net none --mem 16M` (QEMU virt, TCG), where RAM starts 1 GiB
#        up: below it lie only devices.
# Does:  runs `free`.
# Expects: exit status 0 and more than 8 MiB of memory in free's total.
#        (The page array once had an entry for every page from physical
#        address 0: 6 MiB of 16 went to describing the devices' gigabyte,
#        and 17 MiB was too little to boot.)
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_status, fail, passed
from aarch64lib import boot_aarch64, need_aarch64_build

need_aarch64_build()
r = boot_aarch64("free | grep Mem:", extra=["--net", "none", "--mem", "16M"])
expect_status(r, 0)
totals = [int(l.split()[1]) for l in r.lines if l.startswith("Mem:")]
if not totals or totals[0] <= 8192:
	fail("free's total: %s KiB, expected more than 8192" % totals)
print("Mem total: %d KiB" % totals[0])
passed()
