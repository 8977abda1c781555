#!/usr/bin/env python3
# Boots: the default image on microvm with no network device, twice:
#        --mem 5M (the kernel image, the 3.1 MB initramfs and everything
#        else in 5 MiB; docs/performance.md §3) and --mem 6M.
# Does:  runs `true` at 5 MiB (the smallest --mem figure), then `cat
#        /proc/meminfo` at 6 MiB (at 5 MiB about 100 KiB stay free, too
#        little for much more than `true`: a shell pipeline needs 6 MiB,
#        and cat's read of /proc/meminfo came to ENOMEM once the vDSO and
#        the fast system-call path had grown the kernel a little).
# Expects: exit status 0 from both, and a Slab line with the kernel heap's
#        size (not 0). Before the initramfs was freed as it was unpacked,
#        low memory used, and the kernel heap's page blocks, tmpfs's
#        small-file indexes and exec's argument buffer sized to fit, the
#        smallest --mem was 8 MiB; each of those was needed for 5 MiB.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

expect_status(boot(["true"], extra=["--net", "none", "--mem", "5M"]), 0)
result = boot(["cat", "/proc/meminfo"], extra=["--net", "none", "--mem", "6M"])
expect_status(result, 0)
if not [l for l in result.lines if re.match(r"Slab:\s+[1-9]\d* kB$", l)]:
	fail("/proc/meminfo: no Slab line with the heap's size")
passed()
