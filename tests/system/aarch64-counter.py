#!/usr/bin/env python3
# Boots: build/aarch64/kernel through `./petrel run --arch aarch64` with a
#        small image: bench/cntvct-init.c (the aarch64 boot benchmark's
#        first user program, no C library) as init=, Petrel's init as
#        /sbin/init and BusyBox's cat.
# Does:  cntvct-init's first instruction reads CNTVCT_EL0 at EL0, then
#        CNTFRQ_EL0; it writes both to /bench/cntvct-at-init and execs
#        /sbin/init, which runs `cat /bench/cntvct-at-init`.
# Expects: the line with a count above 0 and QEMU virt's 62500000 Hz, exit
#        status 0. (Linux lets EL0 read the virtual counter; a kernel that
#        leaves CNTKCTL_EL1.EL0VCTEN clear kills the program with SIGILL
#        and init's death panics.)
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, re, shutil, subprocess, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, expect_status, fail, passed
from aarch64lib import CC, boot_aarch64, need_aarch64_build

need_aarch64_build()
A64 = os.path.join(ROOT, "build", "aarch64")
work = tempfile.mkdtemp(prefix="petrel-a64counter-")
try:
	tree = os.path.join(work, "root")
	for d in ("sbin", "bin", "bench", "dev", "proc", "tmp"):
		os.makedirs(os.path.join(tree, d))
	r = subprocess.run([CC, "-static", "-nostdlib", "-O2",
			    "-fno-stack-protector", "-Wall", "-Wextra", "-Werror",
			    "-o", os.path.join(tree, "bench", "cntvct-init"),
			    os.path.join(ROOT, "bench", "cntvct-init.c")],
			   capture_output=True, text=True)
	if r.returncode != 0:
		fail("cannot build bench/cntvct-init.c:\n" + r.stderr)
	shutil.copy2(os.path.join(A64, "init"), os.path.join(tree, "sbin", "init"))
	shutil.copy2(os.path.join(A64, "busybox", "bin", "busybox"),
		     os.path.join(tree, "bin", "busybox"))
	os.symlink("busybox", os.path.join(tree, "bin", "cat"))
	names = sorted(os.path.relpath(os.path.join(d, n), tree)
		       for d, dirs, files in os.walk(tree) for n in dirs + files)
	image = os.path.join(work, "counter.cpio")
	with open(image, "wb") as f:
		subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=tree,
			       input="\n".join(names).encode(), stdout=f,
			       check=True)
	r = boot_aarch64(["cat", "/bench/cntvct-at-init"],
			 extra=["--net", "none", "--initrd", image,
				"--append", "init=/bench/cntvct-init"])
	expect_status(r, 0)
	m = re.search(r"^bench: cntvct-at-init (\d+) (\d+)$", r.output, re.M)
	if not m or int(m.group(1)) == 0 or m.group(2) != "62500000":
		fail("no counter line with a count and 62500000 Hz")
finally:
	shutil.rmtree(work, ignore_errors=True)
passed()
