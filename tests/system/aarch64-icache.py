#!/usr/bin/env python3
# Boots: the aarch64 test image (QEMU virt, TCG, -cpu max: CTR_EL0's IDC
#        and DIC clear, so every sync cleans and invalidates).
# Does:  reads /proc/petrel/icache (user pages synced for instruction
#        fetch since boot, docs/kernel.md "Memory") after the shell and cat
#        first ran, after /bin/true ran once, after it ran 10 more times,
#        and after /test/abi/icache (code written by write(), stores and
#        mprotect, 20 rewrites of a page by W^X turns).
# Expects: the count above 0 at the first read (the syncs ran); fewer than
#        5 more after the 10 runs of an already-synced program, 0 here (a
#        page is synced once per content, not at every map: a sync at
#        every map made it over 500, some 54 text pages a run; a signal
#        trampoline page written afresh into each process made it one a
#        run, until one page served them all); at least 27
#        more after the icache program, which makes written pages
#        executable 27 times (4 file, 3 mprotect, 20 turns) and checks
#        they ran as written.
#        What TCG cannot show: that a missing sync runs stale code (its
#        instruction fetch sees every store); that shows on KVM alone.
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_status, fail, passed
from aarch64lib import boot_aarch64, need_aarch64_build, TEST_IMAGE

need_aarch64_build("all", TEST_IMAGE)
read = "cat /proc/petrel/icache"
ten = "; ".join(["/bin/true"] * 10)
r = boot_aarch64("%s; /bin/true; %s; %s; %s; /test/abi/icache > /tmp/out;"
		 " echo icache-status $?; %s" % (read, read, ten, read, read),
		 extra=["--net", "none"], test_image=True)
expect_status(r, 0)
counts = [int(l.split()[1]) for l in r.lines if l.startswith("synced ")]
if len(counts) != 4:
	fail("expected 4 reads of /proc/petrel/icache, got %r" % r.lines)
if "icache-status 0" not in r.lines:
	fail("/test/abi/icache failed: %r" % r.lines)
print("synced: first %d, after /bin/true %d, after 10 more %d, after icache %d"
      % tuple(counts))
if counts[0] <= 0:
	fail("no page synced by the first read")
if counts[2] - counts[1] >= 5:
	fail("10 runs of a synced program synced %d pages" %
	     (counts[2] - counts[1]))
if counts[3] - counts[2] < 27:
	fail("the icache program's 27 executable rewrites synced %d pages" %
	     (counts[3] - counts[2]))
passed()
