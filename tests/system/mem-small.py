#!/usr/bin/env python3
# Boots: the default image on microvm with no network device, twice:
#        --mem 4M (the kernel image, the 1.7 MB initramfs with its big
#        files packed and everything else in 4 MiB; docs/performance.md
#        §3) and --mem 6M.
# Does:  runs `true` at 4 MiB (the smallest --mem figure), then `cat
#        /proc/meminfo` at 6 MiB (at 4 MiB a single program runs, but a
#        shell pipeline does not).
# Expects: exit status 0 from both, and a Slab line with the kernel heap's
#        size (not 0). Before the initramfs was freed as it was unpacked,
#        low memory used, and the kernel heap's page blocks, tmpfs's
#        small-file indexes and exec's argument buffer sized to fit, the
#        smallest --mem was 8 MiB; each of those was needed for 5 MiB.
#        At 4 MiB QEMU could not load the image until Petrel's programs
#        went in stripped and BusyBox and the servers packed
#        (tools/pagepack.py): the 3.2 MB archive, the kernel and the
#        first MiB came to 4.9 MiB.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

expect_status(boot(["true"], extra=["--net", "none", "--mem", "4M"]), 0)
result = boot(["cat", "/proc/meminfo"], extra=["--net", "none", "--mem", "6M"])
expect_status(result, 0)
if not [l for l in result.lines if re.match(r"Slab:\s+[1-9]\d* kB$", l)]:
	fail("/proc/meminfo: no Slab line with the heap's size")
passed()
