#!/usr/bin/env python3
# Boots: the default image on microvm with 2 vCPUs under multi-threaded TCG,
#        after reading the kernel ELF's symbol table (nm -n -S).
# Does:  checks that the data every CPU touches at each system call or
#        switch shares no cache line with another CPU's: the arrays cpus,
#        runq_locks and waitq_locks start on a line, each element a whole
#        number of lines (struct cpu, runq_lock, waitq_lock aligned); then, booted, reads /proc/stat's ctxt (the
#        context switches each CPU now counts for itself) twice with a
#        short sleep between.
# Expects: cpus, runq_locks and waitq_locks 64-byte aligned and each
#        one's size a multiple of 16 x 64 bytes (CPU_MAX or 64 structs of
#        whole lines); ctxt above 0 and growing (docs/kernel.md, "Cache lines
#        between CPUs").
import os, re, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, kernel_of, passed

LINE = 64
CPU_MAX = 16

symbols = []	# (address, size, name), in address order
for text in subprocess.run(["nm", "-n", "-S", kernel_of({})], check=True,
			   capture_output=True, text=True).stdout.splitlines():
	f = text.split()
	if len(f) == 4 and f[2] in "bBdD":
		symbols.append((int(f[0], 16), int(f[1], 16), f[3]))
by_name = {name: (addr, size) for addr, size, name in symbols}
for name in ("cpus", "runq_locks", "waitq_locks"):
	if name not in by_name:
		fail(f"{name} not in the kernel's symbols")
for name in ("cpus", "runq_locks", "waitq_locks"):
	addr, size = by_name[name]
	if addr % LINE or size % (CPU_MAX * LINE):
		fail(f"{name} at {addr:#x}, {size} bytes: not whole lines each")

result = boot(["/bin/sh", "-c",
	       "grep ctxt /proc/stat; sleep 0.2; grep ctxt /proc/stat"],
	      smp=2, accel="tcg-multi")
expect_status(result, 0)
counts = [int(n) for n in re.findall(r"^ctxt (\d+)", result.output, re.M)]
if len(counts) != 2 or not 0 < counts[0] < counts[1]:
	fail(f"/proc/stat ctxt {counts}: not above 0 and growing")
passed()
