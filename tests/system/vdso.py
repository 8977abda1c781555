#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs, then again with the
#        kernel command-line word vdso=0.
# Does:  runs /test/abi/vdso (tests/abi/vdso.c: each vDSO function against
#        its system call, monotonic across two threads on the two CPUs,
#        getcpu on each CPU), then `vdso settime` (clock_settime and
#        settimeofday as root, the vDSO's REALTIME read right after each)
#        and `vdso wx` (mprotect cannot make [vdso] or [vvar] writable,
#        /proc/self/mem cannot write [vvar]);
#        with vdso=0, `vdso none` and BusyBox date.
# Expects: every check passes on 2 CPUs; the vDSO's wall clock follows
#        each setting at once; EACCES for the mprotects; with vdso=0 no
#        AT_SYSINFO_EHDR, no [vdso] or [vvar] in /proc/self/maps, and the
#        clocks still work.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["sh", "-c", "/test/abi/vdso && /test/abi/vdso settime && "
	       "/test/abi/vdso wx"],
	      smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"getcpu as the system call, on every CPU: ok",
	"monotonic never back, vDSO and system call, two threads: 0",
	"vdso: all 58 checks passed",
	"clock_settime: 0",
	"the vDSO's REALTIME follows: ok",
	"its time follows: ok",
	"settimeofday back: 0",
	"REALTIME back, between system calls: ok",
	"mprotect [vdso] writable: EACCES",
	"mprotect [vvar] writable: EACCES",
	"mprotect [vvar] executable: EACCES",
	"no write to [vvar] through /proc/self/mem: ok",
	"MONOTONIC still between system calls: ok",
])

result = boot(["sh", "-c", "/test/abi/vdso none && date +%Y >/dev/null && "
	       "echo date ok"], test_image=True, extra=["--append", "vdso=0"])
expect_status(result, 0)
expect_lines(result, [
	"AT_SYSINFO_EHDR: 0",
	"no [vdso] in maps: ok",
	"no [vvar] in maps: ok",
	"clock_gettime: 0",
	"time: ok",
	"date ok",
])
passed()
