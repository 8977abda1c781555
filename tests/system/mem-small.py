#!/usr/bin/env python3
# Boots: the default image on microvm with --mem 5M and no network device
#        (the kernel image, the 3.1 MB initramfs and everything else in
#        5 MiB; docs/performance.md §3).
# Does:  runs `cat /proc/meminfo` (one program, no shell: it finds about
#        100 KiB free, too little for a shell pipeline, which needs 6 MiB).
# Expects: exit status 0 and a Slab line with the kernel heap's size (not
#        0). Before the initramfs was freed as it was unpacked, low memory
#        used, and the kernel heap's page blocks, tmpfs's small-file
#        indexes and exec's argument buffer sized to fit, the smallest
#        --mem was 8 MiB; each of those was needed for 5 MiB.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

result = boot(["cat", "/proc/meminfo"], extra=["--net", "none", "--mem", "5M"])
expect_status(result, 0)
if not [l for l in result.lines if re.match(r"Slab:\s+[1-9]\d* kB$", l)]:
	fail("/proc/meminfo: no Slab line with the heap's size")
passed()
