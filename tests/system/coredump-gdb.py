#!/usr/bin/env python3
# Boots: the test image on microvm, no network, with an empty ext2 disk of
#        16M made by mke2fs, fsd serving it on /data.
# Does:  in /data, `ulimit -c unlimited`, then /test/abi/coredump segv:
#        two threads, the first writes through a null pointer in
#        crash_in_here; then a crash with the default RLIMIT_CORE (0) in
#        a second directory; sync.
# Expects: the shell saw SIGSEGV both times (status 139); /data/core is a
#        file of mode 0600 on the disk (debugfs) and none in the second
#        directory; gdb on the host, given build/abi/coredump (the same
#        program, with its symbols) and the core, says the program ended
#        with SIGSEGV in crash_in_here called from main, lists two threads
#        and reads the global the program wrote ("core-marker"); e2fsck
#        finds nothing wrong.
import os, shutil, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, expect_lines, expect_status, fail, passed, skip
from fsdlib import (boot_disk, debugfs_cat, debugfs_stat, e2fsck_clean,
		    mkfs, need_e2fsprogs, scratch)

SCRIPT = """cd /data
(ulimit -c unlimited; /test/abi/coredump segv); echo "STATUS $?"
mkdir nocore; cd nocore; /test/abi/coredump segv; echo "STATUS $?"
ls; cd /data; sync"""

need_e2fsprogs()
if not shutil.which("gdb"):
	skip("skipped: gdb missing (tools/deps.sh installs it)")
program = os.path.join(ROOT, "build", "abi", "coredump")
with scratch("coredump-gdb") as tmp:
	image = os.path.join(tmp, "disk.img")
	mkfs(image, size="16M")
	result = boot_disk(SCRIPT, image, test_image=True)
	expect_status(result, 0)
	expect_lines(result, ["STATUS 139", "STATUS 139"])
	e2fsck_clean(image)
	info = debugfs_stat(image, "/core")
	if not info or info.get("type") != "regular" or info.get("mode") != 0o600:
		fail("/core on the disk: %r, want a regular file of mode 0600" % info)
	if debugfs_stat(image, "/nocore/core"):
		fail("a core was written with RLIMIT_CORE 0")
	core = os.path.join(tmp, "core")
	with open(core, "wb") as f:
		f.write(debugfs_cat(image, "/core"))
	gdb = subprocess.run(
		["gdb", "-batch", "-nx", "-ex", "info threads", "-ex", "bt",
		 "-ex", "x/s &global", program, core],
		capture_output=True, timeout=120)
	out = gdb.stdout.decode(errors="replace")
	print(out)
	for want in ("Program terminated with signal SIGSEGV",
		     "in crash_in_here", "in main", '"core-marker"'):
		if want not in out:
			fail("gdb's output lacks %r" % want)
	threads = [l for l in out.splitlines() if "LWP" in l and
		   l.lstrip("* ").split()[:1] in (["1"], ["2"])]
	if len(threads) != 2:
		fail("gdb lists %d threads, want 2" % len(threads))
passed()
